//! Hearth's storage: one query codebase for SQLite (embedded default) and PostgreSQL (scale).
//!
//! Queries are built with sea-query and run through [`Tx`], which renders them for the engine
//! at hand. Every use case runs in one transaction: [`Store::write`] (SQLite: `BEGIN IMMEDIATE`,
//! so a read-then-write never fails on a stale snapshot) or [`Store::read`].
//!
//! Error policy: functions return [`StoreError`]; a unique-key clash is reported as such so the
//! application can name the record that already holds the key. Stored rows are turned back into
//! domain types; a row that no longer parses is [`StoreError::Corrupt`], never a panic.

pub mod api_tokens;
pub mod areas;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod campaigns;
pub mod cash_aid;
pub mod copy;
pub mod corrections;
pub mod crypto;
pub mod cultivation;
pub mod dashboard;
pub mod deliveries;
pub mod donations;
pub mod household_papers;
pub mod households;
pub mod identity;
pub mod imports;
pub mod items;
pub mod keys;
pub mod ledger;
pub mod matching;
pub mod needs;
pub mod organizations;
pub mod pledges;
pub mod purchases;
pub mod reallocations;
pub mod returns;
pub mod sessions;
pub mod sign_in_guard;
pub mod stock;
pub mod users;
pub mod visits;
pub mod waybills;

#[cfg(feature = "testing")]
pub mod testing;

mod db;
mod migrate;
mod numbers;

pub use db::{Backend, Rows, Store, Tx};
pub use migrate::MIGRATIONS;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("stored data does not parse ({0}); the database was changed outside Hearth")]
    Corrupt(String),
    /// A value outside what its column's layout holds, e.g. an identity key's pass above 255.
    #[error("cannot store {0}: out of the stored layout's range")]
    Unstorable(String),
}

impl StoreError {
    /// A unique constraint refused the write (a duplicate credit code, user name …).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stored value that must parse back into its domain type.
pub(crate) fn parsed<T, E: std::fmt::Display>(what: &str, value: Result<T, E>) -> Result<T> {
    value.map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Times are stored with microsecond precision, which both engines keep exactly.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(6)
}
