//! `/imports`: importing the sheets offices keep in Excel and WPS — households, organizations,
//! donations, items or users, as the caller may — the upload form with 下载模板, the mode (check
//! only, all or nothing, valid rows), what to do with households already registered and the
//! campaign for needs or donations; the recent imports; and one import's result page with its
//! counts, every refused row with its reason and the error file.
//!
//! The upload is `multipart/form-data`, so the CSRF token rides in the action URL. The import
//! runs within the request; with script, the page polls its progress meanwhile (the form carries
//! a token); without, the result page shows where it ended.

mod progress;
mod result;

use super::attachments::upload_action;
use super::export::{Column, Format, List, txt, whole};
use super::{Frame, Section, download, form_errors, local_time, render};
use crate::AppState;
use crate::api::imports::{IMPORT_BODY_LIMIT, read_upload};
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_app::imports::{ImportKind, ImportSummary, Importer};
use hearth_core::campaign::CampaignStatus;
use hearth_core::permission::Permission;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/imports",
            get(page)
                .post(upload)
                .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .route("/imports/template/{file}", get(template))
        .route("/imports/export.xlsx", get(export))
        .route("/imports/export.csv", get(export))
        .route("/imports/progress/{token}", get(progress::poll))
        .route("/imports/{id}", get(result::page))
        .route("/imports/{id}/errors.xlsx", get(result::error_file))
        .route("/imports/{id}/needs", post(result::record_needs))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

/// One recent import as a table row.
struct RecentLine {
    href: String,
    kind: &'static str,
    file_name: String,
    at: String,
    status: &'static str,
    status_class: &'static str,
    rows_read: i64,
    accepted: i64,
    rejected: i64,
    duplicates: i64,
}

pub(crate) fn status_of(t: Tr, s: &ImportSummary) -> (&'static str, &'static str) {
    match (s.dry_run, s.committed) {
        (true, _) => (t.t("import_page.status_dry"), "tag-info"),
        (false, true) => (t.t("import_page.status_done"), "tag-success"),
        (false, false) => (t.t("import_page.status_refused"), "tag-danger"),
    }
}

#[derive(Template)]
#[template(path = "import_list.html")]
struct ImportsPage {
    t: Tr,
    frame: Frame,
    action: String,
    /// The kinds the caller may import: (value, label, chosen).
    kinds: Vec<(&'static str, &'static str, bool)>,
    /// The token the progress bar polls.
    progress: String,
    /// Launched campaigns: (code, name).
    campaigns: Vec<(String, String)>,
    error: String,
    recent: Vec<RecentLine>,
}

/// The kinds the caller may import, with the chosen one (households where allowed, else the
/// first) marked.
fn kinds(
    t: Tr,
    signed: &Signed,
    chosen: Option<ImportKind>,
) -> Vec<(&'static str, &'static str, bool)> {
    let allowed: Vec<ImportKind> = ImportKind::ALL
        .into_iter()
        .filter(|k| signed.caller.can(k.permission()))
        .collect();
    let chosen = chosen
        .filter(|k| allowed.contains(k))
        .or_else(|| allowed.first().copied());
    allowed
        .into_iter()
        .map(|k| (k.as_str(), t.t(&k.label_key()), Some(k) == chosen))
        .collect()
}

fn recent_line(t: Tr, s: &ImportSummary) -> RecentLine {
    let (status, status_class) = status_of(t, s);
    RecentLine {
        href: format!("/imports/{}", s.id),
        kind: ImportKind::parse(&s.kind)
            .map(|k| t.t(&k.label_key()))
            .unwrap_or(""),
        file_name: s.file_name.clone(),
        at: local_time(t, s.imported_at),
        status,
        status_class,
        rows_read: s.rows_read,
        accepted: s.accepted,
        rejected: s.rejected,
        duplicates: s.duplicates,
    }
}

const COLUMNS: [Column<RecentLine>; 8] = [
    Column {
        header: "import_page.at",
        cell: |r| txt(&r.at),
    },
    Column {
        header: "import_kinds.kind",
        cell: |r| txt(r.kind),
    },
    Column {
        header: "import_page.file_name",
        cell: |r| txt(&r.file_name),
    },
    Column {
        header: "import_page.result",
        cell: |r| txt(r.status),
    },
    Column {
        header: "import_page.rows_read",
        cell: |r| whole(r.rows_read),
    },
    Column {
        header: "import_page.accepted",
        cell: |r| whole(r.accepted),
    },
    Column {
        header: "import_page.rejected",
        cell: |r| whole(r.rejected),
    },
    Column {
        header: "import_page.duplicates",
        cell: |r| whole(r.duplicates),
    },
];

/// `GET /imports/export.xlsx|csv`: the recent imports the page lists (those of the kinds the
/// caller may import, in the caller's area).
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
) -> Result<Response, PageError> {
    let recent = state.app.imports(&signed.caller).await.map_err(fail(t))?;
    let rows: Vec<RecentLine> = recent.iter().map(|s| recent_line(t, s)).collect();
    let list = List {
        name: "imports",
        title: t.t("import_page.recent"),
        filter: &[],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    (chosen, error): (Option<ImportKind>, String),
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let kinds = kinds(t, signed, chosen);
    let recent = state.app.imports(caller).await.map_err(fail(t))?;
    let campaigns = if caller.can(Permission::ReadCampaigns) {
        state.app.campaigns(caller).await.map_err(fail(t))?
    } else {
        Vec::new()
    };
    let page = ImportsPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::Households,
            "/imports",
            t.t("import_page.title"),
        ),
        action: upload_action(signed, "/imports"),
        kinds,
        progress: progress::token(),
        campaigns: campaigns
            .into_iter()
            .filter(|c| c.status == CampaignStatus::Launched)
            .map(|c| (c.profile.code, c.profile.name))
            .collect(),
        error,
        recent: recent.iter().map(|s| recent_line(t, s)).collect(),
    };
    Ok(render(status, &page, t))
}

/// `GET /imports` (`?kind=organizations` chooses the kind).
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let asked = super::Fields::parse(raw.as_deref().unwrap_or(""));
    let chosen = ImportKind::parse(asked.get("kind")).ok();
    show(&state, &signed, t, (chosen, String::new()), StatusCode::OK).await
}

/// `POST /imports` (multipart, `?_csrf=`): imported or checked, on to the result page; a file
/// that cannot be read, back to the form (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let user = signed.caller.user.id;
    let (kind, outcome) = match read_upload(multipart).await {
        Ok(upload) => {
            let kind = upload.kind.unwrap_or_default();
            let token = upload.progress;
            let note = |done, total| {
                let p = progress::Progress {
                    done,
                    total,
                    finished: false,
                };
                progress::report(&token, user, p);
            };
            let outcome = state
                .app
                .import_sheet(
                    kind,
                    Importer::Officer(&signed.caller),
                    &upload.request,
                    &note,
                )
                .await;
            let end = progress::Progress {
                done: 0,
                total: 0,
                finished: true,
            };
            progress::report(&token, user, end);
            (Some(kind), outcome)
        }
        Err(e) => (None, Err(e)),
    };
    match outcome {
        Ok(report) => {
            let id = report.id.map(|id| id.to_string()).unwrap_or_default();
            Ok(Redirect::to(&format!("/imports/{id}")).into_response())
        }
        Err(e) => {
            let error = form_errors(t, e)?.all().join("；");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&state, &signed, t, (kind, error), status).await
        }
    }
}

/// `GET /imports/template/{kind}.xlsx`: 下载模板 for the caller's area.
pub async fn template(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let kind = file
        .strip_suffix(".xlsx")
        .and_then(|k| ImportKind::parse(k).ok())
        .ok_or_else(|| PageError::new(AppError::NotFound, t))?;
    let bytes = state
        .app
        .import_template(kind, Some(&signed.caller), t.0)
        .await
        .map_err(fail(t))?;
    let title = match kind {
        ImportKind::Households => t.t("import.template_title").to_owned(),
        other => t
            .t(&format!("import_kinds.{}_title", other.as_str()))
            .to_owned(),
    };
    Ok(download(
        super::XLSX,
        &format!("{}-import-template.xlsx", kind.as_str()),
        &format!("{title}.xlsx"),
        bytes,
    ))
}
