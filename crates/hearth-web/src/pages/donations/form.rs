//! `/donations/new`: recording a donation (登记捐赠). Cash or goods, the donor (an organization
//! of the registry, another organization or a person by name, or anonymous), the receipt, the
//! designation and, for goods, the receiving station and up to five lines. Refusals appear
//! beside their fields and everything typed is kept.

use super::fail;
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::item_options;
use crate::pages::{Fields, FormErrors, Frame, Section, form_errors, render};
use crate::tr::Tr;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::Caller;
use hearth_core::campaign::CampaignStatus;
use hearth_core::donation::{
    Channel, Condition, DesignationKind, DonationInput, DonationKind, DonorKind, GiftLineInput,
};
use hearth_core::permission::Permission;
use hearth_store::organizations::{OrgFilter, PageRequest};

/// Lines of goods the form offers.
pub(super) const FORM_LINES: usize = 5;

/// A dropdown from a dictionary, with `chosen` (or `default`) selected.
pub(super) fn options(t: Tr, all: &[(&'static str, &'static str)], chosen: &str) -> Vec<Opt> {
    all.iter()
        .map(|(value, key)| Opt {
            value: (*value).to_owned(),
            label: t.t(key).to_owned(),
            selected: *value == chosen,
        })
        .collect()
}

/// The campaigns money may still come in for, and the stations the caller may receive at.
pub(super) async fn campaigns_and_stations(
    state: &AppState,
    caller: &Caller,
    t: Tr,
    campaign: &str,
    station: &str,
) -> Result<(Vec<Opt>, Vec<Opt>), PageError> {
    let app = &state.app;
    let campaigns = app
        .campaigns(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|c| matches!(c.status, CampaignStatus::Planned | CampaignStatus::Launched))
        .map(|c| Opt {
            selected: c.profile.code == campaign,
            value: c.profile.code,
            label: c.profile.name,
        })
        .collect();
    let stations = app
        .stations(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|s| s.kept_by_caller)
        .map(|s| Opt {
            selected: s.code.as_str() == station,
            value: s.code.to_string(),
            label: if s.is_county {
                t.f("donation_page.warehouse_option", &[("name", s.name)])
            } else {
                t.f("donation_page.station_option", &[("name", s.name)])
            },
        })
        .collect();
    Ok((campaigns, stations))
}

/// The form as typed. The channel dropdown belongs to the cash section and the station
/// dropdown to the goods section: each always sends a value, so the one of the other kind is
/// dropped rather than refused.
fn typed(fields: &Fields) -> DonationInput {
    let get = |k: &str| fields.get(k).trim().to_owned();
    let lines = (0..FORM_LINES)
        .map(|i| GiftLineInput {
            item: get(&format!("lines.{i}.item")),
            quantity: get(&format!("lines.{i}.quantity")),
            unit_value: get(&format!("lines.{i}.unit_value")),
            condition: get(&format!("lines.{i}.condition")),
        })
        .collect();
    let mut input = DonationInput {
        campaign: get("campaign"),
        kind: get("kind"),
        donor_kind: get("donor_kind"),
        organization: get("organization"),
        donor_name: get("donor_name"),
        public_name: get("public_name"),
        amount: get("amount"),
        channel: get("channel"),
        received_on: get("received_on"),
        receipt_number: get("receipt_number"),
        designation: get("designation"),
        designated_to: get("designated_to"),
        station: get("station"),
        lines,
        note: get("note"),
    };
    match DonationKind::parse(&input.kind) {
        Ok(DonationKind::Cash) => input.station.clear(),
        Ok(DonationKind::InKind) => input.channel.clear(),
        Err(_) => {}
    }
    input
}

/// One line of goods on the form, with its refusals.
struct LineForm {
    index: usize,
    items: Vec<Opt>,
    quantity: String,
    unit_value: String,
    conditions: Vec<Opt>,
    error: String,
}

#[derive(Template)]
#[template(path = "donation_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    typed: DonationInput,
    errors: FormErrors,
    others: Vec<String>,
    campaigns: Vec<Opt>,
    kinds: Vec<Opt>,
    donor_kinds: Vec<Opt>,
    organizations: Vec<Opt>,
    channels: Vec<Opt>,
    designations: Vec<Opt>,
    towns: Vec<String>,
    stations: Vec<Opt>,
    lines: Vec<LineForm>,
}

const SHOWN: [&str; 14] = [
    "campaign",
    "kind",
    "donor_kind",
    "organization",
    "donor_name",
    "public_name",
    "amount",
    "channel",
    "received_on",
    "receipt_number",
    "designation",
    "designated_to",
    "station",
    "note",
];

fn line_forms(
    t: Tr,
    typed: &DonationInput,
    errors: &FormErrors,
    items: &[hearth_core::need::Item],
) -> Vec<LineForm> {
    let conditions: Vec<_> = Condition::ALL
        .iter()
        .map(|c| (c.as_str(), c.label_key()))
        .collect();
    (0..FORM_LINES)
        .map(|i| {
            let typed_line = typed.lines.get(i).cloned().unwrap_or_default();
            let prefix = format!("lines.{i}.");
            let error = errors
                .pairs()
                .filter(|(f, _)| f.starts_with(&prefix))
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("；");
            LineForm {
                index: i,
                items: item_options(t, items, &typed_line.item),
                quantity: typed_line.quantity,
                unit_value: typed_line.unit_value,
                conditions: options(t, &conditions, &typed_line.condition),
                error,
            }
        })
        .collect()
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    mut typed: DonationInput,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller
        .require(Permission::RecordDonations)
        .map_err(fail(t))?;
    let app = &state.app;
    if typed.received_on.is_empty() {
        typed.received_on = hearth_app::today().to_string();
    }
    let (campaigns, stations) =
        campaigns_and_stations(state, caller, t, &typed.campaign, &typed.station).await?;
    let organizations = app
        .organizations(caller, OrgFilter::default(), PageRequest::all())
        .await
        .map_err(fail(t))?
        .0
        .into_iter()
        .map(|o| Opt {
            selected: o.id.to_string() == typed.organization,
            value: o.id.to_string(),
            label: o.profile.name,
        })
        .collect();
    let towns = app
        .stations(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|s| !s.is_county)
        .map(|s| s.name)
        .collect();
    let items = app.items(caller).await.map_err(fail(t))?;
    let pairs = |all: Vec<(&'static str, &'static str)>, chosen: &str, default: &str| {
        let chosen = if chosen.is_empty() { default } else { chosen };
        options(t, &all, chosen)
    };
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Donations,
            "/donations/new",
            t.t("donation_page.new"),
        ),
        others: errors.others(&SHOWN),
        campaigns,
        kinds: pairs(
            DonationKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_key()))
                .collect(),
            &typed.kind,
            if caller.can(Permission::RecordPurchases) {
                "cash"
            } else {
                "in_kind"
            },
        ),
        donor_kinds: pairs(
            DonorKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_key()))
                .collect(),
            &typed.donor_kind,
            "organization",
        ),
        organizations,
        channels: pairs(
            Channel::ALL
                .iter()
                .map(|c| (c.as_str(), c.label_key()))
                .collect(),
            &typed.channel,
            "bank_transfer",
        ),
        designations: pairs(
            DesignationKind::ALL
                .iter()
                .map(|d| (d.as_str(), d.label_key()))
                .collect(),
            &typed.designation,
            "campaign",
        ),
        towns,
        stations,
        lines: line_forms(t, &typed, &errors, &items),
        typed,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /donations/new`.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    show(
        &state,
        &signed,
        t,
        DonationInput::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /donations`: records the donation, then shows it with its acknowledgement.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let typed = typed(&Fields::parse(&body));
    match state.app.record_donation(&signed.caller, &typed).await {
        Ok(d) => Ok(Redirect::to(&format!("/donations/{}?notice=recorded", d.id)).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show(&state, &signed, t, typed, errors, http).await
        }
    }
}
