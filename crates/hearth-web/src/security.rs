//! Defences at the edge: HSTS when served over HTTPS, sign-in throttling per client address
//! (counted in the database, so every server behind a load balancer agrees), and TLS with
//! rustls when the server is given a certificate.
//!
//! The other security headers (a CSP without inline script or style, frame denial, no
//! sniffing, the referrer policy) are set for every response in `assets.rs`.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hearth_app::AppError;
use hearth_app::auth::Throttle;
use hearth_core::Invalid;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
pub use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

/// A year, with subdomains: browsers then refuse plain HTTP to this host.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds `Strict-Transport-Security` when the server is reached over HTTPS (served with TLS or
/// behind an HTTPS proxy, which is what `secure_cookies` says).
pub async fn hsts(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if state.config.secure_cookies {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

fn is_sign_in(request: &Request) -> bool {
    request.method() == Method::POST
        && matches!(
            request.uri().path(),
            "/api/v1/session" | "/login" | "/login/code"
        )
}

/// The address a request came from. Behind a proxy on the same host (a loopback peer), the
/// address that proxy appended to `X-Forwarded-For`; a remote peer's header is not believed.
fn client_of(request: &Request) -> String {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|v| v.parse::<std::net::IpAddr>().ok());
    match (peer, forwarded) {
        (Some(peer), Some(forwarded)) if peer.is_loopback() => forwarded.to_string(),
        (Some(peer), _) => peer.to_string(),
        (None, _) => "unknown".to_owned(),
    }
}

/// Refuses sign-ins from an address that failed too often lately (429 with `Retry-After`),
/// and counts each failed sign-in (401, 423) against its address.
pub async fn throttle_sign_in(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_sign_in(&request) {
        return next.run(request).await;
    }
    let client = client_of(&request);
    match state.app.sign_in_throttle(&client).await {
        Ok(Throttle::Allowed) => {}
        Ok(Throttle::Refused { retry_after }) => return too_many(request, retry_after),
        Err(e) => return ApiError(e).into_response(),
    }
    let response = next.run(request).await;
    let failed = matches!(
        response.status(),
        StatusCode::UNAUTHORIZED | StatusCode::LOCKED
    );
    if failed && let Err(e) = state.app.note_sign_in_failure(&client).await {
        tracing::warn!(error = %e, "could not count a failed sign-in");
    }
    response
}

fn too_many(request: Request, retry_after: Duration) -> Response {
    let minutes = retry_after.as_secs().div_ceil(60).max(1);
    let e = AppError::Invalid(vec![
        Invalid::new("client", "error.rate_limited").arg("minutes", minutes),
    ]);
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = if is_api {
        ApiError(e).into_response()
    } else {
        let (parts, _) = request.into_parts();
        let t = crate::tr::Tr(crate::tr::lang_of(&parts));
        crate::error::error_page(StatusCode::TOO_MANY_REQUESTS, &e, t)
    };
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Refuses a NUL character anywhere in the path, query, or a JSON or form body: no field takes
/// one, and PostgreSQL cannot store one in text, so it is refused here with a clear message
/// rather than failing deep inside. (File uploads, which may hold any byte, are not touched.)
pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let in_uri = request
        .uri()
        .path_and_query()
        .is_some_and(|pq| pq.as_str().to_ascii_lowercase().contains("%00"));
    if in_uri {
        return nul_refusal(request);
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_json = content_type.starts_with("application/json");
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_json && !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let e = AppError::Invalid(vec![Invalid::new("body", "request.too_large")]);
        let mut response = ApiError(e).into_response();
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return response;
    };
    let lower = bytes.to_ascii_lowercase();
    let marker: &[u8] = if is_json { b"\\u0000" } else { b"%00" };
    let has_nul = bytes.contains(&0) || lower.windows(marker.len()).any(|w| w == marker);
    let request = Request::from_parts(parts, axum::body::Body::from(bytes));
    if has_nul {
        return nul_refusal(request);
    }
    next.run(request).await
}

/// The most any JSON or form body may hold (the router's limit).
const BODY_LIMIT: usize = 2 * 1024 * 1024;

fn nul_refusal(request: Request) -> Response {
    let e = AppError::Invalid(vec![Invalid::new("body", "request.nul")]);
    if request.uri().path().starts_with("/api/") {
        ApiError(e).into_response()
    } else {
        let (parts, _) = request.into_parts();
        let t = crate::tr::Tr(crate::tr::lang_of(&parts));
        crate::error::error_page(StatusCode::BAD_REQUEST, &e, t)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0} holds no certificate (expected PEM `BEGIN CERTIFICATE`)")]
    NoCertificate(String),
    #[error("the certificate and key are not usable together: {0}")]
    Rejected(String),
}

/// A server configuration from a PEM certificate chain and its PEM private key.
pub fn tls_config(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let read = |path: &Path, reason: String| TlsError::Read {
        path: path.display().to_string(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| read(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| read(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.display().to_string()));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| read(key, e.to_string()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Rejected(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| TlsError::Rejected(e.to_string()))?;
    // axum serves HTTP/1.1 here (its http2 feature is off), so only that is offered.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts TCP connections and completes their TLS handshakes off the accept loop, so a
/// client that stalls its handshake holds up nobody (and is dropped after 10 seconds).
pub struct TlsListener {
    handshaken: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: ServerConfig) -> std::io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let (sender, handshaken) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (tcp, addr) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    let handshake = acceptor.accept(tcp);
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(Duration::from_secs(10), handshake).await
                    {
                        let _ = sender.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(TlsListener { handshaken, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(accepted) => accepted,
            // The accept loop never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// [`crate::serve`] over TLS.
pub async fn serve_tls(
    listener: TcpListener,
    config: ServerConfig,
    state: AppState,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // `tap_io` makes the peer address available to handlers (`ConnectInfo`), as over plain TCP.
    let listener = TlsListener::new(listener, config)?.tap_io(|_| {});
    let app = crate::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(crate::shutdown())
        .await
}
