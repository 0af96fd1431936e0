//! Donations (捐赠) over JSON: record a cash or in-kind gift (booked in the ledger at once),
//! list and read those in your scope. Hearth records money; it never takes payments. Each
//! donation carries the verification code printed on its acknowledgement; the public page
//! `/verify/{code}` needs no sign-in.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::donations::{DonationQuery, DonationView};
use hearth_core::donation::{DonationInput, DonationKind, GiftLineInput};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The donation routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get))
}

/// One line of donated goods.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GiftLineIn {
    /// A catalogue code (`quilt`, `rice` …).
    pub item: String,
    pub quantity: String,
    /// Yuan per unit; blank takes the catalogue's reference value.
    pub unit_value: String,
    /// `new`, `good` or `used`; blank is new.
    pub condition: String,
}

/// A donation as the bureau records it.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DonationIn {
    /// The campaign's id or code.
    pub campaign: String,
    /// `cash` or `in_kind`.
    pub kind: String,
    /// `organization`, `person` or `anonymous`.
    pub donor_kind: String,
    /// An organization of the registry (its id); or leave empty and give `donor_name`.
    pub organization: String,
    pub donor_name: String,
    /// `yes` when the donor agreed to be named in public; blank is no.
    pub public_name: String,
    /// Yuan, for cash, and `bank_transfer`, `wechat`, `alipay`, `cheque`, `cash` or `other`.
    pub amount: String,
    pub channel: String,
    /// `2024-12-20`; not in the future.
    pub received_on: String,
    /// 公益事业捐赠票据号, if a receipt was issued.
    pub receipt_number: String,
    /// `campaign` (blank), `town`, `pledge` or `household` (officers only).
    pub designation: String,
    /// The town's name or area code, the pledge's number, or the household's id.
    pub designated_to: String,
    /// For goods: the receiving station's area code (the county's for its warehouse); blank
    /// is your own.
    pub station: String,
    pub lines: Vec<GiftLineIn>,
    pub note: String,
}

impl DonationIn {
    fn input(self) -> DonationInput {
        DonationInput {
            campaign: self.campaign,
            kind: self.kind,
            donor_kind: self.donor_kind,
            organization: self.organization,
            donor_name: self.donor_name,
            public_name: self.public_name,
            amount: self.amount,
            channel: self.channel,
            received_on: self.received_on,
            receipt_number: self.receipt_number,
            designation: self.designation,
            designated_to: self.designated_to,
            station: self.station,
            lines: self
                .lines
                .into_iter()
                .map(|l| GiftLineInput {
                    item: l.item,
                    quantity: l.quantity,
                    unit_value: l.unit_value,
                    condition: l.condition,
                })
                .collect(),
            note: self.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GiftLineOut {
    pub item: String,
    pub item_name: String,
    pub unit: String,
    pub quantity: u32,
    /// Yuan, two decimals.
    pub unit_value: String,
    pub value: String,
    /// `new`, `good` or `used`
    pub condition: String,
    /// Units handed to households so far (first in, first out).
    pub reached: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DonationOut {
    pub id: String,
    /// 捐赠编号, e.g. `JZ-NDXD-DEMO-0001`.
    pub number: String,
    pub campaign_code: String,
    pub campaign_name: String,
    /// `cash` or `in_kind`
    pub kind: String,
    /// `organization`, `person` or `anonymous`
    pub donor_kind: String,
    pub organization_id: Option<String>,
    pub donor_name: String,
    pub public_name: bool,
    /// Yuan, two decimals: the cash, or the goods' valuation.
    pub amount: String,
    pub amount_capitals: String,
    pub channel: Option<String>,
    pub received_on: String,
    pub receipt_number: Option<String>,
    /// `campaign`, `town`, `pledge` or `household`
    pub designation: String,
    /// The town's name or the pledge's number; for a household, its village and masked head
    /// to officers, empty to anyone else.
    pub designated_to: String,
    pub station: Option<String>,
    pub station_name: String,
    /// Printed on the acknowledgement; opens `/verify/{code}`.
    pub verification_code: String,
    /// Yuan that reached households so far.
    pub reached: String,
    pub lines: Vec<GiftLineOut>,
    pub note: String,
    pub created_at: String,
    /// The day it was reversed (冲销) as recorded wrongly, and why; absent otherwise.
    pub corrected_on: Option<String>,
    pub correction_reason: Option<String>,
    /// Its money moved to other designations with the donor's consent, in yuan each.
    pub reallocated: Vec<String>,
}

impl From<&DonationView> for DonationOut {
    fn from(d: &DonationView) -> Self {
        DonationOut {
            id: d.id.to_string(),
            number: d.number.clone(),
            campaign_code: d.campaign_code.clone(),
            campaign_name: d.campaign_name.clone(),
            kind: d.kind.as_str().to_owned(),
            donor_kind: d.donor_kind.as_str().to_owned(),
            organization_id: d.organization_id.map(|o| o.to_string()),
            donor_name: d.donor_name.clone(),
            public_name: d.public_name,
            amount: d.amount.yuan_string(),
            amount_capitals: d.amount_capitals.clone(),
            channel: d.channel.map(|c| c.as_str().to_owned()),
            received_on: d.received_on.to_string(),
            receipt_number: d.receipt_number.clone(),
            designation: d.designation.kind.as_str().to_owned(),
            designated_to: d.designation.target.clone(),
            station: d.station.as_ref().map(|s| s.to_string()),
            station_name: d.station_name.clone(),
            verification_code: d.verification_code.to_string(),
            reached: d.reached.yuan_string(),
            lines: d
                .lines
                .iter()
                .map(|l| GiftLineOut {
                    item: l.item.clone(),
                    item_name: l.item_name.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity,
                    unit_value: l.unit_value.yuan_string(),
                    value: l.value.yuan_string(),
                    condition: l.condition.as_str().to_owned(),
                    reached: l.reached,
                })
                .collect(),
            note: d.note.clone(),
            corrected_on: d.correction.as_ref().map(|c| c.corrected_on.to_string()),
            correction_reason: d.correction.as_ref().map(|c| c.reason.clone()),
            reallocated: d
                .reallocations
                .iter()
                .map(|r| r.amount.yuan_string())
                .collect(),
            created_at: d.created_at.to_rfc3339(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DonationListQuery {
    /// Part of the number, the donor's name or the receipt number.
    pub q: Option<String>,
    /// `cash` or `in_kind`.
    pub kind: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct DonationPageOut {
    pub items: Vec<DonationOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// 登记捐赠: the county any donation; a town goods received at its own station. Booked in the
/// ledger in the same transaction; every refusal names its field.
#[utoipa::path(post, path = "/donations", tag = "donations", request_body = DonationIn,
    responses((status = 201, body = DonationOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<DonationIn>,
) -> Result<(StatusCode, Json<DonationOut>), ApiError> {
    let view = state
        .app
        .record_donation(&signed.caller, &body.input())
        .await?;
    Ok((StatusCode::CREATED, Json(DonationOut::from(&view))))
}

/// Donations in your scope (county and auditors all; a town those received at its station or
/// designated to it; an organization its own), the latest first.
#[utoipa::path(get, path = "/donations", tag = "donations", params(DonationListQuery),
    responses((status = 200, body = DonationPageOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<DonationListQuery>,
) -> Result<Json<DonationPageOut>, ApiError> {
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(DonationKind::parse(k)?),
        None => None,
    };
    let page = PageRequest::new(q.page, q.page_size);
    let query = DonationQuery {
        text: q.q.unwrap_or_default(),
        kind,
    };
    let found = state.app.donations(&signed.caller, &query, page).await?;
    Ok(Json(DonationPageOut {
        items: found.rows.iter().map(DonationOut::from).collect(),
        total: found.total,
        page: page.number,
        page_size: page.size,
    }))
}

/// One donation in your scope, with how much of it has reached households.
#[utoipa::path(get, path = "/donations/{id}", tag = "donations", params(("id" = String, Path)),
    responses((status = 200, body = DonationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<DonationOut>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    Ok(Json(DonationOut::from(
        &state.app.donation(&signed.caller, id).await?,
    )))
}
