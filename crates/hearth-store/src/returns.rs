//! Goods a household gave back to a station (退回), one item per paper. The goods themselves are
//! the ledger's `return` movement (`movement_seq`) at the value they were handed over at.

use crate::household_papers::{self, Narrowing};
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use sea_query::Query;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRow {
    pub id: Uuid,
    /// 退回单号, e.g. `NDXD-DEMO-R0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    /// Where the goods went back to: a town station or the county warehouse.
    pub station: AreaCode,
    pub item: String,
    pub quantity: i64,
    pub value: Fen,
    pub returned_on: NaiveDate,
    pub reason: String,
    /// 经办人: who took the goods back.
    pub handler: String,
    pub movement_seq: i64,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    household_id: Uuid,
    village_code: String,
    station_code: String,
    item_code: String,
    quantity: i64,
    value_fen: i64,
    returned_on: String,
    reason: String,
    handler: String,
    movement_seq: i64,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 15] = [
    "id",
    "number",
    "campaign_id",
    "household_id",
    "village_code",
    "station_code",
    "item_code",
    "quantity",
    "value_fen",
    "returned_on",
    "reason",
    "handler",
    "movement_seq",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<ReturnRow> {
        Ok(ReturnRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            household_id: self.household_id,
            village: parsed(
                "household_return.village_code",
                AreaCode::parse(&self.village_code),
            )?,
            station: parsed(
                "household_return.station_code",
                AreaCode::parse(&self.station_code),
            )?,
            item: self.item_code,
            quantity: self.quantity,
            value: Fen::new(self.value_fen),
            returned_on: parsed("household_return.returned_on", self.returned_on.parse())?,
            reason: self.reason,
            handler: self.handler,
            movement_seq: self.movement_seq,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

pub async fn insert(tx: &mut Tx, r: &ReturnRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("household_return")
            .columns(COLUMNS)
            .values_panic([
                r.id.into(),
                r.number.clone().into(),
                r.campaign_id.into(),
                r.household_id.into(),
                r.village.as_str().into(),
                r.station.as_str().into(),
                r.item.clone().into(),
                r.quantity.into(),
                r.value.fen().into(),
                r.returned_on.to_string().into(),
                r.reason.clone().into(),
                r.handler.clone().into(),
                r.movement_seq.into(),
                r.recorded_by.into(),
                r.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// What a list of returns asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct ReturnFilter {
    /// Households in this area (the county, a town, a village).
    pub within: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub nothing: bool,
}

/// Returns matching the filter, the latest first, and how many match in all.
pub async fn search(
    tx: &mut Tx,
    filter: &ReturnFilter,
    page: PageRequest,
) -> Result<(Vec<ReturnRow>, i64)> {
    let query = Narrowing {
        within: filter.within.as_ref(),
        campaign: filter.campaign,
        nothing: filter.nothing,
        household: None,
    }
    .select("household_return");
    let order = (COLUMNS.as_slice(), "returned_on");
    let (rows, total) = household_papers::page::<Row>(tx, query, order, page, false).await?;
    let rows = rows.into_iter().map(Row::into_row).collect::<Result<_>>()?;
    Ok((rows, total))
}

/// The next free number in a campaign: `<code>-R<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "household_return", campaign, &format!("{code}-R")).await
}
