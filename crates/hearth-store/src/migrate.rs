//! Mirrored migration trees, compiled into the binary.

use sqlx::migrate::Migrator;

pub(crate) static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The migration versions this binary carries, one list per engine (kept identical by a test).
pub static MIGRATIONS: [&Migrator; 2] = [&SQLITE, &POSTGRES];
