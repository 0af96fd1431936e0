//! `/stock/adjustments` and `/stock/counts`: write-offs and goods found (报损/盘盈) and stock
//! counts (盘点), each recorded by one officer and approved or refused by another (复核).

use super::waybills::{GoodsRow, goods_rows, posted_lines};
use super::{
    Choices, Tab, campaign_options, can_manage, default_campaign, fail, pairs, parse_id,
    station_options, tabs, value,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::{item_options, options};
use crate::pages::{Fields, FormErrors, Frame, Section, form_errors, render};
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::stock::adjustments::PaperQuery;
use hearth_app::stock::{AdjustmentView, CountView, StockQuery};
use hearth_core::ledger::AdjustmentCause;
use hearth_core::stock::{AdjustmentInput, CountInput, Direction, LineInput, ReviewStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/stock/adjustments",
            get(adjustments).post(record_adjustment),
        )
        .route("/stock/adjustments/{id}/decision", post(decide_adjustment))
        .route("/stock/counts", get(counts).post(record_count))
        .route("/stock/counts/new", get(new_count))
        .route("/stock/counts/{id}/decision", post(decide_count))
}

fn status_class(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Pending => "tag-warning",
        ReviewStatus::Approved => "tag-success",
        ReviewStatus::Rejected => "tag-info",
    }
}

/// Who recorded and who checked a paper, as one line.
struct Review {
    status: &'static str,
    status_class: &'static str,
    made: String,
    checked: String,
    reject_reason: String,
    can_decide: bool,
}

fn review(
    t: Tr,
    status: ReviewStatus,
    (made_by, made_on): (&str, String),
    checked_by: &str,
    reason: &str,
    can_decide: bool,
) -> Review {
    Review {
        status: t.t(status.label_key()),
        status_class: status_class(status),
        made: format!("{made_by} · {made_on}"),
        checked: checked_by.to_owned(),
        reject_reason: reason.to_owned(),
        can_decide,
    }
}

struct AdjustmentRow {
    id: String,
    number: String,
    station: String,
    item: String,
    direction: &'static str,
    quantity: i64,
    cause: &'static str,
    note: String,
    value: String,
    review: Review,
}

fn adjustment_row(t: Tr, a: &AdjustmentView) -> AdjustmentRow {
    AdjustmentRow {
        id: a.id.to_string(),
        number: a.number.clone(),
        station: a.station_name.clone(),
        item: format!("{}（{}）", a.item_name, a.unit),
        direction: t.t(a.direction.label_key()),
        quantity: a.quantity,
        cause: t.t(a.cause.label_key()),
        note: a.note.clone(),
        value: a.value.yuan_string(),
        review: review(
            t,
            a.status,
            (&a.made_by, a.made_on.to_string()),
            &a.checked_by,
            &a.reject_reason,
            a.can_decide,
        ),
    }
}

#[derive(Template)]
#[template(path = "stock_adjustments.html")]
struct AdjustmentsPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    notice: &'static str,
    can_record: bool,
    input: AdjustmentInput,
    campaigns: Vec<Opt>,
    stations: Vec<Opt>,
    items: Vec<Opt>,
    directions: Vec<Opt>,
    causes: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
    rows: Vec<AdjustmentRow>,
}

const ADJUSTMENT_FIELDS: [&str; 8] = [
    "campaign",
    "station",
    "item",
    "direction",
    "quantity",
    "cause",
    "note",
    "made_on",
];

fn notice_of(raw: Option<&str>) -> &'static str {
    match value(&pairs(raw), "notice") {
        "recorded" => "stock_page.notice_paper_recorded",
        "approved" => "stock_page.notice_paper_approved",
        "rejected" => "stock_page.notice_paper_rejected",
        _ => "",
    }
}

async fn show_adjustments(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    (notice, input, errors, http): (&'static str, AdjustmentInput, FormErrors, StatusCode),
) -> Result<Response, PageError> {
    let views = state
        .app
        .adjustments(&signed.caller, &PaperQuery::default())
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(state, signed, t).await?;
    let page = AdjustmentsPage {
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/adjustments",
            t.t("stock_page.adjustments"),
        ),
        tabs: tabs(t, "/stock/adjustments"),
        notice,
        can_record: can_manage(signed) && choices.keeps_any(),
        campaigns: campaign_options(&choices.campaigns, &input.campaign, true),
        stations: station_options(&choices.stations, &input.station, true),
        items: item_options(t, &choices.items, &input.item),
        directions: options(
            t,
            Direction::ALL,
            &input.direction,
            Direction::as_str,
            Direction::label_key,
        ),
        causes: options(
            t,
            AdjustmentCause::ALL,
            &input.cause,
            AdjustmentCause::as_str,
            AdjustmentCause::label_key,
        ),
        others: errors.others(&ADJUSTMENT_FIELDS),
        errors,
        input,
        rows: views.iter().map(|a| adjustment_row(t, a)).collect(),
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/adjustments`: the list and the form to record one.
pub async fn adjustments(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let choices = Choices::load(&state, &signed, t).await?;
    let input = AdjustmentInput {
        campaign: default_campaign(&choices.campaigns, ""),
        direction: Direction::Loss.as_str().to_owned(),
        made_on: hearth_app::today().to_string(),
        ..AdjustmentInput::default()
    };
    let shown = (
        notice_of(raw.as_deref()),
        input,
        FormErrors::default(),
        StatusCode::OK,
    );
    show_adjustments(&state, &signed, t, shown).await
}

/// `POST /stock/adjustments`: records one, pending.
pub async fn record_adjustment(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let get = |k: &str| f.get(k).to_owned();
    let input = AdjustmentInput {
        campaign: get("campaign"),
        station: get("station"),
        item: get("item"),
        direction: get("direction"),
        quantity: get("quantity"),
        cause: get("cause"),
        note: get("note"),
        made_on: get("made_on"),
    };
    match state.app.record_adjustment(&signed.caller, &input).await {
        Ok(_) => Ok(Redirect::to("/stock/adjustments?notice=recorded").into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_adjustments(&state, &signed, t, ("", input, errors, http)).await
        }
    }
}

/// The checker's choice from a posted decision form: approve, or refuse with the reason.
fn decision(body: &str) -> (bool, String) {
    let f = Fields::parse(body);
    (f.get("decision") == "approve", f.get("reason").to_owned())
}

/// `POST /stock/adjustments/{id}/decision`: 复核.
pub async fn decide_adjustment(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let (approve, reason) = decision(&body);
    let id = parse_id(&id, t)?;
    state
        .app
        .decide_adjustment(&signed.caller, id, approve, &reason)
        .await
        .map_err(fail(t))?;
    let notice = if approve { "approved" } else { "rejected" };
    Ok(Redirect::to(&format!("/stock/adjustments?notice={notice}")).into_response())
}

struct CountRow {
    id: String,
    number: String,
    station: String,
    note: String,
    lines: Vec<(String, i64, i64, i64)>,
    review: Review,
}

fn count_row(t: Tr, c: &CountView) -> CountRow {
    CountRow {
        id: c.id.to_string(),
        number: c.number.clone(),
        station: c.station_name.clone(),
        note: c.note.clone(),
        lines: c
            .lines
            .iter()
            .map(|l| {
                (
                    format!("{}（{}）", l.item_name, l.unit),
                    l.book,
                    l.counted,
                    l.difference,
                )
            })
            .collect(),
        review: review(
            t,
            c.status,
            (&c.made_by, c.counted_on.to_string()),
            &c.checked_by,
            &c.reject_reason,
            c.can_decide,
        ),
    }
}

#[derive(Template)]
#[template(path = "stock_counts.html")]
struct CountsPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    notice: &'static str,
    can_record: bool,
    stations: Vec<Opt>,
    campaigns: Vec<Opt>,
    rows: Vec<CountRow>,
}

/// `GET /stock/counts`: the counts, and where to start a new one.
pub async fn counts(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let views = state
        .app
        .counts(&signed.caller, &PaperQuery::default())
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(&state, &signed, t).await?;
    let campaign = default_campaign(&choices.campaigns, "");
    let page = CountsPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Stock,
            "/stock/counts",
            t.t("stock_page.counts"),
        ),
        tabs: tabs(t, "/stock/counts"),
        notice: notice_of(raw.as_deref()),
        can_record: can_manage(&signed) && choices.keeps_any(),
        stations: station_options(&choices.stations, "", true),
        campaigns: campaign_options(&choices.campaigns, &campaign, true),
        rows: views.iter().map(|c| count_row(t, c)).collect(),
        t,
    };
    Ok(render(StatusCode::OK, &page, t))
}

#[derive(Template)]
#[template(path = "stock_count_form.html")]
struct CountForm {
    t: Tr,
    frame: Frame,
    input: CountInput,
    station_name: String,
    /// Each row with the book's quantity of its item (blank for the spare rows).
    rows: Vec<(GoodsRow, String)>,
    errors: FormErrors,
    others: Vec<String>,
}

async fn show_count_form(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    mut input: CountInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let choices = Choices::load(state, signed, t).await?;
    let query = StockQuery {
        campaign: Some(input.campaign.clone()),
        station: Some(input.station.clone()),
        item: None,
    };
    let held = state
        .app
        .stock(&signed.caller, &query)
        .await
        .map_err(fail(t))?;
    if input.lines.is_empty() {
        input.lines = held
            .iter()
            .map(|l| LineInput {
                item: l.item.clone(),
                quantity: String::new(),
            })
            .collect();
    }
    let book = |item: &str| {
        held.iter()
            .find(|h| h.item == item)
            .map_or_else(String::new, |h| h.quantity.to_string())
    };
    let rows = goods_rows(t, &choices.items, &input.lines)
        .into_iter()
        .map(|row| {
            let item = input.lines.get(row.index).map_or("", |l| l.item.as_str());
            let held = book(item);
            (row, held)
        })
        .collect();
    let station_name = choices
        .stations
        .iter()
        .find(|s| s.code.as_str() == input.station || s.code.prefix() == input.station)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let line_fields: Vec<String> = (0..input.lines.len().max(6))
        .flat_map(|i| [format!("lines[{i}].item"), format!("lines[{i}].quantity")])
        .collect();
    let mut shown = vec!["counted_on", "note", "lines"];
    shown.extend(line_fields.iter().map(String::as_str));
    let page = CountForm {
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/counts",
            t.t("stock_page.new_count"),
        )
        .with_crumb("/stock/counts".into(), t.t("stock_page.counts").into()),
        station_name,
        rows,
        others: errors.others(&shown),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/counts/new?campaign=…&station=…`: the station's items with their book
/// quantities, to fill with what was found.
pub async fn new_count(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let input = CountInput {
        campaign: value(&q, "campaign").to_owned(),
        station: value(&q, "station").to_owned(),
        counted_on: hearth_app::today().to_string(),
        ..CountInput::default()
    };
    show_count_form(
        &state,
        &signed,
        t,
        input,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /stock/counts`: records the count, pending.
pub async fn record_count(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let input = CountInput {
        campaign: f.get("campaign").to_owned(),
        station: f.get("station").to_owned(),
        counted_on: f.get("counted_on").to_owned(),
        note: f.get("note").to_owned(),
        lines: posted_lines(&f),
    };
    match state.app.record_count(&signed.caller, &input).await {
        Ok(_) => Ok(Redirect::to("/stock/counts?notice=recorded").into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_count_form(&state, &signed, t, input, errors, http).await
        }
    }
}

/// `POST /stock/counts/{id}/decision`: 复核.
pub async fn decide_count(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let (approve, reason) = decision(&body);
    let id = parse_id(&id, t)?;
    state
        .app
        .decide_count(&signed.caller, id, approve, &reason)
        .await
        .map_err(fail(t))?;
    let notice = if approve { "approved" } else { "rejected" };
    Ok(Redirect::to(&format!("/stock/counts?notice={notice}")).into_response())
}
