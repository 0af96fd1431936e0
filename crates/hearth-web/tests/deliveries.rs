//! Deliveries through the real router: an organization claims a need, pledges it with some
//! cash, signs, and records deliveries until the pledge is fulfilled; over-delivery is a 422
//! naming what remains, two deliveries of a whole line at once give one 201 and one 422, and
//! each role reads the deliveries in its scope.

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

/// A signed pledge of the first open item need in 上派镇 on the claim sheet (claimed by `org`) and
/// 500 yuan: its id, the item line's id and quantity, and the cash line's id.
pub(crate) async fn signed_pledge(t: &TestApp, org: &Client) -> (String, String, u64, String) {
    let sheet = t
        .get(
            "/api/v1/needs/claim-sheet?page_size=100&kind=item&town=340123100000",
            org,
        )
        .await
        .json();
    let row = sheet["items"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == "item")
        .expect("an open item need")
        .clone();
    let need = row["id"].as_str().expect("id").to_owned();
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
        "mode": "one_to_one", "delivery": "through_town", "deadline": deadline,
        "witness_town": "上派镇", "witness_village": "示例村",
        "lines": [{"kind": "cash", "cash": "500"}]});
    let created = t.json("POST", "/api/v1/pledges", org, draft).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let pledge = created.json();
    let id = pledge["id"].as_str().expect("id").to_owned();
    let signed = t
        .json(
            "POST",
            &format!("/api/v1/pledges/{id}/sign"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
    let line = |i: usize| {
        pledge["lines"][i]["id"]
            .as_str()
            .expect("line id")
            .to_owned()
    };
    (
        id,
        line(0),
        row["quantity"].as_u64().expect("quantity"),
        line(1),
    )
}

pub(crate) fn delivery(quantity: u64, cash: &str) -> Value {
    let quantity = if quantity == 0 {
        String::new()
    } else {
        quantity.to_string()
    };
    json!({"delivered_on": hearth_app::today().to_string(), "handler": "李经办（测试）",
           "signed_name": "户主签名（测试）", "quantity": quantity, "cash": cash})
}

#[tokio::test]
async fn an_organization_delivers_until_the_pledge_is_fulfilled() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let (pledge, items, quantity, cash) = signed_pledge(&t, &org).await;
        let post = |line: &str| format!("/api/v1/pledge-lines/{line}/deliveries");

        let forged = t
            .json_without_csrf("POST", &post(&cash), &org, delivery(0, "500"))
            .await;
        assert_eq!(
            forged.status,
            StatusCode::FORBIDDEN,
            "a cookie alone does not write"
        );

        let too_much = t.json("POST", &post(&cash), &org, delivery(0, "600")).await;
        assert_eq!(
            too_much.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            too_much.text()
        );
        let error = &too_much.json()["error"];
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("delivery.too_much"), Some("cash"))
        );
        assert!(
            error["message_zh"]
                .as_str()
                .unwrap_or("")
                .contains("500.00"),
            "{error}"
        );

        let first = t.json("POST", &post(&cash), &org, delivery(0, "500")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
        let first = first.json();
        assert_eq!(first["line"]["done"], true);
        assert_eq!(first["pledge_status"], "in_progress");
        assert_eq!(first["delivery"]["cash"], "500.00");
        assert!(
            first["delivery"]["head_name"]
                .as_str()
                .unwrap_or("")
                .ends_with('*'),
            "masked"
        );

        // The town hands over (集中发放) and the organization tries at the same moment.
        let town = t.sign_in("town").await;
        let (whole, uri) = (delivery(quantity, ""), post(&items));
        let (a, b) = tokio::join!(
            t.json("POST", &uri, &org, whole.clone()),
            t.json("POST", &uri, &town, whole.clone())
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY],
            "{} {}",
            a.text(),
            b.text()
        );
        let won = if a.status == StatusCode::CREATED {
            a.json()
        } else {
            b.json()
        };
        assert_eq!(won["pledge_status"], "fulfilled");
        let seen = t
            .get(&format!("/api/v1/pledges/{pledge}"), &org)
            .await
            .json();
        assert_eq!(seen["status"], "fulfilled");

        let listed = t
            .get(&format!("/api/v1/pledges/{pledge}/deliveries"), &org)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
        let listed = listed.json();
        assert_eq!(listed["deliveries"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            listed["lines"][0]["delivered_quantity"].as_u64(),
            Some(quantity)
        );
        assert_eq!(listed["lines"][0]["remaining_quantity"].as_u64(), Some(0));
        assert!(
            listed["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .all(|l| l["done"] == true)
        );

        let county = t.sign_in("county").await;
        // The demo's own deliveries are left out: this letter's only.
        let all = t
            .get(
                &format!("/api/v1/deliveries?page_size=100&pledge={pledge}"),
                &county,
            )
            .await
            .json();
        assert_eq!(all["total"], 2);
        assert!(
            !all["items"][0]["head_name"]
                .as_str()
                .unwrap_or("*")
                .ends_with('*'),
            "officers see the name"
        );
        let sanhe = t
            .get(
                &format!("/api/v1/deliveries?area=340123101000&pledge={pledge}"),
                &county,
            )
            .await
            .json();
        assert_eq!(sanhe["total"], 0, "another town");
        let sysadmin = t.sign_in("sysadmin").await;
        assert_eq!(
            t.get("/api/v1/deliveries", &sysadmin).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get(
                &format!("/api/v1/pledges/{pledge}/deliveries"),
                &Client::default()
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        let unknown = t
            .json("POST", &post("not-a-line"), &org, delivery(1, ""))
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    })
    .await;
}
