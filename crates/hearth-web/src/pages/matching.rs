//! `/matching` and `/campaigns/{id}/matching`: the county's precise matching (精准匹配) of a
//! running campaign — per household and per need, who is proposed to give what and why, or why
//! not (the town, and the nearest surplus elsewhere), [`PAGE_SIZE`] needs a page; a form to
//! drop lines, change their quantity or supplier, add a supplier to a need (to split it, or to
//! give an unmet need by hand) and accept the rest; the waybill drafts accepted earlier; and the
//! what-if of a budget (`?budget=`, prices `price.<item>=` in yuan). County administrators only.

use super::{Fields, Frame, Pager, Section, form_errors, query_string, render, with_query};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{PageError, status_of};
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_app::matching::{
    AcceptInput, AcceptLine, CandidateView, Category, MatchingView, NeedMatchView, PlanView,
    ServedView, SupplierKind, Tier, UnmetView, WhatIfView,
};
use hearth_core::Fen;
use hearth_core::campaign::CampaignStatus;
use hearth_core::role::Role;
use hearth_store::organizations::PageRequest;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Needs a page shows unless `size=` asks for another of [`PageRequest::SIZES`]: a proposal
/// may hold thousands, and each need carries a form line per supplier.
const PAGE_SIZE: u64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matching", get(first_running))
        .route("/campaigns/{id}/matching", get(page))
        .route("/campaigns/{id}/matching/accept", post(accept))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn county_only(signed: &Signed, t: Tr) -> Result<(), PageError> {
    if signed.caller.user.role == Role::CountyAdmin {
        Ok(())
    } else {
        Err(PageError::new(AppError::Forbidden, t))
    }
}

/// One line the form may keep: a need's units from one supplier (the reviewer may choose
/// another of the need's candidates).
struct LineRow {
    index: usize,
    supplier_key: String,
    text: String,
    quantity: u32,
}

struct NeedRow {
    need_id: String,
    number: String,
    category: String,
    requested: u32,
    priority: u32,
    urgency: &'static str,
    lines: Vec<LineRow>,
    /// The suppliers the form offers for this need: key and description.
    options: Vec<(String, String)>,
    /// What a screen reader says for the need's supplier choices.
    supplier_label: String,
    /// The index of the empty line that adds a supplier, if any supplier may give the need.
    extra: Option<usize>,
    /// Why (part of) the need stays unmet, in words; empty when fully served.
    unmet: String,
}

/// A household and its needs.
struct HouseholdRow {
    head: String,
    place: String,
    score: i64,
    needs: Vec<NeedRow>,
}

struct PlanRow {
    from: String,
    to: String,
    item: String,
    quantity: i64,
    needs: String,
}

struct PurchaseRow {
    item: String,
    quantity: u32,
    unit_price: String,
    total: String,
}

struct WhatIfBlock {
    summary: String,
    quality: String,
    lines: Vec<PurchaseRow>,
    unpriced: String,
}

struct PriceField {
    code: String,
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "matching.html")]
struct MatchingPage {
    t: Tr,
    frame: Frame,
    campaign_id: String,
    campaigns: Vec<(String, String, bool)>,
    notice: String,
    error: String,
    summary: String,
    digest: String,
    households: Vec<HouseholdRow>,
    /// The page shows a line to accept, or the proposal has some on other pages.
    can_accept: bool,
    /// The page the form was on and its size, to show it again with a refusal.
    page: u64,
    page_size: u64,
    pager: Pager,
    /// The proposal has more than one page (accepting takes the other pages as proposed).
    paged: bool,
    plans: Vec<PlanRow>,
    budget: String,
    prices: Vec<PriceField>,
    what_if: Option<WhatIfBlock>,
}

fn category_name(t: Tr, c: &Category) -> String {
    match &c.service {
        Some(service) => t.t(&format!("need.service.{service}")).to_owned(),
        None if t.is_en() && !c.name_en.is_empty() => c.name_en.clone(),
        None => c.name.clone(),
    }
}

fn tier_label(t: Tr, tier: Tier) -> &'static str {
    match tier {
        Tier::Village => t.t("matching.tier_village"),
        Tier::Town => t.t("matching.tier_town"),
        Tier::County => t.t("matching.tier_county"),
    }
}

fn kind_label(t: Tr, kind: SupplierKind) -> &'static str {
    match kind {
        SupplierKind::Organization => t.t("matching.kind_organization"),
        SupplierKind::Station => t.t("matching.kind_station"),
    }
}

fn served_text(t: Tr, s: &ServedView) -> String {
    let served = t.f(
        "matching.served",
        &[
            ("supplier", s.supplier.name.clone()),
            ("quantity", s.quantity.to_string()),
        ],
    );
    let key = if s.continuation {
        "matching.served_line_continued"
    } else {
        "matching.served_line"
    };
    t.f(
        key,
        &[
            ("served", served),
            ("kind", kind_label(t, s.supplier.kind).to_owned()),
            ("tier", tier_label(t, s.tier).to_owned()),
            ("continuation", t.t("matching.continuation").to_owned()),
        ],
    )
}

fn unmet_text(t: Tr, u: &UnmetView, category: &str) -> String {
    let head = t.f("matching.unmet", &[("quantity", u.quantity.to_string())]);
    let why = match u.code {
        "already_provided" => t.f(
            "matching.already_provided",
            &[("need", u.other_need.clone().unwrap_or_default())],
        ),
        "no_capacity" => {
            let nearest = match &u.nearest {
                Some(s) => t.f(
                    "matching.nearest",
                    &[
                        ("town", s.town_name.clone()),
                        ("supplier", s.supplier.name.clone()),
                        ("quantity", s.quantity.to_string()),
                    ],
                ),
                None => t.t("matching.no_surplus").to_owned(),
            };
            let capacity = t.f(
                "matching.no_capacity",
                &[
                    ("town", u.town_name.clone()),
                    ("category", category.to_owned()),
                    ("reachable", u.reachable.to_string()),
                ],
            );
            t.f(
                "matching.no_capacity_nearest",
                &[("capacity", capacity), ("nearest", nearest)],
            )
        }
        _ => t.t("matching.no_supply").to_owned(),
    };
    t.f("matching.unmet_line", &[("unmet", head), ("why", why)])
}

fn candidate_text(t: Tr, c: &CandidateView) -> String {
    t.f(
        "matching.candidate",
        &[
            ("supplier", c.supplier.name.clone()),
            ("kind", kind_label(t, c.supplier.kind).to_owned()),
            ("tier", tier_label(t, c.tier).to_owned()),
            ("available", c.available.to_string()),
            ("left", c.left.to_string()),
        ],
    )
}

/// The need's candidates as options, and any proposed supplier they leave out.
fn options(t: Tr, n: &NeedMatchView) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = n
        .candidates
        .iter()
        .map(|c| (c.supplier.key.clone(), candidate_text(t, c)))
        .collect();
    for s in &n.served {
        if !out.iter().any(|(key, _)| key == &s.supplier.key) {
            out.push((s.supplier.key.clone(), s.supplier.name.clone()));
        }
    }
    out
}

fn need_row(t: Tr, n: &NeedMatchView, next: &mut usize) -> NeedRow {
    let category = category_name(t, &n.category);
    let mut take = || {
        *next += 1;
        *next - 1
    };
    let lines = n
        .served
        .iter()
        .map(|s| LineRow {
            index: take(),
            supplier_key: s.supplier.key.clone(),
            text: served_text(t, s),
            quantity: s.quantity,
        })
        .collect();
    let extra = (!n.candidates.is_empty()).then(take);
    NeedRow {
        need_id: n.need_id.to_string(),
        options: options(t, n),
        supplier_label: t.f("matching.supplier_of", &[("need", n.number.clone())]),
        extra,
        number: n.number.clone(),
        requested: n.requested,
        priority: n.priority,
        urgency: t.t(n.urgency.label_key()),
        lines,
        unmet: n
            .unmet
            .as_ref()
            .map(|u| unmet_text(t, u, &category))
            .unwrap_or_default(),
        category,
    }
}

/// The needs by household (households in the order the proposal first names them), the page's
/// share of them, and how many form lines they take. A household cut by the end of a page
/// goes on at the top of the next.
fn household_rows(t: Tr, view: &MatchingView, page: PageRequest) -> (Vec<HouseholdRow>, usize) {
    let mut order: Vec<Uuid> = Vec::new();
    let mut by_household: HashMap<Uuid, Vec<&NeedMatchView>> = HashMap::new();
    for n in &view.needs {
        by_household
            .entry(n.household_id)
            .or_insert_with(|| {
                order.push(n.household_id);
                Vec::new()
            })
            .push(n);
    }
    let on_page = order
        .iter()
        .flat_map(|h| by_household[h].iter().copied())
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.size).unwrap_or(usize::MAX));
    let mut rows: Vec<HouseholdRow> = Vec::new();
    let mut last = None;
    let mut next = 0;
    for n in on_page {
        if last != Some(n.household_id) {
            last = Some(n.household_id);
            rows.push(HouseholdRow {
                head: n.head_name.clone(),
                place: format!("{}{}", n.town_name, n.village_name),
                score: n.score,
                needs: Vec::new(),
            });
        }
        if let Some(row) = rows.last_mut() {
            row.needs.push(need_row(t, n, &mut next));
        }
    }
    (rows, next)
}

fn plan_rows(t: Tr, plans: &[PlanView]) -> Vec<PlanRow> {
    plans
        .iter()
        .map(|p| PlanRow {
            from: p.from_name.clone(),
            to: p.to_name.clone(),
            item: category_name(t, &p.item),
            quantity: p.quantity,
            needs: p.needs.join(t.t("matching.list_sep")),
        })
        .collect()
}

fn what_if_block(t: Tr, w: &WhatIfView) -> WhatIfBlock {
    let summary = t.f(
        "matching.what_if_summary",
        &[
            ("budget", w.budget.yuan_string()),
            ("spent", w.spent.yuan_string()),
            ("needs", w.needs_covered.to_string()),
            ("households", w.households_reached.to_string()),
            ("unmet", w.unmet_units_after.to_string()),
        ],
    );
    let key = if w.exact {
        "matching.what_if_exact"
    } else {
        "matching.what_if_approximate"
    };
    let quality = t.f(
        key,
        &[
            ("covered", w.priority_covered.to_string()),
            ("bound", w.priority_bound.to_string()),
        ],
    );
    let unpriced: Vec<String> = w.unpriced.iter().map(|c| category_name(t, c)).collect();
    WhatIfBlock {
        summary,
        quality,
        lines: w
            .lines
            .iter()
            .map(|l| PurchaseRow {
                item: category_name(t, &l.category),
                quantity: l.quantity,
                unit_price: l.unit_price.yuan_string(),
                total: l.total.yuan_string(),
            })
            .collect(),
        unpriced: if unpriced.is_empty() {
            String::new()
        } else {
            let items = unpriced.join(t.t("matching.list_sep"));
            t.f("matching.unpriced", &[("items", items)])
        },
    }
}

/// What the address asks for: the page of needs (`page`, `size`), and the what-if (`budget` and
/// `price.<code>` in yuan).
#[derive(Default)]
struct Ask {
    page: Option<u64>,
    size: Option<u64>,
    budget: String,
    prices: BTreeMap<String, String>,
    notice: String,
}

impl Ask {
    fn parse(raw: Option<&str>) -> Ask {
        let mut ask = Ask::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            if key == "page" {
                ask.page = value.parse().ok();
            } else if key == "size" {
                ask.size = value.parse().ok();
            } else if key == "budget" {
                ask.budget = value;
            } else if key == "notice" {
                ask.notice = value;
            } else if let Some(code) = key.strip_prefix("price.")
                && !value.is_empty()
            {
                ask.prices.insert(code.to_owned(), value);
            }
        }
        ask
    }

    /// The page asked for, within the `total` needs.
    fn page(&self, total: usize) -> PageRequest {
        let size = self.size.filter(|s| PageRequest::SIZES.contains(s));
        let asked = PageRequest::new(self.page, Some(size.unwrap_or(PAGE_SIZE)));
        let pages = (total as u64).div_ceil(asked.size).max(1);
        PageRequest {
            number: asked.number.min(pages),
            size: asked.size,
        }
    }

    /// The what-if, kept in the links to other pages.
    fn what_if_params(&self) -> Vec<(String, String)> {
        let prices = self
            .prices
            .iter()
            .map(|(code, price)| (format!("price.{code}"), price.clone()));
        std::iter::once(("budget".to_owned(), self.budget.clone()))
            .chain(prices)
            .collect()
    }
}

async fn run_what_if(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    campaign: &str,
    ask: &Ask,
) -> Result<Option<WhatIfBlock>, AppError> {
    if ask.budget.is_empty() {
        return Ok(None);
    }
    let budget = Fen::parse_yuan(&ask.budget, "budget")?;
    let mut prices = BTreeMap::new();
    for (code, price) in &ask.prices {
        prices.insert(
            code.clone(),
            Fen::parse_yuan(price, &format!("prices.{code}"))?,
        );
    }
    let view = state
        .app
        .matching_what_if(&signed.caller, campaign, budget, &prices)
        .await?;
    Ok(Some(what_if_block(t, &view)))
}

fn notice_text(t: Tr, notice: &str) -> String {
    match notice.split_once(':') {
        Some(("accepted", counts)) => {
            let (claims, transfers) = counts.split_once(',').unwrap_or((counts, "0"));
            t.f(
                "matching.accepted",
                &[
                    ("claims", claims.to_owned()),
                    ("transfers", transfers.to_owned()),
                ],
            )
        }
        _ => String::new(),
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: &str,
    ask: Ask,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    county_only(signed, t)?;
    let caller = &signed.caller;
    let (campaign, _) = state.app.campaign(caller, id).await.map_err(fail(t))?;
    let running = state.app.campaigns(caller).await.map_err(fail(t))?;
    let mut error = error;
    let view = match state.app.propose_matching(caller, id).await {
        Ok(view) => Some(view),
        Err(e) => {
            error = form_errors(t, e)?.all().join(t.t("matching.error_sep"));
            None
        }
    };
    let what_if = match run_what_if(state, signed, t, id, &ask).await {
        Ok(block) => block,
        Err(e) => {
            error = form_errors(t, e)?.all().join(t.t("matching.error_sep"));
            None
        }
    };
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let here = format!("/campaigns/{}/matching", campaign.id);
    let total = view.as_ref().map_or(0, |v| v.needs.len());
    let request = ask.page(total);
    let (households, lines) = view
        .as_ref()
        .map(|v| household_rows(t, v, request))
        .unwrap_or_default();
    let params = ask.what_if_params();
    let params: Vec<(&str, String)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let (number, size) = (request.number, request.size);
    let pager = Pager::with_default_size(t, &here, &params, total as i64, number, size, PAGE_SIZE);
    let page = MatchingPage {
        frame: Frame::new(signed, t, Section::Matching, &here, t.t("matching.title")),
        campaign_id: campaign.id.to_string(),
        campaigns: running
            .iter()
            .filter(|c| c.status == CampaignStatus::Launched)
            .map(|c| {
                (
                    c.id.to_string(),
                    c.profile.name.clone(),
                    c.id == campaign.id,
                )
            })
            .collect(),
        notice: notice_text(t, &ask.notice),
        error,
        summary: view
            .as_ref()
            .map(|v| {
                t.f(
                    "matching.summary",
                    &[
                        ("needs", v.needs_considered.to_string()),
                        ("served", v.served_units.to_string()),
                        ("unmet", v.unmet_units.to_string()),
                        ("households", v.households_served.to_string()),
                    ],
                )
            })
            .unwrap_or_default(),
        digest: view.as_ref().map(|v| v.digest.clone()).unwrap_or_default(),
        households,
        can_accept: lines > 0 || view.as_ref().is_some_and(|v| v.served_units > 0),
        page: request.number,
        page_size: request.size,
        paged: total as u64 > request.size,
        pager,
        plans: view
            .as_ref()
            .map(|v| plan_rows(t, &v.plans))
            .unwrap_or_default(),
        budget: ask.budget.clone(),
        prices: items
            .iter()
            .map(|i| PriceField {
                name: if t.is_en() {
                    i.name_en.clone()
                } else {
                    i.name.clone()
                },
                value: ask
                    .prices
                    .get(&i.code)
                    .cloned()
                    .unwrap_or_else(|| i.reference_value.yuan_string()),
                code: i.code.clone(),
            })
            .collect(),
        what_if,
        t,
    };
    Ok(render(status, &page, t))
}

/// `GET /matching`: the first running campaign's matching, or the campaign list if none runs.
pub async fn first_running(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    county_only(&signed, t)?;
    let campaigns = state.app.campaigns(&signed.caller).await.map_err(fail(t))?;
    let target = campaigns
        .iter()
        .find(|c| c.status == CampaignStatus::Launched)
        .map_or_else(
            || "/campaigns".to_owned(),
            |c| format!("/campaigns/{}/matching", c.id),
        );
    Ok(Redirect::to(&target).into_response())
}

/// `GET /campaigns/{id}/matching`.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ask = Ask::parse(raw.as_deref());
    show(&state, &signed, t, &id, ask, String::new(), StatusCode::OK).await
}

/// The lines the form keeps: each `keep` ticked and each `extra` line filled in, with
/// `need.<i>`, `supplier.<i>` (the proposed supplier or another candidate) and `quantity.<i>`.
/// An extra line left empty (no supplier, no quantity or 0) adds nothing; one half filled in
/// is passed on, for accepting to name what is missing.
fn kept_lines(fields: &Fields) -> Result<Vec<AcceptLine>, AppError> {
    let mut out = Vec::new();
    let kept = fields.all("keep").into_iter().map(|i| (i, false));
    let extra = fields.all("extra").into_iter().map(|i| (i, true));
    for (index, optional) in kept.chain(extra) {
        let field = |name: &str| fields.get(&format!("{name}.{index}")).trim().to_owned();
        let invalid = || {
            hearth_core::Invalid::new(format!("lines[{index}]"), "matching.line_form")
                .arg("line", &index)
        };
        let supplier = field("supplier");
        let quantity = match field("quantity").as_str() {
            "" if optional => 0,
            text => text.parse::<u32>().map_err(|_| invalid())?,
        };
        if optional && supplier.is_empty() && quantity == 0 {
            continue;
        }
        let need_id = Uuid::parse_str(&field("need")).map_err(|_| invalid())?;
        out.push(AcceptLine {
            need_id,
            supplier,
            quantity,
        });
    }
    Ok(out)
}

/// The needs the form's page showed (`shown`): their lines are as the form left them, every
/// other need's as proposed. A form that names none sends the whole review.
fn shown_needs(fields: &Fields) -> Result<Vec<Uuid>, AppError> {
    fields
        .all("shown")
        .iter()
        .map(|id| {
            Uuid::parse_str(id.trim())
                .map_err(|_| hearth_core::Invalid::new("shown", "matching.shown_form").into())
        })
        .collect()
}

/// `POST /campaigns/{id}/matching/accept`: applies the kept lines — with the other pages' lines
/// as proposed — or shows the form's page again with the refusal (409 when the proposal changed
/// meanwhile).
pub async fn accept(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    county_only(&signed, t)?;
    let fields = Fields::parse(&body);
    let result = match (kept_lines(&fields), shown_needs(&fields)) {
        (Ok(lines), Ok(shown)) => {
            let input = AcceptInput {
                digest: fields.get("digest").to_owned(),
                lines: Some(lines),
            };
            let (app, caller) = (&state.app, &signed.caller);
            if shown.is_empty() {
                app.accept_matching(caller, &id, &input).await
            } else {
                app.accept_matching_page(caller, &id, &input, &shown).await
            }
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(done) => {
            let notice = format!("accepted:{},{}", done.claims.len(), done.transfers.len());
            let query = query_string(&[("notice", notice)]);
            let to = with_query(&format!("/campaigns/{id}/matching"), &query);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let status = status_of(&e);
            let message = form_errors(t, e)?.all().join(t.t("matching.error_sep"));
            let ask = Ask {
                page: fields.get("page").parse().ok(),
                size: fields.get("size").parse().ok(),
                ..Ask::default()
            };
            show(&state, &signed, t, &id, ask, message, status).await
        }
    }
}
