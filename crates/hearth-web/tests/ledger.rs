//! The reconciliation page over the demo's books: the county and auditors see the campaign's
//! totals balance, by designation, donor and station, with the chain head; organizations and
//! villages may not.

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;

#[tokio::test]
async fn the_books_reconcile_by_designation_donor_and_station() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let page = t.get("/ledger", &county).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert_eq!(
            html.matches("<span class=\"tag tag-success\">平衡</span>")
                .count(),
            2,
            "both identities hold: {html}"
        );
        assert!(html.contains("131800.00"), "the demo's cash raised");
        assert!(html.contains("上派镇"), "the town designation and station");
        assert!(html.contains("活动统筹") && html.contains("台账链头"));
        assert!(html.contains("按捐赠单位") && html.contains("调入"));

        let auditor = t.sign_in("auditor").await;
        assert_eq!(t.get("/ledger", &auditor).await.status, StatusCode::OK);
        for who in ["org", "village"] {
            let client: Client = t.sign_in(who).await;
            assert_eq!(
                t.get("/ledger", &client).await.status,
                StatusCode::FORBIDDEN,
                "{who}"
            );
        }
        let unknown = t.get("/ledger?campaign=NO-SUCH", &county).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    })
    .await;
}
