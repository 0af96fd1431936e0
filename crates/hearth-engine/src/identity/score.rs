//! Pairwise scoring: how much the fields of two records say they are one household.
//!
//! Each field's agreement level adds a weight (roughly a log₂ likelihood ratio, as in the
//! Fellegi–Sunter model, but set by hand and documented in [`Weights`] instead of estimated, so
//! that a reviewer can be told why a pair was proposed). A missing field adds nothing. The
//! evidence is kept per field so the review queue can show it side by side.

use rustc_hash::FxHashMap;

use super::record::{IdState, NO_VILLAGE, Person, Records};

/// The weights each agreement level adds to a pair's score. Defaults were set on the synthetic
/// benchmark (`bench/identity`) and checked against the cases in the tests; change them there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Weights {
    /// The same ID number (its check character satisfied, or the same malformed number twice).
    pub id_same: f32,
    /// One mistyped digit or one adjacent swap apart, and only one of the two satisfies the check
    /// character: the classic typo.
    pub id_typo: f32,
    /// One edit apart where one is a first-generation number: without a check character the
    /// typo cannot be confirmed, so this counts for less.
    pub id_typo_unchecked: f32,
    /// One edit apart but neither satisfies the check character.
    pub id_near: f32,
    /// Two edits apart (two typos, or a typo and a swap), not both valid.
    pub id_two_edits: f32,
    /// Two edits apart and both satisfy the check character: two people, or two typos that
    /// happened to satisfy it (one time in eleven), so other fields decide.
    pub id_two_edits_valid: f32,
    /// Three or more edits apart and both satisfy the check character: two people.
    pub id_different_valid: f32,
    /// Three or more edits apart, not both valid.
    pub id_different: f32,
    /// The same characters. Lowered for common names, see `name_common_*`.
    pub name_same: f32,
    /// The same pinyin (homophones, traditional or variant characters).
    pub name_same_sound: f32,
    /// Names of three or more syllables that differ in one: often siblings sharing a
    /// generation character, so it counts against rather than for.
    pub name_close: f32,
    pub name_different: f32,
    /// Subtracted from name agreement per doubling of how many records carry the name's pinyin
    /// (a record's own copies included), up to `name_common_cap`.
    pub name_common_per_doubling: f32,
    pub name_common_cap: f32,
    pub birth_same: f32,
    pub birth_different: f32,
    pub phone_same: f32,
    /// A phone written on more than `phone_shared_count` records (a village office's, a
    /// relative's) only adds `phone_shared`.
    pub phone_shared: f32,
    pub phone_shared_count: u32,
    pub phone_one_digit: f32,
    pub phone_different: f32,
    pub village_same: f32,
    pub village_different: f32,
    /// Share of the shorter address's tokens found in the other: at least `address_close_share`
    /// adds `address_same`, at least half adds `address_similar`, less adds `address_different`.
    pub address_close_share: f32,
    pub address_same: f32,
    pub address_similar: f32,
    pub address_different: f32,
    /// Per member the two records share, up to two.
    pub member_shared: f32,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            id_same: 14.0,
            id_typo: 9.0,
            id_typo_unchecked: 6.0,
            id_near: 2.0,
            id_two_edits: 3.0,
            id_two_edits_valid: -2.0,
            id_different_valid: -14.0,
            id_different: -6.0,
            name_same: 6.0,
            name_same_sound: 5.0,
            name_close: -2.0,
            name_different: -8.0,
            name_common_per_doubling: 0.4,
            name_common_cap: 3.0,
            birth_same: 4.0,
            birth_different: -6.0,
            phone_same: 5.0,
            phone_shared: 1.0,
            phone_shared_count: 6,
            phone_one_digit: 2.0,
            phone_different: -1.0,
            village_same: 1.0,
            village_different: -3.0,
            address_close_share: 0.8,
            address_same: 3.0,
            address_similar: 1.0,
            address_different: -2.0,
            member_shared: 3.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdAgreement {
    Missing,
    Same,
    Typo,
    TypoUnchecked,
    Near,
    TwoEdits,
    TwoEditsValid,
    DifferentValid,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameAgreement {
    Missing,
    Same,
    SameSound,
    Close,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    Missing,
    Same,
    /// Phones only: one digit differs.
    OneDigit,
    Different,
}

/// Why two records were (or were not) taken for one household.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub id_number: IdAgreement,
    pub name: NameAgreement,
    pub birth_date: Agreement,
    pub phone: Agreement,
    pub village: Agreement,
    /// Share of the shorter address's tokens found in the other; `None` when one is missing.
    pub address: Option<f32>,
    pub shared_members: u32,
    pub score: f32,
}

/// How many records carry each name (as pinyin) and each phone, for the commonness adjustments.
pub(crate) struct Frequencies {
    pub(crate) name: Vec<u32>,
    phone: Vec<u32>,
}

impl Frequencies {
    pub(crate) fn count(records: &Records) -> Frequencies {
        let name_key = |p: &Person| {
            let mut h = 0xcbf2_9ce4_8422_2325_u64;
            for &s in records.pinyin(p) {
                h = (h ^ u64::from(s)).wrapping_mul(0x0100_0000_01b3);
            }
            h
        };
        let mut names: FxHashMap<u64, u32> = FxHashMap::default();
        let mut phones: FxHashMap<u64, u32> = FxHashMap::default();
        for p in &records.people {
            *names.entry(name_key(p)).or_default() += 1;
            *phones.entry(p.phone).or_default() += 1;
        }
        Frequencies {
            name: records.people.iter().map(|p| names[&name_key(p)]).collect(),
            phone: records.people.iter().map(|p| phones[&p.phone]).collect(),
        }
    }
}

/// How two 18-character numbers differ: `Some(true)` for one substitution or one adjacent swap,
/// `Some(false)` for equal, `None` for more.
/// Substitutions and adjacent swaps that turn `a` into `b` (of equal length), counted up to 3.
pub(crate) fn edits(a: &[u8], b: &[u8]) -> u32 {
    let (mut k, mut n) = (0, 0);
    while k < a.len() && n < 3 {
        if a[k] != b[k] {
            n += 1;
            let swapped = k + 1 < a.len() && a[k] == b[k + 1] && a[k + 1] == b[k];
            if swapped {
                k += 1;
            }
        }
        k += 1;
    }
    n
}

fn compare_id(a: &Person, b: &Person) -> IdAgreement {
    use IdState::{Missing, Unchecked, Valid};
    if a.id_state == Missing || b.id_state == Missing {
        return IdAgreement::Missing;
    }
    // A lifted first-generation number's check character was computed, not written: only the
    // 17 digits say anything.
    let len = if a.id_state == Unchecked || b.id_state == Unchecked {
        17
    } else {
        18
    };
    let n = edits(&a.id[..len], &b.id[..len]);
    match (n, a.id_state == Valid, b.id_state == Valid) {
        (0, _, _) => IdAgreement::Same,
        (2, true, true) => IdAgreement::TwoEditsValid,
        (_, true, true) => IdAgreement::DifferentValid,
        (1, true, false) | (1, false, true) if len == 17 => IdAgreement::TypoUnchecked,
        (1, true, false) | (1, false, true) => IdAgreement::Typo,
        (1, _, _) => IdAgreement::Near,
        (2, _, _) => IdAgreement::TwoEdits,
        _ => IdAgreement::Different,
    }
}

fn compare_name(records: &Records, a: &Person, b: &Person) -> NameAgreement {
    let (na, nb) = (records.name(a), records.name(b));
    if na.is_empty() || nb.is_empty() {
        return NameAgreement::Missing;
    }
    if na == nb {
        return NameAgreement::Same;
    }
    let (pa, pb) = (records.pinyin(a), records.pinyin(b));
    if pa == pb {
        return NameAgreement::SameSound;
    }
    let differing = pa.iter().zip(pb).filter(|(x, y)| x != y).count();
    if pa.len() == pb.len() && pa.len() >= 3 && differing == 1 {
        NameAgreement::Close
    } else {
        NameAgreement::Different
    }
}

fn compare_value<T: PartialEq>(a: T, b: T, missing: T) -> Agreement {
    if a == missing || b == missing {
        Agreement::Missing
    } else if a == b {
        Agreement::Same
    } else {
        Agreement::Different
    }
}

/// A birth date read from an ID number repeats the ID: when both records have an ID, the ID
/// comparison has already counted it.
fn compare_birth(a: &Person, b: &Person) -> Agreement {
    let both_ids = a.id_state != IdState::Missing && b.id_state != IdState::Missing;
    if both_ids && (a.birth_from_id || b.birth_from_id) {
        return Agreement::Missing;
    }
    compare_value(a.birth, b.birth, 0)
}

fn compare_phone(a: u64, b: u64) -> Agreement {
    match compare_value(a, b, 0) {
        Agreement::Different => {
            // Both carry a leading 1, so equal lengths mean equal digit counts.
            let (mut x, mut y, mut differing) = (a, b, 0);
            while x > 0 && y > 0 {
                differing += u32::from(x % 10 != y % 10);
                (x, y) = (x / 10, y / 10);
            }
            if x == 0 && y == 0 && differing == 1 {
                Agreement::OneDigit
            } else {
                Agreement::Different
            }
        }
        other => other,
    }
}

/// Share of the smaller sorted token set found in the other.
fn containment(a: &[u32], b: &[u32]) -> Option<f32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    Some(common as f32 / a.len().min(b.len()) as f32)
}

fn shared_members(a: &[u64], b: &[u64]) -> u32 {
    let shared = a.iter().filter(|m| b.contains(m)).count();
    u32::try_from(shared).unwrap_or(u32::MAX)
}

pub(crate) fn compare(
    records: &Records,
    freq: &Frequencies,
    w: &Weights,
    ia: u32,
    ib: u32,
) -> Evidence {
    let (a, b) = (records.person(ia), records.person(ib));
    let mut ev = Evidence {
        id_number: compare_id(a, b),
        name: compare_name(records, a, b),
        birth_date: compare_birth(a, b),
        phone: compare_phone(a.phone, b.phone),
        village: compare_value(a.village, b.village, NO_VILLAGE),
        address: containment(records.address(a), records.address(b)),
        shared_members: shared_members(records.members(a), records.members(b)),
        score: 0.0,
    };
    let name_count = freq.name[ia as usize].max(freq.name[ib as usize]);
    let phone_count = freq.phone[ia as usize].max(freq.phone[ib as usize]);
    ev.score = total(&ev, w, name_count, phone_count);
    ev
}

/// The score of the evidence: the weight of each field's agreement, summed. `name_count` and
/// `phone_count` say how many records carry the pair's name (as pinyin) and phone.
pub(crate) fn total(ev: &Evidence, w: &Weights, name_count: u32, phone_count: u32) -> f32 {
    let commonness = |count: u32| {
        (f32::from(u16::try_from(count).unwrap_or(u16::MAX)).log2() * w.name_common_per_doubling)
            .min(w.name_common_cap)
    };
    (match ev.id_number {
        IdAgreement::Missing => 0.0,
        IdAgreement::Same => w.id_same,
        IdAgreement::Typo => w.id_typo,
        IdAgreement::TypoUnchecked => w.id_typo_unchecked,
        IdAgreement::Near => w.id_near,
        IdAgreement::TwoEdits => w.id_two_edits,
        IdAgreement::TwoEditsValid => w.id_two_edits_valid,
        IdAgreement::DifferentValid => w.id_different_valid,
        IdAgreement::Different => w.id_different,
    } + match ev.name {
        NameAgreement::Missing => 0.0,
        NameAgreement::Same => w.name_same - commonness(name_count),
        NameAgreement::SameSound => w.name_same_sound - commonness(name_count),
        NameAgreement::Close => w.name_close,
        NameAgreement::Different => w.name_different,
    } + match ev.birth_date {
        Agreement::Same => w.birth_same,
        Agreement::Different => w.birth_different,
        _ => 0.0,
    } + match ev.phone {
        Agreement::Same if phone_count > w.phone_shared_count => w.phone_shared,
        Agreement::Same => w.phone_same,
        Agreement::OneDigit => w.phone_one_digit,
        Agreement::Different => w.phone_different,
        Agreement::Missing => 0.0,
    } + match ev.village {
        Agreement::Same => w.village_same,
        Agreement::Different => w.village_different,
        _ => 0.0,
    } + match ev.address {
        Some(share) if share >= w.address_close_share => w.address_same,
        Some(share) if share >= 0.5 => w.address_similar,
        Some(_) => w.address_different,
        None => 0.0,
    } + w.member_shared * ev.shared_members.min(2) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_count_typos_and_adjacent_swaps() {
        let a = b"340123199003071234";
        assert_eq!(edits(a, a), 0);
        assert_eq!(edits(a, b"340123199003071284"), 1);
        assert_eq!(edits(a, b"340123190903071234"), 1);
        assert_eq!(edits(a, b"340123199003071243"), 1);
        assert_eq!(edits(a, b"340123199003071285"), 2);
        assert_eq!(edits(a, b"340123199003072314"), 3);
        assert_eq!(edits(a, b"430123199003071243"), 2);
    }

    #[test]
    fn phones_one_digit_apart() {
        let p = |s: &str| super::super::text::phone(s);
        assert_eq!(
            compare_phone(p("13855100001"), p("13855100002")),
            Agreement::OneDigit
        );
        assert_eq!(
            compare_phone(p("13855100001"), p("13855100012")),
            Agreement::Different
        );
        assert_eq!(
            compare_phone(p("13855100001"), p("1385510000")),
            Agreement::Different
        );
        assert_eq!(compare_phone(p("13855100001"), p("")), Agreement::Missing);
    }

    #[test]
    fn containment_is_the_shorter_sets_share() {
        assert_eq!(containment(&[1, 2], &[1, 2, 3]), Some(1.0));
        assert_eq!(containment(&[1, 4], &[1, 2, 3]), Some(0.5));
        assert_eq!(containment(&[], &[1]), None);
    }
}
