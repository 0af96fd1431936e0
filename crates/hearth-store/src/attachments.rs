//! Attachments: uploaded files kept in the database, each belonging to one record named by its
//! type and id (a household's consent scan; later a pledge's signed letter).
//!
//! Rows arrive sealed by the application, like households: `filename` and `content` hold sealed
//! values, the other columns what lists and checks need. Lists never load `content`; only
//! [`content`] does, for the one download that asked for it.

use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

/// One attachment without its file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: Uuid,
    /// The kind of record it belongs to (`household` …).
    pub owner_type: String,
    pub owner_id: Uuid,
    /// Which document it is (`consent_scan` …).
    pub purpose: String,
    /// The sealed file name.
    pub filename: String,
    /// The MIME type detected from the file's first bytes.
    pub content_type: String,
    /// Of the original file, in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256 of the original file.
    pub sha256: String,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTime<Utc>,
}

const COLUMNS: [&str; 10] = [
    "id",
    "owner_type",
    "owner_id",
    "purpose",
    "filename",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_by",
    "uploaded_at",
];

/// Stores a new attachment with its sealed file.
pub async fn insert(tx: &mut Tx, row: &AttachmentRow, content: &[u8]) -> Result<()> {
    let mut columns = COLUMNS.to_vec();
    columns.push("content");
    tx.execute(
        Query::insert()
            .into_table("attachment")
            .columns(columns)
            .values_panic([
                row.id.into(),
                row.owner_type.clone().into(),
                row.owner_id.into(),
                row.purpose.clone().into(),
                row.filename.clone().into(),
                row.content_type.clone().into(),
                row.size_bytes.into(),
                row.sha256.clone().into(),
                row.uploaded_by.into(),
                row.uploaded_at.into(),
                content.to_vec().into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<AttachmentRow>> {
    tx.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from("attachment")
            .and_where(Expr::col("id").eq(id)),
    )
    .await
}

/// The sealed file of one attachment.
pub async fn content(tx: &mut Tx, id: Uuid) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = tx
        .fetch_optional(
            Query::select()
                .column("content")
                .from("attachment")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(row.map(|(content,)| content))
}

/// The attachments of one record, newest first.
pub async fn for_owner(
    tx: &mut Tx,
    owner_type: &str,
    owner_id: Uuid,
) -> Result<Vec<AttachmentRow>> {
    tx.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from("attachment")
            .and_where(Expr::col("owner_type").eq(owner_type))
            .and_where(Expr::col("owner_id").eq(owner_id))
            .order_by("uploaded_at", Order::Desc)
            .order_by("id", Order::Desc),
    )
    .await
}

/// Every attachment id, oldest first (for re-sealing under a new key one file at a time).
pub async fn all_ids(tx: &mut Tx) -> Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = tx
        .fetch_all(
            Query::select()
                .column("id")
                .from("attachment")
                .order_by("id", Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Replaces the sealed name and file (key rotation); false if the attachment is gone.
pub async fn reseal(tx: &mut Tx, id: Uuid, filename: &str, content: &[u8]) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("attachment")
                .value("filename", filename)
                .value("content", content.to_vec())
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(touched == 1)
}

/// How many attachments are still sealed under `key_id` (name and file are always sealed
/// together, so the name tells), for refusing to retire a key still in use.
pub async fn count_sealed_under(tx: &mut Tx, key_id: &str) -> Result<i64> {
    let names: Vec<(String,)> = tx
        .fetch_all(Query::select().column("filename").from("attachment"))
        .await?;
    Ok(names
        .iter()
        .filter(|(name,)| crate::crypto::FieldCipher::key_of(name) == Some(key_id))
        .count() as i64)
}

/// Removes every attachment of one record (retention); returns how many.
pub async fn delete_for_owner(tx: &mut Tx, owner_type: &str, owner_id: Uuid) -> Result<u64> {
    tx.execute(
        Query::delete()
            .from_table("attachment")
            .and_where(Expr::col("owner_type").eq(owner_type))
            .and_where(Expr::col("owner_id").eq(owner_id)),
    )
    .await
}
