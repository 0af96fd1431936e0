//! The pledge form as typed in a browser or sent over the API, and the valid pledge it parses
//! into. The campaign's period and today's date come from the caller (the application looks the
//! campaign up), so parsing stays pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::line::{Every, PledgeLine, Schedule};
use super::{Delivery, PledgeMode};
use crate::household::{at, keep, text};
use crate::need::{NeedKind, ServiceKind, item_code};
use crate::normalize::clean_code;
use crate::{Fen, Invalid};

/// Most households one letter names (一对多 is a handful, not a village).
pub const MAX_HOUSEHOLDS: usize = 50;
/// Most lines one letter carries.
pub const MAX_LINES: usize = 50;
/// Most units of one item, and most visits of one service.
pub const MAX_QUANTITY: u32 = 9_999;
/// Most cash or unit value on one line, in yuan.
pub const MAX_LINE_YUAN: i64 = 1_000_000;

/// One line as typed. `kind` is `cash`, `item` or `service` (现金, 物资, 服务).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LineInput {
    /// The claimed need this line answers, if any (its id).
    pub need: String,
    pub kind: String,
    /// For cash: yuan, as typed.
    pub cash: String,
    /// For items: the catalogue code, quantity and unit value in yuan.
    pub item: String,
    pub quantity: String,
    pub unit_value: String,
    /// For services: the service, first and last day, every N weeks or months, visits in all.
    pub service: String,
    pub starts_on: String,
    pub ends_on: String,
    pub every: String,
    pub every_unit: String,
    pub visits: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PledgeInput {
    /// The organization's id.
    pub organization: String,
    /// The campaign's id or code.
    pub campaign: String,
    /// The households' ids.
    pub households: Vec<String>,
    /// `one_to_one` or `one_to_many` (一对一, 一对多).
    pub mode: String,
    /// `door_to_door` or `through_town` (上门送达, 集中发放); blank is door to door.
    pub delivery: String,
    pub lines: Vec<LineInput>,
    pub deadline: String,
    /// The witnessing town and village, by name.
    pub witness_town: String,
    pub witness_village: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedLine {
    pub need: Option<Uuid>,
    pub line: PledgeLine,
}

/// A valid pledge, from [`PledgeInput::parse`]. Organization, campaign, households and needs are
/// not yet checked against the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PledgeProfile {
    pub organization: Uuid,
    pub campaign: String,
    pub households: Vec<Uuid>,
    pub mode: PledgeMode,
    pub delivery: Delivery,
    pub lines: Vec<ParsedLine>,
    pub deadline: NaiveDate,
    pub witness_town: String,
    pub witness_village: String,
}

fn blank(value: &str) -> bool {
    clean_code(value).is_empty()
}

fn id(field: &str, raw: &str) -> Result<Uuid, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    Uuid::parse_str(raw).map_err(|_| Invalid::new(field, "pledge.id").arg("value", raw))
}

pub(crate) fn date(field: &str, value: &str) -> Result<NaiveDate, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(value, format).ok())
        .ok_or_else(|| Invalid::new(field, "pledge.date").arg("value", value))
}

fn count(field: &str, raw: &str, default: Option<u32>) -> Result<u32, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return default.ok_or_else(|| Invalid::new(field, "field.required"));
    }
    match cleaned.parse::<u32>() {
        Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(Invalid::new(field, "pledge.count")
            .arg("value", raw.trim())
            .arg("max", MAX_QUANTITY)),
    }
}

fn amount(field: &str, raw: &str) -> Result<Fen, Invalid> {
    if blank(raw) {
        return Err(Invalid::new(field, "field.required"));
    }
    let amount = Fen::parse_yuan(raw, field)?;
    if amount <= Fen::ZERO {
        return Err(Invalid::new(field, "pledge.amount_zero"));
    }
    if amount > Fen::from_yuan(MAX_LINE_YUAN) {
        return Err(Invalid::new(field, "pledge.amount_too_large")
            .arg("value", raw.trim())
            .arg("max", MAX_LINE_YUAN));
    }
    Ok(amount)
}

impl LineInput {
    fn unused(&self, errors: &mut Vec<Invalid>, kind: NeedKind, fields: &[(&str, &str)]) {
        for (field, value) in fields {
            if !blank(value) {
                errors.push(Invalid::new(*field, "need.not_for_kind").arg("kind", kind.as_str()));
            }
        }
    }

    /// Parses one line; errors name the field inside the line (`cash`, `quantity` …).
    pub fn parse(&self) -> Result<ParsedLine, Vec<Invalid>> {
        let mut errors = Vec::new();
        let need = if self.need.trim().is_empty() {
            None
        } else {
            keep(&mut errors, id("need", &self.need))
        };
        let kind = if self.kind.trim().is_empty() {
            errors.push(Invalid::new("kind", "field.required"));
            None
        } else {
            keep(&mut errors, NeedKind::parse(&self.kind))
        };
        let line = kind.and_then(|kind| self.line(kind, &mut errors));
        match line {
            Some(line) if errors.is_empty() => Ok(ParsedLine { need, line }),
            _ => Err(errors),
        }
    }

    fn line(&self, kind: NeedKind, errors: &mut Vec<Invalid>) -> Option<PledgeLine> {
        let service_fields = [
            ("service", self.service.as_str()),
            ("starts_on", &self.starts_on),
            ("ends_on", &self.ends_on),
            ("every", &self.every),
            ("every_unit", &self.every_unit),
            ("visits", &self.visits),
        ];
        match kind {
            NeedKind::Cash => {
                self.unused(
                    errors,
                    kind,
                    &[
                        ("item", &self.item),
                        ("quantity", &self.quantity),
                        ("unit_value", &self.unit_value),
                    ],
                );
                self.unused(errors, kind, &service_fields);
                let amount = keep(errors, amount("cash", &self.cash))?;
                Some(PledgeLine::Cash { amount })
            }
            NeedKind::Item => {
                self.unused(errors, kind, &[("cash", &self.cash)]);
                self.unused(errors, kind, &service_fields);
                let item = keep(errors, item_code("item", &self.item));
                let quantity = keep(errors, count("quantity", &self.quantity, None));
                let unit_value = keep(errors, amount("unit_value", &self.unit_value));
                Some(PledgeLine::Item {
                    item: item?,
                    quantity: quantity?,
                    unit_value: unit_value?,
                })
            }
            NeedKind::Service => {
                self.unused(
                    errors,
                    kind,
                    &[
                        ("cash", &self.cash),
                        ("item", &self.item),
                        ("quantity", &self.quantity),
                        ("unit_value", &self.unit_value),
                    ],
                );
                let service = if self.service.trim().is_empty() {
                    errors.push(Invalid::new("service", "field.required"));
                    None
                } else {
                    keep(
                        errors,
                        ServiceKind::parse(&self.service).map_err(|e| at("service", e)),
                    )
                };
                let starts_on = keep(errors, date("starts_on", &self.starts_on));
                let ends_on = keep(errors, date("ends_on", &self.ends_on));
                if let (Some(s), Some(e)) = (starts_on, ends_on)
                    && e < s
                {
                    errors.push(Invalid::new("ends_on", "pledge.schedule_order"));
                }
                let every = keep(errors, count("every", &self.every, Some(1)));
                let unit = if self.every_unit.trim().is_empty() {
                    Some(Every::Month)
                } else {
                    keep(errors, Every::parse(&self.every_unit))
                };
                let visits = keep(errors, count("visits", &self.visits, Some(1)));
                Some(PledgeLine::Service {
                    service: service?,
                    schedule: Schedule {
                        starts_on: starts_on?,
                        ends_on: ends_on?,
                        every: every?,
                        unit: unit?,
                        visits: visits?,
                    },
                })
            }
        }
    }
}

impl PledgeInput {
    /// Checks every field, returning all refusals at once, each naming its field (`lines.0.cash`
    /// for a field inside a line). `today` and the campaign's `period` (first and last day)
    /// bound the deadline: after today and within the campaign.
    pub fn parse(
        &self,
        today: NaiveDate,
        period: (NaiveDate, NaiveDate),
    ) -> Result<PledgeProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let organization = keep(&mut errors, id("organization", &self.organization));
        let campaign = keep(&mut errors, text("campaign", &self.campaign, 40, true));
        let mode = if self.mode.trim().is_empty() {
            errors.push(Invalid::new("mode", "field.required"));
            None
        } else {
            keep(&mut errors, PledgeMode::parse(&self.mode))
        };
        let delivery = if self.delivery.trim().is_empty() {
            Some(Delivery::DoorToDoor)
        } else {
            keep(&mut errors, Delivery::parse(&self.delivery))
        };
        let mut households = Vec::new();
        for (i, raw) in self.households.iter().enumerate() {
            match id("households", raw) {
                Ok(h) if households.contains(&h) => errors.push(
                    Invalid::new("households", "pledge.household_twice").arg("value", raw.trim()),
                ),
                Ok(h) => households.push(h),
                Err(e) => errors.push(e.arg("index", i + 1)),
            }
        }
        if self.households.is_empty() {
            errors.push(Invalid::new("households", "pledge.households_required"));
        } else if self.households.len() > MAX_HOUSEHOLDS {
            errors.push(Invalid::new("households", "pledge.too_many").arg("max", MAX_HOUSEHOLDS));
        } else if mode == Some(PledgeMode::OneToOne) && self.households.len() != 1 {
            errors.push(
                Invalid::new("households", "pledge.one_to_one").arg("count", self.households.len()),
            );
        }
        let mut lines = Vec::new();
        if self.lines.is_empty() {
            errors.push(Invalid::new("lines", "pledge.lines_required"));
        } else if self.lines.len() > MAX_LINES {
            errors.push(Invalid::new("lines", "pledge.too_many").arg("max", MAX_LINES));
        }
        for (i, line) in self.lines.iter().enumerate() {
            match line.parse() {
                Ok(line) => {
                    if let Some(need) = line.need
                        && lines.iter().any(|l: &ParsedLine| l.need == Some(need))
                    {
                        errors.push(
                            Invalid::new("need", "pledge.need_twice").within(&format!("lines.{i}")),
                        );
                    }
                    lines.push(line);
                }
                Err(es) => errors.extend(es.into_iter().map(|e| e.within(&format!("lines.{i}")))),
            }
        }
        let deadline = keep(&mut errors, date("deadline", &self.deadline));
        if let Some(deadline) = deadline {
            if deadline <= today {
                errors.push(Invalid::new("deadline", "pledge.deadline_past").arg("today", today));
            } else if deadline < period.0 || deadline > period.1 {
                errors.push(
                    Invalid::new("deadline", "pledge.deadline_outside")
                        .arg("start", period.0)
                        .arg("end", period.1),
                );
            }
        }
        let witness_town = keep(
            &mut errors,
            text("witness_town", &self.witness_town, 60, true),
        );
        let witness_village = keep(
            &mut errors,
            text("witness_village", &self.witness_village, 60, true),
        );
        match (
            organization,
            campaign,
            mode,
            delivery,
            deadline,
            witness_town,
            witness_village,
        ) {
            (
                Some(organization),
                Some(campaign),
                Some(mode),
                Some(delivery),
                Some(deadline),
                Some(witness_town),
                Some(witness_village),
            ) if errors.is_empty() => Ok(PledgeProfile {
                organization,
                campaign,
                households,
                mode,
                delivery,
                lines,
                deadline,
                witness_town,
                witness_village,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};

    const ORG: &str = "01930000-0000-7000-8000-0000000000aa";
    const H1: &str = "01930000-0000-7000-8000-000000000001";
    const H2: &str = "01930000-0000-7000-8000-000000000002";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2024, 12, 1)
    }

    fn period() -> (NaiveDate, NaiveDate) {
        (d(2024, 11, 1), d(2025, 3, 31))
    }

    fn valid() -> PledgeInput {
        PledgeInput {
            organization: ORG.into(),
            campaign: "2024-NDXD".into(),
            households: vec![H1.into()],
            mode: "一对一".into(),
            delivery: "集中发放".into(),
            lines: vec![
                LineInput {
                    kind: "现金".into(),
                    cash: "1,000.50".into(),
                    ..LineInput::default()
                },
                LineInput {
                    need: "01930000-0000-7000-8000-0000000000f1".into(),
                    kind: "item".into(),
                    item: "quilt".into(),
                    quantity: "2".into(),
                    unit_value: "150".into(),
                    ..LineInput::default()
                },
                LineInput {
                    kind: "service".into(),
                    service: "探访".into(),
                    starts_on: "2024-12-01".into(),
                    ends_on: "2025-03-01".into(),
                    every: "1".into(),
                    every_unit: "month".into(),
                    visits: "4".into(),
                    ..LineInput::default()
                },
            ],
            deadline: "2025年1月20日".into(),
            witness_town: " 城关镇 ".into(),
            witness_village: "东街村".into(),
        }
    }

    fn errors(input: &PledgeInput) -> Vec<(String, &'static str)> {
        input
            .parse(today(), period())
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    #[test]
    fn a_valid_pledge() {
        let p = valid().parse(today(), period()).unwrap();
        assert_eq!(p.mode, PledgeMode::OneToOne);
        assert_eq!(p.delivery, Delivery::ThroughTown);
        assert_eq!(p.deadline, d(2025, 1, 20));
        assert_eq!(p.witness_town, "城关镇");
        assert_eq!(p.lines.len(), 3);
        let t = super::super::totals(p.lines.iter().map(|l| &l.line));
        assert_eq!(t.cash, Fen::new(100_050));
        assert_eq!(t.items, Fen::from_yuan(300));
        assert_eq!(t.cash_capitals(), "壹仟元伍角");
    }

    #[test]
    fn every_field_error_is_named() {
        let empty = PledgeInput::default();
        let got = errors(&empty);
        for field in [
            "organization",
            "campaign",
            "mode",
            "households",
            "lines",
            "deadline",
            "witness_town",
            "witness_village",
        ] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }
        for (_, code) in &got {
            assert_ne!(message(Lang::ZhCn, code), *code);
            assert_ne!(message(Lang::En, code), *code);
        }
    }

    #[test]
    fn one_to_one_names_exactly_one_household() {
        let mut two = valid();
        two.households.push(H2.into());
        assert_eq!(
            errors(&two),
            vec![("households".to_owned(), "pledge.one_to_one")]
        );
        two.mode = "一对多".into();
        assert!(two.parse(today(), period()).is_ok());
        two.households.push(H2.into());
        assert_eq!(
            errors(&two),
            vec![("households".to_owned(), "pledge.household_twice")]
        );
    }

    #[test]
    fn the_deadline_is_after_today_and_within_the_campaign() {
        let mut input = valid();
        input.deadline = "2024-12-01".into();
        assert_eq!(
            errors(&input),
            vec![("deadline".to_owned(), "pledge.deadline_past")]
        );
        input.deadline = "2025-04-01".into();
        assert_eq!(
            errors(&input),
            vec![("deadline".to_owned(), "pledge.deadline_outside")]
        );
        input.deadline = "soon".into();
        assert_eq!(errors(&input), vec![("deadline".to_owned(), "pledge.date")]);
    }

    #[test]
    fn line_errors_name_the_line_and_field() {
        let mut input = valid();
        input.lines[0].cash = "0".into();
        input.lines[1].unit_value = String::new();
        input.lines[1].cash = "5".into();
        input.lines[2].ends_on = "2024-11-01".into();
        input.lines.push(LineInput::default());
        let got = errors(&input);
        assert_eq!(
            got,
            vec![
                ("lines.0.cash".to_owned(), "pledge.amount_zero"),
                ("lines.1.cash".to_owned(), "need.not_for_kind"),
                ("lines.1.unit_value".to_owned(), "field.required"),
                ("lines.2.ends_on".to_owned(), "pledge.schedule_order"),
                ("lines.3.kind".to_owned(), "field.required"),
            ]
        );
    }
}
