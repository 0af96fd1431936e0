//! Household lists: the caller's scope and the search a user typed.

use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::area::AreaCode;
use hearth_core::household::HouseholdStatus;
use hearth_core::household::category::Category;
use hearth_core::id_number::IdNumber;
use hearth_core::phone::Phone;
use hearth_core::role::Role;
use hearth_store::households::{self, HouseholdFilter};
use hearth_store::organizations::PageRequest;
use hearth_store::{Tx, campaigns, organizations};

use super::{HouseholdView, view};
use std::collections::HashMap;
use uuid::Uuid;

/// What a user searches by. A full ID number or phone is matched exactly through its blind
/// index; four characters match the end of any member's ID number or the phone.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct HouseholdQuery {
    pub area: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    /// `yes` or `no`: consented to sharing with organizations.
    pub consent: Option<String>,
    pub name: Option<String>,
    /// A full ID number, a full phone, or the last four characters of either.
    pub number: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Narrows a filter to the caller's scope: a village, a town or the county; for an organization,
/// only approved households that consented to sharing, in the areas it serves, and only while it
/// is enrolled in a launched campaign.
pub(crate) async fn scoped(
    tx: &mut Tx,
    caller: &Caller,
    mut filter: HouseholdFilter,
) -> Result<HouseholdFilter> {
    let own = super::scope_area(caller)?;
    match caller.user.role {
        Role::OrgMember => {
            filter.statuses = Some(vec![HouseholdStatus::Approved.as_str().to_owned()]);
            filter.shares_with_orgs = Some(true);
            let org = match caller.user.organization_id {
                Some(id) => organizations::get(tx, id).await?,
                None => None,
            };
            match org {
                Some(org) if campaigns::is_active_participant(tx, org.id).await? => {
                    filter.within_any = Some(org.profile.service_areas.clone());
                }
                _ => filter.nothing = true,
            }
        }
        _ => {
            let own = own.ok_or(AppError::Forbidden)?;
            if !filter
                .within
                .as_ref()
                .is_some_and(|asked| asked.is_within(&own))
            {
                filter.within = Some(own);
            }
        }
    }
    Ok(filter)
}

impl HouseholdQuery {
    fn filter(&self, app: &App) -> Result<HouseholdFilter> {
        let mut filter = HouseholdFilter {
            within: given(&self.area)
                .map(|a| AreaCode::parse(a).map_err(|e| e.within("area")))
                .transpose()?,
            statuses: given(&self.status)
                .map(|s| HouseholdStatus::parse(s).map(|s| vec![s.as_str().to_owned()]))
                .transpose()?,
            category: given(&self.category)
                .map(|c| Category::parse(c).map(|c| c.as_str().to_owned()))
                .transpose()?,
            shares_with_orgs: match given(&self.consent) {
                None => None,
                Some("yes" | "1" | "true" | "是") => Some(true),
                Some("no" | "0" | "false" | "否") => Some(false),
                Some(other) => {
                    return Err(Invalid::new("consent", "dict.unknown")
                        .arg("value", other)
                        .into());
                }
            },
            name: given(&self.name).map(str::to_owned),
            ..HouseholdFilter::default()
        };
        if let Some(number) = given(&self.number) {
            let digits = hearth_core::normalize::clean_code(number);
            if digits.chars().count() == 4 {
                filter.last4 = Some(digits);
            } else if let Ok(id) = IdNumber::parse(number) {
                filter.member_id_index = Some(super::id_index(app.cipher()?, id.as_str()));
            } else if let Ok(phone) = Phone::parse(number) {
                filter.phone_index = Some(app.cipher()?.blind_index("phone", phone.as_str()));
            } else {
                return Err(Invalid::new("number", "household.search_number")
                    .arg("value", number)
                    .into());
            }
        }
        Ok(filter)
    }
}

impl App {
    /// Households the caller may see, most vulnerable first, masked as the role requires.
    pub async fn households(
        &self,
        caller: &Caller,
        query: &HouseholdQuery,
        page: PageRequest,
    ) -> Result<(Vec<HouseholdView>, i64)> {
        let mut tx = self.store().read().await?;
        let filter = scoped(&mut tx, caller, query.filter(self)?).await?;
        let (rows, total) = households::search(&mut tx, &filter, page).await?;
        let mut views = Vec::with_capacity(rows.len());
        let names = view::AreaNames::load(&mut tx).await?;
        for row in &rows {
            views.push(view::summary(caller, row, &names));
        }
        Ok((views, total))
    }

    /// The head's name of each of these households the caller may see, as the list shows it
    /// (masked as the role requires); the others are left out.
    pub async fn household_heads(
        &self,
        caller: &Caller,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, String>> {
        let mut tx = self.store().read().await?;
        let asked = HouseholdFilter {
            ids: Some(ids.to_vec()),
            ..HouseholdFilter::default()
        };
        let filter = scoped(&mut tx, caller, asked).await?;
        let (rows, _) = households::search(&mut tx, &filter, PageRequest::all()).await?;
        let names = view::AreaNames::load(&mut tx).await?;
        Ok(rows
            .iter()
            .map(|row| (row.id, view::summary(caller, row, &names).head_name))
            .collect())
    }
}
