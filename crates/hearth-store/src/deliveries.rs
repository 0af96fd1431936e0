//! Deliveries (发放/送达) of pledge lines to households, one row per handing over.
//!
//! A delivery is recorded under the pledge's row lock ([`lock_pledge`], a no-op UPDATE): on
//! SQLite writers already queue on the database lock (`BEGIN IMMEDIATE`), on PostgreSQL the
//! second writer waits for the first one's row lock and then reads the line's delivered total
//! afresh, so two deliveries at once never add up to more than was pledged.

use crate::household_papers::{proxy_values, stored_proxy};
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::delivery::{Delivered, Handed, Proxy};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRow {
    pub id: Uuid,
    /// 发放单号, e.g. `2024-NDXD-D0001`.
    pub number: String,
    pub pledge_id: Uuid,
    pub line_id: Uuid,
    pub household_id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub delivered_on: NaiveDate,
    pub handed: Handed,
    /// `None` when the head of the household received it.
    pub proxy: Option<Proxy>,
    /// 经办人.
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    pledge_id: Uuid,
    line_id: Uuid,
    household_id: Uuid,
    organization_id: Uuid,
    campaign_id: Uuid,
    village_code: String,
    town_code: String,
    delivered_on: String,
    quantity: i64,
    cash_fen: i64,
    recipient: String,
    proxy_name: String,
    proxy_relationship: Option<String>,
    handler: String,
    signed_name: String,
    note: String,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 20] = [
    "id",
    "number",
    "pledge_id",
    "line_id",
    "household_id",
    "organization_id",
    "campaign_id",
    "village_code",
    "town_code",
    "delivered_on",
    "quantity",
    "cash_fen",
    "recipient",
    "proxy_name",
    "proxy_relationship",
    "handler",
    "signed_name",
    "note",
    "recorded_by",
    "created_at",
];

/// Units or fen from the two amount columns: exactly one of them is positive.
fn handed(quantity: i64, cash_fen: i64) -> Result<Handed> {
    match (quantity, cash_fen) {
        (q, 0) if q > 0 => Ok(Handed::Items {
            quantity: parsed("delivery.quantity", u32::try_from(q))?,
        }),
        (0, f) if f > 0 => Ok(Handed::Cash {
            amount: Fen::new(f),
        }),
        _ => parsed("delivery.quantity", Err("neither a quantity nor an amount")),
    }
}

fn amounts(handed: Handed) -> (i64, i64) {
    match handed {
        Handed::Items { quantity } => (i64::from(quantity), 0),
        Handed::Cash { amount } => (0, amount.fen()),
    }
}

impl Row {
    fn into_row(self) -> Result<DeliveryRow> {
        let proxy = stored_proxy(
            "delivery",
            &self.recipient,
            self.proxy_name,
            self.proxy_relationship.as_deref(),
        )?;
        Ok(DeliveryRow {
            id: self.id,
            number: self.number,
            pledge_id: self.pledge_id,
            line_id: self.line_id,
            household_id: self.household_id,
            organization_id: self.organization_id,
            campaign_id: self.campaign_id,
            village: parsed("delivery.village_code", AreaCode::parse(&self.village_code))?,
            town: parsed("delivery.town_code", AreaCode::parse(&self.town_code))?,
            delivered_on: parsed("delivery.delivered_on", self.delivered_on.parse())?,
            handed: handed(self.quantity, self.cash_fen)?,
            proxy,
            handler: self.handler,
            signed_name: self.signed_name,
            note: self.note,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

fn values(d: &DeliveryRow) -> Vec<sea_query::SimpleExpr> {
    let (quantity, cash_fen) = amounts(d.handed);
    let [recipient, proxy_name, proxy_relationship] = proxy_values(d.proxy.as_ref());
    vec![
        d.id.into(),
        d.number.clone().into(),
        d.pledge_id.into(),
        d.line_id.into(),
        d.household_id.into(),
        d.organization_id.into(),
        d.campaign_id.into(),
        d.village.as_str().into(),
        d.town.as_str().into(),
        d.delivered_on.to_string().into(),
        quantity.into(),
        cash_fen.into(),
        recipient,
        proxy_name,
        proxy_relationship,
        d.handler.clone().into(),
        d.signed_name.clone().into(),
        d.note.clone().into(),
        d.recorded_by.into(),
        d.created_at.into(),
    ]
}

pub async fn insert(tx: &mut Tx, delivery: &DeliveryRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("delivery")
            .columns(COLUMNS)
            .values_panic(values(delivery)),
    )
    .await?;
    Ok(())
}

/// One delivery by id.
pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<DeliveryRow>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("delivery")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(Row::into_row).transpose()
}

/// What a delivery list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub organization: Option<Uuid>,
    /// Deliveries to households in this area (a village, a town, the county).
    pub within: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub pledge: Option<Uuid>,
    pub household: Option<Uuid>,
    /// No delivery at all (a scope that sees nothing).
    pub nothing: bool,
}

fn condition(filter: &DeliveryFilter) -> Cond {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(org) = filter.organization {
        all = all.add(Expr::col("organization_id").eq(org));
    }
    if let Some(area) = &filter.within {
        all = all.add(Expr::col("village_code").like(format!("{}%", area.prefix())));
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(pledge) = filter.pledge {
        all = all.add(Expr::col("pledge_id").eq(pledge));
    }
    if let Some(household) = filter.household {
        all = all.add(Expr::col("household_id").eq(household));
    }
    all
}

fn filtered(filter: &DeliveryFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("delivery").cond_where(condition(filter));
    query
}

/// Deliveries matching the filter, the latest first, and how many match in all.
pub async fn search(
    tx: &mut Tx,
    filter: &DeliveryFilter,
    page: PageRequest,
) -> Result<(Vec<DeliveryRow>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("delivered_on", Order::Desc)
                .order_by("number", Order::Desc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((
        rows.into_iter().map(Row::into_row).collect::<Result<_>>()?,
        total,
    ))
}

/// What each line of a pledge has received so far, by line id (lines without deliveries are
/// left out). Summed by the database: a pledge to a large cash fund may have thousands of
/// deliveries, and each new one asks this.
pub async fn delivered(tx: &mut Tx, pledge: Uuid) -> Result<HashMap<Uuid, Delivered>> {
    #[derive(sqlx::FromRow)]
    struct Sum {
        line_id: Uuid,
        quantity: i64,
        cash_fen: i64,
    }
    let sums: Vec<Sum> = tx
        .fetch_all(
            Query::select()
                .column("line_id")
                .expr_as(Expr::cust("CAST(SUM(quantity) AS BIGINT)"), "quantity")
                .expr_as(Expr::cust("CAST(SUM(cash_fen) AS BIGINT)"), "cash_fen")
                .from("delivery")
                .and_where(Expr::col("pledge_id").eq(pledge))
                .group_by_col("line_id"),
        )
        .await?;
    Ok(sums
        .into_iter()
        .map(|sum| {
            let delivered = Delivered {
                quantity: u32::try_from(sum.quantity).unwrap_or(u32::MAX),
                cash: Fen::new(sum.cash_fen),
            };
            (sum.line_id, delivered)
        })
        .collect())
}

/// The pledge a line belongs to, if the line exists.
pub async fn pledge_of_line(tx: &mut Tx, line: Uuid) -> Result<Option<Uuid>> {
    let row: Option<(Uuid,)> = tx
        .fetch_optional(
            Query::select()
                .column("pledge_id")
                .from("pledge_line")
                .and_where(Expr::col("id").eq(line)),
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Locks the pledge's row (a no-op UPDATE) until the transaction ends, so deliveries on its
/// lines, and its signing and cancelling, run one after the other. True if the pledge exists.
pub async fn lock_pledge(tx: &mut Tx, pledge: Uuid) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("pledge")
                .value("version", Expr::col("version"))
                .and_where(Expr::col("id").eq(pledge)),
        )
        .await?;
    Ok(touched == 1)
}

/// The next free number in a campaign: `<code>-D<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "delivery", campaign, &format!("{code}-D")).await
}
