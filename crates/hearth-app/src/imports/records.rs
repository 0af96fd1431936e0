//! Importing the sheets of one record a row (organizations, items, donations, users): every row
//! is checked as the form would check it, rows repeating a stored record are skipped (so
//! importing a file again adds nothing twice), and the good rows are written one by one through
//! the same operation the form uses — with its audit entry and, for donations, its ledger
//! postings. All-or-nothing writes only when no row was refused.

use super::batch::{audit_event, seal_report};
use super::{ImportMode, ImportReport, ImportRequest, Progress, ReportedProblem};
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_office::import::records::{Line, RecordKind, Sheet};
use hearth_office::import::{ErrorRows, RowProblem, Table};
use hearth_store::Tx;
use hearth_store::imports::{self, ImportBatch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// What a sheet holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    #[default]
    Households,
    Organizations,
    Donations,
    Items,
    Users,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Households,
        ImportKind::Organizations,
        ImportKind::Donations,
        ImportKind::Items,
        ImportKind::Users,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Households => "households",
            ImportKind::Organizations => "organizations",
            ImportKind::Donations => "donations",
            ImportKind::Items => "items",
            ImportKind::Users => "users",
        }
    }

    pub fn parse(value: &str) -> Result<ImportKind> {
        let value = value.trim();
        ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .ok_or_else(|| Invalid::new("kind", "import_kinds.kind_unknown").arg("value", value))
            .map_err(AppError::from)
    }

    /// The locale key of its name (困难家庭, 社会组织 …).
    pub fn label_key(self) -> String {
        format!("import_kinds.kind_{}", self.as_str())
    }

    /// What a caller must be allowed to do to import it (and to open its imports).
    pub fn permission(self) -> Permission {
        match self {
            ImportKind::Households => Permission::RegisterHouseholds,
            ImportKind::Organizations => Permission::ManageOrganizations,
            ImportKind::Donations => Permission::RecordDonations,
            ImportKind::Items => Permission::ManageCatalogue,
            ImportKind::Users => Permission::ManageUsers,
        }
    }
}

/// What one kind does beside reading its rows: find what is stored already and write a row.
pub(crate) trait Writer: Sync {
    type Kind: RecordKind;
    const KIND: ImportKind;

    /// Why a row repeats a stored record (it is then skipped), or `None`.
    async fn existing(
        &self,
        tx: &mut Tx,
        line: &Line<<Self::Kind as RecordKind>::Value>,
    ) -> Result<Option<Invalid>>;

    /// Writes one row as its form would, inside the import's transaction; returns what the
    /// row became, when the import must remember it to add nothing twice (a donation's number).
    async fn write(
        &self,
        app: &App,
        tx: &mut Tx,
        caller: &Caller,
        line: &Line<<Self::Kind as RecordKind>::Value>,
    ) -> Result<Option<String>>;
}

/// The outcome of the rows so far.
struct Tally {
    problems: Vec<RowProblem>,
    accepted_rows: Vec<u32>,
    /// (fingerprint, record) of rows to remember.
    remembered: Vec<(String, String)>,
}

impl App {
    /// Checks the rows against what is stored, writes the good ones if asked, keeps the batch.
    pub(crate) async fn run_records<W: Writer>(
        &self,
        caller: Option<&Caller>,
        request: &ImportRequest,
        progress: Progress<'_>,
        table: &Table,
        sheet: Sheet<<W::Kind as RecordKind>::Value>,
        writer: &W,
    ) -> Result<ImportReport> {
        let key_column = table.header_of(W::Kind::KEY);
        let mut tally = Tally {
            problems: sheet.problems,
            accepted_rows: Vec::new(),
            remembered: Vec::new(),
        };
        let mut good = Vec::with_capacity(sheet.lines.len());
        {
            let mut tx = self.store().read().await?;
            for line in sheet.lines {
                match writer.existing(&mut tx, &line).await? {
                    Some(reason) => tally.problems.push(RowProblem::duplicate(
                        line.row,
                        key_column.clone(),
                        reason,
                    )),
                    None => good.push(line),
                }
            }
        }
        let refused_already = tally.problems.iter().any(|p| !p.duplicate);
        let held_back = request.mode == ImportMode::AllOrNothing && refused_already;
        let Some(caller) = caller.filter(|_| !request.dry_run && !held_back) else {
            tally.accepted_rows = good.iter().map(|line| line.row).collect();
            let report = report(table, tally.problems.clone(), &tally, false, request);
            return match caller {
                Some(caller) => {
                    let tx = self.store().write().await?;
                    self.keep_batch(tx, W::KIND, caller, request, report, &[])
                        .await
                }
                None => Ok(report),
            };
        };
        let mut tx = self.store().write().await?;
        let total = good.len() as u32;
        for (done, line) in good.iter().enumerate() {
            write_row(self, &mut tx, caller, writer, table, line, &mut tally).await?;
            progress(done as u32 + 1, total);
        }
        let refused_at_write = tally.problems.iter().any(|p| !p.duplicate);
        let wrote = !(request.mode == ImportMode::AllOrNothing && refused_at_write);
        if !wrote {
            // A row refused only when written: nothing of this file may stay.
            drop(tx);
            tx = self.store().write().await?;
            tally.remembered.clear();
        }
        let report = report(table, tally.problems.clone(), &tally, wrote, request);
        self.keep_batch(tx, W::KIND, caller, request, report, &tally.remembered)
            .await
    }

    /// Stores the batch with its sealed report and what its rows became, and logs the import.
    async fn keep_batch(
        &self,
        mut tx: Tx,
        kind: ImportKind,
        caller: &Caller,
        request: &ImportRequest,
        mut report: ImportReport,
        remembered: &[(String, String)],
    ) -> Result<ImportReport> {
        let cipher = self.cipher()?;
        let id = Uuid::now_v7();
        report.id = Some(id);
        let batch = ImportBatch {
            id,
            kind: kind.as_str().into(),
            file_name: request.file_name.chars().take(200).collect(),
            file_sha256: request.file_sha256()?,
            mode: request.mode.as_str().into(),
            existing: request.existing.as_str().into(),
            dry_run: request.dry_run,
            committed: report.committed,
            campaign_id: None,
            rows_read: i64::from(report.rows_read),
            accepted: i64::from(report.accepted),
            rejected: i64::from(report.rejected),
            duplicates: i64::from(report.duplicates),
            report: seal_report(cipher, id, &report),
            area_code: caller
                .user
                .area_code
                .as_ref()
                .map(|a| a.as_str().to_owned()),
            imported_by: caller.user.id,
            imported_at: hearth_store::now(),
        };
        imports::insert(&mut tx, &batch).await?;
        for (fingerprint, record) in remembered {
            imports::insert_record(&mut tx, kind.as_str(), fingerprint, record, id).await?;
        }
        let detail = serde_json::json!({
            "kind": batch.kind,
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "dry_run": batch.dry_run,
            "mode": batch.mode,
            "committed": batch.committed,
            "rows_read": batch.rows_read,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
        });
        let action = format!("{}_imported", kind.as_str());
        audit_event(&mut tx, caller, &action, id, detail).await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// Writes one good row; a row the write refuses is undone alone and reported. A unique index
/// that refuses a row (someone wrote the same number meanwhile, on PostgreSQL) is tried again.
async fn write_row<W: Writer>(
    app: &App,
    tx: &mut Tx,
    caller: &Caller,
    writer: &W,
    table: &Table,
    line: &Line<<W::Kind as RecordKind>::Value>,
    tally: &mut Tally,
) -> Result<()> {
    let mut attempt = 0;
    loop {
        tx.savepoint().await?;
        let outcome = writer.write(app, tx, caller, line).await;
        if outcome.is_err() {
            tx.rollback_to_savepoint().await?;
        } else {
            tx.release_savepoint().await?;
        }
        match outcome {
            Ok(record) => {
                tally.accepted_rows.push(line.row);
                if let Some(record) = record {
                    tally.remembered.push((line.key.clone(), record));
                }
            }
            Err(AppError::Store(e)) if e.is_unique_violation() && attempt < 4 => {
                attempt += 1;
                continue;
            }
            Err(AppError::Invalid(found)) => tally.refuse::<W::Kind>(table, line.row, found),
            Err(AppError::Conflict(found)) => tally.refuse::<W::Kind>(table, line.row, vec![found]),
            Err(other) => return Err(other),
        }
        return Ok(());
    }
}

impl Tally {
    /// A row the write refused (someone registered the same record meanwhile): its reasons, in
    /// the columns they name.
    fn refuse<K: RecordKind>(&mut self, table: &Table, row: u32, found: Vec<Invalid>) {
        for problem in found {
            let key = K::COLUMNS
                .iter()
                .map(|c| c.key)
                .find(|k| *k == problem.field())
                .unwrap_or(K::KEY);
            self.problems
                .push(RowProblem::error(row, table.header_of(key), problem));
        }
    }
}

/// The counts, reasons and error rows of a run.
fn report(
    table: &Table,
    mut problems: Vec<RowProblem>,
    tally: &Tally,
    wrote: bool,
    request: &ImportRequest,
) -> ImportReport {
    problems.sort_by_key(|p| p.row);
    let refused: BTreeSet<u32> = problems
        .iter()
        .filter(|p| !p.duplicate)
        .map(|p| p.row)
        .collect();
    let duplicates: BTreeSet<u32> = problems
        .iter()
        .filter(|p| p.duplicate && !refused.contains(&p.row))
        .map(|p| p.row)
        .collect();
    let mut accepted_rows = tally.accepted_rows.clone();
    accepted_rows.retain(|r| !refused.contains(r));
    let committed = wrote && !accepted_rows.is_empty();
    if !wrote && !request.dry_run {
        // Nothing was written: say so in the counts too.
        accepted_rows.clear();
    }
    ImportReport {
        id: None,
        rows_read: table.rows.len() as u32,
        accepted: accepted_rows.len() as u32,
        rejected: refused.len() as u32,
        duplicates: duplicates.len() as u32,
        created: if wrote { accepted_rows.len() as u32 } else { 0 },
        accepted_rows,
        problems: problems.iter().map(ReportedProblem::from).collect(),
        committed: committed || (wrote && refused.is_empty()),
        error_rows: ErrorRows::collect(table, &problems),
        ..ImportReport::default()
    }
}
