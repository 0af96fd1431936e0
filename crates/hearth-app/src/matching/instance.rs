//! A campaign's matching instance from the database: the open needs of approved, consenting
//! households (less what accepted transfer plans already hold for them); what organizations
//! still owe under their open pledges (lines not yet tied to a need nor delivered); what each
//! station holds, less what accepted transfer plans hold back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hearth_core::AreaCode;
use hearth_core::area::AreaLevel;
use hearth_core::ledger::Journal;
use hearth_core::need::{NeedLine, NeedStatus};
use hearth_core::organization::{OrgStatus, Organization};
use hearth_core::pledge::{PledgeLine, PledgeStatus};
use hearth_engine::flow::model::{self, Instance, Place, Reach, SupplierKind, Supply};
use hearth_store::households::{HouseholdFilter, HouseholdRow};
use hearth_store::matching::TransferPlan;
use hearth_store::needs::{NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::{Pledge, PledgeFilter, PledgeLineRow};
use hearth_store::{Tx, households, needs, organizations, pledges};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Result;
use crate::stock::site_of;

/// The instance and what it was built from, for naming things in the explanations.
pub(super) struct Loaded {
    pub instance: Instance,
    pub needs: HashMap<String, NeedRow>,
    pub households: HashMap<Uuid, HouseholdRow>,
    pub organizations: HashMap<Uuid, Organization>,
}

/// The category of a need or pledge line: an item code, or `service:<kind>`; cash is not
/// matched here (the what-if budget covers it).
pub(super) fn category_of_need(line: &NeedLine) -> Option<(String, u32)> {
    match line {
        NeedLine::Item { item, quantity } => Some((item.clone(), *quantity)),
        NeedLine::Service { service, times } => Some((service_key(service.as_str()), *times)),
        NeedLine::Cash { .. } => None,
    }
}

pub(super) fn service_key(code: &str) -> String {
    format!("service:{code}")
}

pub(super) fn organization_key(id: Uuid) -> String {
    format!("org:{id}")
}

pub(super) fn station_key(code: &AreaCode) -> String {
    format!("station:{}", code.as_str())
}

/// One item at one station, as much as is free for matching.
pub(super) struct StationStock {
    pub station: AreaCode,
    pub item: String,
    pub quantity: i64,
}

/// What each station of the campaign holds, less what open transfer plans hold back.
pub(super) fn station_stock(
    journal: &Journal,
    campaign: Uuid,
    plans: &[TransferPlan],
) -> Vec<StationStock> {
    let mut held: BTreeMap<(AreaCode, String), i64> = BTreeMap::new();
    for (location, item, holding) in journal.stock(campaign).holdings() {
        if let Some(area) = site_of(location) {
            *held.entry((area.clone(), item.to_owned())).or_default() += holding.quantity;
        }
    }
    for plan in plans {
        if let Some(quantity) = held.get_mut(&(plan.from.clone(), plan.item.clone())) {
            *quantity -= plan.quantity;
        }
    }
    held.into_iter()
        .map(|((station, item), quantity)| StationStock {
            station,
            item,
            quantity,
        })
        .collect()
}

/// A fingerprint of everything the proposal is made from: any change to a need, a pledge line
/// or a station's stock changes it, so an acceptance of an older proposal can be refused.
pub(super) fn digest(instance: &Instance) -> String {
    let mut needs: Vec<String> = instance
        .needs
        .iter()
        .map(|n| serde_json::to_string(n).unwrap_or_default())
        .collect();
    let mut supplies: Vec<String> = instance
        .supplies
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    needs.sort();
    supplies.sort();
    let mut hash = Sha256::new();
    for part in needs.iter().chain([&String::new()]).chain(&supplies) {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) async fn load(
    tx: &mut Tx,
    scope: Option<&AreaCode>,
    campaign: Uuid,
    stock: &[StationStock],
    plans: &[TransferPlan],
    today: chrono::NaiveDate,
) -> Result<Loaded> {
    let households = consenting_households(tx, scope).await?;
    let mut planned: HashMap<String, u32> = HashMap::new();
    for plan in plans {
        let units = u32::try_from(plan.quantity).unwrap_or(u32::MAX);
        *planned.entry(plan.need_id.to_string()).or_default() += units;
    }
    let (needs, rows) = open_needs(tx, campaign, &households, &planned).await?;
    let organizations = active_organizations(tx, scope).await?;
    let mut supplies = pledged(tx, campaign, &organizations, today).await?;
    supplies.extend(stock.iter().filter_map(station_supply));
    Ok(Loaded {
        instance: Instance { needs, supplies },
        needs: rows,
        households,
        organizations,
    })
}

async fn consenting_households(
    tx: &mut Tx,
    scope: Option<&AreaCode>,
) -> Result<HashMap<Uuid, HouseholdRow>> {
    let filter = HouseholdFilter {
        within: scope.cloned(),
        statuses: Some(vec!["approved".to_owned()]),
        shares_with_orgs: Some(true),
        ..HouseholdFilter::default()
    };
    let (rows, _) = households::search(tx, &filter, PageRequest::all()).await?;
    Ok(rows.into_iter().map(|h| (h.id, h)).collect())
}

async fn open_needs(
    tx: &mut Tx,
    campaign: Uuid,
    households: &HashMap<Uuid, HouseholdRow>,
    planned: &HashMap<String, u32>,
) -> Result<(Vec<model::Need>, HashMap<String, NeedRow>)> {
    let filter = NeedFilter {
        campaign: Some(campaign),
        statuses: Some(vec![NeedStatus::Open]),
        ..NeedFilter::default()
    };
    let (rows, _) = needs::search(tx, &filter, PageRequest::all()).await?;
    let paired = last_pairings(tx, campaign).await?;
    let mut out = Vec::new();
    let mut kept = HashMap::new();
    for row in rows {
        let Some(household) = households.get(&row.household_id) else {
            continue;
        };
        let Some((category, quantity)) = category_of_need(&row.line) else {
            continue;
        };
        let held = planned.get(&row.id.to_string()).copied().unwrap_or(0);
        let quantity = quantity.saturating_sub(held);
        if quantity == 0 {
            continue;
        }
        let score = u32::try_from(household.score.max(0)).unwrap_or(u32::MAX);
        out.push(model::Need {
            id: row.id.to_string(),
            household: row.household_id.to_string(),
            category,
            quantity,
            priority: model::priority(score, row.urgency),
            place: Place {
                town: row.town.as_str().to_owned(),
                village: row.village.as_str().to_owned(),
            },
            paired_with: paired.get(&row.household_id).map(|o| organization_key(*o)),
        });
        kept.insert(row.id.to_string(), row);
    }
    Ok((out, kept))
}

/// The organization that last claimed a need of each household in another campaign.
async fn last_pairings(tx: &mut Tx, campaign: Uuid) -> Result<HashMap<Uuid, Uuid>> {
    let filter = NeedFilter {
        statuses: Some(vec![NeedStatus::Claimed, NeedStatus::Fulfilled]),
        ..NeedFilter::default()
    };
    let (mut rows, _) = needs::search(tx, &filter, PageRequest::all()).await?;
    rows.retain(|r| r.campaign_id != campaign);
    rows.sort_by_key(|r| r.claimed_at);
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.household_id, r.claimed_by?)))
        .collect())
}

async fn active_organizations(
    tx: &mut Tx,
    scope: Option<&AreaCode>,
) -> Result<HashMap<Uuid, Organization>> {
    let filter = organizations::OrgFilter {
        reaching: scope.cloned(),
        ..organizations::OrgFilter::default()
    };
    let (orgs, _) = organizations::search(tx, &filter, PageRequest::all()).await?;
    Ok(orgs
        .into_iter()
        .filter(|o| o.status == OrgStatus::Active)
        .map(|o| (o.id, o))
        .collect())
}

/// A pledge whose free lines still count as capacity: signed and neither cancelled nor done.
pub(super) fn is_open(pledge: &Pledge, today: chrono::NaiveDate) -> bool {
    matches!(
        pledge.status(today),
        PledgeStatus::Signed | PledgeStatus::InProgress | PledgeStatus::Lapsed
    )
}

/// The category and units of a pledge line not yet tied to a need nor delivered.
pub(super) fn free_line(line: &PledgeLineRow) -> Option<(String, u32)> {
    if line.need_id.is_some() || line.done_at.is_some() {
        return None;
    }
    match &line.line {
        PledgeLine::Item { item, quantity, .. } => Some((item.clone(), *quantity)),
        PledgeLine::Service { service, schedule } => {
            Some((service_key(service.as_str()), schedule.visits))
        }
        PledgeLine::Cash { .. } => None,
    }
}

async fn pledged(
    tx: &mut Tx,
    campaign: Uuid,
    organizations: &HashMap<Uuid, Organization>,
    today: chrono::NaiveDate,
) -> Result<Vec<Supply>> {
    let filter = PledgeFilter {
        campaign: Some(campaign),
        ..PledgeFilter::default()
    };
    let mut out = Vec::new();
    for pledge in pledges::search(tx, &filter).await? {
        let Some(org) = organizations.get(&pledge.row.organization_id) else {
            continue;
        };
        if !is_open(&pledge, today) {
            continue;
        }
        for (category, quantity) in pledge.lines.iter().filter_map(free_line) {
            out.push(organization_supply(org, category, quantity));
        }
    }
    Ok(out)
}

fn organization_supply(org: &Organization, category: String, quantity: u32) -> Supply {
    let areas = &org.profile.service_areas;
    let county_wide = areas.is_empty() || areas.iter().any(|a| a.level() <= AreaLevel::County);
    let reach = if county_wide {
        Reach::County
    } else {
        Reach::Areas(
            areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect::<BTreeSet<_>>(),
        )
    };
    let home = areas.first().map(place_of).unwrap_or_default();
    Supply {
        supplier: organization_key(org.id),
        kind: SupplierKind::Organization,
        home,
        reach,
        category,
        quantity,
    }
}

/// Where an area is, as a town and a village (empty above those levels).
fn place_of(area: &AreaCode) -> Place {
    let at = |level| {
        area.ancestor_at(level)
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default()
    };
    Place {
        town: at(AreaLevel::Town),
        village: at(AreaLevel::Village),
    }
}

/// A town station delivers in its town; the county warehouse anywhere in the county.
fn station_supply(line: &StationStock) -> Option<Supply> {
    let quantity = u32::try_from(line.quantity).ok().filter(|&q| q > 0)?;
    let reach = if line.station.level() == AreaLevel::Town {
        Reach::Areas(BTreeSet::from([line.station.as_str().to_owned()]))
    } else {
        Reach::County
    };
    Some(Supply {
        supplier: station_key(&line.station),
        kind: SupplierKind::Station,
        home: place_of(&line.station),
        reach,
        category: line.item.clone(),
        quantity,
    })
}
