//! Router tests: the real application in-process on SQLite and PostgreSQL.

mod api;
mod attachments;
mod campaigns;
mod catalogue;
mod cultivation;
mod dashboard;
mod deliveries;
mod donations;
mod hostile;
mod households;
mod imports;
mod ledger;
mod matching;
mod money;
mod needs;
mod openapi;
mod pages;
mod pledge_pages;
mod pledge_scans;
mod public;
mod security;
mod stock;
mod support;
mod visits;
