//! Waybills (调拨单): goods sent from one station to another — usually the county warehouse to
//! a town station, sometimes between towns or back to the county — and counted in by the
//! receiver.
//!
//! Dispatch (发出) takes every line out of the source into transit under the waybill, at the
//! source's average value; a line beyond what the source holds is refused naming what is
//! available. Receipt (签收) by an officer who keeps the destination puts what arrived into it
//! and writes off any shortfall from transit with its cause (短少, 损坏 …) and a note, so the
//! waybill ends with nothing on the road. Both sides see the waybill; a town that is neither
//! side does not ("not found").

use crate::ledger::Draft;
use crate::stock::{Lookup, audited, check_items, funding, keeps, kept_station, read_scope};
use crate::stock::{running_campaign, site_of, station_named};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::ledger::{
    AdjustmentCause, EntryDraft, Header, Location, MovementKind, Record, Waybill, WaybillLine,
    WaybillStatus,
};
use hearth_core::permission::Permission;
use hearth_core::stock::{ReceiptInput, WaybillInput};
use hearth_core::{Fen, Invalid};
use hearth_store::organizations::PageRequest;
use hearth_store::waybills::{self, WaybillFilter, WaybillLineRow, WaybillRow};
use hearth_store::{Tx, ledger};
use serde::Serialize;
use uuid::Uuid;

const RECORD: &str = "waybill";

/// A waybill as lists, its page and its print view show it.
#[derive(Debug, Clone, Serialize)]
pub struct WaybillView {
    pub id: Uuid,
    /// 调拨单号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub from: AreaCode,
    pub from_name: String,
    pub to: AreaCode,
    pub to_name: String,
    pub status: WaybillStatus,
    pub dispatched_on: NaiveDate,
    pub dispatch_note: String,
    pub dispatched_by: String,
    pub dispatched_at: DateTime<Utc>,
    pub received_on: Option<NaiveDate>,
    pub receipt_note: String,
    pub received_by: String,
    pub lines: Vec<WaybillLineView>,
    /// What the goods were worth when they left.
    pub value: Fen,
    /// On the road, and the caller keeps the destination.
    pub can_receive: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaybillLineView {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    pub value: Fen,
    /// Counted in; `None` until received.
    pub received: Option<i64>,
    /// Dispatched less received, once received.
    pub short: i64,
    pub cause: Option<AdjustmentCause>,
    pub note: String,
}

/// What a waybill list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct WaybillQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// `dispatched` or `received`.
    pub status: Option<String>,
}

fn view(caller: &Caller, names: &Lookup, row: &WaybillRow) -> WaybillView {
    let lines: Vec<WaybillLineView> = row
        .lines
        .iter()
        .map(|l| {
            let (item_name, unit) = names.item(&l.item);
            WaybillLineView {
                item: l.item.clone(),
                item_name,
                unit,
                quantity: l.quantity,
                value: l.value,
                received: l.received,
                short: l.received.map_or(0, |r| l.quantity - r),
                cause: l.shortfall.as_ref().map(|s| s.cause),
                note: l
                    .shortfall
                    .as_ref()
                    .map(|s| s.note.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    WaybillView {
        id: row.id,
        number: row.number.clone(),
        campaign_id: row.campaign_id,
        campaign_code: names.campaign_code(row.campaign_id),
        from: row.from.clone(),
        from_name: names.area(&row.from),
        to: row.to.clone(),
        to_name: names.area(&row.to),
        status: row.status,
        dispatched_on: row.dispatched_on,
        dispatch_note: row.dispatch_note.clone(),
        dispatched_by: names.user(Some(row.dispatched_by)),
        dispatched_at: row.dispatched_at,
        received_on: row.received_on,
        receipt_note: row.receipt_note.clone(),
        received_by: names.user(row.received_by),
        value: lines.iter().map(|l| l.value).sum(),
        lines,
        can_receive: row.status == WaybillStatus::Dispatched && keeps(caller, &row.to),
    }
}

/// The waybill if the caller sees either side of it, else "not found".
async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<WaybillRow> {
    let scope = read_scope(caller)?;
    waybills::get(tx, id)
        .await?
        .filter(|w| w.from.is_within(&scope) || w.to.is_within(&scope))
        .ok_or(AppError::NotFound)
}

/// The value each item left with, from the posted `transfer_out` movements.
fn dispatched_values(records: &[Record]) -> impl Fn(&str) -> Fen + '_ {
    move |item| {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Movement(m)
                    if m.draft.kind == MovementKind::TransferOut && m.draft.item == item =>
                {
                    Some(m.draft.value)
                }
                _ => None,
            })
            .sum()
    }
}

/// The destination of a waybill: a station on the area tree in the caller's county (goods do
/// not leave a county's books by waybill; another county's stations are as unknown as ones that
/// do not exist).
async fn destination(tx: &mut Tx, caller: &Caller, to: &Location) -> Result<AreaCode> {
    let missing = || Invalid::new("to", "stock.no_station");
    let area = site_of(to).ok_or_else(missing)?;
    let county = caller
        .user
        .area_code
        .as_ref()
        .and_then(|own| own.ancestor_at(AreaLevel::County));
    let in_county = county.is_some_and(|county| area.is_within(&county));
    match station_named(tx, area).await? {
        Some(_) if in_county => Ok(area.clone()),
        _ => Err(missing().arg("value", area).into()),
    }
}

/// A refusal of a receipt named as the receipt form names its fields: the shortfall of the
/// waybill's `i`-th line is its cause and note (the form lists the lines in waybill order).
fn on_form(refusal: Invalid) -> Invalid {
    let field = refusal.field();
    let renamed = if let Some(line) = field.strip_suffix(".shortfall.note") {
        format!("{line}.note")
    } else if let Some(line) = field.strip_suffix(".shortfall") {
        format!("{line}.cause")
    } else {
        return refusal;
    };
    Invalid(hearth_core::Notice {
        field: renamed,
        ..refusal.0
    })
}

impl App {
    /// 调拨发出: sends goods from a station the caller keeps to another station, taking them
    /// into transit at once. A line beyond what the source holds is refused naming what is
    /// available.
    pub async fn dispatch_waybill(
        &self,
        caller: &Caller,
        input: &WaybillInput,
    ) -> Result<WaybillView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let from = kept_station(&mut tx, caller, "from", &profile.from).await?;
        let to = destination(&mut tx, caller, &profile.to).await?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        check_items(&mut tx, &profile.lines).await?;
        let id = Uuid::now_v7();
        let waybill = Waybill::new(id, profile.from.clone(), profile.to.clone(), profile.lines)
            .map_err(AppError::Invalid)?;
        let number = waybills::next_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        let mut header = Header::new(profile.dispatched_on, campaign.id);
        header.town = profile.to.town().or(profile.from.town()).cloned();
        header.source = Some(id);
        header.summary = number.clone();
        let posted = self
            .post_to_ledger_with(&mut tx, |journal| {
                let out = waybill.dispatch(journal.stock(campaign.id), &header);
                Ok(out
                    .map_err(AppError::Invalid)?
                    .into_iter()
                    .map(Draft::Movement)
                    .collect())
            })
            .await?;
        let value_of = dispatched_values(&posted);
        let row = WaybillRow {
            id,
            number,
            campaign_id: campaign.id,
            from,
            to,
            status: WaybillStatus::Dispatched,
            dispatched_on: profile.dispatched_on,
            dispatch_note: profile.note,
            dispatched_by: caller.user.id,
            dispatched_at: hearth_store::now(),
            received_on: None,
            receipt_note: String::new(),
            received_by: None,
            received_at: None,
            lines: waybill
                .lines
                .iter()
                .map(|l| WaybillLineRow {
                    item: l.item.clone(),
                    quantity: l.quantity,
                    value: value_of(&l.item),
                    received: None,
                    shortfall: None,
                })
                .collect(),
        };
        waybills::insert(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "number": row.number, "from": row.from.as_str(), "to": row.to.as_str(),
            "lines": row.lines.iter().map(|l| (l.item.clone(), l.quantity)).collect::<Vec<_>>(),
        });
        audited(
            &mut tx,
            caller,
            ("waybill_dispatched", RECORD),
            id,
            detail,
            String::new(),
        )
        .await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// 调拨签收: the destination counts the goods in. What arrived enters its stock; every
    /// shortfall needs its cause and is written off from transit. A waybill is received once.
    pub async fn receive_waybill(
        &self,
        caller: &Caller,
        id: Uuid,
        input: &ReceiptInput,
    ) -> Result<WaybillView> {
        caller.require(Permission::ManageStock)?;
        let receipt = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let row = visible(&mut tx, caller, id).await?;
        if !keeps(caller, &row.to) {
            return Err(AppError::Forbidden);
        }
        if receipt.received_on < row.dispatched_on {
            return Err(
                Invalid::new("received_on", "stock.received_before_dispatch")
                    .arg("dispatched", row.dispatched_on)
                    .into(),
            );
        }
        let on_paper = (receipt.received_on, receipt.note.as_str());
        if !waybills::mark_received(
            &mut tx,
            id,
            on_paper,
            (caller.user.id, hearth_store::now()),
            &receipt.lines,
        )
        .await?
        {
            return Err(AppError::Conflict(Invalid::new(
                "status",
                "ledger.waybill.received_already",
            )));
        }
        let waybill = Waybill {
            id,
            from: Location::Site(row.from.clone()),
            to: Location::Site(row.to.clone()),
            lines: row
                .lines
                .iter()
                .map(|l| WaybillLine {
                    item: l.item.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            status: row.status,
        };
        let mut header = Header::new(receipt.received_on, row.campaign_id);
        header.town = waybill.to.town().or(waybill.from.town()).cloned();
        header.source = Some(id);
        header.summary = row.number.clone();
        self.post_to_ledger_with(&mut tx, |journal| {
            let book = journal.stock(row.campaign_id);
            let mut moved = waybill
                .receive(book, &header, &receipt.lines, caller.user.id)
                .map_err(|e| AppError::Invalid(e.into_iter().map(on_form).collect()))?;
            let lost: Fen = moved
                .iter()
                .filter(|m| m.kind == MovementKind::Adjustment)
                .map(|m| m.value)
                .sum();
            let mut booked = header.clone();
            booked.designation = funding(journal, &booked, lost, false);
            for movement in &mut moved {
                movement.header = booked.clone();
            }
            let entry = EntryDraft::booking(booked, &moved)?;
            Ok(moved
                .into_iter()
                .map(Draft::Movement)
                .chain(entry.map(Draft::Entry))
                .collect())
        })
        .await?;
        let short: Vec<_> = receipt
            .lines
            .iter()
            .filter(|l| l.shortfall.is_some())
            .map(|l| l.item.clone())
            .collect();
        let detail = serde_json::json!({"number": row.number, "short": short});
        audited(
            &mut tx,
            caller,
            ("waybill_received", RECORD),
            id,
            detail,
            String::new(),
        )
        .await?;
        let row = waybills::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(caller, &names, &row))
    }

    /// Waybills from or to the stations the caller sees, the latest first, and how many match.
    pub async fn waybills(
        &self,
        caller: &Caller,
        query: &WaybillQuery,
        page: PageRequest,
    ) -> Result<(Vec<WaybillView>, i64)> {
        let scope = read_scope(caller)?;
        let mut tx = self.store().read().await?;
        let mut filter = WaybillFilter {
            touching: Some(scope),
            ..WaybillFilter::default()
        };
        match crate::stock::campaign_filter(&mut tx, &query.campaign).await? {
            Some(Some(id)) => filter.campaign = Some(id),
            Some(None) => filter.nothing = true,
            None => {}
        }
        filter.status = crate::needs::given(&query.status)
            .map(WaybillStatus::parse)
            .transpose()?;
        let (rows, total) = waybills::search(&mut tx, &filter, page).await?;
        let names = Lookup::load(&mut tx).await?;
        Ok((
            rows.iter().map(|r| view(caller, &names, r)).collect(),
            total,
        ))
    }

    /// One waybill, if the caller sees either side of it.
    pub async fn waybill(&self, caller: &Caller, id: Uuid) -> Result<WaybillView> {
        let mut tx = self.store().read().await?;
        let row = visible(&mut tx, caller, id).await?;
        let names = Lookup::load(&mut tx).await?;
        Ok(view(caller, &names, &row))
    }
}
