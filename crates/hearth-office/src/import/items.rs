//! The item catalogue sheet (物资目录): one item a row, its code, names, unit, specification,
//! reference value in yuan and whether it may still be chosen.

use super::SheetRow;
use super::header::{ColumnSpec, Table};
use super::records::{Errors, RecordKind, col, in_columns};
use hearth_core::need::{Item, ItemInput};

/// The columns of the catalogue sheet, in the template's order.
pub const COLUMNS: [ColumnSpec; 7] = [
    col("code", "物资编码", &["编码", "代码", "物资代码"], true),
    col("name", "物资名称", &["名称", "品名", "物资"], true),
    col("name_en", "英文名称", &["英文名"], false),
    col("unit", "单位", &["计量单位"], true),
    col("spec", "规格", &["规格型号", "型号"], false),
    col(
        "reference_value",
        "参考单价（元）",
        &["参考单价", "单价", "参考价值", "单价（元）", "参考价"],
        true,
    ),
    col("active", "是否启用", &["启用", "状态"], false),
];

pub struct Items;

fn column_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .map(|c| c.key)
        .find(|k| *k == field)
        .unwrap_or("code")
}

impl RecordKind for Items {
    type Value = Item;
    type Context<'a> = ();
    const COLUMNS: &'static [ColumnSpec] = &COLUMNS;
    const KEY: &'static str = "code";

    fn read_row(table: &Table, row: &SheetRow, _: &()) -> Result<(Item, String), Errors> {
        let text = |key| table.text(row, key).to_owned();
        let active = match text("active").as_str() {
            "启用" => "yes".to_owned(),
            "停用" => "no".to_owned(),
            other => other.to_owned(),
        };
        let input = ItemInput {
            code: text("code"),
            name: text("name"),
            name_en: text("name_en"),
            unit: text("unit"),
            spec: text("spec"),
            reference_value: text("reference_value"),
            active,
        };
        let item = input
            .parse()
            .map_err(|found| in_columns(found, column_of))?;
        let key = item.code.clone();
        Ok((item, key))
    }
}
