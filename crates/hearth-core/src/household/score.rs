//! The vulnerability score: a documented, explainable number used to prioritise households
//! (higher = more vulnerable). It never decides eligibility — the civil-affairs systems do.
//!
//! The score on a day is the sum of the parts below, capped at 100. Only category tags in force
//! on that day count, and each category counts once however many tags carry it.
//!
//! | part | points |
//! |---|---|
//! | 特困人员（分散供养）/（集中供养） | 30 each |
//! | 孤儿, 事实无人抚养儿童 | 30 each |
//! | 最低生活保障（低保） | 25 |
//! | 失能老人, 困境儿童 | 20 each |
//! | 低保边缘家庭, 防止返贫监测对象, 刚性支出困难家庭, 高龄老人 | 15 each |
//! | 残疾人 | 10, and 10 more if any member's disability is severe (grade 1–2) |
//! | 独居老人, 空巢老人, 农村留守儿童, 临时救助对象 | 10 each |
//! | 其他困难人员 | 5 |
//! | each member aged 80 or more | 5 |
//! | each child under 14 | 3 |
//! | one member only (living alone) | 10 |
//! | five members or more | 5 |
//! | any member has a health note | 5 |
//! | total | at most 100 |
//!
//! [`vulnerability`] returns the parts with their points so a page can show how the total came
//! about; [`category_points`] is the category column of the table.

use chrono::NaiveDate;
use serde::Serialize;

use super::category::Category;
use super::profile::HouseholdProfile;
use crate::Lang;

/// The cap of the total.
pub const MAX: u32 = 100;

/// Points for a category in force (the table above).
pub fn category_points(category: Category) -> u32 {
    use Category::*;
    match category {
        TekunDispersed | TekunCentralized | Orphan | DeFactoOrphan => 30,
        Dibao => 25,
        ElderlyDisabled | ChildInDifficulty => 20,
        DibaoEdge | RelapseMonitoring | RigidExpense | ElderlyAdvanced => 15,
        Disabled | ElderlyAlone | ElderlyEmptyNest | LeftBehindChild | TemporaryRelief => 10,
        Other => 5,
    }
}

/// Extra points for 残疾人 when a member's disability is severe.
pub const SEVERE_DISABILITY: u32 = 10;
/// Per member aged [`ADVANCED_AGE`] or more.
pub const PER_ADVANCED_MEMBER: u32 = 5;
pub const ADVANCED_AGE: u32 = 80;
/// Per member under [`super::CHILD_AGE`].
pub const PER_CHILD: u32 = 3;
/// A household of one.
pub const LIVING_ALONE: u32 = 10;
/// A household of [`LARGE_HOUSEHOLD_SIZE`] or more.
pub const LARGE_HOUSEHOLD: u32 = 5;
pub const LARGE_HOUSEHOLD_SIZE: usize = 5;
/// Any health note recorded.
pub const HEALTH_NOTES: u32 = 5;

/// One line of the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorePart {
    /// The locale key naming the part: a category's label (`category.dibao`) or a rule
    /// (`score.member_80_plus`).
    pub key: &'static str,
    pub points: u32,
    /// A language-neutral value the rule's message shows as `{detail}`: the category code, or
    /// the number of members the rule counted.
    pub detail: String,
}

impl ScorePart {
    fn new(key: &'static str, points: u32, detail: impl ToString) -> ScorePart {
        ScorePart {
            key,
            points,
            detail: detail.to_string(),
        }
    }

    /// The line as a page shows it, without the points.
    pub fn message(&self, lang: Lang) -> String {
        crate::i18n::render(lang, self.key, &[("detail", self.detail.clone())])
    }
}

/// A household's score with its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// The sum of the parts, at most [`MAX`].
    pub total: u32,
    pub parts: Vec<ScorePart>,
}

impl Score {
    /// The sum before the cap.
    pub fn uncapped(&self) -> u32 {
        self.parts.iter().map(|p| p.points).sum()
    }

    /// Whether the parts add up to more than [`MAX`] (the page says so: `score.capped`).
    pub fn is_capped(&self) -> bool {
        self.uncapped() > self.total
    }
}

/// The score of `profile` on `today`, following the table in the module documentation.
pub fn vulnerability(profile: &HouseholdProfile, today: NaiveDate) -> Score {
    let mut parts = Vec::new();
    let members = profile.members();
    let categories = profile.valid_categories(today);
    for category in &categories {
        parts.push(ScorePart::new(
            category.label_key(),
            category_points(*category),
            category,
        ));
        if *category == Category::Disabled {
            let severe = members.iter().filter(|m| m.has_severe_disability()).count();
            if severe > 0 {
                parts.push(ScorePart::new(
                    "score.severe_disability",
                    SEVERE_DISABILITY,
                    severe,
                ));
            }
        }
    }
    let count = |rule: &dyn Fn(&super::Member) -> bool| members.iter().filter(|m| rule(m)).count();
    let advanced = count(&|m| m.age_on(today) >= ADVANCED_AGE);
    if advanced > 0 {
        parts.push(ScorePart::new(
            "score.member_80_plus",
            PER_ADVANCED_MEMBER * advanced as u32,
            advanced,
        ));
    }
    let children = count(&|m| m.is_child_on(today));
    if children > 0 {
        parts.push(ScorePart::new(
            "score.child_under_14",
            PER_CHILD * children as u32,
            children,
        ));
    }
    if members.len() == 1 {
        parts.push(ScorePart::new("score.living_alone", LIVING_ALONE, 1));
    } else if members.len() >= LARGE_HOUSEHOLD_SIZE {
        parts.push(ScorePart::new(
            "score.large_household",
            LARGE_HOUSEHOLD,
            members.len(),
        ));
    }
    let noted = count(&|m| m.has_health_note());
    if noted > 0 {
        parts.push(ScorePart::new("score.health_notes", HEALTH_NOTES, noted));
    }
    let total = parts.iter().map(|p| p.points).sum::<u32>().min(MAX);
    Score { total, parts }
}

#[cfg(test)]
mod tests {
    use super::super::profile::tests::{complete, person, tag};
    use super::super::testing::*;
    use super::super::{ConsentInput, HouseholdInput, MemberInput};
    use super::*;
    use crate::i18n::text;
    use proptest::prelude::*;

    fn household(members: Vec<MemberInput>, categories: &[&str]) -> HouseholdProfile {
        HouseholdInput {
            members,
            address: "示例村".into(),
            village: "340123100201".into(),
            categories: categories.iter().map(|c| tag(c)).collect(),
            main_category: categories
                .first()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            consent: ConsentInput::default(),
            ..Default::default()
        }
        .parse(today())
        .unwrap()
    }

    fn lines(score: &Score) -> Vec<(&'static str, u32, &str)> {
        score
            .parts
            .iter()
            .map(|p| (p.key, p.points, p.detail.as_str()))
            .collect()
    }

    #[test]
    fn the_category_column() {
        use Category::*;
        let expected = [
            (TekunDispersed, 30),
            (TekunCentralized, 30),
            (Orphan, 30),
            (DeFactoOrphan, 30),
            (Dibao, 25),
            (ElderlyDisabled, 20),
            (ChildInDifficulty, 20),
            (DibaoEdge, 15),
            (RelapseMonitoring, 15),
            (RigidExpense, 15),
            (ElderlyAdvanced, 15),
            (Disabled, 10),
            (ElderlyAlone, 10),
            (ElderlyEmptyNest, 10),
            (LeftBehindChild, 10),
            (TemporaryRelief, 10),
            (Other, 5),
        ];
        assert_eq!(expected.len(), Category::ALL.len());
        for (category, points) in expected {
            assert_eq!(category_points(category), points, "{category}");
        }
    }

    #[test]
    fn an_elder_living_alone() {
        // Born 1940-05-06: 84 on the day.
        let elder = id_born(day(1940, 5, 6), 22);
        let p = household(
            vec![person("孙秀兰", &elder, "")],
            &["elderly_alone", "dibao"],
        );
        let score = vulnerability(&p, today());
        assert_eq!(
            lines(&score),
            [
                ("category.elderly_alone", 10, "elderly_alone"),
                ("category.dibao", 25, "dibao"),
                ("score.member_80_plus", 5, "1"),
                ("score.living_alone", 10, "1"),
            ]
        );
        assert_eq!(score.total, 50);
        assert!(!score.is_capped());
    }

    #[test]
    fn the_complete_household() {
        // Head 34, mother 74 (under 80), girl 9; 低保 + 困境儿童.
        let p = complete().parse(today()).unwrap();
        let score = vulnerability(&p, today());
        assert_eq!(
            lines(&score),
            [
                ("category.dibao", 25, "dibao"),
                ("category.child_in_difficulty", 20, "child_in_difficulty"),
                ("score.child_under_14", 3, "1"),
            ]
        );
        assert_eq!(score.total, 48);
    }

    #[test]
    fn severe_disability_adds_to_the_disabled_category_only() {
        let mut head = person("周大勇", MAN, "");
        head.disability_certificate = "34012319900307123441".into();
        let with_tag = household(
            vec![head.clone(), person("周小妹", GIRL, "子女")],
            &["disabled"],
        );
        assert_eq!(
            lines(&vulnerability(&with_tag, today())),
            [
                ("category.disabled", 10, "disabled"),
                ("score.severe_disability", 10, "1"),
                ("score.child_under_14", 3, "1"),
            ]
        );
        let without_tag = household(
            vec![head.clone(), person("周小妹", GIRL, "子女")],
            &["dibao"],
        );
        assert_eq!(vulnerability(&without_tag, today()).total, 25 + 3);

        head.disability_certificate = "34012319900307123443".into();
        let moderate = household(vec![head], &["disabled"]);
        assert_eq!(
            lines(&vulnerability(&moderate, today())),
            [
                ("category.disabled", 10, "disabled"),
                ("score.living_alone", 10, "1")
            ]
        );
    }

    #[test]
    fn large_households_health_notes_and_several_elders() {
        let mut members = vec![
            person("吴家福", MAN, ""),
            person("吴老太", &id_born(day(1935, 1, 2), 2), "父母"),
            person("吴老汉", &id_born(day(1938, 7, 9), 1), "父母"),
            person("吴一", &id_born(day(2012, 2, 3), 3), "子女"),
            person("吴二", &id_born(day(2016, 4, 5), 4), "子女"),
        ];
        members[1].health_note = "卧床".into();
        members[2].health_note = "糖尿病".into();
        let p = household(members, &["other"]);
        assert_eq!(
            lines(&vulnerability(&p, today())),
            [
                ("category.other", 5, "other"),
                ("score.member_80_plus", 10, "2"),
                ("score.child_under_14", 6, "2"),
                ("score.large_household", 5, "5"),
                ("score.health_notes", 5, "2"),
            ]
        );
        assert_eq!(vulnerability(&p, today()).total, 31);
    }

    #[test]
    fn expired_tags_do_not_count_and_the_date_matters() {
        let p = household(
            vec![person("郑平", MAN, ""), person("郑安", ELDER, "父母")],
            &["dibao"],
        );
        assert_eq!(vulnerability(&p, today()).total, 25);
        assert_eq!(
            vulnerability(&p, day(2025, 3, 1)).total,
            0,
            "expired on 2025-02-28"
        );
        assert_eq!(
            vulnerability(&p, day(2024, 2, 1)).total,
            0,
            "not yet verified"
        );
        // The mother (born 1949-12-31) turns 80 on 2029-12-31.
        let later = vulnerability(&p, day(2029, 12, 31));
        assert_eq!(lines(&later), [("score.member_80_plus", 5, "1")]);
    }

    #[test]
    fn the_total_is_capped() {
        let p = household(
            vec![person("冯孤", GIRL, "")],
            &["tekun_dispersed", "orphan", "dibao", "child_in_difficulty"],
        );
        let score = vulnerability(&p, today());
        assert_eq!(score.uncapped(), 30 + 30 + 25 + 20 + 3 + 10);
        assert_eq!(score.total, 100);
        assert!(score.is_capped());
    }

    #[test]
    fn every_part_has_a_message_in_both_languages() {
        let mut elder = person("陈", &id_born(day(1930, 1, 1), 5), "");
        elder.disability_kind = "1".into();
        elder.disability_grade = "1".into();
        elder.health_note = "失明".into();
        let mut members = vec![elder];
        let single = household(
            members.clone(),
            Category::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .as_slice(),
        );
        for i in 0..4 {
            members.push(person("陈", &id_born(day(2015, 1, 1 + i), 10 + i), "子女"));
        }
        let big = household(members, &["other"]);
        let mut keys = std::collections::BTreeSet::new();
        for p in [&single, &big] {
            for part in vulnerability(p, today()).parts {
                for lang in [Lang::ZhCn, Lang::En] {
                    let message = part.message(lang);
                    assert_ne!(message, part.key);
                    assert!(!message.contains('{'), "{message}");
                }
                keys.insert(part.key);
            }
        }
        for key in [
            "score.severe_disability",
            "score.member_80_plus",
            "score.child_under_14",
            "score.living_alone",
            "score.large_household",
            "score.health_notes",
        ] {
            assert!(keys.contains(key), "{key} never produced");
        }
        for key in [
            "score.severe_disability",
            "score.member_80_plus",
            "score.child_under_14",
            "score.large_household",
            "score.health_notes",
        ] {
            for lang in [Lang::ZhCn, Lang::En] {
                assert!(
                    text(lang, key).contains("{detail}"),
                    "{key} does not show the count"
                );
            }
        }
        for lang in [Lang::ZhCn, Lang::En] {
            assert_ne!(text(lang, "score.capped"), "score.capped");
            assert_ne!(text(lang, "score.title"), "score.title");
        }
    }

    fn member_strategy() -> impl Strategy<Value = (i64, u32, Option<u8>, bool)> {
        // Birth offset from 1910-01-01, sequence, disability grade, health note.
        (
            0i64..40_000,
            0u32..1000,
            proptest::option::of(1u8..=4),
            any::<bool>(),
        )
    }

    fn build(
        members: &[(i64, u32, Option<u8>, bool)],
        categories: &[Category],
    ) -> Option<HouseholdProfile> {
        let inputs: Vec<MemberInput> = members
            .iter()
            .enumerate()
            .map(|(i, (offset, seq, grade, note))| MemberInput {
                name: "测试".into(),
                id_number: id_born(day(1910, 1, 1) + chrono::Duration::days(*offset), *seq),
                relation: if i == 0 { "head" } else { "other" }.into(),
                disability_kind: grade.map(|_| "4".to_owned()).unwrap_or_default(),
                disability_grade: grade.map(|g| g.to_string()).unwrap_or_default(),
                health_note: if *note {
                    "慢性病".into()
                } else {
                    String::new()
                },
                ..Default::default()
            })
            .collect();
        HouseholdInput {
            members: inputs,
            address: "示例村".into(),
            village: "340123100201".into(),
            categories: categories.iter().map(|c| tag(c.as_str())).collect(),
            main_category: categories
                .first()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            ..Default::default()
        }
        .parse(today())
        .ok()
    }

    fn categories_strategy() -> impl Strategy<Value = Vec<Category>> {
        proptest::sample::subsequence(Category::ALL.to_vec(), 0..=Category::ALL.len())
    }

    proptest! {
        #[test]
        fn the_score_is_within_0_and_100(
            members in proptest::collection::vec(member_strategy(), 1..8),
            categories in categories_strategy(),
            days_later in 0i64..4000,
        ) {
            // Duplicate ID numbers are refused by parsing; such draws say nothing here.
            let p = build(&members, &categories);
            prop_assume!(p.is_some());
            let p = p.unwrap();
            let on = today() + chrono::Duration::days(days_later);
            let score = vulnerability(&p, on);
            prop_assert!(score.total <= MAX);
            prop_assert_eq!(score.total, score.uncapped().min(MAX));
        }

        #[test]
        fn adding_a_category_never_lowers_it(
            members in proptest::collection::vec(member_strategy(), 1..8),
            categories in categories_strategy(),
            extra in proptest::sample::select(Category::ALL.to_vec()),
        ) {
            prop_assume!(!categories.contains(&extra));
            let before = build(&members, &categories);
            prop_assume!(before.is_some());
            let mut more = categories.clone();
            more.push(extra);
            let after = build(&members, &more).unwrap();
            let (before, after) = (vulnerability(&before.unwrap(), today()), vulnerability(&after, today()));
            prop_assert!(after.total >= before.total, "{} < {}", after.total, before.total);
            prop_assert!(after.uncapped() >= before.uncapped() + category_points(extra));
        }
    }
}
