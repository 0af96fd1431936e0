//! `/public` (公示), with no sign-in: each campaign under way or finished — its totals from the
//! books, the figures of each town, the gifts of organizations that agreed to be named — the
//! ledger's head digest to compare with the printed one, and the box to check a donation's
//! acknowledgement (→ `/verify/<code>`). No household appears in any form: towns are the
//! smallest place and the figures are sums.

use super::{query_string, render};
use crate::AppState;
use crate::charts::{self, BarRow};
use crate::tr::Tr;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_app::dashboard::public::PublicCampaign;
use hearth_core::ledger::Head;

/// One campaign as the page shows it.
struct Shown {
    c: PublicCampaign,
    counters: Vec<(&'static str, String, &'static str)>,
    /// Towns with something to show, for the table.
    towns: Vec<(String, usize, usize, String)>,
    chart: String,
    donors: Vec<(String, String, String)>,
    status: &'static str,
}

fn shown(t: Tr, c: PublicCampaign) -> Shown {
    let k = &c.kpis;
    let counters = vec![
        (
            "dashboard.cash_raised",
            k.cash_raised.wan_string(),
            "dashboard.wan_yuan",
        ),
        (
            "dashboard.items",
            k.items.to_string(),
            "dashboard.unit_items",
        ),
        (
            "dashboard.item_value",
            k.item_value.wan_string(),
            "dashboard.wan_yuan",
        ),
        (
            "dashboard.delivered",
            k.delivered.wan_string(),
            "dashboard.wan_yuan",
        ),
        (
            "dashboard.households_reached",
            k.households_reached.to_string(),
            "dashboard.unit_households",
        ),
        (
            "dashboard.needs_delivered",
            c.needs_delivered.to_string(),
            "dashboard.unit_needs",
        ),
    ];
    let active: Vec<_> = c
        .towns
        .iter()
        .filter(|town| town.households_reached > 0 || town.needs_delivered > 0)
        .collect();
    let rows: Vec<BarRow> = active
        .iter()
        .map(|town| BarRow {
            label: town.name.clone(),
            parts: vec![town.households_reached as f64],
            shown: town.households_reached.to_string(),
            href: None,
        })
        .collect();
    Shown {
        chart: charts::bars(t.t("public_page.reached_by_town"), &rows),
        towns: active
            .iter()
            .map(|town| {
                (
                    town.name.clone(),
                    town.households_reached,
                    town.needs_delivered,
                    town.delivered.wan_string(),
                )
            })
            .collect(),
        donors: c
            .donors
            .iter()
            .map(|d| (d.name.clone(), d.cash.wan_string(), d.in_kind.wan_string()))
            .collect(),
        status: t.t(&c.campaign.status.label_key()),
        counters,
        c,
    }
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    t: Tr,
    campaigns: Vec<Shown>,
    head: Option<Head>,
    lang_zh: String,
    lang_en: String,
}

/// `GET /public`.
pub async fn page(State(state): State<AppState>, t: Tr) -> Response {
    let lang = |c: &str| {
        format!(
            "/lang/{c}?{}",
            query_string(&[("next", "/public".to_owned())])
        )
    };
    let (campaigns, head) = match state.app.public_overview().await {
        Ok(overview) => (
            overview
                .campaigns
                .into_iter()
                .map(|c| shown(t, c))
                .collect(),
            Some(overview.head),
        ),
        Err(e) => return crate::error::error_page(crate::error::status_of(&e), &e, t),
    };
    let page = PublicPage {
        t,
        campaigns,
        head,
        lang_zh: lang("zh-CN"),
        lang_en: lang("en"),
    };
    render(StatusCode::OK, &page, t)
}
