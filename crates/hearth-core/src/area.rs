//! Statistical division codes (统计用区划代码): 12 digits, province 2 + city 2 + county 2 +
//! town 3 + village 3. The platform's whole geography (county → town → village) and every
//! permission scope are expressed in them.

use std::fmt;
use std::str::FromStr;

use crate::error::Invalid;
use crate::normalize::clean_code;

const FIELD: &str = "area_code";

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    Province,
    City,
    County,
    Town,
    Village,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 5] = [
        AreaLevel::Province,
        AreaLevel::City,
        AreaLevel::County,
        AreaLevel::Town,
        AreaLevel::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::Province => "province",
            AreaLevel::City => "city",
            AreaLevel::County => "county",
            AreaLevel::Town => "town",
            AreaLevel::Village => "village",
        }
    }

    /// The locale key of the level's name (省, 市, 县（区）, 乡镇（园区）, 村（社区）).
    pub fn label_key(self) -> &'static str {
        match self {
            AreaLevel::Province => "area.level.province",
            AreaLevel::City => "area.level.city",
            AreaLevel::County => "area.level.county",
            AreaLevel::Town => "area.level.town",
            AreaLevel::Village => "area.level.village",
        }
    }

    /// How many leading digits of a code this level's segment ends at.
    fn end(self) -> usize {
        match self {
            AreaLevel::Province => 2,
            AreaLevel::City => 4,
            AreaLevel::County => 6,
            AreaLevel::Town => 9,
            AreaLevel::Village => 12,
        }
    }

    fn start(self) -> usize {
        match self {
            AreaLevel::Province => 0,
            AreaLevel::City => 2,
            AreaLevel::County => 4,
            AreaLevel::Town => 6,
            AreaLevel::Village => 9,
        }
    }
}

impl fmt::Display for AreaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaLevel {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        AreaLevel::ALL
            .into_iter()
            .find(|level| level.as_str() == wanted)
            .ok_or_else(|| Invalid::new("area_level", "area.unknown_level").arg("value", s.trim()))
    }
}

/// A 12-digit division code. Its level is that of its last non-zero segment: towns of a
/// prefecture-level city without counties (东莞, 中山) have county digits `00`, so a zero
/// segment in the middle is allowed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Accepts the full 12 digits or the 6-digit (county) and 9-digit (town) forms that
    /// people and older files use, padding them with zeros.
    pub fn parse(input: &str) -> Result<AreaCode, Invalid> {
        let digits = clean_code(input);
        let well_formed = matches!(digits.len(), 6 | 9 | 12)
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with("00");
        if !well_formed {
            return Err(Invalid::new(FIELD, "area.code").arg("value", input.trim()));
        }
        Ok(AreaCode(format!("{digits:0<12}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn segment_is_zero(&self, level: AreaLevel) -> bool {
        self.0[level.start()..level.end()]
            .bytes()
            .all(|b| b == b'0')
    }

    pub fn level(&self) -> AreaLevel {
        AreaLevel::ALL
            .into_iter()
            .rev()
            .find(|&level| !self.segment_is_zero(level))
            .unwrap_or(AreaLevel::Province)
    }

    /// The digits that identify the area; every area below it starts with them.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().end()]
    }

    /// The first six digits: the county (or, for a city without counties, the city).
    pub fn county_prefix(&self) -> &str {
        &self.0[..6]
    }

    /// The area directly above, skipping a level that the code leaves at zero; `None` for a
    /// province.
    pub fn parent(&self) -> Option<AreaCode> {
        let level = self.level();
        if level == AreaLevel::Province {
            return None;
        }
        Some(AreaCode(format!("{:0<12}", &self.0[..level.start()])))
    }

    /// The enclosing area at `level` (the town of a village, the county of a town), or `None`
    /// when the code is above that level or has no area there.
    pub fn ancestor_at(&self, level: AreaLevel) -> Option<AreaCode> {
        if level > self.level() || self.segment_is_zero(level) {
            return None;
        }
        Some(AreaCode(format!("{:0<12}", &self.0[..level.end()])))
    }

    /// True when `self` is `ancestor` or lies below it; the test behind every scope check.
    pub fn is_within(&self, ancestor: &AreaCode) -> bool {
        self.0.starts_with(ancestor.prefix())
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AreaCode {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AreaCode::parse(&s)
    }
}

impl From<AreaCode> for String {
    fn from(code: AreaCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text};
    use proptest::prelude::*;

    fn area(input: &str) -> AreaCode {
        AreaCode::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn short_forms_are_padded() {
        assert_eq!(area("340123").as_str(), "340123000000");
        assert_eq!(area("340123100").as_str(), "340123100000");
        assert_eq!(area(" 340123100201 ").as_str(), "340123100201");
    }

    #[test]
    fn malformed_codes_are_refused() {
        for input in [
            "",
            "3401",
            "3401231",
            "34012310020",
            "3401231002011",
            "34012a",
            "000000",
            "00 0000 000 000",
        ] {
            let e = AreaCode::parse(input).unwrap_err();
            assert_eq!(e.code(), "area.code", "{input}");
        }
        assert_eq!(
            AreaCode::parse("3401").unwrap_err().0.args,
            vec![("value", "3401".into())]
        );
    }

    #[test]
    fn levels_of_feixi() {
        assert_eq!(area("340000").level(), AreaLevel::Province);
        assert_eq!(area("340100").level(), AreaLevel::City);
        assert_eq!(area("340123").level(), AreaLevel::County);
        assert_eq!(area("340123100").level(), AreaLevel::Town);
        assert_eq!(area("340123100201").level(), AreaLevel::Village);
        assert_eq!(area("340123100201").county_prefix(), "340123");
    }

    #[test]
    fn parents_walk_up_the_tree() {
        let chain: Vec<String> =
            std::iter::successors(Some(area("340123100201")), AreaCode::parent)
                .map(|a| a.as_str().to_owned())
                .collect();
        assert_eq!(
            chain,
            [
                "340123100201",
                "340123100000",
                "340123000000",
                "340100000000",
                "340000000000"
            ]
        );
    }

    #[test]
    fn a_city_without_counties() {
        // 东莞市东城街道: county digits are 00.
        let town = area("441900003");
        assert_eq!(town.level(), AreaLevel::Town);
        assert_eq!(town.parent().unwrap().as_str(), "441900000000");
        assert_eq!(town.ancestor_at(AreaLevel::County), None);
        assert!(town.is_within(&area("441900")));
    }

    #[test]
    fn within_and_ancestors() {
        let village = area("340123100201");
        let feixi = area("340123");
        assert!(village.is_within(&feixi));
        assert!(feixi.is_within(&feixi));
        assert!(!feixi.is_within(&village));
        assert!(!village.is_within(&area("340124")));
        assert!(village.is_within(&area("340000")));
        assert!(
            !area("341200").is_within(&area("340100")),
            "city 12 is not city 01"
        );
        assert_eq!(
            village.ancestor_at(AreaLevel::Town),
            Some(area("340123100"))
        );
        assert_eq!(
            village.ancestor_at(AreaLevel::Village),
            Some(village.clone())
        );
        assert_eq!(feixi.ancestor_at(AreaLevel::Town), None);
    }

    #[test]
    fn level_names() {
        for level in AreaLevel::ALL {
            assert_eq!(level.as_str().parse::<AreaLevel>().unwrap(), level);
            assert_ne!(text(Lang::ZhCn, level.label_key()), level.label_key());
        }
        assert_eq!(
            text(Lang::ZhCn, AreaLevel::Town.label_key()),
            "乡镇（园区）"
        );
        assert_eq!("Town".parse::<AreaLevel>().unwrap(), AreaLevel::Town);
        assert_eq!(
            "street".parse::<AreaLevel>().unwrap_err().code(),
            "area.unknown_level"
        );
        assert_eq!(
            toml::Value::try_from(AreaLevel::County).unwrap(),
            toml::Value::String("county".into())
        );
    }

    /// Codes at every level, including ones with a zero segment in the middle.
    fn any_code() -> impl Strategy<Value = AreaCode> {
        let part = |max: u32| prop_oneof![Just(0), 1..max];
        (1u32..100, part(100), part(100), part(1000), part(1000))
            .prop_map(|(p, c, k, t, v)| AreaCode(format!("{p:02}{c:02}{k:02}{t:03}{v:03}")))
    }

    proptest! {
        #[test]
        fn parse_round_trips(code in any_code()) {
            prop_assert_eq!(AreaCode::parse(code.as_str()), Ok(code));
        }

        #[test]
        fn every_ancestor_contains_the_code(code in any_code()) {
            let mut current = code.clone();
            while let Some(parent) = current.parent() {
                prop_assert!(parent.level() < current.level());
                prop_assert!(code.is_within(&parent));
                prop_assert!(!parent.is_within(&code));
                current = parent;
            }
            prop_assert_eq!(current.level(), AreaLevel::Province);
        }
    }
}
