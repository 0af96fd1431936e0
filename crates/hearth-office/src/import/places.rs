//! Towns and villages as people write them in a sheet: 上派镇, 上派, 经开区 for 安徽肥西经济开发区,
//! 三岗村委会 for 三岗村, or the statistical code. A name outside the county is refused with the
//! closest names, so a typo (上拍镇) is fixed in one go.

use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::{Invalid, normalize::clean_code};
use hearth_store::areas::Area;

/// Endings that may be written or left out; longest first so 村委会 goes before 村.
const SUFFIXES: [&str; 9] = [
    "社区居委会",
    "村民委员会",
    "居委会",
    "村委会",
    "管委会",
    "街道",
    "社区",
    "镇",
    "乡",
];
const ALSO_STRIPPED: [&str; 1] = ["村"];
/// What is written before a town's name: province, city, county.
const PREFIXES: [&str; 5] = ["安徽省", "安徽", "合肥市", "肥西县", "肥西"];

fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

fn strip_suffix(name: &str) -> &str {
    SUFFIXES
        .iter()
        .chain(ALSO_STRIPPED.iter())
        .find_map(|s| name.strip_suffix(s).filter(|rest| !rest.is_empty()))
        .unwrap_or(name)
}

fn strip_prefixes(mut name: &str) -> &str {
    while let Some(rest) = PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p).filter(|r| !r.is_empty()))
    {
        name = rest;
    }
    name
}

/// Every form of an area's name that is accepted as it.
fn forms(area: &Area) -> Vec<String> {
    let name = compact(&area.name);
    // A remark in brackets is not typed: 新丰社区（示例） is written 新丰社区.
    let plain = name.split('(').next().unwrap_or("").to_owned();
    let mut out = vec![strip_prefixes(&name).to_owned(), name, plain];
    if !area.short_name.trim().is_empty() {
        out.push(compact(&area.short_name));
    }
    let stems: Vec<String> = out.iter().map(|n| strip_suffix(n).to_owned()).collect();
    out.extend(stems);
    if area.name.contains("开发区") {
        out.extend(["经开区".to_owned(), "开发区".to_owned()]);
    }
    out
}

/// Edit distance over characters (names are a handful of characters).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// The names of up to three areas closest to `typed`, joined for a message.
fn closest(typed: &str, candidates: &[&Area]) -> String {
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .map(|a| {
            let d = forms(a)
                .iter()
                .map(|f| distance(typed, f))
                .min()
                .unwrap_or(usize::MAX);
            (d, a.name.as_str())
        })
        .collect();
    scored.sort();
    scored
        .iter()
        .take(3)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join("、")
}

/// The county's towns and villages, for resolving what a sheet says.
pub struct Places<'a> {
    county: Vec<&'a Area>,
    towns: Vec<&'a Area>,
    villages: Vec<&'a Area>,
}

impl<'a> Places<'a> {
    pub fn new(areas: &'a [Area]) -> Places<'a> {
        let at = |level| areas.iter().filter(move |a| a.level == level).collect();
        Places {
            county: at(AreaLevel::County),
            towns: at(AreaLevel::Town),
            villages: at(AreaLevel::Village),
        }
    }

    fn find(candidates: &[&'a Area], typed: &str) -> Option<&'a Area> {
        Self::find_all(candidates, typed).into_iter().next()
    }

    /// Every candidate the text may name: one for a code, possibly several for a bare name.
    fn find_all(candidates: &[&'a Area], typed: &str) -> Vec<&'a Area> {
        if let Ok(code) = AreaCode::parse(typed) {
            return candidates
                .iter()
                .filter(|a| a.code == code)
                .copied()
                .collect();
        }
        let typed = compact(typed);
        let bare = strip_prefixes(&typed);
        let stem = strip_suffix(bare);
        let exact: Vec<&'a Area> = candidates
            .iter()
            .filter(|a| compact(&a.name) == bare)
            .copied()
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        candidates
            .iter()
            .filter(|a| forms(a).iter().any(|f| f == bare || f == stem))
            .copied()
            .collect()
    }

    /// The town (乡镇/园区) a cell names.
    pub fn town(&self, field: &str, typed: &str) -> Result<&'a Area, Invalid> {
        if self.towns.is_empty() {
            return Err(Invalid::new(field, "import.no_divisions"));
        }
        Self::find(&self.towns, typed).ok_or_else(|| {
            Invalid::new(field, "import.town_unknown")
                .arg("value", typed.trim())
                .arg("closest", closest(&compact(typed), &self.towns))
        })
    }

    /// The village a cell names, within `town` when one is known.
    pub fn village(
        &self,
        field: &str,
        typed: &str,
        town: Option<&Area>,
    ) -> Result<&'a Area, Invalid> {
        let within: Vec<&'a Area> = self
            .villages
            .iter()
            .filter(|v| town.is_none_or(|t| v.code.is_within(&t.code)))
            .copied()
            .collect();
        match Self::find_all(&within, typed).as_slice() {
            [one] => return Ok(one),
            [_, ..] if town.is_none() => return Err(self.ambiguous(field, typed, &within)),
            [first, ..] => return Ok(first),
            [] => {}
        }
        if let (Some(town), Some(elsewhere)) = (town, Self::find(&self.villages, typed)) {
            let parent = elsewhere
                .parent
                .as_ref()
                .and_then(|p| self.towns.iter().find(|t| &t.code == p))
                .map(|t| t.name.clone())
                .unwrap_or_default();
            return Err(Invalid::new(field, "import.village_other_town")
                .arg("value", typed.trim())
                .arg("town", &town.name)
                .arg("other", parent));
        }
        let key = if within.is_empty() {
            "import.village_none"
        } else {
            "import.village_unknown"
        };
        Err(Invalid::new(field, key)
            .arg("value", typed.trim())
            .arg("town", town.map(|t| t.name.as_str()).unwrap_or(""))
            .arg("closest", closest(&compact(typed), &within)))
    }

    /// Several towns have a village of that name: the town column must say which.
    fn ambiguous(&self, field: &str, typed: &str, within: &[&'a Area]) -> Invalid {
        let towns: Vec<String> = Self::find_all(within, typed)
            .iter()
            .filter_map(|v| v.parent.as_ref())
            .filter_map(|p| self.towns.iter().find(|t| &t.code == p))
            .map(|t| t.name.clone())
            .collect();
        Invalid::new(field, "import.village_ambiguous")
            .arg("value", typed.trim())
            .arg("towns", towns.join("、"))
    }

    /// The county, a town or a village a cell names (a town when a town and a village share the
    /// name), for cells that may name any of them (service areas, a user's area).
    pub fn any(&self, field: &str, typed: &str) -> Result<&'a Area, Invalid> {
        if let Some(county) = Self::find(&self.county, typed) {
            return Ok(county);
        }
        // A name that is neither is said as a town, whose closest names help most.
        self.town(field, typed)
            .or_else(|unknown| self.village(field, typed, None).map_err(|_| unknown))
    }

    /// The area of a 12-digit code, whatever its level.
    pub fn by_code(&self, code: &AreaCode) -> Option<&'a Area> {
        self.county
            .iter()
            .chain(self.towns.iter())
            .chain(self.villages.iter())
            .find(|a| &a.code == code)
            .copied()
    }
}

/// Whether a cell holds anything once spaces and marks are gone.
pub fn is_blank(text: &str) -> bool {
    clean_code(text).is_empty()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn area(code: &str, name: &str, level: AreaLevel, short: &str) -> Area {
        let code = AreaCode::parse(code).unwrap();
        Area {
            parent: code.parent(),
            code,
            name: name.into(),
            level,
            short_name: short.into(),
            is_example: false,
            note: String::new(),
        }
    }

    /// Three towns of Feixi and invented villages (示例).
    pub fn feixi() -> Vec<Area> {
        vec![
            area("340123100000", "上派镇", AreaLevel::Town, ""),
            area("340123101000", "三河镇", AreaLevel::Town, ""),
            area(
                "340123400000",
                "安徽肥西经济开发区",
                AreaLevel::Town,
                "经开区",
            ),
            area("340123100201", "三岗村", AreaLevel::Village, ""),
            area("340123100001", "宝成社区", AreaLevel::Village, ""),
            area("340123101201", "新华村", AreaLevel::Village, ""),
            area("340123400201", "莲花社区", AreaLevel::Village, ""),
        ]
    }

    #[test]
    fn accepts_full_short_and_coded_names() {
        let areas = feixi();
        let places = Places::new(&areas);
        for typed in [
            "上派镇",
            "上派",
            " 肥西县上派镇 ",
            "340123100",
            "340123100000",
        ] {
            assert_eq!(
                places.town("town", typed).unwrap().name,
                "上派镇",
                "{typed}"
            );
        }
        for typed in ["经开区", "开发区", "肥西经济开发区", "安徽肥西经济开发区"]
        {
            assert_eq!(
                places.town("town", typed).unwrap().code.as_str(),
                "340123400000"
            );
        }
        let town = places.town("town", "上派").unwrap();
        for typed in ["三岗村", "三岗", "三岗村委会", "三岗村民委员会"] {
            assert_eq!(
                places.village("village", typed, Some(town)).unwrap().name,
                "三岗村"
            );
        }
        assert_eq!(
            places
                .village("village", "宝成社区居委会", Some(town))
                .unwrap()
                .name,
            "宝成社区"
        );
    }

    #[test]
    fn refuses_names_outside_the_county_with_the_closest() {
        let areas = feixi();
        let places = Places::new(&areas);
        let e = places.town("town", "上拍镇").unwrap_err();
        assert_eq!(e.code(), "import.town_unknown");
        assert!(
            e.0.args
                .contains(&("closest", "上派镇、三河镇、安徽肥西经济开发区".into()))
        );
        let town = places.town("town", "上派镇").unwrap();
        let e = places.village("village", "新华村", Some(town)).unwrap_err();
        assert_eq!(e.code(), "import.village_other_town");
        assert!(e.0.args.contains(&("other", "三河镇".into())));
        let e = places.village("village", "三刚村", Some(town)).unwrap_err();
        assert_eq!(e.code(), "import.village_unknown");
        assert!(
            e.0.args
                .iter()
                .any(|(k, v)| *k == "closest" && v.starts_with("三岗村"))
        );
    }

    #[test]
    fn a_village_name_in_two_towns_needs_the_town() {
        let mut areas = feixi();
        areas.push(area("340123101202", "三岗村", AreaLevel::Village, ""));
        let places = Places::new(&areas);
        let e = places.village("village", "三岗村", None).unwrap_err();
        assert_eq!(e.code(), "import.village_ambiguous");
        assert!(e.0.args.contains(&("towns", "上派镇、三河镇".into())));
        let town = places.town("town", "三河").unwrap();
        assert_eq!(
            places
                .village("village", "三岗", Some(town))
                .unwrap()
                .code
                .as_str(),
            "340123101202"
        );
        assert_eq!(
            places.village("village", "宝成社区", None).unwrap().name,
            "宝成社区"
        );
    }

    #[test]
    fn distance_counts_character_edits() {
        assert_eq!(distance("上派", "上派"), 0);
        assert_eq!(distance("上拍", "上派"), 1);
        assert_eq!(distance("", "三河"), 2);
    }
}
