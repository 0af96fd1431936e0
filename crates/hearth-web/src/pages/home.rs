//! The home page: who you are, where you act, what you may see, where to go next.

use super::{Frame, Section, ok};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use hearth_app::todo::{Todo, TodoKind};
use hearth_core::organization::OrgStatus;
use hearth_core::permission::Permission;
use hearth_store::organizations::{OrgFilter, PageRequest};

struct QuickLink {
    href: &'static str,
    label: &'static str,
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    frame: Frame,
    greeting: String,
    role: &'static str,
    scope: String,
    /// (active, total) organizations the caller may see.
    orgs: Option<(i64, i64)>,
    links: Vec<QuickLink>,
    todos: Vec<TodoLink>,
    must_change_password: bool,
}

/// One line of the to-do list: how many, what, and the list that shows them.
struct TodoLink {
    href: &'static str,
    label: &'static str,
    count: i64,
}

fn todo_link(t: Tr, todo: Todo) -> TodoLink {
    let (href, key) = match todo.kind {
        TodoKind::HouseholdsReturned => ("/households?status=returned", "todo.households_returned"),
        TodoKind::HouseholdsToReview => {
            ("/households?status=submitted", "todo.households_to_review")
        }
        TodoKind::NeedsReturned => ("/needs?status=returned", "todo.needs_returned"),
        TodoKind::DeliveriesToConfirm => ("/pledges?to_deliver=1", "todo.deliveries_to_confirm"),
        TodoKind::NeedsToReview => ("/needs?status=submitted", "todo.needs_to_review"),
        TodoKind::NeedsToClaim => ("/claims", "todo.needs_to_claim"),
        TodoKind::ClaimsWithoutLetter => ("/pledges/new", "todo.claims_without_letter"),
        TodoKind::PledgesToSign => ("/pledges?status=draft", "todo.pledges_to_sign"),
        TodoKind::PledgesOverdue => ("/pledges?overdue=1", "todo.pledges_overdue"),
        TodoKind::PledgesDueSoon => ("/pledges?due_soon=1", "todo.pledges_due_soon"),
        TodoKind::VisitsDueSoon => ("/visits?state=due&soon=1", "todo.visits_due_soon"),
        TodoKind::VisitsOverdue => ("/visits?state=overdue", "todo.visits_overdue"),
        TodoKind::WaybillsToReceive => (
            "/stock/waybills?status=dispatched",
            "todo.waybills_to_receive",
        ),
        TodoKind::ApplicationsToDecide => ("/campaigns", "todo.applications_to_decide"),
    };
    TodoLink {
        href,
        label: t.t(key),
        count: todo.count,
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    let app = &state.app;
    let caller = &signed.caller;
    let user = &caller.user;
    let fail = |e| PageError::new(e, t);
    let mut scope = String::new();
    if let Some(code) = &user.area_code
        && caller.can(Permission::ReadAreas)
    {
        let areas = app.areas(caller).await.map_err(fail)?;
        scope = areas
            .iter()
            .find(|a| &a.code == code)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| code.as_str().to_owned());
    }
    if let Some(id) = user.organization_id {
        scope = match app.organization(caller, id).await {
            Ok(org) => org.profile.name,
            Err(hearth_app::AppError::NotFound | hearth_app::AppError::Forbidden) => String::new(),
            Err(e) => return Err(fail(e)),
        };
    }
    if scope.is_empty() {
        scope = t.t("home.no_scope").to_owned();
    }
    let orgs = if caller.can(Permission::ReadOrganizations) {
        let one = PageRequest::new(Some(1), Some(10));
        let (_, total) = app
            .organizations(caller, OrgFilter::default(), one)
            .await
            .map_err(fail)?;
        let active_only = OrgFilter {
            status: Some(OrgStatus::Active),
            ..OrgFilter::default()
        };
        let (_, active) = app
            .organizations(caller, active_only, one)
            .await
            .map_err(fail)?;
        Some((active, total))
    } else {
        None
    };
    let candidates: [(&'static str, &'static str, &'static str, bool); 7] = [
        (
            "/dashboard",
            "dashboard.nav",
            "dashboard.hint",
            caller.can(Permission::ReadLedger),
        ),
        (
            "/organizations",
            "nav.organizations",
            "home.hint_organizations",
            caller.can(Permission::ReadOrganizations),
        ),
        (
            "/organizations/new",
            "org.new",
            "home.hint_new_org",
            caller.can(Permission::ManageOrganizations),
        ),
        (
            "/areas",
            "nav.areas",
            "home.hint_areas",
            caller.can(Permission::ReadAreas),
        ),
        (
            "/users",
            "nav.users",
            "home.hint_users",
            caller.can(Permission::ManageUsers),
        ),
        (
            "/audit",
            "nav.audit",
            "home.hint_audit",
            caller.can(Permission::ReadAuditLog),
        ),
        (
            "/account/tokens",
            "nav.tokens",
            "home.hint_tokens",
            caller.can(Permission::UseApiTokens),
        ),
    ];
    let links = candidates
        .into_iter()
        .filter(|(_, _, _, shown)| *shown)
        .map(|(href, label, hint, _)| QuickLink {
            href,
            label: t.t(label),
            hint: t.t(hint),
        })
        .collect();
    let todos = app
        .todo(caller, hearth_app::today())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|todo| todo_link(t, todo))
        .collect();
    let page = HomePage {
        t,
        todos,
        frame: Frame::new(&signed, t, Section::Home, "/", t.t("nav.home")),
        greeting: t.f("home.greeting", &[("name", user.display_name.clone())]),
        role: t.t(&user.role.label_key()),
        scope,
        orgs,
        links,
        must_change_password: user.must_change_password,
    };
    Ok(ok(&page, t))
}
