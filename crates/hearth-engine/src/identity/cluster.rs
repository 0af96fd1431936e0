//! Clustering accepted pairs into households.
//!
//! Union-find over the accepted pairs, strongest first. Plain transitive closure lets one weak
//! record chain two households together (a copy without an ID number that looks like both
//! brothers), so a merge is refused when
//! - both clusters hold valid ID numbers and every number of one is three or more edits from
//!   every number of the other (a valid number is a person: the check character rules out that
//!   one is a single typo of another, and two typos that satisfy it by chance stay within two
//!   edits of the number they came from), or
//! - the merged cluster would exceed `max_cluster` records (nobody is registered that often; a
//!   cluster that large is a chain).
//!
//! Taking pairs strongest first means the refused link is always the weakest one on the chain.

use super::record::{IdState, Records};
use super::score::edits;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub score: f32,
}

struct UnionFind<'r> {
    records: &'r Records,
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root of a merged cluster: its records with a valid ID number. A record never merged
    /// is its own root and is looked up directly.
    valid: rustc_hash::FxHashMap<u32, Vec<u32>>,
}

impl<'r> UnionFind<'r> {
    fn new(records: &'r Records) -> UnionFind<'r> {
        let n = u32::try_from(records.len()).unwrap_or(u32::MAX);
        UnionFind {
            records,
            parent: (0..n).collect(),
            size: vec![1; records.len()],
            valid: rustc_hash::FxHashMap::default(),
        }
    }

    fn valid_of(&self, root: u32) -> Vec<u32> {
        match self.valid.get(&root) {
            Some(valid) => valid.clone(),
            None if self.records.person(root).id_state == IdState::Valid => vec![root],
            None => Vec::new(),
        }
    }

    /// Both clusters have valid numbers and none of one is within two edits of the other's.
    fn conflict(&self, ra: u32, rb: u32) -> bool {
        let (va, vb) = (self.valid_of(ra), self.valid_of(rb));
        let id = |i: &u32| &self.records.person(*i).id;
        !va.is_empty()
            && !vb.is_empty()
            && va
                .iter()
                .all(|a| vb.iter().all(|b| edits(id(a), id(b)) >= 3))
    }

    fn union(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let mut valid = self.valid_of(big);
        valid.extend(self.valid_of(small));
        self.valid.remove(&small);
        self.valid.insert(big, valid);
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }
}

/// Merges along `links` (sorted here, strongest first) and returns the clusters of two or more
/// records, each sorted, ordered by their first record; and how many links were refused.
pub(crate) fn cluster(
    records: &Records,
    links: &mut [Link],
    max_cluster: usize,
) -> (Vec<Vec<u32>>, usize) {
    links.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut uf = UnionFind::new(records);
    let mut refused = 0;
    for link in links.iter() {
        let (ra, rb) = (uf.find(link.a), uf.find(link.b));
        if ra == rb {
            continue;
        }
        let too_big = (uf.size[ra as usize] + uf.size[rb as usize]) as usize > max_cluster;
        if too_big || uf.conflict(ra, rb) {
            refused += 1;
            continue;
        }
        uf.union(ra, rb);
    }
    (groups(&mut uf), refused)
}

fn groups(uf: &mut UnionFind) -> Vec<Vec<u32>> {
    let n = u32::try_from(uf.parent.len()).unwrap_or(u32::MAX);
    let mut by_root: rustc_hash::FxHashMap<u32, Vec<u32>> = rustc_hash::FxHashMap::default();
    for i in 0..n {
        let root = uf.find(i);
        if uf.size[root as usize] > 1 {
            by_root.entry(root).or_default().push(i);
        }
    }
    // Records were visited in order, so each group is sorted already.
    let mut clusters: Vec<Vec<u32>> = by_root.into_values().collect();
    clusters.sort_unstable_by_key(|c| c[0]);
    clusters
}
