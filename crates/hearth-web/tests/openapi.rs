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

/// Two request or reply types of the same name in different modules would share one schema in
/// the document, so one endpoint would be described with the other's fields (the stock checker's
/// decision was shown as identity review's `decision`/`note`).
#[test]
fn each_endpoint_is_described_with_its_own_fields() {
    let document = serde_json::to_value(hearth_web::api::openapi()).expect("serialize");
    let fields = |path: &str| -> Vec<String> {
        let operation = &document["paths"][path]["post"];
        let reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("#/components/schemas/")
            .to_owned();
        let schema = &document["components"]["schemas"][&reference];
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    let stock = fields("/stock/adjustments/{id}/decision");
    assert_eq!(stock, ["approve", "reason"]);
    let identity = fields("/identity/pairs/{id}/decision");
    assert!(identity.contains(&"decision".to_owned()), "{identity:?}");
}
