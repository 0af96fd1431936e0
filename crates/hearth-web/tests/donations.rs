//! Donations and purchases through the real router: the county records gifts over the API and
//! in the browser, prints the acknowledgement, and anyone follows a gift on `/verify/{code}`
//! without signing in and without seeing any household; a purchase beyond the cash is refused
//! with the ledger's reason; who may record and read what.

use crate::support::{Client, Reply, TestApp};
use axum::http::{StatusCode, header};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

fn cash(yuan: &str, designation: &str, to: &str) -> Value {
    json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "person",
           "donor_name": "张明远（测试）", "amount": yuan, "channel": "bank_transfer",
           "received_on": hearth_app::today().to_string(),
           "designation": designation, "designated_to": to})
}

fn purchase(invoice: &str, quantity: &str) -> Value {
    json!({"campaign": DEMO_CAMPAIGN, "supplier": "肥西示例百货有限公司（测试）",
           "invoice_number": invoice, "purchased_on": hearth_app::today().to_string(),
           "lines": [{"item": "quilt", "quantity": quantity, "unit_price": "50"}]})
}

async fn donate(t: &TestApp, who: &Client, body: Value) -> Value {
    let reply = t.json("POST", "/api/v1/donations", who, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

fn location(reply: &Reply) -> String {
    reply.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The first household the county sees: its id, head's name and masked phone.
async fn a_household(t: &TestApp, county: &Client) -> (String, String) {
    let list = t
        .get("/api/v1/households?page_size=10", county)
        .await
        .json();
    let first = &list["items"][0];
    (
        first["id"].as_str().expect("a demo household").to_owned(),
        first["head_name"].as_str().expect("head").to_owned(),
    )
}

#[tokio::test]
async fn anyone_follows_a_gift_by_its_code_without_signing_in_and_sees_no_household() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let (household, head) = a_household(&t, &county).await;
        let gift = donate(&t, &county, cash("1,200.50", "household", &household)).await;
        assert_eq!(gift["amount"], "1200.50");
        assert_eq!(gift["amount_capitals"], "壹仟贰佰元伍角");
        let code = gift["verification_code"].as_str().expect("code").to_owned();

        let public = t.get(&format!("/verify/{code}"), &Client::default()).await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text());
        let html = public.text();
        for shown in [
            "1200.50",
            "壹仟贰佰元伍角",
            "爱心人士",
            "指定帮扶户",
            gift["number"].as_str().unwrap(),
        ] {
            assert!(html.contains(shown), "{shown} on the public page");
        }
        for hidden in [household.as_str(), head.as_str(), "张明远"] {
            assert!(!html.contains(hidden), "{hidden} must not be public");
        }
        let county = t.sign_in("county").await;
        let books = t.get("/ledger", &county).await.text();
        let digest = books
            .split("#")
            .find_map(|part| {
                let digest = part.split_whitespace().nth(1)?.split('<').next()?;
                (digest.len() == 64).then_some(digest)
            })
            .expect("the reconciliation shows the head digest")
            .to_owned();
        assert!(
            html.contains("台账链头") && html.contains(&digest),
            "the public page shows the same ledger head as the books"
        );
        let grouped = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]).to_lowercase();
        let typed = t
            .get(&format!("/verify?code={grouped}"), &Client::default())
            .await;
        assert_eq!(typed.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&typed), format!("/verify/{code}"));
        let form = t.get("/verify", &Client::default()).await;
        assert_eq!(form.status, StatusCode::OK);

        let receipt = t
            .get(
                &format!("/donations/{}/receipt", gift["id"].as_str().unwrap()),
                &county,
            )
            .await;
        assert_eq!(receipt.status, StatusCode::OK);
        let paper = receipt.text();
        assert!(paper.contains("壹仟贰佰元伍角") && paper.contains(&format!("/verify/{code}")));
        assert!(
            !paper.contains(&head),
            "paper leaves the office: no household on it"
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_and_malformed_codes_get_the_same_not_found_page() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let anyone = Client::default();
        for path in [
            "/verify/ABCD-EFGH-JKLM",
            "/verify/not-a-code",
            "/verify?code=O0O0",
        ] {
            let reply = t.get(path, &anyone).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                reply.text().contains("没有找到这个查验码对应的捐赠"),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_county_records_a_gift_in_the_browser_with_errors_beside_the_fields() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let csrf = county.csrf.clone().expect("csrf");
        let form = t.get("/donations/new", &county).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let today = hearth_app::today().to_string();
        let fields = |amount: &'static str| {
            vec![
                ("_csrf", csrf.clone()),
                ("campaign", DEMO_CAMPAIGN.to_owned()),
                ("kind", "cash".to_owned()),
                ("donor_kind", "person".to_owned()),
                ("donor_name", "李爱心（测试）".to_owned()),
                ("public_name", "yes".to_owned()),
                ("amount", amount.to_owned()),
                ("channel", "wechat".to_owned()),
                ("received_on", today.clone()),
                ("receipt_number", "RCPT-2024-7788".to_owned()),
                ("designation", "town".to_owned()),
                ("designated_to", "上派镇".to_owned()),
                ("station", "340123000000".to_owned()),
            ]
        };
        let send = |amount: &'static str| {
            let owned = fields(amount);
            let t = &t;
            let county = &county;
            async move {
                let pairs: Vec<(&str, &str)> =
                    owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
                t.form("/donations", county, &pairs).await
            }
        };
        let refused = send("-5").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("field-error"),
            "the error is beside the field"
        );
        assert!(
            html.contains("李爱心（测试）") && html.contains("RCPT-2024-7788"),
            "typed values are kept"
        );

        let recorded = send("800").await;
        assert_eq!(
            recorded.status,
            StatusCode::SEE_OTHER,
            "{}",
            recorded.text()
        );
        let detail = t.get(&location(&recorded), &county).await;
        assert_eq!(detail.status, StatusCode::OK);
        let html = detail.text();
        assert!(html.contains(&format!("JZ-{DEMO_CAMPAIGN}-0001")) && html.contains("捌佰元整"));
        assert!(html.contains("定向乡镇：上派镇"));

        let list = t.get("/donations?q=李爱心", &county).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains(&format!("JZ-{DEMO_CAMPAIGN}-0001")));
        assert!(
            list.text().contains("/donations/new"),
            "the toolbar offers 新增"
        );
    })
    .await;
}

#[tokio::test]
async fn a_purchase_beyond_the_cash_is_refused_with_the_ledger_s_reason() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        donate(&t, &county, cash("1000", "", "")).await;
        let refused = t
            .json(
                "POST",
                "/api/v1/purchases",
                &county,
                purchase("88880001", "30"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = refused.json();
        assert_eq!(body["error"]["code"], "ledger.entry.insufficient_cash");
        assert!(
            body["error"]["message_zh"]
                .as_str()
                .unwrap()
                .contains("1000.00"),
            "{body}"
        );
        let bought = t
            .json(
                "POST",
                "/api/v1/purchases",
                &county,
                purchase("88880002", "10"),
            )
            .await;
        assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.text());
        assert_eq!(bought.json()["amount"], "500.00");
        let listed = t.get("/purchases", &county).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert!(listed.text().contains("88880002"));

        let csrf = county.csrf.clone().expect("csrf");
        let today = hearth_app::today().to_string();
        let page = t
            .form(
                "/purchases",
                &county,
                &[
                    ("_csrf", csrf.as_str()),
                    ("campaign", DEMO_CAMPAIGN),
                    ("supplier", "肥西示例百货有限公司（测试）"),
                    ("invoice_number", "88880003"),
                    ("purchased_on", &today),
                    ("station", "340123000000"),
                    ("designation", "campaign"),
                    ("lines.0.item", "quilt"),
                    ("lines.0.quantity", "20"),
                    ("lines.0.unit_price", "50"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.text().contains("资金余额不足"),
            "the ledger's reason on the form"
        );
    })
    .await;
}

#[tokio::test]
async fn only_those_permitted_record_and_read() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let auditor = t.sign_in("auditor").await;

        let by_org = t
            .json("POST", "/api/v1/donations", &org, cash("10", "", ""))
            .await;
        assert_eq!(by_org.status, StatusCode::FORBIDDEN);
        let town_cash = t
            .json("POST", "/api/v1/donations", &town, cash("10", "", ""))
            .await;
        assert_eq!(town_cash.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(town_cash.json()["error"]["field"], "kind");
        let town_buys = t
            .json("POST", "/api/v1/purchases", &town, purchase("1", "1"))
            .await;
        assert_eq!(town_buys.status, StatusCode::FORBIDDEN);

        assert_eq!(
            t.get("/donations", &village).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get("/purchases", &org).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get("/donations/new", &auditor).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(t.get("/donations", &org).await.status, StatusCode::OK);
        assert_eq!(
            t.get("/api/v1/donations", &auditor).await.status,
            StatusCode::OK
        );
        let anyone = t.get("/donations", &Client::default()).await;
        assert_eq!(anyone.status, StatusCode::SEE_OTHER, "sign in first");
        let anyone = t.get("/api/v1/donations", &Client::default()).await;
        assert_eq!(anyone.status, StatusCode::UNAUTHORIZED);
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

#[tokio::test]
async fn designated_money_is_reallocated_in_the_browser_only_with_the_donor_s_consent() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let gift = donate(&t, &county, cash("800", "town", "340123100000")).await;
        let id = gift["id"].as_str().expect("id").to_owned();
        let page = t.get(&format!("/donations/{id}"), &county).await.text();
        assert!(page.contains(&format!("/donations/{id}/reallocate")));
        let form = t.get(&format!("/donations/{id}/reallocate"), &county).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        let uri = format!("/donations/{id}/reallocate");
        let today = hearth_app::today().to_string();
        let no_consent = [
            ("to", "campaign"),
            ("to_target", ""),
            ("amount", "300"),
            ("consent_who", ""),
            ("consent_how", "电话录音（测试）"),
            ("consent_on", today.as_str()),
        ];
        let refused = post_form(&t, &uri, &county, &no_consent).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(html.contains("field-error") && html.contains("value=\"电话录音（测试）\""));
        let mut agreed = no_consent;
        agreed[3] = ("consent_who", "张明远（测试）");
        let done = post_form(&t, &uri, &county, &agreed).await;
        assert!(done.status.is_redirection(), "{}", done.text());
        let page = t.get(&location(&done), &county).await.text();
        assert!(page.contains("张明远（测试） · 电话录音（测试）"), "{page}");
        let books = t
            .get(
                &format!("/api/v1/campaigns/{DEMO_CAMPAIGN}/reconciliation?designation=town"),
                &county,
            )
            .await
            .json();
        assert_eq!(books["designations"][0]["totals"]["cash_on_hand"], "500.00");
        let town = t.sign_in("town").await;
        assert_eq!(
            post_form(&t, &uri, &town, &agreed).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn a_donation_and_a_purchase_are_reversed_in_the_browser_with_a_reason() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let gift = donate(&t, &county, cash("2000", "campaign", "")).await;
        let bought = t
            .json(
                "POST",
                "/api/v1/purchases",
                &county,
                purchase("FP-TEST-9", "4"),
            )
            .await;
        assert_eq!(bought.status, StatusCode::CREATED, "{}", bought.text());
        let purchase_id = bought.json()["id"].as_str().expect("id").to_owned();
        let today = hearth_app::today().to_string();

        let uri = format!("/purchases/{purchase_id}/correct");
        assert!(
            t.get(&format!("/purchases/{purchase_id}"), &county)
                .await
                .text()
                .contains(&uri)
        );
        let blank = post_form(
            &t,
            &uri,
            &county,
            &[("reason", ""), ("corrected_on", &today)],
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(blank.text().contains("field-error"));
        let reason = [
            ("reason", "发票号录错（测试）"),
            ("corrected_on", today.as_str()),
        ];
        let done = post_form(&t, &uri, &county, &reason).await;
        assert!(done.status.is_redirection(), "{}", done.text());
        let page = t.get(&location(&done), &county).await.text();
        assert!(page.contains("发票号录错（测试）") && !page.contains(&uri));

        let id = gift["id"].as_str().expect("id").to_owned();
        let uri = format!("/donations/{id}/correct");
        let reason = [
            ("reason", "重复登记（测试）"),
            ("corrected_on", today.as_str()),
        ];
        let done = post_form(&t, &uri, &county, &reason).await;
        assert!(done.status.is_redirection(), "{}", done.text());
        let page = t.get(&location(&done), &county).await.text();
        assert!(page.contains("重复登记（测试）"));
        let again = post_form(&t, &uri, &county, &reason).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "reversed once only");
        let books = t
            .get(
                &format!("/api/v1/campaigns/{DEMO_CAMPAIGN}/reconciliation"),
                &county,
            )
            .await
            .json();
        assert_eq!(books["totals"]["raised_cash"], "0.00");
        assert_eq!(books["totals"]["purchases"], "0.00");
    })
    .await;
}
