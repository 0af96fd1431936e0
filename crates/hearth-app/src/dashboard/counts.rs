//! The database's counts behind the dashboards, kept while nothing changes. Counting a county's
//! approved households walks an index of a million entries; a dashboard watched by many
//! officers, or a public page read by anyone, would walk it on every view. Every change that
//! moves these counts is audited or booked, so the heads of the audit chain and of the ledger
//! together say whether anything changed: counts made at the same heads are the same counts.
//! The heads are read in the caller's transaction, from the database, so several servers each
//! keep their own copy and none is ever ahead of or behind the database it serves.
//! One count runs at a time: when the heads move, the views that arrive together wait for the
//! first one's count instead of each walking the million entries beside it.

use super::figures::Places;
use hearth_core::ledger::{Head, Record};
use hearth_store::dashboard::{self, DeliveredNeed, NeedTally, VillageCount};
use hearth_store::{Tx, audit};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use uuid::Uuid;

use crate::Result;
use chrono::NaiveDate;

/// What the database counted of one campaign.
#[derive(Debug, Default)]
pub struct CampaignCounts {
    pub needs: Vec<NeedTally>,
    pub delivered_needs: Vec<DeliveredNeed>,
    /// Households reached by an organization's delivery under a pledge, with the day.
    pub deliveries: Vec<(Uuid, NaiveDate)>,
    /// Where each household the campaign's records and deliveries name lives.
    pub places: Places,
}

/// The heads the counts were made at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    audit: (i64, String),
    ledger: Head,
}

impl Stamp {
    pub(crate) async fn read(tx: &mut Tx, ledger: &Head) -> Result<Stamp> {
        Ok(Stamp {
            audit: audit::head(tx).await?,
            ledger: ledger.clone(),
        })
    }
}

#[derive(Debug)]
struct Kept {
    stamp: Stamp,
    registered: Option<Arc<Vec<VillageCount>>>,
    campaigns: HashMap<Uuid, Arc<CampaignCounts>>,
}

/// The counts made at the latest heads seen, shared by the app's clones.
#[derive(Clone, Default)]
pub(crate) struct CountsCache {
    kept: Arc<Mutex<Option<Kept>>>,
    counting: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for CountsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountsCache")
    }
}

impl CountsCache {
    fn with<T>(&self, stamp: &Stamp, f: impl FnOnce(&mut Kept) -> T) -> T {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.as_ref().is_some_and(|k| &k.stamp != stamp) {
            *kept = None;
        }
        f(kept.get_or_insert_with(|| Kept {
            stamp: stamp.clone(),
            registered: None,
            campaigns: HashMap::new(),
        }))
    }

    /// What is kept at `stamp` (`look`), or else `count`ed once and kept (`keep`).
    async fn kept_or_counted<T: Clone>(
        &self,
        stamp: &Stamp,
        look: impl Fn(&mut Kept) -> Option<T>,
        count: impl Future<Output = Result<T>>,
        keep: impl FnOnce(&mut Kept, T),
    ) -> Result<T> {
        if let Some(kept) = self.with(stamp, &look) {
            return Ok(kept);
        }
        let _turn = self.counting.lock().await;
        if let Some(kept) = self.with(stamp, &look) {
            return Ok(kept);
        }
        let counted = count.await?;
        self.with(stamp, |k| keep(k, counted.clone()));
        Ok(counted)
    }

    /// Approved households by village.
    pub(crate) async fn registered(
        &self,
        tx: &mut Tx,
        stamp: &Stamp,
    ) -> Result<Arc<Vec<VillageCount>>> {
        let count = async { Ok(Arc::new(dashboard::approved_by_village(tx).await?)) };
        self.kept_or_counted(
            stamp,
            |k| k.registered.clone(),
            count,
            |k, c| k.registered = Some(c),
        )
        .await
    }

    /// The counts of one campaign, whose records are among `records`.
    pub(crate) async fn campaign(
        &self,
        tx: &mut Tx,
        stamp: &Stamp,
        campaign: Uuid,
        records: &[Record],
    ) -> Result<Arc<CampaignCounts>> {
        self.kept_or_counted(
            stamp,
            |k| k.campaigns.get(&campaign).cloned(),
            async { Ok(Arc::new(count(tx, campaign, records).await?)) },
            |k, c| {
                k.campaigns.insert(campaign, c);
            },
        )
        .await
    }
}

async fn count(tx: &mut Tx, campaign: Uuid, records: &[Record]) -> Result<CampaignCounts> {
    let deliveries = dashboard::deliveries(tx, campaign).await?;
    let (entries, movements) = super::of_campaign(records, campaign);
    let named: BTreeSet<Uuid> = entries
        .iter()
        .filter_map(|e| e.header.household)
        .chain(movements.iter().filter_map(|m| m.header.household))
        .chain(deliveries.iter().map(|(h, _)| *h))
        .collect();
    let named: Vec<Uuid> = named.into_iter().collect();
    Ok(CampaignCounts {
        needs: dashboard::need_tallies(tx, campaign).await?,
        delivered_needs: dashboard::delivered_needs(tx, campaign).await?,
        places: dashboard::places(tx, &named)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.village, p.town)))
            .collect(),
        deliveries,
    })
}
