//! Donations (捐赠): the record of who gave what, and the ledger records that book it
//! (`entry_seq`, and `movement_seq` per line of goods). Written once, never changed: a mistake
//! is corrected in the ledger by a reversal.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::donation::{Channel, Condition, DonationKind, DonorKind, VerificationCode};
use hearth_core::ledger::Designation;
use sea_query::{Cond, Expr, ExprTrait, Func, LikeExpr, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::PageRequest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonationRow {
    pub id: Uuid,
    /// 捐赠编号, e.g. `JZ-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub kind: DonationKind,
    pub donor_kind: DonorKind,
    /// The donor, when an organization of the registry.
    pub organization_id: Option<Uuid>,
    /// As on the receipt; empty for an anonymous donor.
    pub donor_name: String,
    /// The donor agreed to be named in public.
    pub public_name: bool,
    /// Cash given, or the goods' valuation.
    pub amount: Fen,
    pub channel: Option<Channel>,
    pub received_on: NaiveDate,
    pub receipt_number: Option<String>,
    pub designation: Designation,
    /// Where goods were received (the county warehouse or a town station).
    pub station: Option<AreaCode>,
    pub verification_code: VerificationCode,
    /// The ledger entry booking the gift.
    pub entry_seq: i64,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// One line of donated goods and the movement that received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonationLine {
    pub item: String,
    pub quantity: u32,
    pub unit_value: Fen,
    pub value: Fen,
    pub condition: Condition,
    pub movement_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Donation {
    pub row: DonationRow,
    pub lines: Vec<DonationLine>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    kind: String,
    donor_kind: String,
    organization_id: Option<Uuid>,
    donor_name: String,
    public_name: bool,
    amount_fen: i64,
    channel: Option<String>,
    received_on: String,
    receipt_number: Option<String>,
    designation: String,
    station_code: Option<String>,
    verification_code: String,
    entry_seq: i64,
    note: String,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 19] = [
    "id",
    "number",
    "campaign_id",
    "kind",
    "donor_kind",
    "organization_id",
    "donor_name",
    "public_name",
    "amount_fen",
    "channel",
    "received_on",
    "receipt_number",
    "designation",
    "station_code",
    "verification_code",
    "entry_seq",
    "note",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<DonationRow> {
        let channel = match self.channel {
            Some(c) => Some(parsed("donation.channel", Channel::parse(&c))?),
            None => None,
        };
        let station = match self.station_code {
            Some(code) => Some(parsed("donation.station_code", AreaCode::parse(&code))?),
            None => None,
        };
        Ok(DonationRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            kind: parsed("donation.kind", DonationKind::parse(&self.kind))?,
            donor_kind: parsed("donation.donor_kind", DonorKind::parse(&self.donor_kind))?,
            organization_id: self.organization_id,
            donor_name: self.donor_name,
            public_name: self.public_name,
            amount: Fen::new(self.amount_fen),
            channel,
            received_on: parsed("donation.received_on", self.received_on.parse())?,
            receipt_number: self.receipt_number,
            designation: parsed("donation.designation", self.designation.parse())?,
            station,
            verification_code: parsed(
                "donation.verification_code",
                VerificationCode::parse(&self.verification_code).ok_or("not a code"),
            )?,
            entry_seq: self.entry_seq,
            note: self.note,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

fn values(d: &DonationRow) -> Vec<sea_query::SimpleExpr> {
    vec![
        d.id.into(),
        d.number.clone().into(),
        d.campaign_id.into(),
        d.kind.as_str().into(),
        d.donor_kind.as_str().into(),
        d.organization_id.into(),
        d.donor_name.clone().into(),
        d.public_name.into(),
        d.amount.fen().into(),
        d.channel.map(|c| c.as_str()).into(),
        d.received_on.to_string().into(),
        d.receipt_number.clone().into(),
        d.designation.to_string().into(),
        d.station.as_ref().map(|s| s.as_str().to_owned()).into(),
        d.verification_code.as_str().into(),
        d.entry_seq.into(),
        d.note.clone().into(),
        d.recorded_by.into(),
        d.created_at.into(),
    ]
}

#[derive(sqlx::FromRow)]
struct LineRow {
    donation_id: Uuid,
    item_code: String,
    quantity: i64,
    unit_value_fen: i64,
    value_fen: i64,
    item_condition: String,
    movement_seq: i64,
}

const LINE_COLUMNS: [&str; 8] = [
    "donation_id",
    "position",
    "item_code",
    "quantity",
    "unit_value_fen",
    "value_fen",
    "item_condition",
    "movement_seq",
];

impl LineRow {
    fn into_line(self) -> Result<DonationLine> {
        Ok(DonationLine {
            item: self.item_code,
            quantity: parsed("donation_line.quantity", u32::try_from(self.quantity))?,
            unit_value: Fen::new(self.unit_value_fen),
            value: Fen::new(self.value_fen),
            condition: parsed(
                "donation_line.item_condition",
                Condition::parse(&self.item_condition),
            )?,
            movement_seq: self.movement_seq,
        })
    }
}

/// Writes a new donation and its lines.
pub async fn insert(tx: &mut Tx, donation: &Donation) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("donation")
            .columns(COLUMNS)
            .values_panic(values(&donation.row)),
    )
    .await?;
    for (position, line) in donation.lines.iter().enumerate() {
        tx.execute(
            Query::insert()
                .into_table("donation_line")
                .columns(LINE_COLUMNS)
                .values_panic([
                    donation.row.id.into(),
                    (position as i64).into(),
                    line.item.clone().into(),
                    i64::from(line.quantity).into(),
                    line.unit_value.fen().into(),
                    line.value.fen().into(),
                    line.condition.as_str().into(),
                    line.movement_seq.into(),
                ]),
        )
        .await?;
    }
    Ok(())
}

/// What a donation list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DonationFilter {
    /// Given by this organization of the registry.
    pub organization: Option<Uuid>,
    /// Received at this town's station or designated to this town.
    pub town: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    /// Only to campaigns of this area's counties (see [`crate::areas::campaign_reaches`]).
    pub campaigns_of: Option<AreaCode>,
    pub kind: Option<DonationKind>,
    /// Part of the number, the donor's name or the receipt number.
    pub text: Option<String>,
    /// No donation at all (a scope that sees nothing).
    pub nothing: bool,
}

/// A LIKE pattern for `text` anywhere; `%` and `_` typed by a user are searched for literally.
pub(crate) fn containing(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

fn filtered(filter: &DonationFilter) -> SelectStatement {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(org) = filter.organization {
        all = all.add(Expr::col("organization_id").eq(org));
    }
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
    if let Some(kind) = filter.kind {
        all = all.add(Expr::col("kind").eq(kind.as_str()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Lower-cased on both engines, so they agree on case (SQLite's LIKE ignores it).
        let pattern = || containing(&text.to_lowercase());
        all = all.add(
            Cond::any()
                .add(Func::lower(Expr::col("number")).like(pattern()))
                .add(Func::lower(Expr::col("donor_name")).like(pattern()))
                .add(Func::lower(Expr::col("receipt_number")).like(pattern())),
        );
    }
    Query::select().from("donation").cond_where(all).to_owned()
}

async fn with_lines(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<Donation>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<LineRow> = tx
        .fetch_all(
            Query::select()
                .columns(LINE_COLUMNS.into_iter().filter(|c| *c != "position"))
                .from("donation_line")
                .and_where(Expr::col("donation_id").is_in(rows.iter().map(|r| r.id)))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out: Vec<Donation> = rows
        .into_iter()
        .map(|row| {
            Ok(Donation {
                row: row.into_row()?,
                lines: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    for line in lines {
        let id = line.donation_id;
        let line = line.into_line()?;
        if let Some(d) = out.iter_mut().find(|d| d.row.id == id) {
            d.lines.push(line);
        }
    }
    Ok(out)
}

/// One page of the donations matching the filter, newest first, and the total count.
pub async fn search(
    tx: &mut Tx,
    filter: &DonationFilter,
    page: PageRequest,
) -> Result<(Vec<Donation>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("received_on", Order::Desc)
                .order_by("number", Order::Desc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((with_lines(tx, rows).await?, total))
}

async fn one(
    tx: &mut Tx,
    column: &'static str,
    value: sea_query::Value,
) -> Result<Option<Donation>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("donation")
                .and_where(Expr::col(column).eq(value)),
        )
        .await?;
    Ok(with_lines(tx, rows).await?.into_iter().next())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Donation>> {
    one(tx, "id", id.into()).await
}

/// The donation with this number (`JZ-NDXD-DEMO-0001`).
pub async fn by_number(tx: &mut Tx, number: &str) -> Result<Option<Donation>> {
    one(tx, "number", number.to_owned().into()).await
}

/// The donation whose acknowledgement carries this code.
pub async fn by_code(tx: &mut Tx, code: &VerificationCode) -> Result<Option<Donation>> {
    one(tx, "verification_code", code.as_str().into()).await
}

/// The number of the donation already recorded with this receipt number, if any.
pub async fn with_receipt(tx: &mut Tx, receipt: &str) -> Result<Option<String>> {
    let found: Option<(String,)> = tx
        .fetch_optional(
            Query::select()
                .column("number")
                .from("donation")
                .and_where(Expr::col("receipt_number").eq(receipt)),
        )
        .await?;
    Ok(found.map(|(number,)| number))
}

/// The next free number in a campaign: `JZ-<code>-<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "donation", campaign, &format!("JZ-{code}-")).await
}
