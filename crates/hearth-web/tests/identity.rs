//! Identity resolution through the real router, on SQLite and PostgreSQL: the county runs the
//! search over the API, sees the typo pair on `/identity` (masked) and decides it; the
//! duplicate-aid report and its CSV; village officers get neither the menu entry nor the pages.

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const VILLAGE: &str = "340123100001";

/// A valid ID number of county 340122 (never used by the demo) for someone born `birth`.
fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("340122{birth}{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn household(id: &str) -> Value {
    json!({
        "members": [{"name": "钱守义", "id_number": id, "relation": ""}],
        "address": "示例社区南组3号（测试）",
        "village": VILLAGE,
        "phone": "13955507777",
        "categories": [{"category": "dibao", "source": "民政系统", "verified_by": "王某某",
            "verified_on": "2024-03-01", "valid_until": ""}],
        "main_category": "dibao",
        "causes": [],
        "consent": {"version": "2024版", "signed_on": "2024-11-02",
            "scopes": ["share_with_organizations"], "signer": "钱守义", "guardian": ""},
        "note": "",
    })
}

async fn register(t: &TestApp, village: &Client, id: &str) -> String {
    let reply = t
        .json("POST", "/api/v1/households", village, household(id))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_county_reviews_a_typo_pair_and_village_officers_see_nothing() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let county = t.sign_in("county").await;
        // One family registered twice: the birth day mistyped (15 → 16).
        let a = register(&t, &village, &id_number("19450615", 711)).await;
        let b = register(&t, &village, &id_number("19450616", 711)).await;

        let run = t
            .json("POST", "/api/v1/identity/runs", &county, json!({}))
            .await;
        assert_eq!(run.status, StatusCode::OK, "{}", run.text());
        assert!(run.json()["new_pairs"].as_u64().unwrap_or(0) >= 1);
        let queue = t.get("/api/v1/identity/pairs", &county).await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text());
        let pairs = queue.json();
        let pair = pairs
            .as_array()
            .and_then(|list| {
                list.iter().find(|p| {
                    let ids = [p["first"]["id"].as_str(), p["second"]["id"].as_str()];
                    ids.contains(&Some(a.as_str())) && ids.contains(&Some(b.as_str()))
                })
            })
            .cloned()
            .expect("the typo pair is queued");
        let id = pair["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(pair["first"]["head_name"], "钱*");

        // The page shows both sides masked, with the menu entry.
        let page = t.get("/identity", &county).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(
            html.contains(&format!("/identity/{id}")),
            "the pair is listed"
        );
        assert!(html.contains("href=\"/identity\""), "menu entry");
        let detail = t.get(&format!("/identity/{id}"), &county).await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.text());
        assert!(!detail.text().contains("钱守义"), "names are masked");
        assert!(!detail.text().contains("13955507777"), "phones are masked");

        // Decided on the page: not the same, and it leaves the queue.
        let decided = t
            .form(
                &format!("/identity/{id}/decide"),
                &county,
                &[
                    ("_csrf", county.csrf.as_deref().unwrap_or_default()),
                    ("decision", "not_same"),
                    ("note", "两人同名（测试）"),
                ],
            )
            .await;
        assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text());
        let after = t.get("/api/v1/identity/pairs", &county).await.json();
        assert!(!after.to_string().contains(&id), "not proposed again");
        let remembered = t
            .get("/api/v1/identity/pairs?status=not_same", &county)
            .await
            .json();
        assert!(remembered.to_string().contains(&id));

        // The report and its export.
        let report = t
            .get(
                "/api/v1/identity/campaigns/NDXD-DEMO/duplicate-aid",
                &county,
            )
            .await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text());
        assert!(report.json()["unreached"].is_array());
        let page = t.get("/identity/report?campaign=NDXD-DEMO", &county).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let csv = t
            .get("/identity/report.csv?campaign=NDXD-DEMO", &county)
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert!(csv.text().starts_with('\u{feff}'));

        // A village officer: no menu entry, no page, no API.
        let home = t.get("/", &village).await.text();
        assert!(!home.contains("href=\"/identity\""), "no menu entry");
        assert_eq!(
            t.get("/identity", &village).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get(&format!("/identity/{id}"), &village).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get("/api/v1/identity/pairs", &village).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_demo_starts_with_synthetic_pairs_on_the_review_page() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let pairs = t.get("/api/v1/identity/pairs", &county).await.json();
        let pairs = pairs.as_array().expect("a list").clone();
        assert!(pairs.len() >= 3, "{pairs:?}");
        let html = t.get("/identity", &county).await.text();
        for pair in &pairs {
            let id = pair["id"].as_str().unwrap_or_default();
            assert!(html.contains(&format!("/identity/{id}")), "{id} is listed");
        }
    })
    .await;
}
