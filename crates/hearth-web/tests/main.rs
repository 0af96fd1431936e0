//! Router tests: the real application in-process on SQLite and PostgreSQL.

mod api;
mod campaigns;
mod households;
mod openapi;
mod pages;
mod support;
