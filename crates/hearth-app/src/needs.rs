//! Household needs (需求) and the item catalogue: villages record what their approved households
//! need in a launched campaign, towns approve them onto the claim sheet or return them with a
//! reason (maker-checker, like households), and officers follow each need through 待认领, 已认领,
//! 已发放 and 已回访 in their own area. The organizations' side — the masked claim sheet, claiming
//! and releasing — is in [`claims`].

mod claims;

pub use claims::{ClaimRow, ClaimSheet, SheetQuery};
pub(crate) use claims::{own_organization, shared_with};
pub use hearth_core::need::Item;

use crate::{App, AppError, Caller, Result};
use chrono::{DateTime, Utc};
use hearth_core::area::AreaCode;
use hearth_core::campaign::CampaignStatus;
use hearth_core::household::{Category, HouseholdStatus, mask};
use hearth_core::need::{
    self, NeedAction, NeedInput, NeedKind, NeedLine, NeedProfile, NeedStatus, ServiceKind, Urgency,
};
use hearth_core::organization::Organization;
use hearth_core::permission::Permission;
use hearth_core::{Fen, Invalid};
use hearth_store::audit::{self, NewEvent};
use hearth_store::campaigns::{self, Campaign};
use hearth_store::needs::{self, HouseholdBrief, NeedFilter, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::{Tx, areas, items, organizations};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

const RECORD: &str = "need";

/// A need as an officer (county, town, village, auditor) sees it in their area.
#[derive(Debug, Clone, Serialize)]
pub struct NeedView {
    pub id: Uuid,
    /// 需求编号.
    pub number: String,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub campaign_name: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_code: String,
    pub village_name: String,
    /// In full for officers who may see names in full; surname and `*` for auditors.
    pub head_name: String,
    /// The household's main category code.
    pub main_category: String,
    pub kind: NeedKind,
    pub item_code: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    /// Units of the item, or times of the service.
    pub quantity: u32,
    /// Cash asked for (zero unless a cash need).
    pub cash: Fen,
    pub service: Option<ServiceKind>,
    /// Quantity × the item's reference unit value; the cash amount for cash; zero for services.
    pub reference_value: Fen,
    pub urgency: Urgency,
    pub note: String,
    pub status: NeedStatus,
    /// A follow-up visit (回访) was recorded after delivery.
    pub visited: bool,
    pub return_reason: String,
    pub claimed_by: Option<Uuid>,
    pub claimed_by_name: String,
    /// The claiming organization's contact person and phone.
    pub contact: String,
    pub claimed_at: Option<DateTime<Utc>>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// The caller recorded (or last changed) this need, so may not review it.
    pub entered_by_caller: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an officer's need list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NeedQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village inside the caller's area.
    pub area: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub item: Option<String>,
    pub urgency: Option<String>,
    /// A household category code.
    pub category: Option<String>,
    /// Only the needs of this household.
    pub household: Option<String>,
}

pub(crate) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The filters both lists share: kind, item, urgency, household category.
pub(crate) fn common_filter(
    filter: &mut NeedFilter,
    kind: &Option<String>,
    item: &Option<String>,
    urgency: &Option<String>,
    category: &Option<String>,
) -> Result<()> {
    filter.kind = given(kind).map(NeedKind::parse).transpose()?;
    filter.item = given(item)
        .map(|i| need::item_code("item", i))
        .transpose()?;
    filter.urgency = given(urgency).map(Urgency::parse).transpose()?;
    filter.category = given(category)
        .map(|c| Category::parse(c).map(|c| c.as_str().to_owned()))
        .transpose()?;
    Ok(())
}

/// A campaign by id or code, or `None`.
pub(crate) async fn find_campaign(tx: &mut Tx, id_or_code: &str) -> Result<Option<Campaign>> {
    Ok(match Uuid::parse_str(id_or_code.trim()) {
        Ok(id) => campaigns::get(tx, id).await?,
        Err(_) => campaigns::by_code(tx, id_or_code).await?,
    })
}

/// The names lists show beside a need, loaded once per list.
pub(crate) struct Names {
    areas: HashMap<String, String>,
    campaigns: HashMap<Uuid, Campaign>,
    items: HashMap<String, Item>,
    orgs: HashMap<Uuid, Organization>,
    households: HashMap<Uuid, HouseholdBrief>,
}

impl Names {
    pub async fn load(tx: &mut Tx, rows: &[NeedRow]) -> Result<Names> {
        let areas = areas::all(tx)
            .await?
            .into_iter()
            .map(|a| (a.code.as_str().to_owned(), a.name))
            .collect();
        let campaigns = campaigns::list(tx)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let items = items::list(tx, true)
            .await?
            .into_iter()
            .map(|i| (i.code.clone(), i))
            .collect();
        let mut orgs = HashMap::new();
        for id in rows.iter().filter_map(|r| r.claimed_by) {
            if let std::collections::hash_map::Entry::Vacant(slot) = orgs.entry(id)
                && let Some(org) = organizations::get(tx, id).await?
            {
                slot.insert(org);
            }
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.household_id).collect();
        let households = needs::household_briefs(tx, &ids)
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        Ok(Names {
            areas,
            campaigns,
            items,
            orgs,
            households,
        })
    }

    pub fn area(&self, code: &AreaCode) -> String {
        self.areas
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.as_str().to_owned())
    }

    pub fn campaign(&self, id: Uuid) -> (String, String) {
        self.campaigns
            .get(&id)
            .map(|c| (c.profile.code.clone(), c.profile.name.clone()))
            .unwrap_or_default()
    }

    pub fn org(&self, id: Option<Uuid>) -> Option<&Organization> {
        id.and_then(|id| self.orgs.get(&id))
    }

    pub fn household(&self, id: Uuid) -> Option<&HouseholdBrief> {
        self.households.get(&id)
    }

    /// Name, unit, quantity, cash, service and reference value of a need's line.
    pub fn line(&self, line: &NeedLine) -> LineParts {
        match line {
            NeedLine::Item { item, quantity } => {
                let found = self.items.get(item);
                LineParts {
                    item_code: Some(item.clone()),
                    item_name: found
                        .map(|i| i.name.clone())
                        .unwrap_or_else(|| item.clone()),
                    item_unit: found.map(|i| i.unit.clone()).unwrap_or_default(),
                    quantity: *quantity,
                    cash: Fen::ZERO,
                    service: None,
                    reference_value: found.map(|i| i.value_of(*quantity)).unwrap_or_default(),
                }
            }
            NeedLine::Cash { amount } => LineParts {
                item_code: None,
                item_name: String::new(),
                item_unit: String::new(),
                quantity: 0,
                cash: *amount,
                service: None,
                reference_value: *amount,
            },
            NeedLine::Service { service, times } => LineParts {
                item_code: None,
                item_name: String::new(),
                item_unit: String::new(),
                quantity: *times,
                cash: Fen::ZERO,
                service: Some(*service),
                reference_value: Fen::ZERO,
            },
        }
    }
}

pub(crate) struct LineParts {
    pub item_code: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    pub quantity: u32,
    pub cash: Fen,
    pub service: Option<ServiceKind>,
    pub reference_value: Fen,
}

fn view(caller: &Caller, row: &NeedRow, names: &Names) -> NeedView {
    let (campaign_code, campaign_name) = names.campaign(row.campaign_id);
    let household = names.household(row.household_id);
    let head = household.map(|h| h.head_name.as_str()).unwrap_or("");
    let org = names.org(row.claimed_by);
    let line = names.line(&row.line);
    NeedView {
        id: row.id,
        number: row.number.clone(),
        campaign_id: row.campaign_id,
        campaign_code,
        campaign_name,
        household_id: row.household_id,
        town_name: names.area(&row.town),
        village_code: row.village.as_str().to_owned(),
        village_name: names.area(&row.village),
        head_name: if caller.can(Permission::RevealHouseholdDetails) {
            head.to_owned()
        } else {
            mask::mask_name(head)
        },
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
        note: row.note.clone(),
        status: row.status,
        visited: row.visited_at.is_some(),
        return_reason: row.return_reason.clone(),
        claimed_by: row.claimed_by,
        claimed_by_name: org.map(|o| o.profile.name.clone()).unwrap_or_default(),
        contact: org
            .map(|o| {
                format!("{} {}", o.profile.contact_person, o.profile.contact_phone)
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default(),
        claimed_at: row.claimed_at,
        fulfilled_at: row.fulfilled_at,
        entered_by_caller: row.entered_by == caller.user.id,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub(crate) async fn one_view(tx: &mut Tx, caller: &Caller, row: &NeedRow) -> Result<NeedView> {
    let names = Names::load(tx, std::slice::from_ref(row)).await?;
    Ok(view(caller, row, &names))
}

/// The area an officer's needs lie in (village, town, county), or a refusal.
fn officer_area(caller: &Caller) -> Result<AreaCode> {
    caller.require(Permission::ReadNeeds)?;
    caller.user.area_code.clone().ok_or(AppError::Forbidden)
}

/// A need inside the officer's area, or "not found" (existence does not leak).
async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<NeedRow> {
    let area = officer_area(caller)?;
    needs::get(tx, id)
        .await?
        .filter(|row| row.village.is_within(&area))
        .ok_or(AppError::NotFound)
}

pub(crate) async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    id: Uuid,
    detail: serde_json::Value,
    reason: String,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: RECORD,
            record_id: id.to_string(),
            detail,
            reason,
        },
    )
    .await?;
    Ok(())
}

/// 已发放: moves a need to fulfilled (by the need state machine) with a versioned update, for
/// deliveries, visits and station handovers alike; the caller audits it as its own paper does.
pub(crate) async fn mark_fulfilled(
    tx: &mut Tx,
    mut need: NeedRow,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<NeedRow> {
    let version = need.version;
    need.status = need::next(need.status, need::NeedAction::Fulfil)?;
    need.fulfilled_at = Some(at);
    need.version += 1;
    need.updated_at = at;
    if !needs::update(tx, &need, version).await? {
        return Err(stale());
    }
    Ok(need)
}

fn stale() -> AppError {
    AppError::Conflict(Invalid::new("version", "need.stale_edit"))
}

/// The item must be in the catalogue and in use.
pub(crate) async fn check_item(tx: &mut Tx, line: &NeedLine) -> Result<()> {
    if let NeedLine::Item { item, .. } = line {
        match items::get(tx, item).await? {
            None => {
                return Err(Invalid::new("item", "need.item_unknown")
                    .arg("value", item)
                    .into());
            }
            Some(found) if !found.active => {
                return Err(Invalid::new("item", "need.item_inactive")
                    .arg("name", found.name)
                    .into());
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// One active need per household, campaign and thing asked for (the same item, cash, the same
/// service): a second one would be claimed and delivered twice.
pub(crate) async fn refuse_duplicate(
    tx: &mut Tx,
    household: Uuid,
    campaign: Uuid,
    line: &NeedLine,
    except: Option<Uuid>,
) -> Result<()> {
    let filter = NeedFilter {
        household: Some(household),
        campaign: Some(campaign),
        kind: Some(line.kind()),
        statuses: Some(
            NeedStatus::ALL
                .iter()
                .copied()
                .filter(|s| s.is_active())
                .collect(),
        ),
        ..NeedFilter::default()
    };
    let (existing, _) = needs::search(tx, &filter, PageRequest::all()).await?;
    let same = |other: &NeedLine| match (line, other) {
        (NeedLine::Item { item: a, .. }, NeedLine::Item { item: b, .. }) => a == b,
        (NeedLine::Cash { .. }, NeedLine::Cash { .. }) => true,
        (NeedLine::Service { service: a, .. }, NeedLine::Service { service: b, .. }) => a == b,
        _ => false,
    };
    if let Some(found) = existing
        .iter()
        .find(|n| Some(n.id) != except && same(&n.line))
    {
        let field = match line {
            NeedLine::Item { .. } => "item",
            NeedLine::Cash { .. } => "cash",
            NeedLine::Service { .. } => "service",
        };
        return Err(AppError::Conflict(
            Invalid::new(field, "need.duplicate").arg("number", &found.number),
        ));
    }
    Ok(())
}

impl App {
    /// The item catalogue (active entries), for anyone who works with needs.
    pub async fn items(&self, caller: &Caller) -> Result<Vec<Item>> {
        if !caller.can(Permission::ReadNeeds) && !caller.can(Permission::ClaimNeeds) {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store().read().await?;
        Ok(items::list(&mut tx, false).await?)
    }

    /// A village (or town) officer records a need of an approved household in their area, in a
    /// launched campaign. It waits for the town's review.
    pub async fn record_need(&self, caller: &Caller, input: &NeedInput) -> Result<NeedView> {
        caller.require(Permission::RecordNeeds)?;
        let profile = input.parse().map_err(AppError::Invalid)?;
        // Two officers may take the same need number at the same moment (PostgreSQL): the unique
        // index refuses the second, which tries again with the next number.
        let mut attempt = 0;
        loop {
            match self.try_record_need(caller, &profile).await {
                Err(AppError::Store(e)) if e.is_unique_violation() => {
                    attempt += 1;
                    if attempt == 5 {
                        return Err(AppError::Conflict(Invalid::new(
                            "number",
                            "need.number_busy",
                        )));
                    }
                }
                other => return other,
            }
        }
    }

    async fn try_record_need(&self, caller: &Caller, profile: &NeedProfile) -> Result<NeedView> {
        let mut tx = self.store().write().await?;
        let household = match crate::households::visible(&mut tx, caller, profile.household).await {
            Ok(row) => row,
            Err(AppError::NotFound) => {
                return Err(Invalid::new("household", "need.household_outside_scope").into());
            }
            Err(e) => return Err(e),
        };
        if household.status != HouseholdStatus::Approved.as_str() {
            return Err(Invalid::new("household", "need.household_not_approved").into());
        }
        let campaign = find_campaign(&mut tx, &profile.campaign)
            .await?
            .ok_or_else(|| {
                Invalid::new("campaign", "need.campaign_unknown").arg("value", &profile.campaign)
            })?;
        if campaign.status != CampaignStatus::Launched {
            return Err(Invalid::new("campaign", "need.campaign_not_launched")
                .arg("name", &campaign.profile.name)
                .into());
        }
        check_item(&mut tx, &profile.line).await?;
        refuse_duplicate(&mut tx, household.id, campaign.id, &profile.line, None).await?;
        let now = hearth_store::now();
        let row = NeedRow {
            id: Uuid::now_v7(),
            number: needs::next_number(&mut tx, campaign.id, &campaign.profile.code).await?,
            campaign_id: campaign.id,
            household_id: household.id,
            village: household.village.clone(),
            town: household.town.clone(),
            line: profile.line.clone(),
            urgency: profile.urgency,
            note: profile.note.clone(),
            status: NeedStatus::Submitted,
            return_reason: String::new(),
            entered_by: caller.user.id,
            reviewed_by: None,
            reviewed_at: None,
            claimed_by: None,
            claimed_by_user: None,
            claimed_at: None,
            fulfilled_at: None,
            visited_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        needs::insert(&mut tx, &row).await?;
        record(
            &mut tx,
            caller,
            "need_recorded",
            row.id,
            serde_json::json!({
                "number": row.number,
                "household": household.id.to_string(),
                "campaign": campaign.profile.code,
                "kind": row.line.kind().as_str(),
            }),
            String::new(),
        )
        .await?;
        let view = one_view(&mut tx, caller, &row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Needs in the caller's area, the most urgent and oldest first.
    pub async fn needs(
        &self,
        caller: &Caller,
        query: &NeedQuery,
        page: PageRequest,
    ) -> Result<(Vec<NeedView>, i64)> {
        let own = officer_area(caller)?;
        let mut tx = self.store().read().await?;
        let mut filter = NeedFilter {
            within: Some(own.clone()),
            ..NeedFilter::default()
        };
        if let Some(area) = given(&query.area) {
            let asked = AreaCode::parse(area).map_err(|e| e.within("area"))?;
            if asked.is_within(&own) {
                filter.within = Some(asked);
            }
        }
        if let Some(campaign) = given(&query.campaign) {
            match find_campaign(&mut tx, campaign).await? {
                Some(c) => filter.campaign = Some(c.id),
                None => filter.nothing = true,
            }
        }
        filter.statuses = given(&query.status)
            .map(|s| NeedStatus::parse(s).map(|s| vec![s]))
            .transpose()?;
        filter.household = given(&query.household)
            .map(|h| {
                Uuid::parse_str(h)
                    .map_err(|_| Invalid::new("household", "need.household").arg("value", h))
            })
            .transpose()?;
        common_filter(
            &mut filter,
            &query.kind,
            &query.item,
            &query.urgency,
            &query.category,
        )?;
        let (rows, total) = needs::search(&mut tx, &filter, page).await?;
        let names = Names::load(&mut tx, &rows).await?;
        Ok((
            rows.iter().map(|row| view(caller, row, &names)).collect(),
            total,
        ))
    }

    /// One need in the caller's area.
    pub async fn need(&self, caller: &Caller, id: Uuid) -> Result<NeedView> {
        let mut tx = self.store().read().await?;
        let row = visible(&mut tx, caller, id).await?;
        one_view(&mut tx, caller, &row).await
    }

    /// 审核通过: the need goes onto the claim sheet (待认领). Not by whoever recorded it.
    pub async fn approve_need(&self, caller: &Caller, id: Uuid) -> Result<NeedView> {
        caller.require(Permission::ReviewNeeds)?;
        self.need_step(caller, id, NeedAction::Approve, String::new())
            .await
    }

    /// 退回 to the village with a reason it sees.
    pub async fn return_need(&self, caller: &Caller, id: Uuid, reason: &str) -> Result<NeedView> {
        caller.require(Permission::ReviewNeeds)?;
        let reason = need::reason(reason)?;
        self.need_step(caller, id, NeedAction::Return, reason).await
    }

    /// 作废: a need no longer wanted (the household moved, it was met otherwise), with a reason.
    /// A claimed need is released first, so its organization sees why.
    pub async fn cancel_need(&self, caller: &Caller, id: Uuid, reason: &str) -> Result<NeedView> {
        if !caller.can(Permission::RecordNeeds) && !caller.can(Permission::ReviewNeeds) {
            return Err(AppError::Forbidden);
        }
        let reason = need::reason(reason)?;
        self.need_step(caller, id, NeedAction::Cancel, reason).await
    }

    async fn need_step(
        &self,
        caller: &Caller,
        id: Uuid,
        action: NeedAction,
        reason: String,
    ) -> Result<NeedView> {
        let mut tx = self.store().write().await?;
        let mut row = visible(&mut tx, caller, id).await?;
        let next = need::next(row.status, action)?;
        if matches!(action, NeedAction::Approve | NeedAction::Return) {
            need::check_reviewer(row.entered_by, caller.user.id)?;
        }
        let version = row.version;
        row.status = next;
        row.version += 1;
        row.updated_at = hearth_store::now();
        if matches!(action, NeedAction::Approve | NeedAction::Return) {
            row.reviewed_by = Some(caller.user.id);
            row.reviewed_at = Some(row.updated_at);
            row.return_reason = if action == NeedAction::Return {
                reason.clone()
            } else {
                String::new()
            };
        }
        if !needs::update(&mut tx, &row, version).await? {
            return Err(stale());
        }
        let name = match action {
            NeedAction::Approve => "need_approved",
            NeedAction::Return => "need_returned",
            _ => "need_cancelled",
        };
        record(
            &mut tx,
            caller,
            name,
            id,
            serde_json::json!({"number": row.number, "status": next.as_str()}),
            reason,
        )
        .await?;
        let view = one_view(&mut tx, caller, &row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The village fixes a returned need made from `version` and sends it back for review. The
    /// household and campaign stay what they were.
    pub async fn resubmit_need(
        &self,
        caller: &Caller,
        id: Uuid,
        version: i64,
        input: &NeedInput,
    ) -> Result<NeedView> {
        caller.require(Permission::RecordNeeds)?;
        let mut tx = self.store().write().await?;
        let mut row = visible(&mut tx, caller, id).await?;
        let next = need::next(row.status, NeedAction::Submit)?;
        if row.version != version {
            return Err(stale());
        }
        let (campaign_code, _) = Names::load(&mut tx, &[]).await?.campaign(row.campaign_id);
        let fixed = NeedInput {
            household: row.household_id.to_string(),
            campaign: campaign_code.clone(),
            ..input.clone()
        };
        let moved = |given: &str, stored: &str| {
            !given.trim().is_empty() && !given.trim().eq_ignore_ascii_case(stored)
        };
        if moved(&input.household, &fixed.household)
            || (moved(&input.campaign, &campaign_code)
                && moved(&input.campaign, &row.campaign_id.to_string()))
        {
            return Err(Invalid::new("household", "need.fixed").into());
        }
        let profile = fixed.parse().map_err(AppError::Invalid)?;
        check_item(&mut tx, &profile.line).await?;
        refuse_duplicate(
            &mut tx,
            row.household_id,
            row.campaign_id,
            &profile.line,
            Some(row.id),
        )
        .await?;
        row.line = profile.line;
        row.urgency = profile.urgency;
        row.note = profile.note;
        row.status = next;
        // Maker-checker: whoever last changed the content is its maker now.
        row.entered_by = caller.user.id;
        row.return_reason = String::new();
        row.version += 1;
        row.updated_at = hearth_store::now();
        if !needs::update(&mut tx, &row, version).await? {
            return Err(stale());
        }
        record(
            &mut tx,
            caller,
            "need_resubmitted",
            id,
            serde_json::json!({"number": row.number, "status": next.as_str()}),
            String::new(),
        )
        .await?;
        let view = one_view(&mut tx, caller, &row).await?;
        tx.commit().await?;
        Ok(view)
    }
}
