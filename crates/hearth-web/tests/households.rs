//! The household registry through the real router, on SQLite and PostgreSQL: registration and
//! its refusals, the review workflow with maker-checker, scope and masking by role, the logged
//! reveal, search through blind indexes, the list page and the audited export.

use crate::support::{Client, Reply, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

/// The demo `village` account's village (上派镇's first example community) and its town.
const VILLAGE: &str = "340123100001";

/// Synthetic ID numbers of domain.md §1: a man born 1990-03-07, a woman born 1949-12-31 and a
/// girl born 2015-01-01 (under 14, so a guardian consents).
const MAN: &str = "340123199003071234";
const ELDER: &str = "11010519491231002X";
const GIRL: &str = "340123201501010047";
const MAN_MASKED: &str = "340123********1234";

/// A valid ID number of a county the demo never uses (so demo households cannot clash).
fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("340121{birth}{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn member(name: &str, id: &str, relation: &str) -> Value {
    json!({"name": name, "id_number": id, "relation": relation})
}

fn tag(category: &str) -> Value {
    json!({
        "category": category,
        "source": "民政系统",
        "verified_by": "王某某",
        "verified_on": "2024-03-01",
        "valid_until": "",
    })
}

/// A complete household ready for review: head, mother and daughter, two categories, signed
/// consent that shares with organizations, a guardian for the girl.
fn household(members: Vec<Value>, phone: &str) -> Value {
    json!({
        "members": members,
        "address": "示例社区东组12号",
        "village": VILLAGE,
        "phone": phone,
        "categories": [tag("dibao"), tag("child_in_difficulty")],
        "main_category": "dibao",
        "causes": ["illness"],
        "consent": {
            "version": "2024版",
            "signed_on": "2024-11-02",
            "scopes": ["share_with_organizations", "follow_up_visits"],
            "signer": "张建国",
            "guardian": "张建国",
        },
        "note": "",
    })
}

fn zhang_family() -> Value {
    household(
        vec![
            member("张建国", MAN, ""),
            member("刘桂兰", ELDER, "parent"),
            member("张小雨", GIRL, "child"),
        ],
        "13955501234",
    )
}

async fn register(t: &TestApp, client: &Client, body: Value) -> Value {
    let reply = t.json("POST", "/api/v1/households", client, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

async fn post(t: &TestApp, client: &Client, path: &str, body: Value) -> Reply {
    t.json("POST", path, client, body).await
}

fn codes(reply: &Reply) -> Vec<(String, String)> {
    reply.json()["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The ids of the households a search answers.
async fn found(t: &TestApp, client: &Client, query: &str) -> Vec<String> {
    let reply = t
        .get(&format!("/api/v1/households?page_size=100&{query}"), client)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text());
    reply.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| h["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn enc(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap_or_default()[2..].to_owned()
}

#[tokio::test]
async fn a_village_officer_registers_and_the_same_person_is_refused_naming_where() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let saved = register(&t, &village, zhang_family()).await;
        assert_eq!(saved["status"], "draft");
        assert_eq!(saved["head_name"], "张建国", "officers see names in full");
        assert_eq!(saved["head_id"], MAN_MASKED);
        assert_eq!(saved["member_count"], 3);
        assert_eq!(saved["members"][1]["sex"], "female");
        assert!(saved["score"].as_i64().unwrap_or(0) > 0);
        let village_name = saved["village_name"].as_str().unwrap_or("").to_owned();
        assert!(!village_name.is_empty());

        // The mother registered again, as the head of another household.
        let again = household(vec![member("刘桂兰", ELDER, "")], "");
        let refused = t.json("POST", "/api/v1/households", &village, again).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
        let error = &refused.json()["error"];
        assert_eq!(error["code"], "household.already_registered");
        assert_eq!(error["field"], "members[0].id_number");
        let message = error["message_zh"].as_str().unwrap_or("");
        assert!(message.contains(&village_name), "{message}");
        assert!(message.contains("张*"), "the head is masked: {message}");
        assert!(!message.contains("张建国"), "{message}");

        // Edits are made from a version; a stale one is refused.
        let id = saved["id"].as_str().unwrap_or("");
        let mut edited = zhang_family();
        edited["address"] = json!("示例社区南组8号");
        edited["version"] = saved["version"].clone();
        let path = format!("/api/v1/households/{id}");
        let updated = t.json("PUT", &path, &village, edited.clone()).await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
        assert_eq!(updated.json()["address"], "示例社区南组8号");
        assert_eq!(
            updated.json()["version"],
            saved["version"].as_i64().unwrap_or(0) + 1
        );
        let stale = t.json("PUT", &path, &village, edited).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(stale.json()["error"]["code"], "household.stale_edit");
    })
    .await;
}

#[tokio::test]
async fn invalid_id_numbers_are_refused_naming_the_member_and_the_reason() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let body = household(
            vec![
                member("赵大山", &id_number("19600505", 11), ""),
                member("钱二", "340123199003071235", "spouse"),
                member("钱三", "34012319900230123", "child"),
            ],
            "",
        );
        let refused = t.json("POST", "/api/v1/households", &village, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let got = codes(&refused);
        assert!(
            got.contains(&("members[1].id_number".into(), "id.check".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("members[2].id_number".into(), "id.length".into())),
            "{got:?}"
        );
        let body = refused.json();
        let check = body["errors"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|e| e["field"] == "members[1].id_number")
                    .cloned()
            })
            .unwrap_or_default();
        let zh = check["message_zh"].as_str().unwrap_or("");
        assert!(zh.contains("校验位") && zh.contains('4'), "{zh}");
        assert!(check["message_en"].as_str().unwrap_or("").contains("check"));
        // Nothing was stored.
        assert!(
            found(&t, &village, &format!("name={}", enc("钱二")))
                .await
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn submitted_households_are_approved_by_the_town_never_by_their_maker() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let submitted = post(&t, &village, &format!("/api/v1/households/{id}/submit"), json!({})).await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
        assert_eq!(submitted.json()["status"], "submitted");

        // The village officer who entered it may not review at all.
        let by_maker = post(&t, &village, &format!("/api/v1/households/{id}/approve"), json!({})).await;
        assert_eq!(by_maker.status, StatusCode::FORBIDDEN);
        // Editing a submitted record is refused with the reason.
        let edit = t
            .json(
                "PUT",
                &format!("/api/v1/households/{id}"),
                &village,
                json!({"version": submitted.json()["version"], "members": [member("张建国", MAN, "")], "address": "x", "village": VILLAGE}),
            )
            .await;
        assert_eq!(edit.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(edit.json()["error"]["code"], "household.edit_submitted");

        let approved = post(&t, &town, &format!("/api/v1/households/{id}/approve"), json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
        assert_eq!(approved.json()["status"], "approved");

        // A town officer who enters a record cannot approve it either (maker-checker).
        let own = register(
            &t,
            &town,
            household(vec![member("孙守田", &id_number("19420808", 31), "")], ""),
        )
        .await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let sent = post(&t, &town, &format!("/api/v1/households/{own}/submit"), json!({})).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        assert_eq!(sent.json()["entered_by_caller"], true);
        let self_approved = post(&t, &town, &format!("/api/v1/households/{own}/approve"), json!({})).await;
        assert_eq!(self_approved.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(self_approved.json()["error"]["code"], "household.maker_checker");

        assert_eq!(
            history_actions(&t, &village, &id).await,
            ["household_created", "household_submit", "household_approve"]
        );
    })
    .await;
}

#[tokio::test]
async fn returning_needs_a_reason_and_the_village_sees_it() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        post(
            &t,
            &village,
            &format!("/api/v1/households/{id}/submit"),
            json!({}),
        )
        .await;
        let blank = post(
            &t,
            &town,
            &format!("/api/v1/households/{id}/return"),
            json!({"reason": "  "}),
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(blank.json()["error"]["field"], "reason");
        assert_eq!(
            blank.json()["error"]["code"],
            "household.return_reason_required"
        );

        // The town returns it through the page's form.
        let reason = "低保证明已过期，请补充最新证明";
        let page = t
            .form(
                &format!("/households/{id}/return"),
                &town,
                &[
                    ("_csrf", town.csrf.as_deref().unwrap_or("")),
                    ("reason", reason),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());

        let seen = t
            .get(&format!("/api/v1/households/{id}"), &village)
            .await
            .json();
        assert_eq!(seen["status"], "returned");
        assert_eq!(seen["return_reason"], reason);
        let html = t.get(&format!("/households/{id}"), &village).await;
        assert_eq!(html.status, StatusCode::OK);
        let html = html.text();
        assert!(html.contains(reason), "the reason is on the page");
        assert!(html.contains("已退回"));
        assert!(
            html.contains(&format!("/households/{id}/submit")),
            "the village may submit again"
        );
    })
    .await;
}

#[tokio::test]
async fn organizations_and_the_system_admin_see_no_households() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        t.close_demo_campaign().await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let org = t.sign_in("org").await;
        let list = t.get("/api/v1/households", &org).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(
            list.json()["total"],
            0,
            "not enrolled in a launched campaign"
        );
        assert_eq!(
            t.get(&format!("/api/v1/households/{id}"), &org)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let page = t.get("/households", &org).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("张建国") && !page.text().contains(MAN_MASKED));
        assert_eq!(
            t.get("/households/export.xlsx", &org).await.status,
            StatusCode::FORBIDDEN
        );

        let admin = t.sign_in("sysadmin").await;
        assert_eq!(
            t.get("/api/v1/households", &admin).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get(&format!("/api/v1/households/{id}"), &admin)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let page = t.get("/households", &admin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let home = t.get("/", &admin).await.text();
        assert!(!home.contains("href=\"/households\""), "no menu entry");
    })
    .await;
}

#[tokio::test]
async fn the_auditor_sees_masked_names_and_cannot_reveal() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let auditor = t.sign_in("auditor").await;
        let seen = t.get(&format!("/api/v1/households/{id}"), &auditor).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
        let seen = seen.json();
        assert_eq!(seen["head_name"], "张*");
        assert_eq!(seen["head_id"], MAN_MASKED);
        assert_eq!(seen["members"][1]["name"], "刘*");
        assert!(!seen.to_string().contains("张建国"));
        assert!(!seen.to_string().contains(MAN));
        let reveal = post(
            &t,
            &auditor,
            &format!("/api/v1/households/{id}/reveal"),
            json!({"reason": "审计抽查低保材料"}),
        )
        .await;
        assert_eq!(reveal.status, StatusCode::FORBIDDEN);
        assert_eq!(
            t.get(&format!("/api/v1/households/{id}/score"), &auditor)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let page = t.get(&format!("/households/{id}"), &auditor).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("张*") && !html.contains("张建国"));
        assert!(!html.contains("/reveal"), "no reveal form for the auditor");
        let list = t
            .get(&format!("/households?area={VILLAGE}&size=100"), &auditor)
            .await;
        assert!(list.text().contains("张*") && !list.text().contains("张建国"));
    })
    .await;
}

#[tokio::test]
async fn revealing_needs_a_reason_and_is_written_to_the_audit_log() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let path = format!("/api/v1/households/{id}/reveal");
        let none = post(&t, &village, &path, json!({})).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(none.json()["error"]["field"], "reason");
        let reason = "核对低保申请材料";
        let shown = post(&t, &village, &path, json!({"reason": reason})).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
        assert_eq!(
            shown
                .headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let body = shown.json();
        assert_eq!(body["members"][0]["id_number"], MAN);
        assert_eq!(body["members"][1]["id_number"], ELDER);
        assert_eq!(body["phone"], "13955501234");

        let history = t
            .get(&format!("/api/v1/households/{id}/history"), &village)
            .await
            .json();
        let revealed = history
            .as_array()
            .and_then(|h| {
                h.iter()
                    .find(|e| e["action"] == "household_revealed")
                    .cloned()
            })
            .expect("a household_revealed event");
        assert_eq!(revealed["reason"], reason);
        assert_eq!(revealed["role"], "village_officer");

        // The page: a reason is typed, the details come back once in the answer.
        let short = t
            .form(
                &format!("/households/{id}/reveal"),
                &village,
                &[
                    ("_csrf", village.csrf.as_deref().unwrap_or("")),
                    ("reason", "看"),
                ],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!short.text().contains(MAN));
        let page = t
            .form(
                &format!("/households/{id}/reveal"),
                &village,
                &[
                    ("_csrf", village.csrf.as_deref().unwrap_or("")),
                    ("reason", "入户核实家庭成员"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains(MAN) && page.text().contains(GIRL));
        assert!(page.text().contains("入户核实家庭成员"));
        let again = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(!again.contains(MAN), "masked again on the next view");
        let history = t
            .get(&format!("/api/v1/households/{id}/history"), &village)
            .await
            .json();
        let count = history
            .as_array()
            .map(|h| {
                h.iter()
                    .filter(|e| e["action"] == "household_revealed")
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(count, 2);
    })
    .await;
}

#[tokio::test]
async fn search_finds_by_full_id_number_phone_and_last_four() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let town = t.sign_in("town").await;
        for number in [MAN, ELDER, "13955501234", "139 5550 1234"] {
            let hits = found(&t, &town, &format!("number={}", enc(number))).await;
            assert_eq!(hits, vec![id.clone()], "{number}");
        }
        // A 15-digit first-generation number is the same person.
        assert_eq!(
            found(&t, &town, "number=110105491231002").await,
            vec![id.clone()]
        );
        for last4 in ["1234", "002X", "002x", "0047"] {
            let hits = found(&t, &town, &format!("area={VILLAGE}&number={last4}")).await;
            assert!(hits.contains(&id), "{last4}: {hits:?}");
        }
        assert!(
            found(
                &t,
                &town,
                &format!("number={}", enc(&id_number("19700101", 5)))
            )
            .await
            .is_empty()
        );
        let bad = t.get("/api/v1/households?number=12345", &town).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["field"], "number");

        // The page: a full number is posted and answered, never put into an address.
        let csrf = town.csrf.clone().unwrap_or_default();
        let page = t
            .form(
                "/households/search",
                &town,
                &[("_csrf", &csrf), ("number", ELDER)],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(page.text().contains(&format!("/households/{id}")));
        assert!(!page.text().contains(&format!("number={ELDER}")));
        let last4 = t
            .form(
                "/households/search",
                &town,
                &[("_csrf", &csrf), ("number", "0047")],
            )
            .await;
        assert_eq!(last4.status, StatusCode::SEE_OTHER);
        let to = last4
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(to.contains("number=0047"), "{to}");
    })
    .await;
}

#[tokio::test]
async fn the_town_list_shows_masked_ids_and_never_the_full_number() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        register(&t, &village, zhang_family()).await;
        let town = t.sign_in("town").await;
        let page = t
            .get(&format!("/households?area={VILLAGE}&size=100"), &town)
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains(MAN_MASKED), "masked ID in the table");
        assert!(html.contains("张建国"), "the town sees names");
        for full in [MAN, ELDER, GIRL, "13955501234"] {
            assert!(!html.contains(full), "{full} leaked into the list");
        }
        assert!(html.contains("困难家庭"), "menu and title");
        assert!(html.contains("/households/export.xlsx"));
        assert!(
            html.contains("href=\"/households/new\""),
            "towns register too"
        );
    })
    .await;
}

#[tokio::test]
async fn the_export_is_a_real_spreadsheet_masked_like_the_list_and_audited() {
    each_backend(async |db| {
        use calamine::{Reader, Xlsx};
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        register(&t, &village, zhang_family()).await;
        let town = t.sign_in("town").await;
        let reply = t
            .get(&format!("/households/export.xlsx?area={VILLAGE}"), &town)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let kind = reply
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(reply.body.clone())).expect("an xlsx file");
        let range = book
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable");
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(cells[1][0], "户主", "header row under the title");
        let ours = cells
            .iter()
            .find(|r| r.iter().any(|c| c == "张建国"))
            .expect("our household is exported");
        assert!(ours.contains(&MAN_MASKED.to_owned()), "{ours:?}");
        for row in &cells {
            for cell in row {
                for full in [MAN, ELDER, GIRL, "13955501234"] {
                    assert!(!cell.contains(full), "{full} leaked into the export");
                }
            }
        }
        // The auditor's export is masked like the auditor's list.
        let auditor = t.sign_in("auditor").await;
        let masked = t
            .get(&format!("/households/export.xlsx?area={VILLAGE}"), &auditor)
            .await;
        assert_eq!(masked.status, StatusCode::OK);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(masked.body.clone())).expect("xlsx");
        let range = book
            .worksheet_range_at(0)
            .expect("sheet")
            .expect("readable");
        let names: Vec<String> = range
            .rows()
            .skip(2)
            .filter_map(|r| r.first().map(|c| c.to_string()))
            .collect();
        assert!(names.iter().any(|n| n == "张*"), "{names:?}");
        assert!(!names.iter().any(|n| n == "张建国"));

        // Both exports are on the audit log the auditor reads.
        let audit = t.get("/audit", &auditor).await;
        assert_eq!(audit.status, StatusCode::OK);
        // Logged like every other list export: the list's name and its row count.
        let log = audit.text();
        assert_eq!(log.matches("导出列表").count(), 2, "two exports logged");
        assert!(log.contains("households"), "the list is named");
    })
    .await;
}

#[tokio::test]
async fn the_form_grows_rows_without_javascript_and_keeps_what_was_typed() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let csrf = village.csrf.clone().unwrap_or_default();
        let blank = t.get("/households/new", &village).await;
        assert_eq!(blank.status, StatusCode::OK);
        let html = blank.text();
        assert!(
            html.contains("name=\"members[0].name\"") && html.contains("name=\"members[2].name\"")
        );
        assert!(!html.contains("name=\"members[3].name\""));
        assert!(html.contains("增加成员行") && html.contains("增加类别行"));
        assert!(
            !html.contains("<script>") && !html.contains("style=\""),
            "no inline script or style"
        );

        let elder = id_number("19400506", 11);
        let typed = [
            ("_csrf", csrf.as_str()),
            ("member_rows", "3"),
            ("tag_rows", "2"),
            ("village", VILLAGE),
            ("address", "示例社区西组3号"),
            ("members[0].name", "周长海"),
            ("members[0].id_number", elder.as_str()),
            ("members[0].relation", "head"),
            ("members[1].name", "周玉珍"),
            ("members[1].id_number", "340123199003071235"),
            ("members[1].relation", "spouse"),
            ("categories[0].category", "elderly_alone"),
            ("categories[0].source", "村委会核实"),
            ("categories[0].verified_by", "王某某"),
            ("categories[0].verified_on", "2024年3月1日"),
        ];
        let mut grow = typed.to_vec();
        grow.push(("add", "member"));
        let grown = t.form("/households", &village, &grow).await;
        assert_eq!(grown.status, StatusCode::OK, "{}", grown.text());
        let html = grown.text();
        assert!(html.contains("name=\"members[3].name\""), "one more row");
        assert!(html.contains("value=\"周玉珍\"") && html.contains("value=\"2024年3月1日\""));
        assert!(
            html.contains("value=\"340123199003071235\""),
            "typed values kept"
        );

        let refused = t.form("/households", &village, &typed).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("id=\"e-members-1-id_number\""),
            "the error sits at row 2's ID"
        );
        assert!(html.contains("校验位"));
        assert!(html.contains("value=\"周长海\""));

        let mut fixed = typed.to_vec();
        let spouse = id_number("19420202", 22);
        fixed.retain(|(k, _)| *k != "members[1].id_number");
        fixed.push(("members[1].id_number", spouse.as_str()));
        let saved = t.form("/households", &village, &fixed).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let to = saved
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(
            to.starts_with("/households/") && to.ends_with("?notice=created"),
            "{to}"
        );
        let detail = t.get(&to, &village).await;
        assert_eq!(detail.status, StatusCode::OK);
        let html = detail.text();
        assert!(html.contains("周长海") && html.contains("独居老人"));
        assert!(!html.contains(&elder), "the detail page is masked");
        // Empty rows were not saved.
        let id = to
            .trim_start_matches("/households/")
            .trim_end_matches("?notice=created");
        let api = t
            .get(&format!("/api/v1/households/{id}"), &village)
            .await
            .json();
        assert_eq!(api["member_count"], 2);

        // The edit form shows the stored values (opened for editing, which is logged).
        let edit = t.get(&format!("/households/{id}/edit"), &village).await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.text().contains(&format!("value=\"{elder}\"")));
        assert_eq!(
            edit.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let version = api["version"].as_i64().unwrap_or(0).to_string();
        let mut stale = fixed.clone();
        stale.push(("version", "999"));
        let refused = t.form(&format!("/households/{id}"), &village, &stale).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(
            refused
                .text()
                .contains(&format!("href=\"/households/{id}/edit\""))
        );
        assert!(
            refused.text().contains("value=\"周玉珍\""),
            "typed values kept"
        );
        let mut current = fixed.clone();
        current.retain(|(k, _)| *k != "address");
        current.push(("address", "示例社区西组5号"));
        current.push(("version", version.as_str()));
        let updated = t
            .form(&format!("/households/{id}"), &village, &current)
            .await;
        assert_eq!(updated.status, StatusCode::SEE_OTHER, "{}", updated.text());
        let api = t
            .get(&format!("/api/v1/households/{id}"), &village)
            .await
            .json();
        assert_eq!(api["address"], "示例社区西组5号");
    })
    .await;
}

#[tokio::test]
async fn the_workflow_runs_in_the_browser() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let vcsrf = village.csrf.clone().unwrap_or_default();
        let tcsrf = town.csrf.clone().unwrap_or_default();
        let detail = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(detail.contains(&format!("action=\"/households/{id}/submit\"")));
        assert!(!detail.contains(&format!("action=\"/households/{id}/approve\"")));
        let sent = t
            .form(
                &format!("/households/{id}/submit"),
                &village,
                &[("_csrf", &vcsrf)],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let town_page = t.get(&format!("/households/{id}"), &town).await.text();
        assert!(town_page.contains(&format!("action=\"/households/{id}/approve\"")));
        assert!(town_page.contains(&format!("action=\"/households/{id}/return\"")));
        assert!(
            !town_page.contains(&format!("action=\"/households/{id}/withdraw\"")),
            "the town reviews; withdrawing is the village's"
        );
        assert!(
            town_page.contains("困难程度评分"),
            "the score with its explanation"
        );
        assert!(town_page.contains("最低生活保障（低保）"));
        let approved = t
            .form(
                &format!("/households/{id}/approve"),
                &town,
                &[("_csrf", &tcsrf)],
            )
            .await;
        assert_eq!(approved.status, StatusCode::SEE_OTHER);
        let after = t
            .get(&format!("/households/{id}?notice=approved"), &village)
            .await
            .text();
        assert!(after.contains("已审核"));
        assert!(after.contains("审核通过"), "history lists the approval");
        // Submitting again is refused on the page with the reason.
        let again = t
            .form(
                &format!("/households/{id}/submit"),
                &village,
                &[("_csrf", &vcsrf)],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("只有草稿或已退回的记录可以提交审核"));
    })
    .await;
}

#[tokio::test]
async fn the_pages_speak_english_too() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        for path in [
            "/households?lang=en".to_owned(),
            "/households/new?lang=en".to_owned(),
            format!("/households/{id}?lang=en"),
            format!("/households/{id}/edit?lang=en"),
        ] {
            let page = t.get(&path, &village).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let html = page.text();
            for raw in [
                "hh_page.",
                "household.",
                "nav.",
                "action.",
                "category.",
                "cause.",
                "member.",
                "score.",
                "common.",
                "org.",
            ] {
                assert!(!html.contains(raw), "{path}: untranslated {raw}");
            }
            assert!(html.contains("Households"), "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_enrolled_organization_sees_approved_consented_households_masked() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        t.close_demo_campaign().await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let county = t.sign_in("county").await;
        let org = t.sign_in("org").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        post(
            &t,
            &village,
            &format!("/api/v1/households/{id}/submit"),
            json!({}),
        )
        .await;
        post(
            &t,
            &town,
            &format!("/api/v1/households/{id}/approve"),
            json!({}),
        )
        .await;

        // The county launches a campaign and enrols the organization (it serves the county).
        let campaign = post(
            &t,
            &county,
            "/api/v1/campaigns",
            json!({"code": "2024-test", "name": "2024年暖冬行动", "year": "2024",
                   "starts_on": "2024-01-24", "ends_on": "2024-03-31"}),
        )
        .await;
        assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.text());
        let cid = campaign.json()["id"].as_str().unwrap_or("").to_owned();
        let launched = post(
            &t,
            &county,
            &format!("/api/v1/campaigns/{cid}/status"),
            json!({"action": "launch"}),
        )
        .await;
        assert_eq!(launched.status, StatusCode::OK, "{}", launched.text());
        let me = t.get("/api/v1/me", &org).await.json();
        let org_id = me["user"]["organization_id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let enrolled = post(
            &t,
            &county,
            &format!("/api/v1/campaigns/{cid}/enrolments"),
            json!({"organization_ids": [org_id], "batch": 1}),
        )
        .await;
        assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.text());

        let seen = t.get(&format!("/api/v1/households/{id}"), &org).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
        let seen = seen.json();
        assert_eq!(seen["head_name"], "张*");
        assert_eq!(seen["head_id"], "", "no ID for organizations");
        assert_eq!(seen["phone"], "");
        assert!(!seen.to_string().contains("1234"), "{seen}");
        assert_eq!(
            t.get(&format!("/api/v1/households/{id}/history"), &org)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let page = t.get(&format!("/households/{id}"), &org).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        assert!(html.contains("张*") && !html.contains("张建国"));
        assert!(!html.contains(MAN_MASKED) && !html.contains("/reveal"));
        assert!(!html.contains("操作记录"), "no history for organizations");
        let list = t
            .get(&format!("/households?area={VILLAGE}&size=100"), &org)
            .await
            .text();
        assert!(list.contains(&format!("/households/{id}")));
        assert!(
            !list.contains("/households/export.xlsx"),
            "organizations do not export"
        );
    })
    .await;
}

#[tokio::test]
async fn withdrawing_consent_stops_sharing_at_once() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let created = register(&t, &village, zhang_family()).await;
        let id = created["id"].as_str().expect("id").to_owned();
        assert_eq!(
            created["shares_with_orgs"], true,
            "the family consented to sharing"
        );
        let future = post(
            &t,
            &village,
            &format!("/api/v1/households/{id}/consent/withdraw"),
            json!({"withdrawn_on": "2999-01-01"}),
        )
        .await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        let withdrawn = post(
            &t,
            &village,
            &format!("/api/v1/households/{id}/consent/withdraw"),
            json!({}),
        )
        .await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
        assert_eq!(withdrawn.json()["shares_with_orgs"], false);
        let auditor = t.sign_in("auditor").await;
        assert_eq!(
            post(
                &t,
                &auditor,
                &format!("/api/v1/households/{id}/consent/withdraw"),
                json!({})
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn the_detail_page_records_a_consent_withdrawal() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = register(&t, &village, zhang_family()).await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let page = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(
            page.contains(&format!("/households/{id}/consent/withdraw")),
            "the form is offered"
        );
        let csrf = village.csrf.clone().expect("csrf");
        let bad = t
            .form(
                &format!("/households/{id}/consent/withdraw"),
                &village,
                &[("_csrf", &csrf), ("withdrawn_on", "明天")],
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an unreadable date is refused"
        );
        let done = t
            .form(
                &format!("/households/{id}/consent/withdraw"),
                &village,
                &[("_csrf", &csrf)],
            )
            .await;
        assert!(
            done.status.is_redirection(),
            "{} {}",
            done.status,
            done.text()
        );
        let after = t
            .get(&format!("/api/v1/households/{id}"), &village)
            .await
            .json();
        assert_eq!(after["shares_with_orgs"], false);
        let page = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(
            !page.contains(&format!("/households/{id}/consent/withdraw")),
            "nothing left to withdraw"
        );
    })
    .await;
}

/// The actions of a household's history over the API, oldest first.
pub(crate) async fn history_actions(t: &TestApp, client: &Client, id: &str) -> Vec<String> {
    let history = t
        .get(&format!("/api/v1/households/{id}/history"), client)
        .await
        .json();
    history
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
