//! The residual network the solver works on: both directions of every arc, grouped by tail node
//! (compressed rows), so a node's arcs are read from consecutive memory. Capacities and costs
//! are stored as [`Word`]s: `i32` when the instance fits, which halves what the scans read.

use super::huge_pages::filled;
use super::network::Network;

/// The integer type of residual capacities and (unscaled) costs in the slots.
pub(super) trait Word: Copy + Default + Send + Sync {
    fn wide(self) -> i64;
    /// `value` is known to fit: it lies between 0 and a capacity, or is a cost, that fit.
    fn narrow(value: i64) -> Self;
}

impl Word for i32 {
    #[inline]
    fn wide(self) -> i64 {
        i64::from(self)
    }
    #[inline]
    fn narrow(value: i64) -> Self {
        value as i32
    }
}

impl Word for i64 {
    #[inline]
    fn wide(self) -> i64 {
        self
    }
    #[inline]
    fn narrow(value: i64) -> Self {
        value
    }
}

/// One direction of an arc; the paired slot `rev` holds the other direction, so a push moves
/// capacity from one to the other.
#[derive(Clone, Copy, Default)]
pub(super) struct Slot<W> {
    head: u32,
    rev: u32,
    resid: W,
    /// Unscaled cost per unit; the paired slot holds its negation.
    cost: W,
}

pub(super) struct Residual<W> {
    /// `first[v]..first[v + 1]` are the slots leaving `v`.
    pub first: Vec<u32>,
    slots: Vec<Slot<W>>,
    /// Capacity of the pair: `total - resid` is what the paired slot can push, read without
    /// touching that slot (the price update scans arcs backwards).
    total: Vec<W>,
    /// The backward slot of each arc of the network, whose residual capacity is the arc's flow:
    /// read back from there, since arcs given in order of their heads (as the matching model
    /// gives them) have their backward slots in the same order, and their forward slots
    /// scattered over the tails.
    backward: Vec<u32>,
    /// Costs are multiplied by `scale` as they are read.
    scale: i64,
    pub excess: Vec<i64>,
    pub price: Vec<i64>,
}

impl<W: Word> Residual<W> {
    /// Flows start at the lower bounds (already moved into `supplies`). The caller checked that
    /// capacities and costs fit in `W` and that scaled costs cannot overflow.
    pub fn build(network: &Network, supplies: Vec<i64>, scale: i64) -> Self {
        let n = network.node_count();
        let mut first = filled(n + 1, 0u32);
        for arc in network.arcs() {
            first[arc.tail as usize + 1] += 1;
            first[arc.head as usize + 1] += 1;
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let mut excess = filled(n, 0);
        excess.copy_from_slice(&supplies);
        let mut next: Vec<u32> = first[..n].to_vec();
        let slot_count = 2 * network.arc_count();
        let mut slots = filled(slot_count, Slot::default());
        let mut total = filled(slot_count, W::default());
        let mut backward = Vec::with_capacity(network.arc_count());
        for arc in network.arcs() {
            let f = next[arc.tail as usize] as usize;
            next[arc.tail as usize] += 1;
            let b = next[arc.head as usize] as usize;
            next[arc.head as usize] += 1;
            let capacity = W::narrow(arc.capacity - arc.lower);
            let (cost, back) = (W::narrow(arc.cost), W::narrow(-arc.cost));
            slots[f] = Slot {
                head: arc.head,
                rev: b as u32,
                resid: capacity,
                cost,
            };
            slots[b] = Slot {
                head: arc.tail,
                rev: f as u32,
                resid: W::default(),
                cost: back,
            };
            (total[f], total[b]) = (capacity, capacity);
            backward.push(b as u32);
        }
        Residual {
            first,
            slots,
            total,
            backward,
            scale,
            excess,
            price: filled(n, 0),
        }
    }

    pub fn node_count(&self) -> usize {
        self.excess.len()
    }

    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }

    #[inline]
    pub fn head(&self, s: usize) -> u32 {
        self.slots[s].head
    }

    /// The paired slot of `s`: the other direction of its arc.
    #[inline]
    pub fn rev(&self, s: usize) -> usize {
        self.slots[s].rev as usize
    }

    #[inline]
    pub fn resid(&self, s: usize) -> i64 {
        self.slots[s].resid.wide()
    }

    /// What the paired slot of `s` can push (the other direction of the arc).
    #[inline]
    pub fn back_resid(&self, s: usize) -> i64 {
        self.total[s].wide() - self.resid(s)
    }

    /// Scaled cost of slot `s`.
    #[inline]
    pub fn cost(&self, s: usize) -> i64 {
        self.slots[s].cost.wide() * self.scale
    }

    /// Cost of slot `s` in the network's own units.
    #[inline]
    pub fn unscaled_cost(&self, s: usize) -> i64 {
        self.slots[s].cost.wide()
    }

    /// Move `delta` units along slot `s` leaving `v`.
    #[inline]
    pub fn push(&mut self, v: u32, s: usize, delta: i64) {
        let slot = &mut self.slots[s];
        slot.resid = W::narrow(slot.resid.wide() - delta);
        let (w, rev) = (slot.head, slot.rev as usize);
        let back = &mut self.slots[rev];
        back.resid = W::narrow(back.resid.wide() + delta);
        self.excess[v as usize] -= delta;
        self.excess[w as usize] += delta;
    }

    /// Sends `flow` along arc `arc` of the network (tests start from a flow of their own).
    #[cfg(test)]
    pub fn send(&mut self, arc: usize, flow: i64) {
        let forward = self.rev(self.backward[arc] as usize);
        let tail = self.head(self.backward[arc] as usize);
        self.push(tail, forward, flow);
    }

    /// Flow on each arc above its lower bound.
    pub fn flows_above_lower(&self) -> Vec<i64> {
        self.backward
            .iter()
            .map(|&b| self.resid(b as usize))
            .collect()
    }
}
