//! Lists leaving the system as files: every export is on the audit log with who took it, which
//! list, under which filters and how many rows, before the file is handed over.

use crate::{App, Caller, Result};

/// What the audit log keeps of one export.
#[derive(Debug, Clone)]
pub struct ExportRecord<'a> {
    /// The list, e.g. `needs` or `donations`.
    pub list: &'a str,
    /// `xlsx` or `csv`.
    pub format: &'a str,
    /// The filters as the list applied them; never a full ID number or phone.
    pub filter: serde_json::Value,
    pub rows: usize,
}

/// The audit action of a list export.
pub const ACTION: &str = "list_exported";

impl App {
    /// Records an export; the caller has already been allowed to read the rows it holds.
    pub async fn record_export(&self, caller: &Caller, export: ExportRecord<'_>) -> Result<()> {
        let mut tx = self.store().write().await?;
        let actor = caller.actor();
        let detail = serde_json::json!({
            "list": export.list,
            "format": export.format,
            "rows": export.rows,
            "filter": export.filter,
        });
        hearth_store::audit::append(
            &mut tx,
            hearth_store::audit::NewEvent {
                actor: &actor,
                action: ACTION,
                record_type: "export",
                record_id: export.list.to_owned(),
                detail,
                reason: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
