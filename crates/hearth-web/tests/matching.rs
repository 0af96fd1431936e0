//! Precise matching over the API on both databases, with the demo data: the county's proposal
//! uses the county warehouse's stock, gives the scarce quilts to the most urgent needs, explains
//! every need, and is refused to anyone but the county.

use std::collections::HashMap;

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

fn matching_uri() -> String {
    format!(
        "/api/v1/campaigns/{}/matching",
        hearth_app::demo::DEMO_CAMPAIGN
    )
}

/// `quantity` quilts donated into the county warehouse.
async fn receive_quilts(t: &TestApp, county: &Client, quantity: u32) {
    let gift = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "kind": "in_kind",
        "donor_kind": "organization", "donor_name": "肥西示例商贸有限公司（测试）",
        "received_on": hearth_app::today().to_string(),
        "lines": [{"item": "quilt", "quantity": quantity.to_string(), "unit_value": "150"}]});
    let reply = t.json("POST", "/api/v1/donations", county, gift).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

fn served(need: &Value) -> u64 {
    need["served"]
        .as_array()
        .map_or(0, |s| s.iter().filter_map(|s| s["quantity"].as_u64()).sum())
}

#[tokio::test]
async fn the_county_sees_a_proposal_with_a_reason_for_every_need() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        receive_quilts(&t, &county, 1).await;
        let reply = t.get(&matching_uri(), &county).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let body = reply.json();
        let needs = body["needs"].as_array().expect("needs");
        assert!(!needs.is_empty(), "the demo campaign has open needs");
        let mut given: HashMap<(String, String), (u64, u64)> = HashMap::new();
        for need in needs {
            let unmet = need["unmet"]["quantity"].as_u64().unwrap_or(0);
            assert_eq!(
                served(need) + unmet,
                need["requested"].as_u64().unwrap(),
                "{need}"
            );
            if unmet > 0 {
                let code = need["unmet"]["code"].as_str().unwrap();
                assert!(["already_provided", "no_supply", "no_capacity"].contains(&code));
            }
            let key = (
                need["household_id"].as_str().unwrap().to_owned(),
                need["category"]["code"].as_str().unwrap().to_owned(),
            );
            let entry = given.entry(key).or_default();
            entry.0 += served(need);
            entry.1 = entry.1.max(need["requested"].as_u64().unwrap());
        }
        for ((household, category), (served, cap)) in given {
            assert!(served <= cap, "{household} got {category} twice");
        }
        let from_stations: u64 = needs
            .iter()
            .filter(|n| n["category"]["code"] == "quilt")
            .flat_map(|n| n["served"].as_array().cloned().unwrap_or_default())
            .filter(|s| s["supplier"]["kind"] == "station")
            .map(|s| s["quantity"].as_u64().unwrap_or(0))
            .sum();
        assert!(from_stations <= 1, "one quilt in stock, never more given");
    })
    .await;
}

#[tokio::test]
async fn only_the_county_may_ask_for_a_proposal() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        for user in ["town", "org", "auditor"] {
            let client = t.sign_in(user).await;
            let reply = t.get(&matching_uri(), &client).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{user}");
        }
        let county = t.sign_in("county").await;
        let unknown = t.get("/api/v1/campaigns/NO-SUCH/matching", &county).await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            unknown.text()
        );
    })
    .await;
}
