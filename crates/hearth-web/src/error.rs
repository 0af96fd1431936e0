//! The one mapping from use-case errors to HTTP: JSON for the API, pages for browsers.

use crate::tr::Tr;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_core::{Invalid, Lang};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem, in both languages, as the API reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `uscc.check` or `forbidden`.
    pub code: String,
    /// The field at fault, if any (`uscc`, `row 3.name`).
    pub field: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

/// Body of every API error: the first problem, and all of them for forms with several.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    pub errors: Vec<ErrorDetail>,
}

impl ErrorDetail {
    pub fn from_invalid(e: &Invalid) -> Self {
        ErrorDetail {
            code: e.code().to_owned(),
            field: Some(e.field().to_owned()),
            message_zh: e.message(Lang::ZhCn),
            message_en: e.message(Lang::En),
        }
    }

    fn plain(code: &str, args: &[(&str, String)]) -> Self {
        let key = format!("error.{code}");
        ErrorDetail {
            code: code.to_owned(),
            field: None,
            message_zh: hearth_core::i18n::render(Lang::ZhCn, &key, args),
            message_en: hearth_core::i18n::render(Lang::En, &key, args),
        }
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unauthenticated | AppError::BadCredentials | AppError::Disabled => {
            StatusCode::UNAUTHORIZED
        }
        AppError::Locked(_) => StatusCode::LOCKED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Store(_) | AppError::KeysMissing | AppError::Crypto(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Every problem in the error, in both languages; internal details are logged, not shown.
pub fn details(e: &AppError) -> Vec<ErrorDetail> {
    match e {
        AppError::Invalid(list) => list.iter().map(ErrorDetail::from_invalid).collect(),
        AppError::Conflict(invalid) => vec![ErrorDetail::from_invalid(invalid)],
        AppError::Unauthenticated => vec![ErrorDetail::plain("unauthenticated", &[])],
        AppError::BadCredentials => vec![ErrorDetail::plain("bad_credentials", &[])],
        AppError::Disabled => vec![ErrorDetail::plain("disabled", &[])],
        AppError::Locked(until) => {
            let local = until
                .with_timezone(&chrono_tz::Asia::Shanghai)
                .format("%Y-%m-%d %H:%M")
                .to_string();
            vec![ErrorDetail::plain("locked", &[("until", local)])]
        }
        AppError::Forbidden => vec![ErrorDetail::plain("forbidden", &[])],
        AppError::NotFound => vec![ErrorDetail::plain("not_found", &[])],
        AppError::Store(_) | AppError::KeysMissing | AppError::Crypto(_) => {
            tracing::error!(error = %e, "server failure");
            vec![ErrorDetail::plain("internal", &[])]
        }
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl ApiError {
    /// The same status with a more specific code (the CSRF refusal is a 403 of its own kind).
    pub fn with_code(self, code: &'static str) -> CodedError {
        CodedError {
            status: status_of(&self.0),
            code,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let errors = details(&self.0);
        let first = errors
            .first()
            .cloned()
            .unwrap_or_else(|| ErrorDetail::plain("internal", &[]));
        (
            status_of(&self.0),
            Json(ErrorBody {
                error: first,
                errors,
            }),
        )
            .into_response()
    }
}

pub struct CodedError {
    status: StatusCode,
    code: &'static str,
}

impl IntoResponse for CodedError {
    fn into_response(self) -> Response {
        let detail = ErrorDetail::plain(self.code, &[]);
        (
            self.status,
            Json(ErrorBody {
                errors: vec![detail.clone()],
                error: detail,
            }),
        )
            .into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    title: &'a str,
    messages: Vec<String>,
}

/// An error answered as a page; "not signed in" sends the reader to the sign-in page.
pub struct PageError(pub AppError, pub Tr);

impl PageError {
    pub fn new(e: impl Into<AppError>, t: Tr) -> Self {
        PageError(e.into(), t)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        error_page(status_of(&self.0), &self.0, self.1)
    }
}

pub fn error_page(status: StatusCode, e: &AppError, t: Tr) -> Response {
    let messages = details(e)
        .into_iter()
        .map(|d| {
            if t.is_en() {
                d.message_en
            } else {
                d.message_zh
            }
        })
        .collect();
    let page = ErrorPage {
        t,
        status: status.as_u16(),
        title: t.t(&format!("error.title_{}", status.as_u16())),
        messages,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}
