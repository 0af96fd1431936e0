//! Who is asking: a session cookie (browsers) or a bearer token (scripts), and the CSRF check
//! for every state-changing request made with a cookie.

use crate::AppState;
use crate::error::ApiError;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hearth_app::{AppError, Caller};

pub const SESSION_COOKIE: &str = "hearth_session";
pub const LOGIN_CSRF_COOKIE: &str = "hearth_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";

/// The signed-in caller, put into the request by [`authenticate`].
#[derive(Clone)]
pub struct Signed {
    pub caller: Caller,
    pub via: Via,
}

#[derive(Clone)]
pub enum Via {
    Session { token: String, csrf: String },
    ApiToken,
}

impl Signed {
    /// The CSRF token forms must carry (empty for token callers, who need none).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::ApiToken => "",
        }
    }
}

/// Without a caller, the API answers 401 and pages send the reader to sign in.
impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Signed>().cloned().ok_or_else(|| {
            // Inside the nested API router the path has lost its `/api/v1` prefix.
            let uri = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map(|o| o.0.clone())
                .unwrap_or_else(|| parts.uri.clone());
            if uri.path().starts_with("/api/") {
                ApiError(AppError::Unauthenticated).into_response()
            } else {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                axum::response::Redirect::to(&format!("/login?{query}")).into_response()
            }
        })
    }
}

/// A signed-in caller if there is one, for pages that also serve visitors.
pub struct MaybeSigned(pub Option<Signed>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSigned {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSigned(parts.extensions.get::<Signed>().cloned()))
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves the caller once per request. Unknown or expired credentials leave the request
/// anonymous; the handlers that need a caller refuse it.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let signed = if let Some(token) = bearer(headers) {
        state
            .app
            .api_token_caller(token)
            .await
            .map(|caller| Signed {
                caller,
                via: Via::ApiToken,
            })
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        state
            .app
            .session(&token)
            .await
            .map(|(caller, session)| Signed {
                caller,
                via: Via::Session {
                    token,
                    csrf: session.csrf_token,
                },
            })
    } else {
        Err(AppError::Unauthenticated)
    };
    match signed {
        Ok(signed) => {
            request.extensions_mut().insert(signed);
        }
        Err(AppError::Unauthenticated) => {}
        Err(other) => return ApiError(other).into_response(),
    }
    next.run(request).await
}

const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Refuses a state-changing request made with a session cookie unless it carries the session's
/// CSRF token, in the `X-CSRF-Token` header or the `_csrf` form field (for a file upload, the
/// `_csrf` query parameter).
pub async fn csrf(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let Some(Signed {
        via: Via::Session { csrf: expected, .. },
        ..
    }) = request.extensions().get::<Signed>().cloned()
    else {
        return next.run(request).await;
    };
    if safe {
        return next.run(request).await;
    }
    let refuse = {
        let (parts, _) = Request::new(()).into_parts();
        let is_api = request.uri().path().starts_with("/api/");
        let t = crate::tr::Tr(crate::tr::lang_of(&request_parts_view(&request, parts)));
        move || refusal(is_api, t)
    };
    if let Some(sent) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return if constant_eq(sent, &expected) {
            next.run(request).await
        } else {
            refuse()
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A file upload from a page is `multipart/form-data`: a plain HTML form cannot set the
    // header, and reading a `_csrf` part here would mean buffering the whole file (up to the
    // upload limit) in this middleware, in front of the handler that streams it. Such forms
    // carry the token in their action URL (`?_csrf=…`) instead, and only they may: another
    // site cannot read the token, so it cannot forge the URL either; the token is per session,
    // the pages send `Referrer-Policy: same-origin`, and the request log records paths only.
    if content_type.starts_with("multipart/form-data") {
        let sent = request
            .uri()
            .query()
            .and_then(|q| form_urlencoded_field(q.as_bytes(), CSRF_FIELD));
        return if sent.is_some_and(|sent| constant_eq(&sent, &expected)) {
            next.run(request).await
        } else {
            refuse()
        };
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return refuse();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return ApiError(AppError::Invalid(vec![hearth_core::Invalid::new(
            "body",
            "request.too_large",
        )]))
        .into_response();
    };
    let sent = form_urlencoded_field(&bytes, CSRF_FIELD);
    if !sent.is_some_and(|sent| constant_eq(&sent, &expected)) {
        return refuse();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn request_parts_view(request: &Request, mut parts: Parts) -> Parts {
    parts.uri = request.uri().clone();
    parts.headers = request.headers().clone();
    parts
}

fn refusal(is_api: bool, t: crate::tr::Tr) -> Response {
    if is_api {
        ApiError(AppError::Forbidden)
            .with_code("csrf")
            .into_response()
    } else {
        let e = AppError::Invalid(vec![hearth_core::Invalid::new("_csrf", "error.csrf")]);
        crate::error::error_page(axum::http::StatusCode::FORBIDDEN, &e, t)
    }
}

/// Compares secrets without an early exit, so timing does not reveal a prefix.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
