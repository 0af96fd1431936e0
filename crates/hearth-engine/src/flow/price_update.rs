//! Global price update: a shortest-path search backwards from the nodes with a deficit, in
//! units of ε (Dial's buckets), lowers each node's price by its distance. Pushes then head
//! straight for a deficit instead of wandering by local relabels. The search also proves
//! infeasibility: a node with excess that reaches no deficit has nowhere to send it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::huge_pages::filled;
use super::residual::{Residual, Word};
use super::scaling::Stuck;

const UNSEEN: u64 = u64::MAX;

pub(super) struct PriceUpdate {
    dist: Vec<u64>,
    done: Vec<bool>,
    /// Buckets for distances up to the node count; a heap for the rare longer ones.
    buckets: Vec<Vec<u32>>,
    far: BinaryHeap<Reverse<(u64, u32)>>,
}

impl PriceUpdate {
    pub fn new(n: usize) -> Self {
        PriceUpdate {
            dist: filled(n, UNSEEN),
            done: filled(n, false),
            buckets: Vec::new(),
            far: BinaryHeap::new(),
        }
    }

    pub fn run<W: Word>(&mut self, net: &mut Residual<W>, eps: i64) -> Result<(), Stuck> {
        let mut active = net.excess.iter().filter(|&&e| e > 0).count();
        if active == 0 {
            return Ok(());
        }
        self.dist.fill(UNSEEN);
        self.done.fill(false);
        for (v, &e) in net.excess.iter().enumerate() {
            if e < 0 {
                self.dist[v] = 0;
                self.bucket(0).push(v as u32);
            }
        }
        let max_level = net.node_count() as u64;
        let mut level = 0u64;
        while let Some(v) = self.next_node(&mut level) {
            self.done[v as usize] = true;
            if net.excess[v as usize] > 0 {
                active -= 1;
                if active == 0 {
                    break;
                }
            }
            self.relax_into(net, v, level, eps, max_level);
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

    /// The unscanned node of least distance (buckets first, then the heap), or `None`.
    fn next_node(&mut self, level: &mut u64) -> Option<u32> {
        while (*level as usize) < self.buckets.len() {
            while let Some(v) = self.buckets[*level as usize].pop() {
                if !self.done[v as usize] && self.dist[v as usize] == *level {
                    return Some(v);
                }
            }
            *level += 1;
        }
        while let Some(Reverse((d, v))) = self.far.pop() {
            if !self.done[v as usize] && self.dist[v as usize] == d {
                *level = d;
                return Some(v);
            }
        }
        None
    }

    /// Relaxes the residual arcs entering `v`.
    fn relax_into<W: Word>(&mut self, net: &Residual<W>, v: u32, level: u64, eps: i64, max: u64) {
        let pv = net.price[v as usize];
        for s in net.range(v) {
            if net.back_resid(s) <= 0 {
                continue;
            }
            let x = net.head(s) as usize;
            if self.done[x] {
                continue;
            }
            // Reduced cost of x → v is minus that of v → x; ε-optimality keeps it ≥ -ε.
            let reduced = -(net.cost(s) + pv - net.price[x]);
            let d = level + (reduced.div_euclid(eps) + 1).max(0) as u64;
            if d < self.dist[x] {
                self.dist[x] = d;
                if d <= max {
                    self.bucket(d as usize).push(x as u32);
                } else {
                    self.far.push(Reverse((d, x as u32)));
                }
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
            let d = if self.done[v] { self.dist[v] } else { reached };
            *price -= eps * d as i64;
        }
        self.buckets.iter_mut().for_each(Vec::clear);
        self.far.clear();
    }
}
