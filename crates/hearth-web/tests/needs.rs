//! Needs and the claim sheet through the real router, on SQLite and PostgreSQL: the API
//! workflow, the masked claim sheet, two organizations claiming at once over HTTP, and the pages
//! (record form, review buttons, 认领 button) working without JavaScript.

use crate::support::{Client, Reply, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

/// The demo `village` account's village.
const VILLAGE: &str = "340123100001";
const HEAD: &str = "钱守义";

/// A valid ID number of a county the demo never uses.
fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("340121{birth}{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn household(seq: u32) -> Value {
    json!({
        "members": [{"name": HEAD, "id_number": id_number("19400102", seq), "relation": ""}],
        "address": "示例社区西组8号（测试）",
        "village": VILLAGE,
        "phone": format!("1395550{:04}", 4000 + seq),
        "categories": [{"category": "elderly_alone", "source": "村委会核实", "verified_by": "王某某",
                        "verified_on": "2024-03-01", "valid_until": ""}],
        "consent": {"version": "2024版", "signed_on": "2024-11-02",
                    "scopes": ["share_with_organizations"], "signer": HEAD},
    })
}

async fn ok(reply: Reply, what: &str) -> Value {
    assert!(
        reply.status.is_success(),
        "{what}: {} {}",
        reply.status,
        reply.text()
    );
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

/// An approved household of the demo village, registered and approved over the API.
async fn approved_household(t: &TestApp, village: &Client, town: &Client, seq: u32) -> String {
    let created = ok(
        t.json("POST", "/api/v1/households", village, household(seq))
            .await,
        "register",
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    ok(
        t.json(
            "POST",
            &format!("/api/v1/households/{id}/submit"),
            village,
            json!({}),
        )
        .await,
        "submit",
    )
    .await;
    ok(
        t.json(
            "POST",
            &format!("/api/v1/households/{id}/approve"),
            town,
            json!({}),
        )
        .await,
        "approve",
    )
    .await;
    id
}

/// A need of `household` recorded by the village and approved by the town: on the sheet.
async fn open_need(t: &TestApp, village: &Client, town: &Client, household: &str) -> String {
    let need = ok(
        t.json(
            "POST",
            "/api/v1/needs",
            village,
            json!({"household": household, "campaign": "NDXD-DEMO", "kind": "item",
                   "item": "heater", "quantity": "1", "urgency": "urgent",
                   "note": "房屋漏风（测试）"}),
        )
        .await,
        "record",
    )
    .await;
    let id = need["id"].as_str().expect("id").to_owned();
    ok(
        t.json(
            "POST",
            &format!("/api/v1/needs/{id}/approve"),
            town,
            json!({}),
        )
        .await,
        "approve",
    )
    .await;
    id
}

async fn sheet(t: &TestApp, org: &Client, query: &str) -> Value {
    ok(
        t.get(
            &format!("/api/v1/needs/claim-sheet?page_size=100&{query}"),
            org,
        )
        .await,
        "sheet",
    )
    .await
}

fn ids(sheet: &Value) -> Vec<String> {
    sheet["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| r["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn the_api_records_reviews_and_claims_a_need() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (village, town, org) = (
            t.sign_in("village").await,
            t.sign_in("town").await,
            t.sign_in("org").await,
        );
        let items = ok(t.get("/api/v1/items", &org).await, "items").await;
        let codes: Vec<&str> = items
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|i| i["code"].as_str())
            .collect();
        for code in [
            "quilt",
            "cotton_coat",
            "rice",
            "cooking_oil",
            "heater",
            "electric_blanket",
            "down_jacket",
        ] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
        let household = approved_household(&t, &village, &town, 11).await;

        let bad = t
            .json(
                "POST",
                "/api/v1/needs",
                &village,
                json!({"household": household, "campaign": "NDXD-DEMO", "kind": "cash", "cash": "-1", "item": "rice"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e["field"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(fields, ["item", "cash"], "every field named");

        let need = open_need(&t, &village, &town, &household).await;
        let seen = ok(t.get(&format!("/api/v1/needs/{need}"), &town).await, "get").await;
        assert_eq!(
            (seen["status"].as_str(), seen["head_name"].as_str(), seen["item_name"].as_str()),
            (Some("open"), Some(HEAD), Some("取暖器"))
        );
        assert_eq!(t.get(&format!("/api/v1/needs/{need}"), &org).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/needs", &org).await.status, StatusCode::FORBIDDEN);

        let open = sheet(&t, &org, "item=heater").await;
        assert_eq!(open["participating"], true);
        let row = open["items"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["id"] == need.as_str()))
            .cloned()
            .expect("on the claim sheet");
        assert_eq!((row["head"].as_str(), row["urgency"].as_str(), row["main_category"].as_str()), (Some("钱*"), Some("urgent"), Some("elderly_alone")));
        let text = open.to_string();
        for secret in [HEAD, &id_number("19400102", 11), "13955504011", "4011", "西组8号", "房屋漏风"] {
            assert!(!text.contains(secret), "the sheet shows {secret}");
        }

        let claimed = t.json("POST", &format!("/api/v1/needs/{need}/claim"), &org, json!({})).await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
        assert_eq!(claimed.json()["claimed_by_us"], true);
        let again = t.json("POST", &format!("/api/v1/needs/{need}/claim"), &org, json!({})).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(!ids(&sheet(&t, &org, "").await).contains(&need));
        assert!(ids(&sheet(&t, &org, "mine=true").await).contains(&need));
        let followed = ok(t.get(&format!("/api/v1/needs?household={household}"), &village).await, "list").await;
        assert_eq!(followed["items"][0]["status"], "claimed");
        assert!(!followed["items"][0]["claimed_by_name"].as_str().unwrap_or("").is_empty());

        let released = t.json("POST", &format!("/api/v1/needs/{need}/release"), &org, json!({"reason": ""})).await;
        assert_eq!(released.status, StatusCode::NO_CONTENT, "{}", released.text());
        assert!(ids(&sheet(&t, &org, "").await).contains(&need));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_organizations_claiming_over_http_at_once_get_200_and_409() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, village, town, first, sysadmin) = (
            t.sign_in("county").await,
            t.sign_in("village").await,
            t.sign_in("town").await,
            t.sign_in("org").await,
            t.sign_in("sysadmin").await,
        );
        let me = t.get("/api/v1/me", &first).await.json();
        let own = me["user"]["organization_id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let orgs = ok(
            t.get("/api/v1/organizations?page_size=100", &county).await,
            "orgs",
        )
        .await;
        let other = orgs["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .find(|o| {
                o["id"] != own.as_str()
                    && o["service_areas"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|c| c == "340123000000"))
            })
            .expect("a second county-wide organization");
        let csrf = sysadmin.csrf.clone().unwrap_or_default();
        let added = t
            .form(
                "/users",
                &sysadmin,
                &[
                    ("_csrf", csrf.as_str()),
                    ("username", "org_two"),
                    ("display_name", "第二组织（测试）"),
                    ("role", "org_member"),
                    ("organization", other["id"].as_str().unwrap_or("")),
                    ("password", "Warm-Winter-2024"),
                ],
            )
            .await;
        assert!(
            added.status.is_redirection(),
            "{} {}",
            added.status,
            added.text()
        );
        let session = t
            .json(
                "POST",
                "/api/v1/session",
                &Client::default(),
                json!({"username": "org_two", "password": "Warm-Winter-2024"}),
            )
            .await;
        assert_eq!(session.status, StatusCode::OK, "{}", session.text());
        let second = Client {
            cookie: session.cookie(hearth_web::SESSION_COOKIE),
            csrf: session.json()["csrf_token"].as_str().map(str::to_owned),
            bearer: None,
        };
        let household = approved_household(&t, &village, &town, 12).await;
        let need = open_need(&t, &village, &town, &household).await;

        for round in 0..8 {
            let path = format!("/api/v1/needs/{need}/claim");
            let (a, b) = tokio::join!(
                t.json("POST", &path, &first, json!({})),
                t.json("POST", &path, &second, json!({}))
            );
            let mut statuses = [a.status, b.status];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::CONFLICT],
                "round {round}: {} / {}",
                a.text(),
                b.text()
            );
            let (winner, loser) = if a.status == StatusCode::OK {
                (&first, &b)
            } else {
                (&second, &a)
            };
            assert_eq!(
                loser.json()["error"]["code"],
                "need.already_claimed",
                "round {round}"
            );
            assert!(
                !loser.text().contains("肥西县"),
                "names no organization: {}",
                loser.text()
            );
            let released = t
                .json(
                    "POST",
                    &format!("/api/v1/needs/{need}/release"),
                    winner,
                    json!({}),
                )
                .await;
            assert_eq!(
                released.status,
                StatusCode::NO_CONTENT,
                "round {round}: {}",
                released.text()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_pages_record_review_and_claim_without_javascript() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (village, town, org) = (
            t.sign_in("village").await,
            t.sign_in("town").await,
            t.sign_in("org").await,
        );
        let (vcsrf, tcsrf, ocsrf) = (
            village.csrf.clone().unwrap_or_default(),
            town.csrf.clone().unwrap_or_default(),
            org.csrf.clone().unwrap_or_default(),
        );
        let household = approved_household(&t, &village, &town, 13).await;

        // Menus by permission.
        let village_page = t.get("/needs", &village).await;
        assert_eq!(
            village_page.status,
            StatusCode::OK,
            "{}",
            village_page.text()
        );
        let html = village_page.text();
        assert!(html.contains("href=\"/needs\"") && !html.contains("href=\"/claims\""));
        assert!(html.contains("action=\"/needs\""), "the record form");
        assert!(
            html.contains(&household),
            "the approved household is offered"
        );
        let org_home = t.get("/", &org).await.text();
        assert!(org_home.contains("href=\"/claims\"") && !org_home.contains("href=\"/needs\""));
        assert_eq!(t.get("/needs", &org).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/claims", &town).await.status, StatusCode::FORBIDDEN);

        // A refused form keeps what was typed and names the field.
        let refused = t
            .form(
                "/needs",
                &village,
                &[
                    ("_csrf", vcsrf.as_str()),
                    ("household", household.as_str()),
                    ("campaign", "NDXD-DEMO"),
                    ("kind", "item"),
                    ("item", "quilt"),
                    ("quantity", "0"),
                    ("urgency", "normal"),
                    ("note", "尺码加大（测试）"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(html.contains("请填写1–999的整数") && html.contains("尺码加大（测试）"));
        let recorded = t
            .form(
                "/needs",
                &village,
                &[
                    ("_csrf", vcsrf.as_str()),
                    ("household", household.as_str()),
                    ("campaign", "NDXD-DEMO"),
                    ("kind", "item"),
                    ("item", "quilt"),
                    ("quantity", "2"),
                    ("urgency", "critical"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(
            recorded.status,
            StatusCode::SEE_OTHER,
            "{}",
            recorded.text()
        );
        let list = ok(
            t.get(&format!("/api/v1/needs?household={household}"), &village)
                .await,
            "list",
        )
        .await;
        let need = list["items"][0]["id"]
            .as_str()
            .expect("recorded")
            .to_owned();

        let town_page = t
            .get("/needs?status=submitted&size=100", &town)
            .await
            .text();
        assert!(town_page.contains(&format!("action=\"/needs/{need}/approve\"")));
        assert!(town_page.contains(&format!("action=\"/needs/{need}/return\"")));
        let approved = t
            .form(
                &format!("/needs/{need}/approve"),
                &town,
                &[("_csrf", tcsrf.as_str())],
            )
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        assert!(
            t.get("/needs?notice=approved", &town)
                .await
                .text()
                .contains("需求已审核通过")
        );

        let sheet = t
            .get("/claims?item=quilt&urgency=critical&size=100", &org)
            .await;
        assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text());
        let html = sheet.text();
        assert!(
            html.contains(&format!("action=\"/claims/{need}/claim\"")),
            "a 认领 button per row"
        );
        assert!(html.contains("钱*") && !html.contains(HEAD) && !html.contains("西组8号"));
        let claimed = t
            .form(
                &format!("/claims/{need}/claim"),
                &org,
                &[("_csrf", ocsrf.as_str())],
            )
            .await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER);
        let again = t
            .form(
                &format!("/claims/{need}/claim"),
                &org,
                &[("_csrf", ocsrf.as_str())],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.text().contains("本组织已认领该需求"));
        let mine = t.get("/claims?mine=1&size=100", &org).await.text();
        assert!(mine.contains(&format!("action=\"/claims/{need}/release\"")));
        let town_after = t.get("/needs?status=claimed&size=100", &town).await.text();
        assert!(
            town_after.contains("已认领") && town_after.contains("肥西县"),
            "the town sees who claimed it"
        );
        let english = t.get("/claims?lang=en", &org).await.text();
        assert!(english.contains("Claim sheet"));
    })
    .await;
}
