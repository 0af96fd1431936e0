//! `hearth`: the server and the command line in one binary.
//!
//! Error policy: subcommands return `anyhow::Result`; a use-case refusal is printed in Chinese
//! and English with the field at fault, and the process exits non-zero.

mod areas;
mod backup;
mod cli;
mod config;
mod dedup;
mod demo;
mod import;
mod ledger;
mod matching;
mod migrate_db;
mod refusal;
mod users;

use anyhow::Result;
use clap::Parser;

/// mimalloc rather than the system's allocator: an import allocates and frees small values for
/// every cell and statement, and with glibc's allocator that was over half of the
/// application's time (12% off a 100,000-row import; README, import benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_logging();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误 / error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let json = std::env::var("HEARTH_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: cli::Cli) -> Result<std::process::ExitCode> {
    use cli::Command;
    let settings = config::Settings::resolve(&cli.global)?;
    match cli.command {
        Command::Init => config::init(&settings).await,
        Command::Migrate => config::migrate(&settings).await,
        Command::Serve(args) => config::serve(&settings, args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::User(command) => users::run(&settings, command).await,
        Command::Audit(cli::AuditCommand::Verify { json }) => {
            config::verify_audit(&settings, json).await
        }
        Command::Ledger(cli::LedgerCommand::Verify { json }) => {
            ledger::verify(&settings, json).await
        }
        Command::Keys(cli::KeysCommand::Rotate) => config::rotate_keys(&settings).await,
        Command::Keys(cli::KeysCommand::Retire { id }) => config::retire_key(&settings, &id).await,
        Command::Purge => config::purge(&settings).await,
        Command::Match(args) => matching::run(&settings, args).await,
        Command::Backup { file } => backup::backup(&settings, &file).await,
        Command::Restore { file, force } => backup::restore(&settings, &file, force).await,
        Command::MigrateDb { from, to } => migrate_db::run(&from, &to).await,
        Command::Dedup(args) => dedup::run(&settings, &args).await,
        Command::Import(command) => import::run(&settings, command).await,
        Command::Areas(cli::AreasCommand::Load(args)) => areas::load(&settings, &args).await,
        Command::Template(command) => import::template(&settings, command).await,
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&hearth_web::api::openapi())?
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
