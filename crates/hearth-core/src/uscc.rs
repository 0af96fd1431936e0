//! Unified Social Credit Code (统一社会信用代码, GB 32100-2015): every organization's 18-character
//! identifier, checked the way the standard says so that a mistyped code is caught on entry.

use std::fmt;
use std::str::FromStr;

use crate::error::{Invalid, Notice};
use crate::normalize::clean_code;

const FIELD: &str = "uscc";

/// The 31 characters a code may use; a character's value is its index. I, O, Z, S and V are left
/// out because they are easily read as 1, 0, 2, 5 and U.
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 weights for positions 1–17: 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights for the organization code's positions 1–8 (the credit code's 9–16).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

/// The 18th character for a 17-character prefix, or `None` when the prefix is not 17 characters
/// of the alphabet. The prefix is taken as given (upper case, no spaces).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17.chars().map(value).collect::<Option<_>>()?;
    if values.len() != WEIGHTS.len() {
        return None;
    }
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    USCC_ALPHABET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// A valid code made from a 17-character prefix by appending its check character; used to make
/// synthetic demo organizations that pass every check.
pub fn complete_uscc(first17: &str) -> Option<Uscc> {
    let check = uscc_check_char(first17)?;
    Some(Uscc(format!("{first17}{check}")))
}

/// GB 11714 check over the organization code's first 8 characters. Letters count over the full
/// Latin alphabet (A=10 … Z=35), unlike the credit code's own check.
fn org_check_char(body: &str) -> char {
    let sum: u32 = body
        .chars()
        .zip(ORG_WEIGHTS)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('0'),
    }
}

/// A code that has passed the GB 32100 check. Holds the normalized 18 ASCII characters.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Uscc, Invalid> {
        let code = clean_code(input);
        if code.is_empty() {
            return Err(Invalid::new(FIELD, "uscc.empty"));
        }
        let len = code.chars().count();
        if len != 18 {
            return Err(Invalid::new(FIELD, "uscc.length").arg("len", len));
        }
        if let Some((i, ch)) = code.chars().enumerate().find(|(_, c)| value(*c).is_none()) {
            return Err(Invalid::new(FIELD, "uscc.char")
                .arg("pos", i + 1)
                .arg("ch", ch));
        }
        // All 18 are alphabet characters, hence ASCII: byte slicing is safe from here on.
        let expected = uscc_check_char(&code[..17]).unwrap_or('?');
        let found = code.chars().nth(17).unwrap_or('?');
        if expected != found {
            return Err(Invalid::new(FIELD, "uscc.check")
                .arg("expected", expected)
                .arg("found", found));
        }
        Ok(Uscc(code))
    }

    /// Remarks that do not stop the code being accepted: some early, legally issued codes carry an
    /// organization code whose own check (position 17) fails.
    pub fn warnings(&self) -> Vec<Notice> {
        let expected = org_check_char(&self.0[8..16]);
        let found = self.char_at(16);
        if expected == found {
            Vec::new()
        } else {
            vec![
                Notice::new(FIELD, "uscc.org_check")
                    .arg("expected", expected)
                    .arg("found", found),
            ]
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn char_at(&self, index: usize) -> char {
        char::from(self.0.as_bytes()[index])
    }

    /// Position 1, the registering authority: `5` civil affairs, `9` market regulation, `1`
    /// government organs, `Y` other.
    pub fn authority(&self) -> char {
        self.char_at(0)
    }

    /// Registered with civil affairs (民政): social groups, social-service organizations and
    /// foundations, the organizations this platform is mostly about.
    pub fn is_civil_affairs(&self) -> bool {
        self.authority() == '5'
    }

    /// Position 2, the kind within the authority; under civil affairs `1` 社会团体,
    /// `2` 民办非企业单位/社会服务机构, `3` 基金会, `9` other.
    pub fn kind_code(&self) -> char {
        self.char_at(1)
    }

    /// Positions 3–8: the area code of the registering authority (county, city or province).
    pub fn area_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organization code (组织机构代码) including its own check character.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(code: Uscc) -> String {
        code.0
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use proptest::prelude::*;

    const EXAMPLES: [&str; 3] = [
        "91350100M000100Y43",
        "51340123MJB123456R",
        "52340123MJ00000186",
    ];

    fn code(result: Result<Uscc, Invalid>) -> &'static str {
        result.err().map(|e| e.code()).unwrap_or("ok")
    }

    #[test]
    fn domain_examples_parse_without_warnings() {
        for example in EXAMPLES {
            let uscc = Uscc::parse(example).unwrap();
            assert_eq!(uscc.as_str(), example);
            assert!(
                uscc.warnings().is_empty(),
                "{example}: {:?}",
                uscc.warnings()
            );
        }
    }

    #[test]
    fn accessors_read_the_positions() {
        let social_group = Uscc::parse("51340123MJB123456R").unwrap();
        assert!(social_group.is_civil_affairs());
        assert_eq!(social_group.authority(), '5');
        assert_eq!(social_group.kind_code(), '1');
        assert_eq!(social_group.area_code(), "340123");
        assert_eq!(social_group.org_code(), "MJB123456");
        let company = Uscc::parse("91350100M000100Y43").unwrap();
        assert!(!company.is_civil_affairs());
        assert_eq!(company.area_code(), "350100");
    }

    #[test]
    fn normalizes_before_checking() {
        let uscc = Uscc::parse(" '５２３４０１２３ｍｊ 00000186 ").unwrap();
        assert_eq!(uscc.as_str(), "52340123MJ00000186");
        assert_eq!("52340123mj00000186".parse::<Uscc>().unwrap(), uscc);
    }

    #[test]
    fn says_which_problem() {
        assert_eq!(code(Uscc::parse("  ")), "uscc.empty");
        let short = Uscc::parse("5234012MJ00000186").unwrap_err();
        assert_eq!(
            (short.code(), short.0.args.clone()),
            ("uscc.length", vec![("len", "17".into())])
        );
        let letter = Uscc::parse("52340123MJ0000O186").unwrap_err();
        assert_eq!(letter.code(), "uscc.char");
        assert_eq!(
            letter.0.args,
            vec![("pos", "15".into()), ("ch", "O".into())]
        );
        let check = Uscc::parse("52340123MJ00000187").unwrap_err();
        assert_eq!(check.code(), "uscc.check");
        assert_eq!(
            check.0.args,
            vec![("expected", "6".into()), ("found", "7".into())]
        );
        assert!(
            check.message(Lang::ZhCn).contains('6'),
            "{}",
            check.message(Lang::ZhCn)
        );
    }

    #[test]
    fn a_failing_organization_check_is_only_a_warning() {
        // Position 17 changed from 6 to 1, position 18 recomputed so the credit code is valid.
        let uscc = complete_uscc("51340123MJB123451").unwrap();
        let parsed = Uscc::parse(uscc.as_str()).unwrap();
        let warnings = parsed.warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, "uscc.org_check");
        assert_eq!(
            warnings[0].args,
            vec![("expected", "6".into()), ("found", "1".into())]
        );
    }

    #[test]
    fn check_char_helpers() {
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(uscc_check_char("91350100M000100Y"), None);
        assert_eq!(uscc_check_char("91350100M000100I4"), None);
        assert_eq!(
            complete_uscc("52340123MJ0000018").unwrap().as_str(),
            "52340123MJ00000186"
        );
    }

    #[test]
    fn serde_goes_through_parse() {
        let uscc = Uscc::parse(EXAMPLES[0]).unwrap();
        assert_eq!(
            toml::Value::try_from(&uscc).unwrap(),
            toml::Value::String(EXAMPLES[0].into())
        );
        let ok: Result<Uscc, _> = toml::Value::String(EXAMPLES[1].into()).try_into();
        assert!(ok.is_ok());
        let bad: Result<Uscc, _> = toml::Value::String("52340123MJ00000187".into()).try_into();
        assert!(bad.is_err());
    }

    fn valid_code() -> impl Strategy<Value = Uscc> {
        proptest::collection::vec(
            proptest::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>()),
            17,
        )
        .prop_map(|chars| complete_uscc(&chars.into_iter().collect::<String>()).unwrap())
    }

    proptest! {
        #[test]
        fn every_valid_code_round_trips(uscc in valid_code()) {
            prop_assert_eq!(Uscc::parse(uscc.as_str()), Ok(uscc.clone()));
            prop_assert_eq!(Uscc::parse(&uscc.as_str().to_lowercase()), Ok(uscc));
        }

        #[test]
        fn every_substitution_is_refused(
            uscc in valid_code(),
            pos in 0usize..18,
            with in proptest::sample::select("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars().collect::<Vec<_>>()),
        ) {
            let mut chars: Vec<char> = uscc.as_str().chars().collect();
            prop_assume!(chars[pos] != with);
            chars[pos] = with;
            let changed: String = chars.into_iter().collect();
            let result = code(Uscc::parse(&changed));
            prop_assert!(result == "uscc.check" || result == "uscc.char", "{changed}: {result}");
        }

        #[test]
        fn every_adjacent_swap_is_refused(uscc in valid_code(), pos in 0usize..17) {
            let mut chars: Vec<char> = uscc.as_str().chars().collect();
            prop_assume!(chars[pos] != chars[pos + 1]);
            chars.swap(pos, pos + 1);
            let swapped: String = chars.into_iter().collect();
            match Uscc::parse(&swapped) {
                // Swapping the check character into the body can by chance give another valid
                // code; within the body the weights make every swap detectable.
                Ok(other) => {
                    prop_assert_eq!(pos, 16);
                    prop_assert_ne!(other, uscc);
                }
                Err(e) => prop_assert_eq!(e.code(), "uscc.check"),
            }
        }
    }
}
