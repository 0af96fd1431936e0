//! The proposal as pages and the API show it: ids turned into names, household names masked
//! unless the caller may see them, every explanation a code with its parameters.

use std::collections::{BTreeMap, HashMap};

use hearth_core::Fen;
use hearth_core::need::{Item, Urgency};
use hearth_engine::flow::model::{
    self, NeedExplanation, Proposal, Served, SupplierKind, Surplus, Tier, UnmetReason, WhatIf,
};
use hearth_store::Tx;
use hearth_store::matching::TransferPlan;
use hearth_store::needs::{self, NeedFilter};
use hearth_store::organizations::PageRequest;
use serde::Serialize;
use uuid::Uuid;

use super::candidates::Candidates;
use super::instance::Loaded;
use crate::distributions::shown;
use crate::{Caller, Result};

#[derive(Debug, Clone, Serialize)]
pub struct MatchingView {
    pub campaign_code: String,
    /// What the proposal was made from; accepting it needs this back.
    pub digest: String,
    pub needs_considered: usize,
    pub served_units: u64,
    pub unmet_units: u64,
    pub households_served: usize,
    pub needs: Vec<NeedMatchView>,
    /// The same needs by household: what each household gets, from whom, and what stays unmet.
    pub households: Vec<HouseholdMatchView>,
    /// Goods accepted earlier from stations for needs not yet handed over, as waybill drafts.
    pub plans: Vec<PlanView>,
}

/// One household's share of the proposal: its needs (by number), the units proposed and left
/// unmet, who gives them, and the reason codes of what stays unmet.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdMatchView {
    pub household_id: Uuid,
    pub head_name: String,
    pub town_name: String,
    pub village_name: String,
    pub score: i64,
    pub needs: Vec<String>,
    pub served_units: u64,
    pub unmet_units: u64,
    pub suppliers: Vec<String>,
    pub unmet_codes: Vec<&'static str>,
}

/// A waybill draft from accepted proposals: `from` sends `quantity` of an item to `to` (the
/// same station when a town station hands out its own goods) for the listed needs.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub item: Category,
    pub quantity: i64,
    pub needs: Vec<String>,
}

/// One need, what it gets and why.
#[derive(Debug, Clone, Serialize)]
pub struct NeedMatchView {
    pub need_id: Uuid,
    pub number: String,
    pub household_id: Uuid,
    pub head_name: String,
    pub town_name: String,
    pub village_name: String,
    pub category: Category,
    pub urgency: Urgency,
    pub score: i64,
    pub priority: u32,
    pub requested: u32,
    pub served: Vec<ServedView>,
    pub unmet: Option<UnmetView>,
    /// Who the reviewer may choose to give this need instead or as well (the proposed
    /// suppliers first): each offers its category and reaches the household.
    pub candidates: Vec<CandidateView>,
}

/// A supplier that may give a need: how far the aid would travel, all it has of the need's
/// category, and what of that the proposal leaves unassigned.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    pub supplier: Supplier,
    pub tier: Tier,
    pub available: u32,
    pub left: u32,
}

/// What is asked or given: a catalogue item (with its names) or a service (its code).
#[derive(Debug, Clone, Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub service: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Supplier {
    pub key: String,
    pub kind: SupplierKind,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServedView {
    pub supplier: Supplier,
    pub quantity: u32,
    /// `village`, `town` or `county`: how far the aid travels.
    pub tier: Tier,
    /// The supplier helped this household last season.
    pub continuation: bool,
}

/// Why (part of) a need stays unmet: `code` is `already_provided` (`other_need` names the
/// need that gives it), `no_supply` (nobody offers the category) or `no_capacity` (what
/// reaches `town_name`, `reachable` units, went to needs at least as urgent; `nearest` is the
/// nearest left-over elsewhere).
#[derive(Debug, Clone, Serialize)]
pub struct UnmetView {
    pub quantity: u32,
    pub code: &'static str,
    pub other_need: Option<String>,
    pub town_name: String,
    pub reachable: u64,
    pub nearest: Option<SurplusView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SurplusView {
    pub supplier: Supplier,
    pub town_name: String,
    pub quantity: u32,
}

/// What the budget would buy: lines per category, and who it reaches.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIfView {
    pub budget: Fen,
    pub spent: Fen,
    pub lines: Vec<PurchaseView>,
    pub needs_covered: usize,
    pub households_reached: usize,
    pub unmet_units_after: u64,
    /// Priority points covered (each unit counts its need's priority).
    pub priority_covered: u64,
    /// No purchase within the budget could cover more than this.
    pub priority_bound: u64,
    /// The plan is proven optimal; otherwise prices were coarsened to fit the table.
    pub exact: bool,
    /// Categories with unmet needs but no reference price in the catalogue.
    pub unpriced: Vec<Category>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseView {
    pub category: Category,
    pub quantity: u32,
    pub unit_price: Fen,
    pub total: Fen,
}

/// Names of areas, items and suppliers.
pub(super) struct Names<'a> {
    pub areas: HashMap<String, String>,
    pub items: HashMap<String, Item>,
    pub loaded: &'a Loaded,
}

impl Names<'_> {
    pub fn area(&self, code: &str) -> String {
        self.areas
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn category(&self, code: &str) -> Category {
        if let Some(service) = code.strip_prefix("service:") {
            return Category {
                code: code.to_owned(),
                name: String::new(),
                name_en: String::new(),
                service: Some(service.to_owned()),
            };
        }
        let item = self.items.get(code);
        Category {
            code: code.to_owned(),
            name: item.map_or_else(|| code.to_owned(), |i| i.name.clone()),
            name_en: item.map_or_else(|| code.to_owned(), |i| i.name_en.clone()),
            service: None,
        }
    }

    pub fn supplier(&self, key: &str, kind: SupplierKind) -> Supplier {
        let name = match key.split_once(':') {
            Some(("org", id)) => Uuid::parse_str(id)
                .ok()
                .and_then(|id| self.loaded.organizations.get(&id))
                .map_or_else(|| key.to_owned(), |o| o.profile.name.clone()),
            Some(("station", code)) => self.area(code),
            _ => key.to_owned(),
        };
        Supplier {
            key: key.to_owned(),
            kind,
            name,
        }
    }

    pub fn kind_of(&self, key: &str) -> SupplierKind {
        if key.starts_with("station:") {
            SupplierKind::Station
        } else {
            SupplierKind::Organization
        }
    }
}

pub(super) fn matching_view(
    caller: &Caller,
    names: &Names,
    campaign_code: &str,
    proposal: &Proposal,
) -> MatchingView {
    let choices = Choices::new(names, proposal);
    let needs: Vec<NeedMatchView> = proposal
        .explanations
        .iter()
        .filter_map(|e| need_view(caller, names, &choices, e))
        .collect();
    let households = household_views(&needs);
    MatchingView {
        campaign_code: campaign_code.to_owned(),
        digest: String::new(),
        plans: Vec::new(),
        households,
        needs_considered: proposal.explanations.len(),
        served_units: proposal.served_units,
        unmet_units: proposal.unmet_units,
        households_served: proposal.households_served,
        needs,
    }
}

fn household_views(needs: &[NeedMatchView]) -> Vec<HouseholdMatchView> {
    let mut out: Vec<HouseholdMatchView> = Vec::new();
    let mut index: HashMap<Uuid, usize> = HashMap::new();
    for n in needs {
        let at = *index.entry(n.household_id).or_insert_with(|| {
            out.push(HouseholdMatchView {
                household_id: n.household_id,
                head_name: n.head_name.clone(),
                town_name: n.town_name.clone(),
                village_name: n.village_name.clone(),
                score: n.score,
                needs: Vec::new(),
                served_units: 0,
                unmet_units: 0,
                suppliers: Vec::new(),
                unmet_codes: Vec::new(),
            });
            out.len() - 1
        });
        let h = &mut out[at];
        h.needs.push(n.number.clone());
        for s in &n.served {
            h.served_units += u64::from(s.quantity);
            if !h.suppliers.contains(&s.supplier.name) {
                h.suppliers.push(s.supplier.name.clone());
            }
        }
        if let Some(u) = &n.unmet {
            h.unmet_units += u64::from(u.quantity);
            if !h.unmet_codes.contains(&u.code) {
                h.unmet_codes.push(u.code);
            }
        }
    }
    out
}

/// The candidates of every need, with the suppliers' names looked up once.
struct Choices<'a> {
    index: Candidates,
    needs: HashMap<&'a str, &'a model::Need>,
    suppliers: HashMap<&'a str, Supplier>,
}

impl<'a> Choices<'a> {
    fn new(names: &Names<'a>, proposal: &Proposal) -> Choices<'a> {
        let loaded: &'a Loaded = names.loaded;
        let instance = &loaded.instance;
        let mut suppliers = HashMap::new();
        for s in &instance.supplies {
            suppliers
                .entry(s.supplier.as_str())
                .or_insert_with(|| names.supplier(&s.supplier, s.kind));
        }
        Choices {
            index: Candidates::new(instance, proposal),
            needs: instance.needs.iter().map(|n| (n.id.as_str(), n)).collect(),
            suppliers,
        }
    }

    fn of(&self, e: &NeedExplanation) -> Vec<CandidateView> {
        let Some(need) = self.needs.get(e.need.as_str()) else {
            return Vec::new();
        };
        let proposed: Vec<&str> = e.served.iter().map(|s| s.supplier.as_str()).collect();
        self.index
            .for_need(need, &proposed)
            .into_iter()
            .filter_map(|c| {
                Some(CandidateView {
                    supplier: self.suppliers.get(c.supply.supplier.as_str())?.clone(),
                    tier: c.tier,
                    available: c.supply.quantity,
                    left: c.left,
                })
            })
            .collect()
    }
}

fn need_view(
    caller: &Caller,
    names: &Names,
    choices: &Choices,
    e: &NeedExplanation,
) -> Option<NeedMatchView> {
    let row = names.loaded.needs.get(&e.need)?;
    let household = names.loaded.households.get(&row.household_id)?;
    Some(NeedMatchView {
        need_id: row.id,
        number: row.number.clone(),
        household_id: row.household_id,
        head_name: shown(caller, &household.head_name),
        town_name: names.area(row.town.as_str()),
        village_name: names.area(row.village.as_str()),
        category: names.category(&e.category),
        urgency: row.urgency,
        score: household.score,
        priority: e.priority,
        requested: e.requested,
        served: e.served.iter().map(|s| served_view(names, s)).collect(),
        unmet: e
            .unmet
            .as_ref()
            .map(|u| unmet_view(names, u.quantity, &u.reason)),
        candidates: choices.of(e),
    })
}

fn served_view(names: &Names, served: &Served) -> ServedView {
    ServedView {
        supplier: names.supplier(&served.supplier, names.kind_of(&served.supplier)),
        quantity: served.quantity,
        tier: served.tier,
        continuation: served.continuation,
    }
}

fn unmet_view(names: &Names, quantity: u32, reason: &UnmetReason) -> UnmetView {
    let mut view = UnmetView {
        quantity,
        code: "no_supply",
        other_need: None,
        town_name: String::new(),
        reachable: 0,
        nearest: None,
    };
    match reason {
        UnmetReason::AlreadyProvided { need } => {
            view.code = "already_provided";
            view.other_need = names.loaded.needs.get(need).map(|n| n.number.clone());
        }
        UnmetReason::NoSupply { .. } => {}
        UnmetReason::NoCapacity {
            town,
            reachable,
            nearest,
            ..
        } => {
            view.code = "no_capacity";
            view.town_name = names.area(town);
            view.reachable = *reachable;
            view.nearest = nearest.as_ref().map(|s| surplus_view(names, s));
        }
    }
    view
}

fn surplus_view(names: &Names, surplus: &Surplus) -> SurplusView {
    SurplusView {
        supplier: names.supplier(&surplus.supplier, surplus.kind),
        town_name: names.area(&surplus.town),
        quantity: surplus.quantity,
    }
}

pub(super) fn what_if_view(names: &Names, plan: &WhatIf) -> WhatIfView {
    WhatIfView {
        budget: Fen::new(plan.budget),
        spent: Fen::new(plan.spent),
        lines: plan
            .lines
            .iter()
            .map(|l| PurchaseView {
                category: names.category(&l.category),
                quantity: l.quantity,
                unit_price: Fen::new(l.unit_price),
                total: Fen::new(l.total),
            })
            .collect(),
        needs_covered: plan.covered.len(),
        households_reached: plan.households_reached,
        unmet_units_after: plan.unmet_units_after,
        priority_covered: plan.priority_covered,
        priority_bound: plan.priority_bound,
        exact: plan.exact,
        unpriced: plan.unpriced.iter().map(|c| names.category(c)).collect(),
    }
}

/// The open transfer plans grouped into waybill drafts: one per station, destination and item.
pub(super) async fn plan_views(
    tx: &mut Tx,
    names: &Names<'_>,
    plans: &[TransferPlan],
) -> Result<Vec<PlanView>> {
    let filter = NeedFilter {
        ids: Some(plans.iter().map(|p| p.need_id).collect()),
        ..NeedFilter::default()
    };
    let numbers: HashMap<Uuid, String> = if plans.is_empty() {
        HashMap::new()
    } else {
        let (rows, _) = needs::search(tx, &filter, PageRequest::all()).await?;
        rows.into_iter().map(|r| (r.id, r.number)).collect()
    };
    let mut grouped: BTreeMap<(&str, &str, &str), (i64, Vec<String>)> = BTreeMap::new();
    for plan in plans {
        let entry = grouped
            .entry((plan.from.as_str(), plan.to.as_str(), plan.item.as_str()))
            .or_default();
        entry.0 += plan.quantity;
        entry.1.extend(numbers.get(&plan.need_id).cloned());
    }
    Ok(grouped
        .into_iter()
        .map(|((from, to, item), (quantity, mut needs))| {
            needs.sort();
            needs.dedup();
            PlanView {
                from: from.to_owned(),
                from_name: names.area(from),
                to: to.to_owned(),
                to_name: names.area(to),
                item: names.category(item),
                quantity,
                needs,
            }
        })
        .collect())
}
