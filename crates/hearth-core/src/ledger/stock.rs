//! The stock book: what each place holds of each item, derived from movements only.
//!
//! Goods leave a place at their share of its value (移动加权平均): `value × taken / held`,
//! rounded down, and the last unit takes whatever value is left, so a place holding nothing
//! holds no value and no place ever holds a negative quantity or value. A movement that would
//! break that is refused with what is available, and a refused movement changes nothing.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::movement::{Adjustment, MAX_QUANTITY, MovementDraft, MovementKind};
use super::{Header, Location};
use crate::{Fen, Invalid};

/// What one place holds of one item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Holding {
    pub quantity: i64,
    pub value: Fen,
}

impl Holding {
    /// The value of `quantity` units leaving this holding.
    pub fn share(&self, quantity: i64) -> Fen {
        if quantity >= self.quantity {
            return self.value;
        }
        let share = i128::from(self.value.fen()) * i128::from(quantity) / i128::from(self.quantity);
        // Below `value` because `quantity < self.quantity`, so it fits.
        Fen::new(share as i64)
    }
}

/// On-hand quantities and values per (place, item), and what each household has received of
/// each item net of returns (a household cannot return more than it got).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockBook {
    held: BTreeMap<(Location, String), Holding>,
    delivered: BTreeMap<Delivered, i64>,
}

/// A household and an item it received.
type Delivered = (Uuid, String);

impl StockBook {
    pub const fn new() -> StockBook {
        StockBook {
            held: BTreeMap::new(),
            delivered: BTreeMap::new(),
        }
    }

    pub fn holding(&self, location: &Location, item: &str) -> Holding {
        self.held
            .get(&(location.clone(), item.to_owned()))
            .copied()
            .unwrap_or_default()
    }

    pub fn on_hand(&self, location: &Location, item: &str) -> i64 {
        self.holding(location, item).quantity
    }

    pub fn value_on_hand(&self, location: &Location, item: &str) -> Fen {
        self.holding(location, item).value
    }

    /// Every place and item holding something, in order of place then item.
    pub fn holdings(&self) -> impl Iterator<Item = (&Location, &str, Holding)> {
        self.held.iter().map(|((l, i), h)| (l, i.as_str(), *h))
    }

    /// The value of everything a place holds.
    pub fn location_value(&self, location: &Location) -> Fen {
        self.holdings()
            .filter(|(l, _, _)| *l == location)
            .map(|(_, _, h)| h.value)
            .sum()
    }

    /// The value of everything held, in transit included; equals the ledger's `stock_value`.
    pub fn total_value(&self) -> Fen {
        self.held.values().map(|h| h.value).sum()
    }

    /// The value of goods dispatched and not yet received or written off.
    pub fn in_transit_value(&self) -> Fen {
        self.holdings()
            .filter(|(l, _, _)| !l.is_site())
            .map(|(_, _, h)| h.value)
            .sum()
    }

    /// Units of `item` held everywhere, in transit included.
    pub fn total_quantity(&self, item: &str) -> i64 {
        self.holdings()
            .filter(|(_, i, _)| *i == item)
            .map(|(_, _, h)| h.quantity)
            .sum()
    }

    /// Units of `item` a household has received, net of returns.
    pub fn delivered(&self, household: Uuid, item: &str) -> i64 {
        self.delivered
            .get(&(household, item.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The value of `quantity` units leaving `from`, or the refusal naming what is available.
    pub fn take(&self, from: &Location, item: &str, quantity: i64) -> Result<Fen, Invalid> {
        let holding = self.holding(from, item);
        if quantity > holding.quantity {
            return Err(Invalid::new("quantity", "ledger.stock.insufficient")
                .arg("item", item)
                .arg("available", holding.quantity));
        }
        Ok(holding.share(quantity))
    }

    /// A movement of goods leaving `from`, valued by the book.
    pub fn outbound(
        &self,
        header: Header,
        kind: MovementKind,
        (from, to): (Location, Option<Location>),
        item: &str,
        quantity: i64,
        adjustment: Option<Adjustment>,
    ) -> Result<MovementDraft, Invalid> {
        let value = self.take(&from, item, quantity)?;
        let movement = MovementDraft {
            header,
            kind,
            from: Some(from),
            to,
            item: item.to_owned(),
            quantity,
            value,
            adjustment,
            reverses: None,
        };
        movement.validate()?;
        Ok(movement)
    }

    /// Goods handed from `site` to the household of `header`.
    pub fn distribution(
        &self,
        header: Header,
        site: Location,
        item: &str,
        quantity: i64,
    ) -> Result<MovementDraft, Invalid> {
        self.outbound(
            header,
            MovementKind::Distribution,
            (site, None),
            item,
            quantity,
            None,
        )
    }

    /// Goods written off at a site or from a waybill in transit.
    pub fn write_off(
        &self,
        header: Header,
        place: Location,
        item: &str,
        quantity: i64,
        adjustment: Adjustment,
    ) -> Result<MovementDraft, Invalid> {
        self.outbound(
            header,
            MovementKind::Adjustment,
            (place, None),
            item,
            quantity,
            Some(adjustment),
        )
    }

    /// The movement a stock count (盘点) records: the difference between `counted` and the
    /// book, or `None` when they agree. Goods missing leave at their share of the value; goods
    /// found are valued at `unit_value` each (the catalogue's reference value).
    pub fn count(
        &self,
        header: Header,
        site: Location,
        item: &str,
        counted: i64,
        unit_value: Fen,
        adjustment: Adjustment,
    ) -> Result<Option<MovementDraft>, Invalid> {
        if !(0..=MAX_QUANTITY).contains(&counted) {
            return Err(Invalid::new("quantity", "ledger.movement.quantity")
                .arg("value", counted)
                .arg("max", MAX_QUANTITY));
        }
        let difference = counted - self.on_hand(&site, item);
        if difference < 0 {
            let (kind, ends) = (MovementKind::Count, (site, None));
            return self
                .outbound(header, kind, ends, item, -difference, Some(adjustment))
                .map(Some);
        }
        if difference == 0 {
            return Ok(None);
        }
        let value = unit_value
            .fen()
            .checked_mul(difference)
            .ok_or_else(|| Invalid::new("value", "ledger.movement.value"))?;
        let movement = MovementDraft {
            adjustment: Some(adjustment),
            ..MovementDraft::inbound(
                header,
                MovementKind::Count,
                site,
                item,
                difference,
                Fen::new(value),
            )
        };
        movement.validate()?;
        Ok(Some(movement))
    }

    /// Applies a movement, or refuses it and changes nothing. Goods leaving must be on hand
    /// and, unless a reversal, carry exactly their share of the value; a reversal takes its
    /// original value back, which must be there and leave no value behind without goods.
    pub fn apply(&mut self, movement: &MovementDraft) -> Result<(), Invalid> {
        movement.validate()?;
        let left = movement
            .from
            .as_ref()
            .map(|from| self.after_leaving(from, movement))
            .transpose()?;
        let arrived = movement
            .to
            .as_ref()
            .map(|to| self.after_arriving(to, movement))
            .transpose()?;
        let delivered = self.delivered_after(movement)?;
        for (place, holding) in left.into_iter().chain(arrived) {
            let key = (place, movement.item.clone());
            if holding == Holding::default() {
                self.held.remove(&key);
            } else {
                self.held.insert(key, holding);
            }
        }
        if let Some((key, quantity)) = delivered {
            if quantity == 0 {
                self.delivered.remove(&key);
            } else {
                self.delivered.insert(key, quantity);
            }
        }
        Ok(())
    }

    /// What `from` holds once the movement's goods have left it.
    fn after_leaving(
        &self,
        from: &Location,
        movement: &MovementDraft,
    ) -> Result<(Location, Holding), Invalid> {
        let holding = self.holding(from, &movement.item);
        let share = self.take(from, &movement.item, movement.quantity)?;
        if movement.reverses.is_none() && movement.value != share {
            return Err(Invalid::new("value", "ledger.stock.value_share")
                .arg("expected", share.yuan_string()));
        }
        let left = Holding {
            quantity: holding.quantity - movement.quantity,
            value: holding.value - movement.value,
        };
        if left.value < Fen::ZERO || (left.quantity == 0 && left.value != Fen::ZERO) {
            return Err(Invalid::new("value", "ledger.stock.value_left")
                .arg("available", holding.value.yuan_string()));
        }
        Ok((from.clone(), left))
    }

    /// What `to` holds once the movement's goods have arrived.
    fn after_arriving(
        &self,
        to: &Location,
        movement: &MovementDraft,
    ) -> Result<(Location, Holding), Invalid> {
        let holding = self.holding(to, &movement.item);
        let value = holding
            .value
            .checked_add(movement.value)
            .ok_or_else(|| Invalid::new("value", "ledger.movement.value"))?;
        let quantity = holding.quantity + movement.quantity;
        Ok((to.clone(), Holding { quantity, value }))
    }

    /// What the household will have received of the item after a distribution or return
    /// (or their reversals); a return beyond what was received is refused.
    fn delivered_after(
        &self,
        movement: &MovementDraft,
    ) -> Result<Option<(Delivered, i64)>, Invalid> {
        let handed = movement.handed_to_household();
        let (Some(household), true) = (movement.header.household, handed != 0) else {
            return Ok(None);
        };
        let before = self.delivered(household, &movement.item);
        if before + handed < 0 {
            return Err(
                Invalid::new("quantity", "ledger.stock.return_exceeds").arg("delivered", before)
            );
        }
        Ok(Some(((household, movement.item.clone()), before + handed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AreaCode;
    use crate::ledger::{AdjustmentCause, Movement};
    use chrono::NaiveDate;

    fn header(household: u128) -> Header {
        let mut header = Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        );
        header.household = Some(Uuid::from_u128(household));
        header
    }

    fn station() -> Location {
        Location::site(AreaCode::parse("340123101").unwrap()).unwrap()
    }

    fn receive(book: &mut StockBook, quantity: i64, value: i64) {
        let receipt = MovementDraft::inbound(
            header(0),
            MovementKind::Receipt,
            station(),
            "quilt",
            quantity,
            Fen::new(value),
        );
        book.apply(&receipt).unwrap();
    }

    fn counted(checker: u128) -> Adjustment {
        Adjustment {
            cause: AdjustmentCause::Miscount,
            note: "年终盘点".into(),
            maker: Uuid::from_u128(20),
            checker: Some(Uuid::from_u128(checker)),
        }
    }

    #[test]
    fn goods_leave_at_their_share_and_the_last_takes_the_rest() {
        let mut book = StockBook::new();
        receive(&mut book, 3, 1_000);
        let first = book.distribution(header(7), station(), "quilt", 1).unwrap();
        assert_eq!(first.value, Fen::new(333));
        book.apply(&first).unwrap();
        let rest = book.distribution(header(7), station(), "quilt", 2).unwrap();
        assert_eq!(rest.value, Fen::new(667));
        book.apply(&rest).unwrap();
        assert_eq!(book.holding(&station(), "quilt"), Holding::default());
        assert_eq!(book.holdings().count(), 0);
        assert_eq!(book.delivered(Uuid::from_u128(7), "quilt"), 3);
    }

    #[test]
    fn refuses_to_go_below_zero_and_says_what_is_there() {
        let mut book = StockBook::new();
        receive(&mut book, 2, 300);
        let refused = book
            .distribution(header(7), station(), "quilt", 3)
            .unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("quantity", "ledger.stock.insufficient")
        );
        assert!(refused.0.args.contains(&("available", "2".into())));

        let mut cheap = book.distribution(header(7), station(), "quilt", 1).unwrap();
        cheap.value = Fen::new(1);
        let before = book.clone();
        let refused = book.apply(&cheap).unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("value", "ledger.stock.value_share")
        );
        assert_eq!(book, before, "a refused movement changes nothing");
    }

    #[test]
    fn a_household_returns_at_most_what_it_received() {
        let mut book = StockBook::new();
        receive(&mut book, 5, 500);
        book.apply(&book.distribution(header(7), station(), "quilt", 2).unwrap())
            .unwrap();
        let back = |n| {
            MovementDraft::inbound(
                header(7),
                MovementKind::Return,
                station(),
                "quilt",
                n,
                Fen::new(100 * n),
            )
        };
        let refused = book.apply(&back(3)).unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("quantity", "ledger.stock.return_exceeds")
        );
        book.apply(&back(2)).unwrap();
        assert_eq!(book.delivered(Uuid::from_u128(7), "quilt"), 0);
        assert_eq!(
            book.holding(&station(), "quilt"),
            Holding {
                quantity: 5,
                value: Fen::new(500)
            }
        );
    }

    #[test]
    fn a_reversal_takes_back_its_value_or_is_refused() {
        let mut book = StockBook::new();
        receive(&mut book, 1, 0);
        let second = MovementDraft::inbound(
            header(0),
            MovementKind::Receipt,
            station(),
            "quilt",
            1,
            Fen::new(1_000),
        );
        book.apply(&second).unwrap();
        book.apply(&book.distribution(header(7), station(), "quilt", 1).unwrap())
            .unwrap();
        let undo = MovementDraft::reversal_of(
            &Movement {
                seq: 2,
                draft: second,
            },
            second_day(),
            "",
        );
        let refused = book.apply(&undo).unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("value", "ledger.stock.value_left")
        );
        assert_eq!(
            book.holding(&station(), "quilt"),
            Holding {
                quantity: 1,
                value: Fen::new(500)
            }
        );
    }

    fn second_day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 21).unwrap()
    }

    #[test]
    fn a_count_records_the_difference() {
        let mut book = StockBook::new();
        receive(&mut book, 10, 1_000);
        let unit = Fen::new(100);
        assert_eq!(
            book.count(header(0), station(), "quilt", 10, unit, counted(21)),
            Ok(None)
        );
        let fewer = book
            .count(header(0), station(), "quilt", 7, unit, counted(21))
            .unwrap()
            .unwrap();
        assert_eq!(
            (fewer.from.is_some(), fewer.quantity, fewer.value),
            (true, 3, Fen::new(300))
        );
        book.apply(&fewer).unwrap();
        let more = book
            .count(header(0), station(), "quilt", 9, unit, counted(21))
            .unwrap()
            .unwrap();
        assert_eq!(
            (more.to.is_some(), more.quantity, more.value),
            (true, 2, Fen::new(200))
        );
        book.apply(&more).unwrap();
        assert_eq!(book.on_hand(&station(), "quilt"), 9);
        let refused = book
            .count(header(0), station(), "quilt", -1, unit, counted(21))
            .unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("quantity", "ledger.movement.quantity")
        );
        let unchecked = book
            .count(header(0), station(), "quilt", 1, unit, counted(20))
            .unwrap_err();
        assert_eq!(unchecked.code(), "ledger.movement.checker_is_maker");
    }
}
