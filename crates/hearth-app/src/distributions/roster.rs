//! The distribution roster (发放签收表) of one town and campaign, optionally a batch of days:
//! one line per paper a household signs for — each handover of goods and each cash aid — in
//! the order they were handed over, masked as paper given out needs.

use super::{HandedView, RECORD, full_names, handed, shown};
use crate::stock::{Lookup, audited, read_scope};
use crate::{App, AppError, Caller, Result};
use chrono::NaiveDate;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::delivery::{Proxy, ProxyRelationship};
use hearth_core::stock::optional_day;
use hearth_core::{Fen, Invalid};
use hearth_store::cash_aid::{self, CashAidFilter, CashAidRow};
use hearth_store::households::{self, HouseholdRow};
use hearth_store::organizations::PageRequest;
use hearth_store::stock::{self, DistributionFilter, DistributionRow, HandedLine};
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use uuid::Uuid;

/// The roster asked for: one campaign, one town, optionally a range of days (a batch).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    /// A campaign id or code.
    pub campaign: String,
    /// The town; a town officer's own when blank.
    pub town: String,
    pub from: String,
    pub to: String,
}

/// Why a roster leaves the screen; both are written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterUse {
    /// The A4 print view.
    Print,
    /// The .xlsx file.
    Export,
}

/// The distribution roster (发放签收表) of one town and batch, masked for paper given out.
#[derive(Debug, Clone, Serialize)]
pub struct Roster {
    pub campaign_code: String,
    pub campaign_name: String,
    pub town: AreaCode,
    pub town_name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub rows: Vec<RosterRow>,
    /// Per item, the units and value handed over, for the summary the town stamps.
    pub totals: Vec<HandedView>,
    /// Households reached, by goods or cash.
    pub households: usize,
    /// The goods' value.
    pub value: Fen,
    /// The cash handed over.
    pub cash: Fen,
}

/// One handover or cash aid on the roster.
#[derive(Debug, Clone, Serialize)]
pub struct RosterRow {
    pub number: String,
    pub village_name: String,
    /// In full for officers (whoever signs must find their line); masked for auditors.
    pub head_name: String,
    /// In full for officers; the village only for auditors.
    pub address: String,
    /// Always `340123********1234`: the roster is paper given out.
    pub id_number: String,
    /// Always `*******1234`.
    pub phone: String,
    /// The goods; empty for cash aid.
    pub lines: Vec<HandedView>,
    /// The goods' value.
    pub value: Fen,
    /// The cash handed over; zero for goods.
    pub cash: Fen,
    pub proxy_name: String,
    pub proxy_relationship: Option<ProxyRelationship>,
    pub distributed_on: NaiveDate,
    pub handler: String,
}

/// What a roster line is made of, whether goods or cash.
struct Paper<'a> {
    number: &'a str,
    household_id: Uuid,
    village: &'a AreaCode,
    lines: &'a [HandedLine],
    cash: Fen,
    proxy: Option<&'a Proxy>,
    on: NaiveDate,
    handler: &'a str,
}

impl<'a> Paper<'a> {
    fn goods(row: &'a DistributionRow) -> Paper<'a> {
        Paper {
            number: &row.number,
            household_id: row.household_id,
            village: &row.village,
            lines: &row.lines,
            cash: Fen::ZERO,
            proxy: row.proxy.as_ref(),
            on: row.distributed_on,
            handler: &row.handler,
        }
    }

    fn cash(row: &'a CashAidRow) -> Paper<'a> {
        Paper {
            number: &row.number,
            household_id: row.household_id,
            village: &row.village,
            lines: &[],
            cash: row.amount,
            proxy: row.proxy.as_ref(),
            on: row.given_on,
            handler: &row.handler,
        }
    }
}

/// The cash aid of the town and campaign within the days asked, oldest first.
async fn cash_aid_of(
    tx: &mut hearth_store::Tx,
    town: &AreaCode,
    campaign: Uuid,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
) -> Result<Vec<CashAidRow>> {
    let filter = CashAidFilter {
        within: Some(town.clone()),
        campaign: Some(campaign),
        ..CashAidFilter::default()
    };
    let (mut rows, _) = cash_aid::search(tx, &filter, PageRequest::all()).await?;
    rows.retain(|r| from.is_none_or(|f| r.given_on >= f) && to.is_none_or(|t| r.given_on <= t));
    rows.reverse();
    Ok(rows)
}

impl App {
    /// The distribution roster (发放签收表) of one town and campaign, optionally a range of
    /// days, in the order handed over. Printing or exporting it is written to the audit log.
    pub async fn roster(
        &self,
        caller: &Caller,
        query: &RosterQuery,
        purpose: RosterUse,
    ) -> Result<Roster> {
        let scope = read_scope(caller)?;
        let town = roster_town(&scope, &query.town)?;
        let from = optional_day("from", &query.from)?;
        let to = optional_day("to", &query.to)?;
        let mut tx = self.store().write().await?;
        let campaign = crate::needs::find_campaign(&mut tx, &query.campaign)
            .await?
            .ok_or_else(|| {
                Invalid::new("campaign", "stock.campaign_unknown").arg("value", &query.campaign)
            })?;
        let filter = DistributionFilter {
            within: Some(town.clone()),
            campaign: Some(campaign.id),
            from,
            to,
            ..DistributionFilter::default()
        };
        let (rows, _) = stock::distributions(&mut tx, &filter, PageRequest::all(), false).await?;
        let cash = cash_aid_of(&mut tx, &town, campaign.id, (from, to)).await?;
        let mut papers: Vec<Paper> = rows.iter().map(Paper::goods).collect();
        papers.extend(cash.iter().map(Paper::cash));
        // Stable: within a day, goods in the order handed over, then cash.
        papers.sort_by_key(|p| p.on);
        let names = Lookup::load(&mut tx).await?;
        let mut roster_rows = Vec::with_capacity(papers.len());
        let mut households_seen: HashMap<Uuid, HouseholdRow> = HashMap::new();
        for paper in &papers {
            let household = match households_seen.entry(paper.household_id) {
                Entry::Occupied(seen) => seen.into_mut(),
                Entry::Vacant(slot) => {
                    let found = households::get(&mut tx, paper.household_id).await?;
                    slot.insert(found.ok_or(AppError::NotFound)?)
                }
            };
            roster_rows.push(roster_row(caller, &names, household, paper));
        }
        let action = match purpose {
            RosterUse::Print => "roster_printed",
            RosterUse::Export => "roster_exported",
        };
        let detail = serde_json::json!({
            "campaign": campaign.profile.code, "town": town.as_str(),
            "from": from.map(|d| d.to_string()), "to": to.map(|d| d.to_string()),
            "rows": roster_rows.len(),
        });
        audited(
            &mut tx,
            caller,
            (action, RECORD),
            campaign.id,
            detail,
            String::new(),
        )
        .await?;
        tx.commit().await?;
        Ok(Roster {
            campaign_code: campaign.profile.code.clone(),
            campaign_name: campaign.profile.name.clone(),
            town_name: names.area(&town),
            town,
            from,
            to,
            totals: totals(&names, &rows),
            households: households_seen.len(),
            value: rows.iter().flat_map(|r| &r.lines).map(|l| l.value).sum(),
            cash: cash.iter().map(|c| c.amount).sum(),
            rows: roster_rows,
        })
    }
}

/// The town a roster is for: a town officer's own; for the county and auditors the town they
/// name, inside their area (another is "not found").
fn roster_town(scope: &AreaCode, raw: &str) -> Result<AreaCode> {
    if raw.trim().is_empty() {
        return match scope.level() {
            AreaLevel::Town => Ok(scope.clone()),
            _ => Err(Invalid::new("town", "field.required").into()),
        };
    }
    let town = AreaCode::parse(raw).map_err(|e| e.within("town"))?;
    if town.level() != AreaLevel::Town {
        return Err(Invalid::new("town", "stock.not_a_town")
            .arg("value", raw.trim())
            .into());
    }
    if !town.is_within(scope) {
        return Err(AppError::NotFound);
    }
    Ok(town)
}

fn roster_row(
    caller: &Caller,
    names: &Lookup,
    household: &HouseholdRow,
    paper: &Paper,
) -> RosterRow {
    let village_name = names.area(paper.village);
    RosterRow {
        number: paper.number.to_owned(),
        head_name: shown(caller, &household.head_name),
        address: if full_names(caller) {
            household.address.clone()
        } else {
            village_name.clone()
        },
        village_name,
        id_number: household.head_id_masked.clone(),
        phone: household
            .phone_last4
            .as_ref()
            .map(|last4| format!("*******{last4}"))
            .unwrap_or_default(),
        lines: handed(names, paper.lines),
        value: paper.lines.iter().map(|l| l.value).sum(),
        cash: paper.cash,
        proxy_name: paper
            .proxy
            .map(|p| shown(caller, &p.name))
            .unwrap_or_default(),
        proxy_relationship: paper.proxy.map(|p| p.relationship),
        distributed_on: paper.on,
        handler: paper.handler.to_owned(),
    }
}

/// Per item, the units and value on the roster, in catalogue order of first appearance.
fn totals(names: &Lookup, rows: &[DistributionRow]) -> Vec<HandedView> {
    let mut out: Vec<HandedLine> = Vec::new();
    for line in rows.iter().flat_map(|r| &r.lines) {
        match out.iter_mut().find(|t| t.item == line.item) {
            Some(total) => {
                total.quantity += line.quantity;
                total.value = total.value.checked_add(line.value).unwrap_or(total.value);
            }
            None => out.push(line.clone()),
        }
    }
    handed(names, &out)
}
