//! Needs, the item catalogue and the claim sheet over JSON: villages record needs, towns approve
//! or return them, organizations read the masked claim sheet and claim (认领) or release needs.
//! Two organizations claiming the same need at once get one `200` and one `409`
//! (`need.already_claimed`, naming no one).

use super::households::ReasonIn;
use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::needs::{ClaimRow, Item, NeedQuery, NeedView, SheetQuery};
use hearth_core::Invalid;
use hearth_core::need::NeedInput;
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The need and catalogue routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(items))
        .routes(routes!(list, create))
        .routes(routes!(claim_sheet))
        .routes(routes!(get))
        .routes(routes!(approve))
        .routes(routes!(return_for_changes))
        .routes(routes!(resubmit))
        .routes(routes!(cancel))
        .routes(routes!(claim))
        .routes(routes!(release))
}

// ---------------------------------------------------------------------------------------------
// What comes in

/// A need as recorded. Fill `item` and `quantity` for `item`, `cash` for `cash`, `service` (and
/// optionally `quantity` as times) for `service`; fields of another kind must stay empty.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NeedIn {
    /// The household's id (an approved household in your area).
    pub household: String,
    /// The campaign's id or code, e.g. `2024-NDXD` (launched).
    pub campaign: String,
    /// `item`, `cash` or `service`.
    pub kind: String,
    /// A catalogue code from `/items`, e.g. `quilt`.
    pub item: String,
    /// Units of the item (1–999), or times of the service (blank is once).
    pub quantity: String,
    /// Yuan, e.g. `500` or `500.00`.
    pub cash: String,
    /// `visit`, `repair`, `companionship`, `tutoring`, `other`.
    pub service: String,
    /// `normal`, `urgent` or `critical` (blank is normal).
    pub urgency: String,
    /// Size, circumstances; never ID numbers or phones. Not shown to organizations.
    pub note: String,
    /// For `resubmit`: the version the edit started from.
    pub version: Option<i64>,
}

impl NeedIn {
    fn input(self) -> (NeedInput, Option<i64>) {
        (
            NeedInput {
                household: self.household,
                campaign: self.campaign,
                kind: self.kind,
                item: self.item,
                quantity: self.quantity,
                cash: self.cash,
                service: self.service,
                urgency: self.urgency,
                note: self.note,
            },
            self.version,
        )
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct NeedListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town or village code inside your area (never wider than it).
    pub area: Option<String>,
    /// `submitted`, `returned`, `open`, `claimed`, `fulfilled`, `cancelled`.
    pub status: Option<String>,
    /// `item`, `cash`, `service`.
    pub kind: Option<String>,
    /// A catalogue code.
    pub item: Option<String>,
    /// `normal`, `urgent`, `critical`.
    pub urgency: Option<String>,
    /// A household category code, e.g. `dibao`.
    pub category: Option<String>,
    /// Only this household's needs.
    pub household: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SheetListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A town code.
    pub town: Option<String>,
    /// A household category code, e.g. `elderly_alone`.
    pub category: Option<String>,
    /// `item`, `cash`, `service`.
    pub kind: Option<String>,
    /// A catalogue code.
    pub item: Option<String>,
    /// `normal`, `urgent`, `critical`.
    pub urgency: Option<String>,
    /// `true`: the needs your organization claimed, instead of the open ones.
    pub mine: Option<bool>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// What goes out

/// An entry of the item catalogue. Reference values are demo figures until replaced.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// 床, 件, 袋 …
    pub unit: String,
    pub spec: String,
    /// Yuan per unit, two decimals.
    pub reference_value: String,
}

impl From<&Item> for ItemOut {
    fn from(i: &Item) -> Self {
        ItemOut {
            code: i.code.clone(),
            name: i.name.clone(),
            name_en: i.name_en.clone(),
            unit: i.unit.clone(),
            spec: i.spec.clone(),
            reference_value: i.reference_value.yuan_string(),
        }
    }
}

/// A need as an officer sees it.
#[derive(Serialize, ToSchema)]
pub struct NeedOut {
    pub id: String,
    /// 需求编号, e.g. `2024-NDXD-00012`.
    pub number: String,
    pub campaign_code: String,
    pub campaign_name: String,
    pub household_id: String,
    pub town_name: String,
    pub village_code: String,
    pub village_name: String,
    /// In full for officers; surname and `*` for auditors.
    pub head_name: String,
    /// The household's main category code.
    pub main_category: String,
    /// `item`, `cash`, `service`
    pub kind: String,
    pub item: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    /// Units of the item or times of the service; 0 for cash.
    pub quantity: u32,
    /// Yuan, two decimals (`0.00` unless cash).
    pub cash: String,
    pub service: Option<String>,
    /// Yuan: quantity × reference unit value, or the cash amount.
    pub reference_value: String,
    /// `normal`, `urgent`, `critical`
    pub urgency: String,
    pub note: String,
    /// `submitted` (待审核), `returned`, `open` (待认领), `claimed` (已认领), `fulfilled` (已发放),
    /// `cancelled`
    pub status: String,
    /// A follow-up visit was recorded after delivery (已回访).
    pub visited: bool,
    pub return_reason: String,
    /// The claiming organization's id.
    pub claimed_by: Option<String>,
    pub claimed_by_name: String,
    /// Its contact person and phone.
    pub contact: String,
    pub claimed_at: Option<String>,
    pub fulfilled_at: Option<String>,
    /// You recorded or last changed it, so may not review it (maker-checker).
    pub entered_by_caller: bool,
    pub version: i64,
    pub created_at: String,
}

impl From<&NeedView> for NeedOut {
    fn from(v: &NeedView) -> Self {
        NeedOut {
            id: v.id.to_string(),
            number: v.number.clone(),
            campaign_code: v.campaign_code.clone(),
            campaign_name: v.campaign_name.clone(),
            household_id: v.household_id.to_string(),
            town_name: v.town_name.clone(),
            village_code: v.village_code.clone(),
            village_name: v.village_name.clone(),
            head_name: v.head_name.clone(),
            main_category: v.main_category.clone(),
            kind: v.kind.as_str().to_owned(),
            item: v.item_code.clone(),
            item_name: v.item_name.clone(),
            item_unit: v.item_unit.clone(),
            quantity: v.quantity,
            cash: v.cash.yuan_string(),
            service: v.service.map(|s| s.as_str().to_owned()),
            reference_value: v.reference_value.yuan_string(),
            urgency: v.urgency.as_str().to_owned(),
            note: v.note.clone(),
            status: v.status.as_str().to_owned(),
            visited: v.visited,
            return_reason: v.return_reason.clone(),
            claimed_by: v.claimed_by.map(|o| o.to_string()),
            claimed_by_name: v.claimed_by_name.clone(),
            contact: v.contact.clone(),
            claimed_at: v.claimed_at.map(|t| t.to_rfc3339()),
            fulfilled_at: v.fulfilled_at.map(|t| t.to_rfc3339()),
            entered_by_caller: v.entered_by_caller,
            version: v.version,
            created_at: v.created_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NeedPage {
    pub items: Vec<NeedOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// One line of the claim sheet, masked: no name beyond the surname, no ID number, phone,
/// address or note.
#[derive(Serialize, ToSchema)]
pub struct ClaimRowOut {
    pub id: String,
    pub number: String,
    pub campaign_name: String,
    pub town_name: String,
    pub village_name: String,
    /// The head's surname and `*`.
    pub head: String,
    /// The household's main category code.
    pub main_category: String,
    /// `item`, `cash`, `service`
    pub kind: String,
    pub item: Option<String>,
    pub item_name: String,
    pub item_unit: String,
    pub quantity: u32,
    /// Yuan, two decimals.
    pub cash: String,
    pub service: Option<String>,
    /// Yuan.
    pub reference_value: String,
    /// `normal`, `urgent`, `critical`
    pub urgency: String,
    /// `open`, or `claimed` / `fulfilled` in your own list.
    pub status: String,
    /// Your organization holds it.
    pub claimed_by_us: bool,
    pub claimed_at: Option<String>,
}

impl From<&ClaimRow> for ClaimRowOut {
    fn from(r: &ClaimRow) -> Self {
        ClaimRowOut {
            id: r.id.to_string(),
            number: r.number.clone(),
            campaign_name: r.campaign_name.clone(),
            town_name: r.town_name.clone(),
            village_name: r.village_name.clone(),
            head: r.head.clone(),
            main_category: r.main_category.clone(),
            kind: r.kind.as_str().to_owned(),
            item: r.item_code.clone(),
            item_name: r.item_name.clone(),
            item_unit: r.item_unit.clone(),
            quantity: r.quantity,
            cash: r.cash.yuan_string(),
            service: r.service.map(|s| s.as_str().to_owned()),
            reference_value: r.reference_value.yuan_string(),
            urgency: r.urgency.as_str().to_owned(),
            status: r.status.as_str().to_owned(),
            claimed_by_us: r.claimed_by_us,
            claimed_at: r.claimed_at.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClaimSheetOut {
    pub items: Vec<ClaimRowOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
    /// Your organization is enrolled in a launched campaign (otherwise the sheet is empty).
    pub participating: bool,
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// The item catalogue (active entries).
#[utoipa::path(get, path = "/items", tag = "needs",
    responses((status = 200, body = Vec<ItemOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn items(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Vec<ItemOut>>, ApiError> {
    let items = state.app.items(&signed.caller).await?;
    Ok(Json(items.iter().map(ItemOut::from).collect()))
}

/// Needs in your area (county, town, village, auditor), most urgent and oldest first.
#[utoipa::path(get, path = "/needs", tag = "needs", params(NeedListQuery),
    responses((status = 200, body = NeedPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<NeedListQuery>,
) -> Result<Json<NeedPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = NeedQuery {
        campaign: q.campaign,
        area: q.area,
        status: q.status,
        kind: q.kind,
        item: q.item,
        urgency: q.urgency,
        category: q.category,
        household: q.household,
    };
    let (views, total) = state.app.needs(&signed.caller, &query, page).await?;
    Ok(Json(NeedPage {
        items: views.iter().map(NeedOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// Record a need of an approved household in your area (village or town officer); it waits for
/// the town's review. Every invalid field is named (422); the same item twice in a campaign is
/// refused (409).
#[utoipa::path(post, path = "/needs", tag = "needs", request_body = NeedIn,
    responses((status = 201, body = NeedOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<NeedIn>,
) -> Result<(StatusCode, Json<NeedOut>), ApiError> {
    let (input, _) = body.input();
    let view = state.app.record_need(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(NeedOut::from(&view))))
}

/// The claim sheet (认领表) of your organization: open needs of consenting, approved households
/// in your service areas, in launched campaigns you are enrolled in; masked.
#[utoipa::path(get, path = "/needs/claim-sheet", tag = "needs", params(SheetListQuery),
    responses((status = 200, body = ClaimSheetOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn claim_sheet(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<SheetListQuery>,
) -> Result<Json<ClaimSheetOut>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = SheetQuery {
        campaign: q.campaign,
        town: q.town,
        category: q.category,
        kind: q.kind,
        item: q.item,
        urgency: q.urgency,
        mine: q.mine.unwrap_or(false),
    };
    let sheet = state.app.claim_sheet(&signed.caller, &query, page).await?;
    Ok(Json(ClaimSheetOut {
        items: sheet.rows.iter().map(ClaimRowOut::from).collect(),
        total: sheet.total,
        page: page.number,
        page_size: page.size,
        participating: sheet.participating,
    }))
}

/// One need in your area.
#[utoipa::path(get, path = "/needs/{id}", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, ApiError> {
    let view = state.app.need(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(NeedOut::from(&view)))
}

/// 审核通过: the need goes onto the claim sheet. Never by whoever recorded it.
#[utoipa::path(post, path = "/needs/{id}/approve", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, ApiError> {
    let view = state
        .app
        .approve_need(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(NeedOut::from(&view)))
}

/// 退回: back to the village with a reason.
#[utoipa::path(post, path = "/needs/{id}/return", tag = "needs", params(("id" = String, Path)), request_body = ReasonIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn return_for_changes(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReasonIn>,
) -> Result<Json<NeedOut>, ApiError> {
    let view = state
        .app
        .return_need(&signed.caller, parse_id(&id)?, &body.reason)
        .await?;
    Ok(Json(NeedOut::from(&view)))
}

/// The village fixes a returned need and sends it for review again; send the `version` you
/// read. The household and campaign cannot change.
#[utoipa::path(post, path = "/needs/{id}/resubmit", tag = "needs", params(("id" = String, Path)), request_body = NeedIn,
    responses((status = 200, body = NeedOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn resubmit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<NeedIn>,
) -> Result<Json<NeedOut>, ApiError> {
    let (input, version) = body.input();
    let version =
        version.ok_or_else(|| AppError::from(Invalid::new("version", "field.required")))?;
    let view = state
        .app
        .resubmit_need(&signed.caller, parse_id(&id)?, version, &input)
        .await?;
    Ok(Json(NeedOut::from(&view)))
}

/// 作废: a need no longer wanted, with a reason (a claimed need is released first).
#[utoipa::path(post, path = "/needs/{id}/cancel", tag = "needs", params(("id" = String, Path)), request_body = ReasonIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReasonIn>,
) -> Result<Json<NeedOut>, ApiError> {
    let view = state
        .app
        .cancel_need(&signed.caller, parse_id(&id)?, &body.reason)
        .await?;
    Ok(Json(NeedOut::from(&view)))
}

/// 认领 for your organization. Of several organizations claiming at once exactly one gets 200;
/// the others get 409 `need.already_claimed`.
#[utoipa::path(post, path = "/needs/{id}/claim", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = ClaimRowOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn claim(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<ClaimRowOut>, ApiError> {
    let row = state.app.claim_need(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(ClaimRowOut::from(&row)))
}

/// 取消认领: back on the sheet. By the organization holding it (reason optional) or the county
/// (reason required).
#[utoipa::path(post, path = "/needs/{id}/release", tag = "needs", params(("id" = String, Path)), request_body = ReasonIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn release(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReasonIn>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .release_claim(&signed.caller, parse_id(&id)?, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
