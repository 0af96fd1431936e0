//! Test databases on both engines (feature `testing`; never in a release build).
//!
//! [`backends`] gives a fresh, migrated SQLite file in a temporary directory and, when
//! `HEARTH_TEST_POSTGRES_URL` names a reachable server, a fresh PostgreSQL database created for
//! this test alone (`hearth_t_<uuid>`). Without the server the PostgreSQL variant prints
//! `SKIPPED PostgreSQL: …` to stderr and is left out, unless `HEARTH_REQUIRE_POSTGRES=1`, in
//! which case it fails. [`each_backend`] runs a test body on each database, drops the database
//! afterwards (also when the body panics) and names the engine in the failure message.

use crate::{Backend, Result, Store, Tx};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::Poll;
use std::time::Duration;

/// The server PostgreSQL variants run on, e.g. `postgres://postgres@127.0.0.1:5432/test`; its
/// user must be allowed to create databases.
pub const POSTGRES_URL_VAR: &str = "HEARTH_TEST_POSTGRES_URL";
/// Set to `1` (CI) to fail instead of skipping when PostgreSQL is unavailable.
pub const REQUIRE_POSTGRES_VAR: &str = "HEARTH_REQUIRE_POSTGRES";

/// One migrated database of its own. Call [`TestDb::finish`] to remove it.
pub struct TestDb {
    pub store: Store,
    pub backend: Backend,
    /// The URL `store` was opened with.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDb({} at {})", self.name(), self.url)
    }
}

impl TestDb {
    /// "SQLite" or "PostgreSQL", for messages.
    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// A migrated SQLite database in a new temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory for SQLite");
        let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
        let store = Store::connect(&url)
            .await
            .expect("open the SQLite test database");
        store
            .migrate()
            .await
            .expect("migrate the SQLite test database");
        TestDb {
            store,
            backend: Backend::Sqlite,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A migrated PostgreSQL database of its own, or `None` (after saying so loudly) when
    /// `HEARTH_TEST_POSTGRES_URL` is unset or its server cannot be reached. Panics instead when
    /// `HEARTH_REQUIRE_POSTGRES=1`.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => return skip(&format!("{POSTGRES_URL_VAR} is not set")),
        };
        let database = format!("hearth_t_{}", uuid::Uuid::now_v7().simple());
        if let Err(e) = admin(&admin_url, &format!("CREATE DATABASE \"{database}\"")).await {
            return skip(&format!("cannot create a database via {admin_url}: {e}"));
        }
        let cleanup = Cleanup::Postgres {
            admin_url: admin_url.clone(),
            database: database.clone(),
        };
        let url = with_database(&admin_url, &database);
        let store = match Store::connect(&url).await {
            Ok(store) => store,
            Err(e) => {
                drop_database(&cleanup).await;
                panic!("created {database} but cannot connect to {url}: {e}");
            }
        };
        if let Err(e) = store.migrate().await {
            store.close().await;
            drop_database(&cleanup).await;
            panic!("migrating the PostgreSQL test database failed: {e}");
        }
        Some(TestDb {
            store,
            backend: Backend::Postgres,
            url,
            cleanup,
        })
    }

    /// Closes the store and removes the database (best effort). On SQLite it first checks that
    /// every reference in the database holds: bulk writes ([`Store::write_bulk`]) do not
    /// enforce foreign keys, so every test that ends here checks what they wrote.
    pub async fn finish(self) {
        if self.backend == Backend::Sqlite {
            // A test that closed the store itself (to read the file) has nothing left to ask.
            match self
                .texts("SELECT \"table\" || ' → ' || parent FROM pragma_foreign_key_check")
                .await
            {
                Err(crate::StoreError::Database(sqlx::Error::PoolClosed)) => {}
                broken => {
                    let broken = broken.expect("check the foreign keys");
                    assert!(broken.is_empty(), "references that do not hold: {broken:?}");
                }
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.store.close()).await;
        drop_database(&self.cleanup).await;
    }

    /// Runs raw SQL (several statements are fine on SQLite; one on PostgreSQL) in its own
    /// committed transaction, as someone with direct database access would.
    pub async fn execute(&self, sql: &str) -> Result<u64> {
        let mut tx = self.store.write().await?;
        let touched = match &mut tx {
            Tx::Sqlite(t, _) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Tx::Postgres(t) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(&mut **t)
                .await?
                .rows_affected(),
        };
        tx.commit().await?;
        Ok(touched)
    }

    /// The first column of every row of a raw query, which must be text.
    pub async fn texts(&self, sql: &str) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        Ok(match &mut tx {
            Tx::Sqlite(t, _) => {
                sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
                    .fetch_all(&mut **t)
                    .await?
            }
            Tx::Postgres(t) => {
                sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
                    .fetch_all(&mut **t)
                    .await?
            }
        })
    }
}

fn skip(reason: &str) -> Option<TestDb> {
    if std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v.trim() == "1") {
        panic!("PostgreSQL is required ({REQUIRE_POSTGRES_VAR}=1) but {reason}");
    }
    eprintln!("SKIPPED PostgreSQL: {reason}; this test ran on SQLite only");
    None
}

/// One statement on the server's admin database.
async fn admin(admin_url: &str, sql: &str) -> Result<(), String> {
    let connect = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(admin_url));
    let mut conn = match connect.await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err("no answer within 10 s".to_owned()),
    };
    let outcome = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    let _ = conn.close().await;
    outcome
}

async fn drop_database(cleanup: &Cleanup) {
    if let Cleanup::Postgres {
        admin_url,
        database,
    } = cleanup
    {
        let sql = format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        if let Err(e) = admin(admin_url, &sql).await {
            eprintln!("warning: could not drop test database {database}: {e}");
        }
    }
}

/// The URL with its database (path) replaced.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

/// SQLite always; PostgreSQL when available (see the module notes). Each is fresh and migrated.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}

/// Runs `test` on every backend in turn, removes each database afterwards, and turns a panic
/// into one that names the engine (after trying the others, so every database is removed and
/// the report says which engines fail).
pub async fn each_backend(test: impl AsyncFn(&TestDb)) {
    let mut failures = Vec::new();
    for db in backends().await {
        let name = db.name();
        let outcome = {
            let mut run = std::pin::pin!(test(&db));
            std::future::poll_fn(|cx| {
                match std::panic::catch_unwind(AssertUnwindSafe(|| run.as_mut().poll(cx))) {
                    Ok(Poll::Pending) => Poll::Pending,
                    Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
                    Err(panic) => Poll::Ready(Err(panic)),
                }
            })
            .await
        };
        db.finish().await;
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            failures.push(format!("failed on {name}: {message}"));
        }
    }
    if !failures.is_empty() {
        panic!("{}", failures.join("\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
