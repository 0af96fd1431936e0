//! 导出Excel / 导出CSV on every list, through the real router on SQLite and PostgreSQL: the
//! filters of the page, its masking by role, the audit entry, the byte-order mark, and an .xlsx
//! that reads back (calamine) with the same cells as the CSV.

use crate::support::{Client, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV's rows, after checking it starts with the byte-order mark WPS and Excel need.
fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    assert!(body.starts_with(BOM), "CSV starts with a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&body[BOM.len()..])
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

/// The xlsx's cells as text: row 0 is the title, then the header, the rows and a footer.
fn xlsx_rows(body: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body.to_vec())).expect("an xlsx file");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Equal as text, or as numbers (`12.5` in the workbook is `12.50` in the CSV).
fn same_cell(a: &str, b: &str) -> bool {
    a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if (x - y).abs() < 1e-9)
}

async fn export(t: &TestApp, who: &Client, list: &str, ext: &str, query: &str) -> Vec<u8> {
    let uri = format!("{list}/export.{ext}{query}");
    let reply = t.get(&uri, who).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text());
    let disposition = reply
        .headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        disposition.starts_with("attachment"),
        "{uri}: {disposition}"
    );
    reply.body
}

#[tokio::test]
async fn every_list_exports_both_formats_and_the_xlsx_holds_the_csv_cells() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let auditor = t.sign_in("auditor").await;
        let admin = t.sign_in("sysadmin").await;
        let lists = [
            ("/needs", &county),
            ("/pledges", &county),
            ("/visits", &county),
            ("/donations", &county),
            ("/purchases", &county),
            ("/stock", &county),
            ("/stock/waybills", &county),
            ("/audit", &auditor),
            ("/campaigns", &county),
            ("/users", &admin),
            ("/imports", &county),
        ];
        for (list, who) in lists {
            let page = t.get(list, who).await;
            assert_eq!(page.status, StatusCode::OK, "{list}");
            assert!(
                page.text().contains(&format!("{list}/export.csv")),
                "{list} has the CSV link in its toolbar"
            );
            let csv = csv_rows(&export(&t, who, list, "csv", "").await);
            let xlsx = xlsx_rows(&export(&t, who, list, "xlsx", "").await);
            assert!(!csv.is_empty(), "{list}: a header row");
            assert!(xlsx.len() > csv.len(), "{list}: title, header, rows");
            // The audit log gained the CSV export's own entry (newest first) before the xlsx.
            let newer = usize::from(list == "/audit");
            for (r, row) in csv.iter().enumerate() {
                let sheet = &xlsx[r + 1 + if r == 0 { 0 } else { newer }];
                assert_eq!(
                    row.len(),
                    sheet.len(),
                    "{list} row {r}: {row:?} vs {sheet:?}"
                );
                for (a, b) in row.iter().zip(sheet) {
                    assert!(same_cell(a, b), "{list} row {r}: {a:?} vs {b:?}");
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_export_keeps_the_page_filters_and_lists_every_page() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let all = csv_rows(&export(&t, &county, "/needs", "csv", "").await);
        let open =
            csv_rows(&export(&t, &county, "/needs", "csv", "?status=open&page=2&size=1").await);
        let status = all[0]
            .iter()
            .position(|h| h == "状态")
            .expect("a status column");
        assert!(open.len() > 2, "the demo has open needs: {open:?}");
        assert!(open.len() < all.len(), "the filter narrows the export");
        let label = &open[1][status];
        assert!(open[1..].iter().all(|r| &r[status] == label), "{open:?}");
        // Every page, not the one the pager was on: as many rows as open needs in the full list.
        let counted = all[1..].iter().filter(|r| &r[status] == label).count();
        assert_eq!(open.len() - 1, counted);
    })
    .await;
}

/// 18 characters of an ID number with nothing masked.
fn is_full_id(cell: &str) -> bool {
    let chars: Vec<char> = cell.chars().collect();
    chars.len() == 18 && chars[..17].iter().all(char::is_ascii_digit)
}

#[tokio::test]
async fn a_village_officer_exports_what_the_page_shows_masked_the_same_way() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let village = t.sign_in("village").await;
        let page = t.get("/households?size=100", &village).await.text();
        let rows = csv_rows(&export(&t, &village, "/households", "csv", "").await);
        assert!(rows.len() > 1, "the village has households");
        for row in &rows[1..] {
            let (head, id) = (&row[0], &row[1]);
            assert!(
                page.contains(head.as_str()),
                "{head} is shown as on the page"
            );
            assert!(page.contains(id.as_str()), "{id} is shown as on the page");
            assert!(!is_full_id(id), "a full ID number left in an export: {id}");
        }
        // The village's needs export names households as its needs list does.
        let needs_page = t.get("/needs?size=100", &village).await.text();
        let needs = csv_rows(&export(&t, &village, "/needs", "csv", "").await);
        let head = needs[0]
            .iter()
            .position(|h| h == "户主")
            .expect("a head column");
        for row in &needs[1..] {
            assert!(
                needs_page.contains(row[head].as_str()),
                "{} as on the page",
                row[head]
            );
        }
    })
    .await;
}

#[tokio::test]
async fn every_export_is_on_the_audit_log_with_list_filters_and_rows() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let rows = csv_rows(&export(&t, &county, "/needs", "csv", "?status=open").await);
        export(&t, &county, "/donations", "xlsx", "?kind=cash").await;
        let auditor = t.sign_in("auditor").await;
        let log = csv_rows(&export(&t, &auditor, "/audit", "csv", "").await);
        let exported: Vec<&Vec<String>> = log
            .iter()
            .filter(|r| r.iter().any(|c| c == "needs" || c == "donations"))
            .collect();
        let needs = exported
            .iter()
            .find(|r| r.iter().any(|c| c == "needs"))
            .expect("the needs export is logged");
        let detail = needs.join(" ");
        assert!(detail.contains("open"), "the filter is logged: {detail}");
        assert!(
            detail.contains(&format!("rows: {}", rows.len() - 1)),
            "the row count is logged: {detail}"
        );
        assert!(detail.contains("csv"), "{detail}");
        let donations = exported
            .iter()
            .find(|r| r.iter().any(|c| c == "donations"))
            .expect("the donation export is logged");
        assert!(donations.join(" ").contains("cash"), "{donations:?}");
    })
    .await;
}
