//! The reallocation form (变更用途): part or all of a designated cash donation's money moved to
//! another designation because the donor agreed — who agreed, how (书面同意函, 电话录音 …) and
//! on which day. The rules on the move itself (a different designation, the consent complete,
//! the money still there) are [`crate::ledger::Reallocation`]'s and the ledger's.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{DesignationRequest, MAX_CASH_YUAN, designation};
use crate::household::{keep, optional_text, past_date, text};
use crate::{Fen, Invalid};

/// Longest consent text (who, how), as [`crate::ledger::Reallocation`] keeps it.
const MAX_CONSENT: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReallocationInput {
    /// The designated cash donation whose money moves, by number or id.
    pub donation: String,
    /// The new designation: `campaign`, `town`, `pledge` or `household`.
    pub to: String,
    /// The town, pledge or household it names (blank for the campaign).
    pub to_target: String,
    /// Yuan.
    pub amount: String,
    /// Who agreed for the donor.
    pub consent_who: String,
    /// How they agreed.
    pub consent_how: String,
    pub consent_on: String,
    pub note: String,
}

/// A valid reallocation form, before the application finds what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReallocationRequest {
    pub donation: String,
    pub to: DesignationRequest,
    pub amount: Fen,
    pub consent_who: String,
    pub consent_how: String,
    pub consent_on: NaiveDate,
    pub note: String,
}

/// The designation's refusal on this form's fields (`to`, `to_target`).
fn renamed(mut e: Invalid) -> Invalid {
    e.0.field = match e.field() {
        "designated_to" => "to_target".to_owned(),
        _ => "to".to_owned(),
    };
    e
}

fn amount(raw: &str) -> Result<Fen, Invalid> {
    let amount = Fen::parse_yuan(raw, "amount")?;
    if amount <= Fen::ZERO {
        return Err(Invalid::new("amount", "ledger.reallocation.amount"));
    }
    if amount > Fen::from_yuan(MAX_CASH_YUAN) {
        return Err(Invalid::new("amount", "cash_aid.amount_too_large").arg("max", MAX_CASH_YUAN));
    }
    Ok(amount)
}

impl ReallocationInput {
    /// Checks every field, all refusals at once, each naming its field.
    pub fn parse(&self, today: NaiveDate) -> Result<ReallocationRequest, Vec<Invalid>> {
        let mut errors = Vec::new();
        let donation = keep(&mut errors, text("donation", &self.donation, 64, true));
        let to = keep(
            &mut errors,
            designation(&self.to, &self.to_target).map_err(renamed),
        );
        let amount = keep(&mut errors, amount(&self.amount));
        let who = keep(
            &mut errors,
            text("consent_who", &self.consent_who, MAX_CONSENT, true),
        );
        let how = keep(
            &mut errors,
            text("consent_how", &self.consent_how, MAX_CONSENT, true),
        );
        let on = keep(
            &mut errors,
            past_date("consent_on", &self.consent_on, today),
        );
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_CONSENT));
        match (donation, to, amount, who, how, on, note) {
            (
                Some(donation),
                Some(to),
                Some(amount),
                Some(who),
                Some(how),
                Some(on),
                Some(note),
            ) if errors.is_empty() => Ok(ReallocationRequest {
                donation,
                to,
                amount,
                consent_who: who,
                consent_how: how,
                consent_on: on,
                note: note.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 21).unwrap()
    }

    #[test]
    fn a_reallocation_names_the_new_purpose_and_the_consent() {
        let input = ReallocationInput {
            donation: "JZ-NDXD-DEMO-0001".into(),
            to: "town".into(),
            to_target: "三河镇".into(),
            amount: "2000".into(),
            consent_who: "捐赠方联系人王某".into(),
            consent_how: "书面同意函".into(),
            consent_on: "2024-12-20".into(),
            ..ReallocationInput::default()
        };
        let request = input.parse(today()).unwrap();
        assert_eq!(request.to, DesignationRequest::Town("三河镇".into()));
        assert_eq!(request.amount, Fen::from_yuan(2000));
        let wrong = ReallocationInput {
            to: "town".into(),
            to_target: String::new(),
            amount: "-5".into(),
            consent_who: String::new(),
            consent_on: "2024-12-22".into(),
            ..input
        };
        let fields: Vec<String> = wrong
            .parse(today())
            .unwrap_err()
            .iter()
            .map(|e| format!("{}:{}", e.field(), e.code()))
            .collect();
        assert_eq!(fields.len(), 4, "{fields:?}");
        assert_eq!(fields[0], "to_target:field.required");
        assert!(fields[1].starts_with("amount:"), "{fields:?}");
        assert_eq!(fields[2], "consent_who:field.required");
        assert_eq!(fields[3], "consent_on:household.date_in_future");
    }
}
