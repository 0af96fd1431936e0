//! Crash safety: the server is killed with SIGKILL in the middle of a burst of deliveries,
//! several times, and restarted. Every delivery the server acknowledged is still there, the
//! pledge's progress matches the deliveries stored, and the audit and ledger chains verify.
//! Likewise an import killed mid-way, many times: nothing of it is kept, and a full import
//! afterwards adds every row exactly once.

use super::server::{Server, Session, request, sign_in};
use super::{demo_under, hearth, text};
use hearth_store::testing::each_backend;
use serde_json::json;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROUNDS: usize = 3;
const WRITERS: usize = 3;

/// A signed pledge of `org` with a large cash line: the pledge's id and the cash line's id.
fn signed_pledge(addr: SocketAddr, org: &Session) -> (String, String) {
    let sheet = request(
        addr,
        "GET",
        "/api/v1/needs/claim-sheet?page_size=100&kind=item&town=340123100000",
        Some(org),
        None,
    )
    .expect("claim sheet")
    .json();
    let need = sheet["items"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["kind"] == "item"))
        .and_then(|row| row["id"].as_str())
        .expect("an open item need")
        .to_owned();
    let claim = format!("/api/v1/needs/{need}/claim");
    let claimed = request(addr, "POST", &claim, Some(org), Some(&json!({}))).expect("claim");
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
        "mode": "one_to_one", "delivery": "through_town", "deadline": deadline,
        "witness_town": "上派镇", "witness_village": "示例村",
        "lines": [{"kind": "cash", "cash": "100000"}]});
    let created = request(addr, "POST", "/api/v1/pledges", Some(org), Some(&draft)).expect("draft");
    assert_eq!(created.status, 201, "{}", created.body);
    let pledge = created.json();
    let id = pledge["id"].as_str().expect("id").to_owned();
    let sign = format!("/api/v1/pledges/{id}/sign");
    let signed = request(addr, "POST", &sign, Some(org), Some(&json!({}))).expect("sign");
    assert_eq!(signed.status, 200, "{}", signed.body);
    let cash_line = pledge["lines"][1]["id"]
        .as_str()
        .expect("cash line")
        .to_owned();
    (id, cash_line)
}

/// Writers post one-yuan deliveries until the server stops answering; returns the ids of
/// the deliveries it acknowledged with 201.
fn burst(
    addr: SocketAddr,
    org: &Session,
    line: &str,
    kill_after: Duration,
    server: Server,
) -> BTreeSet<String> {
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let uri = format!("/api/v1/pledge-lines/{line}/deliveries");
    let body = json!({"delivered_on": hearth_app::today().to_string(), "handler": "李经办（测试）",
        "signed_name": "户主签名（测试）", "cash": "1"});
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (acknowledged, org, uri, body) =
                (acknowledged.clone(), org.clone(), uri.clone(), body.clone());
            std::thread::spawn(move || {
                while let Some(reply) = request(addr, "POST", &uri, Some(&org), Some(&body)) {
                    if reply.status == 201 {
                        let id = reply.json()["delivery"]["id"].as_str().map(str::to_owned);
                        acknowledged.lock().expect("lock").extend(id);
                    } else if reply.status >= 500 {
                        panic!(
                            "a delivery failed on the server: {} {}",
                            reply.status, reply.body
                        );
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(kill_after);
    server.kill();
    for writer in writers {
        writer.join().expect("writer");
    }
    acknowledged.lock().expect("lock").clone()
}

fn stored_deliveries(
    addr: SocketAddr,
    org: &Session,
    pledge: &str,
    line: &str,
) -> (BTreeSet<String>, String) {
    let reply = request(
        addr,
        "GET",
        &format!("/api/v1/pledges/{pledge}/deliveries"),
        Some(org),
        None,
    )
    .expect("deliveries");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let ids = body["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_owned))
        .collect();
    let delivered = body["lines"]
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["line_id"] == line))
        .and_then(|l| l["delivered_cash"].as_str())
        .expect("the cash line's progress")
        .to_owned();
    (ids, delivered)
}

#[tokio::test]
async fn sigkill_mid_burst_loses_no_acknowledged_delivery_and_the_chains_verify() {
    each_backend(async |db| {
        let dir = std::env::temp_dir().join(format!("hearth-crash-{}", uuid::Uuid::now_v7().simple()));
        let key = dir.join("hearth.key");
        assert!(hearth(db, &key, &["init"], None).status.success());
        demo_under(db, &key).await;
        let server = Server::start(&db.url, &key);
        let org = sign_in(server.addr, "org", hearth_app::demo::DEMO_PASSWORD);
        let (pledge, line) = signed_pledge(server.addr, &org);
        let mut server = server;
        let mut acknowledged = BTreeSet::new();
        for round in 0..ROUNDS {
            let addr = server.addr;
            let kill_after = Duration::from_millis(400 + 300 * round as u64);
            let got = burst(addr, &org, &line, kill_after, server);
            assert!(!got.is_empty(), "round {round}: some deliveries were acknowledged");
            acknowledged.extend(got);
            for what in ["audit", "ledger"] {
                let verify = hearth(db, &key, &[what, "verify"], None);
                assert!(verify.status.success(), "round {round}, {what}: {}", text(&verify));
            }
            server = Server::start(&db.url, &key);
            let (stored, progress) = stored_deliveries(server.addr, &org, &pledge, &line);
            let lost: Vec<_> = acknowledged.difference(&stored).collect();
            assert!(lost.is_empty(), "round {round}: acknowledged but lost: {lost:?}");
            assert_eq!(
                progress,
                format!("{}.00", stored.len()),
                "round {round}: the line's progress counts every stored delivery ({} yuan): {progress}",
                stored.len()
            );
        }
        server.kill();
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

const IMPORT_ROWS: u32 = 3000;

/// A village sheet of `rows` new households (valid, distinct ID numbers), as a clerk keeps it.
fn large_village_sheet(rows: u32) -> String {
    let mut csv = String::from(
        "序号,户主姓名,身份证号码,联系电话,村（社区）,详细地址,困难类型,需求物资,数量\n",
    );
    for n in 0..rows {
        let birth = format!("19{:02}0{}1{}", 30 + n % 60, 1 + n % 9, n % 10);
        let first17 = format!("340121{birth}{:03}", n % 1000);
        let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
        csv.push_str(&format!(
            "{},测试户{n},{first17}{check},,新丰社区,{}组{}号,低保,,\n",
            n + 1,
            1 + n % 9,
            1 + n
        ));
    }
    csv
}

/// Starts `hearth import households`, waits until it reports `rows_done` rows written in its
/// transaction, then SIGKILLs it. Returns whether it was killed before finishing.
fn kill_import_after(
    db_url: &str,
    key: &std::path::Path,
    file: &std::path::Path,
    rows_done: u32,
) -> bool {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args([
            "import",
            "households",
            file.to_str().expect("path"),
            "--as",
            "village",
        ])
        .env("HEARTH_DATABASE_URL", db_url)
        .env("HEARTH_KEY_FILE", key)
        .env_remove("HEARTH_KEYS")
        .env_remove("HEARTH_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import");
    let mut stderr = child.stderr.take().expect("stderr");
    let mut seen = String::new();
    let mut chunk = [0u8; 256];
    let target = format!("progress: {rows_done}/");
    while !seen.contains(&target) {
        match stderr.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&chunk[..n])),
        }
    }
    let killed = seen.contains(&target) && child.try_wait().ok().flatten().is_none();
    let _ = child.kill();
    let _ = child.wait();
    killed
}

#[tokio::test]
async fn sigkill_mid_import_leaves_no_half_imported_file_and_the_chains_verify() {
    each_backend(async |db| {
        let dir = std::env::temp_dir().join(format!(
            "hearth-crash-import-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&dir).expect("dir");
        let key = dir.join("hearth.key");
        assert!(hearth(db, &key, &["init"], None).status.success());
        demo_under(db, &key).await;
        let before = super::stored(db).await.len();
        let file = dir.join("名单.csv");
        std::fs::write(&file, large_village_sheet(IMPORT_ROWS)).expect("write the sheet");
        let path = file.to_str().expect("path");
        for (round, rows_done) in [500, 1000, 1500, 2000, 2500].into_iter().enumerate() {
            assert!(
                kill_import_after(&db.url, &key, &file, rows_done),
                "round {round}: the import was killed while writing (after {rows_done} rows)"
            );
            let now = super::stored(db).await.len();
            assert_eq!(
                now, before,
                "round {round}: nothing of a killed import is kept"
            );
            for what in ["audit", "ledger"] {
                let verify = hearth(db, &key, &[what, "verify"], None);
                assert!(
                    verify.status.success(),
                    "round {round}, {what}: {}",
                    text(&verify)
                );
            }
        }
        let args = ["import", "households", path, "--as", "village", "--json"];
        let whole = hearth(db, &key, &args, None);
        assert!(whole.status.success(), "{}", text(&whole));
        assert_eq!(super::stored(db).await.len(), before + IMPORT_ROWS as usize);
        let again = hearth(db, &key, &args, None);
        assert!(again.status.success(), "{}", text(&again));
        assert_eq!(
            super::stored(db).await.len(),
            before + IMPORT_ROWS as usize,
            "importing the file again adds no duplicate"
        );
        for what in ["audit", "ledger"] {
            let verify = hearth(db, &key, &[what, "verify"], None);
            assert!(
                verify.status.success(),
                "after the import, {what}: {}",
                text(&verify)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
