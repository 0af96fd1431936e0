//! The account sheet (用户名单) the system administrator fills when a county starts: one
//! account a row, its user name, name, role (as the role list writes it, 镇级经办人 …), the area
//! for area roles, the organization's credit code for organization members, and a first password
//! that must be changed at first sign-in.

use super::SheetRow;
use super::header::{ColumnSpec, Table};
use super::places::{Places, is_blank};
use super::records::{Errors, RecordKind, col};
use hearth_core::area::AreaCode;
use hearth_core::i18n::text as label;
use hearth_core::role::{Anchor, Role};
use hearth_core::user::{Username, check_password};
use hearth_core::{Invalid, Lang};

/// The columns of the account sheet, in the template's order.
pub const COLUMNS: [ColumnSpec; 6] = [
    col("username", "用户名", &["账号", "登录名", "用户账号"], true),
    col("display_name", "姓名", &["真实姓名", "名称"], false),
    col("role", "角色", &["用户角色", "岗位"], true),
    col(
        "area",
        "所属区域",
        &["区域", "所属乡镇（村）", "行政区划"],
        false,
    ),
    col(
        "organization",
        "所属组织信用代码",
        &["所属组织", "组织信用代码", "统一社会信用代码"],
        false,
    ),
    col("password", "初始密码", &["密码"], true),
];

/// What account rows are checked against.
pub struct UserContext<'a> {
    pub places: Places<'a>,
}

/// One account row, parsed; the organization is found by the application.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub area: Option<AreaCode>,
    /// The credit code as typed, for organization members.
    pub organization: String,
    pub password: String,
}

pub struct Users;

/// A role by its code (`town_officer`) or its label in either language.
fn role(typed: &str) -> Result<Role, Invalid> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Invalid::new("role", "field.required"));
    }
    Role::ALL
        .into_iter()
        .find(|r| {
            r.as_str() == typed
                || label(Lang::ZhCn, &r.label_key()) == typed
                || label(Lang::En, &r.label_key()).eq_ignore_ascii_case(typed)
        })
        .ok_or_else(|| Invalid::new("role", "user.role_unknown").arg("value", typed))
}

/// The area an area role acts in, at the level the role needs.
fn area(role: Role, typed: &str, places: &Places) -> Result<Option<AreaCode>, Invalid> {
    let Anchor::Area(level) = role.anchor() else {
        return if is_blank(typed) {
            Ok(None)
        } else {
            Err(Invalid::new("area", "import_kinds.area_unused"))
        };
    };
    if is_blank(typed) {
        return Err(Invalid::new("area", "field.required"));
    }
    let found = places.any("area", typed)?;
    if found.level != level {
        return Err(Invalid::new("area", "user.area_level").arg("value", &found.name));
    }
    Ok(Some(found.code.clone()))
}

impl RecordKind for Users {
    type Value = UserRow;
    type Context<'a> = UserContext<'a>;
    const COLUMNS: &'static [ColumnSpec] = &COLUMNS;
    const KEY: &'static str = "username";

    fn read_row(
        table: &Table,
        row: &SheetRow,
        ctx: &UserContext<'_>,
    ) -> Result<(UserRow, String), Errors> {
        let text = |key| table.text(row, key);
        let mut errors: Errors = Vec::new();
        let username = Username::parse(text("username")).map_err(|e| errors.push(("username", e)));
        let role = role(text("role")).map_err(|e| errors.push(("role", e)));
        let area = match role {
            Ok(role) => area(role, text("area"), &ctx.places).map_err(|e| errors.push(("area", e))),
            Err(()) => Err(()),
        };
        let organization = text("organization").to_owned();
        if let Ok(role) = role {
            match (role.anchor(), organization.is_empty()) {
                (Anchor::Organization, true) => errors.push((
                    "organization",
                    Invalid::new("organization", "field.required"),
                )),
                (Anchor::Organization, false) => {}
                (_, false) => errors.push((
                    "organization",
                    Invalid::new("organization", "import_kinds.organization_unused"),
                )),
                (_, true) => {}
            }
        }
        if let Ok(name) = &username
            && let Err(e) = check_password(text("password"), name.as_str())
        {
            errors.push(("password", e));
        }
        let display_name = text("display_name");
        let len = display_name.chars().count();
        if len > 50 {
            let e = Invalid::new("display_name", "field.too_long")
                .arg("max", 50)
                .arg("len", len);
            errors.push(("display_name", e));
        }
        match (username, role, area) {
            (Ok(username), Ok(role), Ok(area)) if errors.is_empty() => {
                let key = username.as_str().to_owned();
                Ok((
                    UserRow {
                        username,
                        display_name: display_name.to_owned(),
                        role,
                        area,
                        organization,
                        password: text("password").to_owned(),
                    },
                    key,
                ))
            }
            _ => Err(errors),
        }
    }
}
