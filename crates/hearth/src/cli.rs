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
    /// Write a consistent copy of the whole database to FILE (a SQLite file), while serving.
    Backup { file: PathBuf },
    /// Restore a backup made by `hearth backup` into the configured database.
    Restore {
        file: PathBuf,
        /// SQLite: replace a database that holds data (the old file is kept, renamed).
        #[arg(long)]
        force: bool,
    },
    /// Copy everything into a new, empty database (e.g. SQLite to PostgreSQL) and verify it.
    MigrateDb {
        /// The database to copy from, e.g. sqlite://hearth.db
        #[arg(long)]
        from: String,
        /// The new, empty database, e.g. postgres://hearth@db.example/hearth
        #[arg(long)]
        to: String,
    },
    /// Find records that describe one household (identity resolution).
    Dedup(DedupArgs),
    /// Precise matching (精准匹配): solve a min-cost-flow instance or generate one.
    Match(MatchArgs),
    /// Import a spreadsheet (.xlsx, .xls, .csv in UTF-8 or GBK).
    #[command(subcommand)]
    Import(ImportCommand),
    /// The administrative divisions (province, city, county, town, village).
    #[command(subcommand)]
    Areas(AreasCommand),
    /// Write an import template.
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Households with their needs: one household a row.
    Households(ImportArgs),
    /// Organizations for the registry (credit codes checked): one organization a row.
    Organizations(ImportArgs),
    /// Donations into the campaign named by --campaign: one donation (or item given) a row.
    Donations(ImportArgs),
    /// Items for the catalogue: one item a row.
    Items(ImportArgs),
    /// User accounts (first passwords must be changed at first sign-in): one account a row.
    Users(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// The campaign (code or id) the needs on the rows are recorded in.
    #[arg(long)]
    pub campaign: Option<String>,
    /// Check every row and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// all-or-nothing (nothing is written if a row is refused) or valid-rows.
    #[arg(long, default_value = "all-or-nothing")]
    pub mode: String,
    /// What to do with a household already registered: skip or update (drafts and returned only).
    #[arg(long, default_value = "skip")]
    pub existing: String,
    /// Write the refused and skipped rows with a 错误原因 column to this .xlsx file.
    #[arg(long)]
    pub errors: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// The account the rows are entered by (needed unless --dry-run): a town or village officer
    /// for households, the county administrator for organizations and items, a recorder of
    /// donations, the system administrator for users.
    #[arg(long = "as", env = "HEARTH_IMPORT_AS")]
    pub as_user: Option<String>,
}

#[derive(Subcommand)]
pub enum AreasCommand {
    /// Add or update divisions from a CSV file (`code,name,level,parent,note`, optional
    /// `short_name` and `example`; UTF-8 or GBK), all or none: one wrong row refuses the file.
    Load(AreasLoadArgs),
}

#[derive(Args)]
pub struct AreasLoadArgs {
    pub file: PathBuf,
    /// The account loading (its rules apply: a county administrator only inside its county).
    /// Without it the file is loaded as the deployment's operator, who may add any county.
    #[arg(long = "as", env = "HEARTH_AREAS_AS")]
    pub as_user: Option<String>,
    /// Print `{"loaded": N}` on success.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum TemplateCommand {
    /// The household template with dropdowns for the county's towns, villages and items.
    Households { file: PathBuf },
    /// The organization template.
    Organizations { file: PathBuf },
    /// The donation template with dropdowns for kinds, channels and items.
    Donations { file: PathBuf },
    /// The item catalogue template.
    Items { file: PathBuf },
    /// The user account template with dropdowns for roles and areas.
    Users { file: PathBuf },
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["instance", "generate", "campaign"])))]
pub struct MatchArgs {
    /// Solve a DIMACS min-cost-flow file and print its optimal cost.
    #[arg(long, value_name = "FILE")]
    pub instance: Option<PathBuf>,
    /// Write a benchmark instance (DIMACS) with this many needs, about 8 candidates each.
    #[arg(long, value_name = "NEEDS")]
    pub generate: Option<usize>,
    /// Seed of the generated instance.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the generated instance (default: standard output).
    #[arg(long, value_name = "FILE", requires = "generate")]
    pub out: Option<PathBuf>,
    /// Propose the matching of a running campaign (code or id), with the reason per need.
    #[arg(long, value_name = "CODE")]
    pub campaign: Option<String>,
    /// The county administrator asking for the proposal (with --campaign).
    #[arg(long = "as", env = "HEARTH_MATCH_AS", requires = "campaign")]
    pub as_user: Option<String>,
    /// Accept the campaign's proposal as it stands: claims, pledge lines and transfer plans, in
    /// one transaction (with --campaign).
    #[arg(long, requires = "campaign", conflicts_with = "budget")]
    pub apply: bool,
    /// What this budget (yuan) would buy for the needs the proposal leaves unmet, at the
    /// catalogue's reference prices (with --campaign).
    #[arg(long, value_name = "YUAN", requires = "campaign")]
    pub budget: Option<String>,
    /// A unit price for the what-if, `ITEM=YUAN` (repeatable; with --budget).
    #[arg(long = "price", value_name = "ITEM=YUAN", requires = "budget")]
    pub prices: Vec<String>,
    /// Print one JSON object: {"objective", "flow", "seconds"}, or the proposal.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Add a new key and re-encrypt every protected field under it, in one transaction.
    Rotate,
    /// Remove an old key from the key file once nothing is sealed under it.
    Retire { id: String },
}

#[derive(Args)]
pub struct DedupArgs {
    /// A CSV file with the columns name, id_number, phone, birth_date, village, address.
    /// Without it the registry is searched and the pairs found are queued for review.
    #[arg(long, conflicts_with = "campaign")]
    pub file: Option<std::path::PathBuf>,
    /// Only pairs touching this campaign's households (registry search).
    #[arg(long)]
    pub campaign: Option<String>,
    /// The county administrator the registry search is run for (it is audit-logged).
    #[arg(long = "as", env = "HEARTH_DEDUP_AS")]
    pub as_user: Option<String>,
    /// Print `{"records", "clusters": [[row numbers]], "seconds"}` as JSON (with --file), or
    /// the registry search's summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HEARTH_LISTEN")]
    pub listen: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); HSTS and Secure cookies follow.
    #[arg(long, env = "HEARTH_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "HEARTH_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
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
    /// Give the account a one-time-code second factor (TOTP); prints the secret for its app.
    TotpEnroll { username: String },
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
