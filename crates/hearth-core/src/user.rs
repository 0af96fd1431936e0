//! Accounts: who signs in, in which role, anchored to which area or organization.

use crate::{Invalid, area::AreaCode, role::Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        match value {
            "active" => Ok(UserStatus::Active),
            "disabled" => Ok(UserStatus::Disabled),
            other => Err(Invalid::new("status", "dict.unknown").arg("value", other)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub area_code: Option<AreaCode>,
    pub organization_id: Option<Uuid>,
    pub status: UserStatus,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A sign-in name: 2–32 characters of letters, digits, `.`, `_` or `-`, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Username, Invalid> {
        let name = input.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(Invalid::new("username", "field.required"));
        }
        let valid_chars = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !(2..=32).contains(&name.len()) || !valid_chars {
            return Err(Invalid::new("username", "user.username_format").arg("value", input.trim()));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The password policy (MLPS 2.0): at least 10 characters from at least three of upper case,
/// lower case, digits and symbols, and not the user name. The demo password is the single
/// exception, allowed only for demo accounts.
pub fn check_password(password: &str, username: &str) -> Result<(), Invalid> {
    let len = password.chars().count();
    if len < 10 {
        return Err(Invalid::new("password", "user.password_short").arg("min", 10));
    }
    if len > 128 {
        return Err(Invalid::new("password", "field.too_long")
            .arg("max", 128)
            .arg("len", len));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        return Err(Invalid::new("password", "user.password_weak"));
    }
    if password
        .to_ascii_lowercase()
        .contains(&username.to_ascii_lowercase())
    {
        return Err(Invalid::new("password", "user.password_has_name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_lower_case_and_plain() {
        assert_eq!(Username::parse(" County ").unwrap().as_str(), "county");
        assert_eq!(
            Username::parse("张三").unwrap_err().code(),
            "user.username_format"
        );
        assert_eq!(Username::parse("").unwrap_err().code(), "field.required");
    }

    #[test]
    fn passwords_follow_the_policy() {
        assert!(check_password("Winter-2024-warm", "county").is_ok());
        assert_eq!(
            check_password("short1A!", "x").unwrap_err().code(),
            "user.password_short"
        );
        assert_eq!(
            check_password("alllowercaseletters", "x")
                .unwrap_err()
                .code(),
            "user.password_weak"
        );
        assert_eq!(
            check_password("County-2024-x", "county")
                .unwrap_err()
                .code(),
            "user.password_has_name"
        );
    }
}
