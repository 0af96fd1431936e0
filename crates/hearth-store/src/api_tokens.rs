//! Personal API tokens: a user creates one for a script; only its hash is stored.

use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 8] = [
    "id",
    "user_id",
    "name",
    "token_hash",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
];

pub async fn insert(tx: &mut Tx, token: &ApiToken) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("api_token")
            .columns(COLUMNS)
            .values_panic([
                token.id.into(),
                token.user_id.into(),
                token.name.clone().into(),
                token.token_hash.clone().into(),
                token.created_at.into(),
                token.last_used_at.into(),
                token.expires_at.into(),
                token.revoked_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<ApiToken>> {
    tx.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from("api_token")
            .and_where(Expr::col("token_hash").eq(token_hash)),
    )
    .await
}

pub async fn for_user(tx: &mut Tx, user_id: Uuid) -> Result<Vec<ApiToken>> {
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("api_token")
            .and_where(Expr::col("user_id").eq(user_id))
            .order_by("created_at", Order::Desc),
    )
    .await
}

pub async fn touch(tx: &mut Tx, id: Uuid, at: DateTime<Utc>) -> Result<()> {
    tx.execute(
        Query::update()
            .table("api_token")
            .value("last_used_at", at)
            .and_where(Expr::col("id").eq(id)),
    )
    .await?;
    Ok(())
}

/// Revokes the user's token; false if no such live token.
pub async fn revoke(tx: &mut Tx, user_id: Uuid, id: Uuid, at: DateTime<Utc>) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("api_token")
                .value("revoked_at", at)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("user_id").eq(user_id))
                .and_where(Expr::col("revoked_at").is_null()),
        )
        .await?;
    Ok(touched == 1)
}
