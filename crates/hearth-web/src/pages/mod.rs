//! Server-rendered pages in the county office habit (DESIGN.md §5, domain.md §7): a left menu
//! that shows only what the role may use, search form, toolbar, table, pagination.
//!
//! Every page works without JavaScript and without inline script or style (the CSP forbids
//! both); `static/app.js` only adds conveniences. Every string comes from the locale files.

mod account;
mod areas;
mod attachments;
mod audit;
mod campaigns;
mod claims;
mod cultivation;
mod dashboard;
mod donations;
mod export;
mod home;
mod households;
mod identity;
mod imports;
mod items;
mod ledger;
mod login;
mod matching;
mod needs;
mod organizations;
mod pledges;
mod public;
mod second_factor;
mod stock;
mod users;
mod verify;
mod visits;

use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use hearth_app::AppError;
use hearth_core::Invalid;
use hearth_core::permission::Permission;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/code", post(login::submit_code))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::language))
        .route(
            "/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route("/organizations/new", get(organizations::new_form))
        .route("/organizations/export.xlsx", get(organizations::export))
        .route(
            "/organizations/{id}",
            get(organizations::detail).post(organizations::update),
        )
        .route("/organizations/{id}/edit", get(organizations::edit_form))
        .route(
            "/organizations/{id}/status",
            post(organizations::set_status),
        )
        .route("/areas", get(areas::page).post(areas::load))
        .route(
            "/account/tokens",
            get(account::tokens).post(account::create_token),
        )
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/account/totp", get(second_factor::show))
        .route("/account/totp/start", post(second_factor::start))
        .route("/account/totp/confirm", post(second_factor::confirm))
        .route("/users", get(users::list).post(users::add))
        .route("/users/export.xlsx", get(users::export))
        .route("/users/export.csv", get(users::export))
        .route("/users/{username}/status", post(users::set_status))
        .route("/users/{username}/password", post(users::reset_password))
        .route("/audit", get(audit::page))
        .route("/audit/export.xlsx", get(audit::export))
        .route("/audit/export.csv", get(audit::export))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/export.xlsx", get(campaigns::export))
        .route("/campaigns/export.csv", get(campaigns::export))
        .route("/campaigns/new", get(campaigns::new_form))
        .route("/campaigns/{id}", get(campaigns::detail))
        .route("/campaigns/{id}/status", post(campaigns::advance))
        .route("/campaigns/{id}/enrolments", post(campaigns::enrol))
        .route("/campaigns/{id}/apply", post(campaigns::apply))
        .route(
            "/campaigns/{id}/applications/{org}",
            post(campaigns::decide),
        )
        .merge(attachments::router())
        .merge(matching::router())
        .merge(cultivation::router())
        .merge(households::router())
        .merge(identity::router())
        .merge(imports::router())
        .merge(needs::router())
        .merge(claims::router())
        .merge(pledges::router())
        .merge(visits::router())
        .merge(stock::router())
        .merge(donations::router())
        .route("/verify", get(verify::form))
        .route("/verify/{code}", get(verify::check))
        .merge(items::router())
        .merge(ledger::router())
        .merge(dashboard::router())
        .route("/public", get(public::page))
}

/// Renders a template as an HTML response with the given status.
pub(crate) fn render<T: Template>(status: StatusCode, page: &T, t: Tr) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            internal_error(t)
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct InternalPage {
    t: Tr,
    status: u16,
    title: &'static str,
    messages: Vec<String>,
}

/// A 500 page for failures outside the use cases (a template, a spreadsheet writer); the
/// cause is logged by the caller, the reader sees only that something went wrong.
pub(crate) fn internal_error(t: Tr) -> Response {
    let page = InternalPage {
        t,
        status: 500,
        title: t.t("error.title_500"),
        messages: vec![t.t("error.internal").to_owned()],
    };
    let html = page
        .render()
        .unwrap_or_else(|_| t.t("error.internal").to_owned());
    (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response()
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub(crate) const DOCX: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A file to save, not to show: `ascii_name` for old browsers, `name` (Chinese) for the rest
/// (RFC 6266 / 5987), and never cached, since files carry what the reader was allowed to see.
pub(crate) fn download(
    content_type: &str,
    ascii_name: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}");
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// Renders a page with 200 OK.
pub(crate) fn ok<T: Template>(page: &T, t: Tr) -> Response {
    render(StatusCode::OK, page, t)
}

/// A `next` address is followed only if it stays on this site: a local path, not `//host`
/// (protocol-relative) nor `/\host` (which browsers read the same way).
pub(crate) fn local_path(next: &str) -> Option<&str> {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    safe.then_some(next)
}

/// A query string (without `?`) from pairs, leaving out empty values.
pub(crate) fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `path` with `query` appended when there is one.
pub(crate) fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// A posted form's fields (repeated names keep every value).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &str) -> Fields {
        Fields(form_pairs(body))
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// A time as people in the county read it: Asia/Shanghai, `2024年12月20日 14:05`.
pub(crate) fn local_time(t: Tr, at: DateTime<Utc>) -> String {
    format_local(t, at, "fmt.datetime", "%Y-%m-%d %H:%M")
}

/// A date as people in the county read it: Asia/Shanghai, `2024年12月20日`.
pub(crate) fn local_date(t: Tr, at: DateTime<Utc>) -> String {
    format_local(t, at, "fmt.date", "%Y-%m-%d")
}

fn format_local(t: Tr, at: DateTime<Utc>, key: &str, fallback: &str) -> String {
    use std::fmt::Write;
    let local = at.with_timezone(&chrono_tz::Asia::Shanghai);
    let mut out = String::new();
    if write!(out, "{}", local.format(t.t(key))).is_err() {
        out.clear();
        let _ = write!(out, "{}", local.format(fallback));
    }
    out
}

/// The label for a key, or `raw` when the catalog has none (an action added later).
pub(crate) fn label_or(t: Tr, key: &str, raw: &str) -> String {
    let text = t.t(key);
    if text == key {
        raw.to_owned()
    } else {
        text.to_owned()
    }
}

/// Messages of a refused form, keyed by field, to show next to each input.
#[derive(Debug, Default)]
pub(crate) struct FormErrors {
    by_field: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_invalid(t: Tr, list: &[Invalid]) -> FormErrors {
        FormErrors {
            by_field: list
                .iter()
                .map(|e| (e.field().to_owned(), e.message(t.0)))
                .collect(),
        }
    }

    pub fn one(field: &str, message: String) -> FormErrors {
        FormErrors {
            by_field: vec![(field.to_owned(), message)],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty()
    }

    /// The messages for one field, joined (usually one).
    pub fn of(&self, field: &str) -> String {
        self.by_field
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.iter().any(|(f, _)| f == field)
    }

    /// Messages for fields the form does not show, for the box at its top.
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        self.by_field
            .iter()
            .filter(|(f, _)| !shown.contains(&f.as_str()))
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Each refused field with its message.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_field.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// Every message, for the box at the top of a form.
    pub fn all(&self) -> Vec<String> {
        self.by_field.iter().map(|(_, m)| m.clone()).collect()
    }
}

/// Splits a use-case error into what the form shows beside its fields and what becomes an
/// error page (not permitted, not found, storage failure).
pub(crate) fn form_errors(t: Tr, e: AppError) -> Result<FormErrors, PageError> {
    match e {
        AppError::Invalid(list) => Ok(FormErrors::from_invalid(t, &list)),
        AppError::Conflict(one) => Ok(FormErrors::from_invalid(t, &[one])),
        other => Err(PageError::new(other, t)),
    }
}

/// One entry of the left menu.
pub(crate) struct MenuItem {
    pub href: &'static str,
    pub label: &'static str,
    pub icon: &'static str,
    pub active: bool,
}

/// One step of the breadcrumbs; the last one has no link.
pub(crate) struct Crumb {
    pub href: String,
    pub label: String,
}

/// Which menu entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Home,
    Dashboard,
    Campaigns,
    Matching,
    Organizations,
    Households,
    Identity,
    Needs,
    Claims,
    Pledges,
    Visits,
    Donations,
    Purchases,
    Stock,
    Items,
    Ledger,
    Areas,
    Users,
    Audit,
    Tokens,
    Password,
    SecondFactor,
}

/// What the layout (`base.html`) needs: who is signed in, the menu for their role, the
/// breadcrumbs, the language links and the CSRF token for the logout form.
pub(crate) struct Frame {
    pub title: String,
    pub user_name: String,
    /// The sign-in name (for password managers on the password form).
    pub login: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    pub crumbs: Vec<Crumb>,
    pub lang_zh: String,
    pub lang_en: String,
    /// The page's own address, from which a list's export links are made.
    pub here: String,
}

impl Frame {
    /// `here` is the address the language links come back to (a GET page).
    pub fn new(
        signed: &Signed,
        t: Tr,
        section: Section,
        here: &str,
        title: impl Into<String>,
    ) -> Frame {
        let caller = &signed.caller;
        let entries: [(Section, &'static str, &'static str, &'static str, bool); 22] = [
            (Section::Home, "/", "nav.home", "home", true),
            (
                Section::Dashboard,
                "/dashboard",
                "dashboard.nav",
                "dashboard",
                caller.can(Permission::ReadLedger),
            ),
            (
                Section::Campaigns,
                "/campaigns",
                "nav.campaigns",
                "campaign",
                caller.can(Permission::ReadCampaigns),
            ),
            (
                Section::Matching,
                "/matching",
                "matching.nav",
                "campaign",
                caller.user.role == hearth_core::role::Role::CountyAdmin,
            ),
            (
                Section::Organizations,
                "/organizations",
                "nav.organizations",
                "org",
                caller.can(Permission::ReadOrganizations),
            ),
            (
                Section::Households,
                "/households",
                "nav.households",
                "household",
                caller.can(Permission::ReadHouseholds),
            ),
            (
                Section::Identity,
                "/identity",
                "identity.nav",
                "household",
                caller.can(Permission::ResolveIdentities),
            ),
            (
                Section::Needs,
                "/needs",
                "need_page.nav",
                "need",
                caller.can(Permission::ReadNeeds),
            ),
            (
                Section::Claims,
                "/claims",
                "claim_page.nav",
                "claim",
                caller.can(Permission::ClaimNeeds),
            ),
            (
                Section::Pledges,
                "/pledges",
                "pledge_page.nav",
                "pledge",
                caller.can(Permission::ReadPledges),
            ),
            (
                Section::Visits,
                "/visits",
                "visit_page.nav",
                "visit",
                caller.can(Permission::ReadPledges),
            ),
            (
                Section::Donations,
                "/donations",
                "donation_page.nav",
                "donation",
                caller.can(Permission::ReadDonations),
            ),
            (
                Section::Purchases,
                "/purchases",
                "purchase_page.nav",
                "purchase",
                caller.can(Permission::ReadPurchases),
            ),
            (
                Section::Stock,
                "/stock",
                "stock_page.nav",
                "stock",
                caller.can(Permission::ReadStock),
            ),
            (
                Section::Ledger,
                "/ledger",
                "ledger_page.nav",
                "ledger",
                caller.can(Permission::ReadLedger),
            ),
            (
                Section::Items,
                "/items",
                "item.nav",
                "item",
                caller.can(Permission::ManageCatalogue),
            ),
            (
                Section::Areas,
                "/areas",
                "nav.areas",
                "area",
                caller.can(Permission::ReadAreas),
            ),
            (
                Section::Users,
                "/users",
                "nav.users",
                "user",
                caller.can(Permission::ManageUsers),
            ),
            (
                Section::Audit,
                "/audit",
                "nav.audit",
                "audit",
                caller.can(Permission::ReadAuditLog),
            ),
            (
                Section::Tokens,
                "/account/tokens",
                "nav.tokens",
                "token",
                caller.can(Permission::UseApiTokens),
            ),
            (
                Section::Password,
                "/account/password",
                "nav.password",
                "key",
                true,
            ),
            (
                Section::SecondFactor,
                "/account/totp",
                "totp_web.nav",
                "key",
                true,
            ),
        ];
        let menu = entries
            .into_iter()
            .filter(|(_, _, _, _, shown)| *shown)
            .map(|(s, href, key, icon, _)| MenuItem {
                href,
                label: t.t(key),
                icon,
                active: s == section,
            })
            .collect();
        let title = title.into();
        let mut crumbs = vec![Crumb {
            href: "/".into(),
            label: t.t("nav.home").into(),
        }];
        if section != Section::Home {
            let (href, key) = match section {
                Section::Dashboard => ("/dashboard", "dashboard.nav"),
                Section::Campaigns => ("/campaigns", "nav.campaigns"),
                Section::Matching => ("/matching", "matching.nav"),
                Section::Organizations => ("/organizations", "nav.organizations"),
                Section::Households => ("/households", "nav.households"),
                Section::Identity => ("/identity", "identity.nav"),
                Section::Needs => ("/needs", "need_page.nav"),
                Section::Claims => ("/claims", "claim_page.nav"),
                Section::Pledges => ("/pledges", "pledge_page.nav"),
                Section::Visits => ("/visits", "visit_page.nav"),
                Section::Donations => ("/donations", "donation_page.nav"),
                Section::Purchases => ("/purchases", "purchase_page.nav"),
                Section::Stock => ("/stock", "stock_page.nav"),
                Section::Items => ("/items", "item.nav"),
                Section::Ledger => ("/ledger", "ledger_page.nav"),
                Section::Areas => ("/areas", "nav.areas"),
                Section::Users => ("/users", "nav.users"),
                Section::Audit => ("/audit", "nav.audit"),
                Section::Tokens => ("/account/tokens", "nav.tokens"),
                Section::SecondFactor => ("/account/totp", "totp_web.nav"),
                Section::Password | Section::Home => ("/account/password", "nav.password"),
            };
            crumbs.push(Crumb {
                href: href.into(),
                label: t.t(key).into(),
            });
        }
        if crumbs.last().is_none_or(|c| c.label != title) {
            crumbs.push(Crumb {
                href: String::new(),
                label: title.clone(),
            });
        }
        let here = local_path(here).unwrap_or("/");
        let lang = |code: &str| {
            format!(
                "/lang/{code}?{}",
                query_string(&[("next", here.to_owned())])
            )
        };
        Frame {
            title,
            user_name: caller.user.display_name.clone(),
            login: caller.user.username.to_string(),
            role_label: t.t(&caller.user.role.label_key()),
            csrf: signed.csrf().to_owned(),
            menu,
            crumbs,
            lang_zh: lang("zh-CN"),
            lang_en: lang("en"),
            here: here.to_owned(),
        }
    }

    /// 导出Excel: this list under the same filters as .xlsx.
    pub fn export_xlsx(&self) -> String {
        export::href(&self.here, export::Format::Xlsx)
    }

    /// 导出CSV: the same as CSV.
    pub fn export_csv(&self) -> String {
        export::href(&self.here, export::Format::Csv)
    }

    /// Adds a middle step (e.g. the organization's name between the list and "edit").
    pub fn with_crumb(mut self, href: String, label: String) -> Frame {
        let at = self.crumbs.len().saturating_sub(1);
        self.crumbs.insert(at, Crumb { href, label });
        self
    }
}

/// Page numbers for a list: a window around the current page, with the first and last.
pub(crate) struct Pager {
    pub number: u64,
    /// (page number, link); `None` marks a gap (…).
    pub links: Vec<(Option<u64>, String)>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub sizes: Vec<(u64, String, bool)>,
    /// The other query parameters, for the page-size form.
    pub hidden: Vec<(String, String)>,
    pub summary: String,
}

impl Pager {
    /// `base` is the list's path; `params` the filters to keep in every link.
    pub fn new(
        t: Tr,
        base: &str,
        params: &[(&str, String)],
        total: i64,
        number: u64,
        size: u64,
    ) -> Pager {
        Pager::with_default_size(t, base, params, total, number, size, 10)
    }

    /// As [`Pager::new`], for a list that shows `default_size` a page when its address names
    /// no size.
    pub fn with_default_size(
        t: Tr,
        base: &str,
        params: &[(&str, String)],
        total: i64,
        number: u64,
        size: u64,
        default_size: u64,
    ) -> Pager {
        let pages = (total.max(0) as u64).div_ceil(size.max(1)).max(1);
        let link = |n: u64| {
            let mut pairs: Vec<(&str, String)> = params.to_vec();
            if n > 1 {
                pairs.push(("page", n.to_string()));
            }
            if size != default_size {
                pairs.push(("size", size.to_string()));
            }
            with_query(base, &query_string(&pairs))
        };
        let mut links = Vec::new();
        let mut last_shown = 0;
        for n in 1..=pages {
            let near = n.abs_diff(number) <= 2;
            if n == 1 || n == pages || near {
                if last_shown != 0 && n > last_shown + 1 {
                    links.push((None, String::new()));
                }
                links.push((Some(n), link(n)));
                last_shown = n;
            }
        }
        let sizes = hearth_store::organizations::PageRequest::SIZES
            .iter()
            .map(|s| {
                (
                    *s,
                    t.f("common.per_page", &[("size", s.to_string())]),
                    *s == size,
                )
            })
            .collect();
        let hidden = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        Pager {
            number,
            links,
            prev: (number > 1).then(|| link(number - 1)),
            next: (number < pages).then(|| link(number + 1)),
            sizes,
            hidden,
            summary: t.f("common.total", &[("total", total.to_string())]),
        }
    }
}
