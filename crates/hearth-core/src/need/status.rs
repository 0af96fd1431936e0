//! The life of a need (需求):
//!
//! ```text
//!            ┌──return (reason)──> returned ──submit──┐
//!            │                                        v
//! (village) submitted ──approve (town)──> open ──claim──> claimed ──fulfil──> fulfilled
//!            │                             ^  │  │         │                  ^
//!            │                             │  │  └─────────┼──fulfil (town)───┘
//!            │                             └──┼──release───┘
//!            └──────────cancel──────────> cancelled <──cancel── open / returned
//! ```
//!
//! `open` is 待认领 on the claim sheet, `claimed` 已认领, `fulfilled` 已发放 (and 已回访 once a
//! follow-up visit is recorded, which is not a status of its own). A claimed need is released
//! before it can be cancelled, so an organization never loses a claim without seeing why. The
//! officer who recorded a need does not review it (maker-checker). A town station may also meet
//! an open need from the campaign's own stock (集中发放), which fulfils it without a claim and
//! takes it off the claim sheet.

use uuid::Uuid;

use crate::Invalid;
use crate::household::text;

dictionary!(
    NeedStatus, "status", "need.status" {
        Submitted => "submitted",
        Returned => "returned",
        Open => "open",
        Claimed => "claimed",
        Fulfilled => "fulfilled",
        Cancelled => "cancelled",
    }
);

dictionary!(
    NeedAction, "action", "need.action" {
        Submit => "submit",
        Approve => "approve",
        Return => "return",
        Claim => "claim",
        Release => "release",
        Fulfil => "fulfil",
        Cancel => "cancel",
    }
);

impl NeedStatus {
    /// Still asking for help (not fulfilled, not cancelled).
    pub fn is_active(self) -> bool {
        !matches!(self, NeedStatus::Fulfilled | NeedStatus::Cancelled)
    }

    /// Whether an organization may hold the need in this status: a claimed need always is, a
    /// fulfilled one if it was claimed before the town fulfilled it.
    pub fn is_held(self) -> bool {
        matches!(self, NeedStatus::Claimed | NeedStatus::Fulfilled)
    }
}

/// The status after `action`, or the refusal naming why the action does not apply.
pub fn next(status: NeedStatus, action: NeedAction) -> Result<NeedStatus, Invalid> {
    use NeedAction as A;
    use NeedStatus as S;
    let refuse = |code: &'static str| Err(Invalid::new("status", code).arg("status", status));
    match (action, status) {
        (A::Submit, S::Returned) => Ok(S::Submitted),
        (A::Submit, _) => refuse("need.cannot_submit"),
        (A::Approve, S::Submitted) => Ok(S::Open),
        (A::Return, S::Submitted) => Ok(S::Returned),
        (A::Approve | A::Return, _) => refuse("need.cannot_review"),
        (A::Claim, S::Open) => Ok(S::Claimed),
        (A::Claim, S::Claimed | S::Fulfilled) => refuse("need.already_claimed"),
        (A::Claim, _) => refuse("need.not_open"),
        (A::Release, S::Claimed) => Ok(S::Open),
        (A::Release, _) => refuse("need.cannot_release"),
        (A::Fulfil, S::Open | S::Claimed) => Ok(S::Fulfilled),
        (A::Fulfil, _) => refuse("need.cannot_fulfil"),
        (A::Cancel, S::Submitted | S::Returned | S::Open) => Ok(S::Cancelled),
        (A::Cancel, S::Claimed) => refuse("need.cancel_claimed"),
        (A::Cancel, _) => refuse("need.cannot_cancel"),
    }
}

/// Maker-checker: whoever recorded (or last changed) the need cannot approve or return it.
pub fn check_reviewer(entered_by: Uuid, reviewer: Uuid) -> Result<(), Invalid> {
    if entered_by == reviewer {
        return Err(Invalid::new("reviewer", "need.maker_checker"));
    }
    Ok(())
}

/// A reason a reviewer gives when returning, cancelling or releasing: required, at most 500
/// characters, so the other side knows what happened.
pub fn reason(value: &str) -> Result<String, Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid::new("reason", "need.reason_required"));
    }
    text("reason", value, 500, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};
    use NeedAction as A;
    use NeedStatus as S;
    use proptest::prelude::*;

    /// Every legal step; everything else is refused.
    const TABLE: [(S, A, S); 10] = [
        (S::Returned, A::Submit, S::Submitted),
        (S::Submitted, A::Approve, S::Open),
        (S::Submitted, A::Return, S::Returned),
        (S::Open, A::Claim, S::Claimed),
        (S::Claimed, A::Release, S::Open),
        (S::Claimed, A::Fulfil, S::Fulfilled),
        (S::Open, A::Fulfil, S::Fulfilled),
        (S::Submitted, A::Cancel, S::Cancelled),
        (S::Returned, A::Cancel, S::Cancelled),
        (S::Open, A::Cancel, S::Cancelled),
    ];

    #[test]
    fn the_transition_table() {
        for status in S::ALL {
            for action in A::ALL {
                let expected = TABLE
                    .iter()
                    .find(|(s, a, _)| s == status && a == action)
                    .map(|(_, _, to)| *to);
                let got = next(*status, *action);
                assert_eq!(got.as_ref().ok().copied(), expected, "{status} + {action}");
                if let Err(e) = got {
                    assert_eq!(e.field(), "status");
                    assert_eq!(e.0.args, vec![("status", status.as_str().to_owned())]);
                    assert_ne!(message(Lang::ZhCn, e.code()), e.code(), "{}", e.code());
                    assert_ne!(message(Lang::En, e.code()), e.code(), "{}", e.code());
                }
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        let code = |s, a| next(s, a).unwrap_err().code();
        assert_eq!(code(S::Claimed, A::Claim), "need.already_claimed");
        assert_eq!(code(S::Fulfilled, A::Claim), "need.already_claimed");
        assert_eq!(code(S::Submitted, A::Claim), "need.not_open");
        assert_eq!(code(S::Claimed, A::Cancel), "need.cancel_claimed");
        assert_eq!(code(S::Fulfilled, A::Cancel), "need.cannot_cancel");
        assert_eq!(code(S::Open, A::Approve), "need.cannot_review");
    }

    #[test]
    fn the_maker_does_not_check_and_reasons_are_required() {
        let (maker, checker) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(
            check_reviewer(maker, maker).unwrap_err().code(),
            "need.maker_checker"
        );
        assert_eq!(check_reviewer(maker, checker), Ok(()));
        for blank in ["", " ", "\u{3000}"] {
            assert_eq!(reason(blank).unwrap_err().code(), "need.reason_required");
        }
        assert_eq!(reason(" 数量有误 "), Ok("数量有误".to_owned()));
        assert_eq!(
            reason(&"字".repeat(501)).unwrap_err().code(),
            "field.too_long"
        );
    }

    #[test]
    fn labels_in_both_languages() {
        for s in S::ALL {
            assert_ne!(message(Lang::ZhCn, s.label_key()), s.label_key());
            assert_ne!(message(Lang::En, s.label_key()), s.label_key());
        }
        for a in A::ALL {
            assert_ne!(message(Lang::ZhCn, a.label_key()), a.label_key());
            assert_ne!(message(Lang::En, a.label_key()), a.label_key());
        }
        assert_eq!(message(Lang::ZhCn, S::Open.label_key()), "待认领");
        assert_eq!(message(Lang::ZhCn, S::Claimed.label_key()), "已认领");
        assert_eq!(message(Lang::ZhCn, S::Fulfilled.label_key()), "已发放");
        assert_eq!(S::parse("待认领"), Ok(S::Open));
    }

    /// A need as the application holds it: its status and the organization holding it.
    #[derive(Debug, Clone, Copy)]
    struct Model {
        status: S,
        holder: Option<u8>,
        approved_once: bool,
    }

    fn action() -> impl Strategy<Value = (A, u8)> {
        (proptest::sample::select(A::ALL.to_vec()), 0u8..4)
    }

    proptest! {
        /// Whatever anyone tries in whatever order, a need never reaches an illegal state: it is
        /// held by an organization whenever claimed and only when claimed or fulfilled, nothing
        /// is open, claimed or fulfilled that the town did not approve, fulfilled and cancelled
        /// are final, and every step taken is one of the table's.
        #[test]
        fn no_sequence_reaches_an_illegal_state(actions in proptest::collection::vec(action(), 0..40)) {
            let mut m = Model { status: S::Submitted, holder: None, approved_once: false };
            for (action, org) in actions {
                let before = m;
                match next(m.status, action) {
                    Ok(to) => {
                        prop_assert!(TABLE.contains(&(before.status, action, to)), "{before:?} {action}");
                        prop_assert!(before.status.is_active(), "a final status moved: {before:?}");
                        m.status = to;
                        match action {
                            A::Claim => m.holder = Some(org),
                            A::Release => m.holder = None,
                            A::Approve => m.approved_once = true,
                            _ => {}
                        }
                    }
                    Err(e) => {
                        prop_assert_eq!(e.field(), "status");
                        prop_assert_eq!(m.status, before.status, "a refusal changes nothing");
                    }
                }
                if m.holder.is_some() {
                    prop_assert!(m.status.is_held(), "{:?}", m);
                }
                if m.status == S::Claimed {
                    prop_assert!(m.holder.is_some(), "{:?}", m);
                }
                if matches!(m.status, S::Open | S::Claimed | S::Fulfilled) {
                    prop_assert!(m.approved_once, "{:?} without approval", m);
                }
            }
        }
    }
}
