//! The administrative divisions: province → city → county → town (乡镇/园区) → village (村/社区).

use crate::{Result, Tx, parsed};
use hearth_core::area::{AreaCode, AreaLevel};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;

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
