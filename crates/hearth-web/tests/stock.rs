//! Stock through the real router on both databases: goods received at the county, a waybill to
//! 上派镇 counted in with a shortfall, a handover to a household, the roster, a write-off and a
//! count checked by a second officer — over the API and through the pages, with the refusals
//! that name what is available and a town officer of another town getting 404.

use crate::attachments::post_file;
use crate::support::{Client, Reply, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const SHANGPAI: &str = "340123100000";
const SANHE: &str = "340123101000";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn today() -> String {
    hearth_app::today().to_string()
}

/// `quantity` quilts at 150 yuan, donated into `who`'s own station.
async fn receive_quilts(t: &TestApp, who: &Client, quantity: u32) {
    let gift = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "kind": "in_kind",
        "donor_kind": "organization", "donor_name": "肥西示例商贸有限公司（测试）",
        "received_on": today(),
        "lines": [{"item": "quilt", "quantity": quantity.to_string(), "unit_value": "150"}]});
    let reply = t.json("POST", "/api/v1/donations", who, gift).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

/// A town officer of 三河镇, added by the system administrator.
async fn other_town(t: &TestApp) -> Client {
    let sysadmin = t.sign_in("sysadmin").await;
    let csrf = sysadmin.csrf.clone().unwrap_or_default();
    let fields = [
        ("_csrf", csrf.as_str()),
        ("username", "sanhe_stock"),
        ("display_name", "三河镇站点（测试）"),
        ("role", "town_officer"),
        ("area_code", SANHE),
        ("password", "Warm-Winter-2024"),
    ];
    let added = t.form("/users", &sysadmin, &fields).await;
    assert!(
        added.status.is_redirection(),
        "{} {}",
        added.status,
        added.text()
    );
    let session = t
        .json(
            "POST",
            "/api/v1/session",
            &Client::default(),
            json!({"username": "sanhe_stock", "password": "Warm-Winter-2024"}),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.text());
    Client {
        cookie: session.cookie(hearth_web::SESSION_COOKIE),
        csrf: session.json()["csrf_token"].as_str().map(str::to_owned),
        bearer: None,
    }
}

async fn quilts_at(t: &TestApp, who: &Client, station: &str) -> i64 {
    let lines = t
        .get(&format!("/api/v1/stock?station={station}&item=quilt"), who)
        .await
        .json();
    lines
        .as_array()
        .expect("stock lines")
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap_or(0))
        .sum()
}

/// The first approved household of 上派镇 the town sees.
async fn approved_household(t: &TestApp, town: &Client) -> Value {
    let list = t
        .get("/api/v1/households?status=approved&page_size=100", town)
        .await
        .json();
    list["items"][0].clone()
}

fn first_error(reply: &crate::support::Reply) -> (String, String, String) {
    let body = reply.json();
    let error = &body["errors"][0];
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    (
        text(&error["field"]),
        text(&error["code"]),
        text(&error["message_zh"]),
    )
}

fn handover(household: &str, quantity: &str) -> Value {
    json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "household": household,
        "lines": [{"item": "quilt", "quantity": quantity}], "delivered_on": today(),
        "handler": "李经办（测试）", "signed_name": "户主签名（测试）"})
}

#[tokio::test]
async fn goods_go_from_the_county_to_a_household_over_the_api() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let elsewhere = other_town(&t).await;
        receive_quilts(&t, &county, 20).await;

        let stations = t.get("/api/v1/stations", &town).await.json();
        let own: Vec<&str> = stations
            .as_array()
            .expect("stations")
            .iter()
            .filter_map(|s| s["code"].as_str())
            .collect();
        assert_eq!(own, [SHANGPAI], "a town sees its own station");

        let waybill = |quantity: &str| {
            json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "from": "340123", "to": SHANGPAI,
                "dispatched_on": today(), "lines": [{"item": "quilt", "quantity": quantity}]})
        };
        let refused = t
            .json("POST", "/api/v1/waybills", &county, waybill("21"))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let (field, code, message) = first_error(&refused);
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("lines[0].quantity", "ledger.stock.insufficient")
        );
        assert!(message.contains("20"), "names what is available: {message}");
        let sent = t
            .json("POST", "/api/v1/waybills", &county, waybill("12"))
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
        let id = sent.json()["id"].as_str().expect("id").to_owned();

        let seen = t.get(&format!("/api/v1/waybills/{id}"), &town).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.json()["can_receive"], true);
        assert_eq!(
            t.get(&format!("/api/v1/waybills/{id}"), &elsewhere)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let receipt = json!({"received_on": today(), "lines": [{"item": "quilt", "received": "11",
            "cause": "damage", "note": "一床受潮（测试）"}]});
        let uri = format!("/api/v1/waybills/{id}/receipt");
        let foreign = t.json("POST", &uri, &elsewhere, receipt.clone()).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
        let got = t.json("POST", &uri, &town, receipt.clone()).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());
        assert_eq!(got.json()["status"], "received");
        assert_eq!(
            t.json("POST", &uri, &town, receipt).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(quilts_at(&t, &town, SHANGPAI).await, 11);

        let household = approved_household(&t, &town).await;
        let hh = household["id"].as_str().expect("household id");
        let too_many = t
            .json("POST", "/api/v1/distributions", &town, handover(hh, "12"))
            .await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&too_many).1, "ledger.stock.insufficient");
        let handed = t
            .json("POST", "/api/v1/distributions", &town, handover(hh, "2"))
            .await;
        assert_eq!(handed.status, StatusCode::CREATED, "{}", handed.text());
        assert_eq!(handed.json()["value"], "300.00");
        let not_theirs = t
            .json(
                "POST",
                "/api/v1/distributions",
                &elsewhere,
                handover(hh, "1"),
            )
            .await;
        assert_eq!(first_error(&not_theirs).1, "need.household_outside_scope");

        let roster = t
            .get(
                &format!(
                    "/api/v1/roster?campaign={}",
                    hearth_app::demo::DEMO_CAMPAIGN
                ),
                &town,
            )
            .await;
        assert_eq!(roster.status, StatusCode::OK, "{}", roster.text());
        let roster = roster.json();
        assert_eq!(roster["households"], 1);
        let id_number = roster["rows"][0]["id_number"].as_str().unwrap_or("");
        assert!(id_number.starts_with("340123********"), "{id_number}");
        let other_roster = format!(
            "/api/v1/roster?campaign={}&town={SHANGPAI}",
            hearth_app::demo::DEMO_CAMPAIGN
        );
        assert_eq!(
            t.get(&other_roster, &elsewhere).await.status,
            StatusCode::NOT_FOUND
        );

        let auditor = t.sign_in("auditor").await;
        assert_eq!(
            t.get("/api/v1/stock", &auditor).await.status,
            StatusCode::OK
        );
        let by_auditor = t
            .json("POST", "/api/v1/waybills", &auditor, waybill("1"))
            .await;
        assert_eq!(by_auditor.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_write_off_and_a_count_wait_for_a_second_officer_over_the_api() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        receive_quilts(&t, &town, 10).await;
        let loss = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "station": SHANGPAI,
            "item": "quilt", "direction": "loss", "quantity": "1", "cause": "damage",
            "note": "仓库漏雨（测试）", "made_on": today()});
        let recorded = t
            .json("POST", "/api/v1/stock/adjustments", &town, loss)
            .await;
        assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text());
        let id = recorded.json()["id"].as_str().expect("id").to_owned();
        let uri = format!("/api/v1/stock/adjustments/{id}/decision");
        let own = t.json("POST", &uri, &town, json!({"approve": true})).await;
        assert_eq!(first_error(&own).1, "ledger.movement.checker_is_maker");
        assert_eq!(
            quilts_at(&t, &town, SHANGPAI).await,
            10,
            "pending is not booked"
        );
        let approved = t
            .json("POST", &uri, &county, json!({"approve": true}))
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
        assert_eq!(approved.json()["value"], "150.00");
        assert_eq!(quilts_at(&t, &town, SHANGPAI).await, 9);

        let count = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "station": SHANGPAI,
            "counted_on": today(), "note": "月末盘点（测试）",
            "lines": [{"item": "quilt", "quantity": "8"}]});
        let counted = t.json("POST", "/api/v1/stock/counts", &town, count).await;
        assert_eq!(counted.status, StatusCode::CREATED, "{}", counted.text());
        let body = counted.json();
        assert_eq!(body["lines"][0]["difference"], -1);
        let id = body["id"].as_str().expect("id");
        let decided = t
            .json(
                "POST",
                &format!("/api/v1/stock/counts/{id}/decision"),
                &county,
                json!({"approve": true}),
            )
            .await;
        assert_eq!(decided.status, StatusCode::OK, "{}", decided.text());
        assert_eq!(quilts_at(&t, &town, SHANGPAI).await, 8);
        let papers = t
            .get("/api/v1/stock/adjustments?status=approved", &town)
            .await
            .json();
        assert_eq!(papers.as_array().map(Vec::len), Some(1));
    })
    .await;
}

fn location(reply: &crate::support::Reply) -> String {
    reply
        .headers
        .get(axum::http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn the_stock_pages_dispatch_receive_hand_over_and_print_the_roster() {
    use calamine::{Reader, Xlsx};
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        receive_quilts(&t, &county, 5).await;
        let home = t.get("/", &town).await.text();
        assert!(
            home.contains("href=\"/stock\""),
            "the menu has the stock entry"
        );
        let org_home = t.get("/", &t.sign_in("org").await).await.text();
        assert!(
            !org_home.contains("href=\"/stock\""),
            "organizations keep no stock"
        );

        let form = t.get("/stock/waybills/new", &county).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let csrf = county.csrf.clone().unwrap_or_default();
        let (campaign, date) = (hearth_app::demo::DEMO_CAMPAIGN, today());
        let mut fields = vec![
            ("_csrf", csrf.as_str()),
            ("campaign", campaign),
            ("from", "340123000000"),
            ("to", SHANGPAI),
            ("dispatched_on", date.as_str()),
            ("note", ""),
            ("item_0", "quilt"),
            ("quantity_0", "9"),
        ];
        let refused = t.form("/stock/waybills", &county, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error_beside(&refused.text(), "name=\"quantity_0\"").contains("现有 5"),
            "the refusal is beside the row and names what is on hand"
        );
        assert_eq!(quilts_at(&t, &county, "340123").await, 5, "nothing moved");
        fields[7] = ("quantity_0", "4");
        let sent = t.form("/stock/waybills", &county, &fields).await;
        assert!(
            sent.status.is_redirection(),
            "{} {}",
            sent.status,
            sent.text()
        );
        let page = location(&sent);
        let waybill = page.split('?').next().unwrap_or("").to_owned();
        let detail = t.get(&waybill, &town).await.text();
        assert!(
            detail.contains("/receipt"),
            "the town sees the receipt form"
        );
        let elsewhere = other_town(&t).await;
        assert_eq!(
            t.get(&waybill, &elsewhere).await.status,
            StatusCode::NOT_FOUND
        );
        let town_csrf = town.csrf.clone().unwrap_or_default();
        let receipt = [
            ("_csrf", town_csrf.as_str()),
            ("received_on", date.as_str()),
            ("note", ""),
            ("item_0", "quilt"),
            ("received_0", "4"),
            ("cause_0", ""),
            ("note_0", ""),
        ];
        let received = t.form(&format!("{waybill}/receipt"), &town, &receipt).await;
        assert!(
            received.status.is_redirection(),
            "{} {}",
            received.status,
            received.text()
        );
        let print = t.get(&format!("{waybill}/print"), &town).await;
        assert!(print.text().contains("物资调拨单"));
        assert!(t.get("/stock", &town).await.text().contains("上派镇"));

        let household = approved_household(&t, &town).await;
        let hh = household["id"].as_str().expect("household id").to_owned();
        assert!(
            t.get("/stock/distributions/new", &town)
                .await
                .text()
                .contains(&hh)
        );
        let step_two = t
            .get(&format!("/stock/distributions/new?household={hh}"), &town)
            .await;
        assert_eq!(step_two.status, StatusCode::OK, "{}", step_two.text());
        let handed = [
            ("_csrf", town_csrf.as_str()),
            ("campaign", campaign),
            ("household", hh.as_str()),
            ("need", ""),
            ("item_0", "quilt"),
            ("quantity_0", "2"),
            ("delivered_on", date.as_str()),
            ("recipient", "head"),
            ("proxy_name", ""),
            ("proxy_relationship", ""),
            ("handler", "李经办（测试）"),
            ("signed_name", "户主签名（测试）"),
            ("note", ""),
        ];
        let recorded = t.form("/stock/distributions", &town, &handed).await;
        assert!(
            recorded.status.is_redirection(),
            "{} {}",
            recorded.status,
            recorded.text()
        );
        assert!(
            t.get("/stock/distributions", &town)
                .await
                .text()
                .contains("户主签名（测试）")
        );

        let roster = t
            .get(&format!("/stock/roster?campaign={campaign}"), &town)
            .await;
        assert_eq!(roster.status, StatusCode::OK, "{}", roster.text());
        let html = roster.text();
        assert!(html.contains("领取人签字（按手印）") && html.contains("340123********"));
        let file = t
            .get(&format!("/stock/roster.xlsx?campaign={campaign}"), &town)
            .await;
        assert_eq!(file.status, StatusCode::OK);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.body.clone())).expect("xlsx");
        let range = book
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable");
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(cells[1][8], "现金（元）");
        assert_eq!(cells[1][9], "领取人签字（按手印）");
        assert!(cells[2][4].starts_with("340123********"), "{:?}", cells[2]);

        assert_eq!(
            t.get("/stock/adjustments", &town).await.status,
            StatusCode::OK
        );
        let count_form = t
            .get(
                &format!("/stock/counts/new?campaign={campaign}&station={SHANGPAI}"),
                &town,
            )
            .await;
        assert_eq!(count_form.status, StatusCode::OK, "{}", count_form.text());
        assert_eq!(t.get("/stock/counts", &town).await.status, StatusCode::OK);
    })
    .await;
}

/// A form post as the signed-in client, with its CSRF token.
async fn post_form(t: &TestApp, uri: &str, who: &Client, fields: &[(&str, &str)]) -> Reply {
    let csrf = who.csrf.clone().unwrap_or_default();
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    t.form(uri, who, &all).await
}

/// 1,000 yuan for the campaign at large, so cash aid has money to pay from.
async fn campaign_cash(t: &TestApp, county: &Client) {
    let gift = json!({"campaign": hearth_app::demo::DEMO_CAMPAIGN, "kind": "cash",
        "donor_kind": "person", "donor_name": "现金捐赠人（测试）", "amount": "1000",
        "channel": "bank_transfer", "received_on": today()});
    let reply = t.json("POST", "/api/v1/donations", county, gift).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

#[tokio::test]
async fn cash_aid_in_the_browser_keeps_what_was_typed_takes_a_signature_image_and_reaches_the_roster()
 {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        campaign_cash(&t, &county).await;
        let hh = approved_household(&t, &town).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let form = t
            .get(&format!("/stock/cash-aid/new?household={hh}"), &town)
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("name=\"amount\""));
        let campaign = hearth_app::demo::DEMO_CAMPAIGN;
        let date = today();
        let fields = |amount: &'static str| {
            vec![
                ("campaign", campaign),
                ("household", hh.as_str()),
                ("amount", amount),
                ("donation", ""),
                ("delivered_on", date.as_str()),
                ("recipient", "proxy"),
                ("proxy_name", "户主之女（测试）"),
                ("proxy_relationship", "child"),
                ("handler", "李经办（测试）"),
                ("signed_name", "户主之女（测试）"),
                ("note", ""),
            ]
        };
        let too_much = post_form(&t, "/stock/cash-aid", &town, &fields("5000")).await;
        assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = too_much.text();
        assert!(
            html.contains("field-error"),
            "the refusal is beside a field"
        );
        assert!(html.contains("1000.00"), "it names what is available");
        assert!(
            html.contains("value=\"户主之女（测试）\"") && html.contains("value=\"5000\""),
            "what was typed is kept"
        );
        let recorded = post_form(&t, "/stock/cash-aid", &town, &fields("300")).await;
        assert!(recorded.status.is_redirection(), "{}", recorded.text());
        let paper = location(&recorded);
        assert!(paper.starts_with("/stock/cash-aid/"), "{paper}");
        let path = paper.split(['?', '#']).next().unwrap_or("").to_owned();
        let page = t.get(&path, &town).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("300.00") && page.text().contains("李经办（测试）"));

        let csrf = town.csrf.clone().unwrap_or_default();
        let upload = |purpose: &str| format!("{path}/files?purpose={purpose}&_csrf={csrf}");
        let pdf = crate::attachments::multipart("sign.pdf", "application/pdf", b"%PDF-1.4\n%%EOF");
        let refused = post_file(&t, &upload("signature"), &town, false, pdf).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("JPEG 或 PNG"), "{}", refused.text());
        let png = crate::attachments::multipart("sign.png", "image/png", PNG);
        let stored = post_file(&t, &upload("signature"), &town, false, png).await;
        assert!(stored.status.is_redirection(), "{}", stored.text());
        let html = t.get(&path, &town).await.text();
        let src = html
            .split("<img src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the signature image is shown")
            .to_owned();
        let image = t.get(&src, &town).await;
        assert_eq!(image.status, StatusCode::OK);
        assert_eq!(image.headers["x-content-type-options"], "nosniff");
        assert!(
            image.headers["content-disposition"]
                .to_str()
                .unwrap_or("")
                .starts_with("attachment"),
            "served as a download, never as a page"
        );
        let auditor = t.sign_in("auditor").await;
        assert!(
            !t.get(&path, &auditor).await.text().contains("<img src=\""),
            "auditors do not see signatures"
        );

        let list = t.get("/stock/cash-aid", &town).await.text();
        assert!(list.contains(&path), "the list links to the paper");
        let roster = t
            .get(&format!("/stock/roster?campaign={campaign}"), &town)
            .await
            .text();
        assert!(roster.contains("现金（元）") && roster.contains("300.00"));
    })
    .await;
}

#[tokio::test]
async fn the_county_hands_over_from_its_warehouse_and_a_household_returns_goods_in_the_browser() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        receive_quilts(&t, &county, 4).await;
        let hh = approved_household(&t, &town).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let form = t
            .get(&format!("/stock/distributions/new?household={hh}"), &county)
            .await
            .text();
        // The warehouse as the page offers it (its code, whole or as the county prefix).
        let warehouse = form
            .split("value=\"")
            .map(|rest| rest.split('"').next().unwrap_or(""))
            .find(|v| v.starts_with("340123") && v.trim_end_matches('0') == "340123")
            .unwrap_or_default()
            .to_owned();
        assert!(
            form.contains("name=\"station\"") && !warehouse.is_empty(),
            "the county may hand over from its warehouse"
        );
        let campaign = hearth_app::demo::DEMO_CAMPAIGN;
        let date = today();
        let handed = post_form(
            &t,
            "/stock/distributions",
            &county,
            &[
                ("campaign", campaign),
                ("household", hh.as_str()),
                ("station", warehouse.as_str()),
                ("item_0", "quilt"),
                ("quantity_0", "3"),
                ("delivered_on", date.as_str()),
                ("recipient", "head"),
                ("handler", "县民政局（测试）"),
                ("signed_name", "户主签名（测试）"),
            ],
        )
        .await;
        assert!(handed.status.is_redirection(), "{}", handed.text());
        let paper = location(&handed);
        assert!(paper.starts_with("/stock/distributions/"), "{paper}");
        assert_eq!(quilts_at(&t, &county, "340123").await, 1);

        let back = |quantity: &'static str| {
            vec![
                ("campaign", campaign),
                ("household", hh.as_str()),
                ("station", "340123"),
                ("item", "quilt"),
                ("quantity", quantity),
                ("returned_on", date.as_str()),
                ("reason", "重复领取（测试）"),
                ("handler", "县民政局（测试）"),
            ]
        };
        let too_many = post_form(&t, "/stock/returns", &county, &back("4")).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = too_many.text();
        assert!(html.contains("field-error") && html.contains("value=\"重复领取（测试）\""));
        assert_eq!(
            quilts_at(&t, &county, "340123").await,
            1,
            "nothing came back"
        );
        let returned = post_form(&t, "/stock/returns", &county, &back("2")).await;
        assert!(returned.status.is_redirection(), "{}", returned.text());
        assert_eq!(quilts_at(&t, &county, "340123").await, 3, "back in stock");
        let list = t.get("/stock/returns", &county).await.text();
        assert!(list.contains("重复领取（测试）"));
    })
    .await;
}

/// The field error shown right after the input named by `input` (empty if none).
fn error_beside(html: &str, input: &str) -> String {
    let after = html.split(input).nth(1).unwrap_or("");
    let cell = after.split("</td>").next().unwrap_or("");
    let cell = cell.split("</div>").next().unwrap_or("");
    cell.split("class=\"field-error\"")
        .nth(1)
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_handover_beyond_what_the_station_holds_is_refused_beside_the_row_in_the_browser() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let town = t.sign_in("town").await;
        receive_quilts(&t, &town, 3).await;
        let hh = approved_household(&t, &town).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let date = today();
        let handed = |quantity: &'static str| {
            vec![
                ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
                ("household", hh.as_str()),
                ("item_0", "quilt"),
                ("quantity_0", quantity),
                ("delivered_on", date.as_str()),
                ("recipient", "head"),
                ("handler", "李经办（测试）"),
                ("signed_name", "超发签名（测试）"),
            ]
        };
        let refused = post_form(&t, "/stock/distributions", &town, &handed("5")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        let beside = error_beside(&html, "name=\"quantity_0\"");
        assert!(
            beside.contains("库存不足") && beside.contains("现有 3"),
            "the refusal names what is on hand beside the row: {beside}"
        );
        assert!(
            html.contains("value=\"超发签名（测试）\""),
            "what was typed is kept"
        );
        assert_eq!(
            quilts_at(&t, &town, SHANGPAI).await,
            3,
            "nothing left the station"
        );
        let list = t.get("/stock/distributions", &town).await.text();
        assert!(!list.contains("超发签名（测试）"), "no handover was stored");
    })
    .await;
}

#[tokio::test]
async fn a_write_off_waits_for_a_second_officer_in_the_browser_and_never_goes_below_zero() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        receive_quilts(&t, &town, 10).await;
        let date = today();
        let loss = |quantity: &'static str| {
            vec![
                ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
                ("station", SHANGPAI),
                ("item", "quilt"),
                ("direction", "loss"),
                ("quantity", quantity),
                ("cause", "damage"),
                ("note", "仓库漏雨（测试）"),
                ("made_on", date.as_str()),
            ]
        };
        let too_many = post_form(&t, "/stock/adjustments", &town, &loss("11")).await;
        assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = too_many.text();
        let beside = error_beside(&html, "name=\"quantity\"");
        assert!(beside.contains("现有 10"), "beside the quantity: {beside}");
        let pending = "/api/v1/stock/adjustments?status=pending";
        let none = t.get(pending, &town).await.json();
        assert_eq!(none.as_array().map(Vec::len), Some(0), "nothing stored");

        let recorded = post_form(&t, "/stock/adjustments", &town, &loss("1")).await;
        assert!(recorded.status.is_redirection(), "{}", recorded.text());
        let papers = t.get(pending, &town).await.json();
        let id = papers[0]["id"]
            .as_str()
            .expect("the pending write-off")
            .to_owned();
        let decide = format!("/stock/adjustments/{id}/decision");
        assert!(
            !t.get("/stock/adjustments", &town)
                .await
                .text()
                .contains(&decide),
            "the maker is offered no decision on their own paper"
        );
        assert!(
            t.get("/stock/adjustments", &county)
                .await
                .text()
                .contains(&decide)
        );
        let own = post_form(&t, &decide, &town, &[("decision", "approve")]).await;
        assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            own.text().contains("复核人不能是经办人本人"),
            "{}",
            own.text()
        );
        assert_eq!(
            quilts_at(&t, &town, SHANGPAI).await,
            10,
            "pending is not booked"
        );
        let checked = post_form(&t, &decide, &county, &[("decision", "approve")]).await;
        assert!(checked.status.is_redirection(), "{}", checked.text());
        assert_eq!(quilts_at(&t, &town, SHANGPAI).await, 9);
    })
    .await;
}
