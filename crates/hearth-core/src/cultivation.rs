//! Cultivating organizations (培育): the bureau follows each organization's record across
//! campaigns to see whom to support and develop, records the civil-affairs evaluation grade
//! (社会组织评估等级, 1A–5A) with its period of validity, and the organization logs what it did
//! (活动记录: date, place, participants, what happened).
//!
//! Pure parts only: the grade dictionary, the rating and activity forms with their parsing, and
//! the tally of an organization's pledges by derived status. Who may rate and log, and where
//! the numbers come from, is the application's business.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::household::{keep, optional_date, optional_text, past_date, text};
use crate::normalize::clean_code;
use crate::pledge::PledgeStatus;

dictionary!(
    /// 社会组织评估等级: from 1A (lowest) to 5A (highest).
    Grade, "grade", "cultivation.grade" {
        A1 => "1A",
        A2 => "2A",
        A3 => "3A",
        A4 => "4A",
        A5 => "5A",
    }
);

/// A grade stays valid this many years from the day it was given, unless the decision says
/// otherwise.
pub const RATING_YEARS: u32 = 5;
/// Longest note on a rating, in characters.
pub const MAX_NOTE: usize = 500;
/// Longest place and title of an activity, in characters.
pub const MAX_PLACE: usize = 100;
pub const MAX_TITLE: usize = 100;
/// Longest account of an activity, in characters.
pub const MAX_SUMMARY: usize = 2000;
/// Most participants one activity records (a county-wide gathering, not a typo).
pub const MAX_PARTICIPANTS: u32 = 100_000;

/// A grade as people type it: the code in any case (`4a`), the label (`4A级`) or the letters
/// alone (`AAAA`, as certificates print it).
fn grade(raw: &str) -> Result<Grade, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return Err(Invalid::new("grade", "field.required"));
    }
    let letters = cleaned.trim_end_matches('级');
    if !letters.is_empty() && letters.len() <= 5 && letters.bytes().all(|b| b == b'A') {
        return Grade::parse(&format!("{}A", letters.len()));
    }
    Grade::parse(&cleaned)
}

/// The last day a grade given on `rated_on` is valid by default: the day before its fifth
/// anniversary.
pub fn default_valid_until(rated_on: NaiveDate) -> Option<NaiveDate> {
    rated_on
        .checked_add_months(Months::new(12 * RATING_YEARS))
        .and_then(|d| d.pred_opt())
}

/// The rating form as typed in a browser or sent over the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingInput {
    /// `1A` … `5A` (or 1A级 … 5A级).
    pub grade: String,
    /// The day of the evaluation decision.
    pub rated_on: String,
    /// The last day the grade is valid; blank is five years.
    pub valid_until: String,
    pub note: String,
}

/// A valid rating, from [`RatingInput::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub grade: Grade,
    pub rated_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub note: String,
}

impl Rating {
    /// Whether the grade holds on `day`: given by then and not yet expired.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.rated_on <= day && day <= self.valid_until
    }
}

impl RatingInput {
    /// Every refusal at once, each naming its field. The decision lies in the past (not after
    /// `today`); the grade ends after it was given.
    pub fn parse(&self, today: NaiveDate) -> Result<Rating, Vec<Invalid>> {
        let mut errors = Vec::new();
        let grade = keep(&mut errors, grade(&self.grade));
        let rated_on = keep(&mut errors, past_date("rated_on", &self.rated_on, today));
        let valid_until = keep(&mut errors, optional_date("valid_until", &self.valid_until));
        let note = keep(&mut errors, text("note", &self.note, MAX_NOTE, false));
        let valid_until = match (rated_on, valid_until) {
            (Some(start), Some(Some(end))) if end <= start => {
                errors.push(
                    Invalid::new("valid_until", "cultivation.valid_until_order")
                        .arg("rated_on", start),
                );
                None
            }
            (_, Some(Some(end))) => Some(end),
            (Some(start), Some(None)) => {
                let end = default_valid_until(start);
                if end.is_none() {
                    errors.push(Invalid::new("rated_on", "household.date").arg("value", start));
                }
                end
            }
            _ => None,
        };
        match (grade, rated_on, valid_until, note) {
            (Some(grade), Some(rated_on), Some(valid_until), Some(note)) if errors.is_empty() => {
                Ok(Rating {
                    grade,
                    rated_on,
                    valid_until,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The activity form as typed in a browser or sent over the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityInput {
    pub held_on: String,
    pub place: String,
    /// How many people took part (`30` or `30人`).
    pub participants: String,
    pub title: String,
    /// What was done, for whom, with what result.
    pub summary: String,
    /// The campaign it belongs to (id or code), if any.
    pub campaign: String,
}

/// A valid activity, from [`ActivityInput::parse`]. The campaign is not yet looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub held_on: NaiveDate,
    pub place: String,
    pub participants: u32,
    pub title: String,
    pub summary: String,
    pub campaign: Option<String>,
}

fn participants(raw: &str) -> Result<u32, Invalid> {
    let cleaned = clean_code(raw);
    let number = cleaned.trim_end_matches('人');
    if number.is_empty() {
        return Err(Invalid::new("participants", "field.required"));
    }
    match number.parse::<u32>() {
        Ok(n) if (1..=MAX_PARTICIPANTS).contains(&n) => Ok(n),
        _ => Err(Invalid::new("participants", "cultivation.participants")
            .arg("value", raw.trim())
            .arg("max", MAX_PARTICIPANTS)),
    }
}

impl ActivityInput {
    /// Every refusal at once, each naming its field. An activity is logged after it took place:
    /// `held_on` is not after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<Activity, Vec<Invalid>> {
        let mut errors = Vec::new();
        let held_on = keep(&mut errors, past_date("held_on", &self.held_on, today));
        let place = keep(&mut errors, text("place", &self.place, MAX_PLACE, true));
        let participants = keep(&mut errors, participants(&self.participants));
        let title = keep(&mut errors, text("title", &self.title, MAX_TITLE, true));
        let summary = keep(
            &mut errors,
            text("summary", &self.summary, MAX_SUMMARY, true),
        );
        let campaign = keep(&mut errors, optional_text("campaign", &self.campaign, 40));
        match (held_on, place, participants, title, summary, campaign) {
            (
                Some(held_on),
                Some(place),
                Some(participants),
                Some(title),
                Some(summary),
                Some(campaign),
            ) if errors.is_empty() => Ok(Activity {
                held_on,
                place,
                participants,
                title,
                summary,
                campaign,
            }),
            _ => Err(errors),
        }
    }
}

/// An organization's pledges in a campaign by how they stand. Only signed letters count as
/// made (a draft is not a promise yet); every made pledge is in exactly one of the other
/// columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PledgeTally {
    /// Signed (履行中, 已履行, 已逾期 and those cancelled after signing).
    pub made: usize,
    /// Signed, not yet fulfilled, deadline not passed.
    pub in_progress: usize,
    /// Fulfilled (已履行).
    pub kept: usize,
    /// Past the deadline with lines open (已逾期).
    pub lapsed: usize,
    /// Cancelled after signing.
    pub cancelled: usize,
}

impl PledgeTally {
    /// Counts one pledge by whether it was signed and its status derived today.
    pub fn count(&mut self, signed: bool, status: PledgeStatus) {
        if !signed {
            return;
        }
        let column = match status {
            PledgeStatus::Signed | PledgeStatus::InProgress => &mut self.in_progress,
            PledgeStatus::Fulfilled => &mut self.kept,
            PledgeStatus::Lapsed => &mut self.lapsed,
            PledgeStatus::Cancelled => &mut self.cancelled,
            PledgeStatus::Draft => return,
        };
        *column += 1;
        self.made += 1;
    }

    /// Adds another campaign's tally (for the totals row).
    pub fn add(&mut self, other: &PledgeTally) {
        self.made += other.made;
        self.in_progress += other.in_progress;
        self.kept += other.kept;
        self.lapsed += other.lapsed;
        self.cancelled += other.cancelled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2024, 12, 20)
    }

    fn fields(errors: Vec<Invalid>) -> Vec<(String, &'static str)> {
        errors
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    #[test]
    fn grades_read_as_people_write_them() {
        for (typed, want) in [
            ("5A", Grade::A5),
            ("4a", Grade::A4),
            ("3A级", Grade::A3),
            ("ＡＡ", Grade::A2),
            ("A", Grade::A1),
            (" 1A ", Grade::A1),
        ] {
            assert_eq!(grade(typed), Ok(want), "{typed}");
        }
        assert_eq!(grade("6A").unwrap_err().code(), "dict.unknown");
        assert_eq!(grade("AAAAAA").unwrap_err().code(), "dict.unknown");
        assert_eq!(grade("").unwrap_err().code(), "field.required");
        assert_eq!(message(Lang::ZhCn, Grade::A5.label_key()), "5A级");
        for g in Grade::ALL {
            assert_ne!(message(Lang::En, g.label_key()), g.label_key());
        }
    }

    #[test]
    fn a_rating_is_valid_five_years_unless_the_decision_says_otherwise() {
        let input = RatingInput {
            grade: "4A".into(),
            rated_on: "2024年3月1日".into(),
            ..RatingInput::default()
        };
        let r = input.parse(today()).unwrap();
        assert_eq!((r.grade, r.rated_on), (Grade::A4, d(2024, 3, 1)));
        assert_eq!(r.valid_until, d(2029, 2, 28));
        assert!(r.in_force(d(2029, 2, 28)));
        assert!(!r.in_force(d(2029, 3, 1)));
        assert!(!r.in_force(d(2024, 2, 29)), "not before it was given");
        assert_eq!(default_valid_until(d(2024, 2, 29)), Some(d(2029, 2, 27)));

        let shorter = RatingInput {
            valid_until: "2026-12-31".into(),
            ..input.clone()
        };
        assert_eq!(shorter.parse(today()).unwrap().valid_until, d(2026, 12, 31));
    }

    #[test]
    fn rating_refusals_name_their_fields() {
        assert_eq!(
            fields(RatingInput::default().parse(today()).unwrap_err()),
            [
                ("grade".to_owned(), "field.required"),
                ("rated_on".to_owned(), "field.required"),
            ]
        );
        let wrong = RatingInput {
            grade: "B".into(),
            rated_on: "2024-03-01".into(),
            valid_until: "2024-03-01".into(),
            note: "x".repeat(MAX_NOTE + 1),
        };
        assert_eq!(
            fields(wrong.parse(today()).unwrap_err()),
            [
                ("grade".to_owned(), "dict.unknown"),
                ("note".to_owned(), "field.too_long"),
                ("valid_until".to_owned(), "cultivation.valid_until_order"),
            ]
        );
        let future = RatingInput {
            grade: "3A".into(),
            rated_on: "2024-12-21".into(),
            ..RatingInput::default()
        };
        assert_eq!(
            fields(future.parse(today()).unwrap_err()),
            [("rated_on".to_owned(), "household.date_in_future")]
        );
    }

    fn activity() -> ActivityInput {
        ActivityInput {
            held_on: "2024-12-20".into(),
            place: " 上派镇示例村村委会 ".into(),
            participants: "30人".into(),
            title: "冬日送温暖".into(),
            summary: "为12户老人送去棉被并检查取暖器（测试）".into(),
            campaign: String::new(),
        }
    }

    #[test]
    fn a_valid_activity() {
        let a = activity().parse(today()).unwrap();
        assert_eq!(a.held_on, today(), "today itself is fine");
        assert_eq!(a.place, "上派镇示例村村委会");
        assert_eq!(a.participants, 30);
        assert_eq!(a.campaign, None);
        let linked = ActivityInput {
            campaign: " NDXD-DEMO ".into(),
            ..activity()
        };
        assert_eq!(
            linked.parse(today()).unwrap().campaign.as_deref(),
            Some("NDXD-DEMO")
        );
    }

    #[test]
    fn activity_refusals_name_their_fields() {
        let got = fields(ActivityInput::default().parse(today()).unwrap_err());
        for field in ["held_on", "place", "participants", "title", "summary"] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }
        for (_, code) in &got {
            assert_ne!(message(Lang::ZhCn, code), *code);
            assert_ne!(message(Lang::En, code), *code);
        }
        let future = ActivityInput {
            held_on: "2024-12-21".into(),
            ..activity()
        };
        assert_eq!(
            fields(future.parse(today()).unwrap_err()),
            [("held_on".to_owned(), "household.date_in_future")]
        );
        for bad in ["0", "-3", "100001", "许多"] {
            let input = ActivityInput {
                participants: bad.into(),
                ..activity()
            };
            assert_eq!(
                fields(input.parse(today()).unwrap_err()),
                [("participants".to_owned(), "cultivation.participants")],
                "{bad}"
            );
        }
        let long = ActivityInput {
            title: "题".repeat(MAX_TITLE + 1),
            summary: "x\u{7}".into(),
            ..activity()
        };
        assert_eq!(
            fields(long.parse(today()).unwrap_err()),
            [
                ("title".to_owned(), "field.too_long"),
                ("summary".to_owned(), "field.control_chars"),
            ]
        );
    }

    #[test]
    fn drafts_are_not_pledges_made_and_each_made_pledge_sits_in_one_column() {
        use PledgeStatus as S;
        let mut tally = PledgeTally::default();
        tally.count(false, S::Draft);
        tally.count(false, S::Cancelled);
        assert_eq!(tally, PledgeTally::default(), "drafts never count");
        for status in [
            S::Signed,
            S::InProgress,
            S::Fulfilled,
            S::Lapsed,
            S::Cancelled,
        ] {
            tally.count(true, status);
        }
        assert_eq!(
            tally,
            PledgeTally {
                made: 5,
                in_progress: 2,
                kept: 1,
                lapsed: 1,
                cancelled: 1,
            }
        );
        let mut total = tally;
        total.add(&tally);
        assert_eq!(
            total.made,
            total.in_progress + total.kept + total.lapsed + total.cancelled
        );
        assert_eq!(total.made, 10);
    }
}
