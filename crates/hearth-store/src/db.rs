//! The two engines behind one interface.

use crate::{Result, StoreError};
use sea_query::{PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Bound values per statement, under SQLite's 32,766 and PostgreSQL's 65,535.
pub(crate) const VALUES_PER_STATEMENT: usize = 30_000;

/// 8 MiB of pages per SQLite connection (SQLite's default is 2 MiB): what the usual pages read
/// stays in memory, and eight connections keep a server with a million households under
/// 300 MiB (16 MiB each took it to 304 MiB under load). An import raises its own connection's
/// cache for the bulk write ([`Store::write_bulk`]).
const CACHE_SIZE: &str = "-8192";
/// 256 MiB of pages for the one connection of a bulk write ([`Store::write_bulk`]), released
/// when it closes. A million-row import inserts into indexes larger than any cache, at random
/// places: 128 MiB took 178 s and 306 MiB at its peak, 256 MiB 142 s and 467 MiB, 512 MiB
/// 125 s and 749 MiB (README, "Benchmarks").
const BULK_CACHE_SIZE: &str = "-262144";

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool of connections to one SQLite file or one PostgreSQL database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite lets one transaction write at a time. Writers that find the lock taken would
    /// sleep in SQLite's busy handler and retry at growing intervals, so under a burst some
    /// wait a second while others pass; this queue hands the lock over in arrival order, and
    /// a writer waiting its turn holds no connection that readers need.
    writers: Arc<Mutex<()>>,
    /// SQLite: the connection of bulk writes, set up for them and closed after each
    /// ([`Store::write_bulk`]); opened when first needed.
    bulk: Option<SqlitePool>,
}

/// A SQLite writer's place at the head of [`Store::writers`], given up with its transaction;
/// `bulk` when it is a bulk write ([`Store::write_bulk`]).
pub struct WriteTurn {
    _turn: Option<OwnedMutexGuard<()>>,
    bulk: bool,
}

impl WriteTurn {
    fn none() -> WriteTurn {
        WriteTurn {
            _turn: None,
            bulk: false,
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend())
    }
}

impl Store {
    /// Opens `sqlite://FILE` (created if missing, WAL, busy timeout) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Deleted and overwritten personal data is zeroed, not left in free pages.
                .pragma("secure_delete", "ON")
                .pragma("cache_size", CACHE_SIZE);
            let bulk = SqlitePoolOptions::new()
                .max_connections(1)
                .after_release(|_, _| Box::pin(async { Ok(false) }))
                .connect_lazy_with(bulk_options(options.clone()));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Store {
                pool: Pool::Sqlite(pool),
                writers: Arc::default(),
                bulk: Some(bulk),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store {
                pool: Pool::Postgres(pool),
                writers: Arc::default(),
                bulk: None,
            })
        } else {
            Err(StoreError::BadUrl(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations this binary carries that the database lacks.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => crate::migrate::SQLITE.run(pool).await?,
            Pool::Postgres(pool) => crate::migrate::POSTGRES.run(pool).await?,
        }
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at once.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                let turn = self.writers.clone().lock_owned().await;
                let turn = WriteTurn {
                    _turn: Some(turn),
                    bulk: false,
                };
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A write transaction for a bulk write (an import). On SQLite it runs on a connection of
    /// its own, closed when the transaction ends, so nothing it sets reaches the pool:
    /// - a page cache of 256 MiB, so the indexes an import grows are spilled and read back far
    ///   less (a fixed size: memory does not grow with the file);
    /// - no statement journals: SQLite journals every page a multi-row insert touches, so that
    ///   the statement alone can be undone if a constraint fails part-way, and that was a fifth
    ///   of an import's time. A bulk write's inserts are `INSERT OR FAIL` (a failing statement
    ///   keeps its earlier rows; the caller then rolls the whole transaction back) and its
    ///   foreign keys are not enforced, since an immediate foreign key forces the journal
    ///   whatever the conflict clause. Its callers write rows whose references they have just
    ///   checked or written themselves (tests run `PRAGMA foreign_key_check` after imports).
    pub async fn write_bulk(&self) -> Result<Tx> {
        Ok(match (&self.pool, &self.bulk) {
            (Pool::Sqlite(_), Some(bulk)) => {
                let turn = self.writers.clone().lock_owned().await;
                let turn = WriteTurn {
                    _turn: Some(turn),
                    bulk: true,
                };
                Tx::Sqlite(bulk.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            _ => self.write().await?,
        })
    }

    /// A transaction that only reads: one consistent view for a page or a report.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?, WriteTurn::none()),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// True when the database answers a query.
    pub async fn ping(&self) -> bool {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
        }
    }

    /// The SQLite pool, for statements that cannot run inside a transaction (see `backup`).
    pub(crate) fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// Rewrites the household and attachment tables so that anonymised rows leave no old copy behind
    /// (SQLite: `VACUUM`; PostgreSQL: `VACUUM FULL`, which locks the tables while it runs).
    pub async fn compact(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("VACUUM").execute(pool).await?;
            }
            Pool::Postgres(pool) => {
                sqlx::query(
                    "VACUUM FULL household, household_member, member_name_suffix, attachment",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Gathers the planner's statistics. A database filled in one go (a copy, a restore) has
    /// none until autovacuum gets to it, and meanwhile PostgreSQL may plan a name search over a
    /// million households as a nested loop that runs for an hour. On PostgreSQL the tables are
    /// vacuumed too: until then no page is known to be all-visible, so the dashboard's count
    /// of a million approved households reads every row instead of its index alone.
    pub async fn analyze(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            Pool::Postgres(pool) => {
                sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => {
                if let Some(bulk) = &self.bulk {
                    bulk.close().await;
                }
                pool.close().await
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A row type both engines can decode.
pub trait Rows: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Rows for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// One open transaction. Dropped without [`Tx::commit`], it rolls back. A SQLite writer
/// keeps its turn until then.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, WriteTurn),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx, _) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Marks a point this transaction can roll back to without ending it: one row of a batch
    /// that may fail on its own (PostgreSQL refuses every statement after a failed one until
    /// the transaction or a savepoint is rolled back).
    pub async fn savepoint(&mut self) -> Result<()> {
        self.plain("SAVEPOINT batch_row").await
    }

    /// Keeps what was written since [`Tx::savepoint`].
    pub async fn release_savepoint(&mut self) -> Result<()> {
        self.plain("RELEASE SAVEPOINT batch_row").await
    }

    /// Undoes what was written since [`Tx::savepoint`]; the transaction goes on.
    pub async fn rollback_to_savepoint(&mut self) -> Result<()> {
        self.plain("ROLLBACK TO SAVEPOINT batch_row").await?;
        self.release_savepoint().await
    }

    async fn plain(&mut self, sql: &'static str) -> Result<()> {
        match self {
            Tx::Sqlite(tx, _) => {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
            Tx::Postgres(tx) => {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Runs an insert, update or delete; returns the number of rows it touched.
    pub async fn execute<S: SqlxBinder>(&mut self, statement: &S) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx, turn) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                let sql = if turn.bulk { or_fail(sql) } else { sql };
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Tx::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    pub async fn fetch_all<T: Rows, S: SqlxBinder>(&mut self, statement: &S) -> Result<Vec<T>> {
        Ok(match self {
            Tx::Sqlite(tx, _) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: Rows, S: SqlxBinder>(
        &mut self,
        statement: &S,
    ) -> Result<Option<T>> {
        Ok(match self {
            Tx::Sqlite(tx, _) => {
                let (sql, values) = statement.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_one<T: Rows, S: SqlxBinder>(&mut self, statement: &S) -> Result<T> {
        self.fetch_optional(statement)
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// A single number, e.g. `COUNT(*)`.
    pub async fn count<S: SqlxBinder>(&mut self, statement: &S) -> Result<i64> {
        let (n,): (i64,) = self.fetch_one(statement).await?;
        Ok(n)
    }

    /// The rows of `select(part)` for each part of `values` that one statement can bind (an
    /// `IN` list of many ids or indexes), the parts' rows one after another.
    pub(crate) async fn fetch_in_parts<T: Rows, V: Sync>(
        &mut self,
        values: &[V],
        select: impl Fn(&[V]) -> SelectStatement + Send,
    ) -> Result<Vec<T>> {
        let mut found = Vec::new();
        for part in values.chunks(VALUES_PER_STATEMENT) {
            found.extend(self.fetch_all::<T, _>(&select(part)).await?);
        }
        Ok(found)
    }
}

/// The options of the bulk-write connection: those of the pool plus what
/// [`Store::write_bulk`] explains.
fn bulk_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .foreign_keys(false)
        .pragma("cache_size", BULK_CACHE_SIZE)
        .pragma("temp_store", "MEMORY")
}

/// An insert as `INSERT OR FAIL`, which needs no statement journal (see [`Store::write_bulk`]).
fn or_fail(sql: String) -> String {
    match sql.strip_prefix("INSERT INTO ") {
        Some(rest) => format!("INSERT OR FAIL INTO {rest}"),
        None => sql,
    }
}
