//! `import users` and `import donations`: accounts from the system administrator's sheet (each
//! must change its first password at first sign-in), and donations into a running campaign,
//! each recorded and booked as the donation form does. A user name that exists is skipped; a
//! donation row imported before (the same values) is skipped, naming its number.

use super::records::{ImportKind, Writer};
use crate::users::{NewUser, insert_user_in};
use crate::{App, Caller, Result};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_office::import::donations::{DonationRow, Donations};
use hearth_office::import::records::Line;
use hearth_office::import::users::{UserRow, Users};
use hearth_store::{Tx, imports, users};

pub(crate) struct UserWriter;

impl Writer for UserWriter {
    type Kind = Users;
    const KIND: ImportKind = ImportKind::Users;

    async fn existing(&self, tx: &mut Tx, line: &Line<UserRow>) -> Result<Option<Invalid>> {
        let name = line.value.username.as_str();
        Ok(users::by_username(tx, name)
            .await?
            .map(|_| Invalid::new("username", "import_kinds.already_user").arg("value", name)))
    }

    async fn write(
        &self,
        _app: &App,
        tx: &mut Tx,
        caller: &Caller,
        line: &Line<UserRow>,
    ) -> Result<Option<String>> {
        caller.require(Permission::ManageUsers)?;
        let row = &line.value;
        let new = NewUser {
            username: row.username.as_str().to_owned(),
            display_name: row.display_name.clone(),
            role: row.role.as_str().to_owned(),
            area_code: row
                .area
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            organization: row.organization.clone(),
            password: row.password.clone(),
        };
        // The first password went round on paper: it must be changed at first sign-in.
        insert_user_in(tx, &caller.actor(), &new, false, true).await?;
        Ok(None)
    }
}

pub(crate) struct DonationWriter;

impl Writer for DonationWriter {
    type Kind = Donations;
    const KIND: ImportKind = ImportKind::Donations;

    async fn existing(&self, tx: &mut Tx, line: &Line<DonationRow>) -> Result<Option<Invalid>> {
        Ok(
            imports::record_of(tx, ImportKind::Donations.as_str(), &line.key)
                .await?
                .map(|number| {
                    Invalid::new("received_on", "import_kinds.already_donation")
                        .arg("number", number)
                }),
        )
    }

    async fn write(
        &self,
        app: &App,
        tx: &mut Tx,
        caller: &Caller,
        line: &Line<DonationRow>,
    ) -> Result<Option<String>> {
        let view = app
            .record_donation_in(tx, caller, &line.value.input, crate::today())
            .await?;
        Ok(Some(view.number))
    }
}
