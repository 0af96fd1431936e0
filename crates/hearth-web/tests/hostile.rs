//! A sweep of every API operation (from the OpenAPI document) and a few page paths with
//! malformed and hostile input: oversized bodies, wrong types, injection strings, path tricks,
//! bad UTF-8. Nothing may answer 5xx, and no answer may leak the internals behind it.

use crate::support::{Client, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_store::testing::{TestDb, each_backend};
use serde_json::{Value, json};

/// Values for path parameters: not ids, traversal, injection, control bytes, overlong.
const PATH_VALUES: [&str; 7] = [
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%27%20OR%201%3D1%20--",
    "%00",
    "00000000-0000-0000-0000-000000000000",
    "-1",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "9999999999999999999999999999",
];

/// What an answer must never show: the engine, SQL, panics, source paths, stack traces.
const LEAKS: [&str; 12] = [
    "sqlx",
    "sqlstate",
    "syntax error",
    "panicked",
    "stack backtrace",
    "src/",
    "/root/",
    "/work/",
    "relation \"",
    "no such table",
    "unique constraint",
    "called `result::unwrap()`",
];

fn operations() -> Vec<(String, String)> {
    let document = serde_json::to_value(hearth_web::api::openapi()).expect("OpenAPI");
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.push((method.to_uppercase(), format!("/api/v1{path}")));
            }
        }
    }
    operations
}

/// The path with every `{parameter}` replaced by `value`.
fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(value);
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn hostile_bodies() -> Vec<Vec<u8>> {
    let injection = "'; DROP TABLE household; -- <script>alert(1)</script> ../../etc/passwd \u{0}";
    let mut bodies = vec![
        b"{not json".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        vec![b'"', 0xff, 0xfe, b'"'],
        json!({"name": 12, "id": [], "amount_fen": "lots", "quantity": -1e308, "date": true})
            .to_string()
            .into_bytes(),
    ];
    let mut every_field = serde_json::Map::new();
    for field in [
        "name",
        "username",
        "password",
        "id",
        "uscc",
        "id_number",
        "phone",
        "reason",
        "village_code",
        "area_code",
        "note",
        "campaign_id",
        "household_id",
        "code",
        "status",
    ] {
        every_field.insert(field.to_owned(), Value::String(injection.to_owned()));
    }
    bodies.push(Value::Object(every_field).to_string().into_bytes());
    bodies.push(
        json!({"name": "长".repeat(100_000)})
            .to_string()
            .into_bytes(),
    );
    bodies
}

fn check(reply: &crate::support::Reply, what: &str) {
    assert!(
        !reply.status.is_server_error(),
        "{what} answered {}: {}",
        reply.status,
        reply.text()
    );
    let text = reply.text().to_lowercase();
    for leak in LEAKS {
        assert!(
            !text.contains(leak),
            "{what} leaks `{leak}`: {}",
            reply.text()
        );
    }
}

async fn send(
    app: &TestApp,
    method: &str,
    uri: &str,
    client: &Client,
    body: Vec<u8>,
) -> crate::support::Reply {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = &client.cookie {
        builder = builder.header(
            header::COOKIE,
            format!("{}={cookie}", hearth_web::SESSION_COOKIE),
        );
    }
    if let Some(csrf) = &client.csrf {
        builder = builder.header(hearth_web::CSRF_HEADER, csrf);
    }
    app.send(builder.body(Body::from(body)).expect("request"))
        .await
}

#[tokio::test]
async fn the_api_survives_hostile_input_without_5xx_or_leaks() {
    each_backend(async |db: &TestDb| {
        let app = TestApp::demo(db).await;
        let county = app.sign_in("county").await;
        let operations = operations();
        assert!(
            operations.len() > 30,
            "the sweep covers the API: {}",
            operations.len()
        );
        let mut sent = 0;
        for (method, path) in &operations {
            // Signing out would end the sweep's own session.
            if path.ends_with("/session") {
                continue;
            }
            for value in PATH_VALUES {
                let uri = fill(path, value);
                for client in [&county, &Client::default()] {
                    let reply = send(&app, method, &uri, client, b"{}".to_vec()).await;
                    check(&reply, &format!("{method} {uri}"));
                    sent += 1;
                }
            }
            if method != "GET" {
                let uri = fill(path, "00000000-0000-0000-0000-000000000000");
                for body in hostile_bodies() {
                    let reply = send(&app, method, &uri, &county, body).await;
                    check(&reply, &format!("{method} {uri} with a hostile body"));
                    sent += 1;
                }
            }
        }
        assert!(sent > 500, "{sent} requests");
        let me = app.get("/api/v1/me", &county).await;
        assert_eq!(me.status, StatusCode::OK, "the session survived the sweep");
    })
    .await;
}

#[tokio::test]
async fn oversized_bodies_and_path_tricks_are_refused_cleanly() {
    each_backend(async |db: &TestDb| {
        let app = TestApp::demo(db).await;
        let county = app.sign_in("county").await;
        let huge = vec![b'x'; 3 * 1024 * 1024];
        let reply = send(&app, "POST", "/api/v1/organizations", &county, huge.clone()).await;
        check(&reply, "3 MiB of JSON");
        assert!(reply.status.is_client_error(), "{}", reply.status);
        let reply = app
            .send(
                Request::builder()
                    .method("POST")
                    .uri("/api/v1/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(huge))
                    .expect("request"),
            )
            .await;
        check(&reply, "3 MiB sign-in");
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        for uri in [
            "/static/../Cargo.toml",
            "/static/..%2f..%2fCargo.toml",
            "/static/%2e%2e/%2e%2e/Cargo.toml",
            "/assets/....//....//etc/passwd",
            "/households/..%2F..%2Fetc%2Fpasswd",
            "/%00",
            "/verify/%27%20OR%20%271%27%3D%271",
            "/login?next=//evil.example/",
        ] {
            let reply = app.get(uri, &county).await;
            check(&reply, uri);
            assert!(
                !reply.text().contains("[workspace]") && !reply.text().contains("root:x:0:0"),
                "{uri} served a file from outside: {}",
                reply.text()
            );
        }
        let garbage_cookie = Client {
            cookie: Some("%FF%FE';--".to_owned()),
            csrf: None,
            bearer: None,
        };
        let reply = app.get("/api/v1/me", &garbage_cookie).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let reply = app
            .send(
                Request::builder()
                    .uri("/api/v1/me")
                    .header(header::AUTHORIZATION, "Bearer hth_' OR 1=1 --")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}
