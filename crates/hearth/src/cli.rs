//! The command-line contract. Scripts depend on it: change with care.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "暖冬行动协同平台 Hearth — the county charity-action platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone, Debug)]
pub struct Global {
    /// sqlite://FILE or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "HEARTH_DATABASE_URL")]
    pub database: Option<String>,
    /// The key file that protects personal data (created by `hearth init`).
    #[arg(long, global = true, env = "HEARTH_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// A TOML file with `database`, `key_file`, `listen` and `secure_cookies`; flags win over it.
    #[arg(long, global = true, env = "HEARTH_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create or migrate the database and create the key file if missing.
    Init,
    /// Apply the database migrations this binary carries.
    Migrate,
    /// Serve the web app and the API.
    Serve(ServeArgs),
    /// Create a demo database with synthetic data and serve it.
    Demo(DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The ledger of money and materials.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Print the OpenAPI document of /api/v1.
    Openapi,
    /// The keys that protect personal data.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Anonymise households whose retention period has ended (statistics are kept).
    Purge,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new key and re-encrypt every protected field under it, in one transaction.
    Rotate,
    /// Remove an old key from the key file once nothing is sealed under it.
    Retire { id: String },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HEARTH_LISTEN")]
    pub listen: Option<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Where the demo database and key file live.
    #[arg(long, default_value = "hearth-demo")]
    pub data_dir: PathBuf,
    /// Replace an existing demo database in the folder with a fresh one.
    #[arg(long)]
    pub force: bool,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account.
    Add(UserAdd),
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new password that must be changed at next sign-in.
    ResetPassword {
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
}

#[derive(Args)]
pub struct UserAdd {
    #[arg(long)]
    pub username: String,
    /// county_admin, town_officer, village_officer, org_member, auditor, system_admin, security_admin, audit_admin
    #[arg(long)]
    pub role: String,
    #[arg(long, default_value = "")]
    pub display_name: String,
    /// 12-digit area code (for county, town and village roles and auditors).
    #[arg(long, default_value = "")]
    pub area: String,
    /// Organization id or credit code (for organization members).
    #[arg(long, default_value = "")]
    pub organization: String,
    #[command(flatten)]
    pub password: PasswordArgs,
}

#[derive(Args)]
pub struct PasswordArgs {
    /// The password (visible to other local users in the process list; prefer --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

impl PasswordArgs {
    pub fn read(&self) -> anyhow::Result<String> {
        if let Some(password) = &self.password {
            return Ok(password.clone());
        }
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
        }
        anyhow::bail!("give the password with --password-stdin (or --password)")
    }
}

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Replay every entry and movement through the ledger's rules and recompute the hash
    /// chain; exits 1 and names the first broken record if one was altered or breaks a rule.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exits 1 and names the first broken link if a row was altered.
    Verify {
        #[arg(long)]
        json: bool,
    },
}
