//! The dashboard's figures from the facts of one or more campaigns, for one place (a province,
//! city or county, a town or a village). Money and goods come from the ledger's records through [`Reconciliation`] and
//! [`Flows`], the same sums the reconciliation page shows; needs and households from their rows.
//! Everything here is pure, so the same facts always give the same figures.

use chrono::{Datelike, Days, NaiveDate};
use hearth_core::Fen;
use hearth_core::area::AreaCode;
use hearth_core::household::HouseholdStatus;
use hearth_core::ledger::{
    EntryDraft, Flows, Header, Location, MovementDraft, MovementKind, Reconciliation,
};
use hearth_core::need::{NeedKind, NeedStatus};
use hearth_store::dashboard::{HouseholdPlace, NeedFact};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Weeks shown on the progress chart at most (the latest ones).
const MAX_WEEKS: usize = 26;

/// The campaign's records and rows, read once per page.
pub struct Facts<'a> {
    pub entries: Vec<&'a EntryDraft>,
    pub movements: Vec<&'a MovementDraft>,
    pub needs: Vec<NeedFact>,
    pub households: Vec<HouseholdPlace>,
    /// Households reached by an organization's delivery under a pledge, with the day.
    pub deliveries: Vec<(Uuid, NaiveDate)>,
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
    fn add(&mut self, need: &NeedFact) {
        match need.status {
            NeedStatus::Open => self.open += 1,
            NeedStatus::Claimed => self.claimed += 1,
            NeedStatus::Fulfilled if need.visited_at.is_some() => self.visited += 1,
            NeedStatus::Fulfilled => self.fulfilled += 1,
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

impl<'a> Facts<'a> {
    fn household_areas(&self) -> HashMap<Uuid, (&AreaCode, &AreaCode)> {
        self.households
            .iter()
            .map(|h| (h.id, (&h.village, &h.town)))
            .collect()
    }

    /// Whether a ledger record belongs to the place: for a town, what the books say of the
    /// town (its station, its designation, its households); for a village, its households.
    fn header_in(&self, place: &Place, header: &Header, areas: &HouseholdAreas) -> bool {
        let household = header.household.and_then(|h| areas.get(&h));
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
                header.town.as_ref() == Some(town) || household.is_some_and(|(_, t)| *t == town)
            }
            Place::Village(village) => household.is_some_and(|(v, _)| *v == village),
        }
    }

    fn records_in(
        &self,
        place: &Place,
        areas: &HouseholdAreas,
    ) -> (Vec<&'a EntryDraft>, Vec<&'a MovementDraft>) {
        let entries = self
            .entries
            .iter()
            .copied()
            .filter(|e| self.header_in(place, &e.header, areas))
            .collect();
        let movements = self
            .movements
            .iter()
            .copied()
            .filter(|m| self.header_in(place, &m.header, areas))
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
        let areas = self.household_areas();
        let (entries, movements) = self.records_in(place, &areas);
        let books = Reconciliation::of(entries.iter().copied(), movements.iter().copied());
        let in_place = |h: &Uuid| {
            matches!(place, Place::All)
                || areas
                    .get(h)
                    .is_some_and(|(village, town)| place.holds(village, town))
        };
        Kpis {
            cash_raised: books.raised_cash,
            items: units_in(&movements),
            item_value: books.raised_in_kind + books.purchases,
            delivered: books.delivered + books.cash_aid,
            households_reached: reached.keys().filter(|h| in_place(h)).count(),
            households_registered: self
                .households
                .iter()
                .filter(|h| h.status == HouseholdStatus::Approved)
                .filter(|h| place.holds(&h.village, &h.town))
                .count(),
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
        let areas = self.household_areas();
        let (entries, _) = self.records_in(place, &areas);
        let in_place = |h: &Uuid| {
            matches!(place, Place::All)
                || areas
                    .get(h)
                    .is_some_and(|(village, town)| place.holds(village, town))
        };
        let reach_days: Vec<NaiveDate> = reached
            .iter()
            .filter(|(h, _)| in_place(h))
            .map(|(_, d)| *d)
            .collect();
        let delivered_days: Vec<NaiveDate> = self
            .needs
            .iter()
            .filter(|n| place.holds(&n.village, &n.town) && n.status == NeedStatus::Fulfilled)
            .filter_map(|n| n.fulfilled_at)
            .map(|at| at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive())
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

type HouseholdAreas<'h> = HashMap<Uuid, (&'h AreaCode, &'h AreaCode)>;

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

    fn need(village: &str, town: &str, status: NeedStatus, visited: bool) -> NeedFact {
        NeedFact {
            household: Uuid::from_u128(1),
            village: code(village),
            town: code(town),
            kind: NeedKind::Item,
            item: Some("quilt".into()),
            service: None,
            status,
            fulfilled_at: Some(Utc.with_ymd_and_hms(2024, 12, 20, 2, 0, 0).unwrap()),
            visited_at: visited.then(|| Utc.with_ymd_and_hms(2024, 12, 27, 2, 0, 0).unwrap()),
        }
    }

    #[test]
    fn each_need_counts_once_at_its_furthest_stage_in_its_own_place() {
        let (v1, v2, town, other) = ("340123100201", "340123100202", "340123100", "340123101");
        let facts = Facts {
            entries: vec![],
            movements: vec![],
            needs: vec![
                need(v1, town, NeedStatus::Open, false),
                need(v1, town, NeedStatus::Claimed, false),
                need(v2, town, NeedStatus::Fulfilled, false),
                need(v2, town, NeedStatus::Fulfilled, true),
                need(v2, town, NeedStatus::Submitted, false),
                need("340123101201", other, NeedStatus::Cancelled, false),
            ],
            households: vec![],
            deliveries: vec![],
            campaign_areas: HashMap::new(),
        };
        let county = facts.pipeline(&Place::Region(code("340123")));
        assert_eq!(
            (
                county.open,
                county.claimed,
                county.fulfilled,
                county.visited
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(county.total(), 4, "under review and cancelled are left out");
        assert_eq!(facts.pipeline(&Place::Village(code(v2))).delivered(), 2);
        assert_eq!(facts.pipeline(&Place::Town(code(other))).total(), 0);
    }

    #[test]
    fn progress_is_cumulative_week_by_week_and_starts_on_a_monday() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 12, d).unwrap();
        let facts = Facts {
            entries: vec![],
            movements: vec![],
            needs: vec![need(
                "340123100201",
                "340123100",
                NeedStatus::Fulfilled,
                false,
            )],
            households: vec![],
            deliveries: vec![(Uuid::from_u128(9), day(10))],
            campaign_areas: HashMap::new(),
        };
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
