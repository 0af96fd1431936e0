//! Waybills (调拨单) and their lines: what was sent between two stations and, once the receiver
//! counted it in, what arrived and why anything did not. The goods themselves move in the
//! ledger; a waybill is the paper behind its `transfer_out`, `transfer_in` and write-offs.

use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::ledger::{AdjustmentCause, ReceivedLine, Shortfall, WaybillStatus};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaybillRow {
    pub id: Uuid,
    /// 调拨单号, e.g. `NDXD-DEMO-T0001`.
    pub number: String,
    pub campaign_id: Uuid,
    /// The county or a town.
    pub from: AreaCode,
    pub to: AreaCode,
    pub status: WaybillStatus,
    pub dispatched_on: NaiveDate,
    pub dispatch_note: String,
    pub dispatched_by: Uuid,
    pub dispatched_at: DateTime<Utc>,
    pub received_on: Option<NaiveDate>,
    pub receipt_note: String,
    pub received_by: Option<Uuid>,
    pub received_at: Option<DateTime<Utc>>,
    pub lines: Vec<WaybillLineRow>,
}

/// One item of a waybill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaybillLineRow {
    pub item: String,
    pub quantity: i64,
    /// What the goods were worth when they left, at the source's average.
    pub value: Fen,
    /// Counted in by the receiver; `None` until received.
    pub received: Option<i64>,
    /// Why fewer arrived.
    pub shortfall: Option<Shortfall>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    from_code: String,
    to_code: String,
    status: String,
    dispatched_on: String,
    dispatch_note: String,
    dispatched_by: Uuid,
    dispatched_at: DateTime<Utc>,
    received_on: Option<String>,
    receipt_note: String,
    received_by: Option<Uuid>,
    received_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 14] = [
    "id",
    "number",
    "campaign_id",
    "from_code",
    "to_code",
    "status",
    "dispatched_on",
    "dispatch_note",
    "dispatched_by",
    "dispatched_at",
    "received_on",
    "receipt_note",
    "received_by",
    "received_at",
];

#[derive(sqlx::FromRow)]
struct LineRow {
    waybill_id: Uuid,
    item_code: String,
    quantity: i64,
    value_fen: i64,
    received: Option<i64>,
    shortfall_cause: Option<String>,
    shortfall_note: String,
}

const LINE_COLUMNS: [&str; 8] = [
    "waybill_id",
    "position",
    "item_code",
    "quantity",
    "value_fen",
    "received",
    "shortfall_cause",
    "shortfall_note",
];

impl Row {
    fn into_row(self) -> Result<WaybillRow> {
        let day = |what: &str, text: &str| parsed(what, text.parse::<NaiveDate>());
        Ok(WaybillRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            from: parsed("waybill.from_code", AreaCode::parse(&self.from_code))?,
            to: parsed("waybill.to_code", AreaCode::parse(&self.to_code))?,
            status: parsed("waybill.status", WaybillStatus::parse(&self.status))?,
            dispatched_on: day("waybill.dispatched_on", &self.dispatched_on)?,
            dispatch_note: self.dispatch_note,
            dispatched_by: self.dispatched_by,
            dispatched_at: self.dispatched_at,
            received_on: self
                .received_on
                .map(|d| day("waybill.received_on", &d))
                .transpose()?,
            receipt_note: self.receipt_note,
            received_by: self.received_by,
            received_at: self.received_at,
            lines: Vec::new(),
        })
    }
}

impl LineRow {
    fn into_line(self) -> Result<WaybillLineRow> {
        let shortfall = self
            .shortfall_cause
            .map(|cause| {
                Ok::<_, crate::StoreError>(Shortfall {
                    cause: parsed(
                        "waybill_line.shortfall_cause",
                        AdjustmentCause::parse(&cause),
                    )?,
                    note: self.shortfall_note,
                })
            })
            .transpose()?;
        Ok(WaybillLineRow {
            item: self.item_code,
            quantity: self.quantity,
            value: Fen::new(self.value_fen),
            received: self.received,
            shortfall,
        })
    }
}

/// Stores a dispatched waybill with its lines.
pub async fn insert(tx: &mut Tx, w: &WaybillRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("waybill")
            .columns(COLUMNS)
            .values_panic([
                w.id.into(),
                w.number.clone().into(),
                w.campaign_id.into(),
                w.from.as_str().into(),
                w.to.as_str().into(),
                w.status.as_str().into(),
                w.dispatched_on.to_string().into(),
                w.dispatch_note.clone().into(),
                w.dispatched_by.into(),
                w.dispatched_at.into(),
                w.received_on.map(|d| d.to_string()).into(),
                w.receipt_note.clone().into(),
                w.received_by.into(),
                w.received_at.into(),
            ]),
    )
    .await?;
    let mut lines = Query::insert();
    lines.into_table("waybill_line").columns(LINE_COLUMNS);
    for (position, line) in w.lines.iter().enumerate() {
        lines.values_panic([
            w.id.into(),
            (position as i64).into(),
            line.item.clone().into(),
            line.quantity.into(),
            line.value.fen().into(),
            line.received.into(),
            line.shortfall.as_ref().map(|s| s.cause.as_str()).into(),
            line.shortfall
                .as_ref()
                .map(|s| s.note.clone())
                .unwrap_or_default()
                .into(),
        ]);
    }
    tx.execute(&lines).await?;
    Ok(())
}

/// What a waybill list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct WaybillFilter {
    /// Waybills from or to a station in this area (a town: its own station's).
    pub touching: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub status: Option<WaybillStatus>,
    /// No waybill at all (a scope that sees nothing).
    pub nothing: bool,
}

fn condition(filter: &WaybillFilter) -> Cond {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(area) = &filter.touching {
        let prefix = format!("{}%", area.prefix());
        all = all.add(
            Cond::any()
                .add(Expr::col("from_code").like(prefix.clone()))
                .add(Expr::col("to_code").like(prefix)),
        );
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(status) = filter.status {
        all = all.add(Expr::col("status").eq(status.as_str()));
    }
    all
}

fn filtered(filter: &WaybillFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("waybill").cond_where(condition(filter));
    query
}

async fn complete(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<WaybillRow>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<LineRow> = tx
        .fetch_all(
            Query::select()
                .columns(LINE_COLUMNS.into_iter().filter(|c| *c != "position"))
                .from("waybill_line")
                .and_where(Expr::col("waybill_id").is_in(ids))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out: Vec<WaybillRow> = rows.into_iter().map(Row::into_row).collect::<Result<_>>()?;
    for line in lines {
        let waybill = line.waybill_id;
        if let Some(w) = out.iter_mut().find(|w| w.id == waybill) {
            w.lines.push(line.into_line()?);
        }
    }
    Ok(out)
}

/// Waybills matching the filter, the latest first, and how many match in all.
pub async fn search(
    tx: &mut Tx,
    filter: &WaybillFilter,
    page: PageRequest,
) -> Result<(Vec<WaybillRow>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("dispatched_at", Order::Desc)
                .order_by("number", Order::Desc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((complete(tx, rows).await?, total))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<WaybillRow>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("waybill")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(complete(tx, rows).await?.into_iter().next())
}

/// Marks a dispatched waybill received with what each line counted in; true if this call did
/// (two receivers at once: the second finds it received). On PostgreSQL the row stays locked
/// until the transaction ends.
pub async fn mark_received(
    tx: &mut Tx,
    id: Uuid,
    (received_on, note): (NaiveDate, &str),
    (by, at): (Uuid, DateTime<Utc>),
    counted: &[ReceivedLine],
) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("waybill")
                .value("status", WaybillStatus::Received.as_str())
                .value("received_on", received_on.to_string())
                .value("receipt_note", note)
                .value("received_by", by)
                .value("received_at", at)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").eq(WaybillStatus::Dispatched.as_str())),
        )
        .await?;
    if touched != 1 {
        return Ok(false);
    }
    for line in counted {
        let shortfall = line.shortfall.as_ref();
        tx.execute(
            Query::update()
                .table("waybill_line")
                .value("received", line.received)
                .value("shortfall_cause", shortfall.map(|s| s.cause.as_str()))
                .value(
                    "shortfall_note",
                    shortfall.map(|s| s.note.clone()).unwrap_or_default(),
                )
                .and_where(Expr::col("waybill_id").eq(id))
                .and_where(Expr::col("item_code").eq(line.item.as_str())),
        )
        .await?;
    }
    Ok(true)
}

/// The next free number in a campaign: `<code>-T<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "waybill", campaign, &format!("{code}-T")).await
}
