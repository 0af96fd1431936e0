//! The API contract: a snapshot of the OpenAPI document. Run with `UPDATE_SNAPSHOTS=1` to accept
//! an intended change, and review the diff.

use crate::support::{Client, TestApp};
use hearth_store::testing::TestDb;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

#[test]
fn openapi_document_matches_the_snapshot() {
    let current =
        serde_json::to_string_pretty(&hearth_web::api::openapi()).expect("serialize") + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &current).expect("write the snapshot");
    }
    let expected = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        expected == current,
        "the OpenAPI document changed; review and run with UPDATE_SNAPSHOTS=1 to accept"
    );
}

#[tokio::test]
async fn the_document_is_served() {
    let db = TestDb::sqlite().await;
    let t = TestApp::demo(&db).await;
    let reply = t.get("/api/v1/openapi.json", &Client::default()).await;
    assert_eq!(reply.status, axum::http::StatusCode::OK);
    let paths = reply.json()["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(paths.iter().any(|p| p == "/organizations"), "{paths:?}");
    db.finish().await;
}
