//! `hearth ledger verify`, run as an operator would.

use super::{hearth, text};
use hearth_store::testing::each_backend;

#[tokio::test]
async fn ledger_verify_reports_a_fresh_ledger_and_a_moved_head() {
    each_backend(async |db| {
        let key = std::env::temp_dir().join("hearth-cli-ledger-unused.key");
        let verify = hearth(db, &key, &["ledger", "verify", "--json"], None);
        assert!(verify.status.success(), "{}", text(&verify));
        let report: serde_json::Value =
            serde_json::from_slice(&verify.stdout).expect("JSON report");
        assert_eq!(report["records"], 0);
        assert_eq!(report["head"], serde_json::json!({"seq": 0, "digest": ""}));
        assert!(report["broken"].is_null(), "{report}");

        let human = hearth(db, &key, &["ledger", "verify"], None);
        assert!(text(&human).contains("台账链完好"), "{}", text(&human));

        db.execute("UPDATE ledger_head SET seq = 1, digest = 'forged'")
            .await
            .expect("move the head as an attacker would");
        let broken = hearth(db, &key, &["ledger", "verify"], None);
        assert!(
            !broken.status.success(),
            "a head naming a missing record fails"
        );
        assert!(
            text(&broken).contains("record 1"),
            "names the first broken record: {}",
            text(&broken)
        );
    })
    .await;
}
