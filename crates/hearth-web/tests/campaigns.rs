use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::json;

fn campaign(code: &str) -> serde_json::Value {
    json!({
        "code": code, "name": "2024年暖冬行动（测试）", "year": "2024",
        "starts_on": "2024-01-24", "ends_on": "2024-03-31",
        "focus_fields": ["elderly", "poverty", "children"],
        "target_households": "780", "target_cash": "130000", "target_items": "390"
    })
}

#[tokio::test]
async fn the_bureau_runs_a_campaign_over_the_api() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let created = t
            .json("POST", "/api/v1/campaigns", &county, campaign("w-2024"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let body = created.json();
        assert_eq!(
            (
                body["code"].as_str(),
                body["status"].as_str(),
                body["target_cash"].as_str()
            ),
            (Some("W-2024"), Some("planned"), Some("130000.00"))
        );
        let id = body["id"].as_str().expect("id").to_owned();

        let bad = t
            .json(
                "POST",
                "/api/v1/campaigns",
                &county,
                json!({"code": "x", "name": "", "year": "1", "starts_on": "2024-02-30"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str().map(str::to_owned))
            .collect();
        for field in ["code", "name", "year", "starts_on", "ends_on"] {
            assert!(
                fields.contains(&field.to_owned()),
                "{field} not named in {fields:?}"
            );
        }

        let town = t.sign_in("town").await;
        assert_eq!(
            t.json("POST", "/api/v1/campaigns", &town, campaign("w-2"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let skip = t
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/status"),
                &county,
                json!({"action": "disclose"}),
            )
            .await;
        assert_eq!(
            skip.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a step cannot be skipped"
        );
        let launched = t
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/status"),
                &county,
                json!({"action": "launch"}),
            )
            .await;
        assert_eq!(launched.json()["status"], "launched");

        let orgs = t.get("/api/v1/organizations", &county).await.json();
        let ids: Vec<String> = orgs["items"]
            .as_array()
            .expect("items")
            .iter()
            .take(3)
            .filter_map(|o| o["id"].as_str().map(str::to_owned))
            .collect();
        let enrolled = t
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/enrolments"),
                &county,
                json!({"organization_ids": ids, "batch": 1}),
            )
            .await;
        assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.text());
        let detail = t.get("/api/v1/campaigns/W-2024", &town).await.json();
        assert_eq!(
            detail["enrolments"].as_array().map(Vec::len),
            Some(3),
            "the town sees who takes part"
        );
        assert!(
            detail["enrolments"]
                .as_array()
                .expect("list")
                .iter()
                .all(|e| e["batch"] == 1)
        );
    })
    .await;
}

#[tokio::test]
async fn campaign_pages_create_launch_and_enrol_without_javascript() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let csrf = county.csrf.clone().expect("csrf");
        let missing = t
            .form(
                "/campaigns",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("code", "P-1"),
                    ("name", ""),
                    ("year", "2024"),
                ],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            missing.text().contains("value=\"P-1\""),
            "what was typed is kept"
        );
        let created = t
            .form(
                "/campaigns",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("code", "P-1"),
                    ("name", "页面测试活动"),
                    ("year", "2024"),
                    ("starts_on", "2024-01-24"),
                    ("ends_on", "2024-03-31"),
                    ("focus_fields", "elderly"),
                ],
            )
            .await;
        assert!(
            created.status.is_redirection(),
            "{} {}",
            created.status,
            created.text()
        );
        let location = created
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_owned();
        let page = t.get(&location, &county).await.text();
        assert!(
            page.contains("页面测试活动") && page.contains("启动活动"),
            "the detail offers the next step"
        );
        assert!(
            t.get("/campaigns", &county)
                .await
                .text()
                .contains("页面测试活动")
        );
        let launched = t
            .form(
                &format!("{location}/status"),
                &county,
                &[("_csrf", &csrf), ("action", "launch")],
            )
            .await;
        assert!(launched.status.is_redirection());
        assert!(t.get(&location, &county).await.text().contains("结束活动"));

        let org = t.sign_in("org").await;
        let org_page = t.get(&location, &org).await.text();
        assert!(org_page.contains("申请参加"), "an organization may apply");
        assert!(!org_page.contains("结束活动"), "but not run the campaign");
        let applied = t
            .form(
                &format!("{location}/apply"),
                &org,
                &[("_csrf", org.csrf.as_deref().unwrap_or(""))],
            )
            .await;
        assert!(applied.status.is_redirection(), "{}", applied.text());
        assert!(
            t.get(&location, &county).await.text().contains("待审批"),
            "the bureau sees the application"
        );
        assert_eq!(
            t.get("/campaigns", &Client::default()).await.status,
            StatusCode::SEE_OTHER,
            "anonymous visitors sign in first"
        );
    })
    .await;
}

#[tokio::test]
async fn an_organization_pledges_what_it_claimed_and_the_county_sees_it() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let sheet = t.get("/api/v1/needs/claim-sheet?page_size=100", &org).await;
        assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text());
        let sheet = sheet.json();
        let need = sheet["items"].as_array().expect("rows").iter().find(|r| r["kind"] == "item").expect("an open item need")["id"].as_str().expect("id").to_owned();
        let claimed = t.json("POST", &format!("/api/v1/needs/{need}/claim"), &org, json!({})).await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
        let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
        let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN, "mode": "one_to_one",
                           "deadline": deadline, "witness_town": "上派镇", "witness_village": "示例村",
                           "lines": [{"kind": "cash", "cash": "500"}]});
        let created = t.json("POST", "/api/v1/pledges", &org, draft.clone()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let pledge = created.json();
        assert_eq!(pledge["status"], "draft");
        assert!(pledge["households"][0]["head_name"].as_str().unwrap_or("").ends_with('*'), "masked for the organization");
        assert!(pledge["total_capitals"].as_str().unwrap_or("").ends_with('整') || pledge["total_capitals"].as_str().unwrap_or("").contains('元'));
        let twice = t.json("POST", "/api/v1/pledges", &org, draft).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "a need goes into one pledge only: {}", twice.text());
        let id = pledge["id"].as_str().expect("id").to_owned();
        let signed = t.json("POST", &format!("/api/v1/pledges/{id}/sign"), &org, json!({})).await;
        assert_eq!(signed.json()["status"], "signed", "{}", signed.text());

        let county = t.sign_in("county").await;
        let seen = t.get(&format!("/api/v1/pledges/{id}"), &county).await.json();
        assert_eq!(seen["status"], "signed");
        assert!(!seen["households"][0]["head_name"].as_str().unwrap_or("*").ends_with('*'), "officers see the name");
        let no_reason = t.json("POST", &format!("/api/v1/pledges/{id}/cancel"), &county, json!({"reason": ""})).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let cancelled = t.json("POST", &format!("/api/v1/pledges/{id}/cancel"), &county, json!({"reason": "组织申请撤回"})).await;
        assert_eq!(cancelled.json()["status"], "cancelled", "{}", cancelled.text());
        assert_eq!(t.get("/api/v1/pledges", &t.sign_in("sysadmin").await).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
