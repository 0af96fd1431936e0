//! The review workflow of a household record (村登记 → 乡镇审核):
//!
//! ```text
//! draft ──submit──> submitted ──approve──> approved ──archive──> archived
//!   ^                 │   │
//!   └───withdraw──────┘   └──return (reason)──> returned ──submit──> submitted
//! ```
//!
//! Editing is allowed in `draft` and `returned` only. The officer who entered a record does not
//! review it (maker-checker). Withdrawing consent is not an edit and is allowed in any status
//! (see [`super::Consent::withdraw`]).

use uuid::Uuid;

use super::text;
use crate::Invalid;

dictionary!(
    HouseholdStatus, "status", "household.status" {
        Draft => "draft",
        Submitted => "submitted",
        Approved => "approved",
        Returned => "returned",
        Archived => "archived",
    }
);

dictionary!(
    HouseholdAction, "action", "household.action" {
        Submit => "submit",
        Withdraw => "withdraw",
        Approve => "approve",
        Return => "return",
        Archive => "archive",
        Edit => "edit",
    }
);

impl HouseholdStatus {
    /// Whether the village may still change the record.
    pub fn is_editable(self) -> bool {
        matches!(self, HouseholdStatus::Draft | HouseholdStatus::Returned)
    }

    /// Whether organizations may ever see the record (they also need consent and enrolment).
    pub fn is_approved(self) -> bool {
        self == HouseholdStatus::Approved
    }
}

/// The status after `action`, or the refusal naming why the action does not apply.
pub fn next(status: HouseholdStatus, action: HouseholdAction) -> Result<HouseholdStatus, Invalid> {
    use HouseholdAction as A;
    use HouseholdStatus as S;
    let refuse = |code: &'static str| Err(Invalid::new("status", code).arg("status", status));
    match (action, status) {
        (A::Submit, S::Draft | S::Returned) => Ok(S::Submitted),
        (A::Submit, _) => refuse("household.cannot_submit"),
        (A::Withdraw, S::Submitted) => Ok(S::Draft),
        (A::Withdraw, _) => refuse("household.cannot_withdraw"),
        (A::Approve, S::Submitted) => Ok(S::Approved),
        (A::Return, S::Submitted) => Ok(S::Returned),
        (A::Approve | A::Return, _) => refuse("household.cannot_review"),
        (A::Archive, S::Approved) => Ok(S::Archived),
        (A::Archive, _) => refuse("household.cannot_archive"),
        (A::Edit, S::Draft | S::Returned) => Ok(status),
        (A::Edit, S::Submitted) => refuse("household.edit_submitted"),
        (A::Edit, S::Approved) => refuse("household.edit_approved"),
        (A::Edit, S::Archived) => refuse("household.edit_archived"),
    }
}

/// Maker-checker: whoever entered (or last edited) the record cannot approve or return it.
pub fn check_reviewer(entered_by: Uuid, reviewer: Uuid) -> Result<(), Invalid> {
    if entered_by == reviewer {
        return Err(Invalid::new("reviewer", "household.maker_checker"));
    }
    Ok(())
}

/// The reason a town gives when it returns a record: required, so the village knows what to fix.
pub fn return_reason(reason: &str) -> Result<String, Invalid> {
    if reason.trim().is_empty() {
        return Err(Invalid::new("reason", "household.return_reason_required"));
    }
    text("reason", reason, 500, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};
    use HouseholdAction as A;
    use HouseholdStatus as S;

    #[test]
    fn the_transition_table() {
        let table = [
            (S::Draft, A::Submit, Some(S::Submitted)),
            (S::Returned, A::Submit, Some(S::Submitted)),
            (S::Submitted, A::Withdraw, Some(S::Draft)),
            (S::Submitted, A::Approve, Some(S::Approved)),
            (S::Submitted, A::Return, Some(S::Returned)),
            (S::Approved, A::Archive, Some(S::Archived)),
            (S::Draft, A::Edit, Some(S::Draft)),
            (S::Returned, A::Edit, Some(S::Returned)),
        ];
        for status in S::ALL {
            for action in A::ALL {
                let expected = table
                    .iter()
                    .find(|(s, a, _)| s == status && a == action)
                    .and_then(|(_, _, to)| *to);
                let got = next(*status, *action);
                assert_eq!(got.as_ref().ok().copied(), expected, "{status} + {action}");
                if let Err(e) = got {
                    assert_eq!(e.field(), "status");
                    assert_eq!(e.0.args, vec![("status", status.as_str().to_owned())]);
                    assert_ne!(message(Lang::ZhCn, e.code()), e.code(), "{}", e.code());
                }
            }
        }
    }

    #[test]
    fn editing_says_why_not() {
        let code = |s| next(s, A::Edit).unwrap_err().code();
        assert_eq!(code(S::Submitted), "household.edit_submitted");
        assert_eq!(code(S::Approved), "household.edit_approved");
        assert_eq!(code(S::Archived), "household.edit_archived");
        assert_eq!(
            next(S::Approved, A::Approve).unwrap_err().code(),
            "household.cannot_review"
        );
        assert_eq!(
            next(S::Draft, A::Archive).unwrap_err().code(),
            "household.cannot_archive"
        );
        assert_eq!(
            next(S::Approved, A::Submit).unwrap_err().code(),
            "household.cannot_submit"
        );
        assert_eq!(
            next(S::Draft, A::Withdraw).unwrap_err().code(),
            "household.cannot_withdraw"
        );
        assert!(S::Draft.is_editable() && S::Returned.is_editable());
        assert!(
            !S::Submitted.is_editable() && !S::Approved.is_editable() && !S::Archived.is_editable()
        );
    }

    #[test]
    fn the_maker_does_not_check() {
        let maker = Uuid::from_u128(1);
        let checker = Uuid::from_u128(2);
        let e = check_reviewer(maker, maker).unwrap_err();
        assert_eq!(
            (e.field(), e.code()),
            ("reviewer", "household.maker_checker")
        );
        assert_eq!(check_reviewer(maker, checker), Ok(()));
    }

    #[test]
    fn returning_needs_a_reason() {
        for blank in ["", "  ", "\u{3000}"] {
            assert_eq!(
                return_reason(blank).unwrap_err().code(),
                "household.return_reason_required"
            );
        }
        assert_eq!(
            return_reason(" 缺少低保证明 "),
            Ok("缺少低保证明".to_owned())
        );
        assert_eq!(
            return_reason(&"字".repeat(501)).unwrap_err().code(),
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
        assert_eq!(S::parse("待审核"), Ok(S::Submitted));
        assert_eq!(A::parse("退回"), Ok(A::Return));
    }
}
