//! Where the database and key file are, from flags, environment and an optional config file;
//! and the commands that only need those: init, migrate, serve, audit verify.

use crate::cli::{Global, ServeArgs};
use anyhow::{Context, Result, bail};
use hearth_app::{App, Policy};
use hearth_store::Store;
use hearth_store::crypto::FieldCipher;
use hearth_store::keys::KeyRing;
use hearth_web::{AppState, WebConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database: Option<String>,
    key_file: Option<PathBuf>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    require_totp_for_admins: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: Option<String>,
    pub key_file: Option<PathBuf>,
    pub listen: Option<String>,
    pub secure_cookies: bool,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub require_totp_for_admins: bool,
}

impl Settings {
    pub fn resolve(global: &Global) -> Result<Settings> {
        let file = match &global.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("config file {} is invalid", path.display()))?
            }
            None => FileConfig::default(),
        };
        Ok(Settings {
            database: global.database.clone().or(file.database),
            key_file: global.key_file.clone().or(file.key_file),
            listen: file.listen,
            secure_cookies: file.secure_cookies.unwrap_or(false),
            tls_cert: file.tls_cert,
            tls_key: file.tls_key,
            require_totp_for_admins: file.require_totp_for_admins.unwrap_or(false),
        })
    }

    pub fn database(&self) -> Result<&str> {
        match &self.database {
            Some(url) => Ok(url),
            None => bail!(
                "no database: pass --database sqlite://hearth.db (or postgres://…), or set HEARTH_DATABASE_URL"
            ),
        }
    }

    pub fn key_file(&self) -> Result<&PathBuf> {
        match &self.key_file {
            Some(path) => Ok(path),
            None => bail!(
                "no key file: pass --key-file PATH or set HEARTH_KEY_FILE (`hearth init` creates it)"
            ),
        }
    }
}

pub async fn open(settings: &Settings) -> Result<Store> {
    let url = settings.database()?;
    let store = Store::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    store
        .migrate()
        .await
        .context("cannot apply the database migrations")?;
    Ok(store)
}

/// Hides a password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn init(settings: &Settings) -> Result<ExitCode> {
    let (_, created) = KeyRing::load_or_create(settings.key_file()?)?;
    let store = open(settings).await?;
    println!(
        "数据库已就绪 / database ready: {}",
        redact(settings.database()?)
    );
    let key_file = settings.key_file()?.display();
    if created {
        println!("已创建密钥文件，请妥善备份 / key file created, back it up: {key_file}");
    } else {
        println!("密钥文件已存在 / key file present: {key_file}");
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(settings: &Settings) -> Result<ExitCode> {
    let store = open(settings).await?;
    println!(
        "迁移完成 / migrations applied: {}",
        redact(settings.database()?)
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(settings: &Settings, args: ServeArgs) -> Result<ExitCode> {
    let app = app_with_keys(settings).await?;
    let listen = args
        .listen
        .or(settings.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let tls = match (
        args.tls_cert.or(settings.tls_cert.clone()),
        args.tls_key.or(settings.tls_key.clone()),
    ) {
        (Some(cert), Some(key)) => Some(
            hearth_web::security::tls_config(&cert, &key)
                .context("cannot use the TLS certificate")?,
        ),
        (None, None) => None,
        _ => bail!("TLS needs both a certificate (tls_cert) and its private key (tls_key)"),
    };
    let config = WebConfig {
        demo: false,
        secure_cookies: settings.secure_cookies || tls.is_some(),
    };
    match tls {
        Some(tls) => listen_and_serve_tls(app, &listen, config, tls).await,
        None => listen_and_serve(app, &listen, config).await,
    }
}

async fn listen_and_serve_tls(
    app: App,
    listen: &str,
    config: WebConfig,
    tls: hearth_web::security::ServerConfig,
) -> Result<ExitCode> {
    let store = app.store().clone();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "Hearth 已启动 / listening: https://{}/",
        listener.local_addr()?
    );
    hearth_web::security::serve_tls(listener, tls, AppState::new(app, config)).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn listen_and_serve(app: App, listen: &str, config: WebConfig) -> Result<ExitCode> {
    let store = app.store().clone();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    println!("Hearth 已启动 / listening: http://{address}/");
    let state = AppState::new(app, config);
    hearth_web::serve(listener, state).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn verify_audit(settings: &Settings, json: bool) -> Result<ExitCode> {
    let store = open(settings).await?;
    let app = App::new(store, Policy::default());
    let result = app
        .verify_audit_log(hearth_app::users::Operator::Console)
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else if let Some(broken) = &result.first_broken {
        println!(
            "审计链断裂 / audit chain BROKEN at event {}: {}",
            broken.seq, broken.reason
        );
        println!(
            "此前 {} 条事件完好 / the {} events before it verify",
            result.events, result.events
        );
    } else {
        println!(
            "审计链完好 / audit chain verifies: {} events, head {}",
            result.events, result.head_hash
        );
    }
    Ok(if result.first_broken.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The keys: from `HEARTH_KEYS` when set (for deployments that keep secrets in the
/// environment), otherwise from the key file.
pub fn keys(settings: &Settings) -> Result<KeyRing> {
    match std::env::var("HEARTH_KEYS") {
        Ok(text) if !text.trim().is_empty() => {
            Ok(KeyRing::parse(&text, std::path::Path::new("HEARTH_KEYS"))?)
        }
        _ => Ok(KeyRing::load(settings.key_file()?)?),
    }
}

/// The application with its keys, for commands that touch personal data.
pub async fn app_with_keys(settings: &Settings) -> Result<App> {
    let keys = keys(settings)?;
    let policy = Policy {
        require_totp_for_admins: settings.require_totp_for_admins,
        ..Policy::default()
    };
    Ok(App::new(open(settings).await?, policy).with_keys(keys))
}

/// `hearth keys rotate`: a new key in the key file, then everything re-encrypted under it.
pub async fn rotate_keys(settings: &Settings) -> Result<ExitCode> {
    let app = app_with_keys(settings).await?;
    let ring = KeyRing::add_key(settings.key_file()?)?;
    let report = app.reencrypt_all(&FieldCipher::new(ring)).await?;
    println!(
        "已换用新密钥并重新加密 {} 户 / rotated to key {}, {} households re-encrypted",
        report.households, report.key_id, report.households
    );
    println!(
        "旧密钥仍保留在密钥文件中，确认无误后可用 `hearth keys retire ID` 移除 / old keys stay in the file until retired"
    );
    Ok(ExitCode::SUCCESS)
}

/// `hearth keys retire ID`: only once nothing stored is sealed under that key.
pub async fn retire_key(settings: &Settings, id: &str) -> Result<ExitCode> {
    let store = open(settings).await?;
    let mut tx = store.read().await?;
    let households = hearth_store::households::all(&mut tx, false).await?;
    drop(tx);
    let still_used = households
        .iter()
        .filter(|h| FieldCipher::key_of(&h.sealed) == Some(id))
        .count();
    if still_used > 0 {
        bail!(
            "key {id} still seals {still_used} households or scans; run `hearth keys rotate` first"
        );
    }
    KeyRing::retire(settings.key_file()?, id)?;
    println!("已移除密钥 / retired key {id}");
    Ok(ExitCode::SUCCESS)
}

/// `hearth purge`: anonymise households whose retention period has ended.
pub async fn purge(settings: &Settings) -> Result<ExitCode> {
    let app = app_with_keys(settings).await?;
    let report = app.purge_expired(hearth_app::today()).await?;
    if report.anonymised > 0 {
        app.store()
            .compact()
            .await
            .context("anonymised, but compacting the database failed; run `hearth purge` again")?;
    }
    println!(
        "已匿名化 {} 户（统计数据保留）/ anonymised {} households (statistics kept)",
        report.anonymised, report.anonymised
    );
    Ok(ExitCode::SUCCESS)
}
