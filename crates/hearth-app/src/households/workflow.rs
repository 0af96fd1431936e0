//! One household: its page, its history, and the review workflow (提交, 撤回, 审核, 退回).

use super::{HouseholdView, RECORD, record, unseal, view, visible};
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::Lang;
use hearth_core::household::status::{self, HouseholdAction};
use hearth_core::household::{HouseholdInput, score};
use hearth_core::permission::Permission;
use hearth_store::audit::{self, AuditEvent};
use hearth_store::households;
use serde::Serialize;
use uuid::Uuid;

/// How the vulnerability score was reached, line by line.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    pub points: u32,
    pub text_zh: String,
    pub text_en: String,
}

impl App {
    pub async fn household(&self, caller: &Caller, id: Uuid) -> Result<HouseholdView> {
        let mut tx = self.store().read().await?;
        let row = visible(&mut tx, caller, id).await?;
        let members = households::members(&mut tx, id).await?;
        view::build(&mut tx, caller, &row, &members).await
    }

    /// The score's parts, for officers who may see the facts behind them.
    pub async fn household_score(&self, caller: &Caller, id: Uuid) -> Result<Vec<ScoreLine>> {
        caller.require(Permission::RevealHouseholdDetails)?;
        let mut tx = self.store().read().await?;
        let row = visible(&mut tx, caller, id).await?;
        let input: HouseholdInput = unseal(self.cipher()?, &row)?;
        let profile = input.parse(crate::today()).map_err(AppError::Invalid)?;
        let result = score::vulnerability(&profile, crate::today());
        Ok(result
            .parts
            .iter()
            .map(|p| ScoreLine {
                points: p.points,
                text_zh: p.message(Lang::ZhCn),
                text_en: p.message(Lang::En),
            })
            .collect())
    }

    /// Who did what to the record, with their reasons: for officers and auditors. Organizations
    /// see the shared household masked and nothing of how officers handled it (return and reveal
    /// reasons, officers' names).
    pub async fn household_history(&self, caller: &Caller, id: Uuid) -> Result<Vec<AuditEvent>> {
        if caller.user.role == hearth_core::role::Role::OrgMember {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store().read().await?;
        visible(&mut tx, caller, id).await?;
        Ok(audit::for_record(&mut tx, RECORD, &id.to_string()).await?)
    }

    /// 提交: sends a complete draft (or a returned record) to the town for review.
    pub async fn submit_household(&self, caller: &Caller, id: Uuid) -> Result<HouseholdView> {
        caller.require(Permission::RegisterHouseholds)?;
        let cipher = self.cipher()?;
        self.transition(caller, id, HouseholdAction::Submit, String::new(), |row| {
            let profile = unseal(cipher, row)?
                .parse(crate::today())
                .map_err(AppError::Invalid)?;
            let missing = profile.ready_to_submit(crate::today());
            if missing.is_empty() {
                Ok(())
            } else {
                Err(AppError::Invalid(missing))
            }
        })
        .await
    }

    /// 撤回: takes a submitted record back before anyone reviewed it.
    pub async fn withdraw_household(&self, caller: &Caller, id: Uuid) -> Result<HouseholdView> {
        caller.require(Permission::RegisterHouseholds)?;
        self.transition(caller, id, HouseholdAction::Withdraw, String::new(), |_| {
            Ok(())
        })
        .await
    }

    /// 审核通过, by someone other than the person who entered it (maker-checker).
    pub async fn approve_household(&self, caller: &Caller, id: Uuid) -> Result<HouseholdView> {
        caller.require(Permission::ReviewHouseholds)?;
        self.transition(caller, id, HouseholdAction::Approve, String::new(), |row| {
            Ok(status::check_reviewer(row.entered_by, caller.user.id)?)
        })
        .await
    }

    /// 退回 with a reason the village sees.
    pub async fn return_household(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
    ) -> Result<HouseholdView> {
        caller.require(Permission::ReviewHouseholds)?;
        let reason = status::return_reason(reason)?;
        self.transition(caller, id, HouseholdAction::Return, reason, |row| {
            Ok(status::check_reviewer(row.entered_by, caller.user.id)?)
        })
        .await
    }

    async fn transition(
        &self,
        caller: &Caller,
        id: Uuid,
        action: HouseholdAction,
        reason: String,
        check: impl FnOnce(&households::HouseholdRow) -> Result<()>,
    ) -> Result<HouseholdView> {
        let mut tx = self.store().write().await?;
        let mut row = visible(&mut tx, caller, id).await?;
        let next = status::next(view::status(&row)?, action)?;
        check(&row)?;
        let version = row.version;
        row.status = next.as_str().to_owned();
        row.version += 1;
        row.updated_at = hearth_store::now();
        if matches!(action, HouseholdAction::Approve | HouseholdAction::Return) {
            row.reviewed_by = Some(caller.user.id);
            row.reviewed_at = Some(row.updated_at);
        }
        row.return_reason = if action == HouseholdAction::Return {
            reason.clone()
        } else {
            String::new()
        };
        if !households::update(&mut tx, &row, version, None).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "household.stale_edit",
            )));
        }
        let detail = serde_json::json!({"status": next.as_str()});
        record(
            &mut tx,
            caller,
            &format!("household_{}", action.as_str()),
            id,
            detail,
            reason,
        )
        .await?;
        let members = households::members(&mut tx, id).await?;
        let view = view::build(&mut tx, caller, &row, &members).await?;
        tx.commit().await?;
        Ok(view)
    }
}
