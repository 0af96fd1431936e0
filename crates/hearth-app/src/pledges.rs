//! Pairing pledges (结对帮扶承诺书): an organization turns the needs it claimed into a letter —
//! households, lines of cash, items and services, mode, deadline, witnesses — signs it, and the
//! county or the organization may cancel it with a reason. The status is never set by hand: it
//! is derived from the signature, the cancellation, the lines done and the deadline
//! (`hearth_core::pledge::derive_status`).
//!
//! Who sees what: the county and auditors see every pledge, towns and villages those naming a
//! household in their area, an organization its own. An organization pledges only for
//! households it may see on its claim sheet: approved, consented to sharing, not anonymised, in
//! its service areas, in a launched campaign it is enrolled in. A need answers at most one
//! pledge that is not cancelled; cancelling a pledge leaves the claim with the organization.

use crate::needs::{find_campaign, own_organization, shared_with};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::household::{HouseholdStatus, mask};
use hearth_core::need::{self, NeedLine, NeedStatus};
use hearth_core::organization::Organization;
use hearth_core::permission::Permission;
use hearth_core::pledge::{
    Delivery, LineInput, PledgeAction, PledgeInput, PledgeLine, PledgeMode, PledgeStatus, Totals,
    check,
};
use hearth_core::role::Role;
use hearth_core::{Fen, Invalid};
use hearth_store::campaigns::Campaign;
use hearth_store::needs::{self, NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::{
    self, Pledge, PledgeFilter, PledgeHousehold, PledgeLineRow, PledgeRow,
};
use hearth_store::{Tx, areas, campaigns, households, items, organizations};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What an organization drafts: the claimed needs to turn into lines, and the rest of the
/// letter. Households left empty are those of the needs; `pledge.lines` are extra lines.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PledgeDraft {
    /// Ids of needs the organization claimed; each becomes a line.
    pub needs: Vec<String>,
    #[serde(flatten)]
    pub pledge: PledgeInput,
}

#[derive(Debug, Clone, Serialize)]
pub struct PledgeHouseholdView {
    pub id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// In full for county, town and village officers; surname and `*` otherwise.
    pub head_name: String,
    pub main_category: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PledgeLineView {
    pub id: Uuid,
    pub need_id: Option<Uuid>,
    pub need_number: Option<String>,
    /// The household of the need the line answers (lines without a need serve the letter's
    /// households as a whole).
    pub household_id: Option<Uuid>,
    pub line: PledgeLine,
    /// Cash amount or item value (quantity × unit value); zero for services.
    pub value: Fen,
    pub done: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PledgeView {
    pub id: Uuid,
    /// 承诺书编号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub campaign_name: String,
    /// The campaign's year (年度), which the letter's title carries.
    pub campaign_year: i32,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub mode: PledgeMode,
    pub delivery: Delivery,
    pub deadline: NaiveDate,
    pub witness_town: String,
    pub witness_village: String,
    pub households: Vec<PledgeHouseholdView>,
    pub lines: Vec<PledgeLineView>,
    pub totals: Totals,
    /// The cash in Chinese capitals (壹拾叁万元整).
    pub cash_capitals: String,
    pub items_capitals: String,
    pub total_capitals: String,
    /// Derived on the day asked, never stored.
    pub status: PledgeStatus,
    /// Past the deadline with lines open (逾期).
    pub overdue: bool,
    /// Signed with lines open and the deadline within a week (临期).
    pub due_soon: bool,
    pub lines_done: usize,
    pub signed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub created_at: DateTime<Utc>,
}

fn sees_full_names(caller: &Caller) -> bool {
    matches!(
        caller.user.role,
        Role::CountyAdmin | Role::TownOfficer | Role::VillageOfficer
    )
}

/// What the caller may see of pledges, or a refusal.
fn scope(caller: &Caller) -> Result<PledgeFilter> {
    caller.require(Permission::ReadPledges)?;
    let mut filter = PledgeFilter::default();
    match caller.user.role {
        Role::OrgMember => match caller.user.organization_id {
            Some(org) => filter.organization = Some(org),
            None => filter.nothing = true,
        },
        Role::CountyAdmin | Role::Auditor => filter.touching = caller.user.area_code.clone(),
        _ => match &caller.user.area_code {
            Some(area) => filter.touching = Some(area.clone()),
            None => filter.nothing = true,
        },
    }
    Ok(filter)
}

async fn views(
    tx: &mut Tx,
    caller: &Caller,
    list: &[Pledge],
    today: NaiveDate,
) -> Result<Vec<PledgeView>> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let area_names: HashMap<String, String> = areas::all(tx)
        .await?
        .into_iter()
        .map(|a| (a.code.as_str().to_owned(), a.name))
        .collect();
    let campaign_list: HashMap<Uuid, Campaign> = campaigns::list(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut orgs: HashMap<Uuid, Organization> = HashMap::new();
    for p in list {
        if !orgs.contains_key(&p.row.organization_id)
            && let Some(org) = organizations::get(tx, p.row.organization_id).await?
        {
            orgs.insert(org.id, org);
        }
    }
    let household_ids: Vec<Uuid> = list
        .iter()
        .flat_map(|p| p.households.iter().map(|h| h.household_id))
        .collect();
    let briefs: HashMap<Uuid, _> = needs::household_briefs(tx, &household_ids)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let need_ids: Vec<Uuid> = list
        .iter()
        .flat_map(|p| p.lines.iter().filter_map(|l| l.need_id))
        .collect();
    let mut numbers = HashMap::new();
    if !need_ids.is_empty() {
        let filter = NeedFilter {
            ids: Some(need_ids),
            ..NeedFilter::default()
        };
        let (rows, _) = needs::search(tx, &filter, PageRequest::new(None, Some(1000))).await?;
        numbers = rows
            .into_iter()
            .map(|n| (n.id, (n.number, n.household_id)))
            .collect();
    }
    let full = sees_full_names(caller);
    let area = |code: &hearth_core::area::AreaCode| {
        area_names
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.as_str().to_owned())
    };
    Ok(list
        .iter()
        .map(|p| {
            let totals = p.totals();
            let status = p.status(today);
            let campaign = campaign_list.get(&p.row.campaign_id);
            PledgeView {
                id: p.row.id,
                number: p.row.number.clone(),
                campaign_id: p.row.campaign_id,
                campaign_code: campaign.map(|c| c.profile.code.clone()).unwrap_or_default(),
                campaign_name: campaign.map(|c| c.profile.name.clone()).unwrap_or_default(),
                campaign_year: campaign.map(|c| c.profile.year).unwrap_or_default(),
                organization_id: p.row.organization_id,
                organization_name: orgs
                    .get(&p.row.organization_id)
                    .map(|o| o.profile.name.clone())
                    .unwrap_or_default(),
                mode: p.row.mode,
                delivery: p.row.delivery,
                deadline: p.row.deadline,
                witness_town: p.row.witness_town.clone(),
                witness_village: p.row.witness_village.clone(),
                households: p
                    .households
                    .iter()
                    .map(|h| {
                        let brief = briefs.get(&h.household_id);
                        let name = brief.map(|b| b.head_name.clone()).unwrap_or_default();
                        PledgeHouseholdView {
                            id: h.household_id,
                            town_name: area(&h.town),
                            village_name: area(&h.village),
                            head_name: if full { name } else { mask::mask_name(&name) },
                            main_category: brief
                                .map(|b| b.main_category.clone())
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
                lines: p
                    .lines
                    .iter()
                    .map(|l| PledgeLineView {
                        id: l.id,
                        need_id: l.need_id,
                        need_number: l
                            .need_id
                            .and_then(|n| numbers.get(&n).map(|(number, _)| number.clone())),
                        household_id: l.need_id.and_then(|n| numbers.get(&n).map(|(_, h)| *h)),
                        value: Fen::new(l.line.cash().fen() + l.line.item_value().fen()),
                        line: l.line.clone(),
                        done: l.done_at.is_some(),
                    })
                    .collect(),
                totals,
                cash_capitals: totals.cash_capitals(),
                items_capitals: totals.items_capitals(),
                total_capitals: totals.total_capitals(),
                status,
                overdue: p.is_overdue(today),
                due_soon: hearth_core::pledge::is_due_soon(status, p.row.deadline, today),
                lines_done: p.lines_done(),
                signed_at: p.row.signed_at,
                cancelled_at: p.row.cancelled_at,
                cancel_reason: p.row.cancel_reason.clone(),
                created_at: p.row.created_at,
            }
        })
        .collect())
}

/// A pledge in the caller's scope, or "not found" (existence does not leak).
pub(crate) async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<Pledge> {
    let filter = scope(caller)?;
    let pledge = pledges::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let seen = !filter.nothing
        && filter
            .organization
            .is_none_or(|org| pledge.row.organization_id == org)
        && filter
            .touching
            .as_ref()
            .is_none_or(|area| pledge.households.iter().any(|h| h.village.is_within(area)));
    if seen {
        Ok(pledge)
    } else {
        Err(AppError::NotFound)
    }
}

/// The line a claimed need becomes: cash as asked, items at the catalogue's reference value,
/// a service spread over the rest of the campaign, once a month.
fn need_line(need: &NeedRow, reference: Fen, campaign: &Campaign, today: NaiveDate) -> LineInput {
    let mut line = LineInput {
        need: need.id.to_string(),
        kind: need.line.kind().as_str().to_owned(),
        ..LineInput::default()
    };
    match &need.line {
        NeedLine::Cash { amount } => line.cash = amount.yuan_string(),
        NeedLine::Item { item, quantity } => {
            line.item = item.clone();
            line.quantity = quantity.to_string();
            line.unit_value = reference.yuan_string();
        }
        NeedLine::Service { service, times } => {
            line.service = service.as_str().to_owned();
            line.starts_on = campaign.profile.starts_on.max(today).to_string();
            line.ends_on = campaign.profile.ends_on.to_string();
            line.every = "1".into();
            line.every_unit = "month".into();
            line.visits = times.to_string();
        }
    }
    line
}

async fn audit(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    p: &Pledge,
    reason: String,
) -> Result<()> {
    let actor = caller.actor();
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action,
            record_type: "pledge",
            record_id: p.row.id.to_string(),
            detail: serde_json::json!({
                "number": p.row.number,
                "organization": p.row.organization_id.to_string(),
                "households": p.households.len(),
                "lines": p.lines.len(),
            }),
            reason,
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Drafts a pledge for the caller's organization from needs it claimed (each becomes a line)
    /// and any extra lines, naming households it may see. Every refusal names its field.
    pub async fn draft_pledge(&self, caller: &Caller, draft: &PledgeDraft) -> Result<PledgeView> {
        self.draft_pledge_on(caller, draft, today()).await
    }

    /// [`App::draft_pledge`] as on `today` (the deadline must fall after it).
    pub async fn draft_pledge_on(
        &self,
        caller: &Caller,
        draft: &PledgeDraft,
        today: NaiveDate,
    ) -> Result<PledgeView> {
        caller.require(Permission::MakePledges)?;
        let mut tx = self.store().write().await?;
        let org = own_organization(&mut tx, caller)
            .await?
            .ok_or(AppError::Forbidden)?;
        let mut input = draft.pledge.clone();
        if input.organization.trim().is_empty() {
            input.organization = org.id.to_string();
        } else if Uuid::parse_str(input.organization.trim()).ok() != Some(org.id) {
            return Err(Invalid::new("organization", "pledge.not_yours").into());
        }
        let campaign = match find_campaign(&mut tx, &input.campaign).await? {
            Some(c) => c,
            None if input.campaign.trim().is_empty() => {
                return Err(Invalid::new("campaign", "field.required").into());
            }
            None => {
                return Err(Invalid::new("campaign", "need.campaign_unknown")
                    .arg("value", input.campaign.trim())
                    .into());
            }
        };
        let enrolled = campaigns::enrolment(&mut tx, campaign.id, org.id)
            .await?
            .is_some_and(|e| e.status == EnrolmentStatus::Enrolled);
        if campaign.status != CampaignStatus::Launched || !enrolled {
            return Err(Invalid::new("campaign", "campaign.not_active").into());
        }
        // The needs this organization holds in this campaign and may still see.
        let claimed_filter = NeedFilter {
            claimed_by: Some(org.id),
            statuses: Some(vec![NeedStatus::Claimed]),
            campaign: Some(campaign.id),
            ..shared_with(Some(&org))
        };
        let mut asked = Vec::new();
        let mut errors = Vec::new();
        for raw in draft.needs.iter().chain(
            input
                .lines
                .iter()
                .map(|l| &l.need)
                .filter(|n| !n.trim().is_empty()),
        ) {
            match Uuid::parse_str(raw.trim()) {
                Ok(id) => asked.push(id),
                Err(_) => errors.push(Invalid::new("needs", "pledge.id").arg("value", raw.trim())),
            }
        }
        // Drafts naming the same need run one after the other from here on.
        pledges::lock_needs(&mut tx, org.id, &asked).await?;
        let held: HashMap<Uuid, NeedRow> = if asked.is_empty() {
            HashMap::new()
        } else {
            let filter = NeedFilter {
                ids: Some(asked.clone()),
                ..claimed_filter
            };
            let (rows, _) =
                needs::search(&mut tx, &filter, PageRequest::new(None, Some(1000))).await?;
            rows.into_iter().map(|n| (n.id, n)).collect()
        };
        for id in &asked {
            if !held.contains_key(id) {
                errors.push(Invalid::new("needs", "pledge.need_not_claimed").arg("number", id));
            }
        }
        let taken = pledges::needs_in_pledges(&mut tx, &asked).await?;
        for id in taken {
            let number = held.get(&id).map(|n| n.number.clone()).unwrap_or_default();
            errors.push(Invalid::new("needs", "pledge.need_elsewhere").arg("number", number));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut lines = Vec::new();
        for need in draft
            .needs
            .iter()
            .filter_map(|raw| Uuid::parse_str(raw.trim()).ok())
            .filter_map(|id| held.get(&id))
        {
            let reference = match &need.line {
                NeedLine::Item { item, .. } => items::get(&mut tx, item)
                    .await?
                    .map(|i| i.reference_value)
                    .unwrap_or(Fen::ZERO),
                _ => Fen::ZERO,
            };
            lines.push(need_line(need, reference, &campaign, today));
            if draft.pledge.households.is_empty() {
                let h = need.household_id.to_string();
                if !input.households.contains(&h) {
                    input.households.push(h);
                }
            }
        }
        lines.append(&mut input.lines);
        input.lines = lines;
        if input.campaign.trim().is_empty() {
            input.campaign = campaign.id.to_string();
        }
        let profile = input
            .parse(
                today,
                (campaign.profile.starts_on, campaign.profile.ends_on),
            )
            .map_err(AppError::Invalid)?;
        // Every household: one the organization may see.
        let mut named = Vec::new();
        for id in &profile.households {
            let h = households::get(&mut tx, *id).await?;
            let ok = h.as_ref().is_some_and(|h| {
                h.status == HouseholdStatus::Approved.as_str()
                    && h.shares_with_orgs
                    && h.anonymised_at.is_none()
                    && org
                        .profile
                        .service_areas
                        .iter()
                        .any(|a| h.village.is_within(a))
            });
            match h {
                Some(h) if ok => named.push(PledgeHousehold {
                    household_id: h.id,
                    village: h.village,
                    town: h.town,
                }),
                _ => {
                    return Err(Invalid::new("households", "pledge.household_outside_scope")
                        .arg("value", id)
                        .into());
                }
            }
        }
        let mut lines = Vec::new();
        for (i, parsed) in profile.lines.iter().enumerate() {
            if let Some(need) = parsed.need.and_then(|n| held.get(&n))
                && !profile.households.contains(&need.household_id)
            {
                return Err(Invalid::new("need", "pledge.need_household")
                    .arg("number", &need.number)
                    .within(&format!("lines.{i}"))
                    .into());
            }
            if let PledgeLine::Item { item, .. } = &parsed.line
                && !items::get(&mut tx, item).await?.is_some_and(|it| it.active)
            {
                return Err(Invalid::new("item", "need.item_unknown")
                    .arg("value", item)
                    .within(&format!("lines.{i}"))
                    .into());
            }
            lines.push(PledgeLineRow {
                id: Uuid::now_v7(),
                need_id: parsed.need,
                line: parsed.line.clone(),
                done_at: None,
            });
        }
        let now = hearth_store::now();
        let pledge = Pledge {
            row: PledgeRow {
                id: Uuid::now_v7(),
                number: pledges::next_number(&mut tx, campaign.id, &campaign.profile.code).await?,
                campaign_id: campaign.id,
                organization_id: org.id,
                mode: profile.mode,
                delivery: profile.delivery,
                deadline: profile.deadline,
                witness_town: profile.witness_town,
                witness_village: profile.witness_village,
                created_by: caller.user.id,
                signed_by: None,
                signed_at: None,
                cancelled_by: None,
                cancelled_at: None,
                cancel_reason: String::new(),
                version: 1,
                created_at: now,
                updated_at: now,
            },
            households: named,
            lines,
        };
        // Two drafts in one campaign may pick the same number at once on PostgreSQL.
        pledges::insert(&mut tx, &pledge).await.map_err(|e| {
            if e.is_unique_violation() {
                AppError::Conflict(Invalid::new("number", "pledge.number_busy"))
            } else {
                e.into()
            }
        })?;
        audit(&mut tx, caller, "pledge_drafted", &pledge, String::new()).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&pledge), today).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// 签署: a member of the pledging organization signs the draft, which schedules its service
    /// lines' visits as tasks ([`crate::visits`]).
    pub async fn sign_pledge(&self, caller: &Caller, id: Uuid) -> Result<PledgeView> {
        caller.require(Permission::MakePledges)?;
        let today = today();
        let mut tx = self.store().write().await?;
        let pledge = visible(&mut tx, caller, id).await?;
        if caller.user.organization_id != Some(pledge.row.organization_id) {
            return Err(AppError::NotFound);
        }
        check(pledge.status(today), PledgeAction::Sign)?;
        if !pledges::sign(&mut tx, id, caller.user.id, hearth_store::now()).await? {
            return Err(AppError::Conflict(Invalid::new(
                "status",
                "pledge.cannot_sign",
            )));
        }
        let pledge = pledges::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        audit(&mut tx, caller, "pledge_signed", &pledge, String::new()).await?;
        crate::visits::schedule(&mut tx, caller, &pledge).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&pledge), today).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// 取消: by the pledging organization or the county, always with a reason.
    pub async fn cancel_pledge(
        &self,
        caller: &Caller,
        id: Uuid,
        reason: &str,
    ) -> Result<PledgeView> {
        if !caller.can(Permission::MakePledges) && !caller.can(Permission::ManageCampaigns) {
            return Err(AppError::Forbidden);
        }
        let today = today();
        let mut tx = self.store().write().await?;
        let pledge = visible(&mut tx, caller, id).await?;
        if caller.can(Permission::MakePledges)
            && caller.user.organization_id != Some(pledge.row.organization_id)
        {
            return Err(AppError::NotFound);
        }
        let reason = need::reason(reason)?;
        check(pledge.status(today), PledgeAction::Cancel)?;
        if !pledges::cancel(&mut tx, id, caller.user.id, &reason, hearth_store::now()).await? {
            return Err(AppError::Conflict(Invalid::new(
                "status",
                "pledge.cannot_cancel",
            )));
        }
        let pledge = pledges::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        audit(&mut tx, caller, "pledge_cancelled", &pledge, reason).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&pledge), today).await?;
        tx.commit().await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }

    /// The pledges in the caller's scope, newest first, with status and overdue flag as today.
    pub async fn pledges(&self, caller: &Caller) -> Result<Vec<PledgeView>> {
        self.pledges_on(caller, today()).await
    }

    pub async fn pledges_on(&self, caller: &Caller, today: NaiveDate) -> Result<Vec<PledgeView>> {
        let filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        let list = pledges::search(&mut tx, &filter).await?;
        views(&mut tx, caller, &list, today).await
    }

    /// One pledge in the caller's scope, with status and overdue flag as today.
    pub async fn pledge(&self, caller: &Caller, id: Uuid) -> Result<PledgeView> {
        self.pledge_on(caller, id, today()).await
    }

    /// [`App::pledge`] as on `today`.
    pub async fn pledge_on(
        &self,
        caller: &Caller,
        id: Uuid,
        today: NaiveDate,
    ) -> Result<PledgeView> {
        let mut tx = self.store().read().await?;
        let pledge = visible(&mut tx, caller, id).await?;
        let out = views(&mut tx, caller, std::slice::from_ref(&pledge), today).await?;
        out.into_iter().next().ok_or(AppError::NotFound)
    }
}
