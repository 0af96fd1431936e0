//! The chart of accounts (会计科目) of a campaign's books.
//!
//! Two funds are kept in one double-entry ledger and each balances on its own, so every entry
//! keeps both identities true at once:
//!
//! ```text
//! cash:      donations_cash                      = cash_at_bank + purchases + cash_aid
//! materials: donations_in_kind + stock_purchased = stock_value + distributed_value + stock_losses
//! ```
//!
//! A purchase is the one entry that touches both funds: cash is spent (`purchases`) and the goods
//! bought enter the materials fund (`stock_purchased`) at the price paid. Returns from a household
//! credit `distributed_value` back; a stock count that finds more than the book credits
//! `stock_losses`, which is therefore a net figure (盘亏减盘盈).

dictionary!(
    /// One account of the chart. Amounts are posted in fen, debit positive, credit negative.
    Account, "account", "ledger.account" {
        /// 银行存款/现金: the campaign's money not yet spent. Asset, debit.
        CashAtBank => "cash_at_bank",
        /// 库存物资: the value of goods at the warehouse, the stations and in transit. Asset, debit.
        StockValue => "stock_value",
        /// 现金捐赠收入: money given. Income of the cash fund, credit.
        DonationsCash => "donations_cash",
        /// 实物捐赠收入: goods given, at their valuation. Income of the materials fund, credit.
        DonationsInKind => "donations_in_kind",
        /// 采购物资入库: goods bought, at the price paid. Income of the materials fund, credit.
        StockPurchased => "stock_purchased",
        /// 物资采购支出: money paid to suppliers. Spending of the cash fund, debit.
        Purchases => "purchases",
        /// 现金救助支出: money handed to households. Spending of the cash fund, debit.
        CashAid => "cash_aid",
        /// 物资发放支出: goods handed to households, net of returns. Materials fund spending, debit.
        DistributedValue => "distributed_value",
        /// 物资损耗: goods lost, damaged or short, net of surpluses found. Materials fund, debit.
        StockLosses => "stock_losses",
    }
);

/// The side an account normally carries its balance on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// 借: increases are positive postings.
    Debit,
    /// 贷: increases are negative postings.
    Credit,
}

/// Which of the two self-balancing funds an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    Cash,
    Materials,
}

impl Account {
    pub fn normal_side(self) -> Side {
        match self {
            Account::DonationsCash | Account::DonationsInKind | Account::StockPurchased => {
                Side::Credit
            }
            _ => Side::Debit,
        }
    }

    pub fn fund(self) -> Fund {
        match self {
            Account::CashAtBank
            | Account::DonationsCash
            | Account::Purchases
            | Account::CashAid => Fund::Cash,
            _ => Fund::Materials,
        }
    }

    /// Assets hold something real, so their balance may never go below zero.
    pub fn is_asset(self) -> bool {
        matches!(self, Account::CashAtBank | Account::StockValue)
    }

    /// A signed balance (debit positive) as people read it: positive on the normal side.
    pub fn shown(self, balance: crate::Fen) -> crate::Fen {
        match self.normal_side() {
            Side::Debit => balance,
            Side::Credit => crate::Fen::ZERO - balance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fen;

    #[test]
    fn incomes_are_credit_and_the_rest_debit() {
        let credit: Vec<_> = Account::ALL
            .iter()
            .filter(|a| a.normal_side() == Side::Credit)
            .map(|a| a.as_str())
            .collect();
        assert_eq!(
            credit,
            ["donations_cash", "donations_in_kind", "stock_purchased"]
        );
        assert_eq!(Account::DonationsCash.shown(Fen::new(-500)), Fen::new(500));
        assert_eq!(Account::CashAtBank.shown(Fen::new(500)), Fen::new(500));
    }

    #[test]
    fn each_fund_has_an_asset_an_income_and_a_spending() {
        for fund in [Fund::Cash, Fund::Materials] {
            let accounts: Vec<_> = Account::ALL.iter().filter(|a| a.fund() == fund).collect();
            assert_eq!(accounts.iter().filter(|a| a.is_asset()).count(), 1);
            assert!(accounts.iter().any(|a| a.normal_side() == Side::Credit));
            assert!(
                accounts
                    .iter()
                    .any(|a| !a.is_asset() && a.normal_side() == Side::Debit)
            );
        }
        assert_eq!(Account::parse("现金捐赠收入"), Ok(Account::DonationsCash));
    }
}
