//! `/stock/cash-aid`: campaign money handed to households (现金发放) — the list, the two-step
//! form (choose the household, then the amount, whose money, who received and signed), and
//! each paper's page with its signature image and photos. Whose money may pay and how much the
//! funds hold is checked in `hearth-app`; a refusal comes back beside its field.

use super::distributions::{household_options, proxy};
use super::files::{self, Paper};
use super::{
    Choices, Tab, campaign_options, can_manage, default_campaign, fail, pairs, tabs, value,
};
use crate::AppState;
use crate::api::attachments::UPLOAD_BODY_LIMIT;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::options;
use crate::pages::{
    Fields, FormErrors, Frame, Pager, Section, form_errors, query_string, render, with_query,
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
use hearth_app::cash_aid::{CashAidQuery, CashAidView};
use hearth_app::distributions::HandoverChoices;
use hearth_core::delivery::{ProxyRelationship, RecipientKind};
use hearth_core::donation::cash_aid::CashAidInput;
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stock/cash-aid", get(list).post(record))
        .route("/stock/cash-aid/new", get(new_form))
        .route("/stock/cash-aid/{id}", get(detail))
        .route(
            "/stock/cash-aid/{id}/files",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

struct Row {
    href: String,
    number: String,
    village: String,
    head: String,
    amount: String,
    funds: String,
    recipient: String,
    signed_name: String,
    handler: String,
    date: String,
}

fn recipient(t: Tr, c: &CashAidView) -> String {
    match c.recipient {
        RecipientKind::Head => t.t(RecipientKind::Head.label_key()).to_owned(),
        RecipientKind::Proxy => proxy(t, &c.proxy_name, c.proxy_relationship),
    }
}

fn row(t: Tr, c: &CashAidView) -> Row {
    Row {
        href: format!("/stock/cash-aid/{}", c.id),
        number: c.number.clone(),
        village: format!("{} {}", c.town_name, c.village_name),
        head: c.head_name.clone(),
        amount: c.amount.yuan_string(),
        funds: crate::pages::donations::designation_text(t, &c.designation),
        recipient: recipient(t, c),
        signed_name: c.signed_name.clone(),
        handler: c.handler.clone(),
        date: c.given_on.to_string(),
    }
}

#[derive(Template)]
#[template(path = "cash_aid_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    tabs: Vec<Tab>,
    can_record: bool,
    campaigns: Vec<Opt>,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /stock/cash-aid[?campaign=…]`: cash aid in the caller's area, the latest first.
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
    let query = CashAidQuery {
        campaign: (!campaign.is_empty()).then(|| campaign.to_owned()),
        household: None,
    };
    let (views, total) = state
        .app
        .cash_aids(&signed.caller, &query, page)
        .await
        .map_err(fail(t))?;
    let choices = Choices::load(&state, &signed, t).await?;
    let params = [("campaign", campaign.to_owned())];
    let here = with_query("/stock/cash-aid", &query_string(&params));
    let view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Stock,
            &here,
            t.t("money_form.cash_aid"),
        ),
        tabs: tabs(t, "/stock/cash-aid"),
        can_record: can_manage(&signed),
        campaigns: campaign_options(&choices.campaigns, campaign, false),
        rows: views.iter().map(|c| row(t, c)).collect(),
        pager: Pager::new(t, "/stock/cash-aid", &params, total, page.number, page.size),
        t,
    };
    Ok(render(StatusCode::OK, &view, t))
}

#[derive(Template)]
#[template(path = "cash_aid_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    /// The list's address: step one asks `{base}/new`, step two posts to it.
    base: &'static str,
    households: Vec<Opt>,
    chosen: Option<HandoverChoices>,
    input: CashAidInput,
    campaigns: Vec<Opt>,
    needs: Vec<Opt>,
    recipients: Vec<Opt>,
    relationships: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
}

const SHOWN: [&str; 13] = [
    "campaign",
    "household",
    "amount",
    "donation",
    "need",
    "delivered_on",
    "recipient",
    "proxy_name",
    "proxy_relationship",
    "handler",
    "signed_name",
    "note",
    "pledge_line",
];

async fn show_form(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    input: CashAidInput,
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
    let page = FormPage {
        base: "/stock/cash-aid",
        frame: Frame::new(
            signed,
            t,
            Section::Stock,
            "/stock/cash-aid/new",
            t.t("money_form.new_cash_aid"),
        )
        .with_crumb("/stock/cash-aid".into(), t.t("money_form.cash_aid").into()),
        households,
        campaigns: campaign_options(&choices.campaigns, &input.campaign, true),
        needs: chosen
            .iter()
            .flat_map(|c| &c.cash_needs)
            .map(|n| Opt {
                value: n.id.to_string(),
                label: t.f(
                    "money_form.cash_need_option",
                    &[
                        ("number", n.number.clone()),
                        ("amount", n.amount.yuan_string()),
                    ],
                ),
                selected: n.id.to_string() == input.need.trim(),
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
        others: errors.others(&SHOWN),
        chosen,
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /stock/cash-aid/new[?household=…]`: choose the household, then fill the form with
/// today, the first running campaign and the caller as handler.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = pairs(raw.as_deref());
    let choices = Choices::load(&state, &signed, t).await?;
    let input = CashAidInput {
        campaign: default_campaign(&choices.campaigns, value(&q, "campaign")),
        household: value(&q, "household").to_owned(),
        handover: super::distributions::fresh_handover(&signed),
        ..CashAidInput::default()
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

/// `POST /stock/cash-aid`: 登记现金发放; on to the paper's page to attach the signature
/// image and photos.
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let get = |k: &str| f.get(k).to_owned();
    let input = CashAidInput {
        campaign: get("campaign"),
        household: get("household"),
        amount: get("amount"),
        donation: get("donation"),
        need: get("need"),
        pledge_line: String::new(),
        handover: super::distributions::posted_handover(&f),
    };
    match state.app.record_cash_aid(&signed.caller, &input).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/stock/cash-aid/{}?notice=recorded#files",
            done.id
        ))
        .into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_form(&state, &signed, t, input, errors, http).await
        }
    }
}

async fn show_paper(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    notice: Option<&'static str>,
    refused: Option<(Purpose, FormErrors)>,
) -> Result<Response, PageError> {
    let c = state
        .app
        .cash_aid(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let r = row(t, &c);
    let paper = Paper {
        owner: Owner::CashAid(id),
        path: format!("/stock/cash-aid/{id}"),
        section: Section::Stock,
        back: ("/stock/cash-aid".into(), t.t("money_form.cash_aid").into()),
        number: c.number.clone(),
        heading: format!("{} {}", t.t("money_form.cash_aid"), c.number),
        facts: vec![
            ("stock_page.campaign", c.campaign_code.clone()),
            ("roster.village", r.village),
            ("roster.head", r.head),
            ("money_form.amount", r.amount),
            ("money_form.funds", r.funds),
            ("stock_page.recipient", r.recipient),
            ("stock_page.signed_name", r.signed_name),
            ("roster.handler", r.handler),
            ("roster.date", r.date),
            ("money_form.entry", format!("#{}", c.entry_seq)),
            ("stock_page.note", c.note.clone()),
        ],
    };
    files::show((state, signed, t), paper, notice, refused).await
}

/// `GET /stock/cash-aid/{id}`: one paper, its signature image and photos.
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

/// `POST /stock/cash-aid/{id}/files?purpose=…&_csrf=…` (multipart), as for handovers.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = super::parse_id(&id, t)?;
    let paper = (Owner::CashAid(id), format!("/stock/cash-aid/{id}"));
    let show = |refused| show_paper(&state, &signed, t, id, None, refused);
    let page = (&state, &signed, t);
    files::upload(page, (paper.0, &paper.1), raw.as_deref(), multipart, show).await
}
