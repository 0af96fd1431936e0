//! `/identity`: likely duplicate households (identity resolution) for the county — the review
//! queue, one pair side by side with its evidence and the decisions, a run over the registry or
//! one campaign, and the duplicate-aid report with its CSV export. Households are masked; a
//! reviewer who gives a reason sees both in full, and each view is logged.

use super::{Fields, Frame, Section, form_errors, ok, render};
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
use hearth_app::households::Revealed;
use hearth_app::identity::{AidReport, Decision, PairView};
use hearth_core::Invalid;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/identity", get(queue))
        .route("/identity/run", post(run))
        .route("/identity/report", get(report))
        .route("/identity/report.csv", get(report_csv))
        .route("/identity/{id}", get(pair))
        .route("/identity/{id}/decide", post(decide))
        .route("/identity/{id}/reveal", post(reveal))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn query(raw: Option<String>) -> impl Fn(&str) -> String {
    let pairs = raw.as_deref().map(form_pairs).unwrap_or_default();
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "identity_queue.html")]
struct QueuePage {
    t: Tr,
    frame: Frame,
    rows: Vec<QueueRow>,
    /// The status filter's options: code, label, selected.
    statuses: Vec<(&'static str, &'static str, bool)>,
    /// After a run: how many pairs it added.
    notice: String,
}

struct QueueRow {
    id: Uuid,
    first: String,
    second: String,
    score: String,
    status: &'static str,
}

const STATUSES: [&str; 5] = ["open", "later", "merge_proposed", "merged", "not_same"];

fn status_label(t: Tr, status: &str) -> &'static str {
    t.t(&format!("identity.status.{status}"))
}

/// `GET /identity[?status=…&new=n]`: 待审核的疑似重复户.
pub async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let get = query(raw);
    let status = get("status");
    let pairs = state
        .app
        .identity_queue(
            &signed.caller,
            Some(status.as_str()).filter(|s| !s.is_empty()),
        )
        .await
        .map_err(fail(t))?;
    let rows = pairs
        .iter()
        .map(|p| QueueRow {
            id: p.id,
            first: format!("{} {}", p.first.head_name, p.first.head_id),
            second: format!("{} {}", p.second.head_name, p.second.head_id),
            score: format!("{:.1}", p.score),
            status: status_label(t, &p.status),
        })
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|&s| (s, status_label(t, s), s == status))
        .collect();
    let page = QueuePage {
        frame: Frame::new(
            &signed,
            t,
            Section::Identity,
            "/identity",
            t.t("identity.nav"),
        ),
        rows,
        statuses,
        notice: get("new"),
        t,
    };
    Ok(ok(&page, t))
}

/// `POST /identity/run`: 查找重复 over the registry or one campaign's households.
pub async fn run(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let campaign = f.get("campaign").trim();
    let summary = state
        .app
        .find_duplicates(&signed.caller, Some(campaign).filter(|c| !c.is_empty()))
        .await
        .map_err(fail(t))?;
    Ok(Redirect::to(&format!("/identity?new={}", summary.new_pairs)).into_response())
}

#[derive(Template)]
#[template(path = "identity_pair.html")]
struct PairPage {
    t: Tr,
    frame: Frame,
    pair: PairView,
    status: &'static str,
    score: String,
    /// Each line of evidence: the field and how the two records agree on it.
    evidence: Vec<(&'static str, String)>,
    errors: Vec<String>,
    revealed: Option<(Revealed, Revealed)>,
}

const FIELDS: [&str; 7] = [
    "id_number",
    "name",
    "birth_date",
    "phone",
    "village",
    "address",
    "shared_members",
];

/// The evidence of a pair (or of an import row and a registered household) in words: each field
/// and how the two agree on it.
pub(super) fn evidence_lines(t: Tr, evidence: &serde_json::Value) -> Vec<(&'static str, String)> {
    FIELDS
        .iter()
        .filter_map(|&field| {
            let value = evidence.get(field)?;
            let level = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) if field == "address" => {
                    let share = n.as_f64().unwrap_or(0.0);
                    format!("{:.0}%", share * 100.0)
                }
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Null => "missing".to_owned(),
                _ => return None,
            };
            let label = super::label_or(t, &format!("identity.level.{level}"), &level);
            Some((t.t(&format!("identity.field.{field}")), label))
        })
        .collect()
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

async fn show_pair(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    errors: Vec<String>,
    revealed: Option<(Revealed, Revealed)>,
    http: StatusCode,
) -> Result<Response, PageError> {
    let pair = state
        .app
        .identity_pair(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let here = format!("/identity/{id}");
    let page = PairPage {
        frame: Frame::new(
            signed,
            t,
            Section::Identity,
            &here,
            t.t("identity.pair_title"),
        ),
        evidence: evidence_lines(t, &pair.evidence),
        status: status_label(t, &pair.status),
        score: format!("{:.1}", pair.score),
        pair,
        errors,
        revealed,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /identity/{id}`: one pair side by side.
pub async fn pair(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    show_pair(&state, &signed, t, id, Vec::new(), None, StatusCode::OK).await
}

/// `POST /identity/{id}/decide`: 合并 / 不是同一户 / 稍后 and the checker's approval.
pub async fn decide(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    let result = match Decision::parse(f.get("decision")) {
        Some(decision) => state
            .app
            .decide_pair(&signed.caller, id, decision, f.get("note"))
            .await
            .map(|_| ()),
        None => Err(Invalid::new("decision", "identity.decision_unknown")
            .arg("value", f.get("decision"))
            .into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/identity/{id}")).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?.all();
            show_pair(&state, &signed, t, id, errors, None, http).await
        }
    }
}

/// `POST /identity/{id}/reveal`: both households in full, with a logged reason.
pub async fn reveal(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    match state
        .app
        .reveal_pair(&signed.caller, id, f.get("reason"))
        .await
    {
        Ok(both) => {
            show_pair(
                &state,
                &signed,
                t,
                id,
                Vec::new(),
                Some(both),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?.all();
            show_pair(&state, &signed, t, id, errors, None, http).await
        }
    }
}

#[derive(Template)]
#[template(path = "identity_report.html")]
struct ReportPage {
    t: Tr,
    frame: Frame,
    campaign: String,
    report: Option<AidReport>,
    doubled: Vec<DoubledRow>,
    errors: Vec<String>,
}

/// A family aided twice, as the page shows it.
struct DoubledRow {
    households: Vec<hearth_app::identity::HouseholdRef>,
    category: String,
    sources: Vec<String>,
}

fn category_label(t: Tr, category: &str, name: &str) -> String {
    if name.is_empty() {
        t.t(&format!("identity.category.{category}")).to_owned()
    } else {
        name.to_owned()
    }
}

fn source_label(t: Tr, s: &hearth_app::identity::AidSource) -> String {
    let who = if s.source_name.is_empty() {
        t.t("identity.source_county")
    } else {
        &s.source_name
    };
    format!(
        "{who} · {} {}",
        t.t(&format!("identity.paper.{}", s.paper)),
        s.number
    )
}

fn doubled_lines(t: Tr, report: &AidReport) -> Vec<DoubledRow> {
    report
        .doubled
        .iter()
        .map(|d| DoubledRow {
            households: d.households.clone(),
            category: category_label(t, &d.category, &d.category_name),
            sources: d.sources.iter().map(|s| source_label(t, s)).collect(),
        })
        .collect()
}

/// `GET /identity/report?campaign=CODE`: 重复受助与未覆盖 report.
pub async fn report(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let campaign = query(raw)("campaign");
    let (report, errors, http) = if campaign.is_empty() {
        signed
            .caller
            .require(hearth_core::permission::Permission::ResolveIdentities)
            .map_err(fail(t))?;
        (None, Vec::new(), StatusCode::OK)
    } else {
        match state
            .app
            .duplicate_aid_report(&signed.caller, &campaign)
            .await
        {
            Ok(r) => (Some(r), Vec::new(), StatusCode::OK),
            Err(e) => {
                let http = crate::error::status_of(&e);
                (None, form_errors(t, e)?.all(), http)
            }
        }
    };
    let doubled = report
        .as_ref()
        .map(|r| doubled_lines(t, r))
        .unwrap_or_default();
    let page = ReportPage {
        doubled,
        frame: Frame::new(
            &signed,
            t,
            Section::Identity,
            "/identity/report",
            t.t("identity.report_title"),
        ),
        campaign,
        report,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /identity/report.csv?campaign=CODE`: the report as a CSV file (UTF-8 with a byte-order
/// mark so that Excel and WPS read the Chinese), masked like the page.
pub async fn report_csv(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let campaign = query(raw)("campaign");
    let report = state
        .app
        .duplicate_aid_report(&signed.caller, &campaign)
        .await
        .map_err(fail(t))?;
    let mut out = String::from("\u{feff}");
    let header = [
        "identity.csv_kind",
        "identity.csv_households",
        "identity.csv_category",
        "identity.csv_sources",
    ]
    .map(|k| t.t(k));
    out.push_str(&csv_line(&header.map(str::to_owned)));
    for d in &report.doubled {
        let households: Vec<String> = d
            .households
            .iter()
            .map(|h| format!("{} {}", h.head_name, h.head_id))
            .collect();
        let sources: Vec<String> = d.sources.iter().map(|s| source_label(t, s)).collect();
        let category = category_label(t, &d.category, &d.category_name);
        out.push_str(&csv_line(&[
            t.t("identity.doubled").to_owned(),
            households.join("; "),
            category,
            sources.join("; "),
        ]));
    }
    for h in &report.unreached {
        out.push_str(&csv_line(&[
            t.t("identity.unreached").to_owned(),
            format!("{} {}", h.head_name, h.head_id),
            String::new(),
            String::new(),
        ]));
    }
    state
        .app
        .record_household_export(
            &signed.caller,
            "identity_report_exported",
            report.doubled.len() + report.unreached.len(),
            serde_json::json!({"campaign": campaign}),
        )
        .await
        .map_err(fail(t))?;
    Ok(super::download(
        "text/csv; charset=utf-8",
        "duplicate-aid.csv",
        &format!(
            "{}-{}.csv",
            t.t("identity.report_title"),
            report.campaign_code
        ),
        out.into_bytes(),
    ))
}

/// One CSV line: every field quoted, quotes doubled; a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so a spreadsheet never runs it as a formula.
fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            let safe = if f.starts_with(['=', '+', '-', '@']) {
                format!("'{f}")
            } else {
                f.clone()
            };
            format!("\"{}\"", safe.replace('"', "\"\""))
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}
