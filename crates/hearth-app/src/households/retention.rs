//! Retention and key rotation, run at the console: `hearth purge`, `hearth keys rotate`.

use super::{RECORD, id_index, seal, unseal};
use crate::{App, AppError, Result};
use hearth_core::household::HouseholdInput;
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::crypto::FieldCipher;
use hearth_store::households::{self, MemberRow};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PurgeReport {
    pub anonymised: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    pub households: usize,
    pub key_id: String,
}

const ANONYMOUS: &str = "（已匿名）";

impl App {
    /// Anonymises every household whose retention period has ended: names, numbers and the
    /// sealed profile go; village, categories, size and score stay for the statistics.
    pub async fn purge_expired(&self, today: chrono::NaiveDate) -> Result<PurgeReport> {
        let actor = Actor::system("purge");
        let mut tx = self.store().write().await?;
        let mut anonymised = 0;
        for mut row in households::all(&mut tx, false).await? {
            if row.retain_until >= today {
                continue;
            }
            let version = row.version;
            let stored = households::members(&mut tx, row.id).await?;
            let indexes: Vec<String> = stored.iter().map(|m| m.id_index.clone()).collect();
            let members: Vec<MemberRow> = stored
                .into_iter()
                .map(|m| MemberRow {
                    name: ANONYMOUS.to_owned(),
                    id_index: format!("anonymised:{}", m.id),
                    id_last4: String::new(),
                    ..m
                })
                .collect();
            row.head_name = ANONYMOUS.to_owned();
            row.head_id_masked = String::new();
            row.address = String::new();
            row.phone_index = None;
            row.phone_last4 = None;
            row.sealed = String::new();
            row.return_reason = String::new();
            row.anonymised_at = Some(hearth_store::now());
            row.version += 1;
            households::update(&mut tx, &row, version, Some(&members)).await?;
            // The scanned consent form names and shows the people: it goes with them.
            crate::attachments::forget(&mut tx, crate::attachments::Owner::Household(row.id))
                .await?;
            // Import reports keep the rows as sent, ID numbers and all: those rows go too.
            crate::imports::forget_households(&mut tx, self.cipher().ok(), &indexes).await?;
            let detail = serde_json::json!({"retain_until": row.retain_until.to_string()});
            audit::append(
                &mut tx,
                NewEvent {
                    actor: &actor,
                    action: "household_anonymised",
                    record_type: RECORD,
                    record_id: row.id.to_string(),
                    detail,
                    reason: String::new(),
                },
            )
            .await?;
            anonymised += 1;
        }
        tx.commit().await?;
        Ok(PurgeReport { anonymised })
    }

    /// Re-seals every household and recomputes every blind index under `new`, in one
    /// transaction: either all of it moves to the new key or none of it does.
    pub async fn reencrypt_all(&self, new: &FieldCipher) -> Result<RotationReport> {
        let old = self.cipher()?;
        let actor = Actor::system("keys rotate");
        let mut tx = self.store().write().await?;
        let rows = households::all(&mut tx, false).await?;
        for mut row in rows.iter().cloned() {
            let input: HouseholdInput = unseal(old, &row)?;
            let profile = input.parse(crate::today()).map_err(AppError::Invalid)?;
            let version = row.version;
            row.sealed = seal(new, row.id, &profile);
            row.phone_index = profile
                .phone()
                .map(|p| new.blind_index("phone", p.as_str()));
            let members: Vec<MemberRow> = households::members(&mut tx, row.id)
                .await?
                .into_iter()
                .zip(profile.members())
                .map(|(m, member)| MemberRow {
                    id_index: id_index(new, member.id_number.as_str()),
                    ..m
                })
                .collect();
            households::update(&mut tx, &row, version, Some(&members)).await?;
        }
        // Scanned files move to the new key in the same transaction.
        crate::attachments::reseal_all(&mut tx, old, new).await?;
        // So do the import reports, which hold refused rows as sent.
        crate::imports::reseal_all(&mut tx, old, new).await?;
        let detail = serde_json::json!({"households": rows.len(), "key": new.current_key_id()});
        audit::append(
            &mut tx,
            NewEvent {
                actor: &actor,
                action: "keys_rotated",
                record_type: "key",
                record_id: new.current_key_id().to_owned(),
                detail,
                reason: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(RotationReport {
            households: rows.len(),
            key_id: new.current_key_id().to_owned(),
        })
    }
}
