//! The division tree and loading a county's division file.

use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::permission::Permission;
use hearth_core::role::Anchor;
use hearth_store::Tx;
use hearth_store::areas::{self, Area};
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::campaigns::Campaign;
use hearth_store::organizations;
use std::collections::HashMap;
use uuid::Uuid;

/// Which county (or city, province) runs each campaign, to keep a caller to the campaigns of
/// their own counties. A campaign with no area belongs to the whole deployment. A member of an
/// organization registered by a county is kept to that county's campaigns (and those covering
/// it), the only ones the organization can join; one of the whole deployment sees them all.
pub(crate) struct CampaignAreas {
    areas: HashMap<Uuid, AreaCode>,
    /// The county of the caller's organization, for an organization member.
    county: Option<AreaCode>,
}

impl CampaignAreas {
    pub(crate) async fn load(tx: &mut Tx, caller: &Caller) -> Result<CampaignAreas> {
        let county = match (caller.user.role.anchor(), caller.user.organization_id) {
            (Anchor::Organization, Some(org)) => organizations::county(tx, org).await?,
            _ => None,
        };
        Ok(CampaignAreas {
            areas: areas::campaign_areas(tx).await?,
            county,
        })
    }

    pub(crate) fn all(&self) -> &HashMap<Uuid, AreaCode> {
        &self.areas
    }

    pub(crate) fn of(&self, campaign: Uuid) -> Option<&AreaCode> {
        self.areas.get(&campaign)
    }

    /// Whether the campaign is one of the caller's counties' (or covers them).
    pub(crate) fn reaches(&self, caller: &Caller, campaign: Uuid) -> bool {
        self.of(campaign).is_none_or(|area| {
            caller.reaches(area)
                && self
                    .county
                    .as_ref()
                    .is_none_or(|county| county.is_within(area) || area.is_within(county))
        })
    }

    /// The campaign if the caller reaches it, else "not found" (its existence does not leak).
    pub(crate) fn visible(&self, caller: &Caller, campaign: Option<Campaign>) -> Result<Campaign> {
        campaign
            .filter(|c| self.reaches(caller, c.id))
            .ok_or(AppError::NotFound)
    }
}

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
    /// Adds or updates the given divisions (the rows of a file) in one
    /// transaction; a parent neither stored nor among them refuses the whole load, naming the
    /// row (counted as in the file, the header being row 1).
    pub async fn load_areas(&self, actor: &Actor, areas_to_load: &[Area]) -> Result<usize> {
        let mut tx = self.store().write().await?;
        let mut orphans = Vec::new();
        for (index, area) in areas_to_load.iter().enumerate() {
            if let Some(parent) = &area.parent
                && !areas_to_load.iter().any(|a| &a.code == parent)
                && areas::get(&mut tx, parent).await?.is_none()
            {
                orphans.push(
                    Invalid::new("parent", "area.parent_unknown")
                        .arg("value", parent.as_str())
                        .within(&format!("row {}", index + 2)),
                );
            }
        }
        if !orphans.is_empty() {
            return Err(AppError::Invalid(orphans));
        }
        // Parents are written before their children whatever the file's order.
        let mut ordered: Vec<&Area> = areas_to_load.iter().collect();
        ordered.sort_by_key(|a| a.level);
        for area in ordered {
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

    /// Loads a division file (the format of `data/feixi-divisions.csv`) for the caller: a
    /// system administrator adds any county with the city and province above it; a county
    /// bureau only divisions inside its own county. Refused whole if any row is wrong.
    pub async fn import_divisions(&self, caller: &Caller, text: &str) -> Result<usize> {
        caller.require(Permission::ManageAreas)?;
        let divisions = parse_divisions(text)?;
        if let Some(own) = caller.area_scope()? {
            let outside: Vec<Invalid> = divisions
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.code.is_within(own))
                .map(|(i, a)| {
                    Invalid::new("code", "area.outside_own")
                        .arg("value", a.code.as_str())
                        .within(&format!("row {}", i + 2))
                })
                .collect();
            if !outside.is_empty() {
                return Err(AppError::Invalid(outside));
            }
        }
        self.load_areas(&caller.actor(), &divisions).await
    }

    /// Loads a division file at the console (`hearth areas load FILE`): as the account named
    /// (`--as`, with the rules of [`App::import_divisions`]), or, without one, as the operator
    /// of the deployment, who adds any county as the system administrator does.
    pub async fn load_divisions_at_console(
        &self,
        username: Option<&str>,
        text: &str,
    ) -> Result<usize> {
        let Some(username) = username else {
            let divisions = parse_divisions(text)?;
            return self.load_areas(&Actor::system("console"), &divisions).await;
        };
        let caller = {
            let mut tx = self.store().read().await?;
            let (user, _) = hearth_store::users::by_username(&mut tx, username.trim())
                .await?
                .ok_or(AppError::NotFound)?;
            if user.status != hearth_core::user::UserStatus::Active {
                return Err(AppError::Disabled);
            }
            Caller::new(user)
        };
        self.import_divisions(&caller, text).await
    }

    /// The divisions the caller works in (their province, city, county, town or village and
    /// everything below), with their ancestors so the tree has its root.
    pub async fn areas(&self, caller: &Caller) -> Result<Vec<Area>> {
        caller.require(Permission::ReadAreas)?;
        let mut tx = self.store().read().await?;
        let all = areas::all(&mut tx).await?;
        let Some(own) = caller.area_scope()? else {
            return Ok(all);
        };
        Ok(all
            .into_iter()
            .filter(|a| a.code.is_within(own) || own.is_within(&a.code))
            .collect())
    }
}
