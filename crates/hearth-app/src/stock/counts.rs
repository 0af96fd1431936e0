//! Stock counts (盘点): an officer counts what a station holds and records each item's
//! quantity beside the book's. The count stays pending until a second officer who keeps the
//! station approves it; only then is every difference posted as a `count` movement (fewer:
//! written off at the station's average value; more: found, at the catalogue's reference
//! value), or it is refused with a reason. A count describes the stock as it was: if goods
//! moved at the station since it was taken, approval is refused and the station counts again.

use super::adjustments::{PaperQuery, decidable, may_decide, paper_filter};
use super::{Lookup, audited, check_items, funding, kept_station, running_campaign};
use crate::ledger::Draft;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::ledger::{
    Adjustment, AdjustmentCause, EntryDraft, Header, Journal, Location, MovementDraft,
};
use hearth_core::permission::Permission;
use hearth_core::stock::{CountInput, ReviewStatus, review};
use hearth_core::{Fen, Invalid};
use hearth_store::stock::{self, CountLine, CountRow, Review};
use hearth_store::{items, ledger};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

const RECORD: &str = "stock_count";

/// A count as lists and its page show it.
#[derive(Debug, Clone, Serialize)]
pub struct CountView {
    pub id: Uuid,
    /// 盘点单号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub station: AreaCode,
    pub station_name: String,
    pub counted_on: NaiveDate,
    pub note: String,
    pub status: ReviewStatus,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    pub checked_by: String,
    pub checked_at: Option<DateTime<Utc>>,
    pub reject_reason: String,
    pub lines: Vec<CountLineView>,
    /// Pending, at a station the caller keeps, counted by someone else.
    pub can_decide: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountLineView {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    /// On hand in the books when counted.
    pub book: i64,
    pub counted: i64,
    /// Counted less book: negative is a loss (盘亏), positive goods found (盘盈).
    pub difference: i64,
}

fn view(caller: &Caller, names: &Lookup, row: &CountRow) -> CountView {
    CountView {
        id: row.id,
        number: row.number.clone(),
        campaign_id: row.campaign_id,
        campaign_code: names.campaign_code(row.campaign_id),
        station: row.station.clone(),
        station_name: names.area(&row.station),
        counted_on: row.counted_on,
        note: row.note.clone(),
        status: row.review.status,
        made_by: names.user(Some(row.review.made_by)),
        made_at: row.review.made_at,
        checked_by: names.user(row.review.checked_by),
        checked_at: row.review.checked_at,
        reject_reason: row.review.reject_reason.clone(),
        lines: row
            .lines
            .iter()
            .map(|l| {
                let (item_name, unit) = names.item(&l.item);
                CountLineView {
                    item: l.item.clone(),
                    item_name,
                    unit,
                    book: l.book,
                    counted: l.counted,
                    difference: l.counted - l.book,
                }
            })
            .collect(),
        can_decide: may_decide(caller, &row.station, row.review.made_by, row.review.status),
    }
}

/// The movements and entries an approved count posts: the losses and their entry, then the
/// goods found and theirs (an entry books one direction only). Refused on the first line whose
/// book moved since the count.
fn drafts(
    journal: &Journal,
    row: &CountRow,
    checker: Uuid,
    unit_values: &HashMap<String, Fen>,
) -> Result<Vec<Draft>> {
    let site = Location::Site(row.station.clone());
    let mut header = Header::new(row.counted_on, row.campaign_id);
    header.town = site.town().cloned();
    header.source = Some(row.id);
    header.summary = row.number.clone();
    let adjustment = Adjustment {
        cause: AdjustmentCause::Miscount,
        note: row.note.clone(),
        maker: row.review.made_by,
        checker: Some(checker),
    };
    let book = journal.stock(row.campaign_id);
    let mut moved = Vec::new();
    for (i, line) in row.lines.iter().enumerate() {
        let now = book.on_hand(&site, &line.item);
        if now != line.book {
            return Err(
                Invalid::new(format!("lines[{i}].counted"), "stock.count_stale")
                    .arg("item", &line.item)
                    .arg("book", line.book)
                    .arg("now", now)
                    .into(),
            );
        }
        let unit = unit_values.get(&line.item).copied().unwrap_or(Fen::ZERO);
        let counted = book.count(
            header.clone(),
            site.clone(),
            &line.item,
            line.counted,
            unit,
            adjustment.clone(),
        );
        moved.extend(counted.map_err(|e| e.within(&format!("lines[{i}]")))?);
    }
    let (losses, gains): (Vec<MovementDraft>, Vec<MovementDraft>) =
        moved.into_iter().partition(|m| m.from.is_some());
    let mut out = Vec::new();
    for (mut movements, lost) in [(losses, true), (gains, false)] {
        let value: Fen = movements.iter().map(|m| m.value).sum();
        let mut booked = header.clone();
        // Goods found belong to the campaign at large; goods lost leave whoever holds them.
        if lost {
            booked.designation = funding(journal, &booked, value, false);
        }
        for movement in &mut movements {
            movement.header = booked.clone();
        }
        let entry = EntryDraft::booking(booked, &movements)?;
        out.extend(movements.into_iter().map(Draft::Movement));
        out.extend(entry.map(Draft::Entry));
    }
    Ok(out)
}

impl App {
    /// 盘点: records the quantities counted at a station the caller keeps, beside the book's,
    /// pending a second officer's check.
    pub async fn record_count(&self, caller: &Caller, input: &CountInput) -> Result<CountView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let station = kept_station(&mut tx, caller, "station", &profile.station).await?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        check_items(&mut tx, &profile.lines).await?;
        let journal = self.journal(&mut tx).await?;
        let book = journal.stock(campaign.id);
        let row = CountRow {
            id: Uuid::now_v7(),
            number: stock::next_count_number(&mut tx, campaign.id, &campaign.profile.code).await?,
            campaign_id: campaign.id,
            station,
            counted_on: profile.counted_on,
            note: profile.note,
            review: Review::pending(caller.user.id, hearth_store::now()),
            lines: profile
                .lines
                .into_iter()
                .map(|l| CountLine {
                    book: book.on_hand(&profile.station, &l.item),
                    item: l.item,
                    counted: l.quantity,
                })
                .collect(),
        };
        stock::insert_count(&mut tx, &row).await?;
        let differences: i64 = row.lines.iter().filter(|l| l.counted != l.book).count() as i64;
        let detail = serde_json::json!({
            "number": row.number, "station": row.station.as_str(),
            "lines": row.lines.len(), "differences": differences,
        });
        audited(
            &mut tx,
            caller,
            ("stock_count_recorded", RECORD),
            row.id,
            detail,
            String::new(),
        )
        .await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// 复核: a second officer approves a pending count (its differences are posted) or refuses
    /// it with a reason.
    pub async fn decide_count(
        &self,
        caller: &Caller,
        id: Uuid,
        approve: bool,
        reason: &str,
    ) -> Result<CountView> {
        caller.require(Permission::ManageStock)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let mut row = stock::count(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        decidable(caller, &row.station)?;
        let (status, reason) = review(
            row.review.status,
            row.review.made_by,
            caller.user.id,
            approve,
            reason,
        )?;
        row.review = Review {
            status,
            checked_by: Some(caller.user.id),
            checked_at: Some(hearth_store::now()),
            reject_reason: reason.clone(),
            ..row.review
        };
        if approve {
            let unit_values: HashMap<String, Fen> = items::list(&mut tx, true)
                .await?
                .into_iter()
                .map(|i| (i.code, i.reference_value))
                .collect();
            self.post_to_ledger_with(&mut tx, |journal| {
                drafts(journal, &row, caller.user.id, &unit_values)
            })
            .await?;
        }
        if !stock::decide_count(&mut tx, id, &row.review).await? {
            return Err(AppError::Conflict(Invalid::new(
                "status",
                "stock.reviewed_already",
            )));
        }
        let action = if approve {
            "stock_count_approved"
        } else {
            "stock_count_rejected"
        };
        let detail = serde_json::json!({"number": row.number});
        audited(&mut tx, caller, (action, RECORD), row.id, detail, reason).await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// Counts at the stations the caller sees, the latest first.
    pub async fn counts(&self, caller: &Caller, query: &PaperQuery) -> Result<Vec<CountView>> {
        let mut tx = self.store().read().await?;
        let filter = paper_filter(&mut tx, caller, query).await?;
        let rows = stock::counts(&mut tx, &filter).await?;
        let names = Lookup::load(&mut tx).await?;
        Ok(rows.iter().map(|row| view(caller, &names, row)).collect())
    }
}
