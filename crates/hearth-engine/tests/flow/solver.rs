//! The solver against the references on small random networks, and its refusals.

use hearth_engine::flow::{Arc, Network, SolveError, certificate, solve};
use proptest::prelude::*;

use super::reference::{exhaustive, successive_shortest_paths};

/// A random network: up to `max_nodes` nodes, `arcs` arcs with small bounds and costs (some
/// negative), and supplies that balance (so feasibility depends on the arcs only).
fn network(
    max_nodes: usize,
    arcs: std::ops::RangeInclusive<usize>,
    max_cap: i64,
) -> impl Strategy<Value = Network> {
    (2..=max_nodes).prop_flat_map(move |n| {
        let arc = (
            0..n as u32,
            0..n as u32,
            0..=max_cap,
            0..=max_cap,
            -10i64..=20,
        );
        let arcs = proptest::collection::vec(arc, arcs.clone());
        let supplies = proptest::collection::vec(-4i64..=4, n);
        (arcs, supplies).prop_map(move |(arcs, mut supplies)| {
            let sum: i64 = supplies.iter().sum();
            supplies[0] -= sum;
            let mut net = Network::new(n).unwrap();
            for (v, s) in supplies.into_iter().enumerate() {
                net.set_supply(v as u32, s).unwrap();
            }
            for (tail, head, a, b, cost) in arcs {
                let (lower, capacity) = (a.min(b) / 2, a.max(b));
                net.add_arc(Arc {
                    tail,
                    head,
                    lower,
                    capacity,
                    cost,
                })
                .unwrap();
            }
            net
        })
    })
}

fn assert_optimal(net: &Network, expected: Option<i128>) -> Result<(), TestCaseError> {
    match solve(net) {
        Ok(solution) => {
            prop_assert_eq!(Some(solution.objective), expected);
            prop_assert_eq!(
                certificate::check(net, &solution.flows, &solution.potentials),
                Ok(())
            );
            prop_assert_eq!(solve(net).ok(), Some(solution), "same input, same output");
        }
        Err(SolveError::Infeasible {
            supply, capacity, ..
        }) => {
            prop_assert_eq!(expected, None);
            prop_assert!(supply > capacity, "the cut shown must prove infeasibility");
        }
        Err(other) => prop_assert!(false, "unexpected error {other}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn matches_successive_shortest_paths(net in network(8, 0..=16, 6)) {
        assert_optimal(&net, successive_shortest_paths(&net))?;
    }

    #[test]
    fn matches_exhaustive_search(net in network(4, 0..=5, 3)) {
        assert_optimal(&net, exhaustive(&net))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// A few nodes joined by many parallel arcs of different costs: nodes with more than 64
    /// arcs are relabeled through bounds on blocks of their arcs rather than by a full scan.
    #[test]
    fn nodes_with_many_arcs_match_successive_shortest_paths(net in network(4, 100..=220, 6)) {
        assert_optimal(&net, successive_shortest_paths(&net))?;
    }
}

/// The same network with two extra nodes joined by an idle arc too wide for 32 bits, so the
/// solver takes its 64-bit slots instead of its 32-bit ones.
fn with_wide_arc(net: &Network) -> Network {
    let mut wide = Network::new(net.node_count() + 2).unwrap();
    for (v, &supply) in net.supplies().iter().enumerate() {
        wide.set_supply(v as u32, supply).unwrap();
    }
    for &arc in net.arcs() {
        wide.add_arc(arc).unwrap();
    }
    let n = net.node_count() as u32;
    let idle = Arc {
        tail: n,
        head: n + 1,
        lower: 0,
        capacity: 1 << 40,
        cost: 3,
    };
    wide.add_arc(idle).unwrap();
    wide
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn wide_and_narrow_slots_agree(net in network(8, 0..=16, 6)) {
        let expected = successive_shortest_paths(&net);
        let wide = with_wide_arc(&net);
        assert_optimal(&wide, expected)?;
        if let Ok(solution) = solve(&wide) {
            prop_assert_eq!(solution.flows.last(), Some(&0));
        }
    }
}

#[test]
fn infeasible_instance_names_the_bottleneck() {
    let mut net = Network::new(3).unwrap();
    net.set_supply(0, 5).unwrap();
    net.set_supply(2, -5).unwrap();
    net.add_arc(Arc {
        tail: 0,
        head: 1,
        lower: 0,
        capacity: 10,
        cost: 1,
    })
    .unwrap();
    net.add_arc(Arc {
        tail: 1,
        head: 2,
        lower: 0,
        capacity: 3,
        cost: 1,
    })
    .unwrap();
    let error = solve(&net).unwrap_err();
    assert_eq!(
        error,
        SolveError::Infeasible {
            node: 0,
            reachable: 2,
            supply: 5,
            capacity: 3
        }
    );
    assert!(
        error
            .to_string()
            .contains("net supply of 5 but the arcs leaving them carry at most 3")
    );
}

#[test]
fn unbalanced_supplies_are_refused() {
    let mut net = Network::new(2).unwrap();
    net.set_supply(0, 4).unwrap();
    net.set_supply(1, -3).unwrap();
    assert_eq!(solve(&net).unwrap_err(), SolveError::Unbalanced { sum: 1 });
}

#[test]
fn huge_costs_are_refused_not_overflowed() {
    let mut net = Network::new(2).unwrap();
    net.add_arc(Arc {
        tail: 0,
        head: 1,
        lower: 0,
        capacity: 1,
        cost: i64::MIN,
    })
    .unwrap();
    assert!(matches!(solve(&net), Err(SolveError::CostRange { .. })));
}

#[test]
fn objective_beyond_i64_is_exact() {
    // 2 × 2^40 units at cost 2^30 each: 2^71, beyond i64.
    let mut net = Network::new(2).unwrap();
    let units = 1i64 << 40;
    net.set_supply(0, 2 * units).unwrap();
    net.set_supply(1, -2 * units).unwrap();
    for _ in 0..2 {
        let arc = Arc {
            tail: 0,
            head: 1,
            lower: 0,
            capacity: units,
            cost: 1 << 30,
        };
        net.add_arc(arc).unwrap();
    }
    assert_eq!(solve(&net).unwrap().objective, 1i128 << 71);
}

#[test]
fn negative_cycle_is_filled_to_capacity() {
    let mut net = Network::new(3).unwrap();
    for (tail, head) in [(0, 1), (1, 2), (2, 0)] {
        net.add_arc(Arc {
            tail,
            head,
            lower: 0,
            capacity: 4,
            cost: -1,
        })
        .unwrap();
    }
    let solution = solve(&net).unwrap();
    assert_eq!((solution.objective, solution.flows), (-12, vec![4, 4, 4]));
}
