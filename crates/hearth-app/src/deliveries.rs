//! Deliveries (发放签收) of a signed pledge's cash and item lines to its households, and the
//! progress they make: the delivery that reaches a line's pledged quantity or amount marks the
//! line done (so the pledge moves to in progress, then fulfilled) and the need it answers
//! fulfilled (已发放), in the same transaction.
//!
//! Who records: a member of the pledging organization, for any of its pledges (上门送达 or
//! 集中发放); a town officer, for pledges handed over through the town (集中发放) and households
//! in their town, since the town station hands them over and stamps the roster. Villages read
//! the deliveries in their area; recording by villages can be granted later through the same
//! permission. Who reads: like pledges — the county and auditors all, towns and villages their
//! area, an organization its own — with household names masked for organizations and auditors.
//!
//! Two deliveries of one line at the same moment never exceed the pledge: both run under the
//! pledge's row lock and the second reads the first one's delivery before checking.

use crate::needs::{Names, own_organization, record};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::delivery::{
    self, Delivered, DeliveryInput, Handed, ProxyRelationship, RecipientKind,
};
use hearth_core::household::mask;
use hearth_core::need::{NeedKind, NeedStatus};
use hearth_core::permission::Permission;
use hearth_core::pledge::{Delivery, PledgeAction, PledgeLine, PledgeStatus, check};
use hearth_core::role::Role;
use hearth_core::{Fen, Invalid};
use hearth_store::deliveries::{self, DeliveryFilter, DeliveryRow};
use hearth_store::needs::{self, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::{self, Pledge, PledgeHousehold, PledgeLineRow};
use hearth_store::{Tx, organizations};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One delivery as lists and the roster show it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub id: Uuid,
    /// 发放单号.
    pub number: String,
    pub pledge_id: Uuid,
    pub pledge_number: String,
    pub line_id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_code: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// In full for county, town and village officers; surname and `*` otherwise.
    pub head_name: String,
    /// `item` or `cash`.
    pub kind: NeedKind,
    pub item_code: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    /// Units handed over (zero for cash).
    pub quantity: u32,
    /// Cash handed over (zero for items).
    pub cash: Fen,
    /// The cash, or the units at the pledged unit value.
    pub value: Fen,
    pub delivered_on: NaiveDate,
    pub recipient: RecipientKind,
    /// Masked like the head's name.
    pub proxy_name: String,
    pub proxy_relationship: Option<ProxyRelationship>,
    /// 经办人.
    pub handler: String,
    /// Who signed the roster; masked like the head's name.
    pub signed_name: String,
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// How far one line of a pledge is delivered.
#[derive(Debug, Clone, Serialize)]
pub struct LineProgress {
    pub line_id: Uuid,
    pub need_id: Option<Uuid>,
    pub line: PledgeLine,
    pub delivered: Delivered,
    /// What is left to deliver; `None` for a service line (done by visits).
    pub remaining: Option<Handed>,
    pub done: bool,
}

/// A pledge's deliveries (those in the caller's area) and every line's progress.
#[derive(Debug, Clone, Serialize)]
pub struct PledgeDeliveries {
    pub deliveries: Vec<DeliveryView>,
    pub lines: Vec<LineProgress>,
}

/// What recording a delivery changed.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecorded {
    pub delivery: DeliveryView,
    pub line: LineProgress,
    /// The pledge's status after the delivery (fulfilled once every line is done).
    pub pledge_status: PledgeStatus,
}

/// What a delivery list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeliveryQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village inside the caller's area.
    pub area: Option<String>,
    pub pledge: Option<String>,
    pub household: Option<String>,
}

fn sees_full_names(caller: &Caller) -> bool {
    caller.can(Permission::RevealHouseholdDetails)
}

/// What the caller may see of deliveries, or a refusal.
fn scope(caller: &Caller) -> Result<DeliveryFilter> {
    caller.require(Permission::ReadPledges)?;
    let mut filter = DeliveryFilter::default();
    match caller.user.role {
        Role::OrgMember => match caller.user.organization_id {
            Some(org) => filter.organization = Some(org),
            None => filter.nothing = true,
        },
        Role::CountyAdmin | Role::Auditor => filter.within = caller.user.area_code.clone(),
        _ => match &caller.user.area_code {
            Some(area) => filter.within = Some(area.clone()),
            None => filter.nothing = true,
        },
    }
    Ok(filter)
}

/// Whether the pledge is in the caller's scope: their organization's, or naming a household
/// in their area.
fn pledge_in_scope(filter: &DeliveryFilter, pledge: &Pledge) -> bool {
    !filter.nothing
        && filter
            .organization
            .is_none_or(|org| pledge.row.organization_id == org)
        && filter
            .within
            .as_ref()
            .is_none_or(|area| pledge.households.iter().any(|h| h.village.is_within(area)))
}

fn progress(line: &PledgeLineRow, delivered: Delivered) -> LineProgress {
    LineProgress {
        line_id: line.id,
        need_id: line.need_id,
        line: line.line.clone(),
        delivered,
        remaining: delivery::remaining(&line.line, delivered),
        done: line.done_at.is_some(),
    }
}

/// The names lists show beside deliveries, loaded once per list.
struct Context {
    names: Names,
    pledges: HashMap<Uuid, Pledge>,
    orgs: HashMap<Uuid, String>,
    heads: HashMap<Uuid, String>,
    items: HashMap<String, (String, String)>,
}

impl Context {
    /// The names for `rows`; `known` holds pledges already read in this transaction.
    async fn load(tx: &mut Tx, rows: &[DeliveryRow], known: Vec<Pledge>) -> Result<Context> {
        let mut pledges_by_id: HashMap<Uuid, Pledge> =
            known.into_iter().map(|p| (p.row.id, p)).collect();
        let mut orgs = HashMap::new();
        for row in rows {
            if !pledges_by_id.contains_key(&row.pledge_id)
                && let Some(p) = pledges::get(tx, row.pledge_id).await?
            {
                pledges_by_id.insert(p.row.id, p);
            }
            if !orgs.contains_key(&row.organization_id)
                && let Some(org) = organizations::get(tx, row.organization_id).await?
            {
                orgs.insert(org.id, org.profile.name);
            }
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.household_id).collect();
        let heads = needs::household_briefs(tx, &ids)
            .await?
            .into_iter()
            .map(|h| (h.id, h.head_name))
            .collect();
        let items = hearth_store::items::list(tx, true)
            .await?
            .into_iter()
            .map(|i| (i.code, (i.name, i.unit)))
            .collect();
        Ok(Context {
            names: Names::load(tx, &[]).await?,
            pledges: pledges_by_id,
            orgs,
            heads,
            items,
        })
    }

    fn view(&self, caller: &Caller, row: &DeliveryRow) -> DeliveryView {
        let full = sees_full_names(caller);
        let shown = |name: &str| {
            if full {
                name.to_owned()
            } else {
                mask::mask_name(name)
            }
        };
        let pledge = self.pledges.get(&row.pledge_id);
        let line = pledge
            .and_then(|p| p.lines.iter().find(|l| l.id == row.line_id))
            .map(|l| &l.line);
        let (item_code, unit_value) = match line {
            Some(PledgeLine::Item {
                item, unit_value, ..
            }) => (Some(item.clone()), *unit_value),
            _ => (None, Fen::ZERO),
        };
        let (item_name, item_unit) = item_code
            .as_ref()
            .and_then(|code| self.items.get(code).cloned())
            .unwrap_or_default();
        let (kind, quantity, cash) = match row.handed {
            Handed::Items { quantity } => (NeedKind::Item, quantity, Fen::ZERO),
            Handed::Cash { amount } => (NeedKind::Cash, 0, amount),
        };
        let value = Fen::new(cash.fen() + unit_value.fen().saturating_mul(i64::from(quantity)));
        DeliveryView {
            id: row.id,
            number: row.number.clone(),
            pledge_id: row.pledge_id,
            pledge_number: pledge.map(|p| p.row.number.clone()).unwrap_or_default(),
            line_id: row.line_id,
            campaign_id: row.campaign_id,
            campaign_code: self.names.campaign(row.campaign_id).0,
            organization_id: row.organization_id,
            organization_name: self
                .orgs
                .get(&row.organization_id)
                .cloned()
                .unwrap_or_default(),
            household_id: row.household_id,
            town_name: self.names.area(&row.town),
            village_name: self.names.area(&row.village),
            head_name: shown(self.heads.get(&row.household_id).map_or("", |h| h.as_str())),
            kind,
            item_code,
            item_name,
            item_unit,
            quantity,
            cash,
            value,
            delivered_on: row.delivered_on,
            recipient: if row.proxy.is_some() {
                RecipientKind::Proxy
            } else {
                RecipientKind::Head
            },
            proxy_name: row
                .proxy
                .as_ref()
                .map(|p| shown(&p.name))
                .unwrap_or_default(),
            proxy_relationship: row.proxy.as_ref().map(|p| p.relationship),
            handler: row.handler.clone(),
            signed_name: shown(&row.signed_name),
            note: row.note.clone(),
            recorded_by: row.recorded_by,
            created_at: row.created_at,
        }
    }
}

async fn views(tx: &mut Tx, caller: &Caller, rows: &[DeliveryRow]) -> Result<Vec<DeliveryView>> {
    let context = Context::load(tx, rows, Vec::new()).await?;
    Ok(rows.iter().map(|row| context.view(caller, row)).collect())
}

/// The pledge of `line`, locked for this transaction, if the caller may record deliveries on
/// it; otherwise "not found" (existence does not leak) or the reason.
async fn pledge_to_deliver(tx: &mut Tx, caller: &Caller, line: Uuid) -> Result<Pledge> {
    caller.require(Permission::RecordDeliveries)?;
    let pledge_id = deliveries::pledge_of_line(tx, line)
        .await?
        .ok_or(AppError::NotFound)?;
    // From here on, deliveries, signing and cancelling of this pledge wait for this one.
    if !deliveries::lock_pledge(tx, pledge_id).await? {
        return Err(AppError::NotFound);
    }
    let pledge = pledges::get(tx, pledge_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may_record_on(tx, caller, &pledge).await?;
    Ok(pledge)
}

/// Refuses unless the caller may record deliveries of `pledge`: a member of the pledging
/// organization, or an officer whose area holds one of its households when it is handed over
/// through the town. A pledge the caller has nothing to do with is "not found".
async fn may_record_on(tx: &mut Tx, caller: &Caller, pledge: &Pledge) -> Result<()> {
    caller.require(Permission::RecordDeliveries)?;
    match caller.user.role {
        Role::OrgMember => {
            let org = own_organization(tx, caller)
                .await?
                .ok_or(AppError::Forbidden)?;
            if org.id != pledge.row.organization_id {
                return Err(AppError::NotFound);
            }
        }
        _ => {
            let area = caller.user.area_code.as_ref().ok_or(AppError::Forbidden)?;
            if !pledge.households.iter().any(|h| h.village.is_within(area)) {
                return Err(AppError::NotFound);
            }
            if pledge.row.delivery != Delivery::ThroughTown {
                return Err(Invalid::new("delivery", "delivery.through_town_only").into());
            }
        }
    }
    Ok(())
}

/// One delivery in the caller's scope (as lists show them); any other is "not found".
pub(crate) async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<DeliveryRow> {
    let filter = scope(caller)?;
    deliveries::get(tx, id)
        .await?
        .filter(|d| {
            !filter.nothing
                && filter
                    .organization
                    .is_none_or(|org| d.organization_id == org)
                && filter
                    .within
                    .as_ref()
                    .is_none_or(|area| d.village.is_within(area))
        })
        .ok_or(AppError::NotFound)
}

/// Refuses unless the caller may attach the signature image and photos of this delivery:
/// whoever may record deliveries of its pledge (the organization handing over door to door
/// takes the photo itself).
pub(crate) async fn may_attach(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<()> {
    let delivery = visible(tx, caller, id).await?;
    let pledge = pledges::get(tx, delivery.pledge_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may_record_on(tx, caller, &pledge).await
}

/// The need a line answers, if it is still held by the pledging organization.
async fn held_need(tx: &mut Tx, pledge: &Pledge, line: &PledgeLineRow) -> Result<Option<NeedRow>> {
    let Some(id) = line.need_id else {
        return Ok(None);
    };
    let need = needs::get(tx, id).await?.ok_or(AppError::NotFound)?;
    if need.claimed_by != Some(pledge.row.organization_id) || need.status != NeedStatus::Claimed {
        return Err(Invalid::new("line", "delivery.need_not_held")
            .arg("number", &need.number)
            .into());
    }
    Ok(Some(need))
}

/// The household that receives: the need's, the pledge's only one, or the one chosen among
/// the pledge's households; a town officer's only within their town.
fn receiving<'a>(
    caller: &Caller,
    pledge: &'a Pledge,
    need: Option<&NeedRow>,
    chosen: Option<Uuid>,
) -> Result<&'a PledgeHousehold> {
    let wrong = || Invalid::new("household", "delivery.wrong_household");
    let id = match (
        need.map(|n| n.household_id),
        pledge.households.as_slice(),
        chosen,
    ) {
        (Some(of_need), _, Some(chosen)) if chosen != of_need => return Err(wrong().into()),
        (Some(of_need), _, _) => of_need,
        (None, [only], chosen) if chosen.is_none_or(|c| c == only.household_id) => {
            only.household_id
        }
        (None, [_], _) => return Err(wrong().into()),
        (None, _, Some(chosen)) => chosen,
        (None, _, None) => {
            return Err(Invalid::new("household", "delivery.household_required").into());
        }
    };
    let household = pledge
        .households
        .iter()
        .find(|h| h.household_id == id)
        .ok_or_else(wrong)?;
    if caller.user.role != Role::OrgMember
        && !caller
            .user
            .area_code
            .as_ref()
            .is_some_and(|area| household.village.is_within(area))
    {
        return Err(Invalid::new("household", "need.household_outside_scope").into());
    }
    Ok(household)
}

async fn audit(tx: &mut Tx, caller: &Caller, pledge: &Pledge, row: &DeliveryRow) -> Result<()> {
    let actor = caller.actor();
    let (quantity, cash) = match row.handed {
        Handed::Items { quantity } => (quantity, Fen::ZERO),
        Handed::Cash { amount } => (0, amount),
    };
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action: "delivery_recorded",
            record_type: "delivery",
            record_id: row.id.to_string(),
            detail: serde_json::json!({
                "number": row.number,
                "pledge": pledge.row.number,
                "line": row.line_id.to_string(),
                "household": row.household_id.to_string(),
                "quantity": quantity,
                "cash": cash.yuan_string(),
                "delivered_on": row.delivered_on.to_string(),
                "proxy": row.proxy.is_some(),
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// The day the pledge was signed, in the county's calendar.
fn signed_on(pledge: &Pledge) -> Option<NaiveDate> {
    pledge
        .row
        .signed_at
        .map(|at| at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive())
}

/// A delivery that passed every check, ready to store.
struct Checked {
    row: DeliveryRow,
    /// What the line had before this delivery.
    so_far: Delivered,
    /// This delivery reaches the pledged quantity or amount.
    completes: bool,
    need: Option<NeedRow>,
}

/// Every rule a delivery of `line` on the locked `pledge` must meet, as of `today`.
async fn checked(
    tx: &mut Tx,
    caller: &Caller,
    pledge: &Pledge,
    line: &PledgeLineRow,
    household: Option<Uuid>,
    input: &DeliveryInput,
    today: NaiveDate,
) -> Result<Checked> {
    check(pledge.status(today), PledgeAction::Progress)?;
    if let PledgeLine::Service { .. } = line.line {
        return Err(Invalid::new("line", "delivery.service_line").into());
    }
    if line.done_at.is_some() {
        return Err(Invalid::new("line", "delivery.line_complete").into());
    }
    let need = held_need(tx, pledge, line).await?;
    let receiver = receiving(caller, pledge, need.as_ref(), household)?;
    let profile = input.parse(today).map_err(AppError::Invalid)?;
    if let Some(signed) = signed_on(pledge) {
        delivery::check_date(profile.delivered_on, signed)?;
    }
    let so_far = deliveries::delivered(tx, pledge.row.id)
        .await?
        .remove(&line.id)
        .unwrap_or_default();
    let completes = delivery::check(&line.line, so_far, profile.handed)?;
    let campaign = hearth_store::campaigns::get(tx, pledge.row.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = DeliveryRow {
        id: Uuid::now_v7(),
        number: deliveries::next_number(tx, campaign.id, &campaign.profile.code).await?,
        pledge_id: pledge.row.id,
        line_id: line.id,
        household_id: receiver.household_id,
        organization_id: pledge.row.organization_id,
        campaign_id: campaign.id,
        village: receiver.village.clone(),
        town: receiver.town.clone(),
        delivered_on: profile.delivered_on,
        handed: profile.handed,
        proxy: profile.proxy,
        handler: profile.handler,
        signed_name: profile.signed_name,
        note: profile.note,
        recorded_by: caller.user.id,
        created_at: hearth_store::now(),
    };
    Ok(Checked {
        row,
        so_far,
        completes,
        need,
    })
}

/// Writes the delivery; when it completes its line, marks the line done and fulfils the need;
/// audits both.
async fn store(tx: &mut Tx, caller: &Caller, pledge: &Pledge, checked: Checked) -> Result<()> {
    let row = &checked.row;
    // Deliveries of two pledges in one campaign may pick the same number at once.
    deliveries::insert(tx, row).await.map_err(|e| {
        if e.is_unique_violation() {
            AppError::Conflict(Invalid::new("number", "delivery.number_busy"))
        } else {
            e.into()
        }
    })?;
    let mut fulfilled = None;
    if checked.completes {
        pledges::mark_line_done(tx, row.line_id, row.created_at).await?;
        if let Some(need) = checked.need {
            // 已发放: written before the audit log's head is locked, in the same order as
            // claims and releases, so the two never wait on each other.
            fulfilled = Some(crate::needs::mark_fulfilled(tx, need, row.created_at).await?);
        }
    }
    audit(tx, caller, pledge, row).await?;
    if let Some(need) = fulfilled {
        let detail = serde_json::json!({"number": need.number, "status": need.status.as_str()});
        record(tx, caller, "need_fulfilled", need.id, detail, String::new()).await?;
    }
    Ok(())
}

/// [`App::record_delivery`] inside the caller's write transaction: a town station's handover
/// of a pledge line (`distributions`) is also the line's delivery, in one transaction.
pub(crate) async fn deliver_in(
    tx: &mut Tx,
    caller: &Caller,
    line: Uuid,
    household: Option<Uuid>,
    input: &DeliveryInput,
) -> Result<DeliveryRecorded> {
    let today = today();
    let pledge = pledge_to_deliver(tx, caller, line).await?;
    let line_row = pledge
        .lines
        .iter()
        .find(|l| l.id == line)
        .ok_or(AppError::NotFound)?;
    let checked = checked(tx, caller, &pledge, line_row, household, input, today).await?;
    let (row, delivered) = (checked.row.clone(), checked.so_far.plus(checked.row.handed));
    let completes = checked.completes;
    store(tx, caller, &pledge, checked).await?;
    // The pledge stays locked: what `store` changed of it is only the line it completed.
    let mut pledge = pledge;
    let line_now = pledge
        .lines
        .iter_mut()
        .find(|l| l.id == line)
        .ok_or(AppError::NotFound)?;
    if completes {
        line_now.done_at.get_or_insert(row.created_at);
    }
    let line = progress(line_now, delivered);
    let pledge_status = pledge.status(today);
    let delivery = Context::load(tx, std::slice::from_ref(&row), vec![pledge])
        .await?
        .view(caller, &row);
    Ok(DeliveryRecorded {
        delivery,
        line,
        pledge_status,
    })
}

impl App {
    /// 登记发放: records that part or all of a cash or item line reached a household and who
    /// signed for it. `household` chooses among a one-to-many pledge's households for a line
    /// that answers no need. The delivery that completes the line marks it done and fulfils
    /// its need. Over-delivery is refused naming what remains.
    pub async fn record_delivery(
        &self,
        caller: &Caller,
        line: Uuid,
        household: Option<Uuid>,
        input: &DeliveryInput,
    ) -> Result<DeliveryRecorded> {
        let mut tx = self.store().write().await?;
        let out = deliver_in(&mut tx, caller, line, household, input).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The deliveries of one pledge in the caller's scope (towns and villages see those in
    /// their area), and how far each of its lines is delivered.
    pub async fn deliveries_for_pledge(
        &self,
        caller: &Caller,
        pledge: Uuid,
    ) -> Result<PledgeDeliveries> {
        let filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        let found = pledges::get(&mut tx, pledge)
            .await?
            .filter(|p| pledge_in_scope(&filter, p))
            .ok_or(AppError::NotFound)?;
        let filter = DeliveryFilter {
            pledge: Some(pledge),
            ..filter
        };
        let (rows, _) = deliveries::search(&mut tx, &filter, PageRequest::all()).await?;
        let delivered = deliveries::delivered(&mut tx, pledge).await?;
        let lines = found
            .lines
            .iter()
            .map(|l| progress(l, delivered.get(&l.id).copied().unwrap_or_default()))
            .collect();
        Ok(PledgeDeliveries {
            deliveries: views(&mut tx, caller, &rows).await?,
            lines,
        })
    }

    /// One delivery in the caller's scope, names masked as in lists.
    pub async fn delivery(&self, caller: &Caller, id: Uuid) -> Result<DeliveryView> {
        let mut tx = self.store().read().await?;
        let row = visible(&mut tx, caller, id).await?;
        views(&mut tx, caller, std::slice::from_ref(&row))
            .await?
            .pop()
            .ok_or(AppError::NotFound)
    }

    /// Deliveries in the caller's scope, the latest first, and how many match in all.
    pub async fn deliveries(
        &self,
        caller: &Caller,
        query: &DeliveryQuery,
        page: PageRequest,
    ) -> Result<(Vec<DeliveryView>, i64)> {
        let mut filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        if let Some(area) = crate::needs::given(&query.area) {
            let asked = AreaCode::parse(area).map_err(|e| e.within("area"))?;
            if filter
                .within
                .as_ref()
                .is_none_or(|own| asked.is_within(own))
            {
                filter.within = Some(asked);
            }
        }
        if let Some(campaign) = crate::needs::given(&query.campaign) {
            match crate::needs::find_campaign(&mut tx, campaign).await? {
                Some(c) => filter.campaign = Some(c.id),
                None => filter.nothing = true,
            }
        }
        let id = |field: &str, value: &Option<String>| {
            crate::needs::given(value)
                .map(|raw| {
                    Uuid::parse_str(raw)
                        .map_err(|_| Invalid::new(field, "pledge.id").arg("value", raw))
                })
                .transpose()
        };
        filter.pledge = id("pledge", &query.pledge)?;
        filter.household = id("household", &query.household)?;
        let (rows, total) = deliveries::search(&mut tx, &filter, page).await?;
        Ok((views(&mut tx, caller, &rows).await?, total))
    }
}
