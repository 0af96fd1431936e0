//! Follow-up visits (回访) through the real router, on SQLite and PostgreSQL: an organization
//! pledges a service it claimed, signing schedules the visit, the visit recorded over the API
//! fulfils the pledge, and the county reads it with the household's name.

use crate::support::{Client, Reply, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

fn ok(reply: &Reply, what: &str) -> Value {
    assert!(
        reply.status.is_success(),
        "{what}: {} {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

/// A signed one-to-one pledge of a service need the organization claims from its sheet.
async fn service_pledge(t: &TestApp, org: &Client) -> String {
    let sheet = ok(
        &t.get("/api/v1/needs/claim-sheet?page_size=100", org).await,
        "claim sheet",
    );
    let need = sheet["items"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == "service")
        .expect("an open service need")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        &t.json(
            "POST",
            &format!("/api/v1/needs/{need}/claim"),
            org,
            json!({}),
        )
        .await,
        "claim",
    );
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
                       "mode": "one_to_one", "deadline": deadline,
                       "witness_town": "上派镇", "witness_village": "示例村"});
    let pledge = ok(
        &t.json("POST", "/api/v1/pledges", org, draft).await,
        "draft",
    );
    let id = pledge["id"].as_str().expect("id").to_owned();
    ok(
        &t.json(
            "POST",
            &format!("/api/v1/pledges/{id}/sign"),
            org,
            json!({}),
        )
        .await,
        "sign",
    );
    id
}

#[tokio::test]
async fn a_visit_recorded_over_the_api_fulfils_an_all_service_pledge() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let pledge = service_pledge(&t, &org).await;

        let tasks = ok(
            &t.get(&format!("/api/v1/visit-tasks?pledge={pledge}"), &org)
                .await,
            "tasks",
        );
        assert_eq!(tasks["total"], 1, "{tasks}");
        let task = &tasks["items"][0];
        assert_eq!(task["state"], "due");
        assert!(
            task["head_name"].as_str().unwrap_or("").ends_with('*'),
            "masked for the organization"
        );
        let id = task["id"].as_str().expect("id").to_owned();
        let url = format!("/api/v1/visit-tasks/{id}/visit");
        let today = hearth_app::today();
        let visit = json!({"visited_on": today.to_string(), "method": "home", "visitor": "王丽华",
                           "received": "yes", "suitable": "yes", "satisfaction": "satisfied",
                           "new_needs": "", "note": "屋顶已修好（测试）"});

        let forged = t.json_without_csrf("POST", &url, &org, visit.clone()).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text());
        let mut future = visit.clone();
        future["visited_on"] = json!((today + chrono::Days::new(1)).to_string());
        let refused = t.json("POST", &url, &org, future).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("visited_on"), "{}", refused.text());

        let recorded = t.json("POST", &url, &org, visit.clone()).await;
        assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text());
        let recorded = recorded.json();
        assert_eq!(recorded["line_done"], true);
        assert_eq!(recorded["pledge_status"], "fulfilled");
        assert_eq!(recorded["task"]["state"], "done");
        let again = t.json("POST", &url, &org, visit).await;
        assert_eq!(
            again.status,
            StatusCode::CONFLICT,
            "a visit is recorded once: {}",
            again.text()
        );

        let county = t.sign_in("county").await;
        let visits = ok(
            &t.get(&format!("/api/v1/pledges/{pledge}/visits"), &county)
                .await,
            "visits",
        );
        assert_eq!(visits.as_array().map(Vec::len), Some(1));
        assert_eq!(visits[0]["satisfaction"], "satisfied");
        assert!(
            !visits[0]["head_name"]
                .as_str()
                .unwrap_or("*")
                .ends_with('*'),
            "the county sees the name"
        );
        let seen = ok(
            &t.get(&format!("/api/v1/pledges/{pledge}"), &county).await,
            "pledge",
        );
        assert_eq!(seen["status"], "fulfilled");
        let done = ok(
            &t.get(
                &format!("/api/v1/visit-tasks?state=done&pledge={pledge}"),
                &county,
            )
            .await,
            "done",
        );
        assert_eq!(done["items"][0]["id"], id.as_str());

        let bad = t.get("/api/v1/visit-tasks?state=soon", &org).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let sysadmin = t.sign_in("sysadmin").await;
        assert_eq!(
            t.get("/api/v1/visit-tasks", &sysadmin).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get(&format!("/api/v1/pledges/{pledge}/visits"), &sysadmin)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
