//! Cultivating organizations (培育): evaluation grades and logged activities. Both are only
//! added, never rewritten: a new evaluation is a new row, so the history stays whole.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::cultivation::{Grade, Rating};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use uuid::Uuid;

/// One evaluation of one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub rating: Rating,
    /// Who recorded it.
    pub rated_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// One activity an organization logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub held_on: NaiveDate,
    pub place: String,
    pub participants: u32,
    pub title: String,
    pub summary: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StoredRating {
    id: Uuid,
    organization_id: Uuid,
    grade: String,
    rated_on: String,
    valid_until: String,
    note: String,
    rated_by: Uuid,
    created_at: DateTime<Utc>,
}

const RATING_COLUMNS: [&str; 8] = [
    "id",
    "organization_id",
    "grade",
    "rated_on",
    "valid_until",
    "note",
    "rated_by",
    "created_at",
];

impl StoredRating {
    fn into_row(self) -> Result<RatingRow> {
        Ok(RatingRow {
            id: self.id,
            organization_id: self.organization_id,
            rating: Rating {
                grade: parsed("organization_rating.grade", Grade::parse(&self.grade))?,
                rated_on: parsed("organization_rating.rated_on", self.rated_on.parse())?,
                valid_until: parsed("organization_rating.valid_until", self.valid_until.parse())?,
                note: self.note,
            },
            rated_by: self.rated_by,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StoredActivity {
    id: Uuid,
    organization_id: Uuid,
    campaign_id: Option<Uuid>,
    held_on: String,
    place: String,
    participants: i64,
    title: String,
    summary: String,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const ACTIVITY_COLUMNS: [&str; 11] = [
    "id",
    "organization_id",
    "campaign_id",
    "held_on",
    "place",
    "participants",
    "title",
    "summary",
    "created_by",
    "created_at",
    "updated_at",
];

impl StoredActivity {
    fn into_row(self) -> Result<ActivityRow> {
        Ok(ActivityRow {
            id: self.id,
            organization_id: self.organization_id,
            campaign_id: self.campaign_id,
            held_on: parsed("organization_activity.held_on", self.held_on.parse())?,
            place: self.place,
            participants: parsed(
                "organization_activity.participants",
                u32::try_from(self.participants),
            )?,
            title: self.title,
            summary: self.summary,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub async fn insert_rating(tx: &mut Tx, row: &RatingRow) -> Result<()> {
    let r = &row.rating;
    tx.execute(
        Query::insert()
            .into_table("organization_rating")
            .columns(RATING_COLUMNS)
            .values_panic([
                row.id.into(),
                row.organization_id.into(),
                r.grade.as_str().into(),
                r.rated_on.to_string().into(),
                r.valid_until.to_string().into(),
                r.note.clone().into(),
                row.rated_by.into(),
                row.created_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The organization's evaluations, the latest decision first.
pub async fn ratings(tx: &mut Tx, organization: Uuid) -> Result<Vec<RatingRow>> {
    let rows: Vec<StoredRating> = tx
        .fetch_all(
            Query::select()
                .columns(RATING_COLUMNS)
                .from("organization_rating")
                .and_where(Expr::col("organization_id").eq(organization))
                .order_by("rated_on", Order::Desc)
                .order_by("created_at", Order::Desc),
        )
        .await?;
    rows.into_iter().map(StoredRating::into_row).collect()
}

pub async fn insert_activity(tx: &mut Tx, row: &ActivityRow) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("organization_activity")
            .columns(ACTIVITY_COLUMNS)
            .values_panic([
                row.id.into(),
                row.organization_id.into(),
                row.campaign_id.into(),
                row.held_on.to_string().into(),
                row.place.clone().into(),
                i64::from(row.participants).into(),
                row.title.clone().into(),
                row.summary.clone().into(),
                row.created_by.into(),
                row.created_at.into(),
                row.updated_at.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The organization's activities, the most recent first.
pub async fn activities(tx: &mut Tx, organization: Uuid) -> Result<Vec<ActivityRow>> {
    let rows: Vec<StoredActivity> = tx
        .fetch_all(
            Query::select()
                .columns(ACTIVITY_COLUMNS)
                .from("organization_activity")
                .and_where(Expr::col("organization_id").eq(organization))
                .order_by("held_on", Order::Desc)
                .order_by("created_at", Order::Desc),
        )
        .await?;
    rows.into_iter().map(StoredActivity::into_row).collect()
}

pub async fn activity(tx: &mut Tx, id: Uuid) -> Result<Option<ActivityRow>> {
    let row: Option<StoredActivity> = tx
        .fetch_optional(
            Query::select()
                .columns(ACTIVITY_COLUMNS)
                .from("organization_activity")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(StoredActivity::into_row).transpose()
}
