//! Signing in and out, and the language switch.
//!
//! The sign-in form has no session yet, so it carries a double-submit token: a random value in
//! a short-lived cookie and the same value in a hidden field; a cross-site form cannot read the
//! cookie to copy it.

use super::{local_path, query_string, render};
use crate::AppState;
use crate::auth::{
    CSRF_FIELD, LOGIN_CSRF_COOKIE, MaybeSigned, SESSION_COOKIE, Signed, Via, constant_eq, cookie,
    set_cookie,
};
use crate::error::{PageError, details, status_of};
use crate::tr::{LANG_COOKIE, Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use hearth_core::{Lang, Role};

/// How long a sign-in form stays usable.
const LOGIN_FORM_SECS: i64 = 60 * 60;
const LANG_COOKIE_SECS: i64 = 365 * 24 * 60 * 60;

struct DemoAccount {
    username: &'static str,
    role: &'static str,
    place: &'static str,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
    demo: Vec<DemoAccount>,
    demo_password: &'static str,
    lang_zh: String,
    lang_en: String,
}

fn query_value(query: Option<&str>, name: &str) -> String {
    query
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn show_form(
    state: &AppState,
    t: Tr,
    status: StatusCode,
    next: &str,
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    let csrf = hearth_app::auth::random_token();
    let next = local_path(next).unwrap_or("").to_owned();
    let here = if next.is_empty() {
        "/login".to_owned()
    } else {
        format!("/login?{}", query_string(&[("next", next.clone())]))
    };
    let lang = |code: &str| format!("/lang/{code}?{}", query_string(&[("next", here.clone())]));
    let demo = if state.config.demo {
        DEMO_USERS
            .iter()
            .map(|(username, role, place)| DemoAccount {
                username,
                role: role
                    .parse::<Role>()
                    .map(|r| t.t(&r.label_key()))
                    .unwrap_or(role),
                place,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = LoginPage {
        t,
        csrf: csrf.clone(),
        next,
        username,
        error,
        notice,
        demo,
        demo_password: DEMO_PASSWORD,
        lang_zh: lang("zh-CN"),
        lang_en: lang("en"),
    };
    let cookie = set_cookie(
        LOGIN_CSRF_COOKIE,
        &csrf,
        LOGIN_FORM_SECS,
        state.config.secure_cookies,
    );
    (
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        render(status, &page, t),
    )
        .into_response()
}

/// `GET /login`: the form; a signed-in reader goes on to where they were headed.
pub async fn form(
    State(state): State<AppState>,
    MaybeSigned(signed): MaybeSigned,
    t: Tr,
    RawQuery(query): RawQuery,
) -> Response {
    let next = query_value(query.as_deref(), "next");
    if signed.is_some() {
        return Redirect::to(local_path(&next).unwrap_or("/")).into_response();
    }
    let notice = match query_value(query.as_deref(), "notice").as_str() {
        "signed_out" => Some("login.signed_out"),
        "password_changed" => Some("login.password_changed"),
        _ => None,
    };
    show_form(
        &state,
        t,
        StatusCode::OK,
        &next,
        String::new(),
        None,
        notice,
    )
}

/// `POST /login`: checks the form token, signs in, sets the session cookie.
pub async fn submit(
    State(state): State<AppState>,
    t: Tr,
    headers: HeaderMap,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let username = fields.get("username").trim().to_owned();
    let next = fields.get("next").to_owned();
    let sent = fields.get(CSRF_FIELD);
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_eq(sent, &expected) {
        return Ok(show_form(
            &state,
            t,
            StatusCode::FORBIDDEN,
            &next,
            username,
            Some(t.t("error.csrf").to_owned()),
            None,
        ));
    }
    match state.app.sign_in(&username, fields.get("password")).await {
        Ok(signed_in) => {
            let secure = state.config.secure_cookies;
            let max_age =
                i64::try_from(state.app.policy().session_absolute.as_secs()).unwrap_or(i64::MAX);
            let session = set_cookie(SESSION_COOKIE, &signed_in.token, max_age, secure);
            let spent = set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure);
            let to = if signed_in.user.must_change_password {
                "/account/password"
            } else {
                local_path(&next).unwrap_or("/")
            };
            Ok((
                AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, spent)]),
                Redirect::to(to),
            )
                .into_response())
        }
        Err(
            e @ (AppError::BadCredentials
            | AppError::Locked(_)
            | AppError::Disabled
            | AppError::Invalid(_)),
        ) => {
            let message = details(&e)
                .into_iter()
                .map(|d| {
                    if t.is_en() {
                        d.message_en
                    } else {
                        d.message_zh
                    }
                })
                .collect::<Vec<_>>()
                .join("；");
            Ok(show_form(
                &state,
                t,
                status_of(&e),
                &next,
                username,
                Some(message),
                None,
            ))
        }
        Err(other) => Err(PageError::new(other, t)),
    }
}

/// `POST /logout`: ends the session and clears the cookie.
/// A reader whose session already ended is simply sent to the sign-in page.
pub async fn logout(
    State(state): State<AppState>,
    MaybeSigned(signed): MaybeSigned,
    t: Tr,
) -> Result<Response, PageError> {
    if let Some(Signed {
        caller,
        via: Via::Session { token, .. },
    }) = &signed
    {
        state
            .app
            .sign_out(caller, token)
            .await
            .map_err(|e| PageError::new(e, t))?;
    }
    let cleared = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok((
        AppendHeaders([(header::SET_COOKIE, cleared)]),
        Redirect::to("/login?notice=signed_out"),
    )
        .into_response())
}

/// `GET /lang/{code}?next=`: remembers the language and goes back.
pub async fn language(
    State(state): State<AppState>,
    t: Tr,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let lang = Lang::from_tag(&code).ok_or_else(|| PageError::new(AppError::NotFound, t))?;
    let next = query_value(query.as_deref(), "next");
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        LANG_COOKIE_SECS,
        state.config.secure_cookies,
    );
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Redirect::to(local_path(&next).unwrap_or("/")),
    )
        .into_response())
}
