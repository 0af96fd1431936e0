//! What-if: with a cash budget and unit prices, which purchases cover the most
//! priority-weighted unmet needs, and how many households they reach.
//!
//! Every unmet unit is worth its need's priority and costs its category's price; a household
//! is bought at most what its cap allows in a category (the largest quantity it asked for, less
//! what the proposal already gives it). Within a category all units cost the same, so buying
//! `k` of them is best done with the `k` most valuable ones: the value of a category is concave
//! in `k`, and the problem is a 0/1 knapsack over the units in that order ([`knapsack`]).
//!
//! The knapsack is solved exactly by dynamic programming over the budget counted in the
//! greatest common divisor of the prices, when that table is small enough (`WORK_LIMIT` cells).
//! Beyond it, prices are rounded *up* to a coarser step so the table fits: the plan stays within
//! the budget but may miss the optimum, and the answer says so (`exact: false`) together with
//! an upper bound on what any plan could reach (the fractional relaxation, `priority_bound`).
//!
//! Among units of equal priority, a household's first unit comes before its second, so the
//! budget reaches as many households as it can without losing priority.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{ModelError, Proposal};

/// Budget cells × units the dynamic programme may visit before prices are coarsened (about a
/// fifth of a second in a release build).
pub const WORK_LIMIT: u64 = 200_000_000;

/// Units of one category to buy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub category: String,
    pub quantity: u32,
    pub unit_price: i64,
    pub total: i64,
}

/// Units bought for one need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Covered {
    pub need: String,
    pub household: String,
    pub category: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    pub budget: i64,
    pub spent: i64,
    pub lines: Vec<PurchaseLine>,
    pub covered: Vec<Covered>,
    pub households_reached: usize,
    pub priority_covered: u64,
    pub unmet_units_after: u64,
    /// Categories with unmet needs but no price given: nothing bought for them.
    pub unpriced: Vec<String>,
    /// The plan is proven optimal (the exact table was small enough).
    pub exact: bool,
    /// No plan within the budget covers more priority than this (the fractional relaxation).
    pub priority_bound: u64,
}

/// One unit that could be bought: for `need` (an index into the explanations).
#[derive(Clone, Copy, Debug)]
struct Unit {
    need: usize,
    priority: u64,
    /// 0 for the household's first unit in the category, 1 for its second...
    rank: u32,
}

/// The units of one category, most valuable first.
struct Category {
    price: i64,
    units: Vec<Unit>,
}

/// The purchase mix for `budget` fen at `prices` (fen per unit, by category).
pub fn what_if(
    proposal: &Proposal,
    budget: i64,
    prices: &BTreeMap<String, i64>,
) -> Result<WhatIf, ModelError> {
    what_if_within(proposal, budget, prices, WORK_LIMIT)
}

/// [`what_if`] with the table coarsened beyond `work_limit` cells × units instead of
/// [`WORK_LIMIT`].
pub fn what_if_within(
    proposal: &Proposal,
    budget: i64,
    prices: &BTreeMap<String, i64>,
    work_limit: u64,
) -> Result<WhatIf, ModelError> {
    if budget < 0 {
        return Err(ModelError::NegativeBudget { budget });
    }
    if let Some((category, &price)) = prices.iter().find(|(_, p)| **p < 1) {
        return Err(ModelError::BadPrice {
            category: category.clone(),
            price,
        });
    }
    let (categories, unpriced) = categories(proposal, prices, budget);
    let bound = fractional_bound(&categories, budget);
    let (mut counts, exact) = knapsack(&categories, budget, work_limit.max(1));
    top_up(&categories, budget, &mut counts);
    let mut covered: BTreeMap<usize, u32> = BTreeMap::new();
    for (category, &count) in categories.iter().zip(&counts) {
        for unit in &category.units[..count] {
            *covered.entry(unit.need).or_default() += 1;
        }
    }
    let covered = covered
        .into_iter()
        .map(|(n, quantity)| {
            let e = &proposal.explanations[n];
            Covered {
                need: e.need.clone(),
                household: e.household.clone(),
                category: e.category.clone(),
                quantity,
            }
        })
        .collect();
    let mut plan = summary(proposal, budget, prices, covered, unpriced);
    plan.exact = exact;
    plan.priority_bound = bound.max(plan.priority_covered);
    Ok(plan)
}

/// The units worth buying per priced category, and the categories left without a price.
fn categories(
    proposal: &Proposal,
    prices: &BTreeMap<String, i64>,
    budget: i64,
) -> (Vec<Category>, Vec<String>) {
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut unpriced = BTreeSet::new();
    for (n, e) in proposal.explanations.iter().enumerate() {
        groups
            .entry((&e.household, &e.category))
            .or_default()
            .push(n);
    }
    let mut by_category: BTreeMap<&str, Vec<Unit>> = BTreeMap::new();
    for ((_, category), needs) in groups {
        let units = group_units(proposal, &needs);
        if units.is_empty() {
            continue;
        }
        if prices.contains_key(category) {
            by_category.entry(category).or_default().extend(units);
        } else {
            unpriced.insert(category.to_owned());
        }
    }
    let categories = by_category
        .into_iter()
        .map(|(code, mut units)| {
            let price = prices[code];
            units.sort_by(|a, b| (b.priority, a.rank, a.need).cmp(&(a.priority, b.rank, b.need)));
            let affordable = usize::try_from(budget / price).unwrap_or(usize::MAX);
            units.truncate(affordable);
            Category { price, units }
        })
        .collect();
    (categories, unpriced.into_iter().collect())
}

/// The units one household could still receive in one category: its unmet units, most
/// valuable first, no more than its cap (largest ask less what it is given) allows.
fn group_units(proposal: &Proposal, needs: &[usize]) -> Vec<Unit> {
    let explanations = &proposal.explanations;
    let cap = needs.iter().map(|&n| explanations[n].requested).max();
    let given: u32 = needs
        .iter()
        .flat_map(|&n| &explanations[n].served)
        .map(|s| s.quantity)
        .sum();
    let left = cap.unwrap_or(0).saturating_sub(given) as usize;
    let mut open: Vec<usize> = needs
        .iter()
        .copied()
        .filter(|&n| explanations[n].unmet.is_some())
        .collect();
    open.sort_by(|&a, &b| {
        (explanations[b].priority, &explanations[a].need)
            .cmp(&(explanations[a].priority, &explanations[b].need))
    });
    open.into_iter()
        .flat_map(|n| {
            let quantity = explanations[n].unmet.as_ref().map_or(0, |u| u.quantity);
            std::iter::repeat_n(n, quantity as usize)
        })
        .take(left)
        .enumerate()
        .map(|(rank, need)| Unit {
            need,
            priority: u64::from(explanations[need].priority),
            rank: u32::try_from(rank).unwrap_or(u32::MAX),
        })
        .collect()
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// How many units to buy of each category (a prefix of its units), and whether that is proven
/// optimal. A 0/1 knapsack over every unit in category order: within a category the units
/// are sorted by value and weigh the same, so an optimal choice can always be taken as a prefix.
fn knapsack(categories: &[Category], budget: i64, work_limit: u64) -> (Vec<usize>, bool) {
    let units: u64 = categories.iter().map(|c| c.units.len() as u64).sum();
    let cost: i64 = categories
        .iter()
        .map(|c| c.price.saturating_mul(c.units.len() as i64))
        .fold(0, i64::saturating_add);
    if cost <= budget {
        return (categories.iter().map(|c| c.units.len()).collect(), true);
    }
    let mut step = categories.iter().fold(0, |g, c| gcd(c.price, g)).max(1);
    let mut exact = true;
    let cells = |step: i64| (budget / step + 1) as u64;
    if cells(step).saturating_mul(units) > work_limit {
        let scale = cells(step).saturating_mul(units).div_ceil(work_limit);
        step = step.saturating_mul(i64::try_from(scale).unwrap_or(i64::MAX));
        exact = false;
    }
    let capacity = usize::try_from(budget / step).unwrap_or(0);
    let mut best = vec![0u64; capacity + 1];
    let mut taken: Vec<Vec<u64>> = Vec::new();
    let mut weights = Vec::new();
    for category in categories {
        let weight = usize::try_from((category.price + step - 1) / step).unwrap_or(usize::MAX);
        for unit in &category.units {
            let mut bits = vec![0u64; capacity / 64 + 1];
            for b in (weight..=capacity).rev() {
                let with = best[b - weight] + unit.priority;
                if with > best[b] {
                    best[b] = with;
                    bits[b / 64] |= 1 << (b % 64);
                }
            }
            taken.push(bits);
            weights.push(weight);
        }
    }
    let mut counts = vec![0usize; categories.len()];
    let owner: Vec<usize> = categories
        .iter()
        .enumerate()
        .flat_map(|(c, category)| std::iter::repeat_n(c, category.units.len()))
        .collect();
    let mut b = capacity;
    for u in (0..taken.len()).rev() {
        if taken[u][b / 64] & (1 << (b % 64)) != 0 {
            counts[owner[u]] += 1;
            b -= weights[u];
        }
    }
    (counts, exact)
}

/// Spends what a coarsened table left over (prices were rounded up there) on the next units by
/// priority per fen. An exact plan has nothing left that would buy more.
fn top_up(categories: &[Category], budget: i64, counts: &mut [usize]) {
    let spent: i64 = categories
        .iter()
        .zip(counts.iter())
        .map(|(c, &k)| c.price * k as i64)
        .sum();
    let mut left = budget - spent;
    loop {
        let next = categories
            .iter()
            .enumerate()
            .filter(|(c, category)| counts[*c] < category.units.len() && category.price <= left)
            .max_by(|(a, ca), (b, cb)| {
                let pa = u128::from(ca.units[counts[*a]].priority) * cb.price as u128;
                let pb = u128::from(cb.units[counts[*b]].priority) * ca.price as u128;
                pa.cmp(&pb).then(b.cmp(a))
            })
            .map(|(c, _)| c);
        let Some(c) = next else { return };
        counts[c] += 1;
        left -= categories[c].price;
    }
}

/// The most priority any plan could cover: units by priority per fen, the last one in part.
fn fractional_bound(categories: &[Category], budget: i64) -> u64 {
    let mut units: Vec<(u64, i64)> = categories
        .iter()
        .flat_map(|c| c.units.iter().map(|u| (u.priority, c.price)))
        .collect();
    units.sort_by(|a, b| (u128::from(b.0) * a.1 as u128).cmp(&(u128::from(a.0) * b.1 as u128)));
    let mut left = budget;
    let mut bound = 0u64;
    for (priority, price) in units {
        if price <= left {
            left -= price;
            bound += priority;
        } else {
            bound += (u128::from(priority) * left as u128 / price as u128) as u64;
            break;
        }
    }
    bound
}

fn summary(
    proposal: &Proposal,
    budget: i64,
    prices: &BTreeMap<String, i64>,
    covered: Vec<Covered>,
    unpriced: Vec<String>,
) -> WhatIf {
    let mut lines: BTreeMap<&str, u32> = BTreeMap::new();
    for c in &covered {
        *lines.entry(&c.category).or_default() += c.quantity;
    }
    let lines: Vec<PurchaseLine> = lines
        .into_iter()
        .map(|(category, quantity)| {
            let unit_price = prices.get(category).copied().unwrap_or(0);
            PurchaseLine {
                category: category.to_owned(),
                quantity,
                unit_price,
                total: unit_price * i64::from(quantity),
            }
        })
        .collect();
    let priority: BTreeMap<&str, u32> = proposal
        .explanations
        .iter()
        .map(|e| (e.need.as_str(), e.priority))
        .collect();
    let bought: u64 = covered.iter().map(|c| u64::from(c.quantity)).sum();
    let households: BTreeSet<&str> = covered.iter().map(|c| c.household.as_str()).collect();
    WhatIf {
        budget,
        spent: lines.iter().map(|l| l.total).sum(),
        households_reached: households.len(),
        priority_covered: covered
            .iter()
            .map(|c| {
                u64::from(c.quantity)
                    * u64::from(priority.get(c.need.as_str()).copied().unwrap_or(0))
            })
            .sum(),
        unmet_units_after: proposal.unmet_units - bought,
        lines,
        covered,
        unpriced,
        exact: true,
        priority_bound: 0,
    }
}
