//! Follow-up visits (回访): the tasks a signed pledge's service lines schedule, and the visit
//! records.
//!
//! No task state is stored: [`TaskFilter`] turns a state on a day into conditions on `due_on`,
//! `visit_id` and the pledge's cancellation, as `hearth_core::visit::task_state` derives it.
//! Completing a task is one conditional UPDATE (`... WHERE visit_id IS NULL`), so two people
//! recording the same visit at once get one success.

use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::need::NeedStatus;
use hearth_core::visit::{Satisfaction, TaskState, VisitMethod};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;
use uuid::Uuid;

/// One scheduled visit to one household under one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitTask {
    pub id: Uuid,
    pub pledge_id: Uuid,
    pub line_id: Uuid,
    pub household_id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub due_on: NaiveDate,
    /// The visit's place in the line's schedule for this household, from 1.
    pub position: u32,
    /// The visit that did it.
    pub visit_id: Option<Uuid>,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    pledge_id: Uuid,
    line_id: Uuid,
    household_id: Uuid,
    organization_id: Uuid,
    campaign_id: Uuid,
    village_code: String,
    town_code: String,
    due_on: String,
    position: i64,
    visit_id: Option<Uuid>,
    done_at: Option<DateTime<Utc>>,
}

const TASK_COLUMNS: [&str; 12] = [
    "id",
    "pledge_id",
    "line_id",
    "household_id",
    "organization_id",
    "campaign_id",
    "village_code",
    "town_code",
    "due_on",
    "position",
    "visit_id",
    "done_at",
];

impl TaskRow {
    fn into_task(self) -> Result<VisitTask> {
        Ok(VisitTask {
            id: self.id,
            pledge_id: self.pledge_id,
            line_id: self.line_id,
            household_id: self.household_id,
            organization_id: self.organization_id,
            campaign_id: self.campaign_id,
            village: parsed(
                "visit_task.village_code",
                AreaCode::parse(&self.village_code),
            )?,
            town: parsed("visit_task.town_code", AreaCode::parse(&self.town_code))?,
            due_on: parsed("visit_task.due_on", self.due_on.parse::<NaiveDate>())?,
            position: parsed("visit_task.position", u32::try_from(self.position))?,
            visit_id: self.visit_id,
            done_at: self.done_at,
        })
    }
}

fn task_values(t: &VisitTask) -> Vec<sea_query::SimpleExpr> {
    vec![
        t.id.into(),
        t.pledge_id.into(),
        t.line_id.into(),
        t.household_id.into(),
        t.organization_id.into(),
        t.campaign_id.into(),
        t.village.as_str().into(),
        t.town.as_str().into(),
        t.due_on.to_string().into(),
        i64::from(t.position).into(),
        t.visit_id.into(),
        t.done_at.into(),
    ]
}

/// Rows per INSERT statement: well inside both engines' limits on bound values.
const BATCH: usize = 400;

/// Writes the tasks a pledge's signature scheduled.
pub async fn insert_tasks(tx: &mut Tx, tasks: &[VisitTask]) -> Result<()> {
    for chunk in tasks.chunks(BATCH) {
        let mut insert = Query::insert();
        insert.into_table("visit_task").columns(TASK_COLUMNS);
        for task in chunk {
            insert.values_panic(task_values(task));
        }
        tx.execute(&insert).await?;
    }
    Ok(())
}

/// What a task list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub organization: Option<Uuid>,
    /// Tasks of households in this area (a village, a town, the county).
    pub within: Option<AreaCode>,
    pub pledge: Option<Uuid>,
    /// Tasks in this state on `today`.
    pub state: Option<TaskState>,
    pub today: NaiveDate,
    /// Tasks due on or before this day.
    pub due_by: Option<NaiveDate>,
    /// No task at all (a scope that sees nothing).
    pub nothing: bool,
}

fn cancelled_pledges() -> SelectStatement {
    Query::select()
        .column("id")
        .from("pledge")
        .and_where(Expr::col("cancelled_at").is_not_null())
        .to_owned()
}

fn task_condition(filter: &TaskFilter) -> Cond {
    let mut all = Cond::all();
    if filter.nothing {
        all = all.add(Expr::val(1).eq(0));
    }
    if let Some(org) = filter.organization {
        all = all.add(Expr::col("organization_id").eq(org));
    }
    if let Some(area) = &filter.within {
        all = all.add(Expr::col("village_code").like(format!("{}%", area.prefix())));
    }
    if let Some(pledge) = filter.pledge {
        all = all.add(Expr::col("pledge_id").eq(pledge));
    }
    if let Some(day) = filter.due_by {
        all = all.add(Expr::col("due_on").lte(day.to_string()));
    }
    let open = || {
        Cond::all()
            .add(Expr::col("visit_id").is_null())
            .add(Expr::col("pledge_id").not_in_subquery(cancelled_pledges()))
    };
    let today = filter.today.to_string();
    match filter.state {
        None => {}
        Some(TaskState::Done) => all = all.add(Expr::col("visit_id").is_not_null()),
        Some(TaskState::Due) => all = all.add(open().add(Expr::col("due_on").gte(today))),
        Some(TaskState::Overdue) => all = all.add(open().add(Expr::col("due_on").lt(today))),
        Some(TaskState::Cancelled) => {
            all = all
                .add(Expr::col("visit_id").is_null())
                .add(Expr::col("pledge_id").in_subquery(cancelled_pledges()))
        }
    }
    all
}

fn tasks_where(filter: &TaskFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("visit_task").cond_where(task_condition(filter));
    query
}

/// Tasks matching the filter, the earliest due first, and how many match in all.
pub async fn search_tasks(
    tx: &mut Tx,
    filter: &TaskFilter,
    page: PageRequest,
) -> Result<(Vec<VisitTask>, i64)> {
    let total = count_tasks(tx, filter).await?;
    let rows: Vec<TaskRow> = tx
        .fetch_all(
            tasks_where(filter)
                .columns(TASK_COLUMNS)
                .order_by("due_on", Order::Asc)
                .order_by("pledge_id", Order::Asc)
                .order_by("line_id", Order::Asc)
                .order_by("position", Order::Asc)
                .order_by("household_id", Order::Asc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((
        rows.into_iter()
            .map(TaskRow::into_task)
            .collect::<Result<_>>()?,
        total,
    ))
}

pub async fn count_tasks(tx: &mut Tx, filter: &TaskFilter) -> Result<i64> {
    tx.count(tasks_where(filter).expr(Expr::col("id").count()))
        .await
}

pub async fn get_task(tx: &mut Tx, id: Uuid) -> Result<Option<VisitTask>> {
    let row: Option<TaskRow> = tx
        .fetch_optional(
            Query::select()
                .columns(TASK_COLUMNS)
                .from("visit_task")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(TaskRow::into_task).transpose()
}

/// Records `visit` as having done the task: true if the task was still open.
pub async fn complete_task(
    tx: &mut Tx,
    task: Uuid,
    visit: Uuid,
    at: DateTime<Utc>,
) -> Result<bool> {
    let touched = tx
        .execute(
            Query::update()
                .table("visit_task")
                .value("visit_id", visit)
                .value("done_at", at)
                .and_where(Expr::col("id").eq(task))
                .and_where(Expr::col("visit_id").is_null()),
        )
        .await?;
    Ok(touched == 1)
}

/// Tasks of a service line (all its households) still without a visit.
pub async fn open_tasks_of_line(tx: &mut Tx, line: Uuid) -> Result<i64> {
    tx.count(
        Query::select()
            .expr(Expr::col("id").count())
            .from("visit_task")
            .and_where(Expr::col("line_id").eq(line))
            .and_where(Expr::col("visit_id").is_null()),
    )
    .await
}

/// One follow-up record (回访记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRow {
    pub id: Uuid,
    /// The task it did; none for a visit outside the schedule.
    pub task_id: Option<Uuid>,
    pub pledge_id: Uuid,
    pub household_id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    pub visited_on: NaiveDate,
    pub method: VisitMethod,
    pub visitor: String,
    pub received: bool,
    pub suitable: bool,
    pub satisfaction: Satisfaction,
    pub new_needs: String,
    pub note: String,
    /// The need this visit raised for the town's review.
    pub raised_need_id: Option<Uuid>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    task_id: Option<Uuid>,
    pledge_id: Uuid,
    household_id: Uuid,
    organization_id: Uuid,
    campaign_id: Uuid,
    village_code: String,
    town_code: String,
    visited_on: String,
    method: String,
    visitor: String,
    received: bool,
    suitable: bool,
    satisfaction: String,
    new_needs: String,
    note: String,
    raised_need_id: Option<Uuid>,
    recorded_by: Uuid,
    created_at: DateTime<Utc>,
}

const COLUMNS: [&str; 19] = [
    "id",
    "task_id",
    "pledge_id",
    "household_id",
    "organization_id",
    "campaign_id",
    "village_code",
    "town_code",
    "visited_on",
    "method",
    "visitor",
    "received",
    "suitable",
    "satisfaction",
    "new_needs",
    "note",
    "raised_need_id",
    "recorded_by",
    "created_at",
];

impl Row {
    fn into_row(self) -> Result<VisitRow> {
        Ok(VisitRow {
            id: self.id,
            task_id: self.task_id,
            pledge_id: self.pledge_id,
            household_id: self.household_id,
            organization_id: self.organization_id,
            campaign_id: self.campaign_id,
            village: parsed("visit.village_code", AreaCode::parse(&self.village_code))?,
            town: parsed("visit.town_code", AreaCode::parse(&self.town_code))?,
            visited_on: parsed("visit.visited_on", self.visited_on.parse::<NaiveDate>())?,
            method: parsed("visit.method", VisitMethod::parse(&self.method))?,
            visitor: self.visitor,
            received: self.received,
            suitable: self.suitable,
            satisfaction: parsed(
                "visit.satisfaction",
                Satisfaction::parse(&self.satisfaction),
            )?,
            new_needs: self.new_needs,
            note: self.note,
            raised_need_id: self.raised_need_id,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
        })
    }
}

fn values(v: &VisitRow) -> Vec<sea_query::SimpleExpr> {
    vec![
        v.id.into(),
        v.task_id.into(),
        v.pledge_id.into(),
        v.household_id.into(),
        v.organization_id.into(),
        v.campaign_id.into(),
        v.village.as_str().into(),
        v.town.as_str().into(),
        v.visited_on.to_string().into(),
        v.method.as_str().into(),
        v.visitor.clone().into(),
        v.received.into(),
        v.suitable.into(),
        v.satisfaction.as_str().into(),
        v.new_needs.clone().into(),
        v.note.clone().into(),
        v.raised_need_id.into(),
        v.recorded_by.into(),
        v.created_at.into(),
    ]
}

pub async fn insert(tx: &mut Tx, visit: &VisitRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("visit")
            .columns(COLUMNS)
            .values_panic(values(visit)),
    )
    .await?;
    Ok(())
}

/// The visits under a pledge, oldest first.
pub async fn of_pledge(tx: &mut Tx, pledge: Uuid) -> Result<Vec<VisitRow>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("visit")
                .and_where(Expr::col("pledge_id").eq(pledge))
                .order_by("visited_on", Order::Asc)
                .order_by("created_at", Order::Asc),
        )
        .await?;
    rows.into_iter().map(Row::into_row).collect()
}

/// How many follow-up visits an organization recorded (its cultivation record counts them).
pub async fn count_by_organization(tx: &mut Tx, organization: Uuid) -> Result<i64> {
    tx.count(
        Query::select()
            .expr(Expr::col("id").count())
            .from("visit")
            .and_where(Expr::col("organization_id").eq(organization)),
    )
    .await
}

/// Marks as visited (已回访) the delivered needs of `household` that lines of `pledge` answer
/// and no visit followed yet; returns their ids.
pub async fn mark_needs_visited(
    tx: &mut Tx,
    pledge: Uuid,
    household: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>> {
    #[derive(sqlx::FromRow)]
    struct Id {
        id: Uuid,
    }
    let answered = Query::select()
        .column("need_id")
        .from("pledge_line")
        .and_where(Expr::col("pledge_id").eq(pledge))
        .and_where(Expr::col("need_id").is_not_null())
        .to_owned();
    let ids: Vec<Id> = tx
        .fetch_all(
            Query::select()
                .column("id")
                .from("need")
                .and_where(Expr::col("id").in_subquery(answered))
                .and_where(Expr::col("household_id").eq(household))
                .and_where(Expr::col("status").eq(NeedStatus::Fulfilled.as_str()))
                .and_where(Expr::col("visited_at").is_null()),
        )
        .await?;
    let ids: Vec<Uuid> = ids.into_iter().map(|i| i.id).collect();
    if !ids.is_empty() {
        tx.execute(
            Query::update()
                .table("need")
                .value("visited_at", at)
                .value("version", Expr::col("version").add(1))
                .value("updated_at", at)
                .and_where(Expr::col("id").is_in(ids.iter().copied())),
        )
        .await?;
    }
    Ok(ids)
}
