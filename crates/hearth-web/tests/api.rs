use crate::support::{Client, PASSWORD, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

fn new_org(uscc: &str) -> Value {
    json!({
        "name": "肥西县测试公益服务中心",
        "uscc": uscc,
        "kind": "social_service",
        "service_fields": ["elderly", "children"],
        "service_areas": ["340123101000"],
        "responsible_person": "测试员",
        "contact_phone": "0551-68000000",
    })
}

/// A synthetic credit code whose check characters hold.
fn valid_uscc(n: usize) -> String {
    hearth_app::demo::demo_uscc(
        500 + n,
        hearth_core::organization::OrgKind::SocialService,
        "340123",
    )
    .expect("a code")
    .as_str()
    .to_owned()
}

#[tokio::test]
async fn sign_in_sets_a_session_and_me_answers() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let client = t.sign_in("county").await;
        let me = t.get("/api/v1/me", &client).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["user"]["role"], "county_admin");
        let anonymous = t.get("/api/v1/me", &Client::default()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.json()["error"]["code"], "unauthenticated");
    })
    .await;
}

#[tokio::test]
async fn wrong_password_is_refused_and_repeated_failures_lock_the_account() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        for attempt in 1..=5 {
            let reply = t
                .json(
                    "POST",
                    "/api/v1/session",
                    &Client::default(),
                    json!({"username": "town", "password": "wrong"}),
                )
                .await;
            let expected = if attempt < 5 {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::LOCKED
            };
            assert_eq!(
                reply.status,
                expected,
                "attempt {attempt}: {}",
                reply.text()
            );
        }
        let right = t
            .json(
                "POST",
                "/api/v1/session",
                &Client::default(),
                json!({"username": "town", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            right.status,
            StatusCode::LOCKED,
            "the right password does not open a locked account"
        );
        let body = right.json();
        assert_eq!(body["error"]["code"], "locked");
        assert!(
            body["error"]["message_zh"]
                .as_str()
                .unwrap_or("")
                .contains("锁定")
        );
    })
    .await;
}

#[tokio::test]
async fn writes_with_a_session_cookie_need_the_csrf_token() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let client = t.sign_in("county").await;
        let forged = t
            .json_without_csrf(
                "POST",
                "/api/v1/organizations",
                &client,
                new_org(&valid_uscc(1)),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(forged.json()["error"]["code"], "csrf");
        let wrong = Client {
            csrf: Some("not-the-token".into()),
            ..client.clone()
        };
        assert_eq!(
            t.json(
                "POST",
                "/api/v1/organizations",
                &wrong,
                new_org(&valid_uscc(1))
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let honest = t
            .json(
                "POST",
                "/api/v1/organizations",
                &client,
                new_org(&valid_uscc(1)),
            )
            .await;
        assert_eq!(honest.status, StatusCode::CREATED, "{}", honest.text());
        let forged_form = t.form("/organizations", &client, &[("name", "x")]).await;
        assert_eq!(
            forged_form.status,
            StatusCode::FORBIDDEN,
            "a form post without _csrf is refused"
        );
    })
    .await;
}

#[tokio::test]
async fn organization_crud_with_clear_errors() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let uscc = valid_uscc(2);
        let created = t
            .json("POST", "/api/v1/organizations", &county, new_org(&uscc))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let org = created.json()["organization"].clone();
        let id = org["id"].as_str().expect("id").to_owned();

        let mut again = new_org(&uscc);
        again["name"] = json!("另一家机构");
        let duplicate = t
            .json("POST", "/api/v1/organizations", &county, again)
            .await;
        assert_eq!(duplicate.status, StatusCode::CONFLICT);
        let error = &duplicate.json()["error"];
        assert_eq!(error["code"], "org.duplicate_uscc");
        assert!(
            error["message_zh"]
                .as_str()
                .unwrap_or("")
                .contains("肥西县测试公益服务中心"),
            "names the holder: {error}"
        );

        let mut bad = new_org("91350100M000100Y44");
        bad["name"] = json!("");
        let invalid = t.json("POST", "/api/v1/organizations", &county, bad).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = invalid.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().unwrap_or("").to_owned())
            .collect();
        assert!(
            fields.contains(&"name".to_owned()) && fields.contains(&"uscc".to_owned()),
            "{fields:?}"
        );

        let mut edit = new_org(&uscc);
        edit["address"] = json!("上派镇新地址1号");
        edit["version"] = org["version"].clone();
        let updated = t
            .json(
                "PUT",
                &format!("/api/v1/organizations/{id}"),
                &county,
                edit.clone(),
            )
            .await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
        assert_eq!(updated.json()["organization"]["address"], "上派镇新地址1号");
        let stale = t
            .json("PUT", &format!("/api/v1/organizations/{id}"), &county, edit)
            .await;
        assert_eq!(
            stale.status,
            StatusCode::CONFLICT,
            "an edit from an old version is refused"
        );

        let no_reason = t
            .json(
                "POST",
                &format!("/api/v1/organizations/{id}/status"),
                &county,
                json!({"status": "inactive"}),
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(no_reason.json()["error"]["field"], "reason");
        let off = t
            .json(
                "POST",
                &format!("/api/v1/organizations/{id}/status"),
                &county,
                json!({"status": "inactive", "reason": "注销"}),
            )
            .await;
        assert_eq!(off.json()["status"], "inactive");

        let history = t
            .get(&format!("/api/v1/organizations/{id}/history"), &county)
            .await
            .json();
        let actions: Vec<&str> = history
            .as_array()
            .expect("list")
            .iter()
            .map(|e| e["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            actions,
            [
                "organization_created",
                "organization_updated",
                "organization_deactivated"
            ]
        );
        assert_eq!(history[2]["reason"], "注销");
    })
    .await;
}

#[tokio::test]
async fn each_role_sees_only_its_scope() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let total = |reply: &crate::support::Reply| reply.json()["total"].as_i64().unwrap_or(-1);
        let county = t
            .get(
                "/api/v1/organizations?page_size=100",
                &t.sign_in("county").await,
            )
            .await;
        assert_eq!(total(&county), 21);
        let auditor = t.sign_in("auditor").await;
        assert_eq!(total(&t.get("/api/v1/organizations", &auditor).await), 21);
        assert_eq!(
            t.json(
                "POST",
                "/api/v1/organizations",
                &auditor,
                new_org(&valid_uscc(3))
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        let town = t
            .get(
                "/api/v1/organizations?page_size=100",
                &t.sign_in("town").await,
            )
            .await;
        let town_total = total(&town);
        assert!(
            town_total > 0 && town_total < 21,
            "the town sees organizations serving it, not all: {town_total}"
        );
        for org in town.json()["items"].as_array().expect("items") {
            let areas: Vec<&str> = org["service_areas"]
                .as_array()
                .expect("areas")
                .iter()
                .filter_map(|a| a.as_str())
                .collect();
            assert!(
                areas
                    .iter()
                    .any(|a| *a == "340123000000" || a.starts_with("340123100")),
                "{areas:?}"
            );
        }
        let asking_wider = t
            .get(
                "/api/v1/organizations?area=340123000000&page_size=100",
                &t.sign_in("town").await,
            )
            .await;
        assert_eq!(
            total(&asking_wider),
            town_total,
            "a town cannot widen its scope by asking"
        );

        let org_member = t
            .get("/api/v1/organizations", &t.sign_in("org").await)
            .await;
        assert_eq!(total(&org_member), 1);

        let sysadmin = t
            .get("/api/v1/organizations", &t.sign_in("sysadmin").await)
            .await;
        assert_eq!(sysadmin.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn personal_api_tokens_authenticate_scripts() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let created = t
            .json(
                "POST",
                "/api/v1/tokens",
                &county,
                json!({"name": "导入脚本", "valid_days": 30}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let body = created.json();
        let secret = body["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("hth_"));
        let script = Client {
            bearer: Some(secret),
            ..Client::default()
        };
        assert_eq!(
            t.get("/api/v1/organizations", &script).await.status,
            StatusCode::OK
        );
        let write = t
            .json_without_csrf(
                "POST",
                "/api/v1/organizations",
                &script,
                new_org(&valid_uscc(4)),
            )
            .await;
        assert_eq!(
            write.status,
            StatusCode::CREATED,
            "bearer callers need no CSRF token: {}",
            write.text()
        );
        let id = body["token"]["id"].as_str().expect("id");
        assert_eq!(
            t.json(
                "DELETE",
                &format!("/api/v1/tokens/{id}"),
                &county,
                json!({})
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            t.get("/api/v1/organizations", &script).await.status,
            StatusCode::UNAUTHORIZED,
            "a revoked token no longer works"
        );
        let bogus = Client {
            bearer: Some("hth_bogus".into()),
            ..Client::default()
        };
        assert_eq!(
            t.get("/api/v1/me", &bogus).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}

#[tokio::test]
async fn health_and_metrics() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        assert_eq!(
            t.get("/healthz", &Client::default()).await.status,
            StatusCode::OK
        );
        assert_eq!(
            t.get("/metrics", &Client::default()).await.status,
            StatusCode::FORBIDDEN,
            "not for anonymous remote callers"
        );
        let admin = t.get("/metrics", &t.sign_in("sysadmin").await).await;
        assert!(admin.text().contains("hearth_requests_total"));
    })
    .await;
}

#[tokio::test]
async fn malformed_input_gets_4xx_never_5xx() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        for (method, uri, body) in [
            (
                "POST",
                "/api/v1/organizations",
                json!({"name": 5, "uscc": ["x"]}),
            ),
            (
                "POST",
                "/api/v1/organizations",
                json!({"name": "'; DROP TABLE organization; --", "uscc": "' OR 1=1 --"}),
            ),
            ("PUT", "/api/v1/organizations/not-a-uuid", json!({})),
            (
                "GET",
                "/api/v1/organizations?page=-1&page_size=abc",
                json!(null),
            ),
            (
                "GET",
                "/api/v1/organizations?kind=%00&area=..%2F..%2Fetc",
                json!(null),
            ),
            (
                "GET",
                "/api/v1/organizations/00000000-0000-0000-0000-000000000000",
                json!(null),
            ),
        ] {
            let reply = if method == "GET" {
                t.get(uri, &county).await
            } else {
                t.json(method, uri, &county, body).await
            };
            assert!(
                reply.status.is_client_error(),
                "{method} {uri} → {} {}",
                reply.status,
                reply.text()
            );
        }
        let count = t.get("/api/v1/organizations", &county).await.json()["total"].as_i64();
        assert_eq!(count, Some(21), "nothing was stored or lost");
    })
    .await;
}
