//! `/purchases`: goods bought from campaign funds (采购). The list in the caller's scope, the
//! county's form (supplier, invoice, day, receiving station, whose funds, up to five lines) with
//! the ledger's refusal shown when the designation's cash does not cover it, and one purchase.

use super::form::{FORM_LINES, campaigns_and_stations, options};
use super::{designation_text, fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::export::{Column, Format, List, txt, yuan};
use crate::pages::households::Opt;
use crate::pages::needs::item_options;
use crate::pages::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, ok, query_string, render, with_query,
};
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::purchases::PurchaseView;
use hearth_core::donation::DesignationKind;
use hearth_core::need::Item;
use hearth_core::permission::Permission;
use hearth_core::purchase::{PurchaseInput, PurchaseLineInput};
use hearth_store::organizations::PageRequest;

#[derive(Debug, Default)]
struct Query {
    q: String,
    page: Option<u64>,
    size: Option<u64>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let mut q = Query::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "q" => q.q = value,
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                _ => {}
            }
        }
        q
    }
}

struct Row {
    id: String,
    number: String,
    purchased_on: String,
    supplier: String,
    invoice_number: String,
    station: String,
    designation: String,
    amount: String,
}

fn row(t: Tr, p: &PurchaseView) -> Row {
    Row {
        id: p.id.to_string(),
        number: p.number.clone(),
        purchased_on: p.purchased_on.to_string(),
        supplier: p.supplier.clone(),
        invoice_number: p.invoice_number.clone(),
        station: p.station_name.clone(),
        designation: designation_text(t, &p.designation),
        amount: p.amount.yuan_string(),
    }
}

const COLUMNS: [Column<Row>; 7] = [
    Column {
        header: "purchase_page.number",
        cell: |r| txt(&r.number),
    },
    Column {
        header: "purchase_page.purchased_on",
        cell: |r| txt(&r.purchased_on),
    },
    Column {
        header: "purchase_page.supplier",
        cell: |r| txt(&r.supplier),
    },
    Column {
        header: "purchase_page.invoice_number",
        cell: |r| txt(&r.invoice_number),
    },
    Column {
        header: "donation_page.station",
        cell: |r| txt(&r.station),
    },
    Column {
        header: "purchase_page.funds",
        cell: |r| txt(&r.designation),
    },
    Column {
        header: "purchase_page.amount",
        cell: |r| yuan(&r.amount),
    },
];

/// `GET /purchases/export.xlsx|csv`: the list under the same filters, every page.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let found = state
        .app
        .purchases(&signed.caller, &q.q, PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<Row> = found.rows.iter().map(|p| row(t, p)).collect();
    let list = List {
        name: "purchases",
        title: t.t("purchase_page.title"),
        filter: &[("q", q.q.clone())],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

#[derive(Template)]
#[template(path = "purchase_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    can_record: bool,
    q: Query,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /purchases`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let caller = &signed.caller;
    let page = PageRequest::new(q.page, q.size);
    let found = state
        .app
        .purchases(caller, &q.q, page)
        .await
        .map_err(fail(t))?;
    let params = vec![("q", q.q.clone())];
    let here = with_query("/purchases", &query_string(&params));
    let rows = found.rows.iter().map(|p| row(t, p)).collect();
    let view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Purchases,
            &here,
            t.t("purchase_page.title"),
        ),
        can_record: caller.can(Permission::RecordPurchases),
        rows,
        pager: Pager::new(
            t,
            "/purchases",
            &params,
            found.total,
            page.number,
            page.size,
        ),
        q,
        t,
    };
    Ok(ok(&view, t))
}

/// The form as typed.
fn typed(fields: &Fields) -> PurchaseInput {
    let get = |k: &str| fields.get(k).trim().to_owned();
    PurchaseInput {
        campaign: get("campaign"),
        supplier: get("supplier"),
        invoice_number: get("invoice_number"),
        purchased_on: get("purchased_on"),
        station: get("station"),
        designation: get("designation"),
        designated_to: get("designated_to"),
        lines: (0..FORM_LINES)
            .map(|i| PurchaseLineInput {
                item: get(&format!("lines.{i}.item")),
                quantity: get(&format!("lines.{i}.quantity")),
                unit_price: get(&format!("lines.{i}.unit_price")),
            })
            .collect(),
        note: get("note"),
    }
}

struct LineForm {
    index: usize,
    items: Vec<Opt>,
    quantity: String,
    unit_price: String,
    error: String,
}

fn line_forms(t: Tr, typed: &PurchaseInput, errors: &FormErrors, items: &[Item]) -> Vec<LineForm> {
    (0..FORM_LINES)
        .map(|i| {
            let line = typed.lines.get(i).cloned().unwrap_or_default();
            let prefix = format!("lines.{i}.");
            LineForm {
                index: i,
                items: item_options(t, items, &line.item),
                quantity: line.quantity,
                unit_price: line.unit_price,
                error: errors
                    .pairs()
                    .filter(|(f, _)| f.starts_with(&prefix))
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join("；"),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "purchase_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    typed: PurchaseInput,
    errors: FormErrors,
    others: Vec<String>,
    campaigns: Vec<Opt>,
    stations: Vec<Opt>,
    designations: Vec<Opt>,
    lines: Vec<LineForm>,
}

const SHOWN: [&str; 9] = [
    "campaign",
    "supplier",
    "invoice_number",
    "purchased_on",
    "station",
    "designation",
    "designated_to",
    "lines",
    "note",
];

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    mut typed: PurchaseInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller
        .require(Permission::RecordPurchases)
        .map_err(fail(t))?;
    if typed.purchased_on.is_empty() {
        typed.purchased_on = hearth_app::today().to_string();
    }
    let (campaigns, stations) =
        campaigns_and_stations(state, caller, t, &typed.campaign, &typed.station).await?;
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let funds: Vec<_> = [
        DesignationKind::Campaign,
        DesignationKind::Town,
        DesignationKind::Pledge,
    ]
    .iter()
    .map(|d| (d.as_str(), d.label_key()))
    .collect();
    let chosen = if typed.designation.is_empty() {
        "campaign"
    } else {
        typed.designation.as_str()
    };
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Purchases,
            "/purchases/new",
            t.t("purchase_page.new"),
        ),
        others: errors.others(&SHOWN),
        campaigns,
        stations,
        designations: options(t, &funds, chosen),
        lines: line_forms(t, &typed, &errors, &items),
        typed,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /purchases/new`.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    show(
        &state,
        &signed,
        t,
        PurchaseInput::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /purchases`: records the purchase, then shows it; the ledger's refusal (not enough
/// cash under the designation, or funds that may not pay for that station) is shown on the form.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let typed = typed(&Fields::parse(&body));
    match state.app.record_purchase(&signed.caller, &typed).await {
        Ok(p) => Ok(Redirect::to(&format!("/purchases/{}?notice=recorded", p.id)).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show(&state, &signed, t, typed, errors, http).await
        }
    }
}

struct LineRow {
    item: String,
    quantity: String,
    unit_price: String,
    value: String,
}

#[derive(Template)]
#[template(path = "purchase_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    p: PurchaseView,
    notice: Option<&'static str>,
    designation: String,
    lines: Vec<LineRow>,
    /// Whether the caller may reverse it (finance officers, while it stands).
    can_correct: bool,
}

/// `GET /purchases/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let p = state
        .app
        .purchase(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let notice = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .iter()
        .find(|(k, _)| k == "notice")
        .and_then(|(_, v)| match v.as_str() {
            "recorded" => Some("purchase_page.recorded"),
            "corrected" => Some("money_form.notice_corrected"),
            _ => None,
        });
    let lines = p
        .lines
        .iter()
        .map(|l| LineRow {
            item: if t.is_en() {
                l.item_name_en.clone()
            } else {
                l.item_name.clone()
            },
            quantity: format!("{}{}", l.quantity, l.unit),
            unit_price: l.unit_price.yuan_string(),
            value: l.value.yuan_string(),
        })
        .collect();
    let page = DetailPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Purchases,
            &format!("/purchases/{id}"),
            p.number.clone(),
        ),
        notice,
        designation: designation_text(t, &p.designation),
        lines,
        can_correct: signed.caller.can(Permission::RecordPurchases) && p.correction.is_none(),
        p,
        t,
    };
    Ok(ok(&page, t))
}
