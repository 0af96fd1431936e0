//! `/claims`: the claim sheet (认领表) of an organization — open needs it may see, filterable by
//! town, category, kind, item and urgency, each with a 认领 button — and `?mine=1`, the needs it
//! claimed, with 取消认领. Rows are masked by the use case (surname and `*`, no ID, phone,
//! address or note). Filters are dictionary codes, so addresses carry nothing private.

use super::households::Opt;
use super::needs::{
    category_label, item_options, options, status_class, status_label, urgency_class, what,
};
use super::{
    Fields, Frame, Pager, Section, form_errors, local_time, query_string, render, with_query,
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
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_app::needs::{ClaimRow, SheetQuery};
use hearth_core::area::AreaLevel;
use hearth_core::household::Category;
use hearth_core::need::{NeedKind, Urgency};
use hearth_core::{Fen, permission::Permission};
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/claims", get(sheet))
        .route("/claims/{id}/claim", post(claim))
        .route("/claims/{id}/release", post(release))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

#[derive(Debug, Default, Clone)]
struct Query {
    town: String,
    category: String,
    kind: String,
    item: String,
    urgency: String,
    mine: bool,
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
                "town" => q.town = value,
                "category" => q.category = value,
                "kind" => q.kind = value,
                "item" => q.item = value,
                "urgency" => q.urgency = value,
                "mine" => q.mine = matches!(value.as_str(), "1" | "true" | "yes"),
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
            ("town", self.town.clone()),
            ("category", self.category.clone()),
            ("kind", self.kind.clone()),
            ("item", self.item.clone()),
            ("urgency", self.urgency.clone()),
            ("mine", if self.mine { "1".into() } else { String::new() }),
        ]
    }

    fn query(&self) -> SheetQuery {
        let given = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        SheetQuery {
            campaign: None,
            town: given(&self.town),
            category: given(&self.category),
            kind: given(&self.kind),
            item: given(&self.item),
            urgency: given(&self.urgency),
            mine: self.mine,
        }
    }
}

struct Row {
    id: String,
    number: String,
    campaign: String,
    town: String,
    village: String,
    head: String,
    category: String,
    what: String,
    value: String,
    urgency: &'static str,
    urgency_class: &'static str,
    status: &'static str,
    status_class: &'static str,
    claimed_at: String,
    can_claim: bool,
    can_release: bool,
}

fn row(t: Tr, r: &ClaimRow) -> Row {
    Row {
        id: r.id.to_string(),
        number: r.number.clone(),
        campaign: r.campaign_name.clone(),
        town: r.town_name.clone(),
        village: r.village_name.clone(),
        head: r.head.clone(),
        category: if r.main_category.is_empty() {
            String::new()
        } else {
            category_label(t, &r.main_category)
        },
        what: what(
            t,
            r.kind,
            &r.item_name,
            &r.item_unit,
            r.quantity,
            r.cash,
            r.service,
        ),
        value: if r.reference_value == Fen::ZERO {
            String::new()
        } else {
            r.reference_value.yuan_string()
        },
        urgency: t.t(r.urgency.label_key()),
        urgency_class: urgency_class(r.urgency),
        status: status_label(t, r.status, false),
        status_class: status_class(r.status),
        claimed_at: r.claimed_at.map(|at| local_time(t, at)).unwrap_or_default(),
        can_claim: r.status == hearth_core::need::NeedStatus::Open,
        can_release: r.claimed_by_us && r.status == hearth_core::need::NeedStatus::Claimed,
    }
}

#[derive(Template)]
#[template(path = "claim_sheet.html")]
struct SheetPage {
    t: Tr,
    frame: Frame,
    notice: Option<&'static str>,
    error: String,
    mine: bool,
    open_href: String,
    mine_href: String,
    participating: bool,
    towns: Vec<Opt>,
    categories: Vec<Opt>,
    kinds: Vec<Opt>,
    items: Vec<Opt>,
    urgencies: Vec<Opt>,
    rows: Vec<Row>,
    pager: Pager,
}

fn notice_key(notice: &str) -> Option<&'static str> {
    match notice {
        "claimed" => Some("claim_page.notice_claimed"),
        "released" => Some("claim_page.notice_released"),
        _ => None,
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    q: Query,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller.require(Permission::ClaimNeeds).map_err(fail(t))?;
    let page = PageRequest::new(q.page, q.size);
    let (rows, total, participating, error) =
        match state.app.claim_sheet(caller, &q.query(), page).await {
            Ok(sheet) => (sheet.rows, sheet.total, sheet.participating, error),
            Err(AppError::Invalid(list)) => (
                Vec::new(),
                0,
                true,
                super::FormErrors::from_invalid(t, &list).all().join("；"),
            ),
            Err(e) => return Err(PageError::new(e, t)),
        };
    let towns = state
        .app
        .areas(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|a| a.level == AreaLevel::Town)
        .map(|a| Opt {
            selected: a.code.as_str() == q.town,
            value: a.code.as_str().to_owned(),
            label: a.name,
        })
        .collect();
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let params = q.params();
    let tab = |mine: bool| {
        let mut p = params.clone();
        p.retain(|(k, _)| *k != "mine");
        if mine {
            p.push(("mine", "1".into()));
        }
        with_query("/claims", &query_string(&p))
    };
    let here = with_query("/claims", &query_string(&params));
    let sheet = SheetPage {
        frame: Frame::new(signed, t, Section::Claims, &here, t.t("claim_page.title")),
        notice: notice_key(&q.notice),
        error,
        mine: q.mine,
        open_href: tab(false),
        mine_href: tab(true),
        participating,
        towns,
        categories: options(
            t,
            Category::ALL,
            &q.category,
            Category::as_str,
            Category::label_key,
        ),
        kinds: options(
            t,
            NeedKind::ALL,
            &q.kind,
            NeedKind::as_str,
            NeedKind::label_key,
        ),
        items: item_options(t, &items, &q.item),
        urgencies: options(
            t,
            Urgency::ALL,
            &q.urgency,
            Urgency::as_str,
            Urgency::label_key,
        ),
        rows: rows.iter().map(|r| row(t, r)).collect(),
        pager: Pager::new(t, "/claims", &params, total, page.number, page.size),
        t,
    };
    Ok(render(status, &sheet, t))
}

/// `GET /claims`.
pub async fn sheet(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    show(&state, &signed, t, q, String::new(), StatusCode::OK).await
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// Back to the sheet with a notice, or the sheet with the refusal on top (someone else was
/// faster: 409).
async fn after(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    result: Result<(), AppError>,
    notice: &str,
    mine: bool,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => {
            let mine = if mine { "&mine=1" } else { "" };
            Ok(Redirect::to(&format!("/claims?notice={notice}{mine}")).into_response())
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            let message = form_errors(t, e)?.all().join("；");
            let q = Query {
                mine,
                ..Query::default()
            };
            show(state, signed, t, q, message, status).await
        }
    }
}

/// `POST /claims/{id}/claim`: 认领.
pub async fn claim(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let result = state.app.claim_need(&signed.caller, id).await.map(|_| ());
    after(&state, &signed, t, result, "claimed", false).await
}

/// `POST /claims/{id}/release`: 取消认领, with an optional reason.
pub async fn release(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = Fields::parse(&body).get("reason").to_owned();
    let result = state.app.release_claim(&signed.caller, id, &reason).await;
    after(&state, &signed, t, result, "released", true).await
}
