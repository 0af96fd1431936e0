//! The ID numbers a household import's sealed report holds (its error rows are the rows as
//! sent): noted by blind index when the batch is kept, so purging a household clears them from
//! every report, and moved to the new key with the reports when keys rotate.

use super::ImportReport;
use super::batch::{open_report, seal_report};
use crate::households::id_index;
use crate::{AppError, Result};
use hearth_core::IdNumber;
use hearth_store::Tx;
use hearth_store::crypto::FieldCipher;
use hearth_store::imports;
use uuid::Uuid;

/// What a purged person's cells read as afterwards.
const ANONYMOUS: &str = "（已匿名）";

/// The blind indexes of the valid ID numbers in a report's error rows.
fn subjects(cipher: &FieldCipher, report: &ImportReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .error_rows
        .rows
        .iter()
        .flat_map(|r| r.cells.iter())
        .filter_map(|cell| IdNumber::parse(cell).ok())
        .map(|id| id_index(cipher, id.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Notes the ID numbers of a kept report, replacing what was noted under another key.
pub(crate) async fn note_subjects(
    tx: &mut Tx,
    cipher: &FieldCipher,
    batch: Uuid,
    report: &ImportReport,
) -> Result<()> {
    imports::clear_subjects(tx, batch).await?;
    for index in subjects(cipher, report) {
        imports::insert_subject(tx, batch, &index).await?;
    }
    Ok(())
}

/// Clears the rows naming any of the blind indexes from every import report that holds them
/// (part of purging households); returns how many reports changed.
pub async fn forget_households(
    tx: &mut Tx,
    cipher: Option<&FieldCipher>,
    id_indexes: &[String],
) -> Result<usize> {
    let batches = imports::batches_naming(tx, id_indexes).await?;
    let Some(cipher) = cipher.filter(|_| !batches.is_empty()) else {
        return match batches.is_empty() {
            true => Ok(0),
            false => Err(AppError::KeysMissing),
        };
    };
    for batch in &batches {
        let mut report = open_report(cipher, batch)?;
        for row in &mut report.error_rows.rows {
            let names = row.cells.iter().any(|cell| {
                IdNumber::parse(cell)
                    .is_ok_and(|id| id_indexes.contains(&id_index(cipher, id.as_str())))
            });
            if names {
                row.cells.iter_mut().for_each(|c| *c = ANONYMOUS.to_owned());
            }
        }
        imports::set_report(tx, batch.id, &seal_report(cipher, batch.id, &report)).await?;
        imports::forget_subjects(tx, batch.id, id_indexes).await?;
    }
    Ok(batches.len())
}
