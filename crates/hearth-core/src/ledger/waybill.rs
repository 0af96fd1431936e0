//! Transfers by waybill (调拨单) between the county warehouse and the town stations:
//!
//! ```text
//! (new) ──dispatch──> dispatched ──receive──> received
//! ```
//!
//! Dispatch takes every line out of the source into transit under the waybill
//! (`transfer_out`). The receiver counts what arrived: the received quantity goes into the
//! destination (`transfer_in`) and any shortfall is written off from transit as an adjustment
//! with its cause (短少, 损坏 …) and a note, so the waybill ends with nothing in transit.

use uuid::Uuid;

use super::movement::{Adjustment, AdjustmentCause, MAX_QUANTITY, MovementDraft, MovementKind};
use super::stock::Holding;
use super::{Header, Location, StockBook};
use crate::Invalid;
use crate::household::keep;

dictionary!(
    WaybillStatus, "status", "ledger.waybill_status" {
        /// 已发出: on the road.
        Dispatched => "dispatched",
        /// 已签收: counted in at the destination.
        Received => "received",
    }
);

/// One item and how many of it were dispatched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WaybillLine {
    pub item: String,
    pub quantity: i64,
}

/// A waybill from one site to another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Waybill {
    pub id: Uuid,
    pub from: Location,
    pub to: Location,
    pub lines: Vec<WaybillLine>,
    pub status: WaybillStatus,
}

/// Why fewer arrived than were dispatched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shortfall {
    pub cause: AdjustmentCause,
    pub note: String,
}

/// What the receiver counted of one line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReceivedLine {
    pub item: String,
    pub received: i64,
    /// Required when `received` is below the dispatched quantity, refused otherwise.
    pub shortfall: Option<Shortfall>,
}

impl Waybill {
    /// A waybill about to be dispatched: two different sites and at least one line, each item
    /// once with a positive quantity.
    pub fn new(
        id: Uuid,
        from: Location,
        to: Location,
        lines: Vec<WaybillLine>,
    ) -> Result<Waybill, Vec<Invalid>> {
        let mut errors = Vec::new();
        if !from.is_site() {
            errors.push(Invalid::new("from", "ledger.movement.ends"));
        }
        if !to.is_site() || to == from {
            errors.push(Invalid::new("to", "ledger.waybill.same_place"));
        }
        if lines.is_empty() {
            errors.push(Invalid::new("lines", "field.required"));
        }
        for (i, line) in lines.iter().enumerate() {
            if line.item.trim().is_empty() {
                errors.push(Invalid::new(format!("lines[{i}].item"), "field.required"));
            } else if lines[..i].iter().any(|l| l.item == line.item) {
                errors.push(Invalid::new(
                    format!("lines[{i}].item"),
                    "ledger.waybill.item_twice",
                ));
            }
            if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                errors.push(
                    Invalid::new(format!("lines[{i}].quantity"), "ledger.movement.quantity")
                        .arg("value", line.quantity)
                        .arg("max", MAX_QUANTITY),
                );
            }
        }
        if errors.is_empty() {
            Ok(Waybill {
                id,
                from,
                to,
                lines,
                status: WaybillStatus::Dispatched,
            })
        } else {
            Err(errors)
        }
    }

    /// Where the goods are between dispatch and receipt.
    pub fn transit(&self) -> Location {
        Location::Transit(self.id)
    }

    /// The `transfer_out` of every line, valued from the source; every line short of stock is
    /// refused on `lines[i].quantity` with what is available.
    pub fn dispatch(
        &self,
        book: &StockBook,
        header: &Header,
    ) -> Result<Vec<MovementDraft>, Vec<Invalid>> {
        let mut errors = Vec::new();
        let movements: Vec<_> = self
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, line)| {
                let ends = (self.from.clone(), Some(self.transit()));
                let kind = MovementKind::TransferOut;
                let out =
                    book.outbound(header.clone(), kind, ends, &line.item, line.quantity, None);
                keep(
                    &mut errors,
                    out.map_err(|e| e.within(&format!("lines[{i}]"))),
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(movements)
        } else {
            Err(errors)
        }
    }

    /// The movements of receipt by `receiver`: per line a `transfer_in` of what arrived and,
    /// for any shortfall, an adjustment writing it off from transit. Refused unless the
    /// waybill is still on the road and every line is counted once.
    pub fn receive(
        &self,
        book: &StockBook,
        header: &Header,
        counted: &[ReceivedLine],
        receiver: Uuid,
    ) -> Result<Vec<MovementDraft>, Vec<Invalid>> {
        if self.status != WaybillStatus::Dispatched {
            return Err(vec![Invalid::new(
                "status",
                "ledger.waybill.received_already",
            )]);
        }
        let mut errors = Vec::new();
        for (j, line) in counted.iter().enumerate() {
            if !self.lines.iter().any(|l| l.item == line.item)
                || counted[..j].iter().any(|l| l.item == line.item)
            {
                errors.push(
                    Invalid::new(format!("received[{j}].item"), "ledger.waybill.unknown_item")
                        .arg("item", &line.item),
                );
            }
        }
        let mut movements = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let count = counted.iter().find(|c| c.item == line.item);
            let result = self.receive_line(book, header, line, count, receiver);
            if let Some(mut moved) = keep(
                &mut errors,
                result.map_err(|e| e.within(&format!("lines[{i}]"))),
            ) {
                movements.append(&mut moved);
            }
        }
        if errors.is_empty() {
            Ok(movements)
        } else {
            Err(errors)
        }
    }

    fn receive_line(
        &self,
        book: &StockBook,
        header: &Header,
        line: &WaybillLine,
        count: Option<&ReceivedLine>,
        receiver: Uuid,
    ) -> Result<Vec<MovementDraft>, Invalid> {
        let count = count.ok_or_else(|| Invalid::new("received", "field.required"))?;
        if !(0..=line.quantity).contains(&count.received) {
            return Err(Invalid::new("received", "ledger.waybill.received_more")
                .arg("dispatched", line.quantity));
        }
        let short = line.quantity - count.received;
        let adjustment = shortfall_adjustment(count.shortfall.as_ref(), short, receiver)?;
        book.take(&self.transit(), &line.item, line.quantity)?;
        let held = book.holding(&self.transit(), &line.item);
        let arrived = held.share(count.received);
        let left = Holding {
            quantity: held.quantity - count.received,
            value: held.value - arrived,
        };
        let transfer_in = MovementDraft {
            header: header.clone(),
            kind: MovementKind::TransferIn,
            from: Some(self.transit()),
            to: Some(self.to.clone()),
            item: line.item.clone(),
            quantity: count.received,
            value: arrived,
            adjustment: None,
            reverses: None,
        };
        let write_off = adjustment.map(|adjustment| MovementDraft {
            kind: MovementKind::Adjustment,
            to: None,
            quantity: short,
            value: left.share(short),
            adjustment: Some(adjustment),
            ..transfer_in.clone()
        });
        let arrived_any = count.received > 0;
        Ok(arrived_any
            .then_some(transfer_in)
            .into_iter()
            .chain(write_off)
            .collect())
    }
}

/// The write-off a shortfall needs: explained when something is short, absent otherwise.
fn shortfall_adjustment(
    shortfall: Option<&Shortfall>,
    short: i64,
    receiver: Uuid,
) -> Result<Option<Adjustment>, Invalid> {
    match (shortfall, short) {
        (None, 0) => Ok(None),
        (Some(_), 0) => Err(Invalid::new(
            "shortfall",
            "ledger.waybill.shortfall_unexpected",
        )),
        (None, _) => Err(Invalid::new("shortfall", "field.required")),
        (Some(shortfall), _) if shortfall.note.trim().is_empty() => {
            Err(Invalid::new("shortfall.note", "field.required"))
        }
        (Some(shortfall), _) => Ok(Some(Adjustment {
            cause: shortfall.cause,
            note: shortfall.note.trim().to_owned(),
            maker: receiver,
            checker: None,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AreaCode, Fen};
    use chrono::NaiveDate;

    fn site(code: &str) -> Location {
        Location::site(AreaCode::parse(code).unwrap()).unwrap()
    }

    fn header() -> Header {
        Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        )
    }

    fn line(item: &str, quantity: i64) -> WaybillLine {
        WaybillLine {
            item: item.into(),
            quantity,
        }
    }

    fn stocked() -> StockBook {
        let mut book = StockBook::new();
        for (item, quantity, value) in [("quilt", 10, 15_000), ("rice", 4, 1_000)] {
            let receipt = MovementDraft::inbound(
                header(),
                MovementKind::Receipt,
                site("340123"),
                item,
                quantity,
                Fen::new(value),
            );
            book.apply(&receipt).unwrap();
        }
        book
    }

    fn waybill() -> Waybill {
        let lines = vec![line("quilt", 6), line("rice", 3)];
        Waybill::new(Uuid::from_u128(9), site("340123"), site("340123101"), lines).unwrap()
    }

    fn apply(book: &mut StockBook, movements: &[MovementDraft]) {
        for movement in movements {
            book.apply(movement).unwrap();
        }
    }

    fn counted(item: &str, received: i64, note: &str) -> ReceivedLine {
        let shortfall = (!note.is_empty()).then(|| Shortfall {
            cause: AdjustmentCause::Damage,
            note: note.into(),
        });
        ReceivedLine {
            item: item.into(),
            received,
            shortfall,
        }
    }

    #[test]
    fn a_waybill_needs_two_sites_and_distinct_lines() {
        let errors = Waybill::new(
            Uuid::from_u128(9),
            site("340123"),
            site("340123"),
            vec![line("quilt", 1), line("quilt", 0)],
        )
        .unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            codes,
            [
                ("to", "ledger.waybill.same_place"),
                ("lines[1].item", "ledger.waybill.item_twice"),
                ("lines[1].quantity", "ledger.movement.quantity"),
            ]
        );
    }

    #[test]
    fn dispatch_puts_goods_in_transit_and_receipt_empties_it() {
        let mut book = stocked();
        let waybill = waybill();
        let dispatched = waybill.dispatch(&book, &header()).unwrap();
        apply(&mut book, &dispatched);
        assert_eq!(book.on_hand(&site("340123"), "quilt"), 4);
        assert_eq!(
            book.holding(&waybill.transit(), "quilt").value,
            Fen::new(9_000)
        );
        let counted = [counted("rice", 3, ""), counted("quilt", 5, "一床受潮")];
        let received = waybill
            .receive(&book, &header(), &counted, Uuid::from_u128(30))
            .unwrap();
        let kinds: Vec<_> = received
            .iter()
            .map(|m| (m.kind, m.item.as_str(), m.quantity, m.value.fen()))
            .collect();
        assert_eq!(
            kinds,
            [
                (MovementKind::TransferIn, "quilt", 5, 7_500),
                (MovementKind::Adjustment, "quilt", 1, 1_500),
                (MovementKind::TransferIn, "rice", 3, 750),
            ]
        );
        apply(&mut book, &received);
        assert_eq!(book.in_transit_value(), Fen::ZERO);
        assert_eq!(book.on_hand(&site("340123101"), "quilt"), 5);
        assert_eq!(book.total_value(), Fen::new(16_000 - 1_500));
        let received_twice = Waybill {
            status: WaybillStatus::Received,
            ..waybill
        };
        let refused = received_twice
            .receive(&book, &header(), &counted, Uuid::from_u128(30))
            .unwrap_err();
        assert_eq!(refused[0].code(), "ledger.waybill.received_already");
    }

    #[test]
    fn dispatch_refuses_each_line_short_of_stock() {
        let book = stocked();
        let lines = vec![line("quilt", 11), line("rice", 5)];
        let waybill =
            Waybill::new(Uuid::from_u128(9), site("340123"), site("340123101"), lines).unwrap();
        let refused = waybill.dispatch(&book, &header()).unwrap_err();
        let fields: Vec<_> = refused.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields,
            [
                ("lines[0].quantity", "ledger.stock.insufficient"),
                ("lines[1].quantity", "ledger.stock.insufficient"),
            ]
        );
    }

    #[test]
    fn the_receiver_explains_every_shortfall() {
        let mut book = stocked();
        let waybill = waybill();
        let dispatched = waybill.dispatch(&book, &header()).unwrap();
        apply(&mut book, &dispatched);
        let receiver = Uuid::from_u128(30);
        let refusals = |counted: &[ReceivedLine]| -> Vec<(String, &'static str)> {
            let errors = waybill
                .receive(&book, &header(), counted, receiver)
                .unwrap_err();
            errors
                .iter()
                .map(|e| (e.field().to_owned(), e.code()))
                .collect()
        };
        assert_eq!(
            refusals(&[
                counted("quilt", 7, ""),
                counted("rice", 2, ""),
                counted("coal", 1, "")
            ]),
            [
                ("received[2].item".into(), "ledger.waybill.unknown_item"),
                ("lines[0].received".into(), "ledger.waybill.received_more"),
                ("lines[1].shortfall".into(), "field.required"),
            ]
        );
        assert_eq!(
            refusals(&[counted("quilt", 6, "多余说明"), counted("rice", 2, " ")]),
            [
                (
                    "lines[0].shortfall".into(),
                    "ledger.waybill.shortfall_unexpected"
                ),
                ("lines[1].shortfall.note".into(), "field.required"),
            ]
        );
        assert_eq!(
            refusals(&[counted("quilt", 6, "")]),
            [("lines[1].received".into(), "field.required")]
        );
    }
}
