//! Campaigns and enrolment over JSON.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::campaigns::{CampaignRecord, EnrolmentRecord};
use hearth_core::campaign::{CampaignAction, CampaignInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: String,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub starts_on: String,
    pub ends_on: String,
    /// Service-field codes (`elderly`, `poverty`, `children` …).
    pub focus_fields: Vec<String>,
    pub target_households: u32,
    /// Yuan with two decimals.
    pub target_cash: String,
    pub target_items: u32,
    pub arrangements: String,
    /// `planned`, `launched`, `closed` or `disclosed`
    pub status: String,
    pub version: i64,
}

impl From<&CampaignRecord> for CampaignOut {
    fn from(c: &CampaignRecord) -> Self {
        let p = &c.profile;
        CampaignOut {
            id: c.id.to_string(),
            code: p.code.clone(),
            name: p.name.clone(),
            year: p.year,
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            focus_fields: p
                .focus_fields
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            target_households: p.target_households,
            target_cash: p.target_cash.yuan_string(),
            target_items: p.target_items,
            arrangements: p.arrangements.clone(),
            status: c.status.as_str().to_owned(),
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnrolmentOut {
    pub organization_id: String,
    /// 第 n 批; none while an application waits.
    pub batch: Option<u32>,
    /// `applied`, `enrolled` or `rejected`
    pub status: String,
}

impl From<&EnrolmentRecord> for EnrolmentOut {
    fn from(e: &EnrolmentRecord) -> Self {
        EnrolmentOut {
            organization_id: e.organization_id.to_string(),
            batch: e.batch,
            status: e.status.as_str().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetail {
    pub campaign: CampaignOut,
    pub enrolments: Vec<EnrolmentOut>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CampaignIn {
    pub code: String,
    pub name: String,
    pub year: String,
    pub starts_on: String,
    pub ends_on: String,
    pub focus_fields: Vec<String>,
    pub target_households: String,
    /// Yuan.
    pub target_cash: String,
    pub target_items: String,
    pub arrangements: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ActionIn {
    /// `launch`, `close` or `disclose`
    pub action: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EnrolIn {
    pub organization_ids: Vec<String>,
    /// 第几批 (1–99).
    pub batch: u32,
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Every campaign, newest year first.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", responses((status = 200, body = Vec<CampaignOut>), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<CampaignOut>>, ApiError> {
    Ok(Json(
        state
            .app
            .campaigns(&signed.caller)
            .await?
            .iter()
            .map(CampaignOut::from)
            .collect(),
    ))
}

/// Create a campaign (planned).
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignIn,
    responses((status = 201, body = CampaignOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<CampaignIn>,
) -> Result<(StatusCode, Json<CampaignOut>), ApiError> {
    let input = CampaignInput {
        code: body.code,
        name: body.name,
        year: body.year,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        focus_fields: body.focus_fields,
        target_households: body.target_households,
        target_cash: body.target_cash,
        target_items: body.target_items,
        arrangements: body.arrangements,
    };
    let campaign = state.app.create_campaign(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(CampaignOut::from(&campaign))))
}

/// One campaign (by id or code) and its enrolments.
#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", params(("id" = String, Path, description = "id or code")),
    responses((status = 200, body = CampaignDetail), (status = 404, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<CampaignDetail>, ApiError> {
    let (campaign, enrolments) = state.app.campaign(&signed.caller, &id).await?;
    Ok(Json(CampaignDetail {
        campaign: CampaignOut::from(&campaign),
        enrolments: enrolments.iter().map(EnrolmentOut::from).collect(),
    }))
}

/// Launch (启动), close (结束) or disclose (公示).
#[utoipa::path(post, path = "/campaigns/{id}/status", tag = "campaigns", params(("id" = String, Path)), request_body = ActionIn,
    responses((status = 200, body = CampaignOut), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn advance(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ActionIn>,
) -> Result<Json<CampaignOut>, ApiError> {
    let action = CampaignAction::parse(&body.action)?;
    let campaign = state
        .app
        .advance_campaign(&signed.caller, parse_id(&id)?, action)
        .await?;
    Ok(Json(CampaignOut::from(&campaign)))
}

/// Enrol organizations in a batch (第 n 批).
#[utoipa::path(post, path = "/campaigns/{id}/enrolments", tag = "campaigns", params(("id" = String, Path)), request_body = EnrolIn,
    responses((status = 200, body = Vec<EnrolmentOut>), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn enrol(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<EnrolIn>,
) -> Result<Json<Vec<EnrolmentOut>>, ApiError> {
    let ids = body
        .organization_ids
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            Uuid::parse_str(raw).map_err(|_| {
                hearth_core::Invalid::new(
                    format!("organization_ids[{i}]"),
                    "user.organization_unknown",
                )
                .arg("value", raw)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let enrolments = state
        .app
        .enrol_organizations(&signed.caller, parse_id(&id)?, &ids, body.batch)
        .await?;
    Ok(Json(enrolments.iter().map(EnrolmentOut::from).collect()))
}

/// An organization applies to take part.
#[utoipa::path(post, path = "/campaigns/{id}/apply", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = EnrolmentOut), (status = 403, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn apply(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<EnrolmentOut>, ApiError> {
    let enrolment = state
        .app
        .apply_to_campaign(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(EnrolmentOut::from(&enrolment)))
}
