//! Follow-up visits (回访, domain.md §5) under a pairing pledge: a service line's schedule (a visit
//! every month from November to March) gives one visit task per household and due date; each
//! visit record says when, how (上门, 电话, 视频), who visited, whether the help was received and
//! suitable, how satisfied the household is and what it still needs — and may raise a new need
//! for the town to review.
//!
//! Everything here is pure: the due dates, the state of a task on a day (never stored), and the
//! visit form. The application adds who may record a visit, on which pledge, and what a visit
//! moves: the task done, the service line done once all its tasks are, and so the pledge's
//! derived status.

pub mod input;
pub mod schedule;

pub use input::{NewNeedInput, VisitInput, VisitProfile};
pub use schedule::{due_dates, task_state};

/// A task due within this many days shows as 近期待回访 on to-do lists.
pub const DUE_SOON_DAYS: u32 = 7;

/// Most visit tasks one pledge may schedule: a visit a week for a winter to every household of
/// a one-to-many letter stays well below it; more means a schedule typed wrong.
pub const MAX_TASKS: usize = 5_000;

dictionary!(
    /// How the visit was made: in person at home, by phone, or by video call.
    VisitMethod, "method", "visit.method" {
        Home => "home",
        Phone => "phone",
        Video => "video",
    }
);

dictionary!(
    /// How satisfied the household says it is.
    Satisfaction, "satisfaction", "visit.satisfaction" {
        Satisfied => "satisfied",
        Fair => "fair",
        Unsatisfied => "unsatisfied",
    }
);

dictionary!(
    /// A yes-or-no answer on the visit form (received? suitable?).
    Answer, "answer", "visit.answer" {
        Yes => "yes",
        No => "no",
    }
);

dictionary!(
    /// Where a visit task stands on a day, derived from its due date, whether a visit was
    /// recorded and whether its pledge was cancelled ([`task_state`]).
    TaskState, "state", "visit.state" {
        Due => "due",
        Overdue => "overdue",
        Done => "done",
        Cancelled => "cancelled",
    }
);

impl Answer {
    pub fn yes(self) -> bool {
        self == Answer::Yes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text};

    #[test]
    fn labels_in_both_languages_and_parsing_by_label() {
        let keys = VisitMethod::ALL
            .iter()
            .map(|m| m.label_key())
            .chain(Satisfaction::ALL.iter().map(|s| s.label_key()))
            .chain(Answer::ALL.iter().map(|a| a.label_key()))
            .chain(TaskState::ALL.iter().map(|s| s.label_key()));
        for key in keys {
            assert_ne!(text(Lang::ZhCn, key), key);
            assert_ne!(text(Lang::En, key), key);
        }
        assert_eq!(VisitMethod::parse("上门"), Ok(VisitMethod::Home));
        assert_eq!(VisitMethod::parse("电话"), Ok(VisitMethod::Phone));
        assert_eq!(VisitMethod::parse("视频"), Ok(VisitMethod::Video));
        assert_eq!(Satisfaction::parse("满意"), Ok(Satisfaction::Satisfied));
        assert_eq!(Satisfaction::parse("基本满意"), Ok(Satisfaction::Fair));
        assert_eq!(Satisfaction::parse("不满意"), Ok(Satisfaction::Unsatisfied));
        assert_eq!(Answer::parse("是"), Ok(Answer::Yes));
        assert_eq!(Answer::parse("否"), Ok(Answer::No));
        assert!(Answer::Yes.yes() && !Answer::No.yes());
    }
}
