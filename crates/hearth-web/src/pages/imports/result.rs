//! One import's result page (`/imports/{id}`) — with the rows that likely are households
//! already registered under another ID number — its error file and recording the needs that
//! waited for their household's approval.

use super::{fail, status_of};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::identity::evidence_lines;
use crate::pages::{Fields, Frame, Section, download, local_time, ok};
use crate::tr::Tr;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::identity::LikelyMatch;
use hearth_core::area::AreaCode;
use hearth_core::permission::Permission;
use std::collections::HashMap;
use uuid::Uuid;

/// A row that likely is a registered household under another ID number, as the page says it.
/// The report keeps the household masked (surname and `*`, `340123********1234`), so every
/// role sees it masked here; the household's own page masks by role as everywhere else.
struct LikelyLine {
    row: u32,
    head_name: String,
    head_id: String,
    village: String,
    /// `/households/{id}` when the caller may open it (within their area).
    href: Option<String>,
    score: String,
    /// Each field and how the row and the household agree on it.
    why: Vec<(&'static str, String)>,
}

struct ProblemLine {
    row: u32,
    column: String,
    reason: String,
    duplicate: bool,
}

#[derive(Template)]
#[template(path = "import_detail.html")]
struct ResultPage {
    t: Tr,
    frame: Frame,
    file_name: String,
    at: String,
    status: &'static str,
    status_class: &'static str,
    notice: &'static str,
    dry_run: bool,
    rows_read: u32,
    accepted: u32,
    rejected: u32,
    duplicates: u32,
    created: u32,
    updated: u32,
    needs_recorded: u32,
    problems: Vec<ProblemLine>,
    likely: Vec<LikelyLine>,
    error_file: Option<String>,
    pending: String,
    can_record: bool,
    record_action: String,
    recorded: String,
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// `GET /imports/{id}` (`?recorded=N` after recording needs).
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let view = state
        .app
        .import(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let (s, r) = (&view.summary, &view.report);
    let (status, status_class) = status_of(t, s);
    let notice = match (s.dry_run, s.committed) {
        (true, _) => "import_page.dry_notice",
        (false, true) => "import_page.done_notice",
        (false, false) => "import_page.refused_notice",
    };
    let recorded = Fields::parse(raw.as_deref().unwrap_or(""))
        .get("recorded")
        .to_owned();
    let likely = likely_lines(&state, &signed, t, &r.likely_matches).await?;
    let href = format!("/imports/{id}");
    let page = ResultPage {
        t,
        frame: Frame::new(
            &signed,
            t,
            Section::Households,
            &href,
            t.t("import_page.result_title"),
        )
        .with_crumb("/imports".into(), t.t("import_page.nav").into()),
        file_name: s.file_name.clone(),
        at: local_time(t, s.imported_at),
        status,
        status_class,
        notice: t.t(notice),
        dry_run: s.dry_run,
        rows_read: r.rows_read,
        accepted: r.accepted,
        rejected: r.rejected,
        duplicates: r.duplicates,
        created: r.created,
        updated: r.updated,
        needs_recorded: r.needs_recorded,
        problems: r
            .problems
            .iter()
            .map(|p| ProblemLine {
                row: p.row,
                column: p.column.clone(),
                reason: p.reason(t.0).to_owned(),
                duplicate: p.duplicate,
            })
            .collect(),
        likely,
        error_file: (!r.error_rows.rows.is_empty()).then(|| format!("/imports/{id}/errors.xlsx")),
        pending: if view.pending_needs > 0 {
            t.f(
                "import_page.needs_waiting",
                &[("count", view.pending_needs.to_string())],
            )
        } else {
            String::new()
        },
        can_record: view.pending_needs > 0 && signed.caller.can(Permission::RecordNeeds),
        record_action: format!("/imports/{id}/needs"),
        recorded: if recorded.is_empty() {
            String::new()
        } else {
            t.f("import_page.needs_done", &[("count", recorded)])
        },
    };
    Ok(ok(&page, t))
}

/// The likely matches in words, with the village's name where the caller's divisions hold it
/// (a match may lie outside the caller's area: then its code) and a link where the caller may
/// open the household.
async fn likely_lines(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    matches: &[LikelyMatch],
) -> Result<Vec<LikelyLine>, PageError> {
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let caller = &signed.caller;
    let names: HashMap<String, String> = state
        .app
        .areas(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .map(|a| (a.code.as_str().to_owned(), a.name))
        .collect();
    let own = caller.area_scope().ok().flatten();
    Ok(matches
        .iter()
        .map(|m| {
            let opens = caller.can(Permission::ReadHouseholds)
                && AreaCode::parse(&m.village_code)
                    .is_ok_and(|v| own.is_some_and(|own| v.is_within(own)));
            LikelyLine {
                row: m.row,
                head_name: m.head_name.clone(),
                head_id: m.head_id.clone(),
                village: names
                    .get(&m.village_code)
                    .cloned()
                    .unwrap_or_else(|| m.village_code.clone()),
                href: opens.then(|| format!("/households/{}", m.household_id)),
                score: format!("{:.1}", m.score_milli as f64 / 1000.0),
                why: evidence_lines(t, &m.evidence),
            }
        })
        .collect())
}

/// `GET /imports/{id}/errors.xlsx`: the refused rows as sent plus 错误原因 (logged).
pub async fn error_file(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let bytes = state
        .app
        .import_error_file(&signed.caller, id, t.0)
        .await
        .map_err(fail(t))?;
    let name = format!("{}.xlsx", t.t("import.error_sheet"));
    Ok(download(
        super::super::XLSX,
        "import-errors.xlsx",
        &name,
        bytes,
    ))
}

/// `POST /imports/{id}/needs`: records the waiting needs of approved households.
pub async fn record_needs(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let recorded = state
        .app
        .record_pending_needs(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    Ok(Redirect::to(&format!("/imports/{id}?recorded={recorded}")).into_response())
}
