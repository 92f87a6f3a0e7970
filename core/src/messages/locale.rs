//! The languages the catalogue speaks, and how a person's stored language tag chooses one.

use serde::{Deserialize, Serialize};

/// A language the catalogue speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    En,
    Es,
}

impl Locale {
    /// The locale for a stored language tag ("es", "es-MX", "es_ES", or the language's name);
    /// English for anything else, as for a language the catalogue does not have.
    pub fn from_tag(tag: &str) -> Self {
        let tag = tag.trim().to_lowercase();
        let language = tag.split(['-', '_']).next().unwrap_or_default();
        match language {
            "es" | "español" | "espanol" | "spanish" => Locale::Es,
            _ => Locale::En,
        }
    }

    /// The language tag stored for this locale.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_tag_chooses_the_locale() {
        let table = [
            ("es", Locale::Es),
            ("es-MX", Locale::Es),
            ("es_ES", Locale::Es),
            ("ES", Locale::Es),
            (" es-419 ", Locale::Es),
            ("español", Locale::Es),
            ("Español", Locale::Es),
            ("espanol", Locale::Es),
            ("Spanish", Locale::Es),
            ("SPANISH", Locale::Es),
            ("en", Locale::En),
            ("en-US", Locale::En),
            ("", Locale::En),
            ("fr", Locale::En),
            ("pt-BR", Locale::En),
            ("est", Locale::En),
            ("esperanto", Locale::En),
        ];
        for (tag, expected) in table {
            assert_eq!(Locale::from_tag(tag), expected, "{tag:?}");
        }
        assert_eq!(Locale::En.tag(), "en");
        assert_eq!(Locale::Es.tag(), "es");
        for locale in [Locale::En, Locale::Es] {
            assert_eq!(Locale::from_tag(locale.tag()), locale);
        }
    }
}
