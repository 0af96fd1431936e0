//! `/ledger`: 对账 — a campaign's books for the county, the towns and auditors: raised, spent, on
//! hand and delivered with both identities checked, then by designation, by donating
//! organization and by station, and the ledger's head digest to compare with what is published.
//! Filters narrow the slices to one station, one donating organization or one kind of
//! designation, as `GET /api/v1/campaigns/{code}/reconciliation` does.

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
use hearth_app::reconciliation::{ReconciliationFilter, ReconciliationView, Slice};
use hearth_core::campaign::CampaignStatus;
use hearth_core::donation::DesignationKind;
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
    /// The filters' choices: stations, donating organizations, kinds of designation.
    stations_choice: Vec<Opt>,
    organizations_choice: Vec<Opt>,
    designations_choice: Vec<Opt>,
    view: Option<ReconciliationView>,
    /// The totals tables: the campaign, by designation, by donating organization.
    sections: Vec<(&'static str, Vec<Row>)>,
    stations: Vec<StationRow>,
}

/// Dropdown choices from value and label pairs, `chosen` selected.
fn choices(all: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Vec<Opt> {
    all.into_iter()
        .map(|(value, label)| Opt {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

/// The launched campaign first when none is asked for.
async fn chosen_campaign(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    asked: &str,
) -> Result<(Vec<Opt>, String), PageError> {
    let mut list = state
        .app
        .campaigns(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    list.sort_by_key(|c| c.status != CampaignStatus::Launched);
    let chosen = if asked.is_empty() {
        list.first()
            .map(|c| c.profile.code.clone())
            .unwrap_or_default()
    } else {
        asked.to_owned()
    };
    let options = choices(
        list.iter()
            .map(|c| (c.profile.code.clone(), c.profile.name.clone())),
        &chosen,
    );
    Ok((options, chosen))
}

/// `GET /ledger[?campaign=CODE&station=…&organization=…&designation=…]`.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, t);
    let q: Vec<(String, String)> = raw.as_deref().map(form_pairs).unwrap_or_default();
    let get = |key: &str| {
        q.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let filter = ReconciliationFilter {
        station: get("station"),
        organization: get("organization"),
        designation: get("designation"),
    };
    let (campaigns, chosen) = chosen_campaign(&state, &signed, t, &get("campaign")).await?;
    let view = if chosen.is_empty() {
        None
    } else {
        let app = &state.app;
        Some(
            app.reconciliation(&signed.caller, &chosen, &filter)
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
        campaigns,
        stations_choice: choices(
            view.iter()
                .flat_map(|v| &v.station_choices)
                .map(|(code, name)| (code.as_str().to_owned(), name.clone())),
            &filter.station,
        ),
        organizations_choice: choices(
            view.iter()
                .flat_map(|v| &v.organization_choices)
                .map(|(id, name)| (id.to_string(), name.clone())),
            &filter.organization,
        ),
        designations_choice: choices(
            DesignationKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), t.t(k.label_key()).to_owned())),
            &filter.designation,
        ),
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
