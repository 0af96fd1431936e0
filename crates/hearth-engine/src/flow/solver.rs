//! `solve`: the optimal flow of a [`Network`], with the potentials that prove it optimal.

use thiserror::Error;

use super::network::Network;
use super::residual::{Residual, Word};
use super::scaling::{CostScaling, Stuck};

/// An optimal flow: `flows[a]` for each arc, the potentials certifying optimality (see
/// [`super::certificate::check`]), the total cost and the units shipped (sum of supplies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    pub flows: Vec<i64>,
    pub potentials: Vec<i64>,
    pub objective: i128,
    pub shipped: i64,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SolveError {
    #[error("supplies and demands do not balance: they sum to {sum}, not 0")]
    Unbalanced { sum: i128 },
    #[error(
        "no feasible flow: the {reachable} nodes that node {node} can send to hold a net supply \
         of {supply} but the arcs leaving them carry at most {capacity}"
    )]
    Infeasible {
        node: u32,
        reachable: usize,
        supply: i128,
        capacity: i128,
    },
    #[error(
        "costs too large to solve exactly: largest |cost| {max_cost} with {nodes} nodes \
         (|cost| × (nodes + 1)² × 8 must stay below 2^63)"
    )]
    CostRange { max_cost: i64, nodes: usize },
    #[error("supplies and capacities too large: their total {total} exceeds 2^63")]
    FlowRange { total: i128 },
    #[error("a network has at most 2^31 - 1 arcs, {arcs} given")]
    TooManyArcs { arcs: usize },
    #[error("internal error: the solver did not reach an optimal flow")]
    NotOptimal,
}

pub fn solve(network: &Network) -> Result<Solution, SolveError> {
    let (supplies, extent) = shifted_supplies(network)?;
    let scale = cost_scale(network.node_count(), extent.max_cost)?;
    let (max_cost, max_capacity) = (extent.max_cost, extent.max_capacity);
    let narrow = max_cost <= i32::MAX as u64 && max_capacity <= i64::from(i32::MAX);
    let max_cost = max_cost as i64 * scale;
    let (mut flows, outcome) = if narrow {
        optimize::<i32>(network, supplies, scale, max_cost)
    } else {
        optimize::<i64>(network, supplies, scale, max_cost)
    };
    for (flow, arc) in flows.iter_mut().zip(network.arcs()) {
        *flow += arc.lower;
    }
    let potentials = match outcome {
        Err(stuck) => return Err(infeasible(network, &flows, stuck.node)),
        Ok(potentials) => potentials.ok_or(SolveError::NotOptimal)?,
    };
    let objective = network.cost_of(&flows);
    let shipped = network.supplies().iter().filter(|&&s| s > 0).sum();
    Ok(Solution {
        flows,
        potentials,
        objective,
        shipped,
    })
}

type Outcome = Result<Option<Vec<i64>>, Stuck>;

/// Cost scaling with slots of width `W`; the flows above the lower bounds and the outcome.
fn optimize<W: Word>(
    network: &Network,
    supplies: Vec<i64>,
    scale: i64,
    max_cost: i64,
) -> (Vec<i64>, Outcome) {
    let mut scaling = CostScaling::<W>::new(Residual::build(network, supplies, scale));
    let outcome = scaling.run(max_cost, scale);
    (scaling.net.flows_above_lower(), outcome)
}

/// The largest |cost| and the largest capacity above the lower bound of the arcs.
struct Extent {
    max_cost: u64,
    max_capacity: i64,
}

/// Supplies once every arc carries its lower bound, and the arcs' extent (one pass over them);
/// checks the balance and that no excess or residual capacity can overflow.
fn shifted_supplies(network: &Network) -> Result<(Vec<i64>, Extent), SolveError> {
    if network.arc_count() >= i32::MAX as usize {
        return Err(SolveError::TooManyArcs {
            arcs: network.arc_count(),
        });
    }
    let mut wide: Vec<i128> = network.supplies().iter().map(|&s| i128::from(s)).collect();
    let mut total: i128 = wide.iter().map(|s| s.abs()).sum();
    let mut extent = Extent {
        max_cost: 0,
        max_capacity: 0,
    };
    for arc in network.arcs() {
        if arc.lower != 0 {
            wide[arc.tail as usize] -= i128::from(arc.lower);
            wide[arc.head as usize] += i128::from(arc.lower);
        }
        total += i128::from(arc.capacity);
        extent.max_cost = extent.max_cost.max(arc.cost.unsigned_abs());
        extent.max_capacity = extent.max_capacity.max(arc.capacity - arc.lower);
    }
    let sum: i128 = wide.iter().sum();
    if sum != 0 {
        return Err(SolveError::Unbalanced { sum });
    }
    if total >= i128::from(i64::MAX) {
        return Err(SolveError::FlowRange { total });
    }
    Ok((wide.into_iter().map(|s| s as i64).collect(), extent))
}

/// Costs are multiplied by `n + 1` so that ε = 1 means optimal; prices stay within
/// `(n + 1)² · max |cost|` times a small factor.
fn cost_scale(nodes: usize, max_cost: u64) -> Result<i64, SolveError> {
    let scale = nodes as u128 + 1;
    if u128::from(max_cost) * scale * scale * 8 >= i64::MAX as u128 {
        return Err(SolveError::CostRange {
            max_cost: max_cost as i64,
            nodes,
        });
    }
    Ok(scale as i64)
}

/// Explains infeasibility by the set of nodes `node` can still send to: every arc leaving them
/// is full and every arc entering them at its lower bound, yet they hold more supply than that.
fn infeasible(network: &Network, flows: &[i64], node: u32) -> SolveError {
    let n = network.node_count();
    let mut first = vec![0usize; n + 1];
    for arc in network.arcs() {
        first[arc.tail as usize + 1] += 1;
        first[arc.head as usize + 1] += 1;
    }
    for v in 0..n {
        first[v + 1] += first[v];
    }
    let mut next = first.clone();
    let mut residual = vec![0u32; first[n]];
    for (arc, &flow) in network.arcs().iter().zip(flows) {
        let (t, h) = (arc.tail as usize, arc.head as usize);
        if flow < arc.capacity {
            residual[next[t]] = arc.head + 1;
        }
        if flow > arc.lower {
            residual[next[h]] = arc.tail + 1;
        }
        next[t] += 1;
        next[h] += 1;
    }
    let mut inside = vec![false; n];
    let mut stack = vec![node];
    inside[node as usize] = true;
    while let Some(v) = stack.pop() {
        for &w in &residual[first[v as usize]..first[v as usize + 1]] {
            if w > 0 && !inside[w as usize - 1] {
                inside[w as usize - 1] = true;
                stack.push(w - 1);
            }
        }
    }
    cut_explanation(network, &inside, node)
}

fn cut_explanation(network: &Network, inside: &[bool], node: u32) -> SolveError {
    let supply = (0..network.node_count())
        .filter(|&v| inside[v])
        .map(|v| i128::from(network.supplies()[v]))
        .sum();
    let capacity = network
        .arcs()
        .iter()
        .map(
            |a| match (inside[a.tail as usize], inside[a.head as usize]) {
                (true, false) => i128::from(a.capacity),
                (false, true) => -i128::from(a.lower),
                _ => 0,
            },
        )
        .sum();
    let reachable = inside.iter().filter(|&&x| x).count();
    // Name a node whose own supply is stranded rather than one it passed the flow to.
    let node = (0..network.node_count())
        .find(|&v| inside[v] && network.supplies()[v] > 0)
        .map_or(node, |v| v as u32);
    SolveError::Infeasible {
        node,
        reachable,
        supply,
        capacity,
    }
}
