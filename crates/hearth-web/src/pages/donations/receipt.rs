//! The acknowledgement of a donation (捐赠回执) on A4: donor, day, what was given with the amount
//! in figures and Chinese capitals, the designation, the receipt number, and the verification
//! code with the address of the public page where anyone holding the paper can follow it.

use super::{designation_text, fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::ok;
use crate::tr::Tr;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use hearth_app::donations::{DesignationView, DonationView};
use hearth_core::donation::{DesignationKind, DonationKind, DonorKind};

struct Line {
    item: String,
    quantity: String,
    condition: &'static str,
    unit_value: String,
    value: String,
}

#[derive(Template)]
#[template(path = "donation_receipt.html")]
struct ReceiptPage {
    t: Tr,
    d: DonationView,
    is_cash: bool,
    donor: String,
    thanks: String,
    received_on: String,
    kind: String,
    channel: String,
    designation: String,
    receipt_number: String,
    code: String,
    url: String,
    lines: Vec<Line>,
}

/// The address of the public page as the reader's browser reached this server.
fn verify_url(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}/verify/{code}")
}

/// The designation as printed: paper leaves the office, so a household is never named on it.
fn on_paper(designation: &DesignationView) -> DesignationView {
    let mut shown = designation.clone();
    if shown.kind == DesignationKind::Household {
        shown.target.clear();
    }
    shown
}

fn lines(t: Tr, d: &DonationView) -> Vec<Line> {
    d.lines
        .iter()
        .map(|l| Line {
            item: if t.is_en() {
                l.item_name_en.clone()
            } else {
                l.item_name.clone()
            },
            quantity: format!("{}{}", l.quantity, l.unit),
            condition: t.t(l.condition.label_key()),
            unit_value: l.unit_value.yuan_string(),
            value: l.value.yuan_string(),
        })
        .collect()
}

/// `GET /donations/{id}/receipt`: whoever may read the donation may print its acknowledgement.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let d = state
        .app
        .donation(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let donor = match d.donor_kind {
        DonorKind::Anonymous => t.t("verify.anonymous").to_owned(),
        _ => d.donor_name.clone(),
    };
    let page = ReceiptPage {
        thanks: t.f("receipt.thanks", &[("donor", donor.clone())]),
        is_cash: d.kind == DonationKind::Cash,
        donor,
        received_on: d.received_on.format(t.t("fmt.date")).to_string(),
        kind: t.t(d.kind.label_key()).to_owned(),
        channel: d
            .channel
            .map(|c| t.t(c.label_key()).to_owned())
            .unwrap_or_default(),
        designation: designation_text(t, &on_paper(&d.designation)),
        receipt_number: d.receipt_number.clone().unwrap_or_default(),
        code: d.verification_code.grouped(),
        url: verify_url(&state, &headers, d.verification_code.as_str()),
        lines: lines(t, &d),
        d,
        t,
    };
    Ok(ok(&page, t))
}
