//! The import template (下载模板) for the caller's area, and the officer a console import
//! answers for.

use crate::{App, AppError, Caller, Result};
use hearth_core::Lang;
use hearth_core::permission::Permission;
use hearth_core::user::UserStatus;
use hearth_store::{areas, items, users};

impl App {
    /// The household template with dropdowns of the towns and villages the caller may register
    /// in (the whole county at the console) and the active catalogue items.
    pub async fn household_template(&self, caller: Option<&Caller>, lang: Lang) -> Result<Vec<u8>> {
        let within = match caller {
            Some(caller) => Some(super::batch::importer_area(caller)?),
            None => None,
        };
        let mut tx = self.store().read().await?;
        let all = areas::all(&mut tx).await?;
        let catalogue = items::list(&mut tx, false).await?;
        // A village officer's lists still show their town, so the town column can be filled.
        let town = within
            .as_ref()
            .and_then(|a| a.ancestor_at(hearth_core::AreaLevel::Town));
        let shown: Vec<_> = all
            .into_iter()
            .filter(|a| {
                within.as_ref().is_none_or(|w| a.code.is_within(w))
                    || town.as_ref().is_some_and(|t| &a.code == t)
            })
            .collect();
        hearth_office::template::households(lang, &shown, &catalogue).map_err(|e| {
            AppError::Store(hearth_store::StoreError::Corrupt(format!("template: {e}")))
        })
    }

    /// The town or village officer named at the console (`hearth import --as`): imported rows
    /// are entered by them, inside their area.
    pub async fn officer_for_console(&self, username: &str) -> Result<Caller> {
        let mut tx = self.store().read().await?;
        let (user, _) = users::by_username(&mut tx, username.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        if user.status != UserStatus::Active {
            return Err(AppError::Disabled);
        }
        let caller = Caller::new(user);
        caller.require(Permission::RegisterHouseholds)?;
        Ok(caller)
    }
}

impl App {
    /// The account named at the console (`hearth import <kind> --as`) that may import `kind`.
    pub async fn importer_for_console(
        &self,
        username: &str,
        kind: super::ImportKind,
    ) -> Result<Caller> {
        let mut tx = self.store().read().await?;
        let (user, _) = users::by_username(&mut tx, username.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        if user.status != UserStatus::Active {
            return Err(AppError::Disabled);
        }
        let caller = Caller::new(user);
        caller.require(kind.permission())?;
        Ok(caller)
    }
}
