//! The ledger's rows: entries and movements in chain order, each with its digest, and the head.
//!
//! The rules live in `hearth_core::ledger::Journal`; this module only stores what the journal
//! accepted. `body` (the record as JSON) is the truth; the other columns are copies for queries.
//! Appends happen under the head row's lock ([`lock_head`]): on SQLite writers already queue on
//! the database lock (`BEGIN IMMEDIATE`), on PostgreSQL the row is read `FOR UPDATE`, so two
//! posts never take the same sequence number or build on the same head.

use crate::{Backend, Result, Tx, parsed};
use hearth_core::ledger::{Head, Record};
use sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use uuid::Uuid;

/// One stored row: the record as JSON and the digest stored with it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LedgerRow {
    pub seq: i64,
    pub body: String,
    pub digest: String,
}

impl LedgerRow {
    /// The record the row holds; a body that no longer parses is [`crate::StoreError::Corrupt`].
    pub fn record(&self) -> Result<Record> {
        parsed(
            &format!("ledger record {}", self.seq),
            serde_json::from_str(&self.body),
        )
    }
}

fn head_query() -> sea_query::SelectStatement {
    let mut query = Query::select();
    query
        .columns(["seq", "digest"])
        .from("ledger_head")
        .and_where(Expr::col("id").eq(1));
    query
}

/// The head as committed (or as this transaction left it).
pub async fn head(tx: &mut Tx) -> Result<Head> {
    let (seq, digest): (i64, String) = tx.fetch_one(&head_query()).await?;
    Ok(Head { seq, digest })
}

/// The head, locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite writes are
/// serialized already).
pub async fn lock_head(tx: &mut Tx) -> Result<Head> {
    let mut query = head_query();
    if tx.backend() == Backend::Postgres {
        query.lock_exclusive();
    }
    let (seq, digest): (i64, String) = tx.fetch_one(&query).await?;
    Ok(Head { seq, digest })
}

pub async fn set_head(tx: &mut Tx, head: &Head) -> Result<()> {
    tx.execute(
        Query::update()
            .table("ledger_head")
            .value("seq", head.seq)
            .value("digest", head.digest.clone())
            .and_where(Expr::col("id").eq(1)),
    )
    .await?;
    Ok(())
}

const COLUMNS: [&str; 16] = [
    "seq",
    "record_type",
    "kind",
    "campaign_id",
    "booked_on",
    "item",
    "from_location",
    "to_location",
    "quantity",
    "amount_fen",
    "household_id",
    "source_id",
    "reverses",
    "body",
    "digest",
    "created_at",
];

/// The row's values: the query columns copied out of the record, then the record itself.
fn values(
    record: &Record,
    digest: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<[SimpleExpr; 16]> {
    let body = parsed("ledger record", serde_json::to_string(record))?;
    let (record_type, kind, header, reverses) = match record {
        Record::Entry(entry) => (
            "entry",
            entry.draft.kind.as_str(),
            &entry.draft.header,
            entry.draft.reverses,
        ),
        Record::Movement(movement) => (
            "movement",
            movement.draft.kind.as_str(),
            &movement.draft.header,
            movement.draft.reverses,
        ),
    };
    let (item, from, to, quantity, amount) = match record {
        Record::Entry(entry) => (None, None, None, None, entry.draft.amount().fen()),
        Record::Movement(movement) => {
            let m = &movement.draft;
            (
                Some(m.item.clone()),
                m.from.as_ref().map(ToString::to_string),
                m.to.as_ref().map(ToString::to_string),
                Some(m.quantity),
                m.value.fen(),
            )
        }
    };
    let uuid = |id: Option<Uuid>| -> SimpleExpr { id.into() };
    Ok([
        record.seq().into(),
        record_type.into(),
        kind.into(),
        header.campaign.into(),
        header.date.format("%Y-%m-%d").to_string().into(),
        item.into(),
        from.into(),
        to.into(),
        quantity.into(),
        amount.into(),
        uuid(header.household),
        uuid(header.source),
        reverses.into(),
        body.into(),
        digest.to_owned().into(),
        at.into(),
    ])
}

/// Appends records in chain order with their digests. The caller holds the head lock and moves
/// the head with [`set_head`] in the same transaction.
pub async fn append(tx: &mut Tx, records: &[(Record, String)]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let at = crate::now();
    let mut insert = Query::insert();
    insert.into_table("ledger_record").columns(COLUMNS);
    for (record, digest) in records {
        insert.values_panic(values(record, digest, at)?);
    }
    tx.execute(&insert).await?;
    Ok(())
}

/// The rows with `after < seq <= up_to`, in chain order.
pub async fn rows_between(tx: &mut Tx, after: i64, up_to: i64) -> Result<Vec<LedgerRow>> {
    tx.fetch_all(
        Query::select()
            .columns(["seq", "body", "digest"])
            .from("ledger_record")
            .and_where(Expr::col("seq").gt(after))
            .and_where(Expr::col("seq").lte(up_to))
            .order_by("seq", Order::Asc),
    )
    .await
}

/// Makes a read transaction see one snapshot for all its statements, so the rows and the head
/// row a verification reads agree even while others post. Call it first. SQLite read
/// transactions see one snapshot already; PostgreSQL's default takes one per statement.
pub async fn snapshot(tx: &mut Tx) -> Result<()> {
    if let Tx::Postgres(tx) = tx {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Every row, in chain order, whatever the head says (for verification).
pub async fn all_rows(tx: &mut Tx) -> Result<Vec<LedgerRow>> {
    tx.fetch_all(
        Query::select()
            .columns(["seq", "body", "digest"])
            .from("ledger_record")
            .order_by("seq", Order::Asc),
    )
    .await
}

/// The records with `after < seq <= up_to` and their stored digests, parsed.
pub async fn records_between(tx: &mut Tx, after: i64, up_to: i64) -> Result<Vec<(Record, String)>> {
    rows_between(tx, after, up_to)
        .await?
        .into_iter()
        .map(|row| Ok((row.record()?, row.digest)))
        .collect()
}
