//! `/healthz` for load balancers and `/metrics` (Prometheus text) for monitoring.

use crate::AppState;
use crate::auth::MaybeSigned;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hearth_core::permission::Permission;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.app.store().ping().await {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
    }
}

/// Only from the machine itself or for a signed-in system administrator.
async fn metrics(
    State(state): State<AppState>,
    MaybeSigned(signed): MaybeSigned,
    request: Request,
) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    let local = peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    let admin = signed.is_some_and(|s| s.caller.can(Permission::ManageUsers));
    if !local && !admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    let up = u8::from(state.app.store().ping().await);
    let body = format!(
        "# HELP hearth_requests_total HTTP requests served.\n# TYPE hearth_requests_total counter\nhearth_requests_total {}\n\
         # HELP hearth_server_errors_total Responses with a 5xx status.\n# TYPE hearth_server_errors_total counter\nhearth_server_errors_total {}\n\
         # HELP hearth_database_up Whether the database answers.\n# TYPE hearth_database_up gauge\nhearth_database_up {up}\n",
        state.metrics.requests.load(Ordering::Relaxed),
        state.metrics.server_errors.load(Ordering::Relaxed),
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        body,
    )
        .into_response()
}

pub async fn count(State(state): State<AppState>, request: Request, next: Next) -> Response {
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let response = next.run(request).await;
    if response.status().is_server_error() {
        state.metrics.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    response
}
