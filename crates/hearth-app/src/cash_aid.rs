//! Cash aid (现金发放): campaign money handed to a household, booked as one `cash_aid` entry in
//! the same transaction that records the paper.
//!
//! Who: the county for any approved household, a town officer for those of the town (the same
//! people who hand goods over, [`crate::distributions`]); auditors read. Whose money: the
//! designated donation named on the form, or else the most specific funds that may pay for this
//! household (its own designation, the pledge's, its town's, then the campaign at large). The
//! ledger refuses what those funds do not hold, naming the amount available, and a designation
//! that does not name this household, its pledge or its town: designated money funds only what
//! the donor named, unless reallocated with consent ([`crate::reallocations`]).
//!
//! Like a handover, cash aid may meet an open cash need of the household (fulfilled when the
//! amount covers it) or deliver a cash line of a pledge handed over through the town.

use crate::distributions::{fulfil, received_by, receiving, shown};
use crate::donations::{Names, is_officer};
use crate::ledger::Draft;
use crate::stock::{audited, read_scope, running_campaign};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::delivery::{DeliveryInput, ProxyRelationship, RecipientKind};
use hearth_core::donation::DonationKind;
use hearth_core::donation::cash_aid::{CashAidInput, CashAidProfile};
use hearth_core::ledger::{Account, Designation, EntryDraft, Header, Journal, Record};
use hearth_core::need::{self, NeedAction, NeedLine, NeedStatus};
use hearth_core::permission::Permission;
use hearth_core::{Fen, Invalid};
use hearth_store::cash_aid::{self, CashAidFilter, CashAidRow};
use hearth_store::households::HouseholdRow;
use hearth_store::needs::{self, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::{Tx, corrections, donations, ledger};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::donations::DesignationView;

/// One cash aid paper as lists and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct CashAidView {
    pub id: Uuid,
    /// 现金发放单号, e.g. `NDXD-DEMO-C0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// In full for officers; surname and `*` for auditors.
    pub head_name: String,
    pub amount: Fen,
    /// Whose funds paid.
    pub designation: DesignationView,
    pub need_id: Option<Uuid>,
    pub pledge_line_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub given_on: NaiveDate,
    pub recipient: RecipientKind,
    pub proxy_name: String,
    pub proxy_relationship: Option<ProxyRelationship>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    /// The ledger entry that booked it.
    pub entry_seq: i64,
    pub created_at: DateTime<Utc>,
}

/// What a cash aid list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CashAidQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    pub household: Option<String>,
}

async fn views(tx: &mut Tx, caller: &Caller, rows: &[CashAidRow]) -> Result<Vec<CashAidView>> {
    let names = Names::load(tx).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.household_id).collect();
    let heads: HashMap<Uuid, String> = needs::household_briefs(tx, &ids)
        .await?
        .into_iter()
        .map(|h| (h.id, h.head_name))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let head = heads.get(&row.household_id).map_or("", String::as_str);
        let (recipient, proxy_name, proxy_relationship) = received_by(caller, row.proxy.as_ref());
        out.push(CashAidView {
            id: row.id,
            number: row.number.clone(),
            campaign_id: row.campaign_id,
            campaign_code: names.campaign(row.campaign_id).0,
            household_id: row.household_id,
            town_name: names.area(&row.town),
            village_name: names.area(&row.village),
            head_name: shown(caller, head),
            amount: row.amount,
            designation: names
                .designation(tx, &row.designation, is_officer(caller))
                .await?,
            need_id: row.need_id,
            pledge_line_id: row.pledge_line_id,
            delivery_id: row.delivery_id,
            given_on: row.given_on,
            recipient,
            proxy_name,
            proxy_relationship,
            handler: row.handler.clone(),
            signed_name: shown(caller, &row.signed_name),
            note: row.note.clone(),
            entry_seq: row.entry_seq,
            created_at: row.created_at,
        });
    }
    Ok(out)
}

/// The designated cash donation of `campaign` named on a form (by number or id), whose money
/// is to pay; refused on `field` when it is unknown, goods, or corrected.
pub(crate) async fn named_donation(
    tx: &mut Tx,
    field: &str,
    campaign: Uuid,
    raw: &str,
) -> Result<donations::Donation> {
    let found = match Uuid::parse_str(raw) {
        Ok(id) => donations::get(tx, id).await?,
        Err(_) => donations::by_number(tx, &raw.to_ascii_uppercase()).await?,
    }
    .filter(|d| d.row.campaign_id == campaign)
    .ok_or_else(|| Invalid::new(field, "cash_aid.donation_unknown").arg("value", raw))?;
    if found.row.kind != DonationKind::Cash {
        return Err(Invalid::new(field, "cash_aid.donation_not_cash")
            .arg("number", &found.row.number)
            .into());
    }
    if corrections::of_record(tx, "donation", found.row.id)
        .await?
        .is_some()
    {
        return Err(Invalid::new(field, "correction.already_corrected")
            .arg("number", &found.row.number)
            .into());
    }
    Ok(found)
}

/// The open cash need of the household this aid meets; the amount must cover it.
async fn answered_need(
    tx: &mut Tx,
    id: Uuid,
    household: &HouseholdRow,
    campaign: Uuid,
    amount: Fen,
) -> Result<NeedRow> {
    let need = needs::get(tx, id)
        .await?
        .filter(|n| n.household_id == household.id)
        .ok_or_else(|| Invalid::new("need", "stock.need_other_household"))?;
    if need.campaign_id != campaign {
        return Err(Invalid::new("need", "stock.need_other_campaign").into());
    }
    if need.status == NeedStatus::Claimed {
        return Err(Invalid::new("need", "stock.need_claimed")
            .arg("number", &need.number)
            .into());
    }
    need::next(need.status, NeedAction::Fulfil)
        .map_err(|e| Invalid::new("need", e.code()).arg("number", &need.number))?;
    let NeedLine::Cash { amount: needed } = &need.line else {
        return Err(Invalid::new("need", "cash_aid.need_not_cash").into());
    };
    if amount < *needed {
        return Err(Invalid::new("need", "cash_aid.need_not_met")
            .arg("amount", needed.yuan_string())
            .into());
    }
    Ok(need)
}

/// Whose cash pays when the form names no donation: the most specific designation that may
/// pay for this household and holds the amount; the campaign when none does (the ledger then
/// refuses, saying what the campaign holds).
fn cash_funding(journal: &Journal, header: &Header, amount: Fen) -> Designation {
    let balances = journal.balances();
    let target = header.target();
    [
        target.household.map(Designation::Household),
        target.pledge.map(Designation::Pledge),
        target.town.map(Designation::Town),
    ]
    .into_iter()
    .flatten()
    .find(|d| balances.get(header.campaign, d, Account::CashAtBank) >= amount)
    .unwrap_or(Designation::Campaign)
}

/// The cash line of a pledge handed over through the town this aid delivers; returns the
/// delivery's id, pledge and organization.
async fn delivered_line(
    tx: &mut Tx,
    caller: &Caller,
    line: Uuid,
    profile: &CashAidProfile,
    input: &CashAidInput,
    (household, campaign): (Uuid, Uuid),
) -> Result<(Uuid, Uuid, Uuid)> {
    let delivery = DeliveryInput {
        quantity: String::new(),
        cash: profile.amount.yuan_string(),
        ..input.handover.clone()
    };
    let done = crate::deliveries::deliver_in(tx, caller, line, Some(household), &delivery).await?;
    let d = done.delivery;
    if d.item_code.is_some() {
        return Err(Invalid::new("pledge_line", "cash_aid.pledge_line_items").into());
    }
    if d.campaign_id != campaign {
        return Err(Invalid::new("campaign", "stock.need_other_campaign").into());
    }
    Ok((d.id, d.pledge_id, d.organization_id))
}

impl App {
    /// 现金发放: hands campaign money to an approved household the caller may hand goods to,
    /// booked in the ledger; see the module notes for whose money and what it may answer.
    pub async fn record_cash_aid(
        &self,
        caller: &Caller,
        input: &CashAidInput,
    ) -> Result<CashAidView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let household = receiving(&mut tx, caller, profile.household).await?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        let donation = match &profile.donation {
            Some(raw) => Some(named_donation(&mut tx, "donation", campaign.id, raw).await?),
            None => None,
        };
        let need = match profile.need {
            Some(id) => {
                Some(answered_need(&mut tx, id, &household, campaign.id, profile.amount).await?)
            }
            None => None,
        };
        let id = Uuid::now_v7();
        let mut header = Header::new(profile.handover.delivered_on, campaign.id);
        header.town = Some(household.town.clone());
        header.household = Some(household.id);
        header.source = Some(id);
        let mut delivery_id = None;
        if let Some(line) = profile.pledge_line {
            let ids = (household.id, campaign.id);
            let (delivery, pledge, organization) =
                delivered_line(&mut tx, caller, line, &profile, input, ids).await?;
            delivery_id = Some(delivery);
            header.pledge = Some(pledge);
            header.organization = Some(organization);
        }
        if let Some(d) = &donation
            && !d.row.designation.may_fund(&header.target())
        {
            return Err(Invalid::new("donation", "cash_aid.designation_elsewhere")
                .arg("number", &d.row.number)
                .into());
        }
        let number = cash_aid::next_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        header.summary = number.clone();
        let named = donation.as_ref().map(|d| d.row.designation.clone());
        let amount = profile.amount;
        let posted = self
            .post_to_ledger_with(&mut tx, |journal| {
                let mut booked = header.clone();
                booked.designation =
                    named.unwrap_or_else(|| cash_funding(journal, &header, amount));
                Ok(vec![Draft::Entry(EntryDraft::cash_aid(booked, amount))])
            })
            .await?;
        let entry = posted.first().ok_or(AppError::NotFound)?;
        let Record::Entry(booked) = entry else {
            return Err(AppError::NotFound);
        };
        let handover = profile.handover;
        let row = CashAidRow {
            id,
            number,
            campaign_id: campaign.id,
            household_id: household.id,
            village: household.village.clone(),
            town: household.town.clone(),
            designation: booked.draft.header.designation.clone(),
            amount,
            need_id: need.as_ref().map(|n| n.id),
            pledge_line_id: profile.pledge_line,
            delivery_id,
            given_on: handover.delivered_on,
            proxy: handover.proxy,
            handler: handover.handler,
            signed_name: handover.signed_name,
            note: handover.note,
            entry_seq: entry.seq(),
            recorded_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        cash_aid::insert(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "number": row.number, "household": row.household_id.to_string(),
            "amount": row.amount.yuan_string(), "designation": row.designation.to_string(),
            "need": row.need_id.map(|n| n.to_string()),
            "pledge_line": row.pledge_line_id.map(|l| l.to_string()),
            "proxy": row.proxy.is_some(), "entry_seq": row.entry_seq,
        });
        let event = ("cash_aid_recorded", "cash_aid");
        audited(&mut tx, caller, event, row.id, detail, String::new()).await?;
        if let Some(need) = need {
            fulfil(&mut tx, caller, need, row.created_at).await?;
        }
        let out = views(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// Cash aid to households in the caller's area, the latest first, and how many match.
    pub async fn cash_aids(
        &self,
        caller: &Caller,
        query: &CashAidQuery,
        page: PageRequest,
    ) -> Result<(Vec<CashAidView>, i64)> {
        let scope = read_scope(caller)?;
        let mut filter = CashAidFilter {
            within: Some(scope),
            ..CashAidFilter::default()
        };
        if let Some(raw) = crate::needs::given(&query.household) {
            let id = Uuid::parse_str(raw)
                .map_err(|_| Invalid::new("household", "stock.id").arg("value", raw))?;
            filter.household = Some(id);
        }
        let mut tx = self.store().read().await?;
        match crate::stock::campaign_filter(&mut tx, &query.campaign).await? {
            Some(Some(id)) => filter.campaign = Some(id),
            Some(None) => filter.nothing = true,
            None => {}
        }
        let (rows, total) = cash_aid::search(&mut tx, &filter, page).await?;
        Ok((views(&mut tx, caller, &rows).await?, total))
    }

    /// One cash aid paper in the caller's area, or "not found".
    pub async fn cash_aid(&self, caller: &Caller, id: Uuid) -> Result<CashAidView> {
        let scope = read_scope(caller)?;
        let mut tx = self.store().read().await?;
        let row = cash_aid::get(&mut tx, id)
            .await?
            .filter(|r| r.village.is_within(&scope))
            .ok_or(AppError::NotFound)?;
        let out = views(&mut tx, caller, std::slice::from_ref(&row)).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }
}
