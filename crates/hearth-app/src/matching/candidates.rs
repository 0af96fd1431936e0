//! Who may give a need: the choices the review form offers when the county switches a need's
//! supplier or splits it across several. A candidate offers the need's category and reaches
//! the household — the rule [`hearth_engine::flow::model::check_lines`] applies on accepting,
//! over the same [`merge_supplies`] — so every choice offered passes that check for one unit.

use std::collections::HashMap;

use hearth_engine::flow::model::{Instance, Need, Proposal, Supply, Tier, merge_supplies};

/// The most candidates a need lists (nearest and most left first, proposed ones always): a
/// county has few suppliers per category, and each is an option on every line of the form.
pub(super) const PER_NEED: usize = 20;

/// The campaign's supplies indexed by category, with what the proposal leaves of each.
pub(super) struct Candidates {
    supplies: Vec<Supply>,
    /// Per supply: units the proposal does not assign.
    left: Vec<u32>,
    by_category: HashMap<String, Vec<usize>>,
}

/// One supplier that may give a need.
pub(super) struct Candidate<'a> {
    pub supply: &'a Supply,
    pub tier: Tier,
    pub left: u32,
}

impl Candidates {
    pub fn new(instance: &Instance, proposal: &Proposal) -> Candidates {
        let supplies = merge_supplies(&instance.supplies);
        let mut assigned: HashMap<(&str, &str), u32> = HashMap::new();
        for a in &proposal.assignments {
            let used = assigned.entry((&a.supplier, &a.category)).or_default();
            *used = used.saturating_add(a.quantity);
        }
        let left = supplies
            .iter()
            .map(|s| {
                let used = assigned.get(&(s.supplier.as_str(), s.category.as_str()));
                s.quantity.saturating_sub(used.copied().unwrap_or(0))
            })
            .collect();
        let mut by_category: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, supply) in supplies.iter().enumerate() {
            by_category
                .entry(supply.category.clone())
                .or_default()
                .push(index);
        }
        Candidates {
            supplies,
            left,
            by_category,
        }
    }

    /// The suppliers that may give `need`: those in `proposed` first, then the nearest, then
    /// those with the most left; at most [`PER_NEED`].
    pub fn for_need(&self, need: &Need, proposed: &[&str]) -> Vec<Candidate<'_>> {
        let mut out: Vec<Candidate> = self
            .by_category
            .get(&need.category)
            .into_iter()
            .flatten()
            .map(|&index| (&self.supplies[index], self.left[index]))
            .filter(|(supply, _)| supply.reach.covers(&need.place))
            .map(|(supply, left)| Candidate {
                supply,
                tier: Tier::between(&supply.home, &need.place),
                left,
            })
            .collect();
        out.sort_by(|a, b| {
            let first = |c: &Candidate| !proposed.contains(&c.supply.supplier.as_str());
            (
                first(a),
                a.tier,
                std::cmp::Reverse(a.left),
                &a.supply.supplier,
            )
                .cmp(&(
                    first(b),
                    b.tier,
                    std::cmp::Reverse(b.left),
                    &b.supply.supplier,
                ))
        });
        out.truncate(PER_NEED);
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use hearth_engine::flow::model::{Line, LineError, Place, Reach, SupplierKind, check_lines};

    use super::*;

    fn place(town: &str, village: &str) -> Place {
        Place {
            town: town.to_owned(),
            village: village.to_owned(),
        }
    }

    fn need(id: &str, category: &str, place: Place) -> Need {
        Need {
            id: id.to_owned(),
            household: format!("h-{id}"),
            category: category.to_owned(),
            quantity: 100,
            priority: 1,
            place,
            paired_with: None,
        }
    }

    fn supply(supplier: &str, category: &str, reach: Reach, quantity: u32) -> Supply {
        let home = match reach {
            Reach::County => Place::default(),
            Reach::Areas(_) => place("t1", "v1"),
        };
        Supply {
            supplier: supplier.to_owned(),
            kind: SupplierKind::Organization,
            home,
            reach,
            category: category.to_owned(),
            quantity,
        }
    }

    fn areas(codes: &[&str]) -> Reach {
        Reach::Areas(
            codes
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<BTreeSet<_>>(),
        )
    }

    fn instance() -> Instance {
        Instance {
            needs: vec![
                need("n1", "quilt", place("t1", "v1")),
                need("n2", "quilt", place("t2", "v9")),
                need("n3", "rice", place("t2", "v2")),
            ],
            supplies: vec![
                supply("county", "quilt", Reach::County, 3),
                supply("county", "quilt", Reach::County, 4),
                supply("town1", "quilt", areas(&["t1"]), 5),
                supply("village2", "rice", areas(&["v2"]), 2),
                supply("empty", "quilt", Reach::County, 0),
                supply("town1", "rice", areas(&["t1"]), 9),
            ],
        }
    }

    fn empty_proposal() -> Proposal {
        Proposal {
            assignments: Vec::new(),
            explanations: Vec::new(),
            served_units: 0,
            unmet_units: 0,
            households_served: 0,
        }
    }

    /// Every candidate passes the accepting check with its whole stock, and every supplier not
    /// listed is refused as not supplying the household: the form offers what accepting allows.
    #[test]
    fn candidates_are_exactly_what_accepting_allows() {
        let instance = instance();
        let index = Candidates::new(&instance, &empty_proposal());
        let suppliers = ["county", "town1", "village2", "empty"];
        for need in &instance.needs {
            let listed = index.for_need(need, &[]);
            for supplier in suppliers {
                let line = |quantity| Line {
                    need: need.id.clone(),
                    supplier: supplier.to_owned(),
                    quantity,
                };
                let found = listed.iter().find(|c| c.supply.supplier == supplier);
                match (found, check_lines(&instance, &[line(1)])) {
                    (Some(c), Ok(_)) => {
                        assert!(check_lines(&instance, &[line(c.supply.quantity)]).is_ok());
                        assert!(matches!(
                            check_lines(&instance, &[line(c.supply.quantity + 1)]),
                            Err(LineError::OverSupply { .. })
                        ));
                    }
                    (None, Err(LineError::NotSupplied { .. })) => {}
                    (found, checked) => panic!(
                        "{} from {supplier}: listed {}, accepting says {checked:?}",
                        need.id,
                        found.is_some()
                    ),
                }
            }
        }
        let quilts = index.for_need(&instance.needs[0], &[]);
        let order: Vec<_> = quilts.iter().map(|c| c.supply.supplier.as_str()).collect();
        assert_eq!(order, ["town1", "county"], "nearest first");
        assert_eq!(quilts[1].supply.quantity, 7, "a supplier's lines added up");
    }

    #[test]
    fn the_proposal_is_listed_first_and_its_units_are_not_left() {
        let instance = instance();
        let mut proposal = empty_proposal();
        proposal.assignments = check_lines(
            &instance,
            &[Line {
                need: "n1".to_owned(),
                supplier: "county".to_owned(),
                quantity: 5,
            }],
        )
        .expect("a valid line");
        let index = Candidates::new(&instance, &proposal);
        let listed = index.for_need(&instance.needs[0], &["county"]);
        assert_eq!(listed[0].supply.supplier, "county");
        assert_eq!((listed[0].supply.quantity, listed[0].left), (7, 2));
        assert_eq!(
            (listed[1].supply.supplier.as_str(), listed[1].left),
            ("town1", 5)
        );
    }
}
