//! The papers of a station's stock besides waybills ([`crate::waybills`]): handovers to
//! households (集中发放, the distribution roster's rows), adjustments (报损/盘盈) and stock counts
//! (盘点) with their maker and checker. Quantities on hand are never stored here: they are the
//! ledger's movements.

use crate::household_papers::{self, Narrowing, proxy_values, stored_proxy};
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::delivery::Proxy;
use hearth_core::ledger::AdjustmentCause;
use hearth_core::stock::{Direction, ReviewStatus};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

/// One handover from a town station to a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionRow {
    pub id: Uuid,
    /// 发放单号, e.g. `NDXD-DEMO-F0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    /// The household's town.
    pub town: AreaCode,
    /// The station the goods left: the household's town station, or the county warehouse.
    pub station: AreaCode,
    pub need_id: Option<Uuid>,
    pub pledge_line_id: Option<Uuid>,
    /// The pledge line's delivery this handover also is.
    pub delivery_id: Option<Uuid>,
    pub distributed_on: NaiveDate,
    /// `None` when the head of the household received it.
    pub proxy: Option<Proxy>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<HandedLine>,
}

/// One item of a handover and what it was worth leaving the station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedLine {
    pub item: String,
    pub quantity: i64,
    pub value: Fen,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    household_id: Uuid,
    village_code: String,
    town_code: String,
    station_code: Option<String>,
    need_id: Option<Uuid>,
    pledge_line_id: Option<Uuid>,
    delivery_id: Option<Uuid>,
    distributed_on: String,
    recipient: String,
    proxy_name: String,
    proxy_relationship: Option<String>,
    handler: String,
    signed_name: String,
    note: String,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 19] = [
    "id",
    "number",
    "campaign_id",
    "household_id",
    "village_code",
    "town_code",
    "station_code",
    "need_id",
    "pledge_line_id",
    "delivery_id",
    "distributed_on",
    "recipient",
    "proxy_name",
    "proxy_relationship",
    "handler",
    "signed_name",
    "note",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<DistributionRow> {
        let proxy = stored_proxy(
            "distribution",
            &self.recipient,
            self.proxy_name,
            self.proxy_relationship.as_deref(),
        )?;
        Ok(DistributionRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            household_id: self.household_id,
            village: parsed(
                "distribution.village_code",
                AreaCode::parse(&self.village_code),
            )?,
            station: parsed(
                "distribution.station_code",
                AreaCode::parse(self.station_code.as_deref().unwrap_or(&self.town_code)),
            )?,
            town: parsed("distribution.town_code", AreaCode::parse(&self.town_code))?,
            need_id: self.need_id,
            pledge_line_id: self.pledge_line_id,
            delivery_id: self.delivery_id,
            distributed_on: parsed("distribution.distributed_on", self.distributed_on.parse())?,
            proxy,
            handler: self.handler,
            signed_name: self.signed_name,
            note: self.note,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
            lines: Vec::new(),
        })
    }
}

fn values(d: &DistributionRow) -> Vec<sea_query::SimpleExpr> {
    let [recipient, proxy_name, proxy_relationship] = proxy_values(d.proxy.as_ref());
    vec![
        d.id.into(),
        d.number.clone().into(),
        d.campaign_id.into(),
        d.household_id.into(),
        d.village.as_str().into(),
        d.town.as_str().into(),
        d.station.as_str().into(),
        d.need_id.into(),
        d.pledge_line_id.into(),
        d.delivery_id.into(),
        d.distributed_on.to_string().into(),
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

/// Stores a handover with its lines.
pub async fn insert_distribution(tx: &mut Tx, d: &DistributionRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("distribution")
            .columns(COLUMNS)
            .values_panic(values(d)),
    )
    .await?;
    let mut lines = Query::insert();
    lines.into_table("distribution_line").columns([
        "distribution_id",
        "position",
        "item_code",
        "quantity",
        "value_fen",
    ]);
    for (position, line) in d.lines.iter().enumerate() {
        lines.values_panic([
            d.id.into(),
            (position as i64).into(),
            line.item.clone().into(),
            line.quantity.into(),
            line.value.fen().into(),
        ]);
    }
    tx.execute(&lines).await?;
    Ok(())
}

/// What a handover list or roster asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DistributionFilter {
    /// Handovers to households in this area (the county, a town, a village).
    pub within: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub household: Option<Uuid>,
    /// Handed over on or after this day.
    pub from: Option<NaiveDate>,
    /// Handed over on or before this day.
    pub to: Option<NaiveDate>,
    /// Nothing at all (a scope that sees nothing).
    pub nothing: bool,
}

fn filtered(filter: &DistributionFilter) -> SelectStatement {
    let narrowing = Narrowing {
        within: filter.within.as_ref(),
        campaign: filter.campaign,
        household: filter.household,
        nothing: filter.nothing,
    };
    let mut all = narrowing.condition();
    // ISO dates compare as text in both engines.
    if let Some(from) = filter.from {
        all = all.add(Expr::col("distributed_on").gte(from.to_string()));
    }
    if let Some(to) = filter.to {
        all = all.add(Expr::col("distributed_on").lte(to.to_string()));
    }
    let mut query = Query::select();
    query.from("distribution").cond_where(all);
    query
}

async fn with_lines(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<DistributionRow>> {
    #[derive(sqlx::FromRow)]
    struct Line {
        distribution_id: Uuid,
        item_code: String,
        quantity: i64,
        value_fen: i64,
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<Line> = tx
        .fetch_all(
            Query::select()
                .columns(["distribution_id", "item_code", "quantity", "value_fen"])
                .from("distribution_line")
                .and_where(Expr::col("distribution_id").is_in(ids))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out: Vec<DistributionRow> =
        rows.into_iter().map(Row::into_row).collect::<Result<_>>()?;
    for line in lines {
        if let Some(d) = out.iter_mut().find(|d| d.id == line.distribution_id) {
            d.lines.push(HandedLine {
                item: line.item_code,
                quantity: line.quantity,
                value: Fen::new(line.value_fen),
            });
        }
    }
    Ok(out)
}

/// Handovers matching the filter in roster order (day, then number), newest day first when
/// `latest_first`, and how many match in all.
pub async fn distributions(
    tx: &mut Tx,
    filter: &DistributionFilter,
    page: PageRequest,
    latest_first: bool,
) -> Result<(Vec<DistributionRow>, i64)> {
    let order = (COLUMNS.as_slice(), "distributed_on");
    let (rows, total) =
        household_papers::page::<Row>(tx, filtered(filter), order, page, !latest_first).await?;
    Ok((with_lines(tx, rows).await?, total))
}

/// One handover by id.
pub async fn distribution(tx: &mut Tx, id: Uuid) -> Result<Option<DistributionRow>> {
    let rows: Vec<Row> = household_papers::by_id(tx, "distribution", &COLUMNS, id).await?;
    Ok(with_lines(tx, rows).await?.into_iter().next())
}

/// The next free number in a campaign: `<code>-F<n>`. The unique index refuses a clash.
pub async fn next_distribution_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    next_number(tx, "distribution", campaign, code, 'F').await
}

async fn next_number(
    tx: &mut Tx,
    table: &str,
    campaign: Uuid,
    code: &str,
    letter: char,
) -> Result<String> {
    crate::numbers::numbered(tx, table, campaign, &format!("{code}-{letter}")).await
}

/// Who recorded a paper, who checked it, and what they decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub status: ReviewStatus,
    pub made_by: Uuid,
    pub made_at: DateTime<Utc>,
    pub checked_by: Option<Uuid>,
    pub checked_at: Option<DateTime<Utc>>,
    pub reject_reason: String,
}

impl Review {
    /// A paper just recorded by `maker`.
    pub fn pending(maker: Uuid, at: DateTime<Utc>) -> Review {
        Review {
            status: ReviewStatus::Pending,
            made_by: maker,
            made_at: at,
            checked_by: None,
            checked_at: None,
            reject_reason: String::new(),
        }
    }
}

/// A write-off (报损) or goods found (盘盈) at one station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentRow {
    pub id: Uuid,
    /// 调整单号, e.g. `NDXD-DEMO-A0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub station: AreaCode,
    pub item: String,
    pub direction: Direction,
    pub quantity: i64,
    pub cause: AdjustmentCause,
    pub note: String,
    pub made_on: NaiveDate,
    pub review: Review,
    /// What the goods were worth in the books; zero until approved.
    pub value: Fen,
}

#[derive(sqlx::FromRow)]
struct AdjustmentDb {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    station_code: String,
    item_code: String,
    direction: String,
    quantity: i64,
    cause: String,
    note: String,
    made_on: String,
    status: String,
    made_by: Uuid,
    made_at: DateTime<Utc>,
    checked_by: Option<Uuid>,
    checked_at: Option<DateTime<Utc>>,
    reject_reason: String,
    value_fen: i64,
}

const ADJUSTMENT_COLUMNS: [&str; 17] = [
    "id",
    "number",
    "campaign_id",
    "station_code",
    "item_code",
    "direction",
    "quantity",
    "cause",
    "note",
    "made_on",
    "status",
    "made_by",
    "made_at",
    "checked_by",
    "checked_at",
    "reject_reason",
    "value_fen",
];

impl AdjustmentDb {
    fn into_row(self) -> Result<AdjustmentRow> {
        Ok(AdjustmentRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            station: parsed(
                "stock_adjustment.station",
                AreaCode::parse(&self.station_code),
            )?,
            item: self.item_code,
            direction: parsed(
                "stock_adjustment.direction",
                Direction::parse(&self.direction),
            )?,
            quantity: self.quantity,
            cause: parsed(
                "stock_adjustment.cause",
                AdjustmentCause::parse(&self.cause),
            )?,
            note: self.note,
            made_on: parsed("stock_adjustment.made_on", self.made_on.parse())?,
            review: Review {
                status: parsed("stock_adjustment.status", ReviewStatus::parse(&self.status))?,
                made_by: self.made_by,
                made_at: self.made_at,
                checked_by: self.checked_by,
                checked_at: self.checked_at,
                reject_reason: self.reject_reason,
            },
            value: Fen::new(self.value_fen),
        })
    }
}

pub async fn insert_adjustment(tx: &mut Tx, a: &AdjustmentRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("stock_adjustment")
            .columns(ADJUSTMENT_COLUMNS)
            .values_panic([
                a.id.into(),
                a.number.clone().into(),
                a.campaign_id.into(),
                a.station.as_str().into(),
                a.item.clone().into(),
                a.direction.as_str().into(),
                a.quantity.into(),
                a.cause.as_str().into(),
                a.note.clone().into(),
                a.made_on.to_string().into(),
                a.review.status.as_str().into(),
                a.review.made_by.into(),
                a.review.made_at.into(),
                a.review.checked_by.into(),
                a.review.checked_at.into(),
                a.review.reject_reason.clone().into(),
                a.value.fen().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// What a list of adjustments or counts asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct PaperFilter {
    /// Papers of stations in this area (a town: its own station's).
    pub within: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub status: Option<ReviewStatus>,
    pub nothing: bool,
}

fn paper_condition(filter: &PaperFilter) -> Cond {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(area) = &filter.within {
        all = all.add(Expr::col("station_code").like(format!("{}%", area.prefix())));
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(status) = filter.status {
        all = all.add(Expr::col("status").eq(status.as_str()));
    }
    all
}

/// Adjustments matching the filter, the latest first.
pub async fn adjustments(tx: &mut Tx, filter: &PaperFilter) -> Result<Vec<AdjustmentRow>> {
    let rows: Vec<AdjustmentDb> = tx
        .fetch_all(
            Query::select()
                .columns(ADJUSTMENT_COLUMNS)
                .from("stock_adjustment")
                .cond_where(paper_condition(filter))
                .order_by("made_at", Order::Desc)
                .order_by("number", Order::Desc),
        )
        .await?;
    rows.into_iter().map(AdjustmentDb::into_row).collect()
}

pub async fn adjustment(tx: &mut Tx, id: Uuid) -> Result<Option<AdjustmentRow>> {
    let row: Option<AdjustmentDb> = tx
        .fetch_optional(
            Query::select()
                .columns(ADJUSTMENT_COLUMNS)
                .from("stock_adjustment")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(AdjustmentDb::into_row).transpose()
}

pub async fn next_adjustment_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    next_number(tx, "stock_adjustment", campaign, code, 'A').await
}

/// Records the checker's decision on a pending paper of `table`; true if it was still pending
/// (two checkers at once: the second finds it decided).
async fn decide(
    tx: &mut Tx,
    table: &str,
    id: Uuid,
    review: &Review,
    value: Option<Fen>,
) -> Result<bool> {
    let mut update = Query::update();
    update
        .table(table.to_owned())
        .value("status", review.status.as_str())
        .value("checked_by", review.checked_by)
        .value("checked_at", review.checked_at)
        .value("reject_reason", review.reject_reason.clone())
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(ReviewStatus::Pending.as_str()));
    if let Some(value) = value {
        update.value("value_fen", value.fen());
    }
    Ok(tx.execute(&update).await? == 1)
}

/// The checker's decision on a pending adjustment and the value posted; true if it was pending.
pub async fn decide_adjustment(tx: &mut Tx, id: Uuid, review: &Review, value: Fen) -> Result<bool> {
    decide(tx, "stock_adjustment", id, review, Some(value)).await
}

/// A stock count (盘点) at one station: per item the book quantity it was taken against and
/// the quantity found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub id: Uuid,
    /// 盘点单号, e.g. `NDXD-DEMO-C0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub station: AreaCode,
    pub counted_on: NaiveDate,
    pub note: String,
    pub review: Review,
    pub lines: Vec<CountLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountLine {
    pub item: String,
    /// On hand in the books when counted.
    pub book: i64,
    pub counted: i64,
}

#[derive(sqlx::FromRow)]
struct CountDb {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    station_code: String,
    counted_on: String,
    note: String,
    status: String,
    made_by: Uuid,
    made_at: DateTime<Utc>,
    checked_by: Option<Uuid>,
    checked_at: Option<DateTime<Utc>>,
    reject_reason: String,
}

const COUNT_COLUMNS: [&str; 12] = [
    "id",
    "number",
    "campaign_id",
    "station_code",
    "counted_on",
    "note",
    "status",
    "made_by",
    "made_at",
    "checked_by",
    "checked_at",
    "reject_reason",
];

impl CountDb {
    fn into_row(self) -> Result<CountRow> {
        Ok(CountRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            station: parsed("stock_count.station", AreaCode::parse(&self.station_code))?,
            counted_on: parsed("stock_count.counted_on", self.counted_on.parse())?,
            note: self.note,
            review: Review {
                status: parsed("stock_count.status", ReviewStatus::parse(&self.status))?,
                made_by: self.made_by,
                made_at: self.made_at,
                checked_by: self.checked_by,
                checked_at: self.checked_at,
                reject_reason: self.reject_reason,
            },
            lines: Vec::new(),
        })
    }
}

pub async fn insert_count(tx: &mut Tx, c: &CountRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("stock_count")
            .columns(COUNT_COLUMNS)
            .values_panic([
                c.id.into(),
                c.number.clone().into(),
                c.campaign_id.into(),
                c.station.as_str().into(),
                c.counted_on.to_string().into(),
                c.note.clone().into(),
                c.review.status.as_str().into(),
                c.review.made_by.into(),
                c.review.made_at.into(),
                c.review.checked_by.into(),
                c.review.checked_at.into(),
                c.review.reject_reason.clone().into(),
            ]),
    )
    .await?;
    let mut lines = Query::insert();
    lines.into_table("stock_count_line").columns([
        "count_id",
        "position",
        "item_code",
        "book_quantity",
        "counted",
    ]);
    for (position, line) in c.lines.iter().enumerate() {
        lines.values_panic([
            c.id.into(),
            (position as i64).into(),
            line.item.clone().into(),
            line.book.into(),
            line.counted.into(),
        ]);
    }
    tx.execute(&lines).await?;
    Ok(())
}

async fn count_lines(tx: &mut Tx, rows: Vec<CountDb>) -> Result<Vec<CountRow>> {
    #[derive(sqlx::FromRow)]
    struct Line {
        count_id: Uuid,
        item_code: String,
        book_quantity: i64,
        counted: i64,
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<Line> = tx
        .fetch_all(
            Query::select()
                .columns(["count_id", "item_code", "book_quantity", "counted"])
                .from("stock_count_line")
                .and_where(Expr::col("count_id").is_in(ids))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out: Vec<CountRow> = rows
        .into_iter()
        .map(CountDb::into_row)
        .collect::<Result<_>>()?;
    for line in lines {
        if let Some(c) = out.iter_mut().find(|c| c.id == line.count_id) {
            c.lines.push(CountLine {
                item: line.item_code,
                book: line.book_quantity,
                counted: line.counted,
            });
        }
    }
    Ok(out)
}

/// Counts matching the filter, the latest first.
pub async fn counts(tx: &mut Tx, filter: &PaperFilter) -> Result<Vec<CountRow>> {
    let rows: Vec<CountDb> = tx
        .fetch_all(
            Query::select()
                .columns(COUNT_COLUMNS)
                .from("stock_count")
                .cond_where(paper_condition(filter))
                .order_by("made_at", Order::Desc)
                .order_by("number", Order::Desc),
        )
        .await?;
    count_lines(tx, rows).await
}

pub async fn count(tx: &mut Tx, id: Uuid) -> Result<Option<CountRow>> {
    let rows: Vec<CountDb> = tx
        .fetch_all(
            Query::select()
                .columns(COUNT_COLUMNS)
                .from("stock_count")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(count_lines(tx, rows).await?.into_iter().next())
}

pub async fn next_count_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    next_number(tx, "stock_count", campaign, code, 'C').await
}

/// The checker's decision on a pending count; true if it was pending.
pub async fn decide_count(tx: &mut Tx, id: Uuid, review: &Review) -> Result<bool> {
    decide(tx, "stock_count", id, review, None).await
}
