//! Files people exchange with Hearth: spreadsheets that open in WPS and Excel, Word forms to
//! print, sign and stamp (the pledge letter), and later print views.
//!
//! Error policy: writing a file can only fail inside the spreadsheet or zip library; that is
//! reported as [`OfficeError`] and the edges turn it into a server error.

mod docx;
pub mod import;
pub mod organizations;
pub mod pledge_letter;
pub mod roster;
mod sheet;
pub mod table;
pub mod template;

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("could not write the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("could not write the Word file: {0}")]
    Docx(#[from] zip::result::ZipError),
}

impl From<std::io::Error> for OfficeError {
    fn from(error: std::io::Error) -> OfficeError {
        OfficeError::Docx(error.into())
    }
}
