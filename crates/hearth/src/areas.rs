//! `hearth areas load FILE [--as USER]`: adds a county's (or city's, province's) divisions from
//! a CSV file, under the rules of the `/areas` page: the whole file or nothing, every wrong row
//! named with its line and reason.

use crate::refusal::refusal;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use hearth_app::{App, AppError, Policy};

use crate::cli::AreasLoadArgs;
use crate::config::{Settings, open};

pub async fn load(settings: &Settings, args: &AreasLoadArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = decode(&bytes);
    // Divisions are not sealed: no key file is needed.
    let app = App::new(open(settings).await?, Policy::default());
    let who = args.as_user.as_deref();
    let loaded = app
        .load_divisions_at_console(who, &text)
        .await
        .map_err(|e| refused(who.unwrap_or_default(), e))?;
    if args.json {
        println!("{}", serde_json::json!({ "loaded": loaded }));
    } else {
        println!("已载入 {loaded} 条区划 / loaded {loaded} divisions");
    }
    Ok(ExitCode::SUCCESS)
}

/// Excel on Chinese Windows saves CSV as GBK; UTF-8 may carry a byte-order mark.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{FEFF}').unwrap_or(text).to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Every refused row on its own line, `row N.column: 中文 / English`.
fn refused(username: &str, e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow!("no account named {username}"),
        AppError::Disabled => anyhow!("the account {username} is disabled"),
        AppError::Forbidden => anyhow!("{username} may not load divisions"),
        other => refusal(other),
    }
}
