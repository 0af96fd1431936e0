//! Min-cost flow and the matching model (精准匹配, issue 8).
//!
//! - [`Network`] and [`solve`]: an exact min-cost-flow solver (cost scaling with push and
//!   relabel, global price updates and look-ahead), integer bounds and costs, deterministic.
//! - [`certificate::check`]: verifies a flow's optimality from its potentials, independently.
//! - [`dimacs`]: the DIMACS min-cost-flow format, read and written.
//! - [`generate`]: NETGEN-style random networks and matching-shaped benchmark instances.

mod blocks;
pub mod certificate;
pub mod dimacs;
pub mod generate;
mod huge_pages;
pub mod model;
mod network;
mod potentials;
mod price_update;
mod residual;
mod rng;
mod scaling;
mod solver;

pub use network::{Arc, ArcId, MAX_NODES, Network, NetworkError, NodeId};
pub use solver::{Solution, SolveError, solve};
