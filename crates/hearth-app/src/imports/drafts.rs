//! The application's half of writing a household sheet: each part of the file read, checked,
//! and its households sealed and keyed as new drafts, ready for the statements that write them.
//!
//! SQLite works on its own thread, so while it writes one part this prepares the next: the
//! import's two halves share the machine's two cores. Preparing yields every few rows, so the
//! part being written gets its next statement as soon as SQLite has finished the one before.

use super::households::file_refused;
use crate::Result;
use crate::households::{RowBase, id_index, rows};
use hearth_core::household::HouseholdProfile;
use hearth_office::import::TableRows;
use hearth_office::import::grid::SheetRow;
use hearth_office::import::households::{
    HouseholdContext, HouseholdLine, HouseholdSheet, SeenHeads,
};
use hearth_store::crypto::FieldCipher;
use hearth_store::households::{HouseholdRow, MemberRow};
use hearth_store::identity::{KeyState, StoredKey};
use uuid::Uuid;

/// Rows written together: a few multi-row statements, then progress is reported.
const WRITE_PART: usize = 500;

/// Rows read and checked between two chances for the part being written to go on.
const READ_STEP: usize = 50;

/// Rows sealed and keyed between two such chances.
const SEAL_STEP: usize = 8;

/// A household as a new draft, with its identity keys.
pub(super) struct Draft {
    pub rows: (HouseholdRow, Vec<MemberRow>),
    pub keys: (KeyState, Vec<StoredKey>),
}

/// One part of the file, ready to write.
#[derive(Default)]
pub(super) struct Prepared {
    /// The rows as read, for the error file.
    pub part: Vec<SheetRow>,
    /// The rows that passed (their refusals were reported when the file was checked).
    pub lines: Vec<HouseholdLine>,
    /// Per line: the blind index of its head's ID number.
    pub indexes: Vec<String>,
    /// Per line: its draft, when the import writes.
    pub drafts: Vec<Option<Draft>>,
}

/// How new drafts are made: by whom, kept how long; `None` when nothing is written.
pub(super) struct DraftMaker<'a> {
    pub cipher: &'a FieldCipher,
    pub entered_by: Option<Uuid>,
    pub retention_years: u32,
}

impl DraftMaker<'_> {
    /// A new draft, as the household form registers one.
    fn draft(
        &self,
        profile: &HouseholdProfile,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> Option<Draft> {
        let base = RowBase::new_draft(self.entered_by?, self.retention_years, created_at);
        let rows = rows(self.cipher, Uuid::now_v7(), profile, base);
        let keys = crate::identity::keys_of_new(self.cipher, &rows.0, profile);
        Some(Draft { rows, keys })
    }
}

/// The next part of the file, checked and with its drafts made; empty at the end of the file.
pub(super) async fn prepare(
    rows: &mut TableRows<'_>,
    ctx: &HouseholdContext<'_>,
    seen: &mut SeenHeads,
    maker: &DraftMaker<'_>,
) -> Result<Prepared> {
    let mut prepared = Prepared::default();
    while prepared.part.len() < WRITE_PART {
        let step = rows.next_rows(READ_STEP).map_err(file_refused)?;
        if step.is_empty() {
            break;
        }
        let sheet = HouseholdSheet::read_rows(rows.table(), &step, ctx, seen);
        prepared.lines.extend(sheet.lines);
        prepared.part.extend(step);
        tokio::task::yield_now().await;
    }
    let created_at = hearth_store::now();
    for (n, line) in prepared.lines.iter().enumerate() {
        prepared
            .indexes
            .push(id_index(maker.cipher, line.head_id().as_str()));
        prepared.drafts.push(maker.draft(&line.profile, created_at));
        if n % SEAL_STEP == SEAL_STEP - 1 {
            tokio::task::yield_now().await;
        }
    }
    Ok(prepared)
}
