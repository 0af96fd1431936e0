//! Campaigns (暖冬行动): the list, a new campaign, and one campaign with its enrolled
//! organizations by batch, the step buttons (启动 / 结束 / 公示) and the enrolment form.

use super::export::{Column, Format, List, txt, whole};
use super::{Fields, FormErrors, Frame, Section, form_errors, ok, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::campaigns::{CampaignRecord, EnrolmentRecord};
use hearth_app::organizations::{Filter, Page};
use hearth_core::campaign::{CampaignAction, CampaignInput, CampaignStatus, EnrolmentStatus};
use hearth_core::organization::{OrgStatus, ServiceField};
use hearth_core::permission::Permission;
use uuid::Uuid;

pub(crate) struct CampaignRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub period: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub fields: String,
    pub targets: String,
}

fn status_class(status: CampaignStatus) -> &'static str {
    match status {
        CampaignStatus::Planned => "tag-info",
        CampaignStatus::Launched => "tag-success",
        CampaignStatus::Closed => "tag-warning",
        CampaignStatus::Disclosed => "tag-plain",
    }
}

fn row(t: Tr, c: &CampaignRecord) -> CampaignRow {
    let p = &c.profile;
    let fields: Vec<&str> = p.focus_fields.iter().map(|f| t.t(f.label_key())).collect();
    let targets = t.f(
        "campaign_page.targets_value",
        &[
            ("households", p.target_households.to_string()),
            ("cash", p.target_cash.wan_string()),
            ("items", p.target_items.to_string()),
        ],
    );
    CampaignRow {
        id: c.id.to_string(),
        code: p.code.clone(),
        name: p.name.clone(),
        year: p.year,
        period: format!("{} — {}", p.starts_on, p.ends_on),
        status: t.t(&c.status.label_key()),
        status_class: status_class(c.status),
        fields: fields.join("、"),
        targets,
    }
}

#[derive(Template)]
#[template(path = "campaign_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    rows: Vec<CampaignRow>,
    can_manage: bool,
}

/// `GET /campaigns`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let campaigns = state
        .app
        .campaigns(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let page = ListPage {
        t,
        frame: Frame::new(
            &signed,
            t,
            Section::Campaigns,
            "/campaigns",
            t.t("nav.campaigns"),
        ),
        rows: campaigns.iter().map(|c| row(t, c)).collect(),
        can_manage: signed.caller.can(Permission::ManageCampaigns),
    };
    Ok(ok(&page, t))
}

const COLUMNS: [Column<CampaignRow>; 7] = [
    Column {
        header: "campaign_page.code",
        cell: |r| txt(&r.code),
    },
    Column {
        header: "campaign_page.name",
        cell: |r| txt(&r.name),
    },
    Column {
        header: "campaign_page.year",
        cell: |r| whole(i64::from(r.year)),
    },
    Column {
        header: "campaign_page.period",
        cell: |r| txt(&r.period),
    },
    Column {
        header: "campaign_page.fields",
        cell: |r| txt(&r.fields),
    },
    Column {
        header: "campaign_page.targets",
        cell: |r| txt(&r.targets),
    },
    Column {
        header: "campaign_page.status",
        cell: |r| txt(r.status),
    },
];

/// `GET /campaigns/export.xlsx|csv`: the campaigns the list shows (the list has no filters).
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
) -> Result<Response, PageError> {
    let campaigns = state
        .app
        .campaigns(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let rows: Vec<CampaignRow> = campaigns.iter().map(|c| row(t, c)).collect();
    let list = List {
        name: "campaigns",
        title: t.t("nav.campaigns"),
        filter: &[],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    input: CampaignInput,
    errors: FormErrors,
    fields: Vec<(&'static str, &'static str, bool)>,
}

fn form_page(t: Tr, signed: &Signed, input: CampaignInput, errors: FormErrors) -> FormPage {
    let fields = ServiceField::ALL
        .iter()
        .map(|f| {
            (
                f.as_str(),
                t.t(f.label_key()),
                input.focus_fields.iter().any(|x| x == f.as_str()),
            )
        })
        .collect();
    FormPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::Campaigns,
            "/campaigns/new",
            t.t("campaign_page.new"),
        ),
        input,
        errors,
        fields,
    }
}

/// `GET /campaigns/new`.
pub async fn new_form(signed: Signed, t: Tr) -> Result<Response, PageError> {
    if !signed.caller.can(Permission::ManageCampaigns) {
        return Err(PageError::new(AppError::Forbidden, t));
    }
    let input = CampaignInput {
        year: hearth_app::today().format("%Y").to_string(),
        ..CampaignInput::default()
    };
    Ok(ok(&form_page(t, &signed, input, FormErrors::default()), t))
}

/// `POST /campaigns`.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let f = Fields::parse(&body);
    let input = CampaignInput {
        code: f.get("code").to_owned(),
        name: f.get("name").to_owned(),
        year: f.get("year").to_owned(),
        starts_on: f.get("starts_on").to_owned(),
        ends_on: f.get("ends_on").to_owned(),
        focus_fields: f.all("focus_fields"),
        target_households: f.get("target_households").to_owned(),
        target_cash: f.get("target_cash").to_owned(),
        target_items: f.get("target_items").to_owned(),
        arrangements: f.get("arrangements").to_owned(),
    };
    match state.app.create_campaign(&signed.caller, &input).await {
        Ok(campaign) => Ok(Redirect::to(&format!("/campaigns/{}", campaign.id)).into_response()),
        Err(e) => {
            let errors = form_errors(t, e)?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(t, &signed, input, errors),
                t,
            ))
        }
    }
}

pub(crate) struct EnrolledRow {
    pub name: String,
    pub href: String,
    pub batch: String,
    pub status: &'static str,
    pub applied: bool,
    pub org_id: String,
}

#[derive(Template)]
#[template(path = "campaign_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    campaign: CampaignRow,
    arrangements: String,
    enrolled: Vec<EnrolledRow>,
    steps: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    can_apply: bool,
    candidates: Vec<(String, String)>,
    next_batch: u32,
    error: String,
}

fn enrolled_rows(
    t: Tr,
    enrolments: &[EnrolmentRecord],
    names: &[(Uuid, String)],
) -> Vec<EnrolledRow> {
    enrolments
        .iter()
        .map(|e| EnrolledRow {
            name: names
                .iter()
                .find(|(id, _)| *id == e.organization_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| e.organization_id.to_string()),
            href: format!("/organizations/{}", e.organization_id),
            batch: e
                .batch
                .map(|b| t.f("campaign_page.batch_n", &[("n", b.to_string())]))
                .unwrap_or_default(),
            status: t.t(&format!("campaign.enrolment.{}", e.status.as_str())),
            applied: e.status == EnrolmentStatus::Applied,
            org_id: e.organization_id.to_string(),
        })
        .collect()
}

async fn detail_page(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: &str,
    error: String,
) -> Result<DetailPage, PageError> {
    let caller = &signed.caller;
    let fail = |e| PageError::new(e, t);
    let (campaign, enrolments) = state.app.campaign(caller, id).await.map_err(fail)?;
    let orgs = if caller.can(Permission::ReadOrganizations) {
        state
            .app
            .organizations(
                caller,
                Filter {
                    status: Some(OrgStatus::Active),
                    ..Filter::default()
                },
                Page::all(),
            )
            .await
            .map_err(fail)?
            .0
    } else {
        Vec::new()
    };
    let names: Vec<(Uuid, String)> = orgs
        .iter()
        .map(|o| (o.id, o.profile.name.clone()))
        .collect();
    let can_manage = caller.can(Permission::ManageCampaigns);
    let open = matches!(
        campaign.status,
        CampaignStatus::Planned | CampaignStatus::Launched
    );
    let steps = match campaign.status {
        CampaignStatus::Planned => vec![("launch", t.t("campaign_page.launch"))],
        CampaignStatus::Launched => vec![("close", t.t("campaign_page.close"))],
        CampaignStatus::Closed => vec![("disclose", t.t("campaign_page.disclose"))],
        CampaignStatus::Disclosed => Vec::new(),
    };
    let candidates = if can_manage && open {
        orgs.iter()
            .filter(|o| {
                !enrolments
                    .iter()
                    .any(|e| e.organization_id == o.id && e.status == EnrolmentStatus::Enrolled)
            })
            .map(|o| (o.id.to_string(), o.profile.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let own = caller.user.organization_id;
    let can_apply = open
        && caller.can(Permission::ApplyToCampaigns)
        && !enrolments.iter().any(|e| Some(e.organization_id) == own);
    let next_batch = enrolments.iter().filter_map(|e| e.batch).max().unwrap_or(0) + 1;
    let title = campaign.profile.name.clone();
    Ok(DetailPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::Campaigns,
            &format!("/campaigns/{}", campaign.id),
            title,
        ),
        arrangements: campaign.profile.arrangements.clone(),
        campaign: row(t, &campaign),
        enrolled: enrolled_rows(t, &enrolments, &names),
        steps: if can_manage { steps } else { Vec::new() },
        can_manage,
        can_apply,
        candidates,
        next_batch,
        error,
    })
}

/// `GET /campaigns/{id}` (id or code).
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(ok(
        &detail_page(&state, &signed, t, &id, String::new()).await?,
        t,
    ))
}

/// Re-renders the page with the refusal at its top, or an error page.
async fn refused(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    e: AppError,
) -> Result<Response, PageError> {
    let message = form_errors(t, e)?.all().join("；");
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &detail_page(state, signed, t, &id.to_string(), message).await?,
        t,
    ))
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// `POST /campaigns/{id}/status`: one step forward.
pub async fn advance(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    let result = match CampaignAction::parse(f.get("action")) {
        Ok(action) => state
            .app
            .advance_campaign(&signed.caller, id, action)
            .await
            .map(|_| ()),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => refused(&state, &signed, t, id, e).await,
    }
}

/// `POST /campaigns/{id}/enrolments`: the ticked organizations into batch n.
pub async fn enrol(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    let ids: Vec<Uuid> = f
        .all("organization")
        .iter()
        .filter_map(|raw| Uuid::parse_str(raw).ok())
        .collect();
    let batch = f.get("batch").trim().parse::<u32>().unwrap_or(0);
    match state
        .app
        .enrol_organizations(&signed.caller, id, &ids, batch)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => refused(&state, &signed, t, id, e).await,
    }
}

/// `POST /campaigns/{id}/apply`: an organization asks to take part.
pub async fn apply(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    match state.app.apply_to_campaign(&signed.caller, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => refused(&state, &signed, t, id, e).await,
    }
}

/// `POST /campaigns/{id}/applications/{org}`: the bureau approves into a batch or rejects.
pub async fn decide(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path((id, org)): Path<(String, String)>,
    body: String,
) -> Result<Response, PageError> {
    let (id, org) = (parse_id(&id, t)?, parse_id(&org, t)?);
    let f = Fields::parse(&body);
    let approve = f.get("decision") == "approve";
    let batch = f.get("batch").trim().parse::<u32>().unwrap_or(0);
    match state
        .app
        .decide_application(&signed.caller, id, org, approve, batch)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => refused(&state, &signed, t, id, e).await,
    }
}
