//! `hearth match --campaign CODE --as USER [--json]`: the proposal for a running campaign, as
//! a table with the reason per need (zh-CN and English), or one JSON object; with `--apply`,
//! the proposal accepted as it stands; with `--budget YUAN`, what the budget would buy.

use crate::refusal::refusal;
use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use hearth_app::matching::{
    AcceptInput, AcceptedView, MatchingView, NeedMatchView, UnmetView, WhatIfView,
};
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;

use crate::cli::MatchArgs;
use crate::config::{Settings, app_with_keys};

pub async fn run(settings: &Settings, campaign: &str, args: &MatchArgs) -> Result<ExitCode> {
    let Some(username) = args.as_user.as_deref() else {
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
    if let Some(budget) = &args.budget {
        return what_if(&app, &caller, campaign, budget, &args.prices, args.json).await;
    }
    let view = app
        .propose_matching(&caller, campaign)
        .await
        .map_err(refusal)?;
    if args.apply {
        let input = AcceptInput {
            digest: view.digest.clone(),
            lines: None,
        };
        let done = app
            .accept_matching(&caller, campaign, &input)
            .await
            .map_err(refusal)?;
        if args.json {
            println!("{}", serde_json::to_string(&done)?);
        } else {
            print_accepted(&done);
        }
    } else if args.json {
        println!("{}", serde_json::to_string(&view)?);
    } else {
        print_table(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn yuan(text: &str, field: &str) -> Result<Fen> {
    Fen::parse_yuan(text, field).map_err(|e| refusal(e.into()))
}

async fn what_if(
    app: &App,
    caller: &Caller,
    campaign: &str,
    budget: &str,
    prices: &[String],
    json: bool,
) -> Result<ExitCode> {
    let budget = yuan(budget, "budget")?;
    let mut fen = BTreeMap::new();
    for price in prices {
        let Some((item, value)) = price.split_once('=') else {
            bail!("--price {price}: write ITEM=YUAN, e.g. --price heater=300");
        };
        fen.insert(
            item.trim().to_owned(),
            yuan(value, &format!("prices.{item}"))?,
        );
    }
    let view = app
        .matching_what_if(caller, campaign, budget, &fen)
        .await
        .map_err(refusal)?;
    if json {
        println!("{}", serde_json::to_string(&view)?);
    } else {
        print_what_if(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_what_if(view: &WhatIfView) {
    println!(
        "预算 / budget {} 元, 采购 / spent {} 元, 覆盖需求 / needs {}, 惠及户数 / households {}, 仍未满足 / unmet after {}",
        view.budget.yuan_string(),
        view.spent.yuan_string(),
        view.needs_covered,
        view.households_reached,
        view.unmet_units_after
    );
    let quality = if view.exact {
        "最优 / optimal"
    } else {
        "近似 / approximate"
    };
    println!(
        "优先级合计 / priority covered {} ({quality}; 上限 / bound {})",
        view.priority_covered, view.priority_bound
    );
    for line in &view.lines {
        println!(
            "{}\t×{}\t{} 元\t{} 元",
            line.category.code,
            line.quantity,
            line.unit_price.yuan_string(),
            line.total.yuan_string()
        );
    }
    for c in &view.unpriced {
        println!("无参考价，未纳入 / no price, left out: {}", c.code);
    }
}

fn print_accepted(done: &AcceptedView) {
    println!(
        "已采纳 / accepted: 认领 / claims {}, 调拨计划 / transfer plans {}, 户数 / households {}",
        done.claims.len(),
        done.transfers.len(),
        done.households
    );
    for c in &done.claims {
        println!(
            "{}\t{}\t×{}\t{}",
            c.number, c.organization.name, c.quantity, c.pledge_number
        );
    }
    for p in &done.transfers {
        println!(
            "{}\t{} → {}\t{} ×{}",
            p.number, p.from_name, p.to_name, p.item.code, p.quantity
        );
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
