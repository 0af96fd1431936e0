//! The optimality certificate, checked independently of the solver: a flow is optimal if it
//! is feasible and some potentials π give every arc a reduced cost `c + π(tail) - π(head)`
//! that is ≥ 0 where the flow could still grow and ≤ 0 where it could still shrink (linear
//! programming duality).

use thiserror::Error;

use super::network::{ArcId, Network};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CertificateError {
    #[error("{what} has {got} entries, the network needs {want}")]
    Length {
        what: &'static str,
        got: usize,
        want: usize,
    },
    #[error("arc {arc}: flow {flow} outside its bounds {lower}..={capacity}")]
    Bounds {
        arc: ArcId,
        flow: i64,
        lower: i64,
        capacity: i64,
    },
    #[error("node {node}: supply {supply} but {net} units leave it")]
    Conservation { node: usize, supply: i64, net: i128 },
    #[error(
        "arc {arc}: reduced cost {reduced} with flow {flow} in {lower}..={capacity}: a cheaper flow exists"
    )]
    NotOptimal {
        arc: ArcId,
        reduced: i128,
        flow: i64,
        lower: i64,
        capacity: i64,
    },
}

/// Checks feasibility and the reduced-cost optimality conditions; names the first arc or node
/// at fault.
pub fn check(network: &Network, flows: &[i64], potentials: &[i64]) -> Result<(), CertificateError> {
    let length = |what, got: usize, want| match got == want {
        true => Ok(()),
        false => Err(CertificateError::Length { what, got, want }),
    };
    length("flows", flows.len(), network.arc_count())?;
    length("potentials", potentials.len(), network.node_count())?;
    let mut net_out: Vec<i128> = vec![0; network.node_count()];
    for (id, (arc, &flow)) in network.arcs().iter().zip(flows).enumerate() {
        let (lower, capacity) = (arc.lower, arc.capacity);
        if flow < lower || flow > capacity {
            return Err(CertificateError::Bounds {
                arc: id,
                flow,
                lower,
                capacity,
            });
        }
        net_out[arc.tail as usize] += i128::from(flow);
        net_out[arc.head as usize] -= i128::from(flow);
        let reduced = i128::from(arc.cost) + i128::from(potentials[arc.tail as usize])
            - i128::from(potentials[arc.head as usize]);
        if (reduced < 0 && flow < capacity) || (reduced > 0 && flow > lower) {
            return Err(CertificateError::NotOptimal {
                arc: id,
                reduced,
                flow,
                lower,
                capacity,
            });
        }
    }
    for (node, (&supply, &net)) in network.supplies().iter().zip(&net_out).enumerate() {
        if i128::from(supply) != net {
            return Err(CertificateError::Conservation { node, supply, net });
        }
    }
    Ok(())
}
