//! `/pledges/{id}`: one letter — its parties, households, lines with what is done, totals in
//! figures and capitals — and the actions the caller may take on it (签署, 取消, print).

use super::progress::Progress;
use super::{LineText, fail, line_text, parse_id, status_class};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::attachments::ScanPanel;
use crate::pages::{Fields, Frame, Section, form_errors, local_time, render};
use crate::tr::Tr;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::pledges::PledgeView;
use hearth_core::permission::Permission;
use hearth_core::pledge::{PledgeAction, check};

pub(super) struct HouseholdRow {
    pub town: String,
    pub village: String,
    pub head: String,
    pub category: String,
}

pub(super) struct LineRow {
    pub text: LineText,
    pub need_number: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "pledge_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    p: PledgeView,
    notice: Option<&'static str>,
    error: String,
    status: &'static str,
    status_class: &'static str,
    mode: &'static str,
    delivery: &'static str,
    signed_at: String,
    cancelled_at: String,
    households: Vec<HouseholdRow>,
    lines: Vec<LineRow>,
    can_sign: bool,
    can_cancel: bool,
    /// Officers may print the town's copy with full names.
    town_copy: bool,
    progress: Progress,
    scans: ScanPanel,
}

pub(super) fn household_rows(t: Tr, p: &PledgeView) -> Vec<HouseholdRow> {
    p.households
        .iter()
        .map(|h| HouseholdRow {
            town: h.town_name.clone(),
            village: h.village_name.clone(),
            head: h.head_name.clone(),
            category: if h.main_category.is_empty() {
                String::new()
            } else {
                crate::pages::needs::category_label(t, &h.main_category)
            },
        })
        .collect()
}

fn notice_key(raw: Option<&str>) -> Option<&'static str> {
    let pairs = raw.map(crate::tr::form_pairs).unwrap_or_default();
    let notice = pairs
        .iter()
        .find(|(k, _)| k == "notice")
        .map(|(_, v)| v.as_str());
    match notice? {
        "drafted" => Some("pledge_page.notice_drafted"),
        "signed" => Some("pledge_page.notice_signed"),
        "cancelled" => Some("pledge_page.notice_cancelled"),
        "delivered" => Some("pledge_page.notice_delivered"),
        "visited" => Some("visit_page.notice_recorded"),
        _ => None,
    }
}

pub(super) async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: uuid::Uuid,
    notice: Option<&'static str>,
    error: String,
    http: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let p = state.app.pledge(caller, id).await.map_err(fail(t))?;
    let items = state.app.items(caller).await.map_err(fail(t))?;
    let ours = caller.user.organization_id == Some(p.organization_id);
    let progress = Progress::load(state, signed, t, &p, &items).await?;
    let scans = super::scans::panel(state, signed, t, &p, String::new()).await?;
    let may = |action| check(p.status, action).is_ok();
    let page = DetailPage {
        frame: Frame::new(
            signed,
            t,
            Section::Pledges,
            &format!("/pledges/{id}"),
            p.number.clone(),
        ),
        notice,
        error,
        status: t.t(p.status.label_key()),
        status_class: status_class(p.status),
        mode: t.t(p.mode.label_key()),
        delivery: t.t(p.delivery.label_key()),
        signed_at: p.signed_at.map(|at| local_time(t, at)).unwrap_or_default(),
        cancelled_at: p
            .cancelled_at
            .map(|at| local_time(t, at))
            .unwrap_or_default(),
        households: household_rows(t, &p),
        lines: p
            .lines
            .iter()
            .map(|l| LineRow {
                text: line_text(t, &l.line, &items),
                need_number: l.need_number.clone().unwrap_or_default(),
                done: l.done,
            })
            .collect(),
        can_sign: ours && caller.can(Permission::MakePledges) && may(PledgeAction::Sign),
        can_cancel: (ours || caller.can(Permission::ManageCampaigns)) && may(PledgeAction::Cancel),
        town_copy: caller.can(Permission::RevealHouseholdDetails),
        progress,
        scans,
        p,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /pledges/{id}`.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = notice_key(raw.as_deref());
    show(
        &state,
        &signed,
        t,
        id,
        notice,
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// Back to the letter with a notice, or the letter with the refusal on top.
async fn after(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: uuid::Uuid,
    result: Result<PledgeView, hearth_app::AppError>,
    notice: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/pledges/{id}?notice={notice}")).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let message = form_errors(t, e)?.all().join("；");
            show(state, signed, t, id, None, message, http).await
        }
    }
}

/// `POST /pledges/{id}/sign`: 签署.
pub async fn sign(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let result = state.app.sign_pledge(&signed.caller, id).await;
    after(&state, &signed, t, id, result, "signed").await
}

/// `POST /pledges/{id}/cancel`: 取消, with a reason.
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = Fields::parse(&body).get("reason").to_owned();
    let result = state.app.cancel_pledge(&signed.caller, id, &reason).await;
    after(&state, &signed, t, id, result, "cancelled").await
}
