//! hearth-store integration tests, each run on SQLite and (when available) PostgreSQL.
//! See `hearth_store::testing` for `HEARTH_TEST_POSTGRES_URL` and `HEARTH_REQUIRE_POSTGRES`.

mod audit;
mod fixtures;
mod households;
mod identity;
mod ledger;
mod migrations;
mod organizations;
mod sessions;
mod writers;
