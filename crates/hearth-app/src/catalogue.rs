//! The item catalogue (物资目录): the bureau adds items and changes names, units, reference
//! values and whether an item may still be chosen. Codes never change, since needs, pledges and
//! the books refer to them; an item that is no longer wanted is made inactive, not deleted.

use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::need::{Item, ItemInput};
use hearth_core::permission::Permission;
use hearth_store::audit::{self, NewEvent};
use hearth_store::{Tx, items};

async fn record(tx: &mut Tx, caller: &Caller, action: &str, item: &Item) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: "item",
            record_id: item.code.clone(),
            detail: serde_json::json!({
                "name": item.name,
                "unit": item.unit,
                "reference_value_fen": item.reference_value.fen(),
                "active": item.active,
            }),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// The whole catalogue, inactive items included, for the bureau's catalogue page.
    pub async fn catalogue(&self, caller: &Caller) -> Result<Vec<Item>> {
        caller.require(Permission::ManageCatalogue)?;
        let mut tx = self.store().read().await?;
        Ok(items::list(&mut tx, true).await?)
    }

    /// 新增物资: refused when the code exists already.
    pub async fn add_item(&self, caller: &Caller, input: &ItemInput) -> Result<Item> {
        let mut tx = self.store().write().await?;
        let item = add_item_in(&mut tx, caller, input).await?;
        tx.commit().await?;
        Ok(item)
    }

    /// 修改物资: everything but the code, which comes from the item being edited.
    pub async fn update_item(
        &self,
        caller: &Caller,
        code: &str,
        input: &ItemInput,
    ) -> Result<Item> {
        caller.require(Permission::ManageCatalogue)?;
        let input = ItemInput {
            code: code.to_owned(),
            ..input.clone()
        };
        let item = input.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        if !items::update(&mut tx, &item).await? {
            return Err(AppError::NotFound);
        }
        record(&mut tx, caller, "item_updated", &item).await?;
        tx.commit().await?;
        Ok(item)
    }
}

/// 新增物资 inside the caller's transaction (a sheet's rows go in one).
pub(crate) async fn add_item_in(tx: &mut Tx, caller: &Caller, input: &ItemInput) -> Result<Item> {
    caller.require(Permission::ManageCatalogue)?;
    let item = input.parse().map_err(AppError::Invalid)?;
    if !items::insert(tx, &item).await? {
        return Err(AppError::Conflict(
            Invalid::new("code", "item.code_taken").arg("value", &item.code),
        ));
    }
    record(tx, caller, "item_added", &item).await?;
    Ok(item)
}
