//! The dashboard's figures from the facts of one or more campaigns, for one place (a province,
//! city or county, a town or a village). Money and goods come from the ledger's records through [`Reconciliation`] and
//! [`Flows`], the same sums the reconciliation page shows; needs and households from the counts
//! the database made of them. Everything here is pure, so the same facts always give the same
//! figures.

use super::counts::CampaignCounts;
use chrono::{Datelike, Days, NaiveDate};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::ledger::{
    EntryDraft, Flows, Header, Location, MovementDraft, MovementKind, Reconciliation, Record,
};
use hearth_core::need::{NeedKind, NeedStatus};
use hearth_store::dashboard::{DeliveredNeed, NeedTally, VillageCount};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// Weeks shown on the progress chart at most (the latest ones).
const MAX_WEEKS: usize = 26;

/// The campaign's records and rows, read once per page.
pub struct Facts<'a> {
    pub entries: Vec<&'a EntryDraft>,
    pub movements: Vec<&'a MovementDraft>,
    pub needs: Vec<&'a NeedTally>,
    pub delivered_needs: Vec<&'a DeliveredNeed>,
    /// Approved households by village.
    pub registered: &'a [VillageCount],
    /// Where the households the records and deliveries name live, campaign by campaign.
    pub places: Vec<&'a Places>,
    /// Households reached by an organization's delivery under a pledge, with the day.
    pub deliveries: Vec<&'a (Uuid, NaiveDate)>,
    /// The county (or city, province) running each campaign; a campaign missing here belongs
    /// to the whole deployment.
    pub campaign_areas: HashMap<Uuid, AreaCode>,
}

/// The place figures are counted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Everything in the facts (the public page's whole campaign).
    All,
    /// A province, city or county: its households, and the campaigns its counties run.
    Region(AreaCode),
    Town(AreaCode),
    Village(AreaCode),
}

impl Place {
    fn holds(&self, village: &AreaCode, town: &AreaCode) -> bool {
        match self {
            Place::All => true,
            Place::Region(region) => village.is_within(region),
            Place::Town(code) => town == code,
            Place::Village(code) => village == code,
        }
    }
}

/// Needs by where they stand: 待认领 → 已认领 → 已发放 → 已回访. A need is counted once, at
/// its furthest stage; needs still under review or cancelled are not in the pipeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    pub open: usize,
    pub claimed: usize,
    pub fulfilled: usize,
    pub visited: usize,
}

impl Pipeline {
    fn add(&mut self, tally: &NeedTally) {
        match tally.status {
            NeedStatus::Open => self.open += tally.needs,
            NeedStatus::Claimed => self.claimed += tally.needs,
            NeedStatus::Fulfilled => {
                self.visited += tally.visited;
                self.fulfilled += tally.needs.saturating_sub(tally.visited);
            }
            _ => {}
        }
    }

    pub fn total(&self) -> usize {
        self.open + self.claimed + self.fulfilled + self.visited
    }

    /// Needs delivered, visited or not.
    pub fn delivered(&self) -> usize {
        self.fulfilled + self.visited
    }
}

/// The counters at the top of the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Kpis {
    pub cash_raised: Fen,
    /// Units of goods donated or bought.
    pub items: i64,
    /// Their value: donated in kind plus bought, as booked.
    pub item_value: Fen,
    /// Value handed to households: goods and cash aid.
    pub delivered: Fen,
    pub households_reached: usize,
    /// Approved households registered in the place.
    pub households_registered: usize,
}

/// One bar of "by town" or "by village".
#[derive(Debug, Clone, Serialize)]
pub struct AreaFigures {
    pub code: AreaCode,
    pub name: String,
    pub kpis: Kpis,
    pub pipeline: Pipeline,
}

/// What a category of need is: a catalogue item, cash, or a kind of service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Category {
    Item(String),
    Cash,
    Service(String),
}

/// One week of the progress chart, cumulative to its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProgressPoint {
    /// The Monday the week starts on.
    pub week_of: NaiveDate,
    pub cash_raised: Fen,
    pub households_reached: usize,
    pub needs_delivered: usize,
}

/// Where households live: (village, town) by household.
pub type Places = HashMap<Uuid, (AreaCode, AreaCode)>;

impl<'a> Facts<'a> {
    /// The facts of the campaigns counted, from the journal's records and the database's
    /// counts.
    pub(crate) fn of(
        records: &'a [Record],
        counted: &'a [(Uuid, Arc<CampaignCounts>)],
        registered: &'a [VillageCount],
        campaign_areas: HashMap<Uuid, AreaCode>,
    ) -> Facts<'a> {
        let mut facts = Facts {
            entries: Vec::new(),
            movements: Vec::new(),
            needs: Vec::new(),
            delivered_needs: Vec::new(),
            registered,
            places: Vec::new(),
            deliveries: Vec::new(),
            campaign_areas,
        };
        for (campaign, counts) in counted {
            let (entries, movements) = super::of_campaign(records, *campaign);
            facts.entries.extend(entries);
            facts.movements.extend(movements);
            facts.needs.extend(&counts.needs);
            facts.delivered_needs.extend(&counts.delivered_needs);
            facts.deliveries.extend(&counts.deliveries);
            facts.places.push(&counts.places);
        }
        facts
    }

    fn place_of(&self, household: &Uuid) -> Option<&'a (AreaCode, AreaCode)> {
        self.places.iter().find_map(|p| p.get(household))
    }

    fn in_place(&self, place: &Place, household: &Uuid) -> bool {
        matches!(place, Place::All)
            || self
                .place_of(household)
                .is_some_and(|(village, town)| place.holds(village, town))
    }

    /// Whether a ledger record belongs to the place: for a town, what the books say of the
    /// town (its station, its designation, its households); for a village, its households.
    fn header_in(&self, place: &Place, header: &Header) -> bool {
        let household = header.household.and_then(|h| self.place_of(&h));
        match place {
            Place::All => true,
            // A campaign run inside the region counts whole; one run above it (or by the whole
            // deployment) only for what its books place in the region's towns and households.
            Place::Region(region) => match self.campaign_areas.get(&header.campaign) {
                Some(runner) if runner.is_within(region) => true,
                _ => {
                    header.town.as_ref().is_some_and(|t| t.is_within(region))
                        || household.is_some_and(|(v, _)| v.is_within(region))
                }
            },
            Place::Town(town) => {
                header.town.as_ref() == Some(town) || household.is_some_and(|(_, t)| t == town)
            }
            Place::Village(village) => household.is_some_and(|(v, _)| v == village),
        }
    }

    fn records_in(&self, place: &Place) -> (Vec<&'a EntryDraft>, Vec<&'a MovementDraft>) {
        let entries = self
            .entries
            .iter()
            .copied()
            .filter(|e| self.header_in(place, &e.header))
            .collect();
        let movements = self
            .movements
            .iter()
            .copied()
            .filter(|m| self.header_in(place, &m.header))
            .collect();
        (entries, movements)
    }

    /// Every household reached, with the first day it was: through the books (goods or cash
    /// aid it kept, as [`Reconciliation`] counts them) or by an organization's delivery.
    pub fn reached(&self) -> BTreeMap<Uuid, NaiveDate> {
        let mut by_household: BTreeMap<Uuid, (Vec<&EntryDraft>, Vec<&MovementDraft>)> =
            BTreeMap::new();
        for e in &self.entries {
            if let Some(h) = e.header.household {
                by_household.entry(h).or_default().0.push(e);
            }
        }
        for m in &self.movements {
            if let Some(h) = m.header.household {
                by_household.entry(h).or_default().1.push(m);
            }
        }
        let mut reached = BTreeMap::new();
        for (household, (entries, movements)) in by_household {
            let kept = Reconciliation::of(entries.iter().copied(), movements.iter().copied());
            let first = entries
                .iter()
                .map(|e| e.header.date)
                .chain(movements.iter().map(|m| m.header.date))
                .min();
            if let (1.., Some(day)) = (kept.households_reached, first) {
                reached.insert(household, day);
            }
        }
        for (household, day) in &self.deliveries {
            let first = reached.entry(*household).or_insert(*day);
            *first = (*first).min(*day);
        }
        reached
    }

    /// The counters for a place.
    pub fn kpis(&self, place: &Place, reached: &BTreeMap<Uuid, NaiveDate>) -> Kpis {
        let (entries, movements) = self.records_in(place);
        let books = Reconciliation::of(entries.iter().copied(), movements.iter().copied());
        Kpis {
            cash_raised: books.raised_cash,
            items: units_in(&movements),
            item_value: books.raised_in_kind + books.purchases,
            delivered: books.delivered + books.cash_aid,
            households_reached: reached.keys().filter(|h| self.in_place(place, h)).count(),
            households_registered: self
                .registered
                .iter()
                .filter(|v| place.holds(&v.village, &v.town))
                .map(|v| v.households)
                .sum(),
        }
    }

    pub fn pipeline(&self, place: &Place) -> Pipeline {
        let mut pipeline = Pipeline::default();
        for need in self
            .needs
            .iter()
            .filter(|n| place.holds(&n.village, &n.town))
        {
            pipeline.add(need);
        }
        pipeline
    }

    /// The pipeline of each category of need in the place, items first in catalogue order as
    /// the caller sorts them.
    pub fn by_category(&self, place: &Place) -> BTreeMap<Category, Pipeline> {
        let mut out: BTreeMap<Category, Pipeline> = BTreeMap::new();
        for need in self
            .needs
            .iter()
            .filter(|n| place.holds(&n.village, &n.town))
        {
            let category = match need.kind {
                NeedKind::Item => Category::Item(need.item.clone().unwrap_or_default()),
                NeedKind::Cash => Category::Cash,
                NeedKind::Service => Category::Service(need.service.clone().unwrap_or_default()),
            };
            out.entry(category).or_default().add(need);
        }
        out
    }

    /// Week by week up to `today`: cash raised, households reached and needs delivered so far.
    pub fn progress(
        &self,
        place: &Place,
        starts_on: NaiveDate,
        today: NaiveDate,
        reached: &BTreeMap<Uuid, NaiveDate>,
    ) -> Vec<ProgressPoint> {
        let (entries, _) = self.records_in(place);
        let reach_days: Vec<NaiveDate> = reached
            .iter()
            .filter(|(h, _)| self.in_place(place, h))
            .map(|(_, d)| *d)
            .collect();
        let delivered_days: Vec<NaiveDate> = self
            .delivered_needs
            .iter()
            .filter(|n| place.holds(&n.village, &n.town))
            .map(|n| {
                n.fulfilled_at
                    .with_timezone(&chrono_tz::Asia::Shanghai)
                    .date_naive()
            })
            .collect();
        let first = entries
            .iter()
            .map(|e| e.header.date)
            .chain(reach_days.iter().copied())
            .chain(delivered_days.iter().copied())
            .fold(starts_on, NaiveDate::min);
        let mut weeks = Vec::new();
        let mut monday = first - Days::new(u64::from(first.weekday().num_days_from_monday()));
        while monday <= today {
            weeks.push(monday);
            monday = monday + Days::new(7);
        }
        let skip = weeks.len().saturating_sub(MAX_WEEKS);
        weeks
            .into_iter()
            .skip(skip)
            .map(|week_of| {
                let last = week_of + Days::new(6);
                let so_far = entries.iter().copied().filter(|e| e.header.date <= last);
                ProgressPoint {
                    week_of,
                    cash_raised: Reconciliation::of(so_far, []).raised_cash,
                    households_reached: reach_days.iter().filter(|d| **d <= last).count(),
                    needs_delivered: delivered_days.iter().filter(|d| **d <= last).count(),
                }
            })
            .collect()
    }
}

/// Units donated or bought into the stations among `movements`, net of reversals, as each
/// station's flows count them.
fn units_in(movements: &[&MovementDraft]) -> i64 {
    let sites: BTreeSet<&Location> = movements
        .iter()
        .filter(|m| matches!(m.kind, MovementKind::Receipt | MovementKind::Purchase))
        .flat_map(|m| [m.from.as_ref(), m.to.as_ref()])
        .flatten()
        .collect();
    sites
        .into_iter()
        .map(|site| {
            let flows = Flows::at(site, None, movements.iter().copied());
            flows.received().quantity + flows.purchased().quantity
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    fn need(village: &str, town: &str, status: NeedStatus, visited: bool) -> NeedTally {
        NeedTally {
            village: code(village),
            town: code(town),
            kind: NeedKind::Item,
            item: Some("quilt".into()),
            service: None,
            status,
            needs: 1,
            visited: usize::from(visited),
        }
    }

    fn facts<'a>(needs: &'a [NeedTally], delivered_needs: &'a [DeliveredNeed]) -> Facts<'a> {
        Facts {
            entries: vec![],
            movements: vec![],
            needs: needs.iter().collect(),
            delivered_needs: delivered_needs.iter().collect(),
            registered: &[],
            places: vec![],
            deliveries: vec![],
            campaign_areas: HashMap::new(),
        }
    }

    #[test]
    fn each_need_counts_once_at_its_furthest_stage_in_its_own_place() {
        let (v1, v2, town, other) = ("340123100201", "340123100202", "340123100", "340123101");
        let mut visited_some = need(v2, town, NeedStatus::Fulfilled, true);
        visited_some.needs = 5;
        visited_some.visited = 2;
        let needs = [
            need(v1, town, NeedStatus::Open, false),
            need(v1, town, NeedStatus::Claimed, false),
            visited_some,
            need(v2, town, NeedStatus::Submitted, false),
            need("340123101201", other, NeedStatus::Cancelled, false),
        ];
        let facts = facts(&needs, &[]);
        let county = facts.pipeline(&Place::Region(code("340123")));
        assert_eq!(
            (
                county.open,
                county.claimed,
                county.fulfilled,
                county.visited
            ),
            (1, 1, 3, 2)
        );
        assert_eq!(county.total(), 7, "under review and cancelled are left out");
        assert_eq!(facts.pipeline(&Place::Village(code(v2))).delivered(), 5);
        assert_eq!(facts.pipeline(&Place::Town(code(other))).total(), 0);
    }

    #[test]
    fn registered_households_are_the_villages_counts_within_the_place() {
        let count = |village: &str, households| VillageCount {
            village: code(village),
            town: code(&village[..9]),
            households,
        };
        let registered = [
            count("340123100201", 3),
            count("340123100202", 4),
            count("340123101201", 5),
        ];
        let mut facts = facts(&[], &[]);
        facts.registered = &registered;
        let reached = BTreeMap::new();
        let registered = |place| facts.kpis(&place, &reached).households_registered;
        assert_eq!(registered(Place::Region(code("340123"))), 12);
        assert_eq!(registered(Place::Town(code("340123100"))), 7);
        assert_eq!(registered(Place::Village(code("340123101201"))), 5);
        assert_eq!(registered(Place::Region(code("340124"))), 0);
    }

    #[test]
    fn progress_is_cumulative_week_by_week_and_starts_on_a_monday() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 12, d).unwrap();
        let delivered = DeliveredNeed {
            village: code("340123100201"),
            town: code("340123100"),
            fulfilled_at: Utc.with_ymd_and_hms(2024, 12, 20, 2, 0, 0).unwrap(),
        };
        let delivered = [delivered];
        let delivery = (Uuid::from_u128(9), day(10));
        let mut facts = facts(&[], &delivered);
        facts.deliveries = vec![&delivery];
        let reached = facts.reached();
        let points = facts.progress(&Place::All, day(4), day(24), &reached);
        let weeks: Vec<NaiveDate> = points.iter().map(|p| p.week_of).collect();
        assert_eq!(weeks, vec![day(2), day(9), day(16), day(23)]);
        let households: Vec<usize> = points.iter().map(|p| p.households_reached).collect();
        assert_eq!(households, vec![0, 1, 1, 1]);
        let delivered: Vec<usize> = points.iter().map(|p| p.needs_delivered).collect();
        assert_eq!(delivered, vec![0, 0, 1, 1]);
    }
}
