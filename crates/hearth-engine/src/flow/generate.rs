//! Instance generators, deterministic from a seed.
//!
//! - [`netgen`]: NETGEN-style networks (sources, transshipment nodes, sinks; a skeleton of
//!   paths that carries every supply so the instance is feasible, then random arcs).
//! - [`matching`]: networks shaped like a county's matching: needs in villages, supplies in
//!   villages, towns and the county, about 8 candidate supplies per need priced by distance
//!   tier, and an "unmet" arc per need priced by its priority.

use super::network::{Arc, Network};
use super::rng::SplitMix64;

/// NETGEN-style parameters. Nodes `0..sources` are sources, the last `sinks` nodes are sinks.
#[derive(Clone, Debug)]
pub struct NetgenParams {
    pub seed: u64,
    pub nodes: usize,
    pub sources: usize,
    pub sinks: usize,
    pub arcs: usize,
    pub cost: (i64, i64),
    pub capacity: (i64, i64),
    pub supply: i64,
}

/// A feasible network with about `params.arcs` arcs (at least the skeleton).
/// Needs `sources + sinks <= nodes`, `sources, sinks >= 1`, `supply >= 0` and ordered ranges.
pub fn netgen(params: &NetgenParams) -> Network {
    let p = params;
    let mut rng = SplitMix64::new(p.seed);
    let mut network = Network::new(p.nodes).expect("generator sizes are small");
    let transshipment: Vec<u32> = (p.sources..p.nodes - p.sinks).map(|v| v as u32).collect();
    let mut supplies = vec![0i64; p.nodes];
    for _ in 0..p.supply {
        supplies[rng.index(p.sources)] += 1;
    }
    for source in 0..p.sources {
        skeleton(
            p,
            &mut rng,
            &mut network,
            &mut supplies,
            source,
            &transshipment,
        );
    }
    while network.arc_count() < p.arcs {
        let (tail, head) = (rng.index(p.nodes) as u32, rng.index(p.nodes) as u32);
        if tail != head {
            let capacity = rng.range(p.capacity.0, p.capacity.1);
            add(
                &mut network,
                tail,
                head,
                capacity,
                rng.range(p.cost.0, p.cost.1),
            );
        }
    }
    for (node, &supply) in supplies.iter().enumerate() {
        network
            .set_supply(node as u32, supply)
            .expect("node exists");
    }
    network
}

/// A path from `source` through a few transshipment nodes, then arcs to a few sinks that
/// together absorb the source's supply.
fn skeleton(
    p: &NetgenParams,
    rng: &mut SplitMix64,
    network: &mut Network,
    supplies: &mut [i64],
    source: usize,
    transshipment: &[u32],
) {
    let supply = supplies[source];
    let mut at = source as u32;
    let hops = if transshipment.is_empty() {
        0
    } else {
        rng.index(4)
    };
    for _ in 0..hops {
        let next = transshipment[rng.index(transshipment.len())];
        let capacity = rng.range(p.capacity.0, p.capacity.1).max(supply);
        add(network, at, next, capacity, rng.range(p.cost.0, p.cost.1));
        at = next;
    }
    let mut left = supply;
    let parts = 1 + rng.index(3);
    for part in 0..parts {
        let share = if part + 1 == parts {
            left
        } else {
            rng.range(0, left)
        };
        let sink = p.nodes - 1 - rng.index(p.sinks);
        let capacity = rng.range(p.capacity.0, p.capacity.1).max(share);
        add(
            network,
            at,
            sink as u32,
            capacity,
            rng.range(p.cost.0, p.cost.1),
        );
        supplies[sink] -= share;
        left -= share;
    }
}

fn add(network: &mut Network, tail: u32, head: u32, capacity: i64, cost: i64) {
    let arc = Arc {
        tail,
        head,
        lower: 0,
        capacity: capacity.max(0),
        cost,
    };
    network.add_arc(arc).expect("generated arcs are valid");
}

/// Matching-shaped parameters: `needs` households' needs with about `candidates` supplies each.
#[derive(Clone, Debug)]
pub struct MatchingParams {
    pub seed: u64,
    pub needs: usize,
    pub candidates: usize,
}

/// Costs per unit by distance tier, and the unmet penalty per unit of priority: serving from
/// anywhere in the county is cheaper than leaving the least urgent need unmet.
const VILLAGE_COST: i64 = 10;
const TOWN_COST: i64 = 30;
const COUNTY_COST: i64 = 100;
const UNMET_BASE: i64 = 200;
const UNMET_PER_PRIORITY: i64 = 20;
const NEEDS_PER_VILLAGE: usize = 40;
const VILLAGES_PER_TOWN: usize = 10;

/// Nodes: supplies first, then needs, then the "unmet" source and the "surplus" sink, so the
/// network is always feasible and balanced. Supply totals about 90% of demand.
pub fn matching(params: &MatchingParams) -> Network {
    let mut rng = SplitMix64::new(params.seed);
    let map = CountyMap::new(params.needs.max(1), &mut rng);
    let demands: Vec<i64> = (0..params.needs).map(|_| rng.range(1, 3)).collect();
    let total_demand: i64 = demands.iter().sum();
    let capacities = split(total_demand * 9 / 10, map.supply_count(), &mut rng);
    let (supplies, needs) = (map.supply_count(), params.needs);
    let (unmet, surplus) = ((supplies + needs) as u32, (supplies + needs + 1) as u32);
    let mut network = Network::new(supplies + needs + 2).expect("generator sizes fit");
    network.reserve_arcs(needs * (params.candidates + 1) + supplies + 1);
    for (j, &demand) in demands.iter().enumerate() {
        let need = (supplies + j) as u32;
        for (supply, cost) in map.candidates(j, params.candidates, &mut rng) {
            add(&mut network, supply, need, demand, cost + rng.range(0, 9));
        }
        let priority = rng.range(1, 100);
        add(
            &mut network,
            unmet,
            need,
            demand,
            UNMET_BASE + UNMET_PER_PRIORITY * priority,
        );
        network.set_supply(need, -demand).expect("node exists");
    }
    for (i, &capacity) in capacities.iter().enumerate() {
        add(&mut network, i as u32, surplus, capacity, 0);
        network.set_supply(i as u32, capacity).expect("node exists");
    }
    add(&mut network, unmet, surplus, total_demand, 0);
    network
        .set_supply(unmet, total_demand)
        .expect("node exists");
    let total_capacity: i64 = capacities.iter().sum();
    network
        .set_supply(surplus, -total_capacity)
        .expect("node exists");
    network
}

/// `total` split into `parts` random shares.
fn split(total: i64, parts: usize, rng: &mut SplitMix64) -> Vec<i64> {
    let weights: Vec<i64> = (0..parts).map(|_| rng.range(1, 100)).collect();
    let sum: i64 = weights.iter().sum();
    let mut shares: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
    let given: i64 = shares.iter().sum();
    shares[0] += total - given;
    shares
}

/// Where supplies are: about half the villages have one, every town has two, the county eight.
struct CountyMap {
    village_supplies: Vec<Vec<u32>>,
    town_supplies: Vec<Vec<u32>>,
    count: usize,
}

impl CountyMap {
    fn new(needs: usize, rng: &mut SplitMix64) -> Self {
        let villages = needs.div_ceil(NEEDS_PER_VILLAGE);
        let towns = villages.div_ceil(VILLAGES_PER_TOWN);
        let mut count = 8u32;
        let mut village_supplies = vec![Vec::new(); villages];
        for list in &mut village_supplies {
            if rng.index(2) == 0 {
                list.push(count);
                count += 1;
            }
        }
        let mut town_supplies = vec![Vec::new(); towns];
        for list in &mut town_supplies {
            list.extend([count, count + 1]);
            count += 2;
        }
        CountyMap {
            village_supplies,
            town_supplies,
            count: count as usize,
        }
    }

    fn supply_count(&self) -> usize {
        self.count
    }

    /// Up to `k` distinct supplies for need `j` with their tier cost: its village's, then its
    /// town's (and its villages'), then anywhere in the county.
    fn candidates(&self, j: usize, k: usize, rng: &mut SplitMix64) -> Vec<(u32, i64)> {
        let village = j / NEEDS_PER_VILLAGE;
        let town = village / VILLAGES_PER_TOWN;
        let mut chosen: Vec<(u32, i64)> = Vec::with_capacity(k);
        let take = |supply: u32, cost: i64, chosen: &mut Vec<(u32, i64)>| {
            if chosen.len() < k && chosen.iter().all(|&(s, _)| s != supply) {
                chosen.push((supply, cost));
            }
        };
        for &s in &self.village_supplies[village] {
            take(s, VILLAGE_COST, &mut chosen);
        }
        for &s in &self.town_supplies[town] {
            take(s, TOWN_COST, &mut chosen);
        }
        let first_village = town * VILLAGES_PER_TOWN;
        let last_village = (first_village + VILLAGES_PER_TOWN).min(self.village_supplies.len());
        for _ in 0..2 {
            let v = first_village + rng.index(last_village - first_village);
            if let Some(&s) = self.village_supplies[v].first() {
                take(s, TOWN_COST, &mut chosen);
            }
        }
        for _ in 0..k * 2 {
            take(rng.index(self.count) as u32, COUNTY_COST, &mut chosen);
        }
        chosen
    }
}
