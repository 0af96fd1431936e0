//! Cultivating organizations through the real router, on SQLite and PostgreSQL: the record,
//! activities and grades over the API with their refusals, and the organization page's
//! sections and forms (errors beside the fields with the typed values kept, photo uploads).

use crate::support::{Client, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const BOUNDARY: &str = "----HearthCultivationBoundary";

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, b'I', b'D', b'A',
        b'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0xe5, 0x27, 0xde, 0xfc, 0, 0, 0, 0, b'I',
        b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ]
}

/// Posts one file as the page's photo form does: multipart, the CSRF token in the URL.
async fn post_photo(t: &TestApp, client: &Client, action: &str, name: &str, bytes: &[u8]) -> Reply {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let csrf = serde_urlencoded::to_string([("_csrf", client.csrf.as_deref().unwrap_or(""))])
        .unwrap_or_default();
    let request = Request::builder()
        .method("POST")
        .uri(format!("{action}?{csrf}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(
            header::COOKIE,
            format!(
                "{}={}",
                hearth_web::SESSION_COOKIE,
                client.cookie.as_deref().unwrap_or("")
            ),
        )
        .body(Body::from(body))
        .expect("request");
    t.send(request).await
}

async fn organization_of(t: &TestApp, member: &Client) -> String {
    let me = t.get("/api/v1/me", member).await.json();
    me["user"]["organization_id"]
        .as_str()
        .expect("a member of an organization")
        .to_owned()
}

/// Claims an item need from the claim sheet and signs a pledge for it.
async fn signed_pledge(t: &TestApp, org: &Client) {
    let sheet = t
        .get("/api/v1/needs/claim-sheet?page_size=100", org)
        .await
        .json();
    let need = sheet["items"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == "item")
        .expect("an open item need")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let claimed = t
        .json(
            "POST",
            &format!("/api/v1/needs/{need}/claim"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN, "mode": "one_to_one",
                       "deadline": deadline, "witness_town": "上派镇", "witness_village": "示例村",
                       "lines": [{"kind": "cash", "cash": "500"}]});
    let created = t.json("POST", "/api/v1/pledges", org, draft).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let signed = t
        .json(
            "POST",
            &format!("/api/v1/pledges/{id}/sign"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
}

fn demo_row(record: &Value) -> Value {
    record["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["code"] == hearth_app::demo::DEMO_CAMPAIGN)
        .cloned()
        .expect("the demo campaign")
}

/// A count or an amount of yuan in the record, wherever `pointer` leads.
fn number(record: &Value, pointer: &str) -> f64 {
    let value = record.pointer(pointer).cloned().unwrap_or_default();
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_default()
}

fn activity(held_on: &str, title: &str) -> Value {
    json!({"held_on": held_on, "place": "上派镇示例村村委会", "participants": "25人",
           "title": title, "summary": "入户送棉被、检查取暖器（测试）",
           "campaign": hearth_app::demo::DEMO_CAMPAIGN})
}

#[tokio::test]
async fn the_api_gives_the_record_and_refuses_what_the_roles_may_not_do() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town, org) = (
            t.sign_in("county").await,
            t.sign_in("town").await,
            t.sign_in("org").await,
        );
        let id = organization_of(&t, &org).await;
        let url = format!("/api/v1/organizations/{id}/record");
        // The demo's own letters of `org` are counted before this one's.
        let before = demo_row(&t.get(&url, &org).await.json());
        signed_pledge(&t, &org).await;

        let record = t.get(&url, &org).await;
        assert_eq!(record.status, StatusCode::OK, "{}", record.text());
        let row = demo_row(&record.json());
        assert_eq!(row["enrolled"], true);
        let added = |field: &str| number(&row, field) - number(&before, field);
        assert_eq!(added("/pledges/made"), 1.0);
        assert_eq!(added("/pledges/in_progress"), 1.0);
        assert_eq!(added("/households_served"), 1.0);
        assert_eq!(added("/cash"), 500.0);

        let today = hearth_app::today();
        let logged = t
            .json(
                "POST",
                &format!("/api/v1/organizations/{id}/activities"),
                &org,
                activity(&today.to_string(), "冬日送温暖"),
            )
            .await;
        assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text());
        assert_eq!(logged.json()["participants"], 25);
        let future = (today + chrono::Days::new(1)).to_string();
        let ahead = t
            .json(
                "POST",
                &format!("/api/v1/organizations/{id}/activities"),
                &org,
                activity(&future, "还没办的活动"),
            )
            .await;
        assert_eq!(ahead.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ahead.json()["error"]["field"], "held_on");
        let listed = t
            .get(&format!("/api/v1/organizations/{id}/activities"), &county)
            .await
            .json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1));

        let grade = json!({"grade": "4A", "rated_on": "2023-06-30", "note": "年度评估（测试）"});
        for who in [&town, &org] {
            let refused = t
                .json(
                    "POST",
                    &format!("/api/v1/organizations/{id}/ratings"),
                    who,
                    grade.clone(),
                )
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
        }
        let rated = t
            .json(
                "POST",
                &format!("/api/v1/organizations/{id}/ratings"),
                &county,
                grade,
            )
            .await;
        assert_eq!(rated.status, StatusCode::CREATED, "{}", rated.text());
        assert_eq!(rated.json()["valid_until"], "2028-06-29");
        let ratings = t
            .get(&format!("/api/v1/organizations/{id}/ratings"), &org)
            .await
            .json();
        assert_eq!(ratings["current"]["grade"], "4A");
        let record = t
            .get(&format!("/api/v1/organizations/{id}/record"), &county)
            .await
            .json();
        assert_eq!(record["current_rating"]["grade"], "4A");
        assert_eq!(record["totals"]["activities"], 1);
        assert_eq!(demo_row(&record)["activities"], 1);

        let sysadmin = t.sign_in("sysadmin").await;
        let none = t
            .get(&format!("/api/v1/organizations/{id}/record"), &sysadmin)
            .await;
        assert_eq!(none.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_organization_page_shows_the_sections_and_keeps_refused_forms() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, org) = (t.sign_in("county").await, t.sign_in("org").await);
        let id = organization_of(&t, &org).await;
        signed_pledge(&t, &org).await;
        let page = format!("/organizations/{id}");
        let org_csrf = org.csrf.clone().unwrap_or_default();

        // A refused activity: the page again, the message beside the field, the typing kept.
        let refused = t
            .form(
                &format!("{page}/activities"),
                &org,
                &[
                    ("_csrf", &org_csrf),
                    ("held_on", &hearth_app::today().to_string()),
                    ("place", "示例村文化广场"),
                    ("participants", "0"),
                    ("title", ""),
                    ("summary", "包饺子、送春联（测试）"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("id=\"e-title\""),
            "the title's error beside it"
        );
        assert!(html.contains("id=\"e-participants\""));
        assert!(html.contains("示例村文化广场"), "the place typed is kept");
        assert!(
            html.contains("包饺子、送春联（测试）"),
            "the summary typed is kept"
        );

        let logged = t
            .form(
                &format!("{page}/activities"),
                &org,
                &[
                    ("_csrf", &org_csrf),
                    ("held_on", &hearth_app::today().to_string()),
                    ("place", "示例村文化广场"),
                    ("participants", "40"),
                    ("title", "迎新春联欢（测试）"),
                    ("summary", "包饺子、送春联（测试）"),
                    ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
                ],
            )
            .await;
        assert!(logged.status.is_redirection(), "{}", logged.text());
        let own = t.get(&page, &org).await.text();
        for text in [
            "培育档案",
            "活动记录",
            "等级评估",
            "迎新春联欢（测试）",
            "登记活动",
            "名录登记的等级",
        ] {
            assert!(own.contains(text), "{text} on the organization's own page");
        }
        assert!(!own.contains("登记评估结果"), "organizations do not grade");

        // A photo: an image is kept, a PDF refused beside that activity's file input.
        let activity = t
            .get(&format!("/api/v1/organizations/{id}/activities"), &org)
            .await
            .json()[0]["id"]
            .as_str()
            .expect("the activity")
            .to_owned();
        let action = format!("{page}/activities/{activity}/photos");
        let stored = post_photo(&t, &org, &action, "联欢合影.png", &png()).await;
        assert!(stored.status.is_redirection(), "{}", stored.text());
        let pdf = post_photo(&t, &org, &action, "签到表.pdf", b"%PDF-1.4\n%%EOF\n").await;
        assert_eq!(pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(pdf.text().contains(&format!("id=\"e-f-photo-{activity}\"")));
        assert!(pdf.text().contains("活动照片只接受JPEG或PNG图片"));

        // The county grades; a refused grade keeps the note typed.
        let csrf = county.csrf.clone().unwrap_or_default();
        let future = (hearth_app::today() + chrono::Days::new(3)).to_string();
        let wrong = t
            .form(
                &format!("{page}/ratings"),
                &county,
                &[
                    ("_csrf", &csrf),
                    ("grade", "5A"),
                    ("rated_on", &future),
                    ("note", "复核后登记（测试）"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().contains("id=\"e-rated-on\""));
        assert!(wrong.text().contains("复核后登记（测试）"));
        let graded = t
            .form(
                &format!("{page}/ratings"),
                &county,
                &[
                    ("_csrf", &csrf),
                    ("grade", "5A"),
                    ("rated_on", "2024-05-20"),
                ],
            )
            .await;
        assert!(graded.status.is_redirection(), "{}", graded.text());
        let html = t.get(&page, &county).await.text();
        for text in [
            "5A级",
            "登记评估结果",
            "联欢合影.png",
            "迎新春联欢（测试）",
            "合计",
        ] {
            assert!(html.contains(text), "{text} on the county's page");
        }
        let organizations_only = t
            .form(
                &format!("{page}/ratings"),
                &org,
                &[
                    ("_csrf", &org_csrf),
                    ("grade", "5A"),
                    ("rated_on", "2024-05-20"),
                ],
            )
            .await;
        assert_eq!(organizations_only.status, StatusCode::FORBIDDEN);

        // Members still keep their own contact details current.
        let edit = t.get(&format!("{page}/edit"), &org).await;
        assert_eq!(
            edit.status,
            StatusCode::OK,
            "an organization edits its own profile"
        );
    })
    .await;
}
