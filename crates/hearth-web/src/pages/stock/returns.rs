//! `/stock/returns`: goods a household gives back to a station (退回入库) — the list and the
//! form. The household cannot give back more than it holds of the item from the campaign
//! (checked in `hearth-app`, refused beside `quantity` with what it holds).

use super::distributions::household_options;
use super::{
    Choices, Tab, campaign_options, can_manage, default_campaign, fail, pairs, station_options,
    tabs, value,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::item_options;
use crate::pages::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, query_string, render, with_query,
};
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hearth_core::stock::returns::ReturnInput;
use hearth_store::organizations::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stock/returns", get(list).post(record))
        .route("/stock/returns/new", get(new_form))
}

struct Row {
    number: String,
    village: String,
    station: String,
    goods: String,
    value: String,
    reason: String,
    handler: String,
    date: String,
}

#[derive(Template)]
#[template(path = "stock_returns.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    notice: bool,
    can_record: bool,
    campaigns: Vec<Opt>,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /stock/returns[?campaign=…]`: returns in the caller's area, the latest first.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let campaign = value(&q, "campaign");
    let page = PageRequest::new(
        value(&q, "page").parse().ok(),
        value(&q, "size").parse().ok(),
    );
    let asked = (!campaign.is_empty()).then(|| campaign.to_owned());
    let (views, total) = state
        .app
        .returns(&signed.caller, &asked, page)
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(&state, &signed, t).await?;
    let params = [("campaign", campaign.to_owned())];
    let here = with_query("/stock/returns", &query_string(&params));
    let view = ListPage {
        frame: Frame::new(&signed, t, Section::Stock, &here, t.t("money_form.returns")),
        tabs: tabs(t, "/stock/returns"),
        notice: value(&q, "notice") == "recorded",
        can_record: can_manage(&signed),
        campaigns: campaign_options(&choices.campaigns, campaign, false),
        rows: views
            .iter()
            .map(|r| Row {
                number: r.number.clone(),
                village: r.village_name.clone(),
                station: r.station_name.clone(),
                goods: format!("{} {}{}", r.item_name, r.quantity, r.unit),
                value: r.value.yuan_string(),
                reason: r.reason.clone(),
                handler: r.handler.clone(),
                date: r.returned_on.to_string(),
            })
            .collect(),
        pager: Pager::new(t, "/stock/returns", &params, total, page.number, page.size),
        t,
    };
    Ok(render(StatusCode::OK, &view, t))
}

#[derive(Template)]
#[template(path = "stock_return_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    input: ReturnInput,
    campaigns: Vec<Opt>,
    households: Vec<Opt>,
    stations: Vec<Opt>,
    items: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
}

const SHOWN: [&str; 9] = [
    "campaign",
    "household",
    "station",
    "item",
    "quantity",
    "returned_on",
    "reason",
    "handler",
    "note",
];

async fn show_form(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    input: ReturnInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let choices = Choices::load(state, signed, t).await?;
    let mut households = household_options(state, signed, t).await?;
    for h in &mut households {
        h.selected = h.value == input.household.trim();
    }
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/returns/new",
            t.t("money_form.new_return"),
        )
        .with_crumb("/stock/returns".into(), t.t("money_form.returns").into()),
        campaigns: campaign_options(&choices.campaigns, &input.campaign, true),
        households,
        stations: station_options(&choices.stations, &input.station, true),
        items: item_options(t, &choices.items, &input.item),
        others: errors.others(&SHOWN),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/returns/new[?household=…]`: today, the first running campaign, the caller as
/// handler.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let choices = Choices::load(&state, &signed, t).await?;
    let input = ReturnInput {
        campaign: default_campaign(&choices.campaigns, value(&q, "campaign")),
        household: value(&q, "household").to_owned(),
        returned_on: hearth_app::today().to_string(),
        handler: signed.caller.user.display_name.clone(),
        ..ReturnInput::default()
    };
    show_form(
        &state,
        &signed,
        t,
        input,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /stock/returns`: 登记退回; back to the list on success.
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let get = |k: &str| f.get(k).to_owned();
    let input = ReturnInput {
        campaign: get("campaign"),
        household: get("household"),
        station: get("station"),
        item: get("item"),
        quantity: get("quantity"),
        returned_on: get("returned_on"),
        reason: get("reason"),
        handler: get("handler"),
    };
    match state.app.record_return(&signed.caller, &input).await {
        Ok(_) => Ok(Redirect::to("/stock/returns?notice=recorded").into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_form(&state, &signed, t, input, errors, http).await
        }
    }
}
