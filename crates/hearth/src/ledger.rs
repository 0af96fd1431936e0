//! `hearth ledger verify`: the ledger's chain and rules, checked from the console.

use anyhow::Result;
use hearth_app::ledger::{BrokenRecord, LedgerVerification, Problem};
use hearth_app::users::Operator;
use hearth_app::{App, Policy};
use std::process::ExitCode;

use crate::config::{Settings, open};

/// Replays the stored ledger; exits 1 when a record is broken or the books disagree.
pub async fn verify(settings: &Settings, json: bool) -> Result<ExitCode> {
    let app = App::new(open(settings).await?, Policy::default());
    let report = app.verify_ledger(Operator::Console).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.is_sound() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &LedgerVerification) {
    let n = report.records;
    match &report.broken {
        Some(broken) => {
            println!(
                "台账链断裂 / ledger chain BROKEN at record {}: {}",
                broken.seq,
                why(broken)
            );
            println!("此前 {n} 条记录完好 / the {n} records before it verify");
        }
        None => println!(
            "台账链完好 / ledger chain verifies: {n} records, head {}",
            report.head.digest
        ),
    }
    for gap in &report.value_gaps {
        println!(
            "账实不符 / books disagree in campaign {}: 库存价值科目 / stock value account {} 元, 库存账 / stock book {} 元",
            gap.campaign,
            gap.ledger.yuan_string(),
            gap.stock.yuan_string()
        );
    }
}

fn why(broken: &BrokenRecord) -> String {
    match &broken.problem {
        Problem::Chain { expected, found } => format!(
            "摘要不符，记录被改动、删除或调换 / its digest does not match, a record was altered, removed or reordered (expected {expected}, found {found})"
        ),
        Problem::Refused {
            field,
            message_zh,
            message_en,
            ..
        } => format!("违反台账规则 / it breaks a rule ({field}): {message_zh} / {message_en}"),
        Problem::Unreadable { detail } => format!("无法读取 / it cannot be read: {detail}"),
        Problem::Head { stored, reached } => format!(
            "链头指向第 {0} 条，记录到第 {1} 条为止 / the head names record {0} but the records reach record {1}",
            stored.seq, reached
        ),
    }
}
