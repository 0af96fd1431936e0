//! The pledge pages as a browser uses them: draft from claimed needs, see the letter, sign,
//! find it in the list, cancel with a reason; errors beside the fields, typed values kept.

use crate::support::{Client, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::json;

/// Claims one open need of `kind` over the API and returns its id and number.
async fn claim_one(t: &TestApp, org: &Client, kind: &str) -> (String, String) {
    let sheet = t
        .get("/api/v1/needs/claim-sheet?page_size=100", org)
        .await
        .json();
    let row = sheet["items"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["kind"] == kind)
        .expect("an open need of that kind")
        .clone();
    let id = row["id"].as_str().expect("id").to_owned();
    let claimed = t
        .json("POST", &format!("/api/v1/needs/{id}/claim"), org, json!({}))
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
    (id, row["number"].as_str().expect("number").to_owned())
}

fn location(reply: &crate::support::Reply) -> String {
    reply.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

#[tokio::test]
async fn an_organization_drafts_signs_and_the_county_cancels_in_the_browser() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let csrf = org.csrf.clone().expect("csrf");
        let (need, number) = claim_one(&t, &org, "item").await;

        let form = t.get("/pledges/new", &org).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains(&number), "the claimed need is offered");

        let late = t
            .form(
                "/pledges",
                &org,
                &[
                    ("_csrf", &csrf),
                    ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
                    ("need", &need),
                    ("mode", "one_to_one"),
                    ("deadline", "2001-01-01"),
                    ("witness_town", "上派镇"),
                    ("witness_village", "示例村"),
                    ("extra_cash", "300"),
                ],
            )
            .await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = late.text();
        assert!(
            html.contains("完成期限须晚于今天"),
            "the deadline is explained beside it"
        );
        assert!(
            html.contains("value=\"300\"") && html.contains("上派镇"),
            "typed values are kept"
        );

        let deadline = (hearth_app::today() + chrono::Days::new(20)).to_string();
        let drafted = t
            .form(
                "/pledges",
                &org,
                &[
                    ("_csrf", &csrf),
                    ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
                    ("need", &need),
                    ("mode", "one_to_one"),
                    ("delivery", "door_to_door"),
                    ("deadline", &deadline),
                    ("witness_town", "上派镇"),
                    ("witness_village", "示例村"),
                    ("extra_cash", "300"),
                ],
            )
            .await;
        assert_eq!(drafted.status, StatusCode::SEE_OTHER, "{}", drafted.text());
        let letter = location(&drafted);
        let page = t.get(&letter, &org).await.text();
        assert!(
            page.contains("草稿") && page.contains("300.00"),
            "draft with the extra cash line"
        );
        assert!(page.contains("叁佰元整"), "cash in capitals");
        assert!(
            !t.get("/pledges/new", &org).await.text().contains(&number),
            "a need goes into one letter"
        );

        let path = letter.split('?').next().expect("path").to_owned();
        let signed = t
            .form(&format!("{path}/sign"), &org, &[("_csrf", &csrf)])
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
        let twice = t
            .form(&format!("{path}/sign"), &org, &[("_csrf", &csrf)])
            .await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.text().contains("只有草稿状态的承诺书可以签署"));

        let county = t.sign_in("county").await;
        let list = t.get("/pledges?status=signed", &county).await.text();
        assert!(
            list.contains("已签署") && list.contains(&path[9..]),
            "the county finds it"
        );
        assert!(
            !t.get("/pledges?status=draft", &county)
                .await
                .text()
                .contains(&path[9..])
        );
        let county_csrf = county.csrf.clone().expect("csrf");
        let no_reason = t
            .form(
                &format!("{path}/cancel"),
                &county,
                &[("_csrf", &county_csrf), ("reason", "")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let cancelled = t
            .form(
                &format!("{path}/cancel"),
                &county,
                &[("_csrf", &county_csrf), ("reason", "组织申请撤回")],
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
        assert!(t.get(&path, &county).await.text().contains("组织申请撤回"));

        let village = t.sign_in("village").await;
        assert_eq!(
            t.get("/pledges/new", &village).await.status,
            StatusCode::FORBIDDEN
        );
        let other = t.sign_in("org2").await;
        assert_eq!(
            t.get(&path, &other).await.status,
            StatusCode::NOT_FOUND,
            "another organization's letter does not leak"
        );
    })
    .await;
}

/// The count the home page shows beside `label`, or 0 when the line is absent.
fn waiting(home: &str, label: &str) -> i64 {
    home.split("<span class=\"todo-count\">")
        .skip(1)
        .find_map(|part| {
            let (count, rest) = part.split_once("</span>")?;
            rest.trim_start()
                .starts_with(label)
                .then(|| count.parse().ok())?
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn the_home_page_lists_what_waits_for_each_person() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let open = t.get("/api/v1/needs/claim-sheet", &org).await.json()["total"].as_i64().expect("total");
        assert!(open > 0, "the demo has needs to claim");
        let home = t.get("/", &org).await.text();
        assert_eq!(waiting(&home, "项需求待认领"), open, "{home}");
        let unlettered = waiting(&home, "项已认领需求尚未列入承诺书");
        let drafts = waiting(&home, "份承诺书草稿待签署");

        let (need, _) = claim_one(&t, &org, "cash").await;
        let home = t.get("/", &org).await.text();
        assert_eq!(waiting(&home, "项需求待认领"), open - 1);
        assert_eq!(waiting(&home, "项已认领需求尚未列入承诺书"), unlettered + 1);
        let deadline = (hearth_app::today() + chrono::Days::new(20)).to_string();
        let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN, "mode": "one_to_one",
                           "deadline": deadline, "witness_town": "上派镇", "witness_village": "示例村"});
        assert_eq!(t.json("POST", "/api/v1/pledges", &org, draft).await.status, StatusCode::CREATED);
        let home = t.get("/", &org).await.text();
        assert_eq!(waiting(&home, "份承诺书草稿待签署"), drafts + 1, "{home}");
        assert_eq!(waiting(&home, "项已认领需求尚未列入承诺书"), unlettered);

        let town = t.get("/", &t.sign_in("town").await).await.text();
        assert!(town.contains("待办事项"));
        assert_eq!(waiting(&town, "项需求待认领"), 0, "towns do not claim");
    })
    .await;
}

/// The text of `word/document.xml` inside a .docx.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[tokio::test]
async fn the_letter_prints_and_downloads_with_names_masked_on_the_organizations_copy() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let (need, number) = claim_one(&t, &org, "item").await;
        let deadline = (hearth_app::today() + chrono::Days::new(20)).to_string();
        let draft = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN, "mode": "one_to_one",
                           "deadline": deadline, "witness_town": "上派镇", "witness_village": "示例村",
                           "lines": [{"kind": "cash", "cash": "130500.50"}]});
        let created = t.json("POST", "/api/v1/pledges", &org, draft).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let id = created.json()["id"].as_str().expect("id").to_owned();

        let county = t.sign_in("county").await;
        let full = t.get(&format!("/api/v1/pledges/{id}"), &county).await.json()["households"][0]["head_name"]
            .as_str()
            .expect("name")
            .to_owned();
        assert!(!full.ends_with('*'));

        let printed = t.get(&format!("/pledges/{id}/print"), &org).await;
        assert_eq!(printed.status, StatusCode::OK);
        let html = printed.text();
        for part in ["结对帮扶承诺书", "组织留存联", "统一社会信用代码", "壹拾叁万零伍佰元伍角", "不设捐赠指标", "承诺单位（盖章）", "见证单位", &number] {
            assert!(html.contains(part), "the print view carries {part}");
        }
        assert!(!html.contains(&full), "the organization's copy masks the head's name");
        assert_eq!(t.get(&format!("/pledges/{id}/print?copy=town"), &org).await.status, StatusCode::FORBIDDEN, "organizations get no town copy");

        let town_copy = t.get(&format!("/pledges/{id}/print?copy=town"), &county).await.text();
        assert!(town_copy.contains(&full) && town_copy.contains("乡镇留存联"));
        let county_org_copy = t.get(&format!("/pledges/{id}/print"), &county).await.text();
        assert!(!county_org_copy.contains(&full), "the organization's copy is masked whoever prints it");

        let word = t.get(&format!("/pledges/{id}/letter.docx"), &org).await;
        assert_eq!(word.status, StatusCode::OK);
        assert!(word.headers[header::CONTENT_TYPE].to_str().unwrap_or("").contains("wordprocessingml"));
        assert!(word.headers[header::CONTENT_DISPOSITION].to_str().unwrap_or("").starts_with("attachment"));
        let xml = docx_text(&word.body);
        assert!(xml.contains("壹拾叁万零伍佰元伍角") && xml.contains("组织留存联"));
        assert!(!xml.contains(&full));
        let town_word = t.get(&format!("/pledges/{id}/letter.docx?copy=town"), &county).await;
        assert!(docx_text(&town_word.body).contains(&full));
        assert_eq!(t.get(&format!("/pledges/{id}/print"), &t.sign_in("org2").await).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn deliveries_and_visits_recorded_in_the_browser_fulfil_the_letter() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let csrf = org.csrf.clone().expect("csrf");
        let (item_need, _) = claim_one(&t, &org, "item").await;
        let (service_need, _) = claim_one(&t, &org, "service").await;
        let sheet = t.get("/api/v1/needs/claim-sheet?mine=true&page_size=100", &org).await.json();
        let households: std::collections::HashSet<&str> = sheet["items"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["id"] == item_need.as_str() || r["id"] == service_need.as_str())
            .filter_map(|r| r["village_name"].as_str())
            .collect();
        let mode = if households.len() == 1 { "one_to_one" } else { "one_to_many" };
        let deadline = (hearth_app::today() + chrono::Days::new(20)).to_string();
        let draft = json!({"needs": [item_need, service_need], "campaign": hearth_app::demo::DEMO_CAMPAIGN, "mode": mode,
                           "deadline": deadline, "witness_town": "上派镇", "witness_village": "示例村"});
        let created = t.json("POST", "/api/v1/pledges", &org, draft).await;
        let letter = created.json();
        let id = letter["id"].as_str().unwrap_or_else(|| panic!("{}", created.text())).to_owned();
        let quantity = letter["lines"].as_array().expect("lines").iter().find(|l| l["line"]["kind"] == "item").expect("item line")["line"]["quantity"].as_u64().expect("quantity");
        let line = letter["lines"].as_array().expect("lines").iter().find(|l| l["line"]["kind"] == "item").expect("item line")["id"].as_str().expect("id").to_owned();
        assert!(t.form(&format!("/pledges/{id}/sign"), &org, &[("_csrf", &csrf)]).await.status.is_redirection());

        let page = t.get(&format!("/pledges/{id}"), &org).await.text();
        assert!(page.contains("登记发放") && page.contains("回访任务"), "forms for what is left");
        let deliver = format!("/pledges/{id}/lines/{line}/deliveries");
        let too_many = (quantity + 1).to_string();
        let over = t.form(&deliver, &org, &[("_csrf", &csrf), ("delivered_on", &hearth_app::today().to_string()), ("quantity", &too_many), ("recipient", "head"), ("signed_name", "示例签名"), ("handler", "志愿者")]).await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(over.text().contains("超过承诺数量"), "the refusal says how much is left");
        let whole = quantity.to_string();
        let done = t.form(&deliver, &org, &[("_csrf", &csrf), ("delivered_on", &hearth_app::today().to_string()), ("quantity", &whole), ("recipient", "proxy"), ("proxy_name", "示例代领"), ("proxy_relationship", "child"), ("signed_name", "示例代领"), ("handler", "志愿者")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
        let page = t.get(&location(&done), &org).await.text();
        assert!(page.contains("发放已登记") && page.contains("代领") && page.contains("子女"));
        assert!(page.contains("履行中") || page.contains("已签署"));

        let list = t.get("/visits", &org).await.text();
        assert!(list.contains(letter["number"].as_str().expect("number")), "the visit tasks are listed");
        let tasks = t.get(&format!("/api/v1/visit-tasks?pledge={id}"), &org).await.json();
        let tasks: Vec<String> = tasks["items"].as_array().expect("tasks").iter().map(|task| task["id"].as_str().expect("id").to_owned()).collect();
        assert!(!tasks.is_empty());
        let form = t.get(&format!("/visits/tasks/{}", tasks[0]), &org).await;
        assert_eq!(form.status, StatusCode::OK);
        let tomorrow = (hearth_app::today() + chrono::Days::new(1)).to_string();
        let future = t.form(&format!("/visits/tasks/{}", tasks[0]), &org, &[("_csrf", &csrf), ("visited_on", &tomorrow), ("method", "home"), ("visitor", "志愿者"), ("received", "yes"), ("suitable", "yes"), ("satisfaction", "satisfied")]).await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(future.text().contains("field-error") && future.text().contains("志愿者"), "error beside the date, typed values kept");
        for task in &tasks {
            let visited = t.form(&format!("/visits/tasks/{task}"), &org, &[("_csrf", &csrf), ("visited_on", &hearth_app::today().to_string()), ("method", "phone"), ("visitor", "志愿者"), ("received", "yes"), ("suitable", "yes"), ("satisfaction", "satisfied"), ("new_needs", "希望再添一床棉被")]).await;
            assert_eq!(visited.status, StatusCode::SEE_OTHER, "{}", visited.text());
        }
        let page = t.get(&format!("/pledges/{id}"), &org).await.text();
        assert!(page.contains("已履行"), "every line done: the letter is fulfilled");
        assert!(page.contains("希望再添一床棉被") && page.contains("电话"));
        assert_eq!(t.get(&format!("/visits/tasks/{}", tasks[0]), &t.sign_in("org2").await).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}
