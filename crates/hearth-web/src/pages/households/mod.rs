//! The household registry (困难家庭) in the county habit: a list with the division tree, search
//! and filters, 登记 and 导出; a form with member and category rows that grows without
//! JavaScript; a detail page with the review workflow, the logged 查看完整信息, the score and
//! the history.
//!
//! What a page shows is what the use case returned for the caller: masking and scope are decided
//! in `hearth-app`, never here. Full ID numbers appear only in the edit form (opened through the
//! logged `household_form`) and in the one reveal answer, and never in an address.

mod detail;
mod form;
mod list;

use super::label_or;
use crate::AppState;
use crate::error::PageError;
use crate::tr::Tr;
use axum::Router;
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_core::household::HouseholdStatus;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/households", get(list::list).post(form::create))
        .route("/households/new", get(form::new_form))
        .route("/households/search", post(list::search))
        .route("/households/review", post(list::review))
        .route(
            "/households/export.xlsx",
            get(list::export).post(list::export_post),
        )
        .route(
            "/households/export.csv",
            get(list::export).post(list::export_post),
        )
        .route("/households/{id}", get(detail::detail).post(form::update))
        .route("/households/{id}/edit", get(form::edit_form))
        .route("/households/{id}/submit", post(detail::submit))
        .route("/households/{id}/withdraw", post(detail::withdraw))
        .route("/households/{id}/approve", post(detail::approve))
        .route("/households/{id}/return", post(detail::return_for_changes))
        .route("/households/{id}/reveal", post(detail::reveal))
        .route(
            "/households/{id}/consent/withdraw",
            post(detail::withdraw_consent),
        )
}

/// A choice in a dropdown or a checkbox group.
#[derive(Clone)]
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// A category code as people read it (`dibao` → 最低生活保障（低保）).
fn category_label(t: Tr, code: &str) -> String {
    label_or(t, &format!("category.{code}"), code)
}

fn status_label(t: Tr, code: &str) -> String {
    label_or(t, &format!("household.status.{code}"), code)
}

fn status_class(code: &str) -> &'static str {
    match HouseholdStatus::parse(code) {
        Ok(HouseholdStatus::Approved) => "tag-success",
        Ok(HouseholdStatus::Submitted) => "tag-plain",
        Ok(HouseholdStatus::Returned) => "tag-danger",
        Ok(HouseholdStatus::Draft) => "tag-info",
        Ok(HouseholdStatus::Archived) | Err(_) => "tag-info",
    }
}

fn consent_label(t: Tr, shares: bool) -> &'static str {
    if shares {
        t.t("hh_page.consent_yes")
    } else {
        t.t("hh_page.consent_no")
    }
}

fn consent_class(shares: bool) -> &'static str {
    if shares { "tag-success" } else { "tag-warning" }
}

/// Whether the record may still be changed by the village (draft or returned).
fn is_editable(code: &str) -> bool {
    HouseholdStatus::parse(code).is_ok_and(|s| s.is_editable())
}

/// Whether the caller acts as the village on this record (edits, submits, withdraws): a village
/// officer, or a reviewer on a record they entered themselves. A town officer does not take a
/// village's record out of its hands.
fn acts_as_maker(
    caller: &hearth_app::Caller,
    view: &hearth_app::households::HouseholdView,
) -> bool {
    use hearth_core::permission::Permission;
    caller.can(Permission::RegisterHouseholds)
        && (!caller.can(Permission::ReviewHouseholds) || view.entered_by_caller)
}

/// Whether the caller may approve or return this household: a reviewer, a submitted household,
/// and not one the caller entered (maker-checker; hearth-app enforces it, this only offers it).
fn may_review(caller: &hearth_app::Caller, view: &hearth_app::households::HouseholdView) -> bool {
    use hearth_core::permission::Permission;
    caller.can(Permission::ReviewHouseholds)
        && is_submitted(&view.status)
        && !view.entered_by_caller
}

fn is_submitted(code: &str) -> bool {
    HouseholdStatus::parse(code) == Ok(HouseholdStatus::Submitted)
}

/// Options of a dictionary for a value typed, stored or posted: the matching entry is
/// selected (by code or label, through the dictionary's own parser); a value the dictionary
/// does not know is kept as an extra selected option so nothing typed is lost.
fn choices<T: Copy + PartialEq>(
    t: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    parse: impl Fn(&str) -> Option<T>,
    raw: &str,
) -> Vec<Opt> {
    let chosen = parse(raw.trim());
    let mut opts: Vec<Opt> = all
        .iter()
        .map(|item| Opt {
            value: code(*item).to_owned(),
            label: t.t(key(*item)).to_owned(),
            selected: chosen == Some(*item),
        })
        .collect();
    if chosen.is_none() && !raw.trim().is_empty() {
        opts.push(Opt {
            value: raw.trim().to_owned(),
            label: raw.trim().to_owned(),
            selected: true,
        });
    }
    opts
}

/// Checkbox options for a list of typed values (each parsed by the dictionary).
fn checks<T: Copy + PartialEq>(
    t: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    parse: impl Fn(&str) -> Option<T>,
    raw: &[String],
) -> Vec<Opt> {
    let typed = hearth_core::organization::split_list(raw);
    let chosen: Vec<Option<T>> = typed.iter().map(|v| parse(v)).collect();
    let mut opts: Vec<Opt> = all
        .iter()
        .map(|item| Opt {
            value: code(*item).to_owned(),
            label: t.t(key(*item)).to_owned(),
            selected: chosen.contains(&Some(*item)),
        })
        .collect();
    for (value, parsed) in typed.iter().zip(&chosen) {
        if parsed.is_none() {
            opts.push(Opt {
                value: value.clone(),
                label: value.clone(),
                selected: true,
            });
        }
    }
    opts
}
