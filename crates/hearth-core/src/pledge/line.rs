//! What is pledged: cash, catalogue items at a unit value, or a service on a schedule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Fen;
use crate::need::ServiceKind;

dictionary!(
    /// The unit of a service schedule's interval.
    Every, "every_unit", "pledge.every" {
        Week => "week",
        Month => "month",
    }
);

/// When a service is given: from `starts_on` to `ends_on`, every `every` weeks or months,
/// `visits` times in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub every: u32,
    pub unit: Every,
    pub visits: u32,
}

/// One line of a pledge letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PledgeLine {
    Cash {
        amount: Fen,
    },
    /// `quantity` units of the catalogue item `item` at `unit_value` each.
    Item {
        item: String,
        quantity: u32,
        unit_value: Fen,
    },
    Service {
        service: ServiceKind,
        schedule: Schedule,
    },
}

impl PledgeLine {
    pub fn kind(&self) -> crate::need::NeedKind {
        use crate::need::NeedKind;
        match self {
            PledgeLine::Cash { .. } => NeedKind::Cash,
            PledgeLine::Item { .. } => NeedKind::Item,
            PledgeLine::Service { .. } => NeedKind::Service,
        }
    }

    /// The value of an item line: quantity × unit value (saturating; input limits keep it far
    /// below the bound).
    pub fn item_value(&self) -> Fen {
        match self {
            PledgeLine::Item {
                quantity,
                unit_value,
                ..
            } => Fen::new(unit_value.fen().saturating_mul(i64::from(*quantity))),
            _ => Fen::ZERO,
        }
    }

    pub fn cash(&self) -> Fen {
        match self {
            PledgeLine::Cash { amount } => *amount,
            _ => Fen::ZERO,
        }
    }
}

/// What a pledge is worth: cash, and items at their unit values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub cash: Fen,
    pub items: Fen,
}

impl Totals {
    pub fn total(self) -> Fen {
        Fen::new(self.cash.fen().saturating_add(self.items.fen()))
    }

    /// The cash in Chinese capitals, as the letter prints it (壹拾叁万元整).
    pub fn cash_capitals(self) -> String {
        self.cash.chinese_capitals()
    }

    pub fn items_capitals(self) -> String {
        self.items.chinese_capitals()
    }

    pub fn total_capitals(self) -> String {
        self.total().chinese_capitals()
    }
}

pub fn totals<'a>(lines: impl IntoIterator<Item = &'a PledgeLine>) -> Totals {
    lines.into_iter().fold(Totals::default(), |t, line| Totals {
        cash: Fen::new(t.cash.fen().saturating_add(line.cash().fen())),
        items: Fen::new(t.items.fen().saturating_add(line.item_value().fen())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line() -> impl Strategy<Value = PledgeLine> {
        prop_oneof![
            (1i64..10_000_000).prop_map(|f| PledgeLine::Cash {
                amount: Fen::new(f)
            }),
            (1u32..1000, 1i64..1_000_000).prop_map(|(q, v)| PledgeLine::Item {
                item: "quilt".into(),
                quantity: q,
                unit_value: Fen::new(v),
            }),
            (1u32..20).prop_map(|visits| PledgeLine::Service {
                service: ServiceKind::Visit,
                schedule: Schedule {
                    starts_on: NaiveDate::from_ymd_opt(2024, 11, 1).unwrap(),
                    ends_on: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
                    every: 1,
                    unit: Every::Month,
                    visits,
                },
            }),
        ]
    }

    #[test]
    fn the_letter_prints_capitals() {
        let lines = [
            PledgeLine::Cash {
                amount: Fen::from_yuan(130_000),
            },
            PledgeLine::Item {
                item: "quilt".into(),
                quantity: 300,
                unit_value: Fen::from_yuan(300),
            },
        ];
        let t = totals(&lines);
        assert_eq!(t.cash_capitals(), "壹拾叁万元整");
        assert_eq!(t.items_capitals(), "玖万元整");
        assert_eq!(t.total(), Fen::from_yuan(220_000));
    }

    proptest! {
        /// The totals are the sums of the lines, cash and items apart; services add nothing.
        #[test]
        fn totals_equal_the_sum_of_lines(lines in proptest::collection::vec(line(), 0..20)) {
            let t = totals(&lines);
            let cash: i64 = lines.iter().map(|l| match l { PledgeLine::Cash { amount } => amount.fen(), _ => 0 }).sum();
            let items: i64 = lines.iter().map(|l| match l {
                PledgeLine::Item { quantity, unit_value, .. } => unit_value.fen() * i64::from(*quantity),
                _ => 0,
            }).sum();
            prop_assert_eq!(t.cash.fen(), cash);
            prop_assert_eq!(t.items.fen(), items);
            prop_assert_eq!(t.total().fen(), cash + items);
        }
    }
}
