//! The household's informed consent (知情同意书, domain.md §5–6): what may be shared, with whom,
//! since when, and its withdrawal. Sharing a household with an organization needs the separate
//! `share_with_organizations` scope; a child under 14 is consented for by a guardian.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{at, keep, optional_date, optional_text, past_date, text};
use crate::Invalid;
use crate::organization::split_list;

dictionary!(
    /// What the household agreed to, each ticked separately on the form.
    ConsentScope, "consent.scopes", "consent.scope" {
        ShareWithOrganizations => "share_with_organizations",
        Photos => "photos",
        FollowUpVisits => "follow_up_visits",
        PublicityAnonymous => "publicity_anonymous",
    }
);

/// A signed consent form as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The version of the form text that was signed (the text changes; what was agreed does not).
    pub version: String,
    pub signed_on: NaiveDate,
    pub scopes: Vec<ConsentScope>,
    /// Who signed for the household.
    pub signer: String,
    /// The guardian who consented for children under 14; required when the household has any.
    pub guardian: Option<String>,
    /// The scanned signed form (an attachment reference).
    pub scan_attachment: Option<String>,
    /// From this day on nothing is shared any more.
    pub withdrawn_on: Option<NaiveDate>,
}

impl Consent {
    /// Whether `scope` was agreed and is in force on `on`: signed on or before that day and not
    /// withdrawn on or before it.
    pub fn allows(&self, scope: ConsentScope, on: NaiveDate) -> bool {
        self.signed_on <= on
            && self.withdrawn_on.is_none_or(|withdrawn| on < withdrawn)
            && self.scopes.contains(&scope)
    }

    pub fn is_withdrawn_on(&self, on: NaiveDate) -> bool {
        self.withdrawn_on.is_some_and(|withdrawn| withdrawn <= on)
    }

    /// Records a withdrawal. Withdrawal is a right, not an edit: it is allowed in every status
    /// of the household record.
    pub fn withdraw(&mut self, on: NaiveDate) -> Result<(), Invalid> {
        if let Some(withdrawn) = self.withdrawn_on {
            return Err(
                Invalid::new("consent.withdrawn_on", "consent.already_withdrawn")
                    .arg("date", withdrawn),
            );
        }
        if on < self.signed_on {
            return Err(before_signed(on, self.signed_on));
        }
        self.withdrawn_on = Some(on);
        Ok(())
    }
}

fn before_signed(withdrawn: NaiveDate, signed: NaiveDate) -> Invalid {
    Invalid::new("consent.withdrawn_on", "consent.withdrawn_before_signed")
        .arg("withdrawn", withdrawn)
        .arg("signed", signed)
}

/// The consent section of the household form. Left entirely blank, there is no consent yet
/// (allowed in a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsentInput {
    pub version: String,
    pub signed_on: String,
    pub scopes: Vec<String>,
    pub signer: String,
    pub guardian: String,
    pub scan_attachment: String,
    pub withdrawn_on: String,
}

impl ConsentInput {
    pub fn is_blank(&self) -> bool {
        [
            &self.version,
            &self.signed_on,
            &self.signer,
            &self.guardian,
            &self.scan_attachment,
            &self.withdrawn_on,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
            && split_list(&self.scopes).is_empty()
    }

    /// `Ok(None)` when blank. `guardian_needed` says the household has a child under 14, which
    /// makes the guardian required. Fields are reported as `consent.<field>`.
    pub fn parse(
        &self,
        today: NaiveDate,
        guardian_needed: bool,
    ) -> Result<Option<Consent>, Vec<Invalid>> {
        if self.is_blank() {
            return Ok(None);
        }
        let mut errors = Vec::new();
        let version = keep(
            &mut errors,
            text("consent.version", &self.version, 50, true),
        );
        let signed_on = keep(
            &mut errors,
            past_date("consent.signed_on", &self.signed_on, today),
        );
        let signer = keep(&mut errors, text("consent.signer", &self.signer, 50, true));
        let guardian = keep(
            &mut errors,
            optional_text("consent.guardian", &self.guardian, 50),
        );
        let scan_attachment = keep(
            &mut errors,
            optional_text("consent.scan_attachment", &self.scan_attachment, 200),
        );
        let withdrawn_on = keep(
            &mut errors,
            optional_date("consent.withdrawn_on", &self.withdrawn_on).and_then(|date| match date {
                Some(date) if date > today => Err(Invalid::new(
                    "consent.withdrawn_on",
                    "household.date_in_future",
                )
                .arg("date", date)),
                date => Ok(date),
            }),
        );
        let scopes = keep(&mut errors, self.scopes());
        if guardian_needed && guardian == Some(None) {
            errors.push(Invalid::new(
                "consent.guardian",
                "consent.guardian_required",
            ));
        }
        if let (Some(signed), Some(Some(withdrawn))) = (signed_on, withdrawn_on)
            && withdrawn < signed
        {
            errors.push(before_signed(withdrawn, signed));
        }
        match (
            version,
            signed_on,
            signer,
            guardian,
            scan_attachment,
            withdrawn_on,
            scopes,
        ) {
            (
                Some(version),
                Some(signed_on),
                Some(signer),
                Some(guardian),
                Some(scan_attachment),
                Some(withdrawn_on),
                Some(scopes),
            ) if errors.is_empty() => Ok(Some(Consent {
                version,
                signed_on,
                scopes,
                signer,
                guardian,
                scan_attachment,
                withdrawn_on,
            })),
            _ => Err(errors),
        }
    }

    fn scopes(&self) -> Result<Vec<ConsentScope>, Invalid> {
        let mut out = Vec::new();
        for raw in split_list(&self.scopes) {
            let scope = ConsentScope::parse(&raw).map_err(|e| at("consent.scopes", e))?;
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        Ok(out)
    }
}

impl From<&Consent> for ConsentInput {
    fn from(c: &Consent) -> Self {
        ConsentInput {
            version: c.version.clone(),
            signed_on: c.signed_on.to_string(),
            scopes: c.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            signer: c.signer.clone(),
            guardian: c.guardian.clone().unwrap_or_default(),
            scan_attachment: c.scan_attachment.clone().unwrap_or_default(),
            withdrawn_on: c.withdrawn_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn input() -> ConsentInput {
        ConsentInput {
            version: "2024版".into(),
            signed_on: "2024-11-02".into(),
            scopes: vec!["向结对社会组织提供必要信息、回访".into()],
            signer: "张建国".into(),
            ..Default::default()
        }
    }

    #[test]
    fn scopes_have_labels() {
        for s in ConsentScope::ALL {
            assert_ne!(message(Lang::ZhCn, s.label_key()), s.label_key());
            assert_ne!(message(Lang::En, s.label_key()), s.label_key());
            assert_eq!(
                ConsentScope::parse(message(Lang::ZhCn, s.label_key())),
                Ok(*s)
            );
        }
    }

    #[test]
    fn blank_means_no_consent_yet() {
        assert_eq!(ConsentInput::default().parse(today(), true), Ok(None));
        let spaces = ConsentInput {
            version: " ".into(),
            scopes: vec![" ".into()],
            ..Default::default()
        };
        assert_eq!(spaces.parse(today(), false), Ok(None));
    }

    #[test]
    fn allows_what_was_agreed_while_in_force() {
        let mut consent = input().parse(today(), false).unwrap().unwrap();
        assert_eq!(
            consent.scopes,
            [
                ConsentScope::ShareWithOrganizations,
                ConsentScope::FollowUpVisits
            ]
        );
        let share = ConsentScope::ShareWithOrganizations;
        assert!(!consent.allows(share, day(2024, 11, 1)), "before signing");
        assert!(consent.allows(share, day(2024, 11, 2)));
        assert!(
            !consent.allows(ConsentScope::Photos, day(2024, 12, 1)),
            "not agreed"
        );

        consent.withdraw(day(2024, 12, 10)).unwrap();
        assert!(consent.allows(share, day(2024, 12, 9)));
        assert!(
            !consent.allows(share, day(2024, 12, 10)),
            "withdrawn that day"
        );
        assert!(!consent.allows(share, day(2025, 6, 1)));
        assert!(consent.is_withdrawn_on(day(2024, 12, 10)));
        assert!(!consent.is_withdrawn_on(day(2024, 12, 9)));

        let again = consent.withdraw(day(2024, 12, 11)).unwrap_err();
        assert_eq!(again.code(), "consent.already_withdrawn");
        assert_eq!(consent.withdrawn_on, Some(day(2024, 12, 10)));
    }

    #[test]
    fn withdrawal_cannot_precede_signing() {
        let mut consent = input().parse(today(), false).unwrap().unwrap();
        assert_eq!(
            consent.withdraw(day(2024, 11, 1)).unwrap_err().code(),
            "consent.withdrawn_before_signed"
        );
        let typed = ConsentInput {
            withdrawn_on: "2024-10-01".into(),
            ..input()
        };
        let errors = typed.parse(today(), false).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field(), "consent.withdrawn_on");
        assert_eq!(errors[0].code(), "consent.withdrawn_before_signed");
    }

    #[test]
    fn children_need_a_guardian() {
        let errors = input().parse(today(), true).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            ("consent.guardian", "consent.guardian_required")
        );
        let with_guardian = ConsentInput {
            guardian: "张建国".into(),
            ..input()
        };
        let consent = with_guardian.parse(today(), true).unwrap().unwrap();
        assert_eq!(consent.guardian.as_deref(), Some("张建国"));
    }

    #[test]
    fn every_error_with_its_field() {
        let bad = ConsentInput {
            version: "".into(),
            signed_on: "2024-12-21".into(),
            scopes: vec!["上电视".into()],
            signer: "".into(),
            guardian: "".into(),
            scan_attachment: "".into(),
            withdrawn_on: "2025-01-05".into(),
        };
        let errors = bad.parse(today(), true).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            got,
            [
                ("consent.version", "field.required"),
                ("consent.signed_on", "household.date_in_future"),
                ("consent.signer", "field.required"),
                ("consent.withdrawn_on", "household.date_in_future"),
                ("consent.scopes", "dict.unknown"),
                ("consent.guardian", "consent.guardian_required"),
            ]
        );
    }

    #[test]
    fn round_trips_through_the_input() {
        let consent = ConsentInput {
            guardian: "张建国".into(),
            scan_attachment: "att-0001".into(),
            withdrawn_on: "2024-12-01".into(),
            ..input()
        }
        .parse(today(), true)
        .unwrap()
        .unwrap();
        assert_eq!(
            ConsentInput::from(&consent).parse(today(), true),
            Ok(Some(consent))
        );
    }
}
