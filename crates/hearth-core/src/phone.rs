//! Mainland China phone numbers as they are written on forms: mobiles (`138 0013 8000`,
//! `+86 13800138000`) and landlines with their area code (`(0551) 1234-5678`).

use std::fmt;
use std::str::FromStr;

use crate::error::Invalid;
use crate::normalize::clean_code;

const FIELD: &str = "phone";

/// A mobile number (11 digits) or a landline stored as `area-local`, e.g. `0551-12345678`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Drops the country code only where what follows is a full mobile number, so a landline such as
/// `0086...` or a number that merely begins with 86 is left alone.
fn without_country_code(digits: &str) -> &str {
    for prefix in ["+86", "0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == 11
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            return rest;
        }
    }
    digits
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Splits a landline into area code and local number. Area codes are `010` and `02x` (three
/// digits) or four digits for the rest of the country, which decides the split even when the
/// number was written without a separator.
fn split_landline(digits: &str) -> Option<(&str, &str)> {
    let b = digits.as_bytes();
    // `00` starts an international call, never an area code.
    if b.len() < 3 || b[0] != b'0' || b[1] == b'0' {
        return None;
    }
    let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
    let (area, local) = digits.split_at(area_len.min(digits.len()));
    // A local number starting with 0 is an area code typed twice or a digit too many.
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with('0');
    local_ok.then_some((area, local))
}

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, Invalid> {
        // clean_code already removes spaces, the Excel text mark and full-width forms.
        let cleaned = clean_code(input);
        let digits: String = cleaned
            .chars()
            .filter(|c| !matches!(c, '-' | '(' | ')'))
            .collect();
        if digits.is_empty() {
            return Err(Invalid::new(FIELD, "phone.empty"));
        }
        let digits = without_country_code(&digits);
        let refuse = || Invalid::new(FIELD, "phone.format").arg("value", input.trim());
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse());
        }
        if is_mobile(digits) {
            return Ok(Phone(digits.to_owned()));
        }
        let (area, local) = split_landline(digits).ok_or_else(refuse)?;
        Ok(Phone(format!("{area}-{local}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.contains('-')
    }

    /// What roles without a need to call see: `138****1234`, or `0551-******78` for a landline
    /// (the area code still says where the household is reached).
    pub fn masked(&self) -> String {
        match self.0.split_once('-') {
            None => format!("{}****{}", &self.0[..3], &self.0[7..]),
            Some((area, local)) => {
                let stars = "*".repeat(local.len() - 2);
                format!("{area}-{stars}{}", &local[local.len() - 2..])
            }
        }
    }

    /// The last four digits, used to tell two contacts apart without showing the number.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

impl TryFrom<String> for Phone {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::*;

    fn ok(input: &str) -> String {
        Phone::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .0
    }

    fn refused(input: &str) -> &'static str {
        Phone::parse(input).unwrap_err().code()
    }

    #[test]
    fn mobiles_in_the_ways_people_write_them() {
        for input in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "8613800138000",
            "'13800138000",
            "１３８００１３８０００",
        ] {
            assert_eq!(ok(input), "13800138000", "{input}");
        }
        assert_eq!(ok("19912345678"), "19912345678");
    }

    #[test]
    fn landlines_keep_their_area_code() {
        for input in [
            "0551-12345678",
            "(0551)12345678",
            "（0551）1234 5678",
            "055112345678",
        ] {
            assert_eq!(ok(input), "0551-12345678", "{input}");
        }
        assert_eq!(ok("010-88886666"), "010-88886666");
        assert_eq!(ok("01088886666"), "010-88886666");
        assert_eq!(ok("0564-3212345"), "0564-3212345");
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(refused(" - "), "phone.empty");
        for input in [
            "12345678",
            "12800138000",
            "1380013800",
            "138001380001",
            "0551-123456",
            "0551-012345678",
            "86 0551 1234567x",
            "phone",
        ] {
            assert_eq!(refused(input), "phone.format", "{input}");
        }
        let e = Phone::parse(" 1380013800 ").unwrap_err();
        assert_eq!(e.0.args, vec![("value", "1380013800".into())]);
    }

    #[test]
    fn masks_and_last_digits() {
        let mobile = Phone::parse("13812341234").unwrap();
        assert!(mobile.is_mobile());
        assert_eq!(mobile.masked(), "138****1234");
        assert_eq!(mobile.last4(), "1234");
        let landline = Phone::parse("0551-12345678").unwrap();
        assert!(!landline.is_mobile());
        assert_eq!(landline.masked(), "0551-******78");
        assert_eq!(landline.last4(), "5678");
    }

    proptest! {
        #[test]
        fn mobiles_round_trip(number in "1[3-9][0-9]{9}") {
            let phone = Phone::parse(&number).unwrap();
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert_eq!(Phone::parse(&format!("+86 {number}")), Ok(phone.clone()));
            prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone));
        }

        #[test]
        fn landlines_round_trip(number in "0(10|2[0-9]|[3-9][0-9]{2})-[1-9][0-9]{6,7}") {
            let phone = Phone::parse(&number).unwrap();
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert_eq!(Phone::parse(&number.replace('-', "")), Ok(phone));
        }

        /// Whatever is typed into the column: a phone (parsing to itself again) or a refusal
        /// naming the field, with a message in both languages and nothing left unfilled.
        #[test]
        fn any_text_parses_or_is_refused_naming_the_field(
            input in prop_oneof!["\\PC{0,24}", "[0-9０-９+()（） \\-转]{0,22}"],
        ) {
            match Phone::parse(&input) {
                Ok(phone) => prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone.clone())),
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
        fn masking_hides_the_middle(number in "1[3-9][0-9]{9}") {
            let masked = Phone::parse(&number).unwrap().masked();
            prop_assert_eq!(masked.len(), 11);
            prop_assert_eq!(&masked[3..7], "****");
        }
    }
}
