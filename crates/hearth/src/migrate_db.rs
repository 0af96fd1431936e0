//! `hearth migrate-db --from URL --to URL`: a county outgrowing its SQLite file moves everything
//! into a new PostgreSQL database (or back). Every table is copied in one transaction from one
//! snapshot; row counts are compared table by table, then the audit and ledger chains are walked
//! on the target. Sealed fields are copied as stored, so the same key file keeps opening them.

use crate::backup::{check, print_checked};
use crate::config::redact;
use anyhow::{Context, Result, bail};
use hearth_store::{Store, copy};
use std::process::ExitCode;

pub async fn run(from: &str, to: &str) -> Result<ExitCode> {
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = connect(from, "--from").await?;
    let target = match connect(to, "--to").await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e);
        }
    };
    let outcome = copy_and_check(&source, &target).await;
    source.close().await;
    target.close().await;
    let (report, checked) = outcome?;
    for (table, rows) in &report.tables {
        println!("  {table}: {rows}");
    }
    println!(
        "已复制 {} 张表 / copied {} tables from {} to {}",
        report.tables.len(),
        report.tables.len(),
        redact(from),
        redact(to)
    );
    print_checked(&checked);
    println!(
        "请把 HEARTH_DATABASE_URL 改为新库；密钥文件不变 / point HEARTH_DATABASE_URL at the new database; keep the same key file"
    );
    Ok(ExitCode::SUCCESS)
}

async fn connect(url: &str, flag: &str) -> Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("{flag}: cannot open {}", redact(url)))?;
    if let Err(e) = store.migrate().await {
        store.close().await;
        return Err(e).with_context(|| format!("{flag}: cannot migrate {}", redact(url)));
    }
    Ok(store)
}

async fn copy_and_check(
    source: &Store,
    target: &Store,
) -> Result<(copy::CopyReport, crate::backup::Checked)> {
    if let Some((table, rows)) = copy::holds_data(target).await? {
        bail!(
            "目标数据库已有数据（{table} 表 {rows} 行），拒绝覆盖 / the target database holds data ({table}: {rows} rows); migrate-db only writes into a new, empty database"
        );
    }
    let report = copy::copy_all(source, target)
        .await
        .context("the copy failed; the target was left as it was")?;
    let checked = check(target)
        .await
        .context("the copy was written but does not verify on the target")?;
    Ok((report, checked))
}
