//! The languages the pages speak. A reader's language is chosen from what they (or the portal
//! that embeds the widget) asked for, by its primary language subtag: `fr-FR` is served in French
//! (Canada), `es-MX` in Spanish (Latin America), anything else not spoken here in nothing, so the
//! next choice (and at last English) decides.

use serde::{Deserialize, Serialize};

/// A language the pages speak, by its BCP 47 tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// English: the seeds' wording, and what every reader gets when nothing else fits.
    #[default]
    En,
    /// French (Canada).
    FrCa,
    /// Spanish (Latin America).
    Es,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Self::En, Self::FrCa, Self::Es];

    /// The tag pages carry (`<html lang>`) and the store keeps.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::FrCa => "fr-CA",
            Self::Es => "es",
        }
    }

    /// A stored tag read back (as [`Locale::tag`] writes it).
    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|locale| locale.tag() == tag)
    }

    /// The language that serves a reader who asked for `tag` (any BCP 47 tag, `_` accepted for
    /// `-`), by its primary language subtag; `None` for one not spoken here.
    pub fn serving(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::FrCa),
            "es" => Some(Self::Es),
            _ => None,
        }
    }

    /// The language a browser's `Accept-Language` prefers among those spoken here: the highest
    /// `q` wins, and of equal ones the first; `q=0` means "not this one".
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(locale) = parts.next().and_then(Self::serving) else { continue };
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|value| value.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(highest, _)| quality > highest) {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }
}

#[cfg(test)]
mod tests {
    use super::Locale;

    #[test]
    fn a_reader_is_served_by_primary_language() {
        assert_eq!(Locale::serving("fr-CA"), Some(Locale::FrCa));
        assert_eq!(Locale::serving("fr_FR"), Some(Locale::FrCa));
        assert_eq!(Locale::serving("es-419"), Some(Locale::Es));
        assert_eq!(Locale::serving("EN-us"), Some(Locale::En));
        assert_eq!(Locale::serving("de-DE"), None);
        assert_eq!(Locale::serving(""), None);
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
    }

    #[test]
    fn accept_language_prefers_the_highest_quality_spoken_here() {
        assert_eq!(Locale::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"), Some(Locale::FrCa));
        assert_eq!(Locale::from_accept_language("de-DE,de;q=0.9,es;q=0.5,en;q=0.4"), Some(Locale::Es));
        assert_eq!(Locale::from_accept_language("en;q=0.2, es-MX;q=0.8"), Some(Locale::Es));
        assert_eq!(Locale::from_accept_language("fr;q=0, en"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("de, *;q=0.1"), None);
        assert_eq!(Locale::from_accept_language(""), None);
    }
}
