//! Showing what is masked: a permitted role, a typed reason, and an audit entry every time.

use super::{record, unseal, visible};
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::household::HouseholdInput;
use hearth_core::permission::Permission;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct RevealedMember {
    pub name: String,
    pub id_number: String,
    pub relation: String,
    pub disability_certificate: String,
    pub disability_kind: String,
    pub disability_grade: String,
    pub health_note: String,
}

/// The unmasked household, for the one view that asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct Revealed {
    pub phone: String,
    pub address: String,
    pub members: Vec<RevealedMember>,
    pub consent_signer: String,
    pub consent_guardian: String,
}

impl From<HouseholdInput> for Revealed {
    fn from(input: HouseholdInput) -> Self {
        Revealed {
            phone: input.phone,
            address: input.address,
            members: input
                .members
                .into_iter()
                .map(|m| RevealedMember {
                    name: m.name,
                    id_number: m.id_number,
                    relation: m.relation,
                    disability_certificate: m.disability_certificate,
                    disability_kind: m.disability_kind,
                    disability_grade: m.disability_grade,
                    health_note: m.health_note,
                })
                .collect(),
            consent_signer: input.consent.signer,
            consent_guardian: input.consent.guardian,
        }
    }
}

const MIN_REASON: usize = 4;

impl App {
    /// ID numbers, phone, disability and health in full. The reason and the fields shown are
    /// written to the audit log in the same transaction, so no view goes unrecorded.
    pub async fn reveal_household(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
    ) -> Result<Revealed> {
        caller.require(Permission::RevealHouseholdDetails)?;
        let reason = reason.trim();
        if reason.chars().count() < MIN_REASON {
            return Err(Invalid::new("reason", "household.reveal_reason")
                .arg("min", MIN_REASON)
                .into());
        }
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let row = visible(&mut tx, caller, id).await?;
        let input = unseal(cipher, &row)?;
        let detail =
            serde_json::json!({"fields": ["id_number", "phone", "disability", "health_note"]});
        record(
            &mut tx,
            caller,
            "household_revealed",
            id,
            detail,
            reason.to_owned(),
        )
        .await?;
        tx.commit().await.map_err(AppError::from)?;
        Ok(Revealed::from(input))
    }

    /// Records that a household list left the system (an export or a print), with its filter.
    pub async fn record_household_export(
        &self,
        caller: &Caller,
        what: &str,
        rows: usize,
        filter: serde_json::Value,
    ) -> Result<()> {
        caller.require(Permission::ExportHouseholds)?;
        let mut tx = self.store().write().await?;
        let actor = caller.actor();
        let detail = serde_json::json!({"rows": rows, "filter": filter});
        hearth_store::audit::append(
            &mut tx,
            hearth_store::audit::NewEvent {
                actor: &actor,
                action: what,
                record_type: super::RECORD,
                record_id: String::new(),
                detail,
                reason: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
