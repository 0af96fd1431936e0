//! The scope matrix: every demo role against every organization use case, on its own
//! organization or area and on another's.

use crate::common::{
    COUNTY, SANHE, SHANGPAI, SHANGPAI_OTHER_VILLAGE, SHANGPAI_VILLAGE, caller, create, demo,
    fresh_uscc, input, listed,
};
use hearth_app::organizations::Filter;
use hearth_app::{App, AppError, Caller};
use hearth_core::area::AreaCode;
use hearth_core::organization::{OrgInput, OrgStatus, Organization};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

/// Organizations placed so that each role has one inside and one outside its scope.
struct World {
    app: App,
    /// The demo organization member's own organization (it serves the whole county).
    own: Organization,
    /// Serves only 上派镇 (the town officer's town).
    shangpai: Organization,
    /// Serves only the other example village of 上派镇 (not the village officer's).
    other_village: Organization,
    /// Serves only 三河镇, another town.
    sanhe: Organization,
}

async fn world(db: &TestDb) -> World {
    let app = demo(db).await;
    let county = caller(&app, "county").await;
    let org_user = caller(&app, "org").await;
    let own = app
        .organization(&county, org_user.user.organization_id.unwrap())
        .await
        .unwrap();
    assert_eq!(
        own.profile.service_areas,
        [AreaCode::parse(COUNTY).unwrap()]
    );
    World {
        shangpai: create(&app, &county, "上派镇专属服务队", 1, &[SHANGPAI]).await,
        other_village: create(
            &app,
            &county,
            "上派镇另一村互助会",
            2,
            &[SHANGPAI_OTHER_VILLAGE],
        )
        .await,
        sanhe: create(&app, &county, "三河镇专属服务队", 3, &[SANHE]).await,
        own,
        app,
    }
}

fn ids(orgs: &[Organization]) -> Vec<Uuid> {
    orgs.iter().map(|o| o.id).collect()
}

fn edit(org: &Organization) -> OrgInput {
    let mut input = OrgInput::from(&org.profile);
    input.name = format!("{}（改）", org.profile.name);
    input.contact_person = "新联系人".into();
    input
}

fn is<T: std::fmt::Debug>(result: &Result<T, AppError>, expected: &str) -> bool {
    matches!(
        (result, expected),
        (Ok(_), "ok")
            | (Err(AppError::Forbidden), "forbidden")
            | (Err(AppError::NotFound), "not found")
    )
}

/// What the role may do with an organization: get, update, set status, read history.
async fn check(w: &World, who: &Caller, org: &Organization, expected: [&str; 4]) {
    let role = who.user.role;
    let name = &org.profile.name;
    let get = w.app.organization(who, org.id).await;
    assert!(is(&get, expected[0]), "{role} get {name}: {get:?}");
    let update = w
        .app
        .update_organization(who, org.id, org.version, &edit(org))
        .await;
    assert!(is(&update, expected[1]), "{role} update {name}: {update:?}");
    let status = w
        .app
        .set_organization_status(who, org.id, OrgStatus::Inactive, "检查")
        .await;
    assert!(
        is(&status, expected[2]),
        "{role} set status of {name}: {status:?}"
    );
    let history = w.app.organization_history(who, org.id).await;
    assert!(
        is(&history, expected[3]),
        "{role} history of {name}: {history:?}"
    );
}

const READ_ONLY: [&str; 4] = ["ok", "forbidden", "forbidden", "ok"];
const HIDDEN: [&str; 4] = ["not found", "not found", "forbidden", "not found"];

fn create_input(n: u32) -> OrgInput {
    input("越权新增的组织", &fresh_uscc(100 + n), &[])
}

#[tokio::test]
async fn the_county_administrator_does_everything() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let county = caller(&w.app, "county").await;
        let all = listed(&w.app, &county, Filter::default()).await.unwrap();
        assert_eq!(all.len(), 21 + 3);
        assert!(
            w.app
                .create_organization(&county, &create_input(1))
                .await
                .is_ok()
        );
        for org in [&w.sanhe, &w.own] {
            check(&w, &county, org, ["ok", "ok", "ok", "ok"]).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_town_officer_reads_only_organizations_serving_the_town() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let town = caller(&w.app, "town").await;
        let seen = ids(&listed(&w.app, &town, Filter::default()).await.unwrap());
        for org in [&w.own, &w.shangpai, &w.other_village] {
            assert!(
                seen.contains(&org.id),
                "town officer should see {}",
                org.profile.name
            );
        }
        assert!(
            !seen.contains(&w.sanhe.id),
            "another town's organization leaked"
        );
        // Everything listed serves the town, one of its villages, or an area above it.
        let shangpai = AreaCode::parse(SHANGPAI).unwrap();
        for org in listed(&w.app, &town, Filter::default()).await.unwrap() {
            assert!(
                org.profile
                    .service_areas
                    .iter()
                    .any(|a| a.is_within(&shangpai) || shangpai.is_within(a)),
                "{} does not serve 上派镇",
                org.profile.name
            );
        }
        // Asking for the whole county does not widen the scope.
        let wider = Filter {
            area: Some(AreaCode::parse(COUNTY).unwrap()),
            ..Filter::default()
        };
        assert_eq!(ids(&listed(&w.app, &town, wider).await.unwrap()), seen);
        // Asking for one of its villages narrows it.
        let village = Filter {
            area: Some(AreaCode::parse(SHANGPAI_OTHER_VILLAGE).unwrap()),
            ..Filter::default()
        };
        let narrowed = ids(&listed(&w.app, &town, village).await.unwrap());
        assert!(narrowed.contains(&w.other_village.id) && !narrowed.contains(&w.sanhe.id));

        assert!(matches!(
            w.app.create_organization(&town, &create_input(2)).await,
            Err(AppError::Forbidden)
        ));
        check(&w, &town, &w.shangpai, READ_ONLY).await;
        check(&w, &town, &w.own, READ_ONLY).await;
        check(&w, &town, &w.sanhe, HIDDEN).await;
    })
    .await;
}

#[tokio::test]
async fn a_village_officer_reads_only_organizations_serving_the_village() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let village = caller(&w.app, "village").await;
        assert_eq!(
            village.user.area_code.as_ref().map(|a| a.as_str()),
            Some(SHANGPAI_VILLAGE)
        );
        let seen = ids(&listed(&w.app, &village, Filter::default()).await.unwrap());
        assert!(
            seen.contains(&w.own.id) && seen.contains(&w.shangpai.id),
            "its county's and its town's"
        );
        assert!(
            !seen.contains(&w.sanhe.id),
            "another town's organization leaked"
        );
        assert!(
            !seen.contains(&w.other_village.id),
            "another village's organization leaked"
        );

        assert!(matches!(
            w.app.create_organization(&village, &create_input(3)).await,
            Err(AppError::Forbidden)
        ));
        check(&w, &village, &w.shangpai, READ_ONLY).await;
        check(&w, &village, &w.sanhe, HIDDEN).await;
        check(&w, &village, &w.other_village, HIDDEN).await;
    })
    .await;
}

#[tokio::test]
async fn an_organization_member_sees_its_own_and_edits_only_its_contact_details() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let member = caller(&w.app, "org").await;
        assert_eq!(
            ids(&listed(&w.app, &member, Filter::default()).await.unwrap()),
            [w.own.id]
        );
        let county_wide = Filter {
            area: Some(AreaCode::parse(COUNTY).unwrap()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&listed(&w.app, &member, county_wide).await.unwrap()),
            [w.own.id]
        );
        assert!(matches!(
            w.app.create_organization(&member, &create_input(4)).await,
            Err(AppError::Forbidden)
        ));
        check(&w, &member, &w.shangpai, HIDDEN).await;
        check(&w, &member, &w.sanhe, HIDDEN).await;

        // An edit of everything keeps only the contact fields.
        let before = w.app.organization(&member, w.own.id).await.unwrap();
        let mut everything = input("冒名更改的名称", &fresh_uscc(9), &[SANHE]);
        everything.kind = "foundation".into();
        everything.rating = "1A".into();
        everything.note = "改了备注".into();
        everything.contact_person = "新联系人".into();
        everything.contact_phone = "13905511234".into();
        everything.address = "肥西县桃花镇新址9号".into();
        let (after, _) = w
            .app
            .update_organization(&member, w.own.id, before.version, &everything)
            .await
            .unwrap();
        assert_eq!(after.profile.contact_person, "新联系人");
        assert_eq!(after.profile.contact_phone, "13905511234");
        assert_eq!(after.profile.address, "肥西县桃花镇新址9号");
        let mut expected = before.profile.clone();
        expected.contact_person = after.profile.contact_person.clone();
        expected.contact_phone = after.profile.contact_phone.clone();
        expected.address = after.profile.address.clone();
        assert_eq!(
            w.app.organization(&member, w.own.id).await.unwrap().profile,
            expected
        );
        assert_eq!(after.version, before.version + 1);

        let status = w
            .app
            .set_organization_status(&member, w.own.id, OrgStatus::Inactive, "自行停用")
            .await;
        assert!(matches!(status, Err(AppError::Forbidden)), "{status:?}");
        assert!(w.app.organization_history(&member, w.own.id).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn an_auditor_reads_everything_and_changes_nothing() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let auditor = caller(&w.app, "auditor").await;
        assert_eq!(
            listed(&w.app, &auditor, Filter::default())
                .await
                .unwrap()
                .len(),
            21 + 3
        );
        assert!(matches!(
            w.app.create_organization(&auditor, &create_input(5)).await,
            Err(AppError::Forbidden)
        ));
        for org in [&w.own, &w.shangpai, &w.sanhe] {
            check(&w, &auditor, org, READ_ONLY).await;
        }
        assert!(
            w.app.audit_events(&auditor, 10, 0).await.is_ok(),
            "the auditor reads the audit log"
        );
    })
    .await;
}

#[tokio::test]
async fn the_system_administrator_sees_no_organizations() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let sysadmin = caller(&w.app, "sysadmin").await;
        assert!(matches!(
            listed(&w.app, &sysadmin, Filter::default()).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            w.app.create_organization(&sysadmin, &create_input(6)).await,
            Err(AppError::Forbidden)
        ));
        for org in [&w.own, &w.sanhe] {
            check(&w, &sysadmin, org, ["forbidden"; 4]).await;
        }
        assert!(matches!(
            w.app.audit_events(&sysadmin, 10, 0).await,
            Err(AppError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn nothing_a_refused_caller_tried_was_stored() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let county = caller(&w.app, "county").await;
        for username in ["town", "village", "auditor", "sysadmin"] {
            let who = caller(&w.app, username).await;
            for org in [&w.shangpai, &w.sanhe] {
                let _ = w
                    .app
                    .update_organization(&who, org.id, org.version, &edit(org))
                    .await;
                let _ = w
                    .app
                    .set_organization_status(&who, org.id, OrgStatus::Inactive, "越权")
                    .await;
            }
        }
        for org in [&w.shangpai, &w.sanhe] {
            assert_eq!(&w.app.organization(&county, org.id).await.unwrap(), org);
            assert_eq!(
                w.app
                    .organization_history(&county, org.id)
                    .await
                    .unwrap()
                    .len(),
                1
            );
        }
    })
    .await;
}
