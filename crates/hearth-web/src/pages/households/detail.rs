//! `GET /households/{id}`: one household masked by role, the return reason in plain sight, the
//! workflow buttons the caller may use (提交, 撤回, 审核通过, 退回 with a reason), 查看完整信息
//! (a typed reason, posted; the unmasked details are shown once in the answer and never put in
//! an address), the score with its explanation, and the history.

use super::super::organizations::role_label;
use super::super::{FormErrors, Frame, Section, form_errors, label_or, local_time, render};
use super::{
    acts_as_maker, category_label, consent_class, consent_label, fail, is_editable, is_submitted,
    may_review, parse_id, status_class, status_label,
};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::households::Revealed;
use hearth_core::household::{DisabilityKind, Relation};
use hearth_core::permission::Permission;
use hearth_store::audit::AuditEvent;
use uuid::Uuid;

struct MemberLine {
    name: String,
    relation: String,
    sex: String,
    birth_year: i64,
    id_number: String,
}

struct RevealedMemberLine {
    name: String,
    id_number: String,
    relation: String,
    disability: String,
    health_note: String,
}

struct RevealedView {
    phone: String,
    address: String,
    members: Vec<RevealedMemberLine>,
    signer: String,
    guardian: String,
    /// That this view is on the audit log, with its reason.
    logged: String,
}

struct ScoreLine {
    /// `25分`
    points: String,
    text: String,
}

struct HistoryRow {
    time: String,
    who: String,
    role: String,
    action: String,
    changes: Vec<String>,
    reason: String,
}

#[derive(Template)]
#[template(path = "household_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    id: String,
    notice: Option<&'static str>,
    head: String,
    head_id: String,
    phone: String,
    address: String,
    village: String,
    town: String,
    main_category: String,
    tags: Vec<String>,
    consent: &'static str,
    consent_class: &'static str,
    member_count: i64,
    status: String,
    status_class: &'static str,
    returned: bool,
    return_reason: String,
    updated: String,
    members: Vec<MemberLine>,
    can_edit: bool,
    can_submit: bool,
    can_withdraw: bool,
    /// The household shares with organizations and the caller may record its withdrawal.
    can_withdraw_consent: bool,
    can_review: bool,
    maker_blocked: bool,
    workflow_errors: Vec<String>,
    return_input: String,
    return_error: String,
    can_reveal: bool,
    reveal_input: String,
    reveal_error: String,
    revealed: Option<RevealedView>,
    score_total: i64,
    score_total_text: String,
    score_lines: Vec<ScoreLine>,
    score_explained: bool,
    score_capped: bool,
    show_history: bool,
    history: Vec<HistoryRow>,
    scans: super::super::attachments::ScanPanel,
}

/// What a posted form left to show: typed reasons and refusals, or the revealed details.
#[derive(Default)]
struct Extras {
    notice: Option<&'static str>,
    workflow: FormErrors,
    return_input: String,
    reveal_input: String,
    reveal_errors: FormErrors,
    revealed: Option<(Revealed, String)>,
}

fn relation_label(t: Tr, raw: &str) -> String {
    Relation::parse(raw)
        .map(|r| t.t(r.label_key()).to_owned())
        .unwrap_or_else(|_| raw.to_owned())
}

fn sex_label(t: Tr, code: &str) -> String {
    label_or(t, &format!("hh_page.sex_{code}"), code)
}

fn revealed_view(t: Tr, revealed: Revealed, reason: String) -> RevealedView {
    RevealedView {
        phone: revealed.phone,
        address: revealed.address,
        members: revealed
            .members
            .into_iter()
            .map(|m| {
                let kind = DisabilityKind::parse_loose(&m.disability_kind)
                    .map(|k| t.t(k.label_key()).to_owned())
                    .unwrap_or_else(|_| m.disability_kind.clone());
                let grade = match m.disability_grade.trim() {
                    "" => String::new(),
                    g => label_or(t, &format!("member.grade.{g}"), g),
                };
                let disability = [m.disability_certificate.trim(), kind.trim(), grade.trim()]
                    .iter()
                    .filter(|v| !v.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                RevealedMemberLine {
                    name: m.name,
                    id_number: m.id_number,
                    relation: relation_label(t, &m.relation),
                    disability,
                    health_note: m.health_note,
                }
            })
            .collect(),
        signer: revealed.consent_signer,
        guardian: revealed.consent_guardian,
        logged: t.f("hh_page.revealed_logged", &[("reason", reason)]),
    }
}

/// A field name from the audit detail as people read it.
fn field_label(t: Tr, field: &str) -> String {
    for key in [
        format!("household.field.{field}"),
        format!("member.field.{field}"),
        format!("hh_page.field_{field}"),
    ] {
        let text = t.t(&key);
        if text != key {
            return text.to_owned();
        }
    }
    field.to_owned()
}

fn history_row(t: Tr, event: &AuditEvent) -> HistoryRow {
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
    let mut changes = Vec::new();
    if let Some(fields) = detail.get("fields").and_then(|f| f.as_array()) {
        let names: Vec<String> = fields
            .iter()
            .filter_map(|f| f.as_str())
            .map(|f| field_label(t, f))
            .collect();
        if !names.is_empty() {
            changes.push(t.f("hh_page.history_fields", &[("fields", names.join("、"))]));
        }
    }
    if let Some(status) = detail.get("status").and_then(|s| s.as_str()) {
        changes.push(t.f(
            "hh_page.history_status",
            &[("status", status_label(t, status))],
        ));
    }
    if let Some(on) = detail.get("on").and_then(|s| s.as_str()) {
        changes.push(t.f("hh_page.history_on", &[("date", on.to_owned())]));
    }
    HistoryRow {
        time: local_time(t, event.at),
        who: event.actor_name.clone(),
        role: role_label(t, &event.role),
        action: label_or(t, &format!("action.{}", event.action), &event.action),
        changes,
        reason: event.reason.clone(),
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let view = state.app.household(caller, id).await.map_err(fail(t))?;
    // Organizations see the shared household, not how officers handled it.
    let history = match state.app.household_history(caller, id).await {
        Ok(events) => Some(events),
        Err(AppError::Forbidden) => None,
        Err(e) => return Err(PageError::new(e, t)),
    };
    let can_reveal = caller.can(Permission::RevealHouseholdDetails);
    let lines = if can_reveal {
        match state.app.household_score(caller, id).await {
            Ok(lines) => Some(lines),
            Err(AppError::Invalid(_) | AppError::Forbidden) => None,
            Err(e) => return Err(PageError::new(e, t)),
        }
    } else {
        None
    };
    let (score_total, score_capped) = match &lines {
        Some(lines) => {
            let sum: u32 = lines.iter().map(|l| l.points).sum();
            let max = hearth_core::household::score::MAX;
            (i64::from(sum.min(max)), sum > max)
        }
        None => (view.score, false),
    };
    let score_lines = lines
        .unwrap_or_default()
        .into_iter()
        .map(|l| ScoreLine {
            points: t.f("score.points", &[("points", l.points.to_string())]),
            text: if t.is_en() { l.text_en } else { l.text_zh },
        })
        .collect::<Vec<_>>();
    let main = (!view.main_category.is_empty()).then(|| view.main_category.clone());
    let register = acts_as_maker(caller, &view);
    let review = caller.can(Permission::ReviewHouseholds) && is_submitted(&view.status);
    let href = format!("/households/{id}");
    let title = t.f("hh_page.detail_title", &[("head", view.head_name.clone())]);
    let page = DetailPage {
        t,
        frame: Frame::new(signed, t, Section::Households, &href, title),
        id: id.to_string(),
        notice: extras.notice,
        head: view.head_name.clone(),
        head_id: view.head_id.clone(),
        phone: view.phone.clone(),
        address: view.address.clone(),
        village: view.village_name.clone(),
        town: view.town_name.clone(),
        main_category: main
            .as_deref()
            .map(|c| category_label(t, c))
            .unwrap_or_default(),
        tags: view
            .categories
            .iter()
            .filter(|c| main.as_deref() != Some(c.as_str()))
            .map(|c| category_label(t, c))
            .collect(),
        consent: consent_label(t, view.shares_with_orgs),
        consent_class: consent_class(view.shares_with_orgs),
        member_count: view.member_count,
        status: status_label(t, &view.status),
        status_class: status_class(&view.status),
        returned: view.status == "returned",
        return_reason: view.return_reason.clone(),
        updated: local_time(t, view.updated_at),
        members: view
            .members
            .iter()
            .map(|m| MemberLine {
                name: m.name.clone(),
                relation: relation_label(t, &m.relation),
                sex: sex_label(t, &m.sex),
                birth_year: m.birth_year,
                id_number: m.id_number.clone(),
            })
            .collect(),
        can_edit: register && is_editable(&view.status),
        can_submit: register && is_editable(&view.status),
        can_withdraw: register && is_submitted(&view.status),
        can_withdraw_consent: register && view.shares_with_orgs,
        can_review: may_review(caller, &view),
        maker_blocked: review && view.entered_by_caller,
        workflow_errors: extras.workflow.others(&["reason"]),
        return_error: extras.workflow.of("reason"),
        return_input: extras.return_input,
        can_reveal,
        reveal_input: extras.reveal_input,
        reveal_error: extras.reveal_errors.all().join("；"),
        revealed: extras
            .revealed
            .map(|(r, reason)| revealed_view(t, r, reason)),
        score_total,
        score_total_text: t.f("score.points", &[("points", score_total.to_string())]),
        score_explained: !score_lines.is_empty(),
        score_lines,
        score_capped,
        show_history: history.is_some(),
        history: history
            .unwrap_or_default()
            .iter()
            .rev()
            .map(|e| history_row(t, e))
            .collect(),
        scans: super::super::attachments::panel(state, signed, t, id, String::new()).await?,
    };
    let mut response = render(status, &page, t);
    if page.revealed.is_some() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// `GET /households/{id}`
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "notice")
        .and_then(|(_, v)| match v.as_str() {
            "created" => Some("hh_page.notice_created"),
            "updated" => Some("hh_page.notice_updated"),
            "submitted" => Some("hh_page.notice_submitted"),
            "withdrawn" => Some("hh_page.notice_withdrawn"),
            "approved" => Some("hh_page.notice_approved"),
            "returned" => Some("hh_page.notice_returned"),
            "consent_withdrawn" => Some("hh_page.notice_consent_withdrawn"),
            _ => None,
        });
    let extras = Extras {
        notice,
        ..Extras::default()
    };
    show(&state, &signed, t, id, StatusCode::OK, extras).await
}

fn refused_status(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Runs one workflow step; on success back to the page with a notice, on refusal the page
/// again with the reason shown where the buttons are.
async fn step(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    outcome: Result<hearth_app::households::HouseholdView, AppError>,
    notice: &str,
    return_input: String,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/households/{id}?notice={notice}")).into_response()),
        Err(e) => {
            let status = refused_status(&e);
            let workflow = form_errors(t, e)?;
            let extras = Extras {
                workflow,
                return_input,
                ..Extras::default()
            };
            show(state, signed, t, id, status, extras).await
        }
    }
}

/// `POST /households/{id}/submit` (提交)
pub async fn submit(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let outcome = state.app.submit_household(&signed.caller, id).await;
    step(&state, &signed, t, id, outcome, "submitted", String::new()).await
}

/// `POST /households/{id}/withdraw` (撤回)
pub async fn withdraw(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let outcome = state.app.withdraw_household(&signed.caller, id).await;
    step(&state, &signed, t, id, outcome, "withdrawn", String::new()).await
}

/// `POST /households/{id}/approve` (审核通过)
pub async fn approve(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let outcome = state.app.approve_household(&signed.caller, id).await;
    step(&state, &signed, t, id, outcome, "approved", String::new()).await
}

/// `POST /households/{id}/return` (退回, with the reason the village will see)
pub async fn return_for_changes(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = super::super::Fields::parse(&body).get("reason").to_owned();
    let outcome = state
        .app
        .return_household(&signed.caller, id, &reason)
        .await;
    step(&state, &signed, t, id, outcome, "returned", reason).await
}

/// `POST /households/{id}/consent/withdraw` (撤回同意): sharing with organizations stops from
/// the given date (today when left blank).
pub async fn withdraw_consent(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let typed = super::super::Fields::parse(&body)
        .get("withdrawn_on")
        .trim()
        .to_owned();
    let outcome = if typed.is_empty() {
        state
            .app
            .withdraw_household_consent(&signed.caller, id, hearth_app::today())
            .await
    } else {
        match chrono::NaiveDate::parse_from_str(&typed, "%Y-%m-%d") {
            Ok(on) => {
                state
                    .app
                    .withdraw_household_consent(&signed.caller, id, on)
                    .await
            }
            Err(_) => Err(hearth_core::Invalid::new("withdrawn_on", "campaign.date")
                .arg("value", &typed)
                .into()),
        }
    };
    step(
        &state,
        &signed,
        t,
        id,
        outcome,
        "consent_withdrawn",
        String::new(),
    )
    .await
}

/// `POST /households/{id}/reveal` (查看完整信息): with a typed reason, the page once more with
/// the unmasked details; the view and its reason are on the audit log.
pub async fn reveal(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let reason = super::super::Fields::parse(&body).get("reason").to_owned();
    match state
        .app
        .reveal_household(&signed.caller, id, &reason)
        .await
    {
        Ok(revealed) => {
            let extras = Extras {
                revealed: Some((revealed, reason.trim().to_owned())),
                ..Extras::default()
            };
            show(&state, &signed, t, id, StatusCode::OK, extras).await
        }
        Err(e) => {
            let status = refused_status(&e);
            let reveal_errors = form_errors(t, e)?;
            let extras = Extras {
                reveal_errors,
                reveal_input: reason,
                ..Extras::default()
            };
            show(&state, &signed, t, id, status, extras).await
        }
    }
}
