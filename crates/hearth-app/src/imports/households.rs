//! `import households`: the household sheet, checked row by row and registered as drafts in one
//! transaction.

use super::batch::{audit_event, seal_report};
use super::needs::{NeedOutcome, take};
use super::{
    Existing, ImportMode, ImportReport, ImportRequest, Importer, Progress, ReportedProblem,
};
use crate::households::{RowBase, id_index, rows, unseal};
use crate::{App, AppError, Caller, Result};
use hearth_core::household::{HouseholdInput, HouseholdStatus, mask};
use hearth_core::permission::Permission;
use hearth_core::{Invalid, Lang};
use hearth_office::import::households::{COLUMNS, HouseholdContext, HouseholdLine, HouseholdSheet};
use hearth_office::import::{ErrorRows, Places, RowProblem, Table, read_table};
use hearth_store::campaigns::Campaign;
use hearth_store::crypto::FieldCipher;
use hearth_store::households::{self, HouseholdRow, MemberRow};
use hearth_store::imports::{self, ImportBatch, PendingNeed};
use hearth_store::{Tx, areas, items};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The state of one import while its rows are written.
struct Run<'a> {
    store: &'a hearth_store::Store,
    caller: Option<&'a Caller>,
    cipher: &'a FieldCipher,
    table: &'a Table,
    campaign: Option<&'a Campaign>,
    existing: Existing,
    write: bool,
    batch: Uuid,
    retention_years: u32,
    report: ImportReport,
    problems: Vec<RowProblem>,
    pending: Vec<PendingNeed>,
}

impl App {
    /// Imports a household sheet. A refused file (unreadable, no header, a required column
    /// missing) is an error; refused rows are in the report.
    pub async fn import_households(
        &self,
        importer: Importer<'_>,
        request: &ImportRequest,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let caller = importer.caller();
        let scope = match caller {
            Some(caller) => {
                caller.require(Permission::RegisterHouseholds)?;
                Some(caller.user.area_code.clone().ok_or(AppError::Forbidden)?)
            }
            None if request.dry_run => None,
            None => return Err(AppError::Forbidden),
        };
        let cipher = self.cipher()?;
        let table = read_table(&request.bytes, &request.file_name, &COLUMNS)
            .map_err(|e| AppError::Invalid(vec![e.invalid()]))?;
        let mut tx = self.store().write().await?;
        let campaign = match &request.campaign {
            Some(code) => Some(launched(&mut tx, code).await?),
            None => None,
        };
        let areas = areas::all(&mut tx).await?;
        let catalogue = items::list(&mut tx, false).await?;
        let ctx = HouseholdContext {
            places: Places::new(&areas),
            scope,
            items: &catalogue,
            campaign: campaign.is_some(),
            today: crate::today(),
            // Who vouches for the categories: the importing officer (the console only checks).
            verified_by: caller
                .map(|c| match c.user.display_name.trim() {
                    "" => c.user.username.to_string(),
                    name => name.to_owned(),
                })
                .unwrap_or_else(|| "console".to_owned()),
            source: format!("导入：{}", request.file_name),
        };
        let sheet = HouseholdSheet::read(&table, &ctx);
        let incoming: Vec<_> = sheet.lines.iter().map(|l| (l.row, &l.profile)).collect();
        let likely_matches = crate::identity::likely_matches(&mut tx, cipher, &incoming).await?;
        let refused_already = sheet.problems.iter().any(|p| !p.duplicate);
        let mut run = Run {
            store: self.store(),
            caller,
            cipher,
            table: &table,
            campaign: campaign.as_ref(),
            existing: request.existing,
            write: caller.is_some()
                && !request.dry_run
                && !(request.mode == ImportMode::AllOrNothing && refused_already),
            batch: Uuid::now_v7(),
            retention_years: self.policy().retention_years,
            report: ImportReport::default(),
            problems: sheet.problems,
            pending: Vec::new(),
        };
        let total = sheet.lines.len() as u32;
        for (done, line) in sheet.lines.iter().enumerate() {
            run.line(&mut tx, line).await?;
            progress(done as u32 + 1, total);
        }
        let mut report = run.finish(tx, request, &table).await?;
        report.likely_matches = likely_matches;
        Ok(report)
    }
}

/// A campaign by id or code that is running, or the refusal on the field `campaign`.
async fn launched(tx: &mut Tx, code: &str) -> Result<Campaign> {
    let campaign = crate::needs::find_campaign(tx, code)
        .await?
        .ok_or_else(|| Invalid::new("campaign", "import.campaign_unknown").arg("value", code))?;
    if campaign.status != hearth_core::campaign::CampaignStatus::Launched {
        return Err(Invalid::new("campaign", "import.campaign_not_launched")
            .arg("name", &campaign.profile.name)
            .into());
    }
    Ok(campaign)
}

impl Run<'_> {
    fn id_column(&self) -> String {
        self.table.header_of("id_number")
    }

    fn refuse(&mut self, row: u32, problem: Invalid, duplicate: bool) {
        let column = self.id_column();
        self.problems.push(RowProblem {
            row,
            column,
            problem,
            duplicate,
        });
    }

    async fn line(&mut self, tx: &mut Tx, line: &HouseholdLine) -> Result<()> {
        let index = id_index(self.cipher, line.head_id().as_str());
        match households::member_with_index(tx, &[index], None).await? {
            Some(member) => self.existing(tx, line, member).await,
            None => {
                let household = self.create(tx, line).await?;
                self.accept(line.row);
                self.report.created += 1;
                self.needs(tx, line, household).await
            }
        }
    }

    fn accept(&mut self, row: u32) {
        self.report.accepted += 1;
        self.report.accepted_rows.push(row);
    }

    /// A new draft, as the household form registers one; `None` when only checking.
    async fn create(&mut self, tx: &mut Tx, line: &HouseholdLine) -> Result<Option<HouseholdRow>> {
        let Some(caller) = self.caller.filter(|_| self.write) else {
            return Ok(None);
        };
        let id = Uuid::now_v7();
        let base = RowBase {
            status: HouseholdStatus::Draft,
            entered_by: caller.user.id,
            reviewed_by: None,
            reviewed_at: None,
            return_reason: String::new(),
            retention_years: self.retention_years,
            version: 1,
            created_at: hearth_store::now(),
        };
        let (row, members) = rows(self.cipher, id, &line.profile, base);
        households::insert(tx, &row, &members).await?;
        self.audit_household(tx, caller, "household_created", id, line.row)
            .await?;
        Ok(Some(row))
    }

    async fn audit_household(
        &self,
        tx: &mut Tx,
        caller: &Caller,
        action: &str,
        id: Uuid,
        row: u32,
    ) -> Result<()> {
        let actor = caller.actor();
        let detail = serde_json::json!({"import": self.batch.to_string(), "row": row});
        hearth_store::audit::append(
            tx,
            hearth_store::audit::NewEvent {
                actor: &actor,
                action,
                record_type: "household",
                record_id: id.to_string(),
                detail,
                reason: String::new(),
            },
        )
        .await?;
        Ok(())
    }

    /// A row whose head's ID number is registered: skipped, or updated when asked and allowed.
    async fn existing(
        &mut self,
        tx: &mut Tx,
        line: &HouseholdLine,
        member: MemberRow,
    ) -> Result<()> {
        let holder = households::get(tx, member.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let village = areas::get(tx, &holder.village)
            .await?
            .map(|a| a.name)
            .unwrap_or_else(|| holder.village.as_str().to_owned());
        let said = |key| {
            Invalid::new("id_number", key)
                .arg("village", &village)
                .arg("head", mask::mask_name(&holder.head_name))
        };
        let in_scope = match self.caller {
            Some(caller) => crate::households::visible(tx, caller, holder.id)
                .await
                .is_ok(),
            None => true,
        };
        if member.position != 0 || !in_scope {
            let key = if member.position != 0 {
                "import.already_registered_member"
            } else {
                "import.already_registered"
            };
            self.report.duplicates += 1;
            self.refuse(line.row, said(key), true);
            return Ok(());
        }
        let status = HouseholdStatus::parse(&holder.status)?;
        match (self.existing, status.is_editable()) {
            (Existing::Update, true) => {
                let before = self.problems.len();
                let updated = self.update(tx, line, &holder, status).await?;
                if self.problems.len() > before {
                    return Ok(());
                }
                self.accept(line.row);
                self.report.updated += 1;
                self.needs(tx, line, updated.or(Some(holder))).await
            }
            (Existing::Update, false) => {
                let label = hearth_core::i18n::text(
                    Lang::ZhCn,
                    &format!("household.status.{}", status.as_str()),
                );
                self.report.duplicates += 1;
                self.refuse(
                    line.row,
                    said("import.updated_not_editable").arg("status", label),
                    true,
                );
                self.needs(tx, line, Some(holder)).await
            }
            (Existing::Skip, _) => {
                self.report.duplicates += 1;
                self.refuse(line.row, said("import.already_registered"), true);
                self.needs(tx, line, Some(holder)).await
            }
        }
    }

    /// The registered draft with the row's values; the other members and the consent stay.
    async fn update(
        &mut self,
        tx: &mut Tx,
        line: &HouseholdLine,
        holder: &HouseholdRow,
        status: HouseholdStatus,
    ) -> Result<Option<HouseholdRow>> {
        let Some(caller) = self.caller.filter(|_| self.write) else {
            return Ok(None);
        };
        let before = unseal(self.cipher, holder)?;
        let merged = merge(&before, &line.input);
        let profile = match merged.parse(crate::today()) {
            Ok(profile) => profile,
            Err(found) => {
                for e in found {
                    self.refuse(line.row, e, false);
                }
                return Ok(None);
            }
        };
        let base = RowBase {
            status,
            entered_by: caller.user.id,
            reviewed_by: holder.reviewed_by,
            reviewed_at: holder.reviewed_at,
            return_reason: holder.return_reason.clone(),
            retention_years: self.retention_years,
            version: holder.version + 1,
            created_at: holder.created_at,
        };
        let (row, members) = rows(self.cipher, holder.id, &profile, base);
        if !households::update(tx, &row, holder.version, Some(&members)).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "household.stale_edit",
            )));
        }
        self.audit_household(tx, caller, "household_updated", holder.id, line.row)
            .await?;
        Ok(Some(row))
    }

    /// The needs of a row, for the household it created, updated or found.
    async fn needs(
        &mut self,
        tx: &mut Tx,
        line: &HouseholdLine,
        household: Option<HouseholdRow>,
    ) -> Result<()> {
        let (Some(campaign), Some(household), Some(caller)) =
            (self.campaign, household, self.caller)
        else {
            return Ok(());
        };
        if !self.write {
            return Ok(());
        }
        for (item, quantity) in &line.needs {
            let (outcome, pending) = take(
                tx,
                caller,
                self.batch,
                &household,
                campaign,
                (item, *quantity),
                line.row,
            )
            .await?;
            match outcome {
                NeedOutcome::Recorded => self.report.needs_recorded += 1,
                NeedOutcome::Pending => self.report.needs_pending += 1,
                NeedOutcome::AlreadyThere => {}
            }
            self.pending.extend(pending);
        }
        Ok(())
    }

    /// Counts, the batch and its report; commits unless only checking or all-or-nothing failed.
    async fn finish(
        mut self,
        mut tx: Tx,
        request: &ImportRequest,
        table: &Table,
    ) -> Result<ImportReport> {
        let refused: std::collections::BTreeSet<u32> = self
            .problems
            .iter()
            .filter(|p| !p.duplicate)
            .map(|p| p.row)
            .collect();
        self.report.accepted_rows.retain(|r| !refused.contains(r));
        self.report.accepted = self.report.accepted_rows.len() as u32;
        let duplicate_rows: std::collections::BTreeSet<u32> = self
            .problems
            .iter()
            .filter(|p| p.duplicate && !refused.contains(&p.row))
            .map(|p| p.row)
            .collect();
        self.report.duplicates = duplicate_rows.len() as u32;
        self.report.rejected = refused.len() as u32;
        self.report.rows_read = table.rows.len() as u32;
        self.problems.sort_by_key(|p| p.row);
        let failed = request.mode == ImportMode::AllOrNothing && !refused.is_empty();
        self.report.committed = self.write && !failed;
        if !self.report.committed && !request.dry_run {
            // Nothing was written: say so in the counts too.
            self.report.accepted = 0;
            self.report.accepted_rows.clear();
            self.report.created = 0;
            self.report.updated = 0;
            self.report.needs_recorded = 0;
            self.report.needs_pending = 0;
        }
        self.report.problems = self.problems.iter().map(ReportedProblem::from).collect();
        self.report.error_rows = ErrorRows::collect(table, &self.problems);
        let Some(caller) = self.caller else {
            return Ok(self.report);
        };
        if !self.report.committed {
            // Roll back whatever was written, then keep the batch alone.
            drop(tx);
            tx = self.store.write().await?;
        }
        self.report.id = Some(self.batch);
        self.store_batch(&mut tx, caller, request).await?;
        tx.commit().await?;
        Ok(self.report)
    }
}

impl Run<'_> {
    async fn store_batch(
        &mut self,
        tx: &mut Tx,
        caller: &Caller,
        request: &ImportRequest,
    ) -> Result<()> {
        let r = &self.report;
        let batch = ImportBatch {
            id: self.batch,
            kind: "households".into(),
            file_name: request.file_name.chars().take(200).collect(),
            file_sha256: hex::encode(Sha256::digest(&request.bytes)),
            mode: request.mode.as_str().into(),
            existing: request.existing.as_str().into(),
            dry_run: request.dry_run,
            committed: r.committed,
            campaign_id: self.campaign.map(|c| c.id),
            rows_read: i64::from(r.rows_read),
            accepted: i64::from(r.accepted),
            rejected: i64::from(r.rejected),
            duplicates: i64::from(r.duplicates),
            report: seal_report(self.cipher, self.batch, r),
            area_code: caller
                .user
                .area_code
                .as_ref()
                .map(|a| a.as_str().to_owned()),
            imported_by: caller.user.id,
            imported_at: hearth_store::now(),
        };
        imports::insert(tx, &batch).await?;
        super::purge::note_subjects(tx, self.cipher, self.batch, r).await?;
        if r.committed {
            for pending in &self.pending {
                imports::insert_pending(tx, pending).await?;
            }
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
        audit_event(tx, caller, "households_imported", self.batch, detail).await
    }
}

/// The stored form with the row's values: the head's name, address, village, categories, and
/// phone, causes and note where the row gives them. Other members and the consent are kept.
fn merge(before: &HouseholdInput, row: &HouseholdInput) -> HouseholdInput {
    let mut merged = before.clone();
    if let (Some(head), Some(new)) = (merged.members.first_mut(), row.members.first()) {
        head.name = new.name.clone();
    }
    merged.address = row.address.clone();
    merged.village = row.village.clone();
    merged.categories = row.categories.clone();
    merged.main_category = row.main_category.clone();
    if !row.phone.trim().is_empty() {
        merged.phone = row.phone.clone();
    }
    if !row.causes.is_empty() {
        merged.causes = row.causes.clone();
    }
    if !row.note.trim().is_empty() {
        merged.note = row.note.clone();
    }
    merged
}
