//! What each role may do (DESIGN.md §1). The application checks these before every use case;
//! templates only hide what the application would refuse anyway.

use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the organization registry (within the role's scope: a city or province reads its
    /// counties' organizations).
    ReadOrganizations,
    /// Add, edit, deactivate organizations.
    ManageOrganizations,
    /// Edit one's own organization's contact details.
    EditOwnOrganization,
    /// Record an organization's evaluation grade (社会组织评估等级) and notes.
    RateOrganizations,
    /// Keep the item catalogue (物资目录): names, units, reference values, active or not.
    ManageCatalogue,
    /// Read a campaign's reconciliation (对账): raised, spent, on hand, by designation, donor
    /// and station.
    ReadLedger,
    /// See the division tree.
    ReadAreas,
    /// Add or rename villages and other divisions.
    ManageAreas,
    /// Add, disable and reset accounts.
    ManageUsers,
    /// Read the audit log and verify its chain.
    ReadAuditLog,
    /// Create personal API tokens.
    UseApiTokens,
    /// See households (masked as the role requires, within scope).
    ReadHouseholds,
    /// Register and edit households, submit them for review.
    RegisterHouseholds,
    /// Approve or return submitted households (never one's own entry).
    ReviewHouseholds,
    /// Show ID numbers, phones and sensitive facts unmasked, with a reason that is logged.
    RevealHouseholdDetails,
    /// Export household lists (masked by role; logged).
    ExportHouseholds,
    /// See campaigns and who is enrolled.
    ReadCampaigns,
    /// Create and launch, close and disclose campaigns; enrol organizations; decide applications.
    ManageCampaigns,
    /// Ask for one's own organization to take part in a campaign.
    ApplyToCampaigns,
    /// See the needs of households in scope, with who claimed them.
    ReadNeeds,
    /// Record needs for approved households and send returned ones back for review.
    RecordNeeds,
    /// Approve needs onto the claim sheet or return them (never one's own entry).
    ReviewNeeds,
    /// See the claim sheet (masked, consented households only) and claim or release needs.
    ClaimNeeds,
    /// See pairing pledges in scope (county all; towns and villages those touching their area;
    /// organizations their own).
    ReadPledges,
    /// Draft, sign and cancel one's own organization's pledges.
    MakePledges,
    /// Record deliveries (发放签收) of pledge lines: organizations for their own pledges, towns
    /// for pledges handed over through the town (集中发放) in their town.
    RecordDeliveries,
    /// Record follow-up visits (回访) under pledges: organizations for their own pledges, town
    /// and village officers for households in their area (a visit they made or witnessed).
    RecordVisits,
    /// Upload the scan of a signed pledge letter (签署件): organizations for their own pledges,
    /// town and village officers for pledges touching their area (they witness the letter).
    FileSignedLetters,
    /// See stock at the county warehouse and the town stations, waybills, handovers and the
    /// distribution roster (county and auditors all; a town its own station).
    ReadStock,
    /// Keep a station's stock: dispatch and receive waybills, hand goods to households, record
    /// and check adjustments and counts (the county any station; a town its own).
    ManageStock,
    /// See donations (county and auditors all; a town those received at its station or
    /// designated to it; an organization its own gifts).
    ReadDonations,
    /// Record donations: the county any; a town only goods received at its own station (cash
    /// reaches the bureau's account, so the county records it).
    RecordDonations,
    /// See purchases paid from campaign funds (county and auditors all; a town its station's).
    ReadPurchases,
    /// Record purchases paid from campaign funds: the county, which holds the money.
    RecordPurchases,
    /// Review the registry's likely duplicate households (identity resolution), decide pairs
    /// and read the duplicate-aid report: the county, which sees every village.
    ResolveIdentities,
}

pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        ReadOrganizations => matches!(
            role,
            ProvinceAdmin
                | CityAdmin
                | CountyAdmin
                | TownOfficer
                | VillageOfficer
                | OrgMember
                | Auditor
        ),
        ManageOrganizations => role == CountyAdmin,
        EditOwnOrganization => role == OrgMember,
        RateOrganizations => role == CountyAdmin,
        ManageCatalogue => role == CountyAdmin,
        ReadLedger => matches!(
            role,
            ProvinceAdmin | CityAdmin | CountyAdmin | TownOfficer | Auditor
        ),
        ReadAreas => !matches!(role, SecurityAdmin | AuditAdmin),
        ManageAreas => matches!(role, CountyAdmin | SystemAdmin),
        ManageUsers => matches!(role, SystemAdmin),
        ReadAuditLog => matches!(role, AuditAdmin | Auditor),
        UseApiTokens => true,
        ReadHouseholds => matches!(
            role,
            CountyAdmin | TownOfficer | VillageOfficer | OrgMember | Auditor
        ),
        RegisterHouseholds => matches!(role, TownOfficer | VillageOfficer),
        ReviewHouseholds => matches!(role, TownOfficer | CountyAdmin),
        RevealHouseholdDetails => matches!(role, CountyAdmin | TownOfficer | VillageOfficer),
        ExportHouseholds => matches!(role, CountyAdmin | TownOfficer | VillageOfficer | Auditor),
        ReadCampaigns => matches!(
            role,
            ProvinceAdmin
                | CityAdmin
                | CountyAdmin
                | TownOfficer
                | VillageOfficer
                | OrgMember
                | Auditor
        ),
        ManageCampaigns => role == CountyAdmin,
        ApplyToCampaigns => role == OrgMember,
        ReadNeeds => matches!(role, CountyAdmin | TownOfficer | VillageOfficer | Auditor),
        RecordNeeds => matches!(role, TownOfficer | VillageOfficer),
        ReviewNeeds => matches!(role, TownOfficer | CountyAdmin),
        ClaimNeeds => role == OrgMember,
        ReadPledges => matches!(
            role,
            CountyAdmin | TownOfficer | VillageOfficer | OrgMember | Auditor
        ),
        MakePledges => role == OrgMember,
        RecordDeliveries => matches!(role, OrgMember | TownOfficer),
        RecordVisits => matches!(role, OrgMember | TownOfficer | VillageOfficer),
        FileSignedLetters => matches!(role, OrgMember | TownOfficer | VillageOfficer),
        ReadStock => matches!(role, CountyAdmin | TownOfficer | Auditor),
        ManageStock => matches!(role, CountyAdmin | TownOfficer),
        ReadDonations => matches!(role, CountyAdmin | TownOfficer | OrgMember | Auditor),
        RecordDonations => matches!(role, CountyAdmin | TownOfficer),
        ReadPurchases => matches!(role, CountyAdmin | TownOfficer | Auditor),
        RecordPurchases => role == CountyAdmin,
        ResolveIdentities => role == CountyAdmin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_see_no_case_data() {
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert!(!allows(role, Permission::ReadOrganizations), "{role}");
            assert!(!allows(role, Permission::ReadHouseholds), "{role}");
        }
    }

    #[test]
    fn cities_and_provinces_read_figures_and_register_nothing() {
        for role in [Role::CityAdmin, Role::ProvinceAdmin] {
            for p in [
                Permission::ReadLedger,
                Permission::ReadCampaigns,
                Permission::ReadAreas,
            ] {
                assert!(allows(role, p), "{role} {p:?}");
            }
            for p in [
                Permission::ReadHouseholds,
                Permission::RegisterHouseholds,
                Permission::ManageCampaigns,
                Permission::RecordDonations,
                Permission::ManageAreas,
                Permission::ManageUsers,
            ] {
                assert!(!allows(role, p), "{role} {p:?}");
            }
        }
    }

    #[test]
    fn auditors_and_organizations_never_see_unmasked_details() {
        assert!(!allows(Role::Auditor, Permission::RevealHouseholdDetails));
        assert!(!allows(Role::OrgMember, Permission::RevealHouseholdDetails));
        assert!(!allows(Role::OrgMember, Permission::ExportHouseholds));
    }

    #[test]
    fn only_the_county_manages_the_registry() {
        let managers: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| allows(*r, Permission::ManageOrganizations))
            .collect();
        assert_eq!(managers, vec![Role::CountyAdmin]);
        let raters: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| allows(*r, Permission::RateOrganizations))
            .collect();
        assert_eq!(raters, vec![Role::CountyAdmin], "only the bureau grades");
        let keepers: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| allows(*r, Permission::ManageCatalogue))
            .collect();
        assert_eq!(
            keepers,
            vec![Role::CountyAdmin],
            "one catalogue for the county"
        );
    }

    #[test]
    fn only_organizations_claim_and_they_neither_record_nor_review_needs() {
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| allows(*r, p)).collect()
        };
        assert_eq!(holders(Permission::ClaimNeeds), vec![Role::OrgMember]);
        assert_eq!(
            holders(Permission::RecordNeeds),
            vec![Role::TownOfficer, Role::VillageOfficer]
        );
        assert_eq!(
            holders(Permission::ReviewNeeds),
            vec![Role::CountyAdmin, Role::TownOfficer]
        );
        assert_eq!(
            holders(Permission::ReadNeeds),
            vec![
                Role::CountyAdmin,
                Role::TownOfficer,
                Role::VillageOfficer,
                Role::Auditor
            ],
            "organizations see needs only through the masked claim sheet"
        );
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            for p in [
                Permission::ReadNeeds,
                Permission::RecordNeeds,
                Permission::ReviewNeeds,
                Permission::ClaimNeeds,
            ] {
                assert!(!allows(role, p), "{role} {p:?}");
            }
        }
    }

    #[test]
    fn only_organizations_make_pledges_and_administrators_do_not_read_them() {
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| allows(*r, p)).collect()
        };
        assert_eq!(holders(Permission::MakePledges), vec![Role::OrgMember]);
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert!(!allows(role, Permission::ReadPledges), "{role}");
        }
        assert!(allows(Role::TownOfficer, Permission::ReadPledges));
        assert!(allows(Role::OrgMember, Permission::ReadPledges));
        assert_eq!(
            holders(Permission::RecordDeliveries),
            vec![Role::TownOfficer, Role::OrgMember],
            "the organization delivers, or the town hands over (集中发放)"
        );
        assert_eq!(
            holders(Permission::RecordVisits),
            vec![Role::TownOfficer, Role::VillageOfficer, Role::OrgMember],
            "the organization visits; officers record visits they made or witnessed"
        );
        assert_eq!(
            holders(Permission::FileSignedLetters),
            vec![Role::TownOfficer, Role::VillageOfficer, Role::OrgMember],
            "the signers and the witnesses file the signed letter; the county only reads it"
        );
    }

    #[test]
    fn the_county_and_the_towns_keep_stock_and_auditors_only_read_it() {
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| allows(*r, p)).collect()
        };
        assert_eq!(
            holders(Permission::ManageStock),
            vec![Role::CountyAdmin, Role::TownOfficer]
        );
        assert_eq!(
            holders(Permission::ReadStock),
            vec![Role::CountyAdmin, Role::TownOfficer, Role::Auditor]
        );
    }

    #[test]
    fn the_county_records_money_towns_record_goods_at_their_station_and_donors_read_their_own() {
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| allows(*r, p)).collect()
        };
        assert_eq!(
            holders(Permission::RecordDonations),
            vec![Role::CountyAdmin, Role::TownOfficer]
        );
        assert_eq!(
            holders(Permission::RecordPurchases),
            vec![Role::CountyAdmin]
        );
        assert_eq!(
            holders(Permission::ReadDonations),
            vec![
                Role::CountyAdmin,
                Role::TownOfficer,
                Role::OrgMember,
                Role::Auditor
            ]
        );
        assert_eq!(
            holders(Permission::ReadPurchases),
            vec![Role::CountyAdmin, Role::TownOfficer, Role::Auditor]
        );
    }
}
