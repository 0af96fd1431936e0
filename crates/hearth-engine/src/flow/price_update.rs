//! Global price update: a shortest-path search backwards from the nodes with a deficit, in
//! units of ε (Dial's buckets), lowers each node's price by its distance. Pushes then head
//! straight for a deficit instead of wandering by local relabels. The search also proves
//! infeasibility: a node with excess that reaches no deficit has nowhere to send it.
//!
//! The nodes of one distance are scanned together, and a large such set on two threads: the
//! distances found are the shortest whatever the order of the scans, so the prices are the same
//! on any number of threads.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::huge_pages::{filled, filled_with};
use super::residual::{Residual, Word};
use super::scaling::Stuck;

const UNSEEN: u64 = u64::MAX;
/// Arcs to read before a scan is worth splitting over two threads.
const SPLIT_ABOVE: usize = 1 << 15;

pub(super) struct PriceUpdate {
    /// Arcs to read before a scan is split over two threads ([`SPLIT_ABOVE`]; tests vary it).
    split_above: usize,
    dist: Vec<AtomicU64>,
    done: Vec<bool>,
    /// Buckets for distances up to the node count; a heap for the rare longer ones.
    buckets: Vec<Vec<u32>>,
    far: BinaryHeap<Reverse<(u64, u32)>>,
    /// The nodes of the distance being scanned, and the parts of their arcs for each thread.
    frontier: Vec<u32>,
    /// A bucket being emptied into the frontier.
    emptied: Vec<u32>,
    parts: [Vec<(u32, Range<usize>)>; 2],
    /// Shorter distances found by each thread, to be put in buckets.
    found: [Vec<(u64, u32)>; 2],
}

impl PriceUpdate {
    pub fn new(n: usize) -> Self {
        Self::splitting_above(n, SPLIT_ABOVE)
    }

    fn splitting_above(n: usize, split_above: usize) -> Self {
        PriceUpdate {
            split_above,
            dist: filled_with(n, || AtomicU64::new(UNSEEN)),
            done: filled(n, false),
            buckets: Vec::new(),
            far: BinaryHeap::new(),
            frontier: Vec::new(),
            emptied: Vec::new(),
            parts: Default::default(),
            found: Default::default(),
        }
    }

    pub fn run<W: Word>(&mut self, net: &mut Residual<W>, eps: i64) -> Result<(), Stuck> {
        let mut active = net.excess.iter().filter(|&&e| e > 0).count();
        if active == 0 {
            return Ok(());
        }
        self.dist.iter_mut().for_each(|d| *d.get_mut() = UNSEEN);
        self.done.fill(false);
        for (v, &e) in net.excess.iter().enumerate() {
            if e < 0 {
                *self.dist[v].get_mut() = 0;
                self.bucket(0).push(v as u32);
            }
        }
        let mut level = 0u64;
        while self.next_frontier(&mut level) {
            active -= self
                .frontier
                .iter()
                .filter(|&&v| net.excess[v as usize] > 0)
                .count();
            if active == 0 {
                break;
            }
            self.relax_frontier(net, level, eps);
        }
        if active > 0 {
            let node = (0..net.node_count())
                .find(|&v| net.excess[v] > 0 && !self.done[v])
                .unwrap_or_default();
            return Err(Stuck { node: node as u32 });
        }
        self.apply(net, level, eps);
        Ok(())
    }

    /// Marks the unscanned nodes of least distance scanned and gathers them into `frontier`
    /// (buckets first, then the heap); false if none is left.
    fn next_frontier(&mut self, level: &mut u64) -> bool {
        self.frontier.clear();
        while (*level as usize) < self.buckets.len() {
            std::mem::swap(&mut self.emptied, &mut self.buckets[*level as usize]);
            for &v in &self.emptied {
                if !self.done[v as usize] && *self.dist[v as usize].get_mut() == *level {
                    self.done[v as usize] = true;
                    self.frontier.push(v);
                }
            }
            self.emptied.clear();
            if !self.frontier.is_empty() {
                return true;
            }
            *level += 1;
        }
        while let Some(Reverse((d, v))) = self.far.pop() {
            if !self.done[v as usize] && *self.dist[v as usize].get_mut() == d {
                *level = d;
                self.done[v as usize] = true;
                self.frontier.push(v);
                return true;
            }
        }
        false
    }

    /// Relaxes the residual arcs entering the frontier, on two threads when they are many, and
    /// files the nodes whose distance shrank.
    fn relax_frontier<W: Word>(&mut self, net: &Residual<W>, level: u64, eps: i64) {
        self.split(net);
        let max = net.node_count() as u64;
        let (dist, done) = (&self.dist[..], &self.done[..]);
        let [first, second] = &mut self.found;
        let [mine, theirs] = &self.parts;
        if theirs.is_empty() {
            relax(net, dist, done, mine, level, eps, first);
        } else {
            rayon::join(
                || relax(net, dist, done, mine, level, eps, first),
                || relax(net, dist, done, theirs, level, eps, second),
            );
        }
        for k in 0..2 {
            let mut found = std::mem::take(&mut self.found[k]);
            for &(d, x) in &found {
                if d <= max {
                    self.bucket(d as usize).push(x);
                } else {
                    self.far.push(Reverse((d, x)));
                }
            }
            found.clear();
            self.found[k] = found;
        }
    }

    /// Splits the frontier's arcs into two halves when there are enough to share, else all in
    /// the first.
    fn split<W: Word>(&mut self, net: &Residual<W>) {
        let [mine, theirs] = &mut self.parts;
        mine.clear();
        theirs.clear();
        let total: usize = self.frontier.iter().map(|&v| net.range(v).len()).sum();
        let half = if total > self.split_above {
            total / 2
        } else {
            total
        };
        let mut taken = 0;
        for &v in &self.frontier {
            let range = net.range(v);
            let cut = (range.start + half.saturating_sub(taken)).min(range.end);
            taken += range.len();
            if cut > range.start {
                mine.push((v, range.start..cut));
            }
            if cut < range.end {
                theirs.push((v, cut..range.end));
            }
        }
    }

    fn bucket(&mut self, level: usize) -> &mut Vec<u32> {
        if self.buckets.len() <= level {
            self.buckets.resize_with(level + 1, Vec::new);
        }
        &mut self.buckets[level]
    }

    /// Nodes not reached keep the last distance scanned, which keeps ε-optimality.
    fn apply<W: Word>(&mut self, net: &mut Residual<W>, reached: u64, eps: i64) {
        for (v, price) in net.price.iter_mut().enumerate() {
            let d = if self.done[v] {
                *self.dist[v].get_mut()
            } else {
                reached
            };
            *price -= eps * d as i64;
        }
        self.buckets.iter_mut().for_each(Vec::clear);
        self.far.clear();
    }
}

/// Relaxes the residual arcs entering `v` through the slots of each part `(v, slots)`,
/// recording each distance it shortens in `found`.
fn relax<W: Word>(
    net: &Residual<W>,
    dist: &[AtomicU64],
    done: &[bool],
    parts: &[(u32, Range<usize>)],
    level: u64,
    eps: i64,
    found: &mut Vec<(u64, u32)>,
) {
    for (v, slots) in parts {
        let pv = net.price[*v as usize];
        for s in slots.clone() {
            if net.back_resid(s) <= 0 {
                continue;
            }
            let x = net.head(s) as usize;
            if done[x] {
                continue;
            }
            // Reduced cost of x → v is minus that of v → x; ε-optimality keeps it ≥ -ε.
            let reduced = -(net.cost(s) + pv - net.price[x]);
            let d = level + (reduced.div_euclid(eps) + 1).max(0) as u64;
            if d < dist[x].load(Relaxed) && d < dist[x].fetch_min(d, Relaxed) {
                found.push((d, x as u32));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate::{MatchingParams, matching};
    use super::super::residual::Residual;
    use super::PriceUpdate;

    /// Prices after one update of a fresh 5,000-need matching network, scanning on one thread
    /// or splitting every scan over two.
    fn prices_after_update(split_above: usize, eps: i64) -> Vec<i64> {
        let network = matching(&MatchingParams {
            seed: 7,
            needs: 5_000,
            candidates: 8,
        });
        let scale = network.node_count() as i64 + 1;
        let mut net = Residual::<i32>::build(&network, network.supplies().to_vec(), scale);
        let mut update = PriceUpdate::splitting_above(net.node_count(), split_above);
        update.run(&mut net, eps).unwrap();
        net.price
    }

    #[test]
    fn two_threads_find_the_same_prices_as_one() {
        for eps in [1, 37, 5_000] {
            let alone = prices_after_update(usize::MAX, eps);
            assert!(alone.iter().any(|&p| p < 0), "the update lowered no price");
            assert_eq!(prices_after_update(0, eps), alone, "ε = {eps}");
        }
    }
}
