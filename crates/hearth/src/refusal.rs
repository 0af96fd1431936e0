//! How the commands print a refusal: each invalid field on its own line, in both languages.

use hearth_app::AppError;
use hearth_core::Lang;

/// `field: 中文 / English` for every invalid field; other errors as they are.
pub fn refusal(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(list) => anyhow::anyhow!(
            "{}",
            list.iter()
                .map(|i| format!(
                    "{}: {} / {}",
                    i.field(),
                    i.message(Lang::ZhCn),
                    i.message(Lang::En)
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.into(),
    }
}
