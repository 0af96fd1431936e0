//! The signed-in user a use case acts for, and the scope that follows from their role.

use crate::{AppError, Result};
use hearth_core::area::AreaCode;
use hearth_core::permission::{Permission, allows};
use hearth_core::role::Anchor;
use hearth_core::user::User;
use hearth_store::audit::Actor;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    pub fn new(user: User) -> Caller {
        Caller { user }
    }

    pub fn can(&self, permission: Permission) -> bool {
        allows(self.user.role, permission)
    }

    /// Refuses the use case unless the role allows it.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The area whose code prefix bounds everything the caller sees (their province, city,
    /// county, town or village), or `None` for a role not anchored to an area (organizations,
    /// administrators). An area role without its area sees nothing.
    pub fn area_scope(&self) -> Result<Option<&AreaCode>> {
        match self.user.role.anchor() {
            Anchor::Area(_) => self
                .user
                .area_code
                .as_ref()
                .map(Some)
                .ok_or(AppError::Forbidden),
            Anchor::Organization | Anchor::None => Ok(None),
        }
    }

    /// Whether something placed at `area` lies in the caller's counties: inside their area, or
    /// (for an area-wide record such as a county's campaign) covering it. Callers not anchored
    /// to an area are not bounded by it.
    pub fn reaches(&self, area: &AreaCode) -> bool {
        match self.area_scope() {
            Ok(Some(own)) => area.is_within(own) || own.is_within(area),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user.id),
            name: self.user.username.to_string(),
            role: self.user.role.as_str().to_owned(),
        }
    }
}
