//! Corrections (冲销) of donations and purchases: the paper was wrong, so every ledger record it
//! posted is reversed (from `first_seq`), never edited. A record is corrected at most once.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRow {
    pub id: Uuid,
    pub campaign_id: Uuid,
    /// `donation` or `purchase`.
    pub record_type: String,
    pub record_id: Uuid,
    pub reason: String,
    pub corrected_on: NaiveDate,
    /// The first reversing record posted.
    pub first_seq: i64,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    campaign_id: Uuid,
    record_type: String,
    record_id: Uuid,
    reason: String,
    corrected_on: String,
    first_seq: i64,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 9] = [
    "id",
    "campaign_id",
    "record_type",
    "record_id",
    "reason",
    "corrected_on",
    "first_seq",
    "recorded_by",
    "created_at",
];

pub async fn insert(tx: &mut Tx, c: &CorrectionRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("correction")
            .columns(COLUMNS)
            .values_panic([
                c.id.into(),
                c.campaign_id.into(),
                c.record_type.clone().into(),
                c.record_id.into(),
                c.reason.clone().into(),
                c.corrected_on.to_string().into(),
                c.first_seq.into(),
                c.recorded_by.into(),
                c.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The correction of one donation or purchase, if it was corrected.
pub async fn of_record(
    tx: &mut Tx,
    record_type: &str,
    record_id: Uuid,
) -> Result<Option<CorrectionRow>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("correction")
                .and_where(Expr::col("record_type").eq(record_type))
                .and_where(Expr::col("record_id").eq(record_id)),
        )
        .await?;
    row.map(|r| {
        Ok(CorrectionRow {
            corrected_on: parsed("correction.corrected_on", r.corrected_on.parse())?,
            id: r.id,
            campaign_id: r.campaign_id,
            record_type: r.record_type,
            record_id: r.record_id,
            reason: r.reason,
            first_seq: r.first_seq,
            recorded_by: r.recorded_by,
            created_at: r.created_at,
        })
    })
    .transpose()
}
