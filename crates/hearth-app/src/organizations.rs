//! The organization registry: list, read, add, edit, deactivate, history.

use crate::{App, AppError, Caller, Result};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::organization::{OrgInput, OrgProfile, OrgStatus, Organization};
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_core::{Invalid, Notice};
use hearth_store::audit::{self, AuditEvent, NewEvent};
use hearth_store::organizations::{self, OrgFilter, PageRequest};
use hearth_store::{Tx, areas};
use uuid::Uuid;

pub use hearth_store::organizations::{OrgFilter as Filter, PageRequest as Page};

const RECORD: &str = "organization";

/// Narrows a filter to what the caller may see: their own organization, or organizations of
/// their counties (for a town or village, those of its county serving it).
fn scoped(caller: &Caller, mut filter: OrgFilter) -> Result<OrgFilter> {
    caller.require(Permission::ReadOrganizations)?;
    filter.reaching = caller.area_scope()?.cloned();
    match caller.user.role {
        Role::OrgMember => filter.only = Some(caller.user.organization_id.into_iter().collect()),
        Role::TownOfficer | Role::VillageOfficer => {
            let own = caller.user.area_code.clone().ok_or(AppError::Forbidden)?;
            if !filter
                .area
                .as_ref()
                .is_some_and(|asked| asked.is_within(&own))
            {
                filter.area = Some(own);
            }
        }
        _ => {}
    }
    Ok(filter)
}

/// The fields that differ between two versions, for the audit log and the history page.
fn changes(before: &OrgInput, after: &OrgInput) -> serde_json::Value {
    let (before, after) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let mut changed = serde_json::Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (key, new) in a {
            let old = b.get(key).cloned().unwrap_or_default();
            if old != *new {
                changed.insert(key.clone(), serde_json::json!([old, new]));
            }
        }
    }
    serde_json::json!({ "changed": changed })
}

/// Every service area exists and lies in the organization's county (or is the city or
/// province above it); an organization of the whole deployment may serve anywhere.
async fn check_areas(tx: &mut Tx, profile: &OrgProfile, county: Option<&AreaCode>) -> Result<()> {
    for code in &profile.service_areas {
        if areas::get(tx, code).await?.is_none() {
            return Err(Invalid::new("service_areas", "org.area_unknown")
                .arg("value", code.as_str())
                .into());
        }
        if let Some(county) = county
            && !(code.is_within(county) || county.is_within(code))
        {
            return Err(Invalid::new("service_areas", "org.area_outside_county")
                .arg("value", code.as_str())
                .into());
        }
    }
    Ok(())
}

/// One credit code, one organization in the whole deployment. The name of one registered by
/// another county is not shown: the registry of a county stays its own.
async fn refuse_duplicate(
    tx: &mut Tx,
    caller: &Caller,
    profile: &OrgProfile,
    except: Option<Uuid>,
) -> Result<()> {
    let Some(existing) = organizations::find_by_uscc(tx, &profile.uscc).await? else {
        return Ok(());
    };
    if Some(existing.id) == except {
        return Ok(());
    }
    let seen = organizations::county(tx, existing.id)
        .await?
        .is_none_or(|county| caller.reaches(&county));
    Err(AppError::Conflict(if seen {
        Invalid::new("uscc", "org.duplicate_uscc")
            .arg("uscc", profile.uscc.as_str())
            .arg("name", existing.profile.name)
    } else {
        Invalid::new("uscc", "org.duplicate_uscc_elsewhere").arg("uscc", profile.uscc.as_str())
    }))
}

/// The county a county officer registers organizations in: their own.
fn registering_county(caller: &Caller) -> Result<Option<AreaCode>> {
    Ok(caller
        .area_scope()?
        .and_then(|area| area.ancestor_at(AreaLevel::County)))
}

/// Whether the organization may take part in a campaign run by `campaign_area`: both belong to
/// the same county (or either to the whole deployment).
pub(crate) async fn serves_campaign_area(
    tx: &mut Tx,
    organization: Uuid,
    campaign_area: Option<&AreaCode>,
) -> Result<bool> {
    let Some(campaign_area) = campaign_area else {
        return Ok(true);
    };
    Ok(organizations::county(tx, organization)
        .await?
        .is_none_or(|county| county.is_within(campaign_area) || campaign_area.is_within(&county)))
}

impl App {
    pub async fn organizations(
        &self,
        caller: &Caller,
        filter: OrgFilter,
        page: PageRequest,
    ) -> Result<(Vec<Organization>, i64)> {
        let filter = scoped(caller, filter)?;
        let mut tx = self.store().read().await?;
        Ok(organizations::search(&mut tx, &filter, page).await?)
    }

    /// One organization, if the caller may see it (otherwise "not found", so existence does not leak).
    pub async fn organization(&self, caller: &Caller, id: Uuid) -> Result<Organization> {
        let mut tx = self.store().read().await?;
        visible(&mut tx, caller, id).await
    }

    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: &OrgInput,
    ) -> Result<(Organization, Vec<Notice>)> {
        let mut tx = self.store().write().await?;
        let created = create_organization_in(&mut tx, caller, input).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Saves an edit made from `version`; refuses it if someone saved in between.
    pub async fn update_organization(
        &self,
        caller: &Caller,
        id: Uuid,
        version: i64,
        input: &OrgInput,
    ) -> Result<(Organization, Vec<Notice>)> {
        let mut tx = self.store().write().await?;
        let current = visible(&mut tx, caller, id).await?;
        let input = if caller.can(Permission::ManageOrganizations) {
            input.clone()
        } else if caller.can(Permission::EditOwnOrganization)
            && caller.user.organization_id == Some(id)
        {
            own_contact_edit(&current.profile, input)
        } else {
            return Err(AppError::Forbidden);
        };
        let (profile, warnings) = input.parse().map_err(AppError::Invalid)?;
        if current.version != version {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "org.stale_edit",
            )));
        }
        let county = organizations::county(&mut tx, id).await?;
        check_areas(&mut tx, &profile, county.as_ref()).await?;
        refuse_duplicate(&mut tx, caller, &profile, Some(id)).await?;
        let detail = changes(&OrgInput::from(&current.profile), &OrgInput::from(&profile));
        let updated = Organization {
            profile,
            version: version + 1,
            updated_at: hearth_store::now(),
            ..current
        };
        if !organizations::update(&mut tx, &updated, version)
            .await
            .map_err(|e| duplicate_or(e, &updated.profile))?
        {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "org.stale_edit",
            )));
        }
        record(
            &mut tx,
            caller,
            "organization_updated",
            id,
            detail,
            String::new(),
        )
        .await?;
        tx.commit().await?;
        Ok((updated, warnings))
    }

    /// Deactivates (停用) or reactivates (启用) an organization, with the reason logged.
    pub async fn set_organization_status(
        &self,
        caller: &Caller,
        id: Uuid,
        status: OrgStatus,
        reason: &str,
    ) -> Result<Organization> {
        caller.require(Permission::ManageOrganizations)?;
        let reason = reason.trim();
        if status == OrgStatus::Inactive && reason.is_empty() {
            return Err(Invalid::new("reason", "org.reason_required").into());
        }
        let mut tx = self.store().write().await?;
        let current = visible(&mut tx, caller, id).await?;
        if current.status == status {
            return Ok(current);
        }
        let version = current.version;
        let updated = Organization {
            status,
            version: version + 1,
            updated_at: hearth_store::now(),
            ..current.clone()
        };
        if !organizations::update(&mut tx, &updated, version).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "org.stale_edit",
            )));
        }
        let detail =
            serde_json::json!({"changed": {"status": [current.status.as_str(), status.as_str()]}});
        let action = if status == OrgStatus::Inactive {
            "organization_deactivated"
        } else {
            "organization_activated"
        };
        record(&mut tx, caller, action, id, detail, reason.to_owned()).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Every recorded change to the organization, oldest first.
    pub async fn organization_history(&self, caller: &Caller, id: Uuid) -> Result<Vec<AuditEvent>> {
        let mut tx = self.store().read().await?;
        visible(&mut tx, caller, id).await?;
        Ok(audit::for_record(&mut tx, RECORD, &id.to_string()).await?)
    }
}

pub(crate) async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<Organization> {
    let filter = scoped(
        caller,
        OrgFilter {
            only: Some(vec![id]),
            ..OrgFilter::default()
        },
    )?;
    let filter = OrgFilter {
        only: filter
            .only
            .map(|ids| ids.into_iter().filter(|own| *own == id).collect()),
        ..filter
    };
    let (mut found, _) = organizations::search(tx, &filter, PageRequest::new(None, None)).await?;
    found.pop().ok_or(AppError::NotFound)
}

/// An organization's own member may change only how to reach them.
fn own_contact_edit(current: &OrgProfile, input: &OrgInput) -> OrgInput {
    OrgInput {
        contact_person: input.contact_person.clone(),
        contact_phone: input.contact_phone.clone(),
        address: input.address.clone(),
        ..OrgInput::from(current)
    }
}

/// A concurrent insert of the same credit code surfaces as a unique violation.
fn duplicate_or(e: hearth_store::StoreError, profile: &OrgProfile) -> AppError {
    if e.is_unique_violation() {
        AppError::Conflict(
            Invalid::new("uscc", "org.duplicate_uscc")
                .arg("uscc", profile.uscc.as_str())
                .arg("name", "—"),
        )
    } else {
        e.into()
    }
}

async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    id: Uuid,
    detail: serde_json::Value,
    reason: String,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: RECORD,
            record_id: id.to_string(),
            detail,
            reason,
        },
    )
    .await?;
    Ok(())
}

/// Registers an organization inside the caller's transaction (a sheet's rows go in one).
pub(crate) async fn create_organization_in(
    tx: &mut Tx,
    caller: &Caller,
    input: &OrgInput,
) -> Result<(Organization, Vec<Notice>)> {
    caller.require(Permission::ManageOrganizations)?;
    let (profile, warnings) = input.parse().map_err(AppError::Invalid)?;
    let now = hearth_store::now();
    let org = Organization {
        id: Uuid::now_v7(),
        profile,
        status: OrgStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let county = registering_county(caller)?;
    check_areas(tx, &org.profile, county.as_ref()).await?;
    refuse_duplicate(tx, caller, &org.profile, None).await?;
    organizations::insert(tx, &org)
        .await
        .map_err(|e| duplicate_or(e, &org.profile))?;
    if let Some(county) = &county {
        organizations::set_county(tx, org.id, county).await?;
    }
    let detail = changes(&OrgInput::default(), &OrgInput::from(&org.profile));
    record(
        tx,
        caller,
        "organization_created",
        org.id,
        detail,
        String::new(),
    )
    .await?;
    Ok((org, warnings))
}
