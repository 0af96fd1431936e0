//! Spreadsheets people send in (导入): the household lists town and village offices keep in Excel
//! and WPS, with a title row, instructions, merged cells, a 合计 row and a signature block, as
//! .xlsx, .xls or .csv in UTF-8 or GBK.
//!
//! Reading is in layers: [`grid`] turns any file into rows of cells (remembering which cells
//! were numbers), [`header`] finds the header row and the columns by their usual names, [`skip`]
//! leaves out rows that are not data, and a sheet module ([`households`]) checks every row and
//! names the row, the column and the reason for each refusal. Nothing here touches the database.

mod decode;
pub mod donations;
pub mod error_file;
pub mod grid;
pub mod header;
pub mod households;
pub mod items;
pub mod organizations;
pub mod places;
pub mod records;
mod sheet_stream;
pub mod skip;
pub mod source;
pub mod stream;
pub mod users;
pub mod values;

pub use error_file::{ErrorRow, ErrorRows};
pub use grid::{Cell, Grid, SheetRow};
pub use header::{ColumnSpec, Table};
pub use places::Places;
pub use source::ImportFile;
pub use stream::TableRows;

use hearth_core::{Invalid, Lang};

/// Why a file could not be read at all (as opposed to a row being refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither UTF-8 nor GBK/GB18030 text")]
    Encoding,
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
    #[error("the CSV file cannot be read: {0}")]
    Csv(String),
    #[error("the file cannot be read: {0}")]
    Io(String),
    #[error("no header row found; expected columns such as {0:?}")]
    NoHeader(Vec<&'static str>),
    #[error("required columns missing: {0:?}")]
    MissingColumns(Vec<&'static str>),
}

impl ReadError {
    /// The refusal as users read it, on the field `file`.
    pub fn invalid(&self) -> Invalid {
        let base = |key| Invalid::new("file", key);
        match self {
            ReadError::Empty => base("import.file_empty"),
            ReadError::Encoding => base("import.file_encoding"),
            ReadError::Workbook(detail) | ReadError::Csv(detail) | ReadError::Io(detail) => {
                base("import.file_unreadable").arg("detail", detail)
            }
            ReadError::NoHeader(expected) => {
                base("import.no_header").arg("columns", expected.join("、"))
            }
            ReadError::MissingColumns(missing) => {
                base("import.missing_columns").arg("columns", missing.join("、"))
            }
        }
    }
}

/// Reads a file and finds its table for the given columns.
pub fn read_table(bytes: &[u8], file_name: &str, specs: &[ColumnSpec]) -> Result<Table, ReadError> {
    Table::locate(grid::read(bytes, file_name)?, specs)
}

/// One refusal of one row: the row number the spreadsheet shows, the column as the file names
/// it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub problem: Invalid,
    /// The row repeats an earlier row or a registered record rather than being wrong.
    pub duplicate: bool,
}

impl RowProblem {
    pub fn error(row: u32, column: String, problem: Invalid) -> RowProblem {
        RowProblem {
            row,
            column,
            problem,
            duplicate: false,
        }
    }

    pub fn duplicate(row: u32, column: String, problem: Invalid) -> RowProblem {
        RowProblem {
            row,
            column,
            problem,
            duplicate: true,
        }
    }

    pub fn reason(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }
}
