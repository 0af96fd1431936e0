//! Import batches after the fact: the list of recent imports in an officer's area, one import's
//! result (counts and every reason), its error file (logged like an export), and the key
//! rotation of the sealed reports.

use super::ImportReport;
use super::records::ImportKind;
use crate::{App, AppError, Caller, Result};
use chrono::{DateTime, Utc};
use hearth_core::Lang;
use hearth_core::permission::Permission;
use hearth_store::Tx;
use hearth_store::audit::{self, NewEvent};
use hearth_store::crypto::{FieldCipher, Slot};
use hearth_store::imports::{self, ImportBatch};
use serde::Serialize;
use uuid::Uuid;

pub(crate) const RECORD: &str = "import_batch";

fn slot(id: &str) -> Slot<'_> {
    Slot {
        table: RECORD,
        row: id,
        field: "report",
    }
}

pub(crate) fn seal_report(cipher: &FieldCipher, id: Uuid, report: &ImportReport) -> String {
    let json = serde_json::to_string(report).unwrap_or_default();
    cipher.seal(slot(&id.to_string()), &json)
}

pub(super) fn open_report(cipher: &FieldCipher, batch: &ImportBatch) -> Result<ImportReport> {
    let json = cipher.open(slot(&batch.id.to_string()), &batch.report)?;
    serde_json::from_str(&json).map_err(|e| {
        AppError::Store(hearth_store::StoreError::Corrupt(format!(
            "import report: {e}"
        )))
    })
}

/// One import as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub mode: String,
    pub existing: String,
    pub dry_run: bool,
    pub committed: bool,
    pub rows_read: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub duplicates: i64,
    pub imported_by: Uuid,
    pub imported_at: DateTime<Utc>,
}

impl From<&ImportBatch> for ImportSummary {
    fn from(b: &ImportBatch) -> Self {
        ImportSummary {
            id: b.id,
            kind: b.kind.clone(),
            file_name: b.file_name.clone(),
            mode: b.mode.clone(),
            existing: b.existing.clone(),
            dry_run: b.dry_run,
            committed: b.committed,
            rows_read: b.rows_read,
            accepted: b.accepted,
            rejected: b.rejected,
            duplicates: b.duplicates,
            imported_by: b.imported_by,
            imported_at: b.imported_at,
        }
    }
}

/// One import with its full report.
#[derive(Debug, Clone, Serialize)]
pub struct ImportView {
    pub summary: ImportSummary,
    pub report: ImportReport,
    /// Needs still waiting for their household's approval.
    pub pending_needs: usize,
}

/// The officer's area; imports are for those who register households.
pub(crate) fn importer_area(caller: &Caller) -> Result<hearth_core::area::AreaCode> {
    caller.require(Permission::RegisterHouseholds)?;
    caller.user.area_code.clone().ok_or(AppError::Forbidden)
}

/// The kinds the caller may import (and whose imports they may open).
pub(crate) fn importable(caller: &Caller) -> Vec<ImportKind> {
    ImportKind::ALL
        .into_iter()
        .filter(|k| caller.can(k.permission()))
        .collect()
}

/// A batch the caller may open: of a kind they may import, imported inside their area (or, for
/// accounts without an area, by such an account), or "not found".
pub(crate) async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<ImportBatch> {
    if importable(caller).is_empty() {
        return Err(AppError::Forbidden);
    }
    imports::get(tx, id)
        .await?
        .filter(|b| {
            ImportKind::parse(&b.kind).is_ok_and(|k| caller.can(k.permission()))
                && match (&b.area_code, &caller.user.area_code) {
                    (Some(code), Some(area)) => code.starts_with(area.prefix()),
                    (None, None) => true,
                    _ => false,
                }
        })
        .ok_or(AppError::NotFound)
}

pub(crate) async fn audit_event(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    id: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: RECORD,
            record_id: id.to_string(),
            detail,
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// The latest imports in the caller's area of the kinds they may import, newest first.
    pub async fn imports(&self, caller: &Caller) -> Result<Vec<ImportSummary>> {
        let kinds: Vec<&str> = importable(caller).iter().map(|k| k.as_str()).collect();
        if kinds.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store().read().await?;
        let prefix = caller.user.area_code.as_ref().map(|a| a.prefix());
        let batches = imports::recent_of(&mut tx, &kinds, prefix, 50).await?;
        Ok(batches.iter().map(ImportSummary::from).collect())
    }

    /// One import's result. Its report holds the refused rows as sent, so opening it is logged.
    pub async fn import(&self, caller: &Caller, id: Uuid) -> Result<ImportView> {
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let batch = visible(&mut tx, caller, id).await?;
        let report = open_report(cipher, &batch)?;
        let pending = imports::pending_of(&mut tx, id)
            .await?
            .iter()
            .filter(|p| p.need_id.is_none())
            .count();
        audit_event(&mut tx, caller, "import_opened", id, serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(ImportView {
            summary: ImportSummary::from(&batch),
            report,
            pending_needs: pending,
        })
    }

    /// The error file: the refused and skipped rows as sent plus the reason column; logged as
    /// an export of personal data.
    pub async fn import_error_file(
        &self,
        caller: &Caller,
        id: Uuid,
        lang: Lang,
    ) -> Result<Vec<u8>> {
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let batch = visible(&mut tx, caller, id).await?;
        let report = open_report(cipher, &batch)?;
        let bytes = report.error_rows.to_xlsx(lang).map_err(|e| {
            AppError::Store(hearth_store::StoreError::Corrupt(format!(
                "error file: {e}"
            )))
        })?;
        let detail = serde_json::json!({"rows": report.error_rows.rows.len()});
        audit_event(&mut tx, caller, "import_error_file_exported", id, detail).await?;
        tx.commit().await?;
        Ok(bytes)
    }
}

/// Moves every import report to the new key (part of `hearth keys rotate`).
pub async fn reseal_all(tx: &mut Tx, old: &FieldCipher, new: &FieldCipher) -> Result<usize> {
    let batches = imports::all(tx).await?;
    for batch in &batches {
        let report = open_report(old, batch)?;
        imports::set_report(tx, batch.id, &seal_report(new, batch.id, &report)).await?;
        // The blind indexes of the ID numbers it holds change with the key too.
        super::purge::note_subjects(tx, new, batch.id, &report).await?;
    }
    Ok(batches.len())
}
