//! `/visits`: follow-up visits (回访). The task list in the caller's scope (待回访, 逾期, 已回访,
//! 已取消; due within a week), and the follow-up record form for one task (domain.md §5: date,
//! home or phone, visitor, received?, suitable?, satisfaction, new needs), which may raise a new
//! need for the town's review.

use super::export::{Column, Format, List, txt};
use super::households::Opt;
use super::needs::{item_options, options};
use super::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, query_string, render, with_query,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::visits::{TaskQuery, VisitTaskView};
use hearth_core::need::{NeedKind, ServiceKind, Urgency};
use hearth_core::permission::Permission;
use hearth_core::visit::{Answer, DUE_SOON_DAYS, Satisfaction, TaskState, VisitInput, VisitMethod};
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits", get(list))
        .route("/visits/export.xlsx", get(export))
        .route("/visits/export.csv", get(export))
        .route("/visits/tasks/{id}", get(form).post(record))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

pub(crate) fn state_class(state: TaskState) -> &'static str {
    match state {
        TaskState::Due => "tag-warning",
        TaskState::Overdue => "tag-danger",
        TaskState::Done => "tag-success",
        TaskState::Cancelled => "tag-info",
    }
}

/// A task as a row of the list or the head of the form.
pub(crate) struct TaskRow {
    pub id: String,
    pub pledge_id: String,
    pub pledge_number: String,
    pub organization: String,
    pub place: String,
    pub head: String,
    pub service: String,
    pub position: String,
    pub due_on: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub open: bool,
}

pub(crate) fn task_row(t: Tr, task: &VisitTaskView) -> TaskRow {
    TaskRow {
        id: task.id.to_string(),
        pledge_id: task.pledge_id.to_string(),
        pledge_number: task.pledge_number.clone(),
        organization: task.organization_name.clone(),
        place: format!("{} {}", task.town_name, task.village_name),
        head: task.head_name.clone(),
        service: task
            .service
            .map(|s| t.t(s.label_key()).to_owned())
            .unwrap_or_default(),
        position: format!("{}/{}", task.position, task.of),
        due_on: task.due_on.to_string(),
        state: t.t(task.state.label_key()),
        state_class: state_class(task.state),
        open: matches!(task.state, TaskState::Due | TaskState::Overdue),
    }
}

#[derive(Debug, Default)]
struct Query {
    state: String,
    soon: bool,
    page: Option<u64>,
    size: Option<u64>,
    notice: String,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let mut q = Query::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "state" => q.state = value,
                "soon" => q.soon = matches!(value.as_str(), "1" | "true" | "yes"),
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                "notice" => q.notice = value,
                _ => {}
            }
        }
        q
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("state", self.state.clone()),
            ("soon", if self.soon { "1".into() } else { "".into() }),
        ]
    }

    fn query(&self) -> TaskQuery {
        TaskQuery {
            state: (!self.state.is_empty()).then(|| self.state.clone()),
            within_days: self.soon.then_some(DUE_SOON_DAYS),
            pledge: None,
        }
    }
}

#[derive(Template)]
#[template(path = "visit_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    notice: bool,
    can_record: bool,
    states: Vec<Opt>,
    soon: bool,
    soon_label: String,
    rows: Vec<TaskRow>,
    pager: Pager,
}

/// `GET /visits`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let caller = &signed.caller;
    let page = PageRequest::new(q.page, q.size);
    let (tasks, total) = state
        .app
        .visit_tasks(caller, &q.query(), page)
        .await
        .map_err(fail(t))?;
    let params = q.params();
    let here = with_query("/visits", &query_string(&params));
    let view = ListPage {
        frame: Frame::new(&signed, t, Section::Visits, &here, t.t("visit.tasks_title")),
        notice: q.notice == "recorded",
        can_record: caller.can(Permission::RecordVisits),
        states: options(
            t,
            TaskState::ALL,
            &q.state,
            TaskState::as_str,
            TaskState::label_key,
        ),
        soon: q.soon,
        soon_label: t.f("visit_page.soon", &[("days", DUE_SOON_DAYS.to_string())]),
        rows: tasks.iter().map(|task| task_row(t, task)).collect(),
        pager: Pager::new(t, "/visits", &params, total, page.number, page.size),
        t,
    };
    Ok(render(StatusCode::OK, &view, t))
}

const COLUMNS: [Column<TaskRow>; 8] = [
    Column {
        header: "pledge_page.number",
        cell: |r| txt(&r.pledge_number),
    },
    Column {
        header: "pledge_page.organization",
        cell: |r| txt(&r.organization),
    },
    Column {
        header: "visit_page.place",
        cell: |r| txt(&r.place),
    },
    Column {
        header: "need_page.head",
        cell: |r| txt(&r.head),
    },
    Column {
        header: "visit_page.service",
        cell: |r| txt(&r.service),
    },
    Column {
        header: "visit_page.position",
        cell: |r| txt(&r.position),
    },
    Column {
        header: "visit.due_on",
        cell: |r| txt(&r.due_on),
    },
    Column {
        header: "visit.state_label",
        cell: |r| txt(r.state),
    },
];

/// `GET /visits/export.xlsx|csv`: the tasks under the same filters, every page, masked as shown.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let (tasks, _) = state
        .app
        .visit_tasks(&signed.caller, &q.query(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<TaskRow> = tasks.iter().map(|task| task_row(t, task)).collect();
    let list = List {
        name: "visits",
        title: t.t("visit.tasks_title"),
        filter: &q.params(),
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

#[derive(Template)]
#[template(path = "visit_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    task: TaskRow,
    input: VisitInput,
    errors: FormErrors,
    others: Vec<String>,
    methods: Vec<Opt>,
    received: Vec<Opt>,
    suitable: Vec<Opt>,
    satisfactions: Vec<Opt>,
    kinds: Vec<Opt>,
    items: Vec<Opt>,
    services: Vec<Opt>,
    urgencies: Vec<Opt>,
}

const SHOWN: [&str; 15] = [
    "visited_on",
    "method",
    "visitor",
    "received",
    "suitable",
    "satisfaction",
    "new_needs",
    "note",
    "need.kind",
    "need.item",
    "need.quantity",
    "need.cash",
    "need.service",
    "need.urgency",
    "need.note",
];

/// The task, found in the caller's scope, or "not found".
async fn find_task(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: &str,
) -> Result<VisitTaskView, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))?;
    let (tasks, _) = state
        .app
        .visit_tasks(&signed.caller, &TaskQuery::default(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    tasks
        .into_iter()
        .find(|task| task.id == id)
        .ok_or_else(|| PageError::new(AppError::NotFound, t))
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    task: &VisitTaskView,
    input: VisitInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller.require(Permission::RecordVisits).map_err(fail(t))?;
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let answer = |chosen: &str| options(t, Answer::ALL, chosen, Answer::as_str, Answer::label_key);
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Visits,
            &format!("/visits/tasks/{}", task.id),
            t.t("visit_page.record"),
        ),
        task: task_row(t, task),
        others: errors.others(&SHOWN),
        methods: options(
            t,
            VisitMethod::ALL,
            &input.method,
            VisitMethod::as_str,
            VisitMethod::label_key,
        ),
        received: answer(&input.received),
        suitable: answer(&input.suitable),
        satisfactions: options(
            t,
            Satisfaction::ALL,
            &input.satisfaction,
            Satisfaction::as_str,
            Satisfaction::label_key,
        ),
        kinds: options(
            t,
            NeedKind::ALL,
            &input.need.kind,
            NeedKind::as_str,
            NeedKind::label_key,
        ),
        items: item_options(t, &items, &input.need.item),
        services: options(
            t,
            ServiceKind::ALL,
            &input.need.service,
            ServiceKind::as_str,
            ServiceKind::label_key,
        ),
        urgencies: options(
            t,
            Urgency::ALL,
            &input.need.urgency,
            Urgency::as_str,
            Urgency::label_key,
        ),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /visits/tasks/{id}`: the follow-up record form, today and the caller's name filled in.
pub async fn form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let task = find_task(&state, &signed, t, &id).await?;
    let input = VisitInput {
        visited_on: hearth_app::today().to_string(),
        visitor: signed.caller.user.display_name.clone(),
        method: VisitMethod::Home.as_str().to_owned(),
        ..VisitInput::default()
    };
    show(
        &state,
        &signed,
        t,
        &task,
        input,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

fn typed(fields: &Fields) -> VisitInput {
    let get = |k: &str| fields.get(k).to_owned();
    let mut input = VisitInput {
        visited_on: get("visited_on"),
        method: get("method"),
        visitor: get("visitor"),
        received: get("received"),
        suitable: get("suitable"),
        satisfaction: get("satisfaction"),
        new_needs: get("new_needs"),
        note: get("note"),
        ..VisitInput::default()
    };
    let need = &mut input.need;
    need.kind = get("need_kind");
    need.item = get("need_item");
    need.quantity = get("need_quantity");
    need.cash = get("need_cash");
    need.service = get("need_service");
    need.urgency = get("need_urgency");
    need.note = get("need_note");
    input
}

/// `POST /visits/tasks/{id}`: 登记回访; back to the pledge on success.
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let task = find_task(&state, &signed, t, &id).await?;
    let input = typed(&Fields::parse(&body));
    match state
        .app
        .record_visit(&signed.caller, task.id, &input)
        .await
    {
        Ok(done) => Ok(
            Redirect::to(&format!("/pledges/{}?notice=visited", done.task.pledge_id))
                .into_response(),
        ),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show(&state, &signed, t, &task, input, errors, http).await
        }
    }
}
