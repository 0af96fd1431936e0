//! Why each need got what it got: served by whom (distance tier, continued pairing), or why
//! not — as codes with parameters, for the application to put into words.

use serde::{Deserialize, Serialize};

use super::build::Model;
use super::{Assignment, SupplierKind, Tier};

/// Units of a need given by one supplier, and why that supplier: how near it is and whether
/// it continues last season's pairing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    pub supplier: String,
    pub quantity: u32,
    pub tier: Tier,
    pub continuation: bool,
}

/// Capacity left over at a supplier that cannot deliver to the household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surplus {
    pub supplier: String,
    pub kind: SupplierKind,
    pub town: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnmetReason {
    /// The household already receives this category through another need: aid is given once.
    AlreadyProvided { need: String },
    /// No supplier in the county offers this category at all.
    NoSupply { category: String },
    /// The suppliers that reach `town` (`reachable` units in all) are used up by needs of
    /// equal or higher priority; `nearest` is the nearest left-over capacity elsewhere.
    NoCapacity {
        category: String,
        town: String,
        reachable: u64,
        nearest: Option<Surplus>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmet {
    pub quantity: u32,
    pub reason: UnmetReason,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedExplanation {
    pub need: String,
    pub household: String,
    pub category: String,
    pub requested: u32,
    pub priority: u32,
    pub served: Vec<Served>,
    pub unmet: Option<Unmet>,
}

pub(super) fn explain(
    model: &Model,
    flows: &[i64],
    assignments: &[Assignment],
) -> Vec<NeedExplanation> {
    let mut rest = assignments;
    model
        .needs
        .iter()
        .enumerate()
        .map(|(n, need)| {
            let count = rest.iter().take_while(|a| a.need == need.id).count();
            let (mine, others) = rest.split_at(count);
            rest = others;
            let served: Vec<Served> = mine.iter().map(served).collect();
            let got: u32 = served.iter().map(|s| s.quantity).sum();
            let unmet = (got < need.quantity).then(|| Unmet {
                quantity: need.quantity - got,
                reason: reason(model, flows, n),
            });
            NeedExplanation {
                need: need.id.clone(),
                household: need.household.clone(),
                category: need.category.clone(),
                requested: need.quantity,
                priority: need.priority,
                served,
                unmet,
            }
        })
        .collect()
}

fn served(assignment: &Assignment) -> Served {
    Served {
        supplier: assignment.supplier.clone(),
        quantity: assignment.quantity,
        tier: assignment.tier,
        continuation: assignment.continuation,
    }
}

fn reason(model: &Model, flows: &[i64], n: usize) -> UnmetReason {
    let g = model.group_of[n];
    let group = &model.groups[g];
    if flows[model.cap_arcs[g]] >= i64::from(group.cap)
        && let Some(&other) = group
            .needs
            .iter()
            .find(|&&m| m != n && flows[model.need_arcs[m]] > 0)
    {
        return UnmetReason::AlreadyProvided {
            need: model.needs[other].id.clone(),
        };
    }
    let category = group.category.clone();
    if !model.supplies.iter().any(|s| s.category == category) {
        return UnmetReason::NoSupply { category };
    }
    let reachable = model
        .serve_arcs
        .iter()
        .filter(|serve| serve.group == g)
        .map(|serve| u64::from(model.supplies[serve.supply].quantity))
        .sum();
    UnmetReason::NoCapacity {
        nearest: nearest_surplus(model, flows, g),
        town: group.place.town.clone(),
        category,
        reachable,
    }
}

/// The left-over capacity in the group's category nearest the household: by distance tier,
/// then the most units, then supplier id.
fn nearest_surplus(model: &Model, flows: &[i64], g: usize) -> Option<Surplus> {
    let group = &model.groups[g];
    model
        .supplies
        .iter()
        .enumerate()
        .filter(|(_, s)| s.category == group.category)
        .filter_map(|(s, supply)| {
            let left = i64::from(supply.quantity) - flows[model.supply_arcs[s]];
            let left = u32::try_from(left).ok().filter(|&l| l > 0)?;
            let tier = Tier::between(&supply.home, &group.place);
            Some((tier, std::cmp::Reverse(left), supply))
        })
        .min_by(|a, b| (a.0, a.1, &a.2.supplier).cmp(&(b.0, b.1, &b.2.supplier)))
        .map(|(_, std::cmp::Reverse(quantity), supply)| Surplus {
            supplier: supply.supplier.clone(),
            kind: supply.kind,
            town: supply.home.town.clone(),
            quantity,
        })
}
