//! `hearth match --campaign CODE --as USER [--json]`: the proposal for a running campaign, as
//! a table with the reason per need (zh-CN and English), or one JSON object.

use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use hearth_app::AppError;
use hearth_app::matching::{MatchingView, NeedMatchView, UnmetView};
use hearth_core::Lang;

use crate::config::{Settings, app_with_keys};

pub async fn propose(
    settings: &Settings,
    campaign: &str,
    as_user: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let Some(username) = as_user else {
        bail!("name the county administrator asking: --as USERNAME (or HEARTH_MATCH_AS)");
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
    let view = app
        .propose_matching(&caller, campaign)
        .await
        .map_err(refusal)?;
    if json {
        println!("{}", serde_json::to_string(&view)?);
    } else {
        print_table(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn refusal(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(list) => anyhow!(
            "{}",
            list.iter()
                .map(|i| format!(
                    "{}: {} / {}",
                    i.field(),
                    i.message(Lang::ZhCn),
                    i.message(Lang::En)
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.into(),
    }
}

fn print_table(view: &MatchingView) {
    println!(
        "活动 / campaign {}: 需求 / needs {}, 满足 / served {}, 未满足 / unmet {}, 惠及户数 / households {}",
        view.campaign_code,
        view.needs_considered,
        view.served_units,
        view.unmet_units,
        view.households_served
    );
    for need in &view.needs {
        println!("{}", line(need));
    }
}

fn line(need: &NeedMatchView) -> String {
    let what = if need.category.name.is_empty() {
        need.category.code.clone()
    } else {
        need.category.name.clone()
    };
    let mut parts: Vec<String> = need
        .served
        .iter()
        .map(|s| {
            let pairing = if s.continuation {
                ", 续结对 / continued"
            } else {
                ""
            };
            format!(
                "{} ×{} ({:?}{pairing})",
                s.supplier.name, s.quantity, s.tier
            )
        })
        .collect();
    if let Some(unmet) = &need.unmet {
        parts.push(unmet_text(unmet));
    }
    format!(
        "{}\t{}\t{}{}\t{} ×{}\tP{}\t{}",
        need.number,
        need.head_name,
        need.town_name,
        need.village_name,
        what,
        need.requested,
        need.priority,
        parts.join("; ")
    )
}

fn unmet_text(unmet: &UnmetView) -> String {
    let nearest = unmet.nearest.as_ref().map_or(String::new(), |s| {
        format!(
            ", 最近富余 / nearest surplus: {} {} ({})",
            s.town_name, s.supplier.name, s.quantity
        )
    });
    format!(
        "未满足 / unmet {}: {} {}{}",
        unmet.quantity,
        unmet.code,
        unmet.other_need.as_deref().unwrap_or(&unmet.town_name),
        nearest
    )
}
