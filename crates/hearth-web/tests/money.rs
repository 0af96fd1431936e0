//! Issue 5's remaining money-and-materials papers through the real router, on both databases:
//! cash aid to a household (refused beyond what the funds hold and from a designation that
//! names another household), a designated donation reallocated with the donor's consent, a
//! donation corrected by reversal (shown on its page data and on /verify), a handover straight
//! from the county warehouse and a return, goods in transit, signature images on a cash aid
//! paper, and the reconciliation over JSON.

use crate::attachments::{multipart, post_file};
use crate::support::{Client, Reply, TestApp};
use axum::http::{StatusCode, header};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const COUNTY: &str = "340123";
const SHANGPAI: &str = "340123100000";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn today() -> String {
    hearth_app::today().to_string()
}

fn error(reply: &Reply) -> (String, String, String) {
    let body = reply.json();
    let e = &body["errors"][0];
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    (s(&e["field"]), s(&e["code"]), s(&e["message_zh"]))
}

fn cash_aid(household: &str, amount: &str, donation: &str) -> Value {
    json!({"campaign": DEMO_CAMPAIGN, "household": household, "amount": amount,
        "donation": donation, "delivered_on": today(), "recipient": "proxy",
        "proxy_name": "户主之子（测试）", "proxy_relationship": "child",
        "handler": "李经办（测试）", "signed_name": "户主之子（测试）"})
}

async fn two_households(t: &TestApp, town: &Client) -> (String, String) {
    let list = t
        .get("/api/v1/households?status=approved&page_size=100", town)
        .await
        .json();
    let id = |i: usize| {
        list["items"][i]["id"]
            .as_str()
            .expect("household")
            .to_owned()
    };
    (id(0), id(1))
}

#[tokio::test]
async fn designated_cash_funds_only_its_household_until_the_donor_agrees_otherwise() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let (a, b) = two_households(&t, &town).await;
        let gift = json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "person",
            "donor_name": "定向捐赠人（测试）", "amount": "1000", "channel": "bank_transfer",
            "received_on": today(), "designation": "household", "designated_to": a});
        let gift = t.json("POST", "/api/v1/donations", &county, gift).await;
        assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.text());
        let gift = gift.json();
        let number = gift["number"].as_str().unwrap().to_owned();

        // Household B may not be paid from money designated to household A …
        let refused = t
            .json(
                "POST",
                "/api/v1/cash-aid",
                &town,
                cash_aid(&b, "300", &number),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&refused).1, "cash_aid.designation_elsewhere");
        // … and the campaign at large holds nothing yet: refused with what is available.
        let empty = t
            .json("POST", "/api/v1/cash-aid", &town, cash_aid(&b, "300", ""))
            .await;
        let (field, code, message) = error(&empty);
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("amount", "ledger.entry.insufficient_cash")
        );
        assert!(message.contains("0.00"), "{message}");

        // The donor agrees to move 400 yuan to the campaign at large; not more than was given.
        let uri = format!("/api/v1/donations/{number}/reallocations");
        let consent = |amount: &str| {
            json!({"to": "campaign", "amount": amount, "consent_who": "定向捐赠人（测试）",
                "consent_how": "书面同意函", "consent_on": today()})
        };
        let too_much = t.json("POST", &uri, &county, consent("2000")).await;
        assert_eq!(error(&too_much).1, "reallocation.exceeds_donation");
        let by_town = t.json("POST", &uri, &town, consent("400")).await;
        assert_eq!(by_town.status, StatusCode::FORBIDDEN);
        let moved = t.json("POST", &uri, &county, consent("400")).await;
        assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text());
        assert_eq!(moved.json()["consent_how"], "书面同意函");

        let paid = t
            .json("POST", "/api/v1/cash-aid", &town, cash_aid(&b, "300", ""))
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text());
        assert_eq!(paid.json()["designation"], "campaign");
        let to_a = t
            .json(
                "POST",
                "/api/v1/cash-aid",
                &town,
                cash_aid(&a, "600", &number),
            )
            .await;
        assert_eq!(to_a.status, StatusCode::CREATED, "{}", to_a.text());
        let over = t
            .json(
                "POST",
                "/api/v1/cash-aid",
                &town,
                cash_aid(&a, "1", &number),
            )
            .await;
        assert_eq!(error(&over).1, "ledger.entry.insufficient_cash");

        let books = t
            .get(
                &format!("/api/v1/campaigns/{DEMO_CAMPAIGN}/reconciliation"),
                &county,
            )
            .await;
        assert_eq!(books.status, StatusCode::OK, "{}", books.text());
        let books = books.json();
        assert_eq!(books["totals"]["cash_aid"], "900.00");
        assert_eq!(books["totals"]["cash_on_hand"], "100.00");
        assert_eq!(books["totals"]["households_reached"], 2);
        assert_eq!(books["cash_balances"], true);
        let kinds: Vec<&str> = books["designations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["kind"].as_str())
            .collect();
        assert_eq!(kinds, ["campaign", "household"]);
        let page = t
            .get(
                &format!("/api/v1/donations/{}", gift["id"].as_str().unwrap()),
                &county,
            )
            .await
            .json();
        assert_eq!(page["reallocated"], json!(["400.00"]));
        let html = t
            .get(
                &format!("/donations/{}", gift["id"].as_str().unwrap()),
                &county,
            )
            .await
            .text();
        assert!(
            html.contains("书面同意函"),
            "the consent shows on the donation page"
        );
    })
    .await;
}

#[tokio::test]
async fn a_signature_image_is_kept_with_the_cash_aid_and_never_served_as_a_page() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let (a, _) = two_households(&t, &town).await;
        let gift = json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "anonymous",
            "amount": "500", "channel": "cash", "received_on": today()});
        let gift = t.json("POST", "/api/v1/donations", &county, gift).await;
        assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.text());
        let paid = t
            .json("POST", "/api/v1/cash-aid", &town, cash_aid(&a, "200", ""))
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text());
        let id = paid.json()["id"].as_str().unwrap().to_owned();
        let uri = |purpose: &str| format!("/api/v1/cash-aid/{id}/files?purpose={purpose}");

        let html = multipart("sign.png", "image/png", b"<html><script>alert(1)</script>");
        let refused = post_file(&t, &uri("signature"), &town, true, html).await;
        assert_eq!(error(&refused).1, "attachment.type");
        let pdf = multipart("sign.pdf", "application/pdf", b"%PDF-1.7\n");
        let refused = post_file(&t, &uri("signature"), &town, true, pdf).await;
        assert_eq!(error(&refused).1, "handover_file.image_only");
        let stored = post_file(
            &t,
            &uri("signature"),
            &town,
            true,
            multipart("签名.png", "text/html", PNG),
        )
        .await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
        let auditor = t.sign_in("auditor").await;
        let listed = t
            .get(&format!("/api/v1/cash-aid/{id}/files"), &auditor)
            .await;
        assert_eq!(
            listed.status,
            StatusCode::FORBIDDEN,
            "signatures are for officers"
        );
        let listed = t
            .get(&format!("/api/v1/cash-aid/{id}/files"), &county)
            .await
            .json();
        let file = listed[0]["id"].as_str().expect("the signature").to_owned();
        let got = t.get(&format!("/api/v1/attachments/{file}"), &county).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(got.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(got.body, PNG);
    })
    .await;
}

#[tokio::test]
async fn goods_go_from_the_county_warehouse_to_a_household_come_back_and_are_seen_on_the_road() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let (a, _) = two_households(&t, &town).await;
        let gift = json!({"campaign": DEMO_CAMPAIGN, "kind": "in_kind",
            "donor_kind": "organization", "donor_name": "肥西示例商贸有限公司（测试）",
            "received_on": today(),
            "lines": [{"item": "quilt", "quantity": "10", "unit_value": "150"}]});
        let gift = t.json("POST", "/api/v1/donations", &county, gift).await;
        assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.text());

        let handover = |station: &str, quantity: &str| {
            json!({"campaign": DEMO_CAMPAIGN, "household": a, "station": station,
                "lines": [{"item": "quilt", "quantity": quantity}], "delivered_on": today(),
                "handler": "县民政局（测试）", "signed_name": "户主签名（测试）"})
        };
        let by_town = t
            .json(
                "POST",
                "/api/v1/distributions",
                &town,
                handover(COUNTY, "2"),
            )
            .await;
        assert_eq!(
            error(&by_town).0,
            "station",
            "a town does not keep the county warehouse"
        );
        let handed = t
            .json(
                "POST",
                "/api/v1/distributions",
                &county,
                handover(COUNTY, "2"),
            )
            .await;
        assert_eq!(handed.status, StatusCode::CREATED, "{}", handed.text());
        assert_eq!(handed.json()["value"], "300.00");

        let back = |quantity: &str| {
            json!({"campaign": DEMO_CAMPAIGN, "household": a, "station": COUNTY, "item": "quilt",
                "quantity": quantity, "returned_on": today(), "reason": "重复领取（测试）",
                "handler": "县民政局（测试）"})
        };
        let too_many = t
            .json("POST", "/api/v1/stock/returns", &county, back("3"))
            .await;
        let (field, code, _) = error(&too_many);
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("quantity", "ledger.stock.return_exceeds")
        );
        let returned = t
            .json("POST", "/api/v1/stock/returns", &county, back("1"))
            .await;
        assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.text());
        assert_eq!(returned.json()["value"], "150.00");

        let waybill = json!({"campaign": DEMO_CAMPAIGN, "from": COUNTY, "to": SHANGPAI,
            "dispatched_on": today(), "lines": [{"item": "quilt", "quantity": "4"}]});
        let sent = t.json("POST", "/api/v1/waybills", &county, waybill).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
        let road = t.get("/api/v1/stock/in-transit", &town).await.json();
        assert_eq!(road[0]["quantity"], 4);
        assert_eq!(road[0]["to"], SHANGPAI);
        let at_county = t
            .get(
                &format!("/api/v1/stock?station={COUNTY}&item=quilt"),
                &county,
            )
            .await
            .json();
        assert_eq!(at_county[0]["quantity"], 10 - 2 + 1 - 4);
        let page = t.get("/stock", &county).await;
        assert!(
            page.text()
                .contains(&sent.json()["number"].as_str().unwrap().to_owned())
        );
    })
    .await;
}

#[tokio::test]
async fn a_donation_recorded_wrongly_is_reversed_not_edited_and_verify_says_so() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let gift = json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "person",
            "donor_name": "录错金额（测试）", "amount": "50000", "channel": "bank_transfer",
            "received_on": today()});
        let gift = t
            .json("POST", "/api/v1/donations", &county, gift)
            .await
            .json();
        let id = gift["id"].as_str().unwrap().to_owned();
        let uri = format!("/api/v1/donations/{id}/correction");
        let blank = t
            .json("POST", &uri, &county, json!({"corrected_on": today()}))
            .await;
        assert_eq!(error(&blank).0, "reason");
        let town = t.sign_in("town").await;
        let reason = json!({"reason": "金额多录一个零（测试）", "corrected_on": today()});
        assert_eq!(
            t.json("POST", &uri, &town, reason.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        let done = t.json("POST", &uri, &county, reason.clone()).await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
        assert_eq!(
            t.json("POST", &uri, &county, reason).await.status,
            StatusCode::CONFLICT
        );

        let shown = t
            .get(&format!("/api/v1/donations/{id}"), &county)
            .await
            .json();
        assert_eq!(shown["correction_reason"], "金额多录一个零（测试）");
        assert_eq!(
            shown["amount"], "50000.00",
            "the record itself is never edited"
        );
        let books = t
            .get(
                &format!("/api/v1/campaigns/{DEMO_CAMPAIGN}/reconciliation"),
                &county,
            )
            .await
            .json();
        assert_eq!(books["totals"]["raised_cash"], "0.00");
        let code = gift["verification_code"].as_str().unwrap();
        let public = t.get(&format!("/verify/{code}"), &Client::default()).await;
        assert!(public.text().contains("已冲销"), "{}", public.text());
    })
    .await;
}

#[tokio::test]
async fn a_reversed_donation_has_reached_no_one_and_the_next_gift_carries_what_was_spent() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let gift = |name: &str, amount: &str| {
            json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "person",
                "donor_name": name, "amount": amount, "channel": "bank_transfer",
                "received_on": today()})
        };
        let wrong = t
            .json("POST", "/api/v1/donations", &county, gift("录错（测试）", "5000"))
            .await
            .json();
        let later = t
            .json("POST", "/api/v1/donations", &county, gift("后到（测试）", "1000"))
            .await
            .json();
        let (a, _) = two_households(&t, &town).await;
        let paid = t
            .json("POST", "/api/v1/cash-aid", &town, cash_aid(&a, "300", ""))
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text());
        let (tr, cr) = (&t, &county);
        let reached = |d: &Value| {
            let id = d["id"].as_str().unwrap_or("").to_owned();
            async move {
                tr.get(&format!("/api/v1/donations/{id}"), cr)
                    .await
                    .json()["reached"]
                    .clone()
            }
        };
        assert_eq!(reached(&wrong).await, "300.00", "first in, first out");
        let id = wrong["id"].as_str().unwrap_or("");
        let reason = json!({"reason": "金额录错（测试）", "corrected_on": today()});
        let undone = t
            .json("POST", &format!("/api/v1/donations/{id}/correction"), &county, reason)
            .await;
        assert_eq!(undone.status, StatusCode::CREATED, "{}", undone.text());
        assert_eq!(reached(&wrong).await, "0.00", "a reversed gift reached no one");
        assert_eq!(reached(&later).await, "300.00", "the aid was paid from this one");
        let code = wrong["verification_code"].as_str().unwrap_or("");
        let public = t
            .get(&format!("/verify/{code}"), &Client::default())
            .await
            .text();
        assert!(public.contains("已冲销") && !public.contains("300.00"), "{public}");
    })
    .await;
}

#[tokio::test]
async fn the_books_are_narrowed_by_station_organization_and_designation_in_the_api_and_the_page() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let uri = format!("/api/v1/campaigns/{DEMO_CAMPAIGN}/reconciliation");
        let all = t.get(&uri, &county).await.json();
        let stations = all["stations"].as_array().map_or(0, Vec::len);
        assert!(stations >= 2, "the county warehouse and 上派镇");
        let org = all["organizations"][0]["label"].clone();
        let one = t
            .get(
                &format!("{uri}?station={SHANGPAI}&designation=town"),
                &county,
            )
            .await
            .json();
        assert_eq!(one["stations"].as_array().map(Vec::len), Some(1));
        assert_eq!(one["stations"][0]["station"], SHANGPAI);
        assert!(
            one["designations"]
                .as_array()
                .is_some_and(|d| !d.is_empty() && d.iter().all(|s| s["kind"] == "town"))
        );
        assert_eq!(one["totals"], all["totals"], "the campaign stays whole");
        let bad = t
            .get(&format!("{uri}?designation=elsewhere"), &county)
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error(&bad).0, "designation");

        let page = t.get("/ledger", &county).await.text();
        let org_id = page
            .split("<option value=\"")
            .filter_map(|o| o.split_once("\">"))
            .find(|(_, label)| label.starts_with(org.as_str().unwrap_or("?")))
            .map(|(value, _)| value.to_owned())
            .expect("the organization is a filter choice");
        let narrowed = t
            .get(&format!("/ledger?organization={org_id}"), &county)
            .await;
        assert_eq!(narrowed.status, StatusCode::OK);
        let html = narrowed.text();
        assert!(html.contains(&format!("value=\"{org_id}\" selected")));
        let names = all["organizations"]
            .as_array()
            .map(|o| o.iter().filter(|s| s["label"] != org).count())
            .unwrap_or(0);
        assert!(names > 0);
        let others_shown = all["organizations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["label"] != org)
            .filter(|s| {
                html.contains(&format!(
                    "<th scope=\"row\">{}</th>",
                    s["label"].as_str().unwrap_or("")
                ))
            })
            .count();
        assert_eq!(others_shown, 0, "only the chosen organization's row");
    })
    .await;
}

#[tokio::test]
async fn goods_designated_to_one_household_are_not_handed_to_another() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let (a, b) = two_households(&t, &town).await;
        let gift = json!({"campaign": DEMO_CAMPAIGN, "kind": "in_kind",
            "donor_kind": "person", "donor_name": "定向捐物人（测试）", "received_on": today(),
            "designation": "household", "designated_to": a,
            "lines": [{"item": "quilt", "quantity": "2", "unit_value": "150"}]});
        let gift = t.json("POST", "/api/v1/donations", &county, gift).await;
        assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.text());
        let handover = |household: &str| {
            json!({"campaign": DEMO_CAMPAIGN, "household": household, "station": COUNTY,
                "lines": [{"item": "quilt", "quantity": "1"}], "delivered_on": today(),
                "handler": "县民政局（测试）", "signed_name": "户主签名（测试）"})
        };
        let elsewhere = t
            .json("POST", "/api/v1/distributions", &county, handover(&b))
            .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the quilts were given for household A: {}",
            elsewhere.text()
        );
        let named = t
            .json("POST", "/api/v1/distributions", &county, handover(&a))
            .await;
        assert_eq!(named.status, StatusCode::CREATED, "{}", named.text());
    })
    .await;
}

#[tokio::test]
async fn a_pledge_delivery_keeps_its_signature_image_and_photo_on_its_page_and_over_the_api() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (org, town) = (t.sign_in("org").await, t.sign_in("town").await);
        let (pledge, _, _, cash) = crate::deliveries::signed_pledge(&t, &org).await;
        let uri = format!("/api/v1/pledge-lines/{cash}/deliveries");
        let done = t
            .json("POST", &uri, &org, crate::deliveries::delivery(0, "500"))
            .await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
        let id = done.json()["delivery"]["id"].as_str().unwrap().to_owned();
        let path = format!("/deliveries/{id}");
        let letter = t.get(&format!("/pledges/{pledge}"), &town).await.text();
        assert!(letter.contains(&path), "the letter links to the delivery");
        let page = t.get(&path, &town).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains("500.00") && page.text().contains("李经办（测试）"));

        let csrf = town.csrf.clone().unwrap_or_default();
        let upload = |purpose: &str| format!("{path}/files?purpose={purpose}&_csrf={csrf}");
        let pdf = multipart("sign.pdf", "application/pdf", b"%PDF-1.4\n%%EOF");
        let refused = post_file(&t, &upload("signature"), &town, false, pdf).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("id=\"e-file-signature\"") && html.contains("JPEG 或 PNG"),
            "the reason is beside the signature's file input: {html}"
        );
        let page = multipart("sign.png", "image/png", b"<html><script>alert(1)</script>");
        let refused = post_file(&t, &upload("signature"), &town, false, page).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            !refused.text().contains("<img src=\""),
            "nothing was stored"
        );
        let png = multipart("签名.png", "text/html", PNG);
        let stored = post_file(&t, &upload("signature"), &town, false, png).await;
        assert!(stored.status.is_redirection(), "{}", stored.text());

        let api = format!("/api/v1/deliveries/{id}/files");
        let jpeg = multipart(
            "photo.jpg",
            "image/jpeg",
            &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10],
        );
        let photo = post_file(
            &t,
            &format!("{api}?purpose=handover_photo"),
            &org,
            true,
            jpeg,
        )
        .await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text());
        assert_eq!(
            t.get(&api, &org).await.status,
            StatusCode::FORBIDDEN,
            "the organization sees names masked, so not the signature either"
        );
        let auditor = t.sign_in("auditor").await;
        assert_eq!(t.get(&api, &auditor).await.status, StatusCode::FORBIDDEN);
        assert!(!t.get(&path, &org).await.text().contains("<img src=\""));

        let listed = t.get(&api, &town).await.json();
        let kinds: Vec<&str> = listed
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f["purpose"].as_str())
            .collect();
        assert_eq!(kinds, ["handover_photo", "signature"], "newest first");
        let html = t.get(&path, &town).await.text();
        assert_eq!(html.matches("<img src=\"").count(), 2, "{html}");
        let file = listed[1]["id"].as_str().expect("the signature").to_owned();
        let got = t.get(&format!("/attachments/{file}"), &town).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(got.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            got.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap_or("")
                .starts_with("attachment"),
            "served as a download, never as a page"
        );
        assert_eq!(got.body, PNG);
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

/// The cash aid form: 300 yuan to `household` from `donation`, received by the head.
fn cash_aid_form<'a>(
    household: &'a str,
    donation: &'a str,
    date: &'a str,
) -> [(&'a str, &'a str); 8] {
    [
        ("campaign", DEMO_CAMPAIGN),
        ("household", household),
        ("amount", "300"),
        ("donation", donation),
        ("delivered_on", date),
        ("recipient", "head"),
        ("handler", "李经办（测试）"),
        ("signed_name", "定向签名（测试）"),
    ]
}

#[tokio::test]
async fn designated_money_and_goods_are_refused_for_another_household_in_the_browser() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let (county, town) = (t.sign_in("county").await, t.sign_in("town").await);
        let (a, b) = two_households(&t, &town).await;
        let money = json!({"campaign": DEMO_CAMPAIGN, "kind": "cash", "donor_kind": "person",
            "donor_name": "定向捐赠人（测试）", "amount": "1000", "channel": "bank_transfer",
            "received_on": today(), "designation": "household", "designated_to": a});
        let money = t.json("POST", "/api/v1/donations", &county, money).await;
        assert_eq!(money.status, StatusCode::CREATED, "{}", money.text());
        let number = money.json()["number"].as_str().unwrap().to_owned();
        let date = today();
        let fields = cash_aid_form(&b, &number, &date);
        let refused = post_form(&t, "/stock/cash-aid", &town, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        let beside = html
            .split("name=\"donation\"")
            .nth(1)
            .and_then(|rest| rest.split("</div>").next())
            .unwrap_or("");
        assert!(
            beside.contains("field-error"),
            "beside the donation: {html}"
        );
        let list = t.get("/stock/cash-aid", &town).await.text();
        assert!(!list.contains("定向签名（测试）"), "no cash aid was stored");
        let fields = cash_aid_form(&a, &number, &date);
        let recorded = post_form(&t, "/stock/cash-aid", &town, &fields).await;
        assert!(recorded.status.is_redirection(), "{}", recorded.text());

        let goods = json!({"campaign": DEMO_CAMPAIGN, "kind": "in_kind",
            "donor_kind": "person", "donor_name": "定向捐物人（测试）", "received_on": today(),
            "designation": "household", "designated_to": a,
            "lines": [{"item": "quilt", "quantity": "2", "unit_value": "150"}]});
        let goods = t.json("POST", "/api/v1/donations", &county, goods).await;
        assert_eq!(goods.status, StatusCode::CREATED, "{}", goods.text());
        let handed = [
            ("campaign", DEMO_CAMPAIGN),
            ("household", b.as_str()),
            ("station", COUNTY),
            ("item_0", "quilt"),
            ("quantity_0", "1"),
            ("delivered_on", date.as_str()),
            ("recipient", "head"),
            ("handler", "县民政局（测试）"),
            ("signed_name", "定向物资签名（测试）"),
        ];
        let refused = post_form(&t, "/stock/distributions", &county, &handed).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        let beside = html
            .split("<legend>")
            .nth(1)
            .and_then(|goods| goods.split("</fieldset>").next())
            .unwrap_or("");
        assert!(beside.contains("field-error"), "beside the goods: {html}");
        let list = t.get("/stock/distributions", &county).await.text();
        assert!(
            !list.contains("定向物资签名（测试）"),
            "no handover was stored"
        );
    })
    .await;
}
