//! `hearth serve` as a process, and a small HTTP/1.1 client to talk to it (no client library:
//! the tests need status, cookies and JSON, nothing more).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `hearth serve` on a free port and waits until it says where it listens.
    pub fn start(url: &str, key: &Path) -> Server {
        Server::start_with(url, key, &[])
    }

    /// [`Server::start`] with more `serve` options (`--tls-cert`, …).
    pub fn start_with(url: &str, key: &Path, options: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(options)
            .env("HEARTH_DATABASE_URL", url)
            .env("HEARTH_KEY_FILE", key)
            .env("HEARTH_LOG", "warn")
            .env_remove("HEARTH_KEYS")
            .env_remove("HEARTH_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hearth serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server prints its address");
        let addr = line
            .split("://")
            .nth(1)
            .and_then(|rest| rest.trim().trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, addr }
    }

    /// SIGKILL: no shutdown, no flush, as a power cut or the OOM killer would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
            .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
    }
}

/// A session on a server: its cookie and CSRF token.
#[derive(Clone, Default)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// One request on its own connection; `None` when the server is gone (killed mid-request).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    session: Option<&Session>,
    body: Option<&serde_json::Value>,
) -> Option<Reply> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(session) = session {
        head.push_str(&format!(
            "Cookie: {}={}\r\nX-CSRF-Token: {}\r\n",
            hearth_web::SESSION_COOKIE,
            session.cookie,
            session.csrf
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    parse(&raw)
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Some(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Signs in over the API.
pub fn sign_in(addr: SocketAddr, username: &str, password: &str) -> Session {
    let body = serde_json::json!({"username": username, "password": password});
    let reply = request(addr, "POST", "/api/v1/session", None, Some(&body)).expect("answer");
    assert_eq!(reply.status, 200, "sign in as {username}: {}", reply.body);
    Session {
        cookie: reply
            .cookie(hearth_web::SESSION_COOKIE)
            .expect("a session cookie"),
        csrf: reply.json()["csrf_token"]
            .as_str()
            .expect("csrf")
            .to_owned(),
    }
}
