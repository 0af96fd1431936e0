//! Account balances per campaign and designation, summed from postings. Assets never go below
//! zero: an entry spending more cash, or more stock value, than a designation holds is refused
//! with what it holds.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{Account, Designation, EntryDraft};
use crate::{Fen, Invalid};

/// Signed balances (debit positive) by (campaign, designation, account); zero balances are
/// not kept, so balances that return to zero compare equal to never having moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balances(BTreeMap<(Uuid, Designation, Account), Fen>);

impl Balances {
    pub fn new() -> Balances {
        Balances::default()
    }

    pub fn get(&self, campaign: Uuid, designation: &Designation, account: Account) -> Fen {
        self.0
            .get(&(campaign, designation.clone(), account))
            .copied()
            .unwrap_or_default()
    }

    /// Every non-zero balance, ordered by campaign, designation, account.
    pub fn iter(&self) -> impl Iterator<Item = (Uuid, &Designation, Account, Fen)> {
        self.0.iter().map(|((c, d, a), f)| (*c, d, *a, *f))
    }

    /// An account's balance over all designations of a campaign.
    pub fn campaign_total(&self, campaign: Uuid, account: Account) -> Fen {
        self.iter()
            .filter(|(c, _, a, _)| *c == campaign && *a == account)
            .map(|(_, _, _, f)| f)
            .sum()
    }

    /// Posts an entry, or refuses it and changes nothing. The entry itself is assumed valid
    /// (see [`EntryDraft::validate`]).
    pub fn apply(&mut self, draft: &EntryDraft) -> Result<(), Invalid> {
        let (campaign, designation) = (draft.header.campaign, &draft.header.designation);
        let mut after = Vec::with_capacity(draft.postings.len());
        for posting in &draft.postings {
            let before = self.get(campaign, designation, posting.account);
            let balance = before
                .checked_add(posting.amount)
                .ok_or_else(|| Invalid::new("amount", "ledger.entry.too_large"))?;
            if posting.account.is_asset() && balance < Fen::ZERO {
                let code = match posting.account {
                    Account::CashAtBank => "ledger.entry.insufficient_cash",
                    _ => "ledger.entry.insufficient_stock",
                };
                return Err(Invalid::new("amount", code).arg("available", before.yuan_string()));
            }
            after.push(((campaign, designation.clone(), posting.account), balance));
        }
        for (key, balance) in after {
            if balance == Fen::ZERO {
                self.0.remove(&key);
            } else {
                self.0.insert(key, balance);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Header;
    use chrono::NaiveDate;

    fn header() -> Header {
        Header::new(
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            Uuid::from_u128(1),
        )
    }

    #[test]
    fn cash_cannot_be_spent_twice() {
        let mut balances = Balances::new();
        balances
            .apply(&EntryDraft::donation_cash(header(), Fen::new(1_000)))
            .unwrap();
        balances
            .apply(&EntryDraft::cash_aid(header(), Fen::new(600)))
            .unwrap();
        let before = balances.clone();
        let refused = balances
            .apply(&EntryDraft::purchase(header(), Fen::new(500)))
            .unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("amount", "ledger.entry.insufficient_cash")
        );
        assert!(refused.0.args.contains(&("available", "4.00".into())));
        assert_eq!(balances, before);
        let cash = balances.get(
            Uuid::from_u128(1),
            &Designation::Campaign,
            Account::CashAtBank,
        );
        assert_eq!(cash, Fen::new(400));
        assert_eq!(
            balances.campaign_total(Uuid::from_u128(1), Account::DonationsCash),
            Fen::new(-1_000)
        );
    }

    #[test]
    fn stock_value_cannot_be_handed_out_before_it_is_received() {
        let refused = Balances::new()
            .apply(&EntryDraft::distribution(header(), Fen::new(1)))
            .unwrap_err();
        assert_eq!(refused.code(), "ledger.entry.insufficient_stock");
    }
}
