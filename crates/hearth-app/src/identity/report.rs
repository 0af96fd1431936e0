//! The duplicate-aid report of a campaign: households that received (or were pledged) the same
//! category of aid from more than one source, and approved households in need that received
//! nothing. Households a reviewer merged count as one family, so aid given to a family under
//! two registrations shows up here.

use super::queue::HouseholdRef;
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_store::Tx;
use hearth_store::households;
use hearth_store::identity::{self as store, AidRow};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// One paper that gave or promised the aid.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AidSource {
    /// `org:<id>`, `station:<code>` or `county`.
    pub source: String,
    /// The organization's or station's name; empty for the county.
    pub source_name: String,
    /// `delivery`, `distribution`, `cash_aid` or `pledge`.
    pub paper: String,
    pub number: String,
    pub household: Uuid,
}

/// A family that got the same category of aid from two or more sources.
#[derive(Debug, Clone, Serialize)]
pub struct DoubledAid {
    /// The family's households (one, or several a reviewer merged).
    pub households: Vec<HouseholdRef>,
    /// `cash`, `service` or `item:<code>`.
    pub category: String,
    /// The item's name for items; empty otherwise (the page names cash and services).
    pub category_name: String,
    pub sources: Vec<AidSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AidReport {
    pub campaign_code: String,
    pub campaign_name: String,
    pub doubled: Vec<DoubledAid>,
    /// Approved households with a need in the campaign whose family received nothing.
    pub unreached: Vec<HouseholdRef>,
}

/// Families: each household mapped to the first household of its merged group.
struct Families(HashMap<Uuid, Uuid>);

impl Families {
    async fn load(tx: &mut Tx) -> Result<Families> {
        let mut parent: HashMap<Uuid, Uuid> = HashMap::new();
        fn root(parent: &HashMap<Uuid, Uuid>, mut x: Uuid) -> Uuid {
            while let Some(&p) = parent.get(&x) {
                if p == x {
                    break;
                }
                x = p;
            }
            x
        }
        for pair in store::pairs(tx, &["merged"]).await? {
            let (a, b) = (root(&parent, pair.first_id), root(&parent, pair.second_id));
            if a != b {
                let (keep, join) = if a < b { (a, b) } else { (b, a) };
                parent.insert(join, keep);
            }
        }
        let all: Vec<Uuid> = parent.keys().copied().collect();
        Ok(Families(
            all.into_iter().map(|h| (h, root(&parent, h))).collect(),
        ))
    }

    fn of(&self, household: Uuid) -> Uuid {
        self.0.get(&household).copied().unwrap_or(household)
    }

    fn members(&self, family: Uuid) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = self
            .0
            .iter()
            .filter(|&(_, &f)| f == family)
            .map(|(&h, _)| h)
            .collect();
        out.push(family);
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl App {
    pub async fn duplicate_aid_report(&self, caller: &Caller, campaign: &str) -> Result<AidReport> {
        caller.require(Permission::ResolveIdentities)?;
        let mut tx = self.store().read().await?;
        // Another county's campaign is as unknown as one that does not exist.
        let found = hearth_store::campaigns::by_code(&mut tx, campaign).await?;
        let found = crate::areas::CampaignAreas::load(&mut tx, caller)
            .await?
            .visible(caller, found)
            .map_err(|_| {
                AppError::from(
                    Invalid::new("campaign", "identity.campaign_unknown").arg("code", campaign),
                )
            })?;
        let families = Families::load(&mut tx).await?;
        let aid = store::aid_rows(&mut tx, found.id).await?;
        let mut names = Names::default();
        let doubled = doubled(&mut tx, &families, &aid, &mut names).await?;
        let received: BTreeSet<Uuid> = aid
            .iter()
            .filter(|a| a.paper != "pledge")
            .map(|a| families.of(a.household_id))
            .collect();
        let mut unreached = Vec::new();
        for household in store::households_in_need(&mut tx, found.id).await? {
            if !received.contains(&families.of(household))
                && let Some(row) = households::get(&mut tx, household).await?
            {
                unreached.push(HouseholdRef::of(&row));
            }
        }
        Ok(AidReport {
            campaign_code: found.profile.code.clone(),
            campaign_name: found.profile.name.clone(),
            doubled,
            unreached,
        })
    }
}

async fn doubled(
    tx: &mut Tx,
    families: &Families,
    aid: &[AidRow],
    names: &mut Names,
) -> Result<Vec<DoubledAid>> {
    let mut by_family: BTreeMap<(Uuid, &str), Vec<&AidRow>> = BTreeMap::new();
    for row in aid {
        by_family
            .entry((families.of(row.household_id), row.category.as_str()))
            .or_default()
            .push(row);
    }
    let mut out = Vec::new();
    for ((family, category), rows) in by_family {
        let sources: BTreeSet<&str> = rows.iter().map(|r| r.source.as_str()).collect();
        if sources.len() < 2 {
            continue;
        }
        let mut households_out = Vec::new();
        for h in families.members(family) {
            if let Some(row) = households::get(tx, h).await? {
                households_out.push(HouseholdRef::of(&row));
            }
        }
        let mut listed = Vec::new();
        for r in rows {
            listed.push(AidSource {
                source: r.source.clone(),
                source_name: names.source(tx, &r.source).await?,
                paper: r.paper.clone(),
                number: r.number.clone(),
                household: r.household_id,
            });
        }
        out.push(DoubledAid {
            households: households_out,
            category: category.to_owned(),
            category_name: names.category(tx, category).await?,
            sources: listed,
        });
    }
    Ok(out)
}

/// Names of organizations, stations and items, looked up once each.
#[derive(Default)]
struct Names(HashMap<String, String>);

impl Names {
    async fn source(&mut self, tx: &mut Tx, source: &str) -> Result<String> {
        if let Some(name) = self.0.get(source) {
            return Ok(name.clone());
        }
        let name = if let Some(id) = source.strip_prefix("org:") {
            match Uuid::parse_str(id) {
                Ok(id) => hearth_store::organizations::get(tx, id)
                    .await?
                    .map(|o| o.profile.name)
                    .unwrap_or_default(),
                Err(_) => String::new(),
            }
        } else if let Some(code) = source.strip_prefix("station:") {
            match hearth_core::area::AreaCode::parse(code) {
                Ok(code) => hearth_store::areas::get(tx, &code)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default(),
                Err(_) => String::new(),
            }
        } else {
            String::new()
        };
        self.0.insert(source.to_owned(), name.clone());
        Ok(name)
    }

    async fn category(&mut self, tx: &mut Tx, category: &str) -> Result<String> {
        let Some(code) = category.strip_prefix("item:") else {
            return Ok(String::new());
        };
        if let Some(name) = self.0.get(category) {
            return Ok(name.clone());
        }
        let name = hearth_store::items::get(tx, code)
            .await?
            .map(|i| i.name)
            .unwrap_or_else(|| code.to_owned());
        self.0.insert(category.to_owned(), name.clone());
        Ok(name)
    }
}
