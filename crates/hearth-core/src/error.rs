//! What is wrong with an input, said once and rendered in any language.
//!
//! Error policy: domain code never formats messages itself. A refusal is an [`Invalid`] naming the
//! field, a message key in the locale files and the values the message needs; the edges (web,
//! CLI, file import) render it in Chinese and English through [`crate::i18n`].

use crate::i18n::{Lang, render};

/// One remark about one field: an error when wrapped in [`Invalid`], otherwise a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The field as the user knows it in forms and files, e.g. `uscc` or `members[2].id_number`.
    pub field: String,
    /// The message key in the locale files, e.g. `uscc.check`.
    pub code: &'static str,
    /// Values substituted into `{name}` placeholders of the message.
    pub args: Vec<(&'static str, String)>,
}

impl Notice {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Notice {
            field: field.into(),
            code,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn message(&self, lang: Lang) -> String {
        render(lang, self.code, &self.args)
    }
}

/// An input that was refused. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .0.field, .0.message(Lang::En))]
pub struct Invalid(pub Notice);

impl Invalid {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Invalid(Notice::new(field, code))
    }

    pub fn arg(self, name: &'static str, value: impl ToString) -> Self {
        Invalid(self.0.arg(name, value))
    }

    pub fn field(&self) -> &str {
        &self.0.field
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }

    pub fn message(&self, lang: Lang) -> String {
        self.0.message(lang)
    }

    /// The same refusal for a field inside a larger input (a form section, an import row).
    pub fn within(mut self, prefix: &str) -> Self {
        self.0.field = format!("{prefix}.{}", self.0.field);
        self
    }
}
