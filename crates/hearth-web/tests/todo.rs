//! The home page's to-do lines link to the list they count, filtered, and that list shows as
//! many rows: a village's deliveries to confirm, an organization's pledges due within a week.

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::json;

/// The count and link of the home page's to-do line labelled `label`.
async fn todo_line(t: &TestApp, who: &Client, label: &str) -> Option<(i64, String)> {
    let home = t.get("/", who).await.text();
    home.split("<li><a href=\"").skip(1).find_map(|part| {
        let (href, rest) = part.split_once("\">")?;
        let (count, rest) = rest
            .strip_prefix("<span class=\"todo-count\">")?
            .split_once("</span>")?;
        if !rest.trim_start().starts_with(label) {
            return None;
        }
        Some((count.parse().ok()?, href.replace("&amp;", "&")))
    })
}

/// The list behind `href` says it holds `count` rows.
async fn list_holds(t: &TestApp, who: &Client, href: &str, count: i64) {
    let list = t.get(href, who).await;
    assert_eq!(list.status, StatusCode::OK, "{href}: {}", list.text());
    assert!(
        list.text().contains(&format!("共 {count} 条")),
        "{href} does not hold {count} rows"
    );
}

#[tokio::test]
async fn a_village_officer_finds_the_deliveries_to_confirm_behind_the_count() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let (count, href) = todo_line(&t, &village, "份承诺书尚未发放完毕")
            .await
            .expect("the demo village has a letter handed over through the town");
        assert!(count > 0);
        assert_eq!(href, "/pledges?to_deliver=1");
        list_holds(&t, &village, &href, count).await;

        let town = t.sign_in("town").await;
        assert!(
            todo_line(&t, &town, "份承诺书尚未发放完毕").await.is_none(),
            "the town hands over; it has nothing to confirm"
        );
    })
    .await;
}

#[tokio::test]
async fn an_organization_finds_its_pledges_due_within_a_week_behind_the_count() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let before = todo_line(&t, &org, "份承诺书将在一周内到期").await;
        let before = before.map_or(0, |(count, _)| count);

        let sheet = t
            .get("/api/v1/needs/claim-sheet?page_size=100", &org)
            .await
            .json();
        let need = sheet["items"][0]["id"]
            .as_str()
            .expect("an open need")
            .to_owned();
        let claimed = t
            .json(
                "POST",
                &format!("/api/v1/needs/{need}/claim"),
                &org,
                json!({}),
            )
            .await;
        assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
        let deadline = (hearth_app::today() + chrono::Days::new(5)).to_string();
        let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
                           "mode": "one_to_one", "deadline": deadline,
                           "witness_town": "上派镇", "witness_village": "示例村"});
        let created = t.json("POST", "/api/v1/pledges", &org, draft).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let id = created.json()["id"].as_str().expect("id").to_owned();
        let sign = format!("/api/v1/pledges/{id}/sign");
        let signed = t.json("POST", &sign, &org, json!({})).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());

        let (count, href) = todo_line(&t, &org, "份承诺书将在一周内到期")
            .await
            .expect("the letter is due within a week");
        assert_eq!(count, before + 1);
        assert_eq!(href, "/pledges?due_soon=1");
        list_holds(&t, &org, &href, count).await;
        let list = t.get(&href, &org).await.text();
        assert!(
            list.contains(&format!("/pledges/{id}")),
            "the letter is listed"
        );

        let english = t.get("/?lang=en", &org).await.text();
        assert!(english.contains("pledges due within a week"), "{english}");
    })
    .await;
}
