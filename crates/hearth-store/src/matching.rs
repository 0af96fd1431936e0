//! What accepting a matching proposal writes besides claims: the acceptance (who, when, and the
//! digest of the needs and supplies it was made from), the transfer plans for goods held at
//! stations, and the pledge lines tied to the needs they now answer.

use crate::pledges::{LINE_COLUMNS, PledgeLineRow, line_values};
use crate::{Result, Tx, parsed};
use chrono::{DateTime, Utc};
use hearth_core::area::AreaCode;
use hearth_core::need::NeedStatus;
use hearth_core::pledge::PledgeLine;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub digest: String,
    pub claims: i64,
    pub transfers: i64,
    pub accepted_by: Uuid,
    pub accepted_at: DateTime<Utc>,
}

/// Goods of a station planned for a need: `from` holds them; `to` is the household's town
/// station (the same as `from` when a town station hands out its own goods).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferPlan {
    pub id: Uuid,
    pub acceptance_id: Uuid,
    pub campaign_id: Uuid,
    pub need_id: Uuid,
    pub household_id: Uuid,
    pub from: AreaCode,
    pub to: AreaCode,
    pub item: String,
    pub quantity: i64,
}

pub async fn insert_acceptance(tx: &mut Tx, a: &Acceptance) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("matching_acceptance")
            .columns([
                "id",
                "campaign_id",
                "digest",
                "claims",
                "transfers",
                "accepted_by",
                "accepted_at",
            ])
            .values_panic([
                a.id.into(),
                a.campaign_id.into(),
                a.digest.clone().into(),
                a.claims.into(),
                a.transfers.into(),
                a.accepted_by.into(),
                a.accepted_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn insert_transfer(tx: &mut Tx, t: &TransferPlan) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("matching_transfer")
            .columns(TRANSFER_COLUMNS)
            .values_panic([
                t.id.into(),
                t.acceptance_id.into(),
                t.campaign_id.into(),
                t.need_id.into(),
                t.household_id.into(),
                t.from.as_str().into(),
                t.to.as_str().into(),
                t.item.clone().into(),
                t.quantity.into(),
            ]),
    )
    .await?;
    Ok(())
}

const TRANSFER_COLUMNS: [&str; 9] = [
    "id",
    "acceptance_id",
    "campaign_id",
    "need_id",
    "household_id",
    "from_code",
    "to_code",
    "item_code",
    "quantity",
];

#[derive(sqlx::FromRow)]
struct TransferRow {
    id: Uuid,
    acceptance_id: Uuid,
    campaign_id: Uuid,
    need_id: Uuid,
    household_id: Uuid,
    from_code: String,
    to_code: String,
    item_code: String,
    quantity: i64,
}

/// The campaign's transfer plans whose need still waits (open or claimed: not yet handed over
/// or cancelled):
/// the goods they hold back, in plan order.
pub async fn open_transfers(tx: &mut Tx, campaign: Uuid) -> Result<Vec<TransferPlan>> {
    let rows: Vec<TransferRow> = tx
        .fetch_all(
            Query::select()
                .columns(TRANSFER_COLUMNS)
                .from("matching_transfer")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(
                    Expr::col("need_id").in_subquery(
                        Query::select()
                            .column("id")
                            .from("need")
                            .and_where(
                                Expr::col("status").is_in([
                                    NeedStatus::Open.as_str(),
                                    NeedStatus::Claimed.as_str(),
                                ]),
                            )
                            .to_owned(),
                    ),
                )
                .order_by("from_code", Order::Asc)
                .order_by("to_code", Order::Asc)
                .order_by("item_code", Order::Asc)
                .order_by("id", Order::Asc),
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TransferPlan {
                id: r.id,
                acceptance_id: r.acceptance_id,
                campaign_id: r.campaign_id,
                need_id: r.need_id,
                household_id: r.household_id,
                from: parsed("matching_transfer.from_code", AreaCode::parse(&r.from_code))?,
                to: parsed("matching_transfer.to_code", AreaCode::parse(&r.to_code))?,
                item: r.item_code,
                quantity: r.quantity,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct AcceptanceRow {
    id: Uuid,
    campaign_id: Uuid,
    digest: String,
    claims: i64,
    transfers: i64,
    accepted_by: Uuid,
    accepted_at: DateTime<Utc>,
}

/// The campaign's acceptances, newest first.
pub async fn acceptances(tx: &mut Tx, campaign: Uuid) -> Result<Vec<Acceptance>> {
    let rows: Vec<AcceptanceRow> = tx
        .fetch_all(
            Query::select()
                .columns([
                    "id",
                    "campaign_id",
                    "digest",
                    "claims",
                    "transfers",
                    "accepted_by",
                    "accepted_at",
                ])
                .from("matching_acceptance")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .order_by("accepted_at", Order::Desc),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Acceptance {
            id: r.id,
            campaign_id: r.campaign_id,
            digest: r.digest,
            claims: r.claims,
            transfers: r.transfers,
            accepted_by: r.accepted_by,
            accepted_at: r.accepted_at,
        })
        .collect())
}

/// Ties a free pledge line (no need, not done) to `need`, keeping `quantity` units (visits for
/// a service) on it. True if the line was still free.
pub async fn tie_line(
    tx: &mut Tx,
    line: &PledgeLineRow,
    need: Uuid,
    quantity: u32,
) -> Result<bool> {
    let column = match line.line {
        PledgeLine::Service { .. } => "visits",
        _ => "quantity",
    };
    let touched = tx
        .execute(
            Query::update()
                .table("pledge_line")
                .value("need_id", need)
                .value(column, i64::from(quantity))
                .and_where(Expr::col("id").eq(line.id))
                .and_where(Expr::col("need_id").is_null())
                .and_where(Expr::col("done_at").is_null()),
        )
        .await?;
    Ok(touched == 1)
}

/// Adds a line at the end of a pledge (what is left of a line split by [`tie_line`]).
pub async fn append_line(tx: &mut Tx, pledge: Uuid, line: &PledgeLineRow) -> Result<()> {
    let position = tx
        .count(
            Query::select()
                .expr(Expr::col("id").count())
                .from("pledge_line")
                .and_where(Expr::col("pledge_id").eq(pledge)),
        )
        .await?;
    tx.execute(
        Query::insert()
            .into_table("pledge_line")
            .columns(LINE_COLUMNS)
            .values_panic(line_values(pledge, position as usize, line)),
    )
    .await?;
    Ok(())
}

/// Names the household on the pledge, unless it already does.
pub async fn add_household(
    tx: &mut Tx,
    pledge: Uuid,
    household: Uuid,
    village: &AreaCode,
    town: &AreaCode,
) -> Result<()> {
    let named = |q: &mut sea_query::SelectStatement| {
        q.from("pledge_household")
            .and_where(Expr::col("pledge_id").eq(pledge))
            .to_owned()
    };
    let already = tx
        .count(
            &named(&mut Query::select())
                .expr(Expr::col("household_id").count())
                .and_where(Expr::col("household_id").eq(household))
                .to_owned(),
        )
        .await?;
    if already > 0 {
        return Ok(());
    }
    let position = tx
        .count(
            &named(&mut Query::select())
                .expr(Expr::col("household_id").count())
                .to_owned(),
        )
        .await?;
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
                pledge.into(),
                household.into(),
                village.as_str().into(),
                town.as_str().into(),
                position.into(),
            ]),
    )
    .await?;
    Ok(())
}
