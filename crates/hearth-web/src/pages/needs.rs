//! `/needs`: what the households of the caller's area need in a campaign. Villages record needs
//! (the form under the filters), towns approve or return them (buttons on each row, a reason for
//! 退回), everyone in scope follows them through 待认领, 已认领 (by whom, how to reach them),
//! 已发放 and 已回访. `/needs/{id}/edit` fixes a returned need and sends it again.
//!
//! Scope and masking are the use cases'; this module only lays out what they return. No private
//! data goes into an address: the filters are dictionary codes.

use super::export::{Column, Format, List, txt, yuan};
use super::households::Opt;
use super::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, local_time, query_string, render,
    with_query,
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
use hearth_app::households::HouseholdQuery;
use hearth_app::needs::{Item, NeedQuery, NeedView};
use hearth_app::{AppError, Caller};
use hearth_core::campaign::CampaignStatus;
use hearth_core::need::{NeedInput, NeedKind, NeedStatus, ServiceKind, Urgency};
use hearth_core::permission::Permission;
use hearth_core::{Fen, household::HouseholdStatus};
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/needs", get(list).post(record))
        .route("/needs/export.xlsx", get(export))
        .route("/needs/export.csv", get(export))
        .route("/needs/{id}", post(resubmit))
        .route("/needs/{id}/edit", get(edit_form))
        .route("/needs/{id}/approve", post(approve))
        .route("/needs/{id}/return", post(return_for_changes))
        .route("/needs/{id}/cancel", post(cancel))
        .route("/needs/{id}/release", post(release))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

// ---------------------------------------------------------------------------------------------
// Shared with the claim sheet

/// `棉被 × 2床`, `现金 800.00 元`, `维修 1次`.
pub(crate) fn what(
    t: Tr,
    kind: NeedKind,
    item_name: &str,
    unit: &str,
    quantity: u32,
    cash: Fen,
    service: Option<ServiceKind>,
) -> String {
    match kind {
        NeedKind::Item => t.f(
            "need_page.what_item",
            &[
                ("item", item_name.to_owned()),
                ("quantity", quantity.to_string()),
                ("unit", unit.to_owned()),
            ],
        ),
        NeedKind::Cash => t.f("need_page.what_cash", &[("amount", cash.yuan_string())]),
        NeedKind::Service => t.f(
            "need_page.what_service",
            &[
                (
                    "service",
                    service
                        .map(|s| t.t(s.label_key()).to_owned())
                        .unwrap_or_default(),
                ),
                ("times", quantity.to_string()),
            ],
        ),
    }
}

pub(crate) fn status_label(t: Tr, status: NeedStatus, visited: bool) -> &'static str {
    if status == NeedStatus::Fulfilled && visited {
        t.t("need.visited")
    } else {
        t.t(status.label_key())
    }
}

pub(crate) fn status_class(status: NeedStatus) -> &'static str {
    match status {
        NeedStatus::Submitted => "tag-plain",
        NeedStatus::Returned => "tag-danger",
        NeedStatus::Open => "tag-warning",
        NeedStatus::Claimed | NeedStatus::Fulfilled => "tag-success",
        NeedStatus::Cancelled => "tag-info",
    }
}

pub(crate) fn urgency_class(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Critical => "tag-danger",
        Urgency::Urgent => "tag-warning",
        Urgency::Normal => "tag-plain",
    }
}

pub(crate) fn category_label(t: Tr, code: &str) -> String {
    super::label_or(t, &format!("category.{code}"), code)
}

/// Options of a dictionary with the chosen code (or label) selected.
pub(crate) fn options<T: Copy>(
    t: Tr,
    all: &[T],
    chosen: &str,
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Vec<Opt> {
    let chosen = chosen.trim();
    all.iter()
        .map(|item| {
            let value = code(*item);
            let label = t.t(key(*item)).to_owned();
            Opt {
                selected: !chosen.is_empty() && (chosen == value || chosen == label),
                value: value.to_owned(),
                label,
            }
        })
        .collect()
}

pub(crate) fn item_options(t: Tr, items: &[Item], chosen: &str) -> Vec<Opt> {
    items
        .iter()
        .map(|i| Opt {
            value: i.code.clone(),
            label: format!(
                "{}（{}）",
                if t.is_en() { &i.name_en } else { &i.name },
                i.unit
            ),
            selected: i.code == chosen.trim(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Debug, Default, Clone)]
struct ListQuery {
    campaign: String,
    status: String,
    kind: String,
    item: String,
    urgency: String,
    page: Option<u64>,
    size: Option<u64>,
    notice: String,
}

impl ListQuery {
    fn parse(raw: Option<&str>) -> ListQuery {
        let mut q = ListQuery::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "campaign" => q.campaign = value,
                "status" => q.status = value,
                "kind" => q.kind = value,
                "item" => q.item = value,
                "urgency" => q.urgency = value,
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
            ("campaign", self.campaign.clone()),
            ("status", self.status.clone()),
            ("kind", self.kind.clone()),
            ("item", self.item.clone()),
            ("urgency", self.urgency.clone()),
        ]
    }

    fn query(&self) -> NeedQuery {
        let given = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        NeedQuery {
            campaign: given(&self.campaign),
            status: given(&self.status),
            kind: given(&self.kind),
            item: given(&self.item),
            urgency: given(&self.urgency),
            ..NeedQuery::default()
        }
    }
}

fn notice_key(notice: &str) -> Option<&'static str> {
    Some(match notice {
        "recorded" => "need_page.notice_recorded",
        "approved" => "need_page.notice_approved",
        "returned" => "need_page.notice_returned",
        "cancelled" => "need_page.notice_cancelled",
        "released" => "need_page.notice_released",
        "resubmitted" => "need_page.notice_resubmitted",
        _ => return None,
    })
}

pub(crate) struct Row {
    id: String,
    number: String,
    campaign: String,
    town: String,
    village: String,
    head: String,
    category: String,
    what: String,
    value: String,
    note: String,
    urgency: &'static str,
    urgency_class: &'static str,
    status: &'static str,
    status_class: &'static str,
    return_reason: String,
    claimed_by: String,
    contact: String,
    claimed_at: String,
    can_review: bool,
    can_cancel: bool,
    can_release: bool,
    can_edit: bool,
}

fn row(t: Tr, caller: &Caller, v: &NeedView) -> Row {
    let reviewer = caller.can(Permission::ReviewNeeds);
    let officer = caller.can(Permission::RecordNeeds) || reviewer;
    Row {
        id: v.id.to_string(),
        number: v.number.clone(),
        campaign: v.campaign_name.clone(),
        town: v.town_name.clone(),
        village: v.village_name.clone(),
        head: v.head_name.clone(),
        category: if v.main_category.is_empty() {
            String::new()
        } else {
            category_label(t, &v.main_category)
        },
        what: what(
            t,
            v.kind,
            if t.is_en() && v.item_code.is_some() {
                v.item_code.as_deref().unwrap_or("")
            } else {
                &v.item_name
            },
            &v.item_unit,
            v.quantity,
            v.cash,
            v.service,
        ),
        value: if v.reference_value == Fen::ZERO {
            String::new()
        } else {
            v.reference_value.yuan_string()
        },
        note: v.note.clone(),
        urgency: t.t(v.urgency.label_key()),
        urgency_class: urgency_class(v.urgency),
        status: status_label(t, v.status, v.visited),
        status_class: status_class(v.status),
        return_reason: v.return_reason.clone(),
        claimed_by: v.claimed_by_name.clone(),
        contact: v.contact.clone(),
        claimed_at: v.claimed_at.map(|at| local_time(t, at)).unwrap_or_default(),
        can_review: reviewer && v.status == NeedStatus::Submitted && !v.entered_by_caller,
        can_cancel: officer
            && matches!(
                v.status,
                NeedStatus::Submitted | NeedStatus::Returned | NeedStatus::Open
            ),
        can_release: caller.can(Permission::ManageCampaigns) && v.status == NeedStatus::Claimed,
        can_edit: caller.can(Permission::RecordNeeds) && v.status == NeedStatus::Returned,
    }
}

const COLUMNS: [Column<Row>; 12] = [
    Column {
        header: "need.number",
        cell: |r| txt(&r.number),
    },
    Column {
        header: "need_page.campaign",
        cell: |r| txt(&r.campaign),
    },
    Column {
        header: "need_page.town",
        cell: |r| txt(&r.town),
    },
    Column {
        header: "need_page.village",
        cell: |r| txt(&r.village),
    },
    Column {
        header: "need_page.head",
        cell: |r| txt(&r.head),
    },
    Column {
        header: "need_page.category",
        cell: |r| txt(&r.category),
    },
    Column {
        header: "need_page.what",
        cell: |r| txt(&r.what),
    },
    Column {
        header: "need_page.value",
        cell: |r| yuan(&r.value),
    },
    Column {
        header: "need_page.urgency",
        cell: |r| txt(r.urgency),
    },
    Column {
        header: "need_page.status",
        cell: |r| txt(r.status),
    },
    Column {
        header: "need_page.claimed_by",
        cell: |r| txt(&r.claimed_by),
    },
    Column {
        header: "need_page.note",
        cell: |r| txt(&r.note),
    },
];

/// `GET /needs/export.xlsx|csv`: the list under the same filters, every page, masked as shown.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller.require(Permission::ReadNeeds).map_err(fail(t))?;
    let q = ListQuery::parse(raw.as_deref());
    let (views, _) = state
        .app
        .needs(caller, &q.query(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<Row> = views.iter().map(|v| row(t, caller, v)).collect();
    let list = List {
        name: "needs",
        title: t.t("need_page.title"),
        filter: &q.params(),
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// The choices of the record form and the filters.
pub(crate) struct Choices {
    households: Vec<Opt>,
    campaigns: Vec<Opt>,
    kinds: Vec<Opt>,
    items: Vec<Opt>,
    services: Vec<Opt>,
    urgencies: Vec<Opt>,
}

async fn choices(
    state: &AppState,
    caller: &Caller,
    t: Tr,
    form: &NeedInput,
    with_households: bool,
) -> Result<Choices, PageError> {
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let households = if with_households {
        let query = HouseholdQuery {
            status: Some(HouseholdStatus::Approved.as_str().to_owned()),
            ..HouseholdQuery::default()
        };
        let (views, _) = state
            .app
            .households(caller, &query, PageRequest::all())
            .await
            .map_err(fail(t))?;
        views
            .iter()
            .map(|h| Opt {
                value: h.id.to_string(),
                label: format!("{} · {}", h.head_name, h.village_name),
                selected: h.id.to_string() == form.household.trim(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let launched: Vec<_> = state
        .app
        .campaigns(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|c| c.status == CampaignStatus::Launched)
        .collect();
    let only = launched.len() == 1;
    let campaigns = launched
        .iter()
        .map(|c| Opt {
            value: c.profile.code.clone(),
            label: c.profile.name.clone(),
            selected: only
                || form.campaign.trim().eq_ignore_ascii_case(&c.profile.code)
                || form.campaign.trim() == c.id.to_string(),
        })
        .collect();
    let urgency = if form.urgency.trim().is_empty() {
        Urgency::Normal.as_str()
    } else {
        form.urgency.as_str()
    };
    Ok(Choices {
        households,
        campaigns,
        kinds: options(
            t,
            NeedKind::ALL,
            &form.kind,
            NeedKind::as_str,
            NeedKind::label_key,
        ),
        items: item_options(t, &items, &form.item),
        services: options(
            t,
            ServiceKind::ALL,
            &form.service,
            ServiceKind::as_str,
            ServiceKind::label_key,
        ),
        urgencies: options(
            t,
            Urgency::ALL,
            urgency,
            Urgency::as_str,
            Urgency::label_key,
        ),
    })
}

#[derive(Template)]
#[template(path = "need_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    notice: Option<&'static str>,
    error: String,
    can_record: bool,
    form: NeedInput,
    errors: FormErrors,
    others: Vec<String>,
    choices: Choices,
    filter_campaigns: Vec<Opt>,
    filter_statuses: Vec<Opt>,
    filter_kinds: Vec<Opt>,
    filter_items: Vec<Opt>,
    filter_urgencies: Vec<Opt>,
    rows: Vec<Row>,
    pager: Pager,
}

const FORM_FIELDS: [&str; 9] = [
    "household",
    "campaign",
    "kind",
    "item",
    "quantity",
    "cash",
    "service",
    "urgency",
    "note",
];

/// What the page shows besides the list: the record form as typed, its refusals, a refusal of a
/// row's button, and the answer's status.
struct Shown {
    form: NeedInput,
    form_errors: FormErrors,
    error: String,
    status: StatusCode,
}

impl Shown {
    fn fresh() -> Shown {
        Shown {
            form: NeedInput::default(),
            form_errors: FormErrors::default(),
            error: String::new(),
            status: StatusCode::OK,
        }
    }
}

async fn show_list(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    q: ListQuery,
    shown: Shown,
) -> Result<Response, PageError> {
    let Shown {
        form,
        form_errors,
        error,
        status,
    } = shown;
    let caller = &signed.caller;
    let page = PageRequest::new(q.page, q.size);
    let (views, total, error) = match state.app.needs(caller, &q.query(), page).await {
        Ok((views, total)) => (views, total, error),
        Err(AppError::Invalid(list)) => (
            Vec::new(),
            0,
            FormErrors::from_invalid(t, &list).all().join("；"),
        ),
        Err(e) => return Err(PageError::new(e, t)),
    };
    let can_record = caller.can(Permission::RecordNeeds);
    let choices = choices(state, caller, t, &form, can_record).await?;
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let campaigns = state.app.campaigns(caller).await.map_err(fail(t))?;
    let params = q.params();
    let here = with_query("/needs", &query_string(&params));
    let page_view = ListPage {
        frame: Frame::new(signed, t, Section::Needs, &here, t.t("need_page.title")),
        notice: notice_key(&q.notice),
        error,
        can_record,
        others: form_errors.others(&FORM_FIELDS),
        errors: form_errors,
        choices,
        filter_campaigns: campaigns
            .iter()
            .map(|c| Opt {
                value: c.profile.code.clone(),
                label: c.profile.name.clone(),
                selected: q.campaign.eq_ignore_ascii_case(&c.profile.code),
            })
            .collect(),
        filter_statuses: options(
            t,
            NeedStatus::ALL,
            &q.status,
            NeedStatus::as_str,
            NeedStatus::label_key,
        ),
        filter_kinds: options(
            t,
            NeedKind::ALL,
            &q.kind,
            NeedKind::as_str,
            NeedKind::label_key,
        ),
        filter_items: item_options(t, &items, &q.item),
        filter_urgencies: options(
            t,
            Urgency::ALL,
            &q.urgency,
            Urgency::as_str,
            Urgency::label_key,
        ),
        rows: views.iter().map(|v| row(t, caller, v)).collect(),
        pager: Pager::new(t, "/needs", &params, total, page.number, page.size),
        form,
        t,
    };
    Ok(render(status, &page_view, t))
}

/// `GET /needs`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    signed
        .caller
        .require(Permission::ReadNeeds)
        .map_err(fail(t))?;
    let q = ListQuery::parse(raw.as_deref());
    show_list(&state, &signed, t, q, Shown::fresh()).await
}

fn need_form(f: &Fields) -> NeedInput {
    NeedInput {
        household: f.get("household").to_owned(),
        campaign: f.get("campaign").to_owned(),
        kind: f.get("kind").to_owned(),
        item: f.get("item").to_owned(),
        quantity: f.get("quantity").to_owned(),
        cash: f.get("cash").to_owned(),
        service: f.get("service").to_owned(),
        urgency: f.get("urgency").to_owned(),
        note: f.get("note").to_owned(),
    }
}

/// `POST /needs`: the record form.
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let input = need_form(&Fields::parse(&body));
    match state.app.record_need(&signed.caller, &input).await {
        Ok(_) => Ok(Redirect::to("/needs?notice=recorded").into_response()),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            let shown = Shown {
                form: input,
                form_errors: errors,
                error: String::new(),
                status,
            };
            show_list(&state, &signed, t, ListQuery::default(), shown).await
        }
    }
}

/// After a row's button: back to the list with a notice, or the list with the refusal on top.
async fn after(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    result: Result<(), AppError>,
    notice: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/needs?notice={notice}")).into_response()),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let message = form_errors(t, e)?.all().join("；");
            let shown = Shown {
                error: message,
                status,
                ..Shown::fresh()
            };
            show_list(state, signed, t, ListQuery::default(), shown).await
        }
    }
}

/// `POST /needs/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let result = state.app.approve_need(&signed.caller, id).await.map(|_| ());
    after(&state, &signed, t, result, "approved").await
}

/// `POST /needs/{id}/return` with a reason.
pub async fn return_for_changes(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = Fields::parse(&body).get("reason").to_owned();
    let result = state
        .app
        .return_need(&signed.caller, id, &reason)
        .await
        .map(|_| ());
    after(&state, &signed, t, result, "returned").await
}

/// `POST /needs/{id}/cancel` with a reason.
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = Fields::parse(&body).get("reason").to_owned();
    let result = state
        .app
        .cancel_need(&signed.caller, id, &reason)
        .await
        .map(|_| ());
    after(&state, &signed, t, result, "cancelled").await
}

/// `POST /needs/{id}/release`: the county puts a claimed need back on the sheet, with a reason.
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
    after(&state, &signed, t, result, "released").await
}

// ---------------------------------------------------------------------------------------------
// Fixing a returned need

#[derive(Template)]
#[template(path = "need_edit.html")]
struct EditPage {
    t: Tr,
    frame: Frame,
    id: String,
    version: i64,
    need: Row,
    form: NeedInput,
    errors: FormErrors,
    others: Vec<String>,
    choices: Choices,
}

async fn edit_page(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    form: Option<(NeedInput, i64)>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller.require(Permission::RecordNeeds).map_err(fail(t))?;
    let view = state.app.need(caller, id).await.map_err(fail(t))?;
    let (form, version) = form.unwrap_or_else(|| {
        (
            NeedInput {
                household: view.household_id.to_string(),
                campaign: view.campaign_code.clone(),
                kind: view.kind.as_str().to_owned(),
                item: view.item_code.clone().unwrap_or_default(),
                quantity: if view.kind == NeedKind::Cash {
                    String::new()
                } else {
                    view.quantity.to_string()
                },
                cash: if view.kind == NeedKind::Cash {
                    view.cash.yuan_string()
                } else {
                    String::new()
                },
                service: view
                    .service
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                urgency: view.urgency.as_str().to_owned(),
                note: view.note.clone(),
            },
            view.version,
        )
    });
    let choices = choices(state, caller, t, &form, false).await?;
    let page = EditPage {
        frame: Frame::new(
            signed,
            t,
            Section::Needs,
            &format!("/needs/{id}/edit"),
            t.t("need_page.edit_title"),
        ),
        id: id.to_string(),
        version,
        need: row(t, caller, &view),
        others: errors.others(&FORM_FIELDS),
        errors,
        choices,
        form,
        t,
    };
    Ok(render(status, &page, t))
}

/// `GET /needs/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    edit_page(
        &state,
        &signed,
        t,
        id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /needs/{id}`: save the fix and send the need for review again.
pub async fn resubmit(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    let input = need_form(&f);
    let version = f.get("version").trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .resubmit_need(&signed.caller, id, version, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to("/needs?notice=resubmitted").into_response()),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            edit_page(
                &state,
                &signed,
                t,
                id,
                Some((input, version)),
                errors,
                status,
            )
            .await
        }
    }
}
