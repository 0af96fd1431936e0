//! A charity action (暖冬行动) and the organizations enrolled in it.
//!
//! A campaign moves planned → launched → closed → disclosed (计划 → 启动 → 结束 → 公示), never
//! backwards. Only organizations enrolled in a launched campaign act in it.

use crate::organization::{ServiceField, split_list};
use crate::{Fen, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Planned,
    Launched,
    Closed,
    Disclosed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignAction {
    Launch,
    Close,
    Disclose,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 4] = [
        CampaignStatus::Planned,
        CampaignStatus::Launched,
        CampaignStatus::Closed,
        CampaignStatus::Disclosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Planned => "planned",
            CampaignStatus::Launched => "launched",
            CampaignStatus::Closed => "closed",
            CampaignStatus::Disclosed => "disclosed",
        }
    }

    pub fn label_key(self) -> String {
        format!("campaign.status.{}", self.as_str())
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value.trim())
            .ok_or_else(|| Invalid::new("status", "dict.unknown").arg("value", value))
    }

    /// The one legal step for each action, or a refusal that says why.
    pub fn next(self, action: CampaignAction) -> Result<CampaignStatus, Invalid> {
        use CampaignAction::*;
        use CampaignStatus::*;
        match (self, action) {
            (Planned, Launch) => Ok(Launched),
            (Launched, Close) => Ok(Closed),
            (Closed, Disclose) => Ok(Disclosed),
            _ => Err(Invalid::new("status", "campaign.illegal_step")
                .arg("from", self.as_str())
                .arg("action", action.as_str())),
        }
    }
}

impl CampaignAction {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignAction::Launch => "launch",
            CampaignAction::Close => "close",
            CampaignAction::Disclose => "disclose",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        [
            CampaignAction::Launch,
            CampaignAction::Close,
            CampaignAction::Disclose,
        ]
        .into_iter()
        .find(|a| a.as_str() == value.trim())
        .ok_or_else(|| Invalid::new("action", "dict.unknown").arg("value", value))
    }
}

/// What the bureau sets out to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignProfile {
    /// Short code used by scripts and the command line (`2024-NDXD`).
    pub code: String,
    pub name: String,
    pub year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub focus_fields: Vec<ServiceField>,
    pub target_households: u32,
    pub target_cash: Fen,
    pub target_items: u32,
    pub arrangements: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignInput {
    pub code: String,
    pub name: String,
    pub year: String,
    pub starts_on: String,
    pub ends_on: String,
    pub focus_fields: Vec<String>,
    pub target_households: String,
    /// Yuan, as typed.
    pub target_cash: String,
    pub target_items: String,
    pub arrangements: String,
}

fn date(field: &'static str, value: &str) -> Result<NaiveDate, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(value, format).ok())
        .ok_or_else(|| Invalid::new(field, "campaign.date").arg("value", value))
}

fn count(field: &'static str, value: &str) -> Result<u32, Invalid> {
    let value = value.trim().trim_end_matches(['户', '件', '个']);
    if value.is_empty() {
        return Ok(0);
    }
    value
        .parse::<u32>()
        .map_err(|_| Invalid::new(field, "campaign.count").arg("value", value))
}

fn code(value: &str) -> Result<String, Invalid> {
    let code = value.trim().to_ascii_uppercase();
    let plain = code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if code.is_empty() {
        Err(Invalid::new("code", "field.required"))
    } else if !(2..=20).contains(&code.len()) || !plain {
        Err(Invalid::new("code", "campaign.code").arg("value", value.trim()))
    } else {
        Ok(code)
    }
}

impl CampaignInput {
    /// Every refusal at once, each naming its field.
    pub fn parse(&self) -> Result<CampaignProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut keep = |e: Invalid| errors.push(e);
        let code = code(&self.code).map_err(&mut keep).ok();
        let name = match self.name.trim() {
            "" => {
                keep(Invalid::new("name", "field.required"));
                None
            }
            name if name.chars().count() > 100 => {
                keep(
                    Invalid::new("name", "field.too_long")
                        .arg("max", 100)
                        .arg("len", name.chars().count()),
                );
                None
            }
            name => Some(name.to_owned()),
        };
        let year = self
            .year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            keep(Invalid::new("year", "campaign.year").arg("value", self.year.trim()));
        }
        let starts_on = date("starts_on", &self.starts_on).map_err(&mut keep).ok();
        let ends_on = date("ends_on", &self.ends_on).map_err(&mut keep).ok();
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            keep(Invalid::new("ends_on", "campaign.period"));
        }
        let focus_fields: Vec<ServiceField> = split_list(&self.focus_fields)
            .iter()
            .filter_map(|f| {
                ServiceField::parse(f)
                    .map_err(|e| {
                        Invalid(crate::Notice {
                            field: "focus_fields".into(),
                            ..e.0
                        })
                    })
                    .map_err(&mut keep)
                    .ok()
            })
            .collect();
        let target_households = count("target_households", &self.target_households)
            .map_err(&mut keep)
            .ok();
        let target_items = count("target_items", &self.target_items)
            .map_err(&mut keep)
            .ok();
        let target_cash = match self.target_cash.trim() {
            "" => Some(Fen::ZERO),
            cash => Fen::parse_yuan(cash, "target_cash").map_err(&mut keep).ok(),
        };
        match (
            code,
            name,
            year,
            starts_on,
            ends_on,
            target_households,
            target_cash,
            target_items,
        ) {
            (
                Some(code),
                Some(name),
                Some(year),
                Some(starts_on),
                Some(ends_on),
                Some(target_households),
                Some(target_cash),
                Some(target_items),
            ) if errors.is_empty() => Ok(CampaignProfile {
                code,
                name,
                year,
                starts_on,
                ends_on,
                focus_fields,
                target_households,
                target_cash,
                target_items,
                arrangements: self.arrangements.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// How an organization stands in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// The organization asked to take part; the bureau has not decided.
    Applied,
    Enrolled,
    Rejected,
}

impl EnrolmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Applied => "applied",
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        [
            EnrolmentStatus::Applied,
            EnrolmentStatus::Enrolled,
            EnrolmentStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == value.trim())
        .ok_or_else(|| Invalid::new("status", "dict.unknown").arg("value", value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> CampaignInput {
        CampaignInput {
            code: "2024-ndxd".into(),
            name: "2024年暖冬行动".into(),
            year: "2024".into(),
            starts_on: "2024-01-24".into(),
            ends_on: "2024年3月31日".into(),
            focus_fields: vec!["养老、济困".into(), "children".into()],
            target_households: "780户".into(),
            target_cash: "130,000".into(),
            target_items: "390".into(),
            arrangements: "  分批认领  ".into(),
        }
    }

    #[test]
    fn a_campaign_form_parses_as_offices_type_it() {
        let p = input().parse().expect("valid");
        assert_eq!(p.code, "2024-NDXD");
        assert_eq!(
            p.focus_fields,
            vec![
                ServiceField::Elderly,
                ServiceField::Poverty,
                ServiceField::Children
            ]
        );
        assert_eq!((p.target_households, p.target_items), (780, 390));
        assert_eq!(p.target_cash, Fen::from_yuan(130_000));
        assert_eq!(p.arrangements, "分批认领");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = CampaignInput {
            code: "x".into(),
            name: "".into(),
            year: "24".into(),
            starts_on: "2024-03-01".into(),
            ends_on: "2024-02-01".into(),
            target_cash: "-5".into(),
            ..input()
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .iter()
            .map(|e| e.field().to_owned())
            .collect();
        for field in ["code", "name", "year", "ends_on", "target_cash"] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} missing in {fields:?}"
            );
        }
    }

    fn action() -> impl Strategy<Value = CampaignAction> {
        prop_oneof![
            Just(CampaignAction::Launch),
            Just(CampaignAction::Close),
            Just(CampaignAction::Disclose)
        ]
    }

    proptest! {
        /// No sequence of actions moves a campaign backwards or skips a step.
        #[test]
        fn status_only_moves_forward_one_step(actions in proptest::collection::vec(action(), 0..12)) {
            let order = |s: CampaignStatus| CampaignStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
            let mut status = CampaignStatus::Planned;
            for action in actions {
                match status.next(action) {
                    Ok(next) => {
                        prop_assert_eq!(order(next), order(status) + 1);
                        status = next;
                    }
                    Err(e) => prop_assert_eq!(e.code(), "campaign.illegal_step"),
                }
            }
        }
    }
}
