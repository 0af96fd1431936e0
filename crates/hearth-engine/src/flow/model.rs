//! The matching model (精准匹配): a campaign's needs and supplies as a min-cost-flow network,
//! the proposal read back from the optimal flow, and an explanation for every need.
//!
//! Costs are chosen so that the optimum is lexicographic: first serve as much priority as
//! possible (an unmet unit costs `priority × UNMET_WEIGHT`), then prefer near suppliers and last
//! season's pairing (a served unit costs at most [`MAX_SERVE_COST`], less than one step of
//! priority). A household gets one category of aid once: its needs in a category share a cap.
//!
//! Everything is keyed by strings the caller chooses (ids, area codes, category codes) and the
//! output names them again, so the application renders it in any language.

mod build;
mod explain;
mod review;
mod what_if;

use std::collections::{BTreeMap, BTreeSet};

use hearth_core::need::Urgency;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use build::merge_supplies;
pub use explain::{NeedExplanation, Served, Surplus, Unmet, UnmetReason};
pub use review::{Line, LineError, check_lines};
pub use what_if::{Covered, PurchaseLine, WORK_LIMIT, WhatIf, what_if, what_if_within};

/// Cost of leaving one unit of a need of priority 1 unmet.
pub const UNMET_WEIGHT: i64 = 100;
/// The most one served unit can cost: tier plus the continuation offset.
pub const MAX_SERVE_COST: i64 = CONTINUATION_BONUS + 50;
/// What continuing last season's pairing saves per unit.
pub const CONTINUATION_BONUS: i64 = 30;
/// Priority points per urgency step: urgency always outranks the vulnerability score.
pub const URGENCY_STEP: u32 = 1_000;

/// The priority of a need: urgency first (紧急 > 较急 > 一般), then the household's
/// vulnerability score (capped below one urgency step).
pub fn priority(vulnerability: u32, urgency: Urgency) -> u32 {
    let steps = 3 - u32::from(urgency.rank());
    steps * URGENCY_STEP + vulnerability.min(URGENCY_STEP - 1)
}

/// Where a household lives or a supplier is based: town and village codes (empty if none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub town: String,
    pub village: String,
}

/// One need of one household: `quantity` units of `category` (an item code, a service...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub id: String,
    pub household: String,
    pub category: String,
    pub quantity: u32,
    pub priority: u32,
    pub place: Place,
    /// The supplier that helped this household last season, if any.
    pub paired_with: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplierKind {
    Organization,
    Station,
}

/// Where a supplier may deliver: anywhere in the county, or the listed town/village codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "areas", rename_all = "snake_case")]
pub enum Reach {
    County,
    Areas(BTreeSet<String>),
}

impl Reach {
    pub fn covers(&self, place: &Place) -> bool {
        match self {
            Reach::County => true,
            Reach::Areas(areas) => areas.contains(&place.town) || areas.contains(&place.village),
        }
    }
}

/// What one supplier can give of one category: an organization's open pledges and offers, or
/// a station's stock of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supply {
    pub supplier: String,
    pub kind: SupplierKind,
    pub home: Place,
    pub reach: Reach,
    pub category: String,
    pub quantity: u32,
}

/// How far aid travels: same village, same town, elsewhere in the county.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Village,
    Town,
    County,
}

impl Tier {
    pub fn between(home: &Place, place: &Place) -> Tier {
        if !home.village.is_empty() && home.village == place.village {
            Tier::Village
        } else if !home.town.is_empty() && home.town == place.town {
            Tier::Town
        } else {
            Tier::County
        }
    }

    fn cost(self) -> i64 {
        match self {
            Tier::Village => 0,
            Tier::Town => 20,
            Tier::County => 50,
        }
    }
}

/// A campaign's matching instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub needs: Vec<Need>,
    pub supplies: Vec<Supply>,
}

/// `quantity` units of a need given by a supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub need: String,
    pub household: String,
    pub supplier: String,
    pub category: String,
    pub quantity: u32,
    pub tier: Tier,
    pub continuation: bool,
}

/// The optimal allocation, one explanation per need (in need id order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub assignments: Vec<Assignment>,
    pub explanations: Vec<NeedExplanation>,
    pub served_units: u64,
    pub unmet_units: u64,
    pub households_served: usize,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("need {need}: the quantity must be at least 1")]
    ZeroQuantity { need: String },
    #[error("need {need}: the priority must be at least 1")]
    ZeroPriority { need: String },
    #[error("need {need}: household {household} is placed in {place:?} by an earlier need")]
    HouseholdInTwoPlaces {
        need: String,
        household: String,
        place: Place,
    },
    #[error("need {need} appears twice")]
    DuplicateNeed { need: String },
    #[error("category {category}: the unit price must be at least 1 fen, {price} given")]
    BadPrice { category: String, price: i64 },
    #[error("the budget must not be negative, {budget} fen given")]
    NegativeBudget { budget: i64 },
    #[error("the instance is too large for the solver: {0}")]
    Solver(#[from] super::SolveError),
    #[error("the instance is too large for the network: {0}")]
    Network(#[from] super::NetworkError),
}

/// Solve the instance: the allocation that serves the most priority, locally, with its
/// explanations. Deterministic whatever the order of the input.
pub fn propose(instance: &Instance) -> Result<Proposal, ModelError> {
    let mut needs = instance.needs.clone();
    needs.sort_by(|a, b| a.id.cmp(&b.id));
    check_needs(&needs)?;
    let supplies = build::merge_supplies(&instance.supplies);
    let model = build::Model::new(&needs, &supplies)?;
    let solution = super::solve(&model.network)?;
    let assignments = model.assignments(&solution.flows);
    let explanations = explain::explain(&model, &solution.flows, &assignments);
    let served_units = assignments.iter().map(|a| u64::from(a.quantity)).sum();
    let total: u64 = needs.iter().map(|n| u64::from(n.quantity)).sum();
    let households: BTreeSet<&str> = assignments.iter().map(|a| a.household.as_str()).collect();
    Ok(Proposal {
        households_served: households.len(),
        served_units,
        unmet_units: total - served_units,
        explanations,
        assignments,
    })
}

fn check_needs(needs: &[Need]) -> Result<(), ModelError> {
    let mut places: BTreeMap<&str, &Place> = BTreeMap::new();
    for (index, need) in needs.iter().enumerate() {
        if need.quantity == 0 {
            return Err(ModelError::ZeroQuantity {
                need: need.id.clone(),
            });
        }
        if need.priority == 0 {
            return Err(ModelError::ZeroPriority {
                need: need.id.clone(),
            });
        }
        if let Some(first) = places.insert(&need.household, &need.place)
            && first != &need.place
        {
            return Err(ModelError::HouseholdInTwoPlaces {
                need: need.id.clone(),
                household: need.household.clone(),
                place: first.clone(),
            });
        }
        if index > 0 && needs[index - 1].id == need.id {
            return Err(ModelError::DuplicateNeed {
                need: need.id.clone(),
            });
        }
    }
    Ok(())
}
