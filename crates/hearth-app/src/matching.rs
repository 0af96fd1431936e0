//! Precise matching (精准匹配): the county asks for the allocation of a running campaign's open
//! needs to the organizations' open pledges and the stations' stock that serves the most
//! urgent needs first, keeps aid local and with last season's organization, and never gives a
//! household the same aid twice ([`hearth_engine::flow::model`]); and what a cash budget would
//! buy for the needs left over. Nothing is written: the proposal is for review.
//!
//! Who: the county administrator only, since the proposal spans every town. Which needs: open
//! (approved, unclaimed) item and service needs of approved households that consented to
//! sharing with organizations; cash needs are left to the what-if budget.

mod instance;
mod view;

use std::collections::BTreeMap;

use hearth_core::role::Role;
use hearth_core::user::UserStatus;
use hearth_core::{Fen, Invalid};
use hearth_engine::flow::model::{self, ModelError, Proposal};
use hearth_store::{Tx, areas, items, users};

use crate::stock::{StockQuery, running_campaign};
use crate::{App, AppError, Caller, Result, today};

pub use view::{
    Category, MatchingView, NeedMatchView, PurchaseView, ServedView, Supplier, SurplusView,
    UnmetView, WhatIfView,
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

    async fn solve_matching(&self, caller: &Caller, campaign: &str) -> Result<Solved> {
        county_only(caller)?;
        let query = StockQuery {
            campaign: Some(campaign.to_owned()),
            ..StockQuery::default()
        };
        let stock = self.stock(caller, &query).await?;
        let mut tx = self.store().read().await?;
        let campaign = running_campaign(&mut tx, campaign).await?;
        let loaded = instance::load(&mut tx, campaign.id, &stock, today()).await?;
        let proposal = model::propose(&loaded.instance).map_err(refused)?;
        Ok(Solved {
            loaded,
            proposal,
            code: campaign.profile.code,
        })
    }

    /// The proposed allocation for a running campaign, with an explanation per need.
    pub async fn propose_matching(&self, caller: &Caller, campaign: &str) -> Result<MatchingView> {
        let solved = self.solve_matching(caller, campaign).await?;
        let mut tx = self.store().read().await?;
        let names = names(&mut tx, &solved.loaded).await?;
        Ok(view::matching_view(
            caller,
            &names,
            &solved.code,
            &solved.proposal,
        ))
    }

    /// What `budget` would buy, at the catalogue's reference prices, for the needs the
    /// proposal leaves unmet: the most priority per yuan first.
    pub async fn matching_what_if(
        &self,
        caller: &Caller,
        campaign: &str,
        budget: Fen,
    ) -> Result<WhatIfView> {
        if budget.is_negative() {
            return Err(Invalid::new("budget", "matching.budget_negative").into());
        }
        let solved = self.solve_matching(caller, campaign).await?;
        let mut tx = self.store().read().await?;
        let names = names(&mut tx, &solved.loaded).await?;
        let prices: BTreeMap<String, i64> = names
            .items
            .values()
            .filter(|i| i.reference_value.fen() > 0)
            .map(|i| (i.code.clone(), i.reference_value.fen()))
            .collect();
        let plan = model::what_if(&solved.proposal, budget.fen(), &prices).map_err(refused)?;
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
