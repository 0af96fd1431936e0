//! Donations (捐赠): cash and goods given to a campaign, each booked in the ledger in the same
//! transaction that records it, and verifiable by anyone holding its acknowledgement.
//!
//! Who records: the county bureau any donation; a town officer only goods received at the
//! town's own station (cash reaches the bureau's account, so the county records it). Who reads:
//! the county and auditors every donation, a town those received at its station or designated
//! to it, an organization of the registry the gifts it made.
//!
//! Booking: cash is one `donation_cash` entry; goods are one `receipt` movement per line into
//! the station's stock (the county warehouse is the county's area code, a town station its
//! town's) and their `donation_in_kind` entry. Every record carries the donation as `source`
//! and the donor's designation, so the designation's money and goods are spent only on what
//! the donor named.
//!
//! The acknowledgement (捐赠回执) carries a random verification code; `/verify/<code>` shows,
//! without signing in, the amount, day, designation in words, the donor only if they agreed to
//! be named, and how much has reached households by the first-in-first-out rule of
//! [`hearth_core::donation::reach`] — never which households.

use crate::needs::find_campaign;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::campaign::CampaignStatus;
use hearth_core::donation::reach::{cash_reached, units_reached};
use hearth_core::donation::{
    Channel, Condition, DesignationKind, DesignationRequest, DonationInput, DonationKind,
    DonationProfile, Donor, DonorKind, Gift, GiftLine, VerificationCode, code, line_value,
};
use hearth_core::household::mask::mask_name;
use hearth_core::ledger::{
    Designation, EntryDraft, Header, Journal, Location, MovementDraft, MovementKind, Record,
};
use hearth_core::need::Item;
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_core::{Fen, Invalid};
use hearth_store::campaigns::Campaign;
use hearth_store::donations::{self, Donation, DonationFilter, DonationLine, DonationRow};
use hearth_store::organizations::PageRequest;
use hearth_store::{Tx, areas, campaigns, households, items, organizations, pledges};
use rand::RngCore;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

use crate::ledger::Draft;

/// What a designation names, in words for the reader: the town's name, the pledge's number,
/// and for a household its village and masked head to officers (nothing to anyone else).
#[derive(Debug, Clone, Serialize)]
pub struct DesignationView {
    pub kind: DesignationKind,
    pub designation: Designation,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DonationLineView {
    pub item: String,
    pub item_name: String,
    pub item_name_en: String,
    pub unit: String,
    pub quantity: u32,
    pub unit_value: Fen,
    pub value: Fen,
    pub condition: Condition,
    /// Units handed to households so far (first in, first out).
    pub reached: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DonationView {
    pub id: Uuid,
    /// 捐赠编号, e.g. `JZ-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub campaign_name: String,
    pub kind: DonationKind,
    pub donor_kind: DonorKind,
    pub organization_id: Option<Uuid>,
    /// Empty for an anonymous donor.
    pub donor_name: String,
    /// The donor agreed to be named in public.
    pub public_name: bool,
    /// Cash given, or the goods' valuation.
    pub amount: Fen,
    /// The amount in Chinese capitals (伍仟元伍角).
    pub amount_capitals: String,
    pub channel: Option<Channel>,
    pub received_on: NaiveDate,
    pub receipt_number: Option<String>,
    pub designation: DesignationView,
    pub station: Option<AreaCode>,
    pub station_name: String,
    pub lines: Vec<DonationLineView>,
    pub verification_code: VerificationCode,
    /// How much has reached households: cash spent on them, or the value of goods handed out.
    pub reached: Fen,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// Set when the donation was reversed (冲销) as recorded wrongly.
    pub correction: Option<crate::corrections::CorrectionView>,
    /// Its money moved to other designations with the donor's consent.
    pub reallocations: Vec<crate::reallocations::ReallocationView>,
}

/// A page of donations and how many match in all.
#[derive(Debug, Clone, Serialize)]
pub struct DonationPage {
    pub rows: Vec<DonationView>,
    pub total: i64,
}

/// What a donation list asks for, besides the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct DonationQuery {
    /// Part of the number, the donor's name or the receipt number.
    pub text: String,
    pub kind: Option<DonationKind>,
}

/// The donor as the public page may show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum PublicDonor {
    /// The donor agreed to be named.
    Named(String),
    /// 匿名: the donor gave no name.
    Anonymous,
    /// 爱心人士: named to the bureau, not in public.
    Unnamed,
}

/// One line of donated goods on the public page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicLine {
    pub item_name: String,
    pub item_name_en: String,
    pub unit: String,
    pub quantity: u32,
    pub reached: i64,
}

/// What `/verify/<code>` shows: nothing about any household.
#[derive(Debug, Clone, Serialize)]
pub struct PublicDonation {
    pub number: String,
    pub campaign_name: String,
    pub kind: DonationKind,
    pub donor: PublicDonor,
    pub amount: Fen,
    pub amount_capitals: String,
    pub received_on: NaiveDate,
    pub designation: DesignationKind,
    /// The town's name or the pledge's number; empty for the campaign and for a household.
    pub designated_to: String,
    pub reached: Fen,
    pub lines: Vec<PublicLine>,
    /// The day it was reversed as recorded wrongly, if it was.
    pub corrected_on: Option<NaiveDate>,
}

/// A fresh verification code from the operating system's random source.
pub(crate) fn new_code() -> VerificationCode {
    let mut bytes = [0u8; code::LENGTH];
    rand::rng().fill_bytes(&mut bytes);
    VerificationCode::from_random(bytes)
}

/// The county the caller works in: where its warehouse is and which towns it has.
pub(crate) fn county_of(caller: &Caller) -> Result<AreaCode> {
    caller
        .user
        .area_code
        .as_ref()
        .and_then(|a| a.ancestor_at(AreaLevel::County))
        .ok_or(AppError::Forbidden)
}

/// The campaign by id or code, while money may still come in and go out (planned or launched);
/// another county's campaign is unknown to the caller.
pub(crate) async fn open_campaign(
    tx: &mut Tx,
    caller: &Caller,
    id_or_code: &str,
) -> Result<Campaign> {
    let reach = crate::areas::CampaignAreas::load(tx, caller).await?;
    let found = find_campaign(tx, id_or_code)
        .await?
        .filter(|c| reach.reaches(caller, c.id));
    let campaign = found.ok_or_else(|| {
        Invalid::new("campaign", "donation.campaign_unknown").arg("value", id_or_code.trim())
    })?;
    if !matches!(
        campaign.status,
        CampaignStatus::Planned | CampaignStatus::Launched
    ) {
        return Err(Invalid::new("campaign", "donation.campaign_closed").into());
    }
    Ok(campaign)
}

/// The town of the county named by `raw`: its area code, name or short name.
async fn find_town(tx: &mut Tx, county: &AreaCode, raw: &str) -> Result<AreaCode> {
    let code = AreaCode::parse(raw).ok();
    areas::all(tx)
        .await?
        .into_iter()
        .find(|a| {
            a.level == AreaLevel::Town
                && a.code.is_within(county)
                && (Some(&a.code) == code.as_ref() || a.name == raw || a.short_name == raw)
        })
        .map(|a| a.code)
        .ok_or_else(|| {
            Invalid::new("designated_to", "donation.town_unknown")
                .arg("value", raw)
                .into()
        })
}

/// A pledge of `campaign` that is not cancelled, by number or id.
async fn find_pledge(tx: &mut Tx, campaign: &Campaign, raw: &str) -> Result<Uuid> {
    let found = match Uuid::parse_str(raw) {
        Ok(id) => pledges::get(tx, id).await?,
        Err(_) => pledges::search(
            tx,
            &pledges::PledgeFilter {
                campaign: Some(campaign.id),
                ..pledges::PledgeFilter::default()
            },
        )
        .await?
        .into_iter()
        .find(|p| p.row.number.eq_ignore_ascii_case(raw)),
    };
    found
        .filter(|p| p.row.campaign_id == campaign.id && p.row.cancelled_at.is_none())
        .map(|p| p.row.id)
        .ok_or_else(|| {
            Invalid::new("designated_to", "donation.pledge_unknown")
                .arg("value", raw)
                .into()
        })
}

/// The ledger's designation for what was typed. Only officers designate to a household, and
/// only one in their area that is not anonymised.
pub(crate) async fn resolve_designation(
    tx: &mut Tx,
    caller: &Caller,
    county: &AreaCode,
    campaign: &Campaign,
    request: &DesignationRequest,
) -> Result<Designation> {
    Ok(match request {
        DesignationRequest::Campaign => Designation::Campaign,
        DesignationRequest::Town(raw) => Designation::Town(find_town(tx, county, raw).await?),
        DesignationRequest::Pledge(raw) => {
            Designation::Pledge(find_pledge(tx, campaign, raw).await?)
        }
        DesignationRequest::Household(id) => {
            if !matches!(caller.user.role, Role::CountyAdmin | Role::TownOfficer) {
                return Err(Invalid::new("designation", "donation.household_not_officer").into());
            }
            let area = caller.user.area_code.as_ref().ok_or(AppError::Forbidden)?;
            let found = households::get(tx, *id)
                .await?
                .filter(|h| h.anonymised_at.is_none() && h.village.is_within(area));
            match found {
                Some(h) => Designation::Household(h.id),
                None => {
                    return Err(Invalid::new("designated_to", "donation.household_unknown").into());
                }
            }
        }
    })
}

/// The stock location goods go into: the one asked for, or the caller's own (the county's
/// warehouse, a town officer's station). A town officer receives only at their own station.
pub(crate) async fn resolve_station(
    tx: &mut Tx,
    caller: &Caller,
    county: &AreaCode,
    asked: Option<&AreaCode>,
) -> Result<AreaCode> {
    let own = match caller.user.role {
        Role::TownOfficer => caller
            .user
            .area_code
            .as_ref()
            .and_then(|a| a.ancestor_at(AreaLevel::Town)),
        _ => Some(county.clone()),
    }
    .ok_or(AppError::Forbidden)?;
    let station = asked.cloned().unwrap_or_else(|| own.clone());
    if caller.user.role == Role::TownOfficer && station != own {
        return Err(Invalid::new("station", "donation.station_not_yours").into());
    }
    let known = areas::get(tx, &station).await?.is_some_and(|a| {
        matches!(a.level, AreaLevel::County | AreaLevel::Town) && a.code.is_within(county)
    });
    if !known {
        return Err(Invalid::new("station", "donation.station_unknown")
            .arg("value", station)
            .into());
    }
    Ok(station)
}

/// The catalogue item of a line, which must be in use.
pub(crate) async fn active_item(tx: &mut Tx, line: usize, code: &str) -> Result<Item> {
    items::get(tx, code)
        .await?
        .filter(|i| i.active)
        .ok_or_else(|| {
            Invalid::new("item", "donation.item_unknown")
                .arg("value", code)
                .within(&format!("lines.{line}"))
                .into()
        })
}

/// The header every record of one donation or purchase carries; `town` is the town concerned
/// (a purchase's station, which the designation's check reads).
pub(crate) fn header(
    date: NaiveDate,
    campaign: Uuid,
    designation: &Designation,
    town: Option<AreaCode>,
    source: Uuid,
    summary: &str,
) -> Header {
    Header {
        designation: designation.clone(),
        town,
        pledge: match designation {
            Designation::Pledge(p) => Some(*p),
            _ => None,
        },
        source: Some(source),
        summary: summary.to_owned(),
        ..Header::new(date, campaign)
    }
}

/// The names lists and pages show, loaded once per request.
pub(crate) struct Names {
    areas: HashMap<AreaCode, String>,
    items: HashMap<String, Item>,
    campaigns: HashMap<Uuid, Campaign>,
}

impl Names {
    pub async fn load(tx: &mut Tx) -> Result<Names> {
        Ok(Names {
            areas: areas::all(tx)
                .await?
                .into_iter()
                .map(|a| (a.code, a.name))
                .collect(),
            items: items::list(tx, true)
                .await?
                .into_iter()
                .map(|i| (i.code.clone(), i))
                .collect(),
            campaigns: campaigns::list(tx)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect(),
        })
    }

    pub fn area(&self, code: &AreaCode) -> String {
        self.areas
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn item(&self, code: &str) -> (String, String, String) {
        self.items.get(code).map_or_else(
            || (code.to_owned(), code.to_owned(), String::new()),
            |i| (i.name.clone(), i.name_en.clone(), i.unit.clone()),
        )
    }

    /// The campaign's code and name.
    pub fn campaign(&self, id: Uuid) -> (String, String) {
        self.campaigns.get(&id).map_or_else(Default::default, |c| {
            (c.profile.code.clone(), c.profile.name.clone())
        })
    }

    /// The designation in words; households only to officers, masked.
    pub async fn designation(
        &self,
        tx: &mut Tx,
        designation: &Designation,
        officer: bool,
    ) -> Result<DesignationView> {
        let (kind, target) = match designation {
            Designation::Campaign => (DesignationKind::Campaign, String::new()),
            Designation::Town(town) => (DesignationKind::Town, self.area(town)),
            Designation::Pledge(id) => (
                DesignationKind::Pledge,
                pledges::get(tx, *id)
                    .await?
                    .map(|p| p.row.number)
                    .unwrap_or_default(),
            ),
            Designation::Household(id) if officer => (
                DesignationKind::Household,
                households::get(tx, *id)
                    .await?
                    .map(|h| format!("{} {}", self.area(&h.village), mask_name(&h.head_name)))
                    .unwrap_or_default(),
            ),
            Designation::Household(_) => (DesignationKind::Household, String::new()),
        };
        Ok(DesignationView {
            kind,
            designation: designation.clone(),
            target,
        })
    }
}

/// Whether the caller works for the county or a town (who may see which household).
pub(crate) fn is_officer(caller: &Caller) -> bool {
    matches!(caller.user.role, Role::CountyAdmin | Role::TownOfficer)
}

/// What the caller may see of donations, or a refusal.
fn scope(caller: &Caller) -> Result<DonationFilter> {
    caller.require(Permission::ReadDonations)?;
    let mut filter = DonationFilter::default();
    match caller.user.role {
        Role::OrgMember => match caller.user.organization_id {
            Some(org) => filter.organization = Some(org),
            None => filter.nothing = true,
        },
        Role::TownOfficer => match caller
            .user
            .area_code
            .as_ref()
            .and_then(|a| a.ancestor_at(AreaLevel::Town))
        {
            Some(town) => filter.town = Some(town),
            None => filter.nothing = true,
        },
        Role::CountyAdmin | Role::Auditor => {
            let own = caller.area_scope()?.ok_or(AppError::Forbidden)?;
            filter.campaigns_of = Some(own.clone());
        }
        _ => filter.nothing = true,
    }
    Ok(filter)
}

/// Whether a donation falls in the scope `filter` describes.
fn in_scope(filter: &DonationFilter, d: &DonationRow) -> bool {
    !filter.nothing
        && filter
            .organization
            .is_none_or(|org| d.organization_id == Some(org))
        && filter.town.as_ref().is_none_or(|town| {
            d.station.as_ref() == Some(town) || d.designation == Designation::Town(town.clone())
        })
}

/// Whether a reversing record undoes the record at `seq`.
fn is_reversed(records: &[Record], seq: i64) -> bool {
    records.iter().any(|record| {
        let reverses = match record {
            Record::Entry(e) => e.draft.reverses,
            Record::Movement(m) => m.draft.reverses,
        };
        reverses == Some(seq)
    })
}

/// How much of a donation has reached households, line by line for goods. A corrected
/// (reversed) donation has reached no one: its money or goods were never really there, so
/// what was spent is credited to the pool's other inflows.
fn reached(records: &[Record], d: &Donation) -> (Fen, Vec<i64>) {
    let row = &d.row;
    if is_reversed(records, row.entry_seq) {
        return (Fen::ZERO, vec![0; d.lines.len()]);
    }
    match row.kind {
        DonationKind::Cash => (
            cash_reached(
                records,
                row.campaign_id,
                &row.designation,
                row.entry_seq,
                row.amount,
            ),
            Vec::new(),
        ),
        DonationKind::InKind => {
            let units: Vec<i64> = d
                .lines
                .iter()
                .map(|l| {
                    units_reached(
                        records,
                        row.campaign_id,
                        &row.designation,
                        &l.item,
                        l.movement_seq,
                        i64::from(l.quantity),
                    )
                })
                .collect();
            let value = d
                .lines
                .iter()
                .zip(&units)
                .map(|(l, n)| Fen::new(l.unit_value.fen().saturating_mul(*n)))
                .sum();
            (value, units)
        }
    }
}

async fn views(
    tx: &mut Tx,
    caller: &Caller,
    list: &[Donation],
    journal: &Journal,
) -> Result<Vec<DonationView>> {
    let names = Names::load(tx).await?;
    let mut out = Vec::with_capacity(list.len());
    for d in list {
        let row = &d.row;
        let (campaign_code, campaign_name) = names.campaign(row.campaign_id);
        let (reached, units) = reached(journal.records(), d);
        let lines = d
            .lines
            .iter()
            .zip(units)
            .map(|(l, reached)| {
                let (item_name, item_name_en, unit) = names.item(&l.item);
                DonationLineView {
                    item: l.item.clone(),
                    item_name,
                    item_name_en,
                    unit,
                    quantity: l.quantity,
                    unit_value: l.unit_value,
                    value: l.value,
                    condition: l.condition,
                    reached,
                }
            })
            .collect();
        out.push(DonationView {
            id: row.id,
            number: row.number.clone(),
            campaign_id: row.campaign_id,
            campaign_code,
            campaign_name,
            kind: row.kind,
            donor_kind: row.donor_kind,
            organization_id: row.organization_id,
            donor_name: row.donor_name.clone(),
            public_name: row.public_name,
            amount: row.amount,
            amount_capitals: row.amount.chinese_capitals(),
            channel: row.channel,
            received_on: row.received_on,
            receipt_number: row.receipt_number.clone(),
            designation: names
                .designation(tx, &row.designation, is_officer(caller))
                .await?,
            station: row.station.clone(),
            station_name: row
                .station
                .as_ref()
                .map(|s| names.area(s))
                .unwrap_or_default(),
            lines,
            verification_code: row.verification_code.clone(),
            reached,
            note: row.note.clone(),
            created_at: row.created_at,
            correction: crate::corrections::of_record(tx, "donation", row.id).await?,
            reallocations: {
                let moved = hearth_store::reallocations::list(tx, Some(row.campaign_id), None)
                    .await?
                    .into_iter()
                    .filter(|r| r.donation_id == Some(row.id))
                    .collect::<Vec<_>>();
                crate::reallocations::views(tx, caller, &moved).await?
            },
        });
    }
    Ok(out)
}

async fn audit(tx: &mut Tx, caller: &Caller, d: &Donation) -> Result<()> {
    let actor = caller.actor();
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action: "donation_recorded",
            record_type: "donation",
            record_id: d.row.id.to_string(),
            detail: serde_json::json!({
                "number": d.row.number,
                "kind": d.row.kind.as_str(),
                "amount_fen": d.row.amount.fen(),
                "designation": d.row.designation.to_string(),
                "station": d.row.station.as_ref().map(AreaCode::to_string),
                "entry_seq": d.row.entry_seq,
                "lines": d.lines.len(),
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// The donor as recorded: kind, registry organization and name (the registry's, for one of its
/// organizations).
async fn donor(tx: &mut Tx, donor: &Donor) -> Result<(DonorKind, Option<Uuid>, String)> {
    Ok(match donor {
        Donor::Registered(id) => {
            let org = organizations::get(tx, *id)
                .await?
                .ok_or_else(|| Invalid::new("organization", "donation.organization_unknown"))?;
            (DonorKind::Organization, Some(org.id), org.profile.name)
        }
        Donor::Organization(name) => (DonorKind::Organization, None, name.clone()),
        Donor::Person(name) => (DonorKind::Person, None, name.clone()),
        Donor::Anonymous => (DonorKind::Anonymous, None, String::new()),
    })
}

/// Goods of one donation: the movements into `station` and the lines as stored (their
/// `movement_seq` is set once posted).
async fn goods(
    tx: &mut Tx,
    header: &Header,
    station: &AreaCode,
    lines: &[GiftLine],
) -> Result<(Vec<MovementDraft>, Vec<DonationLine>)> {
    let mut movements = Vec::with_capacity(lines.len());
    let mut stored = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let item = active_item(tx, i, &line.item).await?;
        let unit_value = line.unit_value.unwrap_or(item.reference_value);
        let value = line_value(line.quantity, unit_value);
        movements.push(MovementDraft::inbound(
            header.clone(),
            MovementKind::Receipt,
            Location::Site(station.clone()),
            &line.item,
            i64::from(line.quantity),
            value,
        ));
        stored.push(DonationLine {
            item: line.item.clone(),
            quantity: line.quantity,
            unit_value,
            value,
            condition: line.condition,
            movement_seq: 0,
        });
    }
    Ok((movements, stored))
}

impl App {
    /// Records a donation and books it in the ledger, all in one transaction; see the module
    /// notes for who may record what. Every refusal names its field.
    pub async fn record_donation(
        &self,
        caller: &Caller,
        input: &DonationInput,
    ) -> Result<DonationView> {
        self.record_donation_on(caller, input, today()).await
    }

    /// [`App::record_donation`] as on `today` (the day received may not be later).
    pub async fn record_donation_on(
        &self,
        caller: &Caller,
        input: &DonationInput,
        today: NaiveDate,
    ) -> Result<DonationView> {
        let profile = donation_profile(caller, input, today)?;
        // Two recorders may take the same number at once (PostgreSQL): the unique index
        // refuses the second, which tries again with the next number.
        let mut attempt = 0;
        loop {
            match self.try_record_donation(caller, &profile).await {
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

    async fn try_record_donation(
        &self,
        caller: &Caller,
        profile: &DonationProfile,
    ) -> Result<DonationView> {
        let mut tx = self.store().write().await?;
        let view = self.book_donation(&mut tx, caller, profile).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// [`App::record_donation_on`] inside the caller's transaction (a sheet's rows go in one);
    /// a number taken meanwhile is the caller's to retry.
    pub(crate) async fn record_donation_in(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        input: &DonationInput,
        today: NaiveDate,
    ) -> Result<DonationView> {
        let profile = donation_profile(caller, input, today)?;
        self.book_donation(tx, caller, &profile).await
    }

    async fn book_donation(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        profile: &DonationProfile,
    ) -> Result<DonationView> {
        let campaign = open_campaign(tx, caller, &profile.campaign).await?;
        let county = county_of(caller)?;
        let designation =
            resolve_designation(tx, caller, &county, &campaign, &profile.designation).await?;
        let (donor_kind, organization_id, donor_name) = donor(tx, &profile.donor).await?;
        if let Some(receipt) = &profile.receipt_number
            && let Some(number) = donations::with_receipt(tx, receipt).await?
        {
            return Err(Invalid::new("receipt_number", "donation.receipt_taken")
                .arg("value", receipt)
                .arg("number", number)
                .into());
        }
        let id = Uuid::now_v7();
        let number = donations::next_number(tx, campaign.id, &campaign.profile.code).await?;
        let mut row = DonationRow {
            id,
            number,
            campaign_id: campaign.id,
            kind: profile.gift.kind(),
            donor_kind,
            organization_id,
            donor_name,
            public_name: profile.public_name,
            amount: Fen::ZERO,
            channel: None,
            received_on: profile.received_on,
            receipt_number: profile.receipt_number.clone(),
            designation,
            station: None,
            verification_code: new_code(),
            entry_seq: 0,
            note: profile.note.clone(),
            recorded_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        let lines = self.book(tx, caller, &county, profile, &mut row).await?;
        let donation = Donation { row, lines };
        donations::insert(tx, &donation).await?;
        audit(tx, caller, &donation).await?;
        let journal = self.journal(tx).await?;
        let out = views(tx, caller, std::slice::from_ref(&donation), &journal).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// Posts the donation's records; fills in the amount, channel, station and the sequence
    /// numbers of `row`, and returns the lines of goods.
    async fn book(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        county: &AreaCode,
        profile: &DonationProfile,
        row: &mut DonationRow,
    ) -> Result<Vec<DonationLine>> {
        let organization = row.organization_id;
        let designated_town = match &row.designation {
            Designation::Town(town) => Some(town.clone()),
            _ => None,
        };
        let draft_header = |town: Option<AreaCode>| Header {
            organization,
            ..header(
                row.received_on,
                row.campaign_id,
                &row.designation,
                town,
                row.id,
                &row.number,
            )
        };
        match &profile.gift {
            Gift::Cash { amount, channel } => {
                let entry = EntryDraft::donation_cash(draft_header(designated_town), *amount);
                let records = self.post_to_ledger(tx, vec![Draft::Entry(entry)]).await?;
                (row.amount, row.channel) = (*amount, Some(*channel));
                row.entry_seq = records.last().map(Record::seq).unwrap_or_default();
                Ok(Vec::new())
            }
            Gift::InKind { station, lines } => {
                let station = resolve_station(tx, caller, county, station.as_ref()).await?;
                if let Designation::Town(town) = &row.designation
                    && station.level() == AreaLevel::Town
                    && &station != town
                {
                    return Err(
                        Invalid::new("station", "donation.station_outside_designation").into(),
                    );
                }
                let site = Location::Site(station.clone());
                let header = draft_header(site.town().cloned().or(designated_town));
                let (movements, mut stored) = goods(tx, &header, &station, lines).await?;
                let entry = EntryDraft::booking(header, &movements)?
                    .ok_or_else(|| Invalid::new("lines", "donation.value_zero"))?;
                row.amount = entry.amount();
                let mut drafts: Vec<Draft> = movements.into_iter().map(Draft::Movement).collect();
                drafts.push(Draft::Entry(entry));
                let records = self.post_to_ledger(tx, drafts).await?;
                for (line, record) in stored.iter_mut().zip(&records) {
                    line.movement_seq = record.seq();
                }
                row.entry_seq = records.last().map(Record::seq).unwrap_or_default();
                row.station = Some(station);
                Ok(stored)
            }
        }
    }

    /// The donations in the caller's scope, newest first, one page.
    pub async fn donations(
        &self,
        caller: &Caller,
        query: &DonationQuery,
        page: PageRequest,
    ) -> Result<DonationPage> {
        let filter = DonationFilter {
            text: Some(query.text.clone()),
            kind: query.kind,
            ..scope(caller)?
        };
        let mut tx = self.store().read().await?;
        let (list, total) = donations::search(&mut tx, &filter, page).await?;
        let journal = self.journal(&mut tx).await?;
        let rows = views(&mut tx, caller, &list, &journal).await?;
        Ok(DonationPage { rows, total })
    }

    /// One donation in the caller's scope, or "not found" (existence does not leak).
    pub async fn donation(&self, caller: &Caller, id: Uuid) -> Result<DonationView> {
        let filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        let campaigns = crate::areas::CampaignAreas::load(&mut tx, caller).await?;
        let donation = donations::get(&mut tx, id)
            .await?
            .filter(|d| in_scope(&filter, &d.row))
            .filter(|d| campaigns.reaches(caller, d.row.campaign_id))
            .ok_or(AppError::NotFound)?;
        let journal = self.journal(&mut tx).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&donation), &journal).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// The public page of a donation, for anyone holding its verification code; a malformed
    /// code and an unknown one are both "not found".
    pub async fn verify_donation(&self, raw_code: &str) -> Result<PublicDonation> {
        let code = VerificationCode::parse(raw_code).ok_or(AppError::NotFound)?;
        let mut tx = self.store().read().await?;
        let donation = donations::by_code(&mut tx, &code)
            .await?
            .ok_or(AppError::NotFound)?;
        let journal = self.journal(&mut tx).await?;
        let names = Names::load(&mut tx).await?;
        let row = &donation.row;
        let shown = names.designation(&mut tx, &row.designation, false).await?;
        let (reached, units) = reached(journal.records(), &donation);
        let lines = donation
            .lines
            .iter()
            .zip(units)
            .map(|(l, reached)| {
                let (item_name, item_name_en, unit) = names.item(&l.item);
                PublicLine {
                    item_name,
                    item_name_en,
                    unit,
                    quantity: l.quantity,
                    reached,
                }
            })
            .collect();
        Ok(PublicDonation {
            number: row.number.clone(),
            campaign_name: names.campaign(row.campaign_id).1,
            kind: row.kind,
            donor: match (row.donor_kind, row.public_name) {
                (DonorKind::Anonymous, _) => PublicDonor::Anonymous,
                (_, true) => PublicDonor::Named(row.donor_name.clone()),
                (_, false) => PublicDonor::Unnamed,
            },
            amount: row.amount,
            amount_capitals: row.amount.chinese_capitals(),
            received_on: row.received_on,
            designation: shown.kind,
            designated_to: shown.target,
            reached,
            lines,
            corrected_on: crate::corrections::of_record(&mut tx, "donation", row.id)
                .await?
                .map(|c| c.corrected_on),
        })
    }
}

/// The checked form of a donation, or the refusal naming its field.
fn donation_profile(
    caller: &Caller,
    input: &DonationInput,
    today: NaiveDate,
) -> Result<DonationProfile> {
    caller.require(Permission::RecordDonations)?;
    let profile = input.parse(today).map_err(AppError::Invalid)?;
    if caller.user.role == Role::TownOfficer && profile.gift.kind() == DonationKind::Cash {
        return Err(Invalid::new("kind", "donation.town_cash").into());
    }
    Ok(profile)
}
