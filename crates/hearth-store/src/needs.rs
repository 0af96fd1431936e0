//! Household needs per campaign and the claim sheet (认领表).
//!
//! Claiming is one conditional UPDATE (`... SET status = 'claimed', claimed_by = ? WHERE id = ?
//! AND status = 'open' AND <the organization may see it>`): on SQLite writers queue on the
//! database lock, on PostgreSQL the second UPDATE waits for the first one's row lock and then
//! re-checks `status = 'open'`, so of two organizations claiming the same need at the same
//! moment exactly one touches the row and the other touches none.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, Utc};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::household::HouseholdStatus;
use hearth_core::need::{NeedKind, NeedLine, NeedStatus, ServiceKind, Urgency};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

use crate::organizations::PageRequest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedRow {
    pub id: Uuid,
    /// 需求编号, e.g. `2024-NDXD-00012`.
    pub number: String,
    pub campaign_id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub line: NeedLine,
    pub urgency: Urgency,
    pub note: String,
    pub status: NeedStatus,
    pub return_reason: String,
    pub entered_by: Uuid,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The organization holding the need (claimed or fulfilled).
    pub claimed_by: Option<Uuid>,
    /// Its member who claimed it.
    pub claimed_by_user: Option<Uuid>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// When the follow-up visit (回访) was recorded, once visits exist.
    pub visited_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    number: String,
    campaign_id: Uuid,
    household_id: Uuid,
    village_code: String,
    town_code: String,
    kind: String,
    item_code: Option<String>,
    quantity: i64,
    cash_fen: i64,
    service: Option<String>,
    urgency: String,
    note: String,
    status: String,
    return_reason: String,
    entered_by: Uuid,
    reviewed_by: Option<Uuid>,
    reviewed_at: Option<DateTime<Utc>>,
    claimed_by: Option<Uuid>,
    claimed_by_user: Option<Uuid>,
    claimed_at: Option<DateTime<Utc>>,
    fulfilled_at: Option<DateTime<Utc>>,
    visited_at: Option<DateTime<Utc>>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: [&str; 27] = [
    "id",
    "number",
    "campaign_id",
    "household_id",
    "village_code",
    "town_code",
    "kind",
    "item_code",
    "quantity",
    "cash_fen",
    "service",
    "urgency",
    "urgency_rank",
    "note",
    "status",
    "return_reason",
    "entered_by",
    "reviewed_by",
    "reviewed_at",
    "claimed_by",
    "claimed_by_user",
    "claimed_at",
    "fulfilled_at",
    "visited_at",
    "version",
    "created_at",
    "updated_at",
];

/// The columns read back (the rank is derived from the urgency).
fn read_columns() -> impl Iterator<Item = &'static str> {
    COLUMNS.into_iter().filter(|c| *c != "urgency_rank")
}

impl Row {
    fn into_row(self) -> Result<NeedRow> {
        let kind = parsed("need.kind", NeedKind::parse(&self.kind))?;
        let quantity = parsed("need.quantity", u32::try_from(self.quantity))?;
        let line = match kind {
            NeedKind::Item => NeedLine::Item {
                item: parsed(
                    "need.item_code",
                    self.item_code.ok_or("an item need without an item"),
                )?,
                quantity,
            },
            NeedKind::Cash => NeedLine::Cash {
                amount: Fen::new(self.cash_fen),
            },
            NeedKind::Service => NeedLine::Service {
                service: parsed(
                    "need.service",
                    ServiceKind::parse(self.service.as_deref().unwrap_or("")),
                )?,
                times: quantity,
            },
        };
        Ok(NeedRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign_id,
            household_id: self.household_id,
            village: parsed("need.village_code", AreaCode::parse(&self.village_code))?,
            town: parsed("need.town_code", AreaCode::parse(&self.town_code))?,
            line,
            urgency: parsed("need.urgency", Urgency::parse(&self.urgency))?,
            note: self.note,
            status: parsed("need.status", NeedStatus::parse(&self.status))?,
            return_reason: self.return_reason,
            entered_by: self.entered_by,
            reviewed_by: self.reviewed_by,
            reviewed_at: self.reviewed_at,
            claimed_by: self.claimed_by,
            claimed_by_user: self.claimed_by_user,
            claimed_at: self.claimed_at,
            fulfilled_at: self.fulfilled_at,
            visited_at: self.visited_at,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn values(n: &NeedRow) -> Vec<sea_query::SimpleExpr> {
    let (item, quantity, cash, service) = match &n.line {
        NeedLine::Item { item, quantity } => (Some(item.clone()), *quantity, 0, None),
        NeedLine::Cash { amount } => (None, 0, amount.fen(), None),
        NeedLine::Service { service, times } => (None, *times, 0, Some(service.as_str())),
    };
    vec![
        n.id.into(),
        n.number.clone().into(),
        n.campaign_id.into(),
        n.household_id.into(),
        n.village.as_str().into(),
        n.town.as_str().into(),
        n.line.kind().as_str().into(),
        item.into(),
        i64::from(quantity).into(),
        cash.into(),
        service.into(),
        n.urgency.as_str().into(),
        i64::from(n.urgency.rank()).into(),
        n.note.clone().into(),
        n.status.as_str().into(),
        n.return_reason.clone().into(),
        n.entered_by.into(),
        n.reviewed_by.into(),
        n.reviewed_at.into(),
        n.claimed_by.into(),
        n.claimed_by_user.into(),
        n.claimed_at.into(),
        n.fulfilled_at.into(),
        n.visited_at.into(),
        n.version.into(),
        n.created_at.into(),
        n.updated_at.into(),
    ]
}

/// What a need list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub ids: Option<Vec<Uuid>>,
    /// Needs of households in this area (a village, a town, the county).
    pub within: Option<AreaCode>,
    /// Needs of households in any of these areas (an organization's service areas).
    pub within_any: Option<Vec<AreaCode>>,
    pub campaign: Option<Uuid>,
    pub statuses: Option<Vec<NeedStatus>>,
    pub kind: Option<NeedKind>,
    pub item: Option<String>,
    pub urgency: Option<Urgency>,
    pub household: Option<Uuid>,
    /// The household carries this category among its tags.
    pub category: Option<String>,
    pub claimed_by: Option<Uuid>,
    /// Only what this organization may see: an approved, consenting, not anonymised household,
    /// in a launched campaign the organization is enrolled in.
    pub shared_with: Option<Uuid>,
    /// No need at all (a scope that sees nothing).
    pub nothing: bool,
}

fn households(cond: Cond) -> Expr {
    Expr::col("household_id").in_subquery(
        Query::select()
            .column("id")
            .from("household")
            .cond_where(cond)
            .to_owned(),
    )
}

fn condition(filter: &NeedFilter) -> Cond {
    let mut all = Cond::all();
    let never = || Expr::val(1).eq(0);
    if filter.nothing {
        all = all.add(never());
    }
    if let Some(ids) = &filter.ids {
        all = all.add(if ids.is_empty() {
            never()
        } else {
            Expr::col("id").is_in(ids.iter().copied())
        });
    }
    if let Some(area) = &filter.within {
        all = all.add(Expr::col("village_code").like(format!("{}%", area.prefix())));
    }
    if let Some(areas) = &filter.within_any {
        all = all.add(if areas.is_empty() {
            Cond::all().add(never())
        } else {
            areas.iter().fold(Cond::any(), |any, area| {
                any.add(Expr::col("village_code").like(format!("{}%", area.prefix())))
            })
        });
    }
    if let Some(campaign) = filter.campaign {
        all = all.add(Expr::col("campaign_id").eq(campaign));
    }
    if let Some(statuses) = &filter.statuses {
        all = all.add(Expr::col("status").is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(kind) = filter.kind {
        all = all.add(Expr::col("kind").eq(kind.as_str()));
    }
    if let Some(item) = &filter.item {
        all = all.add(Expr::col("item_code").eq(item.as_str()));
    }
    if let Some(urgency) = filter.urgency {
        all = all.add(Expr::col("urgency").eq(urgency.as_str()));
    }
    if let Some(household) = filter.household {
        all = all.add(Expr::col("household_id").eq(household));
    }
    if let Some(category) = &filter.category {
        let pattern = format!("%\"{}\"%", category.replace(['%', '_', '"'], ""));
        all = all.add(households(
            Cond::all().add(Expr::col("categories").like(pattern)),
        ));
    }
    if let Some(org) = filter.claimed_by {
        all = all.add(Expr::col("claimed_by").eq(org));
    }
    if let Some(org) = filter.shared_with {
        all = all
            .add(households(
                Cond::all()
                    .add(Expr::col("status").eq(HouseholdStatus::Approved.as_str()))
                    .add(Expr::col("shares_with_orgs").eq(true))
                    .add(Expr::col("anonymised_at").is_null()),
            ))
            .add(
                Expr::col("campaign_id").in_subquery(
                    Query::select()
                        .column("campaign_id")
                        .from("enrolment")
                        .and_where(Expr::col("organization_id").eq(org))
                        .and_where(Expr::col("status").eq(EnrolmentStatus::Enrolled.as_str()))
                        .and_where(
                            Expr::col("campaign_id").in_subquery(
                                Query::select()
                                    .column("id")
                                    .from("campaign")
                                    .and_where(
                                        Expr::col("status").eq(CampaignStatus::Launched.as_str()),
                                    )
                                    .to_owned(),
                            ),
                        )
                        .to_owned(),
                ),
            );
    }
    all
}

fn filtered(filter: &NeedFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("need").cond_where(condition(filter));
    query
}

/// Needs matching the filter, the most urgent and oldest first, and how many match in all.
pub async fn search(
    tx: &mut Tx,
    filter: &NeedFilter,
    page: PageRequest,
) -> Result<(Vec<NeedRow>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(read_columns())
                .order_by("urgency_rank", Order::Asc)
                .order_by("created_at", Order::Asc)
                .order_by("number", Order::Asc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((
        rows.into_iter().map(Row::into_row).collect::<Result<_>>()?,
        total,
    ))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<NeedRow>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(read_columns())
                .from("need")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(Row::into_row).transpose()
}

pub async fn insert(tx: &mut Tx, need: &NeedRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("need")
            .columns(COLUMNS)
            .values_panic(values(need)),
    )
    .await?;
    Ok(())
}

/// Writes the need if it is still at `expected_version`; false if someone else saved first.
pub async fn update(tx: &mut Tx, need: &NeedRow, expected_version: i64) -> Result<bool> {
    let mut update = Query::update();
    update.table("need");
    for (column, value) in COLUMNS.iter().zip(values(need)).skip(1) {
        update.value(*column, value);
    }
    update
        .and_where(Expr::col("id").eq(need.id))
        .and_where(Expr::col("version").eq(expected_version));
    Ok(tx.execute(&update).await? == 1)
}

/// The next free number in a campaign: `<code>-<n>` with n one more than the needs it has.
/// Two writers may pick the same one at once on PostgreSQL; the unique index refuses the second.
pub async fn next_number(tx: &mut Tx, campaign: Uuid, code: &str) -> Result<String> {
    let n = crate::numbers::next(tx, "need", campaign).await?;
    Ok(format!("{code}-{n:05}"))
}

/// Who claims: the organization and its member, at a time.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub organization: Uuid,
    pub user: Uuid,
    pub at: DateTime<Utc>,
}

/// Claims the need for `claim.organization` if it is open and matches `visible` (what the
/// organization may see), in one conditional UPDATE. True if this call claimed it.
pub async fn claim(tx: &mut Tx, id: Uuid, claim: Claim, visible: &NeedFilter) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("need")
                .value("status", NeedStatus::Claimed.as_str())
                .value("claimed_by", claim.organization)
                .value("claimed_by_user", claim.user)
                .value("claimed_at", claim.at)
                .value("version", Expr::col("version").add(1))
                .value("updated_at", claim.at)
                .and_where(Expr::col("id").eq(id))
                .and_where(Expr::col("status").eq(NeedStatus::Open.as_str()))
                .cond_where(condition(visible)),
        )
        .await?;
    Ok(touched == 1)
}

/// Puts a claimed need back on the sheet, if it is claimed (by `holder`, when given). True if
/// this call released it.
pub async fn release(
    tx: &mut Tx,
    id: Uuid,
    holder: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let mut update = Query::update();
    update
        .table("need")
        .value("status", NeedStatus::Open.as_str())
        .value("claimed_by", Option::<Uuid>::None)
        .value("claimed_by_user", Option::<Uuid>::None)
        .value("claimed_at", Option::<DateTime<Utc>>::None)
        .value("version", Expr::col("version").add(1))
        .value("updated_at", at)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("status").eq(NeedStatus::Claimed.as_str()));
    if let Some(org) = holder {
        update.and_where(Expr::col("claimed_by").eq(org));
    }
    Ok(tx.execute(&update).await? == 1)
}

/// What lists show of a need's household, without opening its sealed profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdBrief {
    pub id: Uuid,
    pub head_name: String,
    pub main_category: String,
    /// A JSON array of category codes.
    pub categories: String,
    pub status: String,
    pub shares_with_orgs: bool,
}

/// The households of these needs.
pub async fn household_briefs(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<HouseholdBrief>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.fetch_all(
        Query::select()
            .columns([
                "id",
                "head_name",
                "main_category",
                "categories",
                "status",
                "shares_with_orgs",
            ])
            .from("household")
            .and_where(Expr::col("id").is_in(ids.iter().copied())),
    )
    .await
}
