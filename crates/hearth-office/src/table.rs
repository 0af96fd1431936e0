//! A table of figures as .xlsx (a dashboard chart's "export the table behind it"): the title
//! row, the header row, then one row per line with numbers as numbers, so the county can sum
//! and chart them again in WPS or Excel; labels and codes stay text.

use crate::OfficeError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// A cell: text, or a number written as one (with two decimals when `decimals`).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number { value: f64, decimals: bool },
}

/// Writes the table; `headers` and every row have one entry per column.
pub fn export(
    title: &str,
    headers: &[String],
    rows: &[Vec<Cell>],
    footer: &str,
) -> Result<Vec<u8>, OfficeError> {
    let mut workbook = Workbook::new();
    let title_format = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let text = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("@");
    let whole = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let money = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name(title.chars().take(31).collect::<String>())?;
    let last = (headers.len().max(1) - 1) as u16;
    sheet.merge_range(0, 0, 0, last, title, &title_format)?;
    sheet.set_row_height(0, 30)?;
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, i as u16, h, &header)?;
        sheet.set_column_width(i as u16, if i == 0 { 24.0 } else { 16.0 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => sheet.write_string_with_format(r, c, s, &text)?,
                Cell::Number { value, decimals } => {
                    let format = if *decimals { &money } else { &whole };
                    sheet.write_number_with_format(r, c, *value, format)?
                }
            };
        }
    }
    sheet.write_string(rows.len() as u32 + 3, 0, footer)?;
    sheet.set_freeze_panes(2, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// The same table as CSV for WPS and Excel: UTF-8 with a byte-order mark (without it Excel
/// reads Chinese as GBK), the header row, then the rows; numbers as plain digits.
///
/// A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is written
/// with a leading apostrophe, so an export never carries a formula someone typed into a form.
pub fn csv(headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, OfficeError> {
    let mut out = csv::Writer::from_writer(Vec::from(BOM));
    // Writing into memory fails only if the csv crate does; it is reported like a file error.
    out.write_record(headers).map_err(std::io::Error::from)?;
    for row in rows {
        out.write_record(row.iter().map(Cell::csv_text))
            .map_err(std::io::Error::from)?;
    }
    out.into_inner()
        .map_err(|e| OfficeError::from(e.into_error()))
}

/// The UTF-8 byte-order mark that opens every CSV export.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Cell {
    /// The cell as CSV text: numbers with two decimals when they are money.
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Number {
                value,
                decimals: true,
            } => format!("{value:.2}"),
            Cell::Number { value, .. } => format!("{value:.0}"),
        }
    }
}
