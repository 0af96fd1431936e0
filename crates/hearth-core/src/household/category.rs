//! Who is "in difficulty" (domain.md §4): the labels a household carries, each with where it
//! comes from and until when. Hearth is not the record of entitlement — the civil-affairs systems
//! are — so a tag records who verified it against which source, not a decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{at, optional_date, past_date, text};
use crate::Invalid;

dictionary!(
    /// The category labels of domain.md §4. A household may carry several; one is its main
    /// category for statistics.
    Category, "category", "category" {
        Dibao => "dibao",
        TekunDispersed => "tekun_dispersed",
        TekunCentralized => "tekun_centralized",
        DibaoEdge => "dibao_edge",
        RigidExpense => "rigid_expense",
        RelapseMonitoring => "relapse_monitoring",
        TemporaryRelief => "temporary_relief",
        Orphan => "orphan",
        DeFactoOrphan => "de_facto_orphan",
        ChildInDifficulty => "child_in_difficulty",
        LeftBehindChild => "left_behind_child",
        Disabled => "disabled",
        ElderlyAlone => "elderly_alone",
        ElderlyEmptyNest => "elderly_empty_nest",
        ElderlyAdvanced => "elderly_advanced",
        ElderlyDisabled => "elderly_disabled",
        Other => "other",
    }
);

impl Category {
    /// Whether the label itself is sensitive personal information under PIPL art. 28
    /// (domain.md §6) and is therefore masked for roles without a need to know:
    ///
    /// - social-assistance status: 低保, 特困, 低保边缘, 刚性支出困难, 防止返贫监测, 临时救助
    ///   (the low-income monitoring statuses, i.e. financial circumstances);
    /// - health and disability: 残疾人, 失能老人;
    /// - children: 孤儿, 事实无人抚养儿童, 困境儿童, 农村留守儿童 (all of them concern minors).
    ///
    /// Age-based and living-arrangement labels (独居, 空巢, 高龄) and 其他 are not sensitive in
    /// themselves; what else the record holds (health notes, disability) is protected separately.
    pub fn is_sensitive(self) -> bool {
        use Category::*;
        !matches!(
            self,
            ElderlyAlone | ElderlyEmptyNest | ElderlyAdvanced | Other
        )
    }
}

dictionary!(
    /// Causes of difficulty often recorded beside the category (致困原因).
    Cause, "causes", "cause" {
        Illness => "illness",
        Disability => "disability",
        Schooling => "schooling",
        Disaster => "disaster",
        LackOfLabour => "lack_of_labour",
    }
);

/// One category a household carries, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryTag {
    pub category: Category,
    /// Where the status is recorded, e.g. 民政系统 (the civil-affairs system) or 村委会核实.
    pub source: String,
    /// Who checked it against the source.
    pub verified_by: String,
    pub verified_on: NaiveDate,
    /// Until when the status holds (a 低保 certificate's period); `None` when open-ended.
    pub valid_until: Option<NaiveDate>,
}

impl CategoryTag {
    /// True from the day it was verified up to and including `valid_until`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.verified_on <= date && self.valid_until.is_none_or(|until| date <= until)
    }
}

/// A category tag as typed in a form or read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoryTagInput {
    pub category: String,
    pub source: String,
    pub verified_by: String,
    pub verified_on: String,
    pub valid_until: String,
}

impl CategoryTagInput {
    /// Checks every field; `prefix` is the tag's place in the form (`categories[1]`).
    pub fn parse(&self, prefix: &str, today: NaiveDate) -> Result<CategoryTag, Vec<Invalid>> {
        let field = |name: &str| format!("{prefix}.{name}");
        let mut errors = Vec::new();
        let category = if self.category.trim().is_empty() {
            Err(Invalid::new(field("category"), "field.required"))
        } else {
            Category::parse(&self.category).map_err(|e| at(&field("category"), e))
        };
        let category = category.map_err(|e| errors.push(e)).ok();
        let source = text(&field("source"), &self.source, 50, true)
            .map_err(|e| errors.push(e))
            .ok();
        let verified_by = text(&field("verified_by"), &self.verified_by, 50, true)
            .map_err(|e| errors.push(e))
            .ok();
        let verified_on = past_date(&field("verified_on"), &self.verified_on, today)
            .map_err(|e| errors.push(e))
            .ok();
        let valid_until = optional_date(&field("valid_until"), &self.valid_until)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(verified), Some(Some(until))) = (verified_on, valid_until)
            && until < verified
        {
            errors.push(
                Invalid::new(field("valid_until"), "category_tag.until_before_verified")
                    .arg("until", until)
                    .arg("verified", verified),
            );
        }
        match (category, source, verified_by, verified_on, valid_until) {
            (
                Some(category),
                Some(source),
                Some(verified_by),
                Some(verified_on),
                Some(valid_until),
            ) if errors.is_empty() => Ok(CategoryTag {
                category,
                source,
                verified_by,
                verified_on,
                valid_until,
            }),
            _ => Err(errors),
        }
    }
}

impl From<&CategoryTag> for CategoryTagInput {
    fn from(tag: &CategoryTag) -> Self {
        CategoryTagInput {
            category: tag.category.as_str().to_owned(),
            source: tag.source.clone(),
            verified_by: tag.verified_by.clone(),
            verified_on: tag.verified_on.to_string(),
            valid_until: tag.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn input(category: &str) -> CategoryTagInput {
        CategoryTagInput {
            category: category.into(),
            source: "民政系统".into(),
            verified_by: "王某某".into(),
            verified_on: "2024-03-01".into(),
            valid_until: "2025-02-28".into(),
        }
    }

    #[test]
    fn every_category_and_cause_has_labels_in_both_languages() {
        for c in Category::ALL {
            for lang in [Lang::ZhCn, Lang::En] {
                assert_ne!(message(lang, c.label_key()), c.label_key(), "{c} {lang:?}");
            }
            assert_eq!(Category::parse(c.as_str()), Ok(*c));
            assert_eq!(Category::parse(message(Lang::ZhCn, c.label_key())), Ok(*c));
            assert_eq!(Category::parse(message(Lang::En, c.label_key())), Ok(*c));
        }
        for c in Cause::ALL {
            assert_ne!(message(Lang::ZhCn, c.label_key()), c.label_key());
            assert_ne!(message(Lang::En, c.label_key()), c.label_key());
            assert_eq!(Cause::parse(message(Lang::ZhCn, c.label_key())), Ok(*c));
        }
        assert_eq!(Category::ALL.len(), 17);
        assert_eq!(Category::parse("最低生活保障（低保）"), Ok(Category::Dibao));
        assert_eq!(
            Category::parse("特困人员（集中供养）"),
            Ok(Category::TekunCentralized)
        );
        assert_eq!(Cause::parse("缺劳力"), Ok(Cause::LackOfLabour));
        assert_eq!(
            Category::parse("富裕户").unwrap_err().code(),
            "dict.unknown"
        );
    }

    #[test]
    fn sensitive_categories_follow_pipl() {
        use Category::*;
        for c in [
            Dibao,
            TekunDispersed,
            TekunCentralized,
            DibaoEdge,
            Disabled,
            ElderlyDisabled,
            Orphan,
            DeFactoOrphan,
            ChildInDifficulty,
            LeftBehindChild,
        ] {
            assert!(c.is_sensitive(), "{c}");
        }
        for c in [ElderlyAlone, ElderlyEmptyNest, ElderlyAdvanced, Other] {
            assert!(!c.is_sensitive(), "{c}");
        }
    }

    #[test]
    fn a_tag_is_valid_between_verification_and_expiry() {
        let tag = input("dibao").parse("categories[0]", today()).unwrap();
        assert_eq!(tag.category, Category::Dibao);
        assert!(!tag.is_valid_on(day(2024, 2, 29)));
        assert!(tag.is_valid_on(day(2024, 3, 1)));
        assert!(tag.is_valid_on(day(2025, 2, 28)));
        assert!(!tag.is_valid_on(day(2025, 3, 1)));
        let open = CategoryTag {
            valid_until: None,
            ..tag
        };
        assert!(open.is_valid_on(day(2099, 1, 1)));
    }

    #[test]
    fn every_field_error_is_reported_at_its_path() {
        let bad = CategoryTagInput {
            category: "富裕户".into(),
            source: " ".into(),
            verified_by: "".into(),
            verified_on: "2024-12-21".into(),
            valid_until: "明年".into(),
        };
        let errors = bad.parse("categories[2]", today()).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            got,
            [
                ("categories[2].category", "dict.unknown"),
                ("categories[2].source", "field.required"),
                ("categories[2].verified_by", "field.required"),
                ("categories[2].verified_on", "household.date_in_future"),
                ("categories[2].valid_until", "household.date"),
            ]
        );
    }

    #[test]
    fn expiry_before_verification_is_refused() {
        let bad = CategoryTagInput {
            valid_until: "2024-02-01".into(),
            ..input("低保边缘家庭")
        };
        let errors = bad.parse("categories[0]", today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code(), "category_tag.until_before_verified");
        assert_eq!(errors[0].field(), "categories[0].valid_until");
        assert_eq!(
            errors[0].0.args,
            vec![
                ("until", "2024-02-01".to_owned()),
                ("verified", "2024-03-01".to_owned())
            ]
        );
    }

    #[test]
    fn round_trips_through_the_input() {
        let tag = input("orphan").parse("c", today()).unwrap();
        assert_eq!(CategoryTagInput::from(&tag).parse("c", today()), Ok(tag));
    }
}
