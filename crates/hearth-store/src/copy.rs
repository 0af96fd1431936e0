//! A logical copy of every table from one database into another, across engines: SQLite into
//! PostgreSQL (`hearth migrate-db`, restoring a backup onto PostgreSQL) and PostgreSQL into a
//! SQLite file (a backup of PostgreSQL).
//!
//! The PostgreSQL end supplies the schema: its column types say how each value is read and
//! written, its foreign keys the order in which tables are filled. Values go through the same
//! sea-query encoding the application writes with, so sealed fields, hashes and chains arrive
//! byte for byte and the key file that opened them before opens them after. The source is read
//! in one snapshot; the target is written in one transaction, so a failed copy leaves it as it
//! was. A target that holds anything a fresh database would not is refused.

use crate::{Backend, Store, StoreError, Tx};
use futures_util::TryStreamExt;
use sea_query::{
    Asterisk, Expr, ExprTrait, PostgresQueryBuilder, Query, SqliteQueryBuilder, Value,
};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Connection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Rows per insert statement, kept under both engines' limits on bound parameters.
const MAX_PARAMETERS: usize = 30_000;
const MAX_BATCH_ROWS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the target database already holds data (table {table}: {rows} rows); copy only into a new, empty database"
    )]
    NotEmpty { table: String, rows: i64 },
    #[error("the two databases do not have the same schema: {0}")]
    SchemaMismatch(String),
    #[error("column {table}.{column} has type {data_type}, which the copy does not know")]
    UnknownType {
        table: String,
        column: String,
        data_type: String,
    },
    #[error("table {table}: {source_rows} rows in the source but {target_rows} in the target")]
    CountMismatch {
        table: String,
        source_rows: i64,
        target_rows: i64,
    },
    #[error(
        "one of the two databases must be PostgreSQL (for SQLite to SQLite use `hearth backup`)"
    )]
    NeedsPostgres,
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> Self {
        CopyError::Store(StoreError::Database(e))
    }
}

type Result<T, E = CopyError> = std::result::Result<T, E>;

/// How a column's values are read and written, from its PostgreSQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uuid,
    Time,
    Date,
    Bool,
    Int32,
    Int64,
    Float,
    Text,
    Bytes,
    Json,
}

impl Kind {
    fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "uuid" => Kind::Uuid,
            "timestamp with time zone" => Kind::Time,
            "date" => Kind::Date,
            "boolean" => Kind::Bool,
            "smallint" | "integer" => Kind::Int32,
            "bigint" => Kind::Int64,
            "double precision" | "real" => Kind::Float,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            "json" | "jsonb" => Kind::Json,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    /// A foreign key into the table itself (child column, parent column): parents go first.
    self_ref: Option<(String, String)>,
}

/// Rows copied, per table, in the order the tables were filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, i64)>,
}

impl CopyReport {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Copies every table of `source` into `target` (both migrated by this binary), then checks
/// that each table holds as many rows as the source did.
pub async fn copy_all(source: &Store, target: &Store) -> Result<CopyReport> {
    let schema_end = match (source.backend(), target.backend()) {
        (Backend::Sqlite, Backend::Sqlite) => return Err(CopyError::NeedsPostgres),
        (Backend::Postgres, _) => source,
        (_, Backend::Postgres) => target,
    };
    let tables = schema(schema_end).await?;
    same_migrations(source, target).await?;
    same_tables(source, &tables).await?;
    same_tables(target, &tables).await?;
    let seeded = fresh_counts(tables.iter().map(|t| t.name.as_str())).await?;

    let mut from = snapshot(source).await?;
    let mut to = target.write().await?;
    if let Tx::Sqlite(tx, _) = &mut to {
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
    }
    for table in tables.iter().rev() {
        let rows = count(&mut to, &table.name).await?;
        if rows > 0 && !seeded.contains_key(&table.name) {
            return Err(CopyError::NotEmpty {
                table: table.name.clone(),
                rows,
            });
        }
        if rows > 0 {
            to.execute(Query::delete().from_table(table.name.clone()))
                .await?;
        }
    }
    let mut report = CopyReport::default();
    for table in &tables {
        let expected = count(&mut from, &table.name).await?;
        copy_table(&mut from, &mut to, table).await?;
        let copied = count(&mut to, &table.name).await?;
        if copied != expected {
            return Err(CopyError::CountMismatch {
                table: table.name.clone(),
                source_rows: expected,
                target_rows: copied,
            });
        }
        report.tables.push((table.name.clone(), copied));
    }
    to.commit().await?;
    target.analyze().await?;
    Ok(report)
}

/// Rows in every table but the migration log, by table name.
pub async fn table_counts(store: &Store) -> Result<BTreeMap<String, i64>> {
    let names = table_names(store).await?;
    let mut tx = store.read().await?;
    let mut counts = BTreeMap::new();
    for name in names {
        let rows = count(&mut tx, &name).await?;
        counts.insert(name, rows);
    }
    Ok(counts)
}

/// The first table that holds rows a freshly migrated database would not, if any: a database
/// that only Hearth's migrations have written to is empty.
pub async fn holds_data(store: &Store) -> Result<Option<(String, i64)>> {
    let counts = table_counts(store).await?;
    let seeded = fresh_counts(counts.keys().map(String::as_str)).await?;
    Ok(counts
        .into_iter()
        .find(|(table, rows)| *rows > 0 && !seeded.contains_key(table)))
}

/// A read transaction that sees one moment of the database throughout.
async fn snapshot(store: &Store) -> Result<Tx> {
    let mut tx = store.read().await?;
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut **t)
            .await?;
    }
    Ok(tx)
}

async fn count(tx: &mut Tx, table: &str) -> Result<i64> {
    Ok(tx
        .count(
            Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(table.to_owned()),
        )
        .await?)
}

async fn raw_rows<T>(tx: &mut Tx, sql: &str) -> Result<Vec<T>>
where
    T: crate::Rows,
{
    Ok(match tx {
        Tx::Sqlite(t, _) => {
            sqlx::query_as(AssertSqlSafe(sql.to_owned()))
                .fetch_all(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as(AssertSqlSafe(sql.to_owned()))
                .fetch_all(&mut **t)
                .await?
        }
    })
}

/// The tables of a database, without the migration log and the engine's own tables.
async fn table_names(store: &Store) -> Result<BTreeSet<String>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut tx = store.read().await?;
    let rows: Vec<(String,)> = raw_rows(&mut tx, sql).await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

async fn same_tables(store: &Store, tables: &[Table]) -> Result<()> {
    let found = table_names(store).await?;
    let expected: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    if found != expected {
        let missing: Vec<_> = expected.difference(&found).collect();
        let extra: Vec<_> = found.difference(&expected).collect();
        return Err(CopyError::SchemaMismatch(format!(
            "tables missing: {missing:?}, unexpected: {extra:?}"
        )));
    }
    Ok(())
}

async fn same_migrations(source: &Store, target: &Store) -> Result<()> {
    let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
    let mut a = source.read().await?;
    let from: Vec<(i64,)> = raw_rows(&mut a, sql).await?;
    drop(a);
    let mut b = target.read().await?;
    let to: Vec<(i64,)> = raw_rows(&mut b, sql).await?;
    if from != to {
        return Err(CopyError::SchemaMismatch(format!(
            "source has migrations {:?}, target {:?}; run both with the same version of Hearth",
            from.iter().map(|v| v.0).collect::<Vec<_>>(),
            to.iter().map(|v| v.0).collect::<Vec<_>>()
        )));
    }
    Ok(())
}

/// The rows a freshly migrated database holds (the audit and ledger heads, the item catalogue),
/// which a target may hold and the copy replaces.
async fn fresh_counts<'a>(tables: impl Iterator<Item = &'a str>) -> Result<HashMap<String, i64>> {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    crate::migrate::SQLITE
        .run(&mut conn)
        .await
        .map_err(StoreError::from)?;
    let mut seeded = HashMap::new();
    for table in tables {
        let (sql, values) = Query::select()
            .expr(Expr::col(Asterisk).count())
            .from(table.to_owned())
            .build_sqlx(SqliteQueryBuilder);
        let (rows,): (i64,) = sqlx::query_as_with(AssertSqlSafe(sql), values)
            .fetch_one(&mut conn)
            .await?;
        if rows > 0 {
            seeded.insert(table.to_owned(), rows);
        }
    }
    conn.close().await?;
    Ok(seeded)
}

#[derive(sqlx::FromRow)]
struct ColumnRow {
    table_name: String,
    column_name: String,
    data_type: String,
}

#[derive(sqlx::FromRow)]
struct ForeignKey {
    child: String,
    parent: String,
    child_column: String,
    parent_column: String,
}

/// Tables with their columns, parents before children, from PostgreSQL's catalogue.
async fn schema(store: &Store) -> Result<Vec<Table>> {
    let mut tx = store.read().await?;
    let columns: Vec<ColumnRow> = raw_rows(
        &mut tx,
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS data_type \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .await?;
    let keys: Vec<ForeignKey> = raw_rows(
        &mut tx,
        "SELECT ch.relname::text AS child, pa.relname::text AS parent, \
                a.attname::text AS child_column, af.attname::text AS parent_column \
         FROM pg_constraint c \
         JOIN pg_class ch ON ch.oid = c.conrelid \
         JOIN pg_class pa ON pa.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = c.connamespace \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for column in columns {
        let kind = Kind::of(&column.data_type).ok_or_else(|| CopyError::UnknownType {
            table: column.table_name.clone(),
            column: column.column_name.clone(),
            data_type: column.data_type.clone(),
        })?;
        tables
            .entry(column.table_name.clone())
            .or_insert_with(|| Table {
                name: column.table_name.clone(),
                columns: Vec::new(),
                self_ref: None,
            })
            .columns
            .push((column.column_name, kind));
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for key in keys {
        if key.child == key.parent {
            if let Some(table) = tables.get_mut(&key.child) {
                table.self_ref = Some((key.child_column, key.parent_column));
            }
        } else {
            parents.entry(key.child).or_default().insert(key.parent);
        }
    }
    parents_first(tables, &parents)
}

/// Orders tables so that every table comes after the tables it references.
fn parents_first(
    mut tables: BTreeMap<String, Table>,
    parents: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<Table>> {
    let mut ordered = Vec::with_capacity(tables.len());
    let mut placed = BTreeSet::new();
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|name| {
                parents
                    .get(*name)
                    .is_none_or(|ps| ps.iter().all(|p| placed.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            return Err(CopyError::SchemaMismatch(format!(
                "foreign keys form a cycle among {:?}",
                tables.keys().collect::<Vec<_>>()
            )));
        }
        for name in ready {
            if let Some(table) = tables.remove(&name) {
                ordered.push(table);
            }
            placed.insert(name);
        }
    }
    Ok(ordered)
}

/// Streams one table from the source into the target in batches.
async fn copy_table(from: &mut Tx, to: &mut Tx, table: &Table) -> Result<()> {
    let mut select = Query::select();
    select.from(table.name.clone());
    for (name, _) in &table.columns {
        select.column(name.clone());
    }
    let batch_rows = (MAX_PARAMETERS / table.columns.len().max(1)).clamp(1, MAX_BATCH_ROWS);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(batch_rows);
    let mut all: Vec<Vec<Value>> = Vec::new();
    let keep_all = table.self_ref.is_some();
    let columns = &table.columns;
    match from {
        Tx::Sqlite(tx, _) => {
            let (sql, values) = select.build_sqlx(SqliteQueryBuilder);
            let mut rows = sqlx::query_with(AssertSqlSafe(sql), values).fetch(&mut **tx);
            while let Some(row) = rows.try_next().await? {
                let values = sqlite_values(&row, columns)?;
                if keep_all {
                    all.push(values);
                    continue;
                }
                batch.push(values);
                if batch.len() >= batch_rows {
                    insert(to, table, std::mem::take(&mut batch)).await?;
                }
            }
        }
        Tx::Postgres(tx) => {
            let (sql, values) = select.build_sqlx(PostgresQueryBuilder);
            let mut rows = sqlx::query_with(AssertSqlSafe(sql), values).fetch(&mut **tx);
            while let Some(row) = rows.try_next().await? {
                let values = pg_values(&row, columns)?;
                if keep_all {
                    all.push(values);
                    continue;
                }
                batch.push(values);
                if batch.len() >= batch_rows {
                    insert(to, table, std::mem::take(&mut batch)).await?;
                }
            }
        }
    }
    if keep_all {
        for chunk in parents_before_children(table, all).chunks(batch_rows) {
            insert(to, table, chunk.to_vec()).await?;
        }
    } else if !batch.is_empty() {
        insert(to, table, batch).await?;
    }
    Ok(())
}

/// Rows of a table that references itself, each after the row it names (a row whose parent is
/// missing keeps its place at the end, where the foreign key reports it).
fn parents_before_children(table: &Table, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let Some((child, parent)) = &table.self_ref else {
        return rows;
    };
    let position = |name: &str| table.columns.iter().position(|(c, _)| c == name);
    let (Some(child_at), Some(parent_at)) = (position(child), position(parent)) else {
        return rows;
    };
    let key = |v: &Value| format!("{v:?}");
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut pending = rows;
    let mut ordered = Vec::with_capacity(pending.len());
    loop {
        let before = pending.len();
        let (ready, waiting): (Vec<_>, Vec<_>) = pending.into_iter().partition(|row| {
            let refers = &row[child_at];
            is_null(refers) || placed.contains(&key(refers))
        });
        for row in ready {
            placed.insert(key(&row[parent_at]));
            ordered.push(row);
        }
        pending = waiting;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    ordered.extend(pending);
    ordered
}

fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::String(None)
            | Value::Uuid(None)
            | Value::BigInt(None)
            | Value::Int(None)
            | Value::Bytes(None)
    )
}

async fn insert(to: &mut Tx, table: &Table, rows: Vec<Vec<Value>>) -> Result<()> {
    let mut statement = Query::insert();
    statement
        .into_table(table.name.clone())
        .columns(table.columns.iter().map(|(name, _)| name.clone()));
    for row in rows {
        statement
            .values(row.into_iter().map(Expr::val))
            .map_err(|e| CopyError::SchemaMismatch(format!("{}: {e}", table.name)))?;
    }
    to.execute(&statement).await?;
    Ok(())
}

fn sqlite_values(row: &SqliteRow, columns: &[(String, Kind)]) -> Result<Vec<Value>> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, (_, kind)) in columns.iter().enumerate() {
        values.push(match kind {
            Kind::Uuid => Value::Uuid(row.try_get(i)?),
            Kind::Time => Value::ChronoDateTimeUtc(row.try_get(i)?),
            Kind::Date => Value::ChronoDate(row.try_get(i)?),
            Kind::Bool => Value::Bool(row.try_get(i)?),
            Kind::Int32 => Value::Int(row.try_get(i)?),
            Kind::Int64 => Value::BigInt(row.try_get(i)?),
            Kind::Float => Value::Double(row.try_get(i)?),
            Kind::Text => Value::String(row.try_get(i)?),
            Kind::Bytes => Value::Bytes(row.try_get(i)?),
            Kind::Json => json(row.try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(i)?),
        });
    }
    Ok(values)
}

fn pg_values(row: &PgRow, columns: &[(String, Kind)]) -> Result<Vec<Value>> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, (_, kind)) in columns.iter().enumerate() {
        values.push(match kind {
            Kind::Uuid => Value::Uuid(row.try_get(i)?),
            Kind::Time => Value::ChronoDateTimeUtc(row.try_get(i)?),
            Kind::Date => Value::ChronoDate(row.try_get(i)?),
            Kind::Bool => Value::Bool(row.try_get(i)?),
            Kind::Int32 => Value::Int(row.try_get(i)?),
            Kind::Int64 => Value::BigInt(row.try_get(i)?),
            Kind::Float => Value::Double(row.try_get(i)?),
            Kind::Text => Value::String(row.try_get(i)?),
            Kind::Bytes => Value::Bytes(row.try_get(i)?),
            Kind::Json => json(row.try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>(i)?),
        });
    }
    Ok(values)
}

fn json(value: Option<sqlx::types::Json<serde_json::Value>>) -> Value {
    Value::Json(value.map(|v| Box::new(v.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Table {
        Table {
            name: name.to_owned(),
            columns: vec![
                ("code".to_owned(), Kind::Text),
                ("parent".to_owned(), Kind::Text),
            ],
            self_ref: Some(("parent".to_owned(), "code".to_owned())),
        }
    }

    fn row(code: &str, parent: Option<&str>) -> Vec<Value> {
        vec![
            Value::String(Some(code.to_owned())),
            Value::String(parent.map(str::to_owned)),
        ]
    }

    #[test]
    fn parents_come_before_their_children_whatever_the_stored_order() {
        let rows = vec![
            row("village", Some("town")),
            row("town", Some("county")),
            row("county", None),
        ];
        let ordered = parents_before_children(&table("area"), rows);
        let codes: Vec<&Value> = ordered.iter().map(|r| &r[0]).collect();
        let expected = ["county", "town", "village"].map(|c| Value::String(Some(c.to_owned())));
        assert_eq!(codes, expected.iter().collect::<Vec<_>>());
    }

    #[test]
    fn tables_follow_the_tables_they_reference_and_a_cycle_is_refused() {
        let mut tables = BTreeMap::new();
        for name in ["a_child", "b_parent", "c_grandparent"] {
            tables.insert(name.to_owned(), table(name));
        }
        let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        parents
            .entry("a_child".into())
            .or_default()
            .insert("b_parent".into());
        parents
            .entry("b_parent".into())
            .or_default()
            .insert("c_grandparent".into());
        let order: Vec<_> = parents_first(tables.clone(), &parents)
            .expect("no cycle")
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(order, ["c_grandparent", "b_parent", "a_child"]);
        parents
            .entry("c_grandparent".into())
            .or_default()
            .insert("a_child".into());
        assert!(matches!(
            parents_first(tables, &parents),
            Err(CopyError::SchemaMismatch(_))
        ));
    }
}
