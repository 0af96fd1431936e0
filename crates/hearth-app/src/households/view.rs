//! A household as a given caller may see it: masked by role (DESIGN.md §4 rule 3).

use crate::{AppError, Caller, Result};
use hearth_core::household::{HouseholdStatus, mask};
use hearth_core::permission::Permission;
use hearth_core::role::Role;
use hearth_store::households::{HouseholdRow, MemberRow};
use hearth_store::{StoreError, Tx, areas};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    pub id: Uuid,
    pub village_code: String,
    pub village_name: String,
    pub town_name: String,
    pub status: String,
    /// In full for officers; surname and `*` for auditors and organizations.
    pub head_name: String,
    /// `340123********1234`; empty for organizations.
    pub head_id: String,
    /// `*******1234`; empty for organizations or when none was given.
    pub phone: String,
    /// In full for officers; the village only for auditors and organizations.
    pub address: String,
    pub main_category: String,
    pub categories: Vec<String>,
    pub shares_with_orgs: bool,
    pub member_count: i64,
    pub score: i64,
    pub return_reason: String,
    pub version: i64,
    /// The caller entered this record, so may not approve it.
    pub entered_by_caller: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub members: Vec<MemberView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub name: String,
    pub relation: String,
    pub sex: String,
    pub birth_year: i64,
    /// `**************1234`; empty for organizations.
    pub id_number: String,
}

pub(crate) struct AreaNames(HashMap<String, String>);

impl AreaNames {
    pub async fn load(tx: &mut Tx) -> Result<AreaNames> {
        Ok(AreaNames(
            areas::all(tx)
                .await?
                .into_iter()
                .map(|a| (a.code.as_str().to_owned(), a.name))
                .collect(),
        ))
    }

    fn name(&self, code: &hearth_core::area::AreaCode) -> String {
        self.0
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.as_str().to_owned())
    }
}

pub(crate) fn status(row: &HouseholdRow) -> Result<HouseholdStatus> {
    HouseholdStatus::parse(&row.status)
        .map_err(|e| AppError::Store(StoreError::Corrupt(format!("household.status: {e}"))))
}

fn full_names(caller: &Caller) -> bool {
    caller.can(Permission::RevealHouseholdDetails)
}

fn masked_name(caller: &Caller, name: &str) -> String {
    if full_names(caller) {
        name.to_owned()
    } else {
        mask::mask_name(name)
    }
}

pub(crate) fn summary(caller: &Caller, row: &HouseholdRow, names: &AreaNames) -> HouseholdView {
    let organization = caller.user.role == Role::OrgMember;
    let village_name = names.name(&row.village);
    HouseholdView {
        id: row.id,
        village_code: row.village.as_str().to_owned(),
        village_name: village_name.clone(),
        town_name: names.name(&row.town),
        status: row.status.clone(),
        head_name: masked_name(caller, &row.head_name),
        head_id: if organization {
            String::new()
        } else {
            row.head_id_masked.clone()
        },
        phone: match (&row.phone_last4, organization) {
            (Some(last4), false) => format!("*******{last4}"),
            _ => String::new(),
        },
        address: if full_names(caller) {
            row.address.clone()
        } else {
            village_name
        },
        main_category: row.main_category.clone(),
        categories: row.categories.clone(),
        shares_with_orgs: row.shares_with_orgs,
        member_count: row.member_count,
        score: row.score,
        return_reason: row.return_reason.clone(),
        version: row.version,
        entered_by_caller: row.entered_by == caller.user.id,
        updated_at: row.updated_at,
        members: Vec::new(),
    }
}

pub(crate) async fn build(
    tx: &mut Tx,
    caller: &Caller,
    row: &HouseholdRow,
    members: &[MemberRow],
) -> Result<HouseholdView> {
    let names = AreaNames::load(tx).await?;
    let organization = caller.user.role == Role::OrgMember;
    let mut view = summary(caller, row, &names);
    view.members = members
        .iter()
        .map(|m| MemberView {
            name: masked_name(caller, &m.name),
            relation: m.relation.clone(),
            sex: m.sex.clone(),
            birth_year: m.birth_year,
            id_number: if organization {
                String::new()
            } else {
                format!("**************{}", m.id_last4)
            },
        })
        .collect();
    Ok(view)
}
