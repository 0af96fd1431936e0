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

const SHANGPAI: &str = "340123100000";

fn campaign_uri(rest: &str) -> String {
    format!(
        "/api/v1/campaigns/{}/matching{rest}",
        hearth_app::demo::DEMO_CAMPAIGN
    )
}

fn error_code(reply: &crate::support::Reply) -> (String, String) {
    let body = reply.json();
    (
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
        body["error"]["field"].as_str().unwrap_or("").to_owned(),
    )
}

/// The organization claims one open need of an item it sees twice or more, and signs a pledge
/// for it with a free line of two more of the same item. Returns the item and the pledge id.
async fn pledge_free_items(t: &TestApp, org: &Client) -> (String, String) {
    let sheet = t
        .get("/api/v1/needs/claim-sheet?page_size=200&kind=item", org)
        .await
        .json();
    let rows = sheet["items"].as_array().expect("rows").clone();
    let mut by_item: HashMap<String, Vec<&Value>> = HashMap::new();
    for row in &rows {
        if let Some(item) = row["item"].as_str() {
            by_item.entry(item.to_owned()).or_default().push(row);
        }
    }
    let (item, needs) = by_item
        .into_iter()
        .filter(|(_, needs)| needs.len() >= 2)
        .min_by(|a, b| a.0.cmp(&b.0))
        .expect("an item the organization sees twice");
    let first = needs[0]["id"].as_str().unwrap().to_owned();
    let claimed = t
        .json(
            "POST",
            &format!("/api/v1/needs/{first}/claim"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let draft = json!({"needs": [first], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
        "mode": "one_to_one", "deadline": deadline, "witness_town": "上派镇",
        "witness_village": "示例村",
        "lines": [{"kind": "item", "item": item, "quantity": "2", "unit_value": "100"}]});
    let created = t.json("POST", "/api/v1/pledges", org, draft).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let signed = t
        .json(
            "POST",
            &format!("/api/v1/pledges/{id}/sign"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
    (item, id)
}

fn lines_by(proposal: &Value, kind: &str) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for need in proposal["needs"].as_array().unwrap() {
        for s in need["served"].as_array().unwrap() {
            if s["supplier"]["kind"] == kind {
                out.push((
                    need["need_id"].as_str().unwrap().to_owned(),
                    s["supplier"]["key"].as_str().unwrap().to_owned(),
                    s["quantity"].as_u64().unwrap(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn accepting_makes_claims_pledge_lines_and_transfer_plans_at_once() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let org = t.sign_in("org").await;
        let (_, pledge) = pledge_free_items(&t, &org).await;
        receive_quilts(&t, &county, 1).await;
        let proposal = t.get(&matching_uri(), &county).await.json();
        let digest = proposal["digest"].as_str().unwrap().to_owned();
        let by_org = lines_by(&proposal, "organization");
        let by_station = lines_by(&proposal, "station");
        assert!(!by_org.is_empty(), "the free pledge line is proposed");
        assert!(!by_station.is_empty(), "the warehouse's quilt is proposed");
        let (need, supplier, quantity) = by_org[0].clone();

        // A bad line refuses the whole acceptance: nothing is claimed.
        let lines = json!([{"need_id": need, "supplier": supplier, "quantity": quantity},
            {"need_id": need, "supplier": "station:340123", "quantity": 999}]);
        let refused = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &county,
                json!({"digest": digest, "lines": lines}),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text()
        );
        assert_eq!(error_code(&refused).1, "lines[1]");
        let still = t
            .get(&format!("/api/v1/needs/{need}"), &county)
            .await
            .json();
        assert_eq!(still["status"], "open", "nothing applied: {still}");

        let accepted = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &county,
                json!({"digest": digest}),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
        let done = accepted.json();
        assert_eq!(done["claims"].as_array().unwrap().len(), {
            let mut needs: Vec<_> = by_org.iter().map(|l| l.0.clone()).collect();
            needs.dedup();
            needs.len()
        });
        assert_eq!(
            done["transfers"].as_array().unwrap().len(),
            by_station.len()
        );
        let claimed = t
            .get(&format!("/api/v1/needs/{need}"), &county)
            .await
            .json();
        assert_eq!(claimed["status"], "claimed", "{claimed}");
        let letter = t
            .get(&format!("/api/v1/pledges/{pledge}"), &county)
            .await
            .json();
        // The need is claimed under a pledge of the giving organization (its oldest open
        // pledge with a free line of that category), and the free line was used up.
        let made = done["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["need_id"] == need.as_str())
            .cloned()
            .unwrap_or_default();
        assert!(
            !made["pledge_number"].as_str().unwrap_or("").is_empty(),
            "the claim names its pledge: {done}"
        );
        assert!(
            letter["lines"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["need_id"].is_string()),
            "the free pledge line now answers needs: {letter}"
        );

        let again = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &county,
                json!({"digest": digest}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
        assert_eq!(error_code(&again).0, "matching.stale");
        let after = t.get(&matching_uri(), &county).await.json();
        assert!(
            !after["plans"].as_array().unwrap().is_empty(),
            "the waybill drafts are listed"
        );
        assert!(
            lines_by(&after, "organization").iter().all(|l| l.0 != need),
            "a claimed need is not proposed again"
        );
    })
    .await;
}

#[tokio::test]
async fn a_proposal_made_before_the_stock_changed_is_refused() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        receive_quilts(&t, &county, 1).await;
        let digest = t.get(&matching_uri(), &county).await.json()["digest"].clone();
        receive_quilts(&t, &county, 2).await;
        let stale = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &county,
                json!({"digest": digest}),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
        let body = stale.json();
        assert_eq!(body["error"]["code"], "matching.stale");
        assert!(
            body["error"]["message_zh"]
                .as_str()
                .unwrap()
                .contains("过期")
        );
        let town = t.sign_in("town").await;
        let forbidden = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &town,
                json!({"digest": digest}),
            )
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn households_without_consent_or_approval_are_never_matched() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        receive_quilts(&t, &county, 50).await;
        let mut tx = db.store.read().await.unwrap();
        let all = hearth_store::households::HouseholdFilter::default();
        let page = hearth_store::organizations::PageRequest::all();
        let (households, _) = hearth_store::households::search(&mut tx, &all, page)
            .await
            .unwrap();
        let excluded: Vec<uuid::Uuid> = households
            .iter()
            .filter(|h| h.status.as_str() != "approved" || !h.shares_with_orgs)
            .map(|h| h.id)
            .collect();
        let open = hearth_store::needs::NeedFilter {
            statuses: Some(vec![hearth_core::need::NeedStatus::Open]),
            ..Default::default()
        };
        let (needs, _) = hearth_store::needs::search(&mut tx, &open, page)
            .await
            .unwrap();
        drop(tx);
        let hidden: Vec<String> = needs
            .iter()
            .filter(|n| excluded.contains(&n.household_id))
            .map(|n| n.id.to_string())
            .collect();
        assert!(
            !hidden.is_empty(),
            "the demo has open needs of unconsenting households"
        );
        let proposal = t.get(&matching_uri(), &county).await.json();
        for need in proposal["needs"].as_array().unwrap() {
            assert!(
                !hidden.contains(&need["need_id"].as_str().unwrap().to_owned()),
                "{need}"
            );
        }
        let line = json!([{"need_id": hidden[0], "supplier": "station:340123", "quantity": 1}]);
        let refused = t
            .json(
                "POST",
                &campaign_uri("/accept"),
                &county,
                json!({"digest": proposal["digest"], "lines": line}),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text()
        );
        assert_eq!(
            error_code(&refused),
            ("matching.line_unknown_need".into(), "lines[0]".into())
        );
    })
    .await;
}

#[tokio::test]
async fn unmet_needs_name_their_town_and_the_nearest_surplus() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let before = t.get(&matching_uri(), &county).await.json();
        let elsewhere = before["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| {
                n["unmet"]["code"] == "no_supply"
                    && n["category"]["service"].is_null()
                    && n["town_name"] != "上派镇"
            })
            .expect("an item nobody offers, needed outside 上派镇")
            .clone();
        let item = elsewhere["category"]["code"].as_str().unwrap();
        let gift = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "kind": "in_kind",
            "donor_kind": "organization", "donor_name": "肥西示例商贸有限公司（测试）",
            "received_on": hearth_app::today().to_string(),
            "lines": [{"item": item, "quantity": "3", "unit_value": "80"}]});
        let gift = t.json("POST", "/api/v1/donations", &county, gift).await;
        assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.text());
        let waybill = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "from": "340123",
            "to": SHANGPAI, "dispatched_on": hearth_app::today().to_string(),
            "lines": [{"item": item, "quantity": "3"}]});
        let sent = t.json("POST", "/api/v1/waybills", &county, waybill).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
        let id = sent.json()["id"].as_str().unwrap().to_owned();
        let town = t.sign_in("town").await;
        let receipt = json!({"received_on": hearth_app::today().to_string(),
            "lines": [{"item": item, "received": "3"}]});
        let got = t
            .json(
                "POST",
                &format!("/api/v1/waybills/{id}/receipt"),
                &town,
                receipt,
            )
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());

        let after = t.get(&matching_uri(), &county).await.json();
        let need = after["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["need_id"] == elsewhere["need_id"])
            .expect("still proposed")
            .clone();
        let unmet = &need["unmet"];
        assert_eq!(unmet["code"], "no_capacity", "{need}");
        assert_eq!(unmet["town_name"], elsewhere["town_name"]);
        assert_eq!(unmet["nearest"]["town_name"], "上派镇", "{need}");
        assert_eq!(unmet["nearest"]["supplier"]["kind"], "station");
        assert!(unmet["nearest"]["quantity"].as_u64().unwrap() >= 1);
        let household = after["households"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["household_id"] == need["household_id"])
            .expect("the household's explanation");
        assert!(
            household["unmet_codes"]
                .as_array()
                .unwrap()
                .contains(&json!("no_capacity"))
        );

        let campaign = t
            .get(
                &format!("/api/v1/campaigns/{}", hearth_app::demo::DEMO_CAMPAIGN),
                &county,
            )
            .await
            .json();
        let cid = campaign["campaign"]["id"].as_str().unwrap().to_owned();
        let page = t.get(&format!("/campaigns/{cid}/matching"), &county).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        let town_name = elsewhere["town_name"].as_str().unwrap();
        assert!(
            html.contains(&format!("{town_name}暂无可用的")),
            "the town is named"
        );
        assert!(
            html.contains("最近的富余：上派镇"),
            "the nearest surplus is named"
        );
        assert!(html.contains("/matching/accept"), "the accept form");
        assert!(
            t.get(&format!("/campaigns/{cid}"), &county)
                .await
                .text()
                .contains(&format!("/campaigns/{cid}/matching"))
        );
        assert!(
            t.get("/", &county)
                .await
                .text()
                .contains("href=\"/matching\"")
        );
        assert_eq!(
            t.get(&format!("/campaigns/{cid}/matching"), &town)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_page_accepts_the_lines_left_ticked() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        receive_quilts(&t, &county, 2).await;
        let proposal = t.get(&matching_uri(), &county).await.json();
        let digest = proposal["digest"].as_str().unwrap().to_owned();
        let (need, supplier, _) = lines_by(&proposal, "station")[0].clone();
        let campaign = t
            .get(
                &format!("/api/v1/campaigns/{}", hearth_app::demo::DEMO_CAMPAIGN),
                &county,
            )
            .await
            .json();
        let cid = campaign["campaign"]["id"].as_str().unwrap().to_owned();
        let csrf = county.csrf.clone().unwrap_or_default();
        let posted = t
            .form(
                &format!("/campaigns/{cid}/matching/accept"),
                &county,
                &[
                    ("_csrf", csrf.as_str()),
                    ("digest", digest.as_str()),
                    ("keep", "0"),
                    ("need.0", need.as_str()),
                    ("supplier.0", supplier.as_str()),
                    ("quantity.0", "1"),
                    ("need.1", need.as_str()),
                ],
            )
            .await;
        assert!(posted.status.is_redirection(), "{}", posted.text());
        let after = t.get(&matching_uri(), &county).await.json();
        let plans = after["plans"].as_array().unwrap();
        assert_eq!(plans.len(), 1, "{after}");
        assert_eq!(plans[0]["quantity"], 1);
        let stale = t
            .form(
                &format!("/campaigns/{cid}/matching/accept"),
                &county,
                &[
                    ("_csrf", csrf.as_str()),
                    ("digest", digest.as_str()),
                    ("keep", "0"),
                    ("need.0", need.as_str()),
                    ("supplier.0", supplier.as_str()),
                    ("quantity.0", "1"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.text().contains("已过期"));
    })
    .await;
}

#[tokio::test]
async fn what_if_prices_a_budget_for_the_unmet_needs() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let reply = t
            .json(
                "POST",
                &campaign_uri("/what-if"),
                &county,
                json!({"budget": "130000", "prices": {"quilt": "150"}}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let plan = reply.json();
        assert_eq!(plan["budget"], "130000.00");
        assert!(plan["exact"].as_bool().unwrap());
        assert!(plan["households_reached"].as_u64().unwrap() > 0, "{plan}");
        assert!(plan["priority_covered"].as_u64() <= plan["priority_bound"].as_u64());
        let quilt = plan["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["category"]["code"] == "quilt");
        if let Some(quilt) = quilt {
            assert_eq!(quilt["unit_price"], "150.00");
        }
        let small = t
            .json(
                "POST",
                &campaign_uri("/what-if"),
                &county,
                json!({"budget": "0"}),
            )
            .await
            .json();
        assert_eq!(small["needs_covered"], 0);
        let bad = t
            .json(
                "POST",
                &campaign_uri("/what-if"),
                &county,
                json!({"budget": "很多"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_code(&bad).1, "budget");
        let town = t.sign_in("town").await;
        let forbidden = t
            .json(
                "POST",
                &campaign_uri("/what-if"),
                &town,
                json!({"budget": "100"}),
            )
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    })
    .await;
}
