//! Deliveries (发放签收) of pledge lines over JSON: record a delivery of a cash or item line, read
//! a pledge's deliveries with each line's progress, and list deliveries in your scope. Two
//! deliveries of the same line at once never exceed the pledge: the second is refused (422)
//! naming what remains.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::deliveries::{DeliveryQuery, DeliveryRecorded, DeliveryView, LineProgress};
use hearth_core::Invalid;
use hearth_core::delivery::{DeliveryInput, Handed};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The delivery routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record))
        .routes(routes!(for_pledge))
        .routes(routes!(list))
}

/// One delivery as the roster (发放签收表) records it. Fill `quantity` for an item line or
/// `cash` for a cash line, not both.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DeliveryIn {
    /// For a line that answers no need on a one-to-many pledge: the receiving household's id
    /// (one of the pledge's households).
    pub household: String,
    /// `2024-12-20` or `2024年12月20日`; not in the future, not before the pledge was signed.
    pub delivered_on: String,
    /// `head` (户主本人, blank) or `proxy` (代领).
    pub recipient: String,
    /// For a proxy: the name, and `spouse`, `child`, `parent`, `sibling`, `relative`,
    /// `village_cadre` or `other`.
    pub proxy_name: String,
    pub proxy_relationship: String,
    /// 经办人.
    pub handler: String,
    /// The name of whoever signed the roster.
    pub signed_name: String,
    /// Units handed over, for an item line.
    pub quantity: String,
    /// Yuan handed over, for a cash line.
    pub cash: String,
    pub note: String,
}

impl DeliveryIn {
    fn input(self) -> Result<(Option<Uuid>, DeliveryInput), AppError> {
        let household = match self.household.trim() {
            "" => None,
            raw => Some(Uuid::parse_str(raw).map_err(|_| {
                AppError::from(Invalid::new("household", "pledge.id").arg("value", raw))
            })?),
        };
        Ok((
            household,
            DeliveryInput {
                delivered_on: self.delivered_on,
                recipient: self.recipient,
                proxy_name: self.proxy_name,
                proxy_relationship: self.proxy_relationship,
                handler: self.handler,
                signed_name: self.signed_name,
                quantity: self.quantity,
                cash: self.cash,
                note: self.note,
            },
        ))
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village code inside your area.
    pub area: Option<String>,
    /// Only this pledge's deliveries (its id).
    pub pledge: Option<String>,
    /// Only this household's deliveries (its id).
    pub household: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

/// A delivery. Names of households and signers are masked (surname and `*`) for organizations
/// and auditors.
#[derive(Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: String,
    /// 发放单号, e.g. `2024-NDXD-D0001`.
    pub number: String,
    pub pledge_id: String,
    pub pledge_number: String,
    pub line_id: String,
    pub campaign_code: String,
    pub organization_id: String,
    pub organization_name: String,
    pub household_id: String,
    pub town_name: String,
    pub village_name: String,
    pub head_name: String,
    /// `item` or `cash`
    pub kind: String,
    pub item: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    /// Units handed over; 0 for cash.
    pub quantity: u32,
    /// Yuan, two decimals; `0.00` for items.
    pub cash: String,
    /// Yuan: the cash, or the units at the pledged unit value.
    pub value: String,
    pub delivered_on: String,
    /// `head` or `proxy`
    pub recipient: String,
    pub proxy_name: String,
    pub proxy_relationship: Option<String>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    pub created_at: String,
}

impl From<&DeliveryView> for DeliveryOut {
    fn from(d: &DeliveryView) -> Self {
        DeliveryOut {
            id: d.id.to_string(),
            number: d.number.clone(),
            pledge_id: d.pledge_id.to_string(),
            pledge_number: d.pledge_number.clone(),
            line_id: d.line_id.to_string(),
            campaign_code: d.campaign_code.clone(),
            organization_id: d.organization_id.to_string(),
            organization_name: d.organization_name.clone(),
            household_id: d.household_id.to_string(),
            town_name: d.town_name.clone(),
            village_name: d.village_name.clone(),
            head_name: d.head_name.clone(),
            kind: d.kind.as_str().to_owned(),
            item: d.item_code.clone(),
            item_name: d.item_name.clone(),
            item_unit: d.item_unit.clone(),
            quantity: d.quantity,
            cash: d.cash.yuan_string(),
            value: d.value.yuan_string(),
            delivered_on: d.delivered_on.to_string(),
            recipient: d.recipient.as_str().to_owned(),
            proxy_name: d.proxy_name.clone(),
            proxy_relationship: d.proxy_relationship.map(|r| r.as_str().to_owned()),
            handler: d.handler.clone(),
            signed_name: d.signed_name.clone(),
            note: d.note.clone(),
            created_at: d.created_at.to_rfc3339(),
        }
    }
}

/// How far one line of a pledge is delivered.
#[derive(Serialize, ToSchema)]
pub struct LineProgressOut {
    pub line_id: String,
    pub need_id: Option<String>,
    /// `cash`, `item` or `service`
    pub kind: String,
    /// Units delivered so far (item lines).
    pub delivered_quantity: u32,
    /// Yuan delivered so far (cash lines).
    pub delivered_cash: String,
    /// Units still to deliver (item lines).
    pub remaining_quantity: Option<u32>,
    /// Yuan still to deliver (cash lines).
    pub remaining_cash: Option<String>,
    /// Delivered in full (or, for a service, all visits made).
    pub done: bool,
}

impl From<&LineProgress> for LineProgressOut {
    fn from(l: &LineProgress) -> Self {
        let (remaining_quantity, remaining_cash) = match l.remaining {
            Some(Handed::Items { quantity }) => (Some(quantity), None),
            Some(Handed::Cash { amount }) => (None, Some(amount.yuan_string())),
            None => (None, None),
        };
        LineProgressOut {
            line_id: l.line_id.to_string(),
            need_id: l.need_id.map(|n| n.to_string()),
            kind: l.line.kind().as_str().to_owned(),
            delivered_quantity: l.delivered.quantity,
            delivered_cash: l.delivered.cash.yuan_string(),
            remaining_quantity,
            remaining_cash,
            done: l.done,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryRecordedOut {
    pub delivery: DeliveryOut,
    pub line: LineProgressOut,
    /// The pledge's status after this delivery: `signed`, `in_progress`, `fulfilled` …
    pub pledge_status: String,
}

impl From<&DeliveryRecorded> for DeliveryRecordedOut {
    fn from(r: &DeliveryRecorded) -> Self {
        DeliveryRecordedOut {
            delivery: DeliveryOut::from(&r.delivery),
            line: LineProgressOut::from(&r.line),
            pledge_status: r.pledge_status.as_str().to_owned(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PledgeDeliveriesOut {
    /// The deliveries in your scope, the latest first.
    pub deliveries: Vec<DeliveryOut>,
    /// Every line of the pledge with its progress.
    pub lines: Vec<LineProgressOut>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// 登记发放: part or all of a cash or item line of a signed pledge reached a household. By a
/// member of the pledging organization, or a town officer for a pledge handed over through the
/// town (集中发放). The delivery that completes the line marks it done and its need fulfilled.
/// More than remains is refused (422) naming what remains.
#[utoipa::path(post, path = "/pledge-lines/{id}/deliveries", tag = "deliveries", params(("id" = String, Path)), request_body = DeliveryIn,
    responses((status = 201, body = DeliveryRecordedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<DeliveryIn>,
) -> Result<(StatusCode, Json<DeliveryRecordedOut>), ApiError> {
    let line = parse_id(&id)?;
    let (household, input) = body.input()?;
    let recorded = state
        .app
        .record_delivery(&signed.caller, line, household, &input)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DeliveryRecordedOut::from(&recorded)),
    ))
}

/// A pledge's deliveries (those in your area, for towns and villages) and each line's progress.
#[utoipa::path(get, path = "/pledges/{id}/deliveries", tag = "deliveries", params(("id" = String, Path)),
    responses((status = 200, body = PledgeDeliveriesOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn for_pledge(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<PledgeDeliveriesOut>, ApiError> {
    let found = state
        .app
        .deliveries_for_pledge(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(PledgeDeliveriesOut {
        deliveries: found.deliveries.iter().map(DeliveryOut::from).collect(),
        lines: found.lines.iter().map(LineProgressOut::from).collect(),
    }))
}

/// Deliveries in your scope (county all; towns and villages their area; organizations their
/// own), the latest first.
#[utoipa::path(get, path = "/deliveries", tag = "deliveries", params(DeliveryListQuery),
    responses((status = 200, body = DeliveryPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<DeliveryListQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = DeliveryQuery {
        campaign: q.campaign,
        area: q.area,
        pledge: q.pledge,
        household: q.household,
    };
    let (views, total) = state.app.deliveries(&signed.caller, &query, page).await?;
    Ok(Json(DeliveryPage {
        items: views.iter().map(DeliveryOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}
