//! Ledger entries (记账凭证): postings in integer fen, debit positive and credit negative, that
//! sum to zero within each fund. Entries are never changed; a mistake is corrected by a
//! reversal (红字冲销) that posts the exact mirror and names the entry it corrects.
//!
//! Every kind but the reversal has a fixed shape: which accounts, on which side, all with the
//! same amount. The constructors build that shape; [`EntryDraft::validate`] refuses anything
//! else, so no entry can break the identities documented in [`super::account`].

use chrono::NaiveDate;

use super::account::{Account, Fund, Side};
use super::{Header, MovementDraft};
use crate::{Fen, Invalid};

dictionary!(
    /// What an entry books.
    EntryKind, "kind", "ledger.entry_kind" {
        DonationCash => "donation_cash",
        DonationInKind => "donation_in_kind",
        Purchase => "purchase",
        CashAid => "cash_aid",
        Distribution => "distribution",
        Return => "return",
        /// Goods lost or found: a write-off, a count difference, a waybill shortfall.
        Adjustment => "adjustment",
        /// Designated cash moved with the donor's consent, see [`super::Reallocation`].
        Reallocation => "reallocation",
        Reversal => "reversal",
    }
);

/// One line of an entry: `amount` debit (positive) or credit (negative) to `account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Posting {
    pub account: Account,
    pub amount: Fen,
}

/// The largest amount one posting may carry, the same limit as amounts typed in yuan.
pub const MAX_AMOUNT: Fen = Fen::new(99_999_999_999_999);

/// The accounts of an entry and their sides; every posting carries the same amount.
pub type Shape = &'static [(Account, Side)];

use Account::*;
use Side::{Credit, Debit};

const DONATION_CASH: &[Shape] = &[&[(CashAtBank, Debit), (DonationsCash, Credit)]];
const DONATION_IN_KIND: &[Shape] = &[&[(StockValue, Debit), (DonationsInKind, Credit)]];
const PURCHASE: &[Shape] = &[&[
    (Purchases, Debit),
    (CashAtBank, Credit),
    (StockValue, Debit),
    (StockPurchased, Credit),
]];
const CASH_AID: &[Shape] = &[&[(CashAid, Debit), (CashAtBank, Credit)]];
const DISTRIBUTION: &[Shape] = &[&[(DistributedValue, Debit), (StockValue, Credit)]];
const RETURN: &[Shape] = &[&[(StockValue, Debit), (DistributedValue, Credit)]];
/// Loss first, then gain.
const ADJUSTMENT: &[Shape] = &[
    &[(StockLosses, Debit), (StockValue, Credit)],
    &[(StockValue, Debit), (StockLosses, Credit)],
];
/// Out of the old designation first, then into the new one.
const REALLOCATION: &[Shape] = &[
    &[(DonationsCash, Debit), (CashAtBank, Credit)],
    &[(CashAtBank, Debit), (DonationsCash, Credit)],
];

impl EntryKind {
    /// The shapes an entry of this kind may take; none for a reversal, which mirrors its target.
    pub fn shapes(self) -> &'static [Shape] {
        match self {
            EntryKind::DonationCash => DONATION_CASH,
            EntryKind::DonationInKind => DONATION_IN_KIND,
            EntryKind::Purchase => PURCHASE,
            EntryKind::CashAid => CASH_AID,
            EntryKind::Distribution => DISTRIBUTION,
            EntryKind::Return => RETURN,
            EntryKind::Adjustment => ADJUSTMENT,
            EntryKind::Reallocation => REALLOCATION,
            EntryKind::Reversal => &[],
        }
    }

    /// Spending must respect the designation of the funds it uses.
    pub fn is_spending(self) -> bool {
        matches!(
            self,
            EntryKind::Purchase | EntryKind::CashAid | EntryKind::Distribution
        )
    }
}

/// An entry before it takes its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryDraft {
    pub header: Header,
    pub kind: EntryKind,
    pub postings: Vec<Posting>,
    /// The sequence number of the entry a reversal corrects.
    pub reverses: Option<i64>,
}

/// An entry at its place (`seq`, from 1) in the ledger's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub draft: EntryDraft,
}

fn negated(amount: Fen) -> Fen {
    Fen::ZERO - amount
}

impl EntryDraft {
    fn shaped(header: Header, kind: EntryKind, shape: usize, amount: Fen) -> EntryDraft {
        let postings = kind.shapes()[shape]
            .iter()
            .map(|&(account, side)| Posting {
                account,
                amount: if side == Debit {
                    amount
                } else {
                    negated(amount)
                },
            })
            .collect();
        EntryDraft {
            header,
            kind,
            postings,
            reverses: None,
        }
    }

    /// Money received: the bank balance and the cash raised grow.
    pub fn donation_cash(header: Header, amount: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::DonationCash, 0, amount)
    }

    /// Goods received, at their valuation.
    pub fn donation_in_kind(header: Header, value: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::DonationInKind, 0, value)
    }

    /// Goods bought from campaign funds: cash spent, and goods of that value in stock.
    pub fn purchase(header: Header, amount: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Purchase, 0, amount)
    }

    /// Money handed to a household.
    pub fn cash_aid(header: Header, amount: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::CashAid, 0, amount)
    }

    /// Goods handed to a household, at their value in stock.
    pub fn distribution(header: Header, value: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Distribution, 0, value)
    }

    /// Goods a household gave back, at the value they were handed over at.
    pub fn returned(header: Header, value: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Return, 0, value)
    }

    /// Goods written off: damaged, short on a waybill, or fewer than the book at a count.
    pub fn stock_loss(header: Header, value: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Adjustment, 0, value)
    }

    /// Goods found: more than the book at a count.
    pub fn stock_gain(header: Header, value: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Adjustment, 1, value)
    }

    /// Designated cash leaving the header's designation.
    pub fn reallocation_out(header: Header, amount: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Reallocation, 0, amount)
    }

    /// Reallocated cash arriving at the header's designation.
    pub fn reallocation_in(header: Header, amount: Fen) -> EntryDraft {
        EntryDraft::shaped(header, EntryKind::Reallocation, 1, amount)
    }

    /// The entry that undoes `entry`: the same header but for the day and the summary, every
    /// posting negated. Reversing the reversal restores the original balances.
    pub fn reversal_of(entry: &Entry, date: NaiveDate, summary: impl Into<String>) -> EntryDraft {
        EntryDraft {
            header: Header {
                date,
                summary: summary.into(),
                ..entry.draft.header.clone()
            },
            kind: EntryKind::Reversal,
            postings: entry
                .draft
                .postings
                .iter()
                .map(|p| Posting {
                    account: p.account,
                    amount: negated(p.amount),
                })
                .collect(),
            reverses: Some(entry.seq),
        }
    }

    /// The entry booking the value of goods moved in one transaction (the lines of one
    /// donation, purchase or delivery), under `header`. `None` when nothing is to be booked:
    /// transfers between places, reversals (the entry is reversed instead), a zero value.
    pub fn booking(
        header: Header,
        movements: &[MovementDraft],
    ) -> Result<Option<EntryDraft>, Invalid> {
        let mut booked: Option<(EntryKind, usize)> = None;
        let mut total = Fen::ZERO;
        for (i, movement) in movements.iter().enumerate() {
            let Some(booking) = movement.booking() else {
                continue;
            };
            if booked.is_some_and(|b| b != booking) {
                return Err(Invalid::new(
                    format!("movements[{i}]"),
                    "ledger.entry.mixed_movements",
                ));
            }
            booked = Some(booking);
            total = total
                .checked_add(movement.value)
                .filter(|t| *t <= MAX_AMOUNT)
                .ok_or_else(|| Invalid::new("amount", "ledger.entry.too_large"))?;
        }
        Ok(booked
            .filter(|_| total != Fen::ZERO)
            .map(|(kind, shape)| EntryDraft::shaped(header, kind, shape, total)))
    }

    /// The entry's amount: what every posting of a valid entry other than a reversal carries
    /// (one side or the other), read from the first posting.
    pub fn amount(&self) -> Fen {
        self.postings
            .first()
            .map_or(Fen::ZERO, |p| Fen::new(p.amount.fen().abs()))
    }

    /// Whether this draft exactly undoes `target`: same header but for the day and summary,
    /// the same accounts with every amount negated.
    pub fn mirrors(&self, target: &EntryDraft) -> bool {
        let same_header = Header {
            date: target.header.date,
            summary: target.header.summary.clone(),
            ..self.header.clone()
        } == target.header;
        same_header
            && self.postings.len() == target.postings.len()
            && self
                .postings
                .iter()
                .zip(&target.postings)
                .all(|(p, t)| p.account == t.account && p.amount == negated(t.amount))
    }

    /// The rules every entry keeps: at least two postings, none zero or above the limit, each
    /// account once, debits equal credits in each fund, a reversal and only a reversal names
    /// what it reverses, and any other kind has one of its shapes with one amount throughout.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.postings.len() < 2 {
            return Err(Invalid::new("postings", "ledger.entry.too_few"));
        }
        for (i, posting) in self.postings.iter().enumerate() {
            let field = |name: &str| format!("postings[{i}].{name}");
            if posting.amount == Fen::ZERO {
                return Err(Invalid::new(field("amount"), "ledger.entry.zero"));
            }
            if posting.amount.fen().unsigned_abs() > MAX_AMOUNT.fen().unsigned_abs() {
                return Err(Invalid::new(field("amount"), "ledger.entry.too_large"));
            }
            if self.postings[..i]
                .iter()
                .any(|p| p.account == posting.account)
            {
                return Err(Invalid::new(
                    field("account"),
                    "ledger.entry.duplicate_account",
                ));
            }
        }
        self.check_balanced()?;
        match (self.kind, self.reverses) {
            (EntryKind::Reversal, Some(_)) => Ok(()),
            (EntryKind::Reversal, None) => {
                Err(Invalid::new("reverses", "ledger.entry.reverses_required"))
            }
            (_, Some(_)) => Err(Invalid::new("reverses", "ledger.entry.reverses_unexpected")),
            (kind, None) => self.check_shape(kind),
        }
    }

    fn check_balanced(&self) -> Result<(), Invalid> {
        let total: Fen = self.postings.iter().map(|p| p.amount).sum();
        if total != Fen::ZERO {
            return Err(Invalid::new("postings", "ledger.entry.unbalanced")
                .arg("difference", total.yuan_string()));
        }
        let cash: Fen = self
            .postings
            .iter()
            .filter(|p| p.account.fund() == Fund::Cash)
            .map(|p| p.amount)
            .sum();
        if cash != Fen::ZERO {
            return Err(Invalid::new("postings", "ledger.entry.fund_unbalanced")
                .arg("difference", cash.yuan_string()));
        }
        Ok(())
    }

    fn check_shape(&self, kind: EntryKind) -> Result<(), Invalid> {
        let fits = |shape: Shape| {
            shape.len() == self.postings.len()
                && shape.iter().all(|&(account, side)| {
                    self.postings
                        .iter()
                        .any(|p| p.account == account && (p.amount > Fen::ZERO) == (side == Debit))
                })
        };
        if !kind.shapes().iter().any(|shape| fits(shape)) {
            return Err(Invalid::new("postings", "ledger.entry.shape"));
        }
        let first = self.postings[0].amount.fen().unsigned_abs();
        if self
            .postings
            .iter()
            .any(|p| p.amount.fen().unsigned_abs() != first)
        {
            return Err(Invalid::new("postings", "ledger.entry.amounts_differ"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn header() -> Header {
        Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        )
    }

    fn refusal(draft: &EntryDraft) -> (String, &'static str) {
        let e = draft.validate().unwrap_err();
        (e.field().to_owned(), e.code())
    }

    #[test]
    fn every_constructor_makes_a_valid_entry() {
        let amount = Fen::from_yuan(130_000);
        let drafts = [
            EntryDraft::donation_cash(header(), amount),
            EntryDraft::donation_in_kind(header(), amount),
            EntryDraft::purchase(header(), amount),
            EntryDraft::cash_aid(header(), amount),
            EntryDraft::distribution(header(), amount),
            EntryDraft::returned(header(), amount),
            EntryDraft::stock_loss(header(), amount),
            EntryDraft::stock_gain(header(), amount),
            EntryDraft::reallocation_out(header(), amount),
            EntryDraft::reallocation_in(header(), amount),
        ];
        for draft in &drafts {
            assert_eq!(draft.validate(), Ok(()), "{:?}", draft.kind);
            assert_eq!(draft.amount(), amount);
        }
        let purchase = &drafts[2].postings;
        assert_eq!(
            purchase[0],
            Posting {
                account: Purchases,
                amount
            }
        );
        assert_eq!(
            purchase[1],
            Posting {
                account: CashAtBank,
                amount: negated(amount)
            }
        );
    }

    #[test]
    fn refuses_entries_that_do_not_balance_or_fit_their_kind() {
        let mut draft = EntryDraft::donation_cash(header(), Fen::new(500));
        draft.postings.truncate(1);
        assert_eq!(refusal(&draft), ("postings".into(), "ledger.entry.too_few"));

        let zero = EntryDraft::cash_aid(header(), Fen::ZERO);
        assert_eq!(
            refusal(&zero),
            ("postings[0].amount".into(), "ledger.entry.zero")
        );

        let mut unbalanced = EntryDraft::cash_aid(header(), Fen::new(500));
        unbalanced.postings[1].amount = Fen::new(-400);
        assert_eq!(
            refusal(&unbalanced),
            ("postings".into(), "ledger.entry.unbalanced")
        );

        let mut across_funds = EntryDraft::donation_cash(header(), Fen::new(500));
        across_funds.postings[1].account = DonationsInKind;
        assert_eq!(
            refusal(&across_funds),
            ("postings".into(), "ledger.entry.fund_unbalanced")
        );

        let mut backwards = EntryDraft::donation_cash(header(), Fen::new(500));
        backwards
            .postings
            .iter_mut()
            .for_each(|p| p.amount = negated(p.amount));
        assert_eq!(
            refusal(&backwards),
            ("postings".into(), "ledger.entry.shape")
        );

        let mut uneven = EntryDraft::purchase(header(), Fen::new(500));
        uneven.postings[2].amount = Fen::new(400);
        uneven.postings[3].amount = Fen::new(-400);
        assert_eq!(
            refusal(&uneven),
            ("postings".into(), "ledger.entry.amounts_differ")
        );

        let mut twice = EntryDraft::stock_loss(header(), Fen::new(500));
        twice.postings[1].account = StockLosses;
        assert_eq!(
            refusal(&twice),
            (
                "postings[1].account".into(),
                "ledger.entry.duplicate_account"
            )
        );

        let huge = EntryDraft::donation_cash(header(), MAX_AMOUNT + Fen::new(1));
        assert_eq!(
            refusal(&huge),
            ("postings[0].amount".into(), "ledger.entry.too_large")
        );
    }

    #[test]
    fn a_reversal_mirrors_what_it_names() {
        let entry = Entry {
            seq: 7,
            draft: EntryDraft::purchase(header(), Fen::new(12_345)),
        };
        let day = NaiveDate::from_ymd_opt(2024, 12, 21).unwrap();
        let reversal = EntryDraft::reversal_of(&entry, day, "冲销第7号凭证");
        assert_eq!(reversal.validate(), Ok(()));
        assert_eq!(reversal.reverses, Some(7));
        assert_eq!(reversal.header.date, day);
        assert!(reversal.mirrors(&entry.draft));
        assert!(!entry.draft.mirrors(&entry.draft));
        let back = EntryDraft::reversal_of(
            &Entry {
                seq: 8,
                draft: reversal.clone(),
            },
            day,
            "",
        );
        assert_eq!(back.postings, entry.draft.postings);

        let mut unnamed = reversal.clone();
        unnamed.reverses = None;
        assert_eq!(
            refusal(&unnamed),
            ("reverses".into(), "ledger.entry.reverses_required")
        );
        let mut named = entry.draft.clone();
        named.reverses = Some(3);
        assert_eq!(
            refusal(&named),
            ("reverses".into(), "ledger.entry.reverses_unexpected")
        );
        let mut elsewhere = reversal;
        elsewhere.header.household = Some(Uuid::from_u128(9));
        assert!(!elsewhere.mirrors(&entry.draft));
    }
}
