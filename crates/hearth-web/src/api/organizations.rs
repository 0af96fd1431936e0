//! The organization registry over JSON.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hearth_app::AppError;
use hearth_app::organizations::{Filter, Page};
use hearth_core::area::AreaCode;
use hearth_core::organization::{OrgInput, OrgKind, OrgStatus, Organization, ServiceField};
use hearth_core::{Invalid, Notice};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: String,
    pub name: String,
    /// 统一社会信用代码
    pub uscc: String,
    /// `social_group`, `social_service`, `foundation`, `volunteer_team`, `enterprise`, `other`
    pub kind: String,
    pub service_fields: Vec<String>,
    /// 12-digit area codes the organization serves.
    pub service_areas: Vec<String>,
    pub responsible_person: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub address: String,
    pub rating: Option<String>,
    pub note: String,
    /// `active` or `inactive`
    pub status: String,
    /// Send back with an edit; a stale version is refused with 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Organization> for OrganizationOut {
    fn from(o: &Organization) -> Self {
        let p = &o.profile;
        OrganizationOut {
            id: o.id.to_string(),
            name: p.name.clone(),
            uscc: p.uscc.as_str().to_owned(),
            kind: p.kind.as_str().to_owned(),
            service_fields: p
                .service_fields
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            service_areas: p
                .service_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            responsible_person: p.responsible_person.clone(),
            contact_person: p.contact_person.clone(),
            contact_phone: p.contact_phone.clone(),
            address: p.address.clone(),
            rating: p.rating.clone(),
            note: p.note.clone(),
            status: o.status.as_str().to_owned(),
            version: o.version,
            created_at: o.created_at.to_rfc3339(),
            updated_at: o.updated_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationPage {
    pub items: Vec<OrganizationOut>,
    pub total: i64,
    pub page: u64,
    pub page_size: u64,
}

/// An organization as saved, with warnings the user should see (a failing 17th character).
#[derive(Serialize, ToSchema)]
pub struct SavedOrganization {
    pub organization: OrganizationOut,
    pub warnings: Vec<ErrorDetail>,
}

fn saved(org: &Organization, warnings: &[Notice]) -> SavedOrganization {
    let warnings = warnings
        .iter()
        .map(|w| ErrorDetail::from_invalid(&Invalid(w.clone())))
        .collect();
    SavedOrganization {
        organization: OrganizationOut::from(org),
        warnings,
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OrganizationIn {
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub service_fields: Vec<String>,
    pub service_areas: Vec<String>,
    pub responsible_person: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub address: String,
    pub rating: String,
    pub note: String,
    /// Required on update: the version the edit started from.
    pub version: Option<i64>,
}

impl OrganizationIn {
    fn input(self) -> (OrgInput, Option<i64>) {
        let input = OrgInput {
            name: self.name,
            uscc: self.uscc,
            kind: self.kind,
            service_fields: self.service_fields,
            service_areas: self.service_areas,
            responsible_person: self.responsible_person,
            contact_person: self.contact_person,
            contact_phone: self.contact_phone,
            address: self.address,
            rating: self.rating,
            note: self.note,
        };
        (input, self.version)
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name.
    pub name: Option<String>,
    /// Part of the credit code.
    pub uscc: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub field: Option<String>,
    /// Organizations serving this area (12-digit code).
    pub area: Option<String>,
    pub page: Option<u64>,
    /// 10, 20, 50 or 100.
    pub page_size: Option<u64>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ListQuery {
    pub fn filter(&self) -> Result<Filter, AppError> {
        Ok(Filter {
            name: blank(&self.name).map(str::to_owned),
            uscc: blank(&self.uscc).map(str::to_owned),
            kind: blank(&self.kind).map(OrgKind::parse).transpose()?,
            status: blank(&self.status).map(OrgStatus::parse).transpose()?,
            field: blank(&self.field)
                .map(|f| {
                    ServiceField::parse(f)
                        .map_err(|e| Invalid::new("field", e.code()).arg("value", f))
                })
                .transpose()?,
            area: blank(&self.area)
                .map(|a| AreaCode::parse(a).map_err(|e| e.within("area")))
                .transpose()?,
            // The application bounds it to the caller's counties.
            reaching: None,
            only: None,
        })
    }
}

/// Organizations the caller may see, filtered and paged.
#[utoipa::path(get, path = "/organizations", tag = "organizations", params(ListQuery),
    responses((status = 200, body = OrganizationPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(query): Query<ListQuery>,
) -> Result<Json<OrganizationPage>, ApiError> {
    let page = Page::new(query.page, query.page_size);
    let (orgs, total) = state
        .app
        .organizations(&signed.caller, query.filter()?, page)
        .await?;
    Ok(Json(OrganizationPage {
        items: orgs.iter().map(OrganizationOut::from).collect(),
        total,
        page: page.number,
        page_size: page.size,
    }))
}

/// Add an organization (county admin). A duplicate credit code is refused with 409 naming the
/// organization that holds it.
#[utoipa::path(post, path = "/organizations", tag = "organizations", request_body = OrganizationIn,
    responses((status = 201, body = SavedOrganization), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Json(body): Json<OrganizationIn>,
) -> Result<(StatusCode, Json<SavedOrganization>), ApiError> {
    let (input, _) = body.input();
    let (org, warnings) = state
        .app
        .create_organization(&signed.caller, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(saved(&org, &warnings))))
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// One organization.
#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations", params(("id" = String, Path)),
    responses((status = 200, body = OrganizationOut), (status = 404, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<OrganizationOut>, ApiError> {
    let org = state
        .app
        .organization(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(OrganizationOut::from(&org)))
}

/// Edit an organization; send the `version` you read.
#[utoipa::path(put, path = "/organizations/{id}", tag = "organizations", params(("id" = String, Path)), request_body = OrganizationIn,
    responses((status = 200, body = SavedOrganization), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<OrganizationIn>,
) -> Result<Json<SavedOrganization>, ApiError> {
    let id = parse_id(&id)?;
    let (input, version) = body.input();
    let version =
        version.ok_or_else(|| AppError::from(Invalid::new("version", "field.required")))?;
    let (org, warnings) = state
        .app
        .update_organization(&signed.caller, id, version, &input)
        .await?;
    Ok(Json(saved(&org, &warnings)))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// `active` or `inactive`
    pub status: String,
    /// Required when deactivating.
    #[serde(default)]
    pub reason: String,
}

/// Deactivate (停用) or reactivate an organization.
#[utoipa::path(post, path = "/organizations/{id}/status", tag = "organizations", params(("id" = String, Path)), request_body = StatusIn,
    responses((status = 200, body = OrganizationOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
pub async fn set_status(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<StatusIn>,
) -> Result<Json<OrganizationOut>, ApiError> {
    let status = OrgStatus::parse(&body.status)?;
    let org = state
        .app
        .set_organization_status(&signed.caller, parse_id(&id)?, status, &body.reason)
        .await?;
    Ok(Json(OrganizationOut::from(&org)))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    /// JSON object; `changed` maps each field to `[old, new]`.
    pub detail: serde_json::Value,
    pub reason: String,
}

/// Every recorded change to the organization, oldest first.
#[utoipa::path(get, path = "/organizations/{id}/history", tag = "organizations", params(("id" = String, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)), security(("session" = []), ("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let events = state
        .app
        .organization_history(&signed.caller, parse_id(&id)?)
        .await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| HistoryEntry {
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
