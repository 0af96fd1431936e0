//! The pledge letter on paper: an A4 print view and the same letter as a .docx, in two copies —
//! the organization's (household heads masked, whoever prints it) and the town's (full names,
//! only for officers who may see them).

use super::{fail, line_text, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::{DOCX, download, internal_error, ok};
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use hearth_app::AppError;
use hearth_app::pledges::PledgeView;
use hearth_core::household::mask::mask_name;
use hearth_core::need::Item;
use hearth_core::organization::Organization;
use hearth_core::permission::Permission;
use hearth_core::pledge::PledgeLine;
use hearth_office::pledge_letter::{
    CashLine, ItemLine, Letter, LetterHousehold, LetterOrganization, LetterTotals, ServiceLine,
    UNDERTAKINGS,
};
use uuid::Uuid;

/// Which copy: the organization's unless `?copy=town`.
fn town_copy(raw: Option<&str>) -> bool {
    raw.map(form_pairs)
        .unwrap_or_default()
        .iter()
        .any(|(k, v)| k == "copy" && v == "town")
}

fn organization(org: &Organization, t: Tr) -> LetterOrganization {
    let p = &org.profile;
    LetterOrganization {
        name: p.name.clone(),
        uscc: p.uscc.as_str().to_owned(),
        kind: t.t(p.kind.label_key()).to_owned(),
        responsible_person: p.responsible_person.clone(),
        contact: format!("{} {}", p.contact_person, p.contact_phone)
            .trim()
            .to_owned(),
        address: p.address.clone(),
    }
}

/// What the letter promises each household, in a few words (the lines answering its needs).
fn needs_of(t: Tr, p: &PledgeView, household: Uuid, items: &[Item]) -> String {
    p.lines
        .iter()
        .filter(|l| l.household_id == Some(household))
        .map(|l| {
            let text = line_text(t, &l.line, items);
            match &l.line {
                PledgeLine::Item { .. } => format!("{} {}", text.what, text.quantity),
                _ => text.what,
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn letter(t: Tr, p: &PledgeView, org: &Organization, items: &[Item], town: bool) -> Letter {
    let mut letter = Letter {
        campaign: p.campaign_name.clone(),
        year: p.campaign_year.to_string(),
        number: p.number.clone(),
        copy: t
            .t(if town {
                "letter.copy_town"
            } else {
                "letter.copy_organization"
            })
            .to_owned(),
        organization: organization(org, t),
        households: p
            .households
            .iter()
            .map(|h| LetterHousehold {
                town: h.town_name.clone(),
                village: h.village_name.clone(),
                head: if town {
                    h.head_name.clone()
                } else {
                    mask_name(&h.head_name)
                },
                category: crate::pages::needs::category_label(t, &h.main_category),
                needs: needs_of(t, p, h.id, items),
            })
            .collect(),
        totals: LetterTotals {
            cash: p.totals.cash.yuan_string(),
            cash_capitals: p.cash_capitals.clone(),
            items: p.totals.items.yuan_string(),
            items_capitals: p.items_capitals.clone(),
            total: p.totals.total().yuan_string(),
            total_capitals: p.total_capitals.clone(),
        },
        mode: t.t(p.mode.label_key()).to_owned(),
        delivery: t.t(p.delivery.label_key()).to_owned(),
        deadline: p.deadline.format(t.t("fmt.date")).to_string(),
        witness_town: p.witness_town.clone(),
        witness_village: p.witness_village.clone(),
        ..Letter::default()
    };
    for l in &p.lines {
        let need = l.need_number.clone().unwrap_or_default();
        let text = line_text(t, &l.line, items);
        match &l.line {
            PledgeLine::Cash { amount } => letter.cash.push(CashLine {
                need,
                amount: amount.yuan_string(),
                capitals: amount.chinese_capitals(),
            }),
            PledgeLine::Item { .. } => letter.items.push(ItemLine {
                need,
                name: text.what,
                spec: text.spec,
                quantity: text.quantity,
                unit_price: text.unit_value,
                value: text.value,
            }),
            PledgeLine::Service { .. } => letter.services.push(ServiceLine {
                need,
                service: text.what,
                schedule: text.schedule,
            }),
        }
    }
    letter
}

/// The letter for the caller, or a refusal: the town's copy needs the right to see names.
async fn load(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    id: &str,
    raw: Option<&str>,
) -> Result<Letter, PageError> {
    let caller = &signed.caller;
    let id = parse_id(id, t)?;
    let town = town_copy(raw);
    if town && !caller.can(Permission::RevealHouseholdDetails) {
        return Err(PageError::new(AppError::Forbidden, t));
    }
    let p = state.app.pledge(caller, id).await.map_err(fail(t))?;
    let org = state
        .app
        .organization(caller, p.organization_id)
        .await
        .map_err(fail(t))?;
    let items = state.app.items(caller).await.map_err(fail(t))?;
    Ok(letter(t, &p, &org, &items, town))
}

#[derive(Template)]
#[template(path = "pledge_letter.html")]
struct PrintPage {
    t: Tr,
    letter: Letter,
    title: String,
    subtitle: String,
    number_line: String,
    deadline_line: String,
    intro: String,
    undertakings: Vec<String>,
    back: String,
}

/// `GET /pledges/{id}/print[?copy=town]`: the A4 letter, ready for the browser's print.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let letter = load(&state, &signed, t, &id, raw.as_deref()).await?;
    let page = PrintPage {
        title: t.f("letter.title", &[("year", letter.year.clone())]),
        subtitle: t.f("letter.campaign", &[("campaign", letter.campaign.clone())]),
        number_line: t.f("letter.number", &[("number", letter.number.clone())]),
        deadline_line: t.f(
            "letter.deadline_value",
            &[("deadline", letter.deadline.clone())],
        ),
        intro: t.f(
            "letter.undertakings_intro",
            &[("campaign", letter.campaign.clone())],
        ),
        undertakings: UNDERTAKINGS.iter().map(|k| t.t(k).to_owned()).collect(),
        back: format!("/pledges/{id}"),
        letter,
        t,
    };
    Ok(ok(&page, t))
}

/// `GET /pledges/{id}/letter.docx[?copy=town]`: the same letter for Word or WPS.
pub async fn docx(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let letter = load(&state, &signed, t, &id, raw.as_deref()).await?;
    match hearth_office::pledge_letter::docx(&letter, t.0) {
        Ok(bytes) => {
            let name = t.f("letter.file_title", &[("number", letter.number.clone())]) + ".docx";
            let ascii = format!("pledge-{}.docx", letter.number);
            Ok(download(DOCX, &ascii, &name, bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "pledge letter failed");
            Ok(internal_error(t))
        }
    }
}
