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
use hearth_core::ledger::Head;

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
    /// 已冲销: the day it was reversed as recorded wrongly; empty otherwise.
    corrected_on: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    t: Tr,
    code: String,
    found: Option<Shown>,
    not_found: bool,
    /// The ledger's head (sequence and digest), for anyone to compare with what is published.
    head: Option<Head>,
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
        corrected_on: d
            .corrected_on
            .map(|day| {
                let date = day.format(t.t("fmt.date")).to_string();
                t.f("money_page.corrected_on", &[("date", date)])
            })
            .unwrap_or_default(),
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

/// What the page shows besides the language links: the code typed, the donation found (or
/// that none was), and the ledger's head.
struct Answer {
    code: String,
    found: Option<Shown>,
    not_found: bool,
    head: Option<Head>,
}

fn page(t: Tr, here: &str, answer: Answer) -> Response {
    let Answer {
        code,
        found,
        not_found,
        head,
    } = answer;
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
        head,
        lang_zh: lang("zh-CN"),
        lang_en: lang("en"),
    };
    render(status, &view, t)
}

/// `GET /verify`: the form; `?code=` goes on to that code's page.
pub async fn form(State(state): State<AppState>, t: Tr, RawQuery(raw): RawQuery) -> Response {
    let head = state.app.ledger_head().await.ok();
    let typed = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .unwrap_or_default();
    if typed.trim().is_empty() {
        let answer = Answer {
            code: String::new(),
            found: None,
            not_found: false,
            head,
        };
        return page(t, "/verify", answer);
    }
    match VerificationCode::parse(&typed) {
        Some(code) => Redirect::to(&format!("/verify/{code}")).into_response(),
        None => {
            let answer = Answer {
                code: typed,
                found: None,
                not_found: true,
                head,
            };
            page(t, "/verify", answer)
        }
    }
}

/// `GET /verify/{code}`: the donation, or the same 404 page for unknown and malformed codes.
pub async fn check(State(state): State<AppState>, t: Tr, Path(code): Path<String>) -> Response {
    let here = format!("/verify/{code}");
    let here = local_path(&here).unwrap_or("/verify").to_owned();
    let head = state.app.ledger_head().await.ok();
    match state.app.verify_donation(&code).await {
        Ok(d) => {
            let found = Some(shown(t, &d));
            let answer = Answer {
                code,
                found,
                not_found: false,
                head,
            };
            page(t, &here, answer)
        }
        Err(AppError::NotFound) => {
            let answer = Answer {
                code,
                found: None,
                not_found: true,
                head,
            };
            page(t, "/verify", answer)
        }
        Err(e) => crate::error::error_page(crate::error::status_of(&e), &e, t),
    }
}
