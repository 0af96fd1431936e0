//! Crash safety: the server is killed with SIGKILL in the middle of a burst of deliveries,
//! several times, and restarted. Every delivery the server acknowledged is still there, the
//! pledge's progress matches the deliveries stored, and the audit and ledger chains verify.

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
