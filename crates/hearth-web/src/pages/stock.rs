//! `/stock`: what the county warehouse and the town stations hold (库存), and from there the
//! stock papers: waybills ([`waybills`]), handovers to households and the distribution roster
//! ([`distributions`]), adjustments and counts ([`papers`]). What a page shows is what the use
//! case returned for the caller; scope and masking are decided in `hearth-app`.

mod cash_aid;
mod distributions;
pub(crate) mod files;
mod papers;
mod returns;
mod waybills;

use super::export::{self, Column, List, count, txt, yuan};
use super::households::Opt;
use super::needs::item_options;
use super::{Frame, Section, query_string, render, with_query};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::stock::{Station, StockQuery};
use hearth_core::campaign::CampaignStatus;
use hearth_core::need::Item;
use hearth_core::permission::Permission;
use hearth_store::campaigns::Campaign;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stock", get(list))
        .route("/stock/export.xlsx", get(export))
        .route("/stock/export.csv", get(export))
        .merge(waybills::router())
        .merge(distributions::router())
        .merge(papers::router())
        .merge(cash_aid::router())
        .merge(returns::router())
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// The stock pages' tabs; `active` is the page's own.
pub(crate) struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub(crate) fn tabs(t: Tr, active: &str) -> Vec<Tab> {
    [
        ("/stock", "stock_page.on_hand"),
        ("/stock/waybills", "stock_page.waybills"),
        ("/stock/distributions", "stock_page.distributions"),
        ("/stock/cash-aid", "money_form.cash_aid"),
        ("/stock/returns", "money_form.returns"),
        ("/stock/adjustments", "stock_page.adjustments"),
        ("/stock/counts", "stock_page.counts"),
    ]
    .into_iter()
    .map(|(href, key)| Tab {
        href,
        label: t.t(key),
        active: href == active,
    })
    .collect()
}

/// Stations as dropdown choices; only those the caller keeps when `kept`.
pub(crate) fn station_options(stations: &[Station], chosen: &str, kept: bool) -> Vec<Opt> {
    let chosen = chosen.trim();
    stations
        .iter()
        .filter(|s| !kept || s.kept_by_caller)
        .map(|s| Opt {
            value: s.code.as_str().to_owned(),
            label: s.name.clone(),
            selected: !chosen.is_empty()
                && (s.code.as_str() == chosen || s.code.prefix() == chosen),
        })
        .collect()
}

/// Campaigns as dropdown choices by code; only launched ones when `running`.
pub(crate) fn campaign_options(campaigns: &[Campaign], chosen: &str, running: bool) -> Vec<Opt> {
    campaigns
        .iter()
        .filter(|c| !running || c.status == CampaignStatus::Launched)
        .map(|c| Opt {
            value: c.profile.code.clone(),
            label: c.profile.name.clone(),
            selected: c.profile.code.eq_ignore_ascii_case(chosen.trim())
                || c.id.to_string() == chosen.trim(),
        })
        .collect()
}

/// The running campaign a new paper starts with: the one chosen, else the first launched.
pub(crate) fn default_campaign(campaigns: &[Campaign], chosen: &str) -> String {
    if !chosen.trim().is_empty() {
        return chosen.trim().to_owned();
    }
    campaigns
        .iter()
        .find(|c| c.status == CampaignStatus::Launched)
        .map(|c| c.profile.code.clone())
        .unwrap_or_default()
}

/// What the stock pages need for their dropdowns.
pub(crate) struct Choices {
    pub campaigns: Vec<Campaign>,
    pub stations: Vec<Station>,
    pub items: Vec<Item>,
}

impl Choices {
    pub async fn load(state: &AppState, signed: &Signed, t: Tr) -> Result<Choices, PageError> {
        let caller = &signed.caller;
        Ok(Choices {
            campaigns: state.app.campaigns(caller).await.map_err(fail(t))?,
            stations: state.app.stations(caller).await.map_err(fail(t))?,
            items: state.app.items(caller).await.map_err(fail(t))?,
        })
    }

    pub fn keeps_any(&self) -> bool {
        self.stations.iter().any(|s| s.kept_by_caller)
    }
}

/// A query string's pairs, trimmed.
pub(crate) fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect()
}

pub(crate) fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

struct StockRow {
    campaign: String,
    station: String,
    item: String,
    quantity: String,
    value: String,
}

/// Goods on the road (在途) under one waybill.
struct TransitRow {
    waybill_href: String,
    waybill: String,
    route: String,
    dispatched_on: String,
    item: String,
    quantity: String,
    value: String,
}

#[derive(Template)]
#[template(path = "stock_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    campaigns: Vec<Opt>,
    stations: Vec<Opt>,
    items: Vec<Opt>,
    rows: Vec<StockRow>,
    total: String,
    transit: Vec<TransitRow>,
}

const COLUMNS: [Column<StockRow>; 5] = [
    Column {
        header: "stock_page.campaign",
        cell: |r| txt(&r.campaign),
    },
    Column {
        header: "stock_page.station",
        cell: |r| txt(&r.station),
    },
    Column {
        header: "stock_page.item",
        cell: |r| txt(&r.item),
    },
    Column {
        header: "stock_page.quantity",
        cell: |r| count(&r.quantity),
    },
    Column {
        header: "stock_page.value",
        cell: |r| yuan(&r.value),
    },
];

/// `GET /stock/export.xlsx|csv`: on hand per station and item under the same filters.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: export::Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let filter = ["campaign", "station", "item"].map(|k| (k, value(&q, k).to_owned()));
    let given = |i: usize| Some(filter[i].1.clone()).filter(|v| !v.is_empty());
    let query = StockQuery {
        campaign: given(0),
        station: given(1),
        item: given(2),
    };
    let lines = state
        .app
        .stock(&signed.caller, &query)
        .await
        .map_err(fail(t))?;
    let rows: Vec<StockRow> = lines
        .iter()
        .map(|l| StockRow {
            campaign: l.campaign_code.clone(),
            station: l.station_name.clone(),
            item: format!("{}（{}）", l.item_name, l.unit),
            quantity: l.quantity.to_string(),
            value: l.value.yuan_string(),
        })
        .collect();
    let list = List {
        name: "stock",
        title: t.t("stock_page.title"),
        filter: &filter,
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// `GET /stock`: on hand per station and item, filtered by campaign, station and item.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let (campaign, station, item) = (
        value(&q, "campaign"),
        value(&q, "station"),
        value(&q, "item"),
    );
    let given = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let query = StockQuery {
        campaign: given(campaign),
        station: given(station),
        item: given(item),
    };
    let lines = state
        .app
        .stock(&signed.caller, &query)
        .await
        .map_err(fail(t))?;
    let on_road = state
        .app
        .in_transit(&signed.caller, &query)
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(&state, &signed, t).await?;
    let params = [
        ("campaign", campaign.to_owned()),
        ("station", station.to_owned()),
        ("item", item.to_owned()),
    ];
    let here = with_query("/stock", &query_string(&params));
    let total: hearth_core::Fen = lines.iter().map(|l| l.value).sum();
    let page = ListPage {
        frame: Frame::new(&signed, t, Section::Stock, &here, t.t("stock_page.title")),
        tabs: tabs(t, "/stock"),
        campaigns: campaign_options(&choices.campaigns, campaign, false),
        stations: station_options(&choices.stations, station, false),
        items: item_options(t, &choices.items, item),
        rows: lines
            .iter()
            .map(|l| StockRow {
                campaign: l.campaign_code.clone(),
                station: l.station_name.clone(),
                item: format!("{}（{}）", l.item_name, l.unit),
                quantity: l.quantity.to_string(),
                value: l.value.yuan_string(),
            })
            .collect(),
        total: total.yuan_string(),
        transit: on_road
            .iter()
            .map(|l| TransitRow {
                waybill_href: format!("/stock/waybills/{}", l.waybill_id),
                waybill: l.waybill_number.clone(),
                route: format!("{} → {}", l.from_name, l.to_name),
                dispatched_on: l.dispatched_on.to_string(),
                item: format!("{}（{}）", l.item_name, l.unit),
                quantity: l.quantity.to_string(),
                value: l.value.yuan_string(),
            })
            .collect(),
        t,
    };
    Ok(render(StatusCode::OK, &page, t))
}

/// Whether the caller may keep any station, for the buttons that start a paper.
pub(crate) fn can_manage(signed: &Signed) -> bool {
    signed.caller.can(Permission::ManageStock)
}
