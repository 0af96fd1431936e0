//! The household's scanned consent forms in the browser: the panel on the household page (the
//! scans with their download links, and the upload form), the page `/households/{id}/scans`
//! that also answers a refused upload with the reason beside the file input, and the audited
//! download `/attachments/{id}`. The panel and the upload steps serve the signed pledge letter
//! too (`pages::pledges::scans`).
//!
//! The upload form is `multipart/form-data`, so it carries its CSRF token in the action URL
//! (see `auth::csrf`). Who sees what is decided in `hearth-app`; the panel only leaves out
//! what the use cases would refuse.

use super::{FormErrors, Frame, Section, form_errors, local_time, query_string, render};
use crate::AppState;
use crate::api::attachments::{UPLOAD_BODY_LIMIT, file_response, read_upload};
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::attachments::{AttachmentInfo, FIELD, Owner, Purpose};
use hearth_core::permission::Permission;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/households/{id}/scans",
            get(page)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/attachments/{id}", get(download))
}

/// One stored scan as a row of the panel.
pub(crate) struct ScanLine {
    pub filename: String,
    /// `PDF`, `JPEG`, `PNG`.
    pub kind: &'static str,
    pub size: String,
    pub sha256: String,
    /// The first 16 hex digits, for the table.
    pub sha256_short: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub href: String,
}

/// What `scans_panel.html` shows.
pub(crate) struct ScanPanel {
    /// Whether the caller may do anything with scans at all (else the panel is left out).
    pub shown: bool,
    pub can_upload: bool,
    pub can_download: bool,
    /// The form's action, with the CSRF token.
    pub upload_action: String,
    pub lines: Vec<ScanLine>,
    /// Why the last upload was refused.
    pub error: String,
    /// The panel's texts, in the reader's language.
    pub texts: ScanTexts,
    /// Why nothing can be uploaded yet, when the caller could upload later; else empty.
    pub waiting: &'static str,
}

/// What the panel calls its documents: the section's id and heading, its introduction, the
/// empty list and the file input's label.
pub(crate) struct ScanTexts {
    pub anchor: &'static str,
    pub section: &'static str,
    pub intro: &'static str,
    pub none: &'static str,
    pub file_label: &'static str,
}

impl ScanTexts {
    /// The texts of the locale table `table` (`att_page`, `pledge_scan`).
    pub fn of(t: Tr, anchor: &'static str, table: &str) -> ScanTexts {
        let text = |key: &str| t.t(&format!("{table}.{key}"));
        ScanTexts {
            anchor,
            section: text("section"),
            intro: text("intro"),
            none: text("none"),
            file_label: text("file_label"),
        }
    }
}

fn kind_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        _ => "—",
    }
}

/// `812 B`, `96 KiB`, `4.8 MiB`.
fn size_text(bytes: i64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes.max(0) as f64;
    if b < KIB {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.0} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / KIB / KIB)
    }
}

pub(crate) fn line(t: Tr, a: &AttachmentInfo) -> ScanLine {
    ScanLine {
        filename: a.filename.clone(),
        kind: kind_label(&a.content_type),
        size: size_text(a.size_bytes),
        sha256: a.sha256.clone(),
        sha256_short: a.sha256.chars().take(16).collect(),
        uploaded_by: a.uploaded_by.clone(),
        uploaded_at: local_time(t, a.uploaded_at),
        href: format!("/attachments/{}", a.id),
    }
}

/// The panel for household `id` as `signed` may use it; `error` is a refused upload's reason.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    error: String,
) -> Result<ScanPanel, PageError> {
    let caller = &signed.caller;
    let can_upload = caller.can(Permission::RegisterHouseholds);
    let can_download = caller.can(Permission::RevealHouseholdDetails);
    let lines = if can_download {
        match state.app.attachments(caller, Owner::Household(id)).await {
            Ok(list) => list
                .iter()
                .filter(|a| a.purpose == Purpose::ConsentScan.as_str())
                .map(|a| line(t, a))
                .collect(),
            Err(AppError::Forbidden) => Vec::new(),
            Err(e) => return Err(PageError::new(e, t)),
        }
    } else {
        Vec::new()
    };
    Ok(ScanPanel {
        shown: can_upload || can_download,
        can_upload,
        can_download,
        upload_action: upload_action(signed, &format!("/households/{id}/scans")),
        lines,
        error,
        texts: ScanTexts::of(t, "consent-scans", "att_page"),
        waiting: "",
    })
}

/// `path` with the CSRF token in its query: a multipart form carries it there.
pub(crate) fn upload_action(signed: &Signed, path: &str) -> String {
    let csrf = query_string(&[("_csrf", signed.csrf().to_owned())]);
    super::with_query(path, &csrf)
}

/// Whether the page was reached right after an upload (`?notice=uploaded`).
pub(crate) fn just_uploaded(raw: Option<&str>) -> bool {
    raw.map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .any(|(k, v)| k == "notice" && v == "uploaded")
}

/// Reads the posted file and stores it for `owner`; a refusal comes back as the reason to
/// show beside the file input (never empty), anything else as an error page.
pub(crate) async fn store_upload(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    owner: Owner,
    purpose: Purpose,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Result<(), FormErrors>, PageError> {
    let outcome = match read_upload(multipart).await {
        Ok(upload) => {
            let app = &state.app;
            app.attach(&signed.caller, owner, purpose, &upload).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Ok(())),
        Err(e) => {
            let mut errors = form_errors(t, e)?;
            if errors.is_empty() {
                errors = FormErrors::one(FIELD, t.t("error.internal").to_owned());
            }
            Ok(Err(errors))
        }
    }
}

/// A record's scans on a page of their own, where refused uploads are answered.
#[derive(Template)]
#[template(path = "scans.html")]
pub(crate) struct ScansPage {
    pub t: Tr,
    pub frame: Frame,
    /// The record the page leads back to, and the link's text.
    pub back_href: String,
    pub back: &'static str,
    pub notice: Option<&'static str>,
    pub scans: ScanPanel,
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    // Loads the household first: outside the caller's scope the page is "not found".
    let view = state
        .app
        .household(&signed.caller, id)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let href = format!("/households/{id}/scans");
    let title = t.t("att_page.title");
    let error = errors.all().join("；");
    let page = ScansPage {
        t,
        frame: Frame::new(signed, t, Section::Households, &href, title)
            .with_crumb(format!("/households/{id}"), view.head_name.clone()),
        back_href: format!("/households/{id}"),
        back: t.t("att_page.back"),
        notice,
        scans: panel(state, signed, t, id, error).await?,
    };
    Ok(render(status, &page, t))
}

/// `GET /households/{id}/scans`
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = just_uploaded(raw.as_deref()).then_some("att_page.notice_uploaded");
    show(
        &state,
        &signed,
        t,
        id,
        StatusCode::OK,
        notice,
        FormErrors::default(),
    )
    .await
}

/// `POST /households/{id}/scans` (multipart, `?_csrf=`): stored, back to the scans with a
/// notice; refused, the page again (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let owner = Owner::Household(id);
    match store_upload(&state, &signed, t, owner, Purpose::ConsentScan, multipart).await? {
        Ok(()) => {
            Ok(Redirect::to(&format!("/households/{id}/scans?notice=uploaded")).into_response())
        }
        Err(errors) => {
            show(
                &state,
                &signed,
                t,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
            )
            .await
        }
    }
}

/// `GET /attachments/{id}`: the file, audited; refusals as pages.
pub async fn download(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let download = state
        .app
        .download_attachment(&signed.caller, id)
        .await
        .map_err(|e| PageError::new(e, t))?;
    Ok(file_response(download))
}
