//! Precise matching (精准匹配) over JSON: the proposed allocation of a running campaign's open
//! needs, with the reason for every need as a code and its parameters. County only (403
//! otherwise); nothing is saved.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use hearth_app::matching::{
    Category, MatchingView, NeedMatchView, ServedView, Supplier, SurplusView, UnmetView,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The matching routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(proposal))
}

#[derive(Serialize, ToSchema)]
pub struct MatchingOut {
    pub campaign_code: String,
    /// Open item and service needs of approved, consenting households.
    pub needs_considered: usize,
    pub served_units: u64,
    pub unmet_units: u64,
    pub households_served: usize,
    pub needs: Vec<NeedOut>,
}

#[derive(Serialize, ToSchema)]
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
