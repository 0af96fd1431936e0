//! A campaign's matching instance from the database: the open needs of approved, consenting
//! households; what organizations still owe under their open pledges (lines not yet tied to a
//! need nor delivered); what each station holds.

use std::collections::{BTreeSet, HashMap};

use hearth_core::AreaCode;
use hearth_core::area::AreaLevel;
use hearth_core::need::{NeedLine, NeedStatus};
use hearth_core::organization::{OrgStatus, Organization};
use hearth_core::pledge::{PledgeLine, PledgeStatus};
use hearth_engine::flow::model::{self, Instance, Place, Reach, SupplierKind, Supply};
use hearth_store::households::{HouseholdFilter, HouseholdRow};
use hearth_store::needs::{NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::PledgeFilter;
use hearth_store::{Tx, households, needs, organizations, pledges};
use uuid::Uuid;

use crate::Result;
use crate::stock::StockLine;

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

pub(super) async fn load(
    tx: &mut Tx,
    campaign: Uuid,
    stock: &[StockLine],
    today: chrono::NaiveDate,
) -> Result<Loaded> {
    let households = consenting_households(tx).await?;
    let (needs, rows) = open_needs(tx, campaign, &households).await?;
    let organizations = active_organizations(tx).await?;
    let mut supplies = pledged(tx, campaign, &organizations, today).await?;
    supplies.extend(stock.iter().filter_map(station_supply));
    Ok(Loaded {
        instance: Instance { needs, supplies },
        needs: rows,
        households,
        organizations,
    })
}

async fn consenting_households(tx: &mut Tx) -> Result<HashMap<Uuid, HouseholdRow>> {
    let filter = HouseholdFilter {
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

async fn active_organizations(tx: &mut Tx) -> Result<HashMap<Uuid, Organization>> {
    let filter = organizations::OrgFilter::default();
    let (orgs, _) = organizations::search(tx, &filter, PageRequest::all()).await?;
    Ok(orgs
        .into_iter()
        .filter(|o| o.status == OrgStatus::Active)
        .map(|o| (o.id, o))
        .collect())
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
    let open = [
        PledgeStatus::Signed,
        PledgeStatus::InProgress,
        PledgeStatus::Lapsed,
    ];
    let mut out = Vec::new();
    for pledge in pledges::search(tx, &filter).await? {
        let Some(org) = organizations.get(&pledge.row.organization_id) else {
            continue;
        };
        if !open.contains(&pledge.status(today)) {
            continue;
        }
        let free = pledge
            .lines
            .iter()
            .filter(|l| l.need_id.is_none() && l.done_at.is_none());
        for line in free {
            let (category, quantity) = match &line.line {
                PledgeLine::Item { item, quantity, .. } => (item.clone(), *quantity),
                PledgeLine::Service { service, schedule } => {
                    (service_key(service.as_str()), schedule.visits)
                }
                PledgeLine::Cash { .. } => continue,
            };
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
fn station_supply(line: &StockLine) -> Option<Supply> {
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
