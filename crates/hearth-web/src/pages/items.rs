//! `/items`: the item catalogue (物资目录) for the bureau — every item with its unit, spec and
//! reference value, active or not, and one form that adds an item or, with `?edit=code`,
//! changes one. Refusals appear beside their fields with what was typed.

use super::{Fields, FormErrors, Frame, Section, form_errors, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_app::AppError;
use hearth_core::need::{Item, ItemInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/items", get(page).post(add))
        .route("/items/{code}", post(update))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

#[derive(Template)]
#[template(path = "items.html")]
struct CataloguePage {
    t: Tr,
    frame: Frame,
    items: Vec<Item>,
    /// The code being edited, or empty when the form adds an item.
    editing: String,
    input: ItemInput,
    errors: FormErrors,
    saved: bool,
}

fn input_of(item: &Item) -> ItemInput {
    ItemInput {
        code: item.code.clone(),
        name: item.name.clone(),
        name_en: item.name_en.clone(),
        unit: item.unit.clone(),
        spec: item.spec.clone(),
        reference_value: item.reference_value.yuan_string(),
        active: if item.active { "yes" } else { "no" }.to_owned(),
    }
}

/// What the form shows: the item being edited (empty to add), what was typed (none: the
/// stored values), the refusals, and whether the last save went through.
#[derive(Default)]
struct FormState {
    editing: String,
    input: Option<ItemInput>,
    errors: FormErrors,
    saved: bool,
}

async fn show(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    form: FormState,
    http: StatusCode,
) -> Result<Response, PageError> {
    let FormState {
        editing,
        input,
        errors,
        saved,
    } = form;
    let items = state.app.catalogue(&signed.caller).await.map_err(fail(t))?;
    let input = input.unwrap_or_else(|| {
        items
            .iter()
            .find(|i| i.code == editing)
            .map(input_of)
            .unwrap_or_default()
    });
    let page = CataloguePage {
        frame: Frame::new(signed, t, Section::Items, "/items", t.t("item.nav")),
        items,
        editing,
        input,
        errors,
        saved,
        t,
    };
    Ok(render(http, &page, t))
}

/// `GET /items[?edit=code]`.
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let pairs = raw.as_deref().map(form_pairs).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let saved = get("notice") == "saved";
    show(
        &state,
        &signed,
        t,
        FormState {
            editing: get("edit"),
            saved,
            ..FormState::default()
        },
        StatusCode::OK,
    )
    .await
}

fn typed(body: &str) -> ItemInput {
    let fields = Fields::parse(body);
    let get = |k: &str| fields.get(k).to_owned();
    ItemInput {
        code: get("code"),
        name: get("name"),
        name_en: get("name_en"),
        unit: get("unit"),
        spec: get("spec"),
        reference_value: get("reference_value"),
        active: get("active"),
    }
}

async fn after(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    editing: String,
    input: ItemInput,
    result: Result<Item, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to("/items?notice=saved").into_response()),
        Err(e) => {
            let http = crate::error::status_of(&e);
            let errors = form_errors(t, e)?;
            let form = FormState {
                editing,
                input: Some(input),
                errors,
                saved: false,
            };
            show(state, signed, t, form, http).await
        }
    }
}

/// `POST /items`: 新增物资.
pub async fn add(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    body: String,
) -> Result<Response, PageError> {
    let input = typed(&body);
    let result = state.app.add_item(&signed.caller, &input).await;
    after(&state, &signed, t, String::new(), input, result).await
}

/// `POST /items/{code}`: 修改物资.
pub async fn update(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(code): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let input = typed(&body);
    let result = state.app.update_item(&signed.caller, &code, &input).await;
    after(&state, &signed, t, code, input, result).await
}
