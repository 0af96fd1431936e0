//! Resident identity number (居民身份证号码, GB 11643-1999): who a household member is. Parsed
//! strictly because a wrong number attaches help to the wrong person; the check character catches
//! every single-digit typo and every swap of two adjacent digits.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::error::Invalid;
use crate::normalize::clean_code;

const FIELD: &str = "id_number";

/// ISO 7064 MOD 11-2 weights for digits 1–17 (2^(18−i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The 18th character for 17 digits, or `None` when `first17` is not 17 ASCII digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let digits: Vec<u32> = first17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A checked 18-character identity number (upper-case `X`). Parsing first-generation 15-digit
/// numbers yields their 18-character form.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Excel turns a long digit string into a float (`3.40123199003071E+17`) keeping 15 significant
/// digits: the rest are gone, so such input must be refused rather than repaired.
fn looks_like_excel_number(code: &str) -> bool {
    code.contains("E+") || code.contains('.')
}

fn first_non_digit(code: &str, allow_x_last: bool) -> Option<(usize, char)> {
    let last = code.chars().count() - 1;
    code.chars()
        .enumerate()
        .find(|&(i, c)| !(c.is_ascii_digit() || (allow_x_last && i == last && c == 'X')))
}

fn char_error((index, ch): (usize, char)) -> Invalid {
    Invalid::new(FIELD, "id.char")
        .arg("pos", index + 1)
        .arg("ch", ch)
}

/// The birth date in positions 7–14 of 17 or 18 ASCII digits, if it is a real date between
/// 1900-01-01 and `today`.
fn birth_date_in(code: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let (y, m, d) = (&code[6..10], &code[10..12], &code[12..14]);
    let date = NaiveDate::from_ymd_opt(
        y.parse().unwrap_or(0),
        m.parse().unwrap_or(0),
        d.parse().unwrap_or(0),
    );
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    match date {
        Some(date) if date >= earliest && date <= today => Ok(date),
        _ => Err(Invalid::new(FIELD, "id.birth_date").arg("date", format!("{y}-{m}-{d}"))),
    }
}

impl IdNumber {
    /// Parses against today's local date (a birth date may not lie in the future).
    pub fn parse(input: &str) -> Result<IdNumber, Invalid> {
        Self::parse_on(input, chrono::Local::now().date_naive())
    }

    /// Parses as if today were `today`; lets tests and imports of old records fix the date.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<IdNumber, Invalid> {
        let code = clean_code(input);
        if code.is_empty() {
            return Err(Invalid::new(FIELD, "id.empty"));
        }
        if looks_like_excel_number(&code) {
            return Err(Invalid::new(FIELD, "id.numeric").arg("value", input.trim()));
        }
        match code.chars().count() {
            15 => Self::parse_first_generation(&code, today),
            18 => Self::parse_18(code, today),
            len => Err(Invalid::new(FIELD, "id.length").arg("len", len)),
        }
    }

    /// First-generation numbers (issued until 2004) have a two-digit year and no check character.
    fn parse_first_generation(code: &str, today: NaiveDate) -> Result<IdNumber, Invalid> {
        if let Some(bad) = first_non_digit(code, false) {
            return Err(char_error(bad));
        }
        let first17 = format!("{}19{}", &code[..6], &code[6..]);
        birth_date_in(&first17, today)?;
        let check = id_check_char(&first17).unwrap_or('?');
        Ok(IdNumber(format!("{first17}{check}")))
    }

    fn parse_18(code: String, today: NaiveDate) -> Result<IdNumber, Invalid> {
        if let Some(bad) = first_non_digit(&code, true) {
            return Err(char_error(bad));
        }
        birth_date_in(&code, today)?;
        let expected = id_check_char(&code[..17]).unwrap_or('?');
        let found = char::from(code.as_bytes()[17]);
        if expected != found {
            return Err(Invalid::new(FIELD, "id.check")
                .arg("expected", expected)
                .arg("found", found));
        }
        Ok(IdNumber(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        let year = self.0[6..10].parse().unwrap_or(1900);
        let month = self.0[10..12].parse().unwrap_or(1);
        let day = self.0[12..14].parse().unwrap_or(1);
        // Parsing checked the date, so the fallback is never reached.
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
    }

    /// The 17th digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Completed years of age on `date` (0 before the birth date). A person born on 29 February
    /// comes of age on 1 March in common years.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        date.years_since(self.birth_date()).unwrap_or(0)
    }

    /// Year of birth, handy for statistics that must not see the full date.
    pub fn birth_year(&self) -> i32 {
        self.birth_date().year()
    }

    /// Positions 1–6, the county where the number was issued (possibly since abolished).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The form printed on paper given out and shown to roles without a need to see it:
    /// `340123********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], self.last4())
    }

    /// The last four characters, which people use to confirm who they are on the phone.
    pub fn last4(&self) -> &str {
        &self.0[14..]
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn parse(input: &str) -> Result<IdNumber, Invalid> {
        IdNumber::parse_on(input, today())
    }

    fn refusal(input: &str) -> (&'static str, Vec<(&'static str, String)>) {
        let e = parse(input).unwrap_err();
        (e.code(), e.0.args)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_standards_example() {
        let id = parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn domain_examples() {
        let man = parse("340123199003071234").unwrap();
        assert_eq!((man.sex(), man.birth_year()), (Sex::Male, 1990));
        assert_eq!(man.age_on(today()), 34);
        assert_eq!(man.masked(), "340123********1234");
        assert_eq!(man.last4(), "1234");

        let girl = parse("340123201501010047").unwrap();
        assert_eq!(girl.sex(), Sex::Female);
        assert!(girl.age_on(today()) < 14);
        assert_eq!(girl.age_on(date(2029, 1, 1)), 14);
        assert_eq!(girl.age_on(date(2028, 12, 31)), 13);
    }

    #[test]
    fn first_generation_numbers_are_upgraded() {
        assert_eq!(
            parse("110105491231002").unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(refusal("110105491331002").0, "id.birth_date");
        assert_eq!(refusal("11010549123100X").0, "id.char");
    }

    #[test]
    fn numbers_that_excel_rounded_are_refused() {
        assert_eq!(refusal("3.40123199003071E+17").0, "id.numeric");
        assert_eq!(refusal("3.40123199003071e+17").0, "id.numeric");
        assert_eq!(refusal("340123199003071234.0").0, "id.numeric");
    }

    #[test]
    fn says_which_problem() {
        assert_eq!(refusal(" \u{3000}").0, "id.empty");
        assert_eq!(
            refusal("34012319900307123"),
            ("id.length", vec![("len", "17".into())])
        );
        assert_eq!(
            refusal("34012319900307123Y"),
            ("id.char", vec![("pos", "18".into()), ("ch", "Y".into())])
        );
        assert_eq!(
            refusal("3401231990X3071234"),
            ("id.char", vec![("pos", "11".into()), ("ch", "X".into())])
        );
        assert_eq!(
            refusal("340123199002301234"),
            ("id.birth_date", vec![("date", "1990-02-30".into())])
        );
        assert_eq!(
            refusal("340123199003071235"),
            (
                "id.check",
                vec![("expected", "4".into()), ("found", "5".into())]
            )
        );
    }

    #[test]
    fn birth_dates_follow_the_calendar() {
        let with_date = |date: &str| {
            let first17 = format!("340123{date}123");
            format!("{first17}{}", id_check_char(&first17).unwrap())
        };
        assert!(parse(&with_date("20000229")).is_ok(), "2000 is a leap year");
        assert_eq!(
            refusal(&with_date("19000229")).0,
            "id.birth_date",
            "1900 is not"
        );
        assert_eq!(refusal(&with_date("18991231")).0, "id.birth_date");
        assert!(parse(&with_date("19000101")).is_ok());
        assert!(parse(&with_date("20241220")).is_ok(), "born today");
        assert_eq!(
            refusal(&with_date("20241221")).0,
            "id.birth_date",
            "born tomorrow"
        );
        assert!(IdNumber::parse_on(&with_date("20241221"), date(2025, 1, 1)).is_ok());
    }

    #[test]
    fn leap_day_birthdays() {
        let first17 = "34012320000229123";
        let id = parse(&format!("{first17}{}", id_check_char(first17).unwrap())).unwrap();
        assert_eq!(id.age_on(date(2001, 2, 28)), 0);
        assert_eq!(id.age_on(date(2001, 3, 1)), 1);
        assert_eq!(id.age_on(date(1999, 1, 1)), 0);
    }

    #[test]
    fn serde_uses_the_string_and_lowercase_sex() {
        let id = parse("11010519491231002X").unwrap();
        assert_eq!(
            toml::Value::try_from(&id).unwrap(),
            toml::Value::String(id.as_str().into())
        );
        assert_eq!(
            toml::Value::try_from(Sex::Male).unwrap(),
            toml::Value::String("male".into())
        );
        let bad: Result<IdNumber, _> = toml::Value::String("110105194912310021".into()).try_into();
        assert!(bad.is_err());
    }

    fn valid_id() -> impl Strategy<Value = IdNumber> {
        let days = (today() - date(1900, 1, 1)).num_days();
        (0u32..1_000_000, 0..=days, 0u32..1000).prop_map(|(region, offset, seq)| {
            let birth = date(1900, 1, 1) + chrono::Duration::days(offset);
            let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            IdNumber(format!("{first17}{}", id_check_char(&first17).unwrap()))
        })
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips(id in valid_id()) {
            prop_assert_eq!(parse(&id.as_str().to_lowercase()), Ok(id.clone()));
            prop_assert_eq!(parse(id.as_str()), Ok(id));
        }

        #[test]
        fn every_single_digit_substitution_is_refused(id in valid_id(), pos in 0usize..17, digit in 0u8..10) {
            let mut bytes = id.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != b'0' + digit);
            bytes[pos] = b'0' + digit;
            let changed = String::from_utf8(bytes).unwrap();
            let code = parse(&changed).map(|_| ()).map_err(|e| e.code());
            prop_assert!(matches!(code, Err("id.check" | "id.birth_date")), "{changed}: {code:?}");
        }

        /// Whatever is typed into the column: a number (parsing to itself again) or a refusal
        /// naming the field, with a message in both languages and nothing left unfilled.
        #[test]
        fn any_text_parses_or_is_refused_naming_the_field(
            input in prop_oneof!["\\PC{0,24}", "[0-9０-９xX \\-'.eE+]{0,22}"],
        ) {
            match parse(&input) {
                Ok(id) => prop_assert_eq!(parse(id.as_str()), Ok(id.clone())),
                Err(e) => {
                    prop_assert_eq!(e.field(), FIELD);
                    // The message quotes the input; braces typed there are not placeholders.
                    prop_assume!(!input.contains(['{', '}']));
                    for lang in [Lang::ZhCn, Lang::En] {
                        let message = e.message(lang);
                        prop_assert!(message != e.code() && !message.contains('{'), "{input:?}: {message}");
                    }
                }
            }
        }

        #[test]
        fn every_adjacent_swap_is_refused(id in valid_id(), pos in 0usize..16) {
            let mut bytes = id.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let swapped = String::from_utf8(bytes).unwrap();
            let code = parse(&swapped).map(|_| ()).map_err(|e| e.code());
            prop_assert!(matches!(code, Err("id.check" | "id.birth_date")), "{swapped}: {code:?}");
        }
    }
}
