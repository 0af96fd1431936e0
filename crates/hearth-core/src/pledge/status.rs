//! The life of a pledge (承诺书):
//!
//! ```text
//! draft ──sign──> signed ──first line done──> in_progress ──all lines done──> fulfilled
//!   │               │  \                          │
//!   │               │   └──deadline passes, lines open──> lapsed ──all lines done──> fulfilled
//!   └──cancel──> cancelled <──cancel── signed / in_progress / lapsed
//! ```
//!
//! Only `sign` and `cancel` are actions people take. `in_progress`, `fulfilled` and `lapsed`
//! follow from the lines' progress (deliveries and visits) and the deadline, through
//! [`derive_status`]; nothing stores them as flags of their own.

use chrono::NaiveDate;

use crate::Invalid;

dictionary!(
    PledgeStatus, "status", "pledge.status" {
        Draft => "draft",
        Signed => "signed",
        InProgress => "in_progress",
        Fulfilled => "fulfilled",
        Lapsed => "lapsed",
        Cancelled => "cancelled",
    }
);

dictionary!(
    PledgeAction, "action", "pledge.action" {
        Sign => "sign",
        Cancel => "cancel",
        /// A line delivered or a visit done.
        Progress => "progress",
    }
);

impl PledgeStatus {
    /// Fulfilled and cancelled pledges do not move any more.
    pub fn is_final(self) -> bool {
        matches!(self, PledgeStatus::Fulfilled | PledgeStatus::Cancelled)
    }
}

/// The status from the facts: whether the letter was signed or cancelled, how many of its lines
/// are done, and the deadline against today. A pledge is fulfilled exactly when it was signed,
/// not cancelled, and every line is done.
pub fn derive_status(
    signed: bool,
    cancelled: bool,
    lines_done: usize,
    lines_total: usize,
    deadline: NaiveDate,
    today: NaiveDate,
) -> PledgeStatus {
    if cancelled {
        PledgeStatus::Cancelled
    } else if !signed {
        PledgeStatus::Draft
    } else if lines_total > 0 && lines_done >= lines_total {
        PledgeStatus::Fulfilled
    } else if today > deadline {
        PledgeStatus::Lapsed
    } else if lines_done > 0 {
        PledgeStatus::InProgress
    } else {
        PledgeStatus::Signed
    }
}

/// How many days before its deadline a pledge with lines still open is due soon (临期).
pub const DUE_SOON_DAYS: u32 = 7;

/// Signed, lines still open, and the deadline within [`DUE_SOON_DAYS`] from `today`, today
/// included: what the organization must still deliver before it lapses.
pub fn is_due_soon(status: PledgeStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    matches!(status, PledgeStatus::Signed | PledgeStatus::InProgress)
        && deadline >= today
        && deadline <= today + chrono::Days::new(u64::from(DUE_SOON_DAYS))
}

/// Signed with lines still open, on time or not: deliveries are still to come.
pub fn awaits_delivery(status: PledgeStatus) -> bool {
    matches!(
        status,
        PledgeStatus::Signed | PledgeStatus::InProgress | PledgeStatus::Lapsed
    )
}

/// Past its deadline with lines still open (shown as 逾期 on lists and to-dos).
pub fn is_overdue(status: PledgeStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    awaits_delivery(status) && today > deadline
}

/// Whether `action` applies to a pledge in `status`, or the refusal naming why not.
pub fn check(status: PledgeStatus, action: PledgeAction) -> Result<(), Invalid> {
    use PledgeAction as A;
    use PledgeStatus as S;
    let refuse = |code: &'static str| Err(Invalid::new("status", code).arg("status", status));
    match (action, status) {
        (A::Sign, S::Draft) => Ok(()),
        (A::Sign, _) => refuse("pledge.cannot_sign"),
        (A::Cancel, S::Draft | S::Signed | S::InProgress | S::Lapsed) => Ok(()),
        (A::Cancel, _) => refuse("pledge.cannot_cancel"),
        (A::Progress, S::Signed | S::InProgress | S::Lapsed) => Ok(()),
        (A::Progress, S::Draft) => refuse("pledge.not_signed"),
        (A::Progress, _) => refuse("pledge.cannot_progress"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text};
    use PledgeAction as A;
    use PledgeStatus as S;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
    }

    #[test]
    fn due_soon_is_the_week_before_an_open_deadline() {
        let deadline = day(20);
        assert!(is_due_soon(S::Signed, deadline, day(13)));
        assert!(is_due_soon(S::InProgress, deadline, day(20)));
        assert!(!is_due_soon(S::Signed, deadline, day(12)), "not yet");
        assert!(
            !is_due_soon(S::Lapsed, deadline, day(21)),
            "overdue instead"
        );
        assert!(
            !is_due_soon(S::Fulfilled, deadline, day(15)),
            "all delivered"
        );
        assert!(!is_due_soon(S::Draft, deadline, day(15)), "not signed");
        assert!(awaits_delivery(S::Lapsed) && awaits_delivery(S::InProgress));
        assert!(!awaits_delivery(S::Fulfilled) && !awaits_delivery(S::Cancelled));
    }

    #[test]
    fn derived_statuses() {
        let deadline = day(20);
        assert_eq!(
            derive_status(false, false, 0, 2, deadline, day(1)),
            S::Draft
        );
        assert_eq!(
            derive_status(true, false, 0, 2, deadline, day(1)),
            S::Signed
        );
        assert_eq!(
            derive_status(true, false, 1, 2, deadline, day(1)),
            S::InProgress
        );
        assert_eq!(
            derive_status(true, false, 2, 2, deadline, day(30)),
            S::Fulfilled
        );
        assert_eq!(
            derive_status(true, false, 1, 2, deadline, day(21)),
            S::Lapsed
        );
        assert_eq!(
            derive_status(true, true, 2, 2, deadline, day(1)),
            S::Cancelled
        );
        assert!(is_overdue(S::Lapsed, deadline, day(21)));
        assert!(!is_overdue(S::Fulfilled, deadline, day(21)));
        assert!(
            !is_overdue(S::Signed, deadline, day(20)),
            "the deadline day itself is in time"
        );
    }

    #[test]
    fn refusals_say_why_in_both_languages() {
        for status in S::ALL {
            for action in A::ALL {
                if let Err(e) = check(*status, *action) {
                    assert_eq!(e.field(), "status");
                    assert_ne!(text(Lang::ZhCn, e.code()), e.code());
                    assert_ne!(text(Lang::En, e.code()), e.code());
                }
            }
            assert_ne!(text(Lang::ZhCn, status.label_key()), status.label_key());
            assert_ne!(text(Lang::En, status.label_key()), status.label_key());
        }
        assert_eq!(
            check(S::Signed, A::Sign).unwrap_err().code(),
            "pledge.cannot_sign"
        );
        assert_eq!(
            check(S::Fulfilled, A::Cancel).unwrap_err().code(),
            "pledge.cannot_cancel"
        );
        assert_eq!(
            check(S::Draft, A::Progress).unwrap_err().code(),
            "pledge.not_signed"
        );
    }

    #[derive(Debug, Clone, Copy)]
    enum Event {
        Sign,
        Cancel,
        Progress,
        NextDay,
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            Just(Event::Sign),
            Just(Event::Cancel),
            Just(Event::Progress),
            Just(Event::NextDay)
        ]
    }

    proptest! {
        /// Whatever happens in whatever order, the facts stay consistent: nothing is done on an
        /// unsigned letter, done never exceeds the lines, cancelled and fulfilled are final, and
        /// the status is always the one derived from the facts.
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            total in 1usize..6,
            deadline in 0u32..30,
            events in proptest::collection::vec(event(), 0..60),
        ) {
            let deadline = day(deadline);
            let (mut signed, mut cancelled, mut done, mut today) = (false, false, 0usize, day(0));
            for ev in events {
                let before = derive_status(signed, cancelled, done, total, deadline, today);
                let was = (signed, cancelled, done);
                let action = match ev {
                    Event::Sign => Some(A::Sign),
                    Event::Cancel => Some(A::Cancel),
                    Event::Progress => Some(A::Progress),
                    Event::NextDay => None,
                };
                match action {
                    None => today = today.succ_opt().unwrap(),
                    Some(action) => match check(before, action) {
                        Ok(()) => match action {
                            A::Sign => signed = true,
                            A::Cancel => cancelled = true,
                            A::Progress => done += 1,
                        },
                        Err(_) => prop_assert_eq!((signed, cancelled, done), was, "a refusal changes nothing"),
                    },
                }
                let after = derive_status(signed, cancelled, done, total, deadline, today);
                prop_assert!(done <= total);
                prop_assert!(signed || done == 0, "progress on an unsigned letter");
                if before.is_final() {
                    prop_assert_eq!(after, before, "a final status moved");
                }
                prop_assert_eq!(after == S::Fulfilled, signed && !cancelled && done == total);
                prop_assert_eq!(after == S::Lapsed, signed && !cancelled && done < total && today > deadline);
                prop_assert_eq!(is_overdue(after, deadline, today), after == S::Lapsed);
            }
        }

        /// Fulfilled iff every line is done (on a signed, uncancelled letter).
        #[test]
        fn fulfilled_iff_all_lines_done(total in 1usize..10, done in 0usize..10, d in 0u32..40, t in 0u32..40) {
            let s = derive_status(true, false, done, total, day(d), day(t));
            prop_assert_eq!(s == S::Fulfilled, done >= total);
        }
    }
}
