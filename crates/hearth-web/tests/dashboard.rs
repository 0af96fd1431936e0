//! The dashboard (驾驶舱) over the demo's books: the counters agree with the reconciliation and
//! the needs lists, the county drills down to a town and a village, a town sees only its own,
//! every chart's table exports as CSV and xlsx, and the big screen shows the same figures.

use crate::support::TestApp;
use axum::http::StatusCode;
use hearth_store::testing::each_backend;
use serde_json::Value;

const TOWN: &str = "340123100000";
const OTHER_TOWN: &str = "340123101000";

/// The first area code in `html` that a drill-down link of the town `prefix` leads to.
fn first_link_below(html: &str, prefix: &str) -> Option<String> {
    html.match_indices(&format!("area={prefix}"))
        .map(|(at, _)| html[at + 5..at + 17].to_owned())
        .find(|code| code.chars().all(|c| c.is_ascii_digit()) && !code.ends_with("000"))
}

fn counter(html: &str, label: &str) -> String {
    let at = html
        .find(&format!("<span class=\"dash-kpi-label\">{label}</span>"))
        .unwrap_or_else(|| panic!("no counter {label}"));
    let rest = &html[at..];
    let start = rest.find("dash-kpi-value\">").expect("a value") + 16;
    rest[start..start + rest[start..].find('<').expect("closed")].to_owned()
}

async fn total(t: &TestApp, client: &crate::support::Client, status: &str) -> i64 {
    let reply = t
        .get(
            &format!("/api/v1/needs?campaign=NDXD-DEMO&status={status}&page_size=10"),
            client,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()["total"].as_i64().expect("a total")
}

#[tokio::test]
async fn the_county_sees_the_books_figures_and_the_pipeline_and_drills_down() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let page = t.get("/dashboard", &county).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let books: Value = t
            .get("/api/v1/campaigns/NDXD-DEMO/reconciliation", &county)
            .await
            .json();
        assert_eq!(books["totals"]["raised_cash"], "131800.00", "the demo's cash");
        assert_eq!(counter(&html, "募集资金"), "13.18", "in 万元, as booked");
        assert_eq!(counter(&html, "参与社会组织"), "21");
        assert!(html.contains("131800.00"), "the table behind the counters in yuan");
        let reached: usize = counter(&html, "已帮扶户数").parse().expect("a count");
        let booked = books["totals"]["households_reached"].as_u64().expect("count") as usize;
        assert!(reached >= booked && reached > 0, "{reached} vs {booked}");
        assert!(html.contains("目标 780 户"), "against the campaign's target");
        for (status, stage) in [("open", "待认领"), ("claimed", "已认领")] {
            let n = total(&t, &county, status).await;
            let shown = format!("<span class=\"dash-stage-label\">{stage}</span><span class=\"dash-stage-value\">{n}</span>");
            assert!(html.contains(&shown), "{stage} = {n}");
        }
        assert!(html.matches("<svg class=\"chart").count() >= 5, "charts drawn");
        assert_eq!(
            html.matches("<details class=\"dash-table\">").count() + 1,
            html.matches("查看数据表").count(),
            "every chart and the counters can show their table"
        );
        assert!(html.contains(&format!("area={TOWN}")), "a town leads down");

        let town_page = t
            .get(&format!("/dashboard?campaign=NDXD-DEMO&area={TOWN}"), &county)
            .await;
        assert_eq!(town_page.status, StatusCode::OK);
        let town_html = town_page.text();
        assert!(town_html.contains("id=\"chart-areas\"") && town_html.contains("村（社区）"));
        assert!(town_html.contains("aria-current=\"page\">上派镇"));
        let village = first_link_below(&town_html, "340123100").expect("a village link");
        let village_page = t
            .get(&format!("/dashboard?campaign=NDXD-DEMO&area={village}"), &county)
            .await;
        assert_eq!(village_page.status, StatusCode::OK);
        let village_html = village_page.text();
        assert!(village_html.contains(&format!("area={TOWN}")), "the trail leads back up");
        assert!(!village_html.contains("id=\"chart-areas\""), "no level below a village");

        for bad in ["/dashboard?area=999999999999", "/dashboard?campaign=NO-SUCH"] {
            assert_eq!(t.get(bad, &county).await.status, StatusCode::NOT_FOUND, "{bad}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_town_sees_its_own_area_and_others_may_not_see_the_dashboard() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let town = t.sign_in("town").await;
        let html = t.get("/dashboard", &town).await.text();
        assert!(
            html.contains("aria-current=\"page\">上派镇"),
            "starts at its town"
        );
        assert!(!html.contains(&format!("area={OTHER_TOWN}")));
        let other = t.get(&format!("/dashboard?area={OTHER_TOWN}"), &town).await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);
        let screen = t
            .get(&format!("/dashboard/screen?area={OTHER_TOWN}"), &town)
            .await;
        assert_eq!(screen.status, StatusCode::FORBIDDEN);
        let export = t
            .get(
                &format!("/dashboard/tables/areas.csv?area={OTHER_TOWN}"),
                &town,
            )
            .await;
        assert_eq!(export.status, StatusCode::FORBIDDEN);
        let home = t.get("/", &town).await.text();
        assert!(
            home.contains("href=\"/dashboard\""),
            "the menu offers it to a town"
        );
        for who in ["org", "village"] {
            let client = t.sign_in(who).await;
            assert_eq!(
                t.get("/dashboard", &client).await.status,
                StatusCode::FORBIDDEN,
                "{who}"
            );
            assert!(
                !t.get("/", &client)
                    .await
                    .text()
                    .contains("href=\"/dashboard\""),
                "{who}"
            );
        }
        let anonymous = t
            .get("/dashboard", &crate::support::Client::default())
            .await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn every_table_exports_as_csv_and_xlsx_with_the_same_rows() {
    use calamine::{Reader, Xlsx};
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        for name in ["kpis", "pipeline", "areas", "categories", "progress"] {
            let csv = t
                .get(&format!("/dashboard/tables/{name}.csv"), &county)
                .await;
            assert_eq!(csv.status, StatusCode::OK, "{name}");
            let text = csv.text();
            assert!(text.starts_with('\u{feff}'), "WPS reads it as UTF-8");
            let lines: Vec<&str> = text.trim_end().lines().collect();
            assert!(lines.len() >= 2, "{name}: a header and rows: {text}");
            let xlsx = t
                .get(&format!("/dashboard/tables/{name}.xlsx"), &county)
                .await;
            assert_eq!(xlsx.status, StatusCode::OK, "{name}");
            let mut book = Xlsx::new(std::io::Cursor::new(xlsx.body)).expect("an xlsx");
            let sheet = book
                .worksheet_range_at(0)
                .expect("a sheet")
                .expect("readable");
            let rows = sheet.rows().count();
            assert_eq!(
                rows,
                lines.len() + 1 + 2,
                "{name}: title, header, rows, gap, footer"
            );
        }
        let areas = t.get("/dashboard/tables/areas.csv", &county).await.text();
        assert!(
            areas.contains("\"上派镇\",") && areas.contains("\"三河镇\","),
            "{areas}"
        );
        let kpis = t.get("/dashboard/tables/kpis.csv", &county).await.text();
        assert!(kpis.contains("\"募集资金（元）\",\"131800.00\""), "{kpis}");
        for bad in ["nope.csv", "areas.pdf", "areas"] {
            let reply = t.get(&format!("/dashboard/tables/{bad}"), &county).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{bad}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_big_screen_shows_the_same_figures_on_a_dark_page() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let county = t.sign_in("county").await;
        let html = t.get("/dashboard/screen", &county).await.text();
        assert!(html.contains("<body class=\"screen\">"));
        assert!(html.contains("<span class=\"screen-kpi-value\">13.18</span>"));
        assert!(
            html.contains("http-equiv=\"refresh\""),
            "refreshes itself, no script"
        );
        assert!(!html.contains("<script"), "no script on the big screen");
        assert!(html.matches("<svg class=\"chart").count() >= 4);
    })
    .await;
}
