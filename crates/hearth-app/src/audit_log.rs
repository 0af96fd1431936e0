//! Reading and verifying the audit log.

use crate::users::Operator;
use crate::{App, Caller, Result};
use hearth_core::permission::Permission;
use hearth_store::audit::{self, AuditEvent, Verification};

impl App {
    /// Walks the whole chain; run from the console (`hearth audit verify`) or by an auditor.
    pub async fn verify_audit_log(&self, by: Operator<'_>) -> Result<Verification> {
        by.require(Permission::ReadAuditLog)?;
        let mut tx = self.store().read().await?;
        Ok(audit::verify(&mut tx).await?)
    }

    pub async fn audit_events(
        &self,
        caller: &Caller,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<AuditEvent>, i64)> {
        caller.require(Permission::ReadAuditLog)?;
        let mut tx = self.store().read().await?;
        Ok(audit::recent(&mut tx, limit, offset).await?)
    }
}
