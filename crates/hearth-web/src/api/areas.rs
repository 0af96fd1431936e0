//! The division tree over JSON.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AreaOut {
    /// 12-digit statistical code.
    pub code: String,
    pub name: String,
    /// `province`, `city`, `county`, `town` or `village`
    pub level: String,
    pub parent: Option<String>,
    pub short_name: String,
    /// Invented for the demo (示例).
    pub is_example: bool,
}

/// The divisions the caller works in, parents before children.
#[utoipa::path(get, path = "/areas", tag = "areas", responses((status = 200, body = Vec<AreaOut>), (status = 401, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<AreaOut>>, ApiError> {
    let areas = state.app.areas(&signed.caller).await?;
    Ok(Json(
        areas
            .into_iter()
            .map(|a| AreaOut {
                code: a.code.as_str().to_owned(),
                name: a.name,
                level: a.level.as_str().to_owned(),
                parent: a.parent.map(|p| p.as_str().to_owned()),
                short_name: a.short_name,
                is_example: a.is_example,
            })
            .collect(),
    ))
}
