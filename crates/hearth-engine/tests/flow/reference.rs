//! Slow, simple references: successive shortest paths (Bellman-Ford) and exhaustive search.

use hearth_engine::flow::Network;

/// The optimal cost, or `None` if no feasible flow exists. Negative arcs are saturated first,
/// so the residual network has no negative cycle and shortest paths stay optimal.
pub fn successive_shortest_paths(network: &Network) -> Option<i128> {
    let n = network.node_count();
    let (source, sink) = (n, n + 1);
    // (tail, head, residual, cost) in pairs: edge 2k forward, 2k + 1 backward.
    let mut edges: Vec<(usize, usize, i64, i64)> = Vec::new();
    let mut balance: Vec<i64> = network.supplies().to_vec();
    let mut cost: i128 = 0;
    for arc in network.arcs() {
        let (t, h) = (arc.tail as usize, arc.head as usize);
        balance[t] -= arc.lower;
        balance[h] += arc.lower;
        cost += i128::from(arc.lower) * i128::from(arc.cost);
        let room = arc.capacity - arc.lower;
        if arc.cost < 0 {
            balance[t] -= room;
            balance[h] += room;
            cost += i128::from(room) * i128::from(arc.cost);
            edges.push((t, h, 0, arc.cost));
            edges.push((h, t, room, -arc.cost));
        } else {
            edges.push((t, h, room, arc.cost));
            edges.push((h, t, 0, -arc.cost));
        }
    }
    let mut need = 0;
    for (v, &b) in balance.iter().enumerate() {
        if b > 0 {
            edges.push((source, v, b, 0));
            edges.push((v, source, 0, 0));
            need += b;
        } else if b < 0 {
            edges.push((v, sink, -b, 0));
            edges.push((sink, v, 0, 0));
        }
    }
    while need > 0 {
        let (dist, via) = bellman_ford(&edges, n + 2, source);
        dist[sink]?;
        let mut push = need;
        let mut v = sink;
        while v != source {
            let e = via[v];
            push = push.min(edges[e].2);
            v = edges[e].0;
        }
        let mut v = sink;
        while v != source {
            let e = via[v];
            edges[e].2 -= push;
            edges[e ^ 1].2 += push;
            cost += i128::from(push) * i128::from(edges[e].3);
            v = edges[e].0;
        }
        need -= push;
    }
    Some(cost)
}

fn bellman_ford(
    edges: &[(usize, usize, i64, i64)],
    n: usize,
    from: usize,
) -> (Vec<Option<i64>>, Vec<usize>) {
    let mut dist: Vec<Option<i64>> = vec![None; n];
    let mut via = vec![usize::MAX; n];
    dist[from] = Some(0);
    for _ in 0..n {
        let mut changed = false;
        for (e, &(t, h, room, c)) in edges.iter().enumerate() {
            if let (true, Some(d)) = (room > 0, dist[t])
                && dist[h].is_none_or(|old| d + c < old)
            {
                dist[h] = Some(d + c);
                via[h] = e;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (dist, via)
}

/// Tries every integral flow (tiny networks only): the optimal cost or `None`.
pub fn exhaustive(network: &Network) -> Option<i128> {
    let mut flows: Vec<i64> = network.arcs().iter().map(|a| a.lower).collect();
    let mut best: Option<i128> = None;
    loop {
        if conserves(network, &flows) {
            let cost = network.cost_of(&flows);
            best = Some(best.map_or(cost, |b| b.min(cost)));
        }
        // Next vector in mixed radix; done when every arc wrapped around.
        let mut i = 0;
        loop {
            let Some(arc) = network.arcs().get(i) else {
                return best;
            };
            if flows[i] < arc.capacity {
                flows[i] += 1;
                break;
            }
            flows[i] = arc.lower;
            i += 1;
        }
    }
}

fn conserves(network: &Network, flows: &[i64]) -> bool {
    let mut net = network.supplies().to_vec();
    for (arc, &f) in network.arcs().iter().zip(flows) {
        net[arc.tail as usize] -= f;
        net[arc.head as usize] += f;
    }
    net.iter().all(|&x| x == 0)
}
