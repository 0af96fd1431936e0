//! Personal API tokens over JSON.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&hearth_store::api_tokens::ApiToken> for TokenOut {
    fn from(t: &hearth_store::api_tokens::ApiToken) -> Self {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339());
        TokenOut {
            id: t.id.to_string(),
            name: t.name.clone(),
            created_at: t.created_at.to_rfc3339(),
            last_used_at: time(t.last_used_at),
            expires_at: time(t.expires_at),
            revoked_at: time(t.revoked_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TokenIn {
    pub name: String,
    /// 1–366 days; none for a token that lasts until revoked.
    pub valid_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    pub token: TokenOut,
    /// Shown once: use as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Your tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens", responses((status = 200, body = Vec<TokenOut>), (status = 401, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<TokenOut>>, ApiError> {
    Ok(Json(
        state
            .app
            .api_tokens(&signed.caller)
            .await?
            .iter()
            .map(TokenOut::from)
            .collect(),
    ))
}

/// Create a token; its secret is in this response only.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = TokenIn,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<TokenIn>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let (token, secret) = state
        .app
        .create_api_token(&signed.caller, &body.name, body.valid_days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token: TokenOut::from(&token),
            secret,
        }),
    ))
}

/// Revoke one of your tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    state.app.revoke_api_token(&signed.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
