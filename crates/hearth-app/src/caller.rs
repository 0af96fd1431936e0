//! The signed-in user a use case acts for, and the scope that follows from their role.

use crate::{AppError, Result};
use hearth_core::permission::{Permission, allows};
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

    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user.id),
            name: self.user.username.to_string(),
            role: self.user.role.as_str().to_owned(),
        }
    }
}
