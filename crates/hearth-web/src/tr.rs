//! The reader's language for a request, and the translator templates call.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hearth_core::Lang;
use hearth_core::i18n::{render, text};

pub const LANG_COOKIE: &str = "hearth_lang";

/// Translates keys for one reader: `{{ t.t("org.name") }}` in templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        text(self.0, key)
    }

    pub fn f(&self, key: &str, args: &[(&str, String)]) -> String {
        render(self.0, key, args)
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

/// `?lang=` wins, then the language cookie (set by the switch), then Chinese. The browser's own
/// preference is not consulted: office PCs often run an English-locale browser, and the product
/// speaks Chinese first.
impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Tr(lang_of(parts)))
    }
}

pub fn lang_of(parts: &Parts) -> Lang {
    let from_query = parts.uri.query().and_then(|q| {
        form_pairs(q)
            .into_iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::from_tag(&v))
    });
    let from_cookie =
        || crate::auth::cookie(&parts.headers, LANG_COOKIE).and_then(|v| Lang::from_tag(&v));
    from_query.or_else(from_cookie).unwrap_or_default()
}

pub fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}
