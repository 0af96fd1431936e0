//! `/deliveries/{id}`: one delivery of a pledge line (发放签收) with its signature image
//! (签名图片) and photos (发放照片), kept and served like a handover's
//! ([`crate::pages::stock::files`]). Reached from the deliveries on the letter's page.

use super::{fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::stock::files::{self, Paper};
use crate::pages::{FormErrors, Section};
use crate::tr::Tr;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::response::Response;
use hearth_app::attachments::{Owner, Purpose};
use hearth_app::deliveries::DeliveryView;
use uuid::Uuid;

/// What was handed over: units of the item, or the cash.
pub(super) fn what(t: Tr, d: &DeliveryView) -> String {
    if d.quantity > 0 {
        format!("{} {}{}", d.item_name, d.quantity, d.item_unit)
    } else {
        format!("{} {}", d.cash.yuan_string(), t.t("pledge_page.yuan"))
    }
}

/// Who received: the head, or the proxy with the relationship.
pub(super) fn recipient(t: Tr, d: &DeliveryView) -> String {
    match d.proxy_relationship {
        Some(rel) => format!(
            "{}（{} {}）",
            t.t(d.recipient.label_key()),
            d.proxy_name,
            t.t(rel.label_key())
        ),
        None => t.t(d.recipient.label_key()).to_owned(),
    }
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: Uuid,
    notice: Option<&'static str>,
    refused: Option<(Purpose, FormErrors)>,
) -> Result<Response, PageError> {
    let d = state
        .app
        .delivery(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let paper = Paper {
        owner: Owner::Delivery(id),
        path: format!("/deliveries/{id}"),
        section: Section::Pledges,
        back: (
            format!("/pledges/{}#deliveries", d.pledge_id),
            d.pledge_number.clone(),
        ),
        number: d.number.clone(),
        heading: format!("{} {}", t.t("delivery.title"), d.number),
        facts: vec![
            ("pledge_page.campaign", d.campaign_code.clone()),
            ("pledge_page.number", d.pledge_number.clone()),
            ("pledge_page.organization", d.organization_name.clone()),
            (
                "roster.village",
                format!("{} {}", d.town_name, d.village_name),
            ),
            ("roster.head", d.head_name.clone()),
            ("pledge_page.what", what(t, &d)),
            ("pledge_page.value", d.value.yuan_string()),
            ("delivery.field.recipient", recipient(t, &d)),
            ("delivery.field.signed_name", d.signed_name.clone()),
            ("delivery.field.handler", d.handler.clone()),
            ("delivery.field.delivered_on", d.delivered_on.to_string()),
            ("delivery.field.note", d.note.clone()),
        ],
    };
    files::show((state, signed, t), paper, notice, refused).await
}

/// `GET /deliveries/{id}`: one delivery, its signature image and photos.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let notice = files::notice(raw.as_deref());
    show(&state, &signed, t, id, notice, None).await
}

/// `POST /deliveries/{id}/files?purpose=…&_csrf=…` (multipart): the signature image or a
/// photo; refused, the page again (422) with the reason beside the file input.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let path = format!("/deliveries/{id}");
    let refused = |refused| show(&state, &signed, t, id, None, refused);
    let page = (&state, &signed, t);
    files::upload(
        page,
        (Owner::Delivery(id), &path),
        raw.as_deref(),
        multipart,
        refused,
    )
    .await
}
