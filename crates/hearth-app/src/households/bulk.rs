//! 批量提交 and 批量审核通过: a village that imported three hundred households submits them at
//! once, and the town approves them at once. Each household goes through the very step a single
//! 提交 or 审核通过 takes (permission, scope, status, completeness, maker-checker, its audit
//! event), in its own transaction, so a refused household holds back none of the others.
//!
//! 退回 stays one household at a time: the village must read a reason written for each.

use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use uuid::Uuid;

/// At most this many households in one request: a village's import fits, and the request still
/// answers while the officer waits.
pub const MAX_IDS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    /// 提交: drafts and returned records go to the town for review.
    Submit,
    /// 审核通过: submitted records are approved.
    Approve,
}

impl BulkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            BulkAction::Submit => "submit",
            BulkAction::Approve => "approve",
        }
    }

    /// `submit` or `approve`, as forms and the API send it.
    pub fn parse(raw: &str) -> std::result::Result<BulkAction, Invalid> {
        match raw.trim() {
            "submit" => Ok(BulkAction::Submit),
            "approve" => Ok(BulkAction::Approve),
            other => Err(Invalid::new("action", "household.bulk_action").arg("value", other)),
        }
    }

    fn permission(self) -> Permission {
        match self {
            BulkAction::Submit => Permission::RegisterHouseholds,
            BulkAction::Approve => Permission::ReviewHouseholds,
        }
    }
}

/// What a bulk step did: the households done, and each refused one with its reason.
#[derive(Debug)]
pub struct BulkReport {
    pub action: BulkAction,
    /// In the order they were asked for.
    pub done: Vec<Uuid>,
    pub refused: Vec<BulkRefusal>,
}

/// A household the step refused and left as it was.
#[derive(Debug)]
pub struct BulkRefusal {
    pub id: Uuid,
    /// As the single step gives it: `Invalid` naming the field and reason (incomplete,
    /// maker-checker, wrong status), `Conflict` (changed meanwhile), `NotFound` (outside the
    /// caller's area, or gone) or `Forbidden`.
    pub error: AppError,
}

impl App {
    /// 批量提交 or 批量审核通过 of `ids`, each household in its own transaction. A caller without
    /// the permission is refused as a whole; a failure of the store ends the run (the households
    /// done before it stay done, as the list shows), since it would fail every one after it.
    pub async fn review_households(
        &self,
        caller: &Caller,
        ids: &[Uuid],
        action: BulkAction,
    ) -> Result<BulkReport> {
        caller.require(action.permission())?;
        let mut report = BulkReport {
            action,
            done: Vec::new(),
            refused: Vec::new(),
        };
        for id in distinct(ids)? {
            let outcome = match action {
                BulkAction::Submit => self.submit_household(caller, id).await,
                BulkAction::Approve => self.approve_household(caller, id).await,
            };
            match outcome {
                Ok(_) => report.done.push(id),
                Err(error) if is_refusal(&error) => report.refused.push(BulkRefusal { id, error }),
                Err(error) => return Err(error),
            }
        }
        Ok(report)
    }
}

/// The ids once each, in the order given; none, or more than [`MAX_IDS`], is refused.
fn distinct(ids: &[Uuid]) -> Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Err(Invalid::new("ids", "household.bulk_empty").into());
    }
    if ids.len() > MAX_IDS {
        return Err(Invalid::new("ids", "household.bulk_too_many")
            .arg("max", MAX_IDS)
            .arg("count", ids.len())
            .into());
    }
    let mut seen = std::collections::HashSet::new();
    Ok(ids.iter().copied().filter(|id| seen.insert(*id)).collect())
}

/// Whether the step refused this household (the others may still go through), rather than
/// failed for a reason that would stop every household alike.
fn is_refusal(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound | AppError::Forbidden
    )
}
