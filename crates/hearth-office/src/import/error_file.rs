//! The error file (错误文件): the refused rows exactly as they were sent, plus a 错误原因 column,
//! so the office fixes them in place and imports the same file again (the reason column is not a
//! known header and is ignored then).

use super::{RowProblem, SheetRow, Table};
use crate::OfficeError;
use hearth_core::Lang;
use hearth_core::i18n::{render, text};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
use serde::{Deserialize, Serialize};

/// The refused rows, kept (sealed) with the import so the file can be downloaded later, in
/// either language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRows {
    pub headers: Vec<String>,
    pub rows: Vec<ErrorRow>,
}

/// One refused row: its number, its cells as sent and its reasons in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRow {
    pub row: u32,
    pub cells: Vec<String>,
    pub reason_zh: String,
    pub reason_en: String,
}

impl ErrorRow {
    pub fn reason(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.reason_zh,
            Lang::En => &self.reason_en,
        }
    }
}

fn reasons(problems: &[&RowProblem], lang: Lang) -> String {
    problems
        .iter()
        .map(|p| {
            render(
                lang,
                "import.reason_line",
                &[
                    ("row", p.row.to_string()),
                    ("column", p.column.clone()),
                    ("reason", p.reason(lang)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

impl ErrorRows {
    /// The rows of `table` that have problems, each with all its reasons.
    pub fn collect(table: &Table, problems: &[RowProblem]) -> ErrorRows {
        let mut rows = ErrorRows::headed(table);
        rows.add(&table.rows, problems);
        rows
    }

    /// No rows yet, under the header of `table`.
    pub fn headed(table: &Table) -> ErrorRows {
        ErrorRows {
            headers: table.headers.clone(),
            rows: Vec::new(),
        }
    }

    /// The rows of one part of a file that have problems, each with all its reasons.
    pub fn add(&mut self, rows: &[SheetRow], problems: &[RowProblem]) {
        let mut of_row: std::collections::HashMap<u32, Vec<&RowProblem>> = Default::default();
        for p in problems {
            of_row.entry(p.row).or_default().push(p);
        }
        for row in rows {
            if let Some(mine) = of_row.get(&row.number) {
                self.rows.push(ErrorRow {
                    row: row.number,
                    cells: row.cells.iter().map(|c| c.text.clone()).collect(),
                    reason_zh: reasons(mine, Lang::ZhCn),
                    reason_en: reasons(mine, Lang::En),
                });
            }
        }
    }

    /// The workbook: the header as sent, every cell as text (ID numbers stay whole), the reasons
    /// in red in the last column.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, OfficeError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(text(lang, "import.error_sheet"))?;
        let header = Format::new().set_bold().set_border(FormatBorder::Thin);
        let cell = Format::new()
            .set_num_format("@")
            .set_border(FormatBorder::Thin);
        let reason = cell.clone().set_font_color(Color::Red).set_text_wrap();
        let width = self
            .rows
            .iter()
            .map(|r| r.cells.len())
            .chain(std::iter::once(self.headers.len()))
            .max()
            .unwrap_or(0);
        for (i, title) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, title, &header)?;
        }
        let last = width as u16;
        sheet.write_string_with_format(0, last, text(lang, "import.reason_column"), &header)?;
        sheet.set_column_width(last, 60)?;
        for (r, row) in self.rows.iter().enumerate() {
            let at = r as u32 + 1;
            for (i, value) in row.cells.iter().enumerate() {
                sheet.write_string_with_format(at, i as u16, value, &cell)?;
            }
            sheet.write_string_with_format(at, last, row.reason(lang), &reason)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(book.save_to_buffer()?)
    }
}
