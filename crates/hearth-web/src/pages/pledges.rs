//! `/pledges`: pairing pledges (结对帮扶承诺书). The list in the caller's scope (status, overdue,
//! due-soon and still-to-deliver filters), drafting a letter from the needs the organization
//! claimed, the letter's page with 签署 and 取消, and its A4 print view. Names are masked by
//! the use case for organizations.

mod delivery;
mod detail;
mod form;
mod print;
mod progress;
mod scans;

use super::export::{Column, Format, List, txt, yuan};
use super::{Frame, Pager, Section, ok};
use crate::AppState;
use crate::api::attachments::UPLOAD_BODY_LIMIT;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_app::pledges::PledgeView;
use hearth_core::need::Item;
use hearth_core::permission::Permission;
use hearth_core::pledge::{PledgeLine, PledgeStatus, awaits_delivery};
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pledges", get(list).post(form::create))
        .route("/pledges/new", get(form::new_form))
        .route("/pledges/export.xlsx", get(export))
        .route("/pledges/export.csv", get(export))
        .route("/pledges/{id}", get(detail::page))
        .route("/pledges/{id}/sign", post(detail::sign))
        .route("/pledges/{id}/cancel", post(detail::cancel))
        .route("/pledges/{id}/print", get(print::page))
        .route(
            "/pledges/{id}/lines/{line}/deliveries",
            post(progress::deliver),
        )
        .route("/pledges/{id}/letter.docx", get(print::docx))
        .route("/deliveries/{id}", get(delivery::page))
        .route(
            "/deliveries/{id}/files",
            post(delivery::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/pledges/{id}/scans",
            get(scans::page)
                .post(scans::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

pub(super) fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

pub(super) fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

pub(crate) fn status_class(status: PledgeStatus) -> &'static str {
    match status {
        PledgeStatus::Draft => "tag-plain",
        PledgeStatus::Signed | PledgeStatus::InProgress => "tag-warning",
        PledgeStatus::Fulfilled => "tag-success",
        PledgeStatus::Lapsed => "tag-danger",
        PledgeStatus::Cancelled => "tag-info",
    }
}

#[derive(Debug, Default)]
struct Query {
    status: String,
    overdue: bool,
    due_soon: bool,
    to_deliver: bool,
    q: String,
    page: Option<u64>,
    size: Option<u64>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let mut q = Query::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "status" => q.status = value,
                "overdue" => q.overdue = matches!(value.as_str(), "1" | "true" | "yes"),
                "due_soon" => q.due_soon = matches!(value.as_str(), "1" | "true" | "yes"),
                "to_deliver" => q.to_deliver = matches!(value.as_str(), "1" | "true" | "yes"),
                "q" => q.q = value,
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("status", self.status.clone()),
            ("overdue", if self.overdue { "1".into() } else { "".into() }),
            (
                "due_soon",
                if self.due_soon { "1".into() } else { "".into() },
            ),
            (
                "to_deliver",
                if self.to_deliver {
                    "1".into()
                } else {
                    "".into()
                },
            ),
            ("q", self.q.clone()),
        ]
    }

    fn keeps(&self, p: &PledgeView) -> bool {
        let q = self.q.as_str();
        (self.status.is_empty() || p.status.as_str() == self.status)
            && (!self.overdue || p.overdue)
            && (!self.due_soon || p.due_soon)
            && (!self.to_deliver || awaits_delivery(p.status))
            && (q.is_empty()
                || p.number.contains(q)
                || p.organization_name.contains(q)
                || p.households.iter().any(|h| h.village_name.contains(q)))
    }
}

pub(super) struct Row {
    id: String,
    number: String,
    campaign: String,
    organization: String,
    households: String,
    cash: String,
    items: String,
    deadline: String,
    status: &'static str,
    status_class: &'static str,
    overdue: bool,
    progress: String,
}

fn row(t: Tr, p: &PledgeView) -> Row {
    Row {
        id: p.id.to_string(),
        number: p.number.clone(),
        campaign: p.campaign_name.clone(),
        organization: p.organization_name.clone(),
        households: p
            .households
            .iter()
            .map(|h| format!("{}·{}", h.village_name, h.head_name))
            .collect::<Vec<_>>()
            .join("、"),
        cash: p.totals.cash.yuan_string(),
        items: p.totals.items.yuan_string(),
        deadline: p.deadline.to_string(),
        status: t.t(p.status.label_key()),
        status_class: status_class(p.status),
        overdue: p.overdue,
        progress: format!("{}/{}", p.lines_done, p.lines.len()),
    }
}

#[derive(Template)]
#[template(path = "pledge_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    can_draft: bool,
    statuses: Vec<(&'static str, &'static str, bool)>,
    q: Query,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /pledges`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let caller = &signed.caller;
    let all = state.app.pledges(caller).await.map_err(fail(t))?;
    let kept: Vec<&PledgeView> = all.iter().filter(|p| q.keeps(p)).collect();
    let page = PageRequest::new(q.page, q.size);
    let params = q.params();
    let rows = kept
        .iter()
        .skip(page.offset() as usize)
        .take(page.size as usize)
        .map(|p| row(t, p))
        .collect();
    let here = super::with_query("/pledges", &super::query_string(&params));
    let statuses = PledgeStatus::ALL
        .iter()
        .map(|s| (s.as_str(), t.t(s.label_key()), s.as_str() == q.status))
        .collect();
    let page_view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Pledges,
            &here,
            t.t("pledge_page.title"),
        ),
        can_draft: caller.can(Permission::MakePledges),
        statuses,
        rows,
        pager: Pager::new(
            t,
            "/pledges",
            &params,
            kept.len() as i64,
            page.number,
            page.size,
        ),
        q,
        t,
    };
    Ok(ok(&page_view, t))
}

const COLUMNS: [Column<Row>; 9] = [
    Column {
        header: "pledge_page.number",
        cell: |r| txt(&r.number),
    },
    Column {
        header: "pledge_page.campaign",
        cell: |r| txt(&r.campaign),
    },
    Column {
        header: "pledge_page.organization",
        cell: |r| txt(&r.organization),
    },
    Column {
        header: "pledge_page.households",
        cell: |r| txt(&r.households),
    },
    Column {
        header: "pledge_page.cash",
        cell: |r| yuan(&r.cash),
    },
    Column {
        header: "pledge_page.items",
        cell: |r| yuan(&r.items),
    },
    Column {
        header: "pledge_page.deadline",
        cell: |r| txt(&r.deadline),
    },
    Column {
        header: "pledge_page.progress",
        cell: |r| txt(&r.progress),
    },
    Column {
        header: "pledge_page.status",
        cell: |r| txt(r.status),
    },
];

/// `GET /pledges/export.xlsx|csv`: the list under the same filters, every page, masked as shown.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let all = state.app.pledges(&signed.caller).await.map_err(fail(t))?;
    let rows: Vec<Row> = all
        .iter()
        .filter(|p| q.keeps(p))
        .map(|p| row(t, p))
        .collect();
    let list = List {
        name: "pledges",
        title: t.t("pledge_page.title"),
        filter: &q.params(),
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// One line of a letter as people read it: what (item × quantity, cash, service) and, for a
/// service, its schedule.
pub(super) struct LineText {
    pub kind: &'static str,
    pub what: String,
    pub unit_value: String,
    pub quantity: String,
    pub spec: String,
    pub value: String,
    pub schedule: String,
}

pub(super) fn line_text(t: Tr, line: &PledgeLine, items: &[Item]) -> LineText {
    let kind = t.t(line.kind().label_key());
    let value = (line.cash() + line.item_value()).yuan_string();
    match line {
        PledgeLine::Cash { amount } => LineText {
            kind,
            what: t.f("need_page.what_cash", &[("amount", amount.yuan_string())]),
            unit_value: String::new(),
            quantity: String::new(),
            spec: String::new(),
            value,
            schedule: String::new(),
        },
        PledgeLine::Item {
            item,
            quantity,
            unit_value,
        } => {
            let found = items.iter().find(|i| &i.code == item);
            let name = found
                .map(|i| {
                    if t.is_en() {
                        i.name_en.clone()
                    } else {
                        i.name.clone()
                    }
                })
                .unwrap_or_else(|| item.clone());
            let unit = found.map(|i| i.unit.clone()).unwrap_or_default();
            LineText {
                kind,
                what: name,
                unit_value: unit_value.yuan_string(),
                quantity: format!("{quantity}{unit}"),
                spec: found.map(|i| i.spec.clone()).unwrap_or_default(),
                value,
                schedule: String::new(),
            }
        }
        PledgeLine::Service { service, schedule } => LineText {
            kind,
            what: t.t(service.label_key()).to_owned(),
            unit_value: String::new(),
            quantity: String::new(),
            spec: String::new(),
            value: String::new(),
            schedule: t.f(
                "pledge_page.schedule",
                &[
                    ("start", schedule.starts_on.to_string()),
                    ("end", schedule.ends_on.to_string()),
                    ("every", schedule.every.to_string()),
                    ("unit", t.t(schedule.unit.label_key()).to_owned()),
                    ("visits", schedule.visits.to_string()),
                ],
            ),
        },
    }
}
