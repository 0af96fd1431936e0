//! Precise matching (精准匹配): the county asks for the allocation of a running campaign's open
//! needs to the organizations' open pledges and the stations' stock that serves the most
//! urgent needs first, keeps aid local and with last season's organization, and never gives a
//! household the same aid twice ([`hearth_engine::flow::model`]); and what a cash budget would
//! buy for the needs left over. The proposal is for review: nothing is written until the county
//! accepts it ([`accept`]), with the digest of what it was made from.
//!
//! Who: the county administrator only, since the proposal spans every town. Which needs: open
//! (approved, unclaimed) item and service needs of approved households that consented to
//! sharing with organizations; cash needs are left to the what-if budget.

mod accept;
mod candidates;
mod instance;
mod view;

use std::collections::BTreeMap;

use hearth_core::role::Role;
use hearth_core::user::UserStatus;
use hearth_core::{Fen, Invalid};
use hearth_engine::flow::model::{self, ModelError, Proposal};
use hearth_store::{Tx, areas, items, matching, users};
use uuid::Uuid;

use crate::stock::running_campaign;
use crate::{App, AppError, Caller, Result, today};

pub use accept::{AcceptInput, AcceptLine, AcceptedView, ClaimMade, TransferMade};
pub use hearth_engine::flow::model::{SupplierKind, Tier};
pub use view::{
    CandidateView, Category, HouseholdMatchView, MatchingView, NeedMatchView, PlanView,
    PurchaseView, ServedView, Supplier, SurplusView, UnmetView, WhatIfView,
};

fn county_only(caller: &Caller) -> Result<()> {
    if caller.user.role == Role::CountyAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn refused(error: ModelError) -> AppError {
    Invalid::new("campaign", "matching.too_large")
        .arg("reason", error)
        .into()
}

struct Solved {
    loaded: instance::Loaded,
    proposal: Proposal,
    code: String,
    campaign_id: Uuid,
    /// What the proposal was made from ([`instance::digest`]).
    digest: String,
    /// Transfer plans accepted earlier whose needs are still open.
    plans: Vec<matching::TransferPlan>,
}

impl App {
    /// The county administrator `username`, for `hearth match --campaign` at the console.
    pub async fn county_admin_for_console(&self, username: &str) -> Result<Caller> {
        let mut tx = self.store().read().await?;
        let (user, _) = users::by_username(&mut tx, username.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        if user.status != UserStatus::Active {
            return Err(AppError::Disabled);
        }
        let caller = Caller::new(user);
        county_only(&caller)?;
        Ok(caller)
    }

    /// The proposal as the database stands in `tx`.
    /// Only the caller's county's campaigns, households, organizations and stations take part.
    async fn solve_in(&self, tx: &mut Tx, caller: &Caller, campaign: &str) -> Result<Solved> {
        let campaign = running_campaign(tx, caller, campaign).await?;
        let scope = caller.area_scope()?;
        let plans = matching::open_transfers(tx, campaign.id).await?;
        let journal = self.journal(tx).await?;
        let mut stock = instance::station_stock(&journal, campaign.id, &plans);
        stock.retain(|line| scope.is_none_or(|area| line.station.is_within(area)));
        let loaded = instance::load(tx, scope, campaign.id, &stock, &plans, today()).await?;
        let proposal = model::propose(&loaded.instance).map_err(refused)?;
        Ok(Solved {
            digest: instance::digest(&loaded.instance),
            loaded,
            proposal,
            code: campaign.profile.code,
            campaign_id: campaign.id,
            plans,
        })
    }

    async fn solve_matching(&self, caller: &Caller, campaign: &str) -> Result<Solved> {
        county_only(caller)?;
        let mut tx = self.store().read().await?;
        self.solve_in(&mut tx, caller, campaign).await
    }

    /// The proposed allocation for a running campaign, with an explanation per need.
    pub async fn propose_matching(&self, caller: &Caller, campaign: &str) -> Result<MatchingView> {
        let solved = self.solve_matching(caller, campaign).await?;
        let mut tx = self.store().read().await?;
        let names = names(&mut tx, &solved.loaded).await?;
        let mut view = view::matching_view(caller, &names, &solved.code, &solved.proposal);
        view.digest = solved.digest.clone();
        view.plans = view::plan_views(&mut tx, &names, &solved.plans).await?;
        Ok(view)
    }

    /// What `budget` would buy for the needs the proposal leaves unmet, at the catalogue's
    /// reference prices unless `prices` (per item code or `service:<kind>`) names others: the
    /// most priority-weighted units the budget can cover (see [`model::what_if`]).
    pub async fn matching_what_if(
        &self,
        caller: &Caller,
        campaign: &str,
        budget: Fen,
        prices: &BTreeMap<String, Fen>,
    ) -> Result<WhatIfView> {
        if budget.is_negative() {
            return Err(Invalid::new("budget", "matching.budget_negative").into());
        }
        if let Some((item, _)) = prices.iter().find(|(_, p)| p.fen() < 1) {
            return Err(Invalid::new(format!("prices.{item}"), "matching.price_positive").into());
        }
        let solved = self.solve_matching(caller, campaign).await?;
        let mut tx = self.store().read().await?;
        let names = names(&mut tx, &solved.loaded).await?;
        let mut fen: BTreeMap<String, i64> = names
            .items
            .values()
            .filter(|i| i.reference_value.fen() > 0)
            .map(|i| (i.code.clone(), i.reference_value.fen()))
            .collect();
        fen.extend(prices.iter().map(|(c, p)| (c.clone(), p.fen())));
        let plan = model::what_if(&solved.proposal, budget.fen(), &fen).map_err(refused)?;
        Ok(view::what_if_view(&names, &plan))
    }
}

async fn names<'a>(tx: &mut Tx, loaded: &'a instance::Loaded) -> Result<view::Names<'a>> {
    let areas = areas::all(tx)
        .await?
        .into_iter()
        .map(|a| (a.code.as_str().to_owned(), a.name))
        .collect();
    let items = items::list(tx, true)
        .await?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect();
    Ok(view::Names {
        areas,
        items,
        loaded,
    })
}
