//! A min-cost-flow instance: nodes with supplies, arcs with bounds and costs.

use thiserror::Error;

/// Index of a node, from 0.
pub type NodeId = u32;
/// Index of an arc, in the order arcs were added.
pub type ArcId = usize;

/// One arc: `lower <= flow <= capacity`, each unit costs `cost`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arc {
    pub tail: NodeId,
    pub head: NodeId,
    pub lower: i64,
    pub capacity: i64,
    pub cost: i64,
}

/// Why an arc or supply was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NetworkError {
    #[error("arc {arc}: node {node} does not exist (the network has {nodes} nodes)")]
    NodeOutOfRange {
        arc: ArcId,
        node: NodeId,
        nodes: usize,
    },
    #[error("arc {arc}: lower bound {lower} must be between 0 and the capacity {capacity}")]
    BadBounds {
        arc: ArcId,
        lower: i64,
        capacity: i64,
    },
    #[error("node {node} does not exist (the network has {nodes} nodes)")]
    NoSuchNode { node: NodeId, nodes: usize },
    #[error("a network has at most {max} nodes, {nodes} asked")]
    TooManyNodes { nodes: usize, max: usize },
}

/// Nodes carry a supply (positive) or a demand (negative); supplies sum to zero when solvable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    supplies: Vec<i64>,
    arcs: Vec<Arc>,
}

/// Node ids are `u32` and one id is kept free for the solver's own use.
pub const MAX_NODES: usize = u32::MAX as usize - 1;

impl Network {
    pub fn new(nodes: usize) -> Result<Self, NetworkError> {
        if nodes > MAX_NODES {
            return Err(NetworkError::TooManyNodes {
                nodes,
                max: MAX_NODES,
            });
        }
        Ok(Network {
            supplies: vec![0; nodes],
            arcs: Vec::new(),
        })
    }

    pub fn node_count(&self) -> usize {
        self.supplies.len()
    }

    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    pub fn supplies(&self) -> &[i64] {
        &self.supplies
    }

    pub fn arcs(&self) -> &[Arc] {
        &self.arcs
    }

    pub fn set_supply(&mut self, node: NodeId, supply: i64) -> Result<(), NetworkError> {
        let nodes = self.supplies.len();
        let slot = self
            .supplies
            .get_mut(node as usize)
            .ok_or(NetworkError::NoSuchNode { node, nodes })?;
        *slot = supply;
        Ok(())
    }

    pub fn add_arc(&mut self, arc: Arc) -> Result<ArcId, NetworkError> {
        let id = self.arcs.len();
        let nodes = self.supplies.len();
        for node in [arc.tail, arc.head] {
            if node as usize >= nodes {
                return Err(NetworkError::NodeOutOfRange {
                    arc: id,
                    node,
                    nodes,
                });
            }
        }
        if arc.lower < 0 || arc.lower > arc.capacity {
            return Err(NetworkError::BadBounds {
                arc: id,
                lower: arc.lower,
                capacity: arc.capacity,
            });
        }
        self.arcs.push(arc);
        Ok(id)
    }

    /// Reserve room for `arcs` more arcs (large instances).
    pub fn reserve_arcs(&mut self, arcs: usize) {
        self.arcs.reserve(arcs);
    }

    /// Total cost of a flow, exact (no overflow: `i128`).
    pub fn cost_of(&self, flows: &[i64]) -> i128 {
        self.arcs
            .iter()
            .zip(flows)
            .map(|(arc, &flow)| i128::from(arc.cost) * i128::from(flow))
            .sum()
    }
}
