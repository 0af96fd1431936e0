//! The few facts the dashboard (驾驶舱) and the public page count, each counted by the
//! database rather than read row by row, so a registry of a million households costs a few
//! grouped scans and not a million rows in memory: how many needs of a campaign stand where,
//! when each delivered need was delivered, how many approved households each village has,
//! where the households the books or deliveries name live, which households an organization's
//! delivery reached and on which day, and which donors agreed to be named. Money is not read
//! here: it comes from the ledger's journal, like the reconciliation.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::household::HouseholdStatus;
use hearth_core::need::{NeedKind, NeedStatus};
use sea_query::{Asterisk, Expr, ExprTrait, Query};
use uuid::Uuid;

/// How many needs of one category stand at one status in one village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedTally {
    pub village: AreaCode,
    pub town: AreaCode,
    pub kind: NeedKind,
    /// The catalogue item of an item need; the service of a service need.
    pub item: Option<String>,
    pub service: Option<String>,
    pub status: NeedStatus,
    pub needs: usize,
    /// Of those, the needs an organization came back to visit.
    pub visited: usize,
}

#[derive(sqlx::FromRow)]
struct TallyRow {
    village_code: String,
    town_code: String,
    kind: String,
    item_code: Option<String>,
    service: Option<String>,
    status: String,
    needs: i64,
    visited: i64,
}

const TALLY_KEYS: [&str; 6] = [
    "village_code",
    "town_code",
    "kind",
    "item_code",
    "service",
    "status",
];

/// The campaign's needs counted by village, category and status.
pub async fn need_tallies(tx: &mut Tx, campaign: Uuid) -> Result<Vec<NeedTally>> {
    let rows: Vec<TallyRow> = tx
        .fetch_all(
            Query::select()
                .columns(TALLY_KEYS)
                .expr_as(Expr::col(Asterisk).count(), "needs")
                .expr_as(Expr::col("visited_at").count(), "visited")
                .from("need")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .group_by_columns(TALLY_KEYS),
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(NeedTally {
                village: parsed("need.village_code", AreaCode::parse(&r.village_code))?,
                town: parsed("need.town_code", AreaCode::parse(&r.town_code))?,
                kind: parsed("need.kind", NeedKind::parse(&r.kind))?,
                item: r.item_code,
                service: r.service,
                status: parsed("need.status", NeedStatus::parse(&r.status))?,
                needs: usize::try_from(r.needs).unwrap_or_default(),
                visited: usize::try_from(r.visited).unwrap_or_default(),
            })
        })
        .collect()
}

/// A need delivered: where and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredNeed {
    pub village: AreaCode,
    pub town: AreaCode,
    pub fulfilled_at: DateTime<Utc>,
}

/// The campaign's delivered needs with the moment each was delivered (as many as deliveries
/// made, not as many as needs registered).
pub async fn delivered_needs(tx: &mut Tx, campaign: Uuid) -> Result<Vec<DeliveredNeed>> {
    let rows: Vec<(String, String, DateTime<Utc>)> = tx
        .fetch_all(
            Query::select()
                .columns(["village_code", "town_code", "fulfilled_at"])
                .from("need")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(Expr::col("status").eq(NeedStatus::Fulfilled.as_str()))
                .and_where(Expr::col("fulfilled_at").is_not_null()),
        )
        .await?;
    rows.into_iter()
        .map(|(village, town, fulfilled_at)| {
            Ok(DeliveredNeed {
                village: parsed("need.village_code", AreaCode::parse(&village))?,
                town: parsed("need.town_code", AreaCode::parse(&town))?,
                fulfilled_at,
            })
        })
        .collect()
}

/// How many approved households a village has registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageCount {
    pub village: AreaCode,
    pub town: AreaCode,
    pub households: usize,
}

/// Approved households by village, anonymised ones left out (they keep their village, but no
/// longer count as registered this winter).
pub async fn approved_by_village(tx: &mut Tx) -> Result<Vec<VillageCount>> {
    let rows: Vec<(String, String, i64)> = tx
        .fetch_all(
            Query::select()
                .columns(["village_code", "town_code"])
                .expr(Expr::col(Asterisk).count())
                .from("household")
                .and_where(Expr::col("status").eq(HouseholdStatus::Approved.as_str()))
                .and_where(Expr::col("anonymised_at").is_null())
                .group_by_columns(["village_code", "town_code"]),
        )
        .await?;
    rows.into_iter()
        .map(|(village, town, households)| {
            Ok(VillageCount {
                village: parsed("household.village_code", AreaCode::parse(&village))?,
                town: parsed("household.town_code", AreaCode::parse(&town))?,
                households: usize::try_from(households).unwrap_or_default(),
            })
        })
        .collect()
}

/// Where one household lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdPlace {
    pub id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
}

/// Households asked for at once in one query.
const PLACES_PER_QUERY: usize = 500;

/// Where each of these households lives (anonymised ones too: the books still place them).
pub async fn places(tx: &mut Tx, households: &[Uuid]) -> Result<Vec<HouseholdPlace>> {
    let mut out = Vec::with_capacity(households.len());
    for chunk in households.chunks(PLACES_PER_QUERY) {
        let rows: Vec<(Uuid, String, String)> = tx
            .fetch_all(
                Query::select()
                    .columns(["id", "village_code", "town_code"])
                    .from("household")
                    .and_where(Expr::col("id").is_in(chunk.iter().copied())),
            )
            .await?;
        for (id, village, town) in rows {
            out.push(HouseholdPlace {
                id,
                village: parsed("household.village_code", AreaCode::parse(&village))?,
                town: parsed("household.town_code", AreaCode::parse(&town))?,
            });
        }
    }
    Ok(out)
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
