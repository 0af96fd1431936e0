//! `hearth dedup --file FILE.csv`: which rows of a spreadsheet describe one household; and
//! `hearth dedup [--campaign CODE] --as USER`: the same over the registry, through its blind
//! indexes, queueing the pairs found for review.
//!
//! The file needs a header row naming the columns `name`, `id_number`, `phone`, `birth_date`,
//! `village` and `address` (any order, other columns ignored); UTF-8 with or without a byte-order
//! mark, or GB18030/GBK as Excel saves CSV on Chinese Windows. Rows are numbered from 1 after the
//! header, as a clerk counts them.

use crate::refusal::refusal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use hearth_app::AppError;
use hearth_engine::identity::{self, Config, Record, Records, Resolution};
use serde::Serialize;

use crate::cli::DedupArgs;
use crate::config::{Settings, app_with_keys};

const COLUMNS: [&str; 6] = [
    "name",
    "id_number",
    "phone",
    "birth_date",
    "village",
    "address",
];

#[derive(Serialize)]
struct Phases {
    read: f64,
    blocking: f64,
    scoring: f64,
    clustering: f64,
}

#[derive(Serialize)]
struct Report {
    records: usize,
    /// Row numbers (1-based, header excluded) of each cluster of two or more rows.
    clusters: Vec<Vec<u64>>,
    seconds: f64,
    candidate_pairs: usize,
    phases: Phases,
}

pub async fn run(settings: &Settings, args: &DedupArgs) -> Result<ExitCode> {
    match &args.file {
        Some(file) => run_file(file, args.json),
        None => run_registry(settings, args).await,
    }
}

/// `hearth dedup [--campaign CODE] --as USER [--json]`: the registry through its blind
/// indexes; the pairs found are queued for review at `/identity`.
async fn run_registry(settings: &Settings, args: &DedupArgs) -> Result<ExitCode> {
    let Some(username) = args.as_user.as_deref() else {
        bail!("name the county administrator searching: --as USERNAME (or HEARTH_DEDUP_AS)");
    };
    let app = app_with_keys(settings).await?;
    let caller = app
        .county_admin_for_console(username)
        .await
        .map_err(|e| match e {
            AppError::NotFound => anyhow!("no user named {username}"),
            AppError::Forbidden => anyhow!("{username} is not a county administrator"),
            other => refusal(other),
        })?;
    let summary = app
        .find_duplicates(&caller, args.campaign.as_deref())
        .await
        .map_err(refusal)?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} 户 / households; {} 组疑似重复 / groups of likely duplicates; 新增待审核 / newly queued pairs {}; 待处理 / waiting {} ({:.2} s)",
        summary.records,
        summary.clusters.len(),
        summary.new_pairs,
        summary.open_pairs,
        summary.seconds
    );
    for cluster in &summary.clusters {
        let list: Vec<String> = cluster
            .iter()
            .map(|h| format!("{} {} [{}]", h.head_name, h.head_id, h.id))
            .collect();
        println!("{}", list.join("  ~  "));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_file(file: &Path, json: bool) -> Result<ExitCode> {
    let start = Instant::now();
    let records = read_file(file)?;
    let read = start.elapsed();
    let resolution = identity::resolve(&records, &identity::plain_keys(), &Config::default());
    let report = report(&records, &resolution, read.as_secs_f64(), start);
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn report(records: &Records, resolution: &Resolution, read: f64, start: Instant) -> Report {
    let t = &resolution.timings;
    Report {
        records: records.len(),
        clusters: resolution
            .clusters
            .iter()
            .map(|c| c.iter().map(|&i| u64::from(i) + 1).collect())
            .collect(),
        seconds: start.elapsed().as_secs_f64(),
        candidate_pairs: resolution.blocking.candidate_pairs,
        phases: Phases {
            read,
            blocking: t.blocking.as_secs_f64(),
            scoring: t.scoring.as_secs_f64(),
            clustering: t.clustering.as_secs_f64(),
        },
    }
}

fn print_text(report: &Report) {
    let rows: usize = report.clusters.iter().map(Vec::len).sum();
    println!(
        "{} records; {} groups of likely duplicates covering {} rows ({:.2} s)",
        report.records,
        report.clusters.len(),
        rows,
        report.seconds
    );
    for cluster in &report.clusters {
        let list: Vec<String> = cluster.iter().map(u64::to_string).collect();
        println!("rows {}", list.join(", "));
    }
}

/// The file as text: UTF-8 if it is valid UTF-8, else GB18030 (a superset of GBK).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{FEFF}').unwrap_or(text).to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn read_file(path: &Path) -> Result<Records> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = decode(&bytes);
    drop(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .clone();
    let mut at = [0usize; 6];
    for (slot, column) in at.iter_mut().zip(COLUMNS) {
        *slot = match header.iter().position(|h| h.trim() == column) {
            Some(i) => i,
            None => bail!(
                "{}: the header has no column `{column}` (needed: {})",
                path.display(),
                COLUMNS.join(", ")
            ),
        };
    }
    let mut records = Records::new();
    let mut row = csv::StringRecord::new();
    let mut number = 0u64;
    loop {
        number += 1;
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => bail!("{}: row {number}: {e}", path.display()),
        }
        let field = |k: usize| row.get(at[k]).unwrap_or("");
        records.push(&Record {
            name: field(0),
            id_number: field(1),
            phone: field(2),
            birth_date: field(3),
            village: field(4),
            address: field(5),
            members: &[],
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("hearth-dedup-{}-{name}.csv", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        path
    }

    #[test]
    fn rows_are_numbered_from_one_after_the_header() {
        let path = temp_csv(
            "rows",
            "village,name,id_number,phone,birth_date,address,note\n\
             三岗村,张伟,340123195803122310,,1958-03-12,王郢组12号,\n\
             柳湾村,李华,340123197001011124,,,,\n\
             三岗,章伟,340123195803122370,,,三岗王郢12号,copy\n",
        );
        let records = read_file(&path).expect("readable");
        let resolution = identity::resolve(&records, &identity::plain_keys(), &Config::default());
        let report = report(&records, &resolution, 0.0, Instant::now());
        assert_eq!(report.records, 3);
        assert_eq!(report.clusters, vec![vec![1, 3]]);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn a_missing_column_or_a_short_row_is_named() {
        let no_phone = temp_csv("header", "name,id_number,birth_date,village,address\n");
        let err = read_file(&no_phone)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("`phone`"), "{err}");
        let short = temp_csv(
            "short",
            "name,id_number,phone,birth_date,village,address\na,b,c,d,e,f\ng,h\n",
        );
        let err = read_file(&short)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("row 2"), "{err}");
        std::fs::remove_file(no_phone).ok();
        std::fs::remove_file(short).ok();
    }

    #[test]
    fn gbk_files_are_read() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,张三");
        assert_eq!(decode(&bytes), "姓名,张三");
        assert_eq!(decode("\u{FEFF}name".as_bytes()), "name");
    }
}
