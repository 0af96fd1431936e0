//! Money and materials (资金与物资台账): the pure core of the campaign's books.
//!
//! - [`account`]: the chart of accounts and the two funds (cash, materials) that each balance.
//! - [`balances`]: balances per campaign and designation; assets never negative.
//! - [`entry`]: double-entry ledger entries in integer fen, corrected only by reversal.
//! - [`movement`] and [`stock`]: goods moving between the county warehouse, the town stations
//!   and households; on-hand is derived from movements and never negative.
//! - [`waybill`]: transfers (调拨单) from dispatch to receipt, with shortfalls written off.
//! - [`designation`]: donor designations (定向) and their reallocation with consent.
//! - [`chain`]: entries and movements in one hash chain whose head is published.
//! - [`journal`]: all the rules together, for posting and for `hearth ledger verify`.
//! - [`reconcile`]: raised, spent, on hand and delivered, and the identities between them.
//!
//! Hearth records money; it never takes payments. Nothing here does I/O: the store persists
//! [`Entry`] and [`Movement`] rows with their digests, and replays them through [`Journal`].

pub mod account;
pub mod balances;
pub mod chain;
pub mod designation;
pub mod entry;
pub mod header;
pub mod journal;
pub mod location;
pub mod movement;
pub mod reconcile;
pub mod stock;
pub mod waybill;

#[cfg(test)]
mod proptests;

pub use account::{Account, Fund, Side};
pub use balances::Balances;
pub use chain::{FirstMismatch, Head, Record, canonical, digest, verify};
pub use designation::{Designation, DonorConsent, Reallocation, SpendingTarget};
pub use entry::{Entry, EntryDraft, EntryKind, Posting};
pub use header::Header;
pub use journal::{Broken, Journal, ValueGap};
pub use location::Location;
pub use movement::{Adjustment, AdjustmentCause, Movement, MovementDraft, MovementKind};
pub use reconcile::{Flow, Flows, Reconciliation};
pub use stock::{Holding, StockBook};
pub use waybill::{ReceivedLine, Shortfall, Waybill, WaybillLine, WaybillStatus};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, catalog};

    const SOURCES: [&str; 12] = [
        include_str!("account.rs"),
        include_str!("balances.rs"),
        include_str!("chain.rs"),
        include_str!("designation.rs"),
        include_str!("entry.rs"),
        include_str!("header.rs"),
        include_str!("journal.rs"),
        include_str!("location.rs"),
        include_str!("movement.rs"),
        include_str!("reconcile.rs"),
        include_str!("stock.rs"),
        include_str!("waybill.rs"),
    ];

    #[test]
    fn every_refusal_and_label_has_a_message_in_both_languages() {
        // Message keys as they appear in the code: quoted, dotted, three parts for our own.
        let is_key = |text: &&str| {
            text.starts_with("field.")
                || text.starts_with("ledger.") && text.split('.').count() == 3
        };
        let codes = SOURCES
            .iter()
            .flat_map(|source| source.split('"').filter(is_key));
        let labels = (Account::ALL.iter().map(|a| a.label_key()))
            .chain(EntryKind::ALL.iter().map(|k| k.label_key()))
            .chain(MovementKind::ALL.iter().map(|k| k.label_key()))
            .chain(AdjustmentCause::ALL.iter().map(|c| c.label_key()))
            .chain(WaybillStatus::ALL.iter().map(|s| s.label_key()));
        let keys: Vec<&str> = codes.chain(labels).collect();
        assert!(keys.len() > 80, "{}", keys.len());
        for key in keys {
            for lang in [Lang::ZhCn, Lang::En] {
                assert!(
                    catalog(lang).contains_key(key),
                    "{key} missing in {}",
                    lang.code()
                );
            }
        }
    }
}
