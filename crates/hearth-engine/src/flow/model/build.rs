//! The flow network of an instance.
//!
//! Node 0 is the source; it holds every unit asked for. Each unit either goes source → supply →
//! household cap → need (served), or straight source → need through the need's unmet arc.
//! The household cap is a pair of nodes per household and category whose linking arc carries
//! at most the largest quantity that household asked for in that category.

use std::collections::BTreeMap;

use super::{Assignment, CONTINUATION_BONUS, ModelError, Need, Place, Supply, Tier, UNMET_WEIGHT};
use crate::flow::{Arc, ArcId, Network, NodeId};

/// One household's needs in one category, sharing a cap.
pub(super) struct Group {
    pub category: String,
    pub place: Place,
    pub paired_with: Option<String>,
    pub cap: u32,
    pub needs: Vec<usize>,
}

/// A supply → household arc.
pub(super) struct ServeArc {
    pub supply: usize,
    pub group: usize,
    pub arc: ArcId,
    pub tier: Tier,
    pub continuation: bool,
}

pub(super) struct Model<'a> {
    pub needs: &'a [Need],
    pub supplies: &'a [Supply],
    pub groups: Vec<Group>,
    /// The group of each need.
    pub group_of: Vec<usize>,
    pub network: Network,
    pub supply_arcs: Vec<ArcId>,
    pub serve_arcs: Vec<ServeArc>,
    pub cap_arcs: Vec<ArcId>,
    pub need_arcs: Vec<ArcId>,
}

/// One supply per supplier and category (quantities added), empty ones dropped, sorted: the
/// supplies as [`super::propose`] and [`super::check_lines`] see them.
pub fn merge_supplies(supplies: &[Supply]) -> Vec<Supply> {
    let mut merged: BTreeMap<(&str, &str), Supply> = BTreeMap::new();
    for supply in supplies.iter().filter(|s| s.quantity > 0) {
        merged
            .entry((&supply.supplier, &supply.category))
            .and_modify(|m| m.quantity = m.quantity.saturating_add(supply.quantity))
            .or_insert_with(|| supply.clone());
    }
    merged.into_values().collect()
}

fn groups_of(needs: &[Need]) -> (Vec<Group>, Vec<usize>) {
    let mut index: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of = Vec::with_capacity(needs.len());
    for (n, need) in needs.iter().enumerate() {
        let g = *index
            .entry((&need.household, &need.category))
            .or_insert_with(|| {
                groups.push(Group {
                    category: need.category.clone(),
                    place: need.place.clone(),
                    paired_with: None,
                    cap: 0,
                    needs: Vec::new(),
                });
                groups.len() - 1
            });
        let group = &mut groups[g];
        group.cap = group.cap.max(need.quantity);
        group.needs.push(n);
        if group.paired_with.is_none() {
            group.paired_with.clone_from(&need.paired_with);
        }
        group_of.push(g);
    }
    (groups, group_of)
}

fn arc(tail: usize, head: usize, capacity: u32, cost: i64) -> Arc {
    Arc {
        tail: tail as NodeId,
        head: head as NodeId,
        lower: 0,
        capacity: i64::from(capacity),
        cost,
    }
}

impl<'a> Model<'a> {
    pub fn new(needs: &'a [Need], supplies: &'a [Supply]) -> Result<Self, ModelError> {
        let (groups, group_of) = groups_of(needs);
        let supply_node = |s: usize| 1 + s;
        let group_in = |g: usize| 1 + supplies.len() + 2 * g;
        let need_node = |n: usize| 1 + supplies.len() + 2 * groups.len() + n;
        let mut network = Network::new(need_node(needs.len()))?;
        let total: i64 = needs.iter().map(|n| i64::from(n.quantity)).sum();
        network.set_supply(0, total)?;
        let mut supply_arcs = Vec::with_capacity(supplies.len());
        for (s, supply) in supplies.iter().enumerate() {
            supply_arcs.push(network.add_arc(arc(0, supply_node(s), supply.quantity, 0))?);
        }
        let serve_arcs = serve_arcs(&mut network, supplies, &groups, supply_node, group_in)?;
        let mut cap_arcs = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            cap_arcs.push(network.add_arc(arc(group_in(g), group_in(g) + 1, group.cap, 0))?);
        }
        let mut need_arcs = Vec::with_capacity(needs.len());
        for (n, need) in needs.iter().enumerate() {
            let node = need_node(n);
            network.set_supply(node as NodeId, -i64::from(need.quantity))?;
            let out = group_in(group_of[n]) + 1;
            need_arcs.push(network.add_arc(arc(out, node, need.quantity, 0))?);
            let unmet = i64::from(need.priority) * UNMET_WEIGHT;
            network.add_arc(arc(0, node, need.quantity, unmet))?;
        }
        Ok(Model {
            needs,
            supplies,
            groups,
            group_of,
            network,
            supply_arcs,
            serve_arcs,
            cap_arcs,
            need_arcs,
        })
    }

    /// Units served per supply → need, read from the flow: each household cap node passes its
    /// inflow (by supplier, in order) on to its needs (in id order).
    pub fn assignments(&self, flows: &[i64]) -> Vec<Assignment> {
        let mut incoming: Vec<Vec<(usize, i64)>> = vec![Vec::new(); self.groups.len()];
        for (i, serve) in self.serve_arcs.iter().enumerate() {
            if flows[serve.arc] > 0 {
                incoming[serve.group].push((i, flows[serve.arc]));
            }
        }
        let mut out = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            let mut sources = incoming[g].iter().copied();
            let mut current = sources.next();
            for &n in &group.needs {
                let mut wanted = flows[self.need_arcs[n]];
                while wanted > 0 {
                    let Some((serve, left)) = current else { break };
                    let take = wanted.min(left);
                    out.push(self.assignment(n, serve, take));
                    wanted -= take;
                    current = if left > take {
                        Some((serve, left - take))
                    } else {
                        sources.next()
                    };
                }
            }
        }
        out.sort_by(|a, b| (&a.need, &a.supplier).cmp(&(&b.need, &b.supplier)));
        out
    }

    fn assignment(&self, need: usize, serve: usize, quantity: i64) -> Assignment {
        let serve = &self.serve_arcs[serve];
        let need = &self.needs[need];
        Assignment {
            need: need.id.clone(),
            household: need.household.clone(),
            supplier: self.supplies[serve.supply].supplier.clone(),
            category: need.category.clone(),
            quantity: u32::try_from(quantity).unwrap_or(u32::MAX),
            tier: serve.tier,
            continuation: serve.continuation,
        }
    }
}

fn serve_arcs(
    network: &mut Network,
    supplies: &[Supply],
    groups: &[Group],
    supply_node: impl Fn(usize) -> usize,
    group_in: impl Fn(usize) -> usize,
) -> Result<Vec<ServeArc>, ModelError> {
    let mut by_category: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (s, supply) in supplies.iter().enumerate() {
        by_category.entry(&supply.category).or_default().push(s);
    }
    let mut arcs = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for &s in by_category
            .get(group.category.as_str())
            .into_iter()
            .flatten()
        {
            let supply = &supplies[s];
            if !supply.reach.covers(&group.place) {
                continue;
            }
            let tier = Tier::between(&supply.home, &group.place);
            let continuation = group.paired_with.as_deref() == Some(supply.supplier.as_str());
            let bonus = if continuation { CONTINUATION_BONUS } else { 0 };
            let cost = CONTINUATION_BONUS + tier.cost() - bonus;
            let capacity = supply.quantity.min(group.cap);
            let id = network.add_arc(arc(supply_node(s), group_in(g), capacity, cost))?;
            arcs.push(ServeArc {
                supply: s,
                group: g,
                arc: id,
                tier,
                continuation,
            });
        }
    }
    Ok(arcs)
}
