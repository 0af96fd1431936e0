//! The residual network the solver works on: both directions of every arc, grouped by tail node
//! (compressed rows), so a node's arcs are read from consecutive memory. Capacities and costs
//! are stored as [`Word`]s: `i32` when the instance fits, which halves what the scans read.

use super::huge_pages::filled;
use super::network::Network;

/// The integer type of residual capacities and (unscaled) costs in the slots.
pub(super) trait Word: Copy + Default {
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

/// What the solver reads of a node it looks at from a neighbour (a push's look-ahead, at
/// random): its excess, where its slots start and its current slot, packed so that one cache
/// line holds all three.
#[derive(Clone, Copy, Default)]
struct Node {
    excess: i64,
    first: u32,
    current: u32,
}

pub(super) struct Residual<W> {
    /// Node `v`'s slots are `nodes[v].first..nodes[v + 1].first`; the last entry only marks
    /// where the slots end.
    nodes: Vec<Node>,
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
    pub price: Vec<i64>,
}

impl<W: Word> Residual<W> {
    /// Flows start at the lower bounds (already moved into `supplies`). The caller checked that
    /// capacities and costs fit in `W` and that scaled costs cannot overflow.
    pub fn build(network: &Network, supplies: Vec<i64>, scale: i64) -> Self {
        let n = network.node_count();
        let mut nodes = filled(n + 1, Node::default());
        for arc in network.arcs() {
            nodes[arc.tail as usize + 1].first += 1;
            nodes[arc.head as usize + 1].first += 1;
        }
        for v in 0..n {
            nodes[v + 1].first += nodes[v].first;
            (nodes[v].current, nodes[v].excess) = (nodes[v].first, supplies[v]);
        }
        let mut next: Vec<u32> = nodes[..n].iter().map(|node| node.first).collect();
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
            nodes,
            slots,
            total,
            backward,
            scale,
            price: filled(n, 0),
        }
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len() - 1
    }

    #[inline]
    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.nodes[v as usize].first as usize..self.nodes[v as usize + 1].first as usize
    }

    #[inline]
    pub fn excess(&self, v: u32) -> i64 {
        self.nodes[v as usize].excess
    }

    /// Every node's excess, in node order.
    pub fn excesses(&self) -> impl Iterator<Item = i64> + '_ {
        self.nodes[..self.node_count()]
            .iter()
            .map(|node| node.excess)
    }

    /// The slot of `v` its next scan starts from (the solver's, kept here beside the excess).
    #[inline]
    pub fn current(&self, v: u32) -> usize {
        self.nodes[v as usize].current as usize
    }

    #[inline]
    pub fn set_current(&mut self, v: u32, s: usize) {
        self.nodes[v as usize].current = s as u32;
    }

    /// Every node's scan starts again from its first slot.
    pub fn rewind(&mut self) {
        for node in &mut self.nodes {
            node.current = node.first;
        }
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
        self.nodes[v as usize].excess -= delta;
        self.nodes[w as usize].excess += delta;
    }

    /// Flow on each arc above its lower bound.
    pub fn flows_above_lower(&self) -> Vec<i64> {
        self.backward
            .iter()
            .map(|&b| self.resid(b as usize))
            .collect()
    }
}
