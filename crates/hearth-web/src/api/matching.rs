//! Precise matching (精准匹配) over JSON: the proposed allocation of a running campaign's open
//! needs, with the reason for every need as a code and its parameters; accepting it (as
//! reviewed) into claims, pledge lines and transfer plans; and what a budget would buy for the
//! needs left over. County only (403 otherwise). An acceptance whose digest no longer matches
//! the current proposal is refused (409).

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use hearth_app::matching::{
    AcceptInput, AcceptLine, AcceptedView, CandidateView, Category, HouseholdMatchView,
    MatchingView, NeedMatchView, PlanView, ServedView, Supplier, SurplusView, UnmetView,
    WhatIfView,
};
use hearth_core::Fen;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The matching routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(proposal))
        .routes(routes!(accept))
        .routes(routes!(what_if))
}

#[derive(Serialize, ToSchema)]
pub struct MatchingOut {
    pub campaign_code: String,
    /// What the proposal was made from: send it back to accept the proposal.
    pub digest: String,
    /// Open item and service needs of approved, consenting households.
    pub needs_considered: usize,
    pub served_units: u64,
    pub unmet_units: u64,
    pub households_served: usize,
    pub needs: Vec<NeedOut>,
    /// The same needs by household.
    pub households: Vec<HouseholdOut>,
    /// Goods accepted earlier from stations for needs not yet handed over, as waybill drafts.
    pub plans: Vec<PlanOut>,
}

/// One household's share of the proposal.
#[derive(Serialize, ToSchema)]
#[schema(as = MatchingHouseholdOut)]
pub struct HouseholdOut {
    pub household_id: String,
    /// Masked unless you may see household details.
    pub head_name: String,
    pub town_name: String,
    pub village_name: String,
    pub score: i64,
    /// The numbers of its needs.
    pub needs: Vec<String>,
    pub served_units: u64,
    pub unmet_units: u64,
    /// Who gives it something.
    pub suppliers: Vec<String>,
    /// The reason codes of what stays unmet (see `NeedOut.unmet.code`).
    pub unmet_codes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    /// The station holding the goods (the county or a town code).
    pub from: String,
    pub from_name: String,
    /// The household's town station (the same as `from` for a town's own goods).
    pub to: String,
    pub to_name: String,
    pub item: CategoryOut,
    pub quantity: i64,
    /// The numbers of the needs the goods are for.
    pub needs: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = MatchingNeedOut)]
pub struct NeedOut {
    pub need_id: String,
    pub number: String,
    pub household_id: String,
    /// Masked unless you may see household details.
    pub head_name: String,
    pub town_name: String,
    pub village_name: String,
    pub category: CategoryOut,
    /// `normal`, `urgent` or `critical`.
    pub urgency: String,
    pub score: i64,
    /// Urgency first (1000 a step), then the vulnerability score.
    pub priority: u32,
    pub requested: u32,
    pub served: Vec<ServedOut>,
    pub unmet: Option<UnmetOut>,
    /// Who may give this need instead or as well (the proposed suppliers first, at most 20):
    /// each offers its category and reaches the household, as accepting requires.
    pub candidates: Vec<CandidateOut>,
}

/// A supplier that may give a need.
#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    pub supplier: SupplierOut,
    /// `village`, `town` or `county`: how far the aid would travel.
    pub tier: String,
    /// All the supplier has of the need's category.
    pub available: u32,
    /// What of that the proposal leaves unassigned.
    pub left: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryOut {
    /// An item code, or `service:<kind>`.
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub service: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SupplierOut {
    /// `org:<id>` or `station:<area code>`.
    pub key: String,
    /// `organization` or `station`.
    pub kind: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ServedOut {
    pub supplier: SupplierOut,
    pub quantity: u32,
    /// `village`, `town` or `county`.
    pub tier: String,
    /// The supplier helped this household last season.
    pub continuation: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UnmetOut {
    pub quantity: u32,
    /// `already_provided` (see `other_need`), `no_supply`, or `no_capacity` (in `town_name`,
    /// `reachable` units went to needs at least as urgent; `nearest` surplus elsewhere).
    pub code: String,
    pub other_need: Option<String>,
    pub town_name: String,
    pub reachable: u64,
    pub nearest: Option<SurplusOut>,
}

#[derive(Serialize, ToSchema)]
pub struct SurplusOut {
    pub supplier: SupplierOut,
    pub town_name: String,
    pub quantity: u32,
}

fn code_of(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn category(c: Category) -> CategoryOut {
    CategoryOut {
        code: c.code,
        name: c.name,
        name_en: c.name_en,
        service: c.service,
    }
}

fn supplier(s: Supplier) -> SupplierOut {
    SupplierOut {
        key: s.key,
        kind: code_of(s.kind),
        name: s.name,
    }
}

fn served(s: ServedView) -> ServedOut {
    ServedOut {
        supplier: supplier(s.supplier),
        quantity: s.quantity,
        tier: code_of(s.tier),
        continuation: s.continuation,
    }
}

fn candidate(c: CandidateView) -> CandidateOut {
    CandidateOut {
        supplier: supplier(c.supplier),
        tier: code_of(c.tier),
        available: c.available,
        left: c.left,
    }
}

fn surplus(s: SurplusView) -> SurplusOut {
    SurplusOut {
        supplier: supplier(s.supplier),
        town_name: s.town_name,
        quantity: s.quantity,
    }
}

fn unmet(u: UnmetView) -> UnmetOut {
    UnmetOut {
        quantity: u.quantity,
        code: u.code.to_owned(),
        other_need: u.other_need,
        town_name: u.town_name,
        reachable: u.reachable,
        nearest: u.nearest.map(surplus),
    }
}

fn need(n: NeedMatchView) -> NeedOut {
    NeedOut {
        need_id: n.need_id.to_string(),
        number: n.number,
        household_id: n.household_id.to_string(),
        head_name: n.head_name,
        town_name: n.town_name,
        village_name: n.village_name,
        category: category(n.category),
        urgency: n.urgency.as_str().to_owned(),
        score: n.score,
        priority: n.priority,
        requested: n.requested,
        served: n.served.into_iter().map(served).collect(),
        unmet: n.unmet.map(unmet),
        candidates: n.candidates.into_iter().map(candidate).collect(),
    }
}

impl From<MatchingView> for MatchingOut {
    fn from(v: MatchingView) -> Self {
        MatchingOut {
            campaign_code: v.campaign_code,
            needs_considered: v.needs_considered,
            served_units: v.served_units,
            unmet_units: v.unmet_units,
            households_served: v.households_served,
            needs: v.needs.into_iter().map(need).collect(),
            digest: v.digest,
            households: v.households.into_iter().map(household).collect(),
            plans: v.plans.into_iter().map(plan).collect(),
        }
    }
}

/// The proposed matching of a running campaign (code or id): who gives what to whom, and why
/// each need is met or not. County administrators only.
#[utoipa::path(get, path = "/campaigns/{code}/matching", tag = "campaigns",
    params(("code" = String, Path, description = "The campaign's code or id")),
    responses((status = 200, body = MatchingOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn proposal(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Json<MatchingOut>, ApiError> {
    let view = state.app.propose_matching(&signed.caller, &code).await?;
    Ok(Json(view.into()))
}

fn household(h: HouseholdMatchView) -> HouseholdOut {
    HouseholdOut {
        household_id: h.household_id.to_string(),
        head_name: h.head_name,
        town_name: h.town_name,
        village_name: h.village_name,
        score: h.score,
        needs: h.needs,
        served_units: h.served_units,
        unmet_units: h.unmet_units,
        suppliers: h.suppliers,
        unmet_codes: h.unmet_codes.into_iter().map(str::to_owned).collect(),
    }
}

fn plan(p: PlanView) -> PlanOut {
    PlanOut {
        from: p.from,
        from_name: p.from_name,
        to: p.to,
        to_name: p.to_name,
        item: category(p.item),
        quantity: p.quantity,
        needs: p.needs,
    }
}

/// The proposal as reviewed.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AcceptIn {
    /// The `digest` of the proposal reviewed.
    pub digest: String,
    /// The lines kept, changed (quantity or supplier), dropped or added (a need may be split
    /// across suppliers, or an unmet one given by hand); leave out to accept the proposal as it
    /// stands. Every line is checked: the need open, the supplier offering its category and
    /// reaching the household, within what the supplier has and what the household may receive.
    pub lines: Option<Vec<AcceptLineIn>>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AcceptLineIn {
    pub need_id: Uuid,
    /// `org:<id>` or `station:<area code>`, as the proposal names suppliers.
    pub supplier: String,
    pub quantity: u32,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedOut {
    pub acceptance_id: String,
    pub campaign_code: String,
    pub claims: Vec<ClaimOut>,
    pub transfers: Vec<TransferOut>,
    /// Households given something by this acceptance.
    pub households: usize,
}

/// A need claimed by an organization under its pledge.
#[derive(Serialize, ToSchema)]
pub struct ClaimOut {
    pub need_id: String,
    pub number: String,
    pub organization: SupplierOut,
    /// The pledge (or pledges) whose lines now answer the need.
    pub pledge_number: String,
    pub quantity: u32,
}

/// Goods of a station planned for a need.
#[derive(Serialize, ToSchema)]
pub struct TransferOut {
    pub need_id: String,
    pub number: String,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub item: CategoryOut,
    pub quantity: i64,
}

impl From<AcceptedView> for AcceptedOut {
    fn from(v: AcceptedView) -> Self {
        AcceptedOut {
            acceptance_id: v.acceptance_id.to_string(),
            campaign_code: v.campaign_code,
            claims: v
                .claims
                .into_iter()
                .map(|c| ClaimOut {
                    need_id: c.need_id.to_string(),
                    number: c.number,
                    organization: supplier(c.organization),
                    pledge_number: c.pledge_number,
                    quantity: c.quantity,
                })
                .collect(),
            transfers: v
                .transfers
                .into_iter()
                .map(|t| TransferOut {
                    need_id: t.need_id.to_string(),
                    number: t.number,
                    from: t.from,
                    from_name: t.from_name,
                    to: t.to,
                    to_name: t.to_name,
                    item: category(t.item),
                    quantity: t.quantity,
                })
                .collect(),
            households: v.households,
        }
    }
}

/// Accepts the proposal as reviewed, in one transaction: lines given by organizations become
/// their claims under their pledges, lines given by stations become transfer plans. Refused
/// (409) if the needs, pledges or stock changed since the proposal with `digest` was made.
#[utoipa::path(post, path = "/campaigns/{code}/matching/accept", tag = "campaigns",
    params(("code" = String, Path, description = "The campaign's code or id")),
    request_body = AcceptIn,
    responses((status = 200, body = AcceptedOut), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Json(body): Json<AcceptIn>,
) -> Result<Json<AcceptedOut>, ApiError> {
    let input = AcceptInput {
        digest: body.digest,
        lines: body.lines.map(|lines| {
            lines
                .into_iter()
                .map(|l| AcceptLine {
                    need_id: l.need_id,
                    supplier: l.supplier,
                    quantity: l.quantity,
                })
                .collect()
        }),
    };
    let view = state
        .app
        .accept_matching(&signed.caller, &code, &input)
        .await?;
    Ok(Json(view.into()))
}

/// A budget and, optionally, unit prices.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct WhatIfIn {
    /// Yuan, e.g. `130000`.
    pub budget: String,
    /// Yuan per unit by item code (or `service:<kind>`); the catalogue's reference prices
    /// stand for the rest.
    pub prices: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct WhatIfOut {
    /// Yuan.
    pub budget: String,
    pub spent: String,
    pub lines: Vec<PurchaseOut>,
    pub needs_covered: usize,
    pub households_reached: usize,
    pub unmet_units_after: u64,
    /// Priority points covered: each unit bought counts its need's priority.
    pub priority_covered: u64,
    /// No purchase within the budget could cover more than this.
    pub priority_bound: u64,
    /// The plan is proven optimal; `false` when prices had to be coarsened.
    pub exact: bool,
    /// Categories with unmet needs but no price.
    pub unpriced: Vec<CategoryOut>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = MatchingPurchaseOut)]
pub struct PurchaseOut {
    pub category: CategoryOut,
    pub quantity: u32,
    /// Yuan.
    pub unit_price: String,
    pub total: String,
}

impl From<WhatIfView> for WhatIfOut {
    fn from(v: WhatIfView) -> Self {
        WhatIfOut {
            budget: v.budget.yuan_string(),
            spent: v.spent.yuan_string(),
            lines: v
                .lines
                .into_iter()
                .map(|l| PurchaseOut {
                    category: category(l.category),
                    quantity: l.quantity,
                    unit_price: l.unit_price.yuan_string(),
                    total: l.total.yuan_string(),
                })
                .collect(),
            needs_covered: v.needs_covered,
            households_reached: v.households_reached,
            unmet_units_after: v.unmet_units_after,
            priority_covered: v.priority_covered,
            priority_bound: v.priority_bound,
            exact: v.exact,
            unpriced: v.unpriced.into_iter().map(category).collect(),
        }
    }
}

/// What a budget would buy for the needs the proposal leaves unmet: the purchase mix covering
/// the most priority-weighted units, and the households it reaches. Nothing is saved.
#[utoipa::path(post, path = "/campaigns/{code}/matching/what-if", tag = "campaigns",
    params(("code" = String, Path, description = "The campaign's code or id")),
    request_body = WhatIfIn,
    responses((status = 200, body = WhatIfOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn what_if(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    Json(body): Json<WhatIfIn>,
) -> Result<Json<WhatIfOut>, ApiError> {
    let budget = Fen::parse_yuan(&body.budget, "budget")?;
    let mut prices = BTreeMap::new();
    for (item, price) in &body.prices {
        let field = format!("prices.{item}");
        let fen = Fen::parse_yuan(price, &field)?;
        prices.insert(item.clone(), fen);
    }
    let view = state
        .app
        .matching_what_if(&signed.caller, &code, budget, &prices)
        .await?;
    Ok(Json(view.into()))
}
