//! A member of a household: who (name and ID number, from which sex, birth date and age follow),
//! how they relate to the head, and the sensitive facts (disability, health) that the score and
//! the helpers need.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CHILD_AGE, at, text};
use crate::{IdNumber, Invalid, Sex};

dictionary!(
    /// Relation to the head of the household (与户主关系).
    Relation, "relation", "member.relation" {
        Head => "head",
        Spouse => "spouse",
        Child => "child",
        Parent => "parent",
        Grandchild => "grandchild",
        Grandparent => "grandparent",
        Sibling => "sibling",
        Other => "other",
    }
);

dictionary!(
    /// The seven kinds of disability of the disability certificate (残疾人证), numbered as in
    /// its 19th character (domain.md §1).
    DisabilityKind, "disability_kind", "member.disability_kind" {
        Visual => "visual",
        Hearing => "hearing",
        Speech => "speech",
        Physical => "physical",
        Intellectual => "intellectual",
        Mental => "mental",
        Multiple => "multiple",
    }
);

impl DisabilityKind {
    /// The certificate digit: 1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重.
    pub fn digit(self) -> u8 {
        match self {
            DisabilityKind::Visual => 1,
            DisabilityKind::Hearing => 2,
            DisabilityKind::Speech => 3,
            DisabilityKind::Physical => 4,
            DisabilityKind::Intellectual => 5,
            DisabilityKind::Mental => 6,
            DisabilityKind::Multiple => 7,
        }
    }

    pub fn from_digit(digit: u8) -> Option<DisabilityKind> {
        Self::ALL.iter().copied().find(|k| k.digit() == digit)
    }

    /// Accepts the code, the label, the label without 残疾 (`肢体`) or the certificate digit.
    pub fn parse_loose(value: &str) -> Result<DisabilityKind, Invalid> {
        let trimmed = value.trim();
        if let Ok(digit) = trimmed.parse::<u8>()
            && let Some(kind) = Self::from_digit(digit)
        {
            return Ok(kind);
        }
        Self::parse(trimmed).or_else(|e| Self::parse(&format!("{trimmed}残疾")).map_err(|_| e))
    }
}

/// A disability as on the certificate: a kind and a grade from 1 (most severe) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDisability")]
pub struct Disability {
    kind: DisabilityKind,
    grade: u8,
}

#[derive(Deserialize)]
struct RawDisability {
    kind: DisabilityKind,
    grade: u8,
}

impl TryFrom<RawDisability> for Disability {
    type Error = Invalid;
    fn try_from(raw: RawDisability) -> Result<Self, Self::Error> {
        Disability::new(raw.kind, raw.grade)
    }
}

const CERTIFICATE: &str = "disability_certificate";

impl Disability {
    pub fn new(kind: DisabilityKind, grade: u8) -> Result<Disability, Invalid> {
        if !(1..=4).contains(&grade) {
            return Err(
                Invalid::new("disability_grade", "member.disability_grade").arg("value", grade)
            );
        }
        Ok(Disability { kind, grade })
    }

    /// Reads a disability certificate number (残疾人证号): the holder's 18-character ID number,
    /// the kind digit and the grade digit. The ID part must be this member's number.
    pub fn from_certificate(cert: &str, id: &IdNumber) -> Result<Disability, Invalid> {
        let chars: Vec<char> = crate::normalize::clean_code(cert).chars().collect();
        if chars.len() != 20 {
            return Err(
                Invalid::new(CERTIFICATE, "member.certificate_length").arg("len", chars.len())
            );
        }
        if !chars[..18].iter().copied().eq(id.as_str().chars()) {
            return Err(Invalid::new(CERTIFICATE, "member.certificate_mismatch"));
        }
        let (kind_char, grade_char) = (chars[18], chars[19]);
        let kind = kind_char
            .to_digit(10)
            .and_then(|d| DisabilityKind::from_digit(d as u8))
            .ok_or_else(|| {
                Invalid::new(CERTIFICATE, "member.certificate_kind").arg("value", kind_char)
            })?;
        match grade_char.to_digit(10) {
            Some(grade @ 1..=4) => Ok(Disability {
                kind,
                grade: grade as u8,
            }),
            _ => {
                Err(Invalid::new(CERTIFICATE, "member.certificate_grade").arg("value", grade_char))
            }
        }
    }

    pub fn kind(&self) -> DisabilityKind {
        self.kind
    }

    pub fn grade(&self) -> u8 {
        self.grade
    }

    /// 重度: grade one or two.
    pub fn is_severe(&self) -> bool {
        self.grade <= 2
    }

    /// The locale key of the grade's name (一级 … 四级).
    pub fn grade_label_key(&self) -> &'static str {
        match self.grade {
            1 => "member.grade.1",
            2 => "member.grade.2",
            3 => "member.grade.3",
            _ => "member.grade.4",
        }
    }
}

/// Reads a grade as written: `1`, `一级`, `1级`, `二`, full-width digits.
fn parse_grade(field: &str, value: &str) -> Result<u8, Invalid> {
    let cleaned = crate::normalize::clean_code(value);
    let core = cleaned.trim_end_matches('级');
    let grade = match core {
        "1" | "一" => Some(1),
        "2" | "二" => Some(2),
        "3" | "三" => Some(3),
        "4" | "四" => Some(4),
        _ => None,
    };
    grade.ok_or_else(|| Invalid::new(field, "member.disability_grade").arg("value", value.trim()))
}

/// A member of a household. Member 0 of a profile is the head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub id_number: IdNumber,
    pub relation: Relation,
    pub disability: Option<Disability>,
    /// Free text about illness and care needs (sensitive; encrypted at rest).
    pub health_note: String,
}

impl Member {
    pub fn sex(&self) -> Sex {
        self.id_number.sex()
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.id_number.birth_date()
    }

    pub fn age_on(&self, date: NaiveDate) -> u32 {
        self.id_number.age_on(date)
    }

    /// Under 14 on `date`: a guardian consents for them (PIPL art. 31).
    pub fn is_child_on(&self, date: NaiveDate) -> bool {
        self.age_on(date) < CHILD_AGE
    }

    pub fn has_health_note(&self) -> bool {
        !self.health_note.trim().is_empty()
    }

    pub fn has_severe_disability(&self) -> bool {
        self.disability.is_some_and(|d| d.is_severe())
    }
}

/// A member as typed in a form or read from a file. The disability is given either as the
/// certificate number or as kind and grade (or both, which must then agree).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub id_number: String,
    pub relation: String,
    pub disability_certificate: String,
    pub disability_kind: String,
    pub disability_grade: String,
    pub health_note: String,
}

impl MemberInput {
    /// Checks every field; `prefix` is the member's place in the form (`members[2]`). The
    /// relation is checked here against the dictionary only; the household decides who may be
    /// the head.
    pub fn parse(&self, prefix: &str, today: NaiveDate) -> Result<Member, Vec<Invalid>> {
        let field = |name: &str| format!("{prefix}.{name}");
        let mut errors = Vec::new();
        let name = text(&field("name"), &self.name, 50, true)
            .map_err(|e| errors.push(e))
            .ok();
        let id_number = IdNumber::parse_on(&self.id_number, today)
            .map_err(|e| errors.push(at(&field("id_number"), e)))
            .ok();
        let relation = if self.relation.trim().is_empty() {
            Err(Invalid::new(field("relation"), "field.required"))
        } else {
            Relation::parse(&self.relation).map_err(|e| at(&field("relation"), e))
        };
        let relation = relation.map_err(|e| errors.push(e)).ok();
        let health_note = text(&field("health_note"), &self.health_note, 500, false)
            .map_err(|e| errors.push(e))
            .ok();
        let disability = match &id_number {
            Some(id) => self
                .disability(prefix, id)
                .map_err(|e| errors.extend(e))
                .ok(),
            // Without a valid ID the certificate cannot be checked; kind and grade still can.
            None => {
                let _ = self.kind_and_grade(prefix).map_err(|e| errors.extend(e));
                None
            }
        };
        match (name, id_number, relation, disability, health_note) {
            (Some(name), Some(id_number), Some(relation), Some(disability), Some(health_note))
                if errors.is_empty() =>
            {
                Ok(Member {
                    name,
                    id_number,
                    relation,
                    disability,
                    health_note,
                })
            }
            _ => Err(errors),
        }
    }

    fn kind_and_grade(&self, prefix: &str) -> Result<Option<Disability>, Vec<Invalid>> {
        let kind_field = format!("{prefix}.disability_kind");
        let grade_field = format!("{prefix}.disability_grade");
        let (kind, grade) = (self.disability_kind.trim(), self.disability_grade.trim());
        match (kind.is_empty(), grade.is_empty()) {
            (true, true) => Ok(None),
            (false, true) => Err(vec![Invalid::new(
                grade_field,
                "member.disability_incomplete",
            )]),
            (true, false) => Err(vec![Invalid::new(
                kind_field,
                "member.disability_incomplete",
            )]),
            (false, false) => {
                let kind = DisabilityKind::parse_loose(kind).map_err(|e| at(&kind_field, e));
                let grade = parse_grade(&grade_field, grade);
                match (kind, grade) {
                    (Ok(kind), Ok(grade)) => Ok(Some(Disability { kind, grade })),
                    (kind, grade) => Err(kind.err().into_iter().chain(grade.err()).collect()),
                }
            }
        }
    }

    fn disability(&self, prefix: &str, id: &IdNumber) -> Result<Option<Disability>, Vec<Invalid>> {
        let typed = self.kind_and_grade(prefix)?;
        if crate::normalize::clean_code(&self.disability_certificate).is_empty() {
            return Ok(typed);
        }
        let cert_field = format!("{prefix}.{CERTIFICATE}");
        let from_cert = Disability::from_certificate(&self.disability_certificate, id)
            .map_err(|e| vec![at(&cert_field, e)])?;
        match typed {
            Some(typed) if typed != from_cert => Err(vec![
                Invalid::new(cert_field, "member.disability_conflict")
                    .arg("kind", from_cert.kind.digit())
                    .arg("grade", from_cert.grade),
            ]),
            _ => Ok(Some(from_cert)),
        }
    }
}

impl From<&Member> for MemberInput {
    fn from(m: &Member) -> Self {
        MemberInput {
            name: m.name.clone(),
            id_number: m.id_number.as_str().to_owned(),
            relation: m.relation.as_str().to_owned(),
            disability_certificate: String::new(),
            disability_kind: m
                .disability
                .map(|d| d.kind.as_str().to_owned())
                .unwrap_or_default(),
            disability_grade: m
                .disability
                .map(|d| d.grade.to_string())
                .unwrap_or_default(),
            health_note: m.health_note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::i18n::{Lang, text as message};

    fn id(s: &str) -> IdNumber {
        IdNumber::parse_on(s, today()).unwrap()
    }

    fn member(id_number: &str) -> MemberInput {
        MemberInput {
            name: "李秀英".into(),
            id_number: id_number.into(),
            relation: "配偶".into(),
            ..Default::default()
        }
    }

    #[test]
    fn dictionaries_have_labels() {
        for r in Relation::ALL {
            assert_ne!(message(Lang::ZhCn, r.label_key()), r.label_key());
            assert_ne!(message(Lang::En, r.label_key()), r.label_key());
        }
        for k in DisabilityKind::ALL {
            assert_ne!(message(Lang::ZhCn, k.label_key()), k.label_key());
            assert_ne!(message(Lang::En, k.label_key()), k.label_key());
            assert_eq!(DisabilityKind::from_digit(k.digit()), Some(*k));
        }
        for grade in 1..=4 {
            let key = Disability::new(DisabilityKind::Visual, grade)
                .unwrap()
                .grade_label_key();
            assert_ne!(message(Lang::ZhCn, key), key);
            assert_ne!(message(Lang::En, key), key);
        }
        assert_eq!(Relation::parse("子女"), Ok(Relation::Child));
        assert_eq!(Relation::parse("Grandparent"), Ok(Relation::Grandparent));
    }

    #[test]
    fn disability_kinds_as_people_write_them() {
        for raw in ["4", "physical", "肢体残疾", "肢体", " 肢体 "] {
            assert_eq!(
                DisabilityKind::parse_loose(raw),
                Ok(DisabilityKind::Physical),
                "{raw}"
            );
        }
        assert_eq!(
            DisabilityKind::parse_loose("8").unwrap_err().code(),
            "dict.unknown"
        );
        assert_eq!(
            DisabilityKind::parse_loose("0").unwrap_err().code(),
            "dict.unknown"
        );
        for (raw, grade) in [("1", 1), ("一级", 1), ("2级", 2), ("三", 3), ("４", 4)] {
            assert_eq!(parse_grade("g", raw), Ok(grade), "{raw}");
        }
        for raw in ["0", "5", "五级", "重度"] {
            assert_eq!(
                parse_grade("g", raw).unwrap_err().code(),
                "member.disability_grade",
                "{raw}"
            );
        }
    }

    #[test]
    fn severity_is_grade_one_or_two() {
        let severe: Vec<u8> = (1..=4)
            .filter(|g| {
                Disability::new(DisabilityKind::Mental, *g)
                    .unwrap()
                    .is_severe()
            })
            .collect();
        assert_eq!(severe, [1, 2]);
        assert_eq!(
            Disability::new(DisabilityKind::Mental, 5)
                .unwrap_err()
                .code(),
            "member.disability_grade"
        );
        assert!(Disability::new(DisabilityKind::Mental, 0).is_err());
    }

    #[test]
    fn certificates_are_the_id_plus_kind_and_grade() {
        let man = id(MAN);
        let d = Disability::from_certificate("34012319900307123442", &man).unwrap();
        assert_eq!((d.kind(), d.grade()), (DisabilityKind::Physical, 2));
        assert!(d.is_severe());
        let elder = id(ELDER);
        let d = Disability::from_certificate(" 11010519491231002x71 ", &elder).unwrap();
        assert_eq!((d.kind(), d.grade()), (DisabilityKind::Multiple, 1));

        let refused = |cert: &str, who: &IdNumber| {
            let e = Disability::from_certificate(cert, who).unwrap_err();
            assert_eq!(e.field(), "disability_certificate");
            (e.code(), e.0.args)
        };
        assert_eq!(
            refused("340123199003071234", &man),
            ("member.certificate_length", vec![("len", "18".to_owned())])
        );
        assert_eq!(
            refused("34012319900307123442", &elder).0,
            "member.certificate_mismatch"
        );
        assert_eq!(
            refused("34012319900307123482", &man),
            ("member.certificate_kind", vec![("value", "8".to_owned())])
        );
        assert_eq!(
            refused("34012319900307123445", &man),
            ("member.certificate_grade", vec![("value", "5".to_owned())])
        );
        assert_eq!(
            refused("340123199003071234残2", &man),
            ("member.certificate_kind", vec![("value", "残".to_owned())])
        );
        assert_eq!(
            refused("3401231990030712344", &man).0,
            "member.certificate_length"
        );
    }

    #[test]
    fn a_member_derives_sex_birth_and_age_from_the_id() {
        let m = member(GIRL).parse("members[1]", today()).unwrap();
        assert_eq!(m.sex(), Sex::Female);
        assert_eq!(m.birth_date(), day(2015, 1, 1));
        assert_eq!(m.age_on(today()), 9);
        assert!(m.is_child_on(today()));
        assert!(!m.is_child_on(day(2029, 1, 1)));
        assert_eq!(m.relation, Relation::Spouse);
        assert_eq!(m.disability, None);
        let m = member(MAN).parse("members[1]", today()).unwrap();
        assert_eq!((m.sex(), m.age_on(today())), (Sex::Male, 34));
    }

    #[test]
    fn disability_from_certificate_or_kind_and_grade() {
        let by_cert = MemberInput {
            disability_certificate: "34012319900307123442".into(),
            ..member(MAN)
        };
        let by_fields = MemberInput {
            disability_kind: "肢体".into(),
            disability_grade: "二级".into(),
            ..member(MAN)
        };
        let both = MemberInput {
            disability_kind: "4".into(),
            disability_grade: "2".into(),
            ..by_cert.clone()
        };
        let expected = Some(Disability::new(DisabilityKind::Physical, 2).unwrap());
        for input in [&by_cert, &by_fields, &both] {
            assert_eq!(input.parse("m", today()).unwrap().disability, expected);
        }
    }

    #[test]
    fn disagreeing_disability_is_refused_not_guessed() {
        let conflict = MemberInput {
            disability_certificate: "34012319900307123442".into(),
            disability_kind: "视力".into(),
            disability_grade: "2".into(),
            ..member(MAN)
        };
        let errors = conflict.parse("members[3]", today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field(), "members[3].disability_certificate");
        assert_eq!(errors[0].code(), "member.disability_conflict");
        assert_eq!(
            errors[0].0.args,
            vec![("kind", "4".to_owned()), ("grade", "2".to_owned())]
        );

        let half = MemberInput {
            disability_kind: "视力".into(),
            ..member(MAN)
        };
        let errors = half.parse("members[3]", today()).unwrap_err();
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            (
                "members[3].disability_grade",
                "member.disability_incomplete"
            )
        );
    }

    #[test]
    fn all_errors_at_once_with_paths() {
        let bad = MemberInput {
            name: " ".into(),
            id_number: "340123199003071235".into(),
            relation: "邻居".into(),
            disability_kind: "9".into(),
            disability_grade: "6".into(),
            health_note: "x".repeat(501),
            ..Default::default()
        };
        let errors = bad.parse("members[2]", today()).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            got,
            [
                ("members[2].name", "field.required"),
                ("members[2].id_number", "id.check"),
                ("members[2].relation", "dict.unknown"),
                ("members[2].health_note", "field.too_long"),
                ("members[2].disability_kind", "dict.unknown"),
                ("members[2].disability_grade", "member.disability_grade"),
            ]
        );
    }

    #[test]
    fn serde_refuses_an_impossible_grade() {
        let ok: Disability = toml::from_str("kind = \"hearing\"\ngrade = 3").unwrap();
        assert_eq!((ok.kind(), ok.grade()), (DisabilityKind::Hearing, 3));
        let bad: Result<Disability, _> = toml::from_str("kind = \"hearing\"\ngrade = 9");
        assert!(bad.is_err());
    }

    #[test]
    fn round_trips_through_the_input() {
        let m = MemberInput {
            disability_certificate: "34012319900307123433".into(),
            health_note: "高血压，长期服药".into(),
            ..member(MAN)
        }
        .parse("m", today())
        .unwrap();
        assert_eq!(MemberInput::from(&m).parse("m", today()), Ok(m));
    }
}
