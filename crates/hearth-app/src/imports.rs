//! Importing spreadsheets (导入): town and village officers send the household lists they keep in
//! Excel and WPS; every row is checked as the household form would be, refused rows come back
//! with row, column and reason, and the good ones are registered as drafts (or update drafts
//! already registered, if asked), all in one transaction.
//!
//! Modes: a dry run only checks; all-or-nothing writes nothing unless every row is good; valid
//! rows writes the good ones and returns the rest. Re-importing a file adds nothing twice: a
//! household whose head is registered is skipped (or updated), a need already recorded in the
//! campaign is not recorded again. Every import is kept as a batch with its report (sealed, since
//! it holds the refused rows as sent) for the result page and the error file.

mod batch;
mod catalogue;
mod drafts;
mod households;
mod needs;
mod people;
mod purge;
mod records;
mod sheets;
mod template;

pub use batch::{ImportSummary, ImportView, reseal_all};
pub use hearth_office::import::ImportFile;
pub use purge::forget_households;
pub use records::ImportKind;

use crate::{AppError, Caller, Result};
use hearth_office::import::{ErrorRows, RowProblem};
use serde::{Deserialize, Serialize};
use std::io::Read;
use uuid::Uuid;

/// What to do when a row's household is not good.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is written unless every row is good (the default).
    #[default]
    AllOrNothing,
    /// The good rows are written; the refused ones come back in the error file.
    ValidRows,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::AllOrNothing => "all_or_nothing",
            ImportMode::ValidRows => "valid_rows",
        }
    }

    /// `all-or-nothing` / `all_or_nothing` / `valid-rows` / `valid_rows`.
    pub fn parse(value: &str) -> Result<ImportMode> {
        match value.trim().replace('-', "_").as_str() {
            "" | "all_or_nothing" => Ok(ImportMode::AllOrNothing),
            "valid_rows" => Ok(ImportMode::ValidRows),
            other => Err(hearth_core::Invalid::new("mode", "dict.unknown")
                .arg("value", other)
                .into()),
        }
    }
}

/// What to do with a household whose head is already registered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Existing {
    /// Leave it as it is (the row counts as a duplicate).
    #[default]
    Skip,
    /// Update it from the row, if it is still a draft or was returned.
    Update,
}

impl Existing {
    pub fn as_str(self) -> &'static str {
        match self {
            Existing::Skip => "skip",
            Existing::Update => "update",
        }
    }

    pub fn parse(value: &str) -> Result<Existing> {
        match value.trim() {
            "" | "skip" => Ok(Existing::Skip),
            "update" => Ok(Existing::Update),
            other => Err(hearth_core::Invalid::new("existing", "dict.unknown")
                .arg("value", other)
                .into()),
        }
    }
}

/// A file to import and how.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub file_name: String,
    /// An upload's bytes, or a file on disk the console names (a CSV file there is read a
    /// block at a time, never whole).
    pub file: ImportFile,
    /// A campaign id or code: needs on the rows are recorded in it.
    pub campaign: Option<String>,
    pub dry_run: bool,
    pub mode: ImportMode,
    pub existing: Existing,
}

impl ImportRequest {
    /// The file's SHA-256, kept with the batch: a re-sent file is recognisable.
    fn file_sha256(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        let refused = |e: hearth_office::import::ReadError| AppError::Invalid(vec![e.invalid()]);
        let mut reader = self.file.reader().map_err(refused)?;
        let mut hasher = Sha256::new();
        let mut block = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut block) {
                Ok(0) => return Ok(hex::encode(hasher.finalize())),
                Ok(read) => hasher.update(&block[..read]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(refused(hearth_office::import::ReadError::Io(e.to_string()))),
            }
        }
    }
}

/// Who imports: a signed-in town or village officer, or the server console, which may only
/// check a file (rows need an officer who answers for them).
#[derive(Clone, Copy)]
pub enum Importer<'a> {
    Officer(&'a Caller),
    Console,
}

impl Importer<'_> {
    fn caller(&self) -> Option<&Caller> {
        match self {
            Importer::Officer(caller) => Some(caller),
            Importer::Console => None,
        }
    }
}

/// One refused or skipped row as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedProblem {
    pub row: u32,
    pub column: String,
    pub reason_zh: String,
    pub reason_en: String,
    /// A repeat (of an earlier row, or of a registered household) rather than an error.
    pub duplicate: bool,
}

impl ReportedProblem {
    fn from(problem: &RowProblem) -> ReportedProblem {
        ReportedProblem {
            row: problem.row,
            column: problem.column.clone(),
            reason_zh: problem.reason(hearth_core::Lang::ZhCn),
            reason_en: problem.reason(hearth_core::Lang::En),
            duplicate: problem.duplicate,
        }
    }

    pub fn reason(&self, lang: hearth_core::Lang) -> &str {
        match lang {
            hearth_core::Lang::ZhCn => &self.reason_zh,
            hearth_core::Lang::En => &self.reason_en,
        }
    }
}

/// The outcome of an import, as the CLI prints it and the result page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The batch it was kept as (none for a console dry run).
    pub id: Option<Uuid>,
    pub rows_read: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub duplicates: u32,
    /// Sheet row numbers (1-based) of the rows that were (or, in a dry run, would be) imported.
    pub accepted_rows: Vec<u32>,
    pub problems: Vec<ReportedProblem>,
    /// Rows were written.
    pub committed: bool,
    pub created: u32,
    pub updated: u32,
    pub needs_recorded: u32,
    /// Needs waiting for their household's approval.
    pub needs_pending: u32,
    /// The refused and skipped rows as sent, for the error file.
    pub error_rows: ErrorRows,
    /// Household rows that likely match a registered household under another ID number (a
    /// typo), found before anything was written; see `identity::likely_matches`.
    #[serde(default)]
    pub likely_matches: Vec<crate::identity::LikelyMatch>,
}

/// Progress of a long import: rows checked so far of all rows.
pub type Progress<'a> = &'a (dyn Fn(u32, u32) + Sync);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_as_the_cli_writes_them() {
        assert_eq!(
            ImportMode::parse("all-or-nothing").unwrap(),
            ImportMode::AllOrNothing
        );
        assert_eq!(
            ImportMode::parse("valid-rows").unwrap(),
            ImportMode::ValidRows
        );
        assert_eq!(ImportMode::parse("").unwrap(), ImportMode::AllOrNothing);
        assert!(ImportMode::parse("some").is_err());
        assert_eq!(Existing::parse("update").unwrap(), Existing::Update);
        assert!(Existing::parse("merge").is_err());
    }
}
