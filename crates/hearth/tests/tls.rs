//! `hearth serve --tls-cert --tls-key`: HTTPS with a certificate made for the test, fetched by
//! a client that trusts only that certificate; answers carry HSTS and Secure cookies.

use super::server::Server;
use super::{hearth, text};
use hearth_store::testing::each_backend;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// A client configuration that trusts `cert` and nothing else.
fn client_trusting(cert: CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(cert)
        .expect("the test certificate is a usable root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// One HTTPS request; the raw answer (head and body), or the TLS or I/O error.
fn https(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    request: &str,
) -> std::io::Result<String> {
    let name = ServerName::try_from("localhost").expect("name");
    let connection = rustls::ClientConnection::new(config, name).map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    tls.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        // A server may close without close_notify after `Connection: close`.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e),
    }
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

fn header<'a>(answer: &'a str, name: &str) -> Vec<&'a str> {
    let head = answer.split("\r\n\r\n").next().unwrap_or("");
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

#[tokio::test]
async fn serves_https_with_hsts_and_secure_cookies() {
    each_backend(async |db| {
        let dir =
            std::env::temp_dir().join(format!("hearth-tls-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let key = dir.join("hearth.key");
        let init = hearth(db, &key, &["init"], None);
        assert!(init.status.success(), "{}", text(&init));
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("a self-signed certificate");
        let (cert_pem, key_pem) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert_pem, made.cert.pem()).expect("write cert");
        std::fs::write(&key_pem, made.key_pair.serialize_pem()).expect("write key");
        let server = Server::start_with(
            &db.url,
            &key,
            &[
                "--tls-cert",
                cert_pem.to_str().expect("path"),
                "--tls-key",
                key_pem.to_str().expect("path"),
            ],
        );
        let trusting = client_trusting(made.cert.der().clone());
        let get = "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        let answer = https(server.addr, trusting, get).expect("an HTTPS answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let hsts = header(&answer, "strict-transport-security");
        assert!(
            hsts.first().is_some_and(|v| v.contains("max-age=")),
            "HSTS over TLS: {hsts:?}"
        );
        let cookies = header(&answer, "set-cookie");
        assert!(
            !cookies.is_empty() && cookies.iter().all(|c| c.contains("Secure")),
            "{cookies:?}"
        );

        let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .expect("another certificate");
        let refused = https(server.addr, client_trusting(other.cert.der().clone()), get);
        assert!(
            refused.is_err(),
            "a client that does not trust the certificate gets nothing"
        );

        let mut plain = TcpStream::connect(server.addr).expect("connect");
        plain
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        plain.write_all(get.as_bytes()).expect("write");
        let mut raw = Vec::new();
        let _ = plain.read_to_end(&mut raw);
        assert!(
            !String::from_utf8_lossy(&raw).contains("HTTP/1.1 200"),
            "plain HTTP is not served on the TLS port"
        );
        server.kill();
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
