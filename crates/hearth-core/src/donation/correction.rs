//! The correction form (更正): a donation or purchase recorded wrongly is reversed in full (红字
//! 冲销) on a day, for a reason; the right one is then recorded anew. Nothing is edited.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::household::{keep, past_date, text};

/// Longest reason.
const MAX_REASON: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorrectionInput {
    /// Why the record was wrong (金额录错、重复登记 …).
    pub reason: String,
    /// The day the reversal is booked; not in the future.
    pub corrected_on: String,
}

/// A valid correction form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub reason: String,
    pub corrected_on: NaiveDate,
}

impl CorrectionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Correction, Vec<Invalid>> {
        let mut errors = Vec::new();
        let reason = keep(&mut errors, text("reason", &self.reason, MAX_REASON, true));
        let on = keep(
            &mut errors,
            past_date("corrected_on", &self.corrected_on, today),
        );
        match (reason, on) {
            (Some(reason), Some(corrected_on)) => Ok(Correction {
                reason,
                corrected_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_needs_a_reason_and_a_past_day() {
        let today = NaiveDate::from_ymd_opt(2024, 12, 21).unwrap();
        let ok = CorrectionInput {
            reason: "金额录错".into(),
            corrected_on: "2024-12-21".into(),
        };
        assert_eq!(ok.parse(today).unwrap().reason, "金额录错");
        let wrong = CorrectionInput {
            reason: "  ".into(),
            corrected_on: "2024-12-22".into(),
        };
        let codes: Vec<_> = wrong
            .parse(today)
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect();
        assert_eq!(
            codes,
            [
                ("reason".to_owned(), "field.required"),
                ("corrected_on".to_owned(), "household.date_in_future"),
            ]
        );
    }
}
