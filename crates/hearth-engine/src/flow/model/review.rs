//! The county's review of a proposal: the lines it keeps, drops or changes are checked against
//! the instance before anything is applied. A line may only give a need of the instance (so
//! only the households the instance admits), from a supplier that offers the category and
//! reaches the household, within what the supplier has and what the household may receive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Assignment, Instance, Tier, build};

/// One line the reviewer accepts: `quantity` units of `need` from `supplier`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub need: String,
    pub supplier: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LineError {
    #[error("line {line}: need {need} is not open for matching in this campaign")]
    UnknownNeed { line: usize, need: String },
    #[error("line {line}: the quantity must be at least 1")]
    ZeroQuantity { line: usize },
    #[error("line {line}: {supplier} has no {category} that reaches the household of need {need}")]
    NotSupplied {
        line: usize,
        need: String,
        supplier: String,
        category: String,
    },
    #[error("line {line}: {supplier} has {available} of {category}, the lines ask for {asked}")]
    OverSupply {
        line: usize,
        supplier: String,
        category: String,
        available: u32,
        asked: u64,
    },
    #[error(
        "line {line}: the household of need {need} may receive {cap} of {category}, the lines give {asked}"
    )]
    OverNeed {
        line: usize,
        need: String,
        category: String,
        cap: u32,
        asked: u64,
    },
}

/// The accepted lines as assignments (with their distance tier and continuation), or the first
/// line that cannot be applied.
pub fn check_lines(instance: &Instance, lines: &[Line]) -> Result<Vec<Assignment>, LineError> {
    let needs: BTreeMap<&str, &super::Need> =
        instance.needs.iter().map(|n| (n.id.as_str(), n)).collect();
    let supplies = build::merge_supplies(&instance.supplies);
    let supply_of: BTreeMap<(&str, &str), &super::Supply> = supplies
        .iter()
        .map(|s| ((s.supplier.as_str(), s.category.as_str()), s))
        .collect();
    let mut caps: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for need in &instance.needs {
        let cap = caps.entry((&need.household, &need.category)).or_default();
        *cap = (*cap).max(need.quantity);
    }
    let mut used: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut given: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut per_need: BTreeMap<&str, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let need = needs
            .get(line.need.as_str())
            .ok_or(LineError::UnknownNeed {
                line: index,
                need: line.need.clone(),
            })?;
        if line.quantity == 0 {
            return Err(LineError::ZeroQuantity { line: index });
        }
        let supply = supply_of
            .get(&(line.supplier.as_str(), need.category.as_str()))
            .filter(|s| s.reach.covers(&need.place))
            .ok_or_else(|| LineError::NotSupplied {
                line: index,
                need: need.id.clone(),
                supplier: line.supplier.clone(),
                category: need.category.clone(),
            })?;
        let asked = used
            .entry((&supply.supplier, &supply.category))
            .or_default();
        *asked += u64::from(line.quantity);
        if *asked > u64::from(supply.quantity) {
            return Err(LineError::OverSupply {
                line: index,
                supplier: supply.supplier.clone(),
                category: supply.category.clone(),
                available: supply.quantity,
                asked: *asked,
            });
        }
        let group = (need.household.as_str(), need.category.as_str());
        let total = given.entry(group).or_default();
        *total += u64::from(line.quantity);
        let for_need = per_need.entry(&need.id).or_default();
        *for_need += u64::from(line.quantity);
        let cap = caps[&group];
        if *total > u64::from(cap) || *for_need > u64::from(need.quantity) {
            return Err(LineError::OverNeed {
                line: index,
                need: need.id.clone(),
                category: need.category.clone(),
                cap: if *for_need > u64::from(need.quantity) {
                    need.quantity
                } else {
                    cap
                },
                asked: (*total).max(*for_need),
            });
        }
        out.push(assignment(need, supply, line.quantity));
    }
    Ok(out)
}

fn assignment(need: &super::Need, supply: &super::Supply, quantity: u32) -> Assignment {
    Assignment {
        need: need.id.clone(),
        household: need.household.clone(),
        supplier: supply.supplier.clone(),
        category: need.category.clone(),
        quantity,
        tier: Tier::between(&supply.home, &need.place),
        continuation: need.paired_with.as_deref() == Some(supply.supplier.as_str()),
    }
}
