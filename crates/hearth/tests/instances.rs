//! Two `hearth serve` processes on one PostgreSQL serve the same people: a session opened on
//! one works on the other, a write on one is read on the other, and signing out on one ends the
//! session on both.

use super::server::{Server, request, sign_in};
use super::{demo_under, hearth};
use hearth_store::testing::TestDb;
use serde_json::json;

#[tokio::test]
async fn two_servers_on_one_postgresql_share_sessions_and_writes() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("hearth-two-{}", uuid::Uuid::now_v7().simple()));
    let key = dir.join("hearth.key");
    assert!(hearth(&db, &key, &["init"], None).status.success());
    demo_under(&db, &key).await;
    let a = Server::start(&db.url, &key);
    let b = Server::start(&db.url, &key);
    assert_ne!(a.addr, b.addr);

    let session = sign_in(a.addr, "county", hearth_app::demo::DEMO_PASSWORD);
    let me = request(b.addr, "GET", "/api/v1/me", Some(&session), None).expect("answer");
    assert_eq!(
        me.status, 200,
        "the session opened on A works on B: {}",
        me.body
    );
    assert_eq!(me.json()["user"]["username"], "county");

    let created = request(
        b.addr,
        "POST",
        "/api/v1/tokens",
        Some(&session),
        Some(&json!({"name": "两台服务器测试"})),
    )
    .expect("answer");
    assert!(
        created.status == 200 || created.status == 201,
        "a write on B with the CSRF token from A: {} {}",
        created.status,
        created.body
    );
    let listed = request(a.addr, "GET", "/api/v1/tokens", Some(&session), None).expect("answer");
    assert!(
        listed.body.contains("两台服务器测试"),
        "A reads B's write: {}",
        listed.body
    );

    let out = request(b.addr, "DELETE", "/api/v1/session", Some(&session), None).expect("answer");
    assert!(
        out.status < 300,
        "sign out on B: {} {}",
        out.status,
        out.body
    );
    let after = request(a.addr, "GET", "/api/v1/me", Some(&session), None).expect("answer");
    assert_eq!(after.status, 401, "the session ended on A too");

    a.kill();
    b.kill();
    db.finish().await;
    let _ = std::fs::remove_dir_all(&dir);
}
