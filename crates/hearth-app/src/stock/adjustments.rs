//! Adjustments (报损/盘盈): goods written off at a station (damaged, spoiled, lost) or found
//! there, one item at a time. One officer records the paper; it stays pending, out of the
//! books, until a second officer who keeps the same station approves it (then it is posted) or
//! refuses it with a reason (maker-checker, as the ledger requires of every adjustment at a
//! station). A write-off beyond what is on hand is refused when recorded and again when
//! approved, naming what is available; goods found are valued at the catalogue's reference
//! value.

use super::{
    Lookup, audited, catalogue_item, funding, keeps, kept_station, read_scope, running_campaign,
};
use crate::ledger::Draft;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::ledger::{
    Adjustment, AdjustmentCause, EntryDraft, Header, Journal, Location, MovementDraft,
    MovementKind, Record,
};
use hearth_core::permission::Permission;
use hearth_core::stock::{AdjustmentInput, Direction, ReviewStatus, review};
use hearth_core::{Fen, Invalid};
use hearth_store::stock::{self, AdjustmentRow, PaperFilter, Review};
use hearth_store::{Tx, ledger};
use serde::Serialize;
use uuid::Uuid;

const RECORD: &str = "stock_adjustment";

/// An adjustment as lists and its page show it.
#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentView {
    pub id: Uuid,
    /// 调整单号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub station: AreaCode,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub direction: Direction,
    pub quantity: i64,
    pub cause: AdjustmentCause,
    pub note: String,
    pub made_on: NaiveDate,
    pub status: ReviewStatus,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    pub checked_by: String,
    pub checked_at: Option<DateTime<Utc>>,
    pub reject_reason: String,
    /// What the books moved: zero until approved.
    pub value: Fen,
    /// Pending, at a station the caller keeps, recorded by someone else.
    pub can_decide: bool,
}

/// What a list of adjustments or counts is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PaperQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A station's area code.
    pub station: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: Option<String>,
}

/// The stored filter for a list in the caller's scope.
pub(crate) async fn paper_filter(
    tx: &mut Tx,
    caller: &Caller,
    query: &PaperQuery,
) -> Result<PaperFilter> {
    let scope = read_scope(caller)?;
    let mut filter = PaperFilter {
        within: Some(scope.clone()),
        ..PaperFilter::default()
    };
    if let Some(raw) = crate::needs::given(&query.station) {
        let station = AreaCode::parse(raw).map_err(|e| e.within("station"))?;
        filter.nothing = !station.is_within(&scope);
        filter.within = Some(station);
    }
    match super::campaign_filter(tx, &query.campaign).await? {
        Some(Some(id)) => filter.campaign = Some(id),
        Some(None) => filter.nothing = true,
        None => {}
    }
    filter.status = crate::needs::given(&query.status)
        .map(ReviewStatus::parse)
        .transpose()?;
    Ok(filter)
}

/// Whether `caller` may decide a paper of `station` made by `maker`, now `status`.
pub(crate) fn may_decide(
    caller: &Caller,
    station: &AreaCode,
    maker: Uuid,
    status: ReviewStatus,
) -> bool {
    status == ReviewStatus::Pending && maker != caller.user.id && keeps(caller, station)
}

fn view(caller: &Caller, names: &Lookup, row: &AdjustmentRow) -> AdjustmentView {
    let (item_name, unit) = names.item(&row.item);
    AdjustmentView {
        id: row.id,
        number: row.number.clone(),
        campaign_id: row.campaign_id,
        campaign_code: names.campaign_code(row.campaign_id),
        station: row.station.clone(),
        station_name: names.area(&row.station),
        item: row.item.clone(),
        item_name,
        unit,
        direction: row.direction,
        quantity: row.quantity,
        cause: row.cause,
        note: row.note.clone(),
        made_on: row.made_on,
        status: row.review.status,
        made_by: names.user(Some(row.review.made_by)),
        made_at: row.review.made_at,
        checked_by: names.user(row.review.checked_by),
        checked_at: row.review.checked_at,
        reject_reason: row.review.reject_reason.clone(),
        value: row.value,
        can_decide: may_decide(caller, &row.station, row.review.made_by, row.review.status),
    }
}

/// The paper the caller may decide on: "not found" outside what they see, refused at a
/// station they do not keep.
pub(crate) fn decidable(caller: &Caller, station: &AreaCode) -> Result<()> {
    let scope = read_scope(caller)?;
    if !station.is_within(&scope) {
        return Err(AppError::NotFound);
    }
    if !keeps(caller, station) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The movement and entry an approved adjustment posts, valued against `journal`.
fn drafts(
    journal: &Journal,
    row: &AdjustmentRow,
    checker: Uuid,
    unit_value: Fen,
) -> Result<Vec<Draft>> {
    let site = Location::Site(row.station.clone());
    let mut header = Header::new(row.made_on, row.campaign_id);
    header.town = site.town().cloned();
    header.source = Some(row.id);
    header.summary = row.number.clone();
    let adjustment = Adjustment {
        cause: row.cause,
        note: row.note.clone(),
        maker: row.review.made_by,
        checker: Some(checker),
    };
    let book = journal.stock(row.campaign_id);
    let mut movement = match row.direction {
        Direction::Loss => {
            book.write_off(header.clone(), site, &row.item, row.quantity, adjustment)?
        }
        Direction::Gain => {
            let value = unit_value
                .fen()
                .checked_mul(row.quantity)
                .ok_or_else(|| Invalid::new("quantity", "ledger.movement.value"))?;
            let found = MovementDraft {
                adjustment: Some(adjustment),
                ..MovementDraft::inbound(
                    header.clone(),
                    MovementKind::Adjustment,
                    site,
                    &row.item,
                    row.quantity,
                    Fen::new(value),
                )
            };
            found.validate()?;
            found
        }
    };
    // Goods found belong to the campaign at large; goods lost leave whoever holds them.
    if row.direction == Direction::Loss {
        header.designation = funding(journal, &header, movement.value, false);
    }
    movement.header = header.clone();
    let entry = EntryDraft::booking(header, std::slice::from_ref(&movement))?;
    Ok(std::iter::once(Draft::Movement(movement))
        .chain(entry.map(Draft::Entry))
        .collect())
}

/// The value the first movement among `records` carried.
pub(crate) fn moved_value(records: &[Record]) -> Fen {
    records
        .iter()
        .find_map(|r| match r {
            Record::Movement(m) => Some(m.draft.value),
            Record::Entry(_) => None,
        })
        .unwrap_or(Fen::ZERO)
}

impl App {
    /// 报损/盘盈: records an adjustment at a station the caller keeps, pending a second
    /// officer's check. A write-off beyond what is on hand is refused naming what is available.
    pub async fn record_adjustment(
        &self,
        caller: &Caller,
        input: &AdjustmentInput,
    ) -> Result<AdjustmentView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let station = kept_station(&mut tx, caller, "station", &profile.station).await?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        catalogue_item(&mut tx, "item", &profile.item).await?;
        if profile.direction == Direction::Loss {
            let journal = self.journal(&mut tx).await?;
            let book = journal.stock(campaign.id);
            book.take(&profile.station, &profile.item, profile.quantity)?;
        }
        let row = AdjustmentRow {
            id: Uuid::now_v7(),
            number: stock::next_adjustment_number(&mut tx, campaign.id, &campaign.profile.code)
                .await?,
            campaign_id: campaign.id,
            station,
            item: profile.item,
            direction: profile.direction,
            quantity: profile.quantity,
            cause: profile.cause,
            note: profile.note,
            made_on: profile.made_on,
            review: Review::pending(caller.user.id, hearth_store::now()),
            value: Fen::ZERO,
        };
        stock::insert_adjustment(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "number": row.number, "station": row.station.as_str(), "item": row.item,
            "direction": row.direction.as_str(), "quantity": row.quantity,
            "cause": row.cause.as_str(),
        });
        audited(
            &mut tx,
            caller,
            ("stock_adjustment_recorded", RECORD),
            row.id,
            detail,
            String::new(),
        )
        .await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// 复核: a second officer approves a pending adjustment (it is posted to the ledger) or
    /// refuses it with a reason. The maker never checks their own paper.
    pub async fn decide_adjustment(
        &self,
        caller: &Caller,
        id: Uuid,
        approve: bool,
        reason: &str,
    ) -> Result<AdjustmentView> {
        caller.require(Permission::ManageStock)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let mut row = stock::adjustment(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        decidable(caller, &row.station)?;
        let (status, reason) = review(
            row.review.status,
            row.review.made_by,
            caller.user.id,
            approve,
            reason,
        )?;
        let now = hearth_store::now();
        row.review = Review {
            status,
            checked_by: Some(caller.user.id),
            checked_at: Some(now),
            reject_reason: reason.clone(),
            ..row.review
        };
        if approve {
            let item = catalogue_item(&mut tx, "item", &row.item).await?;
            let posted = self
                .post_to_ledger_with(&mut tx, |journal| {
                    drafts(journal, &row, caller.user.id, item.reference_value)
                })
                .await?;
            row.value = moved_value(&posted);
        }
        if !stock::decide_adjustment(&mut tx, id, &row.review, row.value).await? {
            return Err(AppError::Conflict(Invalid::new(
                "status",
                "stock.reviewed_already",
            )));
        }
        let action = if approve {
            "stock_adjustment_approved"
        } else {
            "stock_adjustment_rejected"
        };
        let detail = serde_json::json!({"number": row.number, "value": row.value.yuan_string()});
        audited(&mut tx, caller, (action, RECORD), row.id, detail, reason).await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// Adjustments at the stations the caller sees, the latest first.
    pub async fn adjustments(
        &self,
        caller: &Caller,
        query: &PaperQuery,
    ) -> Result<Vec<AdjustmentView>> {
        let mut tx = self.store().read().await?;
        let filter = paper_filter(&mut tx, caller, query).await?;
        let rows = stock::adjustments(&mut tx, &filter).await?;
        let names = Lookup::load(&mut tx).await?;
        Ok(rows.iter().map(|row| view(caller, &names, row)).collect())
    }
}
