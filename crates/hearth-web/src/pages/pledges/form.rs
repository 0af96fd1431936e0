//! `/pledges/new`: an organization drafts a letter from needs it claimed and has not yet put in
//! a letter, choosing mode, delivery, deadline and witnesses, with optional extra cash and item
//! lines. Refusals appear beside their fields and everything typed is kept.

use super::fail;
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::{category_label, item_options, what};
use crate::pages::{Fields, FormErrors, Frame, Section, form_errors, render};
use crate::tr::Tr;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::needs::SheetQuery;
use hearth_app::pledges::PledgeDraft;
use hearth_core::campaign::CampaignStatus;
use hearth_core::need::NeedStatus;
use hearth_core::permission::Permission;
use hearth_core::pledge::{Delivery, LineInput, PledgeInput, PledgeMode, PledgeStatus};
use hearth_store::organizations::PageRequest;
use std::collections::HashSet;

/// What the form holds, as typed.
#[derive(Debug, Default)]
struct Typed {
    campaign: String,
    needs: Vec<String>,
    mode: String,
    delivery: String,
    deadline: String,
    witness_town: String,
    witness_village: String,
    extra_cash: String,
    extra_item: String,
    extra_quantity: String,
    extra_unit_value: String,
}

impl Typed {
    fn from(fields: &Fields) -> Typed {
        let get = |k: &str| fields.get(k).trim().to_owned();
        Typed {
            campaign: get("campaign"),
            needs: fields.all("need"),
            mode: get("mode"),
            delivery: get("delivery"),
            deadline: get("deadline"),
            witness_town: get("witness_town"),
            witness_village: get("witness_village"),
            extra_cash: get("extra_cash"),
            extra_item: get("extra_item"),
            extra_quantity: get("extra_quantity"),
            extra_unit_value: get("extra_unit_value"),
        }
    }

    fn extra_lines(&self) -> Vec<LineInput> {
        let mut lines = Vec::new();
        if !self.extra_cash.is_empty() {
            lines.push(LineInput {
                kind: "cash".into(),
                cash: self.extra_cash.clone(),
                ..LineInput::default()
            });
        }
        let item_typed = [
            &self.extra_item,
            &self.extra_quantity,
            &self.extra_unit_value,
        ];
        if item_typed.iter().any(|v| !v.is_empty()) {
            lines.push(LineInput {
                kind: "item".into(),
                item: self.extra_item.clone(),
                quantity: self.extra_quantity.clone(),
                unit_value: self.extra_unit_value.clone(),
                ..LineInput::default()
            });
        }
        lines
    }

    fn draft(&self) -> PledgeDraft {
        PledgeDraft {
            needs: self.needs.clone(),
            pledge: PledgeInput {
                campaign: self.campaign.clone(),
                mode: self.mode.clone(),
                delivery: self.delivery.clone(),
                deadline: self.deadline.clone(),
                witness_town: self.witness_town.clone(),
                witness_village: self.witness_village.clone(),
                lines: self.extra_lines(),
                ..PledgeInput::default()
            },
        }
    }
}

struct NeedChoice {
    id: String,
    number: String,
    place: String,
    head: String,
    category: String,
    what: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "pledge_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    typed: Typed,
    errors: FormErrors,
    /// Messages not shown beside a field (a line's amount, a need claimed elsewhere).
    others: Vec<String>,
    campaigns: Vec<Opt>,
    choices: Vec<NeedChoice>,
    modes: Vec<Opt>,
    deliveries: Vec<Opt>,
    items: Vec<Opt>,
}

const SHOWN: [&str; 8] = [
    "campaign",
    "needs",
    "households",
    "mode",
    "delivery",
    "deadline",
    "witness_town",
    "witness_village",
];

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    mut typed: Typed,
    errors: FormErrors,
    http: StatusCode,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller.require(Permission::MakePledges).map_err(fail(t))?;
    let app = &state.app;
    let launched: Vec<_> = app
        .campaigns(caller)
        .await
        .map_err(fail(t))?
        .into_iter()
        .filter(|c| c.status == CampaignStatus::Launched)
        .collect();
    if typed.campaign.is_empty()
        && let Some(first) = launched.first()
    {
        typed.campaign = first.profile.code.clone();
        typed.deadline = first.profile.ends_on.to_string();
    }
    let in_letters: HashSet<uuid::Uuid> = app
        .pledges(caller)
        .await
        .map_err(fail(t))?
        .iter()
        .filter(|p| p.status != PledgeStatus::Cancelled)
        .flat_map(|p| p.lines.iter().filter_map(|l| l.need_id))
        .collect();
    let mine = SheetQuery {
        mine: true,
        ..SheetQuery::default()
    };
    let sheet = app
        .claim_sheet(caller, &mine, PageRequest::new(None, Some(100)))
        .await
        .map_err(fail(t))?;
    let choices = sheet
        .rows
        .iter()
        .filter(|r| r.status == NeedStatus::Claimed && !in_letters.contains(&r.id))
        .map(|r| NeedChoice {
            id: r.id.to_string(),
            number: r.number.clone(),
            place: format!("{} {}", r.town_name, r.village_name),
            head: r.head.clone(),
            category: category_label(t, &r.main_category),
            what: what(
                t,
                r.kind,
                &r.item_name,
                &r.item_unit,
                r.quantity,
                r.cash,
                r.service,
            ),
            checked: typed.needs.contains(&r.id.to_string()),
        })
        .collect();
    let items = app.items(caller).await.map_err(fail(t))?;
    let dictionary = |all: &[(&'static str, &'static str)], chosen: &str, default: &str| {
        let chosen = if chosen.is_empty() { default } else { chosen };
        all.iter()
            .map(|(value, key)| Opt {
                value: (*value).to_owned(),
                label: t.t(key).to_owned(),
                selected: *value == chosen,
            })
            .collect::<Vec<_>>()
    };
    let modes: Vec<_> = PledgeMode::ALL
        .iter()
        .map(|m| (m.as_str(), m.label_key()))
        .collect();
    let deliveries: Vec<_> = Delivery::ALL
        .iter()
        .map(|d| (d.as_str(), d.label_key()))
        .collect();
    let page = FormPage {
        frame: Frame::new(
            signed,
            t,
            Section::Pledges,
            "/pledges/new",
            t.t("pledge_page.new"),
        ),
        others: errors.others(&SHOWN),
        campaigns: launched
            .iter()
            .map(|c| Opt {
                value: c.profile.code.clone(),
                label: c.profile.name.clone(),
                selected: c.profile.code == typed.campaign,
            })
            .collect(),
        choices,
        modes: dictionary(&modes, &typed.mode, "one_to_one"),
        deliveries: dictionary(&deliveries, &typed.delivery, "door_to_door"),
        items: item_options(t, &items, &typed.extra_item),
        typed,
        errors,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /pledges/new`.
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let typed = Typed::default();
    show(
        &state,
        &signed,
        t,
        typed,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /pledges`: drafts the letter, then shows it.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let typed = Typed::from(&Fields::parse(&body));
    match state.app.draft_pledge(&signed.caller, &typed.draft()).await {
        Ok(p) => Ok(Redirect::to(&format!("/pledges/{}?notice=drafted", p.id)).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            show(&state, &signed, t, typed, errors, http).await
        }
    }
}
