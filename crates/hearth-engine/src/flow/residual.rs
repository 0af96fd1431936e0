//! The residual network the solver works on: both directions of every arc, grouped by tail node
//! in one array (compressed rows), so a node's arcs are read from consecutive memory.

use super::network::Network;

/// One direction of an arc. `resid` is what can still be pushed; the paired slot `rev` holds the
/// other direction, so a push moves capacity from one to the other.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Slot {
    pub head: u32,
    pub rev: u32,
    pub resid: i64,
    pub cost: i64,
    /// Capacity of the pair: `total - resid` is what the other direction can push.
    pub total: i64,
}

pub(super) struct Residual {
    /// `first[v]..first[v + 1]` are the slots leaving `v`.
    pub first: Vec<u32>,
    pub slots: Vec<Slot>,
    /// The forward slot of each arc of the network, to read flows back.
    pub forward: Vec<u32>,
    pub excess: Vec<i64>,
    pub price: Vec<i64>,
}

impl Residual {
    /// Flows start at the lower bounds (already moved into `supplies`); costs are multiplied by
    /// `scale` (the caller checked it cannot overflow).
    pub fn build(network: &Network, supplies: Vec<i64>, scale: i64) -> Residual {
        let n = network.node_count();
        let mut first = vec![0u32; n + 1];
        for arc in network.arcs() {
            first[arc.tail as usize + 1] += 1;
            first[arc.head as usize + 1] += 1;
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let mut next: Vec<u32> = first[..n].to_vec();
        let mut slots = vec![Slot::default(); 2 * network.arc_count()];
        let mut forward = Vec::with_capacity(network.arc_count());
        for arc in network.arcs() {
            let f = next[arc.tail as usize];
            next[arc.tail as usize] += 1;
            let b = next[arc.head as usize];
            next[arc.head as usize] += 1;
            let (cost, total) = (arc.cost * scale, arc.capacity - arc.lower);
            slots[f as usize] = Slot {
                head: arc.head,
                rev: b,
                resid: total,
                cost,
                total,
            };
            slots[b as usize] = Slot {
                head: arc.tail,
                rev: f,
                resid: 0,
                cost: -cost,
                total,
            };
            forward.push(f);
        }
        Residual {
            first,
            slots,
            forward,
            excess: supplies,
            price: vec![0; n],
        }
    }

    pub fn node_count(&self) -> usize {
        self.excess.len()
    }

    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }

    /// Move `delta` units along slot `s` leaving `v`.
    #[inline]
    pub fn push(&mut self, v: u32, s: usize, delta: i64) {
        let slot = &mut self.slots[s];
        slot.resid -= delta;
        let (w, rev) = (slot.head, slot.rev);
        self.slots[rev as usize].resid += delta;
        self.excess[v as usize] -= delta;
        self.excess[w as usize] += delta;
    }

    /// Flow on each arc above its lower bound.
    pub fn flows_above_lower(&self) -> Vec<i64> {
        self.forward
            .iter()
            .map(|&f| {
                let rev = self.slots[f as usize].rev;
                self.slots[rev as usize].resid
            })
            .collect()
    }
}
