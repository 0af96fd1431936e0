//! `/api/v1`: JSON over the same use cases as the pages. Authenticate with the session cookie
//! (and send `X-CSRF-Token` on writes) or with `Authorization: Bearer hth_…`.

mod areas;
pub(crate) mod attachments;
mod campaigns;
mod cash_aid;
mod cultivation;
mod deliveries;
mod donations;
mod households;
mod identity;
pub(crate) mod imports;
mod ledger;
mod matching;
mod needs;
mod organizations;
mod pledges;
mod purchases;
mod session;
mod stock;
mod tokens;
mod visits;

use crate::AppState;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Hearth API", description = "县民政局暖冬行动协同平台 / Hearth, the county charity-action platform"),
    servers((url = "/api/v1")),
    modifiers(&Security),
    tags((name = "session"), (name = "organizations"), (name = "areas"), (name = "tokens"), (name = "households"), (name = "identity"), (name = "imports"), (name = "campaigns"), (name = "pledges"), (name = "deliveries"), (name = "visits"), (name = "donations"), (name = "purchases"), (name = "stock"), (name = "ledger"))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::SESSION_COOKIE))),
        );
    }
}

/// The API routes and their OpenAPI document, served at `/api/v1/openapi.json`.
pub fn router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(session::me))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(organizations::get, organizations::update))
        .routes(routes!(organizations::set_status))
        .routes(routes!(organizations::history))
        .routes(routes!(areas::list))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(campaigns::list, campaigns::create))
        .routes(routes!(campaigns::get))
        .routes(routes!(campaigns::advance))
        .routes(routes!(campaigns::enrol))
        .routes(routes!(campaigns::apply))
        .routes(routes!(pledges::list, pledges::create))
        .routes(routes!(pledges::get))
        .routes(routes!(pledges::sign))
        .routes(routes!(pledges::cancel))
        .merge(attachments::routes())
        .merge(cash_aid::routes())
        .merge(cultivation::routes())
        .merge(deliveries::routes())
        .merge(donations::routes())
        .merge(households::routes())
        .merge(identity::routes())
        .merge(imports::routes())
        .merge(ledger::routes())
        .merge(matching::routes())
        .merge(needs::routes())
        .merge(purchases::routes())
        .merge(stock::routes())
        .merge(visits::routes());
    let spec = api.get_openapi().clone();
    api.route(
        "/openapi.json",
        axum::routing::get(move || async move { axum::Json(spec) }),
    )
}

/// The OpenAPI document as served (for the snapshot test and `hearth openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().into_openapi()
}
