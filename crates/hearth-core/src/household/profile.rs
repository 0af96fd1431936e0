//! The household form and the valid household it parses into.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::category::{Category, CategoryTag, CategoryTagInput, Cause};
use super::consent::{Consent, ConsentInput, ConsentScope};
use super::member::{Member, MemberInput, Relation};
use super::{at, keep, text};
use crate::area::{AreaCode, AreaLevel};
use crate::organization::split_list;
use crate::{Invalid, Phone};

/// A registered household. Only [`HouseholdInput::parse`] makes one, so it always holds: at
/// least one member, member 0 is the head and nobody else is, no ID number twice, a village-level
/// area, a main category that is one of the tags (present exactly when there are tags), and a
/// guardian on the consent when a member is under 14 on the day it was parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdProfile {
    members: Vec<Member>,
    address: String,
    village: AreaCode,
    phone: Option<Phone>,
    categories: Vec<CategoryTag>,
    main_category: Option<Category>,
    causes: Vec<Cause>,
    consent: Option<Consent>,
    note: String,
}

impl HouseholdProfile {
    pub fn head(&self) -> &Member {
        &self.members[0]
    }

    /// All members, the head first.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn village(&self) -> &AreaCode {
        &self.village
    }

    /// The town (or park) the village belongs to: the reviewing level.
    pub fn town(&self) -> Option<AreaCode> {
        self.village.ancestor_at(AreaLevel::Town)
    }

    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    pub fn categories(&self) -> &[CategoryTag] {
        &self.categories
    }

    /// Tags in force on `date`, each category once.
    pub fn valid_categories(&self, date: NaiveDate) -> Vec<Category> {
        let mut out = Vec::new();
        for tag in &self.categories {
            if tag.is_valid_on(date) && !out.contains(&tag.category) {
                out.push(tag.category);
            }
        }
        out
    }

    pub fn main_category(&self) -> Option<Category> {
        self.main_category
    }

    pub fn causes(&self) -> &[Cause] {
        &self.causes
    }

    pub fn consent(&self) -> Option<&Consent> {
        self.consent.as_ref()
    }

    pub fn note(&self) -> &str {
        &self.note
    }

    /// Whether the household agreed to `scope` and the agreement is in force on `on`.
    pub fn consents_to(&self, scope: ConsentScope, on: NaiveDate) -> bool {
        self.consent.as_ref().is_some_and(|c| c.allows(scope, on))
    }

    /// Whether any member is under 14 on `on` (a guardian consents; PIPL treats everything about
    /// them as sensitive).
    pub fn has_child_on(&self, on: NaiveDate) -> bool {
        self.members.iter().any(|m| m.is_child_on(on))
    }

    /// Whether the record holds sensitive personal information beyond names and numbers: a
    /// sensitive category, a disability, a health note or a child.
    pub fn is_sensitive_on(&self, on: NaiveDate) -> bool {
        self.categories.iter().any(|t| t.category.is_sensitive())
            || self
                .members
                .iter()
                .any(|m| m.disability.is_some() || m.has_health_note())
            || self.has_child_on(on)
    }

    /// What still keeps a draft from going to review, each as a refusal on its field; empty when
    /// the record may be submitted: a signed consent, at least one category, and at least one
    /// category in force on `today`.
    pub fn ready_to_submit(&self, today: NaiveDate) -> Vec<Invalid> {
        let mut missing = Vec::new();
        if self.consent.is_none() {
            missing.push(Invalid::new("consent", "household.consent_missing"));
        }
        if self.categories.is_empty() {
            missing.push(Invalid::new("categories", "household.categories_missing"));
        } else if self.valid_categories(today).is_empty() {
            missing.push(Invalid::new("categories", "household.categories_expired"));
        }
        missing
    }

    /// Records the withdrawal of consent (allowed in every status: it is a right, not an edit).
    pub fn withdraw_consent(&mut self, on: NaiveDate) -> Result<(), Invalid> {
        match &mut self.consent {
            Some(consent) => consent.withdraw(on),
            None => Err(Invalid::new("consent", "consent.not_recorded")),
        }
    }
}

/// The household form as typed in a browser, sent over the API or read from a file. Member 0 is
/// the head (its relation may be left blank); the others name their relation to the head.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HouseholdInput {
    pub members: Vec<MemberInput>,
    pub address: String,
    /// The village's 12-digit statistical code.
    pub village: String,
    pub phone: String,
    pub categories: Vec<CategoryTagInput>,
    /// A category code or label; may be left blank when there is exactly one tag.
    pub main_category: String,
    pub causes: Vec<String>,
    pub consent: ConsentInput,
    pub note: String,
}

impl HouseholdInput {
    /// Checks every field and every rule that needs no database, returning all refusals at once
    /// with their paths (`members[2].id_number`, `categories[0].verified_on`, `consent.guardian`).
    /// `today` decides ages (the guardian rule) and that no date lies in the future.
    pub fn parse(&self, today: NaiveDate) -> Result<HouseholdProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let members = self.members(today, &mut errors);
        let address = keep(&mut errors, text("address", &self.address, 200, true));
        let village = keep(&mut errors, self.village());
        let phone = keep(&mut errors, self.phone());
        let categories = self.categories(today, &mut errors);
        let main_category = categories
            .as_ref()
            .and_then(|tags| keep(&mut errors, self.main_category(tags)));
        let causes = keep(&mut errors, self.causes());
        let guardian_needed = members
            .as_ref()
            .is_some_and(|ms| ms.iter().any(|m| m.is_child_on(today)));
        let consent = self
            .consent
            .parse(today, guardian_needed)
            .map_err(|e| errors.extend(e))
            .ok();
        let note = keep(&mut errors, text("note", &self.note, 1000, false));
        match (
            members,
            address,
            village,
            phone,
            categories,
            main_category,
            causes,
            consent,
            note,
        ) {
            (
                Some(members),
                Some(address),
                Some(village),
                Some(phone),
                Some(categories),
                Some(main_category),
                Some(causes),
                Some(consent),
                Some(note),
            ) if errors.is_empty() => Ok(HouseholdProfile {
                members,
                address,
                village,
                phone,
                categories,
                main_category,
                causes,
                consent,
                note,
            }),
            _ => Err(errors),
        }
    }

    fn members(&self, today: NaiveDate, errors: &mut Vec<Invalid>) -> Option<Vec<Member>> {
        if self.members.is_empty() {
            errors.push(Invalid::new("members", "household.head_missing"));
            return None;
        }
        let before = errors.len();
        let mut parsed = Vec::with_capacity(self.members.len());
        for (i, input) in self.members.iter().enumerate() {
            let prefix = format!("members[{i}]");
            let relation_field = format!("{prefix}.relation");
            let relation = input.relation.trim();
            // The head's row may leave the relation blank: row 0 is the head by definition.
            let input = if i == 0 && relation.is_empty() {
                &MemberInput {
                    relation: Relation::Head.as_str().to_owned(),
                    ..input.clone()
                }
            } else {
                input
            };
            match input.parse(&prefix, today) {
                Ok(member) => {
                    match (i, member.relation) {
                        (0, Relation::Head) => {}
                        (0, _) => errors.push(Invalid::new(relation_field, "household.head_first")),
                        (_, Relation::Head) => errors.push(
                            Invalid::new(relation_field, "household.head_twice")
                                .arg("row", 1)
                                .arg("other", "members[0]"),
                        ),
                        _ => {}
                    }
                    if let Some(j) = parsed.iter().position(|(_, other): &(usize, Member)| {
                        other.id_number == member.id_number
                    }) {
                        let j = parsed[j].0;
                        errors.push(
                            Invalid::new(
                                format!("{prefix}.id_number"),
                                "household.duplicate_member",
                            )
                            .arg("row", j + 1)
                            .arg("other", format!("members[{j}]")),
                        );
                    }
                    parsed.push((i, member));
                }
                Err(e) => errors.extend(e),
            }
        }
        (errors.len() == before).then(|| parsed.into_iter().map(|(_, m)| m).collect())
    }

    fn village(&self) -> Result<AreaCode, Invalid> {
        if self.village.trim().is_empty() {
            return Err(Invalid::new("village", "field.required"));
        }
        let code = AreaCode::parse(&self.village).map_err(|e| at("village", e))?;
        if code.level() != AreaLevel::Village {
            return Err(Invalid::new("village", "household.village_level")
                .arg("value", self.village.trim()));
        }
        Ok(code)
    }

    fn phone(&self) -> Result<Option<Phone>, Invalid> {
        if crate::normalize::clean_code(&self.phone).is_empty() {
            return Ok(None);
        }
        Phone::parse(&self.phone)
            .map(Some)
            .map_err(|e| at("phone", e))
    }

    fn categories(&self, today: NaiveDate, errors: &mut Vec<Invalid>) -> Option<Vec<CategoryTag>> {
        let before = errors.len();
        let mut tags: Vec<CategoryTag> = Vec::with_capacity(self.categories.len());
        let mut rows: Vec<usize> = Vec::with_capacity(self.categories.len());
        for (i, input) in self.categories.iter().enumerate() {
            let prefix = format!("categories[{i}]");
            match input.parse(&prefix, today) {
                Ok(tag) => {
                    if let Some(j) = tags.iter().position(|t| t.category == tag.category) {
                        errors.push(
                            Invalid::new(format!("{prefix}.category"), "category_tag.duplicate")
                                .arg("row", rows[j] + 1)
                                .arg("other", format!("categories[{}]", rows[j])),
                        );
                    }
                    tags.push(tag);
                    rows.push(i);
                }
                Err(e) => errors.extend(e),
            }
        }
        (errors.len() == before).then_some(tags)
    }

    fn main_category(&self, tags: &[CategoryTag]) -> Result<Option<Category>, Invalid> {
        let raw = self.main_category.trim();
        if raw.is_empty() {
            return match tags {
                [] => Ok(None),
                [only] => Ok(Some(only.category)),
                _ => Err(Invalid::new(
                    "main_category",
                    "household.main_category_required",
                )),
            };
        }
        let main = Category::parse(raw).map_err(|e| at("main_category", e))?;
        if !tags.iter().any(|t| t.category == main) {
            return Err(
                Invalid::new("main_category", "household.main_category_untagged").arg("value", raw),
            );
        }
        Ok(Some(main))
    }

    fn causes(&self) -> Result<Vec<Cause>, Invalid> {
        let mut out = Vec::new();
        for raw in split_list(&self.causes) {
            let cause = Cause::parse(&raw).map_err(|e| at("causes", e))?;
            if !out.contains(&cause) {
                out.push(cause);
            }
        }
        Ok(out)
    }
}

impl From<&HouseholdProfile> for HouseholdInput {
    fn from(p: &HouseholdProfile) -> Self {
        HouseholdInput {
            members: p.members.iter().map(MemberInput::from).collect(),
            address: p.address.clone(),
            village: p.village.as_str().to_owned(),
            phone: p
                .phone
                .as_ref()
                .map(|ph| ph.as_str().to_owned())
                .unwrap_or_default(),
            categories: p.categories.iter().map(CategoryTagInput::from).collect(),
            main_category: p
                .main_category
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            causes: p.causes.iter().map(|c| c.as_str().to_owned()).collect(),
            consent: p
                .consent
                .as_ref()
                .map(ConsentInput::from)
                .unwrap_or_default(),
            note: p.note.clone(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::testing::*;
    use super::*;

    pub fn person(name: &str, id: &str, relation: &str) -> MemberInput {
        MemberInput {
            name: name.into(),
            id_number: id.into(),
            relation: relation.into(),
            ..Default::default()
        }
    }

    pub fn tag(category: &str) -> CategoryTagInput {
        CategoryTagInput {
            category: category.into(),
            source: "民政系统".into(),
            verified_by: "王某某".into(),
            verified_on: "2024-03-01".into(),
            valid_until: "2025-02-28".into(),
        }
    }

    /// A complete household: the man of domain.md as head, his mother, his daughter.
    pub fn complete() -> HouseholdInput {
        HouseholdInput {
            members: vec![
                person("张建国", MAN, ""),
                person("刘桂兰", ELDER, "父母"),
                person("张小雨", GIRL, "子女"),
            ],
            address: "示例村东组12号".into(),
            village: "340123100201".into(),
            phone: "138 0013 8000".into(),
            categories: vec![tag("dibao"), tag("困境儿童")],
            main_category: "最低生活保障（低保）".into(),
            causes: vec!["因病、缺劳力".into()],
            consent: ConsentInput {
                version: "2024版".into(),
                signed_on: "2024-11-02".into(),
                scopes: vec!["share_with_organizations".into(), "回访".into()],
                signer: "张建国".into(),
                guardian: "张建国".into(),
                ..Default::default()
            },
            note: "".into(),
        }
    }

    fn errors(input: &HouseholdInput) -> Vec<(String, &'static str)> {
        input
            .parse(today())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    fn pairs(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
    }

    #[test]
    fn a_complete_household() {
        let p = complete().parse(today()).unwrap();
        assert_eq!(p.head().name, "张建国");
        assert_eq!(p.head().relation, Relation::Head);
        assert_eq!(p.members().len(), 3);
        assert_eq!(p.village().as_str(), "340123100201");
        assert_eq!(p.town().unwrap().as_str(), "340123100000");
        assert_eq!(p.phone().unwrap().as_str(), "13800138000");
        assert_eq!(p.main_category(), Some(Category::Dibao));
        assert_eq!(p.causes(), [Cause::Illness, Cause::LackOfLabour]);
        assert_eq!(
            p.valid_categories(today()),
            [Category::Dibao, Category::ChildInDifficulty]
        );
        assert!(p.ready_to_submit(today()).is_empty());
        assert!(p.consents_to(ConsentScope::ShareWithOrganizations, today()));
        assert!(!p.consents_to(ConsentScope::Photos, today()));
        assert!(p.has_child_on(today()));
        assert!(p.is_sensitive_on(today()));
    }

    #[test]
    fn a_minimal_draft_parses_but_is_not_ready() {
        let draft = HouseholdInput {
            members: vec![person("赵大山", MAN, "户主")],
            address: "示例村".into(),
            village: "340123100201".into(),
            ..Default::default()
        };
        let p = draft.parse(today()).unwrap();
        assert_eq!(p.phone(), None);
        assert_eq!(p.main_category(), None);
        assert_eq!(p.consent(), None);
        assert!(!p.is_sensitive_on(today()));
        let missing: Vec<_> = p
            .ready_to_submit(today())
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect();
        assert_eq!(
            missing,
            pairs(&[
                ("consent", "household.consent_missing"),
                ("categories", "household.categories_missing")
            ])
        );
    }

    #[test]
    fn expired_categories_block_submission() {
        let mut input = complete();
        for t in &mut input.categories {
            t.valid_until = "2024-06-30".into();
        }
        let p = input.parse(today()).unwrap();
        let missing = p.ready_to_submit(today());
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].code(), "household.categories_expired");
        assert!(p.ready_to_submit(day(2024, 6, 30)).is_empty());
    }

    #[test]
    fn exactly_one_head_and_it_comes_first() {
        let mut input = complete();
        input.members = vec![];
        assert_eq!(
            errors(&input),
            pairs(&[("members", "household.head_missing")])
        );

        let mut input = complete();
        input.members[0].relation = "配偶".into();
        input.members[2].relation = "户主".into();
        let got = input.parse(today()).unwrap_err();
        let fields: Vec<_> = got.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields,
            [
                ("members[0].relation", "household.head_first"),
                ("members[2].relation", "household.head_twice")
            ]
        );
        assert_eq!(
            got[1].0.args,
            vec![("row", "1".to_owned()), ("other", "members[0]".to_owned())]
        );

        let mut input = complete();
        input.members[0].relation = "head".into();
        assert!(input.parse(today()).is_ok(), "an explicit head is fine");
    }

    #[test]
    fn the_same_person_twice_names_the_other_row() {
        let mut input = complete();
        // The 15-digit first-generation form of the same person is still the same person.
        input
            .members
            .push(person("刘桂兰", "110105491231002", "其他"));
        let got = input.parse(today()).unwrap_err();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].field(), "members[3].id_number");
        assert_eq!(got[0].code(), "household.duplicate_member");
        assert_eq!(
            got[0].0.args,
            vec![("row", "2".to_owned()), ("other", "members[1]".to_owned())]
        );

        let mut input = complete();
        input.members[2].id_number = MAN.into();
        let got = input.parse(today()).unwrap_err();
        assert_eq!(
            got[0].0.args,
            vec![("row", "1".to_owned()), ("other", "members[0]".to_owned())]
        );
    }

    #[test]
    fn village_must_be_a_village() {
        for (code, expected) in [
            ("340123100", "household.village_level"),
            ("340123", "household.village_level"),
            ("34012310", "area.code"),
            ("", "field.required"),
        ] {
            let mut input = complete();
            input.village = code.into();
            assert_eq!(errors(&input), pairs(&[("village", expected)]), "{code}");
        }
    }

    #[test]
    fn main_category_is_one_of_the_tags() {
        let mut input = complete();
        input.main_category = "孤儿".into();
        assert_eq!(
            errors(&input),
            pairs(&[("main_category", "household.main_category_untagged")])
        );

        let mut input = complete();
        input.main_category = "".into();
        assert_eq!(
            errors(&input),
            pairs(&[("main_category", "household.main_category_required")])
        );

        let mut input = complete();
        input.main_category = "".into();
        input.categories.truncate(1);
        assert_eq!(
            input.parse(today()).unwrap().main_category(),
            Some(Category::Dibao)
        );

        let mut input = complete();
        input.categories.clear();
        assert_eq!(
            errors(&input),
            pairs(&[("main_category", "household.main_category_untagged")])
        );
    }

    #[test]
    fn a_category_twice_is_refused() {
        let mut input = complete();
        input.categories.push(tag("最低生活保障（低保）"));
        let got = input.parse(today()).unwrap_err();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].field(), got[0].code()),
            ("categories[2].category", "category_tag.duplicate")
        );
        assert_eq!(
            got[0].0.args,
            vec![
                ("row", "1".to_owned()),
                ("other", "categories[0]".to_owned())
            ]
        );
    }

    #[test]
    fn a_child_needs_a_guardian_adults_do_not() {
        let mut input = complete();
        input.consent.guardian = "".into();
        assert_eq!(
            errors(&input),
            pairs(&[("consent.guardian", "consent.guardian_required")])
        );
        input.members.truncate(2);
        assert!(input.parse(today()).is_ok());
        // The same girl at 14 no longer needs one.
        let mut input = complete();
        input.consent.guardian = "".into();
        assert!(input.parse(day(2029, 1, 1)).is_ok());
    }

    #[test]
    fn every_error_at_once() {
        let input = HouseholdInput {
            members: vec![
                person("", "340123199003071235", ""),
                person("钱多多", MAN, "邻居"),
            ],
            address: "".into(),
            village: "abc".into(),
            phone: "12345".into(),
            categories: vec![CategoryTagInput::default()],
            main_category: "".into(),
            causes: vec!["因懒".into()],
            consent: ConsentInput {
                signed_on: "昨天".into(),
                ..Default::default()
            },
            note: "x".repeat(1001),
        };
        assert_eq!(
            errors(&input),
            pairs(&[
                ("members[0].name", "field.required"),
                ("members[0].id_number", "id.check"),
                ("members[1].relation", "dict.unknown"),
                ("address", "field.required"),
                ("village", "area.code"),
                ("phone", "phone.format"),
                ("categories[0].category", "field.required"),
                ("categories[0].source", "field.required"),
                ("categories[0].verified_by", "field.required"),
                ("categories[0].verified_on", "field.required"),
                ("causes", "dict.unknown"),
                ("consent.version", "field.required"),
                ("consent.signed_on", "household.date"),
                ("consent.signer", "field.required"),
                ("note", "field.too_long"),
            ])
        );
    }

    #[test]
    fn withdrawing_consent_on_the_profile() {
        let mut p = complete().parse(today()).unwrap();
        p.withdraw_consent(today()).unwrap();
        assert!(!p.consents_to(ConsentScope::ShareWithOrganizations, today()));
        assert!(
            p.ready_to_submit(today()).is_empty(),
            "a withdrawn form is still on record"
        );
        let mut draft = complete();
        draft.consent = ConsentInput::default();
        let mut p = draft.parse(today()).unwrap();
        assert_eq!(
            p.withdraw_consent(today()).unwrap_err().code(),
            "consent.not_recorded"
        );
    }

    #[test]
    fn round_trips_through_the_input() {
        let mut input = complete();
        input.members[1].disability_certificate = "11010519491231002X41".into();
        input.members[1].health_note = "高血压".into();
        input.note = "冬季取暖困难".into();
        let p = input.parse(today()).unwrap();
        let again = HouseholdInput::from(&p).parse(today()).unwrap();
        assert_eq!(again, p);
    }
}
