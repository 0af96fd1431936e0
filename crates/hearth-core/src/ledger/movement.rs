//! Movements of goods (出入库记录): a quantity of one item taken from one place, given to
//! another, or both, with its value in fen. On-hand at a place is the sum of what was given to
//! it less what was taken from it; [`super::StockBook`] keeps that sum and refuses anything that
//! would take it below zero.
//!
//! | kind           | from              | to               |
//! |----------------|-------------------|------------------|
//! | `receipt`      | –                 | site             |
//! | `purchase`     | –                 | site             |
//! | `transfer_out` | site              | transit(waybill) |
//! | `transfer_in`  | transit(waybill)  | site             |
//! | `distribution` | site              | – (a household)  |
//! | `return`       | – (a household)   | site             |
//! | `adjustment`   | site or transit   | – (lost)         |
//! | `adjustment`   | – (found)         | site             |
//! | `count`        | site              | – (fewer)        |
//! | `count`        | – (more)          | site             |
//!
//! A reversal (`reverses` set) keeps the kind and swaps `from` and `to`, undoing the original;
//! reversing the reversal swaps them back.

use uuid::Uuid;

use super::entry::EntryKind;
use super::{Header, Location};
use crate::{Fen, Invalid};

dictionary!(
    MovementKind, "kind", "ledger.movement_kind" {
        /// 入库(捐赠): donated goods received.
        Receipt => "receipt",
        /// 采购入库: bought goods received.
        Purchase => "purchase",
        /// 调出: dispatched under a waybill.
        TransferOut => "transfer_out",
        /// 调入: received from a waybill.
        TransferIn => "transfer_in",
        /// 发放: handed to a household.
        Distribution => "distribution",
        /// 退回: given back by a household.
        Return => "return",
        /// 调整: written off or found, with a cause and a second person's check.
        Adjustment => "adjustment",
        /// 盘点: the difference between the count and the book.
        Count => "count",
    }
);

dictionary!(
    /// Why goods were written off or found.
    AdjustmentCause, "cause", "ledger.cause" {
        /// 短少: fewer arrived than were dispatched.
        Shortage => "shortage",
        /// 损坏: arrived or kept damaged.
        Damage => "damage",
        /// 过期/变质: spoiled.
        Spoiled => "spoiled",
        /// 盘点差异: the count differs from the book.
        Miscount => "miscount",
        Other => "other",
    }
);

/// Why and by whom goods were written off or found. At a site the maker (经办) records and a
/// different checker (复核) confirms; a shortfall on a waybill is recorded by the receiver alone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Adjustment {
    pub cause: AdjustmentCause,
    pub note: String,
    pub maker: Uuid,
    pub checker: Option<Uuid>,
}

/// The largest quantity one movement may carry.
pub const MAX_QUANTITY: i64 = 10_000_000;

/// A movement before it takes its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MovementDraft {
    /// The household of a distribution or return is `header.household`.
    pub header: Header,
    pub kind: MovementKind,
    pub from: Option<Location>,
    pub to: Option<Location>,
    /// An item code of the catalogue (`quilt`, `rice` …).
    pub item: String,
    /// Units moved, always positive.
    pub quantity: i64,
    /// Their value in fen, never negative. For goods leaving a place the stock book sets it.
    pub value: Fen,
    /// Required for adjustments and counts, absent otherwise.
    pub adjustment: Option<Adjustment>,
    /// The sequence number of the movement a reversal undoes.
    pub reverses: Option<i64>,
}

/// A movement at its place (`seq`) in the ledger's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Movement {
    pub seq: i64,
    pub draft: MovementDraft,
}

/// Which kind of place one end of a movement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    None,
    Site,
    Transit,
}

fn end(place: &Option<Location>) -> End {
    match place {
        None => End::None,
        Some(Location::Site(_)) => End::Site,
        Some(Location::Transit(_)) => End::Transit,
    }
}

impl MovementKind {
    /// The (from, to) ends a movement of this kind may have, before any reversal.
    fn ends(self) -> &'static [(End, End)] {
        use End::*;
        match self {
            MovementKind::Receipt | MovementKind::Purchase | MovementKind::Return => {
                &[(None, Site)]
            }
            MovementKind::TransferOut => &[(Site, Transit)],
            MovementKind::TransferIn => &[(Transit, Site)],
            MovementKind::Distribution => &[(Site, None)],
            MovementKind::Adjustment => &[(Site, None), (Transit, None), (None, Site)],
            MovementKind::Count => &[(Site, None), (None, Site)],
        }
    }

    fn needs_adjustment(self) -> bool {
        matches!(self, MovementKind::Adjustment | MovementKind::Count)
    }
}

impl MovementDraft {
    /// A movement into `site` of goods whose value the caller knows: a receipt (at the
    /// donation's valuation), a purchase (at the price paid) or a return (at the value handed out).
    pub fn inbound(
        header: Header,
        kind: MovementKind,
        site: Location,
        item: &str,
        quantity: i64,
        value: Fen,
    ) -> MovementDraft {
        MovementDraft {
            header,
            kind,
            from: None,
            to: Some(site),
            item: item.to_owned(),
            quantity,
            value,
            adjustment: None,
            reverses: None,
        }
    }

    /// The movement that undoes `movement`: same header but for the day and summary, `from`
    /// and `to` swapped, the same quantity and value.
    pub fn reversal_of(
        movement: &Movement,
        date: chrono::NaiveDate,
        summary: impl Into<String>,
    ) -> MovementDraft {
        let original = &movement.draft;
        MovementDraft {
            header: Header {
                date,
                summary: summary.into(),
                ..original.header.clone()
            },
            from: original.to.clone(),
            to: original.from.clone(),
            reverses: Some(movement.seq),
            ..original.clone()
        }
    }

    /// Whether this draft exactly undoes `target`.
    pub fn mirrors(&self, target: &MovementDraft) -> bool {
        let header = Header {
            date: target.header.date,
            summary: target.header.summary.clone(),
            ..self.header.clone()
        };
        header == target.header
            && self.kind == target.kind
            && self.from == target.to
            && self.to == target.from
            && self.item == target.item
            && self.quantity == target.quantity
            && self.value == target.value
            && self.adjustment == target.adjustment
    }

    /// The entry kind and shape (an index into [`EntryKind::shapes`]) that books this
    /// movement's value; `None` for transfers, whose value stays in stock, and for reversals,
    /// whose entry is the reversal of the original's.
    pub fn booking(&self) -> Option<(EntryKind, usize)> {
        if self.reverses.is_some() {
            return None;
        }
        match self.kind {
            MovementKind::Receipt => Some((EntryKind::DonationInKind, 0)),
            MovementKind::Purchase => Some((EntryKind::Purchase, 0)),
            MovementKind::Distribution => Some((EntryKind::Distribution, 0)),
            MovementKind::Return => Some((EntryKind::Return, 0)),
            MovementKind::Adjustment | MovementKind::Count if self.from.is_some() => {
                Some((EntryKind::Adjustment, 0))
            }
            MovementKind::Adjustment | MovementKind::Count => Some((EntryKind::Adjustment, 1)),
            MovementKind::TransferOut | MovementKind::TransferIn => None,
        }
    }

    /// Units this movement hands to the household of its header: positive for a
    /// distribution, negative for a return, the other way round when they are reversed, zero
    /// for every other kind.
    pub fn handed_to_household(&self) -> i64 {
        match self.kind {
            MovementKind::Distribution | MovementKind::Return if self.from.is_some() => {
                self.quantity
            }
            MovementKind::Distribution | MovementKind::Return => -self.quantity,
            _ => 0,
        }
    }

    /// The rules a movement keeps on its own, before the stock book checks what is on hand.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.item.trim().is_empty() {
            return Err(Invalid::new("item", "field.required"));
        }
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            return Err(Invalid::new("quantity", "ledger.movement.quantity")
                .arg("value", self.quantity)
                .arg("max", MAX_QUANTITY));
        }
        if self.value < Fen::ZERO || self.value > super::entry::MAX_AMOUNT {
            return Err(Invalid::new("value", "ledger.movement.value"));
        }
        self.check_ends()?;
        let household_kind = matches!(self.kind, MovementKind::Distribution | MovementKind::Return);
        if household_kind && self.header.household.is_none() {
            return Err(Invalid::new("household", "field.required"));
        }
        self.check_adjustment()
    }

    /// A reversal may go either way: it mirrors its target, which may itself be a reversal.
    fn check_ends(&self) -> Result<(), Invalid> {
        let (from, to) = (end(&self.from), end(&self.to));
        let allowed = self.kind.ends();
        let fits = allowed.contains(&(from, to))
            || (self.reverses.is_some() && allowed.contains(&(to, from)));
        if !fits {
            return Err(Invalid::new("location", "ledger.movement.ends"));
        }
        Ok(())
    }

    fn check_adjustment(&self) -> Result<(), Invalid> {
        let Some(adjustment) = &self.adjustment else {
            if self.kind.needs_adjustment() {
                return Err(Invalid::new("adjustment", "field.required"));
            }
            return Ok(());
        };
        if !self.kind.needs_adjustment() {
            return Err(Invalid::new(
                "adjustment",
                "ledger.movement.adjustment_unexpected",
            ));
        }
        if adjustment.note.trim().is_empty() {
            return Err(Invalid::new("adjustment.note", "field.required"));
        }
        let at_site = [&self.from, &self.to]
            .iter()
            .any(|place| place.as_ref().is_some_and(Location::is_site));
        match adjustment.checker {
            None if at_site => Err(Invalid::new("adjustment.checker", "field.required")),
            Some(checker) if checker == adjustment.maker => Err(Invalid::new(
                "adjustment.checker",
                "ledger.movement.checker_is_maker",
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AreaCode;
    use crate::ledger::EntryDraft;
    use chrono::NaiveDate;

    fn header() -> Header {
        let mut header = Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        );
        header.household = Some(Uuid::from_u128(5));
        header
    }

    fn station() -> Location {
        Location::site(AreaCode::parse("340123101").unwrap()).unwrap()
    }

    fn receipt(quantity: i64, value: i64) -> MovementDraft {
        MovementDraft::inbound(
            header(),
            MovementKind::Receipt,
            station(),
            "quilt",
            quantity,
            Fen::new(value),
        )
    }

    fn refusal(draft: &MovementDraft) -> (String, &'static str) {
        let e = draft.validate().unwrap_err();
        (e.field().to_owned(), e.code())
    }

    #[test]
    fn each_kind_has_its_ends() {
        assert_eq!(receipt(10, 15_000).validate(), Ok(()));
        let mut wrong_way = receipt(10, 15_000);
        (wrong_way.from, wrong_way.to) = (wrong_way.to.take(), None);
        assert_eq!(
            refusal(&wrong_way),
            ("location".into(), "ledger.movement.ends")
        );
        let mut to_transit = receipt(10, 15_000);
        to_transit.to = Some(Location::Transit(Uuid::from_u128(2)));
        assert_eq!(
            refusal(&to_transit),
            ("location".into(), "ledger.movement.ends")
        );
        let reversal = MovementDraft::reversal_of(
            &Movement {
                seq: 4,
                draft: receipt(10, 15_000),
            },
            header().date,
            "",
        );
        assert_eq!(reversal.validate(), Ok(()));
        assert!(reversal.mirrors(&receipt(10, 15_000)));
        assert_eq!((reversal.from, reversal.to), (Some(station()), None));
    }

    #[test]
    fn refuses_quantities_values_and_missing_facts() {
        assert_eq!(
            refusal(&receipt(0, 0)),
            ("quantity".into(), "ledger.movement.quantity")
        );
        assert_eq!(
            refusal(&receipt(MAX_QUANTITY + 1, 0)),
            ("quantity".into(), "ledger.movement.quantity")
        );
        assert_eq!(
            refusal(&receipt(1, -1)),
            ("value".into(), "ledger.movement.value")
        );
        let mut no_item = receipt(1, 0);
        no_item.item = " ".into();
        assert_eq!(refusal(&no_item), ("item".into(), "field.required"));
        let mut anonymous_return = MovementDraft {
            kind: MovementKind::Return,
            ..receipt(1, 0)
        };
        anonymous_return.header.household = None;
        assert_eq!(
            refusal(&anonymous_return),
            ("household".into(), "field.required")
        );
    }

    #[test]
    fn adjustments_at_a_site_need_a_second_person() {
        let maker = Uuid::from_u128(10);
        let found = |checker| MovementDraft {
            kind: MovementKind::Adjustment,
            adjustment: Some(Adjustment {
                cause: AdjustmentCause::Miscount,
                note: "复盘多出".into(),
                maker,
                checker,
            }),
            ..receipt(2, 300)
        };
        assert_eq!(found(Some(Uuid::from_u128(11))).validate(), Ok(()));
        assert_eq!(
            refusal(&found(None)),
            ("adjustment.checker".into(), "field.required")
        );
        assert_eq!(
            refusal(&found(Some(maker))),
            (
                "adjustment.checker".into(),
                "ledger.movement.checker_is_maker"
            )
        );
        let unexplained = MovementDraft {
            kind: MovementKind::Count,
            ..receipt(2, 300)
        };
        assert_eq!(
            refusal(&unexplained),
            ("adjustment".into(), "field.required")
        );
        let mut explained_receipt = found(Some(Uuid::from_u128(11)));
        explained_receipt.kind = MovementKind::Receipt;
        assert_eq!(
            refusal(&explained_receipt),
            ("adjustment".into(), "ledger.movement.adjustment_unexpected")
        );
        let transit_loss = MovementDraft {
            from: Some(Location::Transit(Uuid::from_u128(3))),
            to: None,
            adjustment: Some(Adjustment {
                cause: AdjustmentCause::Shortage,
                note: "少到2床".into(),
                maker,
                checker: None,
            }),
            ..found(None)
        };
        assert_eq!(transit_loss.validate(), Ok(()));
    }

    #[test]
    fn movements_book_their_value() {
        let lines = [receipt(10, 15_000), receipt(5, 0), receipt(2, 1_000)];
        let entry = EntryDraft::booking(header(), &lines).unwrap().unwrap();
        assert_eq!(
            entry,
            EntryDraft::donation_in_kind(header(), Fen::new(16_000))
        );
        assert_eq!(EntryDraft::booking(header(), &[receipt(3, 0)]), Ok(None));
        let mixed = [
            receipt(1, 100),
            MovementDraft {
                kind: MovementKind::Purchase,
                ..receipt(1, 100)
            },
        ];
        let refused = EntryDraft::booking(header(), &mixed).unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("movements[1]", "ledger.entry.mixed_movements")
        );
    }
}
