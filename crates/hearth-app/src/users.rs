//! Accounts, managed by the system administrator in the browser or at the server's console.

use crate::{App, AppError, Caller, Result, password};
use hearth_core::Invalid;
use hearth_core::area::AreaCode;
use hearth_core::permission::Permission;
use hearth_core::role::{Anchor, Role};
use hearth_core::user::{User, UserStatus, Username, check_password};
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::{Tx, areas, organizations, sessions, users};
use uuid::Uuid;

/// Who manages accounts: a signed-in system administrator, or whoever runs `hearth user` on the
/// server (holding the database and key file is already full control).
pub enum Operator<'a> {
    Console,
    User(&'a Caller),
}

impl Operator<'_> {
    pub(crate) fn actor(&self) -> Actor {
        match self {
            Operator::Console => Actor::system("console"),
            Operator::User(caller) => caller.actor(),
        }
    }

    pub(crate) fn require(&self, permission: Permission) -> Result<()> {
        match self {
            Operator::Console => Ok(()),
            Operator::User(caller) => caller.require(permission),
        }
    }
}

/// A new account as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// For area roles: the area's code.
    pub area_code: String,
    /// For organization members: the organization's id or credit code.
    pub organization: String,
    pub password: String,
}

async fn anchor(
    tx: &mut Tx,
    role: Role,
    new: &NewUser,
) -> Result<(Option<AreaCode>, Option<Uuid>)> {
    match role.anchor() {
        Anchor::Area(level) => {
            let code = AreaCode::parse(&new.area_code).map_err(|e| e.within("user"))?;
            let area = areas::get(tx, &code).await?.ok_or_else(|| {
                Invalid::new("area_code", "area.unknown").arg("value", code.as_str())
            })?;
            if area.level != level {
                return Err(Invalid::new("area_code", "user.area_level")
                    .arg("value", &area.name)
                    .into());
            }
            Ok((Some(code), None))
        }
        Anchor::Organization => {
            let wanted = new.organization.trim();
            let found = match Uuid::parse_str(wanted) {
                Ok(id) => organizations::get(tx, id).await?,
                Err(_) => match hearth_core::uscc::Uscc::parse(wanted) {
                    Ok(uscc) => organizations::find_by_uscc(tx, &uscc).await?,
                    Err(_) => None,
                },
            };
            let org = found.ok_or_else(|| {
                Invalid::new("organization", "user.organization_unknown").arg("value", wanted)
            })?;
            Ok((None, Some(org.id)))
        }
        Anchor::None => Ok((None, None)),
    }
}

async fn log(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    user: &User,
    detail: serde_json::Value,
) -> Result<()> {
    audit::append(
        tx,
        NewEvent {
            actor,
            action,
            record_type: "user",
            record_id: user.id.to_string(),
            detail,
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Adds an account. `demo` accepts the fixed demo password that the policy would refuse.
    pub async fn add_user(&self, by: Operator<'_>, new: &NewUser) -> Result<User> {
        by.require(Permission::ManageUsers)?;
        self.insert_user(&by.actor(), new, false).await
    }

    pub(crate) async fn insert_user(
        &self,
        actor: &Actor,
        new: &NewUser,
        demo: bool,
    ) -> Result<User> {
        let mut tx = self.store().write().await?;
        let user = insert_user_in(&mut tx, actor, new, demo, false).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn users(&self, by: Operator<'_>) -> Result<Vec<User>> {
        by.require(Permission::ManageUsers)?;
        let mut tx = self.store().read().await?;
        Ok(users::list(&mut tx).await?)
    }

    /// Disables or re-enables an account; disabling ends its sessions at once.
    pub async fn set_user_status(
        &self,
        by: Operator<'_>,
        username: &str,
        status: UserStatus,
    ) -> Result<User> {
        by.require(Permission::ManageUsers)?;
        let mut tx = self.store().write().await?;
        let (mut user, _) = users::by_username(&mut tx, username)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Operator::User(caller) = &by
            && caller.user.id == user.id
        {
            return Err(Invalid::new("username", "user.not_self").into());
        }
        user.status = status;
        user.updated_at = hearth_store::now();
        users::update(&mut tx, &user).await?;
        if status == UserStatus::Disabled {
            sessions::delete_for_user(&mut tx, user.id).await?;
        }
        let action = if status == UserStatus::Disabled {
            "user_disabled"
        } else {
            "user_enabled"
        };
        log(&mut tx, &by.actor(), action, &user, serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a new password that the user must change at next sign-in; unlocks the account.
    pub async fn reset_password(
        &self,
        by: Operator<'_>,
        username: &str,
        new_password: &str,
    ) -> Result<User> {
        by.require(Permission::ManageUsers)?;
        let mut tx = self.store().write().await?;
        let (user, _) = users::by_username(&mut tx, username)
            .await?
            .ok_or(AppError::NotFound)?;
        check_password(new_password, user.username.as_str())?;
        users::set_password(&mut tx, user.id, &password::hash(new_password), true).await?;
        sessions::delete_for_user(&mut tx, user.id).await?;
        log(
            &mut tx,
            &by.actor(),
            "password_reset",
            &user,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}

/// Adds an account inside the caller's transaction (a sheet's rows go in one);
/// `must_change_password` when the first password went round on paper.
pub(crate) async fn insert_user_in(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewUser,
    demo: bool,
    must_change_password: bool,
) -> Result<User> {
    let username = Username::parse(&new.username)?;
    let role: Role = new.role.parse()?;
    if !demo {
        check_password(&new.password, username.as_str())?;
    }
    let display_name = match new.display_name.trim() {
        "" => username.to_string(),
        name => name.to_owned(),
    };
    if users::by_username(tx, username.as_str()).await?.is_some() {
        return Err(AppError::Conflict(
            Invalid::new("username", "user.duplicate").arg("value", username.as_str()),
        ));
    }
    let (area_code, organization_id) = anchor(tx, role, new).await?;
    let now = hearth_store::now();
    let user = User {
        id: Uuid::now_v7(),
        username,
        display_name,
        role,
        area_code,
        organization_id,
        status: UserStatus::Active,
        failed_logins: 0,
        locked_until: None,
        must_change_password,
        last_login_at: None,
        created_at: now,
        updated_at: now,
    };
    users::insert(tx, &user, &password::hash(&new.password)).await?;
    log(
        tx,
        actor,
        "user_created",
        &user,
        serde_json::json!({"role": role.as_str()}),
    )
    .await?;
    Ok(user)
}
