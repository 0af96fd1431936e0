//! The organization registry in the store: round trip, filters, pages, optimistic locking and
//! the unique credit code.

use crate::fixtures::{COUNTY, SANHE, SHANGPAI, SHANGPAI_VILLAGE, code, org, seed_areas};
use hearth_core::organization::{OrgKind, OrgStatus, Organization, ServiceField};
use hearth_store::Store;
use hearth_store::organizations::{self, OrgFilter, PageRequest};
use hearth_store::testing::{TestDb, each_backend};

async fn insert(store: &Store, org: &Organization) {
    let mut tx = store.write().await.unwrap();
    organizations::insert(&mut tx, org).await.unwrap();
    tx.commit().await.unwrap();
}

async fn names(store: &Store, filter: OrgFilter) -> Vec<String> {
    let mut tx = store.read().await.unwrap();
    let (found, total) = organizations::search(&mut tx, &filter, PageRequest::new(None, Some(100)))
        .await
        .unwrap();
    assert_eq!(
        total,
        found.len() as i64,
        "total disagrees with the rows for {filter:?}"
    );
    let mut names: Vec<String> = found.into_iter().map(|o| o.profile.name).collect();
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Four organizations: one per town, one county-wide, one serving a village (inactive).
async fn registry(store: &Store) -> [Organization; 4] {
    use ServiceField::*;
    seed_areas(store).await;
    let shangpai = org(
        1,
        "上派暖阳志愿服务协会",
        OrgKind::SocialGroup,
        &[Elderly, Poverty],
        &[SHANGPAI],
    );
    let sanhe = org(
        2,
        "三河春苗儿童关爱中心",
        OrgKind::SocialService,
        &[Children],
        &[SANHE],
    );
    let county = org(
        3,
        "肥西县慈善基金会",
        OrgKind::Foundation,
        &[Poverty],
        &[COUNTY],
    );
    let mut village = org(
        4,
        "新丰社区邻里互助队",
        OrgKind::VolunteerTeam,
        &[Community],
        &[SHANGPAI_VILLAGE],
    );
    village.status = OrgStatus::Inactive;
    for o in [&shangpai, &sanhe, &county, &village] {
        insert(store, o).await;
    }
    [shangpai, sanhe, county, village]
}

#[tokio::test]
async fn an_organization_reads_back_as_written() {
    each_backend(async |db: &TestDb| {
        seed_areas(&db.store).await;
        let written = org(
            7,
            "肥西县同心助残服务社",
            OrgKind::SocialService,
            &[ServiceField::Disability, ServiceField::Medical],
            &[SANHE, SHANGPAI],
        );
        insert(&db.store, &written).await;
        let mut tx = db.store.read().await.unwrap();
        assert_eq!(
            organizations::get(&mut tx, written.id)
                .await
                .unwrap()
                .as_ref(),
            Some(&written)
        );
        let by_code = organizations::find_by_uscc(&mut tx, &written.profile.uscc)
            .await
            .unwrap();
        assert_eq!(by_code.map(|o| o.id), Some(written.id));
        assert_eq!(
            organizations::get(&mut tx, uuid::Uuid::now_v7())
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn search_filters_by_name_kind_status_and_field() {
    each_backend(async |db: &TestDb| {
        registry(&db.store).await;
        let s = &db.store;
        assert_eq!(names(s, OrgFilter::default()).await.len(), 4);
        let by_name = OrgFilter {
            name: Some(" 儿童 ".into()),
            ..Default::default()
        };
        assert_eq!(names(s, by_name).await, sorted(&["三河春苗儿童关爱中心"]));
        let by_kind = OrgFilter {
            kind: Some(OrgKind::Foundation),
            ..Default::default()
        };
        assert_eq!(names(s, by_kind).await, sorted(&["肥西县慈善基金会"]));
        let inactive = OrgFilter {
            status: Some(OrgStatus::Inactive),
            ..Default::default()
        };
        assert_eq!(names(s, inactive).await, sorted(&["新丰社区邻里互助队"]));
        let active = OrgFilter {
            status: Some(OrgStatus::Active),
            ..Default::default()
        };
        assert_eq!(names(s, active).await.len(), 3);
        let poverty = OrgFilter {
            field: Some(ServiceField::Poverty),
            ..Default::default()
        };
        assert_eq!(
            names(s, poverty).await,
            sorted(&["上派暖阳志愿服务协会", "肥西县慈善基金会"])
        );
        let nothing = OrgFilter {
            field: Some(ServiceField::Disaster),
            ..Default::default()
        };
        assert!(names(s, nothing).await.is_empty());
        let combined = OrgFilter {
            field: Some(ServiceField::Poverty),
            kind: Some(OrgKind::SocialGroup),
            ..Default::default()
        };
        assert_eq!(names(s, combined).await, sorted(&["上派暖阳志愿服务协会"]));
        let by_code = OrgFilter {
            uscc: Some("mj000002".into()),
            ..Default::default()
        };
        assert_eq!(names(s, by_code).await, sorted(&["三河春苗儿童关爱中心"]));
    })
    .await;
}

#[tokio::test]
async fn an_area_filter_finds_who_serves_that_area() {
    each_backend(async |db: &TestDb| {
        registry(&db.store).await;
        let s = &db.store;
        let serving = |area: &str| OrgFilter {
            area: Some(code(area)),
            ..Default::default()
        };
        // A town: its own organizations, those of its villages, and the county-wide one; not
        // another town's.
        assert_eq!(
            names(s, serving(SHANGPAI)).await,
            sorted(&[
                "上派暖阳志愿服务协会",
                "新丰社区邻里互助队",
                "肥西县慈善基金会"
            ])
        );
        assert_eq!(
            names(s, serving(SANHE)).await,
            sorted(&["三河春苗儿童关爱中心", "肥西县慈善基金会"])
        );
        // A village: its own, its town's and the county's.
        assert_eq!(
            names(s, serving(SHANGPAI_VILLAGE)).await,
            sorted(&[
                "上派暖阳志愿服务协会",
                "新丰社区邻里互助队",
                "肥西县慈善基金会"
            ])
        );
        // The county: everyone inside it.
        assert_eq!(names(s, serving(COUNTY)).await.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn pages_split_the_list_and_count_every_match() {
    each_backend(async |db: &TestDb| {
        seed_areas(&db.store).await;
        for n in 0..25 {
            let o = org(
                100 + n,
                &format!("测试组织{n:02}"),
                OrgKind::Other,
                &[ServiceField::Community],
                &[SHANGPAI],
            );
            insert(&db.store, &o).await;
        }
        let mut tx = db.store.read().await.unwrap();
        let filter = OrgFilter {
            name: Some("测试组织".into()),
            ..Default::default()
        };
        let mut seen = Vec::new();
        for (number, rows) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
            let (page, total) =
                organizations::search(&mut tx, &filter, PageRequest::new(Some(number), Some(10)))
                    .await
                    .unwrap();
            assert_eq!(total, 25, "page {number}");
            assert_eq!(page.len(), rows, "page {number}");
            seen.extend(page.into_iter().map(|o| o.profile.name));
        }
        let expected: Vec<String> = (0..25).map(|n| format!("测试组织{n:02}")).collect();
        assert_eq!(seen, expected, "pages are in name order with no row twice");
        let (all, total) = organizations::search(&mut tx, &filter, PageRequest::all())
            .await
            .unwrap();
        assert_eq!((all.len(), total), (25, 25));
        assert_eq!(organizations::count(&mut tx, None).await.unwrap(), 25);
    })
    .await;
}

#[tokio::test]
async fn an_update_from_a_stale_version_changes_nothing() {
    each_backend(async |db: &TestDb| {
        let [shangpai, ..] = registry(&db.store).await;
        let mut first = shangpai.clone();
        first.profile.name = "上派暖阳志愿服务总会".into();
        first.profile.service_areas = vec![code(SANHE)];
        first.version = 2;
        let mut tx = db.store.write().await.unwrap();
        assert!(organizations::update(&mut tx, &first, 1).await.unwrap());
        tx.commit().await.unwrap();

        // A second editor who also started from version 1.
        let mut second = shangpai.clone();
        second.profile.name = "被覆盖的名称".into();
        second.version = 2;
        let mut tx = db.store.write().await.unwrap();
        assert!(!organizations::update(&mut tx, &second, 1).await.unwrap());
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let stored = organizations::get(&mut tx, shangpai.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.profile.name, "上派暖阳志愿服务总会");
        assert_eq!(stored.profile.service_areas, vec![code(SANHE)]);
        assert_eq!(stored.version, 2);
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_credit_code_is_a_unique_violation() {
    each_backend(async |db: &TestDb| {
        let [shangpai, ..] = registry(&db.store).await;
        let mut copy = org(99, "另一个组织", OrgKind::Other, &[], &[]);
        copy.profile.uscc = shangpai.profile.uscc.clone();
        let mut tx = db.store.write().await.unwrap();
        let err = organizations::insert(&mut tx, &copy).await.unwrap_err();
        assert!(err.is_unique_violation(), "{err}");
        drop(tx);

        // Other refusals are not mistaken for duplicates: an unknown service area.
        let mut stray = org(98, "服务区不存在的组织", OrgKind::Other, &[], &[]);
        stray.profile.service_areas = vec![code("340123199000")];
        let mut tx = db.store.write().await.unwrap();
        let err = organizations::insert(&mut tx, &stray).await.unwrap_err();
        assert!(!err.is_unique_violation(), "{err}");
    })
    .await;
}

#[tokio::test]
async fn percent_and_underscore_in_a_search_are_taken_literally() {
    each_backend(async |db: &TestDb| {
        seed_areas(&db.store).await;
        for (n, name) in [
            "百分百100%爱心社",
            "100元爱心社",
            "青年_志愿队",
            "青年志愿队",
            "路径\\测试会",
        ]
        .iter()
        .enumerate()
        {
            insert(
                &db.store,
                &org(200 + n as u32, name, OrgKind::Other, &[], &[]),
            )
            .await;
        }
        let s = &db.store;
        let named = |part: &str| OrgFilter {
            name: Some(part.into()),
            ..Default::default()
        };
        assert_eq!(names(s, named("100%")).await, sorted(&["百分百100%爱心社"]));
        assert_eq!(names(s, named("年_志")).await, sorted(&["青年_志愿队"]));
        assert_eq!(names(s, named("%")).await, sorted(&["百分百100%爱心社"]));
        assert_eq!(names(s, named("\\")).await, sorted(&["路径\\测试会"]));
        assert_eq!(names(s, named("青年志")).await, sorted(&["青年志愿队"]));
    })
    .await;
}

#[tokio::test]
async fn a_name_search_ignores_the_case_of_latin_letters_on_both_engines() {
    each_backend(async |db: &TestDb| {
        seed_areas(&db.store).await;
        insert(
            &db.store,
            &org(300, "肥西县YMCA青年会", OrgKind::SocialGroup, &[], &[]),
        )
        .await;
        insert(
            &db.store,
            &org(
                301,
                "Hefei Red Cross Volunteers",
                OrgKind::VolunteerTeam,
                &[],
                &[],
            ),
        )
        .await;
        let named = |part: &str| OrgFilter {
            name: Some(part.into()),
            ..Default::default()
        };
        assert_eq!(
            names(&db.store, named("ymca")).await,
            sorted(&["肥西县YMCA青年会"])
        );
        assert_eq!(
            names(&db.store, named("red CROSS")).await,
            sorted(&["Hefei Red Cross Volunteers"])
        );
        assert!(names(&db.store, named("red crossing")).await.is_empty());
    })
    .await;
}

/// County B under the same city, for the tests of several counties in one deployment.
const COUNTY_B: &str = "340199000000";

async fn add_county_b(store: &Store) {
    let mut tx = store.write().await.unwrap();
    let county_b = hearth_store::areas::Area {
        code: code(COUNTY_B),
        name: "示例乙县（虚构）".to_owned(),
        level: hearth_core::area::AreaLevel::County,
        parent: Some(code("340100000000")),
        short_name: String::new(),
        is_example: true,
        note: String::new(),
    };
    hearth_store::areas::upsert(&mut tx, &county_b)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn county_of(store: &Store, org: &Organization) -> Option<String> {
    let mut tx = store.read().await.unwrap();
    organizations::county(&mut tx, org.id)
        .await
        .unwrap()
        .map(|c| c.as_str().to_owned())
}

/// The backfill statements of migration 0020, run again on what the database holds now.
async fn backfill(db: &TestDb) {
    let engine = match db.backend {
        hearth_store::Backend::Sqlite => "sqlite",
        hearth_store::Backend::Postgres => "postgres",
    };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
        .join("0020_organization_county.sql");
    let sql = std::fs::read_to_string(path).unwrap();
    db.execute("DELETE FROM organization_county").await.unwrap();
    let statements = sql
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| s.trim_start().starts_with("INSERT"))
        .collect::<Vec<_>>();
    assert_eq!(statements.len(), 2, "the two backfills of 0020");
    for statement in statements {
        db.execute(&statement).await.unwrap();
    }
}

#[tokio::test]
async fn an_organization_is_reached_from_its_own_county_and_those_above() {
    each_backend(async |db: &TestDb| {
        let s = &db.store;
        let [shangpai, sanhe, county, village] = registry(s).await;
        add_county_b(s).await;
        let b = org(
            5,
            "示例乙县助老协会（虚构）",
            OrgKind::SocialGroup,
            &[],
            &[COUNTY_B],
        );
        insert(s, &b).await;
        let mut tx = s.write().await.unwrap();
        for o in [&shangpai, &sanhe, &county, &village] {
            organizations::set_county(&mut tx, o.id, &code(COUNTY))
                .await
                .unwrap();
        }
        organizations::set_county(&mut tx, b.id, &code(COUNTY_B))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let reaching = |area: &str| OrgFilter {
            reaching: Some(code(area)),
            ..OrgFilter::default()
        };
        let feixi = sorted(&[
            "上派暖阳志愿服务协会",
            "三河春苗儿童关爱中心",
            "肥西县慈善基金会",
            "新丰社区邻里互助队",
        ]);
        assert_eq!(names(s, reaching(COUNTY)).await, feixi);
        assert_eq!(names(s, reaching(SHANGPAI)).await, feixi, "a town of Feixi");
        assert_eq!(
            names(s, reaching(COUNTY_B)).await,
            ["示例乙县助老协会（虚构）"]
        );
        assert_eq!(
            names(s, reaching("340100000000")).await.len(),
            5,
            "the city"
        );
        assert_eq!(
            names(s, reaching("340000000000")).await.len(),
            5,
            "the province"
        );

        // Without a county an organization belongs to the whole deployment.
        db.execute("DELETE FROM organization_county").await.unwrap();
        assert_eq!(names(s, reaching(COUNTY_B)).await.len(), 5);

        // Two counties: each organization gets the county its service areas lie in.
        backfill(db).await;
        assert_eq!(county_of(s, &shangpai).await.as_deref(), Some(COUNTY));
        assert_eq!(county_of(s, &village).await.as_deref(), Some(COUNTY));
        assert_eq!(county_of(s, &b).await.as_deref(), Some(COUNTY_B));
    })
    .await;
}

#[tokio::test]
async fn a_one_county_deployment_gives_its_organizations_its_county() {
    each_backend(async |db: &TestDb| {
        let s = &db.store;
        let orgs = registry(s).await;
        let spread = org(
            6,
            "跨区服务社",
            OrgKind::SocialGroup,
            &[],
            &["340100000000", SANHE],
        );
        insert(s, &spread).await;
        backfill(db).await;
        for o in orgs.iter().chain([&spread]) {
            assert_eq!(
                county_of(s, o).await.as_deref(),
                Some(COUNTY),
                "{}",
                o.profile.name
            );
        }

        // With a second county, one serving the city and a town is left to the whole deployment.
        add_county_b(s).await;
        backfill(db).await;
        assert_eq!(county_of(s, &spread).await, None);
        assert_eq!(county_of(s, &orgs[0]).await.as_deref(), Some(COUNTY));
    })
    .await;
}
