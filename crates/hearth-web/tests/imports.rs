//! Spreadsheet imports through the real router, on SQLite and PostgreSQL: the household sheet in
//! each mode, nothing added twice, refusals naming row and column, scope, the result page, the
//! error file, the template, and needs on the rows becoming needs.

use crate::support::{Client, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const BOUNDARY: &str = "----HearthImportBoundary3Q9";

/// A valid ID number of a county the demo never uses.
fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("340121{birth}{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn wrong_check(valid: &str) -> String {
    let other = if valid.ends_with('1') { '2' } else { '1' };
    format!("{}{other}", &valid[..17])
}

/// A multipart body with the file and the form's options.
fn form(file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart body: over the API with the CSRF header, or as the page does, with the
/// token in the URL.
async fn post(t: &TestApp, uri: &str, client: &Client, body: Vec<u8>, page: bool) -> Reply {
    let uri = match (&client.csrf, page) {
        (Some(csrf), true) => format!("{uri}?_csrf={csrf}"),
        _ => uri.to_owned(),
    };
    let mut builder = Request::builder().method("POST").uri(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(cookie) = &client.cookie {
        builder = builder.header(
            header::COOKIE,
            format!("{}={cookie}", hearth_web::SESSION_COOKIE),
        );
    }
    if let (Some(csrf), false) = (&client.csrf, page) {
        builder = builder.header(hearth_web::CSRF_HEADER, csrf);
    }
    t.send(builder.body(Body::from(body)).expect("request"))
        .await
}

async fn import(
    t: &TestApp,
    client: &Client,
    name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Value {
    let reply = post(
        t,
        "/api/v1/imports/households",
        client,
        form(name, bytes, fields),
        false,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

async fn household_total(t: &TestApp, client: &Client) -> i64 {
    let reply = t.get("/api/v1/households?size=100", client).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()["total"].as_i64().expect("a total")
}

/// The demo village's list as its clerk keeps it: a title, the header, four households (one
/// with a wrong check digit, one repeated), a 合计 row. UTF-8 with a BOM, as WPS saves it.
fn village_csv(good: &str, other: &str) -> Vec<u8> {
    let rows = [
        "新丰社区困难家庭名单（2024年冬）,,,,,,",
        "序号,户主姓名,身份证号码,联系电话,村（社区）,详细地址,困难类型,需求物资,数量",
        &format!("1,柏青山,{good},139-1234-5678,新丰社区,一组3号,低保、残疾,,"),
        &format!("2,竹林生,{other},,新丰社区,二组5号,特困,棉被,2床"),
        &format!(
            "3,梅花开,{},,新丰社区,三组1号,低保,,",
            wrong_check(&id_number("19600202", 24))
        ),
        &format!("4,柏青山,{good},,新丰社区,一组3号,低保,,"),
        "合计,,,,,,,,2床",
    ];
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(rows.join("\r\n").as_bytes());
    bytes
}

fn error_at(report: &Value, row: u64) -> &Value {
    report["errors"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["row"] == row))
        .unwrap_or_else(|| panic!("no error on row {row}: {report}"))
}

#[tokio::test]
async fn a_village_sheet_all_or_nothing_then_valid_rows_and_nothing_twice() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let before = household_total(&t, &village).await;
        let csv = village_csv(&id_number("19500101", 13), &id_number("19550505", 52));
        let campaign = ("campaign", hearth_app::demo::DEMO_CAMPAIGN);

        let refused = import(&t, &village, "名单.csv", &csv, &[campaign]).await;
        assert_eq!(
            refused["rows_read"], 4,
            "title, header and 合计 are not data: {refused}"
        );
        assert_eq!(
            (refused["accepted"].as_u64(), refused["rejected"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(refused["duplicates"], 1);
        assert_eq!(refused["committed"], false);
        let wrong = error_at(&refused, 5);
        assert_eq!(wrong["column"], "身份证号码");
        assert!(
            wrong["reason"].as_str().unwrap_or("").contains("校验位"),
            "{wrong}"
        );
        assert!(
            error_at(&refused, 6)["reason"]
                .as_str()
                .unwrap_or("")
                .contains("第3行")
        );
        assert_eq!(
            household_total(&t, &village).await,
            before,
            "all or nothing wrote nothing"
        );

        let checked = import(
            &t,
            &village,
            "名单.csv",
            &csv,
            &[campaign, ("dry_run", "true"), ("mode", "valid_rows")],
        )
        .await;
        assert_eq!(checked["accepted_rows"], json!([3, 4]));
        assert_eq!(checked["committed"], false);
        assert_eq!(
            household_total(&t, &village).await,
            before,
            "a dry run writes nothing"
        );

        let done = import(
            &t,
            &village,
            "名单.csv",
            &csv,
            &[campaign, ("mode", "valid_rows")],
        )
        .await;
        assert_eq!(done["accepted_rows"], json!([3, 4]), "{done}");
        assert_eq!(
            (done["created"].as_u64(), done["committed"].as_bool()),
            (Some(2), Some(true))
        );
        assert_eq!(
            done["needs_pending"], 1,
            "a draft's need waits for its approval"
        );
        assert_eq!(household_total(&t, &village).await, before + 2);

        let again = import(
            &t,
            &village,
            "名单.csv",
            &csv,
            &[campaign, ("mode", "valid_rows")],
        )
        .await;
        assert_eq!(
            (again["accepted"].as_u64(), again["duplicates"].as_u64()),
            (Some(0), Some(3))
        );
        assert_eq!(
            again["needs_pending"], 0,
            "the waiting need is not queued twice"
        );
        assert!(
            error_at(&again, 3)["reason"]
                .as_str()
                .unwrap_or("")
                .contains("已登记")
        );
        assert_eq!(
            household_total(&t, &village).await,
            before + 2,
            "nothing added twice"
        );

        // The result page and the error file: the rows as sent plus 错误原因.
        let id = done["id"].as_str().expect("a batch id");
        let page = t.get(&format!("/imports/{id}"), &village).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text().contains("<dd id=\"accepted\">2</dd>"),
            "{}",
            page.text()
        );
        let file = t
            .get(
                done["error_file_url"].as_str().expect("an error file"),
                &village,
            )
            .await;
        assert_eq!(file.status, StatusCode::OK);
        let rows = sheet_rows(file.body);
        assert_eq!(rows[0].last().map(String::as_str), Some("错误原因"));
        assert_eq!(
            rows.len(),
            3,
            "header, the wrong check digit, the repeat: {rows:?}"
        );
        assert!(rows[1][2].starts_with("340121"), "the ID as sent, whole");
    })
    .await;
}

fn sheet_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx file");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// An .xlsx with a merged title, an ID Excel stored as a number, a village of another area, a
/// town outside the county.
fn mangled_xlsx(good: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let title = rust_xlsxwriter::Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 4, "上派镇困难家庭花名册", &title)
        .unwrap();
    for (c, h) in ["姓名", "公民身份号码", "乡镇", "村", "救助类别", "住址"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let text_row = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, cells: [&str; 5]| {
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, *v).unwrap();
        }
        sheet.write_string(r, 5, "示例路1号").unwrap();
    };
    text_row(sheet, 2, ["荷叶", good, "上派镇", "新丰社区", "低保"]);
    sheet.write_string(3, 0, "松柏").unwrap();
    sheet.write_number(3, 1, 340121195001011232.0).unwrap();
    text_row(
        sheet,
        4,
        [
            "石磊",
            &id_number("19700707", 77),
            "上派镇",
            "长岗村",
            "低保",
        ],
    );
    text_row(
        sheet,
        5,
        [
            "林木",
            &id_number("19800808", 88),
            "上拍镇",
            "新丰社区",
            "低保",
        ],
    );
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn refusals_name_row_and_column_and_the_officers_area_holds() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let bytes = mangled_xlsx(&id_number("19450303", 31));
        let report = import(&t, &village, "花名册.xlsx", &bytes, &[("dry_run", "true")]).await;
        assert_eq!(report["accepted_rows"], json!([3]), "{report}");
        let numeric = error_at(&report, 4);
        assert_eq!(numeric["column"], "公民身份号码");
        assert!(
            numeric["reason"].as_str().unwrap_or("").contains("数字"),
            "{numeric}"
        );
        assert!(
            error_at(&report, 5)["reason"]
                .as_str()
                .unwrap_or("")
                .contains("不在您负责的")
        );
        let town = error_at(&report, 6);
        assert_eq!(town["column"], "乡镇");
        assert!(
            town["reason"].as_str().unwrap_or("").contains("上派镇"),
            "closest names: {town}"
        );

        // A file without a household header is refused as a whole, naming the file.
        let bad = post(
            &t,
            "/api/v1/imports/households",
            &village,
            form("x.csv", "a,b\n1,2\n".as_bytes(), &[]),
            false,
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["field"], "file");

        // Only town and village officers import, and only they see their area's batches.
        for other in ["org", "county"] {
            let client = t.sign_in(other).await;
            let reply = post(
                &t,
                "/api/v1/imports/households",
                &client,
                form("x.xlsx", &bytes, &[]),
                false,
            )
            .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{other}");
        }
        let id = report["id"].as_str().expect("kept as a batch");
        let town_officer = t.sign_in("town").await;
        assert_eq!(
            t.get(&format!("/api/v1/imports/{id}"), &town_officer)
                .await
                .status,
            StatusCode::OK
        );
        let neighbour = t.sign_in("cun100200").await;
        assert_eq!(
            t.get(&format!("/api/v1/imports/{id}"), &neighbour)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn the_page_uploads_and_the_template_offers_the_officers_own_lists() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let page = t.get("/imports", &village).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("/imports/template/households.xlsx"));

        let template = t.get("/imports/template/households.xlsx", &village).await;
        assert_eq!(template.status, StatusCode::OK);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(template.body.clone())).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
            &mut strings,
        )
        .unwrap();
        assert!(
            strings.contains("新丰社区（示例）"),
            "the officer's village is offered"
        );
        assert!(
            !strings.contains("长岗村（示例）"),
            "a village outside the area is not"
        );

        // The page's form: the token in the URL, the result page after it. No campaign was
        // chosen, so the row asking for quilts is refused too.
        let csv = village_csv(&id_number("19520202", 21), &id_number("19530303", 32));
        let reply = post(
            &t,
            "/imports",
            &village,
            form("名单.csv", &csv, &[("mode", "valid_rows")]),
            true,
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let location = reply.headers[header::LOCATION].to_str().unwrap().to_owned();
        let result = t.get(&location, &village).await;
        assert!(
            result.text().contains("<dd id=\"rejected\">2</dd>")
                && result.text().contains("没有选择帮扶活动"),
            "{}",
            result.text()
        );
        assert!(result.text().contains("errors.xlsx"));

        let refused = post(&t, "/imports", &village, form("空.csv", b"", &[]), true).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn needs_on_rows_of_approved_households_become_needs_once() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let list = t
            .get("/api/v1/households?status=approved", &village)
            .await
            .json();
        let household = list["items"][0]["id"]
            .as_str()
            .expect("an approved demo household")
            .to_owned();
        let revealed = t
            .json(
                "POST",
                &format!("/api/v1/households/{household}/reveal"),
                &village,
                json!({"reason": "核对导入名单"}),
            )
            .await
            .json();
        let head = revealed["members"][0]["id_number"]
            .as_str()
            .expect("the head's number")
            .to_owned();
        let name = revealed["members"][0]["name"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        // An item the demo has not asked for on this household yet.
        let asked = t
            .get(&format!("/api/v1/needs?household={household}"), &village)
            .await
            .json();
        let (code, item) = [
            ("electric_blanket", "电热毯"),
            ("cooking_oil", "食用油"),
            ("rice", "大米"),
            ("down_jacket", "羽绒服"),
        ]
        .into_iter()
        .find(|(code, _)| !asked.to_string().contains(&format!("\"{code}\"")))
        .expect("an item not yet asked for");
        let csv = format!(
            "户主姓名,身份证号,村,地址,困难类型,需求物资,数量\n{name},{head},新丰社区,一组,低保,{item},1\n"
        );
        let campaign = ("campaign", hearth_app::demo::DEMO_CAMPAIGN);
        let first = import(&t, &village, "需求.csv", csv.as_bytes(), &[campaign]).await;
        assert_eq!(
            first["duplicates"], 1,
            "the household is registered: {first}"
        );
        assert_eq!(first["needs_recorded"], 1, "{first}");
        let needs = t
            .get(
                &format!("/api/v1/needs?household={household}&item={code}"),
                &village,
            )
            .await
            .json();
        assert_eq!(needs["items"].as_array().map(Vec::len), Some(1), "{needs}");
        assert_eq!(needs["items"][0]["status"], "submitted");
        let second = import(&t, &village, "需求.csv", csv.as_bytes(), &[campaign]).await;
        assert_eq!(second["needs_recorded"], 0, "not recorded twice");
    })
    .await;
}

/// One household of the demo village, as its clerk types it.
fn one_household_csv(name: &str, id: &str) -> Vec<u8> {
    let rows = [
        "序号,户主姓名,身份证号码,联系电话,村（社区）,详细地址,困难类型".to_owned(),
        format!("1,{name},{id},139-1234-5678,新丰社区,一组3号,低保"),
    ];
    rows.join("\r\n").into_bytes()
}

#[tokio::test]
async fn the_result_page_names_rows_likely_already_registered_and_masks_them() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let registered = id_number("19500101", 13);
        let first = import(
            &t,
            &village,
            "名单.csv",
            &one_household_csv("柏青山", &registered),
            &[],
        )
        .await;
        assert_eq!(first["created"], 1, "{first}");

        // The same family typed in again: one digit of the sequence mistyped, the check digit
        // valid (so the row itself is not refused), everything else the same.
        let retyped = id_number("19500101", 18);
        let second = import(
            &t,
            &village,
            "名单（二）.csv",
            &one_household_csv("柏青山", &retyped),
            &[("dry_run", "true")],
        )
        .await;
        assert_eq!(second["accepted_rows"], json!([2]), "{second}");
        let id = second["id"].as_str().expect("a batch id");
        let masked = format!("{}********{}", &registered[..6], &registered[14..]);
        let likely = &second["likely_matches"];
        assert_eq!(likely.as_array().map(Vec::len), Some(1), "{second}");
        assert_eq!(likely[0]["row"], 2, "{likely}");
        assert_eq!(likely[0]["head_id"], masked.as_str(), "{likely}");
        assert_eq!(likely[0]["head_name"], "柏*", "{likely}");
        assert_eq!(
            likely[0]["evidence"]["id_number"], "two_edits_valid",
            "{likely}"
        );
        assert_eq!(likely[0]["evidence"]["name"], "same", "{likely}");
        assert!(
            likely[0]["score"].as_f64().is_some_and(|s| s > 0.0),
            "{likely}"
        );
        assert!(
            !second.to_string().contains(&registered),
            "no full ID number"
        );

        let households = t.get("/api/v1/households?size=100", &village).await.json();
        let household = households["items"]
            .as_array()
            .and_then(|items| items.iter().find(|h| h["head_name"] == "柏青山"))
            .unwrap_or_else(|| panic!("the imported household: {households}"));
        let household_href = format!("/households/{}", household["id"].as_str().expect("an id"));
        assert_eq!(likely[0]["household_id"], household["id"], "{likely}");

        for officer in [&village, &t.sign_in("town").await] {
            let page = t.get(&format!("/imports/{id}"), officer).await;
            assert_eq!(page.status, StatusCode::OK);
            let html = page.text();
            let section = html
                .split("id=\"likely\"")
                .nth(1)
                .unwrap_or_else(|| panic!("no likely matches shown: {html}"));
            assert!(section.contains("疑似已登记的户"), "{section}");
            assert!(
                section.contains("data-label=\"行号\">2</td>"),
                "the sheet row: {section}"
            );
            assert!(
                section.contains(&masked),
                "the household, masked: {section}"
            );
            assert!(
                section.contains("柏*"),
                "the head's name, masked: {section}"
            );
            assert!(
                section.contains(&household_href),
                "a link to the household the officer may open: {section}"
            );
            assert!(
                section.contains("前17位仅一位不同"),
                "why, in words: {section}"
            );
            assert!(section.contains("/identity"), "what to do: {section}");
            assert!(
                !html.contains(&registered) && !html.contains(&retyped),
                "no full ID number on the page"
            );
        }

        // An auditor reads households masked and imports not at all: the result page tells
        // them nothing, least of all the ID number.
        let auditor = t.sign_in("auditor").await;
        let page = t.get(&format!("/imports/{id}"), &auditor).await;
        assert!(
            page.status == StatusCode::FORBIDDEN || page.status == StatusCode::NOT_FOUND,
            "{}",
            page.status
        );
        let html = page.text();
        assert!(!html.contains(&registered) && !html.contains(&masked));
    })
    .await;
}
