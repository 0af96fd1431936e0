//! 驾驶舱: a campaign at a glance for the bureau and the towns — the counters (organizations
//! enrolled, cash raised, goods and their value, households reached against the target), the
//! pipeline 待认领 → 已认领 → 已发放 → 已回访, the figures of each town (or each village of a
//! town), each category of need, and week by week progress. Each caller starts at their own area
//! and drills down from there: a province to its cities, a city to its counties, a county to a
//! town and a village; a town officer sees only their town and its villages, and nobody sees
//! another county's campaigns. Money comes from the same
//! journal the reconciliation reads, so the two pages always agree. No household is named.

pub mod counts;
pub mod figures;
pub mod public;

use crate::areas::CampaignAreas;
use crate::{App, AppError, Caller, Result};
use chrono::NaiveDate;
use counts::Stamp;
use figures::{AreaFigures, Category, Facts, Kpis, Pipeline, Place, ProgressPoint};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::ledger::{EntryDraft, Head, MovementDraft, Record};
use hearth_core::permission::Permission;
use hearth_store::areas::Area;
use hearth_store::campaigns::Campaign;
use hearth_store::{Tx, areas, campaigns, items};
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
    /// The campaign shown; `None` when a city or province sees all its counties' together.
    pub campaign: Option<CampaignBrief>,
    /// The campaigns of the caller's counties.
    pub campaigns: Vec<CampaignBrief>,
    /// From the caller's own area down to the place shown.
    pub trail: Vec<PlaceBrief>,
    pub organizations_enrolled: usize,
    pub kpis: Kpis,
    pub pipeline: Pipeline,
    /// The areas directly below the place shown (cities, counties, towns or villages); empty for
    /// a village.
    pub areas: Vec<AreaFigures>,
    pub categories: Vec<CategoryFigures>,
    pub progress: Vec<ProgressPoint>,
    pub head: Head,
}

/// The campaign's entries and movements among the journal's records, in chain order.
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

/// The campaigns shown: the one asked for (id or code, trimmed) among those the caller reaches; else,
/// for a city or province, all of its counties' campaigns together; else the launched one, or
/// the newest.
fn chosen(
    asked: Option<&str>,
    mut visible: Vec<Campaign>,
    top: AreaLevel,
) -> Result<Vec<Campaign>> {
    if let Some(asked) = asked {
        let id = Uuid::parse_str(asked).ok();
        return visible
            .into_iter()
            .find(|c| Some(c.id) == id || c.profile.code == asked)
            .map(|c| vec![c])
            .ok_or(AppError::NotFound);
    }
    if visible.is_empty() {
        return Err(AppError::NotFound);
    }
    if top < AreaLevel::County {
        return Ok(visible);
    }
    visible.sort_by_key(|c| {
        (
            c.status != CampaignStatus::Launched,
            std::cmp::Reverse(c.created_at),
        )
    });
    visible.truncate(1);
    Ok(visible)
}

/// The top of the caller's drill-down: their own area (a province, city, county or town).
fn top_of(caller: &Caller, all: &[Area]) -> Result<Area> {
    let own = caller.area_scope()?.ok_or(AppError::Forbidden)?;
    all.iter()
        .find(|a| &a.code == own && a.level < AreaLevel::Village)
        .cloned()
        .ok_or(AppError::Forbidden)
}

fn brief(area: &Area) -> PlaceBrief {
    PlaceBrief {
        code: area.code.clone(),
        name: area.name.clone(),
        level: area.level,
    }
}

/// The trail from `top` down to the area asked for, which must lie within it: every area on
/// the way (province → city → county → town → village).
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
    let mut out: Vec<PlaceBrief> = std::iter::successors(Some(area.code.clone()), AreaCode::parent)
        .take_while(|code| code.is_within(&top.code))
        .filter_map(|code| all.iter().find(|a| a.code == code))
        .map(brief)
        .collect();
    out.reverse();
    Ok(out)
}

fn place_of(area: &PlaceBrief) -> Place {
    match area.level {
        AreaLevel::Village => Place::Village(area.code.clone()),
        AreaLevel::Town => Place::Town(area.code.clone()),
        _ => Place::Region(area.code.clone()),
    }
}

impl Dashboard {
    /// The code of the campaign shown, empty when all the caller's campaigns are shown.
    pub fn campaign_code(&self) -> &str {
        self.campaign.as_ref().map_or("", |c| c.code.as_str())
    }

    /// The households targeted: the campaign's, or the sum of the campaigns shown together.
    pub fn households_target(&self) -> u32 {
        match &self.campaign {
            Some(c) => c.households_target,
            None => self.campaigns.iter().map(|c| c.households_target).sum(),
        }
    }
}

impl App {
    /// The dashboard of a campaign (id or code) at an area (a code within the caller's own; the
    /// caller's own when none). Each caller starts at their own area: a province, a city, a
    /// county or a town, and sees only the campaigns of their counties; a city or province asking
    /// for no campaign sees all of them together.
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
        let campaign_areas = CampaignAreas::load(&mut tx, caller).await?;
        let mut visible = campaigns::list(&mut tx).await?;
        visible.retain(|c| campaign_areas.reaches(caller, c.id));
        let campaign_briefs: Vec<CampaignBrief> = visible.iter().map(CampaignBrief::from).collect();
        let asked = campaign.map(str::trim).filter(|a| !a.is_empty());
        let shown = chosen(asked, visible, top.level)?;
        let journal = self.journal(&mut tx).await?;
        let stamp = Stamp::read(&mut tx, journal.head()).await?;
        let registered = self.counts.registered(&mut tx, &stamp).await?;
        let mut counted = Vec::new();
        for c in &shown {
            let counts = self
                .counts
                .campaign(&mut tx, &stamp, c.id, journal.records());
            counted.push((c.id, counts.await?));
        }
        let facts = Facts::of(
            journal.records(),
            &counted,
            &registered,
            campaign_areas.all().clone(),
        );
        let place = place_of(&here);
        let reached = facts.reached();
        let area_figures = all_areas
            .iter()
            .filter(|a| a.parent.as_ref() == Some(&here.code) && a.level <= AreaLevel::Village)
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
        let categories = categories(&mut tx, &facts, &place).await?;
        let mut enrolled = std::collections::BTreeSet::new();
        for c in &shown {
            for e in campaigns::enrolments(&mut tx, c.id).await? {
                if e.status == EnrolmentStatus::Enrolled {
                    enrolled.insert(e.organization_id);
                }
            }
        }
        let starts_on = shown
            .iter()
            .map(|c| c.profile.starts_on)
            .min()
            .unwrap_or(today);
        Ok(Dashboard {
            kpis: facts.kpis(&place, &reached),
            pipeline: facts.pipeline(&place),
            areas: area_figures,
            categories,
            progress: facts.progress(&place, starts_on, today, &reached),
            organizations_enrolled: enrolled.len(),
            campaign: match shown.as_slice() {
                [one] if asked.is_some() || top.level >= AreaLevel::County => {
                    Some(CampaignBrief::from(one))
                }
                _ => None,
            },
            campaigns: campaign_briefs,
            trail,
            head: journal.head().clone(),
        })
    }
}

/// The pipeline of each category of need at the place, named from the catalogue.
async fn categories(tx: &mut Tx, facts: &Facts<'_>, place: &Place) -> Result<Vec<CategoryFigures>> {
    let catalogue = items::list(tx, true).await?;
    Ok(facts
        .by_category(place)
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
        .collect())
}
