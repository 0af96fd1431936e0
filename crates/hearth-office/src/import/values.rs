//! What people type in cells, read the way they mean it: "3人" and "2床" are counts, 低保 and
//! 低保户 are 最低生活保障, "棉被2床、大米1袋" are two needs.

use hearth_core::Invalid;
use hearth_core::household::Category;
use hearth_core::need::Item;
use hearth_core::normalize::clean_code;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Names offices use for the categories, beside the dictionary's own labels and codes.
const CATEGORY_ALIASES: [(&str, Category); 36] = [
    ("低保", Category::Dibao),
    ("低保户", Category::Dibao),
    ("低保对象", Category::Dibao),
    ("农村低保", Category::Dibao),
    ("城市低保", Category::Dibao),
    ("城乡低保", Category::Dibao),
    ("最低生活保障", Category::Dibao),
    ("特困", Category::TekunDispersed),
    ("特困人员", Category::TekunDispersed),
    ("特困供养", Category::TekunDispersed),
    ("分散供养", Category::TekunDispersed),
    ("五保", Category::TekunDispersed),
    ("五保户", Category::TekunDispersed),
    ("集中供养", Category::TekunCentralized),
    ("低保边缘", Category::DibaoEdge),
    ("低保边缘户", Category::DibaoEdge),
    ("低边", Category::DibaoEdge),
    ("刚性支出", Category::RigidExpense),
    ("支出型困难", Category::RigidExpense),
    ("监测户", Category::RelapseMonitoring),
    ("监测对象", Category::RelapseMonitoring),
    ("防返贫监测", Category::RelapseMonitoring),
    ("返贫监测", Category::RelapseMonitoring),
    ("临时救助", Category::TemporaryRelief),
    ("事实无人抚养", Category::DeFactoOrphan),
    ("留守儿童", Category::LeftBehindChild),
    ("残疾", Category::Disabled),
    ("残疾户", Category::Disabled),
    ("残疾人家庭", Category::Disabled),
    ("独居", Category::ElderlyAlone),
    ("空巢", Category::ElderlyEmptyNest),
    ("高龄", Category::ElderlyAdvanced),
    ("高龄老人", Category::ElderlyAdvanced),
    ("失能", Category::ElderlyDisabled),
    ("失能半失能老人", Category::ElderlyDisabled),
    ("其它", Category::Other),
];

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

/// The label without its bracketed part: 特困人员（分散供养） → 特困人员.
fn without_brackets(label: &str) -> String {
    compact(label).split('(').next().unwrap_or("").to_owned()
}

/// A category from its label (with or without the bracketed part), a common name, its code or
/// its English label.
pub fn category(text: &str) -> Result<Category, Invalid> {
    if let Some(found) = category_names().get(&compact(text)) {
        return Ok(*found);
    }
    Category::parse(text).map_err(|_| Invalid::new("categories", "import.category_unknown"))
}

/// Every name a category is typed by, compacted: the dictionary's labels, then the labels
/// without their bracketed part, then the aliases (what comes first wins). Built once: an import
/// reads a category on every row.
fn category_names() -> &'static HashMap<String, Category> {
    static NAMES: OnceLock<HashMap<String, Category>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        let label = |c: &Category| hearth_core::i18n::text(hearth_core::Lang::ZhCn, c.label_key());
        for c in Category::ALL {
            names.entry(compact(label(c))).or_insert(*c);
        }
        for c in Category::ALL {
            names.entry(without_brackets(label(c))).or_insert(*c);
        }
        for (alias, c) in CATEGORY_ALIASES {
            names.entry(alias.to_owned()).or_insert(c);
        }
        names
    })
}

/// A count as typed: `3`, `３`, `3人`, `2床`, `3.0` from a number cell; 1 to `max`.
pub fn count(field: &str, text: &str, max: u32) -> Result<u32, Invalid> {
    let cleaned = clean_code(text);
    let cleaned = cleaned.strip_suffix(".0").unwrap_or(&cleaned);
    let digits: String = cleaned.chars().take_while(char::is_ascii_digit).collect();
    let unit = &cleaned[digits.len()..];
    let unit_ok = unit.chars().count() <= 2 && unit.chars().all(|c| !c.is_ascii());
    let refuse = || {
        Invalid::new(field, "import.count")
            .arg("value", text.trim())
            .arg("max", max)
    };
    if digits.is_empty() || !unit_ok {
        return Err(refuse());
    }
    match digits.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(refuse()),
    }
}

/// Most units of one item a row may ask for.
const MAX_QUANTITY: u32 = 9_999;

/// The item a name or code means: the catalogue's code, its name, or its name in brackets-free
/// form (棉被 for 棉被（冬被）).
fn item<'a>(typed: &str, items: &'a [Item]) -> Option<&'a Item> {
    let typed = compact(typed);
    items.iter().find(|i| {
        i.code.eq_ignore_ascii_case(&typed)
            || compact(&i.name) == typed
            || without_brackets(&i.name) == typed
    })
}

/// Splits `棉被2床` into the name and the count typed after it.
fn name_and_count(part: &str) -> (&str, &str) {
    let at = part
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(|(i, _)| i)
        .unwrap_or(part.len());
    (part[..at].trim(), part[at..].trim())
}

/// The needs of a row: `棉被` with 数量 `2`, or `棉被2床、大米1袋` with the counts in the cell.
pub fn needs(text: &str, quantity: &str, items: &[Item]) -> Result<Vec<(String, u32)>, Invalid> {
    let parts = hearth_core::organization::split_list(&[text.to_owned()]);
    let mut out: Vec<(String, u32)> = Vec::new();
    for part in &parts {
        let (name, inline) = name_and_count(part);
        let found = item(name, items).ok_or_else(|| {
            let known: Vec<&str> = items.iter().take(12).map(|i| i.name.as_str()).collect();
            Invalid::new("item", "import.item_unknown")
                .arg("value", name)
                .arg("known", known.join("、"))
        })?;
        let typed = match (inline.is_empty(), parts.len()) {
            (false, _) => inline,
            (true, 1) => quantity,
            (true, _) => return Err(Invalid::new("quantity", "import.quantity_per_item")),
        };
        if clean_code(typed).is_empty() {
            return Err(Invalid::new("quantity", "field.required"));
        }
        let field = if inline.is_empty() {
            "quantity"
        } else {
            "item"
        };
        let n = count(field, typed, MAX_QUANTITY)?;
        if out.iter().any(|(code, _)| *code == found.code) {
            return Err(Invalid::new("item", "import.item_twice").arg("value", &found.name));
        }
        out.push((found.code.clone(), n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_core::Fen;

    fn catalogue() -> Vec<Item> {
        let item = |code: &str, name: &str, unit: &str| Item {
            code: code.into(),
            name: name.into(),
            name_en: code.into(),
            unit: unit.into(),
            spec: String::new(),
            reference_value: Fen::new(10_000),
            active: true,
        };
        vec![
            item("quilt", "棉被", "床"),
            item("rice", "大米（10公斤）", "袋"),
        ]
    }

    #[test]
    fn counts_carry_units_and_full_width_digits() {
        assert_eq!(count("size", "3人", 99), Ok(3));
        assert_eq!(count("size", "３", 99), Ok(3));
        assert_eq!(count("size", " 2 床", 99), Ok(2));
        assert_eq!(count("size", "4.0", 99), Ok(4));
        for bad in ["三人", "0", "100", "2.5", "3 persons", "-1"] {
            assert_eq!(
                count("size", bad, 99).unwrap_err().code(),
                "import.count",
                "{bad}"
            );
        }
    }

    #[test]
    fn categories_by_label_code_and_common_name() {
        assert_eq!(category("低保"), Ok(Category::Dibao));
        assert_eq!(category("dibao"), Ok(Category::Dibao));
        assert_eq!(category("最低生活保障（低保）"), Ok(Category::Dibao));
        assert_eq!(category("特困人员"), Ok(Category::TekunDispersed));
        assert_eq!(
            category("特困人员(集中供养)"),
            Ok(Category::TekunCentralized)
        );
        assert_eq!(category("留守儿童"), Ok(Category::LeftBehindChild));
        assert_eq!(category(" 高龄老人 "), Ok(Category::ElderlyAdvanced));
        assert!(category("富裕户").is_err());
    }

    #[test]
    fn needs_from_one_cell_or_with_the_quantity_column() {
        let items = catalogue();
        assert_eq!(needs("棉被", "2", &items), Ok(vec![("quilt".into(), 2)]));
        assert_eq!(needs("棉被", "2床", &items), Ok(vec![("quilt".into(), 2)]));
        assert_eq!(
            needs("棉被2床、大米1袋", "", &items),
            Ok(vec![("quilt".into(), 2), ("rice".into(), 1)])
        );
        assert_eq!(needs("quilt", "1", &items), Ok(vec![("quilt".into(), 1)]));
        assert_eq!(
            needs("电视机", "1", &items).unwrap_err().code(),
            "import.item_unknown"
        );
        assert_eq!(
            needs("棉被", "", &items).unwrap_err().code(),
            "field.required"
        );
        assert_eq!(
            needs("棉被、大米", "2", &items).unwrap_err().code(),
            "import.quantity_per_item"
        );
        assert_eq!(
            needs("棉被1床、棉被2床", "", &items).unwrap_err().code(),
            "import.item_twice"
        );
    }
}
