//! 登记 and 修改: the household form. Members and category tags are rows; the form starts with
//! the head and two empty member rows and two empty category rows, and "增加成员行" /
//! "增加类别行" are submit buttons that show the form again with one more row and everything
//! typed kept — no JavaScript needed. Rows left entirely empty are ignored when saving.
//!
//! Every refusal is shown next to its input under the same path the use case names
//! (`members[2].id_number`, `categories[0].verified_on`, `consent.guardian`).

use super::super::areas::display_name;
use super::super::{FormErrors, Frame, Section, form_errors, render};
use super::list::visible_areas;
use super::{Opt, checks, choices, fail, parse_id};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_core::area::AreaLevel;
use hearth_core::household::{
    Category, CategoryTagInput, Cause, ConsentInput, ConsentScope, DisabilityKind, HouseholdInput,
    MemberInput, Relation,
};
use hearth_core::permission::Permission;
use hearth_store::areas::Area;

/// More rows than any household has; keeps a forged row count from building a huge page.
const MAX_ROWS: usize = 50;
const MIN_MEMBER_ROWS: usize = 3;
const MIN_TAG_ROWS: usize = 2;

const MEMBER_FIELDS: [&str; 7] = [
    "name",
    "id_number",
    "relation",
    "disability_certificate",
    "disability_kind",
    "disability_grade",
    "health_note",
];
const TAG_FIELDS: [&str; 5] = [
    "category",
    "source",
    "verified_by",
    "verified_on",
    "valid_until",
];
const PLAIN_FIELDS: [&str; 13] = [
    "village",
    "address",
    "phone",
    "main_category",
    "causes",
    "note",
    "consent.version",
    "consent.signed_on",
    "consent.scopes",
    "consent.signer",
    "consent.guardian",
    "consent.scan_attachment",
    "consent.withdrawn_on",
];

// ---------------------------------------------------------------------------------------------
// Reading the posted form

/// What a browser posted: the household, how many rows the form had, and which button.
struct Posted {
    input: HouseholdInput,
    add: String,
    version: i64,
}

/// `members[3].name` → (3, "name").
fn indexed<'a>(key: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(list)?.strip_prefix('[')?;
    let (index, field) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    (index < MAX_ROWS).then_some((index, field))
}

fn grow<T: Default>(rows: &mut Vec<T>, len: usize) {
    while rows.len() < len.min(MAX_ROWS) {
        rows.push(T::default());
    }
}

fn posted(body: &str) -> Posted {
    let mut input = HouseholdInput::default();
    let mut add = String::new();
    let mut version = 0;
    let mut member_rows = 0;
    let mut tag_rows = 0;
    for (key, value) in form_pairs(body) {
        if let Some((i, field)) = indexed(&key, "members") {
            grow(&mut input.members, i + 1);
            let m = &mut input.members[i];
            match field {
                "name" => m.name = value,
                "id_number" => m.id_number = value,
                "relation" => m.relation = value,
                "disability_certificate" => m.disability_certificate = value,
                "disability_kind" => m.disability_kind = value,
                "disability_grade" => m.disability_grade = value,
                "health_note" => m.health_note = value,
                _ => {}
            }
            continue;
        }
        if let Some((i, field)) = indexed(&key, "categories") {
            grow(&mut input.categories, i + 1);
            let c = &mut input.categories[i];
            match field {
                "category" => c.category = value,
                "source" => c.source = value,
                "verified_by" => c.verified_by = value,
                "verified_on" => c.verified_on = value,
                "valid_until" => c.valid_until = value,
                _ => {}
            }
            continue;
        }
        match key.as_str() {
            "village" => input.village = value,
            "address" => input.address = value,
            "phone" => input.phone = value,
            "main_category" => input.main_category = value,
            "causes" => input.causes.push(value),
            "note" => input.note = value,
            "consent.version" => input.consent.version = value,
            "consent.signed_on" => input.consent.signed_on = value,
            "consent.scopes" => input.consent.scopes.push(value),
            "consent.signer" => input.consent.signer = value,
            "consent.guardian" => input.consent.guardian = value,
            "consent.scan_attachment" => input.consent.scan_attachment = value,
            "consent.withdrawn_on" => input.consent.withdrawn_on = value,
            "member_rows" => member_rows = value.trim().parse().unwrap_or(0),
            "tag_rows" => tag_rows = value.trim().parse().unwrap_or(0),
            "version" => version = value.trim().parse().unwrap_or(0),
            "add" => add = value,
            _ => {}
        }
    }
    grow(&mut input.members, member_rows);
    grow(&mut input.categories, tag_rows);
    Posted {
        input,
        add,
        version,
    }
}

fn blank_member(m: &MemberInput) -> bool {
    [
        &m.name,
        &m.id_number,
        &m.disability_certificate,
        &m.disability_kind,
        &m.disability_grade,
        &m.health_note,
    ]
    .iter()
    .all(|v| v.trim().is_empty())
}

fn blank_tag(c: &CategoryTagInput) -> bool {
    [
        &c.category,
        &c.source,
        &c.verified_by,
        &c.verified_on,
        &c.valid_until,
    ]
    .iter()
    .all(|v| v.trim().is_empty())
}

/// The household without its empty rows: what is saved, and what a refused form shows again
/// (so the row numbers of the messages match the rows on screen).
fn compact(mut input: HouseholdInput) -> HouseholdInput {
    input.members.retain(|m| !blank_member(m));
    input.categories.retain(|c| !blank_tag(c));
    input
}

/// Empty rows to type into, at least the form's usual number.
fn padded(mut input: HouseholdInput, extra_member: bool, extra_tag: bool) -> HouseholdInput {
    let members = (input.members.len() + usize::from(extra_member)).max(MIN_MEMBER_ROWS);
    let tags = (input.categories.len() + usize::from(extra_tag)).max(MIN_TAG_ROWS);
    grow(&mut input.members, members);
    grow(&mut input.categories, tags);
    if let Some(head) = input.members.first_mut()
        && head.relation.trim().is_empty()
    {
        head.relation = Relation::Head.as_str().to_owned();
    }
    input
}

// ---------------------------------------------------------------------------------------------
// The page

struct MemberRowForm {
    /// How screen readers name the row (户主, 成员2).
    label: String,
    prefix: String,
    dom: String,
    name: String,
    id_number: String,
    certificate: String,
    health_note: String,
    relations: Vec<Opt>,
    kinds: Vec<Opt>,
    grades: Vec<Opt>,
    e_name: String,
    e_id_number: String,
    e_relation: String,
    e_certificate: String,
    e_kind: String,
    e_grade: String,
    e_health_note: String,
}

struct TagRowForm {
    label: String,
    prefix: String,
    dom: String,
    categories: Vec<Opt>,
    source: String,
    verified_by: String,
    verified_on: String,
    valid_until: String,
    e_category: String,
    e_source: String,
    e_verified_by: String,
    e_verified_on: String,
    e_valid_until: String,
}

struct TownGroup {
    label: String,
    villages: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "household_form.html")]
struct FormPage {
    t: Tr,
    frame: Frame,
    action: String,
    cancel: String,
    version: Option<i64>,
    members: Vec<MemberRowForm>,
    tags: Vec<TagRowForm>,
    towns: Vec<TownGroup>,
    stray_village: Option<String>,
    address: String,
    phone: String,
    note: String,
    main_categories: Vec<Opt>,
    causes: Vec<Opt>,
    consent: ConsentInput,
    scopes: Vec<Opt>,
    errors: FormErrors,
    others: Vec<String>,
    stale: bool,
    reload: String,
}

/// Where the form posts and what it is called.
struct FormContext {
    action: String,
    cancel: String,
    title: String,
    version: Option<i64>,
    /// The household being edited: (link, head) for the breadcrumbs.
    subject: Option<(String, String)>,
}

fn new_context(t: Tr) -> FormContext {
    FormContext {
        action: "/households".into(),
        cancel: "/households".into(),
        title: t.t("hh_page.new_title").into(),
        version: None,
        subject: None,
    }
}

fn edit_context(t: Tr, id: &str, head: &str, version: i64) -> FormContext {
    let href = format!("/households/{id}");
    FormContext {
        action: href.clone(),
        cancel: href.clone(),
        title: t.t("hh_page.edit_title").into(),
        version: Some(version),
        subject: Some((href, head.to_owned())),
    }
}

fn grade_choices(t: Tr, raw: &str) -> Vec<Opt> {
    let cleaned = hearth_core::normalize::clean_code(raw);
    let core = cleaned.trim_end_matches('级');
    let chosen = match core {
        "1" | "一" => Some(1u8),
        "2" | "二" => Some(2),
        "3" | "三" => Some(3),
        "4" | "四" => Some(4),
        _ => None,
    };
    let mut opts: Vec<Opt> = (1u8..=4)
        .map(|g| Opt {
            value: g.to_string(),
            label: t.t(&format!("member.grade.{g}")).to_owned(),
            selected: chosen == Some(g),
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

fn member_row(t: Tr, errors: &FormErrors, i: usize, m: &MemberInput) -> MemberRowForm {
    let prefix = format!("members[{i}]");
    let e = |field: &str| errors.of(&format!("{prefix}.{field}"));
    MemberRowForm {
        label: if i == 0 {
            t.t("member.relation.head").to_owned()
        } else {
            t.f("hh_page.member_n", &[("n", (i + 1).to_string())])
        },
        dom: format!("members-{i}"),
        name: m.name.clone(),
        id_number: m.id_number.clone(),
        certificate: m.disability_certificate.clone(),
        health_note: m.health_note.clone(),
        relations: choices(
            t,
            Relation::ALL,
            Relation::as_str,
            Relation::label_key,
            |v| Relation::parse(v).ok(),
            &m.relation,
        ),
        kinds: choices(
            t,
            DisabilityKind::ALL,
            DisabilityKind::as_str,
            DisabilityKind::label_key,
            |v| DisabilityKind::parse_loose(v).ok(),
            &m.disability_kind,
        ),
        grades: grade_choices(t, &m.disability_grade),
        e_name: e("name"),
        e_id_number: e("id_number"),
        e_relation: e("relation"),
        e_certificate: e("disability_certificate"),
        e_kind: e("disability_kind"),
        e_grade: e("disability_grade"),
        e_health_note: e("health_note"),
        prefix,
    }
}

fn tag_row(t: Tr, errors: &FormErrors, i: usize, c: &CategoryTagInput) -> TagRowForm {
    let prefix = format!("categories[{i}]");
    let e = |field: &str| errors.of(&format!("{prefix}.{field}"));
    TagRowForm {
        label: t.f("hh_page.tag_n", &[("n", (i + 1).to_string())]),
        dom: format!("categories-{i}"),
        categories: choices(
            t,
            Category::ALL,
            Category::as_str,
            Category::label_key,
            |v| Category::parse(v).ok(),
            &c.category,
        ),
        source: c.source.clone(),
        verified_by: c.verified_by.clone(),
        verified_on: c.verified_on.clone(),
        valid_until: c.valid_until.clone(),
        e_category: e("category"),
        e_source: e("source"),
        e_verified_by: e("verified_by"),
        e_verified_on: e("verified_on"),
        e_valid_until: e("valid_until"),
        prefix,
    }
}

/// The villages the caller may register in, grouped by town.
fn village_groups(areas: &[Area], chosen: &str) -> (Vec<TownGroup>, Option<String>) {
    let chosen = chosen.trim();
    let mut villages: Vec<&Area> = areas
        .iter()
        .filter(|a| a.level == AreaLevel::Village)
        .collect();
    villages.sort_by(|a, b| a.code.cmp(&b.code));
    let only = villages.len() == 1;
    let mut groups: Vec<TownGroup> = Vec::new();
    let mut found = false;
    for village in villages {
        let town = village
            .parent
            .as_ref()
            .and_then(|p| areas.iter().find(|a| &a.code == p))
            .map(display_name)
            .unwrap_or_default();
        let selected = village.code.as_str() == chosen || (only && chosen.is_empty());
        found |= selected;
        let opt = Opt {
            value: village.code.as_str().to_owned(),
            label: display_name(village),
            selected,
        };
        match groups.last_mut() {
            Some(group) if group.label == town => group.villages.push(opt),
            _ => groups.push(TownGroup {
                label: town,
                villages: vec![opt],
            }),
        }
    }
    let stray = (!found && !chosen.is_empty()).then(|| chosen.to_owned());
    (groups, stray)
}

fn form_page(
    signed: &Signed,
    t: Tr,
    areas: &[Area],
    ctx: FormContext,
    input: HouseholdInput,
    errors: FormErrors,
) -> FormPage {
    let members: Vec<MemberRowForm> = input
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| member_row(t, &errors, i, m))
        .collect();
    let tags: Vec<TagRowForm> = input
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| tag_row(t, &errors, i, c))
        .collect();
    let mut shown: Vec<String> = PLAIN_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    for m in &members {
        shown.extend(MEMBER_FIELDS.iter().map(|f| format!("{}.{f}", m.prefix)));
    }
    for c in &tags {
        shown.extend(TAG_FIELDS.iter().map(|f| format!("{}.{f}", c.prefix)));
    }
    let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
    let (towns, stray_village) = village_groups(areas, &input.village);
    let here = match ctx.version {
        Some(_) => format!("{}/edit", ctx.action),
        None => "/households/new".to_owned(),
    };
    let mut frame = Frame::new(signed, t, Section::Households, &here, ctx.title);
    if let Some((href, head)) = ctx.subject {
        frame = frame.with_crumb(href, head);
    }
    FormPage {
        t,
        frame,
        reload: format!("{}/edit", ctx.action),
        action: ctx.action,
        cancel: ctx.cancel,
        version: ctx.version,
        members,
        tags,
        towns,
        stray_village,
        address: input.address,
        phone: input.phone,
        note: input.note,
        main_categories: choices(
            t,
            Category::ALL,
            Category::as_str,
            Category::label_key,
            |v| Category::parse(v).ok(),
            &input.main_category,
        ),
        causes: checks(
            t,
            Cause::ALL,
            Cause::as_str,
            Cause::label_key,
            |v| Cause::parse(v).ok(),
            &input.causes,
        ),
        scopes: checks(
            t,
            ConsentScope::ALL,
            ConsentScope::as_str,
            ConsentScope::label_key,
            |v| ConsentScope::parse(v).ok(),
            &input.consent.scopes,
        ),
        consent: input.consent,
        others: errors.others(&shown),
        stale: errors.has("version"),
        errors,
    }
}

/// The form holds personal data in full: no cache keeps it.
fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn status_for(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// `GET /households/new`
pub async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
) -> Result<Response, PageError> {
    signed
        .caller
        .require(Permission::RegisterHouseholds)
        .map_err(fail(t))?;
    let areas = visible_areas(&state, &signed.caller, t).await?;
    let input = padded(HouseholdInput::default(), false, false);
    let page = form_page(
        &signed,
        t,
        &areas,
        new_context(t),
        input,
        FormErrors::default(),
    );
    Ok(private(render(StatusCode::OK, &page, t)))
}

/// `POST /households`: registers the household as a draft, or shows the form again — with
/// one more row when "增加成员行" or "增加类别行" was pressed, or with every problem next to its
/// field — keeping everything typed.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    caller
        .require(Permission::RegisterHouseholds)
        .map_err(fail(t))?;
    let form = posted(&body);
    if !form.add.is_empty() {
        let areas = visible_areas(&state, caller, t).await?;
        let input = padded(form.input, form.add == "member", form.add == "category");
        let page = form_page(
            &signed,
            t,
            &areas,
            new_context(t),
            input,
            FormErrors::default(),
        );
        return Ok(private(render(StatusCode::OK, &page, t)));
    }
    let input = compact(form.input);
    match state.app.register_household(caller, &input).await {
        Ok(view) => {
            Ok(Redirect::to(&format!("/households/{}?notice=created", view.id)).into_response())
        }
        Err(e) => {
            let status = status_for(&e);
            let errors = form_errors(t, e)?;
            let areas = visible_areas(&state, caller, t).await?;
            let page = form_page(
                &signed,
                t,
                &areas,
                new_context(t),
                padded(input, false, false),
                errors,
            );
            Ok(private(render(status, &page, t)))
        }
    }
}

/// `GET /households/{id}/edit`: the stored household in full for the village to correct
/// (opening it is logged).
pub async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let uuid = parse_id(&id, t)?;
    let caller = &signed.caller;
    let (input, version) = state
        .app
        .household_form(caller, uuid)
        .await
        .map_err(fail(t))?;
    let areas = visible_areas(&state, caller, t).await?;
    let head = input
        .members
        .first()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let ctx = edit_context(t, &id, &head, version);
    let page = form_page(
        &signed,
        t,
        &areas,
        ctx,
        padded(input, false, false),
        FormErrors::default(),
    );
    Ok(private(render(StatusCode::OK, &page, t)))
}

/// `POST /households/{id}`: saves an edit made from the posted version; a stale edit is shown
/// again with the conflict message and the typed values kept.
pub async fn update(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let uuid = parse_id(&id, t)?;
    let caller = &signed.caller;
    caller
        .require(Permission::RegisterHouseholds)
        .map_err(fail(t))?;
    let form = posted(&body);
    let version = form.version;
    let head = |input: &HouseholdInput| {
        input
            .members
            .first()
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    if !form.add.is_empty() {
        let areas = visible_areas(&state, caller, t).await?;
        let input = padded(form.input, form.add == "member", form.add == "category");
        let ctx = edit_context(t, &id, &head(&input), version);
        let page = form_page(&signed, t, &areas, ctx, input, FormErrors::default());
        return Ok(private(render(StatusCode::OK, &page, t)));
    }
    let input = compact(form.input);
    match state
        .app
        .update_household(caller, uuid, version, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/households/{id}?notice=updated")).into_response()),
        Err(e) => {
            let status = status_for(&e);
            let errors = form_errors(t, e)?;
            let areas = visible_areas(&state, caller, t).await?;
            let ctx = edit_context(t, &id, &head(&input), version);
            let page = form_page(&signed, t, &areas, ctx, padded(input, false, false), errors);
            Ok(private(render(status, &page, t)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_index_and_empty_ones_dropped() {
        let body = serde_urlencoded::to_string([
            ("members[0].name", "张建国"),
            ("members[0].relation", "head"),
            ("members[2].name", "张小雨"),
            ("members[2].relation", "child"),
            ("member_rows", "4"),
            ("categories[1].category", "dibao"),
            ("causes", "illness"),
            ("causes", "disaster"),
            ("consent.scopes", "photos"),
            ("add", "member"),
            ("version", "3"),
        ])
        .unwrap();
        let form = posted(&body);
        assert_eq!(form.input.members.len(), 4);
        assert_eq!(form.input.members[2].name, "张小雨");
        assert_eq!(form.input.categories.len(), 2);
        assert_eq!(form.input.causes, ["illness", "disaster"]);
        assert_eq!(form.input.consent.scopes, ["photos"]);
        assert_eq!((form.add.as_str(), form.version), ("member", 3));
        let saved = compact(form.input);
        assert_eq!(saved.members.len(), 2);
        assert_eq!(saved.members[1].name, "张小雨");
        assert_eq!(saved.categories.len(), 1);
        let shown = padded(saved, true, false);
        assert_eq!(shown.members.len(), 3);
        assert_eq!(shown.categories.len(), 2);
    }

    #[test]
    fn forged_row_numbers_stay_bounded() {
        let form = posted("members%5B999999%5D.name=x&member_rows=100000000");
        assert!(form.input.members.len() <= MAX_ROWS);
    }
}
