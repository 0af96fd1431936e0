//! Identity resolution on the registry (issue 9): one household, one record; no double aid,
//! nobody missed.
//!
//! - [`registry`]: households as the engine sees them — plain columns, and blind keys of the
//!   sealed ID number and phone (`identity_key`, computed as a household is written and again
//!   at each run for any left stale).
//! - [`queue`]: runs that propose candidate pairs, the review queue and its decisions (merge
//!   with maker-checker, reversible; not the same, remembered; later).
//! - [`report`]: the duplicate-aid report of a campaign.
//! - [`incoming`]: sheet rows that likely match a registered household, checked at import.
//!
//! Nothing here opens a sealed profile for a person to see except [`App::reveal_pair`], which
//! goes through the household reveal (permission, reason, audit entry per household).

mod incoming;
mod queue;
mod registry;
mod report;

pub use incoming::LikelyMatch;
pub(crate) use incoming::likely_matches;
pub use queue::{Decision, HouseholdRef, PairSide, PairView, RunSummary, WAITING};
pub(crate) use registry::{keys_of_new, refresh_keys, sync_keys};
pub use report::{AidReport, AidSource, DoubledAid};

use crate::households::Revealed;
use crate::{App, AppError, Caller, Result};
use hearth_core::household::HouseholdProfile;
use hearth_core::permission::Permission;
use uuid::Uuid;

/// The county part (first six digits) of a division code.
pub(crate) fn county_of(code: &str) -> &str {
    code.get(..6).unwrap_or(code)
}

impl App {
    /// Which of these incoming households (`(row, profile)`, e.g. from a sheet or a form)
    /// likely match a registered household under another ID number; nothing is written but
    /// the registry's refreshed blind keys.
    pub async fn check_incoming(
        &self,
        caller: &Caller,
        rows: &[(u32, &HouseholdProfile)],
    ) -> Result<Vec<LikelyMatch>> {
        if !caller.can(Permission::RegisterHouseholds) {
            caller.require(Permission::ResolveIdentities)?;
        }
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        sync_keys(&mut tx, cipher).await?;
        let county = caller
            .user
            .area_code
            .as_ref()
            .map(|a| county_of(a.as_str()));
        let found = likely_matches(&mut tx, cipher, county, rows).await?;
        tx.commit().await.map_err(AppError::from)?;
        Ok(found)
    }

    /// Both households of a pair unmasked, for a reviewer who gives a reason; each is logged as
    /// a household reveal.
    pub async fn reveal_pair(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
    ) -> Result<(Revealed, Revealed)> {
        caller.require(Permission::ResolveIdentities)?;
        let pair = self.identity_pair(caller, id).await?;
        let first = self.reveal_household(caller, pair.first.id, reason).await?;
        let second = self
            .reveal_household(caller, pair.second.id, reason)
            .await?;
        Ok((first, second))
    }
}
