//! `hearth demo`: a fresh demo database in its own folder, never a real one.

use crate::cli::DemoArgs;
use crate::config::listen_and_serve;
use anyhow::{Context, Result, bail};
use hearth_app::demo::{DEMO_PASSWORD, DEMO_USERS};
use hearth_app::{App, Policy};
use hearth_store::Store;
use hearth_store::keys::KeyRing;
use hearth_web::WebConfig;
use std::process::ExitCode;

/// Marks a folder as holding demo data, so `--force` may replace it and a restart reuses it.
const MARKER: &str = "DEMO-DATA-示例数据.txt";

pub async fn run(args: DemoArgs) -> Result<ExitCode> {
    let dir = &args.data_dir;
    let database = dir.join("hearth.db");
    let marker = dir.join(MARKER);
    let exists = database.exists();
    if exists && !marker.exists() {
        bail!(
            "{} holds a database that is not demo data; refusing to touch it. Choose another --data-dir.",
            dir.display()
        );
    }
    if exists && args.force {
        for name in ["hearth.db", "hearth.db-wal", "hearth.db-shm"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        &marker,
        "This folder holds Hearth demo data: synthetic, not real people.\n本目录为 Hearth 演示数据，均为虚构。\n",
    )?;
    let (keys, _) = KeyRing::load_or_create(&dir.join("hearth.key"))?;
    let url = format!("sqlite://{}", database.display());
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    store.migrate().await?;
    let fresh = !exists || args.force;
    let app = App::new(store, Policy::default()).with_keys(keys);
    if fresh {
        let summary = app.seed_demo().await?;
        let donations = app.seed_demo_money().await?;
        println!(
            "演示数据已生成 / demo data created in {}: {} 个区划 areas, {} 家社会组织 organizations, {} 个账号 accounts, {} 户困难家庭 households, {} 个帮扶活动 campaign ({}), {} 份承诺书 pledges, {} 笔捐赠 donations",
            dir.display(),
            summary.areas,
            summary.organizations,
            summary.users,
            summary.households,
            summary.campaigns,
            hearth_app::demo::DEMO_CAMPAIGN,
            summary.pledges,
            donations
        );
    } else {
        println!(
            "沿用已有演示数据 / reusing the demo data in {} (use --force for a fresh copy)",
            dir.display()
        );
    }
    println!("演示账号 / demo sign-ins (password 密码: {DEMO_PASSWORD}):");
    for (username, role, _) in DEMO_USERS {
        println!("  {username:<10} {role}");
    }
    listen_and_serve(
        app,
        &args.listen,
        WebConfig {
            demo: true,
            secure_cookies: false,
        },
    )
    .await
}
