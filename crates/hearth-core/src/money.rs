//! Money in fen (分, 0.01 yuan) as an integer, so sums over thousands of pledges are exact, with the
//! three ways Chinese paperwork writes an amount: yuan with two decimals, 万元 on dashboards and
//! Chinese capitals (大写金额) on pledge letters and receipts.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use crate::error::Invalid;
use crate::normalize::clean_code;

/// An amount in fen. May be negative as the result of a subtraction; parsed input never is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// Largest amount accepted from input: just under 1 万亿 yuan. Far above anything a county
/// campaign sees, so hitting it means a pasted wrong column, not a donation.
const MAX_YUAN: u64 = 999_999_999_999;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
const SECTIONS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// Reads `130,000` style thousands: the first group 1–3 digits, the rest exactly 3, so that a
/// decimal comma (`130,5`) is refused instead of read as 1305.
fn integer_digits(part: &str) -> Option<String> {
    let groups: Vec<&str> = part.split(',').collect();
    let digits_only = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped_ok = groups.len() == 1
        || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3));
    (groups.iter().all(|g| digits_only(g)) && grouped_ok).then(|| groups.concat())
}

/// What the user wrote without currency marks: `¥`, `￥` before, `元` after.
fn strip_currency(text: &str) -> &str {
    let text = text.strip_suffix('元').unwrap_or(text);
    text.strip_prefix(['¥', '￥']).unwrap_or(text)
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Fen {
        Fen(fen)
    }

    pub const fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Reads an amount in yuan as typed in a form or a spreadsheet: `130000`, `130,000.50`,
    /// `130000.5`, full-width digits, `元` after or `¥` before. Digits past the second decimal
    /// are refused unless they are zeros (no amount is rounded silently).
    pub fn parse_yuan(input: &str, field: &str) -> Result<Fen, Invalid> {
        let cleaned = clean_code(input);
        let text = strip_currency(&cleaned);
        if text.is_empty() {
            return Err(Invalid::new(field, "money.empty"));
        }
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let refuse = |code| Invalid::new(field, code).arg("value", input.trim());
        let (int_part, frac_part) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let int_digits = integer_digits(int_part).ok_or_else(|| refuse("money.format"))?;
        let frac = match frac_part {
            None => String::new(),
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => f.to_owned(),
            Some(_) => return Err(refuse("money.format")),
        };
        if frac.len() > 2 && frac[2..].bytes().any(|b| b != b'0') {
            return Err(refuse("money.decimals"));
        }
        if negative {
            return Err(refuse("money.negative"));
        }
        let yuan = int_digits.trim_start_matches('0');
        if yuan.len() > 12 || yuan.parse::<u64>().unwrap_or(0) > MAX_YUAN {
            return Err(refuse("money.too_large"));
        }
        let cents = format!("{:0<2}", frac.get(..2).unwrap_or(&frac));
        let fen = yuan.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0);
        Ok(Fen(fen))
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    fn sign(self) -> &'static str {
        if self.0 < 0 { "-" } else { "" }
    }

    /// Yuan with exactly two decimals, as on every form and export: `130000.50`.
    pub fn yuan_string(self) -> String {
        let abs = self.0.unsigned_abs();
        format!("{}{}.{:02}", self.sign(), abs / 100, abs % 100)
    }

    /// 万元 with two decimals, rounded half away from zero, as dashboards show money: `13.05`.
    pub fn wan_string(self) -> String {
        // One hundredth of 万元 is 100 yuan, i.e. 10 000 fen.
        let hundredths = (self.0.unsigned_abs() + 5_000) / 10_000;
        let sign = if hundredths == 0 { "" } else { self.sign() };
        format!("{sign}{}.{:02}", hundredths / 100, hundredths % 100)
    }

    /// The amount in Chinese capitals for pledge letters and receipts: `壹拾叁万零伍佰元伍角`.
    /// Follows the banking convention: `整` only when there are no jiao and fen, one `零` for
    /// any run of zeros between non-zero digits, `零` before fen when the jiao are zero.
    pub fn chinese_capitals(self) -> String {
        let abs = self.0.unsigned_abs();
        let (yuan, jiao, fen) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
        let mut out = String::from(if self.0 < 0 { "负" } else { "" });
        if yuan > 0 || (jiao == 0 && fen == 0) {
            out.push_str(&integer_capitals(yuan));
            out.push('元');
        }
        match (jiao, fen) {
            (0, 0) => out.push('整'),
            (0, f) => {
                if yuan > 0 {
                    out.push('零');
                }
                out.extend([DIGITS[f], '分']);
            }
            (j, 0) => out.extend([DIGITS[j], '角']),
            (j, f) => out.extend([DIGITS[j], '角', DIGITS[f], '分']),
        }
        out
    }
}

/// Whole yuan in capitals, read from the highest digit down in sections of four (万, 亿).
fn integer_capitals(yuan: u64) -> String {
    if yuan == 0 {
        return DIGITS[0].to_string();
    }
    let digits: Vec<usize> = yuan
        .to_string()
        .bytes()
        .map(|b| (b - b'0') as usize)
        .collect();
    let mut out = String::new();
    let (mut zero_pending, mut section_used) = (false, false);
    for (i, &d) in digits.iter().enumerate() {
        let place = digits.len() - 1 - i;
        if d == 0 {
            zero_pending = true;
        } else {
            if zero_pending {
                out.push(DIGITS[0]);
                zero_pending = false;
            }
            out.push(DIGITS[d]);
            out.push_str(PLACES[place % 4]);
            section_used = true;
        }
        // At a section boundary name the section (万, 亿) if any of its digits were non-zero.
        if place.is_multiple_of(4) && place > 0 {
            if section_used {
                out.push_str(SECTIONS[place / 4]);
            }
            section_used = false;
        }
    }
    out
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0 + other.0)
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, other: Fen) -> Fen {
        Fen(self.0 - other.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, other: Fen) {
        self.0 += other.0;
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, other: Fen) {
        self.0 -= other.0;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(input: &str) -> Fen {
        Fen::parse_yuan(input, "amount").unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn refused(input: &str) -> &'static str {
        Fen::parse_yuan(input, "amount").unwrap_err().code()
    }

    fn capitals(input: &str) -> String {
        yuan(input).chinese_capitals()
    }

    #[test]
    fn reads_amounts_as_people_write_them() {
        assert_eq!(yuan("130000"), Fen(13_000_000));
        assert_eq!(yuan("130,000.50"), Fen(13_000_050));
        assert_eq!(yuan("130000.5"), Fen(13_000_050));
        assert_eq!(yuan("１３００００．５０"), Fen(13_000_050));
        assert_eq!(yuan("130000元"), Fen(13_000_000));
        assert_eq!(yuan(" ¥1,234,567.89 "), Fen(123_456_789));
        assert_eq!(yuan("12.500"), Fen(1250));
        assert_eq!(yuan("0"), Fen::ZERO);
        assert_eq!(yuan("'007.05"), Fen(705));
        assert_eq!(yuan("999999999999.99").fen(), 99_999_999_999_999);
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(refused(" 元"), "money.empty");
        for input in [
            "abc", "1.2.3", "130,5", "1,30,000", ",100", "100.", ".5", "1 万", "12a", "-",
        ] {
            assert_eq!(refused(input), "money.format", "{input}");
        }
        assert_eq!(refused("0.125"), "money.decimals");
        assert_eq!(refused("-5"), "money.negative");
        assert_eq!(refused("－5.00"), "money.negative");
        assert_eq!(refused("1000000000000"), "money.too_large");
        assert_eq!(refused("99999999999999999999999"), "money.too_large");
        let e = Fen::parse_yuan(" 12,34 ", "items[0].value").unwrap_err();
        assert_eq!(e.field(), "items[0].value");
        assert_eq!(e.0.args, vec![("value", "12,34".into())]);
    }

    #[test]
    fn writes_yuan_and_wan() {
        assert_eq!(yuan("130000.5").yuan_string(), "130000.50");
        assert_eq!(Fen(5).yuan_string(), "0.05");
        assert_eq!(Fen(-150).yuan_string(), "-1.50");
        assert_eq!(yuan("130000").wan_string(), "13.00");
        assert_eq!(yuan("130500.50").wan_string(), "13.05");
        assert_eq!(yuan("130050").wan_string(), "13.01", "half rounds up");
        assert_eq!(yuan("130049.99").wan_string(), "13.00");
        assert_eq!(yuan("49.99").wan_string(), "0.00");
        assert_eq!(Fen(-13_000_000).wan_string(), "-13.00");
        assert_eq!(Fen(-1).wan_string(), "0.00");
    }

    #[test]
    fn capitals_match_the_domain_examples() {
        assert_eq!(capitals("130000"), "壹拾叁万元整");
        assert_eq!(capitals("90000"), "玖万元整");
        assert_eq!(capitals("130500.50"), "壹拾叁万零伍佰元伍角");
        assert_eq!(capitals("10000000.01"), "壹仟万元零壹分");
        assert_eq!(capitals("0"), "零元整");
        assert_eq!(capitals("100.05"), "壹佰元零伍分");
        assert_eq!(capitals("1.20"), "壹元贰角");
        assert_eq!(capitals("100000000"), "壹亿元整");
        assert_eq!(capitals("1010"), "壹仟零壹拾元整");
    }

    #[test]
    fn capitals_zero_rules() {
        assert_eq!(capitals("100010000"), "壹亿零壹万元整");
        assert_eq!(capitals("100000001"), "壹亿零壹元整");
        assert_eq!(capitals("10001000"), "壹仟万零壹仟元整");
        assert_eq!(capitals("10100000"), "壹仟零壹拾万元整");
        assert_eq!(capitals("110000"), "壹拾壹万元整");
        assert_eq!(capitals("3.45"), "叁元肆角伍分");
        assert_eq!(capitals("0.50"), "伍角");
        assert_eq!(capitals("0.05"), "伍分");
        assert_eq!(
            capitals("999999999999.99"),
            "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
        );
        assert_eq!(Fen(-500).chinese_capitals(), "负伍元整");
    }

    /// A reading of capitals independent of the writer, as a bank clerk checks a cheque: digits
    /// times 拾佰仟 within a section, sections times 万 and 亿, then 角 and 分. `None` for text
    /// the convention does not allow.
    fn parse_capitals(text: &str) -> Option<i64> {
        let (negative, text) = match text.strip_prefix('负') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (yuan, rest, has_yuan) = match text.split_once('元') {
            Some((yuan, rest)) => (parse_yuan_capitals(yuan)?, rest, true),
            None => (0, text, false),
        };
        let fen = yuan
            .checked_mul(100)?
            .checked_add(parse_jiao_fen(rest, has_yuan)?)?;
        Some(if negative { -fen } else { fen })
    }

    fn digit(c: char) -> Option<i64> {
        "零壹贰叁肆伍陆柒捌玖"
            .chars()
            .position(|d| d == c)
            .map(|d| d as i64)
    }

    fn nonzero_digit(c: char) -> Option<i64> {
        digit(c).filter(|&d| d > 0)
    }

    fn place(c: char) -> Option<i64> {
        match c {
            '拾' => Some(10),
            '佰' => Some(100),
            '仟' => Some(1000),
            '万' => Some(10_000),
            '亿' => Some(100_000_000),
            _ => None,
        }
    }

    fn parse_yuan_capitals(text: &str) -> Option<i64> {
        match text {
            "" => return None,
            "零" => return Some(0),
            _ => {}
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut total, mut section, mut largest) = (0i64, 0i64, 1i64);
        let mut pending: Option<i64> = None;
        for (i, &c) in chars.iter().enumerate() {
            match (c, place(c)) {
                // A 零 stands between a place and the next digit, never after a bare digit.
                ('零', _) if pending.is_some() => return None,
                ('零', _) => {}
                ('拾' | '佰' | '仟', Some(place)) => section += pending.take()? * place,
                (_, Some(unit)) => {
                    let value = section + pending.take().unwrap_or(0);
                    // Only 万亿 names a section with nothing in it.
                    let wan_yi = c == '亿' && i > 0 && chars[i - 1] == '万';
                    if value == 0 && !wan_yi {
                        return None;
                    }
                    // A larger unit (亿 after 万) multiplies everything read so far.
                    if unit > largest {
                        total = (total + value).checked_mul(unit)?;
                        largest = unit;
                    } else {
                        total += value * unit;
                    }
                    section = 0;
                }
                (c, None) if pending.is_none() => pending = Some(nonzero_digit(c)?),
                _ => return None,
            }
        }
        let yuan = total + section + pending.unwrap_or(0);
        // One 零 for each run of zeros between non-zero digits, no more, no fewer.
        let digits = yuan.to_string();
        let zero_runs = digits
            .trim_end_matches('0')
            .split(|d| d != '0')
            .filter(|run| !run.is_empty())
            .count();
        (text.matches('零').count() == zero_runs).then_some(yuan)
    }

    fn parse_jiao_fen(text: &str, has_yuan: bool) -> Option<i64> {
        match text.chars().collect::<Vec<_>>().as_slice() {
            ['整'] if has_yuan => Some(0),
            ['零', f, '分'] if has_yuan => nonzero_digit(*f),
            [f, '分'] if !has_yuan => nonzero_digit(*f),
            [j, '角'] => Some(nonzero_digit(*j)? * 10),
            [j, '角', f, '分'] => Some(nonzero_digit(*j)? * 10 + nonzero_digit(*f)?),
            _ => None,
        }
    }

    #[test]
    fn the_reference_parser_reads_the_domain_examples() {
        assert_eq!(parse_capitals("壹拾叁万元整"), Some(13_000_000));
        assert_eq!(parse_capitals("玖万元整"), Some(9_000_000));
        assert_eq!(parse_capitals("壹拾叁万零伍佰元伍角"), Some(13_050_050));
        assert_eq!(parse_capitals("壹仟万元零壹分"), Some(1_000_000_001));
        assert_eq!(parse_capitals("壹万亿元整"), Some(100_000_000_000_000));
        assert_eq!(parse_capitals("零元整"), Some(0));
        assert_eq!(parse_capitals("伍分"), Some(5));
        assert_eq!(parse_capitals("负伍元整"), Some(-500));
        for wrong in [
            "壹零元整",
            "伍",
            "元整",
            "壹元",
            "零伍分",
            "壹元零角",
            "壹元整伍角",
            "拾元整",
            "壹亿万元整",
            "壹仟壹元整",
            "壹仟零零壹元整",
            "壹拾零元整",
        ] {
            assert_eq!(parse_capitals(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn capitals_read_back_for_every_amount_up_to_two_thousand_yuan() {
        for fen in 0..=200_000 {
            let text = Fen(fen).chinese_capitals();
            assert_eq!(parse_capitals(&text), Some(fen), "{text}");
        }
    }

    /// Amounts with about half their digits zero, so runs of zeros meet 万 and 亿 often.
    fn sparse_amount() -> impl Strategy<Value = i64> {
        proptest::collection::vec(prop_oneof![Just(0i64), 1i64..=9], 14)
            .prop_map(|digits| digits.iter().fold(0, |n, d| n * 10 + d))
    }

    #[test]
    fn arithmetic() {
        let total: Fen = [Fen(100), Fen(250), Fen(5)].iter().sum();
        assert_eq!(total, Fen(355));
        assert_eq!(Fen(100) - Fen(250), Fen(-150));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
        assert_eq!(
            toml::Value::try_from(Fen(355)).unwrap(),
            toml::Value::Integer(355)
        );
    }

    proptest! {
        #[test]
        fn yuan_string_round_trips(fen in 0i64..=99_999_999_999_999) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(fen).yuan_string(), "amount"), Ok(Fen(fen)));
        }

        #[test]
        fn capitals_read_back_to_the_amount(
            fen in prop_oneof![0i64..=99_999_999_999_999, sparse_amount()]
        ) {
            let text = Fen(fen).chinese_capitals();
            prop_assert_eq!(parse_capitals(&text), Some(fen), "{}", text);
        }

        #[test]
        fn capitals_never_double_zero_or_end_in_zero(fen in 0i64..=99_999_999_999_999) {
            let text = Fen(fen).chinese_capitals();
            prop_assert!(!text.contains("零零"), "{text}");
            prop_assert!(!text.contains("零元") || fen < 100, "{text}");
            prop_assert!(text.ends_with('整') || text.ends_with('角') || text.ends_with('分'), "{text}");
        }

        #[test]
        fn wan_is_within_half_a_hundredth(fen in 0i64..=99_999_999_999_999) {
            let wan = Fen::parse_yuan(&Fen(fen).wan_string(), "amount").unwrap().fen() * 10_000;
            prop_assert!((wan - fen).abs() <= 5_000, "{fen} -> {wan}");
        }
    }
}
