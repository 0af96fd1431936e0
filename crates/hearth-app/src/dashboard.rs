//! 驾驶舱: a campaign at a glance for the bureau and the towns — the counters (organizations
//! enrolled, cash raised, goods and their value, households reached against the target), the
//! pipeline 待认领 → 已认领 → 已发放 → 已回访, the figures of each town (or each village of a
//! town), each category of need, and week by week progress. The county drills down to a town and
//! a village; a town officer sees only their town and its villages. Money comes from the same
//! journal the reconciliation reads, so the two pages always agree. No household is named.

pub mod figures;
pub mod public;

use crate::{App, AppError, Caller, Result};
use chrono::NaiveDate;
use figures::{AreaFigures, Category, Facts, Kpis, Pipeline, Place, ProgressPoint};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::ledger::{EntryDraft, Head, MovementDraft, Record};
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_store::areas::Area;
use hearth_store::campaigns::Campaign;
use hearth_store::{Tx, areas, campaigns, dashboard, items};
use serde::Serialize;
use uuid::Uuid;

/// A campaign as the selector lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignBrief {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub status: CampaignStatus,
    pub starts_on: NaiveDate,
    pub households_target: u32,
}

impl From<&Campaign> for CampaignBrief {
    fn from(c: &Campaign) -> Self {
        CampaignBrief {
            id: c.id,
            code: c.profile.code.clone(),
            name: c.profile.name.clone(),
            status: c.status,
            starts_on: c.profile.starts_on,
            households_target: c.profile.target_households,
        }
    }
}

/// An area on the drill-down trail.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceBrief {
    pub code: AreaCode,
    pub name: String,
    pub level: AreaLevel,
}

/// One category of need with its pipeline; `name` is the item's name in both languages.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryFigures {
    pub category: Category,
    pub name: String,
    pub name_en: String,
    pub pipeline: Pipeline,
}

/// The dashboard of one campaign at one place.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub campaign: CampaignBrief,
    pub campaigns: Vec<CampaignBrief>,
    /// From the caller's top (the county, or their town) down to the place shown.
    pub trail: Vec<PlaceBrief>,
    pub organizations_enrolled: usize,
    pub kpis: Kpis,
    pub pipeline: Pipeline,
    /// The towns of the county, or the villages of a town; empty for a village.
    pub areas: Vec<AreaFigures>,
    pub categories: Vec<CategoryFigures>,
    pub progress: Vec<ProgressPoint>,
    pub head: Head,
}

/// The campaign's entries and movements among the journal's records.
pub(crate) fn of_campaign(
    records: &[Record],
    campaign: Uuid,
) -> (Vec<&EntryDraft>, Vec<&MovementDraft>) {
    let mut entries = Vec::new();
    let mut movements = Vec::new();
    for record in records {
        match record {
            Record::Entry(e) if e.draft.header.campaign == campaign => entries.push(&e.draft),
            Record::Movement(m) if m.draft.header.campaign == campaign => movements.push(&m.draft),
            _ => {}
        }
    }
    (entries, movements)
}

/// The campaign asked for (id or code), or the launched one, else the newest.
pub(crate) async fn chosen_campaign(tx: &mut Tx, asked: Option<&str>) -> Result<Campaign> {
    let asked = asked.map(str::trim).filter(|a| !a.is_empty());
    if let Some(asked) = asked {
        let found = match Uuid::parse_str(asked) {
            Ok(id) => campaigns::get(tx, id).await?,
            Err(_) => campaigns::by_code(tx, asked).await?,
        };
        return found.ok_or(AppError::NotFound);
    }
    let mut all = campaigns::list(tx).await?;
    all.sort_by_key(|c| {
        (
            c.status != CampaignStatus::Launched,
            std::cmp::Reverse(c.created_at),
        )
    });
    all.into_iter().next().ok_or(AppError::NotFound)
}

/// The top of the caller's drill-down: their town for a town officer, else the county.
fn top_of(caller: &Caller, all: &[Area]) -> Result<Area> {
    let own = caller
        .user
        .area_code
        .as_ref()
        .filter(|_| caller.user.role == Role::TownOfficer);
    let found = match own {
        Some(town) => all.iter().find(|a| &a.code == town),
        None => all.iter().find(|a| a.level == AreaLevel::County),
    };
    found.cloned().ok_or(AppError::Forbidden)
}

fn brief(area: &Area) -> PlaceBrief {
    PlaceBrief {
        code: area.code.clone(),
        name: area.name.clone(),
        level: area.level,
    }
}

/// The trail from `top` down to the area asked for, which must lie within it.
fn trail(top: &Area, asked: Option<&str>, all: &[Area]) -> Result<Vec<PlaceBrief>> {
    let Some(asked) = asked.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(vec![brief(top)]);
    };
    let code = AreaCode::parse(asked).map_err(|_| AppError::NotFound)?;
    let area = all
        .iter()
        .find(|a| a.code == code)
        .ok_or(AppError::NotFound)?;
    if !area.code.is_within(&top.code) {
        return Err(AppError::Forbidden);
    }
    if area.level > AreaLevel::Village || area.level < top.level {
        return Err(AppError::NotFound);
    }
    let mut out = vec![brief(top)];
    if area.level == AreaLevel::Village && top.level < AreaLevel::Town {
        let town = area.code.ancestor_at(AreaLevel::Town);
        if let Some(town) = all.iter().find(|a| Some(&a.code) == town.as_ref()) {
            out.push(brief(town));
        }
    }
    if area.code != top.code {
        out.push(brief(area));
    }
    Ok(out)
}

fn place_of(area: &PlaceBrief) -> Place {
    match area.level {
        AreaLevel::Village => Place::Village(area.code.clone()),
        AreaLevel::Town => Place::Town(area.code.clone()),
        _ => Place::County,
    }
}

impl App {
    /// The dashboard of a campaign (id or code; the launched one when none is asked) at an area
    /// (a town or village code; the caller's top when none). County and auditors see the whole
    /// county; a town officer their town.
    pub async fn dashboard(
        &self,
        caller: &Caller,
        campaign: Option<&str>,
        area: Option<&str>,
        today: NaiveDate,
    ) -> Result<Dashboard> {
        caller.require(Permission::ReadLedger)?;
        let mut tx = self.store().read().await?;
        let all_areas = areas::all(&mut tx).await?;
        let top = top_of(caller, &all_areas)?;
        let trail = trail(&top, area, &all_areas)?;
        let here = trail.last().cloned().unwrap_or_else(|| brief(&top));
        let found = chosen_campaign(&mut tx, campaign).await?;
        let journal = self.journal(&mut tx).await?;
        let (entries, movements) = of_campaign(journal.records(), found.id);
        let facts = Facts {
            entries,
            movements,
            needs: dashboard::needs(&mut tx, found.id).await?,
            households: dashboard::households(&mut tx).await?,
            deliveries: dashboard::deliveries(&mut tx, found.id).await?,
        };
        let place = place_of(&here);
        let reached = facts.reached();
        let children = all_areas
            .iter()
            .filter(|a| a.parent.as_ref() == Some(&here.code) && a.level <= AreaLevel::Village);
        let area_figures = children
            .map(|a| {
                let child = place_of(&brief(a));
                AreaFigures {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    kpis: facts.kpis(&child, &reached),
                    pipeline: facts.pipeline(&child),
                }
            })
            .collect();
        let catalogue = items::list(&mut tx, true).await?;
        let categories = facts
            .by_category(&place)
            .into_iter()
            .map(|(category, pipeline)| {
                let item = match &category {
                    Category::Item(code) => catalogue.iter().find(|i| &i.code == code),
                    _ => None,
                };
                CategoryFigures {
                    name: item.map(|i| i.name.clone()).unwrap_or_default(),
                    name_en: item.map(|i| i.name_en.clone()).unwrap_or_default(),
                    category,
                    pipeline,
                }
            })
            .collect();
        let enrolled = campaigns::enrolments(&mut tx, found.id)
            .await?
            .iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled)
            .count();
        Ok(Dashboard {
            kpis: facts.kpis(&place, &reached),
            pipeline: facts.pipeline(&place),
            areas: area_figures,
            categories,
            progress: facts.progress(&place, found.profile.starts_on, today, &reached),
            organizations_enrolled: enrolled,
            campaign: CampaignBrief::from(&found),
            campaigns: campaigns::list(&mut tx)
                .await?
                .iter()
                .map(CampaignBrief::from)
                .collect(),
            trail,
            head: journal.head().clone(),
        })
    }
}
