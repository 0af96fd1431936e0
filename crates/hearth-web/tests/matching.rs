//! Precise matching over the API and the page on both databases, with the demo data: the
//! county's proposal uses the county warehouse's stock, gives the scarce quilts to the most
//! urgent needs, explains every need, offers for each need the suppliers that may give it, and
//! accepts what the county reviewed (switched, split or added lines) only when every line is
//! possible; refused to anyone but the county.

use std::collections::HashMap;

use crate::support::{Client, Reply, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::{TestDb, each_backend};
use serde_json::{Value, json};

fn matching_uri() -> String {
    format!(
        "/api/v1/campaigns/{}/matching",
        hearth_app::demo::DEMO_CAMPAIGN
    )
}

/// `quantity` quilts donated into the county warehouse.
async fn receive_quilts(t: &TestApp, county: &Client, quantity: u32) {
    receive_items(t, county, "quilt", quantity).await;
}

/// `quantity` of `item` donated into the county warehouse.
async fn receive_items(t: &TestApp, county: &Client, item: &str, quantity: u32) {
    let gift = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "kind": "in_kind",
        "donor_kind": "organization", "donor_name": "肥西示例商贸有限公司（测试）",
        "received_on": hearth_app::today().to_string(),
        "lines": [{"item": item, "quantity": quantity.to_string(), "unit_value": "150"}]});
    let reply = t.json("POST", "/api/v1/donations", county, gift).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

/// `quantity` of `item` sent from the county warehouse to 上派镇's station, and received there.
async fn stock_shangpai(t: &TestApp, county: &Client, item: &str, quantity: u32) {
    let waybill = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "from": "340123",
        "to": SHANGPAI, "dispatched_on": hearth_app::today().to_string(),
        "lines": [{"item": item, "quantity": quantity.to_string()}]});
    let sent = t.json("POST", "/api/v1/waybills", county, waybill).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let id = sent.json()["id"].as_str().unwrap().to_owned();
    let town = t.sign_in("town").await;
    let receipt = json!({"received_on": hearth_app::today().to_string(),
        "lines": [{"item": item, "received": quantity.to_string()}]});
    let got = t
        .json(
            "POST",
            &format!("/api/v1/waybills/{id}/receipt"),
            &town,
            receipt,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
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
/// Suppliers as the proposal names them: the county warehouse and 上派镇's station.
const WAREHOUSE: &str = "station:340123000000";
const SHANGPAI_STATION: &str = "station:340123100000";

fn campaign_uri(rest: &str) -> String {
    format!(
        "/api/v1/campaigns/{}/matching{rest}",
        hearth_app::demo::DEMO_CAMPAIGN
    )
}

fn error_code(reply: &Reply) -> (String, String) {
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
    let id = sign_pledge(t, org, &first, &item, 2).await;
    (item, id)
}

/// The organization claims `need` and signs a pledge for it with a free line of `quantity` of
/// `item`. Returns the pledge id.
async fn sign_pledge(t: &TestApp, org: &Client, need: &str, item: &str, quantity: u32) -> String {
    let claimed = t
        .json(
            "POST",
            &format!("/api/v1/needs/{need}/claim"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
        "mode": "one_to_one", "deadline": deadline, "witness_town": "上派镇",
        "witness_village": "示例村",
        "lines": [{"kind": "item", "item": item, "quantity": quantity.to_string(),
            "unit_value": "100"}]});
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
    id
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

        // A bad line (the warehouse asked for more quilts than it has) refuses the whole
        // acceptance: nothing is claimed.
        let quilt_need = by_station[0].0.clone();
        let lines = json!([{"need_id": need, "supplier": supplier, "quantity": quantity},
            {"need_id": quilt_need, "supplier": WAREHOUSE, "quantity": 999}]);
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
        assert_eq!(
            error_code(&refused),
            ("matching.line_over_supply".into(), "lines[1]".into())
        );
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
        // From the warehouse, which has quilts: only the need is at fault.
        let line = json!([{"need_id": hidden[0], "supplier": WAREHOUSE, "quantity": 1}]);
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
        receive_items(&t, &county, item, 3).await;
        stock_shangpai(&t, &county, item, 3).await;
        let town = t.sign_in("town").await;

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

        let cid = campaign_id(&t, &county).await;
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
        let cid = campaign_id(&t, &county).await;
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

/// Quilts to review with: a free pledge line of `org2` for 2 more (it claims another item's
/// need to sign its pledge), 2 in the county warehouse and 2 at 上派镇's station. Returns
/// org2's supplier key.
async fn quilts_for_review(t: &TestApp, county: &Client) -> String {
    let org2 = t.sign_in("org2").await;
    let sheet = t
        .get("/api/v1/needs/claim-sheet?page_size=200&kind=item", &org2)
        .await
        .json();
    let other = sheet["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["item"] != "quilt")
        .expect("org2 sees a need of another item")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pledge = sign_pledge(t, &org2, &other, "quilt", 2).await;
    receive_quilts(t, county, 4).await;
    stock_shangpai(t, county, "quilt", 2).await;
    let letter = t
        .get(&format!("/api/v1/pledges/{pledge}"), county)
        .await
        .json();
    format!("org:{}", letter["organization_id"].as_str().unwrap())
}

/// The demo with [`quilts_for_review`], the county signed in, and its proposal: (app, county,
/// org2's supplier key, proposal).
async fn reviewing(db: &TestDb) -> (TestApp, Client, String, Value) {
    let t = TestApp::demo(db).await;
    let county = t.sign_in("county").await;
    let org2 = quilts_for_review(&t, &county).await;
    let proposal = t.get(&matching_uri(), &county).await.json();
    (t, county, org2, proposal)
}

fn quilt_needs(proposal: &Value) -> Vec<Value> {
    proposal["needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["category"]["code"] == "quilt")
        .cloned()
        .collect()
}

fn candidate_keys(need: &Value) -> Vec<String> {
    need["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["supplier"]["key"].as_str().unwrap().to_owned())
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The supplier choices the page offers on each line of a need, in page order: per `<select>`
/// after one of the need's hidden `need.<i>` fields, each option's value and whether it is
/// selected.
fn choices(html: &str, need: &str) -> Vec<Vec<(String, bool)>> {
    html.match_indices(&format!("value=\"{need}\""))
        .filter(|(at, _)| {
            let field = html[..*at].rsplit("name=\"").next().unwrap_or_default();
            field.starts_with("need.")
        })
        .map(|(at, _)| {
            let rest = &html[at..];
            let select = &rest[..rest.find("</select>").unwrap_or(rest.len())];
            select
                .split("<option ")
                .skip(1)
                .map(|option| {
                    let value = option.split('"').nth(1).unwrap_or("").to_owned();
                    let head = option.split('>').next().unwrap_or("");
                    (value, head.contains("selected"))
                })
                .collect()
        })
        .collect()
}

/// The demo campaign's id, as page addresses name it.
async fn campaign_id(t: &TestApp, county: &Client) -> String {
    let campaign = t
        .get(
            &format!("/api/v1/campaigns/{}", hearth_app::demo::DEMO_CAMPAIGN),
            county,
        )
        .await
        .json();
    campaign["campaign"]["id"].as_str().unwrap().to_owned()
}

async fn page_uri(t: &TestApp, county: &Client) -> String {
    format!("/campaigns/{}/matching", campaign_id(t, county).await)
}

async fn post_review(
    t: &TestApp,
    county: &Client,
    digest: &str,
    fields: &[(&str, String)],
) -> Reply {
    let uri = format!("{}/accept", page_uri(t, county).await);
    let csrf = county.csrf.clone().unwrap_or_default();
    let mut pairs = vec![("_csrf", csrf.as_str()), ("digest", digest)];
    pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    t.form(&uri, county, &pairs).await
}

async fn need_status(t: &TestApp, county: &Client, need: &str) -> Value {
    t.get(&format!("/api/v1/needs/{need}"), county).await.json()
}

/// The transfer plans now waiting for `number`: (from, quantity).
fn plans_for(proposal: &Value, number: &str) -> Vec<(String, i64)> {
    proposal["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["needs"].as_array().unwrap().contains(&json!(number)))
        .map(|p| (text(&p["from"]), p["quantity"].as_i64().unwrap()))
        .collect()
}

/// The units of `org`'s pledge lines now tied to `need`.
async fn pledged_for(t: &TestApp, county: &Client, org: &str, need: &str) -> u64 {
    let letters = t.get("/api/v1/pledges", county).await.json();
    letters
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| format!("org:{}", text(&p["organization_id"])) == org)
        .flat_map(|p| p["lines"].as_array().unwrap().clone())
        .filter(|l| l["need_id"] == need)
        .map(|l| l["line"]["quantity"].as_u64().unwrap_or(0))
        .sum()
}

/// The warehouse's code, as plans name where goods come from.
fn warehouse_code() -> String {
    WAREHOUSE.trim_start_matches("station:").to_owned()
}

/// What `supplier` offers `need`, as the proposal lists it.
fn offer<'a>(need: &'a Value, supplier: &str) -> &'a Value {
    need["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["supplier"]["key"] == supplier)
        .unwrap_or_else(|| panic!("{supplier} may give {need}"))
}

#[tokio::test]
async fn each_need_offers_the_suppliers_that_may_give_it() {
    each_backend(async |db| {
        let (t, county, org2, proposal) = reviewing(db).await;
        let quilts = quilt_needs(&proposal);
        let served = quilts
            .iter()
            .find(|n| !n["served"].as_array().unwrap().is_empty())
            .expect("a quilt need is served");
        let proposed = text(&served["served"][0]["supplier"]["key"]);
        let keys = candidate_keys(served);
        let given: Vec<String> = served["served"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| text(&s["supplier"]["key"]))
            .collect();
        assert!(
            given.contains(&keys[0]),
            "the proposed suppliers first: {served}"
        );
        for key in [&org2, WAREHOUSE] {
            assert!(
                keys.iter().any(|k| k == key),
                "{key} reaches everyone: {keys:?}"
            );
        }
        let org2_offer = offer(served, &org2);
        assert!(
            org2_offer["available"].as_u64().unwrap() >= 2,
            "{org2_offer}"
        );
        assert_eq!(offer(served, WAREHOUSE)["available"], 2, "{served}");
        for need in &quilts {
            let reaches = candidate_keys(need).contains(&SHANGPAI_STATION.to_owned());
            assert_eq!(reaches, need["town_name"] == "上派镇", "{need}");
        }

        let html = t.get(&page_uri(&t, &county).await, &county).await.text();
        let need = text(&served["need_id"]);
        let lines = choices(&html, &need);
        assert_eq!(lines.len(), served["served"].as_array().unwrap().len() + 1);
        let first = &lines[0];
        assert!(first.contains(&(proposed.clone(), true)), "{first:?}");
        let other = keys.iter().find(|k| **k != proposed).unwrap();
        assert!(first.contains(&(other.clone(), false)), "{first:?}");
        let extra = lines.last().unwrap();
        assert_eq!(
            extra[0],
            (String::new(), true),
            "the added line starts empty"
        );
        assert!(extra.contains(&(other.clone(), false)), "{extra:?}");
        assert!(html.contains("可供 2"), "what a supplier has is shown");
        assert!(html.contains(&format!("需求 {} 的供给方", text(&served["number"]))));
    })
    .await;
}

#[tokio::test]
async fn a_line_switched_to_another_supplier_is_given_by_that_supplier() {
    each_backend(async |db| {
        let (t, county, org2, proposal) = reviewing(db).await;
        let (from_org2, _, units_a) = lines_by(&proposal, "organization")
            .into_iter()
            .find(|l| l.1 == org2)
            .expect("org2 gives a quilt");
        let (from_warehouse, _, units_b) = lines_by(&proposal, "station")
            .into_iter()
            .find(|l| l.1 == WAREHOUSE && l.0 != from_org2)
            .expect("the warehouse gives a quilt to another need");
        let posted = post_review(
            &t,
            &county,
            &text(&proposal["digest"]),
            &[
                ("keep", "0".into()),
                ("need.0", from_org2.clone()),
                ("supplier.0", WAREHOUSE.into()),
                ("quantity.0", units_a.to_string()),
                ("keep", "1".into()),
                ("need.1", from_warehouse.clone()),
                ("supplier.1", org2.clone()),
                ("quantity.1", units_b.to_string()),
            ],
        )
        .await;
        assert!(posted.status.is_redirection(), "{}", posted.text());

        let after = t.get(&matching_uri(), &county).await.json();
        let number = text(&need_status(&t, &county, &from_org2).await["number"]);
        assert_eq!(
            plans_for(&after, &number),
            [(warehouse_code(), units_a as i64)],
            "the warehouse now sends what org2 was proposed to give"
        );
        assert_eq!(need_status(&t, &county, &from_org2).await["status"], "open");
        let switched = need_status(&t, &county, &from_warehouse).await;
        assert_eq!(switched["status"], "claimed", "{switched}");
        assert_eq!(format!("org:{}", text(&switched["claimed_by"])), org2);
        assert_eq!(
            pledged_for(&t, &county, &org2, &from_warehouse).await,
            units_b
        );
        assert!(plans_for(&after, &text(&switched["number"])).is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_need_split_between_two_suppliers_is_given_by_both() {
    each_backend(async |db| {
        let (t, county, org2, proposal) = reviewing(db).await;
        let quilts = quilt_needs(&proposal);
        let need = quilts
            .iter()
            .find(|n| n["requested"].as_u64().unwrap() >= 2)
            .expect("a need of two quilts");
        let id = text(&need["need_id"]);
        let untouched = quilts
            .iter()
            .find(|n| n["need_id"] != need["need_id"])
            .expect("another quilt need");
        let posted = post_review(
            &t,
            &county,
            &text(&proposal["digest"]),
            &[
                ("keep", "0".into()),
                ("need.0", id.clone()),
                ("supplier.0", org2.clone()),
                ("quantity.0", "1".into()),
                ("extra", "1".into()),
                ("need.1", id.clone()),
                ("supplier.1", WAREHOUSE.into()),
                ("quantity.1", "1".into()),
                ("extra", "2".into()),
                ("need.2", text(&untouched["need_id"])),
                ("supplier.2", String::new()),
                ("quantity.2", String::new()),
            ],
        )
        .await;
        assert!(posted.status.is_redirection(), "{}", posted.text());
        let location = posted.headers["location"].to_str().unwrap();
        assert!(location.contains("accepted%3A1%2C1"), "{location}");

        let claimed = need_status(&t, &county, &id).await;
        assert_eq!(claimed["status"], "claimed", "{claimed}");
        assert_eq!(format!("org:{}", text(&claimed["claimed_by"])), org2);
        assert_eq!(pledged_for(&t, &county, &org2, &id).await, 1);
        let after = t.get(&matching_uri(), &county).await.json();
        assert_eq!(
            plans_for(&after, &text(&need["number"])),
            [(warehouse_code(), 1)]
        );
        let skipped = need_status(&t, &county, &text(&untouched["need_id"])).await;
        assert_eq!(
            skipped["status"], "open",
            "an empty added line adds nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn a_line_beyond_reach_or_stock_is_refused_naming_the_need() {
    each_backend(async |db| {
        let (t, county, _, proposal) = reviewing(db).await;
        let digest = text(&proposal["digest"]);
        let quilts = quilt_needs(&proposal);
        let far = quilts
            .iter()
            .find(|n| n["town_name"] != "上派镇")
            .expect("a quilt need outside 上派镇");
        let near = quilts
            .iter()
            .find(|n| n["need_id"] != far["need_id"])
            .expect("a second quilt need");
        let warehouse = offer(far, WAREHOUSE);
        assert_eq!(warehouse["available"], 2, "{warehouse}");
        let refusals = [
            (
                vec![
                    ("keep", "0".to_owned()),
                    ("need.0", text(&far["need_id"])),
                    ("supplier.0", SHANGPAI_STATION.to_owned()),
                    ("quantity.0", "1".to_owned()),
                ],
                format!(
                    "需求 {}：上派镇没有可送达该户的此类物资或服务",
                    text(&far["number"])
                ),
            ),
            (
                vec![
                    ("extra", "0".to_owned()),
                    ("need.0", text(&far["need_id"])),
                    ("supplier.0", WAREHOUSE.to_owned()),
                    ("quantity.0", "2".to_owned()),
                    ("extra", "1".to_owned()),
                    ("need.1", text(&near["need_id"])),
                    ("supplier.1", WAREHOUSE.to_owned()),
                    ("quantity.1", "1".to_owned()),
                ],
                format!(
                    "需求 {}：{}可提供 2，所选条目共需 3",
                    text(&near["number"]),
                    text(&warehouse["supplier"]["name"])
                ),
            ),
            (
                vec![
                    ("extra", "0".to_owned()),
                    ("need.0", text(&far["need_id"])),
                    ("supplier.0", String::new()),
                    ("quantity.0", "1".to_owned()),
                ],
                format!("需求 {}：填写了数量，请选择供给方", text(&far["number"])),
            ),
        ];
        for (fields, message) in refusals {
            let refused = post_review(&t, &county, &digest, &fields).await;
            assert_eq!(
                refused.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{message}"
            );
            assert!(
                refused.text().contains(&message),
                "{message}: {}",
                refused.text()
            );
        }

        let after = t.get(&matching_uri(), &county).await.json();
        assert_eq!(after["digest"], proposal["digest"], "nothing was applied");
        for need in [far, near] {
            let status = need_status(&t, &county, &text(&need["need_id"])).await;
            assert_eq!(status["status"], "open", "{status}");
        }
        assert!(after["plans"].as_array().unwrap().is_empty());
    })
    .await;
}

/// The needs a page of the review shows (its `shown` fields), in page order.
fn shown_needs(html: &str) -> Vec<String> {
    html.split("name=\"shown\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
        .collect()
}

/// Whether accepting gave `need` what was proposed: a claim, or a transfer plan.
async fn given(t: &TestApp, county: &Client, after: &Value, need: &Value) -> bool {
    let status = need_status(t, county, &text(&need["need_id"])).await;
    status["status"] == "claimed" || !plans_for(after, &text(&need["number"])).is_empty()
}

#[tokio::test]
async fn a_long_proposal_is_shown_a_page_at_a_time_and_accepted_whole() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        for item in ["quilt", "rice", "cooking_oil", "heater", "cotton_coat"] {
            receive_items(&t, &county, item, 40).await;
        }
        let proposal = t.get(&matching_uri(), &county).await.json();
        let needs = proposal["needs"].as_array().unwrap().clone();
        let page = page_uri(&t, &county).await;
        let whole = t.get(&page, &county).await.text();
        assert_eq!(shown_needs(&whole).len(), needs.len(), "100 needs a page");
        assert!(!whole.contains("rel=\"next\""), "one page");

        assert!(needs.len() > 10, "more needs than a page of 10");
        let first = t.get(&format!("{page}?size=10"), &county).await.text();
        let shown = shown_needs(&first);
        assert_eq!(shown.len(), 10);
        let next = first.split("\" rel=\"next\"").next().unwrap_or_default();
        let next = next.rsplit("href=\"").next().unwrap_or_default();
        assert!(
            next.contains("page=2") && next.contains("size=10"),
            "{next}"
        );
        let summary = format!("共 {} 条需求", proposal["needs_considered"]);
        assert!(first.contains(&summary), "the whole proposal's totals");
        assert!(first.contains("其他各页的条目按建议原样采纳"));

        // Page 1 sent back with every line unticked: its needs get nothing, the other pages'
        // get what was proposed.
        let fields: Vec<(&str, String)> = shown.iter().map(|id| ("shown", id.clone())).collect();
        let posted = post_review(&t, &county, &text(&proposal["digest"]), &fields).await;
        assert!(posted.status.is_redirection(), "{}", posted.text());
        let after = t.get(&matching_uri(), &county).await.json();
        let (mut on_first, mut elsewhere) = (0, 0);
        for need in needs.iter().filter(|n| served(n) > 0) {
            let on_page = shown.contains(&text(&need["need_id"]));
            assert_eq!(given(&t, &county, &after, need).await, !on_page, "{need}");
            if on_page {
                on_first += 1;
            } else {
                elsewhere += 1;
            }
        }
        assert!(
            on_first > 0 && elsewhere > 0,
            "{on_first} and {elsewhere} served"
        );
    })
    .await;
}

#[tokio::test]
async fn the_english_page_punctuates_in_english() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        receive_quilts(&t, &county, 1).await;
        let page = page_uri(&t, &county).await;
        let html = t.get(&format!("{page}?lang=en"), &county).await.text();
        let served: Vec<&str> = html
            .split("<label for=\"keep-")
            .skip(1)
            .filter_map(|l| l.split_once('>')?.1.split("</label>").next())
            .collect();
        assert!(!served.is_empty(), "the warehouse's quilt is proposed");
        for line in served {
            assert!(line.contains(" gives ") && line.ends_with(')'), "{line}");
            assert!(
                line.contains(" (station, ") || line.contains(" (organization, "),
                "{line}"
            );
            assert!(!line.contains(['（', '，', '）']), "{line}");
        }
        assert!(html.contains(" unmet: "), "{html}");
        assert!(
            html.contains("; No surplus anywhere") || html.contains("; Nearest surplus"),
            "{html}"
        );
        assert!(!html.contains('；'), "{html}");
    })
    .await;
}
