//! The two migration trees stay mirrored: same files, same versions, same tables, and migrated
//! databases of both engines end up with the same tables and columns.

use hearth_store::testing::{TestDb, backends, each_backend};
use hearth_store::{Backend, MIGRATIONS};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn tree(engine: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
}

fn file_names(engine: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(tree(engine))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The table names a SQL script creates.
fn created_tables(sql: &str) -> BTreeSet<String> {
    let words: Vec<String> = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .flat_map(|line| line.split_whitespace())
        .map(str::to_owned)
        .collect();
    let mut tables = BTreeSet::new();
    for (i, pair) in words.windows(2).enumerate() {
        if pair[0].eq_ignore_ascii_case("CREATE") && pair[1].eq_ignore_ascii_case("TABLE") {
            let mut rest = words[i + 2..].iter();
            let mut name = rest.next().unwrap();
            if name.eq_ignore_ascii_case("IF") {
                name = rest.nth(2).unwrap(); // IF NOT EXISTS name
            }
            let name = name.split('(').next().unwrap().trim_matches('"');
            tables.insert(name.to_ascii_lowercase());
        }
    }
    tables
}

fn tables_in_tree(engine: &str) -> BTreeSet<String> {
    file_names(engine)
        .iter()
        .flat_map(|f| created_tables(&std::fs::read_to_string(tree(engine).join(f)).unwrap()))
        .collect()
}

#[test]
fn the_table_parser_reads_create_statements() {
    let sql = "-- CREATE TABLE commented_out (x INT);\nCREATE TABLE a (x INT);\ncreate table IF NOT EXISTS \"b\"(y INT);\nCREATE INDEX a_x ON a(x);";
    assert_eq!(
        created_tables(sql),
        BTreeSet::from(["a".to_owned(), "b".to_owned()])
    );
}

#[test]
fn both_trees_have_the_same_migration_files() {
    let sqlite = file_names("sqlite");
    let postgres = file_names("postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations found");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
    for name in &sqlite {
        let (version, rest) = name
            .split_once('_')
            .unwrap_or_else(|| panic!("{name}: no version prefix"));
        assert!(
            version.chars().all(|c| c.is_ascii_digit()),
            "{name}: version is not a number"
        );
        assert!(rest.ends_with(".sql"), "{name}: not an .sql file");
    }
}

#[test]
fn the_compiled_migrators_carry_the_same_versions() {
    let [sqlite, postgres] = MIGRATIONS.map(|migrator| {
        migrator
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect::<Vec<_>>()
    });
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    assert_eq!(sqlite.len(), file_names("sqlite").len());
}

#[test]
fn both_trees_create_the_same_tables() {
    let sqlite = tables_in_tree("sqlite");
    assert!(
        sqlite.contains("audit_event") && sqlite.contains("organization"),
        "parsed only {sqlite:?}"
    );
    assert_eq!(sqlite, tables_in_tree("postgres"));
}

async fn live_columns(db: &TestDb) -> BTreeSet<String> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT table_name || '.' || column_name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'"
        }
    };
    db.texts(sql).await.unwrap().into_iter().collect()
}

async fn live_tables(db: &TestDb) -> BTreeSet<String> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
        }
    };
    db.texts(sql).await.unwrap().into_iter().collect()
}

#[tokio::test]
async fn migrated_databases_have_the_tables_of_the_scripts() {
    let expected = tables_in_tree("sqlite");
    each_backend(async |db: &TestDb| {
        assert_eq!(live_tables(db).await, expected);
        let applied = db
            .texts(
                "SELECT CAST(version AS TEXT) AS applied FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .await
            .unwrap();
        let carried: Vec<String> = MIGRATIONS[0]
            .iter()
            .map(|m| m.version.to_string())
            .collect();
        assert_eq!(applied, carried);
        // Migrating again is a no-op, not an error.
        db.store.migrate().await.unwrap();
        assert_eq!(live_tables(db).await, expected);
    })
    .await;
}

#[tokio::test]
async fn both_engines_end_up_with_the_same_columns() {
    let dbs = backends().await;
    let mut columns = Vec::new();
    for db in &dbs {
        columns.push((db.name(), live_columns(db).await));
    }
    for db in dbs {
        db.finish().await;
    }
    assert!(
        columns[0].1.contains("audit_event.prev_hash"),
        "{:?}",
        columns[0]
    );
    if let [(a, first), (b, second)] = &columns[..] {
        let only_first: Vec<_> = first.difference(second).collect();
        let only_second: Vec<_> = second.difference(first).collect();
        assert!(
            only_first.is_empty() && only_second.is_empty(),
            "only in {a}: {only_first:?}; only in {b}: {only_second:?}"
        );
    }
}
