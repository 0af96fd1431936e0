//! `/verify` and `/verify/{code}`: the public check of a donation (捐赠查验), with no sign-in.
//! Anyone holding an acknowledgement sees the amount, day, designation in words, the donor only
//! if they agreed to be named, and how much has reached households — never which households.
//! An unknown code and one that cannot be a code get the same "not found" page, so the page
//! tells nothing about which codes exist.

use super::{local_path, query_string, render};
use crate::AppState;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::donations::{PublicDonation, PublicDonor};
use hearth_core::donation::{DesignationKind, DonationKind, VerificationCode};

/// What the page shows of a donation.
struct Shown {
    number: String,
    campaign: String,
    kind: &'static str,
    is_cash: bool,
    donor: String,
    amount: String,
    amount_capitals: String,
    received_on: String,
    designation: String,
    reached: String,
    lines: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    t: Tr,
    code: String,
    found: Option<Shown>,
    not_found: bool,
    lang_zh: String,
    lang_en: String,
}

fn shown(t: Tr, d: &PublicDonation) -> Shown {
    let label = t.t(d.designation.label_key());
    let designation = match (d.designation, d.designated_to.is_empty()) {
        (DesignationKind::Household, _) => {
            format!("{label}：{}", t.t("donation.designated_household"))
        }
        (_, true) => label.to_owned(),
        (_, false) => format!("{label}：{}", d.designated_to),
    };
    Shown {
        number: d.number.clone(),
        campaign: d.campaign_name.clone(),
        kind: t.t(d.kind.label_key()),
        is_cash: d.kind == DonationKind::Cash,
        donor: match &d.donor {
            PublicDonor::Named(name) => name.clone(),
            PublicDonor::Anonymous => t.t("verify.anonymous").to_owned(),
            PublicDonor::Unnamed => t.t("verify.unnamed").to_owned(),
        },
        amount: d.amount.yuan_string(),
        amount_capitals: d.amount_capitals.clone(),
        received_on: d.received_on.format(t.t("fmt.date")).to_string(),
        designation,
        reached: d.reached.yuan_string(),
        lines: d
            .lines
            .iter()
            .map(|l| {
                let name = if t.is_en() {
                    &l.item_name_en
                } else {
                    &l.item_name
                };
                (
                    name.clone(),
                    format!("{}{}", l.quantity, l.unit),
                    format!("{}{}", l.reached, l.unit),
                )
            })
            .collect(),
    }
}

fn page(t: Tr, here: &str, code: String, found: Option<Shown>, not_found: bool) -> Response {
    let lang = |c: &str| format!("/lang/{c}?{}", query_string(&[("next", here.to_owned())]));
    let status = if not_found {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let view = VerifyPage {
        t,
        code,
        found,
        not_found,
        lang_zh: lang("zh-CN"),
        lang_en: lang("en"),
    };
    render(status, &view, t)
}

/// `GET /verify`: the form; `?code=` goes on to that code's page.
pub async fn form(t: Tr, RawQuery(raw): RawQuery) -> Response {
    let typed = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .unwrap_or_default();
    if typed.trim().is_empty() {
        return page(t, "/verify", String::new(), None, false);
    }
    match VerificationCode::parse(&typed) {
        Some(code) => Redirect::to(&format!("/verify/{code}")).into_response(),
        None => page(t, "/verify", typed, None, true),
    }
}

/// `GET /verify/{code}`: the donation, or the same 404 page for unknown and malformed codes.
pub async fn check(State(state): State<AppState>, t: Tr, Path(code): Path<String>) -> Response {
    let here = format!("/verify/{code}");
    let here = local_path(&here).unwrap_or("/verify").to_owned();
    match state.app.verify_donation(&code).await {
        Ok(d) => page(t, &here, code, Some(shown(t, &d)), false),
        Err(AppError::NotFound) => page(t, "/verify", code, None, true),
        Err(e) => crate::error::error_page(crate::error::status_of(&e), &e, t),
    }
}
