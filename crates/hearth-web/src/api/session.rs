//! Signing in and out over the API, and who am I.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, Signed, Via, set_cookie};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
    /// The 6-digit code from the authenticator app, for accounts with a second factor.
    #[serde(default)]
    pub totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// `county_admin`, `town_officer`, `village_officer`, `org_member`, `auditor`, `system_admin`, …
    pub role: String,
    pub area_code: Option<String>,
    pub organization_id: Option<String>,
    pub must_change_password: bool,
}

impl From<&hearth_core::user::User> for UserOut {
    fn from(u: &hearth_core::user::User) -> Self {
        UserOut {
            id: u.id.to_string(),
            username: u.username.to_string(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_owned(),
            area_code: u.area_code.as_ref().map(|c| c.as_str().to_owned()),
            organization_id: u.organization_id.map(|id| id.to_string()),
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    pub user: UserOut,
    /// Send as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: Option<String>,
}

/// Sign in; sets the session cookie and returns the CSRF token for writes.
#[utoipa::path(post, path = "/session", tag = "session", request_body = SignInRequest,
    responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    Json(body): Json<SignInRequest>,
) -> Result<Response, ApiError> {
    let signed = state
        .app
        .sign_in_with(hearth_app::auth::SignInAttempt {
            username: &body.username,
            password: &body.password,
            totp_code: body.totp_code.as_deref(),
        })
        .await?;
    let max_age = state.app.policy().session_absolute.as_secs() as i64;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &signed.token,
        max_age,
        state.config.secure_cookies,
    );
    let out = SessionOut {
        user: UserOut::from(&signed.user),
        csrf_token: Some(signed.csrf_token),
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(out)).into_response())
}

/// Sign out of this session.
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn sign_out(State(state): State<AppState>, signed: Signed) -> Result<Response, ApiError> {
    if let Via::Session { token, .. } = &signed.via {
        state.app.sign_out(&signed.caller, token).await?;
    }
    let cookie = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "session", responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn me(signed: Signed) -> Json<SessionOut> {
    let csrf = match &signed.via {
        Via::Session { csrf, .. } => Some(csrf.clone()),
        Via::ApiToken => None,
    };
    Json(SessionOut {
        user: UserOut::from(&signed.caller.user),
        csrf_token: csrf,
    })
}
