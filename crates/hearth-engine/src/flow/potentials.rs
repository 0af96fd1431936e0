//! Exact node potentials for the flow of the last phase, in the network's own cost units: the
//! certificate that no cheaper flow exists (every residual arc has a reduced cost
//! `c + π(tail) - π(head)` of at least zero). Cost scaling leaves prices in scaled units;
//! rounding them gives a start that a label-correcting pass repairs in a few relaxations.
//!
//! A flow whose ε is a small fraction of a cost unit is optimal but for a few negative cycles.
//! The pass runs into them as cycles of the arcs that last lowered each node's potential (such
//! a cycle always costs less than zero), and cancels them, which costs far less than another
//! phase.

use std::collections::VecDeque;

use super::huge_pages::filled;
use super::residual::{Residual, Word};

const NONE: u32 = u32::MAX;
/// Cycles are looked for after every `n / LOOK_EVERY` changes (a look reads every node once).
const LOOK_EVERY: usize = 4;

/// `None` if the potentials do not settle within `budget` changes, cancelled cycles included.
pub(super) fn settle<W: Word>(
    net: &mut Residual<W>,
    scale: i64,
    budget: usize,
) -> Option<Vec<i64>> {
    let n = net.node_count();
    let mut pi = filled(n, 0);
    for (p, &price) in pi.iter_mut().zip(&net.price) {
        *p = price.div_euclid(scale);
    }
    // The slot that last lowered each potential.
    let mut parent = filled(n, NONE);
    let mut queued = vec![true; n];
    let mut queue: VecDeque<u32> = (0..n as u32).collect();
    let mut changes = 0usize;
    let mut next_look = n / LOOK_EVERY + 1;
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
                parent[v] = s as u32;
                changes += 1;
                if changes > budget {
                    return None;
                }
                if !queued[v] {
                    queued[v] = true;
                    queue.push_back(v as u32);
                }
            }
        }
        // Without a negative cycle the pass ends within a few changes per node; look for
        // cycles every `LOOK_EVERY`-th of that.
        if changes >= next_look {
            next_look = changes + n / LOOK_EVERY + 1;
            // Only the nodes on a cancelled cycle gained residual arcs (the reverse
            // directions), and only their parent slots may have lost capacity.
            for v in cancel_cycles(net, &parent) {
                parent[v as usize] = NONE;
                if !queued[v as usize] {
                    queued[v as usize] = true;
                    queue.push_back(v);
                }
            }
        }
    }
    Some(pi)
}

/// Cancels every cycle of parent slots (they are disjoint: each node has one parent) by
/// pushing its least residual capacity around it; returns the nodes on them.
fn cancel_cycles<W: Word>(net: &mut Residual<W>, parent: &[u32]) -> Vec<u32> {
    let n = net.node_count();
    let tail = |net: &Residual<W>, s: u32| net.head(net.rev(s as usize));
    // The walk (start node + 1) that first reached each node, 0 if none has.
    let mut walk = vec![0u32; n];
    let mut cancelled = Vec::new();
    for start in 0..n {
        if walk[start] != 0 {
            continue;
        }
        let id = start as u32 + 1;
        let mut x = start as u32;
        let on_cycle = loop {
            walk[x as usize] = id;
            let s = parent[x as usize];
            if s == NONE {
                break None;
            }
            x = tail(net, s);
            match walk[x as usize] {
                0 => {}
                seen if seen == id => break Some(x),
                _ => break None,
            }
        };
        let Some(first) = on_cycle else { continue };
        let (mut delta, mut cost, mut y) = (i64::MAX, 0i64, first);
        loop {
            let s = parent[y as usize];
            delta = delta.min(net.resid(s as usize));
            cost += net.unscaled_cost(s as usize);
            y = tail(net, s);
            if y == first {
                break;
            }
        }
        if cost >= 0 {
            continue;
        }
        loop {
            let s = parent[y as usize];
            let t = tail(net, s);
            net.push(t, s as usize, delta);
            cancelled.push(y);
            y = t;
            if y == first {
                break;
            }
        }
    }
    cancelled
}

#[cfg(test)]
mod tests {
    use super::super::certificate;
    use super::super::generate::{NetgenParams, netgen};
    use super::super::network::{Arc, Network};
    use super::super::residual::Residual;
    use super::super::solve;
    use super::settle;

    /// The residual network of `network` carrying `flows`, at zero prices.
    fn carrying(network: &Network, flows: &[i64]) -> Residual<i64> {
        let mut net = Residual::build(network, network.supplies().to_vec(), 1);
        for (arc, &flow) in flows.iter().enumerate() {
            net.send(arc, flow);
        }
        net
    }

    #[test]
    fn a_negative_cycle_is_cancelled_and_the_potentials_prove_the_result() {
        // One unit from 0 to 2: directly for 10, or through 1 for 2.
        let mut network = Network::new(3).unwrap();
        for (tail, head, cost) in [(0, 2, 10), (0, 1, 1), (1, 2, 1)] {
            let arc = Arc {
                tail,
                head,
                lower: 0,
                capacity: 1,
                cost,
            };
            network.add_arc(arc).unwrap();
        }
        network.set_supply(0, 1).unwrap();
        network.set_supply(2, -1).unwrap();
        let mut net = carrying(&network, &[1, 0, 0]);
        let potentials = settle(&mut net, 1, 1_000_000).unwrap();
        assert_eq!(net.flows_above_lower(), [0, 1, 1]);
        assert_eq!(
            certificate::check(&network, &net.flows_above_lower(), &potentials),
            Ok(())
        );
    }

    #[test]
    fn any_feasible_flow_is_made_optimal() {
        for seed in 0..40 {
            let params = NetgenParams {
                seed,
                nodes: 30,
                sources: 4,
                sinks: 4,
                arcs: 150,
                cost: (1, 100),
                capacity: (1, 20),
                supply: 60,
            };
            let network = netgen(&params);
            // A feasible flow that is optimal for other costs (the same draws give the same
            // arcs), and so rarely for these.
            let other = netgen(&NetgenParams {
                cost: (-100, 100),
                ..params.clone()
            });
            let shape = |n: &Network| -> Vec<_> {
                n.arcs()
                    .iter()
                    .map(|a| (a.tail, a.head, a.capacity))
                    .collect()
            };
            assert_eq!(shape(&other), shape(&network));
            let start = solve(&other).unwrap().flows;
            assert_ne!(network.cost_of(&start), solve(&network).unwrap().objective);
            let mut net = carrying(&network, &start);
            let potentials = settle(&mut net, 1, 1_000_000).unwrap();
            let flows = net.flows_above_lower();
            assert_eq!(
                certificate::check(&network, &flows, &potentials),
                Ok(()),
                "seed {seed}"
            );
            assert_eq!(
                network.cost_of(&flows),
                solve(&network).unwrap().objective,
                "seed {seed}"
            );
        }
    }
}
