//! What a letter has delivered so far, on its page: each cash and item line's delivered and
//! remaining amount with a 登记发放 form, the deliveries (who signed, by whose hand), and the
//! follow-up visits with their tasks. Recording a delivery posts here and comes back to the
//! letter.

use super::{fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::households::Opt;
use crate::pages::needs::options;
use crate::pages::visits::{TaskRow, task_row};
use crate::pages::{Fields, FormErrors};
use crate::tr::Tr;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::pledges::PledgeView;
use hearth_app::visits::TaskQuery;
use hearth_core::delivery::{DeliveryInput, Handed, ProxyRelationship, RecipientKind};
use hearth_core::permission::Permission;
use hearth_core::pledge::{PledgeAction, PledgeLine, check};
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

/// A line still to deliver, with its form's defaults.
pub(super) struct OpenLine {
    pub id: String,
    pub what: String,
    pub remaining: String,
    /// `quantity` or `cash`: which input the form shows.
    pub field: &'static str,
    pub default_amount: String,
    /// The pledge's households to choose from when the line answers no need (一对多).
    pub households: Vec<Opt>,
}

pub(super) struct DeliveryRow {
    /// Its page, with the signature image and photos.
    pub id: String,
    pub number: String,
    pub day: String,
    pub household: String,
    pub what: String,
    pub recipient: String,
    pub handler: String,
    pub signed_name: String,
}

pub(super) struct VisitRow {
    pub day: String,
    pub household: String,
    pub method: &'static str,
    pub visitor: String,
    pub received: &'static str,
    pub suitable: &'static str,
    pub satisfaction: &'static str,
    pub new_needs: String,
    pub raised: String,
}

/// The letter's progress as its page shows it.
#[derive(Default)]
pub(super) struct Progress {
    /// Per line, in the letter's order: delivered so far (empty for services).
    pub delivered: Vec<String>,
    pub open_lines: Vec<OpenLine>,
    pub can_deliver: bool,
    pub deliveries: Vec<DeliveryRow>,
    pub tasks: Vec<TaskRow>,
    pub can_visit: bool,
    pub visits: Vec<VisitRow>,
    pub relationships: Vec<Opt>,
    pub recipients: Vec<Opt>,
    pub today: String,
    pub handler: String,
}

fn handed_text(t: Tr, handed: Handed, unit: &str) -> String {
    match handed {
        Handed::Items { quantity } => format!("{quantity}{unit}"),
        Handed::Cash { amount } => format!("{} {}", amount.yuan_string(), t.t("pledge_page.yuan")),
    }
}

fn yes_no(t: Tr, yes: bool) -> &'static str {
    t.t(if yes {
        "visit.answer.yes"
    } else {
        "visit.answer.no"
    })
}

impl Progress {
    pub async fn load(
        state: &AppState,
        signed: &Signed,
        t: Tr,
        p: &PledgeView,
        items: &[hearth_core::need::Item],
    ) -> Result<Progress, PageError> {
        let caller = &signed.caller;
        let app = &state.app;
        let progressing = check(p.status, PledgeAction::Progress).is_ok();
        let sheet = app
            .deliveries_for_pledge(caller, p.id)
            .await
            .map_err(fail(t))?;
        let unit_of = |line: &PledgeLine| match line {
            PledgeLine::Item { item, .. } => items
                .iter()
                .find(|i| &i.code == item)
                .map(|i| i.unit.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let delivered = p
            .lines
            .iter()
            .map(|l| {
                let found = sheet.lines.iter().find(|g| g.line_id == l.id);
                match (&l.line, found) {
                    (PledgeLine::Service { .. }, _) | (_, None) => String::new(),
                    (PledgeLine::Item { .. }, Some(g)) => {
                        format!("{}{}", g.delivered.quantity, unit_of(&l.line))
                    }
                    (PledgeLine::Cash { .. }, Some(g)) => g.delivered.cash.yuan_string(),
                }
            })
            .collect();
        let households: Vec<Opt> = p
            .households
            .iter()
            .map(|h| Opt {
                value: h.id.to_string(),
                label: format!("{} {} {}", h.town_name, h.village_name, h.head_name),
                selected: false,
            })
            .collect();
        let open_lines = sheet
            .lines
            .iter()
            .filter(|g| !g.done)
            .filter_map(|g| {
                let remaining = g.remaining?;
                let view = p.lines.iter().find(|l| l.id == g.line_id)?;
                let (field, default_amount) = match remaining {
                    Handed::Items { quantity } => ("quantity", quantity.to_string()),
                    Handed::Cash { amount } => ("cash", amount.yuan_string()),
                };
                Some(OpenLine {
                    id: g.line_id.to_string(),
                    what: super::line_text(t, &g.line, items).what,
                    remaining: handed_text(t, remaining, &unit_of(&g.line)),
                    field,
                    default_amount,
                    households: if view.household_id.is_none() && households.len() > 1 {
                        households.clone()
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect();
        let deliveries = sheet
            .deliveries
            .iter()
            .map(|d| DeliveryRow {
                id: d.id.to_string(),
                number: d.number.clone(),
                day: d.delivered_on.to_string(),
                household: format!("{} {} {}", d.town_name, d.village_name, d.head_name),
                what: super::delivery::what(t, d),
                recipient: super::delivery::recipient(t, d),
                handler: d.handler.clone(),
                signed_name: d.signed_name.clone(),
            })
            .collect();
        let only_this = TaskQuery {
            pledge: Some(p.id.to_string()),
            ..TaskQuery::default()
        };
        let (tasks, _) = app
            .visit_tasks(caller, &only_this, PageRequest::all())
            .await
            .map_err(fail(t))?;
        let visits = app
            .visits_for_pledge(caller, p.id)
            .await
            .map_err(fail(t))?
            .iter()
            .map(|v| VisitRow {
                day: v.visited_on.to_string(),
                household: format!("{} {} {}", v.town_name, v.village_name, v.head_name),
                method: t.t(v.method.label_key()),
                visitor: v.visitor.clone(),
                received: yes_no(t, v.received),
                suitable: yes_no(t, v.suitable),
                satisfaction: t.t(v.satisfaction.label_key()),
                new_needs: v.new_needs.clone(),
                raised: v.raised_need_number.clone().unwrap_or_default(),
            })
            .collect();
        Ok(Progress {
            delivered,
            open_lines,
            can_deliver: progressing && caller.can(Permission::RecordDeliveries),
            deliveries,
            tasks: tasks.iter().map(|task| task_row(t, task)).collect(),
            can_visit: progressing && caller.can(Permission::RecordVisits),
            visits,
            relationships: options(
                t,
                ProxyRelationship::ALL,
                "",
                ProxyRelationship::as_str,
                ProxyRelationship::label_key,
            ),
            recipients: options(
                t,
                RecipientKind::ALL,
                "head",
                RecipientKind::as_str,
                RecipientKind::label_key,
            ),
            today: hearth_app::today().to_string(),
            handler: caller.user.display_name.clone(),
        })
    }
}

/// `POST /pledges/{id}/lines/{line}/deliveries`: 登记发放, then back to the letter; a refusal
/// comes back on the letter's page with each message named by its field.
pub async fn deliver(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path((id, line)): Path<(String, String)>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let line = parse_id(&line, t)?;
    let fields = Fields::parse(&body);
    let get = |k: &str| fields.get(k).to_owned();
    let input = DeliveryInput {
        delivered_on: get("delivered_on"),
        recipient: get("recipient"),
        proxy_name: get("proxy_name"),
        proxy_relationship: get("proxy_relationship"),
        handler: get("handler"),
        signed_name: get("signed_name"),
        quantity: get("quantity"),
        cash: get("cash"),
        note: get("note"),
    };
    let household = Uuid::parse_str(fields.get("household").trim()).ok();
    match state
        .app
        .record_delivery(&signed.caller, line, household, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/pledges/{id}?notice=delivered")).into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = crate::pages::form_errors(t, e)?;
            let message = labelled(t, &errors);
            super::detail::show(&state, &signed, t, id, None, message, http).await
        }
    }
}

/// Each refusal with the label of its field in front, since the page holds several forms.
fn labelled(t: Tr, errors: &FormErrors) -> String {
    errors
        .pairs()
        .map(|(field, message)| {
            let key = format!("delivery.field.{field}");
            match t.t(&key) {
                label if label == key => message.to_owned(),
                label => format!("{label}：{message}"),
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}
