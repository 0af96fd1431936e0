//! Withdrawing consent (撤回同意): possible at any status, effective at once — from that day the
//! household is no longer shared with organizations.

use super::{HouseholdView, RowBase, record, rows, unseal, view, visible};
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_store::households;
use uuid::Uuid;

impl App {
    pub async fn withdraw_household_consent(
        &self,
        caller: &Caller,
        id: Uuid,
        on: chrono::NaiveDate,
    ) -> Result<HouseholdView> {
        caller.require(Permission::RegisterHouseholds)?;
        if on > crate::today() {
            return Err(Invalid::new("withdrawn_on", "consent.future_date").into());
        }
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let current = visible(&mut tx, caller, id).await?;
        let mut profile = unseal(cipher, &current)?
            .parse(crate::today())
            .map_err(AppError::Invalid)?;
        profile.withdraw_consent(on)?;
        let base = RowBase {
            status: view::status(&current)?,
            entered_by: current.entered_by,
            reviewed_by: current.reviewed_by,
            reviewed_at: current.reviewed_at,
            return_reason: current.return_reason.clone(),
            retention_years: self.policy().retention_years,
            version: current.version + 1,
            created_at: current.created_at,
        };
        let (row, members) = rows(cipher, id, &profile, base);
        if !households::update(&mut tx, &row, current.version, Some(&members)).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "household.stale_edit",
            )));
        }
        record(
            &mut tx,
            caller,
            "household_consent_withdrawn",
            id,
            serde_json::json!({"on": on.to_string()}),
            String::new(),
        )
        .await?;
        let view = view::build(&mut tx, caller, &row, &members).await?;
        tx.commit().await?;
        Ok(view)
    }
}
