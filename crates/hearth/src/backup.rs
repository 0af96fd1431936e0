//! `hearth backup FILE` and `hearth restore FILE`: the whole database in one SQLite file, and
//! back. Both check the audit and ledger chains of what they wrote before reporting success.

use crate::config::{Settings, open, redact};
use anyhow::{Context, Result, bail};
use hearth_app::users::Operator;
use hearth_app::{App, Policy};
use hearth_store::backup::{self, sqlite_url};
use hearth_store::{Store, copy};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What a finished backup, restore or copy holds, after its chains were checked.
#[derive(Debug, serde::Serialize)]
pub struct Checked {
    pub rows: i64,
    pub audit_events: i64,
    pub ledger_records: i64,
}

/// Walks the audit and ledger chains of `store` and counts its rows; fails naming the first
/// broken link.
pub async fn check(store: &Store) -> Result<Checked> {
    let app = App::new(store.clone(), Policy::default());
    let audit = app.verify_audit_log(Operator::Console).await?;
    if let Some(broken) = &audit.first_broken {
        bail!(
            "审计链在第 {0} 条断裂 / the audit chain breaks at event {0}: {1}",
            broken.seq,
            broken.reason
        );
    }
    let ledger = app.verify_ledger(Operator::Console).await?;
    if !ledger.is_sound() {
        bail!(
            "台账校验未通过 / the ledger does not verify: {}",
            serde_json::to_string(&ledger)?
        );
    }
    let counts = copy::table_counts(store).await?;
    Ok(Checked {
        rows: counts.values().sum(),
        audit_events: audit.events,
        ledger_records: ledger.records,
    })
}

pub fn print_checked(checked: &Checked) {
    println!(
        "共 {} 行；审计链 {} 条、台账 {} 条均校验通过 / {} rows; audit chain ({} events) and ledger ({} records) verify",
        checked.rows,
        checked.audit_events,
        checked.ledger_records,
        checked.rows,
        checked.audit_events,
        checked.ledger_records
    );
}

pub async fn backup(settings: &Settings, file: &Path) -> Result<ExitCode> {
    let store = open(settings).await?;
    let outcome = backup::backup(&store, file).await;
    store.close().await;
    outcome.with_context(|| format!("backup to {} failed", file.display()))?;
    let copy = Store::connect(&sqlite_url(file)?).await?;
    let checked = check(&copy).await;
    copy.close().await;
    let checked =
        checked.context("the backup was written but does not verify; keep the old one")?;
    println!("备份完成 / backup written: {}", file.display());
    print_checked(&checked);
    println!(
        "请另行备份密钥文件；恢复时需要它 / back up the key file separately: a restore needs it"
    );
    Ok(ExitCode::SUCCESS)
}

/// Restores `file` into the configured database: onto PostgreSQL by a copy into an empty
/// database; onto SQLite by putting the (migrated) backup in place of the database file, the
/// old file moved aside with `--force` when it holds data.
pub async fn restore(settings: &Settings, file: &Path, force: bool) -> Result<ExitCode> {
    let url = settings.database()?;
    let checked = if url.starts_with("sqlite:") {
        restore_sqlite_file(&sqlite_path(url)?, file, force).await?
    } else {
        let target = open(settings).await?;
        let outcome = restore_by_copy(&target, file).await;
        target.close().await;
        outcome?
    };
    println!(
        "恢复完成 / restored {} into {}",
        file.display(),
        redact(url)
    );
    print_checked(&checked);
    Ok(ExitCode::SUCCESS)
}

async fn restore_by_copy(target: &Store, file: &Path) -> Result<Checked> {
    if let Some((table, rows)) = copy::holds_data(target).await? {
        bail!(
            "目标数据库已有数据（{table} 表 {rows} 行），恢复只写入新建的空库 / the target database holds data ({table}: {rows} rows); restore into a new, empty database (dropdb, createdb)"
        );
    }
    let staging = std::env::temp_dir().join(format!(
        "hearth-restore-{}.db",
        uuid::Uuid::now_v7().simple()
    ));
    let outcome = async {
        let source = backup::stage(file, &staging).await?;
        let copied = copy::copy_all(&source, target).await;
        source.close().await;
        copied?;
        check(target).await
    }
    .await;
    backup::remove_with_journal(&staging);
    outcome
}

async fn restore_sqlite_file(database: &Path, file: &Path, force: bool) -> Result<Checked> {
    if database.exists() {
        let current = Store::connect(&sqlite_url(database)?).await?;
        let migrated = current.migrate().await;
        let holds = match migrated {
            Ok(()) => copy::holds_data(&current)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(e.into()),
        };
        current.close().await;
        if let Some((table, rows)) = holds?
            && !force
        {
            bail!(
                "数据库 {} 已有数据（{table} 表 {rows} 行）；确认要替换请加 --force（原文件会改名保留）/ the database holds data ({table}: {rows} rows); add --force to replace it (the old file is kept, renamed)",
                database.display()
            );
        }
    }
    let mut staging = database.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    backup::remove_with_journal(&staging);
    let staged = backup::stage(file, &staging).await?;
    let checked = check(&staged).await;
    staged.close().await;
    let checked = match checked {
        Ok(checked) => checked,
        Err(e) => {
            backup::remove_with_journal(&staging);
            return Err(e.context("the backup does not verify; nothing was restored"));
        }
    };
    if database.exists() {
        let suffix = format!(".replaced-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S"));
        let kept = backup::move_aside(database, &suffix)?;
        println!(
            "原数据库已改名保留 / the old database is kept as {}",
            kept.display()
        );
    }
    std::fs::rename(&staging, database).with_context(|| {
        format!(
            "cannot move the restored database to {}",
            database.display()
        )
    })?;
    let restored = Store::connect(&sqlite_url(database)?).await?;
    let checked_again = check(&restored).await;
    restored.close().await;
    let again = checked_again?;
    if again.rows != checked.rows {
        bail!(
            "restored {} rows but the backup holds {}",
            again.rows,
            checked.rows
        );
    }
    Ok(again)
}

/// The file behind a `sqlite://FILE` URL.
pub fn sqlite_path(url: &str) -> Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not a sqlite:// URL")?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("{url} names no database file");
    }
    Ok(PathBuf::from(path))
}
