//! The caller's own account: personal API tokens and the password.

use super::{FormErrors, Frame, Section, form_errors, local_date, local_time, ok, render};
use crate::AppState;
use crate::auth::{SESSION_COOKIE, Signed, set_cookie};
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_core::Invalid;
use uuid::Uuid;

struct TokenRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    state: &'static str,
    state_class: &'static str,
    live: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: Tr,
    frame: Frame,
    rows: Vec<TokenRow>,
    name: String,
    valid_days: String,
    errors: FormErrors,
    new_token: Option<String>,
    notice: Option<&'static str>,
}

/// Typed values of the "new token" form kept after a refusal, and the token just made.
#[derive(Default)]
struct TokenForm {
    name: String,
    valid_days: String,
    errors: FormErrors,
    new_token: Option<String>,
    notice: Option<&'static str>,
}

async fn show_tokens(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    status: StatusCode,
    form: TokenForm,
) -> Result<Response, PageError> {
    let tokens = state
        .app
        .api_tokens(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let now = chrono::Utc::now();
    let never = t.t("token.never");
    let rows = tokens
        .iter()
        .map(|tok| {
            let (state, state_class) = if tok.revoked_at.is_some() {
                ("token.state_revoked", "tag-info")
            } else if tok.expires_at.is_some_and(|at| at <= now) {
                ("token.state_expired", "tag-warning")
            } else {
                ("token.state_active", "tag-success")
            };
            TokenRow {
                id: tok.id.to_string(),
                name: tok.name.clone(),
                created: local_time(t, tok.created_at),
                last_used: tok
                    .last_used_at
                    .map(|at| local_time(t, at))
                    .unwrap_or_else(|| never.to_owned()),
                expires: tok
                    .expires_at
                    .map(|at| local_date(t, at))
                    .unwrap_or_else(|| t.t("token.no_expiry").to_owned()),
                state: t.t(state),
                state_class,
                live: state == "token.state_active",
            }
        })
        .collect();
    let page = TokensPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::Tokens,
            "/account/tokens",
            t.t("token.title"),
        ),
        rows,
        name: form.name,
        valid_days: form.valid_days,
        errors: form.errors,
        new_token: form.new_token,
        notice: form.notice,
    };
    Ok(render(status, &page, t))
}

/// `GET /account/tokens`
pub async fn tokens(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let revoked = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .iter()
        .any(|(k, v)| k == "notice" && v == "revoked");
    let form = TokenForm {
        valid_days: "90".into(),
        notice: revoked.then_some("token.notice_revoked"),
        ..TokenForm::default()
    };
    show_tokens(&state, &signed, t, StatusCode::OK, form).await
}

/// `POST /account/tokens`: creates a token and shows it this once (never in an address).
pub async fn create_token(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let name = fields.get("name").to_owned();
    let valid_days = fields.get("valid_days").trim().to_owned();
    let days = if valid_days.is_empty() {
        Ok(None)
    } else {
        valid_days
            .parse::<u32>()
            .map(Some)
            .map_err(|_| AppError::from(Invalid::new("valid_days", "token.valid_days")))
    };
    let outcome = match days {
        Ok(days) => {
            state
                .app
                .create_api_token(&signed.caller, &name, days)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((_, raw)) => {
            let form = TokenForm {
                valid_days: "90".into(),
                new_token: Some(raw),
                notice: Some("token.notice_created"),
                ..TokenForm::default()
            };
            show_tokens(&state, &signed, t, StatusCode::OK, form).await
        }
        Err(e) => {
            let errors = form_errors(t, e)?;
            show_tokens(
                &state,
                &signed,
                t,
                StatusCode::UNPROCESSABLE_ENTITY,
                TokenForm {
                    name,
                    valid_days,
                    errors,
                    ..TokenForm::default()
                },
            )
            .await
        }
    }
}

/// `POST /account/tokens/{id}/revoke`
pub async fn revoke_token(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError::new(AppError::NotFound, t))?;
    state
        .app
        .revoke_api_token(&signed.caller, id)
        .await
        .map_err(|e| PageError::new(e, t))?;
    Ok(Redirect::to("/account/tokens?notice=revoked").into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    frame: Frame,
    errors: FormErrors,
    others: Vec<String>,
    must_change: bool,
}

fn password_page(signed: &Signed, t: Tr, errors: FormErrors) -> PasswordPage {
    let others = errors.others(&["current_password", "password", "confirm_password"]);
    PasswordPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::Password,
            "/account/password",
            t.t("account.password_title"),
        ),
        errors,
        others,
        must_change: signed.caller.user.must_change_password,
    }
}

/// `GET /account/password`
pub async fn password_form(signed: Signed, t: Tr) -> Response {
    ok(&password_page(&signed, t, FormErrors::default()), t)
}

/// `POST /account/password`: every session of the user ends, this one too, so the reader signs
/// in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let new = fields.get("new_password");
    if new != fields.get("confirm_password") {
        let errors = FormErrors::one(
            "confirm_password",
            t.t("account.password_mismatch").to_owned(),
        );
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &password_page(&signed, t, errors),
            t,
        ));
    }
    match state
        .app
        .change_password(&signed.caller, fields.get("current_password"), new)
        .await
    {
        Ok(()) => {
            let cleared = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
            Ok((
                AppendHeaders([(header::SET_COOKIE, cleared)]),
                Redirect::to("/login?notice=password_changed"),
            )
                .into_response())
        }
        Err(e) => {
            let errors = form_errors(t, e)?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &password_page(&signed, t, errors),
                t,
            ))
        }
    }
}
