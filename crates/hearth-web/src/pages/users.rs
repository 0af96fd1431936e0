//! Accounts, for the system administrator: list, add, disable/enable, reset password.

use super::areas::display_name;
use super::export::{Column, Format, List, txt};
use super::{FormErrors, Frame, Section, form_errors, local_time, query_string, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::users::{NewUser, Operator};
use hearth_core::area::AreaLevel;
use hearth_core::permission::Permission;
use hearth_core::role::{Anchor, Role};
use hearth_core::user::{User, UserStatus};
use hearth_core::{Invalid, Notice};
use hearth_store::areas::Area;

const NEW_USER_FIELDS: [&str; 6] = [
    "username",
    "display_name",
    "role",
    "area_code",
    "organization",
    "password",
];

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

struct AreaGroup {
    label: &'static str,
    options: Vec<Opt>,
}

struct UserRow {
    username: String,
    display_name: String,
    role: &'static str,
    scope: String,
    scope_is_id: bool,
    status: &'static str,
    status_class: &'static str,
    active: bool,
    locked_until: Option<String>,
    must_change: bool,
    last_login: String,
    is_self: bool,
    reset_error: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: Tr,
    frame: Frame,
    rows: Vec<UserRow>,
    new: NewUser,
    roles: Vec<Opt>,
    area_groups: Vec<AreaGroup>,
    errors: FormErrors,
    others: Vec<String>,
    notice: Option<String>,
    action_errors: Vec<String>,
    open_add: bool,
}

/// What a re-shown page keeps: the typed new account, or the refusal of an action on a row.
#[derive(Default)]
struct Kept {
    new: NewUser,
    errors: FormErrors,
    notice: Option<String>,
    /// (user name, message) of a refused reset-password form.
    reset: Option<(String, String)>,
    action_errors: Vec<String>,
}

/// A refusal as the add-user form shows it: a malformed area code is reported as
/// `user.area_code`, which the form shows at its `area_code` field.
fn user_form_errors(t: Tr, e: AppError) -> Result<FormErrors, PageError> {
    let rename = |e: Invalid| {
        let field = e
            .field()
            .strip_prefix("user.")
            .unwrap_or(e.field())
            .to_owned();
        Invalid(Notice { field, ..e.0 })
    };
    match e {
        AppError::Invalid(list) => Ok(FormErrors::from_invalid(
            t,
            &list.into_iter().map(rename).collect::<Vec<_>>(),
        )),
        AppError::Conflict(one) => Ok(FormErrors::from_invalid(t, &[rename(one)])),
        other => Err(PageError::new(other, t)),
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    status: StatusCode,
    s: Kept,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let (users, areas) = accounts(state, caller, t).await?;
    let rows = user_rows(t, caller, &users, &areas, s.reset.as_ref());
    let roles = Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().into(),
            label: t.t(&r.label_key()).into(),
            selected: s.new.role == r.as_str(),
        })
        .collect();
    let area_groups = AreaLevel::ALL
        .into_iter()
        .map(|level| AreaGroup {
            label: t.t(level.label_key()),
            options: areas
                .iter()
                .filter(|a| a.level == level)
                .map(|a| Opt {
                    value: a.code.as_str().into(),
                    label: format!("{} {}", display_name(a), a.code.as_str()),
                    selected: s.new.area_code == a.code.as_str(),
                })
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect();
    let others = s.errors.others(&NEW_USER_FIELDS);
    let page = UsersPage {
        t,
        frame: Frame::new(signed, t, Section::Users, "/users", t.t("user.title")),
        rows,
        open_add: !s.errors.is_empty(),
        roles,
        area_groups,
        others,
        errors: s.errors,
        new: s.new,
        notice: s.notice,
        action_errors: s.action_errors,
    };
    Ok(render(status, &page, t))
}

/// The accounts the caller may see, and the areas their scopes are named from.
async fn accounts(
    state: &AppState,
    caller: &hearth_app::Caller,
    t: Tr,
) -> Result<(Vec<User>, Vec<Area>), PageError> {
    let fail = |e| PageError::new(e, t);
    let users = state
        .app
        .users(Operator::User(caller))
        .await
        .map_err(fail)?;
    let areas: Vec<Area> = if caller.can(Permission::ReadAreas) {
        state.app.areas(caller).await.map_err(fail)?
    } else {
        Vec::new()
    };
    Ok((users, areas))
}

/// The accounts as the list shows them; `reset` is a refused reset-password form to show on its
/// row.
fn user_rows(
    t: Tr,
    caller: &hearth_app::Caller,
    users: &[User],
    areas: &[Area],
    reset: Option<&(String, String)>,
) -> Vec<UserRow> {
    users
        .iter()
        .map(|u| {
            let (scope, scope_is_id) = match (u.role.anchor(), &u.area_code, u.organization_id) {
                (Anchor::Organization, _, Some(id)) => (id.to_string(), true),
                (_, Some(code), _) => (
                    areas
                        .iter()
                        .find(|a| &a.code == code)
                        .map(display_name)
                        .unwrap_or_else(|| code.as_str().to_owned()),
                    false,
                ),
                _ => (String::new(), false),
            };
            let active = u.status == UserStatus::Active;
            UserRow {
                username: u.username.to_string(),
                display_name: u.display_name.clone(),
                role: t.t(&u.role.label_key()),
                scope,
                scope_is_id,
                status: t.t(if active {
                    "user.status_active"
                } else {
                    "user.status_disabled"
                }),
                status_class: if active { "tag-success" } else { "tag-info" },
                active,
                locked_until: u
                    .locked_until
                    .filter(|at| *at > chrono::Utc::now())
                    .map(|at| local_time(t, at)),
                must_change: u.must_change_password,
                last_login: u
                    .last_login_at
                    .map(|at| local_time(t, at))
                    .unwrap_or_else(|| t.t("user.never").to_owned()),
                is_self: u.id == caller.user.id,
                reset_error: reset
                    .filter(|(name, _)| name == u.username.as_str())
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

const COLUMNS: [Column<UserRow>; 6] = [
    Column {
        header: "user.username",
        cell: |r| txt(&r.username),
    },
    Column {
        header: "user.display_name",
        cell: |r| txt(&r.display_name),
    },
    Column {
        header: "user.role",
        cell: |r| txt(r.role),
    },
    Column {
        header: "user.scope",
        cell: |r| txt(&r.scope),
    },
    Column {
        header: "common.status",
        cell: |r| txt(r.status),
    },
    Column {
        header: "user.last_login",
        cell: |r| txt(&r.last_login),
    },
];

/// `GET /users/export.xlsx|csv`: the accounts the list shows (no filters, no password data).
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
) -> Result<Response, PageError> {
    let (users, areas) = accounts(&state, &signed.caller, t).await?;
    let rows = user_rows(t, &signed.caller, &users, &areas, None);
    let list = List {
        name: "users",
        title: t.t("user.title"),
        filter: &[],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// `GET /users`
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let pairs = raw.as_deref().map(form_pairs).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let key = match get("notice").as_str() {
        "created" => Some("user.notice_created"),
        "disabled" => Some("user.notice_disabled"),
        "enabled" => Some("user.notice_enabled"),
        "reset" => Some("user.notice_reset"),
        _ => None,
    };
    let notice = key.map(|key| t.f(key, &[("name", get("user"))]));
    show(
        &state,
        &signed,
        t,
        StatusCode::OK,
        Kept {
            notice,
            ..Kept::default()
        },
    )
    .await
}

fn done(notice: &str, username: &str) -> Response {
    Redirect::to(&format!(
        "/users?{}",
        query_string(&[("notice", notice.to_owned()), ("user", username.to_owned())])
    ))
    .into_response()
}

/// `POST /users`: adds an account, or shows the form again with each problem at its field.
pub async fn add(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let new = NewUser {
        username: fields.get("username").trim().into(),
        display_name: fields.get("display_name").into(),
        role: fields.get("role").into(),
        area_code: fields.get("area_code").into(),
        organization: fields.get("organization").into(),
        password: fields.get("password").into(),
    };
    match state
        .app
        .add_user(Operator::User(&signed.caller), &new)
        .await
    {
        Ok(user) => Ok(done("created", user.username.as_str())),
        Err(e) => {
            let errors = user_form_errors(t, e)?;
            // The password is never sent back to the browser.
            let new = NewUser {
                password: String::new(),
                ..new
            };
            show(
                &state,
                &signed,
                t,
                StatusCode::UNPROCESSABLE_ENTITY,
                Kept {
                    new,
                    errors,
                    ..Kept::default()
                },
            )
            .await
        }
    }
}

/// `POST /users/{username}/status`: 停用 or 启用 an account (never one's own).
pub async fn set_status(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(username): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let outcome = match UserStatus::parse(fields.get("status")) {
        Ok(status) => {
            state
                .app
                .set_user_status(Operator::User(&signed.caller), &username, status)
                .await
        }
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(user) => Ok(done(
            if user.status == UserStatus::Active {
                "enabled"
            } else {
                "disabled"
            },
            user.username.as_str(),
        )),
        Err(e) => {
            let action_errors = form_errors(t, e)?.all();
            show(
                &state,
                &signed,
                t,
                StatusCode::UNPROCESSABLE_ENTITY,
                Kept {
                    action_errors,
                    ..Kept::default()
                },
            )
            .await
        }
    }
}

/// `POST /users/{username}/password`: sets a password the user must change at next sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(username): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    match state
        .app
        .reset_password(
            Operator::User(&signed.caller),
            &username,
            fields.get("password"),
        )
        .await
    {
        Ok(user) => Ok(done("reset", user.username.as_str())),
        Err(e) => {
            let message = form_errors(t, e)?.all().join("；");
            show(
                &state,
                &signed,
                t,
                StatusCode::UNPROCESSABLE_ENTITY,
                Kept {
                    reset: Some((username, message)),
                    ..Kept::default()
                },
            )
            .await
        }
    }
}
