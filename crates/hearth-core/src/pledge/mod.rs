//! Pairing pledges (结对帮扶承诺书, domain.md §5): an organization undertakes to help named
//! households in a campaign with cash, items and services by a deadline, witnessed by the town
//! and village.
//!
//! Everything here is pure: the lines and their totals (in figures and Chinese capitals), the
//! form and its parsing, and the status, which is derived from whether the letter was signed or
//! cancelled, how many lines are done and the deadline — never set by hand. The application adds
//! who may draft, sign and cancel, and which needs and households an organization may pledge for.

pub mod input;
pub mod line;
pub mod status;

pub use input::{LineInput, ParsedLine, PledgeInput, PledgeProfile};
pub use line::{Every, PledgeLine, Schedule, Totals, totals};
pub use status::{
    DUE_SOON_DAYS, PledgeAction, PledgeStatus, awaits_delivery, check, derive_status, is_due_soon,
    is_overdue,
};

dictionary!(
    /// One organization for one household (一对一), or for several (一对多).
    PledgeMode, "mode", "pledge.mode" {
        OneToOne => "one_to_one",
        OneToMany => "one_to_many",
    }
);

dictionary!(
    /// How the help reaches the household: 上门送达 by the organization, or 集中发放 through the town.
    Delivery, "delivery", "pledge.delivery" {
        DoorToDoor => "door_to_door",
        ThroughTown => "through_town",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text};

    #[test]
    fn labels_in_both_languages_and_parsing_by_label() {
        let keys = PledgeMode::ALL
            .iter()
            .map(|m| m.label_key())
            .chain(Delivery::ALL.iter().map(|d| d.label_key()))
            .chain(Every::ALL.iter().map(|e| e.label_key()));
        for key in keys {
            assert_ne!(text(Lang::ZhCn, key), key);
            assert_ne!(text(Lang::En, key), key);
        }
        assert_eq!(PledgeMode::parse("一对一"), Ok(PledgeMode::OneToOne));
        assert_eq!(PledgeMode::parse("一对多"), Ok(PledgeMode::OneToMany));
        assert_eq!(Delivery::parse("上门送达"), Ok(Delivery::DoorToDoor));
        assert_eq!(Delivery::parse("集中发放"), Ok(Delivery::ThroughTown));
    }
}
