//! The few facts the dashboard (驾驶舱) and the public page count, read in one pass each: where
//! every need of a campaign stands, where every household lives, which households an
//! organization's delivery reached and on which day, and which donors agreed to be named. Money
//! is not read here: it comes from the ledger's journal, like the reconciliation.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::household::HouseholdStatus;
use hearth_core::need::{NeedKind, NeedStatus};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

/// Where one need stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedFact {
    pub household: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub kind: NeedKind,
    /// The catalogue item of an item need; the service of a service need.
    pub item: Option<String>,
    pub service: Option<String>,
    pub status: NeedStatus,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub visited_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct NeedRow {
    household_id: Uuid,
    village_code: String,
    town_code: String,
    kind: String,
    item_code: Option<String>,
    service: Option<String>,
    status: String,
    fulfilled_at: Option<DateTime<Utc>>,
    visited_at: Option<DateTime<Utc>>,
}

/// Every need of the campaign.
pub async fn needs(tx: &mut Tx, campaign: Uuid) -> Result<Vec<NeedFact>> {
    let rows: Vec<NeedRow> = tx
        .fetch_all(
            Query::select()
                .columns([
                    "household_id",
                    "village_code",
                    "town_code",
                    "kind",
                    "item_code",
                    "service",
                    "status",
                    "fulfilled_at",
                    "visited_at",
                ])
                .from("need")
                .and_where(Expr::col("campaign_id").eq(campaign)),
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(NeedFact {
                household: r.household_id,
                village: parsed("need.village_code", AreaCode::parse(&r.village_code))?,
                town: parsed("need.town_code", AreaCode::parse(&r.town_code))?,
                kind: parsed("need.kind", NeedKind::parse(&r.kind))?,
                item: r.item_code,
                service: r.service,
                status: parsed("need.status", NeedStatus::parse(&r.status))?,
                fulfilled_at: r.fulfilled_at,
                visited_at: r.visited_at,
            })
        })
        .collect()
}

/// Where one household lives and how far its registration got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdPlace {
    pub id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub status: HouseholdStatus,
}

/// Every household not anonymised (anonymised ones keep their village, but no longer count as
/// registered this winter).
pub async fn households(tx: &mut Tx) -> Result<Vec<HouseholdPlace>> {
    let rows: Vec<(Uuid, String, String, String)> = tx
        .fetch_all(
            Query::select()
                .columns(["id", "village_code", "town_code", "status"])
                .from("household")
                .and_where(Expr::col("anonymised_at").is_null()),
        )
        .await?;
    rows.into_iter()
        .map(|(id, village, town, status)| {
            Ok(HouseholdPlace {
                id,
                village: parsed("household.village_code", AreaCode::parse(&village))?,
                town: parsed("household.town_code", AreaCode::parse(&town))?,
                status: parsed("household.status", HouseholdStatus::parse(&status))?,
            })
        })
        .collect()
}

/// The households an organization's delivery under a pledge of the campaign reached, with the
/// day of each delivery.
pub async fn deliveries(tx: &mut Tx, campaign: Uuid) -> Result<Vec<(Uuid, NaiveDate)>> {
    let rows: Vec<(Uuid, String)> = tx
        .fetch_all(
            Query::select()
                .columns(["household_id", "delivered_on"])
                .from("delivery")
                .and_where(Expr::col("campaign_id").eq(campaign)),
        )
        .await?;
    rows.into_iter()
        .map(|(household, on)| Ok((household, parsed("delivery.delivered_on", on.parse())?)))
        .collect()
}

/// For each organization that gave to the campaign, whether every one of its gifts may carry
/// its name in public (one gift without that consent keeps the organization off the page).
pub async fn donors_named(tx: &mut Tx, campaign: Uuid) -> Result<Vec<(Uuid, bool)>> {
    let rows: Vec<(Uuid, bool)> = tx
        .fetch_all(
            Query::select()
                .columns(["organization_id", "public_name"])
                .from("donation")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(Expr::col("organization_id").is_not_null()),
        )
        .await?;
    let mut out: Vec<(Uuid, bool)> = Vec::new();
    for (org, public) in rows {
        match out.iter_mut().find(|(o, _)| *o == org) {
            Some((_, all_public)) => *all_public &= public,
            None => out.push((org, public)),
        }
    }
    Ok(out)
}
