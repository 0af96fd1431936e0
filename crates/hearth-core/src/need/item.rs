//! The item catalogue (物资目录): what can be asked for and given in kind, each with its unit
//! (床, 件, 袋 …) and a reference unit value used to estimate what a need or a pledge is worth.
//! The values a deployment starts with are demo figures, to be replaced by local prices.

use serde::{Deserialize, Serialize};

use crate::household::{keep, text};
use crate::{Fen, Invalid};

/// One entry of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable code for storage, files and scripts (`quilt`, `rice` …).
    pub code: String,
    /// 棉被, 大米 …
    pub name: String,
    pub name_en: String,
    /// 床, 件, 袋, 桶, 台, 条 …
    pub unit: String,
    /// What one unit is (`1.5×2米，4斤`, `10公斤/袋`).
    pub spec: String,
    /// Reference value of one unit, in fen.
    pub reference_value: Fen,
    /// Inactive items stay on old needs but cannot be asked for any more.
    pub active: bool,
}

impl Item {
    /// The estimated value of `quantity` units (saturating; quantities are small).
    pub fn value_of(&self, quantity: u32) -> Fen {
        Fen::new(
            self.reference_value
                .fen()
                .saturating_mul(i64::from(quantity)),
        )
    }
}

/// An item code as typed: lower-case letters, digits, `_` or `-`, 1–32 characters.
pub fn item_code(field: &str, raw: &str) -> Result<String, Invalid> {
    let code = raw.trim().to_ascii_lowercase();
    if code.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    let plain = code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if code.len() > 32 || !plain {
        return Err(Invalid::new(field, "item.code").arg("value", raw.trim()));
    }
    Ok(code)
}

/// Most yuan one unit of an item may be worth in the catalogue.
pub const MAX_UNIT_YUAN: i64 = 100_000;

/// The catalogue form as typed (物资目录维护).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemInput {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub unit: String,
    pub spec: String,
    /// Yuan, as typed.
    pub reference_value: String,
    /// `yes`/`no` (or `true`/`false`); blank is active.
    pub active: String,
}

impl ItemInput {
    /// Checks every field at once; each refusal names its field.
    pub fn parse(&self) -> Result<Item, Vec<Invalid>> {
        let mut errors = Vec::new();
        let code = keep(&mut errors, item_code("code", &self.code));
        let name = keep(&mut errors, text("name", &self.name, 20, true));
        let name_en = keep(&mut errors, text("name_en", &self.name_en, 40, false));
        let unit = keep(&mut errors, text("unit", &self.unit, 4, true));
        let spec = keep(&mut errors, text("spec", &self.spec, 40, false));
        let value = match Fen::parse_yuan(&self.reference_value, "reference_value") {
            Ok(v) if v <= Fen::ZERO => {
                errors.push(Invalid::new("reference_value", "item.value_zero"));
                None
            }
            Ok(v) if v > Fen::from_yuan(MAX_UNIT_YUAN) => {
                errors.push(
                    Invalid::new("reference_value", "item.value_too_large")
                        .arg("max", MAX_UNIT_YUAN),
                );
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let active = match self.active.trim() {
            "" | "yes" | "true" | "1" | "是" => true,
            "no" | "false" | "0" | "否" => false,
            other => {
                errors.push(Invalid::new("active", "item.active").arg("value", other));
                true
            }
        };
        match (code, name, name_en, unit, spec, value) {
            (
                Some(code),
                Some(name),
                Some(name_en),
                Some(unit),
                Some(spec),
                Some(reference_value),
            ) if errors.is_empty() => Ok(Item {
                name_en: if name_en.is_empty() {
                    code.clone()
                } else {
                    name_en
                },
                code,
                name,
                unit,
                spec,
                reference_value,
                active,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_form_names_every_bad_field() {
        let good = ItemInput {
            code: "Heater".into(),
            name: "取暖器".into(),
            unit: "台".into(),
            reference_value: "￥199.00".into(),
            ..ItemInput::default()
        };
        let item = good.parse().expect("valid");
        assert_eq!(item.code, "heater");
        assert_eq!(item.reference_value, Fen::new(19_900));
        assert!(item.active);
        let bad = ItemInput {
            code: "取暖器".into(),
            unit: "".into(),
            reference_value: "0".into(),
            active: "maybe".into(),
            ..good
        };
        let fields: Vec<_> = bad
            .parse()
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("code".to_owned(), "item.code"),
                ("unit".to_owned(), "field.required"),
                ("reference_value".to_owned(), "item.value_zero"),
                ("active".to_owned(), "item.active"),
            ]
        );
    }

    #[test]
    fn codes() {
        assert_eq!(item_code("item", " Quilt "), Ok("quilt".to_owned()));
        assert_eq!(item_code("item", "").unwrap_err().code(), "field.required");
        assert_eq!(item_code("item", "棉被").unwrap_err().code(), "item.code");
        assert_eq!(
            item_code("item", &"a".repeat(33)).unwrap_err().code(),
            "item.code"
        );
    }

    #[test]
    fn value_of_a_quantity() {
        let quilt = Item {
            code: "quilt".into(),
            name: "棉被".into(),
            name_en: "Quilt".into(),
            unit: "床".into(),
            spec: String::new(),
            reference_value: Fen::from_yuan(150),
            active: true,
        };
        assert_eq!(quilt.value_of(2), Fen::from_yuan(300));
        assert_eq!(quilt.value_of(0), Fen::ZERO);
    }
}
