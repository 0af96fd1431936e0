//! Purchases (采购) paid from campaign funds: the county bureau, which holds the money, records
//! the supplier's invoice and the goods received at the county warehouse or a town station.
//! Each purchase is one `purchase` entry (cash spent, goods of that value in stock) and one
//! `purchase` movement per line into the station's stock, posted with the record in one
//! transaction. The ledger refuses a purchase the designation's cash does not cover, or one the
//! designation may not pay for (a town's designated money buys only for that town's station);
//! its refusal is returned as it is, naming the field and what is available.
//!
//! Who reads: the county and auditors every purchase, a town those received at its station or
//! paid from its designated funds.

use crate::donations::{
    DesignationView, Names, active_item, county_of, header, is_officer, open_campaign,
    resolve_designation, resolve_station,
};
use crate::ledger::Draft;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::ledger::{EntryDraft, Location, MovementDraft, MovementKind, Record};
use hearth_core::permission::Permission;
use hearth_core::purchase::{PurchaseInput, PurchaseProfile, total};
use hearth_core::role::Role;
use hearth_core::{Fen, Invalid};
use hearth_store::Tx;
use hearth_store::organizations::PageRequest;
use hearth_store::purchases::{self, Purchase, PurchaseFilter, PurchaseRow, PurchasedLine};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseLineView {
    pub item: String,
    pub item_name: String,
    pub item_name_en: String,
    pub unit: String,
    pub quantity: u32,
    pub unit_price: Fen,
    pub value: Fen,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseView {
    pub id: Uuid,
    /// 采购编号, e.g. `CG-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub campaign_name: String,
    pub supplier: String,
    pub invoice_number: String,
    pub purchased_on: NaiveDate,
    pub station: AreaCode,
    pub station_name: String,
    /// Whose funds paid.
    pub designation: DesignationView,
    pub amount: Fen,
    /// The amount in Chinese capitals.
    pub amount_capitals: String,
    pub lines: Vec<PurchaseLineView>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// Set when the purchase was reversed (冲销) as recorded wrongly.
    pub correction: Option<crate::corrections::CorrectionView>,
}

/// A page of purchases and how many match in all.
#[derive(Debug, Clone, Serialize)]
pub struct PurchasePage {
    pub rows: Vec<PurchaseView>,
    pub total: i64,
}

/// What the caller may see of purchases, or a refusal.
fn scope(caller: &Caller) -> Result<PurchaseFilter> {
    caller.require(Permission::ReadPurchases)?;
    let mut filter = PurchaseFilter {
        campaigns_of: caller.area_scope()?.cloned(),
        ..PurchaseFilter::default()
    };
    if caller.user.role == Role::TownOfficer {
        filter.town = Some(
            caller
                .user
                .area_code
                .as_ref()
                .and_then(|a| a.ancestor_at(AreaLevel::Town))
                .ok_or(AppError::Forbidden)?,
        );
    }
    Ok(filter)
}

fn in_scope(filter: &PurchaseFilter, p: &PurchaseRow) -> bool {
    filter.town.as_ref().is_none_or(|town| {
        &p.station == town || p.designation == hearth_core::ledger::Designation::Town(town.clone())
    })
}

async fn views(tx: &mut Tx, caller: &Caller, list: &[Purchase]) -> Result<Vec<PurchaseView>> {
    let names = Names::load(tx).await?;
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        let row = &p.row;
        let (campaign_code, campaign_name) = names.campaign(row.campaign_id);
        let lines = p
            .lines
            .iter()
            .map(|bought| {
                let l = &bought.line;
                let (item_name, item_name_en, unit) = names.item(&l.item);
                PurchaseLineView {
                    item: l.item.clone(),
                    item_name,
                    item_name_en,
                    unit,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    value: l.value(),
                }
            })
            .collect();
        out.push(PurchaseView {
            id: row.id,
            number: row.number.clone(),
            campaign_id: row.campaign_id,
            campaign_code,
            campaign_name,
            supplier: row.supplier.clone(),
            invoice_number: row.invoice_number.clone(),
            purchased_on: row.purchased_on,
            station: row.station.clone(),
            station_name: names.area(&row.station),
            designation: names
                .designation(tx, &row.designation, is_officer(caller))
                .await?,
            amount: row.amount,
            amount_capitals: row.amount.chinese_capitals(),
            lines,
            note: row.note.clone(),
            created_at: row.created_at,
            correction: crate::corrections::of_record(tx, "purchase", row.id).await?,
        });
    }
    Ok(out)
}

async fn audit(tx: &mut Tx, caller: &Caller, p: &Purchase) -> Result<()> {
    let actor = caller.actor();
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action: "purchase_recorded",
            record_type: "purchase",
            record_id: p.row.id.to_string(),
            detail: serde_json::json!({
                "number": p.row.number,
                "supplier": p.row.supplier,
                "invoice_number": p.row.invoice_number,
                "amount_fen": p.row.amount.fen(),
                "designation": p.row.designation.to_string(),
                "station": p.row.station.to_string(),
                "entry_seq": p.row.entry_seq,
                "lines": p.lines.len(),
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Records a purchase and books it in the ledger, all in one transaction (the county).
    pub async fn record_purchase(
        &self,
        caller: &Caller,
        input: &PurchaseInput,
    ) -> Result<PurchaseView> {
        self.record_purchase_on(caller, input, today()).await
    }

    /// [`App::record_purchase`] as on `today` (the day of purchase may not be later).
    pub async fn record_purchase_on(
        &self,
        caller: &Caller,
        input: &PurchaseInput,
        today: NaiveDate,
    ) -> Result<PurchaseView> {
        caller.require(Permission::RecordPurchases)?;
        let profile = input.parse(today).map_err(AppError::Invalid)?;
        // Two recorders may take the same number at once (PostgreSQL); see record_donation.
        let mut attempt = 0;
        loop {
            match self.try_record_purchase(caller, &profile).await {
                Err(AppError::Store(e)) if e.is_unique_violation() && attempt < 4 => attempt += 1,
                Err(AppError::Store(e)) if e.is_unique_violation() => {
                    return Err(AppError::Conflict(Invalid::new(
                        "number",
                        "donation.number_busy",
                    )));
                }
                other => return other,
            }
        }
    }

    async fn try_record_purchase(
        &self,
        caller: &Caller,
        profile: &PurchaseProfile,
    ) -> Result<PurchaseView> {
        let mut tx = self.store().write().await?;
        let campaign = open_campaign(&mut tx, caller, &profile.campaign).await?;
        let county = county_of(caller)?;
        let designation =
            resolve_designation(&mut tx, caller, &county, &campaign, &profile.designation).await?;
        let station = resolve_station(&mut tx, caller, &county, profile.station.as_ref()).await?;
        if let Some(number) =
            purchases::with_invoice(&mut tx, &profile.supplier, &profile.invoice_number).await?
        {
            return Err(Invalid::new("invoice_number", "purchase.invoice_taken")
                .arg("value", &profile.invoice_number)
                .arg("number", number)
                .into());
        }
        for (i, line) in profile.lines.iter().enumerate() {
            active_item(&mut tx, i, &line.item).await?;
        }
        let id = Uuid::now_v7();
        let number = purchases::next_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        let site = Location::Site(station.clone());
        let header = header(
            profile.purchased_on,
            campaign.id,
            &designation,
            site.town().cloned(),
            id,
            &number,
        );
        let movements: Vec<MovementDraft> = profile
            .lines
            .iter()
            .map(|l| {
                MovementDraft::inbound(
                    header.clone(),
                    MovementKind::Purchase,
                    site.clone(),
                    &l.item,
                    i64::from(l.quantity),
                    l.value(),
                )
            })
            .collect();
        let entry = EntryDraft::purchase(header, total(&profile.lines));
        let mut drafts: Vec<Draft> = movements.into_iter().map(Draft::Movement).collect();
        drafts.push(Draft::Entry(entry));
        let records = self.post_to_ledger(&mut tx, drafts).await?;
        let purchase = Purchase {
            row: PurchaseRow {
                id,
                number,
                campaign_id: campaign.id,
                supplier: profile.supplier.clone(),
                invoice_number: profile.invoice_number.clone(),
                purchased_on: profile.purchased_on,
                station,
                designation,
                amount: total(&profile.lines),
                entry_seq: records.last().map(Record::seq).unwrap_or_default(),
                note: profile.note.clone(),
                recorded_by: caller.user.id,
                created_at: hearth_store::now(),
            },
            lines: profile
                .lines
                .iter()
                .zip(&records)
                .map(|(line, record)| PurchasedLine {
                    line: line.clone(),
                    movement_seq: record.seq(),
                })
                .collect(),
        };
        purchases::insert(&mut tx, &purchase).await?;
        audit(&mut tx, caller, &purchase).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&purchase)).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// The purchases in the caller's scope, newest first, one page; `text` matches the number,
    /// the supplier or the invoice number.
    pub async fn purchases(
        &self,
        caller: &Caller,
        text: &str,
        page: PageRequest,
    ) -> Result<PurchasePage> {
        let filter = PurchaseFilter {
            text: Some(text.to_owned()),
            ..scope(caller)?
        };
        let mut tx = self.store().read().await?;
        let (list, total) = purchases::search(&mut tx, &filter, page).await?;
        let rows = views(&mut tx, caller, &list).await?;
        Ok(PurchasePage { rows, total })
    }

    /// One purchase in the caller's scope, or "not found".
    pub async fn purchase(&self, caller: &Caller, id: Uuid) -> Result<PurchaseView> {
        let filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        let campaigns = crate::areas::CampaignAreas::load(&mut tx, caller).await?;
        let purchase = purchases::get(&mut tx, id)
            .await?
            .filter(|p| in_scope(&filter, &p.row))
            .filter(|p| campaigns.reaches(caller, p.row.campaign_id))
            .ok_or(AppError::NotFound)?;
        let out = views(&mut tx, caller, std::slice::from_ref(&purchase)).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }
}
