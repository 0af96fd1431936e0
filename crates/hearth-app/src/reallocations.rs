//! Reallocation (变更用途) of a designated cash donation: money the donor gave for a town, a
//! pledge or a household moved to another designation because the donor agreed. It is booked
//! as the ledger's two `reallocation` entries (out of the old designation, into the new) in the
//! transaction that records the consent: who agreed, how and on which day.
//!
//! Only the county moves money (the bureau's account); at most what the donation gave, less
//! what was moved from it before, and at most what its designation still holds — the ledger
//! refuses more, naming the amount available.

use crate::cash_aid::named_donation;
use crate::donations::{Names, county_of, is_officer, open_campaign, resolve_designation};
use crate::ledger::Draft;
use crate::stock::audited;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::donation::reallocation::ReallocationInput;
use hearth_core::ledger::{Designation, DonorConsent, Header, Reallocation};
use hearth_core::permission::Permission;
use hearth_core::{Fen, Invalid};
use hearth_store::Tx;
use hearth_store::reallocations::{self, ReallocationRow};
use serde::Serialize;
use uuid::Uuid;

use crate::donations::DesignationView;

/// One reallocation as the donation page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReallocationView {
    pub id: Uuid,
    /// 变更单号, e.g. `BG-NDXD-DEMO-0001`.
    pub number: String,
    pub donation_id: Option<Uuid>,
    pub from: DesignationView,
    pub to: DesignationView,
    pub amount: Fen,
    pub consent_who: String,
    pub consent_how: String,
    pub consent_on: NaiveDate,
    pub note: String,
    /// The first of the two ledger entries.
    pub first_seq: i64,
    pub created_at: DateTime<Utc>,
}

pub(crate) async fn views(
    tx: &mut Tx,
    caller: &Caller,
    rows: &[ReallocationRow],
) -> Result<Vec<ReallocationView>> {
    let names = Names::load(tx).await?;
    let officer = is_officer(caller);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(ReallocationView {
            id: r.id,
            number: r.number.clone(),
            donation_id: r.donation_id,
            from: names.designation(tx, &r.from, officer).await?,
            to: names.designation(tx, &r.to, officer).await?,
            amount: r.amount,
            consent_who: r.consent.who.clone(),
            consent_how: r.consent.how.clone(),
            consent_on: r.consent.on,
            note: r.note.clone(),
            first_seq: r.first_seq,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// The core's refusals on the form's fields.
fn on_form(errors: Vec<Invalid>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|mut e| {
                e.0.field = match e.field() {
                    "consent.who" => "consent_who".to_owned(),
                    "consent.how" => "consent_how".to_owned(),
                    "consent.on" => "consent_on".to_owned(),
                    other => other.to_owned(),
                };
                e
            })
            .collect(),
    )
}

impl App {
    /// 变更用途: moves part or all of a designated cash donation's money to another designation
    /// with the donor's recorded consent; see the module notes.
    pub async fn reallocate(
        &self,
        caller: &Caller,
        input: &ReallocationInput,
    ) -> Result<ReallocationView> {
        caller.require(Permission::RecordPurchases)?;
        let request = input.parse(today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        hearth_store::ledger::lock_head(&mut tx).await?;
        let county = county_of(caller)?;
        let donation = match Uuid::parse_str(&request.donation) {
            Ok(id) => hearth_store::donations::get(&mut tx, id).await?,
            Err(_) => {
                hearth_store::donations::by_number(&mut tx, &request.donation.to_ascii_uppercase())
                    .await?
            }
        }
        .ok_or_else(|| {
            Invalid::new("donation", "cash_aid.donation_unknown").arg("value", &request.donation)
        })?;
        let campaign =
            open_campaign(&mut tx, caller, &donation.row.campaign_id.to_string()).await?;
        let donation =
            named_donation(&mut tx, "donation", campaign.id, &donation.row.number).await?;
        if donation.row.designation == Designation::Campaign {
            return Err(Invalid::new("donation", "reallocation.not_designated")
                .arg("number", &donation.row.number)
                .into());
        }
        let to = resolve_designation(&mut tx, caller, &county, &campaign, &request.to)
            .await
            .map_err(|e| match e {
                AppError::Invalid(errors) => AppError::Invalid(
                    errors
                        .into_iter()
                        .map(|mut e| {
                            e.0.field = "to_target".to_owned();
                            e
                        })
                        .collect(),
                ),
                other => other,
            })?;
        let consent = DonorConsent {
            who: request.consent_who,
            on: request.consent_on,
            how: request.consent_how,
        };
        let from = donation.row.designation.clone();
        let moved = Reallocation::new(from.clone(), to, request.amount, consent, today())
            .map_err(on_form)?;
        let earlier: Fen = reallocations::list(&mut tx, Some(campaign.id), None)
            .await?
            .iter()
            .filter(|r| r.donation_id == Some(donation.row.id))
            .map(|r| r.amount)
            .sum();
        let left = donation.row.amount - earlier;
        if moved.amount > left {
            return Err(Invalid::new("amount", "reallocation.exceeds_donation")
                .arg("available", left.yuan_string())
                .into());
        }
        let id = Uuid::now_v7();
        let number =
            reallocations::next_number(&mut tx, campaign.id, &campaign.profile.code).await?;
        let header = Header {
            organization: donation.row.organization_id,
            source: Some(id),
            summary: number.clone(),
            ..Header::new(today(), campaign.id)
        };
        let drafts = moved
            .entries(&header)
            .into_iter()
            .map(|mut entry| {
                // Each side names what its designation funds, so the books group it there.
                entry.header.town = match &entry.header.designation {
                    Designation::Town(town) => Some(town.clone()),
                    _ => None,
                };
                entry.header.pledge = match &entry.header.designation {
                    Designation::Pledge(p) => Some(*p),
                    _ => None,
                };
                Draft::Entry(entry)
            })
            .collect();
        let posted = self.post_to_ledger(&mut tx, drafts).await?;
        let row = ReallocationRow {
            id,
            number,
            campaign_id: campaign.id,
            donation_id: Some(donation.row.id),
            from,
            to: moved.to.clone(),
            amount: moved.amount,
            consent: moved.consent.clone(),
            note: request.note,
            first_seq: posted.first().map(|r| r.seq()).unwrap_or_default(),
            recorded_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        reallocations::insert(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "number": row.number, "donation": donation.row.number,
            "from": row.from.to_string(), "to": row.to.to_string(),
            "amount": row.amount.yuan_string(), "consent_who": row.consent.who,
            "consent_how": row.consent.how, "consent_on": row.consent.on.to_string(),
        });
        let event = ("reallocation_recorded", "reallocation");
        audited(&mut tx, caller, event, row.id, detail, row.note.clone()).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }
}
