//! What every sheet but the household one shares: one record a row, checked on its own, and a
//! row repeating an earlier row's key (the credit code, the item code, the user name) refused as
//! a duplicate naming that row.

use super::header::{ColumnSpec, Table};
use super::{RowProblem, SheetRow};
use hearth_core::Invalid;
use std::collections::HashMap;

/// One row that passed every check this crate can make.
#[derive(Debug, Clone)]
pub struct Line<T> {
    pub row: u32,
    /// What makes the record itself (upper-cased credit code, item code, user name …).
    pub key: String,
    pub value: T,
}

/// The rows of a sheet: the good ones and a problem list naming row and column.
#[derive(Debug)]
pub struct Sheet<T> {
    pub lines: Vec<Line<T>>,
    pub problems: Vec<RowProblem>,
}

/// Refusals of one row, each with the column key it belongs to.
pub type Errors = Vec<(&'static str, Invalid)>;

/// How one kind of sheet reads: its columns, the column its key lives in, and its row reader.
pub trait RecordKind {
    type Value;
    /// The context rows are checked against (areas, catalogue, organizations …).
    type Context<'a>;
    const COLUMNS: &'static [ColumnSpec];
    /// The column whose value makes the record (where duplicates are reported).
    const KEY: &'static str;
    /// Checks one row: the value and its key, or every refusal.
    fn read_row(
        table: &Table,
        row: &SheetRow,
        ctx: &Self::Context<'_>,
    ) -> Result<(Self::Value, String), Errors>;
}

impl<T> Sheet<T> {
    /// Reads every row of `table` as the kind `K`.
    pub fn read<K: RecordKind<Value = T>>(table: &Table, ctx: &K::Context<'_>) -> Sheet<T> {
        let mut sheet = Sheet {
            lines: Vec::new(),
            problems: Vec::new(),
        };
        let mut seen: HashMap<String, u32> = HashMap::new();
        for row in &table.rows {
            match K::read_row(table, row, ctx) {
                Ok((value, key)) => match seen.get(&key) {
                    Some(&first) => sheet.problems.push(RowProblem::duplicate(
                        row.number,
                        table.header_of(K::KEY),
                        Invalid::new(K::KEY, "import_kinds.duplicate_row")
                            .arg("row", first)
                            .arg("column", table.header_of(K::KEY)),
                    )),
                    None => {
                        seen.insert(key.clone(), row.number);
                        sheet.lines.push(Line {
                            row: row.number,
                            key,
                            value,
                        });
                    }
                },
                Err(errors) => sheet.problems.extend(
                    errors
                        .into_iter()
                        .map(|(key, e)| RowProblem::error(row.number, table.header_of(key), e)),
                ),
            }
        }
        sheet
    }
}

/// A column spec, shorter to write in tables.
pub(crate) const fn col(
    key: &'static str,
    title: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        key,
        title,
        synonyms,
        required,
    }
}

/// Refusals of a form's `parse`, each put in the column `column_of` names for its field.
pub(crate) fn in_columns(found: Vec<Invalid>, column_of: fn(&str) -> &'static str) -> Errors {
    found
        .into_iter()
        .map(|e| (column_of(e.field()), e))
        .collect()
}

/// A refusal for a cell that held a number where text was needed (a credit code or phone that
/// Excel may have rounded): the digits may be gone, so it is never read.
pub(crate) fn numeric_cell(
    table: &Table,
    row: &SheetRow,
    key: &'static str,
    code: &'static str,
) -> Option<(&'static str, Invalid)> {
    table
        .get(row, key)
        .filter(|c| c.numeric && (c.text.trim().len() > 15 || c.text.contains(['E', 'e'])))
        .map(|c| (key, Invalid::new(key, code).arg("value", c.text.trim())))
}

/// A refusal moved onto the sheet's column (a credit code checked for the field `uscc` of a
/// form is the column `uscc` here, whatever the form called it).
pub(crate) fn renamed(e: Invalid, field: &str) -> Invalid {
    Invalid(hearth_core::Notice {
        field: field.into(),
        ..e.0
    })
}
