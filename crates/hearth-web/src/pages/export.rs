//! 导出Excel / 导出CSV for every list: the rows the list shows under the same filters, every
//! page, masked exactly as the page masks them (the use cases mask by role before a row reaches
//! a page), as .xlsx or as CSV (UTF-8 with BOM). The file leaves only once the export is on the
//! audit log (who, which list, filters, row count).
//!
//! A list declares its columns ([`Column`]) over the rows it already builds for its table and
//! answers `GET /<list>/export.xlsx` and `GET /<list>/export.csv` with one handler that calls
//! [`List::send`]; the format comes from the address ([`Format`]).

use super::{XLSX, download, internal_error};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use hearth_app::exports::ExportRecord;
use hearth_office::table::Cell;

pub(crate) const CSV: &str = "text/csv; charset=utf-8";

/// The file asked for, read from the address's ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Xlsx,
    Csv,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Format {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Format, StatusCode> {
        let path = parts.uri.path();
        if path.ends_with(".xlsx") {
            Ok(Format::Xlsx)
        } else if path.ends_with(".csv") {
            Ok(Format::Csv)
        } else {
            Err(StatusCode::NOT_FOUND)
        }
    }
}

/// One column of an export: its header (a locale key) and how a row fills it.
pub(crate) struct Column<R> {
    pub header: &'static str,
    pub cell: fn(&R) -> Cell,
}

/// Text as a cell.
pub(crate) fn txt(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

/// A whole number as a number cell.
pub(crate) fn whole(value: i64) -> Cell {
    Cell::Number {
        value: value as f64,
        decimals: false,
    }
}

/// A count the page shows (a quantity) as a number cell; anything else stays text.
pub(crate) fn count(shown: &str) -> Cell {
    match shown.trim().parse::<i64>() {
        Ok(value) => whole(value),
        Err(_) => txt(shown),
    }
}

/// An amount the page shows as yuan (`1,234.50` or `1234.50`) as a money cell, so it sums in
/// WPS; anything that is not a number (an empty amount) stays text.
pub(crate) fn yuan(shown: &str) -> Cell {
    let digits: String = shown.chars().filter(|c| *c != ',' && *c != '¥').collect();
    match digits.trim().parse::<f64>() {
        Ok(value) => Cell::Number {
            value,
            decimals: true,
        },
        Err(_) => txt(shown),
    }
}

/// The list being exported: its name in the audit log and the file name, its title (the page
/// title) and the filters it was asked with.
pub(crate) struct List<'a> {
    /// e.g. `needs`; the audit log's list and the file's ASCII name.
    pub name: &'static str,
    pub title: &'a str,
    pub filter: &'a [(&'static str, String)],
}

impl List<'_> {
    /// Writes `rows` under `columns` in the asked format, records the export, hands it over.
    pub async fn send<R>(
        &self,
        state: &AppState,
        signed: &Signed,
        t: Tr,
        format: Format,
        columns: &[Column<R>],
        rows: &[R],
    ) -> Result<Response, PageError> {
        let caller = &signed.caller;
        let headers: Vec<String> = columns.iter().map(|c| t.t(c.header).to_owned()).collect();
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| columns.iter().map(|c| (c.cell)(r)).collect())
            .collect();
        let now = chrono::Utc::now();
        let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
        let written = match format {
            Format::Xlsx => {
                let args = [
                    ("user", caller.user.display_name.clone()),
                    ("at", local.format("%Y-%m-%d %H:%M").to_string()),
                    ("count", rows.len().to_string()),
                ];
                let footer = t.f("export.footer", &args);
                hearth_office::table::export(self.title, &headers, &cells, &footer)
            }
            Format::Csv => hearth_office::table::csv(&headers, &cells),
        };
        let bytes = match written {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, list = self.name, "list export failed");
                return Ok(internal_error(t));
            }
        };
        let filter: serde_json::Map<String, serde_json::Value> = self
            .filter
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| ((*k).to_owned(), v.clone().into()))
            .collect();
        let record = ExportRecord {
            list: self.name,
            format: format.extension(),
            filter: filter.into(),
            rows: rows.len(),
        };
        state
            .app
            .record_export(caller, record)
            .await
            .map_err(|e| PageError::new(e, t))?;
        let day = local.format("%Y%m%d");
        let ext = format.extension();
        let content_type = match format {
            Format::Xlsx => XLSX,
            Format::Csv => CSV,
        };
        Ok(download(
            content_type,
            &format!("{}-{day}.{ext}", self.name),
            &format!("{}-{day}.{ext}", self.title),
            bytes,
        ))
    }
}

/// The export addresses of the list at `here` (its path and filters, without page or notice).
pub(crate) fn href(here: &str, format: Format) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let kept: Vec<(String, String)> = crate::tr::form_pairs(query)
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "page" | "notice"))
        .collect();
    let query = serde_urlencoded::to_string(kept).unwrap_or_default();
    super::with_query(
        &format!(
            "{}/export.{}",
            path.trim_end_matches('/'),
            format.extension()
        ),
        &query,
    )
}
