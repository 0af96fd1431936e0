//! 批量提交 and 批量审核通过 through the real router, on SQLite and PostgreSQL: the JSON route
//! with its report and refusals, and the list page's checkboxes, buttons and result line.

use crate::households::history_actions;
use crate::support::{Client, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

/// The demo `village` account's village (上派镇's first example community).
const VILLAGE: &str = "340123100001";

/// A valid ID number of a county the demo never uses, for someone born in 1950.
fn id_number(seq: u32) -> String {
    let first17 = format!("34012119500101{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A household of one adult: complete (a category and signed consent) or a bare draft.
fn household(head: &str, seq: u32, complete: bool) -> Value {
    let mut body = json!({
        "members": [{"name": head, "id_number": id_number(seq), "relation": ""}],
        "address": "示例社区南组3号",
        "village": VILLAGE,
    });
    if complete {
        body["categories"] = json!([{
            "category": "dibao",
            "source": "民政系统",
            "verified_by": "王某某",
            "verified_on": "2024-03-01",
        }]);
        body["consent"] = json!({
            "version": "2024版",
            "signed_on": "2024-11-02",
            "scopes": ["share_with_organizations"],
            "signer": head,
        });
    }
    body
}

async fn register(t: &TestApp, client: &Client, body: Value) -> String {
    let reply = t.json("POST", "/api/v1/households", client, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap_or("").to_owned()
}

/// Two complete drafts and an incomplete one, registered by the demo village officer.
async fn three_drafts(t: &TestApp, village: &Client) -> (Vec<String>, String) {
    let complete = vec![
        register(t, village, household("董春林", 801, true)).await,
        register(t, village, household("韩秋月", 803, true)).await,
    ];
    let incomplete = register(t, village, household("吕冬生", 805, false)).await;
    (complete, incomplete)
}

async fn review(t: &TestApp, client: &Client, ids: &[String], action: &str) -> (StatusCode, Value) {
    let reply = t
        .json(
            "POST",
            "/api/v1/households/review",
            client,
            json!({"ids": ids, "action": action}),
        )
        .await;
    (reply.status, reply.json())
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn first_error(body: &Value) -> (String, String) {
    (
        body["error"]["field"].as_str().unwrap_or("").to_owned(),
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn the_api_submits_and_approves_in_bulk_and_names_each_refusal() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let (complete, incomplete) = three_drafts(&t, &village).await;
        let all = [complete.clone(), vec![incomplete.clone()]].concat();

        let (status, report) = review(&t, &village, &all, "submit").await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["action"], "submit");
        assert_eq!(report["done"], 2);
        assert_eq!(strings(&report["done_ids"]), complete);
        let refused = report["refused"].as_array().cloned().unwrap_or_default();
        assert_eq!(refused.len(), 1, "{report}");
        assert_eq!(refused[0]["id"], incomplete.as_str());
        let codes: Vec<(&str, &str)> = refused[0]["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or(""),
                            e["code"].as_str().unwrap_or(""),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            codes,
            [
                ("consent", "household.consent_missing"),
                ("categories", "household.categories_missing"),
            ]
        );
        assert!(
            refused[0]["errors"][0]["message_zh"]
                .as_str()
                .unwrap_or("")
                .contains("知情同意书"),
            "{report}"
        );

        // The village may not approve; the town approves what was submitted.
        let (status, body) = review(&t, &village, &complete, "approve").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, report) = review(&t, &town, &all, "approve").await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(strings(&report["done_ids"]), complete);
        assert_eq!(report["refused"][0]["id"], incomplete.as_str());
        assert_eq!(
            report["refused"][0]["errors"][0]["code"],
            "household.cannot_review"
        );
        for id in &complete {
            let one = t.get(&format!("/api/v1/households/{id}"), &town).await;
            assert_eq!(one.json()["status"], "approved");
            assert_eq!(
                history_actions(&t, &town, id).await,
                ["household_created", "household_submit", "household_approve"]
            );
        }

        // Bad requests are refused as a whole, naming the field.
        let (status, body) = review(&t, &town, &[], "approve").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&body),
            ("ids".into(), "household.bulk_empty".into())
        );
        let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
        let (status, body) = review(&t, &town, &too_many, "approve").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&body),
            ("ids".into(), "household.bulk_too_many".into())
        );
        let (status, body) = review(&t, &town, &["编号".to_owned()], "approve").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&body),
            ("ids[0]".into(), "household.bulk_id".into())
        );
        let (status, body) = review(&t, &town, &complete, "return").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&body),
            ("action".into(), "household.bulk_action".into())
        );

        // A cookie without the CSRF token does nothing.
        let forged = t
            .json_without_csrf(
                "POST",
                "/api/v1/households/review",
                &village,
                json!({"ids": [incomplete], "action": "submit"}),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_list_page_ticks_posts_and_says_what_was_done_and_why_not() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let (complete, incomplete) = three_drafts(&t, &village).await;
        let vcsrf = village.csrf.clone().unwrap_or_default();
        let tcsrf = town.csrf.clone().unwrap_or_default();

        let page = t.get("/households?status=draft", &village).await.text();
        assert!(page.contains("action=\"/households/review\""));
        assert!(page.contains("name=\"action\" value=\"submit\""));
        assert!(page.contains("批量提交"));
        assert!(!page.contains("name=\"action\" value=\"approve\""));
        for id in complete.iter().chain([&incomplete]) {
            assert!(
                page.contains(&format!("name=\"id\" value=\"{id}\" form=\"hh-review\"")),
                "a checkbox for {id}"
            );
        }

        let ticked: Vec<&String> = complete.iter().chain([&incomplete]).collect();
        let fields = [
            ("_csrf", vcsrf.as_str()),
            ("status", "draft"),
            ("action", "submit"),
        ];
        let back = post_ticked(&t, &village, &fields, &ticked).await;
        assert!(back.starts_with("/households?"), "{back}");
        assert!(
            back.contains("status=draft"),
            "back to the same rows: {back}"
        );
        assert!(
            !back.contains(&encoded("吕冬生")),
            "no name goes into an address: {back}"
        );
        let result = t.get(&back, &village).await;
        assert_eq!(result.status, StatusCode::OK);
        let html = result.text();
        assert!(html.contains("已提交 2 户；1 户未提交："), "{html}");
        assert!(
            html.contains("吕冬生：提交审核前，请登记已签字的知情同意书"),
            "{html}"
        );
        assert!(html.contains("提交审核前，请至少填写一个困难类别"));
        let english = t.get(&format!("{back}&lang=en"), &village).await.text();
        assert!(english.contains("Submitted 2 households; 1 not submitted:"));

        // The town sees the submitted ones ticked for approval, and approves them.
        let page = t.get("/households?status=submitted", &town).await.text();
        assert!(page.contains("name=\"action\" value=\"approve\""));
        assert!(page.contains("批量审核通过"));
        let fields = [("_csrf", tcsrf.as_str()), ("action", "approve")];
        let back = post_ticked(&t, &town, &fields, &ticked).await;
        let html = t.get(&back, &town).await.text();
        assert!(html.contains("已审核通过 2 户；1 户未通过："), "{html}");
        assert!(
            html.contains("吕冬生：只有待审核的记录可以审核通过或退回"),
            "{html}"
        );

        // Nothing ticked: the list again, saying so.
        let empty = t
            .form(
                "/households/review",
                &town,
                &[("_csrf", tcsrf.as_str()), ("action", "approve")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().contains("请先勾选要处理的记录"));
        // Without the form's token nothing happens.
        let forged = t
            .form(
                "/households/review",
                &village,
                &[("action", "submit"), ("id", incomplete.as_str())],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// A refusal carried back in the address shows the numbers its message needs, and nothing else
/// an address could put there: a name in their place shows as "…".
#[tokio::test]
async fn a_carried_refusal_shows_its_numbers_and_no_other_text() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let reasons = "household.bulk_too_many;max=500;count=501,\
            household.already_registered;village=;head=诸葛孔明,\
            consent.withdrawn_before_signed;withdrawn=2024-01-02;signed=2024-03-01,\
            field.required,totp.wrong";
        let refused = format!("{}:{reasons}", uuid::Uuid::now_v7());
        let query = serde_urlencoded::to_string([
            ("bulk", "submit"),
            ("done", "0"),
            ("refused", refused.as_str()),
        ])
        .unwrap_or_default();
        let html = t
            .get(&format!("/households?{query}"), &village)
            .await
            .text();
        assert!(
            html.contains("一次最多处理500户，本次选择了501户"),
            "{html}"
        );
        assert!(html.contains("该身份证号已登记在…（户主 …）"), "{html}");
        assert!(
            html.contains("撤回日期2024-01-02早于签署日期2024-03-01"),
            "consent rules are carried: {html}"
        );
        assert!(
            html.contains("请填写此项"),
            "field rules are carried: {html}"
        );
        assert!(
            !html.contains("动态验证码不正确"),
            "other messages are not: {html}"
        );
        assert!(!html.contains("诸葛孔明"), "{html}");
        assert!(!html.contains("{max}"), "{html}");
    })
    .await;
}

/// Posts the list's bulk form with these rows ticked; the address it sends the browser back to.
async fn post_ticked(
    t: &TestApp,
    client: &Client,
    fields: &[(&str, &str)],
    ids: &[&String],
) -> String {
    let mut form = fields.to_vec();
    form.extend(ids.iter().map(|id| ("id", id.as_str())));
    let posted = t.form("/households/review", client, &form).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text());
    posted
        .headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// A name as it would appear percent-encoded in an address.
fn encoded(name: &str) -> String {
    serde_urlencoded::to_string([("v", name)]).unwrap_or_default()[2..].to_owned()
}
