//! Campaigns and enrolments.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::Fen;
use hearth_core::campaign::{CampaignProfile, CampaignStatus, EnrolmentStatus};
use hearth_core::organization::ServiceField;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: Uuid,
    #[serde(flatten)]
    pub profile: CampaignProfile,
    pub status: CampaignStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    code: String,
    name: String,
    year: i64,
    starts_on: String,
    ends_on: String,
    focus_fields: String,
    target_households: i64,
    target_cash_fen: i64,
    target_items: i64,
    arrangements: String,
    status: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: [&str; 15] = [
    "id",
    "code",
    "name",
    "year",
    "starts_on",
    "ends_on",
    "focus_fields",
    "target_households",
    "target_cash_fen",
    "target_items",
    "arrangements",
    "status",
    "version",
    "created_at",
    "updated_at",
];

impl Row {
    fn into_campaign(self) -> Result<Campaign> {
        let fields: Vec<String> = parsed(
            "campaign.focus_fields",
            serde_json::from_str(&self.focus_fields),
        )?;
        Ok(Campaign {
            id: self.id,
            profile: CampaignProfile {
                code: self.code,
                name: self.name,
                year: parsed("campaign.year", i32::try_from(self.year))?,
                starts_on: parsed("campaign.starts_on", self.starts_on.parse::<NaiveDate>())?,
                ends_on: parsed("campaign.ends_on", self.ends_on.parse::<NaiveDate>())?,
                focus_fields: fields
                    .iter()
                    .map(|f| parsed("campaign.focus_fields", ServiceField::parse(f)))
                    .collect::<Result<_>>()?,
                target_households: parsed(
                    "campaign.target_households",
                    u32::try_from(self.target_households),
                )?,
                target_cash: Fen::new(self.target_cash_fen),
                target_items: parsed("campaign.target_items", u32::try_from(self.target_items))?,
                arrangements: self.arrangements,
            },
            status: parsed("campaign.status", CampaignStatus::parse(&self.status))?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn values(c: &Campaign) -> Vec<sea_query::SimpleExpr> {
    let p = &c.profile;
    let fields = serde_json::Value::from(
        p.focus_fields
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>(),
    )
    .to_string();
    vec![
        c.id.into(),
        p.code.clone().into(),
        p.name.clone().into(),
        i64::from(p.year).into(),
        p.starts_on.to_string().into(),
        p.ends_on.to_string().into(),
        fields.into(),
        i64::from(p.target_households).into(),
        p.target_cash.fen().into(),
        i64::from(p.target_items).into(),
        p.arrangements.clone().into(),
        c.status.as_str().into(),
        c.version.into(),
        c.created_at.into(),
        c.updated_at.into(),
    ]
}

pub async fn insert(tx: &mut Tx, campaign: &Campaign) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("campaign")
            .columns(COLUMNS)
            .values_panic(values(campaign)),
    )
    .await?;
    Ok(())
}

/// Writes the campaign if still at `expected_version`.
pub async fn update(tx: &mut Tx, campaign: &Campaign, expected_version: i64) -> Result<bool> {
    let mut update = Query::update();
    update.table("campaign");
    for (column, value) in COLUMNS.iter().zip(values(campaign)).skip(1) {
        update.value(*column, value);
    }
    update
        .and_where(Expr::col("id").eq(campaign.id))
        .and_where(Expr::col("version").eq(expected_version));
    Ok(tx.execute(&update).await? == 1)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Campaign>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("campaign")
                .order_by("year", Order::Desc)
                .order_by("code", Order::Asc),
        )
        .await?;
    rows.into_iter().map(Row::into_campaign).collect()
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Campaign>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("campaign")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(Row::into_campaign).transpose()
}

pub async fn by_code(tx: &mut Tx, code: &str) -> Result<Option<Campaign>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("campaign")
                .and_where(Expr::col("code").eq(code.trim().to_ascii_uppercase())),
        )
        .await?;
    row.map(Row::into_campaign).transpose()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub campaign_id: Uuid,
    pub organization_id: Uuid,
    pub batch: Option<u32>,
    pub status: EnrolmentStatus,
    pub applied_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct EnrolmentRow {
    campaign_id: Uuid,
    organization_id: Uuid,
    batch: Option<i64>,
    status: String,
    applied_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<Uuid>,
}

const ENROLMENT_COLUMNS: [&str; 7] = [
    "campaign_id",
    "organization_id",
    "batch",
    "status",
    "applied_at",
    "decided_at",
    "decided_by",
];

impl EnrolmentRow {
    fn into_enrolment(self) -> Result<Enrolment> {
        Ok(Enrolment {
            campaign_id: self.campaign_id,
            organization_id: self.organization_id,
            batch: self
                .batch
                .map(|b| parsed("enrolment.batch", u32::try_from(b)))
                .transpose()?,
            status: parsed("enrolment.status", EnrolmentStatus::parse(&self.status))?,
            applied_at: self.applied_at,
            decided_at: self.decided_at,
            decided_by: self.decided_by,
        })
    }
}

/// Inserts or replaces the organization's enrolment in the campaign.
pub async fn put_enrolment(tx: &mut Tx, e: &Enrolment) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("enrolment")
            .columns(ENROLMENT_COLUMNS)
            .values_panic([
                e.campaign_id.into(),
                e.organization_id.into(),
                e.batch.map(i64::from).into(),
                e.status.as_str().into(),
                e.applied_at.into(),
                e.decided_at.into(),
                e.decided_by.into(),
            ])
            .on_conflict(
                OnConflict::columns(["campaign_id", "organization_id"])
                    .update_columns(["batch", "status", "applied_at", "decided_at", "decided_by"])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

pub async fn enrolments(tx: &mut Tx, campaign: Uuid) -> Result<Vec<Enrolment>> {
    let rows: Vec<EnrolmentRow> = tx
        .fetch_all(
            Query::select()
                .columns(ENROLMENT_COLUMNS)
                .from("enrolment")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .order_by("batch", Order::Asc),
        )
        .await?;
    rows.into_iter().map(EnrolmentRow::into_enrolment).collect()
}

pub async fn enrolment(
    tx: &mut Tx,
    campaign: Uuid,
    organization: Uuid,
) -> Result<Option<Enrolment>> {
    let row: Option<EnrolmentRow> = tx
        .fetch_optional(
            Query::select()
                .columns(ENROLMENT_COLUMNS)
                .from("enrolment")
                .and_where(Expr::col("campaign_id").eq(campaign))
                .and_where(Expr::col("organization_id").eq(organization)),
        )
        .await?;
    row.map(EnrolmentRow::into_enrolment).transpose()
}

/// Whether the organization is enrolled in at least one launched campaign.
pub async fn is_active_participant(tx: &mut Tx, organization: Uuid) -> Result<bool> {
    let n = tx
        .count(
            Query::select()
                .expr(Expr::col("organization_id").count())
                .from("enrolment")
                .and_where(Expr::col("organization_id").eq(organization))
                .and_where(Expr::col("status").eq(EnrolmentStatus::Enrolled.as_str()))
                .and_where(
                    Expr::col("campaign_id").in_subquery(
                        Query::select()
                            .column("id")
                            .from("campaign")
                            .and_where(Expr::col("status").eq(CampaignStatus::Launched.as_str()))
                            .to_owned(),
                    ),
                ),
        )
        .await?;
    Ok(n > 0)
}
