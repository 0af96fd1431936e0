//! A small builder around the real router, driven in-process with `oneshot`.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_app::{App, Policy};
use hearth_store::testing::TestDb;
use hearth_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = hearth_app::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
            })
    }
}

/// A signed-in browser or script: its cookie and CSRF token, or a bearer token.
#[derive(Clone, Default)]
pub struct Client {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl TestApp {
    /// The demo data set on the given database, served in demo mode.
    pub async fn demo(db: &TestDb) -> TestApp {
        TestApp::build(db, false).await
    }

    /// The demo with its donations, purchase, waybill and handovers booked.
    pub async fn demo_with_money(db: &TestDb) -> TestApp {
        TestApp::build(db, true).await
    }

    async fn build(db: &TestDb, money: bool) -> TestApp {
        let keys = hearth_store::keys::KeyRing {
            keys: vec![hearth_store::keys::Key {
                id: "test".into(),
                bytes: [7; 32],
            }],
        };
        let app = App::new(db.store.clone(), Policy::default()).with_keys(keys);
        app.seed_demo().await.expect("seed the demo data");
        if money {
            app.seed_demo_money().await.expect("seed the demo's money");
        }
        let router = hearth_web::router(AppState::new(
            app.clone(),
            WebConfig {
                demo: true,
                secure_cookies: false,
            },
        ));
        TestApp { router }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("read the body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    fn request(method: &str, uri: &str, client: &Client) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(cookie) = &client.cookie {
            builder = builder.header(
                header::COOKIE,
                format!("{}={cookie}", hearth_web::SESSION_COOKIE),
            );
        }
        if let Some(token) = &client.bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder
    }

    pub async fn get(&self, uri: &str, client: &Client) -> Reply {
        self.send(
            Self::request("GET", uri, client)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// JSON write; sends the client's CSRF token when it has one.
    pub async fn json(&self, method: &str, uri: &str, client: &Client, body: Value) -> Reply {
        let mut builder =
            Self::request(method, uri, client).header(header::CONTENT_TYPE, "application/json");
        if let Some(csrf) = &client.csrf {
            builder = builder.header(hearth_web::CSRF_HEADER, csrf);
        }
        self.send(builder.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// A JSON write without any CSRF token, as a forged cross-site request would be.
    pub async fn json_without_csrf(
        &self,
        method: &str,
        uri: &str,
        client: &Client,
        body: Value,
    ) -> Reply {
        let builder =
            Self::request(method, uri, client).header(header::CONTENT_TYPE, "application/json");
        self.send(builder.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    pub async fn form(&self, uri: &str, client: &Client, pairs: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(pairs).expect("encode form");
        let builder = Self::request("POST", uri, client)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(builder.body(Body::from(body)).expect("request"))
            .await
    }

    /// Signs in over the API and returns the session.
    pub async fn sign_in(&self, username: &str) -> Client {
        let reply = self
            .json(
                "POST",
                "/api/v1/session",
                &Client::default(),
                serde_json::json!({"username": username, "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign in as {username}: {}",
            reply.text()
        );
        let cookie = reply
            .cookie(hearth_web::SESSION_COOKIE)
            .expect("a session cookie");
        let csrf = reply.json()["csrf_token"].as_str().map(str::to_owned);
        Client {
            cookie: Some(cookie),
            csrf,
            bearer: None,
        }
    }

    /// Closes the demo's launched campaign, so organizations take part in none.
    pub async fn close_demo_campaign(&self) {
        let county = self.sign_in("county").await;
        let campaign = self
            .get(
                &format!("/api/v1/campaigns/{}", hearth_app::demo::DEMO_CAMPAIGN),
                &county,
            )
            .await
            .json();
        let id = campaign["campaign"]["id"]
            .as_str()
            .expect("the demo campaign")
            .to_owned();
        let closed = self
            .json(
                "POST",
                &format!("/api/v1/campaigns/{id}/status"),
                &county,
                serde_json::json!({"action": "close"}),
            )
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    }
}
