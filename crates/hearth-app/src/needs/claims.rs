//! The claim sheet (认领表) of an organization and claiming (认领).
//!
//! An organization sees a need only when all of these hold: the town approved it (待认领, or it
//! is the organization's own claim), the household is approved, consented to sharing with
//! organizations and is not anonymised, the village lies in the organization's service areas,
//! the campaign is launched and the organization is enrolled in it, and the organization is
//! active. Rows are masked: village, surname and `*`, category, what is asked for, urgency —
//! never an ID number, a phone, an address or the village's free-text note.
//!
//! Voluntary giving (慈善法): organizations choose what to claim; nothing here assigns needs.

use super::{Names, common_filter, find_campaign, given, record};
use crate::{App, AppError, Caller, Result};
use chrono::{DateTime, Utc};
use hearth_core::area::AreaCode;
use hearth_core::household::mask;
use hearth_core::need::{self, NeedAction, NeedKind, NeedStatus, ServiceKind, Urgency};
use hearth_core::organization::{OrgStatus, Organization};
use hearth_core::permission::Permission;
use hearth_core::{Fen, Invalid};
use hearth_store::needs::{self, Claim, NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::{Tx, campaigns, organizations};
use serde::Serialize;
use uuid::Uuid;

/// One line of the claim sheet, masked for organizations.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub id: Uuid,
    /// 需求编号.
    pub number: String,
    pub campaign_name: String,
    pub town_name: String,
    pub village_name: String,
    /// The head's surname and `*`.
    pub head: String,
    /// The household's main category code.
    pub main_category: String,
    pub kind: NeedKind,
    pub item_code: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    pub quantity: u32,
    pub cash: Fen,
    pub service: Option<ServiceKind>,
    pub reference_value: Fen,
    pub urgency: Urgency,
    pub status: NeedStatus,
    /// Claimed by the caller's organization (so it may release it).
    pub claimed_by_us: bool,
    pub claimed_at: Option<DateTime<Utc>>,
}

/// The sheet: a page of rows, how many match, and whether the organization takes part in a
/// launched campaign at all (so an empty sheet can say why).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimSheet {
    pub rows: Vec<ClaimRow>,
    pub total: i64,
    pub participating: bool,
}

/// What the sheet is filtered by.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SheetQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town (or village) code.
    pub town: Option<String>,
    /// A household category code.
    pub category: Option<String>,
    pub kind: Option<String>,
    pub item: Option<String>,
    pub urgency: Option<String>,
    /// The needs the organization has claimed, instead of the open ones.
    pub mine: bool,
}

fn claim_row(org: Uuid, row: &NeedRow, names: &Names) -> ClaimRow {
    let household = names.household(row.household_id);
    let line = names.line(&row.line);
    ClaimRow {
        id: row.id,
        number: row.number.clone(),
        campaign_name: names.campaign(row.campaign_id).1,
        town_name: names.area(&row.town),
        village_name: names.area(&row.village),
        head: household
            .map(|h| mask::mask_name(&h.head_name))
            .unwrap_or_default(),
        main_category: household
            .map(|h| h.main_category.clone())
            .unwrap_or_default(),
        kind: row.line.kind(),
        item_code: line.item_code,
        item_name: line.item_name,
        item_unit: line.item_unit,
        quantity: line.quantity,
        cash: line.cash,
        service: line.service,
        reference_value: line.reference_value,
        urgency: row.urgency,
        status: row.status,
        claimed_by_us: row.claimed_by == Some(org),
        claimed_at: row.claimed_at.filter(|_| row.claimed_by == Some(org)),
    }
}

/// The caller's organization, if they act for an active one.
pub(crate) async fn own_organization(tx: &mut Tx, caller: &Caller) -> Result<Option<Organization>> {
    caller.require(Permission::ClaimNeeds)?;
    let id = caller.user.organization_id.ok_or(AppError::Forbidden)?;
    Ok(organizations::get(tx, id)
        .await?
        .filter(|o| o.status == OrgStatus::Active))
}

/// Everything the organization may see, in any status.
pub(crate) fn shared_with(org: Option<&Organization>) -> NeedFilter {
    match org {
        Some(org) => NeedFilter {
            shared_with: Some(org.id),
            within_any: Some(org.profile.service_areas.clone()),
            ..NeedFilter::default()
        },
        None => NeedFilter {
            nothing: true,
            ..NeedFilter::default()
        },
    }
}

impl App {
    /// The claim sheet of the caller's organization: open needs it may see (or, with `mine`, the
    /// ones it has claimed), most urgent and oldest first, masked.
    pub async fn claim_sheet(
        &self,
        caller: &Caller,
        query: &SheetQuery,
        page: PageRequest,
    ) -> Result<ClaimSheet> {
        let mut tx = self.store().read().await?;
        let org = own_organization(&mut tx, caller).await?;
        let participating = match &org {
            Some(org) => campaigns::is_active_participant(&mut tx, org.id).await?,
            None => false,
        };
        let mut filter = shared_with(org.as_ref());
        let org_id = org.as_ref().map(|o| o.id).unwrap_or_default();
        if query.mine {
            filter.claimed_by = Some(org_id);
            filter.statuses = Some(vec![NeedStatus::Claimed, NeedStatus::Fulfilled]);
        } else {
            filter.statuses = Some(vec![NeedStatus::Open]);
        }
        if let Some(town) = given(&query.town) {
            filter.within = Some(AreaCode::parse(town).map_err(|e| e.within("town"))?);
        }
        if let Some(campaign) = given(&query.campaign) {
            match find_campaign(&mut tx, campaign).await? {
                Some(c) => filter.campaign = Some(c.id),
                None => filter.nothing = true,
            }
        }
        common_filter(
            &mut filter,
            &query.kind,
            &query.item,
            &query.urgency,
            &query.category,
        )?;
        let (rows, total) = needs::search(&mut tx, &filter, page).await?;
        let names = Names::load(&mut tx, &rows).await?;
        Ok(ClaimSheet {
            rows: rows
                .iter()
                .map(|row| claim_row(org_id, row, &names))
                .collect(),
            total,
            participating,
        })
    }

    /// 认领: the caller's organization takes the need, if it is still open and the organization
    /// may see it. Exactly one of several organizations claiming at the same moment succeeds;
    /// the others are told it is already claimed, without learning by whom.
    pub async fn claim_need(&self, caller: &Caller, id: Uuid) -> Result<ClaimRow> {
        let mut tx = self.store().write().await?;
        let org = own_organization(&mut tx, caller).await?;
        let visible = shared_with(org.as_ref());
        let Some(org) = org else {
            return Err(AppError::NotFound);
        };
        let claim = Claim {
            organization: org.id,
            user: caller.user.id,
            at: hearth_store::now(),
        };
        if !needs::claim(&mut tx, id, claim, &visible).await? {
            // Why not: gone from the sheet (not found), someone else was faster, or not open.
            let seen = NeedFilter {
                ids: Some(vec![id]),
                ..visible
            };
            let (found, _) = needs::search(&mut tx, &seen, PageRequest::new(None, None)).await?;
            let row = found.into_iter().next().ok_or(AppError::NotFound)?;
            return Err(match row.status {
                NeedStatus::Claimed | NeedStatus::Fulfilled if row.claimed_by == Some(org.id) => {
                    AppError::Conflict(Invalid::new("status", "need.already_yours"))
                }
                NeedStatus::Claimed | NeedStatus::Fulfilled => {
                    AppError::Conflict(Invalid::new("status", "need.already_claimed"))
                }
                status => need::next(status, NeedAction::Claim)
                    .err()
                    .map(AppError::from)
                    .unwrap_or(AppError::NotFound),
            });
        }
        let row = needs::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        record(
            &mut tx,
            caller,
            "need_claimed",
            id,
            serde_json::json!({"number": row.number, "organization": org.id.to_string()}),
            String::new(),
        )
        .await?;
        let names = Names::load(&mut tx, std::slice::from_ref(&row)).await?;
        let out = claim_row(org.id, &row, &names);
        tx.commit().await?;
        Ok(out)
    }

    /// 取消认领: the need goes back on the sheet. By the organization holding it (a reason is
    /// optional) or by the county (a reason is required, since it overrides the organization).
    pub async fn release_claim(&self, caller: &Caller, id: Uuid, reason: &str) -> Result<()> {
        let now = hearth_store::now();
        let mut tx = self.store().write().await?;
        let (row, reason) = if caller.can(Permission::ClaimNeeds) {
            let org = own_organization(&mut tx, caller).await?;
            let visible = shared_with(org.as_ref());
            let org = org.ok_or(AppError::NotFound)?;
            let reason = if reason.trim().is_empty() {
                String::new()
            } else {
                need::reason(reason)?
            };
            let seen = NeedFilter {
                ids: Some(vec![id]),
                ..visible
            };
            let (found, _) = needs::search(&mut tx, &seen, PageRequest::new(None, None)).await?;
            let row = found.into_iter().next().ok_or(AppError::NotFound)?;
            if row.claimed_by != Some(org.id) {
                return Err(Invalid::new("status", "need.not_holder").into());
            }
            need::next(row.status, NeedAction::Release)?;
            if !needs::release(&mut tx, id, Some(org.id), now).await? {
                return Err(AppError::Conflict(Invalid::new(
                    "version",
                    "need.stale_edit",
                )));
            }
            (row, reason)
        } else if caller.can(Permission::ManageCampaigns) {
            let reason = need::reason(reason)?;
            let row = super::visible(&mut tx, caller, id).await?;
            need::next(row.status, NeedAction::Release)?;
            if !needs::release(&mut tx, id, None, now).await? {
                return Err(AppError::Conflict(Invalid::new(
                    "version",
                    "need.stale_edit",
                )));
            }
            (row, reason)
        } else {
            return Err(AppError::Forbidden);
        };
        record(
            &mut tx,
            caller,
            "need_released",
            id,
            serde_json::json!({
                "number": row.number,
                "organization": row.claimed_by.map(|o| o.to_string()),
            }),
            reason,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
