//! `/dashboard` (驾驶舱) for the province, the city, the county, towns and auditors, each from
//! their own area down: counters, the pipeline, each area below (city, county, town or village),
//! each category of need and weekly progress, drawn as SVG on the server with the table behind every chart one click away and exported as CSV or xlsx; `/dashboard/screen`
//! shows the same figures on a dark 1920×1080 page for meetings.

mod panels;

use super::{Frame, Section, download, internal_error, ok, query_string, with_query};
use crate::AppState;
use crate::auth::Signed;
use crate::charts;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::dashboard::Dashboard;
use hearth_core::area::AreaLevel;
use panels::{Panel, TABLES, Table};

const CSS: &str = include_str!("../../static/dashboard.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard/screen", get(screen))
        .route("/dashboard/tables/{file}", get(export))
        .route(
            "/static/dashboard.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                    ],
                    CSS,
                )
            }),
        )
}

/// `?campaign=CODE&area=CODE`, both optional.
struct Query {
    campaign: String,
    area: String,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let pairs = raw.map(form_pairs).unwrap_or_default();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        Query {
            campaign: get("campaign"),
            area: get("area"),
        }
    }
}

async fn load(state: &AppState, signed: &Signed, t: Tr, q: &Query) -> Result<Dashboard, PageError> {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    state
        .app
        .dashboard(
            &signed.caller,
            some(&q.campaign).as_deref(),
            some(&q.area).as_deref(),
            hearth_app::today(),
        )
        .await
        .map_err(|e: AppError| PageError::new(e, t))
}

/// A counter at the top of the page (and on the big screen).
struct Counter {
    label: &'static str,
    value: String,
    unit: &'static str,
}

fn counters(t: Tr, d: &Dashboard) -> Vec<Counter> {
    let k = &d.kpis;
    let counter = |label, value: String, unit| Counter {
        label: t.t(label),
        value,
        unit: t.t(unit),
    };
    vec![
        counter(
            "dashboard.organizations_enrolled",
            d.organizations_enrolled.to_string(),
            "dashboard.unit_orgs",
        ),
        counter(
            "dashboard.cash_raised",
            k.cash_raised.wan_string(),
            "dashboard.wan_yuan",
        ),
        counter(
            "dashboard.items",
            k.items.to_string(),
            "dashboard.unit_items",
        ),
        counter(
            "dashboard.item_value",
            k.item_value.wan_string(),
            "dashboard.wan_yuan",
        ),
        counter(
            "dashboard.households_reached",
            k.households_reached.to_string(),
            "dashboard.unit_households",
        ),
    ]
}

/// Households reached against the campaign's target (the county only: targets are the
/// county's), as "123 / 780 (15.8%)" and a meter.
struct Target {
    text: String,
    svg: String,
}

fn target(t: Tr, d: &Dashboard) -> Option<Target> {
    let goal = d.households_target();
    let at_top = d.trail.len() == 1 && d.trail[0].level <= AreaLevel::County;
    (at_top && goal > 0).then(|| {
        let reached = d.kpis.households_reached;
        let percent = reached as f64 * 100.0 / f64::from(goal);
        let text = t.f(
            "dashboard.target_text",
            &[
                ("reached", reached.to_string()),
                ("target", goal.to_string()),
                ("percent", format!("{percent:.1}")),
            ],
        );
        Target {
            svg: charts::meter(&text, reached as f64, f64::from(goal)),
            text,
        }
    })
}

/// A chart with its table, as the template lays it out.
struct ShownPanel {
    panel: Panel,
    headers: Vec<String>,
    rows: Vec<Vec<(String, bool)>>,
    csv: String,
    xlsx: String,
}

fn shown_panels(t: Tr, d: &Dashboard, query: &str) -> Vec<ShownPanel> {
    let tables = panels::tables(t, d);
    panels::panels(t, d)
        .into_iter()
        .filter_map(|panel| {
            let table = tables.iter().find(|tb| tb.name == panel.table)?;
            let link =
                |ext: &str| with_query(&format!("/dashboard/tables/{}.{ext}", table.name), query);
            Some(ShownPanel {
                headers: table.headers.clone(),
                rows: table.shown(),
                csv: link("csv"),
                xlsx: link("xlsx"),
                panel,
            })
        })
        .collect()
}

/// The campaign's name, or "all campaigns in your area" when a city or province sees them
/// together.
fn campaign_name(t: Tr, d: &Dashboard) -> String {
    d.campaign.as_ref().map_or_else(
        || t.t("dashboard.all_campaigns").to_owned(),
        |c| c.name.clone(),
    )
}

/// Whether the selector offers all the caller's campaigns together (a city or a province).
fn offers_all(d: &Dashboard) -> bool {
    d.trail.first().is_some_and(|p| p.level < AreaLevel::County)
}

/// The trail's links: every step but the last leads back up.
fn crumbs(d: &Dashboard) -> Vec<(String, String)> {
    d.trail
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let href = if i + 1 == d.trail.len() {
                String::new()
            } else {
                let area = if i == 0 {
                    String::new()
                } else {
                    p.code.to_string()
                };
                with_query(
                    "/dashboard",
                    &query_string(&[("campaign", d.campaign_code().to_owned()), ("area", area)]),
                )
            };
            (p.name.clone(), href)
        })
        .collect()
}

fn own_query(d: &Dashboard) -> String {
    let area = if d.trail.len() > 1 {
        d.trail
            .last()
            .map(|p| p.code.to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    query_string(&[("campaign", d.campaign_code().to_owned()), ("area", area)])
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    frame: Frame,
    d: Dashboard,
    counters: Vec<Counter>,
    target: Option<Target>,
    panels: Vec<ShownPanel>,
    trail: Vec<(String, String)>,
    area: String,
    kpi_table: Vec<Vec<(String, bool)>>,
    kpi_csv: String,
    kpi_xlsx: String,
    screen: String,
    offers_all: bool,
}

/// `GET /dashboard[?campaign=CODE][&area=CODE]`.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let d = load(&state, &signed, t, &q).await?;
    let query = own_query(&d);
    let here = with_query("/dashboard", &query);
    let title = t.t("dashboard.title");
    let kpis = panels::tables(t, &d)
        .into_iter()
        .find(|tb| tb.name == "kpis")
        .map(|tb| tb.shown())
        .unwrap_or_default();
    let page = DashboardPage {
        frame: Frame::new(&signed, t, Section::Dashboard, &here, title),
        counters: counters(t, &d),
        target: target(t, &d),
        panels: shown_panels(t, &d, &query),
        trail: crumbs(&d),
        area: q.area,
        kpi_table: kpis,
        kpi_csv: with_query("/dashboard/tables/kpis.csv", &query),
        kpi_xlsx: with_query("/dashboard/tables/kpis.xlsx", &query),
        screen: with_query("/dashboard/screen", &query),
        offers_all: offers_all(&d),
        d,
        t,
    };
    Ok(ok(&page, t))
}

#[derive(Template)]
#[template(path = "dashboard_screen.html")]
struct ScreenPage {
    t: Tr,
    d: Dashboard,
    counters: Vec<Counter>,
    target: Option<Target>,
    panels: Vec<Panel>,
    place: String,
    back: String,
    campaign: String,
}

/// `GET /dashboard/screen[?campaign=CODE][&area=CODE]`: the big screen, refreshed every five
/// minutes by the page itself (no script).
pub async fn screen(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let d = load(&state, &signed, t, &q).await?;
    let page = ScreenPage {
        counters: counters(t, &d),
        target: target(t, &d),
        panels: panels::panels(t, &d),
        place: d.trail.last().map(|p| p.name.clone()).unwrap_or_default(),
        back: with_query("/dashboard", &own_query(&d)),
        campaign: campaign_name(t, &d),
        d,
        t,
    };
    Ok(ok(&page, t))
}

/// CSV that WPS and Excel open as UTF-8 (a byte-order mark first), every field quoted.
fn csv(table: &Table) -> Vec<u8> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(table.headers.clone()));
    out.push_str("\r\n");
    for row in table.shown() {
        out.push_str(&line(row.into_iter().map(|(s, _)| s).collect()));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// `GET /dashboard/tables/{name}.{csv|xlsx}[?campaign=…&area=…]`: the table behind a chart.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let not_found = || PageError::new(AppError::NotFound, t);
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    if !TABLES.contains(&name) || !matches!(ext, "csv" | "xlsx") {
        return Err(not_found());
    }
    let q = Query::parse(raw.as_deref());
    let d = load(&state, &signed, t, &q).await?;
    let table = panels::tables(t, &d)
        .into_iter()
        .find(|tb| tb.name == name)
        .ok_or_else(not_found)?;
    let place = d.trail.last().map(|p| p.name.clone()).unwrap_or_default();
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let stem = format!(
        "{}-{}-{place}-{}",
        t.t("dashboard.file"),
        table.title,
        d.campaign_code()
    );
    let ascii = format!("dashboard-{name}-{}", now.format("%Y%m%d"));
    if ext == "csv" {
        let name = format!("{stem}.csv");
        return Ok(download(
            "text/csv; charset=utf-8",
            &format!("{ascii}.csv"),
            &name,
            csv(&table),
        ));
    }
    let footer = t.f(
        "dashboard.export_footer",
        &[
            ("campaign", campaign_name(t, &d)),
            ("place", place),
            ("name", signed.caller.user.display_name.clone()),
            ("at", now.format("%Y-%m-%d %H:%M").to_string()),
        ],
    );
    let title = format!("{} · {}", campaign_name(t, &d), table.title);
    match hearth_office::table::export(&title, &table.headers, &table.rows, &footer) {
        Ok(bytes) => Ok(download(
            super::XLSX,
            &format!("{ascii}.xlsx"),
            &format!("{stem}.xlsx"),
            bytes,
        )),
        Err(e) => {
            tracing::error!(error = %e, "dashboard export failed");
            Ok(internal_error(t))
        }
    }
}
