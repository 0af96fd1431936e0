//! Synthetic near-duplicates (issue 9): a few demo families registered a second time, as
//! happens when a town's sheet or last winter's list is typed in again — one digit of the ID
//! number mistyped, the name written with a homophone, two digits swapped — so the identity
//! review queue (`/identity`) has candidate pairs to show as soon as the demo starts. Each copy
//! is a draft entered by its village's officer, with a note saying it is a synthetic
//! duplicate; then the county runs the identity pass, as it would after such an intake.
//!
//! The copies lie outside 上派镇, the town of the `town` and `village` demo accounts, so what
//! those accounts see of their own area is unchanged.

use crate::{App, Caller, Result};
use hearth_core::household::HouseholdInput;
use hearth_core::id_number::id_check_char;
use std::collections::{HashMap, HashSet};

/// How the second registration differs from the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slip {
    /// One digit of the ID number mistyped.
    Typo,
    /// The name written with a homophone, and one ID digit mistyped on the way.
    Homophone,
    /// Two adjacent digits of the ID number swapped.
    Swap,
}

impl Slip {
    fn note(self) -> &'static str {
        match self {
            Slip::Typo => "演示：合成的重复登记（身份证号错一位），供身份核查演示",
            Slip::Homophone => "演示：合成的重复登记（姓名同音字、身份证号错一位），供身份核查演示",
            Slip::Swap => "演示：合成的重复登记（身份证号相邻两位颠倒），供身份核查演示",
        }
    }
}

const SLIPS: [Slip; 3] = [Slip::Typo, Slip::Homophone, Slip::Swap];

/// Characters of the demo names and a character read the same (pinyin without tones).
const HOMOPHONES: [(char, char); 7] = [
    ('芳', '方'),
    ('明', '鸣'),
    ('兰', '岚'),
    ('珍', '真'),
    ('福', '富'),
    ('英', '瑛'),
    ('田', '甜'),
];

fn homophone(name: &str) -> Option<String> {
    let last = name.chars().last()?;
    let (_, sound) = HOMOPHONES.iter().find(|(c, _)| *c == last)?;
    let mut out: String = name.chars().take(name.chars().count() - 1).collect();
    out.push(*sound);
    Some(out)
}

/// The ID number with its sequence digits (15th–17th) mistyped or swapped and the check
/// character recomputed, as a form that computes it does; never one already registered.
fn slipped_id(id: &str, slip: Slip, taken: &HashSet<String>) -> Option<String> {
    let digits: Vec<u8> = id.bytes().take(17).collect();
    if digits.len() != 17 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut candidates = Vec::new();
    for at in 14..17 {
        if slip == Slip::Swap {
            if at < 16 && digits[at] != digits[at + 1] {
                let mut d = digits.clone();
                d.swap(at, at + 1);
                candidates.push(d);
            }
        } else {
            for step in 1..10 {
                let mut d = digits.clone();
                d[at] = b'0' + (d[at] - b'0' + step) % 10;
                candidates.push(d);
            }
        }
    }
    candidates.into_iter().find_map(|d| {
        let first17 = String::from_utf8(d).ok()?;
        let id = format!("{first17}{}", id_check_char(&first17)?);
        (!taken.contains(&id)).then_some(id)
    })
}

/// The second registration of `source`: the head alone (the others' ID numbers may be
/// registered once only), with the slip applied.
fn copy_of(source: &HouseholdInput, slip: Slip, taken: &HashSet<String>) -> Option<HouseholdInput> {
    let mut copy = source.clone();
    copy.members.truncate(1);
    let head = copy.members.first_mut()?;
    let id = slipped_id(&head.id_number, slip, taken)?;
    if let Some(rest) = head.disability_certificate.strip_prefix(&head.id_number) {
        head.disability_certificate = format!("{id}{rest}");
    }
    head.id_number = id;
    if slip == Slip::Homophone {
        head.name = homophone(&head.name)?;
    }
    if !copy.consent.signer.is_empty() {
        copy.consent.signer = head.name.clone();
    }
    copy.consent.guardian.clear();
    copy.note = slip.note().to_owned();
    Some(copy)
}

impl App {
    /// Registers one synthetic copy per [`Slip`] of households in `made` (`(village index,
    /// form)`, as [`App::seed_households`] entered them) in villages outside the demo town,
    /// each by its village's officer in `makers`. Returns how many were registered.
    pub(super) async fn seed_near_duplicates(
        &self,
        makers: &[Caller],
        made: &[(usize, HouseholdInput)],
        in_demo_town: impl Fn(usize) -> bool,
    ) -> Result<usize> {
        let mut taken: HashSet<String> = made
            .iter()
            .flat_map(|(_, h)| h.members.iter().map(|m| m.id_number.clone()))
            .collect();
        let mut per_village: HashMap<usize, usize> = HashMap::new();
        for (v, _) in made {
            *per_village.entry(*v).or_default() += 1;
        }
        // One copy per village, and none where the village already lists the most households
        // (five), so every village's list keeps the usual size.
        let mut sources = made.iter().filter(|(v, h)| {
            h.members.len() == 1 && !in_demo_town(*v) && per_village[v] < super::STATUSES.len()
        });
        let mut used = HashSet::new();
        let mut added = 0;
        for slip in SLIPS {
            let found = sources.by_ref().find_map(|(v, h)| {
                if used.contains(v) {
                    return None;
                }
                let copy = copy_of(h, slip, &taken)?;
                Some((*v, makers.get(*v)?, copy))
            });
            let Some((village, maker, copy)) = found else {
                continue;
            };
            used.insert(village);
            taken.insert(copy.members[0].id_number.clone());
            self.register_household(maker, &copy).await?;
            added += 1;
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "340123194106150014";

    #[test]
    fn a_slipped_id_is_valid_and_differs_in_the_sequence_only() {
        let taken = HashSet::from([ID.to_owned()]);
        for slip in SLIPS {
            let id = slipped_id(ID, slip, &taken).expect("a variant");
            assert_ne!(id, ID);
            assert_eq!(&id[..14], &ID[..14], "{slip:?} keeps the birth date");
            assert!(hearth_core::id_number::IdNumber::parse(&id).is_ok(), "{id}");
        }
        let swapped = slipped_id(ID, Slip::Swap, &taken).unwrap();
        assert_eq!(&swapped[14..17], "010");
    }

    #[test]
    fn a_taken_number_is_never_chosen() {
        let first = slipped_id(ID, Slip::Typo, &HashSet::new()).unwrap();
        let taken = HashSet::from([first.clone()]);
        assert_ne!(slipped_id(ID, Slip::Typo, &taken).unwrap(), first);
    }

    #[test]
    fn homophones_change_the_character_not_the_sound() {
        assert_eq!(homophone("王桂芳").as_deref(), Some("王桂方"));
        assert_eq!(homophone("陈长海"), None);
    }
}
