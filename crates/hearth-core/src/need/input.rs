//! The need form as typed in a browser or sent over the API, and the valid need it parses into.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::item::item_code;
use super::{NeedKind, ServiceKind, Urgency};
use crate::household::{at, keep, text};
use crate::normalize::clean_code;
use crate::{Fen, Invalid};

/// Most units of one item one need may ask for.
pub const MAX_QUANTITY: u32 = 999;
/// Most cash one need may ask for, in yuan: far above a winter's aid to one household, so more
/// means a slip of the keyboard.
pub const MAX_CASH_YUAN: i64 = 100_000;

/// What is asked for: exactly one of an item and a quantity, an amount, or a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NeedLine {
    /// `quantity` units of the catalogue item `item` (its code).
    Item {
        item: String,
        quantity: u32,
    },
    Cash {
        amount: Fen,
    },
    /// A service, `times` times (a visit every month is several).
    Service {
        service: ServiceKind,
        times: u32,
    },
}

impl NeedLine {
    pub fn kind(&self) -> NeedKind {
        match self {
            NeedLine::Item { .. } => NeedKind::Item,
            NeedLine::Cash { .. } => NeedKind::Cash,
            NeedLine::Service { .. } => NeedKind::Service,
        }
    }
}

/// A valid need, from [`NeedInput::parse`]. The household and campaign are not yet checked
/// against the database: the application does that (approved, in scope, launched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedProfile {
    pub household: Uuid,
    /// The campaign's id or code, as given.
    pub campaign: String,
    pub line: NeedLine,
    pub urgency: Urgency,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NeedInput {
    /// The household's id.
    pub household: String,
    /// The campaign's id or code (`2024-NDXD`).
    pub campaign: String,
    /// `item`, `cash` or `service` (or 物资, 现金, 服务).
    pub kind: String,
    /// For an item need: the catalogue code (`quilt`).
    pub item: String,
    /// For an item need: how many units; for a service: how many times (blank is once).
    pub quantity: String,
    /// For a cash need: yuan, as typed.
    pub cash: String,
    /// For a service need: `visit`, `repair`, `companionship`, `tutoring`, `other`.
    pub service: String,
    /// `normal`, `urgent`, `critical` (一般, 较急, 紧急); blank is normal.
    pub urgency: String,
    pub note: String,
}

fn blank(value: &str) -> bool {
    clean_code(value).is_empty()
}

/// A field the chosen kind does not use must be empty: a leftover amount on an item need would
/// otherwise be dropped without anyone noticing.
fn unused(errors: &mut Vec<Invalid>, field: &str, value: &str, kind: NeedKind) {
    if !blank(value) {
        errors.push(Invalid::new(field, "need.not_for_kind").arg("kind", kind.as_str()));
    }
}

fn quantity(field: &str, raw: &str, required: bool) -> Result<u32, Invalid> {
    let cleaned = clean_code(raw);
    if cleaned.is_empty() {
        return if required {
            Err(Invalid::new(field, "field.required"))
        } else {
            Ok(1)
        };
    }
    match cleaned.parse::<u32>() {
        Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(Invalid::new(field, "need.quantity")
            .arg("value", raw.trim())
            .arg("max", MAX_QUANTITY)),
    }
}

fn cash(raw: &str) -> Result<Fen, Invalid> {
    if blank(raw) {
        return Err(Invalid::new("cash", "field.required"));
    }
    let amount = Fen::parse_yuan(raw, "cash")?;
    if amount == Fen::ZERO {
        return Err(Invalid::new("cash", "need.cash_zero"));
    }
    if amount > Fen::from_yuan(MAX_CASH_YUAN) {
        return Err(Invalid::new("cash", "need.cash_too_large")
            .arg("value", raw.trim())
            .arg("max", MAX_CASH_YUAN));
    }
    Ok(amount)
}

impl NeedInput {
    /// Checks every field, returning all refusals at once, each naming its field.
    pub fn parse(&self) -> Result<NeedProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let household = match self.household.trim() {
            "" => {
                errors.push(Invalid::new("household", "field.required"));
                None
            }
            raw => keep(
                &mut errors,
                Uuid::parse_str(raw)
                    .map_err(|_| Invalid::new("household", "need.household").arg("value", raw)),
            ),
        };
        let campaign = keep(&mut errors, text("campaign", &self.campaign, 40, true));
        let kind = if self.kind.trim().is_empty() {
            errors.push(Invalid::new("kind", "field.required"));
            None
        } else {
            keep(&mut errors, NeedKind::parse(&self.kind))
        };
        let line = kind.and_then(|kind| self.line(kind, &mut errors));
        let urgency = if self.urgency.trim().is_empty() {
            Some(Urgency::Normal)
        } else {
            keep(&mut errors, Urgency::parse(&self.urgency))
        };
        let note = keep(&mut errors, text("note", &self.note, 500, false));
        match (household, campaign, line, urgency, note) {
            (Some(household), Some(campaign), Some(line), Some(urgency), Some(note))
                if errors.is_empty() =>
            {
                Ok(NeedProfile {
                    household,
                    campaign,
                    line,
                    urgency,
                    note,
                })
            }
            _ => Err(errors),
        }
    }

    fn line(&self, kind: NeedKind, errors: &mut Vec<Invalid>) -> Option<NeedLine> {
        match kind {
            NeedKind::Item => {
                unused(errors, "cash", &self.cash, kind);
                unused(errors, "service", &self.service, kind);
                let item = keep(errors, item_code("item", &self.item));
                let quantity = keep(errors, quantity("quantity", &self.quantity, true));
                Some(NeedLine::Item {
                    item: item?,
                    quantity: quantity?,
                })
            }
            NeedKind::Cash => {
                unused(errors, "item", &self.item, kind);
                unused(errors, "quantity", &self.quantity, kind);
                unused(errors, "service", &self.service, kind);
                let amount = keep(errors, cash(&self.cash))?;
                Some(NeedLine::Cash { amount })
            }
            NeedKind::Service => {
                unused(errors, "item", &self.item, kind);
                unused(errors, "cash", &self.cash, kind);
                let service = if self.service.trim().is_empty() {
                    errors.push(Invalid::new("service", "field.required"));
                    None
                } else {
                    keep(
                        errors,
                        ServiceKind::parse(&self.service).map_err(|e| at("service", e)),
                    )
                };
                let times = keep(errors, quantity("quantity", &self.quantity, false));
                Some(NeedLine::Service {
                    service: service?,
                    times: times?,
                })
            }
        }
    }
}

impl From<&NeedProfile> for NeedInput {
    fn from(p: &NeedProfile) -> Self {
        let mut input = NeedInput {
            household: p.household.to_string(),
            campaign: p.campaign.clone(),
            kind: p.line.kind().as_str().to_owned(),
            urgency: p.urgency.as_str().to_owned(),
            note: p.note.clone(),
            ..NeedInput::default()
        };
        match &p.line {
            NeedLine::Item { item, quantity } => {
                input.item = item.clone();
                input.quantity = quantity.to_string();
            }
            NeedLine::Cash { amount } => input.cash = amount.yuan_string(),
            NeedLine::Service { service, times } => {
                input.service = service.as_str().to_owned();
                input.quantity = times.to_string();
            }
        }
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUSEHOLD: &str = "01930000-0000-7000-8000-000000000001";

    fn item() -> NeedInput {
        NeedInput {
            household: HOUSEHOLD.into(),
            campaign: "2024-NDXD".into(),
            kind: "物资".into(),
            item: "quilt".into(),
            quantity: "２".into(),
            urgency: "紧急".into(),
            note: " 老人怕冷 ".into(),
            ..NeedInput::default()
        }
    }

    fn errors(input: &NeedInput) -> Vec<(String, &'static str)> {
        input
            .parse()
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    fn pairs(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
    }

    #[test]
    fn an_item_need() {
        let p = item().parse().expect("valid");
        assert_eq!(
            p.line,
            NeedLine::Item {
                item: "quilt".into(),
                quantity: 2
            }
        );
        assert_eq!(p.urgency, Urgency::Critical);
        assert_eq!(p.note, "老人怕冷");
        assert_eq!(p.household.to_string(), HOUSEHOLD);
        assert_eq!(NeedInput::from(&p).parse(), Ok(p));
    }

    #[test]
    fn a_cash_need_and_a_service_need() {
        let cash = NeedInput {
            kind: "cash".into(),
            item: String::new(),
            quantity: String::new(),
            cash: "500".into(),
            urgency: String::new(),
            ..item()
        };
        let p = cash.parse().expect("valid");
        assert_eq!(
            p.line,
            NeedLine::Cash {
                amount: Fen::from_yuan(500)
            }
        );
        assert_eq!(p.urgency, Urgency::Normal, "blank urgency is 一般");
        assert_eq!(NeedInput::from(&p).parse(), Ok(p));

        let service = NeedInput {
            kind: "service".into(),
            item: String::new(),
            quantity: String::new(),
            service: "维修".into(),
            ..item()
        };
        let p = service.parse().expect("valid");
        assert_eq!(
            p.line,
            NeedLine::Service {
                service: ServiceKind::Repair,
                times: 1
            }
        );
        assert_eq!(NeedInput::from(&p).parse(), Ok(p));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = NeedInput {
            household: "abc".into(),
            campaign: " ".into(),
            kind: "item".into(),
            item: "棉被".into(),
            quantity: "0".into(),
            cash: "30".into(),
            urgency: "very".into(),
            note: "x".repeat(501),
            ..NeedInput::default()
        };
        assert_eq!(
            errors(&bad),
            pairs(&[
                ("household", "need.household"),
                ("campaign", "field.required"),
                ("cash", "need.not_for_kind"),
                ("item", "item.code"),
                ("quantity", "need.quantity"),
                ("urgency", "dict.unknown"),
                ("note", "field.too_long"),
            ])
        );
        assert_eq!(
            errors(&NeedInput::default()),
            pairs(&[
                ("household", "field.required"),
                ("campaign", "field.required"),
                ("kind", "field.required"),
            ])
        );
    }

    #[test]
    fn amounts_and_quantities_have_bounds() {
        let cash = |amount: &str| NeedInput {
            kind: "cash".into(),
            item: String::new(),
            quantity: String::new(),
            cash: amount.into(),
            ..item()
        };
        assert_eq!(errors(&cash("0")), pairs(&[("cash", "need.cash_zero")]));
        assert_eq!(errors(&cash("-5")), pairs(&[("cash", "money.negative")]));
        assert_eq!(errors(&cash("")), pairs(&[("cash", "field.required")]));
        assert_eq!(
            errors(&cash("100000.01")),
            pairs(&[("cash", "need.cash_too_large")])
        );
        assert!(cash("100000").parse().is_ok());
        for q in ["1000", "1.5", "两", "-1"] {
            let input = NeedInput {
                quantity: q.into(),
                ..item()
            };
            assert_eq!(
                errors(&input),
                pairs(&[("quantity", "need.quantity")]),
                "{q}"
            );
        }
    }

    #[test]
    fn a_service_names_what_and_leftovers_of_other_kinds_are_refused() {
        let input = NeedInput {
            kind: "service".into(),
            item: "quilt".into(),
            quantity: String::new(),
            service: String::new(),
            ..item()
        };
        assert_eq!(
            errors(&input),
            pairs(&[("item", "need.not_for_kind"), ("service", "field.required")])
        );
        let input = NeedInput {
            kind: "service".into(),
            item: String::new(),
            service: "cooking".into(),
            ..item()
        };
        assert_eq!(errors(&input), pairs(&[("service", "dict.unknown")]));
    }
}
