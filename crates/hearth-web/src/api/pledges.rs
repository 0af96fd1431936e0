//! Pairing pledges (结对帮扶承诺书) over JSON: draft from claimed needs, sign, cancel, read.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::pledges::{PledgeDraft, PledgeView};
use hearth_core::pledge::{LineInput, PledgeInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct PledgeHouseholdOut {
    pub id: String,
    pub town_name: String,
    pub village_name: String,
    /// In full for officers; surname and `*` for organizations and auditors.
    pub head_name: String,
    pub main_category: String,
}

#[derive(Serialize, ToSchema)]
pub struct PledgeOut {
    pub id: String,
    /// 承诺书编号, e.g. `2024-NDXD-P0001`.
    pub number: String,
    pub campaign_code: String,
    pub campaign_name: String,
    pub organization_id: String,
    pub organization_name: String,
    /// `one_to_one` or `one_to_many`
    pub mode: String,
    /// `door_to_door` or `through_town`
    pub delivery: String,
    pub deadline: String,
    pub witness_town: String,
    pub witness_village: String,
    /// `draft`, `signed`, `in_progress`, `fulfilled`, `lapsed` or `cancelled`, derived on the day asked.
    pub status: String,
    /// Past the deadline with lines still open (逾期).
    pub overdue: bool,
    pub lines_done: usize,
    /// Yuan with two decimals.
    pub cash: String,
    pub items_value: String,
    pub total: String,
    /// The amounts in Chinese capitals (壹拾叁万元整).
    pub cash_capitals: String,
    pub items_capitals: String,
    pub total_capitals: String,
    pub households: Vec<PledgeHouseholdOut>,
    /// Each line: cash, item × quantity × unit value, or a scheduled service, with `done`.
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<serde_json::Value>,
    pub cancel_reason: String,
}

impl From<&PledgeView> for PledgeOut {
    fn from(p: &PledgeView) -> Self {
        PledgeOut {
            id: p.id.to_string(),
            number: p.number.clone(),
            campaign_code: p.campaign_code.clone(),
            campaign_name: p.campaign_name.clone(),
            organization_id: p.organization_id.to_string(),
            organization_name: p.organization_name.clone(),
            mode: p.mode.as_str().to_owned(),
            delivery: p.delivery.as_str().to_owned(),
            deadline: p.deadline.to_string(),
            witness_town: p.witness_town.clone(),
            witness_village: p.witness_village.clone(),
            status: p.status.as_str().to_owned(),
            overdue: p.overdue,
            lines_done: p.lines_done,
            cash: p.totals.cash.yuan_string(),
            items_value: p.totals.items.yuan_string(),
            total: p.totals.total().yuan_string(),
            cash_capitals: p.cash_capitals.clone(),
            items_capitals: p.items_capitals.clone(),
            total_capitals: p.total_capitals.clone(),
            households: p
                .households
                .iter()
                .map(|h| PledgeHouseholdOut {
                    id: h.id.to_string(),
                    town_name: h.town_name.clone(),
                    village_name: h.village_name.clone(),
                    head_name: h.head_name.clone(),
                    main_category: h.main_category.clone(),
                })
                .collect(),
            lines: p
                .lines
                .iter()
                .map(|l| serde_json::to_value(l).unwrap_or_default())
                .collect(),
            cancel_reason: p.cancel_reason.clone(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct LineIn {
    /// The claimed need this line answers (its id), if any.
    pub need: String,
    /// `cash`, `item` or `service`
    pub kind: String,
    /// Yuan, for cash.
    pub cash: String,
    /// Catalogue code, quantity and unit value in yuan, for items.
    pub item: String,
    pub quantity: String,
    pub unit_value: String,
    /// For services: the service, first and last day, every N weeks or months, visits in all.
    pub service: String,
    pub starts_on: String,
    pub ends_on: String,
    pub every: String,
    pub every_unit: String,
    pub visits: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PledgeIn {
    /// Ids of needs your organization claimed; each becomes a line.
    pub needs: Vec<String>,
    /// The campaign's id or code.
    pub campaign: String,
    /// Household ids; left empty, those of the needs.
    pub households: Vec<String>,
    pub mode: String,
    pub delivery: String,
    /// Extra lines beside the needs.
    pub lines: Vec<LineIn>,
    pub deadline: String,
    pub witness_town: String,
    pub witness_village: String,
}

impl PledgeIn {
    fn draft(self, organization: String) -> PledgeDraft {
        let lines = self
            .lines
            .into_iter()
            .map(|l| LineInput {
                need: l.need,
                kind: l.kind,
                cash: l.cash,
                item: l.item,
                quantity: l.quantity,
                unit_value: l.unit_value,
                service: l.service,
                starts_on: l.starts_on,
                ends_on: l.ends_on,
                every: l.every,
                every_unit: l.every_unit,
                visits: l.visits,
            })
            .collect();
        PledgeDraft {
            needs: self.needs,
            pledge: PledgeInput {
                organization,
                campaign: self.campaign,
                households: self.households,
                mode: self.mode,
                delivery: self.delivery,
                lines,
                deadline: self.deadline,
                witness_town: self.witness_town,
                witness_village: self.witness_village,
            },
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CancelIn {
    pub reason: String,
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Pledges in the caller's scope (county all; towns and villages those touching their area;
/// organizations their own).
#[utoipa::path(get, path = "/pledges", tag = "pledges", responses((status = 200, body = Vec<PledgeOut>), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<PledgeOut>>, ApiError> {
    Ok(Json(
        state
            .app
            .pledges(&signed.caller)
            .await?
            .iter()
            .map(PledgeOut::from)
            .collect(),
    ))
}

/// Draft a pledge from needs your organization claimed (organization members).
#[utoipa::path(post, path = "/pledges", tag = "pledges", request_body = PledgeIn,
    responses((status = 201, body = PledgeOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<PledgeIn>,
) -> Result<(StatusCode, Json<PledgeOut>), ApiError> {
    let organization = signed
        .caller
        .user
        .organization_id
        .map(|id| id.to_string())
        .unwrap_or_default();
    let view = state
        .app
        .draft_pledge(&signed.caller, &body.draft(organization))
        .await?;
    Ok((StatusCode::CREATED, Json(PledgeOut::from(&view))))
}

/// One pledge with its derived status, overdue flag and amounts in capitals.
#[utoipa::path(get, path = "/pledges/{id}", tag = "pledges", params(("id" = String, Path)),
    responses((status = 200, body = PledgeOut), (status = 404, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<PledgeOut>, ApiError> {
    Ok(Json(PledgeOut::from(
        &state.app.pledge(&signed.caller, parse_id(&id)?).await?,
    )))
}

/// Sign a draft (a member of the pledging organization).
#[utoipa::path(post, path = "/pledges/{id}/sign", tag = "pledges", params(("id" = String, Path)),
    responses((status = 200, body = PledgeOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn sign(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<PledgeOut>, ApiError> {
    Ok(Json(PledgeOut::from(
        &state
            .app
            .sign_pledge(&signed.caller, parse_id(&id)?)
            .await?,
    )))
}

/// Cancel with a reason (the pledging organization or the county).
#[utoipa::path(post, path = "/pledges/{id}/cancel", tag = "pledges", params(("id" = String, Path)), request_body = CancelIn,
    responses((status = 200, body = PledgeOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<CancelIn>,
) -> Result<Json<PledgeOut>, ApiError> {
    Ok(Json(PledgeOut::from(
        &state
            .app
            .cancel_pledge(&signed.caller, parse_id(&id)?, &body.reason)
            .await?,
    )))
}
