//! Reconciliation (对账): what was raised, spent, delivered and is still on hand, for whatever
//! selection of records is given (a campaign, a designation, an organization's donations, a
//! town), and per place from movements. Two identities always hold, because every entry
//! balances within each fund:
//!
//! ```text
//! cash:      raised_cash              = purchases + cash_aid + cash_on_hand
//! materials: raised_in_kind + purchases = delivered + stock_on_hand + losses
//! ```

use std::collections::BTreeMap;
use std::ops::{Add, Sub};

use uuid::Uuid;

use super::{Account, EntryDraft, Location, MovementDraft, MovementKind};
use crate::Fen;

/// Totals from ledger entries, each on its account's normal side (positive when ordinary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reconciliation {
    /// Cash donated (net of reallocations and reversals).
    pub raised_cash: Fen,
    /// Goods donated, at their valuation.
    pub raised_in_kind: Fen,
    /// Cash paid for goods, which entered stock at that price.
    pub purchases: Fen,
    pub cash_aid: Fen,
    pub cash_on_hand: Fen,
    /// The value of goods at the warehouse, the stations and in transit.
    pub stock_on_hand: Fen,
    /// The value of goods handed to households, net of returns.
    pub delivered: Fen,
    /// Goods written off, net of surpluses found.
    pub losses: Fen,
    /// Households that received cash or goods, net of returns and reversals.
    pub households_reached: usize,
}

impl Reconciliation {
    /// Totals over `entries`; households reached also counts goods handed out at no value,
    /// which only `movements` show.
    pub fn of<'a>(
        entries: impl IntoIterator<Item = &'a EntryDraft>,
        movements: impl IntoIterator<Item = &'a MovementDraft>,
    ) -> Reconciliation {
        let mut sums: BTreeMap<Account, Fen> = BTreeMap::new();
        let mut reached: BTreeMap<Uuid, (Fen, i64)> = BTreeMap::new();
        for entry in entries {
            for posting in &entry.postings {
                *sums.entry(posting.account).or_default() += posting.amount;
                let to_household = matches!(
                    posting.account,
                    Account::CashAid | Account::DistributedValue
                );
                if let (true, Some(household)) = (to_household, entry.header.household) {
                    reached.entry(household).or_default().0 += posting.amount;
                }
            }
        }
        for movement in movements {
            if let Some(household) = movement.header.household {
                reached.entry(household).or_default().1 += movement.handed_to_household();
            }
        }
        let shown =
            |account: Account| account.shown(sums.get(&account).copied().unwrap_or_default());
        Reconciliation {
            raised_cash: shown(Account::DonationsCash),
            raised_in_kind: shown(Account::DonationsInKind),
            purchases: shown(Account::Purchases),
            cash_aid: shown(Account::CashAid),
            cash_on_hand: shown(Account::CashAtBank),
            stock_on_hand: shown(Account::StockValue),
            delivered: shown(Account::DistributedValue),
            losses: shown(Account::StockLosses),
            households_reached: reached
                .values()
                .filter(|(value, quantity)| *value > Fen::ZERO || *quantity > 0)
                .count(),
        }
    }

    /// Purchases and cash aid.
    pub fn spent(&self) -> Fen {
        self.purchases + self.cash_aid
    }

    /// raised = spent + on hand, for cash.
    pub fn cash_balances(&self) -> bool {
        self.raised_cash == self.spent() + self.cash_on_hand
    }

    /// received in kind + purchased = delivered + on hand + losses, for goods.
    pub fn materials_balance(&self) -> bool {
        self.raised_in_kind + self.purchases == self.delivered + self.stock_on_hand + self.losses
    }
}

/// A quantity and its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flow {
    pub quantity: i64,
    pub value: Fen,
}

impl Add for Flow {
    type Output = Flow;
    fn add(self, other: Flow) -> Flow {
        Flow {
            quantity: self.quantity + other.quantity,
            value: self.value + other.value,
        }
    }
}

impl Sub for Flow {
    type Output = Flow;
    fn sub(self, other: Flow) -> Flow {
        Flow {
            quantity: self.quantity - other.quantity,
            value: self.value - other.value,
        }
    }
}

/// What came into one place less what went out of it, by kind of movement, so reversals net
/// out. Quantities add up only for one item; values always do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Flows(BTreeMap<MovementKind, Flow>);

impl Flows {
    /// The flows at `location`, of `item` or of every item.
    pub fn at<'a>(
        location: &Location,
        item: Option<&str>,
        movements: impl IntoIterator<Item = &'a MovementDraft>,
    ) -> Flows {
        let mut net: BTreeMap<MovementKind, Flow> = BTreeMap::new();
        for movement in movements {
            if item.is_some_and(|item| item != movement.item) {
                continue;
            }
            let flow = Flow {
                quantity: movement.quantity,
                value: movement.value,
            };
            let kind = net.entry(movement.kind).or_default();
            if movement.to.as_ref() == Some(location) {
                *kind = *kind + flow;
            }
            if movement.from.as_ref() == Some(location) {
                *kind = *kind - flow;
            }
        }
        Flows(net)
    }

    /// The net flow of one kind into the place.
    pub fn net(&self, kind: MovementKind) -> Flow {
        self.0.get(&kind).copied().unwrap_or_default()
    }

    pub fn received(&self) -> Flow {
        self.net(MovementKind::Receipt)
    }

    pub fn purchased(&self) -> Flow {
        self.net(MovementKind::Purchase)
    }

    pub fn transferred_in(&self) -> Flow {
        self.net(MovementKind::TransferIn)
    }

    pub fn transferred_out(&self) -> Flow {
        Flow::default() - self.net(MovementKind::TransferOut)
    }

    /// Handed to households, net of what came back.
    pub fn delivered(&self) -> Flow {
        Flow::default() - self.net(MovementKind::Distribution) - self.net(MovementKind::Return)
    }

    /// Written off by adjustments and counts, net of what they found.
    pub fn lost(&self) -> Flow {
        Flow::default() - self.net(MovementKind::Adjustment) - self.net(MovementKind::Count)
    }

    /// Everything in less everything out: the place's on-hand.
    pub fn on_hand(&self) -> Flow {
        self.0
            .values()
            .fold(Flow::default(), |total, flow| total + *flow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AreaCode;
    use crate::ledger::{Header, Movement};
    use chrono::NaiveDate;

    fn header(household: Option<u128>) -> Header {
        let mut header = Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        );
        header.household = household.map(Uuid::from_u128);
        header
    }

    fn station() -> Location {
        Location::site(AreaCode::parse("340123101").unwrap()).unwrap()
    }

    #[test]
    fn a_small_campaign_reconciles() {
        let fen = Fen::new;
        let entries = [
            EntryDraft::donation_cash(header(None), fen(10_000)),
            EntryDraft::donation_in_kind(header(None), fen(3_000)),
            EntryDraft::purchase(header(None), fen(4_000)),
            EntryDraft::cash_aid(header(Some(7)), fen(1_000)),
            EntryDraft::distribution(header(Some(8)), fen(2_500)),
            EntryDraft::returned(header(Some(8)), fen(2_500)),
            EntryDraft::stock_loss(header(None), fen(500)),
        ];
        let given = MovementDraft {
            from: Some(station()),
            to: None,
            ..MovementDraft::inbound(
                header(Some(9)),
                MovementKind::Distribution,
                station(),
                "leaflet",
                1,
                Fen::ZERO,
            )
        };
        // Household 7 got cash, 8 gave back what it got, 9 got goods valued at nothing.
        let totals = Reconciliation::of(&entries, [&given]);
        assert_eq!(
            totals,
            Reconciliation {
                raised_cash: fen(10_000),
                raised_in_kind: fen(3_000),
                purchases: fen(4_000),
                cash_aid: fen(1_000),
                cash_on_hand: fen(5_000),
                stock_on_hand: fen(6_500),
                delivered: Fen::ZERO,
                losses: fen(500),
                households_reached: 2,
            }
        );
        assert!(totals.cash_balances() && totals.materials_balance());
    }

    #[test]
    fn flows_at_a_place_net_out_reversals() {
        let receipt = MovementDraft::inbound(
            header(None),
            MovementKind::Receipt,
            station(),
            "quilt",
            10,
            Fen::new(1_500),
        );
        let purchase = MovementDraft::inbound(
            header(None),
            MovementKind::Purchase,
            station(),
            "quilt",
            4,
            Fen::new(800),
        );
        let undone = MovementDraft::reversal_of(
            &Movement {
                seq: 2,
                draft: purchase.clone(),
            },
            receipt.header.date,
            "",
        );
        let handed = MovementDraft {
            kind: MovementKind::Distribution,
            from: Some(station()),
            to: None,
            quantity: 3,
            value: Fen::new(450),
            ..receipt.clone()
        };
        let flows = Flows::at(
            &station(),
            Some("quilt"),
            [&receipt, &purchase, &undone, &handed],
        );
        assert_eq!(flows.purchased(), Flow::default());
        assert_eq!(
            flows.delivered(),
            Flow {
                quantity: 3,
                value: Fen::new(450)
            }
        );
        assert_eq!(
            flows.on_hand(),
            Flow {
                quantity: 7,
                value: Fen::new(1_050)
            }
        );
        assert_eq!(
            flows.received() + flows.purchased() - flows.delivered() - flows.lost(),
            flows.on_hand()
        );
        assert_eq!(
            Flows::at(&station(), Some("rice"), [&receipt]).on_hand(),
            Flow::default()
        );
    }
}
