//! Follow-up visits (回访) under pairing pledges: signing a pledge schedules its service lines'
//! visits as tasks, one per household and due day; a visit record (回访记录) does a task, may
//! raise a new need for the town's review, and once every task of a line is done the line is
//! done, so the pledge's derived status moves (in progress, then fulfilled).
//!
//! Who records: a member of the pledging organization, for its own pledges; a village or town
//! officer, for households in their area (a visit they made or witnessed — DESIGN.md §1 has
//! villages record visits). The visit counts for the pledge and so for its organization, whoever
//! typed it in. The county and auditors read but do not record. Who reads: like pledges — the
//! county and auditors all, towns and villages their area, an organization its own — with the
//! household's name masked for organizations and auditors.
//!
//! A task's state (due, overdue, done, cancelled) is derived on the day asked, never stored.
//! Cancelling a pledge deletes nothing: visits already made stay done, and its open tasks show
//! as cancelled instead of due or overdue, so the history of what was scheduled survives.
//!
//! A raised need is recorded as the village records one (status `submitted`, the same checks
//! on item and duplicates), with the recorder as its maker: the town reviews it, never the
//! person who raised it (maker-checker).

use crate::needs::{Names, check_item, own_organization, record, refuse_duplicate};
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::campaign::CampaignStatus;
use hearth_core::household::{HouseholdStatus, mask};
use hearth_core::need::{NeedProfile, NeedStatus, ServiceKind};
use hearth_core::permission::Permission;
use hearth_core::pledge::{PledgeAction, PledgeLine, PledgeStatus, check};
use hearth_core::role::Role;
use hearth_core::visit::{
    self, DUE_SOON_DAYS, MAX_TASKS, Satisfaction, TaskState, VisitInput, VisitMethod, VisitProfile,
};
use hearth_core::{Invalid, area::AreaCode};
use hearth_store::campaigns::{self, Campaign};
use hearth_store::needs::{self, NeedRow};
use hearth_store::organizations::PageRequest;
use hearth_store::pledges::{self, Pledge, PledgeHousehold, PledgeLineRow};
use hearth_store::visits::{self, TaskFilter, VisitRow, VisitTask};
use hearth_store::{Tx, deliveries, households, organizations};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One visit task as to-do lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct VisitTaskView {
    pub id: Uuid,
    pub pledge_id: Uuid,
    /// 承诺书编号.
    pub pledge_number: String,
    pub line_id: Uuid,
    pub service: Option<ServiceKind>,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// In full for county, town and village officers; surname and `*` otherwise.
    pub head_name: String,
    pub due_on: NaiveDate,
    /// The visit's place in the schedule (第 2 次) and how many the household gets (共 5 次).
    pub position: u32,
    pub of: u32,
    /// Derived on the day asked.
    pub state: TaskState,
    pub visit_id: Option<Uuid>,
    pub done_at: Option<DateTime<Utc>>,
}

/// One follow-up record (回访记录).
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: Uuid,
    pub task_id: Option<Uuid>,
    pub pledge_id: Uuid,
    pub pledge_number: String,
    pub organization_name: String,
    pub household_id: Uuid,
    pub town_name: String,
    pub village_name: String,
    /// Masked like the task's.
    pub head_name: String,
    pub visited_on: NaiveDate,
    pub method: VisitMethod,
    pub visitor: String,
    pub received: bool,
    pub suitable: bool,
    pub satisfaction: Satisfaction,
    pub new_needs: String,
    pub note: String,
    /// The need the visit raised for the town's review, and its number.
    pub raised_need_id: Option<Uuid>,
    pub raised_need_number: Option<String>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// What recording a visit changed.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRecorded {
    pub visit: VisitView,
    pub task: VisitTaskView,
    /// This visit was the last open one of its service line, which is now done.
    pub line_done: bool,
    /// The pledge's status after the visit.
    pub pledge_status: PledgeStatus,
}

/// What a task list is filtered by; every field is optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskQuery {
    /// `due`, `overdue`, `done` or `cancelled` (待回访, 逾期, 已回访, 已取消).
    pub state: Option<String>,
    /// Only tasks due within this many days from today (overdue ones included unless a state
    /// says otherwise).
    pub within_days: Option<u32>,
    /// A pledge's id.
    pub pledge: Option<String>,
}

/// What the caller may see of tasks and visits, or a refusal.
fn scope(caller: &Caller) -> Result<TaskFilter> {
    caller.require(Permission::ReadPledges)?;
    let mut filter = TaskFilter::default();
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

/// Whether a household of an organization's pledge lies in the scope.
fn in_scope(filter: &TaskFilter, organization: Uuid, village: &AreaCode) -> bool {
    !filter.nothing
        && filter.organization.is_none_or(|org| org == organization)
        && filter
            .within
            .as_ref()
            .is_none_or(|area| village.is_within(area))
}

/// The names lists show beside tasks and visits, loaded once per list.
struct Context {
    names: Names,
    pledges: HashMap<Uuid, Pledge>,
    orgs: HashMap<Uuid, String>,
    heads: HashMap<Uuid, String>,
    needs: HashMap<Uuid, String>,
    full_names: bool,
}

impl Context {
    async fn load(
        tx: &mut Tx,
        caller: &Caller,
        pledge_ids: &[Uuid],
        household_ids: &[Uuid],
        need_ids: &[Uuid],
    ) -> Result<Context> {
        let mut pledges_by_id = HashMap::new();
        let mut orgs = HashMap::new();
        for id in pledge_ids {
            if pledges_by_id.contains_key(id) {
                continue;
            }
            if let Some(p) = pledges::get(tx, *id).await? {
                if !orgs.contains_key(&p.row.organization_id)
                    && let Some(org) = organizations::get(tx, p.row.organization_id).await?
                {
                    orgs.insert(org.id, org.profile.name);
                }
                pledges_by_id.insert(p.row.id, p);
            }
        }
        let heads = needs::household_briefs(tx, household_ids)
            .await?
            .into_iter()
            .map(|h| (h.id, h.head_name))
            .collect();
        let mut numbers = HashMap::new();
        for id in need_ids {
            if let Some(n) = needs::get(tx, *id).await? {
                numbers.insert(n.id, n.number);
            }
        }
        Ok(Context {
            names: Names::load(tx, &[]).await?,
            pledges: pledges_by_id,
            orgs,
            heads,
            needs: numbers,
            full_names: caller.can(Permission::RevealHouseholdDetails),
        })
    }

    fn head(&self, household: Uuid) -> String {
        let name = self.heads.get(&household).map_or("", |h| h.as_str());
        if self.full_names {
            name.to_owned()
        } else {
            mask::mask_name(name)
        }
    }

    fn pledge_number(&self, pledge: Uuid) -> String {
        self.pledges
            .get(&pledge)
            .map(|p| p.row.number.clone())
            .unwrap_or_default()
    }

    fn org_name(&self, org: Uuid) -> String {
        self.orgs.get(&org).cloned().unwrap_or_default()
    }

    fn task(&self, t: &VisitTask, today: NaiveDate) -> VisitTaskView {
        let pledge = self.pledges.get(&t.pledge_id);
        let line = pledge.and_then(|p| p.lines.iter().find(|l| l.id == t.line_id));
        let (service, of) = match line.map(|l| &l.line) {
            Some(PledgeLine::Service { service, schedule }) => (
                Some(*service),
                u32::try_from(visit::due_dates(schedule).len()).unwrap_or(u32::MAX),
            ),
            _ => (None, 0),
        };
        let cancelled = pledge.is_some_and(|p| p.row.cancelled_at.is_some());
        VisitTaskView {
            id: t.id,
            pledge_id: t.pledge_id,
            pledge_number: self.pledge_number(t.pledge_id),
            line_id: t.line_id,
            service,
            organization_id: t.organization_id,
            organization_name: self.org_name(t.organization_id),
            household_id: t.household_id,
            town_name: self.names.area(&t.town),
            village_name: self.names.area(&t.village),
            head_name: self.head(t.household_id),
            due_on: t.due_on,
            position: t.position,
            of,
            state: visit::task_state(t.due_on, t.visit_id.is_some(), cancelled, today),
            visit_id: t.visit_id,
            done_at: t.done_at,
        }
    }

    fn visit(&self, v: &VisitRow) -> VisitView {
        VisitView {
            id: v.id,
            task_id: v.task_id,
            pledge_id: v.pledge_id,
            pledge_number: self.pledge_number(v.pledge_id),
            organization_name: self.org_name(v.organization_id),
            household_id: v.household_id,
            town_name: self.names.area(&v.town),
            village_name: self.names.area(&v.village),
            head_name: self.head(v.household_id),
            visited_on: v.visited_on,
            method: v.method,
            visitor: v.visitor.clone(),
            received: v.received,
            suitable: v.suitable,
            satisfaction: v.satisfaction,
            new_needs: v.new_needs.clone(),
            note: v.note.clone(),
            raised_need_id: v.raised_need_id,
            raised_need_number: v.raised_need_id.and_then(|n| self.needs.get(&n).cloned()),
            recorded_by: v.recorded_by,
            created_at: v.created_at,
        }
    }
}

/// The households a service line serves: the household of the need it answers, or every
/// household of the letter.
async fn served<'a>(
    tx: &mut Tx,
    pledge: &'a Pledge,
    line: &PledgeLineRow,
) -> Result<Vec<&'a PledgeHousehold>> {
    let of_need = match line.need_id {
        Some(id) => needs::get(tx, id).await?.map(|n| n.household_id),
        None => None,
    };
    Ok(pledge
        .households
        .iter()
        .filter(|h| of_need.is_none_or(|id| id == h.household_id))
        .collect())
}

/// Schedules the visits of a pledge just signed: one task per household and due day of each
/// service line, in the signing transaction. Refuses a schedule of more than [`MAX_TASKS`].
pub(crate) async fn schedule(tx: &mut Tx, caller: &Caller, pledge: &Pledge) -> Result<()> {
    let mut planned = Vec::new();
    for line in &pledge.lines {
        if let PledgeLine::Service { schedule, .. } = &line.line {
            planned.push((
                line,
                served(tx, pledge, line).await?,
                visit::due_dates(schedule),
            ));
        }
    }
    let count: usize = planned.iter().map(|(_, h, d)| h.len() * d.len()).sum();
    if count == 0 {
        return Ok(());
    }
    if count > MAX_TASKS {
        return Err(Invalid::new("lines", "visit.too_many_tasks")
            .arg("count", count)
            .arg("max", MAX_TASKS)
            .into());
    }
    let mut tasks = Vec::with_capacity(count);
    for (line, households, dates) in &planned {
        for h in households {
            for (position, due_on) in (1u32..).zip(dates) {
                tasks.push(VisitTask {
                    id: Uuid::now_v7(),
                    pledge_id: pledge.row.id,
                    line_id: line.id,
                    household_id: h.household_id,
                    organization_id: pledge.row.organization_id,
                    campaign_id: pledge.row.campaign_id,
                    village: h.village.clone(),
                    town: h.town.clone(),
                    due_on: *due_on,
                    position,
                    visit_id: None,
                    done_at: None,
                });
            }
        }
    }
    visits::insert_tasks(tx, &tasks).await?;
    let actor = caller.actor();
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action: "visit_tasks_scheduled",
            record_type: "pledge",
            record_id: pledge.row.id.to_string(),
            detail: serde_json::json!({
                "number": pledge.row.number,
                "tasks": count,
                "first_due": tasks.iter().map(|t| t.due_on).min(),
                "last_due": tasks.iter().map(|t| t.due_on).max(),
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// The task, with its pledge locked for this transaction, if the caller may record a visit on
/// it; otherwise "not found" (existence does not leak).
async fn task_to_visit(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<(VisitTask, Pledge)> {
    caller.require(Permission::RecordVisits)?;
    let pledge_id = visits::get_task(tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .pledge_id;
    // From here on, visits, deliveries and cancelling of this pledge wait for this one; the
    // task is read again under the lock, as the visit before may just have done it.
    deliveries::lock_pledge(tx, pledge_id).await?;
    let task = visits::get_task(tx, id).await?.ok_or(AppError::NotFound)?;
    let pledge = pledges::get(tx, task.pledge_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = match caller.user.role {
        Role::OrgMember => own_organization(tx, caller)
            .await?
            .is_some_and(|org| org.id == task.organization_id),
        _ => caller
            .user
            .area_code
            .as_ref()
            .is_some_and(|area| task.village.is_within(area)),
    };
    if allowed {
        Ok((task, pledge))
    } else {
        Err(AppError::NotFound)
    }
}

/// A refusal about the raised need, named as a field of the visit form (`need.item`).
fn within_need(e: AppError) -> AppError {
    match e {
        AppError::Invalid(es) => {
            AppError::Invalid(es.into_iter().map(|e| e.within("need")).collect())
        }
        AppError::Conflict(e) => AppError::Conflict(e.within("need")),
        other => other,
    }
}

/// Records the need a visit raised, waiting for the town's review (待审核).
async fn raise_need(
    tx: &mut Tx,
    caller: &Caller,
    task: &VisitTask,
    campaign: &Campaign,
    profile: &NeedProfile,
    visit: Uuid,
) -> Result<NeedRow> {
    let household = households::get(tx, task.household_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if household.status != HouseholdStatus::Approved.as_str() || household.anonymised_at.is_some() {
        return Err(Invalid::new("need", "visit.need_household").into());
    }
    if campaign.status != CampaignStatus::Launched {
        return Err(Invalid::new("need", "visit.need_campaign_closed")
            .arg("name", &campaign.profile.name)
            .into());
    }
    check_item(tx, &profile.line).await.map_err(within_need)?;
    refuse_duplicate(tx, household.id, campaign.id, &profile.line, None)
        .await
        .map_err(within_need)?;
    let now = hearth_store::now();
    let row = NeedRow {
        id: Uuid::now_v7(),
        number: needs::next_number(tx, campaign.id, &campaign.profile.code).await?,
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
    needs::insert(tx, &row).await?;
    record(
        tx,
        caller,
        "need_recorded",
        row.id,
        serde_json::json!({
            "number": row.number,
            "household": household.id.to_string(),
            "campaign": campaign.profile.code,
            "kind": row.line.kind().as_str(),
            "raised_by_visit": visit.to_string(),
        }),
        String::new(),
    )
    .await?;
    Ok(row)
}

/// 已发放: the need a service line answers, once all its visits are made, if the pledging
/// organization still holds it (a released claim stays as the town left it).
async fn fulfil(
    tx: &mut Tx,
    caller: &Caller,
    pledge: &Pledge,
    need: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(need) = needs::get(tx, need).await?.filter(|n| {
        n.status == NeedStatus::Claimed && n.claimed_by == Some(pledge.row.organization_id)
    }) else {
        return Ok(());
    };
    let need = crate::needs::mark_fulfilled(tx, need, at).await?;
    let next = need.status;
    record(
        tx,
        caller,
        "need_fulfilled",
        need.id,
        serde_json::json!({"number": need.number, "status": next.as_str()}),
        String::new(),
    )
    .await
}

/// The record of a visit that does `task`.
fn visit_row(
    caller: &Caller,
    task: &VisitTask,
    profile: VisitProfile,
    raised: Option<&NeedRow>,
    id: Uuid,
    now: DateTime<Utc>,
) -> VisitRow {
    VisitRow {
        id,
        task_id: Some(task.id),
        pledge_id: task.pledge_id,
        household_id: task.household_id,
        organization_id: task.organization_id,
        campaign_id: task.campaign_id,
        village: task.village.clone(),
        town: task.town.clone(),
        visited_on: profile.visited_on,
        method: profile.method,
        visitor: profile.visitor,
        received: profile.received,
        suitable: profile.suitable,
        satisfaction: profile.satisfaction,
        new_needs: profile.new_needs,
        note: profile.note,
        raised_need_id: raised.map(|n| n.id),
        recorded_by: caller.user.id,
        created_at: now,
    }
}

/// Marks the task done by `visit`; when it was the line's last open task, the line is done
/// and the need it answers fulfilled. True if the line is done now.
async fn progress(
    tx: &mut Tx,
    caller: &Caller,
    pledge: &Pledge,
    task: &VisitTask,
    visit: Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !visits::complete_task(tx, task.id, visit, now).await? {
        return Err(AppError::Conflict(Invalid::new(
            "task",
            "visit.already_done",
        )));
    }
    let line_done = visits::open_tasks_of_line(tx, task.line_id).await? == 0
        && pledges::mark_line_done(tx, task.line_id, now).await?;
    let need = pledge
        .lines
        .iter()
        .find(|l| l.id == task.line_id)
        .and_then(|l| l.need_id);
    if line_done && let Some(need) = need {
        fulfil(tx, caller, pledge, need, now).await?;
    }
    Ok(line_done)
}

/// The visit's day in the county's calendar may not precede the signature.
fn after_signing(pledge: &Pledge, profile: &VisitProfile) -> Result<()> {
    let signed = pledge
        .row
        .signed_at
        .map(|at| at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive());
    match signed {
        Some(day) if profile.visited_on < day => {
            Err(Invalid::new("visited_on", "visit.before_signed")
                .arg("signed", day)
                .into())
        }
        _ => Ok(()),
    }
}

async fn audit(
    tx: &mut Tx,
    caller: &Caller,
    pledge: &Pledge,
    row: &VisitRow,
    raised: Option<&NeedRow>,
    visited: &[Uuid],
) -> Result<()> {
    let actor = caller.actor();
    hearth_store::audit::append(
        tx,
        hearth_store::audit::NewEvent {
            actor: &actor,
            action: "visit_recorded",
            record_type: "visit",
            record_id: row.id.to_string(),
            detail: serde_json::json!({
                "pledge": pledge.row.number,
                "task": row.task_id.map(|t| t.to_string()),
                "household": row.household_id.to_string(),
                "visited_on": row.visited_on,
                "method": row.method.as_str(),
                "satisfaction": row.satisfaction.as_str(),
                "raised_need": raised.map(|n| n.number.clone()),
                "needs_visited": visited.len(),
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Records a follow-up visit that does the task `task`. See [`App::record_visit_on`].
    pub async fn record_visit(
        &self,
        caller: &Caller,
        task: Uuid,
        input: &VisitInput,
    ) -> Result<VisitRecorded> {
        self.record_visit_on(caller, task, input, today()).await
    }

    /// 登记回访 as on `today` (the visit lies on or before it and on or after the signature):
    /// only on a signed, in-progress or lapsed pledge; the task is done, its line too once all
    /// of the line's tasks are, and a need the form carries is raised for the town's review.
    pub async fn record_visit_on(
        &self,
        caller: &Caller,
        task: Uuid,
        input: &VisitInput,
        today: NaiveDate,
    ) -> Result<VisitRecorded> {
        // Two raised needs may take the same need number at once (PostgreSQL): the unique
        // index refuses the second visit, which tries again with the next number.
        let mut attempt = 0;
        loop {
            match self.try_record_visit(caller, task, input, today).await {
                Err(AppError::Store(e)) if e.is_unique_violation() => {
                    attempt += 1;
                    if attempt == 5 {
                        return Err(AppError::Conflict(Invalid::new("need", "need.number_busy")));
                    }
                }
                other => return other,
            }
        }
    }

    async fn try_record_visit(
        &self,
        caller: &Caller,
        id: Uuid,
        input: &VisitInput,
        today: NaiveDate,
    ) -> Result<VisitRecorded> {
        let mut tx = self.store().write().await?;
        let (task, pledge) = task_to_visit(&mut tx, caller, id).await?;
        if task.visit_id.is_some() {
            return Err(AppError::Conflict(Invalid::new(
                "task",
                "visit.already_done",
            )));
        }
        check(pledge.status(today), PledgeAction::Progress)?;
        let campaign = campaigns::get(&mut tx, task.campaign_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let profile = input
            .parse(today, task.household_id, &campaign.profile.code)
            .map_err(AppError::Invalid)?;
        after_signing(&pledge, &profile)?;
        let visit_id = Uuid::now_v7();
        let raised = match &profile.need {
            Some(need) => {
                Some(raise_need(&mut tx, caller, &task, &campaign, need, visit_id).await?)
            }
            None => None,
        };
        let now = hearth_store::now();
        let row = visit_row(caller, &task, profile, raised.as_ref(), visit_id, now);
        visits::insert(&mut tx, &row).await?;
        let line_done = progress(&mut tx, caller, &pledge, &task, row.id, now).await?;
        let visited =
            visits::mark_needs_visited(&mut tx, pledge.row.id, task.household_id, now).await?;
        audit(&mut tx, caller, &pledge, &row, raised.as_ref(), &visited).await?;
        let task = visits::get_task(&mut tx, task.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let context = Context::load(
            &mut tx,
            caller,
            &[pledge.row.id],
            &[task.household_id],
            &raised.iter().map(|n| n.id).collect::<Vec<_>>(),
        )
        .await?;
        let pledge_status = context
            .pledges
            .get(&pledge.row.id)
            .ok_or(AppError::NotFound)?
            .status(today);
        let out = VisitRecorded {
            visit: context.visit(&row),
            task: context.task(&task, today),
            line_done,
            pledge_status,
        };
        tx.commit().await?;
        Ok(out)
    }

    /// The visit tasks in the caller's scope, the earliest due first, with their state as
    /// today, and how many match in all.
    pub async fn visit_tasks(
        &self,
        caller: &Caller,
        query: &TaskQuery,
        page: PageRequest,
    ) -> Result<(Vec<VisitTaskView>, i64)> {
        self.visit_tasks_on(caller, query, page, today()).await
    }

    /// [`App::visit_tasks`] as on `today`.
    pub async fn visit_tasks_on(
        &self,
        caller: &Caller,
        query: &TaskQuery,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<(Vec<VisitTaskView>, i64)> {
        let mut filter = scope(caller)?;
        filter.today = today;
        filter.state = crate::needs::given(&query.state)
            .map(TaskState::parse)
            .transpose()?;
        filter.due_by = query
            .within_days
            .map(|days| today + chrono::Days::new(u64::from(days)));
        filter.pledge = crate::needs::given(&query.pledge)
            .map(|p| {
                Uuid::parse_str(p).map_err(|_| Invalid::new("pledge", "pledge.id").arg("value", p))
            })
            .transpose()?;
        let mut tx = self.store().read().await?;
        let (tasks, total) = visits::search_tasks(&mut tx, &filter, page).await?;
        let pledge_ids: Vec<Uuid> = tasks.iter().map(|t| t.pledge_id).collect();
        let household_ids: Vec<Uuid> = tasks.iter().map(|t| t.household_id).collect();
        let context = Context::load(&mut tx, caller, &pledge_ids, &household_ids, &[]).await?;
        Ok((
            tasks.iter().map(|t| context.task(t, today)).collect(),
            total,
        ))
    }

    /// 待办 counts on `today`: tasks due within [`DUE_SOON_DAYS`] days, and tasks overdue, in
    /// the caller's scope — `(due_soon, overdue)`.
    pub async fn visit_todo(&self, caller: &Caller, today: NaiveDate) -> Result<(i64, i64)> {
        let mut filter = scope(caller)?;
        filter.today = today;
        let mut tx = self.store().read().await?;
        let due_soon = TaskFilter {
            state: Some(TaskState::Due),
            due_by: Some(today + chrono::Days::new(u64::from(DUE_SOON_DAYS))),
            ..filter.clone()
        };
        let overdue = TaskFilter {
            state: Some(TaskState::Overdue),
            ..filter
        };
        Ok((
            visits::count_tasks(&mut tx, &due_soon).await?,
            visits::count_tasks(&mut tx, &overdue).await?,
        ))
    }

    /// The visits under a pledge in the caller's scope (a town or village sees those to its own
    /// households), oldest first.
    pub async fn visits_for_pledge(&self, caller: &Caller, pledge: Uuid) -> Result<Vec<VisitView>> {
        let filter = scope(caller)?;
        let mut tx = self.store().read().await?;
        let found = pledges::get(&mut tx, pledge)
            .await?
            .ok_or(AppError::NotFound)?;
        if !found
            .households
            .iter()
            .any(|h| in_scope(&filter, found.row.organization_id, &h.village))
        {
            return Err(AppError::NotFound);
        }
        let rows: Vec<VisitRow> = visits::of_pledge(&mut tx, pledge)
            .await?
            .into_iter()
            .filter(|v| in_scope(&filter, v.organization_id, &v.village))
            .collect();
        let household_ids: Vec<Uuid> = rows.iter().map(|v| v.household_id).collect();
        let need_ids: Vec<Uuid> = rows.iter().filter_map(|v| v.raised_need_id).collect();
        let context = Context::load(&mut tx, caller, &[pledge], &household_ids, &need_ids).await?;
        Ok(rows.iter().map(|v| context.visit(v)).collect())
    }
}
