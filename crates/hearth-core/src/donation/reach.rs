//! How much of one donation has reached households (已惠及), read from the ledger with one rule
//! for every donor: first in, first out, within the donation's campaign and designation.
//!
//! - Cash: the designation's inflows are cash donations and cash reallocated to it, in ledger
//!   order; its spending on households is purchases (goods bought for them) and cash aid. The
//!   spending uses the earliest inflows first, so a donation of `A` yuan after `B` yuan of earlier
//!   inflows has reached households with `clamp(spent − B, 0, A)`.
//! - Goods, line by line: the inflows of that item under the designation are receipts and
//!   purchases, in ledger order; the units delivered are those handed to households less those
//!   given back. A line of `Q` units after `B` earlier units has reached `clamp(delivered − B, 0, Q)`.
//!
//! A reversed record and its reversal are both left out: together they are nothing. Cash moved
//! away with the donor's consent and goods written off are not counted as reaching anyone.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::Fen;
use crate::ledger::{Account, Designation, EntryKind, Header, MovementKind, Record};

/// The sequence numbers of records a reversal undoes.
fn reversed(records: &[Record]) -> BTreeSet<i64> {
    records
        .iter()
        .filter_map(|record| match record {
            Record::Entry(entry) => entry.draft.reverses,
            Record::Movement(movement) => movement.draft.reverses,
        })
        .collect()
}

/// Whether a record under `header` belongs to the designation's pool of `campaign`.
fn in_pool(header: &Header, campaign: Uuid, designation: &Designation) -> bool {
    header.campaign == campaign && &header.designation == designation
}

/// The part of the cash donation booked by the entry at `seq` (of `amount`) that has reached
/// households.
pub fn cash_reached(
    records: &[Record],
    campaign: Uuid,
    designation: &Designation,
    seq: i64,
    amount: Fen,
) -> Fen {
    let undone = reversed(records);
    let (mut before, mut spent) = (Fen::ZERO, Fen::ZERO);
    for record in records {
        let Record::Entry(entry) = record else {
            continue;
        };
        let draft = &entry.draft;
        if !in_pool(&draft.header, campaign, designation)
            || draft.reverses.is_some()
            || undone.contains(&entry.seq)
        {
            continue;
        }
        let brings_cash = draft
            .postings
            .iter()
            .any(|p| p.account == Account::CashAtBank && p.amount > Fen::ZERO);
        match draft.kind {
            EntryKind::Purchase | EntryKind::CashAid => spent += draft.amount(),
            EntryKind::DonationCash | EntryKind::Reallocation if brings_cash && entry.seq < seq => {
                before += draft.amount()
            }
            _ => {}
        }
    }
    (spent - before).clamp(Fen::ZERO, amount)
}

/// The units of the donated line received by the movement at `seq` (`quantity` of `item`)
/// that have reached households.
pub fn units_reached(
    records: &[Record],
    campaign: Uuid,
    designation: &Designation,
    item: &str,
    seq: i64,
    quantity: i64,
) -> i64 {
    let undone = reversed(records);
    let (mut before, mut delivered) = (0_i64, 0_i64);
    for record in records {
        let Record::Movement(movement) = record else {
            continue;
        };
        let draft = &movement.draft;
        if !in_pool(&draft.header, campaign, designation)
            || draft.item != item
            || draft.reverses.is_some()
            || undone.contains(&movement.seq)
        {
            continue;
        }
        match draft.kind {
            MovementKind::Receipt | MovementKind::Purchase if movement.seq < seq => {
                before += draft.quantity
            }
            MovementKind::Distribution | MovementKind::Return => {
                delivered += draft.handed_to_household()
            }
            _ => {}
        }
    }
    (delivered - before).clamp(0, quantity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AreaCode;
    use crate::ledger::{Entry, EntryDraft, Location, Movement, MovementDraft};
    use chrono::NaiveDate;

    const CAMPAIGN: Uuid = Uuid::from_u128(1);

    fn town(code: &str) -> Designation {
        Designation::Town(AreaCode::parse(code).unwrap())
    }

    fn header(designation: &Designation) -> Header {
        Header {
            designation: designation.clone(),
            ..Header::new(NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(), CAMPAIGN)
        }
    }

    /// Records in chain order from drafts, numbered from 1.
    struct Book(Vec<Record>);

    impl Book {
        fn entry(&mut self, draft: EntryDraft) -> i64 {
            let seq = self.0.len() as i64 + 1;
            self.0.push(Record::Entry(Entry { seq, draft }));
            seq
        }

        fn movement(&mut self, draft: MovementDraft) -> i64 {
            let seq = self.0.len() as i64 + 1;
            self.0.push(Record::Movement(Movement { seq, draft }));
            seq
        }
    }

    #[test]
    fn spending_uses_the_earliest_cash_of_the_designation_first() {
        let shangpai = town("340123100");
        let mut book = Book(Vec::new());
        let first = book.entry(EntryDraft::donation_cash(
            header(&shangpai),
            Fen::new(1_000),
        ));
        let other = book.entry(EntryDraft::donation_cash(
            header(&Designation::Campaign),
            Fen::new(9_000),
        ));
        let second = book.entry(EntryDraft::donation_cash(header(&shangpai), Fen::new(500)));
        let reached = |book: &Book, seq, amount| {
            cash_reached(&book.0, CAMPAIGN, &shangpai, seq, Fen::new(amount))
        };
        assert_eq!(reached(&book, first, 1_000), Fen::ZERO, "nothing spent yet");

        book.entry(EntryDraft::purchase(header(&shangpai), Fen::new(700)));
        book.entry(EntryDraft::cash_aid(
            header(&Designation::Campaign),
            Fen::new(8_000),
        ));
        assert_eq!(reached(&book, first, 1_000), Fen::new(700));
        assert_eq!(reached(&book, second, 500), Fen::ZERO);

        book.entry(EntryDraft::cash_aid(header(&shangpai), Fen::new(600)));
        assert_eq!(reached(&book, first, 1_000), Fen::new(1_000));
        assert_eq!(reached(&book, second, 500), Fen::new(300));

        let aid = Entry {
            seq: book.0.len() as i64,
            draft: EntryDraft::cash_aid(header(&shangpai), Fen::new(600)),
        };
        let day = NaiveDate::from_ymd_opt(2024, 12, 21).unwrap();
        book.entry(EntryDraft::reversal_of(&aid, day, "登记错误"));
        assert_eq!(
            reached(&book, first, 1_000),
            Fen::new(700),
            "the aid was undone"
        );
        assert_eq!(reached(&book, second, 500), Fen::ZERO);
        assert_eq!(
            cash_reached(
                &book.0,
                CAMPAIGN,
                &Designation::Campaign,
                other,
                Fen::new(9_000)
            ),
            Fen::new(8_000)
        );
    }

    #[test]
    fn delivered_goods_count_against_the_earliest_units_of_the_item() {
        let pool = Designation::Campaign;
        let warehouse = Location::site(AreaCode::parse("340123").unwrap()).unwrap();
        let inbound = |kind, item: &str, quantity| {
            MovementDraft::inbound(
                header(&pool),
                kind,
                warehouse.clone(),
                item,
                quantity,
                Fen::new(100),
            )
        };
        let handed = |kind, quantity| {
            let mut draft = inbound(kind, "quilt", quantity);
            draft.header.household = Some(Uuid::from_u128(7));
            if kind == MovementKind::Distribution {
                (draft.from, draft.to) = (draft.to.take(), None);
            }
            draft
        };
        let mut book = Book(Vec::new());
        let first = book.movement(inbound(MovementKind::Receipt, "quilt", 20));
        book.movement(inbound(MovementKind::Receipt, "rice", 50));
        let second = book.movement(inbound(MovementKind::Purchase, "quilt", 10));
        let reached = |book: &Book, seq, quantity| {
            units_reached(&book.0, CAMPAIGN, &pool, "quilt", seq, quantity)
        };
        book.movement(handed(MovementKind::Distribution, 25));
        assert_eq!(
            (reached(&book, first, 20), reached(&book, second, 10)),
            (20, 5)
        );
        book.movement(handed(MovementKind::Return, 3));
        assert_eq!(
            (reached(&book, first, 20), reached(&book, second, 10)),
            (20, 2)
        );
        assert_eq!(
            units_reached(&book.0, CAMPAIGN, &town("340123100"), "quilt", first, 20),
            0,
            "another designation's pool"
        );
    }
}
