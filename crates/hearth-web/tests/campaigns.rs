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
