//! The books over JSON: a campaign's reconciliation (对账) — totals with both identities, per
//! donor designation, per donating organization and per stock station — the reallocation of a
//! designated donation with the donor's consent (变更用途), and the correction of a donation or
//! purchase by reversal (冲销). Households are never named here.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::corrections::CorrectionView;
use hearth_app::reallocations::ReallocationView;
use hearth_app::reconciliation::{ReconciliationFilter, ReconciliationView, Slice};
use hearth_core::donation::correction::CorrectionInput;
use hearth_core::donation::reallocation::ReallocationInput;
use hearth_core::ledger::{Flow, Reconciliation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reconciliation))
        .routes(routes!(reallocate))
        .routes(routes!(correct_donation))
        .routes(routes!(correct_purchase))
}

/// Totals of one slice of the books; amounts in yuan.
#[derive(Serialize, ToSchema)]
pub struct TotalsOut {
    pub raised_cash: String,
    /// Goods donated, at their valuation.
    pub raised_in_kind: String,
    pub purchases: String,
    pub cash_aid: String,
    /// Purchases and cash aid.
    pub spent: String,
    pub cash_on_hand: String,
    pub stock_on_hand: String,
    /// Goods handed to households, net of returns.
    pub delivered: String,
    pub losses: String,
    pub households_reached: usize,
}

impl From<&Reconciliation> for TotalsOut {
    fn from(r: &Reconciliation) -> Self {
        TotalsOut {
            raised_cash: r.raised_cash.yuan_string(),
            raised_in_kind: r.raised_in_kind.yuan_string(),
            purchases: r.purchases.yuan_string(),
            cash_aid: r.cash_aid.yuan_string(),
            spent: r.spent().yuan_string(),
            cash_on_hand: r.cash_on_hand.yuan_string(),
            stock_on_hand: r.stock_on_hand.yuan_string(),
            delivered: r.delivered.yuan_string(),
            losses: r.losses.yuan_string(),
            households_reached: r.households_reached,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SliceOut {
    /// `campaign`, `town`, `pledge` or `household` for a designation; `organization` for a donor.
    pub kind: String,
    /// The town, the pledge's number or the organization; empty for the campaign at large and
    /// for a household (never named).
    pub label: String,
    pub totals: TotalsOut,
}

impl From<&Slice> for SliceOut {
    fn from(s: &Slice) -> Self {
        SliceOut {
            kind: s.kind.to_owned(),
            label: s.label.clone(),
            totals: TotalsOut::from(&s.totals),
        }
    }
}

/// Units (of every item together) and yuan.
#[derive(Serialize, ToSchema)]
pub struct FlowOut {
    pub quantity: i64,
    pub value: String,
}

fn flow(f: Flow) -> FlowOut {
    FlowOut {
        quantity: f.quantity,
        value: f.value.yuan_string(),
    }
}

/// What came into and went out of one station.
#[derive(Serialize, ToSchema)]
pub struct StationFlowsOut {
    pub station: String,
    pub name: String,
    pub received: FlowOut,
    pub purchased: FlowOut,
    pub transferred_in: FlowOut,
    pub transferred_out: FlowOut,
    pub delivered: FlowOut,
    pub lost: FlowOut,
    pub on_hand: FlowOut,
}

#[derive(Serialize, ToSchema)]
pub struct ReconciliationOut {
    pub campaign_id: String,
    pub campaign_code: String,
    pub campaign_name: String,
    /// The ledger's head when the figures were read: its last record and digest.
    pub head_seq: i64,
    pub head_digest: String,
    pub totals: TotalsOut,
    /// raised cash = spent + cash on hand.
    pub cash_balances: bool,
    /// raised in kind + purchases = delivered + stock on hand + losses.
    pub materials_balance: bool,
    pub designations: Vec<SliceOut>,
    pub organizations: Vec<SliceOut>,
    pub stations: Vec<StationFlowsOut>,
}

impl From<&ReconciliationView> for ReconciliationOut {
    fn from(v: &ReconciliationView) -> Self {
        ReconciliationOut {
            campaign_id: v.campaign_id.to_string(),
            campaign_code: v.campaign_code.clone(),
            campaign_name: v.campaign_name.clone(),
            head_seq: v.head.seq,
            head_digest: v.head.digest.clone(),
            totals: TotalsOut::from(&v.totals),
            cash_balances: v.cash_balances,
            materials_balance: v.materials_balance,
            designations: v.designations.iter().map(SliceOut::from).collect(),
            organizations: v.organizations.iter().map(SliceOut::from).collect(),
            stations: v
                .stations
                .iter()
                .map(|s| StationFlowsOut {
                    station: s.station.as_str().to_owned(),
                    name: s.name.clone(),
                    received: flow(s.flows.received()),
                    purchased: flow(s.flows.purchased()),
                    transferred_in: flow(s.flows.transferred_in()),
                    transferred_out: flow(s.flows.transferred_out()),
                    delivered: flow(s.flows.delivered()),
                    lost: flow(s.flows.lost()),
                    on_hand: flow(s.flows.on_hand()),
                })
                .collect(),
        }
    }
}

/// What the slices of a reconciliation are narrowed to; the campaign's totals stay whole.
#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationParams {
    /// Only this station (the county's or a town's area code) in `stations`.
    pub station: String,
    /// Only this donating organization (its id) in `organizations`.
    pub organization: String,
    /// Only designations of this kind: `campaign`, `town`, `pledge` or `household`.
    pub designation: String,
}

/// A campaign's reconciliation (by id or code): raised, spent, on hand, delivered and
/// households reached for the campaign, per designation, per donating organization and per
/// station, with both identities checked (county, towns and auditors). The filters narrow
/// the slices (422 naming a filter that is not well formed).
#[utoipa::path(get, path = "/campaigns/{campaign}/reconciliation", tag = "ledger", params(("campaign" = String, Path, description = "A campaign id or code"), ReconciliationParams),
    responses((status = 200, body = ReconciliationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn reconciliation(
    State(state): State<AppState>,
    signed: Signed,
    Path(campaign): Path<String>,
    Query(q): Query<ReconciliationParams>,
) -> Result<Json<ReconciliationOut>, ApiError> {
    let filter = ReconciliationFilter {
        station: q.station,
        organization: q.organization,
        designation: q.designation,
    };
    let view = state
        .app
        .reconciliation(&signed.caller, &campaign, &filter)
        .await?;
    Ok(Json(ReconciliationOut::from(&view)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReallocationIn {
    /// The new designation: `campaign`, `town`, `pledge` or `household`.
    pub to: String,
    /// The town (code or name), pledge (number) or household (id) it names; blank for the
    /// campaign.
    pub to_target: String,
    /// Yuan.
    pub amount: String,
    /// Who agreed for the donor.
    pub consent_who: String,
    /// How they agreed (书面同意函, 电话录音 …).
    pub consent_how: String,
    /// `2024-12-20`; not in the future.
    pub consent_on: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReallocationOut {
    pub id: String,
    /// 变更单号, e.g. `BG-NDXD-DEMO-0001`.
    pub number: String,
    pub from: String,
    pub from_target: String,
    pub to: String,
    pub to_target: String,
    /// Yuan.
    pub amount: String,
    pub consent_who: String,
    pub consent_how: String,
    pub consent_on: String,
    pub note: String,
    pub first_seq: i64,
}

impl From<&ReallocationView> for ReallocationOut {
    fn from(r: &ReallocationView) -> Self {
        ReallocationOut {
            id: r.id.to_string(),
            number: r.number.clone(),
            from: r.from.designation.to_string(),
            from_target: r.from.target.clone(),
            to: r.to.designation.to_string(),
            to_target: r.to.target.clone(),
            amount: r.amount.yuan_string(),
            consent_who: r.consent_who.clone(),
            consent_how: r.consent_how.clone(),
            consent_on: r.consent_on.to_string(),
            note: r.note.clone(),
            first_seq: r.first_seq,
        }
    }
}

/// 变更用途: moves part or all of a designated cash donation's money to another designation
/// with the donor's consent (county only). More than the donation has left, or than its
/// designation still holds, is refused (422 on `amount`, naming what is available).
#[utoipa::path(post, path = "/donations/{id}/reallocations", tag = "donations", params(("id" = String, Path, description = "The donation's id or number")), request_body = ReallocationIn,
    responses((status = 201, body = ReallocationOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn reallocate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReallocationIn>,
) -> Result<(StatusCode, Json<ReallocationOut>), ApiError> {
    let input = ReallocationInput {
        donation: id,
        to: body.to,
        to_target: body.to_target,
        amount: body.amount,
        consent_who: body.consent_who,
        consent_how: body.consent_how,
        consent_on: body.consent_on,
        note: body.note,
    };
    let view = state.app.reallocate(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(ReallocationOut::from(&view))))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CorrectionIn {
    /// Why the record was wrong.
    pub reason: String,
    /// The day the reversal is booked, `2024-12-20`; not in the future.
    pub corrected_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionOut {
    pub corrected_on: String,
    pub reason: String,
    pub recorded_by: String,
    /// The first reversing record in the ledger.
    pub first_seq: i64,
}

impl From<&CorrectionView> for CorrectionOut {
    fn from(c: &CorrectionView) -> Self {
        CorrectionOut {
            corrected_on: c.corrected_on.to_string(),
            reason: c.reason.clone(),
            recorded_by: c.recorded_by.clone(),
            first_seq: c.first_seq,
        }
    }
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

fn correction(body: CorrectionIn) -> CorrectionInput {
    CorrectionInput {
        reason: body.reason,
        corrected_on: body.corrected_on,
    }
}

/// 冲销: reverses every ledger record of a donation, for a reason (county only); nothing is
/// edited. A donation whose money or goods have gone on is refused (422) naming what is left;
/// a second correction is 409.
#[utoipa::path(post, path = "/donations/{id}/correction", tag = "donations", params(("id" = String, Path)), request_body = CorrectionIn,
    responses((status = 201, body = CorrectionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn correct_donation(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<CorrectionIn>,
) -> Result<(StatusCode, Json<CorrectionOut>), ApiError> {
    let view = state
        .app
        .correct_donation(&signed.caller, parse_id(&id)?, &correction(body))
        .await?;
    Ok((StatusCode::CREATED, Json(CorrectionOut::from(&view))))
}

/// 冲销: reverses every ledger record of a purchase, for a reason (county only).
#[utoipa::path(post, path = "/purchases/{id}/correction", tag = "purchases", params(("id" = String, Path)), request_body = CorrectionIn,
    responses((status = 201, body = CorrectionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn correct_purchase(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<CorrectionIn>,
) -> Result<(StatusCode, Json<CorrectionOut>), ApiError> {
    let view = state
        .app
        .correct_purchase(&signed.caller, parse_id(&id)?, &correction(body))
        .await?;
    Ok((StatusCode::CREATED, Json(CorrectionOut::from(&view))))
}
