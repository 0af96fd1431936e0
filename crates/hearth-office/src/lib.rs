//! Files people exchange with Hearth: spreadsheets that open in WPS and Excel, and later Word
//! forms and print views.
//!
//! Error policy: writing a file can only fail inside the spreadsheet library; that is reported
//! as [`OfficeError`] and the edges turn it into a server error.

pub mod households;
pub mod organizations;
mod sheet;

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("could not write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
