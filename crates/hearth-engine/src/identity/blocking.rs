//! Candidate pairs from blocking keys, without ever comparing everything with everything.
//!
//! Each pass sorts `(key, record)` and turns every run of equal keys (a block) into its pairs. A
//! block of `n` records yields `n(n−1)/2` pairs, so one huge block (an office phone written on
//! hundreds of forms, a village's most common name) would make the work quadratic. Blocks larger
//! than [`super::Config::max_block`] are therefore skipped and counted: a key shared by that many
//! records says nothing about any two of them, and true twins in such a block still meet through
//! their other keys (ID number, masked ID, pinyin with birth date). Pairs are kept as one sorted,
//! duplicate-free `Vec<u64>` (`a << 32 | b`, `a < b`), merged pass by pass, so memory is eight
//! bytes per distinct candidate pair plus one pass's keys.

use rayon::prelude::*;

use super::keys::{BlockKeys, Pass};
use super::record::Records;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct BlockingStats {
    /// Distinct candidate pairs after all passes.
    pub candidate_pairs: usize,
    /// Blocks skipped for being larger than `max_block`, and the records in them.
    pub skipped_blocks: usize,
    pub skipped_records: usize,
}

pub(crate) fn pair(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

pub(crate) fn unpair(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Every distinct pair of records that share a key in some pass, sorted.
pub(crate) fn candidate_pairs(
    records: &Records,
    source: &dyn BlockKeys,
    passes: &[Pass],
    max_block: usize,
) -> (Vec<u64>, BlockingStats) {
    let mut stats = BlockingStats::default();
    let mut pairs: Vec<u64> = Vec::new();
    let mut keys = Vec::with_capacity(records.len());
    for &pass in passes {
        keys.clear();
        source.keys(records, pass, &mut keys);
        // Only the key matters: pairs are put in order and deduplicated below.
        keys.par_sort_unstable_by_key(|&(key, _)| key);
        let mut found = pairs_in_blocks(&keys, max_block, &mut stats);
        found.par_sort_unstable();
        found.dedup();
        pairs = merge_sorted(pairs, found);
    }
    stats.candidate_pairs = pairs.len();
    (pairs, stats)
}

fn pairs_in_blocks(keys: &[(u64, u32)], max_block: usize, stats: &mut BlockingStats) -> Vec<u64> {
    let mut found = Vec::new();
    for block in keys.chunk_by(|x, y| x.0 == y.0) {
        if block.len() < 2 {
            continue;
        }
        if block.len() > max_block {
            stats.skipped_blocks += 1;
            stats.skipped_records += block.len();
            continue;
        }
        for (k, &(_, a)) in block.iter().enumerate() {
            found.extend(
                block[k + 1..]
                    .iter()
                    .filter(|&&(_, b)| b != a)
                    .map(|&(_, b)| pair(a, b)),
            );
        }
    }
    found
}

/// The union of two sorted, duplicate-free vectors, sorted and duplicate-free.
fn merge_sorted(a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_a_sorted_union() {
        assert_eq!(
            merge_sorted(vec![1, 3, 5], vec![2, 3, 6]),
            vec![1, 2, 3, 5, 6]
        );
        assert_eq!(merge_sorted(vec![], vec![4]), vec![4]);
        assert_eq!(merge_sorted(vec![4], vec![]), vec![4]);
    }

    fn pairs_of_ids(ids: &[&str]) -> Vec<u64> {
        let mut records = Records::new();
        for id in ids {
            records.push(&super::super::Record {
                id_number: id,
                ..Default::default()
            });
        }
        candidate_pairs(&records, &super::super::plain_keys(), &Pass::all(), 64).0
    }

    #[test]
    fn one_typo_or_one_swap_in_the_id_alone_makes_a_candidate() {
        let id = "340123199003071234";
        let typo = "340123199083071234";
        let swap = "340123199030071234";
        let two_typos = "340123199083071294";
        assert_eq!(pairs_of_ids(&[id, typo]), vec![pair(0, 1)]);
        assert_eq!(pairs_of_ids(&[id, swap]), vec![pair(0, 1)]);
        assert!(pairs_of_ids(&[id, two_typos]).is_empty());
    }

    #[test]
    fn oversize_blocks_are_skipped_and_counted() {
        let keys: Vec<(u64, u32)> = (0..5).map(|i| (7, i)).chain([(9, 10), (9, 11)]).collect();
        let mut stats = BlockingStats::default();
        let found = pairs_in_blocks(&keys, 4, &mut stats);
        assert_eq!(found, vec![pair(10, 11)]);
        assert_eq!((stats.skipped_blocks, stats.skipped_records), (1, 5));
    }
}
