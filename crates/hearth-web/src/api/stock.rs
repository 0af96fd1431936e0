//! Stock over JSON: the stations and what they hold, waybills (调拨单) from dispatch to receipt,
//! handovers to households (集中发放), the distribution roster (发放签收表), and adjustments
//! (报损/盘盈) and counts (盘点) with their second officer's decision. Goods beyond what a
//! station holds are refused (422) naming what is available; a station, waybill or paper
//! outside your area is 404.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::distributions::{
    DistributionQuery, DistributionView, HandedView, Roster, RosterQuery, RosterUse,
};
use hearth_app::returns::ReturnView;
use hearth_app::stock::adjustments::PaperQuery;
use hearth_app::stock::{AdjustmentView, CountView, StockLine, StockQuery};
use hearth_app::waybills::{WaybillQuery, WaybillView};
use hearth_core::delivery::DeliveryInput;
use hearth_core::stock::returns::ReturnInput;
use hearth_core::stock::{
    AdjustmentInput, CountInput, DistributionInput, LineInput, ReceiptInput, ReceivedInput,
    WaybillInput,
};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The stock routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stations))
        .routes(routes!(on_hand))
        .routes(routes!(list_waybills, dispatch))
        .routes(routes!(get_waybill))
        .routes(routes!(receive))
        .routes(routes!(list_distributions, distribute))
        .routes(routes!(roster))
        .routes(routes!(list_adjustments, record_adjustment))
        .routes(routes!(decide_adjustment))
        .routes(routes!(list_counts, record_count))
        .routes(routes!(decide_count))
        .routes(routes!(in_transit))
        .routes(routes!(list_returns, record_return))
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct StationOut {
    /// The 12-digit area code: the county (its warehouse) or a town (its station).
    pub code: String,
    pub name: String,
    pub is_county: bool,
    /// You may dispatch, hand over and adjust here.
    pub kept_by_you: bool,
}

/// The county warehouse and the town stations you see, county first.
#[utoipa::path(get, path = "/stations", tag = "stock",
    responses((status = 200, body = Vec<StationOut>), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn stations(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<StationOut>>, ApiError> {
    let stations = state.app.stations(&signed.caller).await?;
    Ok(Json(
        stations
            .into_iter()
            .map(|s| StationOut {
                code: s.code.as_str().to_owned(),
                name: s.name,
                is_county: s.is_county,
                kept_by_you: s.kept_by_caller,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StockListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A station's area code.
    pub station: Option<String>,
    /// An item code.
    pub item: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StockLineOut {
    pub campaign_code: String,
    pub station: String,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// Yuan, at the station's average value.
    pub value: String,
}

impl From<&StockLine> for StockLineOut {
    fn from(l: &StockLine) -> Self {
        StockLineOut {
            campaign_code: l.campaign_code.clone(),
            station: l.station.as_str().to_owned(),
            station_name: l.station_name.clone(),
            item: l.item.clone(),
            item_name: l.item_name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            value: l.value.yuan_string(),
        }
    }
}

/// On hand per station and item (county all; a town its own station).
#[utoipa::path(get, path = "/stock", tag = "stock", params(StockListQuery),
    responses((status = 200, body = Vec<StockLineOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn on_hand(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<StockListQuery>,
) -> Result<Json<Vec<StockLineOut>>, ApiError> {
    let query = StockQuery {
        campaign: q.campaign,
        station: q.station,
        item: q.item,
    };
    let lines = state.app.stock(&signed.caller, &query).await?;
    Ok(Json(lines.iter().map(StockLineOut::from).collect()))
}

/// One item row of a form.
#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
#[serde(default)]
#[schema(as = StockLineIn)]
pub struct LineIn {
    /// An item code of the catalogue (`quilt`, `rice` …).
    pub item: String,
    pub quantity: String,
}

fn lines(rows: Vec<LineIn>) -> Vec<LineInput> {
    rows.into_iter()
        .map(|l| LineInput {
            item: l.item,
            quantity: l.quantity,
        })
        .collect()
}

/// A waybill to dispatch now.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct WaybillIn {
    /// A campaign id or code.
    pub campaign: String,
    /// The station sending: the county (`340123`) or a town's code.
    pub from: String,
    pub to: String,
    /// `2024-12-20`; not in the future.
    pub dispatched_on: String,
    pub note: String,
    pub lines: Vec<LineIn>,
}

#[derive(Serialize, ToSchema)]
pub struct WaybillLineOut {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// Yuan the goods were worth when they left.
    pub value: String,
    /// Counted in; absent until received.
    pub received: Option<i64>,
    pub short: i64,
    /// `shortage`, `damage`, `spoiled`, `miscount` or `other`.
    pub cause: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct WaybillOut {
    pub id: String,
    /// 调拨单号, e.g. `NDXD-DEMO-T0001`.
    pub number: String,
    pub campaign_code: String,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    /// `dispatched` or `received`.
    pub status: String,
    pub dispatched_on: String,
    pub dispatch_note: String,
    pub dispatched_by: String,
    pub received_on: Option<String>,
    pub receipt_note: String,
    pub received_by: String,
    /// Yuan.
    pub value: String,
    pub lines: Vec<WaybillLineOut>,
    /// On the road, and you keep the destination.
    pub can_receive: bool,
}

impl From<&WaybillView> for WaybillOut {
    fn from(w: &WaybillView) -> Self {
        WaybillOut {
            id: w.id.to_string(),
            number: w.number.clone(),
            campaign_code: w.campaign_code.clone(),
            from: w.from.as_str().to_owned(),
            from_name: w.from_name.clone(),
            to: w.to.as_str().to_owned(),
            to_name: w.to_name.clone(),
            status: w.status.as_str().to_owned(),
            dispatched_on: w.dispatched_on.to_string(),
            dispatch_note: w.dispatch_note.clone(),
            dispatched_by: w.dispatched_by.clone(),
            received_on: w.received_on.map(|d| d.to_string()),
            receipt_note: w.receipt_note.clone(),
            received_by: w.received_by.clone(),
            value: w.value.yuan_string(),
            lines: w
                .lines
                .iter()
                .map(|l| WaybillLineOut {
                    item: l.item.clone(),
                    item_name: l.item_name.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity,
                    value: l.value.yuan_string(),
                    received: l.received,
                    short: l.short,
                    cause: l.cause.map(|c| c.as_str().to_owned()),
                    note: l.note.clone(),
                })
                .collect(),
            can_receive: w.can_receive,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WaybillPage {
    pub items: Vec<WaybillOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct WaybillListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// `dispatched` or `received`.
    pub status: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

/// Waybills from or to the stations you see, the latest first.
#[utoipa::path(get, path = "/waybills", tag = "stock", params(WaybillListQuery),
    responses((status = 200, body = WaybillPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list_waybills(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<WaybillListQuery>,
) -> Result<Json<WaybillPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = WaybillQuery {
        campaign: q.campaign,
        status: q.status,
    };
    let (views, total) = state.app.waybills(&signed.caller, &query, page).await?;
    Ok(Json(WaybillPage {
        items: views.iter().map(WaybillOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// 调拨发出: sends goods from a station you keep; they are on the road until received. A line
/// beyond what the source holds is refused (422) naming what is available.
#[utoipa::path(post, path = "/waybills", tag = "stock", request_body = WaybillIn,
    responses((status = 201, body = WaybillOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn dispatch(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<WaybillIn>,
) -> Result<(StatusCode, Json<WaybillOut>), ApiError> {
    let input = WaybillInput {
        campaign: body.campaign,
        from: body.from,
        to: body.to,
        dispatched_on: body.dispatched_on,
        note: body.note,
        lines: lines(body.lines),
    };
    let view = state.app.dispatch_waybill(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(WaybillOut::from(&view))))
}

/// One waybill, if you see either side of it.
#[utoipa::path(get, path = "/waybills/{id}", tag = "stock", params(("id" = String, Path)),
    responses((status = 200, body = WaybillOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get_waybill(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<WaybillOut>, ApiError> {
    let view = state.app.waybill(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(WaybillOut::from(&view)))
}

/// What arrived of one line; when less than was sent, the cause and a note.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReceivedIn {
    pub item: String,
    pub received: String,
    /// `shortage`, `damage`, `spoiled`, `miscount` or `other`.
    pub cause: String,
    pub note: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReceiptIn {
    pub received_on: String,
    pub note: String,
    /// Every line of the waybill, once.
    pub lines: Vec<ReceivedIn>,
}

/// 调拨签收: the destination counts the goods in; a shortfall needs its cause. A waybill is
/// received once (409 the second time).
#[utoipa::path(post, path = "/waybills/{id}/receipt", tag = "stock", params(("id" = String, Path)), request_body = ReceiptIn,
    responses((status = 200, body = WaybillOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn receive(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReceiptIn>,
) -> Result<Json<WaybillOut>, ApiError> {
    let input = ReceiptInput {
        received_on: body.received_on,
        note: body.note,
        lines: body
            .lines
            .into_iter()
            .map(|l| ReceivedInput {
                item: l.item,
                received: l.received,
                cause: l.cause,
                note: l.note,
            })
            .collect(),
    };
    let view = state
        .app
        .receive_waybill(&signed.caller, parse_id(&id)?, &input)
        .await?;
    Ok(Json(WaybillOut::from(&view)))
}

/// A handover from the station of the household's town.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DistributionIn {
    /// A campaign id or code.
    pub campaign: String,
    /// The receiving household's id: approved, in a town whose station you keep.
    pub household: String,
    /// An open need of the household this meets (its id), if any.
    pub need: String,
    /// A line of a pledge handed over through the town (集中发放) this delivers, if any.
    pub pledge_line: String,
    /// Blank for the station of the household's town; the county's code to hand over straight
    /// from the county warehouse (the county only).
    pub station: String,
    pub lines: Vec<LineIn>,
    /// `2024-12-20`; not in the future.
    pub delivered_on: String,
    /// `head` (户主本人, blank) or `proxy` (代领).
    pub recipient: String,
    pub proxy_name: String,
    /// `spouse`, `child`, `parent`, `sibling`, `relative`, `village_cadre` or `other`.
    pub proxy_relationship: String,
    /// 经办人.
    pub handler: String,
    /// The name written on the roster by whoever signed.
    pub signed_name: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct HandedOut {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// Yuan.
    pub value: String,
}

impl From<&HandedView> for HandedOut {
    fn from(h: &HandedView) -> Self {
        HandedOut {
            item: h.item.clone(),
            item_name: h.item_name.clone(),
            unit: h.unit.clone(),
            quantity: h.quantity,
            value: h.value.yuan_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DistributionOut {
    pub id: String,
    /// 发放单号, e.g. `NDXD-DEMO-F0001`.
    pub number: String,
    pub campaign_code: String,
    pub household_id: String,
    pub town_name: String,
    pub village_name: String,
    /// Where the goods left from: the town's station or the county warehouse.
    pub station_name: String,
    /// In full for officers; surname and `*` for auditors.
    pub head_name: String,
    pub need_id: Option<String>,
    pub pledge_line_id: Option<String>,
    /// The pledge line's delivery this handover also is.
    pub delivery_id: Option<String>,
    pub delivered_on: String,
    /// `head` or `proxy`.
    pub recipient: String,
    pub proxy_name: String,
    pub proxy_relationship: Option<String>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    pub lines: Vec<HandedOut>,
    /// Yuan the goods were worth leaving the station.
    pub value: String,
}

impl From<&DistributionView> for DistributionOut {
    fn from(d: &DistributionView) -> Self {
        DistributionOut {
            id: d.id.to_string(),
            number: d.number.clone(),
            campaign_code: d.campaign_code.clone(),
            household_id: d.household_id.to_string(),
            town_name: d.town_name.clone(),
            village_name: d.village_name.clone(),
            station_name: d.station_name.clone(),
            head_name: d.head_name.clone(),
            need_id: d.need_id.map(|n| n.to_string()),
            pledge_line_id: d.pledge_line_id.map(|l| l.to_string()),
            delivery_id: d.delivery_id.map(|l| l.to_string()),
            delivered_on: d.distributed_on.to_string(),
            recipient: d.recipient.as_str().to_owned(),
            proxy_name: d.proxy_name.clone(),
            proxy_relationship: d.proxy_relationship.map(|r| r.as_str().to_owned()),
            handler: d.handler.clone(),
            signed_name: d.signed_name.clone(),
            note: d.note.clone(),
            lines: d.lines.iter().map(HandedOut::from).collect(),
            value: d.value.yuan_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DistributionPage {
    pub items: Vec<DistributionOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DistributionListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village code inside your area.
    pub area: Option<String>,
    /// A household's id.
    pub household: Option<String>,
    /// Handed over on or after this day.
    pub from: Option<String>,
    /// Handed over on or before this day.
    pub to: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

/// Handovers to households in your area, the latest first.
#[utoipa::path(get, path = "/distributions", tag = "stock", params(DistributionListQuery),
    responses((status = 200, body = DistributionPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list_distributions(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<DistributionListQuery>,
) -> Result<Json<DistributionPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = DistributionQuery {
        campaign: q.campaign,
        area: q.area,
        household: q.household,
        from: q.from,
        to: q.to,
    };
    let (views, total) = state
        .app
        .distributions(&signed.caller, &query, page)
        .await?;
    Ok(Json(DistributionPage {
        items: views.iter().map(DistributionOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// 集中发放: hands goods from the station of an approved household's town to it. Beyond what
/// the station holds is refused (422) naming what is available.
#[utoipa::path(post, path = "/distributions", tag = "stock", request_body = DistributionIn,
    responses((status = 201, body = DistributionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn distribute(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<DistributionIn>,
) -> Result<(StatusCode, Json<DistributionOut>), ApiError> {
    let input = DistributionInput {
        campaign: body.campaign,
        household: body.household,
        need: body.need,
        pledge_line: body.pledge_line,
        station: body.station,
        lines: lines(body.lines),
        handover: DeliveryInput {
            delivered_on: body.delivered_on,
            recipient: body.recipient,
            proxy_name: body.proxy_name,
            proxy_relationship: body.proxy_relationship,
            handler: body.handler,
            signed_name: body.signed_name,
            note: body.note,
            ..DeliveryInput::default()
        },
    };
    let view = state
        .app
        .record_distribution(&signed.caller, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(DistributionOut::from(&view))))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RosterParams {
    /// A campaign id or code.
    pub campaign: String,
    /// A town code; a town officer's own when blank.
    pub town: String,
    pub from: String,
    pub to: String,
}

#[derive(Serialize, ToSchema)]
pub struct RosterRowOut {
    pub number: String,
    pub village_name: String,
    pub head_name: String,
    pub address: String,
    /// Masked: `340123********1234`.
    pub id_number: String,
    /// Masked: `*******1234`.
    pub phone: String,
    /// The goods; empty for cash aid.
    pub lines: Vec<HandedOut>,
    /// The goods' value, yuan.
    pub value: String,
    /// The cash handed over (现金发放), yuan; `0.00` for goods.
    pub cash: String,
    pub proxy_name: String,
    pub proxy_relationship: Option<String>,
    pub delivered_on: String,
    pub handler: String,
}

#[derive(Serialize, ToSchema)]
pub struct RosterOut {
    pub campaign_code: String,
    pub campaign_name: String,
    pub town: String,
    pub town_name: String,
    pub rows: Vec<RosterRowOut>,
    pub totals: Vec<HandedOut>,
    pub households: usize,
    /// The goods' value, yuan.
    pub value: String,
    /// The cash handed over, yuan.
    pub cash: String,
}

impl From<&Roster> for RosterOut {
    fn from(r: &Roster) -> Self {
        RosterOut {
            campaign_code: r.campaign_code.clone(),
            campaign_name: r.campaign_name.clone(),
            town: r.town.as_str().to_owned(),
            town_name: r.town_name.clone(),
            rows: r
                .rows
                .iter()
                .map(|row| RosterRowOut {
                    number: row.number.clone(),
                    village_name: row.village_name.clone(),
                    head_name: row.head_name.clone(),
                    address: row.address.clone(),
                    id_number: row.id_number.clone(),
                    phone: row.phone.clone(),
                    lines: row.lines.iter().map(HandedOut::from).collect(),
                    value: row.value.yuan_string(),
                    cash: row.cash.yuan_string(),
                    proxy_name: row.proxy_name.clone(),
                    proxy_relationship: row.proxy_relationship.map(|p| p.as_str().to_owned()),
                    delivered_on: row.distributed_on.to_string(),
                    handler: row.handler.clone(),
                })
                .collect(),
            totals: r.totals.iter().map(HandedOut::from).collect(),
            households: r.households,
            value: r.value.yuan_string(),
            cash: r.cash.yuan_string(),
        }
    }
}

/// The distribution roster (发放签收表) of one town and campaign, optionally a range of days;
/// ID numbers and phones masked as on paper given out. Reading it is written to the audit log.
#[utoipa::path(get, path = "/roster", tag = "stock", params(RosterParams),
    responses((status = 200, body = RosterOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn roster(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<RosterParams>,
) -> Result<Json<RosterOut>, ApiError> {
    let query = RosterQuery {
        campaign: q.campaign,
        town: q.town,
        from: q.from,
        to: q.to,
    };
    let roster = state
        .app
        .roster(&signed.caller, &query, RosterUse::Export)
        .await?;
    Ok(Json(RosterOut::from(&roster)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PaperListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A station's area code.
    pub station: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: Option<String>,
}

impl From<PaperListQuery> for PaperQuery {
    fn from(q: PaperListQuery) -> Self {
        PaperQuery {
            campaign: q.campaign,
            station: q.station,
            status: q.status,
        }
    }
}

/// 报损 (`loss`) or 盘盈 (`gain`) of one item at one station.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AdjustmentIn {
    pub campaign: String,
    pub station: String,
    pub item: String,
    /// `loss` or `gain`.
    pub direction: String,
    pub quantity: String,
    /// `shortage`, `damage`, `spoiled`, `miscount` or `other` (goods found: the last two).
    pub cause: String,
    pub note: String,
    pub made_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentOut {
    pub id: String,
    /// 调整单号, e.g. `NDXD-DEMO-A0001`.
    pub number: String,
    pub campaign_code: String,
    pub station: String,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub direction: String,
    pub quantity: i64,
    pub cause: String,
    pub note: String,
    pub made_on: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub made_by: String,
    pub checked_by: String,
    pub reject_reason: String,
    /// Yuan posted; `0.00` until approved.
    pub value: String,
    /// Pending, at a station you keep, recorded by someone else.
    pub can_decide: bool,
}

impl From<&AdjustmentView> for AdjustmentOut {
    fn from(a: &AdjustmentView) -> Self {
        AdjustmentOut {
            id: a.id.to_string(),
            number: a.number.clone(),
            campaign_code: a.campaign_code.clone(),
            station: a.station.as_str().to_owned(),
            station_name: a.station_name.clone(),
            item: a.item.clone(),
            item_name: a.item_name.clone(),
            direction: a.direction.as_str().to_owned(),
            quantity: a.quantity,
            cause: a.cause.as_str().to_owned(),
            note: a.note.clone(),
            made_on: a.made_on.to_string(),
            status: a.status.as_str().to_owned(),
            made_by: a.made_by.clone(),
            checked_by: a.checked_by.clone(),
            reject_reason: a.reject_reason.clone(),
            value: a.value.yuan_string(),
            can_decide: a.can_decide,
        }
    }
}

/// Adjustments at the stations you see, the latest first.
#[utoipa::path(get, path = "/stock/adjustments", tag = "stock", params(PaperListQuery),
    responses((status = 200, body = Vec<AdjustmentOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list_adjustments(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PaperListQuery>,
) -> Result<Json<Vec<AdjustmentOut>>, ApiError> {
    let views = state.app.adjustments(&signed.caller, &q.into()).await?;
    Ok(Json(views.iter().map(AdjustmentOut::from).collect()))
}

/// 报损/盘盈: recorded pending; posted only when another officer approves it.
#[utoipa::path(post, path = "/stock/adjustments", tag = "stock", request_body = AdjustmentIn,
    responses((status = 201, body = AdjustmentOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record_adjustment(
    State(state): State<AppState>,
    signed: Signed,
    Json(b): Json<AdjustmentIn>,
) -> Result<(StatusCode, Json<AdjustmentOut>), ApiError> {
    let input = AdjustmentInput {
        campaign: b.campaign,
        station: b.station,
        item: b.item,
        direction: b.direction,
        quantity: b.quantity,
        cause: b.cause,
        note: b.note,
        made_on: b.made_on,
    };
    let view = state.app.record_adjustment(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(AdjustmentOut::from(&view))))
}

/// The checker's decision: approve, or refuse with a reason.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
#[schema(as = StockDecisionIn)]
pub struct DecisionIn {
    pub approve: bool,
    /// Required when refusing.
    pub reason: String,
}

/// 复核 an adjustment: another officer who keeps the station approves (it is posted) or
/// refuses it. The maker cannot.
#[utoipa::path(post, path = "/stock/adjustments/{id}/decision", tag = "stock", params(("id" = String, Path)), request_body = DecisionIn,
    responses((status = 200, body = AdjustmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn decide_adjustment(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(b): Json<DecisionIn>,
) -> Result<Json<AdjustmentOut>, ApiError> {
    let view = state
        .app
        .decide_adjustment(&signed.caller, parse_id(&id)?, b.approve, &b.reason)
        .await?;
    Ok(Json(AdjustmentOut::from(&view)))
}

/// A count (盘点) at one station: each item and the quantity found.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CountIn {
    pub campaign: String,
    pub station: String,
    pub counted_on: String,
    /// Why and how it was counted; becomes the adjustments' note.
    pub note: String,
    /// `quantity` is the number counted, zero allowed.
    pub lines: Vec<LineIn>,
}

#[derive(Serialize, ToSchema)]
pub struct CountLineOut {
    pub item: String,
    pub item_name: String,
    /// On hand in the books when counted.
    pub book: i64,
    pub counted: i64,
    pub difference: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CountOut {
    pub id: String,
    /// 盘点单号, e.g. `NDXD-DEMO-C0001`.
    pub number: String,
    pub campaign_code: String,
    pub station: String,
    pub station_name: String,
    pub counted_on: String,
    pub note: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub made_by: String,
    pub checked_by: String,
    pub reject_reason: String,
    pub lines: Vec<CountLineOut>,
    pub can_decide: bool,
}

impl From<&CountView> for CountOut {
    fn from(c: &CountView) -> Self {
        CountOut {
            id: c.id.to_string(),
            number: c.number.clone(),
            campaign_code: c.campaign_code.clone(),
            station: c.station.as_str().to_owned(),
            station_name: c.station_name.clone(),
            counted_on: c.counted_on.to_string(),
            note: c.note.clone(),
            status: c.status.as_str().to_owned(),
            made_by: c.made_by.clone(),
            checked_by: c.checked_by.clone(),
            reject_reason: c.reject_reason.clone(),
            lines: c
                .lines
                .iter()
                .map(|l| CountLineOut {
                    item: l.item.clone(),
                    item_name: l.item_name.clone(),
                    book: l.book,
                    counted: l.counted,
                    difference: l.difference,
                })
                .collect(),
            can_decide: c.can_decide,
        }
    }
}

/// Counts at the stations you see, the latest first.
#[utoipa::path(get, path = "/stock/counts", tag = "stock", params(PaperListQuery),
    responses((status = 200, body = Vec<CountOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list_counts(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PaperListQuery>,
) -> Result<Json<Vec<CountOut>>, ApiError> {
    let views = state.app.counts(&signed.caller, &q.into()).await?;
    Ok(Json(views.iter().map(CountOut::from).collect()))
}

/// 盘点: recorded pending beside the book's quantities; the differences are posted only when
/// another officer approves.
#[utoipa::path(post, path = "/stock/counts", tag = "stock", request_body = CountIn,
    responses((status = 201, body = CountOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record_count(
    State(state): State<AppState>,
    signed: Signed,
    Json(b): Json<CountIn>,
) -> Result<(StatusCode, Json<CountOut>), ApiError> {
    let input = CountInput {
        campaign: b.campaign,
        station: b.station,
        counted_on: b.counted_on,
        note: b.note,
        lines: lines(b.lines),
    };
    let view = state.app.record_count(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(CountOut::from(&view))))
}

/// 复核 a count: approved (its differences are posted; refused if the book moved since) or
/// refused with a reason.
#[utoipa::path(post, path = "/stock/counts/{id}/decision", tag = "stock", params(("id" = String, Path)), request_body = DecisionIn,
    responses((status = 200, body = CountOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn decide_count(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(b): Json<DecisionIn>,
) -> Result<Json<CountOut>, ApiError> {
    let view = state
        .app
        .decide_count(&signed.caller, parse_id(&id)?, b.approve, &b.reason)
        .await?;
    Ok(Json(CountOut::from(&view)))
}

#[derive(Serialize, ToSchema)]
pub struct TransitOut {
    pub campaign_code: String,
    pub waybill_id: String,
    pub waybill_number: String,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub dispatched_on: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// Yuan, at the value the goods left with.
    pub value: String,
}

/// 在途: goods dispatched under a waybill and not yet received, for waybills from or to a
/// station you see (`station` matches either end).
#[utoipa::path(get, path = "/stock/in-transit", tag = "stock", params(StockListQuery),
    responses((status = 200, body = Vec<TransitOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn in_transit(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<StockListQuery>,
) -> Result<Json<Vec<TransitOut>>, ApiError> {
    let query = StockQuery {
        campaign: q.campaign,
        station: q.station,
        item: q.item,
    };
    let lines = state.app.in_transit(&signed.caller, &query).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| TransitOut {
                campaign_code: l.campaign_code,
                waybill_id: l.waybill_id.to_string(),
                waybill_number: l.waybill_number,
                from: l.from.as_str().to_owned(),
                from_name: l.from_name,
                to: l.to.as_str().to_owned(),
                to_name: l.to_name,
                dispatched_on: l.dispatched_on.to_string(),
                item: l.item,
                item_name: l.item_name,
                unit: l.unit,
                quantity: l.quantity,
                value: l.value.yuan_string(),
            })
            .collect(),
    ))
}

/// Goods a household gives back (退回).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReturnIn {
    /// A campaign id or code.
    pub campaign: String,
    pub household: String,
    /// Blank for the household's town station; the county's code for the county warehouse.
    pub station: String,
    pub item: String,
    pub quantity: String,
    /// `2024-12-20`; not in the future.
    pub returned_on: String,
    pub reason: String,
    /// 经办人.
    pub handler: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnOut {
    pub id: String,
    /// 退回单号, e.g. `NDXD-DEMO-R0001`.
    pub number: String,
    pub campaign_code: String,
    pub household_id: String,
    pub village_name: String,
    pub station_name: String,
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: i64,
    /// Yuan: what the goods were worth handed over, back in stock.
    pub value: String,
    pub returned_on: String,
    pub reason: String,
    pub handler: String,
}

impl From<&ReturnView> for ReturnOut {
    fn from(r: &ReturnView) -> Self {
        ReturnOut {
            id: r.id.to_string(),
            number: r.number.clone(),
            campaign_code: r.campaign_code.clone(),
            household_id: r.household_id.to_string(),
            village_name: r.village_name.clone(),
            station_name: r.station_name.clone(),
            item: r.item.clone(),
            item_name: r.item_name.clone(),
            unit: r.unit.clone(),
            quantity: r.quantity,
            value: r.value.yuan_string(),
            returned_on: r.returned_on.to_string(),
            reason: r.reason.clone(),
            handler: r.handler.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReturnPage {
    pub items: Vec<ReturnOut>,
    pub total: i64,
}

/// Returns from households in your area, the latest first.
#[utoipa::path(get, path = "/stock/returns", tag = "stock", params(PaperListQuery),
    responses((status = 200, body = ReturnPage), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list_returns(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PaperListQuery>,
) -> Result<Json<ReturnPage>, ApiError> {
    let (views, total) = state
        .app
        .returns(&signed.caller, &q.campaign, PageRequest::all())
        .await?;
    Ok(Json(ReturnPage {
        items: views.iter().map(ReturnOut::from).collect(),
        total,
    }))
}

/// 退回: goods a household gives back to a station you keep, booked at the value they were
/// handed over at. More than the household received (net of returns) is refused (422).
#[utoipa::path(post, path = "/stock/returns", tag = "stock", request_body = ReturnIn,
    responses((status = 201, body = ReturnOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record_return(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<ReturnIn>,
) -> Result<(StatusCode, Json<ReturnOut>), ApiError> {
    let input = ReturnInput {
        campaign: body.campaign,
        household: body.household,
        station: body.station,
        item: body.item,
        quantity: body.quantity,
        returned_on: body.returned_on,
        reason: body.reason,
        handler: body.handler,
    };
    let view = state.app.record_return(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(ReturnOut::from(&view))))
}
