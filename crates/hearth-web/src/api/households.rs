//! The household registry over JSON: list and search, register and edit, the review workflow
//! (提交, 撤回, 审核通过, 退回; 提交 and 审核通过 also in bulk), the logged reveal of masked
//! details, history and score.
//!
//! Everything is masked by role exactly as the use cases return it; the only unmasked answer is
//! `POST /households/{id}/reveal`, which needs a permitted role and a reason and is audited.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody, ErrorDetail, details};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::households::bulk::{BulkAction, BulkReport};
use hearth_app::households::{HouseholdQuery, HouseholdView, Revealed};
use hearth_core::Invalid;
use hearth_core::household::{CategoryTagInput, ConsentInput, HouseholdInput, MemberInput};
use hearth_store::organizations::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The household routes, merged into `/api/v1` by `api::router`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(review))
        .routes(routes!(get, update))
        .routes(routes!(submit))
        .routes(routes!(withdraw))
        .routes(routes!(approve))
        .routes(routes!(return_for_changes))
        .routes(routes!(withdraw_consent))
        .routes(routes!(reveal))
        .routes(routes!(history))
        .routes(routes!(score))
}

// ---------------------------------------------------------------------------------------------
// What comes in

/// A member of the household. Sex and birth date follow from the ID number.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MemberIn {
    pub name: String,
    /// 18 characters (a 15-digit first-generation number is upgraded).
    pub id_number: String,
    /// `head`, `spouse`, `child`, `parent`, `grandchild`, `grandparent`, `sibling`, `other`
    /// (or the Chinese label). May be blank for member 0, who is the head.
    pub relation: String,
    /// 残疾人证号: the 18-character ID number, the kind digit and the grade digit.
    pub disability_certificate: String,
    /// `visual`, `hearing`, `speech`, `physical`, `intellectual`, `mental`, `multiple`.
    pub disability_kind: String,
    /// 1–4 (一级 … 四级).
    pub disability_grade: String,
    pub health_note: String,
}

/// One category the household carries, with where it was verified.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CategoryTagIn {
    /// A category code such as `dibao`, or its label.
    pub category: String,
    /// Where the status is recorded, e.g. 民政系统.
    pub source: String,
    pub verified_by: String,
    /// `2024-12-20`, `2024年12月20日` …; not in the future.
    pub verified_on: String,
    /// Blank when open-ended.
    pub valid_until: String,
}

/// The signed consent form (知情同意书). Leave every field blank while there is none yet.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConsentIn {
    pub version: String,
    pub signed_on: String,
    /// `share_with_organizations`, `photos`, `follow_up_visits`, `publicity_anonymous`.
    pub scopes: Vec<String>,
    pub signer: String,
    /// Required when a member is under 14.
    pub guardian: String,
    /// Reference of the scanned signed form.
    pub scan_attachment: String,
    pub withdrawn_on: String,
}

/// A household as registered or edited. Member 0 is the head. Errors name their path, e.g.
/// `members[2].id_number` or `categories[0].verified_on`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct HouseholdIn {
    pub members: Vec<MemberIn>,
    pub address: String,
    /// The village's 12-digit statistical code.
    pub village: String,
    pub phone: String,
    pub categories: Vec<CategoryTagIn>,
    /// One of the tagged categories; may be blank when there is exactly one.
    pub main_category: String,
    /// `illness`, `disability`, `schooling`, `disaster`, `lack_of_labour`.
    pub causes: Vec<String>,
    pub consent: ConsentIn,
    pub note: String,
    /// Required on update: the version the edit started from.
    pub version: Option<i64>,
}

impl HouseholdIn {
    fn input(self) -> (HouseholdInput, Option<i64>) {
        let input = HouseholdInput {
            members: self
                .members
                .into_iter()
                .map(|m| MemberInput {
                    name: m.name,
                    id_number: m.id_number,
                    relation: m.relation,
                    disability_certificate: m.disability_certificate,
                    disability_kind: m.disability_kind,
                    disability_grade: m.disability_grade,
                    health_note: m.health_note,
                })
                .collect(),
            address: self.address,
            village: self.village,
            phone: self.phone,
            categories: self
                .categories
                .into_iter()
                .map(|c| CategoryTagInput {
                    category: c.category,
                    source: c.source,
                    verified_by: c.verified_by,
                    verified_on: c.verified_on,
                    valid_until: c.valid_until,
                })
                .collect(),
            main_category: self.main_category,
            causes: self.causes,
            consent: ConsentInput {
                version: self.consent.version,
                signed_on: self.consent.signed_on,
                scopes: self.consent.scopes,
                signer: self.consent.signer,
                guardian: self.consent.guardian,
                scan_attachment: self.consent.scan_attachment,
                withdrawn_on: self.consent.withdrawn_on,
            },
            note: self.note,
        };
        (input, self.version)
    }
}

/// A reason typed by a person: why a record is returned, or why details are shown in full.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReasonIn {
    pub reason: String,
}

/// Households to submit or approve together.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReviewIn {
    /// Household ids, 1 to 500; an id given twice counts once.
    pub ids: Vec<String>,
    /// `submit` (提交: drafts and returned records, by village officers) or `approve` (审核通过:
    /// submitted records, by town officers and the county).
    pub action: String,
}

impl ReviewIn {
    fn parse(&self) -> Result<(Vec<Uuid>, BulkAction), AppError> {
        let ids = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                Uuid::parse_str(raw.trim()).map_err(|_| {
                    Invalid::new(format!("ids[{i}]"), "household.bulk_id").arg("value", raw)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((ids, BulkAction::parse(&self.action)?))
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct HouseholdListQuery {
    /// Households in this area (12-digit code of a village, town or the county); never wider
    /// than the caller's own area.
    pub area: Option<String>,
    /// `draft`, `submitted`, `approved`, `returned`, `archived`.
    pub status: Option<String>,
    /// Carries this category among its tags (code or label).
    pub category: Option<String>,
    /// `yes` or `no`: consented to sharing with organizations.
    pub consent: Option<String>,
    /// Part of a member's name.
    pub name: Option<String>,
    /// A full ID number or phone (exact match through the blind index), or the last four
    /// characters of a member's ID number or of the phone.
    pub number: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

impl HouseholdListQuery {
    fn query(&self) -> HouseholdQuery {
        HouseholdQuery {
            area: self.area.clone(),
            status: self.status.clone(),
            category: self.category.clone(),
            consent: self.consent.clone(),
            name: self.name.clone(),
            number: self.number.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What goes out

/// A member as the caller may see them.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    /// In full for officers; surname and `*` for auditors and organizations.
    pub name: String,
    pub relation: String,
    /// `male` or `female`
    pub sex: String,
    pub birth_year: i64,
    /// `**************1234`; empty for organizations.
    pub id_number: String,
}

/// A household masked as the caller's role requires.
#[derive(Serialize, ToSchema)]
pub struct HouseholdOut {
    pub id: String,
    pub village_code: String,
    pub village_name: String,
    pub town_name: String,
    /// `draft`, `submitted`, `approved`, `returned`, `archived`
    pub status: String,
    /// In full for officers; surname and `*` for auditors and organizations.
    pub head_name: String,
    /// `340123********1234`; empty for organizations.
    pub head_id: String,
    /// `*******1234`; empty for organizations or when none was given.
    pub phone: String,
    /// In full for officers; the village only for auditors and organizations.
    pub address: String,
    /// Category code, e.g. `dibao`; empty when there is none yet.
    pub main_category: String,
    pub categories: Vec<String>,
    /// Consented to sharing with organizations (in force today).
    pub shares_with_orgs: bool,
    pub member_count: i64,
    /// Vulnerability score 0–100 (see `/households/{id}/score`).
    pub score: i64,
    /// Why the town returned the record (empty unless returned).
    pub return_reason: String,
    /// Send back with an edit; a stale version is refused with 409.
    pub version: i64,
    /// The caller entered this record, so may not approve or return it (maker-checker).
    pub entered_by_caller: bool,
    pub updated_at: String,
    /// Empty in lists; filled for one household.
    pub members: Vec<MemberOut>,
}

impl From<&HouseholdView> for HouseholdOut {
    fn from(v: &HouseholdView) -> Self {
        HouseholdOut {
            id: v.id.to_string(),
            village_code: v.village_code.clone(),
            village_name: v.village_name.clone(),
            town_name: v.town_name.clone(),
            status: v.status.clone(),
            head_name: v.head_name.clone(),
            head_id: v.head_id.clone(),
            phone: v.phone.clone(),
            address: v.address.clone(),
            main_category: v.main_category.clone(),
            categories: v.categories.clone(),
            shares_with_orgs: v.shares_with_orgs,
            member_count: v.member_count,
            score: v.score,
            return_reason: v.return_reason.clone(),
            version: v.version,
            entered_by_caller: v.entered_by_caller,
            updated_at: v.updated_at.to_rfc3339(),
            members: v
                .members
                .iter()
                .map(|m| MemberOut {
                    name: m.name.clone(),
                    relation: m.relation.clone(),
                    sex: m.sex.clone(),
                    birth_year: m.birth_year,
                    id_number: m.id_number.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdPage {
    pub items: Vec<HouseholdOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// A household the step refused and left as it was.
#[derive(Serialize, ToSchema)]
pub struct ReviewRefusalOut {
    pub id: String,
    /// Why, as a single request would have answered: e.g. `household.consent_missing` naming
    /// `consent`, `household.maker_checker`, `household.cannot_review`, or `not_found` for a
    /// household outside the caller's area.
    pub errors: Vec<ErrorDetail>,
}

/// What a bulk step did.
#[derive(Serialize, ToSchema)]
pub struct ReviewReportOut {
    /// `submit` or `approve`
    pub action: String,
    /// How many households were submitted or approved.
    pub done: usize,
    pub done_ids: Vec<String>,
    pub refused: Vec<ReviewRefusalOut>,
}

impl From<&BulkReport> for ReviewReportOut {
    fn from(report: &BulkReport) -> Self {
        ReviewReportOut {
            action: report.action.as_str().to_owned(),
            done: report.done.len(),
            done_ids: report.done.iter().map(Uuid::to_string).collect(),
            refused: report
                .refused
                .iter()
                .map(|r| ReviewRefusalOut {
                    id: r.id.to_string(),
                    errors: details(&r.error),
                })
                .collect(),
        }
    }
}

/// A member unmasked.
#[derive(Serialize, ToSchema)]
pub struct RevealedMemberOut {
    pub name: String,
    pub id_number: String,
    pub relation: String,
    pub disability_certificate: String,
    pub disability_kind: String,
    pub disability_grade: String,
    pub health_note: String,
}

/// The unmasked details, for the one request that asked with a reason (audited as
/// `household_revealed`). Do not store or forward.
#[derive(Serialize, ToSchema)]
pub struct RevealedOut {
    pub phone: String,
    pub address: String,
    pub members: Vec<RevealedMemberOut>,
    pub consent_signer: String,
    pub consent_guardian: String,
}

impl From<Revealed> for RevealedOut {
    fn from(r: Revealed) -> Self {
        RevealedOut {
            phone: r.phone,
            address: r.address,
            members: r
                .members
                .into_iter()
                .map(|m| RevealedMemberOut {
                    name: m.name,
                    id_number: m.id_number,
                    relation: m.relation,
                    disability_certificate: m.disability_certificate,
                    disability_kind: m.disability_kind,
                    disability_grade: m.disability_grade,
                    health_note: m.health_note,
                })
                .collect(),
            consent_signer: r.consent_signer,
            consent_guardian: r.consent_guardian,
        }
    }
}

/// One line of how the score was reached.
#[derive(Serialize, ToSchema)]
pub struct ScoreLineOut {
    pub points: u32,
    pub text_zh: String,
    pub text_en: String,
}

/// The vulnerability score as of today, with its explanation.
#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    /// The sum of the lines, at most 100.
    pub total: u32,
    /// The lines add up to more than 100.
    pub capped: bool,
    pub lines: Vec<ScoreLineOut>,
}

/// One recorded event of the household.
#[derive(Serialize, ToSchema)]
pub struct HouseholdHistoryEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    /// e.g. `household_created`, `household_submit`, `household_return`, `household_revealed`.
    pub action: String,
    /// JSON object: `fields` lists the parts of the form that changed (names, never values);
    /// `status` is the status reached.
    pub detail: serde_json::Value,
    /// The return reason, or the reason given for showing details in full.
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Households the caller may see, most vulnerable first, masked by role.
#[utoipa::path(get, path = "/households", tag = "households", params(HouseholdListQuery),
    responses((status = 200, body = HouseholdPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<HouseholdListQuery>,
) -> Result<Json<HouseholdPage>, ApiError> {
    let page = PageRequest::new(query.page, query.page_size);
    let (views, total) = state
        .app
        .households(&signed.caller, &query.query(), page)
        .await?;
    Ok(Json(HouseholdPage {
        items: views.iter().map(HouseholdOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// Register a household as a draft (village or town officer). An ID number already registered
/// is refused with 409 naming the village and the masked head; every invalid field with 422.
#[utoipa::path(post, path = "/households", tag = "households", request_body = HouseholdIn,
    responses((status = 201, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<HouseholdIn>,
) -> Result<(StatusCode, Json<HouseholdOut>), ApiError> {
    let (input, _) = body.input();
    let view = state.app.register_household(&signed.caller, &input).await?;
    Ok((StatusCode::CREATED, Json(HouseholdOut::from(&view))))
}

/// One household with its members, masked by role.
#[utoipa::path(get, path = "/households/{id}", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = HouseholdOut), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let view = state.app.household(&signed.caller, parse_id(&id)?).await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// Edit a draft or returned household; send the `version` you read. The whole household is
/// replaced by the body.
#[utoipa::path(put, path = "/households/{id}", tag = "households", params(("id" = String, Path)), request_body = HouseholdIn,
    responses((status = 200, body = HouseholdOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<HouseholdIn>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let id = parse_id(&id)?;
    let (input, version) = body.input();
    let version =
        version.ok_or_else(|| AppError::from(Invalid::new("version", "field.required")))?;
    let view = state
        .app
        .update_household(&signed.caller, id, version, &input)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// 提交: send a draft or returned household to the town for review. Refused with 422 naming
/// what is missing (consent, categories).
#[utoipa::path(post, path = "/households/{id}/submit", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let view = state
        .app
        .submit_household(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// 批量提交 or 批量审核通过: each household goes through the same step as its single route, in
/// its own transaction, so one refused household holds back none of the others; the answer
/// lists each refused one with its reason. An empty list or more than 500 ids is refused with
/// 422 naming `ids`; a caller without the permission with 403. 退回 has no bulk form: each needs
/// its own reason.
#[utoipa::path(post, path = "/households/review", tag = "households", request_body = ReviewIn,
    responses((status = 200, body = ReviewReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<ReviewIn>,
) -> Result<Json<ReviewReportOut>, ApiError> {
    let (ids, action) = body.parse()?;
    let report = state
        .app
        .review_households(&signed.caller, &ids, action)
        .await?;
    Ok(Json(ReviewReportOut::from(&report)))
}

/// 撤回: take a submitted household back before it is reviewed.
#[utoipa::path(post, path = "/households/{id}/withdraw", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let view = state
        .app
        .withdraw_household(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// 审核通过 (town officer or county admin), never by whoever entered the record (422
/// `household.maker_checker`).
#[utoipa::path(post, path = "/households/{id}/approve", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let view = state
        .app
        .approve_household(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// 退回 with a reason the village sees (required).
#[utoipa::path(post, path = "/households/{id}/return", tag = "households", params(("id" = String, Path)), request_body = ReasonIn,
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn return_for_changes(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReasonIn>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let view = state
        .app
        .return_household(&signed.caller, parse_id(&id)?, &body.reason)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// The date consent was withdrawn (today if left out).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConsentWithdrawalIn {
    /// `2024-12-20`; not in the future.
    pub withdrawn_on: Option<String>,
}

/// 撤回同意: from that day the household is no longer shared with organizations; possible at
/// any status.
#[utoipa::path(post, path = "/households/{id}/consent/withdraw", tag = "households", params(("id" = String, Path)), request_body = ConsentWithdrawalIn,
    responses((status = 200, body = HouseholdOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ConsentWithdrawalIn>,
) -> Result<Json<HouseholdOut>, ApiError> {
    let on = match body
        .withdrawn_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(date) => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            hearth_core::Invalid::new("withdrawn_on", "campaign.date").arg("value", date)
        })?,
        None => hearth_app::today(),
    };
    let view = state
        .app
        .withdraw_household_consent(&signed.caller, parse_id(&id)?, on)
        .await?;
    Ok(Json(HouseholdOut::from(&view)))
}

/// Show ID numbers, phone, disability and health in full. Needs a permitted role (403
/// otherwise) and a reason of at least four characters (422); the view and its reason are
/// written to the audit log.
#[utoipa::path(post, path = "/households/{id}/reveal", tag = "households", params(("id" = String, Path)), request_body = ReasonIn,
    responses((status = 200, body = RevealedOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn reveal(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<ReasonIn>,
) -> Result<(axum::http::HeaderMap, Json<RevealedOut>), ApiError> {
    let revealed = state
        .app
        .reveal_household(&signed.caller, parse_id(&id)?, &body.reason)
        .await?;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok((headers, Json(RevealedOut::from(revealed))))
}

/// Every recorded event of the household, oldest first.
#[utoipa::path(get, path = "/households/{id}/history", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = Vec<HouseholdHistoryEntry>), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<HouseholdHistoryEntry>>, ApiError> {
    let events = state
        .app
        .household_history(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| HouseholdHistoryEntry {
                seq: e.seq,
                at: e.at.to_rfc3339(),
                actor: e.actor_name,
                role: e.role,
                action: e.action,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                reason: e.reason,
            })
            .collect(),
    ))
}

/// How the vulnerability score is made up today (officers who may see the facts behind it).
#[utoipa::path(get, path = "/households/{id}/score", tag = "households", params(("id" = String, Path)),
    responses((status = 200, body = ScoreOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn score(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<ScoreOut>, ApiError> {
    let lines = state
        .app
        .household_score(&signed.caller, parse_id(&id)?)
        .await?;
    let sum: u32 = lines.iter().map(|l| l.points).sum();
    let max = hearth_core::household::score::MAX;
    Ok(Json(ScoreOut {
        total: sum.min(max),
        capped: sum > max,
        lines: lines
            .into_iter()
            .map(|l| ScoreLineOut {
                points: l.points,
                text_zh: l.text_zh,
                text_en: l.text_en,
            })
            .collect(),
    }))
}
