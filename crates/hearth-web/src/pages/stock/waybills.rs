//! `/stock/waybills`: waybills (调拨单) — the list, the dispatch form, the waybill's page with
//! the receipt form for the destination, and its A4 print view.

use super::{
    Choices, Tab, campaign_options, can_manage, default_campaign, fail, pairs, parse_id,
    station_options, tabs, value,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::export::{Column, Format, List, txt, yuan};
use crate::pages::households::Opt;
use crate::pages::needs::{item_options, options};
use crate::pages::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, local_time, query_string, render,
    with_query,
};
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::waybills::{WaybillQuery, WaybillView};
use hearth_core::ledger::{AdjustmentCause, WaybillStatus};
use hearth_core::stock::{LineInput, ReceiptInput, ReceivedInput, WaybillInput};
use hearth_store::organizations::PageRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stock/waybills", get(list).post(dispatch))
        .route("/stock/waybills/new", get(new_form))
        .route("/stock/waybills/export.xlsx", get(export))
        .route("/stock/waybills/export.csv", get(export))
        .route("/stock/waybills/{id}", get(detail))
        .route("/stock/waybills/{id}/receipt", post(receive))
        .route("/stock/waybills/{id}/print", get(print))
}

/// Rows of goods a form offers: the lines typed, then blank rows up to this many.
const FORM_ROWS: usize = 6;

fn status_class(status: WaybillStatus) -> &'static str {
    match status {
        WaybillStatus::Dispatched => "tag-warning",
        WaybillStatus::Received => "tag-success",
    }
}

/// A waybill as a row of the list and the head of its page.
pub(crate) struct WaybillRow {
    pub id: String,
    pub number: String,
    pub campaign: String,
    pub from: String,
    pub to: String,
    pub goods: String,
    pub value: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub dispatched_on: String,
    pub dispatched_by: String,
    pub received_on: String,
    pub received_by: String,
    pub dispatch_note: String,
    pub receipt_note: String,
    pub can_receive: bool,
}

fn row(t: Tr, w: &WaybillView) -> WaybillRow {
    WaybillRow {
        id: w.id.to_string(),
        number: w.number.clone(),
        campaign: w.campaign_code.clone(),
        from: w.from_name.clone(),
        to: w.to_name.clone(),
        goods: w
            .lines
            .iter()
            .map(|l| format!("{} {}{}", l.item_name, l.quantity, l.unit))
            .collect::<Vec<_>>()
            .join("、"),
        value: w.value.yuan_string(),
        status: t.t(w.status.label_key()),
        status_class: status_class(w.status),
        dispatched_on: w.dispatched_on.to_string(),
        dispatched_by: w.dispatched_by.clone(),
        received_on: w.received_on.map(|d| d.to_string()).unwrap_or_default(),
        received_by: w.received_by.clone(),
        dispatch_note: w.dispatch_note.clone(),
        receipt_note: w.receipt_note.clone(),
        can_receive: w.can_receive,
    }
}

#[derive(Template)]
#[template(path = "waybill_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    notice: bool,
    can_dispatch: bool,
    statuses: Vec<Opt>,
    rows: Vec<WaybillRow>,
    pager: Pager,
}

/// `GET /stock/waybills`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let status = value(&q, "status");
    let page = PageRequest::new(
        value(&q, "page").parse().ok(),
        value(&q, "size").parse().ok(),
    );
    let query = WaybillQuery {
        campaign: None,
        status: (!status.is_empty()).then(|| status.to_owned()),
    };
    let (views, total) = state
        .app
        .waybills(&signed.caller, &query, page)
        .await
        .map_err(fail(t))?;
    let params = [("status", status.to_owned())];
    let here = with_query("/stock/waybills", &query_string(&params));
    let page_view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Stock,
            &here,
            t.t("stock_page.waybills"),
        ),
        tabs: tabs(t, "/stock/waybills"),
        notice: value(&q, "notice") == "dispatched",
        can_dispatch: can_manage(&signed),
        statuses: options(
            t,
            WaybillStatus::ALL,
            status,
            WaybillStatus::as_str,
            WaybillStatus::label_key,
        ),
        rows: views.iter().map(|w| row(t, w)).collect(),
        pager: Pager::new(t, "/stock/waybills", &params, total, page.number, page.size),
        t,
    };
    Ok(render(StatusCode::OK, &page_view, t))
}

const COLUMNS: [Column<WaybillRow>; 9] = [
    Column {
        header: "stock_page.waybill_number",
        cell: |r| txt(&r.number),
    },
    Column {
        header: "stock_page.campaign",
        cell: |r| txt(&r.campaign),
    },
    Column {
        header: "stock_page.from",
        cell: |r| txt(&r.from),
    },
    Column {
        header: "stock_page.to",
        cell: |r| txt(&r.to),
    },
    Column {
        header: "stock_page.goods",
        cell: |r| txt(&r.goods),
    },
    Column {
        header: "stock_page.value",
        cell: |r| yuan(&r.value),
    },
    Column {
        header: "stock_page.dispatched_on",
        cell: |r| txt(&r.dispatched_on),
    },
    Column {
        header: "stock_page.status",
        cell: |r| txt(r.status),
    },
    Column {
        header: "stock_page.received_on",
        cell: |r| txt(&r.received_on),
    },
];

/// `GET /stock/waybills/export.xlsx|csv`: the waybills under the same filter, every page.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let status = value(&q, "status");
    let query = WaybillQuery {
        campaign: None,
        status: (!status.is_empty()).then(|| status.to_owned()),
    };
    let (views, _) = state
        .app
        .waybills(&signed.caller, &query, PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<WaybillRow> = views.iter().map(|w| row(t, w)).collect();
    let list = List {
        name: "waybills",
        title: t.t("stock_page.waybills"),
        filter: &[("status", status.to_owned())],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// One row of goods on a form, as typed.
pub(crate) struct GoodsRow {
    pub index: usize,
    pub items: Vec<Opt>,
    pub quantity: String,
    /// The fields refusals name for this row.
    pub item_field: String,
    pub quantity_field: String,
}

/// The form's goods rows: those typed, then blank ones up to [`FORM_ROWS`].
pub(crate) fn goods_rows(
    t: Tr,
    items: &[hearth_core::need::Item],
    lines: &[LineInput],
) -> Vec<GoodsRow> {
    let blank = LineInput::default();
    (0..FORM_ROWS.max(lines.len()))
        .map(|index| {
            let line = lines.get(index).unwrap_or(&blank);
            GoodsRow {
                index,
                items: item_options(t, items, &line.item),
                quantity: line.quantity.clone(),
                item_field: format!("lines[{index}].item"),
                quantity_field: format!("lines[{index}].quantity"),
            }
        })
        .collect()
}

/// Whether a posted form carries the field at all (blank or not).
pub(crate) fn present(fields: &Fields, name: &str) -> bool {
    !fields.all(name).is_empty()
}

/// The goods rows of a posted form (`item_0`, `quantity_0` …).
pub(crate) fn posted_lines(fields: &Fields) -> Vec<LineInput> {
    (0..FORM_ROWS * 4)
        .map_while(|i| {
            let item = fields.get(&format!("item_{i}"));
            let quantity = fields.get(&format!("quantity_{i}"));
            present(fields, &format!("item_{i}")).then(|| LineInput {
                item: item.to_owned(),
                quantity: quantity.to_owned(),
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "waybill_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    input: WaybillInput,
    campaigns: Vec<Opt>,
    from: Vec<Opt>,
    to: Vec<Opt>,
    rows: Vec<GoodsRow>,
    errors: FormErrors,
    others: Vec<String>,
}

const SHOWN: [&str; 5] = ["campaign", "from", "to", "dispatched_on", "note"];

async fn show_form(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    input: WaybillInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let choices = Choices::load(state, signed, t).await?;
    let line_fields: Vec<String> = (0..FORM_ROWS * 4)
        .flat_map(|i| [format!("lines[{i}].item"), format!("lines[{i}].quantity")])
        .collect();
    let mut shown: Vec<&str> = SHOWN.to_vec();
    shown.extend(line_fields.iter().map(String::as_str));
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/waybills/new",
            t.t("stock_page.new_waybill"),
        )
        .with_crumb("/stock/waybills".into(), t.t("stock_page.waybills").into()),
        campaigns: campaign_options(&choices.campaigns, &input.campaign, true),
        from: station_options(&choices.stations, &input.from, true),
        to: station_options(&choices.stations, &input.to, false),
        rows: goods_rows(t, &choices.items, &input.lines),
        others: errors.others(&shown),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/waybills/new`: today, the first running campaign, the caller's own station.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let choices = Choices::load(&state, &signed, t).await?;
    let input = WaybillInput {
        campaign: default_campaign(&choices.campaigns, ""),
        from: signed
            .caller
            .user
            .area_code
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        dispatched_on: hearth_app::today().to_string(),
        ..WaybillInput::default()
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

/// `POST /stock/waybills`: 发出; to the new waybill's page on success.
pub async fn dispatch(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let input = WaybillInput {
        campaign: f.get("campaign").to_owned(),
        from: f.get("from").to_owned(),
        to: f.get("to").to_owned(),
        dispatched_on: f.get("dispatched_on").to_owned(),
        note: f.get("note").to_owned(),
        lines: posted_lines(&f),
    };
    match state.app.dispatch_waybill(&signed.caller, &input).await {
        Ok(view) => Ok(
            Redirect::to(&format!("/stock/waybills/{}?notice=dispatched", view.id)).into_response(),
        ),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_form(&state, &signed, t, input, errors, http).await
        }
    }
}

/// One line of the waybill's page, with the receipt inputs when it can be received.
struct LineRow {
    index: usize,
    item: String,
    name: String,
    quantity: i64,
    value: String,
    received: String,
    short: i64,
    cause: String,
    note: String,
    causes: Vec<Opt>,
    /// The fields refusals name for this line.
    fields: [String; 3],
}

#[derive(Template)]
#[template(path = "waybill_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    notice: &'static str,
    waybill: WaybillRow,
    lines: Vec<LineRow>,
    received_on: String,
    receipt_note: String,
    errors: FormErrors,
    others: Vec<String>,
}

fn line_rows(t: Tr, w: &WaybillView, typed: Option<&ReceiptInput>) -> Vec<LineRow> {
    w.lines
        .iter()
        .enumerate()
        .map(|(index, l)| {
            let input = typed.and_then(|r| r.lines.get(index));
            let cause = input.map_or_else(
                || l.cause.map(|c| c.as_str().to_owned()).unwrap_or_default(),
                |i| i.cause.clone(),
            );
            LineRow {
                index,
                item: l.item.clone(),
                name: format!("{}（{}）", l.item_name, l.unit),
                quantity: l.quantity,
                value: l.value.yuan_string(),
                received: input.map_or_else(
                    || l.received.unwrap_or(l.quantity).to_string(),
                    |i| i.received.clone(),
                ),
                short: l.short,
                causes: options(
                    t,
                    AdjustmentCause::ALL,
                    &cause,
                    AdjustmentCause::as_str,
                    AdjustmentCause::label_key,
                ),
                cause: l
                    .cause
                    .map(|c| t.t(c.label_key()).to_owned())
                    .unwrap_or_default(),
                note: input.map_or_else(|| l.note.clone(), |i| i.note.clone()),
                fields: ["received", "cause", "note"].map(|f| format!("lines[{index}].{f}")),
            }
        })
        .collect()
}

async fn show_detail(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: &str,
    (notice, typed, errors, http): (&'static str, Option<ReceiptInput>, FormErrors, StatusCode),
) -> Result<Response, PageError> {
    let view = state
        .app
        .waybill(&signed.caller, parse_id(id, t)?)
        .await
        .map_err(fail(t))?;
    let shown: Vec<String> = (0..view.lines.len())
        .flat_map(|i| ["received", "cause", "note"].map(|f| format!("lines[{i}].{f}")))
        .chain(["received_on".to_owned(), "note".to_owned()])
        .collect();
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let here = format!("/stock/waybills/{}", view.id);
    let page = DetailPage {
        frame: Frame::new(signed, t, Section::Stock, &here, view.number.clone())
            .with_crumb("/stock/waybills".into(), t.t("stock_page.waybills").into()),
        notice,
        lines: line_rows(t, &view, typed.as_ref()),
        received_on: typed.as_ref().map_or_else(
            || hearth_app::today().to_string(),
            |r| r.received_on.clone(),
        ),
        receipt_note: typed.map(|r| r.note).unwrap_or_default(),
        others: errors.others(&shown),
        errors,
        waybill: row(t, &view),
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/waybills/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let notice = match value(&pairs(raw.as_deref()), "notice") {
        "dispatched" => "stock_page.notice_dispatched",
        "received" => "stock_page.notice_received",
        _ => "",
    };
    let shown = (notice, None, FormErrors::default(), StatusCode::OK);
    show_detail(&state, &signed, t, &id, shown).await
}

/// `POST /stock/waybills/{id}/receipt`: 签收, each line in the waybill's order.
pub async fn receive(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let lines = (0..FORM_ROWS * 4)
        .map_while(|i| {
            present(&f, &format!("item_{i}")).then(|| ReceivedInput {
                item: f.get(&format!("item_{i}")).to_owned(),
                received: f.get(&format!("received_{i}")).to_owned(),
                cause: f.get(&format!("cause_{i}")).to_owned(),
                note: f.get(&format!("note_{i}")).to_owned(),
            })
        })
        .collect();
    let input = ReceiptInput {
        received_on: f.get("received_on").to_owned(),
        note: f.get("note").to_owned(),
        lines,
    };
    let waybill = parse_id(&id, t)?;
    match state
        .app
        .receive_waybill(&signed.caller, waybill, &input)
        .await
    {
        Ok(view) => Ok(
            Redirect::to(&format!("/stock/waybills/{}?notice=received", view.id)).into_response(),
        ),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_detail(&state, &signed, t, &id, ("", Some(input), errors, http)).await
        }
    }
}

#[derive(Template)]
#[template(path = "waybill_print.html")]
struct PrintPage {
    t: Tr,
    waybill: WaybillRow,
    lines: Vec<LineRow>,
    total_quantity: i64,
    printed_at: String,
}

/// `GET /stock/waybills/{id}/print`: the waybill on A4 with the signing blocks.
pub async fn print(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let view = state
        .app
        .waybill(&signed.caller, parse_id(&id, t)?)
        .await
        .map_err(fail(t))?;
    let page = PrintPage {
        lines: line_rows(t, &view, None),
        total_quantity: view.lines.iter().map(|l| l.quantity).sum(),
        printed_at: local_time(t, hearth_store::now()),
        waybill: row(t, &view),
        t,
    };
    Ok(render(StatusCode::OK, &page, t))
}
