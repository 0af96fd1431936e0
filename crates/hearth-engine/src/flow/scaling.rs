//! Cost scaling with push and relabel (Goldberg and Tarjan): each phase turns an
//! `ALPHA·ε`-optimal flow into an ε-optimal one; with costs multiplied by `n + 1`, ε = 1 is
//! optimal. Active nodes are discharged in FIFO order, so the run is deterministic.
//!
//! Heuristics, none of which changes the result: global price updates, a bounded push
//! look-ahead, passing a pushed excess on at once from a node the look-ahead has just read,
//! relabels that stop at the first arc a step of ε makes admissible, bounds on blocks of arcs
//! for nodes with many arcs (see [`super::blocks`]), a large first step, and early
//! termination: once ε is a fraction of a cost unit the flow is optimal already, or but for a
//! few negative cycles, which exact potentials prove once those are cancelled (see
//! [`super::potentials`]).

use std::collections::VecDeque;

use super::blocks::{BLOCK, Blocks, key};
use super::huge_pages::filled;
use super::potentials::settle;
use super::price_update::PriceUpdate;
use super::residual::{Residual, Word};

/// How much ε shrinks per phase (measured on the matching benchmark: 16 beats 8, 32 and 64).
const ALPHA: i64 = 16;
/// The first phase starts from the zero flow, where a small ε costs little more than a large
/// one: it starts at the largest cost over `FIRST_STEP` (measured on five 1M-need matching
/// instances, 384 beats 128, 256, 320, 448, 512, 768 and 1,024; the same at 100k and 300k).
const FIRST_STEP: i64 = 384;
/// Try to prove optimality once ε is below `scale / CHECK_BELOW` (a fraction of a cost unit).
const CHECK_BELOW: i64 = 8;
/// Changes per node a proof may make (cancelled cycles included) before another phase runs.
const SETTLE_BUDGET: usize = 3;
/// Arcs the look-ahead reads at most.
const LOOK_AHEAD: usize = 64;
/// A global price update after this many relabels per node.
const RELABELS_PER_UPDATE: usize = 1;

/// A node holds more flow than it can pass on: no residual arc leaves the nodes it can reach.
#[derive(Debug)]
pub(super) struct Stuck {
    pub node: u32,
}

pub(super) struct CostScaling<W> {
    pub net: Residual<W>,
    current: Vec<u32>,
    queue: VecDeque<u32>,
    relabels: usize,
    update: PriceUpdate,
    blocks: Blocks,
}

impl<W: Word> CostScaling<W> {
    pub fn new(net: Residual<W>) -> Self {
        let mut current = filled(net.node_count(), 0);
        current.copy_from_slice(&net.first[..net.node_count()]);
        let update = PriceUpdate::new(net.node_count());
        let blocks = Blocks::new(&net.first);
        CostScaling {
            net,
            current,
            queue: VecDeque::new(),
            relabels: 0,
            update,
            blocks,
        }
    }

    /// Runs phases until the flow is optimal; `max_cost` is the largest scaled |cost|. Returns
    /// the exact potentials in unscaled units, or `None` if they do not settle (not optimal).
    pub fn run(&mut self, max_cost: i64, scale: i64) -> Result<Option<Vec<i64>>, Stuck> {
        let mut eps = (max_cost / FIRST_STEP).max(1);
        loop {
            self.refine(eps)?;
            if eps == 1 {
                // Optimal: the pass settles (n² bounds it, which only a fault could reach).
                let n = self.net.node_count();
                return Ok(settle(&mut self.net, scale, n.saturating_mul(n)));
            }
            if eps <= scale / CHECK_BELOW {
                // A failed proof costs about one pass over the arcs: bound its relaxations.
                let budget = self.net.node_count() * SETTLE_BUDGET;
                if let Some(potentials) = settle(&mut self.net, scale, budget) {
                    return Ok(Some(potentials));
                }
            }
            eps = (eps / ALPHA).max(1);
        }
    }

    fn refine(&mut self, eps: i64) -> Result<(), Stuck> {
        self.saturate_negative_arcs();
        self.update_prices(eps)?;
        self.blocks.rebuild(&self.net);
        let n = self.net.node_count() as u32;
        self.queue
            .extend((0..n).filter(|&v| self.net.excess[v as usize] > 0));
        while let Some(v) = self.queue.pop_front() {
            self.discharge(v, eps)?;
        }
        Ok(())
    }

    /// Makes the flow 0-optimal by filling every residual arc of negative reduced cost.
    fn saturate_negative_arcs(&mut self) {
        for v in 0..self.net.node_count() as u32 {
            let pv = self.net.price[v as usize];
            for s in self.net.range(v) {
                let resid = self.net.resid(s);
                if resid > 0 && self.reduced(pv, s) < 0 {
                    self.net.push(v, s, resid);
                }
            }
        }
    }

    /// Reduced cost of slot `s` leaving a node priced `pv`.
    #[inline]
    fn reduced(&self, pv: i64, s: usize) -> i64 {
        self.net.cost(s) + pv - self.net.price[self.net.head(s) as usize]
    }

    fn update_prices(&mut self, eps: i64) -> Result<(), Stuck> {
        self.relabels = 0;
        self.update.run(&mut self.net, eps)?;
        let n = self.net.node_count();
        self.current.copy_from_slice(&self.net.first[..n]);
        Ok(())
    }

    fn discharge(&mut self, v: u32, eps: i64) -> Result<(), Stuck> {
        if self.blocks.has_blocks(v) {
            return self.discharge_blocks(v, eps);
        }
        let end = self.net.first[v as usize + 1] as usize;
        loop {
            let pv = self.net.price[v as usize];
            let mut s = self.current[v as usize] as usize;
            while s < end {
                if self.net.resid(s) > 0 && self.reduced(pv, s) < 0 && self.worth_pushing(v, s, eps)
                {
                    let excess = self.net.excess[v as usize];
                    let delta = excess.min(self.net.resid(s));
                    self.push(v, s, delta);
                    if delta == excess {
                        self.current[v as usize] = s as u32;
                        return Ok(());
                    }
                }
                s += 1;
            }
            if !self.relabel(v, eps) {
                return Err(Stuck { node: v });
            }
            // Relabels alone can go on for long (forever when the excess has nowhere to go):
            // a global update settles the prices, or proves there is no way out.
            if self.relabels > RELABELS_PER_UPDATE * self.net.node_count() {
                self.update_prices(eps)?;
            }
        }
    }

    /// Discharges a node with blocks: scans the block of least bound, pushing along its
    /// admissible arcs, which makes its bound exact. Once the least bound is exact and admits
    /// nothing, it is the least `cost - price(head)` of all residual arcs (the other bounds are
    /// lower bounds, and no smaller), and the relabel takes the new price from it.
    fn discharge_blocks(&mut self, v: u32, eps: i64) -> Result<(), Stuck> {
        let range = self.net.range(v);
        let mut scanned = None;
        loop {
            let (b, bound) = self.blocks.least(v, range.len());
            if bound == i64::MAX {
                return Err(Stuck { node: v });
            }
            let pv = self.net.price[v as usize];
            if scanned == Some(b) && bound + pv >= 0 {
                // As `relabel`: a step of ε if that makes an arc admissible, else as far as
                // ε-optimality allows.
                self.net.price[v as usize] = if bound + pv < eps {
                    pv - eps
                } else {
                    -bound - eps
                };
                self.relabels += 1;
                scanned = None;
                if self.relabels > RELABELS_PER_UPDATE * self.net.node_count() {
                    self.update_prices(eps)?;
                }
                continue;
            }
            let lo = range.start + b * BLOCK;
            let mut least = i64::MAX;
            for s in lo..(lo + BLOCK).min(range.end) {
                if self.net.resid(s) <= 0 {
                    continue;
                }
                if key(&self.net, s) + pv < 0 && self.worth_pushing(v, s, eps) {
                    let excess = self.net.excess[v as usize];
                    let delta = excess.min(self.net.resid(s));
                    self.push(v, s, delta);
                    if delta == excess {
                        // The block's bound stays a lower bound: leave it.
                        return Ok(());
                    }
                } else {
                    // Re-read: the look-ahead may have lowered the head's price.
                    least = least.min(key(&self.net, s));
                }
            }
            self.blocks.set(v, range.len(), b, least);
            scanned = Some(b);
        }
    }

    /// Pushes `delta` along slot `s` leaving `v`. A head without blocks that becomes active
    /// passes its excess on at once (its arcs are in cache: the look-ahead has just read them);
    /// what it cannot pass on waits in the queue.
    fn push(&mut self, v: u32, s: usize, delta: i64) {
        if self.shift(v, s, delta) {
            let w = self.net.head(s);
            if self.blocks.has_blocks(w) || !self.pass_on(w, v) {
                self.queue.push_back(w);
            }
        }
    }

    /// Moves `delta` along slot `s` leaving `v`; true if the head became active. Lowers the
    /// bound of the reverse slot's block if that slot just regained residual capacity (a push
    /// never lands on a slot of a node being scanned: a loop's reduced cost is its cost, so
    /// the phase's first step saturates its negative direction and the other never becomes
    /// admissible, and [`Self::pass_on`] does not push into the node being discharged).
    fn shift(&mut self, v: u32, s: usize, delta: i64) -> bool {
        let w = self.net.head(s);
        let before = self.net.excess[w as usize];
        self.net.push(v, s, delta);
        if self.blocks.has_blocks(w) {
            let rev = self.net.rev(s);
            if self.net.resid(rev) == delta {
                let degree = self.net.range(w).len();
                self.blocks.regained(&self.net, w, degree, rev);
            }
        }
        before <= 0 && before + delta > 0
    }

    /// Pushes the excess of `w` along its admissible arcs from its current arc on, stopping
    /// at an arc into `from` (the node being discharged); true if no excess is left. Nodes it
    /// activates wait in the queue.
    fn pass_on(&mut self, w: u32, from: u32) -> bool {
        let pw = self.net.price[w as usize];
        let end = self.net.first[w as usize + 1] as usize;
        let mut s = self.current[w as usize] as usize;
        while s < end {
            if self.net.resid(s) > 0 && self.reduced(pw, s) < 0 {
                let x = self.net.head(s);
                if x == from {
                    break;
                }
                let excess = self.net.excess[w as usize];
                let delta = excess.min(self.net.resid(s));
                if self.shift(w, s, delta) {
                    self.queue.push_back(x);
                }
                if delta == excess {
                    self.current[w as usize] = s as u32;
                    return true;
                }
            }
            s += 1;
        }
        self.current[w as usize] = s as u32;
        false
    }

    /// Look-ahead: a node with neither excess nor deficit and no admissible arc would only
    /// push the flow back, so relabel it first and push only if the arc is still admissible.
    /// A node with excess is discharged in turn anyway.
    fn worth_pushing(&mut self, v: u32, s: usize, eps: i64) -> bool {
        let w = self.net.head(s);
        if self.net.excess[w as usize] != 0 || self.find_admissible(w) {
            return true;
        }
        if !self.relabel(w, eps) {
            return true;
        }
        self.reduced(self.net.price[v as usize], s) < 0
    }

    /// Moves the current arc of `w` to its next admissible arc; true if there is one or if
    /// `LOOK_AHEAD` arcs were read without reaching the end (a node with many arcs: the
    /// push goes ahead, and discharging `w` later reads its arcs once for many pushes). Nodes
    /// with blocks, which have more arcs than that, take the push without a look.
    fn find_admissible(&mut self, w: u32) -> bool {
        if self.blocks.has_blocks(w) {
            return true;
        }
        let pw = self.net.price[w as usize];
        let start = self.current[w as usize] as usize;
        let end = self.net.first[w as usize + 1] as usize;
        let stop = end.min(start + LOOK_AHEAD);

        for s in start..stop {
            if self.net.resid(s) > 0 && self.reduced(pw, s) < 0 {
                self.current[w as usize] = s as u32;
                return true;
            }
        }
        self.current[w as usize] = stop as u32;
        stop < end
    }

    /// Lowers the price of `v` by ε if that makes an arc admissible (the first such arc becomes
    /// the current one, so the scan stops early), else as far as ε-optimality allows; false if
    /// no residual arc leaves `v`.
    fn relabel(&mut self, v: u32, eps: i64) -> bool {
        let lowered = self.net.price[v as usize] - eps;
        let mut best = i64::MAX;
        for s in self.net.range(v) {
            if self.net.resid(s) > 0 {
                let base = self.net.cost(s) - self.net.price[self.net.head(s) as usize];
                if base + lowered < 0 {
                    self.net.price[v as usize] = lowered;
                    self.current[v as usize] = s as u32;
                    self.relabels += 1;
                    return true;
                }
                best = best.min(base);
            }
        }
        if best == i64::MAX {
            return false;
        }
        self.net.price[v as usize] = -best - eps;
        self.current[v as usize] = self.net.first[v as usize];
        self.relabels += 1;
        true
    }
}
