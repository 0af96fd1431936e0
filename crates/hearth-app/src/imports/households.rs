//! `import households`: the household sheet, checked row by row and registered as drafts in one
//! transaction.
//!
//! The file is read twice, a part at a time, so memory does not grow with it: first every row
//! is checked and compared with the registry for likely matches (before anything is written, so
//! an all-or-nothing import with a refused row writes nothing at all), then the rows that passed
//! are written, each part's new households in a few multi-row statements. The audit log gets one
//! entry for the whole import naming its counts; an update of a registered draft (rare, and
//! written one at a time anyway) keeps its own entry.

use super::batch::{audit_event, seal_report};
use super::drafts::{DraftMaker, Prepared, prepare};
use super::needs::{NeedOutcome, take};
use super::{
    Existing, ImportMode, ImportReport, ImportRequest, Importer, Progress, ReportedProblem,
};
use crate::households::{RowBase, rows, unseal};
use crate::{App, AppError, Caller, Result};
use hearth_core::household::{HouseholdInput, HouseholdStatus, mask};
use hearth_core::permission::Permission;
use hearth_core::{Invalid, Lang};
use hearth_office::import::households::{
    COLUMNS, HouseholdContext, HouseholdLine, HouseholdSheet, SeenHeads,
};
use hearth_office::import::{ErrorRows, Places, RowProblem, TableRows};
use hearth_store::campaigns::Campaign;
use hearth_store::crypto::FieldCipher;
use hearth_store::households::{self, HouseholdRow, MemberRow};
use hearth_store::imports::{self, ImportBatch, PendingNeed};
use hearth_store::{Tx, areas, items};
use std::collections::HashMap;
use uuid::Uuid;

/// The state of one import while its rows are written.
struct Run<'a> {
    store: &'a hearth_store::Store,
    caller: Option<&'a Caller>,
    cipher: &'a FieldCipher,
    campaign: Option<&'a Campaign>,
    existing: Existing,
    write: bool,
    batch: Uuid,
    retention_years: u32,
    report: ImportReport,
    /// The ID number's column as the file names it.
    id_column: String,
    problems: Vec<RowProblem>,
    error_rows: ErrorRows,
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
        let mut rows =
            TableRows::open(&request.file, &request.file_name, &COLUMNS).map_err(file_refused)?;
        let mut tx = self.store().write_bulk().await?;
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
        let checked = check(&mut tx, cipher, &mut rows, &ctx).await?;
        let mut run = Run {
            store: self.store(),
            caller,
            cipher,
            campaign: campaign.as_ref(),
            existing: request.existing,
            write: caller.is_some()
                && !request.dry_run
                && !(request.mode == ImportMode::AllOrNothing && checked.refused),
            batch: Uuid::now_v7(),
            retention_years: self.policy().retention_years,
            report: ImportReport {
                rows_read: checked.rows_read,
                likely_matches: checked.likely_matches,
                ..ImportReport::default()
            },
            id_column: rows.table().header_of("id_number"),
            problems: checked.problems,
            error_rows: checked.error_rows,
            pending: Vec::new(),
        };
        let mut rows = rows.rewind().map_err(file_refused)?;
        let maker = DraftMaker {
            cipher,
            entered_by: caller.filter(|_| run.write).map(|c| c.user.id),
            retention_years: run.retention_years,
        };
        let (mut seen, mut done) = (SeenHeads::default(), 0);
        let mut next = prepare(&mut rows, &ctx, &mut seen, &maker).await?;
        while !next.part.is_empty() {
            let (part, written) = (next.part.len() as u32, next);
            // This part is written while the next one is read, checked and sealed.
            let (wrote, prepared) = tokio::join!(
                run.part(&mut tx, written),
                prepare(&mut rows, &ctx, &mut seen, &maker)
            );
            wrote?;
            next = prepared?;
            done += part;
            progress(done, checked.rows_read);
        }
        run.finish(tx, request).await
    }
}

/// Rows checked together, and compared with the registry in one go.
const PART: usize = 10_000;

pub(super) fn file_refused(e: hearth_office::import::ReadError) -> AppError {
    AppError::Invalid(vec![e.invalid()])
}

/// What the first reading of a file found.
struct Checked {
    rows_read: u32,
    /// A row was refused (not only repeated).
    refused: bool,
    problems: Vec<RowProblem>,
    error_rows: ErrorRows,
    likely_matches: Vec<crate::identity::LikelyMatch>,
}

/// Checks every row, a part at a time, and finds rows likely matching a registered household.
async fn check(
    tx: &mut Tx,
    cipher: &FieldCipher,
    rows: &mut TableRows<'_>,
    ctx: &HouseholdContext<'_>,
) -> Result<Checked> {
    let mut checked = Checked {
        rows_read: 0,
        refused: false,
        problems: Vec::new(),
        error_rows: ErrorRows::headed(rows.table()),
        likely_matches: Vec::new(),
    };
    let mut seen = SeenHeads::default();
    crate::identity::sync_keys(tx, cipher).await?;
    loop {
        let part = rows.next_rows(PART).map_err(file_refused)?;
        if part.is_empty() {
            return Ok(checked);
        }
        checked.rows_read += part.len() as u32;
        let sheet = HouseholdSheet::read_rows(rows.table(), &part, ctx, &mut seen);
        let incoming: Vec<_> = sheet.lines.iter().map(|l| (l.row, &l.profile)).collect();
        let county = ctx
            .scope
            .as_ref()
            .map(|a| crate::identity::county_of(a.as_str()));
        let found = crate::identity::likely_matches(tx, cipher, county, &incoming).await?;
        checked.likely_matches.extend(found);
        checked.refused |= sheet.problems.iter().any(|p| !p.duplicate);
        checked.error_rows.add(&part, &sheet.problems);
        checked.problems.extend(sheet.problems);
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
    fn refuse(&mut self, row: u32, problem: Invalid, duplicate: bool) {
        let column = self.id_column.clone();
        self.problems.push(RowProblem {
            row,
            column,
            problem,
            duplicate,
        });
    }

    /// One part's rows that passed: registered heads looked up in one statement, the new
    /// households written in a few; rows refused here (a registered head) go to the error file.
    async fn part(&mut self, tx: &mut Tx, prepared: Prepared) -> Result<()> {
        let Prepared {
            part,
            lines,
            indexes,
            drafts,
        } = prepared;
        let said = self.problems.len();
        let mut registered: HashMap<String, MemberRow> = HashMap::new();
        for member in imports::members_with_indexes(tx, &indexes).await? {
            registered.entry(member.id_index.clone()).or_insert(member);
        }
        let (mut new, mut households, mut keys) = (Vec::new(), Vec::new(), Vec::new());
        for ((line, index), draft) in lines.iter().zip(&indexes).zip(drafts) {
            match registered.remove(index) {
                Some(member) => self.existing(tx, line, member).await?,
                None => {
                    new.push(line);
                    if let Some(draft) = draft {
                        households.push(draft.rows);
                        keys.push(draft.keys);
                    }
                }
            }
        }
        imports::insert_households(tx, &households).await?;
        hearth_store::identity::insert_keys_of(tx, &keys).await?;
        for (n, line) in new.iter().enumerate() {
            self.accept(line.row);
            self.report.created += 1;
            self.needs(tx, line, households.get(n).map(|(row, _)| row))
                .await?;
        }
        self.error_rows.add(&part, &self.problems[said..]);
        Ok(())
    }

    fn accept(&mut self, row: u32) {
        self.report.accepted += 1;
        self.report.accepted_rows.push(row);
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
                self.needs(tx, line, Some(updated.as_ref().unwrap_or(&holder)))
                    .await
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
                self.needs(tx, line, Some(&holder)).await
            }
            (Existing::Skip, _) => {
                self.report.duplicates += 1;
                self.refuse(line.row, said("import.already_registered"), true);
                self.needs(tx, line, Some(&holder)).await
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
        crate::identity::refresh_keys(tx, self.cipher, [&row]).await?;
        self.audit_household(tx, caller, "household_updated", holder.id, line.row)
            .await?;
        Ok(Some(row))
    }

    /// The needs of a row, for the household it created, updated or found.
    async fn needs(
        &mut self,
        tx: &mut Tx,
        line: &HouseholdLine,
        household: Option<&HouseholdRow>,
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
                household,
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
    async fn finish(mut self, mut tx: Tx, request: &ImportRequest) -> Result<ImportReport> {
        let refused: std::collections::BTreeSet<u32> = self
            .problems
            .iter()
            .filter(|p| !p.duplicate)
            .map(|p| p.row)
            .collect();
        self.report.accepted_rows.retain(|r| !refused.contains(r));
        self.report.accepted_rows.sort_unstable();
        self.report.accepted = self.report.accepted_rows.len() as u32;
        let duplicate_rows: std::collections::BTreeSet<u32> = self
            .problems
            .iter()
            .filter(|p| p.duplicate && !refused.contains(&p.row))
            .map(|p| p.row)
            .collect();
        self.report.duplicates = duplicate_rows.len() as u32;
        self.report.rejected = refused.len() as u32;
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
        self.error_rows.rows.sort_by_key(|r| r.row);
        self.report.error_rows = std::mem::take(&mut self.error_rows);
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
            file_sha256: request.file_sha256()?,
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
            "created": r.created,
            "updated": r.updated,
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
