//! Cost scaling with push and relabel (Goldberg and Tarjan): each phase turns an
//! `ALPHA·ε`-optimal flow into an ε-optimal one; with costs multiplied by `n + 1`, ε = 1 is
//! optimal. Active nodes are discharged in FIFO order, so the run is deterministic.

use std::collections::VecDeque;

use super::price_update::PriceUpdate;
use super::residual::Residual;

/// How much ε shrinks per phase.
const ALPHA: i64 = 8;

/// A node holds more flow than it can pass on: no residual arc leaves the nodes it can reach.
#[derive(Debug)]
pub(super) struct Stuck {
    pub node: u32,
}

pub(super) struct CostScaling {
    pub net: Residual,
    current: Vec<u32>,
    queue: VecDeque<u32>,
    relabels: usize,
    update: PriceUpdate,
}

impl CostScaling {
    pub fn new(net: Residual) -> Self {
        let current = net.first[..net.node_count()].to_vec();
        let update = PriceUpdate::new(net.node_count());
        CostScaling {
            net,
            current,
            queue: VecDeque::new(),
            relabels: 0,
            update,
        }
    }

    /// Runs all phases; `max_cost` is the largest scaled |cost|.
    pub fn run(&mut self, max_cost: i64) -> Result<(), Stuck> {
        let mut eps = max_cost.max(1);
        loop {
            eps = (eps / ALPHA).max(1);
            self.refine(eps)?;
            if eps == 1 {
                return Ok(());
            }
        }
    }

    fn refine(&mut self, eps: i64) -> Result<(), Stuck> {
        self.saturate_negative_arcs();
        self.update_prices(eps)?;
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
                let slot = self.net.slots[s];
                if slot.resid > 0 && slot.cost + pv - self.net.price[slot.head as usize] < 0 {
                    self.net.push(v, s, slot.resid);
                }
            }
        }
    }

    fn update_prices(&mut self, eps: i64) -> Result<(), Stuck> {
        self.relabels = 0;
        self.update.run(&mut self.net, eps)?;
        let n = self.net.node_count();
        self.current.copy_from_slice(&self.net.first[..n]);
        Ok(())
    }

    fn discharge(&mut self, v: u32, eps: i64) -> Result<(), Stuck> {
        let end = self.net.first[v as usize + 1] as usize;
        loop {
            let mut s = self.current[v as usize] as usize;
            while s < end {
                let slot = self.net.slots[s];
                let w = slot.head;
                if slot.resid > 0
                    && slot.cost + self.net.price[v as usize] - self.net.price[w as usize] < 0
                    && self.worth_pushing(v, s, eps)
                {
                    let excess = self.net.excess[v as usize];
                    let delta = excess.min(slot.resid);
                    let before = self.net.excess[w as usize];
                    self.net.push(v, s, delta);
                    if before <= 0 && before + delta > 0 {
                        self.queue.push_back(w);
                    }
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
            if self.relabels > self.net.node_count() {
                self.update_prices(eps)?;
            }
        }
    }

    /// Look-ahead: a node without a deficit that has no admissible arc would only push the flow
    /// back, so relabel it first and push only if the arc is still admissible.
    fn worth_pushing(&mut self, v: u32, s: usize, eps: i64) -> bool {
        let w = self.net.slots[s].head;
        if self.net.excess[w as usize] < 0 || self.find_admissible(w) {
            return true;
        }
        if !self.relabel(w, eps) {
            return true;
        }
        let slot = self.net.slots[s];
        slot.cost + self.net.price[v as usize] - self.net.price[w as usize] < 0
    }

    fn find_admissible(&mut self, w: u32) -> bool {
        let pw = self.net.price[w as usize];
        let end = self.net.first[w as usize + 1] as usize;
        for s in self.current[w as usize] as usize..end {
            let slot = self.net.slots[s];
            if slot.resid > 0 && slot.cost + pw - self.net.price[slot.head as usize] < 0 {
                self.current[w as usize] = s as u32;
                return true;
            }
        }
        false
    }

    /// Lowers the price of `v` as far as ε-optimality allows; false if no residual arc leaves it.
    fn relabel(&mut self, v: u32, eps: i64) -> bool {
        let mut best = i64::MAX;
        for s in self.net.range(v) {
            let slot = self.net.slots[s];
            if slot.resid > 0 {
                best = best.min(slot.cost - self.net.price[slot.head as usize]);
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
