//! The running numbers of a campaign's papers (需求 `-00001`, 认领 `-P0001`, 发放 `-D0001`, …):
//! one counter per campaign and series (the papers' table), moved in the writer's transaction.
//! Counting the stored papers instead cost more with every paper: a delivery in a campaign with
//! ten thousand took a millisecond under the write lock, and importing needs grew
//! quadratically. A counter starts at the number of papers already stored, so a database
//! numbered by counting goes on where it was.

use crate::{Result, Tx};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

/// The next number of `series` (a table of papers with a `campaign_id`) in `campaign`.
pub(crate) async fn next(tx: &mut Tx, series: &str, campaign: Uuid) -> Result<i64> {
    let moved: Option<(i64,)> = tx
        .fetch_optional(
            Query::update()
                .table("paper_counter")
                .value("last", Expr::col("last").add(1))
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(Expr::col("series").eq(series))
                .returning_col("last"),
        )
        .await?;
    if let Some((n,)) = moved {
        return Ok(n);
    }
    let n = 1 + tx
        .count(
            Query::select()
                .expr(Expr::col("id").count())
                .from(series.to_owned())
                .and_where(Expr::col("campaign_id").eq(campaign)),
        )
        .await?;
    tx.execute(
        Query::insert()
            .into_table("paper_counter")
            .columns(["campaign_id", "series", "last"])
            .values_panic([campaign.into(), series.into(), n.into()]),
    )
    .await?;
    Ok(n)
}

/// `prefix` and the next number of `series` in `campaign`, four digits (more once past 9999).
pub(crate) async fn numbered(
    tx: &mut Tx,
    series: &str,
    campaign: Uuid,
    prefix: &str,
) -> Result<String> {
    let n = next(tx, series, campaign).await?;
    Ok(format!("{prefix}{n:04}"))
}
