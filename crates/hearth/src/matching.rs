//! `hearth match`: propose a campaign's matching (`--campaign CODE --as USER`), accept it
//! (`--apply`) or price a budget (`--budget YUAN`); solve a DIMACS min-cost-flow instance; or
//! write a generated benchmark instance.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use hearth_engine::flow::generate::{MatchingParams, matching};
use hearth_engine::flow::{SolveError, certificate, dimacs, solve};
use serde::Serialize;

use crate::cli::MatchArgs;
use crate::config::Settings;

mod campaign;

/// The `--json` line. `flow` is the number of units shipped (the sum of the supplies);
/// `seconds` times the solver only, not reading the file.
#[derive(Serialize)]
struct Report {
    objective: i128,
    flow: i64,
    seconds: f64,
}

pub async fn run(settings: &Settings, args: MatchArgs) -> Result<ExitCode> {
    if let Some(campaign) = &args.campaign {
        return campaign::run(settings, campaign, &args).await;
    }
    match (&args.instance, args.generate) {
        (Some(path), _) => solve_instance(path, args.json),
        (None, Some(needs)) => generate(needs, args.seed, args.out.as_deref()),
        (None, None) => Err(anyhow!(
            "pass --campaign CODE, --instance FILE or --generate NEEDS"
        )),
    }
}

fn solve_instance(path: &Path, json: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let network = dimacs::parse(&bytes)
        .with_context(|| format!("{} is not a DIMACS min-cost-flow file", path.display()))?;
    drop(bytes);
    let start = Instant::now();
    let solution = solve(&network).map_err(|e| explain(e, path))?;
    let seconds = start.elapsed().as_secs_f64();
    certificate::check(&network, &solution.flows, &solution.potentials)
        .context("internal error: the flow found failed its optimality certificate")?;
    let report = Report {
        objective: solution.objective,
        flow: solution.shipped,
        seconds,
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("最优总成本 / optimal cost: {}", report.objective);
        println!("调运总量 / units shipped: {}", report.flow);
        println!("求解用时 / solver time: {:.3} s", report.seconds);
    }
    Ok(ExitCode::SUCCESS)
}

/// Solver errors in the file's own (1-based) node numbers.
fn explain(error: SolveError, path: &Path) -> anyhow::Error {
    match error {
        SolveError::Infeasible {
            node,
            reachable,
            supply,
            capacity,
        } => anyhow!(
            "{}: no feasible flow: the {reachable} nodes that node {} can send to hold a net \
             supply of {supply} but the arcs leaving them carry at most {capacity}",
            path.display(),
            u64::from(node) + 1
        ),
        other => anyhow!("{}: {other}", path.display()),
    }
}

fn generate(needs: usize, seed: u64, out: Option<&Path>) -> Result<ExitCode> {
    let params = MatchingParams {
        seed,
        needs,
        candidates: 8,
    };
    let network = matching(&params);
    let comment = format!(
        "hearth matching benchmark: {needs} needs, about 8 candidate supplies each, seed {seed}\n\
         nodes: supplies, needs, then the unmet source and the surplus sink"
    );
    match out {
        Some(path) => {
            let mut file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            dimacs::write(&network, &comment, &mut file)?;
            file.flush()?;
        }
        None => dimacs::write(&network, &comment, &mut std::io::stdout().lock())?,
    }
    Ok(ExitCode::SUCCESS)
}
