//! Needs read from import rows (需求物资/数量). A need is only recorded for an approved household
//! (as on the need form); rows of households still in draft leave their needs waiting in the
//! batch, and the officer records them from the result page once the town has approved.
//! Nothing is recorded twice: an active need for the same item in the campaign, or the same
//! item already waiting, is left alone.

use super::batch::{audit_event, visible};
use crate::{App, AppError, Caller, Result};
use hearth_core::household::HouseholdStatus;
use hearth_core::need::{NeedLine, NeedStatus, Urgency};
use hearth_store::campaigns::Campaign;
use hearth_store::households::HouseholdRow;
use hearth_store::imports::{self, PendingNeed};
use hearth_store::{Tx, needs};
use uuid::Uuid;

/// What happened to one need of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NeedOutcome {
    Recorded,
    Pending,
    AlreadyThere,
}

/// Records (or leaves waiting) one need of `household` from row `sheet_row` of `batch`.
pub(crate) async fn take(
    tx: &mut Tx,
    caller: &Caller,
    batch: Uuid,
    household: &HouseholdRow,
    campaign: &Campaign,
    (item, quantity): (&str, u32),
    sheet_row: u32,
) -> Result<(NeedOutcome, Option<PendingNeed>)> {
    let line = NeedLine::Item {
        item: item.to_owned(),
        quantity,
    };
    match crate::needs::refuse_duplicate(tx, household.id, campaign.id, &line, None).await {
        Err(AppError::Conflict(_)) => return Ok((NeedOutcome::AlreadyThere, None)),
        other => other?,
    }
    if household.status == HouseholdStatus::Approved.as_str() {
        record(tx, caller, household, campaign, line, batch).await?;
        return Ok((NeedOutcome::Recorded, None));
    }
    if imports::pending_exists(tx, household.id, campaign.id, item).await? {
        return Ok((NeedOutcome::AlreadyThere, None));
    }
    let pending = PendingNeed {
        id: Uuid::now_v7(),
        batch_id: batch,
        household_id: household.id,
        campaign_id: campaign.id,
        item_code: item.to_owned(),
        quantity: i64::from(quantity),
        sheet_row: i64::from(sheet_row),
        need_id: None,
        created_at: hearth_store::now(),
    };
    Ok((NeedOutcome::Pending, Some(pending)))
}

/// A submitted need (it waits for the town's review like one typed on the form).
async fn record(
    tx: &mut Tx,
    caller: &Caller,
    household: &HouseholdRow,
    campaign: &Campaign,
    line: NeedLine,
    batch: Uuid,
) -> Result<Uuid> {
    crate::needs::check_item(tx, &line).await?;
    let now = hearth_store::now();
    let row = needs::NeedRow {
        id: Uuid::now_v7(),
        number: needs::next_number(tx, campaign.id, &campaign.profile.code).await?,
        campaign_id: campaign.id,
        household_id: household.id,
        village: household.village.clone(),
        town: household.town.clone(),
        line,
        urgency: Urgency::Normal,
        note: String::new(),
        status: NeedStatus::Submitted,
        return_reason: String::new(),
        entered_by: caller.user.id,
        reviewed_by: None,
        reviewed_at: None,
        claimed_by: None,
        claimed_by_user: None,
        claimed_at: None,
        fulfilled_at: None,
        visited_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    needs::insert(tx, &row).await?;
    crate::needs::record(
        tx,
        caller,
        "need_recorded",
        row.id,
        serde_json::json!({
            "number": row.number,
            "household": household.id.to_string(),
            "campaign": campaign.profile.code,
            "kind": row.line.kind().as_str(),
            "import": batch.to_string(),
        }),
        String::new(),
    )
    .await?;
    Ok(row.id)
}

impl App {
    /// Records the waiting needs of an import whose households have been approved since; the
    /// others keep waiting. Returns how many were recorded.
    pub async fn record_pending_needs(&self, caller: &Caller, id: Uuid) -> Result<usize> {
        caller.require(hearth_core::permission::Permission::RecordNeeds)?;
        let mut tx = self.store().write().await?;
        visible(&mut tx, caller, id).await?;
        let mut recorded = 0;
        for pending in imports::pending_of(&mut tx, id).await? {
            if pending.need_id.is_some() {
                continue;
            }
            let household =
                crate::households::visible(&mut tx, caller, pending.household_id).await?;
            let campaign = hearth_store::campaigns::get(&mut tx, pending.campaign_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let launched = campaign.status == hearth_core::campaign::CampaignStatus::Launched;
            if household.status != HouseholdStatus::Approved.as_str() || !launched {
                continue;
            }
            let line = NeedLine::Item {
                item: pending.item_code.clone(),
                quantity: u32::try_from(pending.quantity).unwrap_or(1),
            };
            match crate::needs::refuse_duplicate(&mut tx, household.id, campaign.id, &line, None)
                .await
            {
                // Recorded meanwhile by hand: nothing is left waiting.
                Err(AppError::Conflict(_)) => imports::drop_pending(&mut tx, pending.id).await?,
                Ok(()) => {
                    let need = record(&mut tx, caller, &household, &campaign, line, id).await?;
                    imports::mark_recorded(&mut tx, pending.id, need).await?;
                    recorded += 1;
                }
                Err(e) => return Err(e),
            }
        }
        let detail = serde_json::json!({"recorded": recorded});
        audit_event(&mut tx, caller, "import_needs_recorded", id, detail).await?;
        tx.commit().await?;
        Ok(recorded)
    }
}
