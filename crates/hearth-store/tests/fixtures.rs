//! Areas, organizations and users that store tests build on.

use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::organization::{OrgKind, OrgProfile, OrgStatus, Organization, ServiceField};
use hearth_core::role::Role;
use hearth_core::uscc::{Uscc, complete_uscc};
use hearth_core::user::{User, UserStatus, Username};
use hearth_store::areas::{self, Area};
use hearth_store::{Store, users};
use uuid::Uuid;

pub const COUNTY: &str = "340123000000";
/// 上派镇
pub const SHANGPAI: &str = "340123100000";
/// 三河镇
pub const SANHE: &str = "340123101000";
/// A village of 上派镇.
pub const SHANGPAI_VILLAGE: &str = "340123100001";

pub fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

fn area(code_text: &str, name: &str, parent: Option<&str>) -> Area {
    let c = code(code_text);
    Area {
        level: c.level(),
        code: c,
        name: name.to_owned(),
        parent: parent.map(code),
        short_name: String::new(),
        is_example: false,
        note: String::new(),
    }
}

/// Province → city → county → two towns → a village of the first town.
pub async fn seed_areas(store: &Store) {
    let mut tx = store.write().await.unwrap();
    for a in [
        area("340000000000", "安徽省", None),
        area("340100000000", "合肥市", Some("340000000000")),
        area(COUNTY, "肥西县", Some("340100000000")),
        area(SHANGPAI, "上派镇", Some(COUNTY)),
        area(SANHE, "三河镇", Some(COUNTY)),
        area(SHANGPAI_VILLAGE, "新丰社区", Some(SHANGPAI)),
    ] {
        assert_eq!(
            a.code.level() == AreaLevel::Village,
            a.code.as_str() == SHANGPAI_VILLAGE
        );
        areas::upsert(&mut tx, &a).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A valid credit code, different for every `n`.
pub fn uscc(n: u32) -> Uscc {
    complete_uscc(&format!("51340123MJ{n:06}0")).unwrap()
}

pub fn org(
    n: u32,
    name: &str,
    kind: OrgKind,
    fields: &[ServiceField],
    serves: &[&str],
) -> Organization {
    let now = hearth_store::now();
    let mut service_areas: Vec<AreaCode> = serves.iter().map(|c| code(c)).collect();
    service_areas.sort();
    Organization {
        id: Uuid::now_v7(),
        profile: OrgProfile {
            name: name.to_owned(),
            uscc: uscc(n),
            kind,
            service_fields: fields.to_vec(),
            service_areas,
            responsible_person: "陈晓东".to_owned(),
            contact_person: "王丽华".to_owned(),
            contact_phone: "0551-68100000".to_owned(),
            address: "肥西县上派镇示例路1号".to_owned(),
            rating: Some("4A".to_owned()),
            note: String::new(),
        },
        status: OrgStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub async fn insert_user(store: &Store, username: &str) -> User {
    let now = hearth_store::now();
    let user = User {
        id: Uuid::now_v7(),
        username: Username::parse(username).unwrap(),
        display_name: username.to_owned(),
        role: Role::SystemAdmin,
        area_code: None,
        organization_id: None,
        status: UserStatus::Active,
        failed_logins: 0,
        locked_until: None,
        must_change_password: false,
        last_login_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = store.write().await.unwrap();
    users::insert(&mut tx, &user, "not-a-real-hash")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    user
}
