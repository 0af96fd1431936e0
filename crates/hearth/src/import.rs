//! `hearth import <kind> FILE …` and `hearth template <kind> FILE.xlsx` for households,
//! organizations, donations, items and users: the county's spreadsheets from the console. With
//! `--json` stdout is exactly one JSON object, the same shape for every kind (scripts depend on
//! it); progress goes to stderr. Exit status 1 when a row was refused.

use crate::cli::{ImportArgs, ImportCommand, TemplateCommand};
use crate::config::{Settings, app_with_keys};
use crate::refusal::refusal;
use anyhow::{Context, Result};
use hearth_app::imports::{
    Existing, ImportFile, ImportKind, ImportMode, ImportReport, ImportRequest, Importer,
};
use hearth_app::{App, AppError};
use hearth_core::Lang;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(settings: &Settings, command: ImportCommand) -> Result<ExitCode> {
    let (kind, args) = match command {
        ImportCommand::Households(args) => (ImportKind::Households, args),
        ImportCommand::Organizations(args) => (ImportKind::Organizations, args),
        ImportCommand::Donations(args) => (ImportKind::Donations, args),
        ImportCommand::Items(args) => (ImportKind::Items, args),
        ImportCommand::Users(args) => (ImportKind::Users, args),
    };
    let app = app_with_keys(settings).await?;
    // Named here, before any row is read; the rows are then read from the file as needed.
    std::fs::File::open(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let request = ImportRequest {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file: ImportFile::OnDisk(args.file.clone()),
        campaign: args.campaign.clone(),
        dry_run: args.dry_run,
        mode: ImportMode::parse(&args.mode).map_err(refusal)?,
        existing: Existing::parse(&args.existing).map_err(refusal)?,
    };
    let caller = match &args.as_user {
        Some(name) => Some(
            app.importer_for_console(name, kind)
                .await
                .map_err(|e| officer_refused(name, kind, e))?,
        ),
        None if args.dry_run => None,
        None => anyhow::bail!(
            "name the account the rows are entered by: --as USERNAME (or HEARTH_IMPORT_AS); only --dry-run works without one"
        ),
    };
    let importer = caller.as_ref().map_or(Importer::Console, Importer::Officer);
    let progress = |done: u32, total: u32| {
        if done == total || done.is_multiple_of(500) {
            eprint!("\r导入进度 / progress: {done}/{total}");
            if done == total {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    };
    let report = app
        .import_sheet(kind, importer, &request, &progress)
        .await
        .map_err(refusal)?;
    write_errors(&args, &report)?;
    print_report(&args, &report)?;
    Ok(if report.rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn officer_refused(name: &str, kind: ImportKind, e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow::anyhow!("no account named {name}"),
        AppError::Forbidden if kind == ImportKind::Households => anyhow::anyhow!(
            "{name} is not a town or village officer, who alone register households"
        ),
        AppError::Forbidden => {
            anyhow::anyhow!("{name} may not import {}", kind.as_str())
        }
        other => refusal(other),
    }
}

/// A refusal of the whole file (unreadable, no header, unknown campaign) in both languages.
fn write_errors(args: &ImportArgs, report: &ImportReport) -> Result<()> {
    let Some(path) = &args.errors else {
        return Ok(());
    };
    let bytes = report.error_rows.to_xlsx(Lang::ZhCn)?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The contract: `{"rows_read", "accepted", "rejected", "duplicates", "accepted_rows",
/// "errors": [{"row", "column", "reason"}]}`, and `"likely_matches"`: household rows that likely
/// match a registered household under another ID number (`row`, masked `head_name` and
/// `head_id`, `household_id`, `score_milli`, `evidence`), empty for the other kinds.
fn contract(report: &ImportReport) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = report
        .problems
        .iter()
        .map(|p| serde_json::json!({"row": p.row, "column": p.column, "reason": p.reason_zh}))
        .collect();
    serde_json::json!({
        "rows_read": report.rows_read,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
        "accepted_rows": report.accepted_rows,
        "errors": errors,
        "likely_matches": report.likely_matches,
    })
}

fn print_report(args: &ImportArgs, report: &ImportReport) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(&contract(report))?);
        return Ok(());
    }
    let state = match (args.dry_run, report.committed) {
        (true, _) => "仅校验，未写入 / checked only, nothing written",
        (false, true) => "已导入 / imported",
        (false, false) => "有错误，全部未导入 / refused rows: nothing imported",
    };
    println!("{state}");
    println!(
        "读取 {} 行，通过 {}，错误 {}，重复 {} / rows read {}, accepted {}, rejected {}, duplicates {}",
        report.rows_read,
        report.accepted,
        report.rejected,
        report.duplicates,
        report.rows_read,
        report.accepted,
        report.rejected,
        report.duplicates
    );
    if report.needs_recorded + report.needs_pending > 0 {
        println!(
            "需求：已登记 {}，待户审核通过后登记 {} / needs: recorded {}, waiting for approval {}",
            report.needs_recorded,
            report.needs_pending,
            report.needs_recorded,
            report.needs_pending
        );
    }
    for p in &report.problems {
        println!("第{}行【{}】{}", p.row, p.column, p.reason_zh);
    }
    Ok(())
}

pub async fn template(settings: &Settings, command: TemplateCommand) -> Result<ExitCode> {
    let (kind, file) = match command {
        TemplateCommand::Households { file } => (ImportKind::Households, file),
        TemplateCommand::Organizations { file } => (ImportKind::Organizations, file),
        TemplateCommand::Donations { file } => (ImportKind::Donations, file),
        TemplateCommand::Items { file } => (ImportKind::Items, file),
        TemplateCommand::Users { file } => (ImportKind::Users, file),
    };
    let app = App::new(
        crate::config::open(settings).await?,
        hearth_app::Policy::default(),
    );
    let bytes = app
        .import_template(kind, None, Lang::ZhCn)
        .await
        .map_err(refusal)?;
    std::fs::write(&file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    println!("已生成模板 / template written: {}", file.display());
    Ok(ExitCode::SUCCESS)
}
