//! Households in difficulty (困难家庭) as villages register them: members, category tags, causes,
//! consent, the review workflow, masking and the vulnerability score.
//!
//! Everything here is pure: the application adds permissions, scope, blind-index uniqueness,
//! encryption and the audit log around it. A [`HouseholdProfile`] only comes out of
//! [`HouseholdInput::parse`], so a profile in hand is valid; what is still missing before the
//! record may go to review is listed by [`HouseholdProfile::ready_to_submit`].

use chrono::NaiveDate;

use crate::{Invalid, Notice};

pub mod category;
pub mod consent;
pub mod mask;
pub mod member;
pub mod profile;
pub mod score;
pub mod status;

pub use category::{Category, CategoryTag, CategoryTagInput, Cause};
pub use consent::{Consent, ConsentInput, ConsentScope};
pub use mask::{mask_id, mask_name, mask_phone};
pub use member::{Disability, DisabilityKind, Member, MemberInput, Relation};
pub use profile::{HouseholdInput, HouseholdProfile};
pub use score::{Score, ScorePart, vulnerability};
pub use status::{HouseholdAction, HouseholdStatus, check_reviewer, next, return_reason};

/// Children below this age are consented for by a guardian (PIPL art. 31) and count as children
/// in the score.
pub const CHILD_AGE: u32 = 14;

/// The same refusal, reported at another field (a dictionary or newtype names its own field).
pub(crate) fn at(field: &str, e: Invalid) -> Invalid {
    Invalid(Notice {
        field: field.to_owned(),
        ..e.0
    })
}

/// The value, or `None` with the refusal added to `errors`; lets a parser collect every error.
pub(crate) fn keep<T>(errors: &mut Vec<Invalid>, result: Result<T, Invalid>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A trimmed text of at most `max` characters without control characters; empty is refused
/// when `required`.
pub(crate) fn text(
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<String, Invalid> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Invalid::new(field, "field.too_long")
            .arg("max", max)
            .arg("len", len));
    }
    // Line breaks are fine in notes; other control characters are invisible mistakes.
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(field, "field.control_chars"));
    }
    Ok(value.to_owned())
}

/// Like [`text`], but empty becomes `None`.
pub(crate) fn optional_text(
    field: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, Invalid> {
    let value = text(field, value, max, false)?;
    Ok((!value.is_empty()).then_some(value))
}

/// A calendar date as people write it on forms and in spreadsheets: `2024-12-20`, `2024/12/20`,
/// `2024.12.20`, `2024年12月20日`, `20241220`, with or without leading zeros and in full-width
/// digits. Never later than `today` (what was verified or signed lies in the past).
pub(crate) fn past_date(field: &str, raw: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let date = date(field, raw)?;
    if date > today {
        return Err(Invalid::new(field, "household.date_in_future").arg("date", date));
    }
    Ok(date)
}

pub(crate) fn date(field: &str, raw: &str) -> Result<NaiveDate, Invalid> {
    let cleaned = crate::normalize::clean_code(raw);
    if cleaned.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    let refuse = || Invalid::new(field, "household.date").arg("value", raw.trim());
    let unified: String = cleaned
        .trim_end_matches('日')
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            c => c,
        })
        .collect();
    let parts: Vec<&str> = if unified.len() == 8 && unified.bytes().all(|b| b.is_ascii_digit()) {
        vec![&unified[..4], &unified[4..6], &unified[6..]]
    } else {
        unified.split('-').collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(refuse());
    };
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match (digits(y, 4), digits(m, 2), digits(d, 2)) {
        (Some(y), Some(m), Some(d)) if y >= 1900 => {
            NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(refuse)
        }
        _ => Err(refuse()),
    }
}

/// An optional date: empty is `None`.
pub(crate) fn optional_date(field: &str, raw: &str) -> Result<Option<NaiveDate>, Invalid> {
    if crate::normalize::clean_code(raw).is_empty() {
        return Ok(None);
    }
    date(field, raw).map(Some)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Synthetic people for the tests: the ID numbers of domain.md §1 and numbers built with a
    //! correct check character; the names are invented.

    use chrono::NaiveDate;

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn today() -> NaiveDate {
        day(2024, 12, 20)
    }

    /// Female, born 1949-12-31 (75 on `today`).
    pub const ELDER: &str = "11010519491231002X";
    /// Male, born 1990-03-07.
    pub const MAN: &str = "340123199003071234";
    /// Female, born 2015-01-01 (under 14).
    pub const GIRL: &str = "340123201501010047";

    /// A valid ID number for someone born on `birth` with sequence `seq` (odd = male).
    pub fn id_born(birth: NaiveDate, seq: u32) -> String {
        let first17 = format!("340123{}{:03}", birth.format("%Y%m%d"), seq % 1000);
        let check = crate::id_number::id_check_char(&first17).unwrap();
        format!("{first17}{check}")
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn dates_in_the_ways_people_write_them() {
        for raw in [
            "2024-12-20",
            "2024/12/20",
            "2024.12.20",
            "2024年12月20日",
            "20241220",
            " ２０２４－１２－２０ ",
            "２０２４年１２月２０日",
        ] {
            assert_eq!(date("d", raw), Ok(today()), "{raw}");
        }
        assert_eq!(date("d", "2024-3-7"), Ok(day(2024, 3, 7)));
        assert_eq!(date("d", "2024年3月7日"), Ok(day(2024, 3, 7)));
    }

    #[test]
    fn bad_dates_name_the_field_and_value() {
        for raw in [
            "2024-02-30",
            "2024-13-01",
            "24-12-20",
            "2024-12",
            "yesterday",
            "2024-12-20-1",
            "1899-12-31",
        ] {
            let e = date("categories[0].verified_on", raw).unwrap_err();
            assert_eq!(e.code(), "household.date", "{raw}");
            assert_eq!(e.field(), "categories[0].verified_on");
            assert_eq!(e.0.args, vec![("value", raw.to_owned())]);
        }
        assert_eq!(date("d", "  ").unwrap_err().code(), "field.required");
        assert_eq!(optional_date("d", " "), Ok(None));
    }

    #[test]
    fn past_dates_refuse_tomorrow() {
        assert_eq!(past_date("d", "2024-12-20", today()), Ok(today()));
        let e = past_date("d", "2024-12-21", today()).unwrap_err();
        assert_eq!(e.code(), "household.date_in_future");
        assert_eq!(e.0.args, vec![("date", "2024-12-21".to_owned())]);
    }

    #[test]
    fn text_rules() {
        assert_eq!(text("f", "  张三 ", 10, true), Ok("张三".to_owned()));
        assert_eq!(
            text("f", " ", 10, true).unwrap_err().code(),
            "field.required"
        );
        assert_eq!(text("f", "", 10, false), Ok(String::new()));
        assert_eq!(
            text("f", "一二三", 2, false).unwrap_err().code(),
            "field.too_long"
        );
        assert_eq!(
            text("f", "a\u{7}b", 10, false).unwrap_err().code(),
            "field.control_chars"
        );
        assert_eq!(
            text("f", "第一行\n第二行", 10, false),
            Ok("第一行\n第二行".to_owned())
        );
        assert_eq!(optional_text("f", "  ", 10), Ok(None));
    }

    #[test]
    fn the_test_numbers_are_valid() {
        for id in [ELDER, MAN, GIRL, id_born(day(1940, 5, 6), 11).as_str()] {
            assert!(crate::IdNumber::parse_on(id, today()).is_ok(), "{id}");
        }
    }
}
