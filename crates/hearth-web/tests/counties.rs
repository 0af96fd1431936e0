//! Several counties in one deployment, through the pages: the system administrator loads a
//! second county under 合肥市 and adds a city bureau and the new county's bureau; each county
//! sees only itself, the city sees both together on its dashboard and drills down into either.
//! The added county, its town and village and its campaign are synthetic (虚构).

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;

const PASSWORD: &str = "Warm-Winter-2024";
const COUNTY_B: &str = "340199000000";

/// Synthetic divisions (示例, 虚构) of a second county of 合肥市.
const COUNTY_B_DIVISIONS: &str = "code,name,level,parent,note,example
340199000000,示例乙县（虚构）,county,340100000000,synthetic test county,1
340199100000,示例乙镇（虚构）,town,340199000000,synthetic test town,1
340199100001,示例乙村（虚构）,village,340199100000,synthetic test village,1
";

async fn add_user(t: &TestApp, sysadmin: &Client, username: &str, role: &str, area: &str) {
    let reply = t
        .form(
            "/users",
            sysadmin,
            &[
                ("_csrf", sysadmin.csrf.as_deref().unwrap_or("")),
                ("username", username),
                ("display_name", "测试（虚构）"),
                ("role", role),
                ("area_code", area),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
}

async fn sign_in(t: &TestApp, username: &str) -> Client {
    let reply = t
        .json(
            "POST",
            "/api/v1/session",
            &Client::default(),
            serde_json::json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    Client {
        cookie: reply.cookie(hearth_web::SESSION_COOKIE),
        csrf: reply.json()["csrf_token"].as_str().map(str::to_owned),
        bearer: None,
    }
}

#[tokio::test]
async fn a_city_sees_its_counties_and_a_county_only_itself() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let sysadmin = t.sign_in("sysadmin").await;
        let county = t.sign_in("county").await;
        let csrf = |c: &Client| c.csrf.clone().unwrap_or_default();

        let refused = t
            .form(
                "/areas",
                &county,
                &[("_csrf", &csrf(&county)), ("divisions", COUNTY_B_DIVISIONS)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.text().contains("不在本县范围内"),
            "{}",
            refused.text()
        );
        let loaded = t
            .form(
                "/areas",
                &sysadmin,
                &[
                    ("_csrf", &csrf(&sysadmin)),
                    ("divisions", COUNTY_B_DIVISIONS),
                ],
            )
            .await;
        assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.text());
        let tree = t.get("/areas?loaded=3", &sysadmin).await.text();
        assert!(tree.contains("示例乙县（虚构）") && tree.contains("肥西县"));
        assert!(tree.contains("已载入3条区划"));
        assert!(!t.get("/areas", &county).await.text().contains("示例乙县"));

        add_user(&t, &sysadmin, "city", "city_admin", "340100000000").await;
        add_user(&t, &sysadmin, "county.b", "county_admin", COUNTY_B).await;
        let users = t.get("/users", &sysadmin).await.text();
        assert!(users.contains("市民政局管理员") && users.contains("省民政厅管理员"));
        let users_en = t.get("/users?lang=en", &sysadmin).await.text();
        assert!(users_en.contains("City administrator"));
        let city = sign_in(&t, "city").await;
        let county_b = sign_in(&t, "county.b").await;

        let created = t
            .json(
                "POST",
                "/api/v1/campaigns",
                &county_b,
                serde_json::json!({
                    "code": "NDXD-B", "name": "乙县暖冬行动（虚构）", "year": "2024",
                    "starts_on": "2024-11-01", "ends_on": "2025-03-31",
                    "focus_fields": ["elderly"], "target_households": "100",
                    "target_cash": "50000", "target_items": "10", "arrangements": ""
                }),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());

        for (uri, status) in [
            ("/api/v1/campaigns/NDXD-B", StatusCode::NOT_FOUND),
            ("/dashboard?campaign=NDXD-B", StatusCode::NOT_FOUND),
            ("/dashboard?area=340199000000", StatusCode::FORBIDDEN),
            (
                "/dashboard/tables/kpis.csv?area=340199000000",
                StatusCode::FORBIDDEN,
            ),
        ] {
            assert_eq!(t.get(uri, &county).await.status, status, "{uri}");
        }
        let own = t.get("/api/v1/campaigns", &county_b).await.json();
        let codes: Vec<&str> = own
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|c| c["code"].as_str())
            .collect();
        assert_eq!(codes, ["NDXD-B"]);

        assert_eq!(
            t.get("/", &city).await.status,
            StatusCode::OK,
            "the city's home"
        );
        let page = t.get("/dashboard", &city).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(
            html.contains("本辖区全部活动"),
            "both counties' campaigns together"
        );
        assert!(html.contains("肥西县") && html.contains("示例乙县（虚构）"));
        assert!(html.contains("13.18"), "Feixi's cash raised, in 万元");
        assert!(
            html.contains("area=340199000000"),
            "a drill-down link to county B"
        );
        let drilled = t.get("/dashboard?area=340199100001", &city).await;
        assert_eq!(drilled.status, StatusCode::OK);
        let trail = drilled.text();
        for name in [
            "合肥市",
            "示例乙县（虚构）",
            "示例乙镇（虚构）",
            "示例乙村（虚构）",
        ] {
            assert!(trail.contains(name), "{name} on the trail");
        }
        let csv = t.get("/dashboard/tables/areas.csv", &city).await.text();
        assert!(
            csv.contains("肥西县") && csv.contains("示例乙县（虚构）"),
            "{csv}"
        );
        assert!(csv.contains("131800.00"), "{csv}");
        assert_eq!(
            t.get("/households", &city).await.status,
            StatusCode::FORBIDDEN,
            "the city reads figures, not households"
        );
    })
    .await;
}
