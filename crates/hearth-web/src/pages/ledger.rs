//! `/ledger`: 对账 — a campaign's books for the county, the towns and auditors: raised, spent, on
//! hand and delivered with both identities checked, then by designation, by donating
//! organization and by station, and the ledger's head digest to compare with what is published.

use super::households::Opt;
use super::{Frame, Section, ok};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::reconciliation::{ReconciliationView, Slice};
use hearth_core::campaign::CampaignStatus;
use hearth_core::ledger::{Flows, Reconciliation};

pub fn router() -> Router<AppState> {
    Router::new().route("/ledger", get(page))
}

/// One row of a totals table, in yuan.
struct Row {
    label: String,
    raised_cash: String,
    raised_in_kind: String,
    purchases: String,
    cash_aid: String,
    cash_on_hand: String,
    stock_on_hand: String,
    delivered: String,
    households: usize,
}

fn row(label: String, r: &Reconciliation) -> Row {
    Row {
        label,
        raised_cash: r.raised_cash.yuan_string(),
        raised_in_kind: r.raised_in_kind.yuan_string(),
        purchases: r.purchases.yuan_string(),
        cash_aid: r.cash_aid.yuan_string(),
        cash_on_hand: r.cash_on_hand.yuan_string(),
        stock_on_hand: r.stock_on_hand.yuan_string(),
        delivered: r.delivered.yuan_string(),
        households: r.households_reached,
    }
}

fn slice_row(t: Tr, s: &Slice) -> Row {
    let label = match s.kind {
        "campaign" => t.t("ledger_page.designation_campaign").to_owned(),
        "household" => t.t("ledger_page.designation_household").to_owned(),
        _ => s.label.clone(),
    };
    row(label, &s.totals)
}

struct StationRow {
    name: String,
    received: String,
    purchased: String,
    transferred_in: String,
    transferred_out: String,
    delivered: String,
    lost: String,
    on_hand: String,
}

fn station_row(name: String, f: &Flows) -> StationRow {
    StationRow {
        name,
        received: f.received().value.yuan_string(),
        purchased: f.purchased().value.yuan_string(),
        transferred_in: f.transferred_in().value.yuan_string(),
        transferred_out: f.transferred_out().value.yuan_string(),
        delivered: f.delivered().value.yuan_string(),
        lost: f.lost().value.yuan_string(),
        on_hand: f.on_hand().value.yuan_string(),
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    t: Tr,
    frame: Frame,
    campaigns: Vec<Opt>,
    view: Option<ReconciliationView>,
    /// The totals tables: the campaign, by designation, by donating organization.
    sections: Vec<(&'static str, Vec<Row>)>,
    stations: Vec<StationRow>,
}

/// `GET /ledger[?campaign=CODE]`: the launched campaign first when none is chosen.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, t);
    let caller = &signed.caller;
    let asked = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "campaign")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut list = state.app.campaigns(caller).await.map_err(fail)?;
    list.sort_by_key(|c| c.status != CampaignStatus::Launched);
    let chosen = if asked.is_empty() {
        list.first()
            .map(|c| c.profile.code.clone())
            .unwrap_or_default()
    } else {
        asked
    };
    let view = if chosen.is_empty() {
        None
    } else {
        Some(
            state
                .app
                .reconciliation(caller, &chosen)
                .await
                .map_err(fail)?,
        )
    };
    let page = LedgerPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Ledger,
            "/ledger",
            t.t("ledger_page.title"),
        ),
        campaigns: list
            .iter()
            .map(|c| Opt {
                selected: c.profile.code == chosen,
                value: c.profile.code.clone(),
                label: c.profile.name.clone(),
            })
            .collect(),
        sections: vec![
            (
                "ledger_page.by_campaign",
                view.iter()
                    .map(|v| row(t.t("ledger_page.campaign_total").to_owned(), &v.totals))
                    .collect(),
            ),
            (
                "ledger_page.by_designation",
                view.iter()
                    .flat_map(|v| v.designations.iter().map(|s| slice_row(t, s)))
                    .collect(),
            ),
            (
                "ledger_page.by_organization",
                view.iter()
                    .flat_map(|v| v.organizations.iter().map(|s| slice_row(t, s)))
                    .collect(),
            ),
        ],
        stations: view
            .iter()
            .flat_map(|v| {
                v.stations
                    .iter()
                    .map(|s| station_row(s.name.clone(), &s.flows))
            })
            .collect(),
        view,
        t,
    };
    Ok(ok(&page, t))
}
