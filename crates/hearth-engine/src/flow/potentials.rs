//! Exact node potentials for an optimal flow, in the network's own cost units: the certificate
//! that no cheaper flow exists (every residual arc has a reduced cost `c + π(tail) - π(head)`
//! of at least zero). Cost scaling leaves prices in scaled units; rounding them gives a start
//! that a label-correcting pass repairs in a few relaxations.

use std::collections::VecDeque;

use super::huge_pages::filled;
use super::residual::{Residual, Word};

/// `None` if the relaxations do not settle within `budget` price changes (or at all, which
/// would mean a negative cycle: the flow is not optimal yet).
pub(super) fn exact_potentials<W: Word>(
    net: &Residual<W>,
    scale: i64,
    budget: usize,
) -> Option<Vec<i64>> {
    let n = net.node_count();
    let mut pi = filled(n, 0);
    for (p, &price) in pi.iter_mut().zip(&net.price) {
        *p = price.div_euclid(scale);
    }
    let mut queued = vec![true; n];
    let mut rounds = vec![0usize; n];
    let mut changes = 0usize;
    let mut queue: VecDeque<u32> = (0..n as u32).collect();
    while let Some(u) = queue.pop_front() {
        queued[u as usize] = false;
        let pu = pi[u as usize];
        for s in net.range(u) {
            if net.resid(s) <= 0 {
                continue;
            }
            let v = net.head(s) as usize;
            let bound = pu + net.unscaled_cost(s);
            if bound < pi[v] {
                pi[v] = bound;
                rounds[v] += 1;
                changes += 1;
                if rounds[v] > n || changes > budget {
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
