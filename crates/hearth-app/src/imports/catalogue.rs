//! `import organizations` and `import items`: the organization registry and the item catalogue
//! from the bureau's sheets. A credit code or item code already registered is skipped.

use super::records::{ImportKind, Writer};
use crate::catalogue::add_item_in;
use crate::organizations::create_organization_in;
use crate::{App, Caller, Result};
use hearth_core::Invalid;
use hearth_core::need::{Item, ItemInput};
use hearth_office::import::items::Items;
use hearth_office::import::organizations::{OrgRow, Organizations};
use hearth_office::import::records::Line;
use hearth_store::{Tx, items, organizations};

/// Organizations written for `caller`, who learns the name of a registered organization with
/// the same credit code only when it is in their area, as the form says it (the console, which
/// only checks, sees every county).
pub(crate) struct OrganizationWriter<'a> {
    pub caller: Option<&'a Caller>,
}

impl Writer for OrganizationWriter<'_> {
    type Kind = Organizations;
    const KIND: ImportKind = ImportKind::Organizations;

    async fn existing(&self, tx: &mut Tx, line: &Line<OrgRow>) -> Result<Option<Invalid>> {
        let Some(org) = organizations::find_by_uscc(tx, &line.value.profile.uscc).await? else {
            return Ok(None);
        };
        let seen = organizations::county(tx, org.id)
            .await?
            .zip(self.caller)
            .is_none_or(|(county, caller)| caller.reaches(&county));
        Ok(Some(if seen {
            Invalid::new("uscc", "import_kinds.already_organization").arg("name", org.profile.name)
        } else {
            Invalid::new("uscc", "org.duplicate_uscc_elsewhere")
                .arg("uscc", line.value.profile.uscc.as_str())
        }))
    }

    async fn write(
        &self,
        _app: &App,
        tx: &mut Tx,
        caller: &Caller,
        line: &Line<OrgRow>,
    ) -> Result<Option<String>> {
        create_organization_in(tx, caller, &line.value.input).await?;
        Ok(None)
    }
}

pub(crate) struct ItemWriter;

impl Writer for ItemWriter {
    type Kind = Items;
    const KIND: ImportKind = ImportKind::Items;

    async fn existing(&self, tx: &mut Tx, line: &Line<Item>) -> Result<Option<Invalid>> {
        Ok(items::get(tx, &line.value.code)
            .await?
            .map(|item| Invalid::new("code", "import_kinds.already_item").arg("value", item.code)))
    }

    async fn write(
        &self,
        _app: &App,
        tx: &mut Tx,
        caller: &Caller,
        line: &Line<Item>,
    ) -> Result<Option<String>> {
        let item = &line.value;
        let input = ItemInput {
            code: item.code.clone(),
            name: item.name.clone(),
            name_en: item.name_en.clone(),
            unit: item.unit.clone(),
            spec: item.spec.clone(),
            reference_value: item.reference_value.yuan_string(),
            active: if item.active { "yes" } else { "no" }.to_owned(),
        };
        add_item_in(tx, caller, &input).await?;
        Ok(None)
    }
}
