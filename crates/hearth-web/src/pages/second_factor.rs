//! Two-step verification on the caller's own account: turning it on, or moving it to a new
//! phone. The secret is shown as text, as an `otpauth://` link and as a QR code to scan.

use super::{Frame, Section, ok, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{PageError, details};
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::auth::TotpEnrolment;
use hearth_core::role::Role;
use qrcode::QrCode;
use qrcode::render::svg;

/// A secret to add to an authenticator app, as the page shows it.
pub(crate) struct EnrolmentView {
    /// The base32 secret in groups of four, easier to type.
    pub secret: String,
    pub uri: String,
    /// Inline SVG markup (made here from the URI alone, so it carries no user input as markup).
    pub qr_svg: Option<String>,
}

impl EnrolmentView {
    pub fn of(enrolment: &TotpEnrolment) -> EnrolmentView {
        let secret = enrolment
            .secret_base32
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        EnrolmentView {
            secret,
            uri: enrolment.uri.clone(),
            qr_svg: qr_svg(&enrolment.uri),
        }
    }
}

/// The QR code of `text` as an `<svg>` element, without the XML prolog HTML has no use for.
fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    image.find("<svg").map(|at| image[at..].to_owned())
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    t: Tr,
    frame: Frame,
    enrolled: bool,
    required: bool,
    notice: Option<&'static str>,
    /// A set-up under way: its sealed token and the secret to add.
    setup: Option<(String, EnrolmentView)>,
    code_error: Option<String>,
}

fn page(signed: &Signed, t: Tr, state: &AppState, enrolled: bool) -> SecondFactorPage {
    let role = signed.caller.user.role;
    SecondFactorPage {
        t,
        frame: Frame::new(
            signed,
            t,
            Section::SecondFactor,
            "/account/totp",
            t.t("totp_web.account_title"),
        ),
        enrolled,
        required: state.app.policy().require_totp_for_admins
            && (role.is_administrator() || role == Role::CountyAdmin),
        notice: None,
        setup: None,
        code_error: None,
    }
}

async fn enrolled(state: &AppState, signed: &Signed, t: Tr) -> Result<bool, PageError> {
    state
        .app
        .has_second_factor(&signed.caller)
        .await
        .map_err(|e| PageError::new(e, t))
}

/// `GET /account/totp`: whether two-step verification is on, and the button to set it up.
pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let mut page = page(&signed, t, &state, enrolled(&state, &signed, t).await?);
    let notice = form_pairs(query.as_deref().unwrap_or(""));
    if notice.iter().any(|(k, v)| k == "notice" && v == "enrolled") {
        page.notice = Some("totp_web.enrolled");
    }
    Ok(ok(&page, t))
}

/// `POST /account/totp/start`: a new secret to add to the app; nothing changes until confirmed.
pub async fn start(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let pending = state
        .app
        .start_totp_enrolment(&signed.caller)
        .map_err(|e| PageError::new(e, t))?;
    let mut page = page(&signed, t, &state, enrolled(&state, &signed, t).await?);
    page.setup = Some((pending.token, EnrolmentView::of(&pending.enrolment)));
    Ok(ok(&page, t))
}

/// `POST /account/totp/confirm`: the first code from the app turns the new secret on.
pub async fn confirm(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let fields = super::Fields::parse(&body);
    let token = fields.get("setup");
    let result = state
        .app
        .confirm_totp_enrolment(&signed.caller, token, fields.get("totp_code"))
        .await;
    let refusal = match result {
        Ok(()) => return Ok(Redirect::to("/account/totp?notice=enrolled").into_response()),
        Err(e @ AppError::Invalid(_)) => e,
        Err(other) => return Err(PageError::new(other, t)),
    };
    let message = details(&refusal)
        .into_iter()
        .map(|d| {
            if t.is_en() {
                d.message_en
            } else {
                d.message_zh
            }
        })
        .collect::<Vec<_>>()
        .join("；");
    let mut page = page(&signed, t, &state, enrolled(&state, &signed, t).await?);
    // A wrong code keeps the same secret on screen; an expired set-up starts afresh.
    let setup = match state.app.totp_enrolment_in(&signed.caller, token) {
        Ok(enrolment) => (token.to_owned(), EnrolmentView::of(&enrolment)),
        Err(_) => {
            let pending = state
                .app
                .start_totp_enrolment(&signed.caller)
                .map_err(|e| PageError::new(e, t))?;
            (pending.token, EnrolmentView::of(&pending.enrolment))
        }
    };
    page.setup = Some(setup);
    page.code_error = Some(message);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page, t))
}
