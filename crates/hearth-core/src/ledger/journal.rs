//! The journal: every rule of the ledger applied in chain order. Posting an entry or a
//! movement either gives it its sequence number and digest or refuses it and changes nothing.
//! `hearth ledger verify` replays the stored records through [`Journal::replay`], which
//! recomputes the chain, every balance and every stock level and names the first record that
//! does not follow.
//!
//! The rules, beyond each record's own: a reversal names an earlier record of its type, not
//! yet reversed, and mirrors it exactly; spending uses funds whose designation allows it;
//! assets and stock never go negative. Stock is kept per campaign.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::balances::Balances;
use super::chain::{FirstMismatch, Head, Record, digest};
use super::{Account, Entry, EntryDraft, Movement, MovementDraft, StockBook};
use crate::{Fen, Invalid};

/// The ledger in memory: the records, their chain head, balances and stock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    records: Vec<Record>,
    head: Head,
    reversed: BTreeSet<i64>,
    balances: Balances,
    stock: BTreeMap<Uuid, StockBook>,
}

/// Why a replay stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// The stored digest, or the stored sequence number, is not what the chain gives.
    Chain(FirstMismatch),
    /// The record breaks a rule (negative stock, unbalanced entry …).
    Refused { seq: i64, reason: Invalid },
}

/// A campaign whose `stock_value` balance differs from the value its stock book holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValueGap {
    pub campaign: Uuid,
    pub ledger: Fen,
    pub stock: Fen,
}

impl Journal {
    pub fn new() -> Journal {
        Journal::default()
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn record(&self, seq: i64) -> Option<&Record> {
        usize::try_from(seq - 1)
            .ok()
            .and_then(|i| self.records.get(i))
    }

    pub fn balances(&self) -> &Balances {
        &self.balances
    }

    /// The stock of a campaign; empty when nothing has moved.
    pub fn stock(&self, campaign: Uuid) -> &StockBook {
        static EMPTY: StockBook = StockBook::new();
        self.stock.get(&campaign).unwrap_or(&EMPTY)
    }

    /// Whether the record at `seq` has been reversed.
    pub fn is_reversed(&self, seq: i64) -> bool {
        self.reversed.contains(&seq)
    }

    /// Posts an entry: its place in the chain and its digest, or the refusal.
    pub fn post(&mut self, draft: EntryDraft) -> Result<(Entry, String), Invalid> {
        draft.validate()?;
        if let Some(seq) = draft.reverses {
            match self.record(seq) {
                Some(Record::Entry(target)) => {
                    self.check_reversal(seq, draft.mirrors(&target.draft))?
                }
                _ => return Err(not_found(seq)),
            }
        }
        if draft.kind.is_spending() {
            draft
                .header
                .designation
                .check_funds(&draft.header.target())?;
        }
        self.balances.apply(&draft)?;
        let entry = Entry {
            seq: self.head.seq + 1,
            draft,
        };
        let digest = self.append(Record::Entry(entry.clone()), entry.draft.reverses);
        Ok((entry, digest))
    }

    /// Records a movement: its place in the chain and its digest, or the refusal.
    pub fn move_stock(&mut self, draft: MovementDraft) -> Result<(Movement, String), Invalid> {
        draft.validate()?;
        if let Some(seq) = draft.reverses {
            match self.record(seq) {
                Some(Record::Movement(target)) => {
                    self.check_reversal(seq, draft.mirrors(&target.draft))?
                }
                _ => return Err(not_found(seq)),
            }
        }
        // Empty books are not kept, so a journal's value does not depend on its history.
        let campaign = draft.header.campaign;
        let mut book = self.stock.remove(&campaign).unwrap_or_default();
        let applied = book.apply(&draft);
        if book != StockBook::default() {
            self.stock.insert(campaign, book);
        }
        applied?;
        let movement = Movement {
            seq: self.head.seq + 1,
            draft,
        };
        let digest = self.append(Record::Movement(movement.clone()), movement.draft.reverses);
        Ok((movement, digest))
    }

    fn check_reversal(&self, seq: i64, mirrors: bool) -> Result<(), Invalid> {
        if self.is_reversed(seq) {
            return Err(Invalid::new("reverses", "ledger.reversal.twice").arg("seq", seq));
        }
        if !mirrors {
            return Err(Invalid::new("reverses", "ledger.reversal.not_mirror").arg("seq", seq));
        }
        Ok(())
    }

    fn append(&mut self, record: Record, reverses: Option<i64>) -> String {
        let digest = digest(&self.head.digest, &record);
        self.head = Head {
            seq: record.seq(),
            digest: digest.clone(),
        };
        self.reversed.extend(reverses);
        self.records.push(record);
        digest
    }

    /// Campaigns whose ledger `stock_value` differs from their stock book's value. Every
    /// transaction books its movements and their entry together, so outside a transaction
    /// this is empty.
    pub fn value_gaps(&self) -> Vec<ValueGap> {
        let campaigns: BTreeSet<Uuid> = self
            .stock
            .keys()
            .copied()
            .chain(self.balances.iter().map(|(c, _, _, _)| c))
            .collect();
        campaigns
            .into_iter()
            .map(|campaign| ValueGap {
                campaign,
                ledger: self.balances.campaign_total(campaign, Account::StockValue),
                stock: self.stock(campaign).total_value(),
            })
            .filter(|gap| gap.ledger != gap.stock)
            .collect()
    }

    /// Rebuilds the journal from stored records and their stored digests, in chain order,
    /// stopping at the first record that does not follow; its position is the `seq` reported.
    pub fn replay(stored: impl IntoIterator<Item = (Record, String)>) -> Result<Journal, Broken> {
        let mut journal = Journal::new();
        journal.extend(stored)?;
        Ok(journal)
    }

    /// Continues a replay after this journal's head with the stored records that follow it,
    /// so a journal kept in memory catches up with records others appended. On a break the
    /// journal is left part-way through and is to be dropped.
    pub fn extend(
        &mut self,
        stored: impl IntoIterator<Item = (Record, String)>,
    ) -> Result<(), Broken> {
        for (record, found) in stored {
            let (seq, stored_seq) = (self.head.seq + 1, record.seq());
            let expected = match record {
                Record::Entry(entry) => self.post(entry.draft).map(|(_, digest)| digest),
                Record::Movement(movement) => {
                    self.move_stock(movement.draft).map(|(_, digest)| digest)
                }
            }
            .map_err(|reason| Broken::Refused { seq, reason })?;
            if stored_seq != seq || expected != found {
                return Err(Broken::Chain(FirstMismatch {
                    seq,
                    expected,
                    found,
                }));
            }
        }
        Ok(())
    }
}

fn not_found(seq: i64) -> Invalid {
    Invalid::new("reverses", "ledger.reversal.not_found").arg("seq", seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AreaCode;
    use crate::ledger::{Designation, Header, Location, MovementKind};
    use chrono::NaiveDate;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn header() -> Header {
        Header::new(day(), Uuid::from_u128(1))
    }

    fn town() -> AreaCode {
        AreaCode::parse("340123101").unwrap()
    }

    #[test]
    fn posts_in_sequence_and_reverses_once() {
        let mut journal = Journal::new();
        let (gift, _) = journal
            .post(EntryDraft::donation_cash(header(), Fen::new(1_000)))
            .unwrap();
        let (reversal, digest) = journal
            .post(EntryDraft::reversal_of(&gift, day(), "重复登记"))
            .unwrap();
        assert_eq!((gift.seq, reversal.seq), (1, 2));
        assert_eq!(journal.head(), &Head { seq: 2, digest });
        assert_eq!(journal.balances(), &Balances::new());
        let before = journal.clone();
        let twice = journal
            .post(EntryDraft::reversal_of(&gift, day(), ""))
            .unwrap_err();
        assert_eq!(
            (twice.field(), twice.code()),
            ("reverses", "ledger.reversal.twice")
        );
        let mut forged = EntryDraft::reversal_of(
            &Entry {
                seq: 2,
                ..gift.clone()
            },
            day(),
            "",
        );
        forged.postings.reverse();
        assert_eq!(
            journal.post(forged).unwrap_err().code(),
            "ledger.reversal.not_mirror"
        );
        let missing = EntryDraft::reversal_of(&Entry { seq: 9, ..gift }, day(), "");
        assert_eq!(
            journal.post(missing).unwrap_err().code(),
            "ledger.reversal.not_found"
        );
        assert_eq!(journal, before);
    }

    #[test]
    fn designated_cash_pays_only_for_what_it_names() {
        let mut journal = Journal::new();
        let designated = Header {
            designation: Designation::Town(town()),
            ..header()
        };
        journal
            .post(EntryDraft::donation_cash(
                designated.clone(),
                Fen::new(1_000),
            ))
            .unwrap();
        let refused = journal
            .post(EntryDraft::purchase(designated.clone(), Fen::new(100)))
            .unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("designation", "ledger.designation.not_allowed")
        );
        let for_town = Header {
            town: Some(town()),
            ..designated
        };
        journal
            .post(EntryDraft::purchase(for_town, Fen::new(100)))
            .unwrap();
    }

    #[test]
    fn replay_rebuilds_or_names_the_first_record_that_does_not_follow() {
        let mut journal = Journal::new();
        let station = Location::site(town()).unwrap();
        let receipt = MovementDraft::inbound(
            header(),
            MovementKind::Receipt,
            station,
            "quilt",
            2,
            Fen::new(300),
        );
        let mut stored = Vec::new();
        let (m, d) = journal.move_stock(receipt).unwrap();
        stored.push((Record::Movement(m), d));
        let (e, d) = journal
            .post(EntryDraft::donation_in_kind(header(), Fen::new(300)))
            .unwrap();
        stored.push((Record::Entry(e), d));
        assert_eq!(journal.value_gaps(), []);
        assert_eq!(Journal::replay(stored.clone()), Ok(journal.clone()));

        let mut tampered = stored.clone();
        if let Record::Movement(m) = &mut tampered[0].0 {
            m.draft.quantity = 3;
        }
        assert!(matches!(
            Journal::replay(tampered),
            Err(Broken::Chain(FirstMismatch { seq: 1, .. }))
        ));

        let mut impossible = stored;
        if let Record::Movement(m) = &mut impossible[0].0 {
            m.draft.kind = MovementKind::Distribution;
            m.draft.header.household = Some(Uuid::from_u128(7));
            (m.draft.from, m.draft.to) = (m.draft.to.take(), None);
        }
        let Err(Broken::Refused { seq, reason }) = Journal::replay(impossible) else {
            panic!("a distribution from an empty station replays")
        };
        assert_eq!((seq, reason.code()), (1, "ledger.stock.insufficient"));
    }
}
