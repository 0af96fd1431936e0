//! Undoing what spreadsheets, input methods and copy-paste do to codes before they are checked.
//!
//! Identity numbers and credit codes reach us typed on phones with a Chinese input method (which
//! produces full-width characters and U+3000 spaces), pasted from Word (smart quotes) or exported
//! from Excel with the `'` that forces a cell to text. None of that is an error in the code itself,
//! so it is cleaned away before any check; what remains wrong is reported.

/// Characters that are invisible in a form or cell but break a comparison. `char::is_whitespace`
/// misses these: they come from pasted web pages and from files saved with a byte-order mark.
const INVISIBLE: [char; 4] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}'];

/// Quotes that mark a spreadsheet cell as text (`'`) or that a word processor made of it.
const TEXT_MARKS: [char; 3] = ['\'', '\u{2018}', '\u{2019}'];

/// Full-width ASCII (U+FF01..=U+FF5E) maps one to one onto `!`..=`~`.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The code as the check algorithms expect it: no whitespace anywhere, no leading text mark,
/// ASCII instead of full-width, upper case (`x` → `X`). Other characters are kept so that the
/// parser can name them.
pub fn clean_code(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && !INVISIBLE.contains(c))
        .map(half_width)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match cleaned.strip_prefix(TEXT_MARKS) {
        Some(rest) => rest.to_owned(),
        None => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn removes_spreadsheet_and_input_method_noise() {
        assert_eq!(clean_code("  '11010519491231002x "), "11010519491231002X");
        assert_eq!(clean_code("‘340123 1990 0307 1234"), "340123199003071234");
        assert_eq!(
            clean_code("３４０１２３\u{3000}１９９００３０７１２３４"),
            "340123199003071234"
        );
        assert_eq!(
            clean_code("\u{FEFF}91350100m000100y43"),
            "91350100M000100Y43"
        );
        assert_eq!(clean_code("＇52340123MJ00000186"), "52340123MJ00000186");
    }

    #[test]
    fn keeps_what_it_cannot_explain() {
        // Only one leading mark is a text marker; an inner quote or a CJK character is a real
        // mistake the parser should point at.
        assert_eq!(clean_code("''123"), "'123");
        assert_eq!(clean_code("12'3"), "12'3");
        assert_eq!(clean_code("12中3"), "12中3");
        assert_eq!(clean_code(""), "");
        assert_eq!(clean_code(" \u{3000} "), "");
    }

    proptest! {
        #[test]
        fn is_idempotent_on_codes(s in "[0-9A-Za-z ]{0,24}") {
            let once = clean_code(&s);
            prop_assert_eq!(clean_code(&once), once.clone());
        }

        #[test]
        fn full_width_equals_half_width(s in "[!-~]{0,24}") {
            let wide: String = s.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
            prop_assert_eq!(clean_code(&wide), clean_code(&s));
        }

        #[test]
        fn never_leaves_whitespace(s in "\\PC{0,24}") {
            prop_assert!(!clean_code(&s).chars().any(char::is_whitespace));
        }
    }
}
