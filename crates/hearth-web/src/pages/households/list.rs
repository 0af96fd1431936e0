//! `GET /households`: the division tree, the search form, the toolbar (登记, 导出, 批量提交,
//! 批量审核通过), the table and the pager; `POST /households/search`, `POST /households/review`
//! and `GET|POST /households/export.xlsx`.
//!
//! A full ID number or phone typed into the search box never goes into an address (browser
//! history, proxy logs): the search form posts, a search by a full number is answered directly,
//! and every other search is redirected to a bookmarkable `GET /households?…`.

use super::super::areas::{CountyNode, tree_nodes};
use super::super::export::{Column, Format, List, txt, whole};
use super::super::{Fields, FormErrors, Frame, Pager, Section, query_string, render, with_query};
use super::{
    Opt, acts_as_maker, category_label, consent_class, consent_label, fail, is_editable,
    may_review, parse_id, status_class, status_label,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{PageError, details};
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::households::bulk::{BulkAction, BulkReport, MAX_IDS};
use hearth_app::households::{HouseholdQuery, HouseholdView};
use hearth_app::{AppError, Caller};
use hearth_core::Lang;
use hearth_core::area::AreaCode;
use hearth_core::household::{Category, HouseholdStatus};
use hearth_core::permission::Permission;
use hearth_store::areas::Area;
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

/// The list's filters as they arrive in the address or a posted search form.
#[derive(Debug, Default, Clone)]
pub(super) struct HhQuery {
    pub area: String,
    pub status: String,
    pub category: String,
    pub consent: String,
    pub name: String,
    pub number: String,
    pub page: Option<u64>,
    pub size: Option<u64>,
}

fn given(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl HhQuery {
    pub fn parse(raw: Option<&str>) -> HhQuery {
        let mut q = HhQuery::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "area" => q.area = value,
                "status" => q.status = value,
                "category" => q.category = value,
                "consent" => q.consent = value,
                "name" => q.name = value,
                "number" => q.number = value,
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    pub fn query(&self) -> HouseholdQuery {
        HouseholdQuery {
            area: given(&self.area),
            status: given(&self.status),
            category: given(&self.category),
            consent: given(&self.consent),
            name: given(&self.name),
            number: given(&self.number),
        }
    }

    /// A full ID number or phone (anything but the last four characters) stays out of
    /// addresses.
    pub fn number_is_private(&self) -> bool {
        let cleaned = hearth_core::normalize::clean_code(&self.number);
        !cleaned.is_empty() && cleaned.chars().count() != 4
    }

    /// The filters to keep in links (not the page, never a full number).
    fn params(&self) -> Vec<(&'static str, String)> {
        let number = if self.number_is_private() {
            String::new()
        } else {
            self.number.clone()
        };
        vec![
            ("area", self.area.clone()),
            ("status", self.status.clone()),
            ("category", self.category.clone()),
            ("consent", self.consent.clone()),
            ("name", self.name.clone()),
            ("number", number),
        ]
    }

    /// Every filter, for the export form (posted when it holds a full number).
    fn all_params(&self) -> Vec<(&'static str, String)> {
        let mut params = self.params();
        params.retain(|(k, _)| *k != "number");
        params.push(("number", self.number.clone()));
        params.retain(|(_, v)| !v.is_empty());
        params
    }

    /// The filters and the page, to come back to the same rows after a bulk step.
    fn back(&self) -> Vec<(&'static str, String)> {
        let mut params = self.params();
        params.push(("page", self.page.map(|p| p.to_string()).unwrap_or_default()));
        params.push(("size", self.size.map(|s| s.to_string()).unwrap_or_default()));
        params.retain(|(_, v)| !v.is_empty());
        params
    }

    fn chosen_area(&self) -> Option<AreaCode> {
        given(&self.area).and_then(|a| AreaCode::parse(&a).ok())
    }

    /// The list with the same filters but another area (from the tree), first page.
    fn with_area(&self, area: &str) -> String {
        let mut params = self.params();
        params.retain(|(k, _)| *k != "area");
        params.push(("area", area.to_owned()));
        if let Some(size) = self.size.filter(|s| *s != 10) {
            params.push(("size", size.to_string()));
        }
        with_query("/households", &query_string(&params))
    }

    /// What the audit log records of an export's filter: no full number, only its last four.
    fn audit_params(&self) -> Vec<(&'static str, String)> {
        let number = hearth_core::normalize::clean_code(&self.number);
        let tail: String = number
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        vec![
            ("area", self.area.clone()),
            ("status", self.status.clone()),
            ("category", self.category.clone()),
            ("consent", self.consent.clone()),
            ("name", self.name.clone()),
            ("number_last4", tail),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// The division tree

/// The divisions the caller works in (the app scopes villages and towns to their own).
pub(super) async fn visible_areas(
    state: &AppState,
    caller: &Caller,
    t: Tr,
) -> Result<Vec<Area>, PageError> {
    if caller.can(Permission::ReadAreas) {
        state.app.areas(caller).await.map_err(fail(t))
    } else {
        Ok(Vec::new())
    }
}

// ---------------------------------------------------------------------------------------------
// Rows, shared by the table and the spreadsheet

pub(super) struct Row {
    index: u64,
    id: String,
    head: String,
    head_id: String,
    town: String,
    village: String,
    main_category: String,
    tags: Vec<String>,
    members: i64,
    score: i64,
    consent: &'static str,
    consent_class: &'static str,
    status: String,
    status_class: &'static str,
    can_edit: bool,
    can_review: bool,
    /// Ticked for a bulk step: the caller may submit it (as its village) or approve it.
    can_tick: bool,
}

fn row(t: Tr, caller: &Caller, index: u64, v: &HouseholdView) -> Row {
    let main = (!v.main_category.is_empty()).then(|| v.main_category.clone());
    let can_edit = acts_as_maker(caller, v) && is_editable(&v.status);
    let can_review = may_review(caller, v);
    Row {
        index,
        id: v.id.to_string(),
        head: v.head_name.clone(),
        head_id: v.head_id.clone(),
        town: v.town_name.clone(),
        village: v.village_name.clone(),
        main_category: main
            .as_deref()
            .map(|c| category_label(t, c))
            .unwrap_or_default(),
        tags: v
            .categories
            .iter()
            .filter(|c| main.as_deref() != Some(c.as_str()))
            .map(|c| category_label(t, c))
            .collect(),
        members: v.member_count,
        score: v.score,
        consent: consent_label(t, v.shares_with_orgs),
        consent_class: consent_class(v.shares_with_orgs),
        status: status_label(t, &v.status),
        status_class: status_class(&v.status),
        can_edit,
        can_review,
        can_tick: can_edit || can_review,
    }
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "household_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    q: HhQuery,
    all_href: String,
    all_active: bool,
    counties: Vec<CountyNode>,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    consents: Vec<Opt>,
    can_register: bool,
    can_export: bool,
    export_post: bool,
    export_params: Vec<(&'static str, String)>,
    search_errors: FormErrors,
    search_others: Vec<String>,
    rows: Vec<Row>,
    pager: Pager,
    bulk_submit: bool,
    bulk_approve: bool,
    back_params: Vec<(&'static str, String)>,
    outcome: Option<Outcome>,
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

const SEARCH_FIELDS: [&str; 6] = ["area", "status", "category", "consent", "name", "number"];

async fn show_list(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    q: HhQuery,
    here: String,
    outcome: Option<Outcome>,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller
        .require(Permission::ReadHouseholds)
        .map_err(fail(t))?;
    let areas = visible_areas(state, caller, t).await?;
    let page = PageRequest::new(q.page, q.size);
    let (views, total, search_errors) = match state.app.households(caller, &q.query(), page).await {
        Ok((views, total)) => (views, total, FormErrors::default()),
        Err(AppError::Invalid(list)) => (Vec::new(), 0, FormErrors::from_invalid(t, &list)),
        Err(e) => return Err(PageError::new(e, t)),
    };
    let offset = page.offset();
    let rows: Vec<Row> = views
        .iter()
        .enumerate()
        .map(|(i, v)| row(t, caller, offset + i as u64 + 1, v))
        .collect();
    let params = q.params();
    let pager = Pager::new(t, "/households", &params, total, page.number, page.size);
    let mut all_params = params.clone();
    all_params.retain(|(k, _)| *k != "area");
    let status = if search_errors.is_empty() && !outcome.as_ref().is_some_and(|o| o.error) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let list = ListPage {
        frame: Frame::new(
            signed,
            t,
            Section::Households,
            &here,
            t.t("hh_page.list_title"),
        ),
        all_href: with_query("/households", &query_string(&all_params)),
        all_active: q.chosen_area().is_none(),
        counties: tree_nodes(&areas, q.chosen_area().as_ref(), |code| q.with_area(code)),
        statuses: dictionary(
            t,
            HouseholdStatus::ALL,
            &q.status,
            HouseholdStatus::as_str,
            HouseholdStatus::label_key,
        ),
        categories: dictionary(
            t,
            Category::ALL,
            &q.category,
            Category::as_str,
            Category::label_key,
        ),
        consents: vec![
            Opt {
                value: "yes".into(),
                label: t.t("hh_page.consent_yes").into(),
                selected: q.consent == "yes",
            },
            Opt {
                value: "no".into(),
                label: t.t("hh_page.consent_no").into(),
                selected: q.consent == "no",
            },
        ],
        can_register: caller.can(Permission::RegisterHouseholds),
        can_export: caller.can(Permission::ExportHouseholds),
        export_post: q.number_is_private(),
        export_params: q.all_params(),
        search_others: search_errors.others(&SEARCH_FIELDS),
        search_errors,
        bulk_submit: rows.iter().any(|r| r.can_edit),
        bulk_approve: rows.iter().any(|r| r.can_review),
        back_params: q.back(),
        outcome,
        rows,
        pager,
        q,
        t,
    };
    Ok(render(status, &list, t))
}

/// `GET /households`: the households the caller may see, masked by role.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = HhQuery::parse(raw.as_deref());
    // An address that carries a full number is not echoed into the language links.
    let here = if q.number_is_private() {
        "/households".to_owned()
    } else {
        with_query("/households", raw.as_deref().unwrap_or(""))
    };
    let outcome = match Carried::parse(raw.as_deref()) {
        Some(carried) => Some(carried.outcome(&state, &signed.caller, t).await),
        None => None,
    };
    show_list(&state, &signed, t, q, here, outcome).await
}

/// `POST /households/search`: the search form. A full ID number or phone is answered here;
/// anything else goes to the bookmarkable list address.
pub async fn search(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let q = HhQuery::parse(Some(&body));
    if q.number_is_private() {
        return show_list(&state, &signed, t, q, "/households".to_owned(), None).await;
    }
    let mut params = q.params();
    if let Some(size) = q.size.filter(|s| *s != 10) {
        params.push(("size", size.to_string()));
    }
    let to = with_query("/households", &query_string(&params));
    Ok(Redirect::to(&to).into_response())
}

// ---------------------------------------------------------------------------------------------
// 批量提交 and 批量审核通过

/// The line above the table after a bulk step: what was done and each household refused, or
/// why nothing was done at all.
struct Outcome {
    error: bool,
    summary: String,
    refusals: Vec<String>,
}

/// `POST /households/review`: 批量提交 or 批量审核通过 of the rows ticked on the list, then
/// back to the same rows with what was done and why the others were not.
pub async fn review(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = Fields::parse(&body);
    let q = HhQuery::parse(Some(&body));
    let ids = fields
        .all("id")
        .iter()
        .map(|raw| parse_id(raw, t))
        .collect::<Result<Vec<Uuid>, _>>()?;
    let outcome = match BulkAction::parse(fields.get("action")) {
        Ok(action) => {
            state
                .app
                .review_households(&signed.caller, &ids, action)
                .await
        }
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(report) => Ok(Redirect::to(&carried_address(&q, &report)).into_response()),
        Err(AppError::Invalid(list)) => {
            let sep = if t.is_en() { " " } else { "" };
            let outcome = Outcome {
                error: true,
                summary: list
                    .iter()
                    .map(|e| e.message(t.0))
                    .collect::<Vec<_>>()
                    .join(sep),
                refusals: Vec::new(),
            };
            let here = with_query("/households", &query_string(&q.back()));
            show_list(&state, &signed, t, q, here, Some(outcome)).await
        }
        Err(e) => Err(PageError::new(e, t)),
    }
}

/// The list address with the outcome: ids, and reason codes with the values their messages
/// show ([`carried_reasons`]). No name goes into an address; the list looks them up again for
/// whoever opens it.
fn carried_address(q: &HhQuery, report: &BulkReport) -> String {
    let mut params = q.back();
    params.push(("bulk", report.action.as_str().to_owned()));
    params.push(("done", report.done.len().to_string()));
    for refusal in &report.refused {
        let reasons = carried_reasons(&refusal.error);
        params.push(("refused", format!("{}:{}", refusal.id, reasons.join(","))));
    }
    with_query("/households", &query_string(&params))
}

/// Each reason as `code;name=value;…`, one value per placeholder of its message; a value that
/// may not go into an address ([`carryable`]) is left empty.
fn carried_reasons(error: &AppError) -> Vec<String> {
    let invalids = match error {
        AppError::Invalid(list) => list.iter().collect::<Vec<_>>(),
        AppError::Conflict(invalid) => vec![invalid],
        other => return details(other).into_iter().map(|d| d.code).collect(),
    };
    invalids
        .into_iter()
        .map(|invalid| {
            let message = hearth_core::i18n::text(Lang::ZhCn, invalid.code());
            let mut carried = invalid.code().to_owned();
            for (name, value) in &invalid.0.args {
                if message.contains(&format!("{{{name}}}")) {
                    let value = if carryable(value) { value.as_str() } else { "" };
                    carried.push_str(&format!(";{name}={value}"));
                }
            }
            carried
        })
        .collect()
}

/// Whether a message's value may travel in an address and come back onto the page: a number or
/// a date, short — never a name, a typed text, an ID or phone number.
fn carryable(value: &str) -> bool {
    (1..=10).contains(&value.len()) && value.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// A bulk step's outcome as the address carries it back.
struct Carried {
    action: BulkAction,
    done: usize,
    refused: Vec<(Uuid, Vec<String>)>,
}

impl Carried {
    fn parse(raw: Option<&str>) -> Option<Carried> {
        let fields = Fields::parse(raw?);
        let action = BulkAction::parse(fields.get("bulk")).ok()?;
        let refused = fields
            .all("refused")
            .iter()
            .take(MAX_IDS)
            .filter_map(|entry| {
                let (id, codes) = entry.split_once(':')?;
                let codes = codes.split(',').map(str::to_owned).collect();
                Some((Uuid::parse_str(id).ok()?, codes))
            })
            .collect();
        Some(Carried {
            action,
            done: fields.get("done").parse().ok()?,
            refused,
        })
    }

    /// Each refused household named as the list shows it to this caller, or not at all when the
    /// caller may not see it.
    async fn outcome(self, state: &AppState, caller: &Caller, t: Tr) -> Outcome {
        let sep = if t.is_en() { "; " } else { "；" };
        let ids: Vec<Uuid> = self.refused.iter().map(|(id, _)| *id).collect();
        let heads = state
            .app
            .household_heads(caller, &ids)
            .await
            .unwrap_or_default();
        let mut refusals = Vec::new();
        for (id, codes) in &self.refused {
            let head = heads
                .get(id)
                .cloned()
                .unwrap_or_else(|| t.t("hh_page.bulk_unseen").to_owned());
            let reasons: Vec<String> = codes.iter().filter_map(|c| reason(t, c)).collect();
            refusals.push(t.f(
                "hh_page.bulk_refusal",
                &[("head", head), ("reason", reasons.join(sep))],
            ));
        }
        let (all, some) = match self.action {
            BulkAction::Submit => ("hh_page.bulk_submitted", "hh_page.bulk_submitted_some"),
            BulkAction::Approve => ("hh_page.bulk_approved", "hh_page.bulk_approved_some"),
        };
        let done = ("done", self.done.to_string());
        let summary = if refusals.is_empty() {
            t.f(all, &[done])
        } else {
            t.f(some, &[done, ("refused", refusals.len().to_string())])
        };
        Outcome {
            error: false,
            summary,
            refusals,
        }
    }
}

/// The message of a reason carried in the address ([`carried_reasons`]) with its values:
/// the household, consent and field rules and the plain errors only (a stored draft that no
/// longer parses is refused with the latter), and only values that may be carried (any other
/// shows as …), so an address cannot put any other text on the page.
fn reason(t: Tr, carried: &str) -> Option<String> {
    let mut parts = carried.split(';');
    let code = parts.next().unwrap_or_default();
    let key = if code.contains('.') {
        code.to_owned()
    } else {
        format!("error.{code}")
    };
    let allowed = ["household.", "consent.", "field.", "error."]
        .iter()
        .any(|prefix| key.starts_with(prefix));
    if !allowed || t.t(&key) == key {
        return None;
    }
    let args: Vec<(&str, String)> = parts
        .filter_map(|part| part.split_once('='))
        .map(|(name, value)| {
            let shown = if carryable(value) { value } else { "…" };
            (name, shown.to_owned())
        })
        .collect();
    Some(t.f(&key, &args))
}

// ---------------------------------------------------------------------------------------------
// Export

const COLUMNS: [Column<Row>; 10] = [
    Column {
        header: "hh_page.head",
        cell: |r| txt(&r.head),
    },
    Column {
        header: "hh_page.id_number",
        cell: |r| txt(&r.head_id),
    },
    Column {
        header: "hh_page.town",
        cell: |r| txt(&r.town),
    },
    Column {
        header: "hh_page.village",
        cell: |r| txt(&r.village),
    },
    Column {
        header: "hh_page.main_category",
        cell: |r| txt(&r.main_category),
    },
    Column {
        header: "hh_page.tags",
        cell: |r| txt(&r.tags.join("、")),
    },
    Column {
        header: "hh_page.members",
        cell: |r| whole(r.members),
    },
    Column {
        header: "hh_page.score",
        cell: |r| whole(r.score),
    },
    Column {
        header: "hh_page.consent",
        cell: |r| txt(r.consent),
    },
    Column {
        header: "common.status",
        cell: |r| txt(&r.status),
    },
];

async fn export_rows(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    format: Format,
    q: HhQuery,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller
        .require(Permission::ExportHouseholds)
        .map_err(fail(t))?;
    let (views, _) = state
        .app
        .households(caller, &q.query(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<Row> = views
        .iter()
        .enumerate()
        .map(|(i, v)| row(t, caller, i as u64 + 1, v))
        .collect();
    let list = List {
        name: "households",
        title: t.t("hh_page.export_file"),
        filter: &q.audit_params(),
    };
    list.send(state, signed, t, format, &COLUMNS, &rows).await
}

/// `GET /households/export.xlsx`: every row the list shows under the same filters, masked as
/// the list shows them, as a spreadsheet that opens in WPS; the export is audited.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    export_rows(&state, &signed, t, format, HhQuery::parse(raw.as_deref())).await
}

/// `POST /households/export.xlsx`: the same, for a search by a full number (kept out of the
/// address).
pub async fn export_post(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    body: String,
) -> Result<Response, PageError> {
    export_rows(&state, &signed, t, format, HhQuery::parse(Some(&body))).await
}
