//! Spreadsheet imports over JSON: send a household sheet (`multipart/form-data`: the file in the
//! part `file`, and optionally `campaign`, `dry_run`, `mode`, `existing`), get the result in the
//! shape the CLI prints with `--json`, plus the batch id for the result page and error file.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::imports::{
    Existing, ImportFile, ImportKind, ImportMode, ImportReport, ImportRequest, Importer,
};
use hearth_core::Invalid;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

/// The largest sheet read: 20 MiB is some 100,000 household rows of .xlsx.
pub(crate) const MAX_FILE: usize = 20 * 1024 * 1024;
pub(crate) const IMPORT_BODY_LIMIT: usize = MAX_FILE + 64 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_households).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(import_organizations).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(import_donations).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(import_items).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(import_users).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(get_import))
}

/// The upload form.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// .xlsx, .xls or .csv (UTF-8 with or without BOM, GBK/GB18030), at most 20 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Campaign code or id: needs on the rows (需求物资/数量) are recorded in it.
    pub campaign: Option<String>,
    /// `true` to check only.
    pub dry_run: Option<bool>,
    /// `all_or_nothing` (default) or `valid_rows`.
    pub mode: Option<String>,
    /// `skip` (default) or `update` a household already registered.
    pub existing: Option<String>,
}

/// One refused or skipped row.
#[derive(Serialize, ToSchema)]
pub struct ImportErrorOut {
    /// The row number the spreadsheet shows (1-based).
    pub row: u32,
    /// The column as the file names it.
    pub column: String,
    pub reason: String,
    pub reason_en: String,
    /// A repeat of an earlier row or of a registered household rather than an error.
    pub duplicate: bool,
}

/// A row that likely matches a registered household under another ID number (a typo in the
/// ID, say): checked before anything was written, for the officer to look at.
#[derive(Serialize, ToSchema)]
pub struct ImportLikelyMatchOut {
    /// The sheet row (1-based).
    pub row: u32,
    pub household_id: String,
    /// The registered household's head, masked.
    pub head_name: String,
    /// The registered head's ID number, masked.
    pub head_id: String,
    pub village_code: String,
    /// How alike: the identity review queue's score (a sum of evidence weights; higher is
    /// more alike).
    pub score: f64,
    /// Field → how the row and the household agree (`{"id_number": "two_edits_valid",
    /// "name": "same"}`).
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
}

/// The result: the CLI's `--json` shape and the batch.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub id: Option<String>,
    pub rows_read: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub duplicates: u32,
    pub accepted_rows: Vec<u32>,
    pub errors: Vec<ImportErrorOut>,
    /// Rows were written (false for a dry run and a refused all-or-nothing import).
    pub committed: bool,
    pub created: u32,
    pub updated: u32,
    pub needs_recorded: u32,
    /// Needs waiting for their household's approval (recorded from the result page).
    pub needs_pending: u32,
    /// `/imports/{id}/errors.xlsx`, when rows were refused or skipped.
    pub error_file_url: Option<String>,
    /// Household rows that likely match a registered household under another ID number.
    pub likely_matches: Vec<ImportLikelyMatchOut>,
}

impl From<&ImportReport> for ImportOut {
    fn from(r: &ImportReport) -> Self {
        ImportOut {
            id: r.id.map(|id| id.to_string()),
            rows_read: r.rows_read,
            accepted: r.accepted,
            rejected: r.rejected,
            duplicates: r.duplicates,
            accepted_rows: r.accepted_rows.clone(),
            errors: r
                .problems
                .iter()
                .map(|p| ImportErrorOut {
                    row: p.row,
                    column: p.column.clone(),
                    reason: p.reason_zh.clone(),
                    reason_en: p.reason_en.clone(),
                    duplicate: p.duplicate,
                })
                .collect(),
            committed: r.committed,
            created: r.created,
            updated: r.updated,
            needs_recorded: r.needs_recorded,
            needs_pending: r.needs_pending,
            error_file_url: r
                .id
                .filter(|_| !r.error_rows.rows.is_empty())
                .map(|id| format!("/imports/{id}/errors.xlsx")),
            likely_matches: r
                .likely_matches
                .iter()
                .map(|m| ImportLikelyMatchOut {
                    row: m.row,
                    household_id: m.household_id.to_string(),
                    head_name: m.head_name.clone(),
                    head_id: m.head_id.clone(),
                    village_code: m.village_code.clone(),
                    score: m.score_milli as f64 / 1000.0,
                    evidence: m.evidence.clone(),
                })
                .collect(),
        }
    }
}

fn refused(code: &'static str) -> AppError {
    Invalid::new("file", code).into()
}

fn flag(value: &str) -> bool {
    matches!(value.trim(), "true" | "1" | "on" | "yes")
}

/// The upload form as the import page sends it: the request, the kind chosen and the token its
/// progress bar polls.
pub(crate) struct Upload {
    pub request: ImportRequest,
    pub kind: Option<ImportKind>,
    pub progress: String,
}

/// Reads the upload form: the file (up to [`MAX_FILE`]) and the options beside it.
pub(crate) async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<ImportRequest, AppError> {
    read_upload(multipart).await.map(|u| u.request)
}

/// Reads the page's upload form, with the kind and progress token.
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, AppError> {
    let mut multipart = multipart.map_err(|_| refused("attachment.not_multipart"))?;
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Invalid::new("file", "import.file_too_large")
                .arg("max", MAX_FILE / 1024 / 1024)
                .into()
        } else {
            refused("attachment.unreadable")
        }
    };
    let mut request = ImportRequest::default();
    let (mut kind, mut progress) = (None, String::new());
    let mut found = false;
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            request.file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(broken)?.to_vec();
            found = !bytes.is_empty() || !request.file_name.trim().is_empty();
            request.file = ImportFile::Held(bytes);
            continue;
        }
        let value = field.text().await.map_err(broken)?;
        match name.as_str() {
            "campaign" => {
                request.campaign = Some(value.trim().to_owned()).filter(|v| !v.is_empty())
            }
            "dry_run" => request.dry_run = flag(&value),
            "mode" => request.mode = ImportMode::parse(&value)?,
            "existing" => request.existing = Existing::parse(&value)?,
            "kind" => kind = Some(ImportKind::parse(&value)?),
            "progress" => progress = value.trim().chars().take(64).collect(),
            _ => {}
        }
    }
    if !found {
        return Err(refused("attachment.missing"));
    }
    Ok(Upload {
        request,
        kind,
        progress,
    })
}

/// Import a household sheet: one household a row, its head's name and ID number, phone, town
/// and village, address, categories, family size, causes and needs. Refused rows come back
/// with the row number the spreadsheet shows, the column and the reason; a file that cannot be
/// read at all (no header, a required column missing) is a 422 naming `file`. Town and village
/// officers, inside their area. With a session cookie, send `X-CSRF-Token`.
#[utoipa::path(post, path = "/imports/households", tag = "imports",
    request_body(content = inline(ImportUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn import_households(
    State(state): State<AppState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    let request = read_form(multipart).await?;
    let report = state
        .app
        .import_households(Importer::Officer(&signed.caller), &request, &|_, _| {})
        .await?;
    Ok(Json(ImportOut::from(&report)))
}

/// One import's result (opening it is logged: it holds the refused rows as sent).
#[utoipa::path(get, path = "/imports/{id}", tag = "imports", params(("id" = String, Path)),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get_import(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<ImportOut>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let view = state.app.import(&signed.caller, id).await?;
    Ok(Json(ImportOut::from(&view.report)))
}

async fn import_kind(
    state: &AppState,
    signed: &Signed,
    kind: ImportKind,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    let request = read_form(multipart).await?;
    let report = state
        .app
        .import_sheet(
            kind,
            Importer::Officer(&signed.caller),
            &request,
            &|_, _| {},
        )
        .await?;
    Ok(Json(ImportOut::from(&report)))
}

/// Import an organization sheet (社会组织名录): name, unified social credit code (check character
/// verified), kind, service fields and areas, people and rating. A credit code already in the
/// registry is skipped as a duplicate. The county administrator. Same form and result as
/// households (`campaign` and `existing` are not used).
#[utoipa::path(post, path = "/imports/organizations", tag = "imports",
    request_body(content = inline(ImportUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn import_organizations(
    State(state): State<AppState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    import_kind(&state, &signed, ImportKind::Organizations, multipart).await
}

/// Import a donation sheet into the campaign named by `campaign` (required): cash with amount
/// and channel, or one item a row; donors by credit code (registry), by name, or anonymous.
/// Each row is recorded and booked as the donation form does; a row imported before is skipped.
#[utoipa::path(post, path = "/imports/donations", tag = "imports",
    request_body(content = inline(ImportUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn import_donations(
    State(state): State<AppState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    import_kind(&state, &signed, ImportKind::Donations, multipart).await
}

/// Import items into the catalogue (code, names, unit, reference value); a code already in the
/// catalogue is skipped. The county administrator.
#[utoipa::path(post, path = "/imports/items", tag = "imports",
    request_body(content = inline(ImportUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn import_items(
    State(state): State<AppState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    import_kind(&state, &signed, ImportKind::Items, multipart).await
}

/// Import user accounts (user name, name, role, area or organization, first password, which
/// must be changed at first sign-in); a user name that exists is skipped. The system
/// administrator.
#[utoipa::path(post, path = "/imports/users", tag = "imports",
    request_body(content = inline(ImportUpload), content_type = "multipart/form-data"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn import_users(
    State(state): State<AppState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportOut>, ApiError> {
    import_kind(&state, &signed, ImportKind::Users, multipart).await
}
