//! Sign-in guards kept in the database, so every server behind a load balancer sees the same
//! counts: failed sign-ins per client address, and each account's second factor (TOTP).

use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Asterisk, Expr, ExprTrait, Func, Query};
use uuid::Uuid;

pub async fn record_failure(tx: &mut Tx, client: &str, at: DateTime<Utc>) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("sign_in_failure")
            .columns(["client", "at"])
            .values_panic([client.into(), at.into()]),
    )
    .await?;
    Ok(())
}

/// Failed sign-ins from `client` since `since`.
pub async fn failures_since(tx: &mut Tx, client: &str, since: DateTime<Utc>) -> Result<i64> {
    tx.count(
        Query::select()
            .expr(Expr::col(Asterisk).count())
            .from("sign_in_failure")
            .and_where(Expr::col("client").eq(client))
            .and_where(Expr::col("at").gte(since)),
    )
    .await
}

/// The oldest failure from `client` since `since`, which decides when the client may retry.
pub async fn oldest_failure_since(
    tx: &mut Tx,
    client: &str,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = tx
        .fetch_optional(
            Query::select()
                .expr(Expr::col("at").min())
                .from("sign_in_failure")
                .and_where(Expr::col("client").eq(client))
                .and_where(Expr::col("at").gte(since)),
        )
        .await?;
    Ok(row.and_then(|(at,)| at))
}

/// Forgets failures older than `before` (they no longer count).
pub async fn forget_failures(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
    tx.execute(
        Query::delete()
            .from_table("sign_in_failure")
            .and_where(Expr::col("at").lt(before)),
    )
    .await
}

/// An account's second factor: the sealed secret, and whether it has been confirmed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Totp {
    pub user_id: Uuid,
    pub secret: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: i64,
    pub created_at: DateTime<Utc>,
}

const TOTP_COLUMNS: [&str; 5] = [
    "user_id",
    "secret",
    "confirmed_at",
    "last_step",
    "created_at",
];

pub async fn totp(tx: &mut Tx, user_id: Uuid) -> Result<Option<Totp>> {
    tx.fetch_optional(
        Query::select()
            .columns(TOTP_COLUMNS)
            .from("user_totp")
            .and_where(Expr::col("user_id").eq(user_id)),
    )
    .await
}

/// Replaces the account's second factor with a new, unconfirmed one.
pub async fn put_totp(tx: &mut Tx, totp: &Totp) -> Result<()> {
    remove_totp(tx, totp.user_id).await?;
    tx.execute(
        Query::insert()
            .into_table("user_totp")
            .columns(TOTP_COLUMNS)
            .values_panic([
                totp.user_id.into(),
                totp.secret.clone().into(),
                totp.confirmed_at.into(),
                totp.last_step.into(),
                totp.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn remove_totp(tx: &mut Tx, user_id: Uuid) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("user_totp")
            .and_where(Expr::col("user_id").eq(user_id)),
    )
    .await?;
    Ok(())
}

/// Records that a code for `step` was accepted, only if no code for this or a later step was:
/// false means the code was used already (perhaps on another server).
pub async fn use_step(
    tx: &mut Tx,
    user_id: Uuid,
    step: i64,
    confirm_at: DateTime<Utc>,
) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("user_totp")
                .value("last_step", step)
                .value(
                    "confirmed_at",
                    Func::coalesce([Expr::col("confirmed_at"), Expr::val(confirm_at)]),
                )
                .and_where(Expr::col("user_id").eq(user_id))
                .and_where(Expr::col("last_step").lt(step)),
        )
        .await?;
    Ok(touched == 1)
}
