//! The county's review of a proposal (lines checked before they are applied) and the what-if
//! purchase plan against brute force.

use std::collections::{BTreeMap, BTreeSet};

use hearth_engine::flow::model::{
    Instance, Line, LineError, Need, Place, Proposal, Reach, SupplierKind, Supply, check_lines,
    propose, what_if, what_if_within,
};
use proptest::prelude::*;

fn place(town: &str) -> Place {
    Place {
        town: town.into(),
        village: format!("{town}村"),
    }
}

fn need(id: &str, household: &str, category: &str, quantity: u32, priority: u32) -> Need {
    Need {
        id: id.into(),
        household: household.into(),
        category: category.into(),
        quantity,
        priority,
        place: place("三河镇"),
        paired_with: None,
    }
}

fn station(town: &str, category: &str, quantity: u32) -> Supply {
    Supply {
        supplier: format!("station:{town}"),
        kind: SupplierKind::Station,
        home: place(town),
        reach: Reach::Areas(BTreeSet::from([town.to_owned()])),
        category: category.into(),
        quantity,
    }
}

fn line(need: &str, supplier: &str, quantity: u32) -> Line {
    Line {
        need: need.into(),
        supplier: supplier.into(),
        quantity,
    }
}

#[test]
fn reviewed_lines_are_checked_against_the_instance() {
    let instance = Instance {
        needs: vec![
            need("n1", "h1", "heater", 2, 3000),
            need("n2", "h2", "heater", 1, 2000),
        ],
        supplies: vec![
            station("三河镇", "heater", 2),
            station("上派镇", "heater", 5),
        ],
    };
    let ok = check_lines(&instance, &[line("n1", "station:三河镇", 1)]).unwrap();
    assert_eq!(ok[0].household, "h1");
    let refusals = [
        (vec![line("n9", "station:三河镇", 1)], "UnknownNeed"),
        (vec![line("n1", "station:上派镇", 1)], "NotSupplied"),
        (vec![line("n1", "station:三河镇", 0)], "ZeroQuantity"),
        (
            vec![
                line("n1", "station:三河镇", 2),
                line("n2", "station:三河镇", 1),
            ],
            "OverSupply",
        ),
        (vec![line("n2", "station:三河镇", 2)], "OverNeed"),
    ];
    for (lines, expected) in refusals {
        let error = check_lines(&instance, &lines).unwrap_err();
        let name = match error {
            LineError::UnknownNeed { .. } => "UnknownNeed",
            LineError::NotSupplied { .. } => "NotSupplied",
            LineError::ZeroQuantity { .. } => "ZeroQuantity",
            LineError::OverSupply { .. } => "OverSupply",
            LineError::OverNeed { .. } => "OverNeed",
        };
        assert_eq!(name, expected, "{lines:?}");
    }
}

/// The best priority any purchase within `budget` reaches, by trying every quantity per need.
fn brute_force(proposal: &Proposal, budget: i64, prices: &BTreeMap<String, i64>) -> u64 {
    let explanations = &proposal.explanations;
    let mut caps: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for e in explanations {
        let cap = caps.entry((&e.household, &e.category)).or_default();
        *cap = (*cap).max(e.requested);
    }
    for e in explanations {
        let given: u32 = e.served.iter().map(|s| s.quantity).sum();
        let cap = caps
            .get_mut(&(e.household.as_str(), e.category.as_str()))
            .unwrap();
        *cap = cap.saturating_sub(given);
    }
    let open: Vec<_> = explanations
        .iter()
        .filter(|e| e.unmet.is_some() && prices.contains_key(&e.category))
        .collect();
    let mut best = 0;
    let mut counts = vec![0u32; open.len()];
    loop {
        let cost: i64 = open
            .iter()
            .zip(&counts)
            .map(|(e, &k)| prices[&e.category] * i64::from(k))
            .sum();
        let mut per_group: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        for (e, &k) in open.iter().zip(&counts) {
            *per_group.entry((&e.household, &e.category)).or_default() += k;
        }
        if cost <= budget && per_group.iter().all(|(g, &k)| k <= caps[g]) {
            let value: u64 = open
                .iter()
                .zip(&counts)
                .map(|(e, &k)| u64::from(e.priority) * u64::from(k))
                .sum();
            best = best.max(value);
        }
        let Some(i) =
            (0..open.len()).find(|&i| counts[i] < open[i].unmet.as_ref().unwrap().quantity)
        else {
            return best;
        };
        counts[i] += 1;
        counts[..i].iter_mut().for_each(|c| *c = 0);
    }
}

fn tiny_instance(spec: &[(u8, u8, u8, u16)], stock: u32) -> Instance {
    let categories = ["heater", "quilt", "rice"];
    let needs = spec
        .iter()
        .enumerate()
        .map(|(i, &(household, category, quantity, priority))| {
            need(
                &format!("n{i}"),
                &format!("h{}", household % 3),
                categories[usize::from(category % 3)],
                u32::from(quantity % 3) + 1,
                u32::from(priority % 4000) + 1,
            )
        })
        .collect();
    Instance {
        needs,
        supplies: vec![station("三河镇", "heater", stock)],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn what_if_reaches_at_least_the_brute_force_optimum(
        spec in proptest::collection::vec((0u8..3, 0u8..3, 0u8..3, 0u16..4000), 1..6),
        stock in 0u32..3,
        prices in (1i64..5, 1i64..5, 1i64..5),
        budget in 0i64..12,
    ) {
        let proposal = propose(&tiny_instance(&spec, stock)).unwrap();
        let prices = BTreeMap::from([
            ("heater".to_owned(), prices.0 * 7_000),
            ("quilt".to_owned(), prices.1 * 7_000),
            ("rice".to_owned(), prices.2 * 7_000),
        ]);
        let budget = budget * 7_000 + 3;
        let plan = what_if(&proposal, budget, &prices).unwrap();
        let best = brute_force(&proposal, budget, &prices);
        prop_assert!(plan.exact);
        prop_assert!(plan.spent <= budget);
        prop_assert_eq!(plan.priority_covered, best);
        prop_assert!(plan.priority_bound >= best);
    }
}

#[test]
fn what_if_beats_buying_by_density_when_that_wastes_the_budget() {
    // Density prefers the quilt (1 per yuan vs 0.9); the optimum buys the two heaters.
    let instance = Instance {
        needs: vec![
            need("n1", "h1", "quilt", 1, 110),
            need("n2", "h2", "heater", 1, 90),
            need("n3", "h3", "heater", 1, 90),
        ],
        supplies: vec![],
    };
    let proposal = propose(&instance).unwrap();
    let prices = BTreeMap::from([("quilt".to_owned(), 110), ("heater".to_owned(), 100)]);
    let plan = what_if(&proposal, 200, &prices).unwrap();
    assert_eq!(plan.priority_covered, 180);
    assert_eq!(plan.households_reached, 2);
    assert!(plan.exact);
}

#[test]
fn a_huge_table_is_coarsened_and_says_so() {
    let category = |i: u32| {
        if i.is_multiple_of(2) {
            "heater"
        } else {
            "quilt"
        }
    };
    let needs = (0..400)
        .map(|i| {
            need(
                &format!("n{i:03}"),
                &format!("h{i}"),
                category(i),
                1,
                1000 + i,
            )
        })
        .collect();
    let proposal = propose(&Instance {
        needs,
        supplies: vec![],
    })
    .unwrap();
    let prices = BTreeMap::from([("heater".to_owned(), 30_001), ("quilt".to_owned(), 30_002)]);
    let plan = what_if(&proposal, 1_300_000_000, &prices).unwrap();
    assert!(plan.exact, "all 400 fit: nothing to choose");
    assert_eq!(plan.households_reached, 400);
    let tight = what_if_within(&proposal, 9_000_000, &prices, 1_000_000).unwrap();
    assert!(
        !tight.exact,
        "prices share no divisor: the table is coarsened"
    );
    assert!(tight.spent <= 9_000_000);
    assert!(tight.priority_covered <= tight.priority_bound);
    assert!(tight.covered.len() >= 298, "{}", tight.covered.len());
}
