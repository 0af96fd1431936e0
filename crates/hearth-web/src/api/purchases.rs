//! Purchases (采购) paid from campaign funds over JSON: record one (booked in the ledger at once;
//! refused with the ledger's reason when the designation's cash does not cover it or may not pay
//! for that station), list and read those in your scope.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::purchases::PurchaseView;
use hearth_core::purchase::{PurchaseInput, PurchaseLineInput};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The purchase routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PurchaseLineIn {
    /// A catalogue code.
    pub item: String,
    pub quantity: String,
    /// Yuan per unit, as on the invoice.
    pub unit_price: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PurchaseIn {
    /// The campaign's id or code.
    pub campaign: String,
    pub supplier: String,
    /// 发票号码; once per supplier.
    pub invoice_number: String,
    /// `2024-12-20`; not in the future.
    pub purchased_on: String,
    /// The receiving station's area code; blank is the county warehouse.
    pub station: String,
    /// Whose funds: `campaign` (blank), `town` or `pledge`.
    pub designation: String,
    /// The town's name or area code, or the pledge's number.
    pub designated_to: String,
    pub lines: Vec<PurchaseLineIn>,
    pub note: String,
}

impl PurchaseIn {
    fn input(self) -> PurchaseInput {
        PurchaseInput {
            campaign: self.campaign,
            supplier: self.supplier,
            invoice_number: self.invoice_number,
            purchased_on: self.purchased_on,
            station: self.station,
            designation: self.designation,
            designated_to: self.designated_to,
            lines: self
                .lines
                .into_iter()
                .map(|l| PurchaseLineInput {
                    item: l.item,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                })
                .collect(),
            note: self.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseLineOut {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: u32,
    /// Yuan, two decimals.
    pub unit_price: String,
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct PurchaseOut {
    pub id: String,
    /// 采购编号, e.g. `CG-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_code: String,
    pub campaign_name: String,
    pub supplier: String,
    pub invoice_number: String,
    pub purchased_on: String,
    pub station: String,
    pub station_name: String,
    /// `campaign`, `town` or `pledge`
    pub designation: String,
    /// The town's name or the pledge's number.
    pub designated_to: String,
    /// Yuan, two decimals, and in Chinese capitals.
    pub amount: String,
    pub amount_capitals: String,
    pub lines: Vec<PurchaseLineOut>,
    pub note: String,
    pub created_at: String,
}

impl From<&PurchaseView> for PurchaseOut {
    fn from(p: &PurchaseView) -> Self {
        PurchaseOut {
            id: p.id.to_string(),
            number: p.number.clone(),
            campaign_code: p.campaign_code.clone(),
            campaign_name: p.campaign_name.clone(),
            supplier: p.supplier.clone(),
            invoice_number: p.invoice_number.clone(),
            purchased_on: p.purchased_on.to_string(),
            station: p.station.to_string(),
            station_name: p.station_name.clone(),
            designation: p.designation.kind.as_str().to_owned(),
            designated_to: p.designation.target.clone(),
            amount: p.amount.yuan_string(),
            amount_capitals: p.amount_capitals.clone(),
            lines: p
                .lines
                .iter()
                .map(|l| PurchaseLineOut {
                    item: l.item.clone(),
                    item_name: l.item_name.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price.yuan_string(),
                    value: l.value.yuan_string(),
                })
                .collect(),
            note: p.note.clone(),
            created_at: p.created_at.to_rfc3339(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PurchaseListQuery {
    /// Part of the number, the supplier or the invoice number.
    pub q: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct PurchasePageOut {
    pub items: Vec<PurchaseOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// 登记采购 (the county): one `purchase` entry and a `purchase` movement per line into the
/// station's stock. Refused (422) when the designation's cash does not cover it, naming what is
/// available, or when the designation may not pay for that station.
#[utoipa::path(post, path = "/purchases", tag = "purchases", request_body = PurchaseIn,
    responses((status = 201, body = PurchaseOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<PurchaseIn>,
) -> Result<(StatusCode, Json<PurchaseOut>), ApiError> {
    let view = state
        .app
        .record_purchase(&signed.caller, &body.input())
        .await?;
    Ok((StatusCode::CREATED, Json(PurchaseOut::from(&view))))
}

/// Purchases in your scope (county and auditors all; a town those for its station or paid from
/// its designated funds), the latest first.
#[utoipa::path(get, path = "/purchases", tag = "purchases", params(PurchaseListQuery),
    responses((status = 200, body = PurchasePageOut), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PurchaseListQuery>,
) -> Result<Json<PurchasePageOut>, ApiError> {
    let page = PageRequest::new(q.page, q.page_size);
    let found = state
        .app
        .purchases(&signed.caller, q.q.as_deref().unwrap_or(""), page)
        .await?;
    Ok(Json(PurchasePageOut {
        items: found.rows.iter().map(PurchaseOut::from).collect(),
        total: found.total,
        page: page.number,
        page_size: page.size,
    }))
}

/// One purchase in your scope.
#[utoipa::path(get, path = "/purchases/{id}", tag = "purchases", params(("id" = String, Path)),
    responses((status = 200, body = PurchaseOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<PurchaseOut>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    Ok(Json(PurchaseOut::from(
        &state.app.purchase(&signed.caller, id).await?,
    )))
}
