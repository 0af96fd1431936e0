//! The household registry: villages register, towns review, the county sees all; personal data
//! is sealed at rest, masked on screen, and shown in full only with a logged reason.

pub mod bulk;
mod consent;
mod query;
mod retention;
mod reveal;
mod view;
mod workflow;

pub use query::HouseholdQuery;
pub use reveal::{Revealed, RevealedMember};
pub use view::{HouseholdView, MemberView};

use crate::{App, AppError, Caller, Result};
use hearth_core::household::{HouseholdInput, HouseholdProfile, HouseholdStatus, mask, score};
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_core::{Invalid, area::AreaLevel};
use hearth_store::audit::{self, NewEvent};
use hearth_store::crypto::{FieldCipher, Slot};
use hearth_store::households::{self, HouseholdRow, MemberRow};
use hearth_store::{Tx, areas};
use uuid::Uuid;

const RECORD: &str = "household";

fn slot(id: &Uuid) -> (String, &'static str) {
    (id.to_string(), "profile")
}

pub(crate) fn seal(cipher: &FieldCipher, id: Uuid, profile: &HouseholdProfile) -> String {
    let (row, field) = slot(&id);
    let json = serde_json::to_string(&HouseholdInput::from(profile)).unwrap_or_default();
    cipher.seal(
        Slot {
            table: RECORD,
            row: &row,
            field,
        },
        &json,
    )
}

pub(crate) fn unseal(cipher: &FieldCipher, row: &HouseholdRow) -> Result<HouseholdInput> {
    let (id, field) = slot(&row.id);
    let json = cipher.open(
        Slot {
            table: RECORD,
            row: &id,
            field,
        },
        &row.sealed,
    )?;
    serde_json::from_str(&json).map_err(|e| {
        AppError::Store(hearth_store::StoreError::Corrupt(format!(
            "household profile: {e}"
        )))
    })
}

pub(crate) fn id_index(cipher: &FieldCipher, id_number: &str) -> String {
    cipher.blind_index("id_number", id_number)
}

/// The plain columns and member rows for a profile, everything personal sealed.
pub(crate) fn rows(
    cipher: &FieldCipher,
    id: Uuid,
    profile: &HouseholdProfile,
    base: RowBase,
) -> (HouseholdRow, Vec<MemberRow>) {
    let today = crate::today();
    let score = score::vulnerability(profile, today);
    let head = profile.head();
    let row = HouseholdRow {
        id,
        village: profile.village().clone(),
        town: profile.town().unwrap_or_else(|| profile.village().clone()),
        status: base.status.as_str().to_owned(),
        head_name: head.name.clone(),
        head_id_masked: mask::mask_id(&head.id_number),
        address: profile.address().to_owned(),
        phone_index: profile
            .phone()
            .map(|p| cipher.blind_index("phone", p.as_str())),
        phone_last4: profile.phone().map(|p| p.last4().to_owned()),
        main_category: profile
            .main_category()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        categories: profile
            .categories()
            .iter()
            .map(|t| t.category.as_str().to_owned())
            .collect(),
        shares_with_orgs: profile.consents_to(
            hearth_core::household::consent::ConsentScope::ShareWithOrganizations,
            today,
        ),
        member_count: profile.members().len() as i64,
        score: i64::from(score.total),
        sealed: seal(cipher, id, profile),
        entered_by: base.entered_by,
        reviewed_by: base.reviewed_by,
        reviewed_at: base.reviewed_at,
        return_reason: base.return_reason,
        retain_until: today + chrono::Months::new(base.retention_years * 12),
        anonymised_at: None,
        version: base.version,
        created_at: base.created_at,
        updated_at: hearth_store::now(),
    };
    let members = profile
        .members()
        .iter()
        .enumerate()
        .map(|(position, m)| MemberRow {
            id: Uuid::now_v7(),
            household_id: id,
            position: position as i64,
            name: m.name.clone(),
            relation: m.relation.as_str().to_owned(),
            id_index: id_index(cipher, m.id_number.as_str()),
            id_last4: m.id_number.last4().to_owned(),
            sex: m.sex().as_str().to_owned(),
            birth_year: i64::from(m.id_number.birth_year()),
        })
        .collect();
    (row, members)
}

/// What a new version of a row keeps from the one before.
pub(crate) struct RowBase {
    pub status: HouseholdStatus,
    pub entered_by: Uuid,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub return_reason: String,
    pub retention_years: u32,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl RowBase {
    /// A new draft's: entered by `entered_by`, never reviewed, version 1.
    pub fn new_draft(
        entered_by: Uuid,
        retention_years: u32,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> RowBase {
        RowBase {
            status: HouseholdStatus::Draft,
            entered_by,
            reviewed_by: None,
            reviewed_at: None,
            return_reason: String::new(),
            retention_years,
            version: 1,
            created_at,
        }
    }
}

/// The area a caller's household scope covers, or none at all.
pub(crate) fn scope_area(caller: &Caller) -> Result<Option<hearth_core::area::AreaCode>> {
    caller.require(Permission::ReadHouseholds)?;
    Ok(match caller.user.role {
        Role::TownOfficer | Role::VillageOfficer | Role::CountyAdmin | Role::Auditor => {
            caller.user.area_code.clone()
        }
        _ => None,
    })
}

/// Loads a household the caller may see, or "not found" (existence does not leak).
pub(crate) async fn visible(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<HouseholdRow> {
    let filter = query::scoped(
        tx,
        caller,
        hearth_store::households::HouseholdFilter::default(),
    )
    .await?;
    let row = households::get(tx, id)
        .await?
        .filter(|r| r.anonymised_at.is_none())
        .ok_or(AppError::NotFound)?;
    let inside = filter
        .within
        .as_ref()
        .is_none_or(|area| row.village.is_within(area))
        && filter
            .within_any
            .as_ref()
            .is_none_or(|areas| areas.iter().any(|area| row.village.is_within(area)));
    let org_ok = !filter.nothing
        && filter
            .shares_with_orgs
            .is_none_or(|shares| shares == row.shares_with_orgs);
    let status_ok = filter
        .statuses
        .as_ref()
        .is_none_or(|allowed| allowed.contains(&row.status));
    if inside && org_ok && status_ok {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// Refuses an ID number already registered in another household, naming where (masked).
async fn refuse_duplicates(
    tx: &mut Tx,
    cipher: &FieldCipher,
    profile: &HouseholdProfile,
    except: Option<Uuid>,
) -> Result<()> {
    let indexes: Vec<String> = profile
        .members()
        .iter()
        .map(|m| id_index(cipher, m.id_number.as_str()))
        .collect();
    let Some(existing) = households::member_with_index(tx, &indexes, except).await? else {
        return Ok(());
    };
    let position = indexes
        .iter()
        .position(|i| *i == existing.id_index)
        .unwrap_or(0);
    let holder = households::get(tx, existing.household_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let village = areas::get(tx, &holder.village)
        .await?
        .map(|a| a.name)
        .unwrap_or_else(|| holder.village.as_str().to_owned());
    Err(AppError::Conflict(
        Invalid::new(
            format!("members[{position}].id_number"),
            "household.already_registered",
        )
        .arg("village", village)
        .arg("head", mask::mask_name(&holder.head_name)),
    ))
}

/// The village must exist, be a village, and lie in the caller's area.
async fn check_village(tx: &mut Tx, caller: &Caller, profile: &HouseholdProfile) -> Result<()> {
    let village = profile.village();
    let area = areas::get(tx, village)
        .await?
        .ok_or_else(|| Invalid::new("village", "area.unknown").arg("value", village.as_str()))?;
    if area.level != AreaLevel::Village {
        return Err(Invalid::new("village", "household.not_a_village")
            .arg("value", &area.name)
            .into());
    }
    let own = caller.user.area_code.as_ref().ok_or(AppError::Forbidden)?;
    if !village.is_within(own) {
        return Err(Invalid::new("village", "household.village_outside_scope")
            .arg("value", &area.name)
            .into());
    }
    Ok(())
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

/// Which top-level parts of the form changed: names of fields, never their values.
fn changed_fields(before: &HouseholdInput, after: &HouseholdInput) -> serde_json::Value {
    let (b, a) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let keys: Vec<&String> = a
        .as_object()
        .map(|o| o.keys().filter(|k| b.get(*k) != a.get(*k)).collect())
        .unwrap_or_default();
    serde_json::json!({ "fields": keys })
}

impl App {
    /// A village (or town) officer registers a household as a draft.
    pub async fn register_household(
        &self,
        caller: &Caller,
        input: &HouseholdInput,
    ) -> Result<HouseholdView> {
        caller.require(Permission::RegisterHouseholds)?;
        let cipher = self.cipher()?;
        let profile = input.parse(crate::today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        check_village(&mut tx, caller, &profile).await?;
        refuse_duplicates(&mut tx, cipher, &profile, None).await?;
        let id = Uuid::now_v7();
        let base = RowBase::new_draft(
            caller.user.id,
            self.policy().retention_years,
            hearth_store::now(),
        );
        let (row, members) = rows(cipher, id, &profile, base);
        households::insert(&mut tx, &row, &members)
            .await
            .map_err(duplicate_or)?;
        crate::identity::refresh_keys(&mut tx, cipher, [&row]).await?;
        record(
            &mut tx,
            caller,
            "household_created",
            id,
            changed_fields(&HouseholdInput::default(), &HouseholdInput::from(&profile)),
            String::new(),
        )
        .await?;
        let view = view::build(&mut tx, caller, &row, &members).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Saves an edit of a draft or returned household made from `version`.
    pub async fn update_household(
        &self,
        caller: &Caller,
        id: Uuid,
        version: i64,
        input: &HouseholdInput,
    ) -> Result<HouseholdView> {
        caller.require(Permission::RegisterHouseholds)?;
        let cipher = self.cipher()?;
        let profile = input.parse(crate::today()).map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        let current = visible(&mut tx, caller, id).await?;
        let status = view::status(&current)?;
        hearth_core::household::status::next(
            status,
            hearth_core::household::status::HouseholdAction::Edit,
        )?;
        if current.version != version {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "household.stale_edit",
            )));
        }
        check_village(&mut tx, caller, &profile).await?;
        refuse_duplicates(&mut tx, cipher, &profile, Some(id)).await?;
        let before = unseal(cipher, &current)?;
        let base = RowBase {
            status,
            // Maker-checker: whoever last changed the content is its maker now.
            entered_by: caller.user.id,
            reviewed_by: current.reviewed_by,
            reviewed_at: current.reviewed_at,
            return_reason: current.return_reason.clone(),
            retention_years: self.policy().retention_years,
            version: version + 1,
            created_at: current.created_at,
        };
        let (row, members) = rows(cipher, id, &profile, base);
        if !households::update(&mut tx, &row, version, Some(&members))
            .await
            .map_err(duplicate_or)?
        {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "household.stale_edit",
            )));
        }
        crate::identity::refresh_keys(&mut tx, cipher, [&row]).await?;
        record(
            &mut tx,
            caller,
            "household_updated",
            id,
            changed_fields(&before, &HouseholdInput::from(&profile)),
            String::new(),
        )
        .await?;
        let view = view::build(&mut tx, caller, &row, &members).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The form as stored, for editing; opening it is logged like any unmasked view.
    pub async fn household_form(&self, caller: &Caller, id: Uuid) -> Result<(HouseholdInput, i64)> {
        caller.require(Permission::RegisterHouseholds)?;
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let row = visible(&mut tx, caller, id).await?;
        hearth_core::household::status::next(
            view::status(&row)?,
            hearth_core::household::status::HouseholdAction::Edit,
        )?;
        let input = unseal(cipher, &row)?;
        record(
            &mut tx,
            caller,
            "household_opened_for_edit",
            id,
            serde_json::json!({}),
            String::new(),
        )
        .await?;
        tx.commit().await?;
        Ok((input, row.version))
    }
}

/// Two officers registering the same person at the same moment meet the unique index.
fn duplicate_or(e: hearth_store::StoreError) -> AppError {
    if e.is_unique_violation() {
        AppError::Conflict(Invalid::new(
            "members[0].id_number",
            "household.already_registered_now",
        ))
    } else {
        e.into()
    }
}
