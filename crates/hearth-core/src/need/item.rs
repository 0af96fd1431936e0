//! The item catalogue (物资目录): what can be asked for and given in kind, each with its unit
//! (床, 件, 袋 …) and a reference unit value used to estimate what a need or a pledge is worth.
//! The values a deployment starts with are demo figures, to be replaced by local prices.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
