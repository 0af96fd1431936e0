//! Router tests: the real application in-process on SQLite and PostgreSQL.

mod api;
mod attachments;
mod campaigns;
mod cultivation;
mod deliveries;
mod households;
mod needs;
mod openapi;
mod pages;
mod pledge_pages;
mod support;
mod visits;
