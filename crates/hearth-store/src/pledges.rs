//! Pairing pledges (结对帮扶承诺书): the letter, its households and its lines.
//!
//! No status is stored: [`Pledge::status`] derives it from the signature, the cancellation, the
//! lines done and the deadline. Signing and cancelling are conditional UPDATEs (`... WHERE
//! signed_at IS NULL AND cancelled_at IS NULL`), so two people acting at once get one success.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::need::{NeedKind, ServiceKind};
use hearth_core::pledge::{
    Delivery, Every, PledgeLine, PledgeMode, PledgeStatus, Schedule, Totals, derive_status,
    is_overdue, totals,
};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeRow {
    pub id: Uuid,
    /// 承诺书编号, e.g. `2024-NDXD-P0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub organization_id: Uuid,
    pub mode: PledgeMode,
    pub delivery: Delivery,
    pub deadline: NaiveDate,
    pub witness_town: String,
    pub witness_village: String,
    pub created_by: Uuid,
    pub signed_by: Option<Uuid>,
    pub signed_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Uuid>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeHousehold {
    pub household_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeLineRow {
    pub id: Uuid,
    /// The claimed need this line answers, if any.
    pub need_id: Option<Uuid>,
    pub line: PledgeLine,
    /// When the line was delivered (all of a service's visits done).
    pub done_at: Option<DateTime<Utc>>,
}

/// A pledge with its households and lines, in the order the letter lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pledge {
    pub row: PledgeRow,
    pub households: Vec<PledgeHousehold>,
    pub lines: Vec<PledgeLineRow>,
}

impl Pledge {
    pub fn lines_done(&self) -> usize {
        self.lines.iter().filter(|l| l.done_at.is_some()).count()
    }

    /// The status derived from the facts on `today`.
    pub fn status(&self, today: NaiveDate) -> PledgeStatus {
        derive_status(
            self.row.signed_at.is_some(),
            self.row.cancelled_at.is_some(),
            self.lines_done(),
            self.lines.len(),
            self.row.deadline,
            today,
        )
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        is_overdue(self.status(today), self.row.deadline, today)
    }

    pub fn totals(&self) -> Totals {
        totals(self.lines.iter().map(|l| &l.line))
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    organization_id: Uuid,
    mode: String,
    delivery: String,
    deadline: String,
    witness_town: String,
    witness_village: String,
    created_by: Uuid,
    signed_by: Option<Uuid>,
    signed_at: Option<DateTime<Utc>>,
    cancelled_by: Option<Uuid>,
    cancelled_at: Option<DateTime<Utc>>,
    cancel_reason: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: [&str; 18] = [
    "id",
    "number",
    "campaign_id",
    "organization_id",
    "mode",
    "delivery",
    "deadline",
    "witness_town",
    "witness_village",
    "created_by",
    "signed_by",
    "signed_at",
    "cancelled_by",
    "cancelled_at",
    "cancel_reason",
    "version",
    "created_at",
    "updated_at",
];

impl Row {
    fn into_row(self) -> Result<PledgeRow> {
        Ok(PledgeRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            organization_id: self.organization_id,
            mode: parsed("pledge.mode", PledgeMode::parse(&self.mode))?,
            delivery: parsed("pledge.delivery", Delivery::parse(&self.delivery))?,
            deadline: parsed("pledge.deadline", self.deadline.parse::<NaiveDate>())?,
            witness_town: self.witness_town,
            witness_village: self.witness_village,
            created_by: self.created_by,
            signed_by: self.signed_by,
            signed_at: self.signed_at,
            cancelled_by: self.cancelled_by,
            cancelled_at: self.cancelled_at,
            cancel_reason: self.cancel_reason,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn values(p: &PledgeRow) -> Vec<sea_query::SimpleExpr> {
    vec![
        p.id.into(),
        p.number.clone().into(),
        p.campaign_id.into(),
        p.organization_id.into(),
        p.mode.as_str().into(),
        p.delivery.as_str().into(),
        p.deadline.to_string().into(),
        p.witness_town.clone().into(),
        p.witness_village.clone().into(),
        p.created_by.into(),
        p.signed_by.into(),
        p.signed_at.into(),
        p.cancelled_by.into(),
        p.cancelled_at.into(),
        p.cancel_reason.clone().into(),
        p.version.into(),
        p.created_at.into(),
        p.updated_at.into(),
    ]
}

#[derive(sqlx::FromRow)]
struct HouseholdRow {
    pledge_id: Uuid,
    household_id: Uuid,
    village_code: String,
    town_code: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    pledge_id: Uuid,
    need_id: Option<Uuid>,
    kind: String,
    cash_fen: i64,
    item_code: Option<String>,
    quantity: i64,
    unit_value_fen: i64,
    service: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    every_n: i64,
    every_unit: Option<String>,
    visits: i64,
    done_at: Option<DateTime<Utc>>,
}

pub(crate) const LINE_COLUMNS: [&str; 16] = [
    "id",
    "pledge_id",
    "position",
    "need_id",
    "kind",
    "cash_fen",
    "item_code",
    "quantity",
    "unit_value_fen",
    "service",
    "starts_on",
    "ends_on",
    "every_n",
    "every_unit",
    "visits",
    "done_at",
];

fn date(what: &str, value: Option<String>) -> Result<NaiveDate> {
    parsed(
        what,
        value
            .ok_or_else(|| "missing".to_owned())
            .and_then(|v| v.parse::<NaiveDate>().map_err(|e| e.to_string())),
    )
}

fn count(what: &str, value: i64) -> Result<u32> {
    parsed(what, u32::try_from(value))
}

impl LineRow {
    fn into_row(self) -> Result<PledgeLineRow> {
        let line = match parsed("pledge_line.kind", NeedKind::parse(&self.kind))? {
            NeedKind::Cash => PledgeLine::Cash {
                amount: Fen::new(self.cash_fen),
            },
            NeedKind::Item => PledgeLine::Item {
                item: parsed(
                    "pledge_line.item_code",
                    self.item_code.ok_or("an item line without an item"),
                )?,
                quantity: count("pledge_line.quantity", self.quantity)?,
                unit_value: Fen::new(self.unit_value_fen),
            },
            NeedKind::Service => PledgeLine::Service {
                service: parsed(
                    "pledge_line.service",
                    ServiceKind::parse(self.service.as_deref().unwrap_or("")),
                )?,
                schedule: Schedule {
                    starts_on: date("pledge_line.starts_on", self.starts_on)?,
                    ends_on: date("pledge_line.ends_on", self.ends_on)?,
                    every: count("pledge_line.every_n", self.every_n)?,
                    unit: parsed(
                        "pledge_line.every_unit",
                        Every::parse(self.every_unit.as_deref().unwrap_or("")),
                    )?,
                    visits: count("pledge_line.visits", self.visits)?,
                },
            },
        };
        Ok(PledgeLineRow {
            id: self.id,
            need_id: self.need_id,
            line,
            done_at: self.done_at,
        })
    }
}

pub(crate) fn line_values(
    pledge: Uuid,
    position: usize,
    l: &PledgeLineRow,
) -> Vec<sea_query::SimpleExpr> {
    let none = Option::<String>::None;
    let (cash, item, quantity, unit, service, starts, ends, every, every_unit, visits) =
        match &l.line {
            PledgeLine::Cash { amount } => (
                amount.fen(),
                None,
                0,
                0,
                None,
                none.clone(),
                none.clone(),
                0,
                None,
                0,
            ),
            PledgeLine::Item {
                item,
                quantity,
                unit_value,
            } => (
                0,
                Some(item.clone()),
                *quantity,
                unit_value.fen(),
                None,
                none.clone(),
                none.clone(),
                0,
                None,
                0,
            ),
            PledgeLine::Service { service, schedule } => (
                0,
                None,
                0,
                0,
                Some(service.as_str()),
                Some(schedule.starts_on.to_string()),
                Some(schedule.ends_on.to_string()),
                schedule.every,
                Some(schedule.unit.as_str()),
                schedule.visits,
            ),
        };
    vec![
        l.id.into(),
        pledge.into(),
        (position as i64).into(),
        l.need_id.into(),
        l.line.kind().as_str().into(),
        cash.into(),
        item.into(),
        i64::from(quantity).into(),
        unit.into(),
        service.into(),
        starts.into(),
        ends.into(),
        i64::from(every).into(),
        every_unit.into(),
        i64::from(visits).into(),
        l.done_at.into(),
    ]
}

/// Writes a new pledge with its households and lines.
pub async fn insert(tx: &mut Tx, pledge: &Pledge) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("pledge")
            .columns(COLUMNS)
            .values_panic(values(&pledge.row)),
    )
    .await?;
    for (position, h) in pledge.households.iter().enumerate() {
        tx.execute(
            Query::insert()
                .into_table("pledge_household")
                .columns([
                    "pledge_id",
                    "household_id",
                    "village_code",
                    "town_code",
                    "position",
                ])
                .values_panic([
                    pledge.row.id.into(),
                    h.household_id.into(),
                    h.village.as_str().into(),
                    h.town.as_str().into(),
                    (position as i64).into(),
                ]),
        )
        .await?;
    }
    for (position, line) in pledge.lines.iter().enumerate() {
        tx.execute(
            Query::insert()
                .into_table("pledge_line")
                .columns(LINE_COLUMNS)
                .values_panic(line_values(pledge.row.id, position, line)),
        )
        .await?;
    }
    Ok(())
}

/// What a pledge list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct PledgeFilter {
    pub organization: Option<Uuid>,
    /// Pledges naming at least one household in this area (a village, a town, the county).
    pub touching: Option<AreaCode>,
    pub campaign: Option<Uuid>,
    /// No pledge at all (a scope that sees nothing).
    pub nothing: bool,
}

fn condition(filter: &PledgeFilter) -> Cond {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(org) = filter.organization {
        all = all.add(Expr::col("organization_id").eq(org));
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(area) = &filter.touching {
        all = all.add(
            Expr::col("id").in_subquery(
                Query::select()
                    .column("pledge_id")
                    .from("pledge_household")
                    .and_where(Expr::col("village_code").like(format!("{}%", area.prefix())))
                    .to_owned(),
            ),
        );
    }
    all
}

async fn complete(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<Pledge>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let households: Vec<HouseholdRow> = tx
        .fetch_all(
            Query::select()
                .columns(["pledge_id", "household_id", "village_code", "town_code"])
                .from("pledge_household")
                .and_where(Expr::col("pledge_id").is_in(ids.iter().copied()))
                .order_by("position", Order::Asc),
        )
        .await?;
    let lines: Vec<LineRow> = tx
        .fetch_all(
            Query::select()
                .columns(LINE_COLUMNS.into_iter().filter(|c| *c != "position"))
                .from("pledge_line")
                .and_where(Expr::col("pledge_id").is_in(ids.iter().copied()))
                .order_by("position", Order::Asc),
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id;
        out.push(Pledge {
            row: row.into_row()?,
            households: households
                .iter()
                .filter(|h| h.pledge_id == id)
                .map(|h| {
                    Ok(PledgeHousehold {
                        household_id: h.household_id,
                        village: parsed(
                            "pledge_household.village_code",
                            AreaCode::parse(&h.village_code),
                        )?,
                        town: parsed("pledge_household.town_code", AreaCode::parse(&h.town_code))?,
                    })
                })
                .collect::<Result<_>>()?,
            lines: Vec::new(),
        });
    }
    for line in lines {
        let pledge = line.pledge_id;
        let line = line.into_row()?;
        if let Some(p) = out.iter_mut().find(|p| p.row.id == pledge) {
            p.lines.push(line);
        }
    }
    Ok(out)
}

/// Pledges matching the filter, newest first.
pub async fn search(tx: &mut Tx, filter: &PledgeFilter) -> Result<Vec<Pledge>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("pledge")
                .cond_where(condition(filter))
                .order_by("created_at", Order::Desc)
                .order_by("number", Order::Desc),
        )
        .await?;
    complete(tx, rows).await
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Pledge>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("pledge")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(complete(tx, rows).await?.into_iter().next())
}

/// The next free number in a campaign: `<code>-P<n>`. The unique index refuses a clash.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    crate::numbers::numbered(tx, "pledge", campaign, &format!("{code}-P")).await
}

/// Locks the rows of these needs held by `organization` (a no-op UPDATE) until the transaction
/// ends, so two drafts naming the same need run one after the other and the second sees the
/// first's lines in [`needs_in_pledges`]. Returns how many rows were locked.
pub async fn lock_needs(tx: &mut Tx, organization: Uuid, needs: &[Uuid]) -> Result<u64> {
    if needs.is_empty() {
        return Ok(0);
    }
    tx.execute(
        Query::update()
            .table("need")
            .value("claimed_by", Expr::col("claimed_by"))
            .and_where(Expr::col("id").is_in(needs.iter().copied()))
            .and_where(Expr::col("claimed_by").eq(organization)),
    )
    .await
}

/// Of these needs, those already answered by a line of a pledge that is not cancelled.
pub async fn needs_in_pledges(tx: &mut Tx, needs: &[Uuid]) -> Result<Vec<Uuid>> {
    if needs.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Need {
        need_id: Uuid,
    }
    let rows: Vec<Need> = tx
        .fetch_all(
            Query::select()
                .column("need_id")
                .from("pledge_line")
                .and_where(Expr::col("need_id").is_in(needs.iter().copied()))
                .and_where(
                    Expr::col("pledge_id").in_subquery(
                        Query::select()
                            .column("id")
                            .from("pledge")
                            .and_where(Expr::col("cancelled_at").is_null())
                            .to_owned(),
                    ),
                ),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.need_id).collect())
}

/// Signs a draft: true if this call signed it (it was neither signed nor cancelled).
pub async fn sign(tx: &mut Tx, id: Uuid, user: Uuid, at: DateTime<Utc>) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("pledge")
                .value("signed_by", user)
                .value("signed_at", at)
                .value("version", Expr::col("version").add(1))
                .value("updated_at", at)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("signed_at").is_null())
                .and_where(Expr::col("cancelled_at").is_null()),
        )
        .await?;
    Ok(touched == 1)
}

/// Cancels a pledge with a reason: true if this call cancelled it (it was not cancelled).
pub async fn cancel(
    tx: &mut Tx,
    id: Uuid,
    user: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("pledge")
                .value("cancelled_by", user)
                .value("cancelled_at", at)
                .value("cancel_reason", reason)
                .value("version", Expr::col("version").add(1))
                .value("updated_at", at)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("cancelled_at").is_null()),
        )
        .await?;
    Ok(touched == 1)
}

/// Records a line as done (delivered, or all its visits made); true if it was open.
pub async fn mark_line_done(tx: &mut Tx, line: Uuid, at: DateTime<Utc>) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("pledge_line")
                .value("done_at", at)
                .and_where(Expr::col("id").eq(line))
                .and_where(Expr::col("done_at").is_null()),
        )
        .await?;
    Ok(touched == 1)
}
