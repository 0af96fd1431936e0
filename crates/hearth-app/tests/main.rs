//! hearth-app integration tests, each run on SQLite and (when available) PostgreSQL.
//! See `hearth_store::testing` for `HEARTH_TEST_POSTGRES_URL` and `HEARTH_REQUIRE_POSTGRES`.

mod areas;
mod attachments;
mod auth;
mod bulk_review;
mod campaigns;
mod common;
mod counties;
mod cultivation;
mod deliveries;
mod demo_money;
mod demo_pledges;
mod donations;
mod household_privacy;
mod household_scope;
mod households;
mod identity;
mod needs;
mod organizations;
mod pledges;
mod scope;
mod stock;
mod todo;
mod tokens_and_users;
mod visits;
