//! The shape every dropdown enum shares.

/// An enum kept as a dictionary (DESIGN.md §7, dropdowns come from dictionaries): a stable code
/// for storage and files, a label in the locale files, and parsing that accepts the code or the
/// Chinese or English label. Same shape as the organization dictionaries, except that the label
/// key is a `&'static str` so it can name a score part.
macro_rules! dictionary {
    ($(#[$meta:meta])* $name:ident, $field:literal, $prefix:literal { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $code)),+ }
            }

            pub fn parse(value: &str) -> Result<Self, $crate::Invalid> {
                let value = value.trim();
                // Codes first: stored values and files carry them, and they need no lookup.
                let by_code = Self::ALL.iter().copied().find(|item| item.as_str() == value);
                by_code
                    .or_else(|| Self::ALL.iter().copied().find(|item| {
                        $crate::i18n::text($crate::Lang::ZhCn, item.label_key()) == value
                            || $crate::i18n::text($crate::Lang::En, item.label_key()).eq_ignore_ascii_case(value)
                    }))
                    .ok_or_else(|| $crate::Invalid::new($field, "dict.unknown").arg("value", value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
