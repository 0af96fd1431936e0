//! Changing what was booked, never editing it: the reallocation of a designated cash donation
//! with the donor's consent (变更用途, `/donations/{id}/reallocate`) and the correction of a
//! donation or purchase by a full reversal (冲销, `/donations/{id}/correct`,
//! `/purchases/{id}/correct`). Both are for the county's finance officers; what may move and
//! what the funds still hold is checked in `hearth-app`, and a refusal appears beside its
//! field with everything typed kept.

use super::{fail, form::options, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::{Fields, FormErrors, Frame, Section, form_errors, render};
use crate::tr::Tr;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_core::donation::DesignationKind;
use hearth_core::donation::correction::CorrectionInput;
use hearth_core::donation::reallocation::ReallocationInput;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "reallocation_form.html")]
struct ReallocationPage {
    t: Tr,
    frame: Frame,
    id: Uuid,
    /// `JZ-…-0001 · 1000.00 元 · 定向农户`.
    summary: String,
    input: ReallocationInput,
    kinds: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
}

const REALLOCATION_FIELDS: [&str; 8] = [
    "to",
    "to_target",
    "amount",
    "consent_who",
    "consent_how",
    "consent_on",
    "note",
    "donation",
];

async fn show_reallocation(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    input: ReallocationInput,
    (errors, http): (FormErrors, StatusCode),
) -> Result<Response, PageError> {
    let d = state
        .app
        .donation(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let href = format!("/donations/{id}/reallocate");
    let page = ReallocationPage {
        frame: Frame::new(
            signed,
            t,
            Section::Donations,
            &href,
            t.t("money_form.reallocate"),
        )
        .with_crumb(format!("/donations/{id}"), d.number.clone()),
        id,
        summary: format!(
            "{} · {} · {}",
            d.number,
            d.amount.yuan_string(),
            super::designation_text(t, &d.designation)
        ),
        kinds: options(
            t,
            &DesignationKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_key()))
                .collect::<Vec<_>>(),
            input.to.trim(),
        ),
        others: errors.others(&REALLOCATION_FIELDS),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /donations/{id}/reallocate`: today as the day of consent, the whole amount.
pub async fn reallocation_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let input = ReallocationInput {
        to: "campaign".into(),
        consent_on: hearth_app::today().to_string(),
        ..ReallocationInput::default()
    };
    let ready = (FormErrors::default(), StatusCode::OK);
    show_reallocation(&state, &signed, t, id, input, ready).await
}

/// `POST /donations/{id}/reallocate`: 变更用途; back to the donation on success.
pub async fn reallocate(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let f = Fields::parse(&body);
    let get = |k: &str| f.get(k).to_owned();
    let input = ReallocationInput {
        donation: id.to_string(),
        to: get("to"),
        to_target: get("to_target"),
        amount: get("amount"),
        consent_who: get("consent_who"),
        consent_how: get("consent_how"),
        consent_on: get("consent_on"),
        note: get("note"),
    };
    match state.app.reallocate(&signed.caller, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/donations/{id}?notice=reallocated")).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_reallocation(&state, &signed, t, id, input, (errors, http)).await
        }
    }
}

/// What a correction reverses: a donation or a purchase.
#[derive(Clone, Copy)]
enum Corrected {
    Donation,
    Purchase,
}

impl Corrected {
    fn path(self, id: Uuid) -> String {
        match self {
            Corrected::Donation => format!("/donations/{id}"),
            Corrected::Purchase => format!("/purchases/{id}"),
        }
    }
}

#[derive(Template)]
#[template(path = "correction_form.html")]
struct CorrectionPage {
    t: Tr,
    frame: Frame,
    action: String,
    back: String,
    summary: String,
    input: CorrectionInput,
    errors: FormErrors,
    others: Vec<String>,
}

/// The record's number and what it booked, for the form's heading.
async fn summary(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    what: Corrected,
    id: Uuid,
) -> Result<(String, String, Section), PageError> {
    let caller = &signed.caller;
    Ok(match what {
        Corrected::Donation => {
            let d = state.app.donation(caller, id).await.map_err(fail(t))?;
            let line = format!(
                "{} · {} · {} · {}",
                d.number,
                t.t(d.kind.label_key()),
                d.amount.yuan_string(),
                d.donor_name
            );
            (d.number, line, Section::Donations)
        }
        Corrected::Purchase => {
            let p = state.app.purchase(caller, id).await.map_err(fail(t))?;
            let line = format!("{} · {} · {}", p.number, p.supplier, p.amount.yuan_string());
            (p.number, line, Section::Purchases)
        }
    })
}

async fn show_correction(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    (what, id): (Corrected, Uuid),
    input: CorrectionInput,
    (errors, http): (FormErrors, StatusCode),
) -> Result<Response, PageError> {
    let (number, summary, section) = self::summary(state, signed, t, what, id).await?;
    let back = what.path(id);
    let action = format!("{back}/correct");
    let page = CorrectionPage {
        frame: Frame::new(signed, t, section, &action, t.t("money_form.correct"))
            .with_crumb(back.clone(), number),
        action,
        back,
        summary,
        others: errors.others(&["reason", "corrected_on"]),
        input,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

async fn correction_form(
    state: AppState,
    signed: Signed,
    t: Tr,
    what: Corrected,
    id: &str,
) -> Result<Response, PageError> {
    let id = parse_id(id, t)?;
    let input = CorrectionInput {
        reason: String::new(),
        corrected_on: hearth_app::today().to_string(),
    };
    let ready = (FormErrors::default(), StatusCode::OK);
    show_correction(&state, &signed, t, (what, id), input, ready).await
}

async fn correct(
    state: AppState,
    signed: Signed,
    t: Tr,
    what: Corrected,
    (id, body): (&str, &str),
) -> Result<Response, PageError> {
    let id = parse_id(id, t)?;
    let f = Fields::parse(body);
    let input = CorrectionInput {
        reason: f.get("reason").to_owned(),
        corrected_on: f.get("corrected_on").to_owned(),
    };
    let caller = &signed.caller;
    let done = match what {
        Corrected::Donation => state.app.correct_donation(caller, id, &input).await,
        Corrected::Purchase => state.app.correct_purchase(caller, id, &input).await,
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("{}?notice=corrected", what.path(id))).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show_correction(&state, &signed, t, (what, id), input, (errors, http)).await
        }
    }
}

/// `GET /donations/{id}/correct`: the reversal form, today as its day.
pub async fn donation_correction_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    correction_form(state, signed, t, Corrected::Donation, &id).await
}

/// `POST /donations/{id}/correct`: 冲销 the donation in full; back to it on success.
pub async fn correct_donation(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    correct(state, signed, t, Corrected::Donation, (&id, &body)).await
}

/// `GET /purchases/{id}/correct`.
pub async fn purchase_correction_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    correction_form(state, signed, t, Corrected::Purchase, &id).await
}

/// `POST /purchases/{id}/correct`: 冲销 the purchase in full.
pub async fn correct_purchase(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    correct(state, signed, t, Corrected::Purchase, (&id, &body)).await
}
