//! What a household needs this winter (需求), as the village records it per campaign: catalogue
//! items with a quantity, cash, or a service, with an urgency; the town reviews it; then it stands
//! on the organizations' claim sheet (认领表) until one of them claims it.
//!
//! Everything here is pure. The application adds permissions, scope (a village records for its
//! own approved households, a town reviews its villages), consent and enrolment (an organization
//! sees a need only for an approved household that consented to sharing, in its service areas,
//! in a launched campaign it is enrolled in) and the one-holder rule (a conditional update).

pub mod input;
pub mod item;
pub mod status;

pub use input::{NeedInput, NeedLine, NeedProfile};
pub use item::{Item, ItemInput, item_code};
pub use status::{NeedAction, NeedStatus, check_reviewer, next, reason};

dictionary!(
    /// What kind of help is asked for.
    NeedKind, "kind", "need.kind" {
        Item => "item",
        Cash => "cash",
        Service => "service",
    }
);

dictionary!(
    /// How soon: 一般, 较急, 紧急. Claim sheets list the most urgent first.
    Urgency, "urgency", "need.urgency" {
        Normal => "normal",
        Urgent => "urgent",
        Critical => "critical",
    }
);

impl Urgency {
    /// Sort order on claim sheets: 紧急 (0) before 较急 (1) before 一般 (2).
    pub fn rank(self) -> u8 {
        match self {
            Urgency::Critical => 0,
            Urgency::Urgent => 1,
            Urgency::Normal => 2,
        }
    }
}

dictionary!(
    /// Services an organization can give in person.
    ServiceKind, "service", "need.service" {
        Visit => "visit",
        Repair => "repair",
        Companionship => "companionship",
        Tutoring => "tutoring",
        Other => "other",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text};

    #[test]
    fn labels_in_both_languages_and_parsing_by_label() {
        let keys = NeedKind::ALL
            .iter()
            .map(|k| k.label_key())
            .chain(Urgency::ALL.iter().map(|u| u.label_key()))
            .chain(ServiceKind::ALL.iter().map(|s| s.label_key()));
        for key in keys {
            assert_ne!(text(Lang::ZhCn, key), key);
            assert_ne!(text(Lang::En, key), key);
        }
        assert_eq!(Urgency::parse("紧急"), Ok(Urgency::Critical));
        assert_eq!(Urgency::parse("较急"), Ok(Urgency::Urgent));
        assert_eq!(Urgency::parse("一般"), Ok(Urgency::Normal));
        assert_eq!(ServiceKind::parse("维修"), Ok(ServiceKind::Repair));
        assert_eq!(ServiceKind::parse("探访"), Ok(ServiceKind::Visit));
        assert_eq!(ServiceKind::parse("陪伴"), Ok(ServiceKind::Companionship));
        assert_eq!(ServiceKind::parse("辅导"), Ok(ServiceKind::Tutoring));
        assert_eq!(NeedKind::parse("现金"), Ok(NeedKind::Cash));
        assert_eq!(
            Urgency::parse("very").unwrap_err().code(),
            "dict.unknown",
            "an unknown urgency is refused, not guessed"
        );
    }

    #[test]
    fn the_most_urgent_sorts_first() {
        let mut all = Urgency::ALL.to_vec();
        all.sort_by_key(|u| u.rank());
        assert_eq!(all, [Urgency::Critical, Urgency::Urgent, Urgency::Normal]);
    }
}
