//! Cash aid (现金发放): campaign money handed to one household, as the paper records it. The
//! money itself is the ledger's `cash_aid` entry (`entry_seq`); this row keeps who received,
//! who handed it over and what it answered.

use crate::household_papers::{self, Narrowing, proxy_values, stored_proxy};
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::delivery::Proxy;
use hearth_core::ledger::Designation;
use sea_query::{Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashAidRow {
    pub id: Uuid,
    /// 现金发放单号, e.g. `NDXD-DEMO-C0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    /// Whose funds paid.
    pub designation: Designation,
    pub amount: Fen,
    pub need_id: Option<Uuid>,
    pub pledge_line_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub given_on: NaiveDate,
    /// `None` when the head of the household received it.
    pub proxy: Option<Proxy>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    pub entry_seq: i64,
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
    town_code: String,
    designation: String,
    amount_fen: i64,
    need_id: Option<Uuid>,
    pledge_line_id: Option<Uuid>,
    delivery_id: Option<Uuid>,
    given_on: String,
    recipient: String,
    proxy_name: String,
    proxy_relationship: Option<String>,
    handler: String,
    signed_name: String,
    note: String,
    entry_seq: i64,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 21] = [
    "id",
    "number",
    "campaign_id",
    "household_id",
    "village_code",
    "town_code",
    "designation",
    "amount_fen",
    "need_id",
    "pledge_line_id",
    "delivery_id",
    "given_on",
    "recipient",
    "proxy_name",
    "proxy_relationship",
    "handler",
    "signed_name",
    "note",
    "entry_seq",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<CashAidRow> {
        let area = |what: &str, code: &str| parsed(what, AreaCode::parse(code));
        Ok(CashAidRow {
            proxy: stored_proxy(
                "cash_aid",
                &self.recipient,
                self.proxy_name,
                self.proxy_relationship.as_deref(),
            )?,
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            household_id: self.household_id,
            village: area("cash_aid.village_code", &self.village_code)?,
            town: area("cash_aid.town_code", &self.town_code)?,
            designation: parsed("cash_aid.designation", self.designation.parse())?,
            amount: Fen::new(self.amount_fen),
            need_id: self.need_id,
            pledge_line_id: self.pledge_line_id,
            delivery_id: self.delivery_id,
            given_on: parsed("cash_aid.given_on", self.given_on.parse())?,
            handler: self.handler,
            signed_name: self.signed_name,
            note: self.note,
            entry_seq: self.entry_seq,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

/// Stores a cash aid paper.
pub async fn insert(tx: &mut Tx, c: &CashAidRow) -> Result<()> {
    let [recipient, proxy_name, proxy_relationship] = proxy_values(c.proxy.as_ref());
    tx.execute(
        Query::insert()
            .into_table("cash_aid")
            .columns(COLUMNS)
            .values_panic([
                c.id.into(),
                c.number.clone().into(),
                c.campaign_id.into(),
                c.household_id.into(),
                c.village.as_str().into(),
                c.town.as_str().into(),
                c.designation.to_string().into(),
                c.amount.fen().into(),
                c.need_id.into(),
                c.pledge_line_id.into(),
                c.delivery_id.into(),
                c.given_on.to_string().into(),
                recipient,
                proxy_name,
                proxy_relationship,
                c.handler.clone().into(),
                c.signed_name.clone().into(),
                c.note.clone().into(),
                c.entry_seq.into(),
                c.recorded_by.into(),
                c.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// What a cash aid list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct CashAidFilter {
    /// Households in this area (the county, a town, a village).
    pub within: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    pub household: Option<Uuid>,
    /// Nothing at all (a scope that sees nothing).
    pub nothing: bool,
}

impl CashAidFilter {
    fn select(&self) -> SelectStatement {
        Narrowing {
            within: self.within.as_ref(),
            campaign: self.campaign,
            household: self.household,
            nothing: self.nothing,
        }
        .select("cash_aid")
    }
}

/// Cash aid matching the filter, the latest day first, and how many match in all.
pub async fn search(
    tx: &mut Tx,
    filter: &CashAidFilter,
    page: PageRequest,
) -> Result<(Vec<CashAidRow>, i64)> {
    let order = (COLUMNS.as_slice(), "given_on");
    let (rows, total) =
        household_papers::page::<Row>(tx, filter.select(), order, page, false).await?;
    let rows = rows.into_iter().map(Row::into_row).collect::<Result<_>>()?;
    Ok((rows, total))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<CashAidRow>> {
    let rows: Vec<Row> = household_papers::by_id(tx, "cash_aid", &COLUMNS, id).await?;
    rows.into_iter().next().map(Row::into_row).transpose()
}

/// The next free number in a campaign: `<code>-C<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "cash_aid", campaign, &format!("{code}-C")).await
}
