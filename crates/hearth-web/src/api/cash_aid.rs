//! Cash aid (现金发放) over JSON, and the signature images and photos of handovers, cash aid
//! and pledge deliveries. Money the funds do not hold is refused (422 on `amount`, naming what is available); a
//! designated donation that does not name the household is refused (422 on `donation`).
//! Files: `multipart/form-data`, the file in the part `file`, `?purpose=signature` (签名图片)
//! or `handover_photo` (发放照片); JPEG or PNG by content, at most 5 MiB; downloaded through
//! `/attachments/{id}`, never as a page.

use crate::AppState;
use crate::api::attachments::{AttachmentOut, ScanUpload, UPLOAD_BODY_LIMIT, read_upload};
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::attachments::{Owner, Purpose};
use hearth_app::cash_aid::{CashAidQuery, CashAidView};
use hearth_core::delivery::DeliveryInput;
use hearth_core::donation::cash_aid::CashAidInput;
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, record))
        .routes(routes!(get))
        .routes(routes!(upload_handover_file).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .routes(routes!(handover_files))
        .routes(routes!(upload_cash_aid_file).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .routes(routes!(cash_aid_files))
        .routes(routes!(upload_delivery_file).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
        .routes(routes!(delivery_files))
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CashAidIn {
    /// A campaign id or code.
    pub campaign: String,
    /// An approved household in a town whose station you keep.
    pub household: String,
    /// Yuan.
    pub amount: String,
    /// A designated cash donation (number or id) whose money pays; blank for the most specific
    /// funds that may pay for this household.
    pub donation: String,
    /// An open cash need of the household this meets, if any.
    pub need: String,
    /// A cash line of a pledge handed over through the town this delivers, if any.
    pub pledge_line: String,
    /// `2024-12-20`; not in the future.
    pub delivered_on: String,
    /// `head` (户主本人, blank) or `proxy` (代领).
    pub recipient: String,
    pub proxy_name: String,
    /// `spouse`, `child`, `parent`, `sibling`, `relative`, `village_cadre` or `other`.
    pub proxy_relationship: String,
    /// 经办人.
    pub handler: String,
    /// The name signed.
    pub signed_name: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct CashAidOut {
    pub id: String,
    /// 现金发放单号, e.g. `NDXD-DEMO-C0001`.
    pub number: String,
    pub campaign_code: String,
    pub household_id: String,
    pub town_name: String,
    pub village_name: String,
    pub head_name: String,
    /// Yuan.
    pub amount: String,
    /// Whose funds paid: `campaign`, `town:<code>`, `pledge:<id>` or `household:<id>`.
    pub designation: String,
    /// The town's name or the pledge's number the designation names.
    pub designated_to: String,
    pub need_id: Option<String>,
    pub pledge_line_id: Option<String>,
    pub delivery_id: Option<String>,
    pub delivered_on: String,
    pub recipient: String,
    pub proxy_name: String,
    pub proxy_relationship: Option<String>,
    pub handler: String,
    pub signed_name: String,
    pub note: String,
    /// The ledger entry that booked it.
    pub entry_seq: i64,
}

impl From<&CashAidView> for CashAidOut {
    fn from(c: &CashAidView) -> Self {
        CashAidOut {
            id: c.id.to_string(),
            number: c.number.clone(),
            campaign_code: c.campaign_code.clone(),
            household_id: c.household_id.to_string(),
            town_name: c.town_name.clone(),
            village_name: c.village_name.clone(),
            head_name: c.head_name.clone(),
            amount: c.amount.yuan_string(),
            designation: c.designation.designation.to_string(),
            designated_to: c.designation.target.clone(),
            need_id: c.need_id.map(|n| n.to_string()),
            pledge_line_id: c.pledge_line_id.map(|n| n.to_string()),
            delivery_id: c.delivery_id.map(|n| n.to_string()),
            delivered_on: c.given_on.to_string(),
            recipient: c.recipient.as_str().to_owned(),
            proxy_name: c.proxy_name.clone(),
            proxy_relationship: c.proxy_relationship.map(|r| r.as_str().to_owned()),
            handler: c.handler.clone(),
            signed_name: c.signed_name.clone(),
            note: c.note.clone(),
            entry_seq: c.entry_seq,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CashAidPage {
    pub items: Vec<CashAidOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CashAidListQuery {
    /// A campaign id or code.
    pub campaign: Option<String>,
    /// A household's id.
    pub household: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

/// Cash aid to households in your area, the latest first.
#[utoipa::path(get, path = "/cash-aid", tag = "stock", params(CashAidListQuery),
    responses((status = 200, body = CashAidPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<CashAidListQuery>,
) -> Result<Json<CashAidPage>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let query = CashAidQuery {
        campaign: q.campaign,
        household: q.household,
    };
    let (views, total) = state.app.cash_aids(&signed.caller, &query, page).await?;
    Ok(Json(CashAidPage {
        items: views.iter().map(CashAidOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// 现金发放: hands campaign money to an approved household, booked in the ledger. The funds
/// must hold the amount (422 on `amount` naming what is available) and a designated donation
/// must name this household, its pledge or its town (422 on `donation`).
#[utoipa::path(post, path = "/cash-aid", tag = "stock", request_body = CashAidIn,
    responses((status = 201, body = CashAidOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<CashAidIn>,
) -> Result<(StatusCode, Json<CashAidOut>), ApiError> {
    let input = CashAidInput {
        campaign: body.campaign,
        household: body.household,
        amount: body.amount,
        donation: body.donation,
        need: body.need,
        pledge_line: body.pledge_line,
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
    let view = state.app.record_cash_aid(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(CashAidOut::from(&view))))
}

/// One cash aid paper in your area.
#[utoipa::path(get, path = "/cash-aid/{id}", tag = "stock", params(("id" = String, Path)),
    responses((status = 200, body = CashAidOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<CashAidOut>, ApiError> {
    let view = state.app.cash_aid(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(CashAidOut::from(&view)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// `signature` (签名图片) or `handover_photo` (发放照片).
    pub purpose: String,
}

async fn attach(
    state: &AppState,
    signed: &Signed,
    owner: Owner,
    raw_purpose: &str,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let purpose = Purpose::of_handover(raw_purpose).map_err(AppError::from)?;
    let upload = read_upload(multipart).await?;
    let info = state
        .app
        .attach(&signed.caller, owner, purpose, &upload)
        .await?;
    Ok((StatusCode::CREATED, Json(AttachmentOut::from(&info))))
}

async fn files(
    state: &AppState,
    signed: &Signed,
    owner: Owner,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    let list = state.app.attachments(&signed.caller, owner).await?;
    Ok(Json(list.iter().map(AttachmentOut::from).collect()))
}

/// Upload the signature image or a photo of a handover (whoever keeps the household's town
/// station). JPEG or PNG by content, at most 5 MiB, else 422 naming `file`. Audited.
#[utoipa::path(post, path = "/distributions/{id}/files", tag = "stock", params(("id" = String, Path), FileParams),
    request_body(content = inline(ScanUpload), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn upload_handover_file(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<FileParams>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let owner = Owner::Distribution(parse_id(&id)?);
    attach(&state, &signed, owner, &q.purpose, multipart).await
}

/// The signature images and photos of a handover (county and town officers).
#[utoipa::path(get, path = "/distributions/{id}/files", tag = "stock", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn handover_files(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    files(&state, &signed, Owner::Distribution(parse_id(&id)?)).await
}

/// Upload the signature image or a photo of a cash aid paper; as for handovers.
#[utoipa::path(post, path = "/cash-aid/{id}/files", tag = "stock", params(("id" = String, Path), FileParams),
    request_body(content = inline(ScanUpload), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn upload_cash_aid_file(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<FileParams>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let owner = Owner::CashAid(parse_id(&id)?);
    attach(&state, &signed, owner, &q.purpose, multipart).await
}

/// The signature images and photos of a cash aid paper (county and town officers).
#[utoipa::path(get, path = "/cash-aid/{id}/files", tag = "stock", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn cash_aid_files(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    files(&state, &signed, Owner::CashAid(parse_id(&id)?)).await
}

/// Upload the signature image or a photo of a pledge's delivery (whoever may record deliveries
/// of its pledge); as for handovers.
#[utoipa::path(post, path = "/deliveries/{id}/files", tag = "deliveries", params(("id" = String, Path), FileParams),
    request_body(content = inline(ScanUpload), content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn upload_delivery_file(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<FileParams>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let owner = Owner::Delivery(parse_id(&id)?);
    attach(&state, &signed, owner, &q.purpose, multipart).await
}

/// The signature images and photos of a pledge's delivery (county, town and village officers
/// of its area).
#[utoipa::path(get, path = "/deliveries/{id}/files", tag = "deliveries", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn delivery_files(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    files(&state, &signed, Owner::Delivery(parse_id(&id)?)).await
}
