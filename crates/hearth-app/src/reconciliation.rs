//! 对账: a campaign's books at a glance — raised, spent, on hand and delivered, for the campaign,
//! for each donor designation (定向), for each donating organization and for each stock
//! station — with the two identities checked and the ledger's head digest, computed from the
//! same journal `hearth ledger verify` replays. Households are never named here: a household
//! designation shows as 指定帮扶户. A [`ReconciliationFilter`] narrows the slices to one kind
//! of designation, one organization or one station; the campaign's totals stay whole.

use crate::dashboard::of_campaign;
use crate::{App, Caller, Result};
use hearth_core::Invalid;
use hearth_core::area::AreaCode;
use hearth_core::ledger::{
    Designation, EntryDraft, Flows, Head, Location, MovementDraft, Reconciliation,
};
use hearth_core::permission::Permission;
use hearth_store::{areas, campaigns, organizations, pledges};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Totals for one slice of the books. `kind` is `campaign`, `town`, `pledge` or `household`
/// for a designation, `organization` for a donor; `label` names the town, the pledge number or
/// the organization (empty for the campaign at large and for a household, never named).
#[derive(Debug, Clone, Serialize)]
pub struct Slice {
    pub kind: &'static str,
    pub label: String,
    pub totals: Reconciliation,
}

/// What came into and went out of one station, in value.
#[derive(Debug, Clone, Serialize)]
pub struct StationFlows {
    pub station: AreaCode,
    pub name: String,
    pub flows: Flows,
}

/// What the slices of a reconciliation are narrowed to; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReconciliationFilter {
    /// A station's area code (the county warehouse or a town).
    pub station: String,
    /// A donating organization's id.
    pub organization: String,
    /// `campaign`, `town`, `pledge` or `household`.
    pub designation: String,
}

/// The filter, checked: each refusal names its field.
struct Narrowed {
    station: Option<AreaCode>,
    organization: Option<Uuid>,
    designation: Option<&'static str>,
}

/// A filter's value, or `None` when blank.
fn given(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|v| !v.is_empty())
}

impl ReconciliationFilter {
    fn check(&self) -> Result<Narrowed> {
        let station = given(&self.station)
            .map(|raw| AreaCode::parse(raw).map_err(|e| e.within("station")))
            .transpose()?;
        let organization = given(&self.organization)
            .map(|raw| {
                Uuid::parse_str(raw)
                    .map_err(|_| Invalid::new("organization", "stock.id").arg("value", raw))
            })
            .transpose()?;
        let designation = given(&self.designation)
            .map(|raw| {
                ["campaign", "town", "pledge", "household"]
                    .into_iter()
                    .find(|k| *k == raw)
                    .ok_or_else(|| Invalid::new("designation", "dict.unknown").arg("value", raw))
            })
            .transpose()?;
        Ok(Narrowed {
            station,
            organization,
            designation,
        })
    }
}

/// A campaign's reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationView {
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub campaign_name: String,
    /// The chain's head when the figures were read.
    pub head: Head,
    pub totals: Reconciliation,
    pub cash_balances: bool,
    pub materials_balance: bool,
    pub designations: Vec<Slice>,
    /// Donations by donating organization (registry organizations only).
    pub organizations: Vec<Slice>,
    pub stations: Vec<StationFlows>,
    /// Every donating organization and station of the campaign, whatever the filter, for
    /// choosing one.
    pub organization_choices: Vec<(Uuid, String)>,
    pub station_choices: Vec<(AreaCode, String)>,
}

fn slice<K: Ord + Clone>(
    entries: &[&EntryDraft],
    movements: &[&MovementDraft],
    key: impl Fn(&hearth_core::ledger::Header) -> Option<K>,
) -> BTreeMap<K, Reconciliation> {
    let keys: BTreeSet<K> = entries
        .iter()
        .map(|e| &e.header)
        .chain(movements.iter().map(|m| &m.header))
        .filter_map(&key)
        .collect();
    keys.into_iter()
        .map(|k| {
            let e = entries
                .iter()
                .copied()
                .filter(|e| key(&e.header) == Some(k.clone()));
            let m = movements
                .iter()
                .copied()
                .filter(|m| key(&m.header) == Some(k.clone()));
            let totals = Reconciliation::of(e, m);
            (k, totals)
        })
        .collect()
}

impl App {
    /// The reconciliation of a campaign (by id or code), for the county, towns and auditors.
    pub async fn reconciliation(
        &self,
        caller: &Caller,
        campaign: &str,
        filter: &ReconciliationFilter,
    ) -> Result<ReconciliationView> {
        caller.require(Permission::ReadLedger)?;
        let narrowed = filter.check()?;
        let mut tx = self.store().read().await?;
        let found = match Uuid::parse_str(campaign.trim()) {
            Ok(id) => campaigns::get(&mut tx, id).await?,
            Err(_) => campaigns::by_code(&mut tx, campaign.trim()).await?,
        };
        let found = crate::areas::CampaignAreas::load(&mut tx, caller)
            .await?
            .visible(caller, found)?;
        let journal = self.journal(&mut tx).await?;
        let (entries, movements) = of_campaign(journal.records(), found.id);
        let area_names: HashMap<String, String> = areas::all(&mut tx)
            .await?
            .into_iter()
            .map(|a| (a.code.as_str().to_owned(), a.name))
            .collect();
        let area = |code: &AreaCode| {
            area_names
                .get(code.as_str())
                .cloned()
                .unwrap_or_else(|| code.as_str().to_owned())
        };
        let mut designations = Vec::new();
        for (designation, totals) in slice(&entries, &movements, |h| Some(h.designation.clone())) {
            let (kind, label) = match &designation {
                Designation::Campaign => ("campaign", String::new()),
                Designation::Town(code) => ("town", area(code)),
                Designation::Pledge(id) => (
                    "pledge",
                    pledges::get(&mut tx, *id)
                        .await?
                        .map(|p| p.row.number)
                        .unwrap_or_default(),
                ),
                Designation::Household(_) => ("household", String::new()),
            };
            if narrowed.designation.is_none_or(|k| k == kind) {
                designations.push(Slice {
                    kind,
                    label,
                    totals,
                });
            }
        }
        let mut donors = Vec::new();
        let mut organization_choices = Vec::new();
        for (id, totals) in slice(&entries, &movements, |h| h.organization) {
            if let Some(org) = organizations::get(&mut tx, id).await? {
                organization_choices.push((id, org.profile.name.clone()));
                if narrowed.organization.is_none_or(|o| o == id) {
                    donors.push(Slice {
                        kind: "organization",
                        label: org.profile.name,
                        totals,
                    });
                }
            }
        }
        donors.sort_by_key(|d| std::cmp::Reverse(d.totals.raised_cash));
        let sites: BTreeSet<AreaCode> = movements
            .iter()
            .flat_map(|m| [m.from.as_ref(), m.to.as_ref()])
            .flatten()
            .filter_map(|l| match l {
                Location::Site(code) => Some(code.clone()),
                _ => None,
            })
            .collect();
        let station_choices = sites.iter().map(|c| (c.clone(), area(c))).collect();
        let stations = sites
            .into_iter()
            .filter(|code| narrowed.station.as_ref().is_none_or(|s| s == code))
            .map(|code| StationFlows {
                name: area(&code),
                flows: Flows::at(
                    &Location::Site(code.clone()),
                    None,
                    movements.iter().copied(),
                ),
                station: code,
            })
            .collect();
        let totals = Reconciliation::of(entries.iter().copied(), movements.iter().copied());
        Ok(ReconciliationView {
            campaign_id: found.id,
            campaign_code: found.profile.code.clone(),
            campaign_name: found.profile.name.clone(),
            head: journal.head().clone(),
            cash_balances: totals.cash_balances(),
            materials_balance: totals.materials_balance(),
            totals,
            designations,
            organizations: donors,
            stations,
            organization_choices,
            station_choices,
        })
    }
}
