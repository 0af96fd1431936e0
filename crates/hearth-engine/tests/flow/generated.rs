//! Generated instances: optimal by the reduced-cost certificate, equal to the reference where
//! the reference is fast enough, and the same on every run.

use hearth_engine::flow::generate::{MatchingParams, NetgenParams, matching, netgen};
use hearth_engine::flow::{certificate, solve};

use super::reference::successive_shortest_paths;

fn params(seed: u64, nodes: usize, arcs: usize) -> NetgenParams {
    NetgenParams {
        seed,
        nodes,
        sources: nodes / 10 + 1,
        sinks: nodes / 10 + 1,
        arcs,
        cost: (1, 1000),
        capacity: (1, 50),
        supply: nodes as i64 * 20,
    }
}

#[test]
fn netgen_instances_are_certified_optimal() {
    for (seed, nodes, arcs) in [(1, 500, 4000), (2, 2000, 16000), (3, 5000, 20000)] {
        let net = netgen(&params(seed, nodes, arcs));
        let solution = solve(&net).unwrap();
        assert_eq!(
            certificate::check(&net, &solution.flows, &solution.potentials),
            Ok(())
        );
        assert_eq!(solution.shipped, nodes as i64 * 20);
    }
}

#[test]
fn netgen_instances_match_the_reference() {
    for seed in 10..20 {
        let net = netgen(&params(seed, 40, 200));
        assert_eq!(
            Some(solve(&net).unwrap().objective),
            successive_shortest_paths(&net)
        );
    }
}

#[test]
fn generators_are_deterministic() {
    assert_eq!(netgen(&params(5, 300, 2000)), netgen(&params(5, 300, 2000)));
    let m = MatchingParams {
        seed: 5,
        needs: 2000,
        candidates: 8,
    };
    assert_eq!(matching(&m), matching(&m));
    assert_ne!(
        matching(&m),
        matching(&MatchingParams {
            seed: 6,
            ..m.clone()
        })
    );
}

#[test]
fn matching_instances_have_eight_candidates_and_are_certified() {
    let net = matching(&MatchingParams {
        seed: 3,
        needs: 300,
        candidates: 8,
    });
    let needs = net.supplies().iter().filter(|&&s| s < 0).count() - 1;
    assert_eq!(needs, 300);
    // 8 candidate arcs and 1 unmet arc per need, plus the surplus arcs.
    assert!(net.arc_count() >= 300 * 9);
    let solution = solve(&net).unwrap();
    assert_eq!(
        certificate::check(&net, &solution.flows, &solution.potentials),
        Ok(())
    );
    assert_eq!(Some(solution.objective), successive_shortest_paths(&net));
}

#[test]
fn a_tampered_flow_fails_the_certificate() {
    let net = netgen(&params(4, 200, 1500));
    let solution = solve(&net).unwrap();
    let mut potentials = solution.potentials.clone();
    let arc = net.arcs().iter().position(|a| a.capacity > 0).unwrap();
    let tail = net.arcs()[arc].tail as usize;
    potentials[tail] += 1_000_000;
    assert!(certificate::check(&net, &solution.flows, &potentials).is_err());
    let mut flows = solution.flows.clone();
    flows[arc] += 1;
    assert!(certificate::check(&net, &flows, &solution.potentials).is_err());
}

#[test]
fn a_network_large_enough_for_two_threads_is_solved_the_same_every_run() {
    // 20,000 needs: the price updates' scans read far more arcs than one thread takes alone.
    let net = matching(&MatchingParams {
        seed: 11,
        needs: 20_000,
        candidates: 8,
    });
    let solution = solve(&net).unwrap();
    assert_eq!(
        certificate::check(&net, &solution.flows, &solution.potentials),
        Ok(())
    );
    assert_eq!(solve(&net).unwrap(), solution);
}
