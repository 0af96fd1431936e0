//! What-if: with a cash budget and unit prices, which purchases cover the most
//! priority-weighted unmet needs, and how many households they reach.
//!
//! Unmet units are bought in order of priority per fen (the order that is optimal when units
//! may be split), then by priority and need id; a unit that no longer fits is skipped so
//! cheaper ones can still use the rest of the budget. A household is bought at most what its
//! cap allows in a category (the largest quantity it asked for, less what it is already given).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{ModelError, NeedExplanation, Proposal};

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
}

struct Candidate<'a> {
    explanation: &'a NeedExplanation,
    unmet: u32,
    price: i64,
}

fn denser(a: &Candidate, b: &Candidate) -> Ordering {
    let left = u128::from(a.explanation.priority) * b.price as u128;
    let right = u128::from(b.explanation.priority) * a.price as u128;
    right
        .cmp(&left)
        .then(b.explanation.priority.cmp(&a.explanation.priority))
        .then(a.explanation.need.cmp(&b.explanation.need))
}

/// The purchase mix for `budget` fen at `prices` (fen per unit, by category).
pub fn what_if(
    proposal: &Proposal,
    budget: i64,
    prices: &BTreeMap<String, i64>,
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
    let (mut candidates, unpriced) = candidates(proposal, prices);
    candidates.sort_by(denser);
    let mut caps = household_caps(proposal);
    let mut left = budget;
    let mut covered = Vec::new();
    for candidate in &candidates {
        let e = candidate.explanation;
        let Some(cap) = caps.get_mut(&(e.household.as_str(), e.category.as_str())) else {
            continue;
        };
        let affordable = u32::try_from(left / candidate.price).unwrap_or(u32::MAX);
        let quantity = candidate.unmet.min(affordable).min(*cap);
        if quantity == 0 {
            continue;
        }
        left -= i64::from(quantity) * candidate.price;
        *cap -= quantity;
        covered.push(Covered {
            need: candidate.explanation.need.clone(),
            household: candidate.explanation.household.clone(),
            category: candidate.explanation.category.clone(),
            quantity,
        });
    }
    Ok(summary(proposal, budget, prices, covered, unpriced))
}

fn candidates<'a>(
    proposal: &'a Proposal,
    prices: &BTreeMap<String, i64>,
) -> (Vec<Candidate<'a>>, Vec<String>) {
    let mut unpriced = BTreeSet::new();
    let mut out = Vec::new();
    for explanation in &proposal.explanations {
        let Some(unmet) = &explanation.unmet else {
            continue;
        };
        match prices.get(&explanation.category) {
            Some(&price) => out.push(Candidate {
                explanation,
                unmet: unmet.quantity,
                price,
            }),
            None => {
                unpriced.insert(explanation.category.clone());
            }
        }
    }
    (out, unpriced.into_iter().collect())
}

/// What each household may still receive per category: its largest ask less what it is given.
fn household_caps(proposal: &Proposal) -> BTreeMap<(&str, &str), u32> {
    let mut caps: BTreeMap<(&str, &str), (u32, u32)> = BTreeMap::new();
    for e in &proposal.explanations {
        let entry = caps.entry((&e.household, &e.category)).or_default();
        entry.0 = entry.0.max(e.requested);
        entry.1 += e.served.iter().map(|s| s.quantity).sum::<u32>();
    }
    caps.into_iter()
        .map(|(key, (cap, given))| (key, cap.saturating_sub(given)))
        .collect()
}

fn summary(
    proposal: &Proposal,
    budget: i64,
    prices: &BTreeMap<String, i64>,
    mut covered: Vec<Covered>,
    unpriced: Vec<String>,
) -> WhatIf {
    covered.sort_by(|a, b| a.need.cmp(&b.need));
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
    }
}
