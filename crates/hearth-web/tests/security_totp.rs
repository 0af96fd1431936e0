//! Two-step verification in the browser: the sign-in form's code step, setting a second factor
//! up while signing in when the deployment requires one, and on the account page.

use crate::security::decode_base32;
use crate::support::{Client, PASSWORD, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_app::users::Operator;
use hearth_app::{App, Policy};
use hearth_store::testing::{TestDb, each_backend};
use hearth_web::{AppState, WebConfig};

const LOGIN_CSRF: &str = "hearth_login_csrf";

fn keys() -> hearth_store::keys::KeyRing {
    hearth_store::keys::KeyRing {
        keys: vec![hearth_store::keys::Key {
            id: "test".into(),
            bytes: [7; 32],
        }],
    }
}

/// The demo data, served by an app with the given policy.
async fn serve(db: &TestDb, policy: Policy) -> (TestApp, App) {
    drop(TestApp::demo(db).await);
    let app = App::new(db.store.clone(), policy).with_keys(keys());
    let router = hearth_web::router(AppState::new(app.clone(), WebConfig::default()));
    (TestApp { router }, app)
}

/// The value of the HTML input or element attribute following `marker` up to the next quote.
fn value_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find(['"', '<'])?;
    Some(html[start..start + end].to_owned())
}

/// The current code for a secret as the page shows it (base32 in groups of four).
fn code_for(shown_secret: &str) -> String {
    let secret = decode_base32(&shown_secret.replace(' ', ""));
    let step = hearth_app::totp::step_of(chrono::Utc::now().timestamp());
    hearth_app::totp::hotp(&secret, u64::try_from(step).expect("step"), 6)
}

/// A browser on the sign-in page: the form's double-submit token, as cookie and field.
struct Browser {
    csrf: String,
}

impl Browser {
    async fn open(app: &TestApp) -> Browser {
        let page = app.get("/login", &Client::default()).await;
        let csrf = page.cookie(LOGIN_CSRF).expect("the form token cookie");
        Browser { csrf }
    }

    async fn post(&mut self, app: &TestApp, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        let body = serde_urlencoded::to_string(&all).expect("encode");
        let request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("{LOGIN_CSRF}={}", self.csrf))
            .body(Body::from(body))
            .expect("request");
        let reply = app.send(request).await;
        if let Some(fresh) = reply.cookie(LOGIN_CSRF).filter(|c| !c.is_empty()) {
            self.csrf = fresh;
        }
        reply
    }
}

fn session_of(reply: &Reply) -> Option<String> {
    reply
        .cookie(hearth_web::SESSION_COOKIE)
        .filter(|c| !c.is_empty())
}

#[tokio::test]
async fn the_sign_in_form_asks_for_the_code_and_shows_a_wrong_one_by_the_field() {
    each_backend(async |db: &TestDb| {
        let (web, app) = serve(db, Policy::default()).await;
        let enrolment = app
            .enrol_totp(Operator::Console, "county")
            .await
            .expect("enrol");
        let mut browser = Browser::open(&web).await;
        let step = browser
            .post(
                &web,
                "/login",
                &[("username", "county"), ("password", PASSWORD)],
            )
            .await;
        let html = step.text();
        assert_eq!(step.status, StatusCode::OK, "{html}");
        assert!(session_of(&step).is_none(), "no session before the code");
        assert!(html.contains(r#"action="/login/code""#), "{html}");
        assert!(html.contains(r#"autocomplete="one-time-code""#));
        let pending = value_after(&html, r#"name="pending" value=""#).expect("pending token");

        let wrong = browser
            .post(
                &web,
                "/login/code",
                &[("pending", &pending), ("totp_code", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(session_of(&wrong).is_none());
        let message = value_after(&wrong.text(), r#"id="totp-code-error" role="alert">"#)
            .expect("the error sits by the code field");
        assert!(
            message.contains("验证码") || message.contains("code"),
            "{message}"
        );

        let code = code_for(&enrolment.secret_base32);
        let done = browser
            .post(
                &web,
                "/login/code",
                &[("pending", &pending), ("totp_code", &code)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        let cookie = session_of(&done).expect("signed in");
        let client = Client {
            cookie: Some(cookie),
            ..Client::default()
        };
        assert_eq!(web.get("/", &client).await.status, StatusCode::OK);

        let replay = browser
            .post(
                &web,
                "/login/code",
                &[("pending", &pending), ("totp_code", &code)],
            )
            .await;
        assert!(session_of(&replay).is_none(), "a code signs in once");

        let mut forged = pending.clone();
        forged.replace_range(forged.len() - 4.., "AAAA");
        let refused = browser
            .post(
                &web,
                "/login/code",
                &[("pending", &forged), ("totp_code", &code)],
            )
            .await;
        assert!(session_of(&refused).is_none());
        assert!(
            refused.text().contains(r#"name="password""#),
            "an altered step goes back to the password"
        );
    })
    .await;
}

#[tokio::test]
async fn an_administrator_who_must_have_a_second_factor_sets_one_up_while_signing_in() {
    each_backend(async |db: &TestDb| {
        let policy = Policy {
            require_totp_for_admins: true,
            ..Policy::default()
        };
        let (web, _) = serve(db, policy).await;
        let mut browser = Browser::open(&web).await;
        let step = browser
            .post(
                &web,
                "/login",
                &[("username", "sysadmin"), ("password", PASSWORD)],
            )
            .await;
        let html = step.text();
        assert_eq!(step.status, StatusCode::OK, "{html}");
        let secret = value_after(&html, r#"<code id="totp-secret">"#).expect("the secret as text");
        let uri = value_after(&html, r#"<code id="totp-uri" class="break-all">"#).expect("uri");
        assert!(
            uri.starts_with("otpauth://totp/Hearth:sysadmin?secret="),
            "{uri}"
        );
        assert!(html.contains("<svg"), "a QR code to scan");
        let pending = value_after(&html, r#"name="pending" value=""#).expect("pending token");

        let done = browser
            .post(
                &web,
                "/login/code",
                &[("pending", &pending), ("totp_code", &code_for(&secret))],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        assert!(session_of(&done).is_some());

        let again = Browser::open(&web)
            .await
            .post(
                &web,
                "/login",
                &[("username", "sysadmin"), ("password", PASSWORD)],
            )
            .await;
        let html = again.text();
        assert!(html.contains(r#"action="/login/code""#), "asks for a code");
        assert!(!html.contains("totp-secret"), "and no longer sets one up");
    })
    .await;
}

#[tokio::test]
async fn a_user_turns_on_two_step_verification_from_the_account_page() {
    each_backend(async |db: &TestDb| {
        let (web, _) = serve(db, Policy::default()).await;
        let org = web.sign_in("org").await;
        let csrf = org.csrf.clone().expect("csrf");
        let page = web.get("/account/totp", &org).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains(r#"action="/account/totp/start""#));

        let setup = web
            .form("/account/totp/start", &org, &[("_csrf", &csrf)])
            .await;
        let html = setup.text();
        assert_eq!(setup.status, StatusCode::OK, "{html}");
        let secret = value_after(&html, r#"<code id="totp-secret">"#).expect("the secret");
        let token = value_after(&html, r#"name="setup" value=""#).expect("set-up token");
        assert!(
            web.sign_in("org").await.cookie.is_some(),
            "nothing changes before the code is confirmed"
        );

        let wrong = web
            .form(
                "/account/totp/confirm",
                &org,
                &[("_csrf", &csrf), ("setup", &token), ("totp_code", "123")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = wrong.text();
        assert!(html.contains(r#"id="totp-code-error""#), "{html}");
        assert_eq!(
            value_after(&html, r#"<code id="totp-secret">"#).as_deref(),
            Some(secret.as_str()),
            "the same secret stays on screen"
        );

        let done = web
            .form(
                "/account/totp/confirm",
                &org,
                &[
                    ("_csrf", &csrf),
                    ("setup", &token),
                    ("totp_code", &code_for(&secret)),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        let page = web.get("/account/totp?notice=enrolled", &org).await;
        assert!(page.text().contains(r#"role="status""#));

        let api = web
            .json(
                "POST",
                "/api/v1/session",
                &Client::default(),
                serde_json::json!({"username": "org", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            api.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            api.text()
        );
        assert_eq!(api.json()["error"]["field"], "totp_code");
    })
    .await;
}
