//! The matching benchmark's solver alone, without the workspace's `hearth` binary: the same
//! command lines and output as `hearth match` for instances, so `bench/matching/run.sh` can run
//! it through `HEARTH_BIN`.
//!
//! ```text
//! match_bench match --generate NEEDS [--seed S] [--out FILE]   # write a DIMACS instance
//! match_bench match --instance FILE --json                     # {"objective","flow","seconds"}
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use hearth_engine::flow::generate::{MatchingParams, matching};
use hearth_engine::flow::{certificate, dimacs, solve};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("match_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(path) = value("--instance") {
        return solve_file(path);
    }
    let needs = value("--generate")
        .ok_or("pass --instance FILE or --generate NEEDS")?
        .parse()
        .map_err(|e| format!("--generate: {e}"))?;
    let seed = value("--seed").map_or(Ok(1), |s| s.parse().map_err(|e| format!("--seed: {e}")))?;
    generate(needs, seed, value("--out").map(String::as_str))
}

fn solve_file(path: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let network = dimacs::parse(&bytes).map_err(|e| format!("{path}: {e}"))?;
    drop(bytes);
    let start = Instant::now();
    let solution = solve(&network).map_err(|e| format!("{path}: {e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    certificate::check(&network, &solution.flows, &solution.potentials)
        .map_err(|e| format!("{path}: the flow found failed its certificate: {e}"))?;
    println!(
        r#"{{"objective":{},"flow":{},"seconds":{seconds}}}"#,
        solution.objective, solution.shipped
    );
    Ok(())
}

fn generate(needs: usize, seed: u64, out: Option<&str>) -> Result<(), String> {
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
        Some(path) => std::fs::File::create(path)
            .and_then(|mut file| {
                dimacs::write(&network, &comment, &mut file)?;
                file.flush()
            })
            .map_err(|e| format!("cannot write {path}: {e}")),
        None => dimacs::write(&network, &comment, &mut std::io::stdout().lock())
            .map_err(|e| format!("cannot write: {e}")),
    }
}
