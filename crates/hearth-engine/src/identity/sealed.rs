//! Resolution over a registry whose ID numbers and phones are sealed.
//!
//! The registry keeps names, villages and addresses in plain columns but ID numbers and phones
//! only encrypted, with blind indexes (keyed hashes) beside them. Resolution there must not open
//! every record, so the sealed fields are compared through their blind indexes alone:
//!
//! - the same [`Pass::Id`] key: the same 17 digits, so the same number ([`IdAgreement::Same`]);
//! - no shared `Id` key but a shared [`Pass::IdMasked`] key: the 17 digits differ only inside
//!   three neighbouring digits (one digit or one neighbouring swap, as typos go; rarely more).
//!   Registered numbers all satisfy their check character, so the
//!   check characters differ too and the pair is [`IdAgreement::TwoEditsValid`] — a typo fixed
//!   up by recomputing the check character, or twins: the other fields decide;
//! - both have an ID and share neither: [`IdAgreement::DifferentValid`];
//! - the same phone key: [`Agreement::Same`], else `Different` (one mistyped phone digit cannot
//!   be seen through a keyed hash).
//!
//! Everything else (name and pinyin, village, address, members) is compared on the plain
//! [`Records`] as for a spreadsheet. The caller fills those records without ID numbers and
//! phones, so nothing sealed ever reaches the engine in clear.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::time::Instant;

use super::blocking;
use super::cluster::{self, Link};
use super::keys::{BlockKeys, Pass};
use super::record::Records;
use super::score::{self, Agreement, Evidence, IdAgreement, Weights};
use super::{Config, Resolution, Timings};

/// The blind keys of one record's sealed fields (each folded to 64 bits, see
/// [`super::fold_key`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedFields {
    /// The [`Pass::Id`] key.
    pub id: Option<u64>,
    /// The [`Pass::IdMasked`] keys, any order.
    pub id_masked: Vec<u64>,
    pub phone: Option<u64>,
}

impl SealedFields {
    /// Collects a record's sealed fields from its stored keys by pass.
    pub fn from_keys(keys: impl IntoIterator<Item = (Pass, u64)>) -> SealedFields {
        let mut out = SealedFields::default();
        for (pass, key) in keys {
            match pass {
                Pass::Id => out.id = Some(key),
                Pass::IdMasked(_) => out.id_masked.push(key),
                Pass::Phone => out.phone = Some(key),
                _ => {}
            }
        }
        out
    }

    fn id_agreement(&self, other: &SealedFields) -> IdAgreement {
        match (self.id, other.id) {
            (None, _) | (_, None) => IdAgreement::Missing,
            (a, b) if a == b => IdAgreement::Same,
            _ if self.id_masked.iter().any(|k| other.id_masked.contains(k)) => {
                IdAgreement::TwoEditsValid
            }
            _ => IdAgreement::DifferentValid,
        }
    }

    fn phone_agreement(&self, other: &SealedFields) -> Agreement {
        match (self.phone, other.phone) {
            (None, _) | (_, None) => Agreement::Missing,
            (a, b) if a == b => Agreement::Same,
            _ => Agreement::Different,
        }
    }
}

/// How many records share each phone key, for the shared-phone discount.
fn phone_counts(sealed: &[SealedFields]) -> Vec<u32> {
    let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
    for phone in sealed.iter().filter_map(|s| s.phone) {
        *counts.entry(phone).or_default() += 1;
    }
    sealed
        .iter()
        .map(|s| s.phone.map_or(0, |p| counts[&p]))
        .collect()
}

struct Scorer<'a> {
    records: &'a Records,
    sealed: &'a [SealedFields],
    freq: score::Frequencies,
    phones: Vec<u32>,
    weights: &'a Weights,
}

impl<'a> Scorer<'a> {
    fn new(records: &'a Records, sealed: &'a [SealedFields], weights: &'a Weights) -> Self {
        Scorer {
            records,
            sealed,
            freq: score::Frequencies::count(records),
            phones: phone_counts(sealed),
            weights,
        }
    }

    fn compare(&self, a: u32, b: u32) -> Evidence {
        let (ia, ib) = (a as usize, b as usize);
        let mut ev = score::compare(self.records, &self.freq, self.weights, a, b);
        let (sa, sb) = (&self.sealed[ia], &self.sealed[ib]);
        ev.id_number = sa.id_agreement(sb);
        ev.phone = sa.phone_agreement(sb);
        let names = self.freq.name[ia].max(self.freq.name[ib]);
        let phones = self.phones[ia].max(self.phones[ib]);
        ev.score = score::total(&ev, self.weights, names, phones);
        ev
    }
}

/// Resolves registry records: `records` hold the plain fields (no ID number, no phone),
/// `sealed[i]` the blind keys of record `i`, `keys` every pass's keys (stored blind indexes).
pub fn resolve_sealed(
    records: &Records,
    sealed: &[SealedFields],
    keys: &dyn BlockKeys,
    config: &Config,
) -> Resolution {
    let start = Instant::now();
    let (pairs, blocking) =
        blocking::candidate_pairs(records, keys, &Pass::all(), config.max_block);
    let blocked = Instant::now();
    let scorer = Scorer::new(records, sealed, &config.weights);
    let mut links: Vec<Link> = pairs
        .par_iter()
        .filter_map(|&p| {
            let (a, b) = blocking::unpair(p);
            let score = scorer.compare(a, b).score;
            (score >= config.accept).then_some(Link { a, b, score })
        })
        .collect();
    let scored = Instant::now();
    let (clusters, refused_links) = cluster::cluster(records, &mut links, config.max_cluster);
    Resolution {
        clusters,
        links,
        blocking,
        refused_links,
        timings: Timings {
            blocking: blocked - start,
            scoring: scored - blocked,
            clustering: scored.elapsed(),
        },
    }
}

/// The evidence for each of `pairs` of registry records, for a reviewer.
pub fn explain_sealed(
    records: &Records,
    sealed: &[SealedFields],
    pairs: &[(u32, u32)],
    weights: &Weights,
) -> Vec<Evidence> {
    let scorer = Scorer::new(records, sealed, weights);
    pairs.iter().map(|&(a, b)| scorer.compare(a, b)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Record, StoredKeys, key_materials};
    use super::*;

    /// Blind keys as the registry would store them, here from a plain hash.
    fn sealed_of(record: &Record<'_>) -> Vec<(Pass, u64)> {
        key_materials(record)
            .into_iter()
            .map(|(pass, m)| {
                (
                    pass,
                    super::super::fold_key(&format!("{}:{m}", pass.kind())),
                )
            })
            .collect()
    }

    fn resolve(rows: &[Record<'_>]) -> Resolution {
        let mut records = Records::new();
        let mut sealed = Vec::new();
        let mut stored = StoredKeys::default();
        for (i, row) in rows.iter().enumerate() {
            // The engine sees no ID number and no phone, only their keys.
            records.push(&Record {
                id_number: "",
                phone: "",
                ..*row
            });
            let keys = sealed_of(row);
            for &(pass, key) in &keys {
                stored
                    .by_pass
                    .entry(pass)
                    .or_default()
                    .push((key, i as u32));
            }
            sealed.push(SealedFields::from_keys(keys));
        }
        resolve_sealed(&records, &sealed, &stored, &Config::default())
    }

    const ID: &str = "340123199003071234";
    /// One digit of the 17 mistyped and the check character recomputed.
    const TYPO: &str = "340123199003071250";

    fn household<'a>(name: &'a str, id: &'a str, phone: &'a str) -> Record<'a> {
        Record {
            name,
            id_number: id,
            phone,
            village: "340123100201",
            address: "三河镇新华村12号",
            ..Default::default()
        }
    }

    #[test]
    fn a_one_digit_id_typo_with_the_same_name_and_phone_is_linked_through_keys_alone() {
        let found = resolve(&[
            household("张三", ID, "13855100001"),
            household("李四", "340123198505051239", "13955100002"),
            household("张三", TYPO, "13855100001"),
        ]);
        assert_eq!(found.clusters, vec![vec![0, 2]]);
    }

    #[test]
    fn different_people_with_different_ids_are_not_linked() {
        let found = resolve(&[
            household("张三", ID, "13855100001"),
            household("张三", "340123198505051239", "13955100002"),
        ]);
        assert!(found.clusters.is_empty());
    }

    #[test]
    fn evidence_names_the_typo_and_the_shared_phone() {
        let rows = [
            household("张三", ID, "13855100001"),
            household("章三", TYPO, "13855100001"),
        ];
        let mut records = Records::new();
        let mut sealed = Vec::new();
        for row in &rows {
            records.push(&Record {
                id_number: "",
                phone: "",
                ..*row
            });
            sealed.push(SealedFields::from_keys(sealed_of(row)));
        }
        let ev = explain_sealed(&records, &sealed, &[(0, 1)], &Weights::default()).remove(0);
        assert_eq!(ev.id_number, IdAgreement::TwoEditsValid);
        assert_eq!(ev.phone, Agreement::Same);
        assert_eq!(ev.name, score::NameAgreement::SameSound);
    }
}
