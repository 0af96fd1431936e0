//! Hearth's web face: server-rendered pages for people and `/api/v1` JSON for scripts, over the
//! same use cases in `hearth-app`.
//!
//! Error policy: handlers return `Result<_, ApiError>` (JSON) or `Result<_, PageError>` (HTML);
//! both wrap `AppError` and are mapped to HTTP status codes in `error.rs`, nowhere else.
//! Sessions live in the database (several servers can share them); every state-changing request
//! made with a session cookie must carry its CSRF token.

pub mod api;
mod assets;
mod auth;
mod charts;
mod error;
mod health;
mod pages;
pub mod security;
mod tr;

use axum::Router;
use hearth_app::App;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub use auth::{CSRF_HEADER, SESSION_COOKIE};

/// How this server presents itself.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Demo mode shows the demo sign-ins on the login page.
    pub demo: bool,
    /// Marks cookies `Secure` (set when serving over TLS or behind an HTTPS proxy).
    pub secure_cookies: bool,
}

/// Request counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub server_errors: AtomicU64,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::default(),
        }
    }
}

/// The whole application: pages, API, static files, health and metrics.
pub fn router(state: AppState) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api_router)
        .merge(assets::router())
        .merge(health::router())
        .layer(from_fn(auth::csrf))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn_with_state(state.clone(), health::count))
        .layer(from_fn(security::refuse_nul))
        .layer(from_fn_with_state(state.clone(), security::throttle_sign_in))
        .layer(from_fn(assets::security_headers))
        .layer(from_fn_with_state(state.clone(), security::hsts))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
        })
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
