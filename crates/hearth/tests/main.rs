//! The command-line contract, run as a user would run it, on SQLite and PostgreSQL.

use hearth_store::testing::{TestDb, each_backend};
use std::process::{Command, Output, Stdio};

fn hearth(db: &TestDb, key_file: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hearth"));
    command
        .args(args)
        .env("HEARTH_DATABASE_URL", &db.url)
        .env("HEARTH_KEY_FILE", key_file)
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
