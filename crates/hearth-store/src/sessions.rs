//! Browser sessions, stored in the database so several servers share them. Only a hash of the
//! cookie value is stored: a copy of the database does not let anyone sign in.

use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: [&str; 6] = [
    "token_hash",
    "user_id",
    "csrf_token",
    "created_at",
    "last_seen_at",
    "expires_at",
];

pub async fn insert(tx: &mut Tx, session: &Session) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("session")
            .columns(COLUMNS)
            .values_panic([
                session.token_hash.clone().into(),
                session.user_id.into(),
                session.csrf_token.clone().into(),
                session.created_at.into(),
                session.last_seen_at.into(),
                session.expires_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, token_hash: &str) -> Result<Option<Session>> {
    tx.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from("session")
            .and_where(Expr::col("token_hash").eq(token_hash)),
    )
    .await
}

pub async fn touch(tx: &mut Tx, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
    tx.execute(
        Query::update()
            .table("session")
            .value("last_seen_at", at)
            .and_where(Expr::col("token_hash").eq(token_hash)),
    )
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("session")
            .and_where(Expr::col("token_hash").eq(token_hash)),
    )
    .await?;
    Ok(())
}

/// Signs the user out everywhere (disabled account, new password).
pub async fn delete_for_user(tx: &mut Tx, user_id: Uuid) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("session")
            .and_where(Expr::col("user_id").eq(user_id)),
    )
    .await?;
    Ok(())
}

pub async fn delete_expired(
    tx: &mut Tx,
    idle_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    tx.execute(
        Query::delete().from_table("session").cond_where(
            sea_query::Cond::any()
                .add(Expr::col("expires_at").lt(now))
                .add(Expr::col("last_seen_at").lt(idle_since)),
        ),
    )
    .await
}
