//! A spreadsheet as rows of cells, whatever it came as: .xlsx, .xls (and .ods) through calamine,
//! .csv in UTF-8 (with or without a byte-order mark) or GBK/GB18030, as WPS and old Excel save it.
//!
//! A cell keeps whether it was a number in the workbook: an identity number that Excel stored as
//! a number has already lost its last digits, and only the cell type says so for sure.

use super::ReadError;
use calamine::{Data, Reader};
use std::io::Cursor;

/// One cell as the reader found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The value as text: numbers without a trailing `.0`, dates as `YYYY-MM-DD`.
    pub text: String,
    /// The workbook stored a number here (never true for CSV, which has no types).
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: false,
        }
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// One row with the number the spreadsheet shows beside it (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl SheetRow {
    pub fn cell(&self, column: usize) -> Option<&Cell> {
        self.cells.get(column)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// One sheet: its name and its non-empty rows in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<SheetRow>,
}

/// What kind of file the bytes are, by name and by their first bytes.
fn is_workbook(bytes: &[u8], file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    if name.ends_with(".csv") || name.ends_with(".txt") {
        return false;
    }
    // Zip (xlsx, ods) and OLE2 (xls) signatures.
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Every visible sheet of a workbook, or the one table of a CSV file.
pub fn read(bytes: &[u8], file_name: &str) -> Result<Vec<Grid>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if is_workbook(bytes, file_name) {
        read_workbook(bytes)
    } else {
        let text = super::decode::decode(bytes)?;
        read_csv(&text).map(|grid| vec![grid])
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Grid>, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    let sheets: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut grids = Vec::with_capacity(sheets.len());
    for sheet in sheets {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| SheetRow {
                number: first_row + i as u32 + 1,
                cells: std::iter::repeat_n(Cell::default(), first_col as usize)
                    .chain(cells.iter().map(cell))
                    .collect(),
            })
            .filter(|row| !row.is_blank())
            .collect();
        grids.push(Grid { sheet, rows });
    }
    Ok(grids)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Int(i) => numeric(i.to_string()),
        Data::Float(f) => numeric(float_text(*f)),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s.clone()),
        Data::Bool(b) => Cell::text(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => Cell::text(excel_date(dt.as_f64())),
        Data::Error(_) | Data::Empty => Cell::default(),
    }
}

fn numeric(text: String) -> Cell {
    Cell {
        text,
        numeric: true,
    }
}

/// Whole numbers without `.0` (a phone or a quantity typed as a number reads as typed); others
/// as Rust prints them, which is what someone would read off the cell.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    base.checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| float_text(serial))
}

fn read_csv(text: &str) -> Result<Grid, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // The physical line where a record starts, as a spreadsheet opening the file numbers it
    // (the csv crate skips blank lines without counting them).
    let (mut line, mut counted) = (1u32, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        let start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(counted);
        let mut start = start.clamp(counted, text.len());
        // The position is where the parser began, before the blank lines it skipped.
        start += text.as_bytes()[start..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        line += text.as_bytes()[counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        counted = start;
        let number = line;
        let row = SheetRow {
            number,
            cells: record.iter().map(Cell::text).collect(),
        };
        if !row.is_blank() {
            rows.push(row);
        }
    }
    Ok(Grid {
        sheet: String::new(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_numbers_and_skip_blank_lines() {
        let grid = read_csv("标题\n\n姓名,身份证号\n\"张三\n（户主）\",1\n李四,2\n").unwrap();
        let numbers: Vec<u32> = grid.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, vec![1, 3, 4, 6]);
        assert_eq!(grid.rows[2].cells[0].text, "张三\n（户主）");
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(float_text(13912345678.0), "13912345678");
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(2.5), "2.5");
        assert_eq!(excel_date(45646.0), "2024-12-20");
    }
}
