//! `hearth backup`, `hearth restore` and `hearth migrate-db`, run as an operator would: nothing
//! is lost, the chains verify, the same key file opens sealed fields, and data is never
//! overwritten by accident.

use super::{demo_under, hearth, sign_in_county, stored, text};
use hearth_store::copy::table_counts;
use hearth_store::testing::{TestDb, each_backend};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `hearth` against any database URL (the helper in main.rs uses the test database's).
fn hearth_at(url: &str, key: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", url)
        .env("HEARTH_KEY_FILE", key)
        .env_remove("HEARTH_KEYS")
        .env_remove("HEARTH_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run hearth")
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Demo households, pledges, deliveries, money and materials: every kind of row there is.
async fn full_demo(db: &TestDb, key: &Path) -> hearth_app::App {
    let (app, _) = demo_under(db, key).await;
    app.seed_demo_money().await.expect("seed the demo's money");
    app
}

/// What a reader sees of one household in full: it opens only with the right key.
async fn revealed(app: &hearth_app::App, id: uuid::Uuid) -> (String, String) {
    let county = sign_in_county(app).await;
    let shown = app
        .reveal_household(&county, id, "备份核对")
        .await
        .expect("the household opens with the key file");
    (shown.members[0].id_number.clone(), shown.phone.clone())
}

fn app_on(store: &hearth_store::Store, key: &Path) -> hearth_app::App {
    let ring = hearth_store::keys::KeyRing::load(key).expect("key file");
    hearth_app::App::new(store.clone(), hearth_app::Policy::default()).with_keys(ring)
}

fn assert_chains_verify(url: &str, key: &Path) {
    for what in ["audit", "ledger"] {
        let verify = hearth_at(url, key, &[what, "verify"]);
        assert!(verify.status.success(), "{what}: {}", text(&verify));
    }
}

fn non_empty(counts: &BTreeMap<String, i64>) -> usize {
    counts.values().filter(|n| **n > 0).count()
}

#[tokio::test]
async fn a_backup_restores_with_every_row_the_chains_and_the_sealed_fields() {
    each_backend(async |db| {
        let dir = temp_dir();
        let key = dir.join("hearth.key");
        assert!(hearth(db, &key, &["init"], None).status.success());
        let app = full_demo(db, &key).await;
        let sample = stored(db).await[0].id;
        let before = revealed(&app, sample).await;
        let counts = table_counts(&db.store).await.expect("counts");
        assert!(
            non_empty(&counts) > 20,
            "the demo fills most tables: {counts:?}"
        );

        let file = dir.join("hearth-backup.db");
        let file_arg = file.to_str().expect("utf-8 path");
        let backup = hearth(db, &key, &["backup", file_arg], None);
        assert!(backup.status.success(), "{}", text(&backup));
        assert!(text(&backup).contains("verify"), "{}", text(&backup));
        let again = hearth(db, &key, &["backup", file_arg], None);
        assert!(!again.status.success(), "a backup never overwrites a file");
        assert!(text(&again).contains("already exists"), "{}", text(&again));

        // Restore into a new database of the same engine.
        let target = match db.backend {
            hearth_store::Backend::Sqlite => None,
            hearth_store::Backend::Postgres => TestDb::postgres().await,
        };
        let url = match &target {
            Some(t) => t.url.clone(),
            None => format!("sqlite://{}", dir.join("restored.db").display()),
        };
        let restore = hearth_at(&url, &key, &["restore", file_arg]);
        assert!(restore.status.success(), "{}", text(&restore));
        let restored = hearth_store::Store::connect(&url)
            .await
            .expect("open restored");
        assert_eq!(
            table_counts(&restored).await.expect("counts"),
            counts,
            "every table holds what it held"
        );
        assert_chains_verify(&url, &key);
        assert_eq!(
            revealed(&app_on(&restored, &key), sample).await,
            before,
            "the same key file opens the restored household"
        );
        restored.close().await;

        let twice = hearth_at(&url, &key, &["restore", file_arg]);
        assert!(
            !twice.status.success(),
            "a database with data is not overwritten"
        );
        assert!(text(&twice).contains("holds data"), "{}", text(&twice));
        if target.is_none() {
            let forced = hearth_at(&url, &key, &["restore", file_arg, "--force"]);
            assert!(forced.status.success(), "{}", text(&forced));
            let kept = std::fs::read_dir(&dir)
                .expect("dir")
                .filter_map(|e| e.ok())
                .any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("restored.db.replaced-")
                });
            assert!(kept, "the replaced database is kept, renamed");
        }
        if let Some(t) = target {
            t.finish().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_is_refused_and_nothing_changes() {
    let dir = temp_dir();
    let key = dir.join("hearth.key");
    let bogus = dir.join("notes.db");
    std::fs::write(&bogus, "not a database").expect("write");
    let url = format!("sqlite://{}", dir.join("hearth.db").display());
    let restore = hearth_at(&url, &key, &["restore", bogus.to_str().expect("path")]);
    assert!(!restore.status.success());
    assert!(
        text(&restore).contains("not a Hearth backup"),
        "{}",
        text(&restore)
    );
    assert!(!dir.join("hearth.db").exists(), "no database was created");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn migrate_db_moves_the_demo_from_sqlite_to_a_fresh_postgresql() {
    let source = TestDb::sqlite().await;
    let Some(target) = TestDb::postgres().await else {
        source.finish().await;
        return;
    };
    let dir = temp_dir();
    let key = dir.join("hearth.key");
    assert!(hearth(&source, &key, &["init"], None).status.success());
    let app = full_demo(&source, &key).await;
    let sample = stored(&source).await[0].id;
    let before = revealed(&app, sample).await;
    let counts = table_counts(&source.store).await.expect("counts");

    let migrate = hearth_at(
        &source.url,
        &key,
        &["migrate-db", "--from", &source.url, "--to", &target.url],
    );
    assert!(migrate.status.success(), "{}", text(&migrate));
    assert_eq!(
        table_counts(&target.store).await.expect("counts"),
        counts,
        "every table arrives whole"
    );
    assert_chains_verify(&target.url, &key);
    assert_eq!(
        revealed(&app_on(&target.store, &key), sample).await,
        before,
        "the same key file opens the migrated household"
    );
    let opened = table_counts(&target.store).await.expect("counts");

    let again = hearth_at(
        &source.url,
        &key,
        &["migrate-db", "--from", &source.url, "--to", &target.url],
    );
    assert!(!again.status.success(), "a target with data is refused");
    assert!(text(&again).contains("holds data"), "{}", text(&again));
    assert_eq!(
        table_counts(&target.store).await.expect("counts"),
        opened,
        "and left as it was"
    );
    source.finish().await;
    target.finish().await;
    let _ = std::fs::remove_dir_all(&dir);
}
