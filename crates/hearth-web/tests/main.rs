//! Router tests: the real application in-process on SQLite and PostgreSQL.

mod api;
mod attachments;
mod campaigns;
mod catalogue;
mod cultivation;
mod deliveries;
mod donations;
mod households;
mod ledger;
mod needs;
mod openapi;
mod pages;
mod pledge_pages;
mod pledge_scans;
mod stock;
mod support;
mod visits;
