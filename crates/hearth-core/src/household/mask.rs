//! What roles without a need to know see (DESIGN.md §4.3): the surname and a star for a name,
//! the issuing county and last four characters of an ID number, the first three and last four
//! digits of a mobile. Organizations see masked heads only; the public sees no beneficiary.

use crate::{IdNumber, Phone};

/// The first character and one star: 张三丰 → 张*, 欧阳娜娜 → 欧*. One star whatever the length,
/// so the mask does not tell how long the name is. Empty stays empty.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => format!("{first}*"),
        None => String::new(),
    }
}

/// `340123********1234`: see [`IdNumber::masked`].
pub fn mask_id(id: &IdNumber) -> String {
    id.masked()
}

/// `138****1234`, or `0551-******78` for a landline: see [`Phone::masked`].
pub fn mask_phone(phone: &Phone) -> String {
    phone.masked()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(mask_name("张三丰"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧*");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(" 王五 "), "王*");
        assert_eq!(mask_name("阿依古丽·买买提"), "阿*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("  "), "");
    }

    #[test]
    fn numbers() {
        let id = IdNumber::parse_on(MAN, today()).unwrap();
        assert_eq!(mask_id(&id), "340123********1234");
        let phone = Phone::parse("13800138000").unwrap();
        assert_eq!(mask_phone(&phone), "138****8000");
    }

    fn id_strategy() -> impl Strategy<Value = IdNumber> {
        (0u32..1_000_000, 0i64..45_000, 0u32..1000).prop_map(|(region, days, seq)| {
            let birth = day(1900, 1, 1) + chrono::Duration::days(days);
            let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
            let check = crate::id_number::id_check_char(&first17).unwrap();
            IdNumber::parse_on(&format!("{first17}{check}"), today()).unwrap()
        })
    }

    proptest! {
        #[test]
        fn masked_names_keep_only_the_first_character(name in "\\PC{0,12}") {
            let masked = mask_name(&name);
            let trimmed = name.trim();
            let mut chars = trimmed.chars();
            match chars.next() {
                None => prop_assert_eq!(masked, ""),
                Some(first) => {
                    prop_assert_eq!(masked.chars().count(), 2);
                    for c in chars.filter(|c| *c != first && *c != '*') {
                        prop_assert!(!masked.contains(c), "{masked} shows {c} of {name}");
                    }
                }
            }
        }

        #[test]
        fn masked_ids_show_at_most_six_and_four(id in id_strategy()) {
            let masked = mask_id(&id);
            let (plain, shown) = (id.as_str().as_bytes(), masked.as_bytes());
            prop_assert_eq!(shown.len(), 18);
            let revealed = (0..18).filter(|&i| shown[i] == plain[i]).count();
            prop_assert!(revealed <= 10, "{masked}");
            prop_assert!(shown[6..14].iter().all(|&b| b == b'*'), "{masked}");
            prop_assert_eq!(&masked[..6], &id.as_str()[..6]);
            prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
        }

        #[test]
        fn masked_mobiles_show_at_most_three_and_four(number in "1[3-9][0-9]{9}") {
            let phone = Phone::parse(&number).unwrap();
            let masked = mask_phone(&phone);
            let digits = masked.chars().filter(char::is_ascii_digit).count();
            prop_assert!(digits <= 7, "{masked}");
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[..3], &number[..3]);
            prop_assert_eq!(&masked[7..], &number[7..]);
        }
    }
}
