//! Handovers from a town station to a household (集中发放) and the distribution roster
//! (发放签收表) they fill.
//!
//! A town officer (or the county) hands campaign goods from the station of the household's town
//! to an approved household: items and quantities, the day, who received (the head, or a proxy
//! with the relationship), the handler and the name signed. The goods leave the station at its
//! average value; beyond what it holds is refused naming what is available. A handover may
//! answer an approved need of the household that is still open (the campaign meets it, so it
//! is fulfilled and leaves the claim sheet), or a line of a pledge handed over through the town
//! (集中发放): then it is also that line's delivery ([`crate::deliveries`]), counted toward the
//! pledge like any other, in the same transaction.
//!
//! Handovers have their own table rather than the delivery table's: they carry several items
//! and need no pledge, while a delivery is one line of one pledge; the pledge case links the
//! two (`delivery_id`), so the pledge's progress reads deliveries only.

use crate::ledger::Draft;
use crate::needs::record;
use crate::stock::{
    Lookup, audited, check_items, funding, keeps, kept_station, read_scope, running_campaign,
};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::delivery::{DeliveryInput, Proxy, ProxyRelationship, RecipientKind};
use hearth_core::household::{HouseholdStatus, mask};
use hearth_core::ledger::{EntryDraft, Header, Location, MovementKind, Record, WaybillLine};
use hearth_core::need::{self, NeedAction, NeedLine, NeedStatus};
use hearth_core::permission::Permission;
use hearth_core::pledge::{Delivery, PledgeLine};
use hearth_core::stock::{DistributionInput, DistributionProfile, optional_day};
use hearth_core::{Fen, Invalid};
use hearth_store::deliveries;
use hearth_store::households::{self, HouseholdRow};
use hearth_store::needs::{self, NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::{self, PledgeFilter};
use hearth_store::stock::{self, DistributionFilter, DistributionRow, HandedLine};
use hearth_store::{Tx, ledger};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

mod roster;

pub use roster::{Roster, RosterQuery, RosterRow, RosterUse};

const RECORD: &str = "distribution";

/// One handover as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionView {
    pub id: Uuid,
    /// 发放单号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// Where the goods left from: the town's station, or the county warehouse.
    pub station_name: String,
    pub station_is_county: bool,
    /// In full for officers; surname and `*` for auditors.
    pub head_name: String,
    pub need_id: Option<Uuid>,
    pub pledge_line_id: Option<Uuid>,
    pub delivery_id: Option<Uuid>,
    pub distributed_on: NaiveDate,
    pub recipient: RecipientKind,
    /// Masked like the head's name.
    pub proxy_name: String,
    pub proxy_relationship: Option<ProxyRelationship>,
    /// 经办人.
    pub handler: String,
    /// Masked like the head's name.
    pub signed_name: String,
    pub note: String,
    pub lines: Vec<HandedView>,
    /// What the goods were worth leaving the station.
    pub value: Fen,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandedView {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    pub value: Fen,
}

/// What a handover list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DistributionQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village inside the caller's area.
    pub area: Option<String>,
    pub household: Option<String>,
    /// Handed over on or after this day.
    pub from: Option<String>,
    /// Handed over on or before this day.
    pub to: Option<String>,
}

fn full_names(caller: &Caller) -> bool {
    caller.can(Permission::RevealHouseholdDetails)
}

pub(crate) fn shown(caller: &Caller, name: &str) -> String {
    if full_names(caller) {
        name.to_owned()
    } else {
        mask::mask_name(name)
    }
}

/// Who received, as views show it: the head, or the proxy's name (masked like the head's)
/// and relationship.
pub(crate) fn received_by(
    caller: &Caller,
    proxy: Option<&Proxy>,
) -> (RecipientKind, String, Option<ProxyRelationship>) {
    match proxy {
        Some(p) => (
            RecipientKind::Proxy,
            shown(caller, &p.name),
            Some(p.relationship),
        ),
        None => (RecipientKind::Head, String::new(), None),
    }
}

fn handed(names: &Lookup, lines: &[HandedLine]) -> Vec<HandedView> {
    lines
        .iter()
        .map(|l| {
            let (item_name, unit) = names.item(&l.item);
            HandedView {
                item: l.item.clone(),
                item_name,
                unit,
                quantity: l.quantity,
                value: l.value,
            }
        })
        .collect()
}

fn view(
    caller: &Caller,
    names: &Lookup,
    heads: &HashMap<Uuid, String>,
    row: &DistributionRow,
) -> DistributionView {
    let head = heads.get(&row.household_id).map_or("", String::as_str);
    let (recipient, proxy_name, proxy_relationship) = received_by(caller, row.proxy.as_ref());
    DistributionView {
        id: row.id,
        number: row.number.clone(),
        campaign_id: row.campaign_id,
        campaign_code: names.campaign_code(row.campaign_id),
        household_id: row.household_id,
        town_name: names.area(&row.town),
        village_name: names.area(&row.village),
        station_name: names.area(&row.station),
        station_is_county: row.station.level() == AreaLevel::County,
        head_name: shown(caller, head),
        need_id: row.need_id,
        pledge_line_id: row.pledge_line_id,
        delivery_id: row.delivery_id,
        distributed_on: row.distributed_on,
        recipient,
        proxy_name,
        proxy_relationship,
        handler: row.handler.clone(),
        signed_name: shown(caller, &row.signed_name),
        note: row.note.clone(),
        lines: handed(names, &row.lines),
        value: row.lines.iter().map(|l| l.value).sum(),
        recorded_by: names.user(Some(row.recorded_by)),
        created_at: row.created_at,
    }
}

async fn views(
    tx: &mut Tx,
    caller: &Caller,
    rows: &[DistributionRow],
) -> Result<Vec<DistributionView>> {
    let names = Lookup::load(tx).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.household_id).collect();
    let heads: HashMap<Uuid, String> = needs::household_briefs(tx, &ids)
        .await?
        .into_iter()
        .map(|h| (h.id, h.head_name))
        .collect();
    Ok(rows
        .iter()
        .map(|r| view(caller, &names, &heads, r))
        .collect())
}

/// The approved household the caller may hand goods to: in a town whose station they keep.
pub(crate) async fn receiving(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<HouseholdRow> {
    let unknown = || Invalid::new("household", "stock.household_unknown");
    let household = households::get(tx, id).await?.ok_or_else(unknown)?;
    if !keeps(caller, &household.town) {
        return Err(Invalid::new("household", "need.household_outside_scope").into());
    }
    if HouseholdStatus::parse(&household.status) != Ok(HouseholdStatus::Approved) {
        return Err(Invalid::new("household", "stock.household_not_approved").into());
    }
    Ok(household)
}

/// Where the goods leave from: the household's town station, or (the county only) the county
/// warehouse straight to the household; another town's station is refused.
async fn handing_station(
    tx: &mut Tx,
    caller: &Caller,
    household: &HouseholdRow,
    asked: Option<&AreaCode>,
) -> Result<Location> {
    let site = Location::Site(asked.cloned().unwrap_or_else(|| household.town.clone()));
    let station = kept_station(tx, caller, "station", &site).await?;
    let county = household.town.ancestor_at(AreaLevel::County);
    if station != household.town && Some(&station) != county.as_ref() {
        return Err(Invalid::new("station", "stock.station_not_households").into());
    }
    Ok(site)
}

/// The need a handover answers: the household's, in the campaign, still open (a claimed need
/// is the organization's, delivered through its pledge), for an item handed over in full.
async fn answered_need(
    tx: &mut Tx,
    id: Uuid,
    household: &HouseholdRow,
    campaign: Uuid,
    lines: &[WaybillLine],
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
    let NeedLine::Item { item, quantity } = &need.line else {
        return Err(Invalid::new("need", "stock.need_not_items").into());
    };
    let handed = lines
        .iter()
        .find(|l| &l.item == item)
        .map_or(0, |l| l.quantity);
    if handed < i64::from(*quantity) {
        return Err(Invalid::new("need", "stock.need_not_met")
            .arg("item", item)
            .arg("quantity", quantity)
            .into());
    }
    Ok(need)
}

/// 已发放: the need this handover met, and its audit event (after the ledger's head, like
/// every audit event of a stock paper).
pub(crate) async fn fulfil(
    tx: &mut Tx,
    caller: &Caller,
    need: NeedRow,
    at: DateTime<Utc>,
) -> Result<()> {
    let need = crate::needs::mark_fulfilled(tx, need, at).await?;
    let detail = serde_json::json!({"number": need.number, "status": need.status.as_str()});
    record(tx, caller, "need_fulfilled", need.id, detail, String::new()).await
}

/// The pledge line this handover delivers, recorded as its delivery (which checks the pledge,
/// the household and what remains): one line of the line's item. Returns the delivery's id,
/// pledge and organization.
async fn delivered_line(
    tx: &mut Tx,
    caller: &Caller,
    line: Uuid,
    input: &DistributionInput,
    (household, campaign, goods): (Uuid, Uuid, &[WaybillLine]),
) -> Result<(Uuid, Uuid, Uuid)> {
    let [only] = goods else {
        return Err(Invalid::new("lines", "stock.pledge_one_line").into());
    };
    let delivery = DeliveryInput {
        quantity: only.quantity.to_string(),
        cash: String::new(),
        ..input.handover.clone()
    };
    let done = crate::deliveries::deliver_in(tx, caller, line, Some(household), &delivery).await?;
    let d = done.delivery;
    if d.item_code.as_deref() != Some(only.item.as_str()) {
        return Err(Invalid::new("lines[0].item", "stock.pledge_item")
            .arg("item", d.item_code.unwrap_or_default())
            .into());
    }
    if d.campaign_id != campaign {
        return Err(Invalid::new("campaign", "stock.need_other_campaign").into());
    }
    Ok((d.id, d.pledge_id, d.organization_id))
}

/// The movements of the goods and the entry booking their value, against the journal.
fn handover_drafts(
    journal: &hearth_core::ledger::Journal,
    header: &Header,
    site: &Location,
    goods: &[WaybillLine],
) -> Result<Vec<Draft>> {
    let book = journal.stock(header.campaign);
    let mut errors = Vec::new();
    let mut moved = Vec::new();
    for (i, line) in goods.iter().enumerate() {
        match book.distribution(header.clone(), site.clone(), &line.item, line.quantity) {
            Ok(movement) => moved.push(movement),
            Err(e) => errors.push(e.within(&format!("lines[{i}]"))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut booked = header.clone();
    let value: Fen = moved.iter().map(|m| m.value).sum();
    booked.designation = funding(journal, &booked, value, true);
    for movement in &mut moved {
        movement.header = booked.clone();
    }
    let entry = EntryDraft::booking(booked, &moved)?;
    Ok(moved
        .into_iter()
        .map(Draft::Movement)
        .chain(entry.map(Draft::Entry))
        .collect())
}

/// The value each item left the station with.
fn handed_values(records: &[Record], goods: &[WaybillLine]) -> Vec<HandedLine> {
    goods
        .iter()
        .map(|line| HandedLine {
            item: line.item.clone(),
            quantity: line.quantity,
            value: records
                .iter()
                .filter_map(|r| match r {
                    Record::Movement(m)
                        if m.draft.kind == MovementKind::Distribution
                            && m.draft.item == line.item =>
                    {
                        Some(m.draft.value)
                    }
                    _ => None,
                })
                .sum(),
        })
        .collect()
}

/// What a handover's paper records besides the form: its ids and who recorded it.
struct Paper {
    id: Uuid,
    number: String,
    campaign: Uuid,
    recorded_by: Uuid,
    need: Option<Uuid>,
    delivery: Option<Uuid>,
}

impl Paper {
    fn row(
        self,
        household: &HouseholdRow,
        profile: DistributionProfile,
        lines: Vec<HandedLine>,
    ) -> DistributionRow {
        let handover = profile.handover;
        DistributionRow {
            id: self.id,
            number: self.number,
            campaign_id: self.campaign,
            household_id: household.id,
            village: household.village.clone(),
            town: household.town.clone(),
            station: profile.station.unwrap_or_else(|| household.town.clone()),
            need_id: self.need,
            pledge_line_id: profile.pledge_line,
            delivery_id: self.delivery,
            distributed_on: handover.delivered_on,
            proxy: handover.proxy,
            handler: handover.handler,
            signed_name: handover.signed_name,
            note: handover.note,
            recorded_by: self.recorded_by,
            created_at: hearth_store::now(),
            lines,
        }
    }
}

async fn audit_handover(tx: &mut Tx, caller: &Caller, row: &DistributionRow) -> Result<()> {
    let detail = serde_json::json!({
        "number": row.number, "household": row.household_id.to_string(),
        "lines": row.lines.iter().map(|l| (l.item.clone(), l.quantity)).collect::<Vec<_>>(),
        "need": row.need_id.map(|n| n.to_string()),
        "pledge_line": row.pledge_line_id.map(|l| l.to_string()),
        "proxy": row.proxy.is_some(),
    });
    let event = ("distribution_recorded", RECORD);
    audited(tx, caller, event, row.id, detail, String::new()).await
}

impl App {
    /// 集中发放: hands goods from the station of an approved household's town to it, the
    /// station being one the caller keeps. Beyond what the station holds is refused naming what
    /// is available; an answered need is fulfilled; a pledge line is delivered.
    pub async fn record_distribution(
        &self,
        caller: &Caller,
        input: &DistributionInput,
    ) -> Result<DistributionView> {
        caller.require(Permission::ManageStock)?;
        let profile = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let household = receiving(&mut tx, caller, profile.household).await?;
        let campaign = running_campaign(&mut tx, caller, &profile.campaign).await?;
        check_items(&mut tx, &profile.lines).await?;
        let need = match profile.need {
            Some(id) => {
                Some(answered_need(&mut tx, id, &household, campaign.id, &profile.lines).await?)
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
            let goods = (household.id, campaign.id, profile.lines.as_slice());
            let (delivery, pledge, organization) =
                delivered_line(&mut tx, caller, line, input, goods).await?;
            delivery_id = Some(delivery);
            header.pledge = Some(pledge);
            header.organization = Some(organization);
        }
        let number =
            stock::next_distribution_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        header.summary = number.clone();
        let site = handing_station(&mut tx, caller, &household, profile.station.as_ref()).await?;
        let posted = self
            .post_to_ledger_with(&mut tx, |journal| {
                handover_drafts(journal, &header, &site, &profile.lines)
            })
            .await?;
        let paper = Paper {
            id,
            number,
            campaign: campaign.id,
            recorded_by: caller.user.id,
            need: need.as_ref().map(|n| n.id),
            delivery: delivery_id,
        };
        let lines = handed_values(&posted, &profile.lines);
        let row = paper.row(&household, profile, lines);
        stock::insert_distribution(&mut tx, &row).await?;
        audit_handover(&mut tx, caller, &row).await?;
        if let Some(need) = need {
            fulfil(&mut tx, caller, need, row.created_at).await?;
        }
        let out = views(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// One handover to a household in the caller's area, or "not found".
    pub async fn distribution(&self, caller: &Caller, id: Uuid) -> Result<DistributionView> {
        let scope = read_scope(caller)?;
        let mut tx = self.store().read().await?;
        let row = stock::distribution(&mut tx, id)
            .await?
            .filter(|r| r.village.is_within(&scope))
            .ok_or(AppError::NotFound)?;
        let out = views(&mut tx, caller, std::slice::from_ref(&row)).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// Handovers to households in the caller's area, the latest first, and how many match.
    pub async fn distributions(
        &self,
        caller: &Caller,
        query: &DistributionQuery,
        page: PageRequest,
    ) -> Result<(Vec<DistributionView>, i64)> {
        let scope = read_scope(caller)?;
        let mut filter = DistributionFilter {
            within: Some(scope.clone()),
            ..DistributionFilter::default()
        };
        if let Some(raw) = crate::needs::given(&query.area) {
            let asked = AreaCode::parse(raw).map_err(|e| e.within("area"))?;
            filter.nothing = !asked.is_within(&scope);
            filter.within = Some(asked);
        }
        if let Some(raw) = crate::needs::given(&query.household) {
            let id = Uuid::parse_str(raw)
                .map_err(|_| Invalid::new("household", "stock.id").arg("value", raw))?;
            filter.household = Some(id);
        }
        filter.from = optional_day("from", query.from.as_deref().unwrap_or(""))?;
        filter.to = optional_day("to", query.to.as_deref().unwrap_or(""))?;
        let mut tx = self.store().read().await?;
        match crate::stock::campaign_filter(&mut tx, &query.campaign).await? {
            Some(Some(id)) => filter.campaign = Some(id),
            Some(None) => filter.nothing = true,
            None => {}
        }
        let (rows, total) = stock::distributions(&mut tx, &filter, page, true).await?;
        Ok((views(&mut tx, caller, &rows).await?, total))
    }
}

/// What a handover to one household may answer, for the handover form: its open item needs
/// and the item lines still to deliver of pledges handed over through the town.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverChoices {
    pub household_id: Uuid,
    pub head_name: String,
    pub village_name: String,
    pub needs: Vec<NeedChoice>,
    pub pledge_lines: Vec<PledgeLineChoice>,
    /// Open cash needs, which cash aid may meet.
    pub cash_needs: Vec<CashNeedChoice>,
}

/// An open cash need of the household, for the cash aid form.
#[derive(Debug, Clone, Serialize)]
pub struct CashNeedChoice {
    pub id: Uuid,
    pub number: String,
    pub campaign_code: String,
    pub amount: Fen,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeedChoice {
    pub id: Uuid,
    pub number: String,
    pub campaign_code: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PledgeLineChoice {
    pub id: Uuid,
    pub pledge_number: String,
    pub campaign_code: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    /// Units still to deliver.
    pub remaining: u32,
}

impl App {
    /// The household the caller may hand goods to, with what a handover may answer.
    pub async fn handover_choices(
        &self,
        caller: &Caller,
        household: Uuid,
    ) -> Result<HandoverChoices> {
        caller.require(Permission::ManageStock)?;
        let mut tx = self.store().read().await?;
        let household = receiving(&mut tx, caller, household)
            .await
            .map_err(|e| match e {
                AppError::Invalid(_) => AppError::NotFound,
                other => other,
            })?;
        let names = Lookup::load(&mut tx).await?;
        let filter = NeedFilter {
            household: Some(household.id),
            statuses: Some(vec![NeedStatus::Open]),
            ..NeedFilter::default()
        };
        let (open, _) = needs::search(&mut tx, &filter, PageRequest::all()).await?;
        let needs = open
            .iter()
            .filter_map(|n| match &n.line {
                NeedLine::Item { item, quantity } => {
                    let (item_name, unit) = names.item(item);
                    Some(NeedChoice {
                        id: n.id,
                        number: n.number.clone(),
                        campaign_code: names.campaign_code(n.campaign_id),
                        item: item.clone(),
                        item_name,
                        unit,
                        quantity: *quantity,
                    })
                }
                _ => None,
            })
            .collect();
        let cash_needs = open
            .iter()
            .filter_map(|n| match &n.line {
                NeedLine::Cash { amount } => Some(CashNeedChoice {
                    id: n.id,
                    number: n.number.clone(),
                    campaign_code: names.campaign_code(n.campaign_id),
                    amount: *amount,
                }),
                _ => None,
            })
            .collect();
        let pledge_lines = pledge_line_choices(&mut tx, &names, &household).await?;
        Ok(HandoverChoices {
            cash_needs,
            household_id: household.id,
            head_name: household.head_name.clone(),
            village_name: names.area(&household.village),
            needs,
            pledge_lines,
        })
    }
}

/// Item lines of signed pledges handed over through the town that name the household (or its
/// need) and still have units to deliver.
async fn pledge_line_choices(
    tx: &mut Tx,
    names: &Lookup,
    household: &HouseholdRow,
) -> Result<Vec<PledgeLineChoice>> {
    let filter = PledgeFilter {
        touching: Some(household.village.clone()),
        ..PledgeFilter::default()
    };
    let mut out = Vec::new();
    for pledge in pledges::search(tx, &filter).await? {
        let open = pledge.row.signed_at.is_some() && pledge.row.cancelled_at.is_none();
        let names_household = pledge
            .households
            .iter()
            .any(|h| h.household_id == household.id);
        if !open || !names_household || pledge.row.delivery != Delivery::ThroughTown {
            continue;
        }
        let delivered = deliveries::delivered(tx, pledge.row.id).await?;
        for line in pledge.lines.iter().filter(|l| l.done_at.is_none()) {
            let PledgeLine::Item { item, quantity, .. } = &line.line else {
                continue;
            };
            if let Some(need) = line.need_id
                && needs::get(tx, need)
                    .await?
                    .is_none_or(|n| n.household_id != household.id)
            {
                continue;
            }
            let so_far = delivered.get(&line.id).map_or(0, |d| d.quantity);
            let (item_name, unit) = names.item(item);
            out.push(PledgeLineChoice {
                id: line.id,
                pledge_number: pledge.row.number.clone(),
                campaign_code: names.campaign_code(pledge.row.campaign_id),
                item: item.clone(),
                item_name,
                unit,
                remaining: quantity.saturating_sub(so_far),
            });
        }
    }
    Ok(out)
}
