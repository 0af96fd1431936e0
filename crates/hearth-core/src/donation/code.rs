//! The verification code (查验码) printed on a donation's acknowledgement. Anyone holding the
//! paper can look the donation up at `/verify/<code>` without signing in, so the code must be
//! hard to guess and easy to type from paper: twelve characters from an alphabet without the
//! look-alikes 0/O and 1/I, 60 bits of chance.

use std::fmt;

use crate::normalize::clean_code;

/// Digits 2–9 and the letters but I and O: 32 characters, so a random byte maps onto them evenly.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Characters in a code.
pub const LENGTH: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// A code from random bytes (the caller draws them; this crate does no I/O). 256 is a
    /// multiple of 32, so every character is equally likely.
    pub fn from_random(bytes: [u8; LENGTH]) -> VerificationCode {
        VerificationCode(
            bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
                .collect(),
        )
    }

    /// A code as typed or read from a link: case, spaces, dashes and full-width characters do
    /// not matter. `None` for anything that cannot be a code, which the public page answers
    /// exactly as it answers an unknown one.
    pub fn parse(raw: &str) -> Option<VerificationCode> {
        let cleaned: String = clean_code(raw).chars().filter(|c| *c != '-').collect();
        let fits = cleaned.len() == LENGTH && cleaned.bytes().all(|b| ALPHABET.contains(&b));
        fits.then_some(VerificationCode(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four for paper (`ABCD-EFGH-JKLM`).
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for confusing in [b'0', b'O', b'1', b'I'] {
            assert!(!ALPHABET.contains(&confusing));
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), 32);
    }

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = VerificationCode::from_random([0, 1, 31, 32, 255, 116, 8, 9, 10, 11, 12, 13]);
        assert_eq!(code.as_str(), "23Z2ZNABCDEF");
        assert_eq!(code.grouped(), "23Z2-ZNAB-CDEF");
        assert_eq!(VerificationCode::parse(&code.grouped()), Some(code.clone()));
        assert_eq!(
            VerificationCode::parse(" 23z2 znab cdef "),
            Some(code.clone())
        );
        assert_eq!(
            VerificationCode::parse("２３Ｚ２ＺＮＡＢＣＤＥＦ"),
            Some(code)
        );
        for wrong in [
            "",
            "23Z2ZNABCDE",
            "23Z2ZNABCDEFG",
            "O3Z2ZNABCDEF",
            "23Z2ZNAB/DEF",
        ] {
            assert_eq!(VerificationCode::parse(wrong), None, "{wrong}");
        }
    }

    proptest! {
        #[test]
        fn every_random_code_parses(bytes in any::<[u8; LENGTH]>()) {
            let code = VerificationCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), LENGTH);
            prop_assert_eq!(VerificationCode::parse(code.as_str()), Some(code));
        }

        #[test]
        fn parsing_never_panics(raw in ".{0,40}") {
            let _ = VerificationCode::parse(&raw);
        }
    }
}
