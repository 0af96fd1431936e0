//! Lower bounds on the reduced costs of blocks of arcs, for the nodes with many arcs (in the
//! matching model: the supplies, with hundreds of candidate needs each, the "unmet" source
//! with one arc per need, and the surplus sink). Relabeling such a node by scanning all its
//! arcs dominated the solver's time; with a bound per block of `BLOCK` consecutive arcs, a
//! relabel or a search for an admissible arc rescans only the block whose bound is least, and
//! reads it in order.
//!
//! A bound is a lower bound of `cost - price(head)` over the block's residual arcs. Prices only
//! ever fall (relabels and global updates both lower them), so that value only rises and a
//! bound stays valid as prices move; it only has to be lowered when an arc of the block regains
//! residual capacity ([`Blocks::regained`]). Each node's bounds are the leaves of a tournament
//! tree (each inner entry the least of its two children), so the least bound is at the root.

use super::huge_pages::filled;
use super::residual::{Residual, Word};

/// Arcs per block.
pub(super) const BLOCK: usize = 32;
/// Nodes with more arcs than this use blocks; fewer are scanned whole just as cheaply.
const MIN_DEGREE: usize = 64;
const NONE: u32 = u32::MAX;

pub(super) struct Blocks {
    /// Where each node's tree starts in `tree`, `NONE` for nodes without blocks.
    start: Vec<u32>,
    /// Per node: entry 0 unused, 1 the root, leaves from `leaves(degree)` on (bounds of the
    /// blocks in order, then `i64::MAX` up to a power of two).
    tree: Vec<i64>,
    /// The nodes with blocks, in order.
    nodes: Vec<u32>,
}

/// Leaves of the tree of a node with `degree` arcs: its blocks, rounded up to a power of two.
#[inline]
fn leaves(degree: usize) -> usize {
    degree.div_ceil(BLOCK).next_power_of_two()
}

impl Blocks {
    pub fn new(first: &[u32]) -> Self {
        let n = first.len() - 1;
        let mut start = filled(n, NONE);
        let mut nodes = Vec::new();
        let mut total = 0usize;
        for v in 0..n {
            let degree = (first[v + 1] - first[v]) as usize;
            if degree > MIN_DEGREE {
                start[v] = total as u32;
                total += 2 * leaves(degree);
                nodes.push(v as u32);
            }
        }
        Blocks {
            start,
            tree: vec![i64::MAX; total],
            nodes,
        }
    }

    #[inline]
    pub fn has_blocks(&self, v: u32) -> bool {
        self.start[v as usize] != NONE
    }

    /// Exact bounds from the current residual capacities and prices.
    pub fn rebuild<W: Word>(&mut self, net: &Residual<W>) {
        for &v in &self.nodes {
            let range = net.range(v);
            let size = leaves(range.len());
            let base = self.start[v as usize] as usize;
            let tree = &mut self.tree[base..base + 2 * size];
            for (b, lo) in range.clone().step_by(BLOCK).enumerate() {
                tree[size + b] = exact(net, lo..(lo + BLOCK).min(range.end));
            }
            for i in (1..size).rev() {
                tree[i] = tree[2 * i].min(tree[2 * i + 1]);
            }
        }
    }

    /// The block of `v` (which has `degree` arcs) with the least bound, and that bound.
    #[inline]
    pub fn least(&self, v: u32, degree: usize) -> (usize, i64) {
        let size = leaves(degree);
        let base = self.start[v as usize] as usize;
        let tree = &self.tree[base..base + 2 * size];
        let mut i = 1;
        while i < size {
            i = if tree[2 * i] <= tree[2 * i + 1] {
                2 * i
            } else {
                2 * i + 1
            };
        }
        (i - size, tree[i])
    }

    /// Sets the bound of block `block` of `v`.
    #[inline]
    pub fn set(&mut self, v: u32, degree: usize, block: usize, bound: i64) {
        let size = leaves(degree);
        let tree = self.tree_of(v, degree);
        let mut i = size + block;
        tree[i] = bound;
        while i > 1 {
            i /= 2;
            let least = tree[2 * i].min(tree[2 * i + 1]);
            if tree[i] == least {
                break;
            }
            tree[i] = least;
        }
    }

    /// Slot `s` leaving `v` (which has `degree` arcs) regained residual capacity.
    #[inline]
    pub fn regained<W: Word>(&mut self, net: &Residual<W>, v: u32, degree: usize, s: usize) {
        let block = (s - net.first[v as usize] as usize) / BLOCK;
        let size = leaves(degree);
        let key = key(net, s);
        if key < self.tree_of(v, degree)[size + block] {
            self.set(v, degree, block, key);
        }
    }

    fn tree_of(&mut self, v: u32, degree: usize) -> &mut [i64] {
        let base = self.start[v as usize] as usize;
        &mut self.tree[base..base + 2 * leaves(degree)]
    }
}

/// `cost - price(head)` of slot `s`: its reduced cost minus the tail's price.
#[inline]
pub(super) fn key<W: Word>(net: &Residual<W>, s: usize) -> i64 {
    net.cost(s) - net.price[net.head(s) as usize]
}

/// The least key of the residual slots in `range`, `i64::MAX` if there are none.
fn exact<W: Word>(net: &Residual<W>, range: std::ops::Range<usize>) -> i64 {
    range
        .filter(|&s| net.resid(s) > 0)
        .map(|s| key(net, s))
        .min()
        .unwrap_or(i64::MAX)
}
