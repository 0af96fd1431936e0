//! Identity resolution over JSON: run the duplicate search, read the review queue and a pair,
//! decide pairs (merge with maker-checker, not the same, later, unmerge), and the duplicate-aid
//! report of a campaign. County only (403 otherwise). Households appear masked.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use hearth_app::AppError;
use hearth_app::identity::{AidReport, Decision, HouseholdRef, PairSide, PairView, RunSummary};
use hearth_core::Invalid;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The identity routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run))
        .routes(routes!(queue))
        .routes(routes!(pair))
        .routes(routes!(decide))
        .routes(routes!(report))
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdRefOut {
    pub id: String,
    /// Surname and `*`.
    pub head_name: String,
    /// `340123********1234`.
    pub head_id: String,
    pub village_code: String,
}

impl From<HouseholdRef> for HouseholdRefOut {
    fn from(h: HouseholdRef) -> Self {
        HouseholdRefOut {
            id: h.id.to_string(),
            head_name: h.head_name,
            head_id: h.head_id,
            village_code: h.village_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunOut {
    pub records: usize,
    pub candidate_pairs: usize,
    pub keys_refreshed: usize,
    pub clusters: Vec<Vec<HouseholdRefOut>>,
    pub new_pairs: usize,
    pub open_pairs: usize,
    pub seconds: f64,
}

impl From<RunSummary> for RunOut {
    fn from(r: RunSummary) -> Self {
        RunOut {
            records: r.records,
            candidate_pairs: r.candidate_pairs,
            keys_refreshed: r.keys_refreshed,
            clusters: r
                .clusters
                .into_iter()
                .map(|c| c.into_iter().map(HouseholdRefOut::from).collect())
                .collect(),
            new_pairs: r.new_pairs,
            open_pairs: r.open_pairs,
            seconds: r.seconds,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SideOut {
    pub id: String,
    pub head_name: String,
    pub head_id: String,
    /// `*******1234`.
    pub phone: String,
    pub village_code: String,
    pub town_code: String,
    pub address: String,
    pub status: String,
    pub main_category: String,
    pub member_count: i64,
    pub members: Vec<String>,
}

impl From<PairSide> for SideOut {
    fn from(s: PairSide) -> Self {
        SideOut {
            id: s.id.to_string(),
            head_name: s.head_name,
            head_id: s.head_id,
            phone: s.phone,
            village_code: s.village_code,
            town_code: s.town_code,
            address: s.address,
            status: s.status,
            main_category: s.main_category,
            member_count: s.member_count,
            members: s.members,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PairOut {
    pub id: String,
    /// `open`, `later`, `not_same`, `merge_proposed` or `merged`.
    pub status: String,
    pub score: f64,
    /// Field → agreement level, e.g. `{"id_number": "two_edits_valid", "name": "same"}`.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub note: String,
    pub proposed_by: Option<String>,
    pub approved_by: Option<String>,
    pub version: i64,
    pub first: SideOut,
    pub second: SideOut,
}

impl From<PairView> for PairOut {
    fn from(p: PairView) -> Self {
        PairOut {
            id: p.id.to_string(),
            status: p.status,
            score: p.score,
            evidence: p.evidence,
            note: p.note,
            proposed_by: p.proposed_by.map(|u| u.to_string()),
            approved_by: p.approved_by.map(|u| u.to_string()),
            version: p.version,
            first: p.first.into(),
            second: p.second.into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RunIn {
    /// A campaign code: only pairs touching its households. Absent: the whole registry.
    pub campaign: Option<String>,
}

/// Finds likely duplicate households and queues the pairs not seen before.
#[utoipa::path(post, path = "/identity/runs", tag = "identity", request_body = RunIn,
    responses((status = 200, body = RunOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn run(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<RunIn>,
) -> Result<Json<RunOut>, ApiError> {
    let campaign = body.campaign.as_deref().filter(|c| !c.trim().is_empty());
    let summary = state.app.find_duplicates(&signed.caller, campaign).await?;
    Ok(Json(summary.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct QueueQuery {
    /// One status; absent: every pair still waiting (open, later, merge proposed).
    pub status: Option<String>,
}

/// The review queue, highest score first.
#[utoipa::path(get, path = "/identity/pairs", tag = "identity", params(QueueQuery),
    responses((status = 200, body = Vec<PairOut>), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<PairOut>>, ApiError> {
    let pairs = state
        .app
        .identity_queue(&signed.caller, query.status.as_deref())
        .await?;
    Ok(Json(pairs.into_iter().map(PairOut::from).collect()))
}

fn pair_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::from(AppError::NotFound))
}

/// One pair with both households side by side (masked).
#[utoipa::path(get, path = "/identity/pairs/{id}", tag = "identity",
    responses((status = 200, body = PairOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn pair(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<PairOut>, ApiError> {
    let pair = state
        .app
        .identity_pair(&signed.caller, pair_id(&id)?)
        .await?;
    Ok(Json(pair.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `not_same`, `later`, `propose_merge`, `approve_merge` (another reviewer than the one who
    /// proposed), `reject_merge` or `unmerge` (with a note).
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// Decides a pair.
#[utoipa::path(post, path = "/identity/pairs/{id}/decision", tag = "identity", request_body = DecisionIn,
    responses((status = 200, body = PairOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<DecisionIn>,
) -> Result<Json<PairOut>, ApiError> {
    let decision = Decision::parse(&body.decision).ok_or_else(|| {
        AppError::from(
            Invalid::new("decision", "identity.decision_unknown").arg("value", &body.decision),
        )
    })?;
    let pair = state
        .app
        .decide_pair(&signed.caller, pair_id(&id)?, decision, &body.note)
        .await?;
    Ok(Json(pair.into()))
}

#[derive(Serialize, ToSchema)]
pub struct AidSourceOut {
    /// `org:<id>`, `station:<code>` or `county`.
    pub source: String,
    pub source_name: String,
    /// `delivery`, `distribution`, `cash_aid` or `pledge`.
    pub paper: String,
    pub number: String,
    pub household_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct DoubledOut {
    pub households: Vec<HouseholdRefOut>,
    /// `cash`, `service` or `item:<code>`.
    pub category: String,
    pub category_name: String,
    pub sources: Vec<AidSourceOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AidReportOut {
    pub campaign_code: String,
    pub campaign_name: String,
    pub doubled: Vec<DoubledOut>,
    pub unreached: Vec<HouseholdRefOut>,
}

impl From<AidReport> for AidReportOut {
    fn from(r: AidReport) -> Self {
        AidReportOut {
            campaign_code: r.campaign_code,
            campaign_name: r.campaign_name,
            doubled: r
                .doubled
                .into_iter()
                .map(|d| DoubledOut {
                    households: d.households.into_iter().map(Into::into).collect(),
                    category: d.category,
                    category_name: d.category_name,
                    sources: d
                        .sources
                        .into_iter()
                        .map(|s| AidSourceOut {
                            source: s.source,
                            source_name: s.source_name,
                            paper: s.paper,
                            number: s.number,
                            household_id: s.household.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            unreached: r.unreached.into_iter().map(Into::into).collect(),
        }
    }
}

/// The duplicate-aid report of a campaign: the same category of aid from two or more sources
/// to one family, and approved households in need that received nothing.
#[utoipa::path(get, path = "/identity/campaigns/{code}/duplicate-aid", tag = "identity",
    responses((status = 200, body = AidReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Json<AidReportOut>, ApiError> {
    let report = state
        .app
        .duplicate_aid_report(&signed.caller, &code)
        .await?;
    Ok(Json(report.into()))
}
