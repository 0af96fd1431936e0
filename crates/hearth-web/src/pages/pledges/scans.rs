//! The signed letter (签署件) in the browser: the panel on the letter's page — the scans of the
//! paper as signed and stamped, with their audited download links (`/attachments/{id}`), and
//! the upload form — and the page `/pledges/{id}/scans` that takes the upload (multipart, the
//! CSRF token in the action URL) and answers a refusal with the reason beside the file input.
//! The panel, the page and the upload steps are the household scans' own
//! (`pages::attachments`); only who may upload, and when, is the pledge's.

use super::{fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::attachments::{
    ScanPanel, ScanTexts, ScansPage, just_uploaded, line, store_upload, upload_action,
};
use crate::pages::{FormErrors, Frame, Section, render};
use crate::tr::Tr;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::attachments::{Owner, Purpose};
use hearth_app::pledges::PledgeView;
use hearth_core::permission::Permission;
use hearth_core::pledge::PledgeStatus;
use uuid::Uuid;

/// The panel for pledge `p` as `signed` may use it (whoever sees the letter sees its scans);
/// `error` is a refused upload's reason.
pub(super) async fn panel(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    p: &PledgeView,
    error: String,
) -> Result<ScanPanel, PageError> {
    let caller = &signed.caller;
    let files = caller.can(Permission::FileSignedLetters);
    let lines = state
        .app
        .attachments(caller, Owner::Pledge(p.id))
        .await
        .map_err(fail(t))?
        .iter()
        .filter(|a| a.purpose == Purpose::SignedLetter.as_str())
        .map(|a| line(t, a))
        .collect();
    Ok(ScanPanel {
        shown: true,
        can_upload: files && p.signed_at.is_some() && p.cancelled_at.is_none(),
        can_download: true,
        upload_action: upload_action(signed, &format!("/pledges/{}/scans", p.id)),
        lines,
        error,
        texts: ScanTexts::of(t, "signed-letter", "pledge_scan"),
        waiting: if files && p.status == PledgeStatus::Draft {
            t.t("pledge_scan.not_yet")
        } else {
            ""
        },
    })
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    // Outside the caller's scope the pledge, and so the page, is "not found".
    let p = state
        .app
        .pledge(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let href = format!("/pledges/{id}/scans");
    let title = t.t("pledge_scan.title");
    let page = ScansPage {
        t,
        frame: Frame::new(signed, t, Section::Pledges, &href, title)
            .with_crumb(format!("/pledges/{id}"), p.number.clone()),
        back_href: format!("/pledges/{id}"),
        back: t.t("pledge_scan.back"),
        notice,
        scans: panel(state, signed, t, &p, errors.all().join("；")).await?,
    };
    Ok(render(status, &page, t))
}

/// `GET /pledges/{id}/scans`
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = just_uploaded(raw.as_deref()).then_some("pledge_scan.notice_uploaded");
    let none = FormErrors::default();
    show(&state, &signed, t, id, StatusCode::OK, notice, none).await
}

/// `POST /pledges/{id}/scans` (multipart, `?_csrf=`): stored, back to the scans with a notice;
/// refused, the page again (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let owner = Owner::Pledge(id);
    match store_upload(&state, &signed, t, owner, Purpose::SignedLetter, multipart).await? {
        Ok(()) => Ok(Redirect::to(&format!("/pledges/{id}/scans?notice=uploaded")).into_response()),
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(&state, &signed, t, id, status, None, errors).await
        }
    }
}
