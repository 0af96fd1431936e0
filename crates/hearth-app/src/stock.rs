//! Stock at the county warehouse (县级仓库) and the town and park stations (乡镇/园区站点): what
//! each holds of each item, read from the ledger's movements, and the papers that change it
//! besides waybills ([`crate::waybills`]) and handovers ([`crate::distributions`]):
//! adjustments (报损/盘盈, [`adjustments`]) and stock counts (盘点, [`counts`]), both under
//! maker-checker.
//!
//! Who: the county keeps every station (`ManageStock`) and sees them all; a town officer keeps
//! and sees the town's own station; auditors read everything. A station, waybill or paper
//! outside what the caller sees is "not found".
//!
//! Every write begins by locking the ledger's head, before any other row: stock papers then
//! run one after another on both engines, so the quantities checked, the numbers given and the
//! movements posted all see the previous paper committed, and no lock is ever taken in the
//! opposite order (the audit log's head is always locked after the ledger's).

pub mod adjustments;
pub mod counts;

pub use adjustments::AdjustmentView;
pub use counts::{CountLineView, CountView};

use crate::{App, AppError, Caller, Result};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::campaign::CampaignStatus;
use hearth_core::ledger::{Account, Designation, Header, Journal, Location, WaybillLine};
use hearth_core::need::Item;
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_core::{Fen, Invalid};
use hearth_store::audit::{self, NewEvent};
use hearth_store::campaigns::Campaign;
use hearth_store::{Tx, areas, campaigns, items, users};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A place that keeps stock: the county warehouse or a town's station.
#[derive(Debug, Clone, Serialize)]
pub struct Station {
    pub code: AreaCode,
    pub name: String,
    /// The county warehouse rather than a town station.
    pub is_county: bool,
    /// The caller may dispatch, hand over and adjust here.
    pub kept_by_caller: bool,
}

/// What one station holds of one item in one campaign.
#[derive(Debug, Clone, Serialize)]
pub struct StockLine {
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub station: AreaCode,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// At the station's average value (移动加权平均).
    pub value: Fen,
}

/// Goods on the road under a dispatched waybill not yet received (在途), per item.
#[derive(Debug, Clone, Serialize)]
pub struct TransitLine {
    pub campaign_code: String,
    pub waybill_id: Uuid,
    /// 调拨单号.
    pub waybill_number: String,
    pub from: AreaCode,
    pub from_name: String,
    pub to: AreaCode,
    pub to_name: String,
    pub dispatched_on: chrono::NaiveDate,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// At the value it left with.
    pub value: Fen,
}

/// What the stock list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StockQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A station's area code (the county or a town).
    pub station: Option<String>,
    /// An item code.
    pub item: Option<String>,
}

/// The area whose stations the caller sees, or a refusal.
pub(crate) fn read_scope(caller: &Caller) -> Result<AreaCode> {
    caller.require(Permission::ReadStock)?;
    caller.user.area_code.clone().ok_or(AppError::Forbidden)
}

/// Whether the caller keeps `station`: the county any station in it, a town its own.
pub(crate) fn keeps(caller: &Caller, station: &AreaCode) -> bool {
    let Some(area) = caller.user.area_code.as_ref() else {
        return false;
    };
    caller.can(Permission::ManageStock)
        && match caller.user.role {
            Role::CountyAdmin => station.is_within(area),
            Role::TownOfficer => station == area,
            _ => false,
        }
}

/// The area of a station location (the county or a town).
pub(crate) fn site_of(location: &Location) -> Option<&AreaCode> {
    match location {
        Location::Site(area) => Some(area),
        Location::Transit(_) => None,
    }
}

/// The station `code` names, if it is the county or a town on the area tree.
pub(crate) async fn station_named(tx: &mut Tx, code: &AreaCode) -> Result<Option<String>> {
    let keeps_stock = matches!(code.level(), AreaLevel::County | AreaLevel::Town);
    Ok(match areas::get(tx, code).await? {
        Some(area) if keeps_stock => Some(area.name),
        _ => None,
    })
}

/// A station the caller keeps, named on `field`; one outside their reach is refused there.
pub(crate) async fn kept_station(
    tx: &mut Tx,
    caller: &Caller,
    field: &str,
    station: &Location,
) -> Result<AreaCode> {
    let area = site_of(station).ok_or_else(|| Invalid::new(field, "ledger.movement.ends"))?;
    if station_named(tx, area).await?.is_none() {
        return Err(Invalid::new(field, "stock.no_station")
            .arg("value", area)
            .into());
    }
    if !keeps(caller, area) {
        return Err(Invalid::new(field, "stock.not_your_station").into());
    }
    Ok(area.clone())
}

/// The campaign a paper moves stock in, by id or code: it must be running (launched).
/// One of another county's campaigns is as unknown as one that does not exist.
pub(crate) async fn running_campaign(
    tx: &mut Tx,
    caller: &Caller,
    id_or_code: &str,
) -> Result<Campaign> {
    let found = crate::needs::find_campaign(tx, id_or_code).await?;
    let campaign = crate::areas::CampaignAreas::load(tx, caller)
        .await?
        .visible(caller, found)
        .map_err(|_| Invalid::new("campaign", "stock.campaign_unknown").arg("value", id_or_code))?;
    if campaign.status != CampaignStatus::Launched {
        return Err(Invalid::new("campaign", "stock.campaign_not_running")
            .arg("status", campaign.status.as_str())
            .into());
    }
    Ok(campaign)
}

/// A catalogue item by code, named on `field`.
pub(crate) async fn catalogue_item(tx: &mut Tx, field: &str, code: &str) -> Result<Item> {
    items::get(tx, code).await?.ok_or_else(|| {
        Invalid::new(field, "need.item_unknown")
            .arg("value", code)
            .into()
    })
}

/// Every item of `lines` in the catalogue, each refusal on `lines[i].item`.
pub(crate) async fn check_items(tx: &mut Tx, lines: &[WaybillLine]) -> Result<()> {
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Err(AppError::Invalid(mut e)) =
            catalogue_item(tx, &format!("lines[{i}].item"), &line.item).await
        {
            errors.append(&mut e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Whose stock value pays for goods leaving under `header`: the most specific designation the
/// header's purpose may use (its household, its pledge, its town, then the campaign at large)
/// that holds `value`. Goods written off (not spending) may come from any designation holding
/// enough. When none does, the campaign is named and the ledger refuses saying what it holds.
pub(crate) fn funding(
    journal: &Journal,
    header: &Header,
    value: Fen,
    spending: bool,
) -> Designation {
    let balances = journal.balances();
    let holds = |d: &Designation| balances.get(header.campaign, d, Account::StockValue) >= value;
    let target = header.target();
    let preferred = [
        target.household.map(Designation::Household),
        target.pledge.map(Designation::Pledge),
        target.town.map(Designation::Town),
        Some(Designation::Campaign),
    ];
    let any = (!spending).then(|| {
        balances
            .iter()
            .filter(|(c, _, a, _)| *c == header.campaign && *a == Account::StockValue)
            .map(|(_, d, _, _)| d.clone())
            .collect::<Vec<_>>()
    });
    preferred
        .into_iter()
        .flatten()
        .chain(any.into_iter().flatten())
        .find(|d| holds(d))
        .unwrap_or(Designation::Campaign)
}

/// Names lists and papers show beside codes and ids, loaded once per request.
pub(crate) struct Lookup {
    areas: HashMap<String, String>,
    items: HashMap<String, Item>,
    campaigns: HashMap<Uuid, Campaign>,
    users: HashMap<Uuid, String>,
}

impl Lookup {
    pub async fn load(tx: &mut Tx) -> Result<Lookup> {
        Ok(Lookup {
            areas: areas::all(tx)
                .await?
                .into_iter()
                .map(|a| (a.code.as_str().to_owned(), a.name))
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
            users: users::list(tx)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect(),
        })
    }

    pub fn area(&self, code: &AreaCode) -> String {
        self.areas
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.as_str().to_owned())
    }

    /// The item's name and unit, or its code when the catalogue lost it.
    pub fn item(&self, code: &str) -> (String, String) {
        self.items
            .get(code)
            .map(|i| (i.name.clone(), i.unit.clone()))
            .unwrap_or_else(|| (code.to_owned(), String::new()))
    }

    pub fn campaign_code(&self, id: Uuid) -> String {
        self.campaigns
            .get(&id)
            .map(|c| c.profile.code.clone())
            .unwrap_or_default()
    }

    pub fn user(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.users.get(&id).cloned())
            .unwrap_or_default()
    }
}

/// Appends a stock paper's event to the audit log.
pub(crate) async fn audited(
    tx: &mut Tx,
    caller: &Caller,
    (action, record_type): (&str, &str),
    id: Uuid,
    detail: serde_json::Value,
    reason: String,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type,
            record_id: id.to_string(),
            detail,
            reason,
        },
    )
    .await?;
    Ok(())
}

/// The campaign a list is filtered by: `None` for all, `Some(None)` for one that does not
/// exist (an empty list).
pub(crate) async fn campaign_filter(
    tx: &mut Tx,
    raw: &Option<String>,
) -> Result<Option<Option<Uuid>>> {
    match crate::needs::given(raw) {
        None => Ok(None),
        Some(raw) => Ok(Some(
            crate::needs::find_campaign(tx, raw).await?.map(|c| c.id),
        )),
    }
}

impl App {
    /// The county warehouse and the town stations the caller sees, county first.
    pub async fn stations(&self, caller: &Caller) -> Result<Vec<Station>> {
        let scope = read_scope(caller)?;
        let mut tx = self.store().read().await?;
        let mut stations: Vec<Station> = areas::all(&mut tx)
            .await?
            .into_iter()
            .filter(|a| matches!(a.level, AreaLevel::County | AreaLevel::Town))
            .filter(|a| a.code.is_within(&scope))
            .map(|a| Station {
                is_county: a.level == AreaLevel::County,
                kept_by_caller: keeps(caller, &a.code),
                code: a.code,
                name: a.name,
            })
            .collect();
        stations.sort_by(|a, b| (!a.is_county, &a.code).cmp(&(!b.is_county, &b.code)));
        Ok(stations)
    }

    /// What each station in the caller's scope holds, by campaign, station and item; goods on
    /// the road under a waybill are on the waybill, not here.
    pub async fn stock(&self, caller: &Caller, query: &StockQuery) -> Result<Vec<StockLine>> {
        let scope = read_scope(caller)?;
        let station = crate::needs::given(&query.station)
            .map(|s| AreaCode::parse(s).map_err(|e| e.within("station")))
            .transpose()?;
        let item = crate::needs::given(&query.item);
        let mut tx = self.store().read().await?;
        let campaign = campaign_filter(&mut tx, &query.campaign).await?;
        let journal = self.journal(&mut tx).await?;
        let names = Lookup::load(&mut tx).await?;
        let reached = crate::areas::CampaignAreas::load(&mut tx, caller).await?;
        let mut lines = Vec::new();
        for c in names.campaigns.values() {
            if campaign.is_some_and(|only| only != Some(c.id)) || !reached.reaches(caller, c.id) {
                continue;
            }
            for (location, code, holding) in journal.stock(c.id).holdings() {
                let Some(area) = site_of(location) else {
                    continue;
                };
                let wanted = area.is_within(&scope)
                    && station.as_ref().is_none_or(|s| s == area)
                    && item.is_none_or(|i| i == code);
                if wanted {
                    let (item_name, unit) = names.item(code);
                    lines.push(StockLine {
                        campaign_id: c.id,
                        campaign_code: c.profile.code.clone(),
                        station: area.clone(),
                        station_name: names.area(area),
                        item: code.to_owned(),
                        item_name,
                        unit,
                        quantity: holding.quantity,
                        value: holding.value,
                    });
                }
            }
        }
        lines.sort_by(|a, b| {
            (&a.campaign_code, &a.station, &a.item).cmp(&(&b.campaign_code, &b.station, &b.item))
        });
        Ok(lines)
    }

    /// Goods dispatched and not yet received (在途), for waybills from or to a station in the
    /// caller's scope, filtered like [`App::stock`] (a station matches either end).
    pub async fn in_transit(
        &self,
        caller: &Caller,
        query: &StockQuery,
    ) -> Result<Vec<TransitLine>> {
        let scope = read_scope(caller)?;
        let station = crate::needs::given(&query.station)
            .map(|s| AreaCode::parse(s).map_err(|e| e.within("station")))
            .transpose()?;
        let item = crate::needs::given(&query.item);
        let mut tx = self.store().read().await?;
        let campaign = campaign_filter(&mut tx, &query.campaign).await?;
        let journal = self.journal(&mut tx).await?;
        let names = Lookup::load(&mut tx).await?;
        let reached = crate::areas::CampaignAreas::load(&mut tx, caller).await?;
        let mut lines = Vec::new();
        for c in names.campaigns.values() {
            if campaign.is_some_and(|only| only != Some(c.id)) || !reached.reaches(caller, c.id) {
                continue;
            }
            for (location, code, holding) in journal.stock(c.id).holdings() {
                let Location::Transit(waybill) = location else {
                    continue;
                };
                if item.is_some_and(|i| i != code) || holding.quantity == 0 {
                    continue;
                }
                let Some(w) = hearth_store::waybills::get(&mut tx, *waybill).await? else {
                    continue;
                };
                let ends = [&w.from, &w.to];
                let seen = ends.iter().any(|e| e.is_within(&scope))
                    && station.as_ref().is_none_or(|s| ends.contains(&s));
                if !seen {
                    continue;
                }
                let (item_name, unit) = names.item(code);
                lines.push(TransitLine {
                    campaign_code: c.profile.code.clone(),
                    waybill_id: w.id,
                    waybill_number: w.number.clone(),
                    from_name: names.area(&w.from),
                    to_name: names.area(&w.to),
                    from: w.from,
                    to: w.to,
                    dispatched_on: w.dispatched_on,
                    item: code.to_owned(),
                    item_name,
                    unit,
                    quantity: holding.quantity,
                    value: holding.value,
                });
            }
        }
        lines.sort_by(|a, b| (&a.waybill_number, &a.item).cmp(&(&b.waybill_number, &b.item)));
        Ok(lines)
    }
}
