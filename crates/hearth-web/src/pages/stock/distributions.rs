//! `/stock/distributions`: handovers from a town station to households (集中发放) — the list,
//! the two-step form (choose the household, then what it receives and who signs), and the
//! distribution roster (发放签收表) as an A4 print view and an .xlsx file.

use super::files::{self, Paper};
use super::waybills::{GoodsRow, goods_rows, posted_lines};
use super::{
    Choices, Tab, campaign_options, can_manage, default_campaign, fail, pairs, station_options,
    tabs, value,
};
use crate::AppState;
use crate::api::attachments::UPLOAD_BODY_LIMIT;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::options;
use crate::pages::{
    Fields, FormErrors, Frame, Pager, Section, XLSX, download, form_errors, internal_error,
    query_string, render, with_query,
};
use crate::tr::Tr;
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::attachments::{Owner, Purpose};
use hearth_app::distributions::{
    DistributionQuery, DistributionView, HandedView, HandoverChoices, Roster, RosterQuery,
    RosterUse,
};
use hearth_app::households::HouseholdQuery;
use hearth_core::delivery::{DeliveryInput, ProxyRelationship, RecipientKind};
use hearth_core::stock::DistributionInput;
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stock/distributions", get(list).post(record))
        .route("/stock/distributions/new", get(new_form))
        .route("/stock/distributions/{id}", get(detail))
        .route(
            "/stock/distributions/{id}/files",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/stock/roster", get(roster_print))
        .route("/stock/roster.xlsx", get(roster_xlsx))
}

/// `棉被 2床、大米 1袋`.
fn goods(lines: &[HandedView]) -> String {
    lines
        .iter()
        .map(|l| format!("{} {}{}", l.item_name, l.quantity, l.unit))
        .collect::<Vec<_>>()
        .join("、")
}

pub(super) fn proxy(t: Tr, name: &str, relationship: Option<ProxyRelationship>) -> String {
    match relationship {
        Some(r) => format!("{name}（{}）", t.t(r.label_key())),
        None => String::new(),
    }
}

struct Row {
    href: String,
    number: String,
    village: String,
    head: String,
    goods: String,
    value: String,
    recipient: String,
    handler: String,
    signed_name: String,
    date: String,
}

fn row(t: Tr, d: &DistributionView) -> Row {
    Row {
        href: format!("/stock/distributions/{}", d.id),
        number: d.number.clone(),
        village: format!("{} {}", d.town_name, d.village_name),
        head: d.head_name.clone(),
        goods: goods(&d.lines),
        value: d.value.yuan_string(),
        recipient: match d.recipient {
            RecipientKind::Head => t.t(RecipientKind::Head.label_key()).to_owned(),
            RecipientKind::Proxy => proxy(t, &d.proxy_name, d.proxy_relationship),
        },
        handler: d.handler.clone(),
        signed_name: d.signed_name.clone(),
        date: d.distributed_on.to_string(),
    }
}

#[derive(Template)]
#[template(path = "stock_distributions.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    notice: bool,
    can_record: bool,
    campaigns: Vec<Opt>,
    towns: Vec<Opt>,
    campaign: String,
    from: String,
    to: String,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /stock/distributions`: the handovers, and the roster's filter.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let (campaign, from, to) = (value(&q, "campaign"), value(&q, "from"), value(&q, "to"));
    let given = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let page = PageRequest::new(
        value(&q, "page").parse().ok(),
        value(&q, "size").parse().ok(),
    );
    let query = DistributionQuery {
        campaign: given(campaign),
        from: given(from),
        to: given(to),
        ..DistributionQuery::default()
    };
    let (views, total) = state
        .app
        .distributions(&signed.caller, &query, page)
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(&state, &signed, t).await?;
    let params = [
        ("campaign", campaign.to_owned()),
        ("from", from.to_owned()),
        ("to", to.to_owned()),
    ];
    let here = with_query("/stock/distributions", &query_string(&params));
    let towns = choices
        .stations
        .iter()
        .filter(|s| !s.is_county)
        .map(|s| Opt {
            value: s.code.as_str().to_owned(),
            label: s.name.clone(),
            selected: false,
        })
        .collect();
    let page_view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Stock,
            &here,
            t.t("stock_page.distributions"),
        ),
        tabs: tabs(t, "/stock/distributions"),
        notice: value(&q, "notice") == "recorded",
        can_record: can_manage(&signed),
        campaigns: campaign_options(&choices.campaigns, campaign, false),
        towns,
        campaign: default_campaign(&choices.campaigns, campaign),
        from: from.to_owned(),
        to: to.to_owned(),
        rows: views.iter().map(|d| row(t, d)).collect(),
        pager: Pager::new(
            t,
            "/stock/distributions",
            &params,
            total,
            page.number,
            page.size,
        ),
        t,
    };
    Ok(render(StatusCode::OK, &page_view, t))
}

#[derive(Template)]
#[template(path = "stock_distribution_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    /// The list's address: step one asks `{base}/new`, step two posts to it.
    base: &'static str,
    /// Step one: the approved households to choose from.
    households: Vec<Opt>,
    /// Step two: the chosen household and what a handover may answer.
    chosen: Option<HandoverChoices>,
    input: DistributionInput,
    campaigns: Vec<Opt>,
    needs: Vec<Opt>,
    pledge_lines: Vec<Opt>,
    recipients: Vec<Opt>,
    relationships: Vec<Opt>,
    /// The stations the caller keeps (the county warehouse for the county); blank is the
    /// household's town station.
    stations: Vec<Opt>,
    rows: Vec<GoodsRow>,
    errors: FormErrors,
    others: Vec<String>,
}

const SHOWN: [&str; 13] = [
    "campaign",
    "household",
    "station",
    "need",
    "pledge_line",
    "lines",
    "delivered_on",
    "recipient",
    "proxy_name",
    "proxy_relationship",
    "handler",
    "signed_name",
    "note",
];

/// The approved households the caller may hand goods to.
pub(super) async fn household_options(
    state: &AppState,
    signed: &Signed,
    t: Tr,
) -> Result<Vec<Opt>, PageError> {
    let query = HouseholdQuery {
        status: Some("approved".into()),
        ..HouseholdQuery::default()
    };
    let (households, _) = state
        .app
        .households(&signed.caller, &query, PageRequest::all())
        .await
        .map_err(fail(t))?;
    Ok(households
        .into_iter()
        .map(|h| Opt {
            value: h.id.to_string(),
            label: format!("{} · {} {}", h.head_name, h.town_name, h.village_name),
            selected: false,
        })
        .collect())
}

async fn show_form(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    input: DistributionInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let choices = Choices::load(state, signed, t).await?;
    let chosen = match Uuid::parse_str(input.household.trim()) {
        Ok(id) => Some(
            state
                .app
                .handover_choices(&signed.caller, id)
                .await
                .map_err(fail(t))?,
        ),
        Err(_) => None,
    };
    let households = match chosen {
        Some(_) => Vec::new(),
        None => household_options(state, signed, t).await?,
    };
    let line_fields: Vec<String> = (0..input.lines.len().max(6))
        .flat_map(|i| [format!("lines[{i}].item"), format!("lines[{i}].quantity")])
        .collect();
    let mut shown: Vec<&str> = SHOWN.to_vec();
    shown.extend(line_fields.iter().map(String::as_str));
    let pick = |id: Uuid, chosen: &str| id.to_string() == chosen.trim();
    let page = FormPage {
        base: "/stock/distributions",
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/distributions/new",
            t.t("stock_page.new_distribution"),
        )
        .with_crumb(
            "/stock/distributions".into(),
            t.t("stock_page.distributions").into(),
        ),
        households,
        campaigns: campaign_options(&choices.campaigns, &input.campaign, true),
        needs: chosen
            .iter()
            .flat_map(|c| &c.needs)
            .map(|n| Opt {
                value: n.id.to_string(),
                label: format!("{} · {} {}{}", n.number, n.item_name, n.quantity, n.unit),
                selected: pick(n.id, &input.need),
            })
            .collect(),
        pledge_lines: chosen
            .iter()
            .flat_map(|c| &c.pledge_lines)
            .map(|l| Opt {
                value: l.id.to_string(),
                label: t.f(
                    "stock_page.pledge_line_option",
                    &[
                        ("number", l.pledge_number.clone()),
                        ("item", l.item_name.clone()),
                        ("remaining", format!("{}{}", l.remaining, l.unit)),
                    ],
                ),
                selected: pick(l.id, &input.pledge_line),
            })
            .collect(),
        recipients: options(
            t,
            RecipientKind::ALL,
            &input.handover.recipient,
            RecipientKind::as_str,
            RecipientKind::label_key,
        ),
        relationships: options(
            t,
            ProxyRelationship::ALL,
            &input.handover.proxy_relationship,
            ProxyRelationship::as_str,
            ProxyRelationship::label_key,
        ),
        stations: station_options(&choices.stations, &input.station, true),
        rows: goods_rows(t, &choices.items, &input.lines),
        others: errors.others(&shown),
        chosen,
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/distributions/new[?household=…]`: choose the household, then fill the form with
/// today, the first running campaign and the caller as handler.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let choices = Choices::load(&state, &signed, t).await?;
    let input = DistributionInput {
        campaign: default_campaign(&choices.campaigns, value(&q, "campaign")),
        household: value(&q, "household").to_owned(),
        handover: fresh_handover(&signed),
        ..DistributionInput::default()
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

/// A new handover or cash aid form's person fields: today, by the caller's hand.
pub(super) fn fresh_handover(signed: &Signed) -> DeliveryInput {
    DeliveryInput {
        delivered_on: hearth_app::today().to_string(),
        handler: signed.caller.user.display_name.clone(),
        ..DeliveryInput::default()
    }
}

/// The person fields of a posted handover or cash aid form.
pub(super) fn posted_handover(f: &Fields) -> DeliveryInput {
    let get = |k: &str| f.get(k).to_owned();
    DeliveryInput {
        delivered_on: get("delivered_on"),
        recipient: get("recipient"),
        proxy_name: get("proxy_name"),
        proxy_relationship: get("proxy_relationship"),
        handler: get("handler"),
        signed_name: get("signed_name"),
        note: get("note"),
        ..DeliveryInput::default()
    }
}

/// `POST /stock/distributions`: 登记发放; back to the list on success.
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let get = |k: &str| f.get(k).to_owned();
    let input = DistributionInput {
        campaign: get("campaign"),
        household: get("household"),
        need: get("need"),
        pledge_line: get("pledge_line"),
        station: get("station"),
        lines: posted_lines(&f),
        handover: posted_handover(&f),
    };
    match state.app.record_distribution(&signed.caller, &input).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/stock/distributions/{}?notice=recorded#files",
            done.id
        ))
        .into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = value_beside_goods(form_errors(t, e)?);
            show_form(&state, &signed, t, input, errors, http).await
        }
    }
}

/// The ledger refuses the goods' value (what a designation holds) on `amount`, which this form
/// has not: the refusal is about the goods, so it is shown beside them.
fn value_beside_goods(errors: FormErrors) -> FormErrors {
    let moved = match errors.pairs().collect::<Vec<_>>().as_slice() {
        [("amount", message)] => Some(FormErrors::one("lines", (*message).to_owned())),
        _ => None,
    };
    moved.unwrap_or(errors)
}

/// The handover's page with its signature image and photos; `refused` is a refused upload.
async fn show_paper(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    notice: Option<&'static str>,
    refused: Option<(Purpose, FormErrors)>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .distribution(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let r = row(t, &d);
    let paper = Paper {
        owner: Owner::Distribution(id),
        path: format!("/stock/distributions/{id}"),
        section: Section::Stock,
        back: (
            "/stock/distributions".into(),
            t.t("stock_page.distributions").into(),
        ),
        number: d.number.clone(),
        heading: format!("{} {}", t.t("money_form.handover"), d.number),
        facts: vec![
            ("stock_page.campaign", d.campaign_code.clone()),
            ("roster.village", r.village),
            ("roster.head", r.head),
            ("money_form.station", d.station_name.clone()),
            ("roster.items", r.goods),
            ("roster.amount", r.value),
            ("stock_page.recipient", r.recipient),
            ("stock_page.signed_name", r.signed_name),
            ("roster.handler", r.handler),
            ("roster.date", r.date),
            ("stock_page.note", d.note.clone()),
        ],
    };
    files::show((state, signed, t), paper, notice, refused).await
}

/// `GET /stock/distributions/{id}`: one handover, its signature image and photos.
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = super::parse_id(&id, t)?;
    let notice = files::notice(raw.as_deref());
    show_paper(&state, &signed, t, id, notice, None).await
}

/// `POST /stock/distributions/{id}/files?purpose=…&_csrf=…` (multipart): the signature image
/// or a photo; refused, the page again (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = super::parse_id(&id, t)?;
    let paper = (
        Owner::Distribution(id),
        format!("/stock/distributions/{id}"),
    );
    let show = |refused| show_paper(&state, &signed, t, id, None, refused);
    let page = (&state, &signed, t);
    files::upload(page, (paper.0, &paper.1), raw.as_deref(), multipart, show).await
}

fn roster_query(raw: Option<&str>) -> RosterQuery {
    let q = pairs(raw);
    RosterQuery {
        campaign: value(&q, "campaign").to_owned(),
        town: value(&q, "town").to_owned(),
        from: value(&q, "from").to_owned(),
        to: value(&q, "to").to_owned(),
    }
}

/// The roster's heading: `上派镇 2024年暖冬行动（演示） 发放签收表`, and the batch's days.
fn title(t: Tr, roster: &Roster) -> (String, String) {
    let title = format!(
        "{} {} {}",
        roster.town_name,
        roster.campaign_name,
        t.t("roster.title")
    );
    let days = match (roster.from, roster.to) {
        (None, None) => String::new(),
        (from, to) => t.f(
            "stock_page.roster_days",
            &[
                ("from", from.map(|d| d.to_string()).unwrap_or_default()),
                ("to", to.map(|d| d.to_string()).unwrap_or_default()),
            ],
        ),
    };
    (title, days)
}

struct PaperRow {
    village: String,
    head: String,
    address: String,
    id_number: String,
    phone: String,
    goods: String,
    amount: String,
    cash: String,
    proxy: String,
    date: String,
    handler: String,
}

/// Yuan, or blank for nothing: a goods line has no cash and a cash line no goods.
fn yuan_or_blank(amount: hearth_core::Fen) -> String {
    if amount == hearth_core::Fen::ZERO {
        String::new()
    } else {
        amount.yuan_string()
    }
}

fn paper_rows(t: Tr, roster: &Roster) -> Vec<PaperRow> {
    roster
        .rows
        .iter()
        .map(|r| PaperRow {
            village: r.village_name.clone(),
            head: r.head_name.clone(),
            address: r.address.clone(),
            id_number: r.id_number.clone(),
            phone: r.phone.clone(),
            goods: goods(&r.lines),
            amount: yuan_or_blank(r.value),
            cash: yuan_or_blank(r.cash),
            proxy: proxy(t, &r.proxy_name, r.proxy_relationship),
            date: r.distributed_on.to_string(),
            handler: r.handler.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    t: Tr,
    title: String,
    days: String,
    number_line: String,
    rows: Vec<PaperRow>,
    households: String,
    goods: String,
    amount: String,
    cash: String,
    xlsx: String,
}

/// `GET /stock/roster?campaign=…&town=…&from=…&to=…`: the roster on A4 (landscape).
pub async fn roster_print(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = roster_query(raw.as_deref());
    let roster = state
        .app
        .roster(&signed.caller, &query, RosterUse::Print)
        .await
        .map_err(fail(t))?;
    let (title, days) = title(t, &roster);
    let params = [
        ("campaign", query.campaign.clone()),
        ("town", query.town.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
    ];
    let page = RosterPage {
        number_line: t.f(
            "stock_page.roster_line",
            &[
                ("campaign", roster.campaign_code.clone()),
                ("town", roster.town_name.clone()),
            ],
        ),
        rows: paper_rows(t, &roster),
        households: t.f(
            "roster.households",
            &[("count", roster.households.to_string())],
        ),
        goods: goods(&roster.totals),
        amount: roster.value.yuan_string(),
        cash: roster.cash.yuan_string(),
        xlsx: with_query("/stock/roster.xlsx", &query_string(&params)),
        title,
        days,
        t,
    };
    Ok(render(StatusCode::OK, &page, t))
}

/// `GET /stock/roster.xlsx?…`: the same roster as a spreadsheet.
pub async fn roster_xlsx(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = roster_query(raw.as_deref());
    let roster = state
        .app
        .roster(&signed.caller, &query, RosterUse::Export)
        .await
        .map_err(fail(t))?;
    let (title, _) = title(t, &roster);
    let sheet = hearth_office::roster::RosterSheet {
        title: title.clone(),
        rows: paper_rows(t, &roster)
            .into_iter()
            .map(|r| hearth_office::roster::RosterRow {
                village: r.village,
                head: r.head,
                address: r.address,
                id_number: r.id_number,
                phone: r.phone,
                items: r.goods,
                amount: r.amount,
                cash: r.cash,
                proxy: r.proxy,
                date: r.date,
                handler: r.handler,
            })
            .collect(),
        households: roster.households,
        items: goods(&roster.totals),
        amount: roster.value.yuan_string(),
        cash: roster.cash.yuan_string(),
    };
    match hearth_office::roster::export(t.0, &sheet) {
        Ok(bytes) => Ok(download(
            XLSX,
            "roster.xlsx",
            &format!("{title}.xlsx"),
            bytes,
        )),
        Err(e) => {
            tracing::error!(error = %e, "roster export failed");
            Ok(internal_error(t))
        }
    }
}
