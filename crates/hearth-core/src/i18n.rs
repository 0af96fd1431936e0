//! Messages in Chinese (first) and English, from `locales/*.toml` compiled into the binary.
//!
//! Keys are dotted (`org.name`); a file is a set of TOML tables whose leaves are strings.
//! Placeholders are `{name}`. A missing key renders as the key itself so a gap is visible,
//! and a test keeps both files carrying exactly the same keys.

use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a language tag as browsers and users write it (`en`, `en-US`, `zh`, `zh-CN`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

const ZH_CN: &str = include_str!("../locales/zh-CN.toml");
const EN: &str = include_str!("../locales/en.toml");

type Catalog = BTreeMap<String, String>;

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalog) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&path, inner, out),
            toml::Value::String(text) => {
                out.insert(path, text.clone());
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
}

fn parse(source: &str) -> Catalog {
    // The files are compiled in and covered by tests; a broken file is a build defect.
    let table: toml::Table = source.parse().expect("locale file is valid TOML");
    let mut out = Catalog::new();
    flatten("", &table, &mut out);
    out
}

pub fn catalog(lang: Lang) -> &'static Catalog {
    static ZH: OnceLock<Catalog> = OnceLock::new();
    static ENG: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::ZhCn => ZH.get_or_init(|| parse(ZH_CN)),
        Lang::En => ENG.get_or_init(|| parse(EN)),
    }
}

/// The message for `key`, or the key itself when the catalog lacks it (so a gap is visible).
pub fn text(lang: Lang, key: &str) -> &'static str {
    match catalog(lang).get(key) {
        Some(message) => message.as_str(),
        None => missing(key),
    }
}

/// Interns a missing key once; keys come from code, so the set is small and bounded.
fn missing(key: &str) -> &'static str {
    static MISSING: OnceLock<std::sync::Mutex<std::collections::BTreeSet<&'static str>>> =
        OnceLock::new();
    let mut set = MISSING
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = set.get(key) {
        return found;
    }
    let leaked: &'static str = Box::leak(key.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// The message for `key` with `{name}` placeholders filled from `args`.
pub fn render(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut out = text(lang, key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_carry_the_same_keys() {
        let zh: Vec<_> = catalog(Lang::ZhCn).keys().collect();
        let en: Vec<_> = catalog(Lang::En).keys().collect();
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only zh: {only_zh:?}; only en: {only_en:?}"
        );
    }

    #[test]
    fn no_message_is_empty() {
        for lang in [Lang::ZhCn, Lang::En] {
            for (key, value) in catalog(lang) {
                assert!(!value.trim().is_empty(), "{key} is empty in {lang:?}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let text = render(Lang::En, "uscc.length", &[("len", "17".into())]);
        assert!(text.contains("17"), "{text}");
        assert!(!text.contains("{len}"), "{text}");
    }
}
