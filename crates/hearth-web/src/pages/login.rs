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
use hearth_app::auth::{SignInStep, SignedIn};
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
    step: Option<CodeStepView>,
    code_error: Option<String>,
    demo: Vec<DemoAccount>,
    demo_password: &'static str,
    lang_zh: String,
    lang_en: String,
}

/// The code step of a sign-in: its sealed token, and a new secret when the account sets one up.
struct CodeStepView {
    pending: String,
    enrolment: Option<super::second_factor::EnrolmentView>,
}

/// What the sign-in page shows besides its fields.
#[derive(Default)]
struct FormState {
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
    step: Option<CodeStepView>,
    code_error: Option<String>,
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

fn show_form(state: &AppState, t: Tr, status: StatusCode, form: FormState) -> Response {
    let csrf = hearth_app::auth::random_token();
    let next = local_path(&form.next).unwrap_or("").to_owned();
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
        username: form.username,
        error: form.error,
        notice: form.notice,
        step: form.step,
        code_error: form.code_error,
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
    let form = FormState {
        next,
        notice,
        ..FormState::default()
    };
    show_form(&state, t, StatusCode::OK, form)
}

/// The messages of a refusal, in the reader's language.
fn message_of(t: Tr, e: &AppError) -> String {
    details(e)
        .into_iter()
        .map(|d| {
            if t.is_en() {
                d.message_en
            } else {
                d.message_zh
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Refusals the form explains; anything else is a server fault shown as an error page.
fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::BadCredentials | AppError::Locked(_) | AppError::Disabled | AppError::Invalid(_)
    )
}

/// The field a refusal is about, when it is the code (not an expired step).
fn code_refusal(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(list)
        if list.iter().all(|i| i.field() == "totp_code" && i.code() != "totp_web.expired"))
}

/// Whether the double-submit token of the form matches its cookie.
fn form_token_ok(headers: &HeaderMap, fields: &super::Fields) -> bool {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && constant_eq(fields.get(CSRF_FIELD), &expected)
}

/// The session cookie, and on to where the reader was headed.
fn signed_in(state: &AppState, signed_in: SignedIn, next: &str) -> Response {
    let secure = state.config.secure_cookies;
    let max_age = i64::try_from(state.app.policy().session_absolute.as_secs()).unwrap_or(i64::MAX);
    let session = set_cookie(SESSION_COOKIE, &signed_in.token, max_age, secure);
    let spent = set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure);
    let to = if signed_in.user.must_change_password {
        "/account/password"
    } else {
        local_path(next).unwrap_or("/")
    };
    (
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, spent)]),
        Redirect::to(to),
    )
        .into_response()
}

/// The code step, from its token; an expired token goes back to the password.
fn show_code_step(
    state: &AppState,
    t: Tr,
    status: StatusCode,
    next: String,
    pending: String,
    code_error: Option<String>,
) -> Response {
    match state.app.pending_sign_in(&pending) {
        Ok(step) => {
            let enrolment = step
                .enrolment
                .map(|e| super::second_factor::EnrolmentView::of(&e));
            let form = FormState {
                next,
                username: step.username,
                step: Some(CodeStepView { pending, enrolment }),
                code_error,
                ..FormState::default()
            };
            show_form(state, t, status, form)
        }
        Err(e) => {
            let form = FormState {
                next,
                error: Some(message_of(t, &e)),
                ..FormState::default()
            };
            show_form(state, t, status_of(&e), form)
        }
    }
}

/// `POST /login`: checks the form token and the password; signs in, or asks for the code.
pub async fn submit(
    State(state): State<AppState>,
    t: Tr,
    headers: HeaderMap,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let username = fields.get("username").trim().to_owned();
    let next = fields.get("next").to_owned();
    if !form_token_ok(&headers, &fields) {
        let form = FormState {
            next,
            username,
            error: Some(t.t("error.csrf").to_owned()),
            ..FormState::default()
        };
        return Ok(show_form(&state, t, StatusCode::FORBIDDEN, form));
    }
    match state
        .app
        .sign_in_step(&username, fields.get("password"))
        .await
    {
        Ok(SignInStep::Done(done)) => Ok(signed_in(&state, *done, &next)),
        Ok(SignInStep::CodeNeeded { pending }) => Ok(show_code_step(
            &state,
            t,
            StatusCode::OK,
            next,
            pending,
            None,
        )),
        Err(e) if is_refusal(&e) => {
            let form = FormState {
                next,
                username,
                error: Some(message_of(t, &e)),
                ..FormState::default()
            };
            Ok(show_form(&state, t, status_of(&e), form))
        }
        Err(other) => Err(PageError::new(other, t)),
    }
}

/// `POST /login/code`: the one-time code (and, for an account setting one up, its first code).
pub async fn submit_code(
    State(state): State<AppState>,
    t: Tr,
    headers: HeaderMap,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let next = fields.get("next").to_owned();
    let pending = fields.get("pending").to_owned();
    if !form_token_ok(&headers, &fields) {
        let error = Some(t.t("error.csrf").to_owned());
        return Ok(show_code_step(
            &state,
            t,
            StatusCode::FORBIDDEN,
            next,
            pending,
            error,
        ));
    }
    match state
        .app
        .finish_sign_in(&pending, fields.get("totp_code"))
        .await
    {
        Ok(SignInStep::Done(done)) => Ok(signed_in(&state, *done, &next)),
        Ok(SignInStep::CodeNeeded { pending }) => {
            let error = Some(t.t("totp.required").to_owned());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(show_code_step(&state, t, status, next, pending, error))
        }
        Err(e) if code_refusal(&e) => {
            let error = Some(message_of(t, &e));
            let status = status_of(&e);
            Ok(show_code_step(&state, t, status, next, pending, error))
        }
        Err(e) if is_refusal(&e) => {
            let form = FormState {
                next,
                error: Some(message_of(t, &e)),
                ..FormState::default()
            };
            Ok(show_form(&state, t, status_of(&e), form))
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
