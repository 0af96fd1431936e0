//! Accounts and their sign-in state.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, Utc};
use hearth_core::area::AreaCode;
use hearth_core::user::{User, UserStatus, Username};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    area_code: Option<String>,
    organization_id: Option<Uuid>,
    status: String,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
    must_change_password: bool,
    last_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    password_hash: String,
}

const COLUMNS: [&str; 14] = [
    "id",
    "username",
    "display_name",
    "role",
    "area_code",
    "organization_id",
    "status",
    "failed_logins",
    "locked_until",
    "must_change_password",
    "last_login_at",
    "created_at",
    "updated_at",
    "password_hash",
];

impl UserRow {
    fn into_user(self) -> Result<(User, String)> {
        let user = User {
            id: self.id,
            username: parsed("app_user.username", Username::parse(&self.username))?,
            display_name: self.display_name,
            role: parsed("app_user.role", self.role.parse())?,
            area_code: self
                .area_code
                .map(|c| parsed("app_user.area_code", AreaCode::parse(&c)))
                .transpose()?,
            organization_id: self.organization_id,
            status: parsed("app_user.status", UserStatus::parse(&self.status))?,
            failed_logins: self.failed_logins,
            locked_until: self.locked_until,
            must_change_password: self.must_change_password,
            last_login_at: self.last_login_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok((user, self.password_hash))
    }
}

pub async fn insert(tx: &mut Tx, user: &User, password_hash: &str) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("app_user")
            .columns(COLUMNS)
            .values_panic([
                user.id.into(),
                user.username.as_str().into(),
                user.display_name.clone().into(),
                user.role.as_str().into(),
                user.area_code
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .into(),
                user.organization_id.into(),
                user.status.as_str().into(),
                user.failed_logins.into(),
                user.locked_until.into(),
                user.must_change_password.into(),
                user.last_login_at.into(),
                user.created_at.into(),
                user.updated_at.into(),
                password_hash.into(),
            ]),
    )
    .await?;
    Ok(())
}

/// The user and their password hash, for sign-in.
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<(User, String)>> {
    let row: Option<UserRow> = tx.fetch_optional(&select_by_username(username)).await?;
    row.map(UserRow::into_user).transpose()
}

/// [`by_username`], holding the row until the transaction ends so that concurrent sign-ins
/// count failures one after another (SQLite's write transaction already serialises them).
pub async fn by_username_for_update(tx: &mut Tx, username: &str) -> Result<Option<(User, String)>> {
    let mut query = select_by_username(username);
    if tx.backend() == crate::Backend::Postgres {
        query.lock_exclusive();
    }
    let row: Option<UserRow> = tx.fetch_optional(&query).await?;
    row.map(UserRow::into_user).transpose()
}

fn select_by_username(username: &str) -> sea_query::SelectStatement {
    Query::select()
        .columns(COLUMNS)
        .from("app_user")
        .and_where(Expr::col("username").eq(username.trim().to_ascii_lowercase()))
        .to_owned()
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<User>> {
    let row: Option<UserRow> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("app_user")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(row
        .map(UserRow::into_user)
        .transpose()?
        .map(|(user, _)| user))
}

pub async fn list(tx: &mut Tx) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("app_user")
                .order_by("username", Order::Asc),
        )
        .await?;
    rows.into_iter()
        .map(|row| row.into_user().map(|(user, _)| user))
        .collect()
}

/// Writes everything about the account but its password.
pub async fn update(tx: &mut Tx, user: &User) -> Result<()> {
    tx.execute(
        Query::update()
            .table("app_user")
            .value("display_name", user.display_name.clone())
            .value("role", user.role.as_str())
            .value(
                "area_code",
                user.area_code.as_ref().map(|c| c.as_str().to_owned()),
            )
            .value("organization_id", user.organization_id)
            .value("status", user.status.as_str())
            .value("failed_logins", user.failed_logins)
            .value("locked_until", user.locked_until)
            .value("must_change_password", user.must_change_password)
            .value("last_login_at", user.last_login_at)
            .value("updated_at", user.updated_at)
            .and_where(Expr::col("id").eq(user.id)),
    )
    .await?;
    Ok(())
}

pub async fn set_password(
    tx: &mut Tx,
    id: Uuid,
    password_hash: &str,
    must_change: bool,
) -> Result<()> {
    tx.execute(
        Query::update()
            .table("app_user")
            .value("password_hash", password_hash)
            .value("must_change_password", must_change)
            .value("failed_logins", 0)
            .value("locked_until", Option::<DateTime<Utc>>::None)
            .value("updated_at", crate::now())
            .and_where(Expr::col("id").eq(id)),
    )
    .await?;
    Ok(())
}
