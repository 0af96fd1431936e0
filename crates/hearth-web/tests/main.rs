//! Router tests: the real application in-process on SQLite and PostgreSQL.

mod api;
mod openapi;
mod pages;
mod support;
