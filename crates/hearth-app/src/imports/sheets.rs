//! One entry for every kind of sheet — `hearth import <kind>`, the upload form's kind choice and
//! `POST /api/v1/imports/{kind}` — and the template of each kind.

use super::catalogue::{ItemWriter, OrganizationWriter};
use super::people::{DonationWriter, UserWriter};
use super::records::ImportKind;
use super::{ImportReport, ImportRequest, Importer, Progress};
use crate::{App, AppError, Caller, Result};
use hearth_core::uscc::Uscc;
use hearth_core::{Invalid, Lang};
use hearth_office::import::donations::{self, DonationContext, Donations, KnownOrg};
use hearth_office::import::items::{self, Items};
use hearth_office::import::organizations::{self, OrgContext, Organizations};
use hearth_office::import::records::Sheet;
use hearth_office::import::users::{self, UserContext, Users};
use hearth_office::import::{Places, Table, read_table};
use hearth_store::{Tx, areas, organizations as registry};

fn read(request: &ImportRequest, specs: &[hearth_office::import::ColumnSpec]) -> Result<Table> {
    let refused = |e: hearth_office::import::ReadError| AppError::Invalid(vec![e.invalid()]);
    let bytes = request.file.whole().map_err(refused)?;
    read_table(&bytes, &request.file_name, specs).map_err(refused)
}

fn office(e: hearth_office::OfficeError) -> AppError {
    AppError::Store(hearth_store::StoreError::Corrupt(format!("template: {e}")))
}

impl App {
    /// Imports a sheet of any kind. A refused file (unreadable, no header, a required column
    /// missing) is an error; refused rows are in the report.
    pub async fn import_sheet(
        &self,
        kind: ImportKind,
        importer: Importer<'_>,
        request: &ImportRequest,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        if kind == ImportKind::Households {
            return self.import_households(importer, request, progress).await;
        }
        let caller = importer.caller();
        match caller {
            Some(caller) => caller.require(kind.permission())?,
            None if request.dry_run => {}
            None => return Err(AppError::Forbidden),
        }
        match kind {
            ImportKind::Organizations => {
                let table = read(request, &organizations::COLUMNS)?;
                let all = areas::all(&mut self.store().read().await?).await?;
                let ctx = OrgContext {
                    places: Places::new(&all),
                };
                let sheet = Sheet::read::<Organizations>(&table, &ctx);
                self.run_records(
                    caller,
                    request,
                    progress,
                    &table,
                    sheet,
                    &OrganizationWriter { caller },
                )
                .await
            }
            ImportKind::Items => {
                let table = read(request, &items::COLUMNS)?;
                let sheet = Sheet::read::<Items>(&table, &());
                self.run_records(caller, request, progress, &table, sheet, &ItemWriter)
                    .await
            }
            ImportKind::Users => {
                let table = read(request, &users::COLUMNS)?;
                let all = areas::all(&mut self.store().read().await?).await?;
                let ctx = UserContext {
                    places: Places::new(&all),
                };
                let sheet = Sheet::read::<Users>(&table, &ctx);
                self.run_records(caller, request, progress, &table, sheet, &UserWriter)
                    .await
            }
            ImportKind::Donations => self.import_donations(caller, request, progress).await,
            ImportKind::Households => unreachable!("households are imported above"),
        }
    }

    async fn import_donations(
        &self,
        caller: Option<&Caller>,
        request: &ImportRequest,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let code = request
            .campaign
            .as_deref()
            .ok_or_else(|| Invalid::new("campaign", "import_kinds.campaign_required"))?;
        let table = read(request, &donations::COLUMNS)?;
        let mut tx = self.store().read().await?;
        let campaign = crate::needs::find_campaign(&mut tx, code)
            .await?
            .ok_or_else(|| {
                Invalid::new("campaign", "import.campaign_unknown").arg("value", code)
            })?;
        let known = registered(&mut tx, &table).await?;
        let catalogue = hearth_store::items::list(&mut tx, false).await?;
        drop(tx);
        let ctx = DonationContext {
            campaign: campaign.profile.code.clone(),
            organizations: &known,
            items: &catalogue,
            today: crate::today(),
        };
        let sheet = Sheet::read::<Donations>(&table, &ctx);
        self.run_records(caller, request, progress, &table, sheet, &DonationWriter)
            .await
    }

    /// The import template of a kind, with the dropdowns of the caller's area (the whole
    /// county at the console).
    pub async fn import_template(
        &self,
        kind: ImportKind,
        caller: Option<&Caller>,
        lang: Lang,
    ) -> Result<Vec<u8>> {
        if kind == ImportKind::Households {
            return self.household_template(caller, lang).await;
        }
        if let Some(caller) = caller {
            caller.require(kind.permission())?;
        }
        let mut tx = self.store().read().await?;
        let all = areas::all(&mut tx).await?;
        let catalogue = hearth_store::items::list(&mut tx, false).await?;
        use hearth_office::template;
        match kind {
            ImportKind::Organizations => template::organizations(lang, &all),
            ImportKind::Items => template::items(lang),
            ImportKind::Users => template::users(lang, &all),
            ImportKind::Donations => template::donations(lang, &catalogue),
            ImportKind::Households => unreachable!("households are written above"),
        }
        .map_err(office)
    }
}

/// The registry's organizations the sheet names by credit code.
async fn registered(tx: &mut Tx, table: &Table) -> Result<Vec<KnownOrg>> {
    let mut known: Vec<KnownOrg> = Vec::new();
    for row in &table.rows {
        let Ok(uscc) = Uscc::parse(table.text(row, "uscc")) else {
            continue;
        };
        if known.iter().any(|k| k.uscc == uscc.as_str()) {
            continue;
        }
        if let Some(org) = registry::find_by_uscc(tx, &uscc).await? {
            known.push(KnownOrg {
                uscc: uscc.as_str().to_owned(),
                id: org.id,
            });
        }
    }
    Ok(known)
}
