//! Defences a browser or an attacker meets: security headers, a CSP the pages satisfy, HSTS
//! over HTTPS, sign-in throttling that two servers agree on, and the second factor.

use crate::support::{Client, PASSWORD, TestApp};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use hearth_app::auth::SignInAttempt;
use hearth_app::users::Operator;
use hearth_app::{App, AppError, Policy};
use hearth_store::testing::{TestDb, each_backend};
use hearth_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;

fn test_keys() -> hearth_store::keys::KeyRing {
    hearth_store::keys::KeyRing {
        keys: vec![hearth_store::keys::Key {
            id: "test".into(),
            bytes: [7; 32],
        }],
    }
}

/// A sign-in over the API from a given address, as a server behind no proxy sees it.
fn sign_in_from(addr: &str, username: &str, password: &str) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .expect("request");
    let peer: SocketAddr = addr.parse().expect("address");
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    each_backend(async |db: &TestDb| {
        let app = TestApp::demo(db).await;
        let county = app.sign_in("county").await;
        for (uri, client) in [
            ("/login", Client::default()),
            ("/", county.clone()),
            ("/api/v1/me", county.clone()),
            ("/no/such/page", Client::default()),
        ] {
            let reply = app.get(uri, &client).await;
            let csp = reply
                .headers
                .get(header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{uri} has no CSP"));
            assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
            assert!(!csp.contains("unsafe-eval"), "{uri}: {csp}");
            assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
            assert_eq!(reply.headers[header::X_FRAME_OPTIONS], "DENY", "{uri}");
            assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert!(reply.headers.contains_key(header::REFERRER_POLICY), "{uri}");
            assert!(
                !reply
                    .headers
                    .contains_key(header::STRICT_TRANSPORT_SECURITY),
                "no HSTS over plain HTTP: {uri}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn https_deployments_send_hsts() {
    let db = TestDb::sqlite().await;
    let app = App::new(db.store.clone(), Policy::default());
    let router = hearth_web::router(AppState::new(
        app,
        WebConfig {
            demo: false,
            secure_cookies: true,
        },
    ));
    let reply = TestApp { router }.get("/login", &Client::default()).await;
    let hsts = reply.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .expect("text");
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
    db.finish().await;
}

/// The pages keep to the CSP: no inline script, no inline style, no event-handler attributes,
/// no `javascript:` links, in any template (a browser would refuse them silently).
#[test]
fn templates_need_no_inline_script_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut offences = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("templates") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read template");
        checked += 1;
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("<script") {
            let tag_end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
            if !lower[at..tag_end].contains("src=") {
                offences.push(format!("{}: inline <script>", path.display()));
            }
        }
        for needle in ["<style", " style=\"", " style='", "javascript:"] {
            if lower.contains(needle) {
                offences.push(format!("{}: {needle}", path.display()));
            }
        }
        for (at, _) in lower.match_indices(" on") {
            let name: String = lower[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let after = lower[at + 1 + name.len()..].trim_start();
            if name.len() > 3
                && after.starts_with('=')
                && lower[..at].rfind('<') > lower[..at].rfind('>')
            {
                offences.push(format!("{}: {name}= handler", path.display()));
            }
        }
    }
    assert!(checked > 10, "found the templates");
    assert!(offences.is_empty(), "{offences:#?}");
}

#[tokio::test]
async fn an_address_that_fails_too_often_is_refused_on_every_server() {
    each_backend(async |db: &TestDb| {
        let first = TestApp::demo(db).await;
        let policy = Policy {
            client_failures: 5,
            ..Policy::default()
        };
        let make = |policy: Policy| {
            let app = App::new(db.store.clone(), policy).with_keys(test_keys());
            TestApp {
                router: hearth_web::router(AppState::new(app, WebConfig::default())),
            }
        };
        let one = make(policy.clone());
        let two = make(policy);
        drop(first);
        // Five wrong passwords for five different accounts: no account locks, the address does.
        for user in ["org", "org2", "org3", "town", "village"] {
            let reply = one
                .send(sign_in_from("203.0.113.9:4000", user, "wrong"))
                .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text());
        }
        let refused = two
            .send(sign_in_from("203.0.113.9:5000", "county", PASSWORD))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the other server refuses too, even the right password: {}",
            refused.text()
        );
        assert!(refused.headers.contains_key(header::RETRY_AFTER));
        assert_eq!(refused.json()["error"]["code"], "error.rate_limited");
        let elsewhere = two
            .send(sign_in_from("198.51.100.7:4000", "county", PASSWORD))
            .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::OK,
            "another address is not affected"
        );
    })
    .await;
}

#[tokio::test]
async fn a_second_factor_is_asked_for_checked_and_never_accepted_twice() {
    each_backend(async |db: &TestDb| {
        drop(TestApp::demo(db).await);
        let app = App::new(db.store.clone(), Policy::default()).with_keys(test_keys());
        let enrolment = app
            .enrol_totp(Operator::Console, "county")
            .await
            .expect("enrol");
        let secret = decode_base32(&enrolment.secret_base32);
        let attempt = |code: Option<&'static str>| SignInAttempt {
            username: "county",
            password: PASSWORD,
            totp_code: code,
        };
        let missing = app.sign_in_with(attempt(None)).await;
        assert!(
            matches!(&missing, Err(AppError::Invalid(v)) if v[0].code() == "totp.required"),
            "{missing:?}"
        );
        let wrong = app.sign_in_with(attempt(Some("000000"))).await;
        assert!(
            matches!(&wrong, Err(AppError::Invalid(v)) if v[0].code() == "totp.wrong"),
            "{wrong:?}"
        );
        let now = chrono::Utc::now().timestamp();
        let code = hearth_app::totp::hotp(
            &secret,
            u64::try_from(hearth_app::totp::step_of(now)).expect("step"),
            6,
        );
        let code: &'static str = Box::leak(code.into_boxed_str());
        app.sign_in_with(attempt(Some(code)))
            .await
            .expect("the right code signs in");
        let replay = app.sign_in_with(attempt(Some(code))).await;
        assert!(
            matches!(&replay, Err(AppError::Invalid(v)) if v[0].code() == "totp.wrong"),
            "a code is accepted once: {replay:?}"
        );
        let org = app.sign_in("org", PASSWORD).await;
        assert!(
            org.is_ok(),
            "accounts without a second factor are unchanged"
        );
    })
    .await;
}

#[tokio::test]
async fn where_required_administrators_cannot_sign_in_without_a_second_factor() {
    each_backend(async |db: &TestDb| {
        drop(TestApp::demo(db).await);
        let policy = Policy {
            require_totp_for_admins: true,
            ..Policy::default()
        };
        let app = App::new(db.store.clone(), policy).with_keys(test_keys());
        for admin in ["sysadmin", "county"] {
            let refused = app.sign_in(admin, PASSWORD).await;
            assert!(
                matches!(&refused, Err(AppError::Invalid(v)) if v[0].code() == "totp.enrolment_required"),
                "{admin}: {refused:?}"
            );
        }
        assert!(app.sign_in("org", PASSWORD).await.is_ok(), "others sign in as before");
        let router = hearth_web::router(AppState::new(app, WebConfig::default()));
        let reply = TestApp { router }
            .json(
                "POST",
                "/api/v1/session",
                &Client::default(),
                json!({"username": "sysadmin", "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
        assert_eq!(reply.json()["error"]["field"], "totp_code");
    })
    .await;
}

pub(crate) fn decode_base32(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.chars() {
        bits = (bits << 5) | ALPHABET.find(c).expect("base32") as u64;
        count += 5;
        if count >= 8 {
            out.push((bits >> (count - 8)) as u8);
            count -= 8;
        }
    }
    out
}
