//! The item catalogue (物资目录), seeded by migration 0005 with demo reference values.

use crate::{Result, Tx};
use hearth_core::Fen;
use hearth_core::need::Item;
use sea_query::{Expr, ExprTrait, Order, Query};

#[derive(sqlx::FromRow)]
struct Row {
    code: String,
    name: String,
    name_en: String,
    unit: String,
    spec: String,
    reference_value_fen: i64,
    active: bool,
}

const COLUMNS: [&str; 7] = [
    "code",
    "name",
    "name_en",
    "unit",
    "spec",
    "reference_value_fen",
    "active",
];

impl From<Row> for Item {
    fn from(r: Row) -> Item {
        Item {
            code: r.code,
            name: r.name,
            name_en: r.name_en,
            unit: r.unit,
            spec: r.spec,
            reference_value: Fen::new(r.reference_value_fen),
            active: r.active,
        }
    }
}

/// The catalogue in its display order; inactive entries only when asked.
pub async fn list(tx: &mut Tx, include_inactive: bool) -> Result<Vec<Item>> {
    let mut query = Query::select();
    query
        .columns(COLUMNS)
        .from("item")
        .order_by("position", Order::Asc)
        .order_by("code", Order::Asc);
    if !include_inactive {
        query.and_where(Expr::col("active").eq(true));
    }
    let rows: Vec<Row> = tx.fetch_all(&query).await?;
    Ok(rows.into_iter().map(Item::from).collect())
}

pub async fn get(tx: &mut Tx, code: &str) -> Result<Option<Item>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("item")
                .and_where(Expr::col("code").eq(code)),
        )
        .await?;
    Ok(row.map(Item::from))
}

/// Adds an item at the end of the catalogue; `false` when the code exists already.
pub async fn insert(tx: &mut Tx, item: &Item) -> Result<bool> {
    let last = tx
        .count(
            Query::select()
                .expr(Expr::cust("COALESCE(MAX(position), 0)"))
                .from("item"),
        )
        .await?;
    let result = tx
        .execute(
            Query::insert()
                .into_table("item")
                .columns([
                    "code",
                    "name",
                    "name_en",
                    "unit",
                    "spec",
                    "reference_value_fen",
                    "active",
                    "position",
                ])
                .values_panic([
                    item.code.clone().into(),
                    item.name.clone().into(),
                    item.name_en.clone().into(),
                    item.unit.clone().into(),
                    item.spec.clone().into(),
                    item.reference_value.fen().into(),
                    item.active.into(),
                    (last + 1).into(),
                ])
                .on_conflict(
                    sea_query::OnConflict::column("code")
                        .do_nothing()
                        .to_owned(),
                ),
        )
        .await?;
    Ok(result > 0)
}

/// Changes an item's names, unit, spec, value and whether it may still be chosen; the code
/// stays, since needs and pledges refer to it. `false` when there is no such item.
pub async fn update(tx: &mut Tx, item: &Item) -> Result<bool> {
    let changed = tx
        .execute(
            Query::update()
                .table("item")
                .values([
                    ("name", item.name.clone().into()),
                    ("name_en", item.name_en.clone().into()),
                    ("unit", item.unit.clone().into()),
                    ("spec", item.spec.clone().into()),
                    ("reference_value_fen", item.reference_value.fen().into()),
                    ("active", item.active.into()),
                ])
                .and_where(Expr::col("code").eq(item.code.as_str())),
        )
        .await?;
    Ok(changed > 0)
}
