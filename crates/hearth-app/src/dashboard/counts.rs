//! The database's counts behind the dashboards, kept while nothing changes. Counting a county's
//! approved households walks an index of a million entries; a dashboard watched by many
//! officers, or a public page read by anyone, would walk it on every view. Every change that
//! moves these counts is audited or booked, so the heads of the audit chain and of the ledger
//! together say whether anything changed: counts made at the same heads are the same counts.
//! The heads are read in the caller's transaction, from the database, so several servers each
//! keep their own copy and none is ever ahead of or behind the database it serves.

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
pub(crate) struct CountsCache(Arc<Mutex<Option<Kept>>>);

impl std::fmt::Debug for CountsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountsCache")
    }
}

impl CountsCache {
    fn with<T>(&self, stamp: &Stamp, f: impl FnOnce(&mut Kept) -> T) -> T {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.as_ref().is_some_and(|k| &k.stamp != stamp) {
            *kept = None;
        }
        f(kept.get_or_insert_with(|| Kept {
            stamp: stamp.clone(),
            registered: None,
            campaigns: HashMap::new(),
        }))
    }

    /// Approved households by village.
    pub(crate) async fn registered(
        &self,
        tx: &mut Tx,
        stamp: &Stamp,
    ) -> Result<Arc<Vec<VillageCount>>> {
        if let Some(kept) = self.with(stamp, |k| k.registered.clone()) {
            return Ok(kept);
        }
        let counted = Arc::new(dashboard::approved_by_village(tx).await?);
        self.with(stamp, |k| k.registered = Some(counted.clone()));
        Ok(counted)
    }

    /// The counts of one campaign, whose records are among `records`.
    pub(crate) async fn campaign(
        &self,
        tx: &mut Tx,
        stamp: &Stamp,
        campaign: Uuid,
        records: &[Record],
    ) -> Result<Arc<CampaignCounts>> {
        if let Some(kept) = self.with(stamp, |k| k.campaigns.get(&campaign).cloned()) {
            return Ok(kept);
        }
        let counted = Arc::new(count(tx, campaign, records).await?);
        self.with(stamp, |k| k.campaigns.insert(campaign, counted.clone()));
        Ok(counted)
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
