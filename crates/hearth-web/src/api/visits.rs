//! Follow-up visits (回访) over JSON: the visit tasks signed pledges scheduled, recording the
//! visit that does a task (optionally raising a need for the town's review), and a pledge's
//! visits. A second record of the same task gets `409` (`visit.already_done`).

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::visits::{TaskQuery, VisitRecorded, VisitTaskView, VisitView};
use hearth_core::visit::{NewNeedInput, VisitInput};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The visit routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tasks))
        .routes(routes!(record))
        .routes(routes!(of_pledge))
}

// ---------------------------------------------------------------------------------------------
// What comes in

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// `due` (待回访), `overdue` (逾期), `done` (已回访) or `cancelled` (pledge cancelled).
    pub state: Option<String>,
    /// Only tasks due within this many days from today.
    pub within_days: Option<u32>,
    /// Only the tasks of this pledge (its id).
    pub pledge: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

/// A need the visit found, for the town's review: fill it as a need (`kind`, then `item` and
/// `quantity`, `cash`, or `service`); leave it out for none.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewNeedIn {
    /// `item`, `cash` or `service`.
    pub kind: String,
    /// A catalogue code from `/items`.
    pub item: String,
    pub quantity: String,
    /// Yuan.
    pub cash: String,
    /// `visit`, `repair`, `companionship`, `tutoring`, `other`.
    pub service: String,
    /// `normal`, `urgent` or `critical`.
    pub urgency: String,
    pub note: String,
}

/// The follow-up record (回访记录).
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct VisitIn {
    /// The day of the visit, e.g. `2024-12-20`: not after today, not before the signature.
    pub visited_on: String,
    /// `home`, `phone` or `video` (上门, 电话, 视频).
    pub method: String,
    /// Who visited.
    pub visitor: String,
    /// Did the household receive what was pledged? `yes` or `no`.
    pub received: String,
    /// Does it suit the household? `yes` or `no`.
    pub suitable: String,
    /// `satisfied`, `fair` or `unsatisfied` (满意, 基本满意, 不满意).
    pub satisfaction: String,
    /// New needs in the household's words.
    pub new_needs: String,
    pub note: String,
    pub need: Option<NewNeedIn>,
}

impl VisitIn {
    fn input(self) -> VisitInput {
        let need = self.need.unwrap_or_default();
        VisitInput {
            visited_on: self.visited_on,
            method: self.method,
            visitor: self.visitor,
            received: self.received,
            suitable: self.suitable,
            satisfaction: self.satisfaction,
            new_needs: self.new_needs,
            note: self.note,
            need: NewNeedInput {
                kind: need.kind,
                item: need.item,
                quantity: need.quantity,
                cash: need.cash,
                service: need.service,
                urgency: need.urgency,
                note: need.note,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What goes out

/// One scheduled visit to one household.
#[derive(Serialize, ToSchema)]
pub struct VisitTaskOut {
    pub id: String,
    pub pledge_id: String,
    /// 承诺书编号.
    pub pledge_number: String,
    pub line_id: String,
    /// `visit`, `repair`, `companionship`, `tutoring`, `other`.
    pub service: Option<String>,
    pub organization_id: String,
    pub organization_name: String,
    pub household_id: String,
    pub town_name: String,
    pub village_name: String,
    /// In full for officers; surname and `*` for organizations and auditors.
    pub head_name: String,
    pub due_on: String,
    /// The n-th visit of the household's schedule, of `of`.
    pub position: u32,
    pub of: u32,
    /// `due`, `overdue`, `done` or `cancelled`, derived today.
    pub state: String,
    pub visit_id: Option<String>,
    pub done_at: Option<String>,
}

impl From<&VisitTaskView> for VisitTaskOut {
    fn from(t: &VisitTaskView) -> Self {
        VisitTaskOut {
            id: t.id.to_string(),
            pledge_id: t.pledge_id.to_string(),
            pledge_number: t.pledge_number.clone(),
            line_id: t.line_id.to_string(),
            service: t.service.map(|s| s.as_str().to_owned()),
            organization_id: t.organization_id.to_string(),
            organization_name: t.organization_name.clone(),
            household_id: t.household_id.to_string(),
            town_name: t.town_name.clone(),
            village_name: t.village_name.clone(),
            head_name: t.head_name.clone(),
            due_on: t.due_on.to_string(),
            position: t.position,
            of: t.of,
            state: t.state.as_str().to_owned(),
            visit_id: t.visit_id.map(|v| v.to_string()),
            done_at: t.done_at.map(|at| at.to_rfc3339()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VisitTaskPage {
    pub items: Vec<VisitTaskOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// A follow-up record (回访记录).
#[derive(Serialize, ToSchema)]
pub struct VisitOut {
    pub id: String,
    pub task_id: Option<String>,
    pub pledge_id: String,
    pub pledge_number: String,
    pub organization_name: String,
    pub household_id: String,
    pub town_name: String,
    pub village_name: String,
    /// Masked like the task's.
    pub head_name: String,
    pub visited_on: String,
    /// `home`, `phone` or `video`.
    pub method: String,
    pub visitor: String,
    pub received: bool,
    pub suitable: bool,
    /// `satisfied`, `fair` or `unsatisfied`.
    pub satisfaction: String,
    pub new_needs: String,
    pub note: String,
    /// The need the visit raised (待审核 until the town reviews it), and its number.
    pub raised_need_id: Option<String>,
    pub raised_need_number: Option<String>,
    pub created_at: String,
}

impl From<&VisitView> for VisitOut {
    fn from(v: &VisitView) -> Self {
        VisitOut {
            id: v.id.to_string(),
            task_id: v.task_id.map(|t| t.to_string()),
            pledge_id: v.pledge_id.to_string(),
            pledge_number: v.pledge_number.clone(),
            organization_name: v.organization_name.clone(),
            household_id: v.household_id.to_string(),
            town_name: v.town_name.clone(),
            village_name: v.village_name.clone(),
            head_name: v.head_name.clone(),
            visited_on: v.visited_on.to_string(),
            method: v.method.as_str().to_owned(),
            visitor: v.visitor.clone(),
            received: v.received,
            suitable: v.suitable,
            satisfaction: v.satisfaction.as_str().to_owned(),
            new_needs: v.new_needs.clone(),
            note: v.note.clone(),
            raised_need_id: v.raised_need_id.map(|n| n.to_string()),
            raised_need_number: v.raised_need_number.clone(),
            created_at: v.created_at.to_rfc3339(),
        }
    }
}

/// What recording a visit changed.
#[derive(Serialize, ToSchema)]
pub struct VisitRecordedOut {
    pub visit: VisitOut,
    pub task: VisitTaskOut,
    /// The visit was the last open one of its service line, which is now done.
    pub line_done: bool,
    /// The pledge's status after the visit (`fulfilled` once every line is done).
    pub pledge_status: String,
}

impl From<&VisitRecorded> for VisitRecordedOut {
    fn from(r: &VisitRecorded) -> Self {
        VisitRecordedOut {
            visit: VisitOut::from(&r.visit),
            task: VisitTaskOut::from(&r.task),
            line_done: r.line_done,
            pledge_status: r.pledge_status.as_str().to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Visit tasks in your scope (an organization its own, towns and villages their area, the
/// county all), the earliest due first.
#[utoipa::path(get, path = "/visit-tasks", tag = "visits", params(TaskListQuery),
    responses((status = 200, body = VisitTaskPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn tasks(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<TaskListQuery>,
) -> Result<Json<VisitTaskPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = TaskQuery {
        state: q.state,
        within_days: q.within_days,
        pledge: q.pledge,
    };
    let (views, total) = state.app.visit_tasks(&signed.caller, &query, page).await?;
    Ok(Json(VisitTaskPage {
        items: views.iter().map(VisitTaskOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// Record the visit that does a task (the pledging organization, or an officer of the
/// household's town or village), on a signed, in-progress or lapsed pledge. Every invalid field
/// is named (422); a task already visited, or a need the household already has, is `409`.
#[utoipa::path(post, path = "/visit-tasks/{id}/visit", tag = "visits", params(("id" = String, Path)), request_body = VisitIn,
    responses((status = 201, body = VisitRecordedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<VisitIn>,
) -> Result<(StatusCode, Json<VisitRecordedOut>), ApiError> {
    let recorded = state
        .app
        .record_visit(&signed.caller, parse_id(&id)?, &body.input())
        .await?;
    Ok((StatusCode::CREATED, Json(VisitRecordedOut::from(&recorded))))
}

/// The visits under a pledge in your scope, oldest first.
#[utoipa::path(get, path = "/pledges/{id}/visits", tag = "visits", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VisitOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn of_pledge(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<VisitOut>>, ApiError> {
    let visits = state
        .app
        .visits_for_pledge(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(visits.iter().map(VisitOut::from).collect()))
}
