//! Who a user is to Hearth: a role and the area or organization it acts in (DESIGN.md §1).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The roles of DESIGN.md §1. System, security and audit administration are separate people
/// (三员分立) and none of them sees case data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ProvinceAdmin,
    CityAdmin,
    CountyAdmin,
    TownOfficer,
    VillageOfficer,
    OrgMember,
    Auditor,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::ProvinceAdmin,
        Role::CityAdmin,
        Role::CountyAdmin,
        Role::TownOfficer,
        Role::VillageOfficer,
        Role::OrgMember,
        Role::Auditor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ProvinceAdmin => "province_admin",
            Role::CityAdmin => "city_admin",
            Role::CountyAdmin => "county_admin",
            Role::TownOfficer => "town_officer",
            Role::VillageOfficer => "village_officer",
            Role::OrgMember => "org_member",
            Role::Auditor => "auditor",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn label_key(self) -> String {
        format!("role.{}", self.as_str())
    }

    /// What the role needs beside itself: an area at a given level, an organization, or nothing.
    pub fn anchor(self) -> Anchor {
        match self {
            Role::ProvinceAdmin => Anchor::Area(crate::area::AreaLevel::Province),
            Role::CityAdmin => Anchor::Area(crate::area::AreaLevel::City),
            Role::CountyAdmin | Role::Auditor => Anchor::Area(crate::area::AreaLevel::County),
            Role::TownOfficer => Anchor::Area(crate::area::AreaLevel::Town),
            Role::VillageOfficer => Anchor::Area(crate::area::AreaLevel::Village),
            Role::OrgMember => Anchor::Organization,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => Anchor::None,
        }
    }

    /// A city's or province's civil-affairs bureau (市/省民政厅局): reads the figures of the
    /// counties below it and registers nothing itself.
    pub fn is_regional(self) -> bool {
        matches!(self, Role::ProvinceAdmin | Role::CityAdmin)
    }

    /// Administrators who see no case data (三员).
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }
}

impl FromStr for Role {
    type Err = crate::Invalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s.trim())
            .ok_or_else(|| crate::Invalid::new("role", "user.role_unknown").arg("value", s))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Area(crate::area::AreaLevel),
    Organization,
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert_eq!(
            Role::CityAdmin.anchor(),
            Anchor::Area(crate::area::AreaLevel::City)
        );
        assert_eq!(
            Role::ProvinceAdmin.anchor(),
            Anchor::Area(crate::area::AreaLevel::Province)
        );
        assert_eq!(
            "mayor".parse::<Role>().unwrap_err().code(),
            "user.role_unknown"
        );
    }
}
