//! The administrative divisions: province → city → county → town (乡镇/园区) → village (村/社区).

use crate::{Result, Tx, parsed};
use hearth_core::area::{AreaCode, AreaLevel};
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    pub level: AreaLevel,
    pub parent: Option<AreaCode>,
    /// The name people use in speech and spreadsheets (经开区 for 安徽肥西经济开发区).
    pub short_name: String,
    /// Invented for the demo (示例), not the county's real list.
    pub is_example: bool,
    pub note: String,
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
    short_name: String,
    is_example: bool,
    note: String,
}

const COLUMNS: [&str; 7] = [
    "code",
    "name",
    "level",
    "parent_code",
    "short_name",
    "is_example",
    "note",
];

impl AreaRow {
    fn into_area(self) -> Result<Area> {
        Ok(Area {
            code: parsed("area.code", AreaCode::parse(&self.code))?,
            name: self.name,
            level: parsed("area.level", self.level.parse::<AreaLevel>())?,
            parent: self
                .parent_code
                .map(|p| parsed("area.parent_code", AreaCode::parse(&p)))
                .transpose()?,
            short_name: self.short_name,
            is_example: self.is_example,
            note: self.note,
        })
    }
}

/// Inserts the area, or updates its name and notes if the code exists.
pub async fn upsert(tx: &mut Tx, area: &Area) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("area")
            .columns(COLUMNS)
            .values_panic([
                area.code.as_str().into(),
                area.name.clone().into(),
                area.level.as_str().into(),
                area.parent.as_ref().map(|p| p.as_str().to_owned()).into(),
                area.short_name.clone().into(),
                area.is_example.into(),
                area.note.clone().into(),
            ])
            .on_conflict(
                OnConflict::column("code")
                    .update_columns([
                        "name",
                        "level",
                        "parent_code",
                        "short_name",
                        "is_example",
                        "note",
                    ])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// Every area, ordered by code (parents before children).
pub async fn all(tx: &mut Tx) -> Result<Vec<Area>> {
    let rows: Vec<AreaRow> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("area")
                .order_by("code", Order::Asc),
        )
        .await?;
    rows.into_iter().map(AreaRow::into_area).collect()
}

pub async fn get(tx: &mut Tx, code: &AreaCode) -> Result<Option<Area>> {
    let row: Option<AreaRow> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("area")
                .and_where(Expr::col("code").eq(code.as_str())),
        )
        .await?;
    row.map(AreaRow::into_area).transpose()
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    tx.count(Query::select().expr(Expr::col("code").count()).from("area"))
        .await
}

/// Records the area that runs a campaign (its county), once, when the campaign is created.
pub async fn set_campaign_area(tx: &mut Tx, campaign: Uuid, area: &AreaCode) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("campaign_area")
            .columns(["campaign_id", "area_code"])
            .values_panic([campaign.into(), area.as_str().into()])
            .on_conflict(
                OnConflict::column("campaign_id")
                    .update_column("area_code")
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CampaignAreaRow {
    campaign_id: Uuid,
    area_code: String,
}

/// The area of every campaign that has one; a campaign missing here belongs to the whole
/// deployment.
pub async fn campaign_areas(tx: &mut Tx) -> Result<HashMap<Uuid, AreaCode>> {
    let rows: Vec<CampaignAreaRow> = tx
        .fetch_all(
            Query::select()
                .columns(["campaign_id", "area_code"])
                .from("campaign_area"),
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            let area = parsed("campaign_area.area_code", AreaCode::parse(&r.area_code))?;
            Ok((r.campaign_id, area))
        })
        .collect()
}

/// The condition "the campaign in `column` is one of `area`'s counties' (or covers them, or
/// belongs to the whole deployment)", for filters over rows that carry a campaign.
pub fn campaign_reaches(column: &'static str, area: &AreaCode) -> Cond {
    let ancestors: Vec<String> = std::iter::successors(Some(area.clone()), AreaCode::parent)
        .map(|a| a.as_str().to_owned())
        .collect();
    let reached = Query::select()
        .column("campaign_id")
        .from("campaign_area")
        .cond_where(
            Cond::any()
                .add(Expr::col("area_code").like(format!("{}%", area.prefix())))
                .add(Expr::col("area_code").is_in(ancestors)),
        )
        .to_owned();
    let placed = Query::select()
        .column("campaign_id")
        .from("campaign_area")
        .to_owned();
    Cond::any()
        .add(Expr::col(column).in_subquery(reached))
        .add(Expr::col(column).not_in_subquery(placed))
}
