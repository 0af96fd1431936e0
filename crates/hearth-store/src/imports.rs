//! Spreadsheet imports: one batch per file, its counts and its sealed report, and the needs that
//! wait for their household's approval.

use crate::db::VALUES_PER_STATEMENT;
use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ImportBatch {
    pub id: Uuid,
    /// `households` (later organizations, donations, items, users).
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    /// `all_or_nothing` or `valid_rows`.
    pub mode: String,
    /// What was done with households already registered: `skip` or `update`.
    pub existing: String,
    pub dry_run: bool,
    /// Rows were written (false for a dry run and for a refused all-or-nothing import).
    pub committed: bool,
    pub campaign_id: Option<Uuid>,
    pub rows_read: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub duplicates: i64,
    /// Sealed JSON (the refused rows as sent and every reason).
    #[serde(skip)]
    pub report: String,
    /// The importing officer's area, which decides who else may open the batch.
    pub area_code: Option<String>,
    pub imported_by: Uuid,
    pub imported_at: DateTime<Utc>,
}

const COLUMNS: [&str; 17] = [
    "id",
    "kind",
    "file_name",
    "file_sha256",
    "mode",
    "existing",
    "dry_run",
    "committed",
    "campaign_id",
    "rows_read",
    "accepted",
    "rejected",
    "duplicates",
    "report",
    "area_code",
    "imported_by",
    "imported_at",
];

pub async fn insert(tx: &mut Tx, batch: &ImportBatch) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("import_batch")
            .columns(COLUMNS)
            .values_panic([
                batch.id.into(),
                batch.kind.clone().into(),
                batch.file_name.clone().into(),
                batch.file_sha256.clone().into(),
                batch.mode.clone().into(),
                batch.existing.clone().into(),
                batch.dry_run.into(),
                batch.committed.into(),
                batch.campaign_id.into(),
                batch.rows_read.into(),
                batch.accepted.into(),
                batch.rejected.into(),
                batch.duplicates.into(),
                batch.report.clone().into(),
                batch.area_code.clone().into(),
                batch.imported_by.into(),
                batch.imported_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<ImportBatch>> {
    tx.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from("import_batch")
            .and_where(Expr::col("id").eq(id)),
    )
    .await
}

/// The latest batches whose area lies within `area` (a code prefix), newest first.
pub async fn recent_within(tx: &mut Tx, area_prefix: &str, limit: u64) -> Result<Vec<ImportBatch>> {
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("import_batch")
            .and_where(Expr::col("area_code").like(format!("{area_prefix}%")))
            .order_by("imported_at", Order::Desc)
            .limit(limit),
    )
    .await
}

/// Every batch (for key rotation).
pub async fn all(tx: &mut Tx) -> Result<Vec<ImportBatch>> {
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("import_batch")
            .order_by("imported_at", Order::Asc),
    )
    .await
}

/// Replaces the sealed report (key rotation).
pub async fn set_report(tx: &mut Tx, id: Uuid, report: &str) -> Result<()> {
    tx.execute(
        Query::update()
            .table("import_batch")
            .value("report", report)
            .and_where(Expr::col("id").eq(id)),
    )
    .await?;
    Ok(())
}

/// A need read from a row whose household was not approved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PendingNeed {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub household_id: Uuid,
    pub campaign_id: Uuid,
    pub item_code: String,
    pub quantity: i64,
    pub sheet_row: i64,
    /// The need it became, once recorded.
    pub need_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

const NEED_COLUMNS: [&str; 9] = [
    "id",
    "batch_id",
    "household_id",
    "campaign_id",
    "item_code",
    "quantity",
    "sheet_row",
    "need_id",
    "created_at",
];

pub async fn insert_pending(tx: &mut Tx, need: &PendingNeed) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("import_pending_need")
            .columns(NEED_COLUMNS)
            .values_panic([
                need.id.into(),
                need.batch_id.into(),
                need.household_id.into(),
                need.campaign_id.into(),
                need.item_code.clone().into(),
                need.quantity.into(),
                need.sheet_row.into(),
                need.need_id.into(),
                need.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The pending needs of a batch, in sheet order.
pub async fn pending_of(tx: &mut Tx, batch_id: Uuid) -> Result<Vec<PendingNeed>> {
    tx.fetch_all(
        Query::select()
            .columns(NEED_COLUMNS)
            .from("import_pending_need")
            .and_where(Expr::col("batch_id").eq(batch_id))
            .order_by("sheet_row", Order::Asc),
    )
    .await
}

/// Marks a pending need as recorded; false if another officer recorded it first.
pub async fn mark_recorded(tx: &mut Tx, id: Uuid, need_id: Uuid) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("import_pending_need")
                .value("need_id", need_id)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("need_id").is_null()),
        )
        .await?;
    Ok(touched == 1)
}

/// Whether the same item already waits for the household in the campaign (a re-import).
pub async fn pending_exists(
    tx: &mut Tx,
    household_id: Uuid,
    campaign_id: Uuid,
    item_code: &str,
) -> Result<bool> {
    let n = tx
        .count(
            Query::select()
                .expr(Expr::col("id").count())
                .from("import_pending_need")
                .and_where(Expr::col("household_id").eq(household_id))
                .and_where(Expr::col("campaign_id").eq(campaign_id))
                .and_where(Expr::col("item_code").eq(item_code))
                .and_where(Expr::col("need_id").is_null()),
        )
        .await?;
    Ok(n > 0)
}

/// Removes a waiting need that was recorded by other means.
pub async fn drop_pending(tx: &mut Tx, id: Uuid) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("import_pending_need")
            .and_where(Expr::col("id").eq(id)),
    )
    .await?;
    Ok(())
}

/// The record a file row of `kind` became earlier (a donation's number), by the row's
/// fingerprint.
pub async fn record_of(tx: &mut Tx, kind: &str, fingerprint: &str) -> Result<Option<String>> {
    #[derive(sqlx::FromRow)]
    struct Found {
        record: String,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            Query::select()
                .column("record")
                .from("import_record")
                .and_where(Expr::col("kind").eq(kind))
                .and_where(Expr::col("fingerprint").eq(fingerprint)),
        )
        .await?;
    Ok(found.map(|f| f.record))
}

/// Remembers that a file row of `kind` became `record` in `batch_id`.
pub async fn insert_record(
    tx: &mut Tx,
    kind: &str,
    fingerprint: &str,
    record: &str,
    batch_id: Uuid,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("import_record")
            .columns(["kind", "fingerprint", "record", "batch_id"])
            .values_panic([
                kind.into(),
                fingerprint.into(),
                record.into(),
                batch_id.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Notes that a batch's sealed report holds the ID number of a blind index.
pub async fn insert_subject(tx: &mut Tx, batch_id: Uuid, id_index: &str) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("import_subject")
            .columns(["batch_id", "id_index"])
            .values_panic([batch_id.into(), id_index.into()])
            .on_conflict(
                sea_query::OnConflict::columns(["batch_id", "id_index"])
                    .do_nothing()
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// The batches whose reports hold an ID number of one of the blind indexes.
pub async fn batches_naming(tx: &mut Tx, id_indexes: &[String]) -> Result<Vec<ImportBatch>> {
    if id_indexes.is_empty() {
        return Ok(Vec::new());
    }
    let mut subjects = Query::select();
    subjects
        .column("batch_id")
        .from("import_subject")
        .and_where(Expr::col("id_index").is_in(id_indexes.iter().cloned()));
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("import_batch")
            .and_where(Expr::col("id").in_subquery(subjects))
            .order_by("imported_at", Order::Asc),
    )
    .await
}

/// Forgets the blind indexes of a batch once its report no longer holds them.
pub async fn forget_subjects(tx: &mut Tx, batch_id: Uuid, id_indexes: &[String]) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("import_subject")
            .and_where(Expr::col("batch_id").eq(batch_id))
            .and_where(Expr::col("id_index").is_in(id_indexes.iter().cloned())),
    )
    .await?;
    Ok(())
}

/// The latest batches of the given kinds, newest first: those imported within `area_prefix`
/// (an area code prefix), or, with `None`, those imported by accounts without an area.
pub async fn recent_of(
    tx: &mut Tx,
    kinds: &[&str],
    area_prefix: Option<&str>,
    limit: u64,
) -> Result<Vec<ImportBatch>> {
    let mut query = Query::select();
    query
        .columns(COLUMNS)
        .from("import_batch")
        .and_where(Expr::col("kind").is_in(kinds.iter().map(|k| k.to_string())));
    match area_prefix {
        Some(prefix) => query.and_where(Expr::col("area_code").like(format!("{prefix}%"))),
        None => query.and_where(Expr::col("area_code").is_null()),
    };
    tx.fetch_all(query.order_by("imported_at", Order::Desc).limit(limit))
        .await
}

/// Forgets every blind index of a batch (before they are computed again under a new key).
pub async fn clear_subjects(tx: &mut Tx, batch_id: Uuid) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("import_subject")
            .and_where(Expr::col("batch_id").eq(batch_id)),
    )
    .await?;
    Ok(())
}

/// Registers many households in a few multi-row statements (an import's part of a file): the
/// same rows [`crate::households::insert`] writes one at a time.
pub async fn insert_households(
    tx: &mut Tx,
    households: &[(
        crate::households::HouseholdRow,
        Vec<crate::households::MemberRow>,
    )],
) -> Result<()> {
    use crate::households::{COLUMNS as HOUSEHOLD, MEMBER_COLUMNS, insert_members, values};
    for part in households.chunks(VALUES_PER_STATEMENT / HOUSEHOLD.len()) {
        let mut insert = Query::insert();
        insert.into_table("household").columns(HOUSEHOLD);
        for (row, _) in part {
            insert.values_panic(values(row));
        }
        tx.execute(&insert).await?;
    }
    let members: Vec<_> = households
        .iter()
        .flat_map(|(_, members)| members.iter().cloned())
        .collect();
    for part in members.chunks(VALUES_PER_STATEMENT / MEMBER_COLUMNS.len()) {
        insert_members(tx, part).await?;
    }
    Ok(())
}

/// Every member whose ID number has one of the blind indexes, in one statement per 30,000
/// indexes.
pub async fn members_with_indexes(
    tx: &mut Tx,
    indexes: &[String],
) -> Result<Vec<crate::households::MemberRow>> {
    crate::households::members_whose(tx, "id_index", indexes).await
}
