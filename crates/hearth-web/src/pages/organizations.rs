//! The organization registry (社会组织) in the RuoYi habit: division tree, search form, toolbar,
//! table with checkboxes and an operations column, pagination; add, edit, detail with history,
//! deactivate/reactivate, export.

use super::areas::{CountyNode, display_name, tree_nodes};
use super::cultivation::Posted;
use super::{
    FormErrors, Frame, Pager, Section, internal_error, label_or, local_path, local_time, ok,
    query_string, render, with_query,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::{AppError, Caller};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::organization::{
    OrgInput, OrgKind, OrgStatus, Organization, ServiceField, split_list,
};
use hearth_core::permission::Permission;
use hearth_store::areas::Area;
use hearth_store::audit::AuditEvent;
use hearth_store::organizations::{OrgFilter, PageRequest};
use uuid::Uuid;

/// The inputs of the organization form, in order; errors for other fields go to the top box.
const FORM_FIELDS: [&str; 11] = [
    "name",
    "uscc",
    "kind",
    "service_fields",
    "service_areas",
    "responsible_person",
    "contact_person",
    "contact_phone",
    "address",
    "rating",
    "note",
];

const RATINGS: [&str; 5] = ["5A", "4A", "3A", "2A", "1A"];

/// A choice in a dropdown or a checkbox group.
pub(super) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The list's filters as they arrive in the address (unknown values are ignored, not refused:
/// a stale bookmark still opens the list).
#[derive(Debug, Default, Clone)]
struct OrgQuery {
    name: String,
    uscc: String,
    kind: String,
    field: String,
    status: String,
    area: String,
    page: Option<u64>,
    size: Option<u64>,
    /// Rows ticked in the table, for 导出 of the selection.
    ids: Vec<String>,
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl OrgQuery {
    fn parse(raw: Option<&str>) -> OrgQuery {
        let mut q = OrgQuery::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "name" => q.name = value,
                "uscc" => q.uscc = value,
                "kind" => q.kind = value,
                "field" => q.field = value,
                "status" => q.status = value,
                "area" => q.area = value,
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                "id" => q.ids.push(value),
                _ => {}
            }
        }
        q
    }

    fn filter(&self) -> OrgFilter {
        OrgFilter {
            name: non_empty(&self.name),
            uscc: non_empty(&self.uscc),
            kind: OrgKind::parse(&self.kind).ok(),
            status: OrgStatus::parse(&self.status).ok(),
            field: ServiceField::parse(&self.field).ok(),
            area: non_empty(&self.area).and_then(|a| AreaCode::parse(&a).ok()),
            // The application bounds it to the caller's counties.
            reaching: None,
            only: None,
        }
    }

    /// The filter narrowed to the ticked rows, if any were ticked.
    fn filter_with_selection(&self) -> OrgFilter {
        let ids: Vec<Uuid> = self
            .ids
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        OrgFilter {
            only: (!ids.is_empty()).then_some(ids),
            ..self.filter()
        }
    }

    /// The filters to keep in links (not the page).
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("uscc", self.uscc.clone()),
            ("kind", self.kind.clone()),
            ("field", self.field.clone()),
            ("status", self.status.clone()),
            ("area", self.area.clone()),
        ]
    }

    /// The list with the same filters but another area (from the tree), first page.
    fn with_area(&self, area: &str) -> String {
        let mut params = self.params();
        params.retain(|(k, _)| *k != "area");
        params.push(("area", area.to_owned()));
        if let Some(size) = self.size.filter(|s| *s != 10) {
            params.push(("size", size.to_string()));
        }
        with_query("/organizations", &query_string(&params))
    }
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

async fn visible_areas(state: &AppState, caller: &Caller, t: Tr) -> Result<Vec<Area>, PageError> {
    if caller.can(Permission::ReadAreas) {
        state.app.areas(caller).await.map_err(fail(t))
    } else {
        Ok(Vec::new())
    }
}

fn area_name(areas: &[Area], code: &AreaCode) -> String {
    areas
        .iter()
        .find(|a| &a.code == code)
        .map(display_name)
        .unwrap_or_else(|| code.as_str().to_owned())
}

fn field_labels(t: Tr, fields: &[ServiceField]) -> String {
    fields
        .iter()
        .map(|f| t.t(f.label_key()))
        .collect::<Vec<_>>()
        .join("、")
}

fn area_labels(areas: &[Area], codes: &[AreaCode]) -> String {
    codes
        .iter()
        .map(|c| area_name(areas, c))
        .collect::<Vec<_>>()
        .join("、")
}

fn status_class(status: OrgStatus) -> &'static str {
    match status {
        OrgStatus::Active => "tag-success",
        OrgStatus::Inactive => "tag-info",
    }
}

fn may_edit(caller: &Caller, id: Uuid) -> bool {
    caller.can(Permission::ManageOrganizations)
        || (caller.can(Permission::EditOwnOrganization) && caller.user.organization_id == Some(id))
}

// ---------------------------------------------------------------------------------------------
// List

struct Row {
    index: u64,
    id: String,
    name: String,
    uscc: String,
    kind: &'static str,
    fields: String,
    areas: String,
    responsible: String,
    phone: String,
    rating: String,
    status: &'static str,
    status_class: &'static str,
    active: bool,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "org_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    q: OrgQuery,
    all_href: String,
    all_active: bool,
    counties: Vec<CountyNode>,
    kinds: Vec<Opt>,
    fields: Vec<Opt>,
    statuses: Vec<Opt>,
    can_add: bool,
    can_manage: bool,
    export_params: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    pager: Pager,
    here: String,
}

fn dictionary<T: Copy>(
    t: Tr,
    all: &[T],
    chosen: &str,
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Vec<Opt> {
    all.iter()
        .map(|item| {
            let value = code(*item);
            let label = t.t(key(*item)).to_owned();
            Opt {
                selected: chosen == value || (!chosen.is_empty() && chosen == label),
                value: value.to_owned(),
                label,
            }
        })
        .collect()
}

/// `GET /organizations`: the registry as the caller may see it.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let q = OrgQuery::parse(raw.as_deref());
    let areas = visible_areas(&state, caller, t).await?;
    let page = PageRequest::new(q.page, q.size);
    let (orgs, total) = state
        .app
        .organizations(caller, q.filter(), page)
        .await
        .map_err(fail(t))?;
    let offset = page.offset();
    let rows = orgs
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let p = &org.profile;
            Row {
                index: offset + i as u64 + 1,
                id: org.id.to_string(),
                name: p.name.clone(),
                uscc: p.uscc.as_str().to_owned(),
                kind: t.t(p.kind.label_key()),
                fields: field_labels(t, &p.service_fields),
                areas: area_labels(&areas, &p.service_areas),
                responsible: p.responsible_person.clone(),
                phone: p.contact_phone.clone(),
                rating: p.rating.clone().unwrap_or_default(),
                status: t.t(org.status.label_key()),
                status_class: status_class(org.status),
                active: org.status == OrgStatus::Active,
                can_edit: may_edit(caller, org.id),
            }
        })
        .collect();
    let here = with_query("/organizations", raw.as_deref().unwrap_or(""));
    let params = q.params();
    let export_params = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .cloned()
        .collect();
    let pager = Pager::new(t, "/organizations", &params, total, page.number, page.size);
    let mut all_params = params.clone();
    all_params.retain(|(k, _)| *k != "area");
    let page = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Organizations,
            &here,
            t.t("org.list_title"),
        ),
        all_href: with_query("/organizations", &query_string(&all_params)),
        all_active: q.filter().area.is_none(),
        counties: tree_nodes(&areas, q.filter().area.as_ref(), |code| q.with_area(code)),
        kinds: dictionary(
            t,
            OrgKind::ALL,
            &q.kind,
            OrgKind::as_str,
            OrgKind::label_key,
        ),
        fields: dictionary(
            t,
            ServiceField::ALL,
            &q.field,
            ServiceField::as_str,
            ServiceField::label_key,
        ),
        statuses: dictionary(
            t,
            OrgStatus::ALL,
            &q.status,
            OrgStatus::as_str,
            OrgStatus::label_key,
        ),
        can_add: caller.can(Permission::ManageOrganizations),
        can_manage: caller.can(Permission::ManageOrganizations),
        export_params,
        rows,
        pager,
        here,
        q,
        t,
    };
    Ok(ok(&page, t))
}

/// `GET /organizations/export.xlsx`: the rows the list shows under the same filters (or the
/// ticked ones), every page, as a spreadsheet that opens in WPS.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let q = OrgQuery::parse(raw.as_deref());
    let (orgs, _) = state
        .app
        .organizations(caller, q.filter_with_selection(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    let areas = visible_areas(&state, caller, t).await?;
    let now = chrono::Utc::now();
    let bytes = match hearth_office::organizations::export(
        t.0,
        &orgs,
        &areas,
        &caller.user.display_name,
        now,
    ) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "organization export failed");
            return Ok(internal_error(t));
        }
    };
    let day = now
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y%m%d");
    let name = format!("{}-{day}.xlsx", t.t("org.export_file"));
    let ascii = format!("organizations-{day}.xlsx");
    Ok(super::download(super::XLSX, &ascii, &name, bytes))
}

// ---------------------------------------------------------------------------------------------
// Add and edit

#[derive(Template)]
#[template(path = "org_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    action: String,
    cancel: String,
    version: Option<i64>,
    input: OrgInput,
    kinds: Vec<Opt>,
    fields: Vec<Opt>,
    areas: Vec<Opt>,
    ratings: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
    stale: bool,
    own_only: bool,
    reload: String,
}

/// Everything the form needs beside the typed values.
struct FormContext {
    action: String,
    cancel: String,
    title: String,
    version: Option<i64>,
    own_only: bool,
    /// The organization being edited: (link, name) for the breadcrumbs.
    subject: Option<(String, String)>,
}

fn form_page(
    signed: &Signed,
    t: Tr,
    areas: &[Area],
    ctx: FormContext,
    input: OrgInput,
    errors: FormErrors,
) -> FormPage {
    let kind = OrgKind::parse(&input.kind).ok();
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str().into(),
            label: t.t(k.label_key()).into(),
            selected: Some(*k) == kind,
        })
        .collect();
    let chosen_fields: Vec<ServiceField> = split_list(&input.service_fields)
        .iter()
        .filter_map(|f| ServiceField::parse(f).ok())
        .collect();
    let fields = ServiceField::ALL
        .iter()
        .map(|f| Opt {
            value: f.as_str().into(),
            label: t.t(f.label_key()).into(),
            selected: chosen_fields.contains(f),
        })
        .collect();
    let typed_areas = split_list(&input.service_areas);
    let chosen_areas: Vec<AreaCode> = typed_areas
        .iter()
        .filter_map(|a| AreaCode::parse(a).ok())
        .collect();
    let mut area_opts: Vec<Opt> = areas
        .iter()
        .filter(|a| matches!(a.level, AreaLevel::County | AreaLevel::Town))
        .map(|a| {
            let label = if a.level == AreaLevel::County {
                format!("{}（{}）", display_name(a), t.t("org.county_wide"))
            } else {
                display_name(a)
            };
            Opt {
                value: a.code.as_str().into(),
                label,
                selected: chosen_areas.contains(&a.code),
            }
        })
        .collect();
    // Keep what the record or the user already has even if the list does not offer it.
    for code in &chosen_areas {
        if !area_opts.iter().any(|o| o.value == code.as_str()) {
            area_opts.push(Opt {
                value: code.as_str().into(),
                label: area_name(areas, code),
                selected: true,
            });
        }
    }
    for typed in typed_areas.iter().filter(|a| AreaCode::parse(a).is_err()) {
        area_opts.push(Opt {
            value: typed.clone(),
            label: typed.clone(),
            selected: true,
        });
    }
    let rating = input.rating.trim().to_ascii_uppercase();
    let mut ratings = vec![Opt {
        value: String::new(),
        label: t.t("org.rating_none").into(),
        selected: rating.is_empty(),
    }];
    ratings.extend(RATINGS.iter().map(|r| Opt {
        value: (*r).into(),
        label: (*r).into(),
        selected: rating == *r,
    }));
    if !rating.is_empty() && !RATINGS.contains(&rating.as_str()) {
        ratings.push(Opt {
            value: input.rating.clone(),
            label: input.rating.clone(),
            selected: true,
        });
    }
    let here = if ctx.version.is_some() {
        format!("{}/edit", ctx.action)
    } else {
        "/organizations/new".to_owned()
    };
    let mut frame = Frame::new(signed, t, Section::Organizations, &here, ctx.title);
    if let Some((href, name)) = ctx.subject {
        frame = frame.with_crumb(href, name);
    }
    FormPage {
        t,
        frame,
        reload: format!("{}/edit", ctx.action),
        action: ctx.action,
        cancel: ctx.cancel,
        version: ctx.version,
        kinds,
        fields,
        areas: area_opts,
        ratings,
        others: errors.others(&FORM_FIELDS),
        stale: errors.has("version"),
        errors,
        own_only: ctx.own_only,
        input,
    }
}

fn input_from(body: &str) -> OrgInput {
    let fields = super::Fields::parse(body);
    OrgInput {
        name: fields.get("name").into(),
        uscc: fields.get("uscc").into(),
        kind: fields.get("kind").into(),
        service_fields: fields.all("service_fields"),
        service_areas: fields.all("service_areas"),
        responsible_person: fields.get("responsible_person").into(),
        contact_person: fields.get("contact_person").into(),
        contact_phone: fields.get("contact_phone").into(),
        address: fields.get("address").into(),
        rating: fields.get("rating").into(),
        note: fields.get("note").into(),
    }
}

fn new_context(t: Tr) -> FormContext {
    FormContext {
        action: "/organizations".into(),
        cancel: "/organizations".into(),
        title: t.t("org.new").into(),
        version: None,
        own_only: false,
        subject: None,
    }
}

fn edit_context(t: Tr, caller: &Caller, org: &Organization, version: i64) -> FormContext {
    let href = format!("/organizations/{}", org.id);
    FormContext {
        action: href.clone(),
        cancel: href.clone(),
        title: t.t("org.edit").into(),
        version: Some(version),
        own_only: !caller.can(Permission::ManageOrganizations),
        subject: Some((href, org.profile.name.clone())),
    }
}

/// `GET /organizations/new`
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    signed
        .caller
        .require(Permission::ManageOrganizations)
        .map_err(fail(t))?;
    let areas = visible_areas(&state, &signed.caller, t).await?;
    let page = form_page(
        &signed,
        t,
        &areas,
        new_context(t),
        OrgInput::default(),
        FormErrors::default(),
    );
    Ok(ok(&page, t))
}

/// `POST /organizations`: adds the organization, or shows the form again with every problem
/// next to its field and what was typed kept.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let input = input_from(&body);
    match state.app.create_organization(&signed.caller, &input).await {
        Ok((org, _warnings)) => {
            Ok(Redirect::to(&format!("/organizations/{}?notice=created", org.id)).into_response())
        }
        Err(e) => {
            let status = match &e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = super::form_errors(t, e)?;
            let areas = visible_areas(&state, &signed.caller, t).await?;
            let page = form_page(&signed, t, &areas, new_context(t), input, errors);
            Ok(render(status, &page, t))
        }
    }
}

/// `GET /organizations/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let caller = &signed.caller;
    let org = state.app.organization(caller, id).await.map_err(fail(t))?;
    if !may_edit(caller, id) {
        return Err(PageError::new(AppError::Forbidden, t));
    }
    let areas = visible_areas(&state, caller, t).await?;
    let ctx = edit_context(t, caller, &org, org.version);
    let page = form_page(
        &signed,
        t,
        &areas,
        ctx,
        OrgInput::from(&org.profile),
        FormErrors::default(),
    );
    Ok(ok(&page, t))
}

/// `POST /organizations/{id}`: saves an edit made from the posted version; a stale edit is
/// shown again with the conflict message and the typed values kept.
pub async fn update(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let caller = &signed.caller;
    let version: i64 = super::Fields::parse(&body)
        .get("version")
        .trim()
        .parse()
        .unwrap_or(0);
    let typed = input_from(&body);
    match state
        .app
        .update_organization(caller, id, version, &typed)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/organizations/{id}?notice=updated")).into_response()),
        Err(e) => {
            let status = match &e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = super::form_errors(t, e)?;
            let current = state.app.organization(caller, id).await.map_err(fail(t))?;
            let ctx = edit_context(t, caller, &current, version);
            // A member edits only the contact fields; the others show what is stored.
            let input = if ctx.own_only {
                OrgInput {
                    contact_person: typed.contact_person,
                    contact_phone: typed.contact_phone,
                    address: typed.address,
                    ..OrgInput::from(&current.profile)
                }
            } else {
                typed
            };
            let areas = visible_areas(&state, caller, t).await?;
            let page = form_page(&signed, t, &areas, ctx, input, errors);
            Ok(render(status, &page, t))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Detail, status and history

struct Change {
    field: String,
    /// `None` when the field had no value before (a new record).
    old: Option<String>,
    new: String,
}

struct HistoryRow {
    time: String,
    who: String,
    role: String,
    action: String,
    changes: Vec<Change>,
    reason: String,
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    id: String,
    name: String,
    uscc: String,
    kind: &'static str,
    fields: String,
    areas: String,
    responsible: String,
    contact_person: String,
    phone: String,
    address: String,
    rating: String,
    note: String,
    status: &'static str,
    status_class: &'static str,
    active: bool,
    created: String,
    updated: String,
    warnings: Vec<String>,
    notice: Option<&'static str>,
    can_edit: bool,
    can_manage: bool,
    reason: String,
    reason_error: String,
    status_errors: Vec<String>,
    history: Vec<HistoryRow>,
    cultivation: super::cultivation::Panel,
}

/// A value from the audit log's `changed` map as a reader understands it.
fn readable(t: Tr, areas: &[Area], field: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    let one = |s: &str| -> String {
        match field {
            "kind" => OrgKind::parse(s)
                .map(|k| t.t(k.label_key()).to_owned())
                .unwrap_or_else(|_| s.to_owned()),
            "status" => OrgStatus::parse(s)
                .map(|k| t.t(k.label_key()).to_owned())
                .unwrap_or_else(|_| s.to_owned()),
            "service_fields" => ServiceField::parse(s)
                .map(|k| t.t(k.label_key()).to_owned())
                .unwrap_or_else(|_| s.to_owned()),
            "service_areas" => AreaCode::parse(s)
                .map(|c| area_name(areas, &c))
                .unwrap_or_else(|_| s.to_owned()),
            _ => s.to_owned(),
        }
    };
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => one(s),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(one).unwrap_or_else(|| v.to_string()))
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    };
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        text
    }
}

fn field_label(t: Tr, field: &str) -> String {
    let key = match field {
        "kind" => "org.kind_label".to_owned(),
        "status" => "org.status_label".to_owned(),
        other => format!("org.{other}"),
    };
    label_or(t, &key, field)
}

pub(crate) fn role_label(t: Tr, role: &str) -> String {
    match role.parse::<hearth_core::Role>() {
        Ok(role) => t.t(&role.label_key()).to_owned(),
        Err(_) if role == "system" => t.t("audit.system").to_owned(),
        Err(_) => role.to_owned(),
    }
}

fn change(
    t: Tr,
    areas: &[Area],
    field: &str,
    old: &serde_json::Value,
    new: &serde_json::Value,
) -> Change {
    let blank = |v: &serde_json::Value| match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(items) => items.is_empty(),
        _ => false,
    };
    Change {
        field: field_label(t, field),
        old: (!blank(old)).then(|| readable(t, areas, field, old)),
        new: readable(t, areas, field, new),
    }
}

fn history_row(t: Tr, areas: &[Area], event: &AuditEvent) -> HistoryRow {
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
    let mut changes = Vec::new();
    if let Some(changed) = detail.get("changed").and_then(|c| c.as_object()) {
        for field in FORM_FIELDS.iter().chain(["status"].iter()) {
            if let Some(pair) = changed.get(*field).and_then(|p| p.as_array()) {
                let old = pair.first().cloned().unwrap_or_default();
                let new = pair.get(1).cloned().unwrap_or_default();
                changes.push(change(t, areas, field, &old, &new));
            }
        }
        for (field, pair) in changed
            .iter()
            .filter(|(f, _)| !FORM_FIELDS.contains(&f.as_str()) && f.as_str() != "status")
        {
            let pair = pair.as_array().cloned().unwrap_or_default();
            let old = pair.first().cloned().unwrap_or_default();
            let new = pair.get(1).cloned().unwrap_or_default();
            changes.push(change(t, areas, field, &old, &new));
        }
    }
    HistoryRow {
        time: local_time(t, event.at),
        who: event.actor_name.clone(),
        role: role_label(t, &event.role),
        action: label_or(t, &format!("action.{}", event.action), &event.action),
        changes,
        reason: event.reason.clone(),
    }
}

/// The deactivation form as posted (empty when the page is only shown).
#[derive(Default)]
pub(super) struct StatusForm {
    reason: String,
    errors: FormErrors,
}

/// The organization page; `form` is the deactivation form as posted, `posted` a refused
/// cultivation form (`Posted::Nothing` when none). Either refusal answers 422.
pub(super) async fn show_detail(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    notice: Option<&'static str>,
    form: StatusForm,
    posted: Posted,
) -> Result<Response, PageError> {
    let refused = !form.errors.is_empty() || !matches!(posted, Posted::Nothing);
    let caller = &signed.caller;
    let org = state.app.organization(caller, id).await.map_err(fail(t))?;
    let history = state
        .app
        .organization_history(caller, id)
        .await
        .map_err(fail(t))?;
    let areas = visible_areas(state, caller, t).await?;
    let p = &org.profile;
    let href = format!("/organizations/{id}");
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let cultivation = super::cultivation::panel(state, signed, t, &org, posted).await?;
    let page = DetailPage {
        t,
        frame: Frame::new(signed, t, Section::Organizations, &href, p.name.clone()),
        id: id.to_string(),
        name: p.name.clone(),
        uscc: p.uscc.as_str().to_owned(),
        kind: t.t(p.kind.label_key()),
        fields: field_labels(t, &p.service_fields),
        areas: area_labels(&areas, &p.service_areas),
        responsible: p.responsible_person.clone(),
        contact_person: p.contact_person.clone(),
        phone: p.contact_phone.clone(),
        address: p.address.clone(),
        rating: p
            .rating
            .clone()
            .unwrap_or_else(|| t.t("org.rating_none").to_owned()),
        note: p.note.clone(),
        status: t.t(org.status.label_key()),
        status_class: status_class(org.status),
        active: org.status == OrgStatus::Active,
        created: local_time(t, org.created_at),
        updated: local_time(t, org.updated_at),
        warnings: p.uscc.warnings().iter().map(|w| w.message(t.0)).collect(),
        notice,
        can_edit: may_edit(caller, id),
        can_manage: caller.can(Permission::ManageOrganizations),
        reason: form.reason,
        reason_error: form.errors.of("reason"),
        status_errors: form.errors.others(&["reason"]),
        history: history
            .iter()
            .rev()
            .map(|e| history_row(t, &areas, e))
            .collect(),
        cultivation,
    };
    Ok(render(status, &page, t))
}

/// `GET /organizations/{id}`
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "notice")
        .and_then(|(_, v)| match v.as_str() {
            "created" => Some("org.notice_created"),
            "updated" => Some("org.notice_updated"),
            "deactivated" => Some("org.notice_deactivated"),
            "activated" => Some("org.notice_activated"),
            "activity" => Some("cultivation.notice_activity"),
            "rating" => Some("cultivation.notice_rating"),
            "photo" => Some("cultivation.notice_photo"),
            _ => None,
        });
    let form = StatusForm::default();
    show_detail(&state, &signed, t, id, notice, form, Posted::Nothing).await
}

/// `POST /organizations/{id}/status`: 停用 (a reason is required) or 启用.
pub async fn set_status(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let fields = super::Fields::parse(&body);
    let reason = fields.get("reason").to_owned();
    let outcome = match OrgStatus::parse(fields.get("status")) {
        Ok(status) => {
            state
                .app
                .set_organization_status(&signed.caller, id, status, &reason)
                .await
        }
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(org) => {
            let notice = if org.status == OrgStatus::Active {
                "activated"
            } else {
                "deactivated"
            };
            let to = match local_path(fields.get("next")) {
                Some(next) => next.to_owned(),
                None => format!("/organizations/{id}?notice={notice}"),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let errors = super::form_errors(t, e)?;
            let form = StatusForm { reason, errors };
            show_detail(&state, &signed, t, id, None, form, Posted::Nothing).await
        }
    }
}
