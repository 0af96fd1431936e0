//! Purchases (采购) paid from campaign funds: the supplier's invoice, the station that received
//! the goods, whose funds paid, and the ledger records that book it (`entry_seq`, and
//! `movement_seq` per line). Written once, never changed.

use crate::donations::containing;
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::ledger::Designation;
use hearth_core::purchase::PurchaseLine;
use sea_query::{Cond, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRow {
    pub id: Uuid,
    /// 采购编号, e.g. `CG-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub supplier: String,
    pub invoice_number: String,
    pub purchased_on: NaiveDate,
    /// The county warehouse or the town station that received the goods.
    pub station: AreaCode,
    /// Whose funds paid.
    pub designation: Designation,
    pub amount: Fen,
    /// The ledger's `purchase` entry.
    pub entry_seq: i64,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// One line bought and the movement that received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchasedLine {
    pub line: PurchaseLine,
    pub movement_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Purchase {
    pub row: PurchaseRow,
    pub lines: Vec<PurchasedLine>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    supplier: String,
    invoice_number: String,
    purchased_on: String,
    station_code: String,
    designation: String,
    amount_fen: i64,
    entry_seq: i64,
    note: String,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 13] = [
    "id",
    "number",
    "campaign_id",
    "supplier",
    "invoice_number",
    "purchased_on",
    "station_code",
    "designation",
    "amount_fen",
    "entry_seq",
    "note",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<PurchaseRow> {
        Ok(PurchaseRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            supplier: self.supplier,
            invoice_number: self.invoice_number,
            purchased_on: parsed("purchase.purchased_on", self.purchased_on.parse())?,
            station: parsed("purchase.station_code", AreaCode::parse(&self.station_code))?,
            designation: parsed("purchase.designation", self.designation.parse())?,
            amount: Fen::new(self.amount_fen),
            entry_seq: self.entry_seq,
            note: self.note,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

fn values(p: &PurchaseRow) -> Vec<sea_query::SimpleExpr> {
    vec![
        p.id.into(),
        p.number.clone().into(),
        p.campaign_id.into(),
        p.supplier.clone().into(),
        p.invoice_number.clone().into(),
        p.purchased_on.to_string().into(),
        p.station.as_str().into(),
        p.designation.to_string().into(),
        p.amount.fen().into(),
        p.entry_seq.into(),
        p.note.clone().into(),
        p.recorded_by.into(),
        p.created_at.into(),
    ]
}

#[derive(sqlx::FromRow)]
struct LineRow {
    purchase_id: Uuid,
    item_code: String,
    quantity: i64,
    unit_price_fen: i64,
    movement_seq: i64,
}

const LINE_COLUMNS: [&str; 7] = [
    "purchase_id",
    "position",
    "item_code",
    "quantity",
    "unit_price_fen",
    "value_fen",
    "movement_seq",
];

/// Writes a new purchase and its lines.
pub async fn insert(tx: &mut Tx, purchase: &Purchase) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("purchase")
            .columns(COLUMNS)
            .values_panic(values(&purchase.row)),
    )
    .await?;
    for (position, bought) in purchase.lines.iter().enumerate() {
        let line = &bought.line;
        tx.execute(
            Query::insert()
                .into_table("purchase_line")
                .columns(LINE_COLUMNS)
                .values_panic([
                    purchase.row.id.into(),
                    (position as i64).into(),
                    line.item.clone().into(),
                    i64::from(line.quantity).into(),
                    line.unit_price.fen().into(),
                    line.value().fen().into(),
                    bought.movement_seq.into(),
                ]),
        )
        .await?;
    }
    Ok(())
}

/// What a purchase list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    /// Received at this town's station or paid from this town's designated funds.
    pub town: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    /// Only to campaigns of this area's counties (see [`crate::areas::campaign_reaches`]).
    pub campaigns_of: Option<AreaCode>,
    /// Part of the number, the supplier or the invoice number.
    pub text: Option<String>,
}

fn filtered(filter: &PurchaseFilter) -> SelectStatement {
    let mut all = Cond::all();
    if let Some(town) = &filter.town {
        all = all.add(
            Cond::any()
                .add(Expr::col("station_code").eq(town.as_str()))
                .add(Expr::col("designation").eq(Designation::Town(town.clone()).to_string())),
        );
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(area) = &filter.campaigns_of {
        all = all.add(crate::areas::campaign_reaches("campaign_id", area));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = || containing(&text.to_lowercase());
        all = all.add(
            Cond::any()
                .add(Func::lower(Expr::col("number")).like(pattern()))
                .add(Func::lower(Expr::col("supplier")).like(pattern()))
                .add(Func::lower(Expr::col("invoice_number")).like(pattern())),
        );
    }
    Query::select().from("purchase").cond_where(all).to_owned()
}

async fn with_lines(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<Purchase>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<LineRow> = tx
        .fetch_all(
            Query::select()
                .columns([
                    "purchase_id",
                    "item_code",
                    "quantity",
                    "unit_price_fen",
                    "movement_seq",
                ])
                .from("purchase_line")
                .and_where(Expr::col("purchase_id").is_in(rows.iter().map(|r| r.id)))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out: Vec<Purchase> = rows
        .into_iter()
        .map(|row| {
            Ok(Purchase {
                row: row.into_row()?,
                lines: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    for line in lines {
        let bought = PurchasedLine {
            line: PurchaseLine {
                item: line.item_code,
                quantity: parsed("purchase_line.quantity", u32::try_from(line.quantity))?,
                unit_price: Fen::new(line.unit_price_fen),
            },
            movement_seq: line.movement_seq,
        };
        if let Some(p) = out.iter_mut().find(|p| p.row.id == line.purchase_id) {
            p.lines.push(bought);
        }
    }
    Ok(out)
}

/// One page of the purchases matching the filter, newest first, and the total count.
pub async fn search(
    tx: &mut Tx,
    filter: &PurchaseFilter,
    page: PageRequest,
) -> Result<(Vec<Purchase>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("purchased_on", Order::Desc)
                .order_by("number", Order::Desc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    with_lines(tx, rows).await.map(|list| (list, total))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Purchase>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("purchase")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(with_lines(tx, rows).await?.into_iter().next())
}

/// The number of the purchase already recorded with this supplier's invoice, if any.
pub async fn with_invoice(tx: &mut Tx, supplier: &str, invoice: &str) -> Result<Option<String>> {
    let found: Option<(String,)> = tx
        .fetch_optional(
            Query::select()
                .column("number")
                .from("purchase")
                .and_where(Expr::col("supplier").eq(supplier))
                .and_where(Expr::col("invoice_number").eq(invoice)),
        )
        .await?;
    Ok(found.map(|(number,)| number))
}

/// The next free number in a campaign: `CG-<code>-<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "purchase", campaign, &format!("CG-{code}-")).await
}
