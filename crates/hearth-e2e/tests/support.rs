//! The rig: the real application on 127.0.0.1 (the demo with its money, on a fresh SQLite
//! file), chromedriver on a free port, and a headless Chromium session with the few moves the
//! walk needs — sign in with the keyboard, fill a form by field names, press its button, take a
//! screenshot at desktop and phone widths.
//!
//! Without chromedriver the tests print `SKIPPED browser` and pass, unless
//! `HEARTH_REQUIRE_BROWSER=1` (CI sets it after installing Chromium).

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hearth_app::{App, Policy};
use hearth_store::testing::TestDb;
use hearth_web::{AppState, WebConfig};
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = hearth_app::demo::DEMO_PASSWORD;
const DESKTOP: (u32, u32) = (1366, 900);
const PHONE: (u32, u32) = (375, 812);
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Where a browser binary lives, if it is installed.
fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// chromedriver, started by us and stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_driver(binary: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen on {addr}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver {
        child,
        url: format!("http://{addr}"),
    }
}

/// The demo (with its books) served on 127.0.0.1; returns the address.
async fn serve(db: &TestDb) -> String {
    let keys = hearth_store::keys::KeyRing {
        keys: vec![hearth_store::keys::Key {
            id: "e2e".into(),
            bytes: [9; 32],
        }],
    };
    let app = App::new(db.store.clone(), Policy::default()).with_keys(keys);
    app.seed_demo().await.expect("seed the demo");
    app.seed_demo_money().await.expect("seed the demo's money");
    let state = AppState::new(
        app,
        WebConfig {
            demo: true,
            secure_cookies: false,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(hearth_web::serve(listener, state));
    format!("http://{addr}")
}

/// A browser on the running app, with where its screenshots go.
pub struct Browser {
    pub client: Client,
    pub base: String,
    shots: PathBuf,
    _driver: Driver,
    _db: TestDb,
}

/// The app and a browser on it, or `None` (after saying so) when Chromium is not installed.
pub async fn start(suite: &str) -> Option<Browser> {
    let driver = which(&["chromedriver"]);
    let chromium = which(&["chromium", "chromium-browser", "google-chrome"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        assert!(
            std::env::var("HEARTH_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "HEARTH_REQUIRE_BROWSER=1 but chromium or chromedriver is missing (apt-get install chromium chromium-driver fonts-noto-cjk)"
        );
        eprintln!("SKIPPED browser: install chromium and chromium-driver to run {suite}");
        return None;
    };
    let db = TestDb::sqlite().await;
    let base = serve(&db).await;
    let driver = start_driver(&driver);
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("unhandledPromptBehavior".into(), json!("accept"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--lang=zh-CN",
                     format!("--window-size={},{}", DESKTOP.0, DESKTOP.1)],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/e2e")
        .join(suite);
    std::fs::create_dir_all(&shots).expect("target/e2e");
    Some(Browser {
        client,
        base,
        shots,
        _driver: driver,
        _db: db,
    })
}

impl Browser {
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the address");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The address after a form was sent, which must start with `prefix` (else the page is
    /// kept in `target/e2e/` and the test fails naming `what`).
    pub async fn landed(&self, prefix: &str, what: &str) -> String {
        let here = self.path().await;
        if !here.starts_with(prefix) {
            self.keep_failure(what).await;
            panic!("{what}: expected {prefix}…, at {here}");
        }
        here
    }

    pub async fn html(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                self.keep_failure(css).await;
                panic!("no `{css}` on {}: {e}", self.path().await)
            }
        }
    }

    /// Saves the page that lacked something, to read after a failure.
    async fn keep_failure(&self, what: &str) {
        let name: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(40)
            .collect();
        if let Ok(source) = self.client.source().await {
            let _ = std::fs::write(self.shots.join(format!("failed-{name}.html")), source);
        }
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(self.shots.join(format!("failed-{name}.png")), png);
        }
    }

    /// Types into a text field, or chooses in a select, or ticks a checkbox with this value.
    pub async fn fill(&self, name: &str, value: &str) {
        self.fill_in("", name, value).await;
    }

    /// [`Browser::fill`] inside one form (`scope`, a CSS selector), when the page has a search
    /// form with the same field names.
    pub async fn fill_in(&self, scope: &str, name: &str, value: &str) {
        let css = format!("{scope} [name=\"{name}\"]");
        let field = self.find(&css).await;
        self.unfold(&field).await;
        let tag = field.tag_name().await.expect("a tag").to_ascii_lowercase();
        let kind = field.attr("type").await.ok().flatten().unwrap_or_default();
        if tag == "select" {
            field
                .select_by_value(value)
                .await
                .unwrap_or_else(|e| panic!("choose {value} in {name}: {e}"));
        } else if kind == "checkbox" || kind == "radio" {
            let one = self.find(&format!("{css}[value=\"{value}\"]")).await;
            if !one.is_selected().await.unwrap_or(false) {
                one.click().await.expect("tick");
            }
        } else if kind == "date" {
            // Chromium's date picker takes keys in the reader's locale order; set the ISO value
            // the way the picker itself does.
            let element = serde_json::to_value(&field).expect("an element reference");
            self.client
                .execute(
                    "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));",
                    vec![element, json!(value)],
                )
                .await
                .expect("set the date");
        } else {
            field.clear().await.expect("clear");
            field.send_keys(value).await.expect("type");
        }
    }

    /// Opens the folded sections (`<details>`) around a field, as a person clicks their title.
    async fn unfold(&self, field: &Element) {
        let script = "for (let d = arguments[0].closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) { d.open = true; }";
        let element = serde_json::to_value(field).expect("an element reference");
        self.client
            .execute(script, vec![element])
            .await
            .expect("open the section");
    }

    /// Presses a button (a CSS selector) and waits for the next page.
    pub async fn press(&self, css: &str) {
        let button = self.find(css).await;
        self.unfold(&button).await;
        let submits = button
            .tag_name()
            .await
            .is_ok_and(|t| t == "button" || t == "input");
        if let Err(e) = button.click().await {
            self.keep_failure(css).await;
            panic!("press `{css}` on {}: {e}", self.path().await);
        }
        if submits {
            self.left_behind(&button).await;
        }
        self.settle().await;
    }

    /// Waits until the pressed button's page is gone: right after a click the old page still
    /// reports `complete`, and on a loaded machine the next check would read the old page.
    async fn left_behind(&self, button: &Element) {
        for _ in 0..100 {
            if button.attr("type").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn settle(&self) {
        for _ in 0..50 {
            let ready = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            if matches!(ready, Ok(Value::String(s)) if s == "complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in with the keyboard only: focus starts in the user name field, Tab to the
    /// password, Enter to send.
    pub async fn sign_in(&self, username: &str) {
        self.client.delete_all_cookies().await.expect("sign out");
        self.open("/login").await;
        let active = self.client.active_element().await.expect("focus");
        assert_eq!(
            active.attr("name").await.ok().flatten().as_deref(),
            Some("username"),
            "the sign-in page starts in the user name field"
        );
        active.send_keys(username).await.expect("type");
        active.send_keys(TAB).await.expect("tab");
        let password = self.client.active_element().await.expect("focus");
        assert_eq!(
            password.attr("name").await.ok().flatten().as_deref(),
            Some("password"),
            "Tab leads to the password"
        );
        password.send_keys(PASSWORD).await.expect("type");
        password.send_keys(ENTER).await.expect("enter");
        self.settle().await;
        let here = self.path().await;
        assert!(
            !here.starts_with("/login"),
            "{username} signed in, at {here}"
        );
    }

    /// Whether the page is no wider than the window (no sideways scrolling on a phone).
    pub async fn fits_width(&self) -> bool {
        let fits = self
            .client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1",
                vec![],
            )
            .await;
        matches!(fits, Ok(Value::Bool(true)))
    }

    /// Screenshots of the page as it is, at desktop width and at 375 px, as `NN-step-*.png`.
    pub async fn shot(&self, step: &str) {
        for (label, (w, h)) in [("desktop", DESKTOP), ("375", PHONE)] {
            self.client.set_window_size(w, h).await.expect("resize");
            let png = self.client.screenshot().await.expect("a screenshot");
            std::fs::write(self.shots.join(format!("{step}-{label}.png")), png).expect("save");
        }
        let (w, h) = DESKTOP;
        self.client.set_window_size(w, h).await.expect("resize");
    }

    /// The page at 375 px, checked for sideways scrolling, then back at desktop width.
    pub async fn fits_phone(&self, path: &str) -> bool {
        self.client
            .set_window_size(PHONE.0, PHONE.1)
            .await
            .expect("resize");
        self.open(path).await;
        let fits = self.fits_width().await;
        self.client
            .set_window_size(DESKTOP.0, DESKTOP.1)
            .await
            .expect("resize");
        fits
    }

    /// A screenshot at one size only (the big screen at 1920×1080).
    pub async fn shot_sized(&self, name: &str, (w, h): (u32, u32)) {
        self.client.set_window_size(w, h).await.expect("resize");
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("save");
        let (w, h) = DESKTOP;
        self.client.set_window_size(w, h).await.expect("resize");
    }

    /// Signs out (drops the session cookie) and opens the public page.
    pub async fn sign_out_to_public(&self) {
        self.client.delete_all_cookies().await.expect("sign out");
        self.open("/public").await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
