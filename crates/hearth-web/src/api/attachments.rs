//! Attachments over JSON: upload a household's scanned consent form or a pledge's signed letter
//! (`multipart/form-data`, the file in the part `file`), list them, and download one.
//!
//! The upload route alone accepts bodies up to [`UPLOAD_BODY_LIMIT`] (5 MiB of file and room
//! for the form around it); every other route keeps the router's 2 MiB. A download is sent as
//! what its content was found to be, never as HTML: `Content-Disposition: attachment`,
//! `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`, and it is audited.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_app::AppError;
use hearth_app::attachments::{
    AttachmentInfo, Download, FIELD, MAX_BYTES, MAX_TEXT, Owner, Purpose, Upload,
};
use hearth_core::Invalid;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

/// The largest request body the upload routes read: the largest file and 64 KiB for the
/// multipart framing and any small fields around it.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

/// The attachment routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_consent_scan).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .routes(routes!(consent_scans))
        .routes(routes!(upload_signed_letter).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .routes(routes!(signed_letters))
        .routes(routes!(download_attachment))
}

/// The upload form: one file.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ScanUpload {
    /// PDF, JPEG or PNG (judged by the content), at most 5 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A stored attachment (never its bytes; fetch `download_url` for those).
#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    /// `household` or `pledge`.
    pub owner_type: String,
    pub owner_id: String,
    /// `consent_scan` (a household's) or `signed_letter` (a pledge's).
    pub purpose: String,
    /// The sanitised name, ending in the extension of the detected type.
    pub filename: String,
    /// Detected from the content: `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub uploaded_by: String,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
    /// `/api/v1/attachments/{id}`: the file itself (audited).
    pub download_url: String,
}

impl From<&AttachmentInfo> for AttachmentOut {
    fn from(a: &AttachmentInfo) -> Self {
        AttachmentOut {
            id: a.id.to_string(),
            owner_type: a.owner_type.clone(),
            owner_id: a.owner_id.to_string(),
            purpose: a.purpose.clone(),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
            uploaded_by: a.uploaded_by.clone(),
            uploaded_at: a.uploaded_at.to_rfc3339(),
            download_url: format!("/api/v1/attachments/{}", a.id),
        }
    }
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

fn refused(code: &'static str) -> AppError {
    let invalid = Invalid::new(FIELD, code);
    let invalid = if code == "attachment.too_large" {
        invalid.arg("max", MAX_TEXT)
    } else {
        invalid
    };
    invalid.into()
}

/// The file of a `multipart/form-data` body: the part named `file`, read up to one byte past
/// the limit (so a larger file is refused without reading it all). Other parts are ignored.
/// Whatever goes wrong is a refusal of the field `file`.
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, AppError> {
    let mut multipart = multipart.map_err(|_| refused("attachment.not_multipart"))?;
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refused("attachment.too_large")
        } else {
            refused("attachment.unreadable")
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some(FIELD) {
            continue;
        }
        let filename = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            let room = (MAX_BYTES + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() > MAX_BYTES {
                break;
            }
        }
        if bytes.is_empty() && filename.trim().is_empty() {
            // A form sent without choosing a file.
            return Err(refused("attachment.missing"));
        }
        return Ok(Upload { filename, bytes });
    }
    Err(refused("attachment.missing"))
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII stand-in for old
/// clients, and the real name percent-encoded.
pub(crate) fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in filename.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric()
            || matches!(
                c,
                '!' | '#' | '$' | '&' | '+' | '-' | '.' | '^' | '_' | '`' | '|' | '~'
            )
        {
            encoded.push(c);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The file as a response that no browser renders in place.
pub(crate) fn file_response(download: Download) -> Response {
    let Download { info, bytes } = download;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let value = |v: &str| {
        HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&info.content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(&content_disposition(&info.filename)),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Upload a scan of the household's signed consent form (知情同意书扫描件): whoever may edit
/// the household, at any status. `multipart/form-data` with the file in the part `file`; PDF,
/// JPEG or PNG by content, at most 5 MiB, else 422 naming `file`. With a session cookie, send
/// `X-CSRF-Token`. Audited.
#[utoipa::path(post, path = "/households/{id}/consent-scans", tag = "households", params(("id" = String, Path)),
    request_body(content = inline(ScanUpload), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn upload_consent_scan(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let owner = Owner::Household(parse_id(&id)?);
    let upload = read_upload(multipart).await?;
    let info = state
        .app
        .attach(&signed.caller, owner, Purpose::ConsentScan, &upload)
        .await?;
    Ok((StatusCode::CREATED, Json(AttachmentOut::from(&info))))
}

/// The household's consent scans, newest first (for those who may show its details in full).
#[utoipa::path(get, path = "/households/{id}/consent-scans", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn consent_scans(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    let owner = Owner::Household(parse_id(&id)?);
    let list = state.app.attachments(&signed.caller, owner).await?;
    Ok(Json(
        list.iter()
            .filter(|a| a.purpose == Purpose::ConsentScan.as_str())
            .map(AttachmentOut::from)
            .collect(),
    ))
}

/// Upload a scan of the pledge letter as signed and stamped on paper (签署件): a member of the
/// pledging organization, or a town or village officer whose area the pledge touches, once it
/// is signed and while it is not cancelled (else 422 naming `status`). `multipart/form-data`
/// with the file in the part `file`; PDF, JPEG or PNG by content, at most 5 MiB, else 422
/// naming `file`. With a session cookie, send `X-CSRF-Token`. Audited against the pledge.
#[utoipa::path(post, path = "/pledges/{id}/signed-letters", tag = "pledges", params(("id" = String, Path)),
    request_body(content = inline(ScanUpload), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn upload_signed_letter(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let owner = Owner::Pledge(parse_id(&id)?);
    let upload = read_upload(multipart).await?;
    let info = state
        .app
        .attach(&signed.caller, owner, Purpose::SignedLetter, &upload)
        .await?;
    Ok((StatusCode::CREATED, Json(AttachmentOut::from(&info))))
}

/// The pledge's signed letters, newest first (for whoever may read the pledge).
#[utoipa::path(get, path = "/pledges/{id}/signed-letters", tag = "pledges", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn signed_letters(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    let owner = Owner::Pledge(parse_id(&id)?);
    let list = state.app.attachments(&signed.caller, owner).await?;
    Ok(Json(
        list.iter()
            .filter(|a| a.purpose == Purpose::SignedLetter.as_str())
            .map(AttachmentOut::from)
            .collect(),
    ))
}

/// Download an attachment exactly as uploaded, as the type its content was found to be and
/// never for display in place. Needs the right to read its record — a household's in full, a
/// pledge's, an activity's (403 otherwise); outside the caller's scope it is 404. Every
/// download is written to the audit log.
#[utoipa::path(get, path = "/attachments/{id}", tag = "households", params(("id" = String, Path)),
    responses((status = 200, description = "The file", content(("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn download_attachment(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let download = state
        .app
        .download_attachment(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(file_response(download))
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_are_offered_in_ascii_and_in_utf8() {
        assert_eq!(
            content_disposition("同意书 1.pdf"),
            "attachment; filename=\"___ 1.pdf\"; filename*=UTF-8''%E5%90%8C%E6%84%8F%E4%B9%A6%201.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c.png"),
            "attachment; filename=\"a_b_c.png\"; filename*=UTF-8''a%22b%5Cc.png"
        );
    }
}
