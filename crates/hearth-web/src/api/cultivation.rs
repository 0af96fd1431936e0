//! Cultivating organizations (培育) over JSON: an organization's record across campaigns, the
//! activities it logged and the evaluation grades the bureau recorded.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::cultivation::{
    ActivityView, CampaignRecord, OrganizationRecord, RatingView, Ratings,
};
use hearth_core::cultivation::{ActivityInput, PledgeTally, RatingInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The cultivation routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record))
        .routes(routes!(activities, record_activity))
        .routes(routes!(ratings, rate))
}

/// Signed pledges by how they stand; `made` = the other four together. Drafts are not counted.
#[derive(Serialize, ToSchema)]
pub struct PledgeCountsOut {
    pub made: usize,
    pub in_progress: usize,
    pub kept: usize,
    pub lapsed: usize,
    pub cancelled: usize,
}

impl From<&PledgeTally> for PledgeCountsOut {
    fn from(t: &PledgeTally) -> Self {
        PledgeCountsOut {
            made: t.made,
            in_progress: t.in_progress,
            kept: t.kept,
            lapsed: t.lapsed,
            cancelled: t.cancelled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignRecordOut {
    pub campaign_id: String,
    pub code: String,
    pub name: String,
    pub year: i32,
    /// `planned`, `launched`, `closed` or `disclosed`
    pub status: String,
    pub enrolled: bool,
    pub pledges: PledgeCountsOut,
    /// Distinct households in signed pledges not cancelled.
    pub households_served: usize,
    /// Yuan with two decimals, of signed pledges not cancelled.
    pub cash: String,
    pub items_value: String,
    pub activities: usize,
}

impl From<&CampaignRecord> for CampaignRecordOut {
    fn from(c: &CampaignRecord) -> Self {
        CampaignRecordOut {
            campaign_id: c.campaign_id.to_string(),
            code: c.code.clone(),
            name: c.name.clone(),
            year: c.year,
            status: c.status.as_str().to_owned(),
            enrolled: c.enrolled,
            pledges: PledgeCountsOut::from(&c.pledges),
            households_served: c.households_served,
            cash: c.cash.yuan_string(),
            items_value: c.items.yuan_string(),
            activities: c.activities,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordTotalsOut {
    pub pledges: PledgeCountsOut,
    /// Each household once, whatever the campaign.
    pub households_served: usize,
    pub cash: String,
    pub items_value: String,
    /// Including activities linked to no campaign.
    pub activities: usize,
    /// Follow-up visits (回访) the organization recorded.
    pub visits: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RecordOut {
    pub organization_id: String,
    pub name: String,
    pub service_fields: Vec<String>,
    pub service_areas: Vec<String>,
    /// The grade in force today, if any.
    pub current_rating: Option<RatingOut>,
    pub campaigns: Vec<CampaignRecordOut>,
    pub totals: RecordTotalsOut,
}

impl From<&OrganizationRecord> for RecordOut {
    fn from(r: &OrganizationRecord) -> Self {
        let t = &r.totals;
        RecordOut {
            organization_id: r.organization_id.to_string(),
            name: r.name.clone(),
            service_fields: r
                .service_fields
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            service_areas: r
                .service_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            current_rating: r.current_rating.as_ref().map(RatingOut::from),
            campaigns: r.campaigns.iter().map(CampaignRecordOut::from).collect(),
            totals: RecordTotalsOut {
                pledges: PledgeCountsOut::from(&t.pledges),
                households_served: t.households_served,
                cash: t.cash.yuan_string(),
                items_value: t.items.yuan_string(),
                activities: t.activities,
                visits: t.visits,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RatingOut {
    pub id: String,
    /// `1A` … `5A`
    pub grade: String,
    pub rated_on: String,
    pub valid_until: String,
    pub note: String,
    /// Valid today.
    pub in_force: bool,
    pub rated_by: String,
    pub created_at: String,
}

impl From<&RatingView> for RatingOut {
    fn from(r: &RatingView) -> Self {
        RatingOut {
            id: r.id.to_string(),
            grade: r.grade.as_str().to_owned(),
            rated_on: r.rated_on.to_string(),
            valid_until: r.valid_until.to_string(),
            note: r.note.clone(),
            in_force: r.in_force,
            rated_by: r.rated_by.clone(),
            created_at: r.created_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RatingsOut {
    pub current: Option<RatingOut>,
    /// Every evaluation, the latest decision first.
    pub history: Vec<RatingOut>,
}

impl From<&Ratings> for RatingsOut {
    fn from(r: &Ratings) -> Self {
        RatingsOut {
            current: r.current.as_ref().map(RatingOut::from),
            history: r.history.iter().map(RatingOut::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RatingIn {
    /// `1A` … `5A` (or 1A级 … 5A级).
    pub grade: String,
    /// The day of the evaluation decision, not after today.
    pub rated_on: String,
    /// The last valid day; blank is five years.
    pub valid_until: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: String,
    pub organization_id: String,
    pub campaign_code: String,
    pub campaign_name: String,
    pub held_on: String,
    pub place: String,
    pub participants: u32,
    pub title: String,
    pub summary: String,
    pub recorded_by: String,
    pub created_at: String,
}

impl From<&ActivityView> for ActivityOut {
    fn from(a: &ActivityView) -> Self {
        ActivityOut {
            id: a.id.to_string(),
            organization_id: a.organization_id.to_string(),
            campaign_code: a.campaign_code.clone(),
            campaign_name: a.campaign_name.clone(),
            held_on: a.held_on.to_string(),
            place: a.place.clone(),
            participants: a.participants,
            title: a.title.clone(),
            summary: a.summary.clone(),
            recorded_by: a.recorded_by.clone(),
            created_at: a.created_at.to_rfc3339(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ActivityIn {
    /// Not after today.
    pub held_on: String,
    pub place: String,
    /// At least 1.
    pub participants: String,
    pub title: String,
    pub summary: String,
    /// A campaign the organization is enrolled in (id or code), or blank.
    pub campaign: String,
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// 培育档案: per campaign, signed pledges by status (derived today), households served, value
/// pledged and activities; in all, also follow-up visits. Whoever may read the organization.
#[utoipa::path(get, path = "/organizations/{id}/record", tag = "organizations", params(("id" = String, Path)),
    responses((status = 200, body = RecordOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<RecordOut>, ApiError> {
    let record = state
        .app
        .organization_record(&signed.caller, parse_id(&id)?, hearth_app::today())
        .await?;
    Ok(Json(RecordOut::from(&record)))
}

/// The organization's activities, the most recent first.
#[utoipa::path(get, path = "/organizations/{id}/activities", tag = "organizations", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ActivityOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn activities(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<ActivityOut>>, ApiError> {
    let list = state.app.activities(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(list.iter().map(ActivityOut::from).collect()))
}

/// Log an activity (a member for its own organization, the county for any); audited.
#[utoipa::path(post, path = "/organizations/{id}/activities", tag = "organizations", params(("id" = String, Path)), request_body = ActivityIn,
    responses((status = 201, body = ActivityOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record_activity(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ActivityIn>,
) -> Result<(StatusCode, Json<ActivityOut>), ApiError> {
    let input = ActivityInput {
        held_on: body.held_on,
        place: body.place,
        participants: body.participants,
        title: body.title,
        summary: body.summary,
        campaign: body.campaign,
    };
    let view = state
        .app
        .record_activity(&signed.caller, parse_id(&id)?, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(ActivityOut::from(&view))))
}

/// The evaluation grades (社会组织评估等级): the one in force and the history.
#[utoipa::path(get, path = "/organizations/{id}/ratings", tag = "organizations", params(("id" = String, Path)),
    responses((status = 200, body = RatingsOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn ratings(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<RatingsOut>, ApiError> {
    let ratings = state.app.ratings(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(RatingsOut::from(&ratings)))
}

/// Record an evaluation (the county only); the registry's rating follows the grade in force.
#[utoipa::path(post, path = "/organizations/{id}/ratings", tag = "organizations", params(("id" = String, Path)), request_body = RatingIn,
    responses((status = 201, body = RatingOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn rate(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<RatingIn>,
) -> Result<(StatusCode, Json<RatingOut>), ApiError> {
    let input = RatingInput {
        grade: body.grade,
        rated_on: body.rated_on,
        valid_until: body.valid_until,
        note: body.note,
    };
    let view = state
        .app
        .rate_organization(&signed.caller, parse_id(&id)?, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(RatingOut::from(&view))))
}
