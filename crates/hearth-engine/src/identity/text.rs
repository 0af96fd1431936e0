//! Normalisation of the fields before they are compared: what spreadsheets, input methods and
//! different clerks do to the same fact (full-width digits, `+86`, `三岗村` beside `三岗`,
//! `肥西县上派镇…` beside `…王郢组12号`) must not look like a difference.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use hearth_core::id_number::id_check_char;
use hearth_core::normalize::clean_code;
use pinyin::ToPinyin;

use super::record::IdState;

/// A stable 64-bit hash (the same on every run and machine) for in-memory keys.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Whitespace and invisible characters removed, full-width folded, upper case.
pub(crate) fn clean(s: &str) -> String {
    clean_code(s)
}

/// The ID number as 18 bytes and what its check character says. First-generation 15-digit
/// numbers are lifted to 18 characters; anything not 18 characters of digits and `X` after that
/// counts as missing (it cannot be compared digit by digit).
pub(crate) fn id_number(input: &str) -> ([u8; 18], IdState) {
    let code = clean_code(input);
    let mut id = [0u8; 18];
    if code.len() == 15 && code.bytes().all(|b| b.is_ascii_digit()) {
        let first17 = format!("{}19{}", &code[..6], &code[6..]);
        let check = id_check_char(&first17).unwrap_or('0');
        id.copy_from_slice(format!("{first17}{check}").as_bytes());
        return (id, IdState::Unchecked);
    }
    let bytes = code.as_bytes();
    if bytes.len() != 18 || !bytes.iter().all(|b| b.is_ascii_digit() || *b == b'X') {
        return (id, IdState::Missing);
    }
    id.copy_from_slice(bytes);
    let valid = std::str::from_utf8(&id[..17])
        .ok()
        .and_then(id_check_char)
        .is_some_and(|check| check as u8 == id[17]);
    (
        id,
        if valid {
            IdState::Valid
        } else {
            IdState::Invalid
        },
    )
}

fn date_number(y: u32, m: u32, d: u32) -> u32 {
    let plausible = (1880..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
    if plausible {
        y * 10_000 + m * 100 + d
    } else {
        0
    }
}

/// `yyyymmdd`, or 0 when the field is empty or not a date.
pub(crate) fn birth_date(input: &str) -> u32 {
    let cleaned = clean_code(input);
    let parts: Vec<&str> = cleaned
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    match parts.as_slice() {
        [all] if all.len() == 8 => date_number(num(&all[..4]), num(&all[4..6]), num(&all[6..])),
        [y, m, d] => date_number(num(y), num(m), num(d)),
        _ => 0,
    }
}

/// The birth date written in positions 7–14 of an ID number.
pub(crate) fn birth_from_id(id: &[u8; 18]) -> u32 {
    std::str::from_utf8(&id[6..14]).ok().map_or(0, birth_date)
}

/// The phone's digits (without `+86`) behind a leading 1, so that `0551…` keeps its zero; 0 when
/// there are none.
pub(crate) fn phone(input: &str) -> u64 {
    let digits: String = clean_code(input)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let digits = match digits.len() {
        13 if digits.starts_with("86") => &digits[2..],
        15 if digits.starts_with("0086") => &digits[4..],
        _ => &digits[..],
    };
    if digits.is_empty() {
        return 0;
    }
    let digits = &digits[..digits.len().min(18)];
    format!("1{digits}").parse().unwrap_or(0)
}

/// Characters that separate parts of a name (`阿依·买买提`) or are stray punctuation.
fn is_name_noise(c: char) -> bool {
    c.is_whitespace() || matches!(c, '·' | '•' | '・' | '.' | '．' | '\u{200B}' | '\u{FEFF}')
}

pub(crate) fn name(input: &str) -> String {
    input
        .chars()
        .filter(|&c| !is_name_noise(c))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name's syllables without tones: homophones (`张`/`章`) and traditional or variant
/// characters (`华`/`華`) read the same. A character without a reading stands for itself.
pub(crate) fn pinyin(name: &str) -> Vec<Cow<'static, str>> {
    name.chars()
        .map(|c| match c.to_pinyin() {
            Some(p) => Cow::Borrowed(p.plain()),
            None => Cow::Owned(c.to_string()),
        })
        .collect()
}

const VILLAGE_SUFFIXES: [&str; 6] = ["村民委员会", "居民委员会", "村委会", "居委会", "社区", "村"];

/// The village's proper name: `三岗村`, `三岗村委会` and `三岗` are one village.
pub(crate) fn village(input: &str) -> String {
    let cleaned: String = name(input);
    for suffix in VILLAGE_SUFFIXES {
        if let Some(stem) = cleaned.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_owned();
        }
    }
    cleaned
}

/// Units above the village that one clerk writes and another leaves out.
const AREA_MARKERS: [char; 5] = ['省', '市', '县', '镇', '乡'];
/// Words that carry no identity of their own: `王郢组12号` and `王郢12` are one address.
const ADDRESS_MARKERS: [char; 7] = ['村', '组', '号', '室', '栋', '幢', '户'];

/// The part of an address below the village: the village name and everything before it, or
/// else the leading province, city, county and town, are cut away because every neighbour shares
/// them.
fn address_tail<'a>(address: &'a str, village: &str) -> &'a str {
    if !village.is_empty()
        && let Some(at) = address.find(village)
    {
        return &address[at + village.len()..];
    }
    let mut rest = address;
    // An area name is a few characters long; a marker further in belongs to the address proper.
    while let Some((at, marker)) = rest
        .char_indices()
        .take(8)
        .find(|(_, c)| AREA_MARKERS.contains(c))
    {
        rest = &rest[at + marker.len_utf8()..];
    }
    rest
}

/// The address as a sorted set of tokens: bigrams of Chinese characters and whole numbers.
pub(crate) fn address_bigrams(input: &str, village: &str) -> Vec<u32> {
    let cleaned = name(input);
    let tail = address_tail(&cleaned, village);
    let mut tokens = Vec::new();
    let mut letters: Vec<char> = Vec::new();
    let mut number = String::new();
    let flush_letters = |letters: &mut Vec<char>, tokens: &mut Vec<u32>| {
        match letters.len() {
            0 => {}
            1 => tokens.push(hash_str(&letters[0].to_string()) as u32),
            _ => tokens.extend(
                letters
                    .windows(2)
                    .map(|w| hash_str(&w.iter().collect::<String>()) as u32),
            ),
        }
        letters.clear();
    };
    for c in tail.chars().filter(|c| !ADDRESS_MARKERS.contains(c)) {
        if c.is_ascii_digit() {
            flush_letters(&mut letters, &mut tokens);
            number.push(c);
        } else {
            if !number.is_empty() {
                tokens.push(hash_str(&format!("#{}", number.trim_start_matches('0'))) as u32);
                number.clear();
            }
            if c.is_alphanumeric() {
                letters.push(c);
            } else {
                flush_letters(&mut letters, &mut tokens);
            }
        }
    }
    flush_letters(&mut letters, &mut tokens);
    if !number.is_empty() {
        tokens.push(hash_str(&format!("#{}", number.trim_start_matches('0'))) as u32);
    }
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_read_leniently() {
        assert_eq!(id_number("11010519491231002x").1, IdState::Valid);
        assert_eq!(id_number("110105194912310021").1, IdState::Invalid);
        assert_eq!(
            id_number("110105491231002"),
            (*b"11010519491231002X", IdState::Unchecked)
        );
        assert_eq!(id_number("3.40123199003071E+17").1, IdState::Missing);
        assert_eq!(id_number("").1, IdState::Missing);
    }

    #[test]
    fn birth_dates_in_the_usual_spellings() {
        for s in [
            "1990-03-07",
            "1990/3/7",
            "19900307",
            "1990年3月7日",
            "１９９０-０３-０７",
        ] {
            assert_eq!(birth_date(s), 19900307, "{s}");
        }
        assert_eq!(birth_date("1990-13-07"), 0);
        assert_eq!(birth_date("不详"), 0);
        assert_eq!(birth_from_id(b"340123199003071234"), 19900307);
    }

    #[test]
    fn phones_keep_their_digits_only() {
        assert_eq!(phone("+86 138 0013 8000"), phone("13800138000"));
        assert_eq!(phone("(0551) 1234-5678"), 1_055_112_345_678);
        assert_eq!(phone(" "), 0);
    }

    #[test]
    fn homophones_and_variants_read_alike() {
        assert_eq!(pinyin("张华"), pinyin("章華"));
        assert_ne!(pinyin("张华"), pinyin("张伟"));
        assert_eq!(name(" 阿依·买买提 "), "阿依买买提");
    }

    #[test]
    fn villages_drop_their_suffix() {
        assert_eq!(village("三岗村"), "三岗");
        assert_eq!(village("三岗村委会"), "三岗");
        assert_eq!(village("三岗"), "三岗");
        assert_eq!(village("村"), "村");
    }

    #[test]
    fn abbreviated_addresses_have_the_same_tokens() {
        let full = address_bigrams("安徽省合肥市肥西县上派镇三岗村王郢组12号", "三岗");
        assert_eq!(address_bigrams("三岗王郢12号", "三岗"), full);
        assert_eq!(address_bigrams("王郢组12号", "三岗"), full);
        assert_eq!(address_bigrams("上派镇王郢组012号", ""), full);
        assert_ne!(address_bigrams("王郢组13号", "三岗"), full);
    }
}
