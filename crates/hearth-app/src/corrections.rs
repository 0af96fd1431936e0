//! Corrections (更正/冲销) of donations and purchases recorded wrongly. Nothing is edited: every
//! ledger record the paper posted is reversed (红字冲销) by a record naming it, on the day and
//! for the reason given, in one transaction; the right donation or purchase is then recorded
//! anew. The paper stays, marked corrected, on its page and on `/verify/<code>`.
//!
//! Only the county corrects (it keeps the books). The ledger refuses a reversal whose money or
//! goods have already gone on (goods handed out, designated money spent), naming what is left;
//! those are corrected first, by the return or reversal of what used them.

use crate::ledger::Draft;
use crate::stock::audited;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Invalid;
use hearth_core::donation::correction::CorrectionInput;
use hearth_core::ledger::{EntryDraft, Journal, MovementDraft, Record};
use hearth_core::permission::Permission;
use hearth_store::corrections::{self, CorrectionRow};
use hearth_store::{Tx, donations, purchases, users};
use serde::Serialize;
use uuid::Uuid;

/// What was corrected, when, why and by whom.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    pub corrected_on: NaiveDate,
    pub reason: String,
    pub recorded_by: String,
    /// The first reversing record in the ledger.
    pub first_seq: i64,
    pub created_at: DateTime<Utc>,
}

/// The correction of a donation or purchase, if any.
pub(crate) async fn of_record(
    tx: &mut Tx,
    record_type: &str,
    id: Uuid,
) -> Result<Option<CorrectionView>> {
    let Some(row) = corrections::of_record(tx, record_type, id).await? else {
        return Ok(None);
    };
    let by = users::get(tx, row.recorded_by).await?;
    Ok(Some(CorrectionView {
        corrected_on: row.corrected_on,
        reason: row.reason,
        recorded_by: by.map(|u| u.display_name).unwrap_or_default(),
        first_seq: row.first_seq,
        created_at: row.created_at,
    }))
}

/// The reversals of every record `source` posted that is not yet reversed, latest first.
fn reversals(journal: &Journal, source: Uuid, on: NaiveDate, summary: &str) -> Vec<Draft> {
    journal
        .records()
        .iter()
        .rev()
        .filter(|r| !journal.is_reversed(r.seq()))
        .filter_map(|record| match record {
            Record::Entry(e)
                if e.draft.header.source == Some(source) && e.draft.reverses.is_none() =>
            {
                Some(Draft::Entry(EntryDraft::reversal_of(e, on, summary)))
            }
            Record::Movement(m)
                if m.draft.header.source == Some(source) && m.draft.reverses.is_none() =>
            {
                Some(Draft::Movement(MovementDraft::reversal_of(m, on, summary)))
            }
            _ => None,
        })
        .collect()
}

/// A donation or purchase to correct: its kind, id, campaign and number.
struct Target<'a> {
    record_type: &'static str,
    id: Uuid,
    campaign: Uuid,
    number: &'a str,
}

impl App {
    /// 冲销: reverses a donation in full, for a reason; see the module notes.
    pub async fn correct_donation(
        &self,
        caller: &Caller,
        id: Uuid,
        input: &CorrectionInput,
    ) -> Result<CorrectionView> {
        caller.require(Permission::RecordPurchases)?;
        let mut tx = self.store().write().await?;
        hearth_store::ledger::lock_head(&mut tx).await?;
        let donation = donations::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let target = Target {
            record_type: "donation",
            id,
            campaign: donation.row.campaign_id,
            number: &donation.row.number,
        };
        let out = self.correct(&mut tx, caller, target, input).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// 冲销: reverses a purchase in full, for a reason; see the module notes.
    pub async fn correct_purchase(
        &self,
        caller: &Caller,
        id: Uuid,
        input: &CorrectionInput,
    ) -> Result<CorrectionView> {
        caller.require(Permission::RecordPurchases)?;
        let mut tx = self.store().write().await?;
        hearth_store::ledger::lock_head(&mut tx).await?;
        let purchase = purchases::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let target = Target {
            record_type: "purchase",
            id,
            campaign: purchase.row.campaign_id,
            number: &purchase.row.number,
        };
        let out = self.correct(&mut tx, caller, target, input).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn correct(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        target: Target<'_>,
        input: &CorrectionInput,
    ) -> Result<CorrectionView> {
        let correction = input.parse(today()).map_err(AppError::Invalid)?;
        if corrections::of_record(tx, target.record_type, target.id)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                Invalid::new("reason", "correction.already_corrected").arg("number", target.number),
            ));
        }
        let summary = format!("冲销 {}", target.number);
        let on = correction.corrected_on;
        let posted = self
            .post_to_ledger_with(tx, |journal| {
                let drafts = reversals(journal, target.id, on, &summary);
                if drafts.is_empty() {
                    return Err(Invalid::new("reason", "correction.nothing_booked").into());
                }
                Ok(drafts)
            })
            .await?;
        let row = CorrectionRow {
            id: Uuid::now_v7(),
            campaign_id: target.campaign,
            record_type: target.record_type.to_owned(),
            record_id: target.id,
            reason: correction.reason,
            corrected_on: on,
            first_seq: posted.first().map(Record::seq).unwrap_or_default(),
            recorded_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        corrections::insert(tx, &row).await?;
        let detail = serde_json::json!({
            "number": target.number, "corrected_on": on.to_string(),
            "reversals": posted.iter().map(Record::seq).collect::<Vec<_>>(),
        });
        let action = match target.record_type {
            "donation" => ("donation_corrected", "donation"),
            _ => ("purchase_corrected", "purchase"),
        };
        audited(tx, caller, action, target.id, detail, row.reason.clone()).await?;
        of_record(tx, target.record_type, target.id)
            .await?
            .ok_or(AppError::NotFound)
    }
}
