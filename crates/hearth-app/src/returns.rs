//! Goods a household gives back (退回): one item returned to a station, booked as a `return`
//! movement into the station and the `return` entry that takes its value off what was
//! delivered, in the transaction that records the paper.
//!
//! Who: whoever keeps the station the goods go back to (the county its warehouse and any town
//! station, a town officer the town's own), for a household of that town, or of any town for the
//! county warehouse. The goods come back at the value they were handed over at (the average of
//! what the household received of that item, net of earlier returns), under the designation
//! that paid for them; more than the household received, net of returns, is refused naming
//! what it received.

use crate::ledger::Draft;
use crate::stock::{Lookup, audited, kept_station, read_scope, running_campaign};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::ledger::{
    Designation, EntryDraft, Header, Journal, Location, MovementDraft, MovementKind, Record,
};
use hearth_core::permission::Permission;
use hearth_core::stock::returns::ReturnInput;
use hearth_core::{Fen, Invalid};
use hearth_store::households;
use hearth_store::ledger;
use hearth_store::organizations::PageRequest;
use hearth_store::returns::{self, ReturnFilter, ReturnRow};
use serde::Serialize;
use uuid::Uuid;

/// One return as lists and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnView {
    pub id: Uuid,
    /// 退回单号, e.g. `NDXD-DEMO-R0001`.
    pub number: String,
    pub campaign_code: String,
    pub household_id: Uuid,
    pub village_name: String,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// What the goods were worth handed over, now back in stock.
    pub value: Fen,
    pub returned_on: NaiveDate,
    pub reason: String,
    pub handler: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

fn view(names: &Lookup, row: &ReturnRow) -> ReturnView {
    let (item_name, unit) = names.item(&row.item);
    ReturnView {
        id: row.id,
        number: row.number.clone(),
        campaign_code: names.campaign_code(row.campaign_id),
        household_id: row.household_id,
        village_name: names.area(&row.village),
        station_name: names.area(&row.station),
        item: row.item.clone(),
        item_name,
        unit,
        quantity: row.quantity,
        value: row.value,
        returned_on: row.returned_on,
        reason: row.reason.clone(),
        handler: row.handler.clone(),
        recorded_by: names.user(Some(row.recorded_by)),
        created_at: row.created_at,
    }
}

/// What the household holds of `item` from this campaign (units and value handed over, net of
/// returns) and the designation of the last handover, which the return credits back.
fn received(
    journal: &Journal,
    campaign: Uuid,
    household: Uuid,
    item: &str,
) -> (i64, Fen, Designation) {
    let mut held = (0i64, Fen::ZERO);
    let mut designation = Designation::Campaign;
    for record in journal.records() {
        let Record::Movement(m) = record else {
            continue;
        };
        let d = &m.draft;
        if d.header.campaign != campaign || d.header.household != Some(household) || d.item != item
        {
            continue;
        }
        let handed = d.handed_to_household();
        if handed == 0 {
            continue;
        }
        if handed > 0 {
            held = (held.0 + handed, held.1 + d.value);
            if d.kind == MovementKind::Distribution && d.reverses.is_none() {
                designation = d.header.designation.clone();
            }
        } else {
            held = (held.0 + handed, held.1 - d.value);
        }
    }
    (held.0, held.1, designation)
}

/// The return's movement and entry, at the household's average value of the item.
fn return_drafts(
    journal: &Journal,
    header: &Header,
    station: &Location,
    item: &str,
    quantity: i64,
) -> Result<Vec<Draft>> {
    let household = header.household.ok_or(AppError::NotFound)?;
    let (units, value, designation) = received(journal, header.campaign, household, item);
    if quantity > units {
        return Err(Invalid::new("quantity", "ledger.stock.return_exceeds")
            .arg("delivered", units.max(0))
            .into());
    }
    let share = Fen::new(value.fen().saturating_mul(quantity) / units.max(1));
    let booked = Header {
        designation,
        ..header.clone()
    };
    let movement = MovementDraft::inbound(
        booked.clone(),
        MovementKind::Return,
        station.clone(),
        item,
        quantity,
        share,
    );
    let entry = EntryDraft::booking(booked, std::slice::from_ref(&movement))?;
    Ok(std::iter::once(Draft::Movement(movement))
        .chain(entry.map(Draft::Entry))
        .collect())
}

impl App {
    /// 退回: goods a household gives back to a station the caller keeps; see the module notes.
    pub async fn record_return(&self, caller: &Caller, input: &ReturnInput) -> Result<ReturnView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let household = households::get(&mut tx, profile.household)
            .await?
            .filter(|h| {
                let area = caller.user.area_code.as_ref();
                area.is_some_and(|a| h.village.is_within(a))
            })
            .ok_or_else(|| Invalid::new("household", "stock.household_unknown"))?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        crate::stock::catalogue_item(&mut tx, "item", &profile.item).await?;
        let site = Location::Site(
            profile
                .station
                .clone()
                .unwrap_or_else(|| household.town.clone()),
        );
        let station = kept_station(&mut tx, caller, "station", &site).await?;
        let id = Uuid::now_v7();
        let number = returns::next_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        let mut header = Header::new(profile.returned_on, campaign.id);
        header.town = Some(household.town.clone());
        header.household = Some(household.id);
        header.source = Some(id);
        header.summary = number.clone();
        let posted = self
            .post_to_ledger_with(&mut tx, |journal| {
                return_drafts(journal, &header, &site, &profile.item, profile.quantity)
            })
            .await?;
        let Some(Record::Movement(movement)) = posted.first() else {
            return Err(AppError::NotFound);
        };
        let row = ReturnRow {
            id,
            number,
            campaign_id: campaign.id,
            household_id: household.id,
            village: household.village.clone(),
            station,
            item: profile.item.clone(),
            quantity: profile.quantity,
            value: movement.draft.value,
            returned_on: profile.returned_on,
            reason: profile.reason,
            handler: profile.handler,
            movement_seq: movement.seq,
            recorded_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        returns::insert(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "number": row.number, "household": row.household_id.to_string(),
            "station": row.station.as_str(), "item": row.item, "quantity": row.quantity,
            "value": row.value.yuan_string(), "movement_seq": row.movement_seq,
        });
        let event = ("return_recorded", "household_return");
        audited(&mut tx, caller, event, row.id, detail, row.reason.clone()).await?;
        let names = Lookup::load(&mut tx).await?;
        tx.commit().await?;
        Ok(view(&names, &row))
    }

    /// Returns from households in the caller's area, the latest first, and how many match.
    pub async fn returns(
        &self,
        caller: &Caller,
        campaign: &Option<String>,
        page: PageRequest,
    ) -> Result<(Vec<ReturnView>, i64)> {
        let scope = read_scope(caller)?;
        let mut filter = ReturnFilter {
            within: Some(scope),
            ..ReturnFilter::default()
        };
        let mut tx = self.store().read().await?;
        match crate::stock::campaign_filter(&mut tx, campaign).await? {
            Some(Some(id)) => filter.campaign = Some(id),
            Some(None) => filter.nothing = true,
            None => {}
        }
        let (rows, total) = returns::search(&mut tx, &filter, page).await?;
        let names = Lookup::load(&mut tx).await?;
        Ok((rows.iter().map(|r| view(&names, r)).collect(), total))
    }
}
