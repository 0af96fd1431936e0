//! `/imports`: importing the household lists offices keep in Excel and WPS — the upload form
//! with 下载模板, the mode (check only, all or nothing, valid rows), what to do with households
//! already registered and the campaign for the needs on the rows; the recent imports; and one
//! import's result page with its counts, every refused row with its reason and the error file.
//!
//! The upload is `multipart/form-data`, so the CSRF token rides in the action URL. The import
//! runs within the request; the result page shows where it ended.

mod result;

use super::attachments::upload_action;
use super::{Frame, Section, download, form_errors, local_time, render};
use crate::AppState;
use crate::api::imports::{IMPORT_BODY_LIMIT, read_form};
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_app::imports::{ImportSummary, Importer};
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
        .route("/imports/template/households.xlsx", get(template))
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
    /// Launched campaigns: (code, name).
    campaigns: Vec<(String, String)>,
    error: String,
    recent: Vec<RecentLine>,
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
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
        campaigns: campaigns
            .into_iter()
            .filter(|c| c.status == CampaignStatus::Launched)
            .map(|c| (c.profile.code, c.profile.name))
            .collect(),
        error,
        recent: recent
            .iter()
            .map(|s| {
                let (status, status_class) = status_of(t, s);
                RecentLine {
                    href: format!("/imports/{}", s.id),
                    file_name: s.file_name.clone(),
                    at: local_time(t, s.imported_at),
                    status,
                    status_class,
                    rows_read: s.rows_read,
                    accepted: s.accepted,
                    rejected: s.rejected,
                    duplicates: s.duplicates,
                }
            })
            .collect(),
    };
    Ok(render(status, &page, t))
}

/// `GET /imports`
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    show(&state, &signed, t, String::new(), StatusCode::OK).await
}

/// `POST /imports` (multipart, `?_csrf=`): imported or checked, on to the result page; a file
/// that cannot be read, back to the form (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let outcome = match read_form(multipart).await {
        Ok(request) => {
            state
                .app
                .import_households(Importer::Officer(&signed.caller), &request, &|_, _| {})
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => {
            let id = report.id.map(|id| id.to_string()).unwrap_or_default();
            Ok(Redirect::to(&format!("/imports/{id}")).into_response())
        }
        Err(e) => {
            let error = form_errors(t, e)?.all().join("；");
            show(&state, &signed, t, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /imports/template/households.xlsx`: 下载模板 for the caller's area.
pub async fn template(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let bytes = state
        .app
        .household_template(Some(&signed.caller), t.0)
        .await
        .map_err(fail(t))?;
    Ok(download(
        super::XLSX,
        "household-import-template.xlsx",
        &format!("{}.xlsx", t.t("import.template_title")),
        bytes,
    ))
}
