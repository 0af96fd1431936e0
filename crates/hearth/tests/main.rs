//! The command-line contract, run as a user would run it, on SQLite and PostgreSQL.

mod areas;
mod backup;
mod crash;
mod dedup;
mod import_kinds;
mod instances;
mod ledger;
mod matching;
mod server;
mod tls;

use hearth_store::crypto::FieldCipher;
use hearth_store::keys::KeyRing;
use hearth_store::testing::{TestDb, each_backend};
use std::process::{Command, Output, Stdio};

fn hearth(db: &TestDb, key_file: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    command
        .args(args)
        .env("HEARTH_DATABASE_URL", &db.url)
        .env("HEARTH_KEY_FILE", key_file)
        .env_remove("HEARTH_KEYS")
        .env_remove("HEARTH_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start hearth");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("hearth finishes")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn version_is_printed() {
    let output = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .arg("--version")
        .output()
        .expect("run");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("hearth "));
}

#[tokio::test]
async fn init_users_and_audit_verify() {
    each_backend(async |db| {
        let dir =
            std::env::temp_dir().join(format!("hearth-cli-{}", uuid::Uuid::now_v7().simple()));
        let key = dir.join("hearth.key");
        let init = hearth(db, &key, &["init"], None);
        assert!(init.status.success(), "{}", text(&init));
        assert!(key.exists(), "init creates the key file");
        let key_before = std::fs::read_to_string(&key).expect("key");
        assert!(
            hearth(db, &key, &["init"], None).status.success(),
            "init is repeatable"
        );
        assert_eq!(
            std::fs::read_to_string(&key).expect("key"),
            key_before,
            "an existing key file is never overwritten"
        );

        let weak = hearth(
            db,
            &key,
            &[
                "user",
                "add",
                "--username",
                "admin",
                "--role",
                "system_admin",
                "--password-stdin",
            ],
            Some("short\n"),
        );
        assert!(!weak.status.success());
        assert!(
            text(&weak).contains("password"),
            "names the field: {}",
            text(&weak)
        );

        let added = hearth(
            db,
            &key,
            &[
                "user",
                "add",
                "--username",
                "admin",
                "--role",
                "system_admin",
                "--password-stdin",
            ],
            Some("Winter-Warm-2024\n"),
        );
        assert!(added.status.success(), "{}", text(&added));
        let duplicate = hearth(
            db,
            &key,
            &[
                "user",
                "add",
                "--username",
                "admin",
                "--role",
                "system_admin",
                "--password",
                "Winter-Warm-2024",
            ],
            None,
        );
        assert!(
            !duplicate.status.success(),
            "a second account with the same name is refused"
        );
        let no_area = hearth(
            db,
            &key,
            &[
                "user",
                "add",
                "--username",
                "clerk",
                "--role",
                "town_officer",
                "--area",
                "340123999000",
                "--password",
                "Winter-Warm-2024",
            ],
            None,
        );
        assert!(
            !no_area.status.success(),
            "an unknown area is refused: {}",
            text(&no_area)
        );

        let list = hearth(db, &key, &["user", "list", "--json"], None);
        let users: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON list");
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["role"], "system_admin");

        assert!(
            hearth(db, &key, &["user", "disable", "admin"], None)
                .status
                .success()
        );
        let listed = text(&hearth(db, &key, &["user", "list"], None));
        assert!(listed.contains("disabled"), "{listed}");
        let reset = hearth(
            db,
            &key,
            &["user", "reset-password", "admin", "--password-stdin"],
            Some("Another-Strong-99\n"),
        );
        assert!(reset.status.success(), "{}", text(&reset));

        let verify = hearth(db, &key, &["audit", "verify", "--json"], None);
        assert!(verify.status.success(), "{}", text(&verify));
        let report: serde_json::Value =
            serde_json::from_slice(&verify.stdout).expect("JSON report");
        assert!(
            report["events"].as_i64().unwrap_or(0) >= 3,
            "user add, disable and reset are audited: {report}"
        );

        let drop_trigger = match db.backend {
            hearth_store::Backend::Sqlite => "DROP TRIGGER audit_event_no_update",
            hearth_store::Backend::Postgres => "DROP TRIGGER audit_event_no_update ON audit_event",
        };
        db.execute(drop_trigger)
            .await
            .expect("drop the trigger as an attacker would");
        db.execute("UPDATE audit_event SET actor_name = 'someone else' WHERE seq = 2")
            .await
            .expect("tamper");
        let broken = hearth(db, &key, &["audit", "verify"], None);
        assert!(
            !broken.status.success(),
            "a tampered log fails verification"
        );
        assert!(
            text(&broken).contains("event 2"),
            "names the first broken link: {}",
            text(&broken)
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

/// The demo data set, sealed under the key file the CLI uses; returns how many households.
async fn demo_under(db: &TestDb, key: &std::path::Path) -> (hearth_app::App, usize) {
    let ring = KeyRing::load(key).expect("the key file");
    let app = hearth_app::App::new(db.store.clone(), hearth_app::Policy::default()).with_keys(ring);
    let summary = app.seed_demo().await.expect("seed the demo");
    assert!(summary.households > 0);
    (app, summary.households)
}

/// A deployment for console tests: a fresh directory with an initialised key file, and the
/// demo seeded into `db`; returns the directory, the key file, the app and its households.
async fn demo_console(
    db: &TestDb,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    hearth_app::App,
    usize,
) {
    let dir = std::env::temp_dir().join(format!("hearth-cli-{}", uuid::Uuid::now_v7().simple()));
    let key = dir.join("hearth.key");
    assert!(hearth(db, &key, &["init"], None).status.success());
    let (app, households) = demo_under(db, &key).await;
    (dir, key, app, households)
}

async fn sign_in_county(app: &hearth_app::App) -> hearth_app::Caller {
    let signed = app
        .sign_in("county", hearth_app::demo::DEMO_PASSWORD)
        .await
        .expect("sign in");
    app.session(&signed.token).await.expect("session").0
}

/// Every household that is not anonymised, sealed values included.
async fn stored(db: &TestDb) -> Vec<hearth_store::households::HouseholdRow> {
    let mut tx = db.store.read().await.expect("read");
    hearth_store::households::all(&mut tx, false)
        .await
        .expect("households")
}

#[tokio::test]
async fn keys_rotate_re_encrypts_everything_and_the_old_key_can_then_be_retired() {
    each_backend(async |db| {
        let (dir, key, app, households) = demo_console(db).await;
        let old = KeyRing::load(&key).expect("key").current().id.clone();
        let county = sign_in_county(&app).await;
        let sample = stored(db).await[0].id;
        let before = app
            .reveal_household(&county, sample, "换钥前核对")
            .await
            .expect("reveal");

        let current = hearth(db, &key, &["keys", "retire", &old], None);
        assert!(
            !current.status.success(),
            "the key in use cannot be retired: {}",
            text(&current)
        );
        assert!(text(&current).contains(&old), "{}", text(&current));

        let rotate = hearth(db, &key, &["keys", "rotate"], None);
        assert!(rotate.status.success(), "{}", text(&rotate));
        assert!(
            text(&rotate).contains(&format!("{households} households re-encrypted")),
            "reports the count: {}",
            text(&rotate)
        );
        let ring = KeyRing::load(&key).expect("key");
        let new = ring.current().id.clone();
        assert_eq!(ring.keys.len(), 2, "the old key stays until retired");
        assert_ne!(new, old);
        let rows = stored(db).await;
        assert_eq!(rows.len(), households);
        assert!(
            rows.iter()
                .all(|r| FieldCipher::key_of(&r.sealed) == Some(new.as_str())),
            "every household is sealed under the new key"
        );

        let refused = hearth(db, &key, &["keys", "retire", &new], None);
        assert!(!refused.status.success(), "the new current key stays");
        let retired = hearth(db, &key, &["keys", "retire", &old], None);
        assert!(retired.status.success(), "{}", text(&retired));
        let ring = KeyRing::load(&key).expect("key");
        assert_eq!(
            ring.keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            [new.as_str()]
        );
        let file = std::fs::read_to_string(&key).expect("key");
        assert!(
            !file.contains(&format!("hearth-key-v1:{old}:")),
            "the old key is gone from the file"
        );
        let again = hearth(db, &key, &["keys", "retire", &old], None);
        assert!(!again.status.success(), "a key no longer in the file");

        // A server started with the key file as it is now reads and finds everything.
        let after =
            hearth_app::App::new(db.store.clone(), hearth_app::Policy::default()).with_keys(ring);
        let county = sign_in_county(&after).await;
        let shown = after
            .reveal_household(&county, sample, "换钥后核对")
            .await
            .expect("the household opens under the new key alone");
        assert_eq!(shown.members[0].id_number, before.members[0].id_number);
        assert_eq!(shown.phone, before.phone);
        let query = hearth_app::households::HouseholdQuery {
            number: Some(before.members[0].id_number.clone()),
            ..Default::default()
        };
        let (found, _) = after
            .households(
                &county,
                &query,
                hearth_store::organizations::PageRequest::all(),
            )
            .await
            .expect("search");
        assert_eq!(
            found.iter().map(|v| v.id).collect::<Vec<_>>(),
            [sample],
            "found by the full ID number through the new blind index"
        );

        let verify = hearth(db, &key, &["audit", "verify"], None);
        assert!(verify.status.success(), "{}", text(&verify));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn purge_anonymises_only_what_has_expired() {
    each_backend(async |db| {
        let (dir, key, _, households) = demo_console(db).await;

        let purge = hearth(db, &key, &["purge"], None);
        assert!(purge.status.success(), "{}", text(&purge));
        assert!(
            text(&purge).contains("anonymised 0 households"),
            "nothing expired yet: {}",
            text(&purge)
        );
        assert_eq!(stored(db).await.len(), households);

        // Two records whose retention ended.
        let expired: Vec<uuid::Uuid> = stored(db).await.iter().take(2).map(|r| r.id).collect();
        for id in &expired {
            let id = match db.backend {
                hearth_store::Backend::Sqlite => format!("x'{}'", id.simple()),
                hearth_store::Backend::Postgres => format!("'{id}'"),
            };
            let aged = db
                .execute(&format!(
                    "UPDATE household SET retain_until = '2020-01-01' WHERE id = {id}"
                ))
                .await
                .expect("age the record");
            assert_eq!(aged, 1);
        }
        let purge = hearth(db, &key, &["purge"], None);
        assert!(purge.status.success(), "{}", text(&purge));
        assert!(
            text(&purge).contains("anonymised 2 households"),
            "{}",
            text(&purge)
        );
        let left = stored(db).await;
        assert_eq!(left.len(), households - 2);
        assert!(left.iter().all(|r| !expired.contains(&r.id)));
        let verify = hearth(db, &key, &["audit", "verify"], None);
        assert!(verify.status.success(), "{}", text(&verify));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn a_missing_database_setting_is_explained() {
    let output = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["migrate"])
        .env_remove("HEARTH_DATABASE_URL")
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("HEARTH_DATABASE_URL"));
}
