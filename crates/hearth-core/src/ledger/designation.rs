//! Donor designations (定向捐赠) and what they may pay for.
//!
//! The Charity Law has a donor's designation honoured: money or goods given for a town, a pledge
//! or a household fund only that, and moving them elsewhere needs the donor's recorded consent.
//! Every ledger entry names the designation whose funds it uses: balances are kept per
//! designation, and a spending entry is checked against [`Designation::may_fund`].

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::household::{keep, text};
use crate::{AreaCode, AreaLevel, Fen, Invalid};

/// Whose funds: the campaign at large, or what the donor named.
///
/// Stored and hashed as text: `campaign`, `town:<12-digit code>`, `pledge:<uuid>`,
/// `household:<uuid>`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Designation {
    /// 不定向: anything the campaign does.
    Campaign,
    /// 定向乡镇（园区）: households, stations and purchases of that town.
    Town(AreaCode),
    /// 定向承诺书: what that pledge undertakes.
    Pledge(Uuid),
    /// 定向家庭: that household only.
    Household(Uuid),
}

/// What a spending is for, as far as designations care. A purchase for a town station names
/// the town; cash aid names the household, its town and the pledge it fulfils, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpendingTarget {
    pub town: Option<AreaCode>,
    pub pledge: Option<Uuid>,
    pub household: Option<Uuid>,
}

impl Designation {
    /// Whether funds under this designation may pay for `target`.
    pub fn may_fund(&self, target: &SpendingTarget) -> bool {
        match self {
            Designation::Campaign => true,
            Designation::Town(town) => target.town.as_ref().is_some_and(|t| t.is_within(town)),
            Designation::Pledge(pledge) => target.pledge == Some(*pledge),
            Designation::Household(household) => target.household == Some(*household),
        }
    }

    /// [`Designation::may_fund`] as a refusal on the field `designation`.
    pub fn check_funds(&self, target: &SpendingTarget) -> Result<(), Invalid> {
        if self.may_fund(target) {
            Ok(())
        } else {
            Err(Invalid::new(
                "designation",
                "ledger.designation.not_allowed",
            ))
        }
    }
}

impl fmt::Display for Designation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Designation::Campaign => f.write_str("campaign"),
            Designation::Town(town) => write!(f, "town:{town}"),
            Designation::Pledge(id) => write!(f, "pledge:{id}"),
            Designation::Household(id) => write!(f, "household:{id}"),
        }
    }
}

impl FromStr for Designation {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Self, Invalid> {
        let refuse = || Invalid::new("designation", "ledger.designation.format").arg("value", text);
        let uuid = |id: &str| Uuid::parse_str(id).map_err(|_| refuse());
        match text.trim().split_once(':') {
            None if text.trim() == "campaign" => Ok(Designation::Campaign),
            Some(("town", code)) => {
                let town = AreaCode::parse(code).map_err(|_| refuse())?;
                if town.level() != AreaLevel::Town {
                    return Err(refuse());
                }
                Ok(Designation::Town(town))
            }
            Some(("pledge", id)) => Ok(Designation::Pledge(uuid(id)?)),
            Some(("household", id)) => Ok(Designation::Household(uuid(id)?)),
            _ => Err(refuse()),
        }
    }
}

impl TryFrom<String> for Designation {
    type Error = Invalid;
    fn try_from(text: String) -> Result<Self, Invalid> {
        text.parse()
    }
}

impl From<Designation> for String {
    fn from(designation: Designation) -> String {
        designation.to_string()
    }
}

/// The donor's agreement to move designated funds (捐赠人同意): who agreed, on which day, and
/// how (a signed letter, a recorded call …), as free text kept with the reallocation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DonorConsent {
    pub who: String,
    pub on: NaiveDate,
    pub how: String,
}

/// Designated cash moved to another designation with the donor's consent (变更用途). It is
/// booked as two entries of kind `reallocation`, see [`Reallocation::entries`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reallocation {
    pub from: Designation,
    pub to: Designation,
    pub amount: Fen,
    pub consent: DonorConsent,
}

/// Longest consent text (who, how).
const MAX_CONSENT_TEXT: usize = 500;

impl Reallocation {
    /// Checks the request, returning every refusal at once. Whether `from` holds enough cash
    /// is the ledger's check when the entries are posted.
    pub fn new(
        from: Designation,
        to: Designation,
        amount: Fen,
        consent: DonorConsent,
        today: NaiveDate,
    ) -> Result<Reallocation, Vec<Invalid>> {
        let mut errors = Vec::new();
        if from == to {
            errors.push(Invalid::new("to", "ledger.reallocation.same"));
        }
        if amount <= Fen::ZERO {
            errors.push(Invalid::new("amount", "ledger.reallocation.amount"));
        }
        let who = keep(
            &mut errors,
            text("consent.who", &consent.who, MAX_CONSENT_TEXT, true),
        );
        let how = keep(
            &mut errors,
            text("consent.how", &consent.how, MAX_CONSENT_TEXT, true),
        );
        if consent.on > today {
            errors.push(Invalid::new(
                "consent.on",
                "ledger.reallocation.consent_future",
            ));
        }
        match (who, how) {
            (Some(who), Some(how)) if errors.is_empty() => Ok(Reallocation {
                from,
                to,
                amount,
                consent: DonorConsent {
                    who,
                    on: consent.on,
                    how,
                },
            }),
            _ => Err(errors),
        }
    }

    /// The pair of entries to post in one transaction: cash leaves `from` and arrives at `to`,
    /// each designation's raised and on-hand figures moving with it. `header` gives the day,
    /// the campaign and the source (the reallocation record); its designation is replaced.
    pub fn entries(&self, header: &super::Header) -> [super::EntryDraft; 2] {
        let under = |designation: &Designation| super::Header {
            designation: designation.clone(),
            ..header.clone()
        };
        [
            super::EntryDraft::reallocation_out(under(&self.from), self.amount),
            super::EntryDraft::reallocation_in(under(&self.to), self.amount),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn town(code: &str) -> AreaCode {
        AreaCode::parse(code).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, d).unwrap()
    }

    #[test]
    fn a_designation_funds_only_what_it_names() {
        let (household, pledge) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let in_town = SpendingTarget {
            town: Some(town("340123101203")),
            pledge: Some(pledge),
            household: Some(household),
        };
        let warehouse = SpendingTarget::default();
        assert!(Designation::Campaign.may_fund(&warehouse));
        assert!(Designation::Town(town("340123101")).may_fund(&in_town));
        assert!(!Designation::Town(town("340123102")).may_fund(&in_town));
        assert!(!Designation::Town(town("340123101")).may_fund(&warehouse));
        assert!(Designation::Pledge(pledge).may_fund(&in_town));
        assert!(!Designation::Pledge(household).may_fund(&in_town));
        assert!(Designation::Household(household).may_fund(&in_town));
        assert!(!Designation::Household(household).may_fund(&warehouse));
        let refused = Designation::Household(household).check_funds(&warehouse);
        assert_eq!(
            refused.unwrap_err().code(),
            "ledger.designation.not_allowed"
        );
    }

    #[test]
    fn designations_read_back_from_their_text() {
        for designation in [
            Designation::Campaign,
            Designation::Town(town("340123101")),
            Designation::Pledge(Uuid::from_u128(7)),
            Designation::Household(Uuid::from_u128(8)),
        ] {
            assert_eq!(designation.to_string().parse(), Ok(designation));
        }
        assert_eq!(
            Designation::Town(town("340123101")).to_string(),
            "town:340123101000"
        );
        for wrong in [
            "",
            "town",
            "town:340123",
            "pledge:x",
            "county:340123",
            "campaign:1",
        ] {
            let e = wrong.parse::<Designation>().unwrap_err();
            assert_eq!(
                (e.field(), e.code()),
                ("designation", "ledger.designation.format")
            );
        }
    }

    #[test]
    fn reallocation_needs_consent_and_a_new_designation() {
        let consent = DonorConsent {
            who: "王某".into(),
            on: day(5),
            how: "书面同意函".into(),
        };
        let ok = Reallocation::new(
            Designation::Town(town("340123101")),
            Designation::Campaign,
            Fen::from_yuan(500),
            consent.clone(),
            day(5),
        );
        assert!(ok.is_ok());
        let refused = Reallocation::new(
            Designation::Campaign,
            Designation::Campaign,
            Fen::ZERO,
            DonorConsent {
                who: " ".into(),
                on: day(6),
                how: String::new(),
            },
            day(5),
        )
        .unwrap_err();
        let codes: Vec<_> = refused.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            codes,
            [
                ("to", "ledger.reallocation.same"),
                ("amount", "ledger.reallocation.amount"),
                ("consent.who", "field.required"),
                ("consent.how", "field.required"),
                ("consent.on", "ledger.reallocation.consent_future"),
            ]
        );
    }
}
