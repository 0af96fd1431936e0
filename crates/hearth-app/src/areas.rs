//! The division tree and loading a county's division file.

use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::permission::Permission;
use hearth_store::areas::{self, Area};
use hearth_store::audit::{self, Actor, NewEvent};

/// One line of a division file: `code,name,level,parent,note` (the format of
/// `data/feixi-divisions.csv`), with an optional `short_name` and `example` column.
fn parse_row(
    row: &csv::StringRecord,
    headers: &csv::StringRecord,
    line: usize,
) -> Result<Area, Invalid> {
    let get = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .and_then(|i| row.get(i))
            .unwrap_or("")
            .trim()
    };
    let at = |e: Invalid| e.within(&format!("row {line}"));
    // The parsers name their own field (`area_code`); the file's reader knows the column.
    let column = |name: &'static str| {
        move |e: Invalid| {
            at(Invalid(hearth_core::Notice {
                field: name.to_owned(),
                ..e.0
            }))
        }
    };
    let code = AreaCode::parse(get("code")).map_err(column("code"))?;
    let name = get("name");
    if name.is_empty() {
        return Err(at(Invalid::new("name", "field.required")));
    }
    let level: AreaLevel = get("level").parse().map_err(column("level"))?;
    if level != code.level() {
        return Err(at(Invalid::new("level", "area.level_mismatch")
            .arg("code", code.as_str())
            .arg("level", level.as_str())));
    }
    let parent = match get("parent") {
        "" => None,
        parent => Some(AreaCode::parse(parent).map_err(column("parent"))?),
    };
    Ok(Area {
        code,
        name: name.to_owned(),
        level,
        parent,
        short_name: get("short_name").to_owned(),
        is_example: matches!(get("example"), "1" | "true" | "是"),
        note: get("note").to_owned(),
    })
}

/// Reads a whole division file; refuses it whole if any row is wrong, naming every bad row.
pub fn parse_divisions(text: &str) -> Result<Vec<Area>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| AppError::from(Invalid::new("file", "area.file_unreadable")))?
        .clone();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        match record {
            Ok(record) => match parse_row(&record, &headers, line) {
                Ok(area) => rows.push(area),
                Err(e) => errors.push(e),
            },
            Err(_) => errors.push(Invalid::new(format!("row {line}"), "area.file_unreadable")),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Invalid(errors))
    }
}

impl App {
    /// Adds or updates the given divisions in one transaction (parents first).
    pub async fn load_areas(&self, actor: &Actor, areas_to_load: &[Area]) -> Result<usize> {
        let mut tx = self.store().write().await?;
        for area in areas_to_load {
            if let Some(parent) = &area.parent
                && areas::get(&mut tx, parent).await?.is_none()
                && !areas_to_load.iter().any(|a| &a.code == parent)
            {
                return Err(Invalid::new("parent", "area.parent_unknown")
                    .arg("value", parent.as_str())
                    .into());
            }
            areas::upsert(&mut tx, area).await?;
        }
        let detail = serde_json::json!({"count": areas_to_load.len()});
        audit::append(
            &mut tx,
            NewEvent {
                actor,
                action: "areas_loaded",
                record_type: "area",
                record_id: String::new(),
                detail,
                reason: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(areas_to_load.len())
    }

    /// The divisions the caller works in, with their ancestors so the tree has its root.
    pub async fn areas(&self, caller: &Caller) -> Result<Vec<Area>> {
        caller.require(Permission::ReadAreas)?;
        let mut tx = self.store().read().await?;
        let all = areas::all(&mut tx).await?;
        let Some(own) = caller.user.area_code.clone().filter(|_| {
            matches!(
                caller.user.role,
                hearth_core::Role::TownOfficer | hearth_core::Role::VillageOfficer
            )
        }) else {
            return Ok(all);
        };
        Ok(all
            .into_iter()
            .filter(|a| a.code.is_within(&own) || own.is_within(&a.code))
            .collect())
    }
}
