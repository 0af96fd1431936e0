//! 公示: what anyone may read without signing in — for each campaign under way or finished,
//! its totals from the books, the figures of each town, the gifts of the organizations that
//! agreed to be named, and the ledger's head digest. Nothing here names, counts or places a
//! single household: towns are the smallest place shown, and a household designation is never
//! listed.

use super::CampaignBrief;
use super::counts::Stamp;
use super::figures::{Facts, Kpis, Place};
use crate::{App, Result};
use hearth_core::Fen;
use hearth_core::area::AreaLevel;
use hearth_core::campaign::CampaignStatus;
use hearth_core::ledger::{Head, Reconciliation};
use hearth_store::{areas, campaigns, dashboard, organizations};
use serde::Serialize;

/// One town's figures on the public page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTown {
    pub name: String,
    pub households_reached: usize,
    pub needs_delivered: usize,
    /// Goods and cash aid handed to the town's households, as booked.
    pub delivered: Fen,
}

/// A named organization's gifts to the campaign, as booked.
#[derive(Debug, Clone, Serialize)]
pub struct PublicDonor {
    pub name: String,
    pub cash: Fen,
    pub in_kind: Fen,
}

/// One campaign on the public page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicCampaign {
    pub campaign: CampaignBrief,
    pub kpis: Kpis,
    pub needs_delivered: usize,
    pub cash_balances: bool,
    pub materials_balance: bool,
    pub towns: Vec<PublicTown>,
    pub donors: Vec<PublicDonor>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicOverview {
    pub campaigns: Vec<PublicCampaign>,
    pub head: Head,
}

impl App {
    /// The public page's figures: launched, closed and disclosed campaigns, newest first.
    pub async fn public_overview(&self) -> Result<PublicOverview> {
        let mut tx = self.store().read().await?;
        let journal = self.journal(&mut tx).await?;
        let towns: Vec<_> = areas::all(&mut tx)
            .await?
            .into_iter()
            .filter(|a| a.level == AreaLevel::Town)
            .collect();
        let stamp = Stamp::read(&mut tx, journal.head()).await?;
        let registered = self.counts.registered(&mut tx, &stamp).await?;
        let campaign_areas = areas::campaign_areas(&mut tx).await?;
        let mut list = campaigns::list(&mut tx).await?;
        list.retain(|c| c.status != CampaignStatus::Planned);
        list.sort_by_key(|c| std::cmp::Reverse(c.profile.starts_on));
        let mut out = Vec::new();
        for campaign in list {
            let counts = self
                .counts
                .campaign(&mut tx, &stamp, campaign.id, journal.records());
            let counted = [(campaign.id, counts.await?)];
            let facts = Facts::of(
                journal.records(),
                &counted,
                &registered,
                campaign_areas.clone(),
            );
            let books = Reconciliation::of(
                facts.entries.iter().copied(),
                facts.movements.iter().copied(),
            );
            let reached = facts.reached();
            // A county's campaign lists that county's towns only.
            let runner = campaign_areas.get(&campaign.id);
            let town_figures = towns
                .iter()
                .filter(|t| runner.is_none_or(|area| t.code.is_within(area)))
                .map(|t| {
                    let place = Place::Town(t.code.clone());
                    let kpis = facts.kpis(&place, &reached);
                    PublicTown {
                        name: t.name.clone(),
                        households_reached: kpis.households_reached,
                        needs_delivered: facts.pipeline(&place).delivered(),
                        delivered: kpis.delivered,
                    }
                })
                .collect();
            let mut donors = Vec::new();
            for (org, named) in dashboard::donors_named(&mut tx, campaign.id).await? {
                let Some(found) = organizations::get(&mut tx, org).await?.filter(|_| named) else {
                    continue;
                };
                let gifts = facts
                    .entries
                    .iter()
                    .copied()
                    .filter(|e| e.header.organization == Some(org));
                let books = Reconciliation::of(gifts, []);
                donors.push(PublicDonor {
                    name: found.profile.name,
                    cash: books.raised_cash,
                    in_kind: books.raised_in_kind,
                });
            }
            donors.sort_by_key(|d| std::cmp::Reverse(d.cash + d.in_kind));
            out.push(PublicCampaign {
                kpis: facts.kpis(&Place::All, &reached),
                needs_delivered: facts.pipeline(&Place::All).delivered(),
                cash_balances: books.cash_balances(),
                materials_balance: books.materials_balance(),
                towns: town_figures,
                donors,
                campaign: CampaignBrief::from(&campaign),
            });
        }
        Ok(PublicOverview {
            campaigns: out,
            head: journal.head().clone(),
        })
    }
}
