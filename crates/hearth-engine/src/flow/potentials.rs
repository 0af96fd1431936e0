//! Exact node potentials for an optimal flow, in the network's own cost units: the certificate
//! that no cheaper flow exists (every residual arc has a reduced cost `c + π(tail) - π(head)`
//! of at least zero). Cost scaling leaves prices in scaled units; rounding them gives a start
//! that a label-correcting pass repairs in a few relaxations.

use std::collections::VecDeque;

use super::residual::Residual;

/// `None` if the relaxations do not settle, which would mean a negative cycle (not optimal).
pub(super) fn exact_potentials(net: &Residual, scale: i64) -> Option<Vec<i64>> {
    let n = net.node_count();
    let mut pi: Vec<i64> = net.price.iter().map(|p| p.div_euclid(scale)).collect();
    let mut queued = vec![true; n];
    let mut rounds = vec![0usize; n];
    let mut queue: VecDeque<u32> = (0..n as u32).collect();
    while let Some(u) = queue.pop_front() {
        queued[u as usize] = false;
        let pu = pi[u as usize];
        for s in net.range(u) {
            let slot = net.slots[s];
            let v = slot.head as usize;
            let bound = pu + slot.cost / scale;
            if slot.resid > 0 && bound < pi[v] {
                pi[v] = bound;
                rounds[v] += 1;
                if rounds[v] > n {
                    return None;
                }
                if !queued[v] {
                    queued[v] = true;
                    queue.push_back(v as u32);
                }
            }
        }
    }
    Some(pi)
}
