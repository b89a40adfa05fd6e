//! Every word the pages show, in the reader's language: English, French (Canada) and Spanish
//! (Latin America), from Fluent catalogs (`app/locales/{tag}/{area}.ftl`, compiled in; the
//! English ones hold the seeds' wording exactly). A page's language is the embed session's
//! `locale` for the widget (its component provides it), else the browser's `Accept-Language`,
//! else English; components ask for their words with [`t!`](crate::t), which reads it from the
//! page's context, and pages written outside Leptos name it (`t!(locale => "key")`).
//!
//! Only the server renders words: the islands get theirs as props, so the wasm carries no
//! catalog.

use fluent_bundle::{concurrent::FluentBundle, FluentResource};
pub use fluent_bundle::{FluentArgs, FluentValue};
use leptos::prelude::use_context;
pub use model::Locale;
use std::sync::OnceLock;

pub mod words;

/// Declares the catalogs' areas: each locale has one file per area, and all are compiled in.
macro_rules! catalogs {
    ($($area:literal),+ $(,)?) => {
        /// The catalogs' files, one per area in every locale.
        pub const AREAS: &[&str] = &[$($area),+];

        /// The catalog sources of `locale`, in [`AREAS`] order.
        pub fn sources(locale: Locale) -> [&'static str; AREAS.len()] {
            match locale {
                Locale::En => [$(include_str!(concat!("../locales/en/", $area, ".ftl"))),+],
                Locale::FrCa => [$(include_str!(concat!("../locales/fr-CA/", $area, ".ftl"))),+],
                Locale::Es => [$(include_str!(concat!("../locales/es/", $area, ".ftl"))),+],
            }
        }
    };
}

catalogs!("common", "widget", "errors", "auth", "products", "consent");

type Bundle = FluentBundle<FluentResource>;

/// A locale's catalogs as one bundle; a catalog that does not parse is a build that cannot serve
/// (the catalog tests catch it first).
fn bundle(locale: Locale) -> Bundle {
    let tag = locale.tag().parse().expect("every locale's tag is a language identifier");
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Words go into HTML, where the Unicode isolation marks around arguments would only be noise.
    bundle.set_use_isolating(false);
    for (area, source) in AREAS.iter().zip(sources(locale)) {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("locales/{}/{area}.ftl does not parse: {errors:?}", locale.tag()));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("locales/{}/{area}.ftl repeats a message: {errors:?}", locale.tag()));
    }
    bundle
}

fn bundles() -> &'static [Bundle; 3] {
    static BUNDLES: OnceLock<[Bundle; 3]> = OnceLock::new();
    BUNDLES.get_or_init(|| Locale::ALL.map(bundle))
}

fn bundle_of(locale: Locale) -> &'static Bundle {
    let index = Locale::ALL.iter().position(|known| *known == locale).unwrap_or(0);
    &bundles()[index]
}

/// The message `key` in `locale`, with its arguments; English when the locale lacks it, and the
/// key itself when English does too (the catalog tests make sure neither happens).
pub fn text(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    let bundle = bundle_of(locale);
    let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
        return match locale {
            Locale::En => key.to_owned(),
            _ => text(Locale::En, key, args),
        };
    };
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, args, &mut errors).into_owned()
}

/// Where a component (a [`LocalTime`](crate::ui::LocalTime), a link) goes inside a message: pass
/// it as the argument, then [`around`] splits the text at it.
pub const SLOT: &str = "\u{E000}";

/// The text before and after the [`SLOT`] in a message (all of it before, when it has none).
pub fn around(text: String) -> (String, String) {
    match text.split_once(SLOT) {
        Some((before, after)) => (before.to_owned(), after.to_owned()),
        None => (text, String::new()),
    }
}

/// The language of the page being rendered: the one a component provided (the widget's
/// session's), else the browser's `Accept-Language`, else English.
pub fn locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return from_headers(&parts.headers);
    }
    Locale::En
}

/// The language a request's `Accept-Language` asks for, else English.
#[cfg(feature = "ssr")]
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

/// A message in the page's language: `t!("key")`, `t!("key", name = value)`, or in a language
/// named: `t!(locale => "key", name = value)`. Values are anything Fluent takes (`&str`,
/// `String`, numbers).
#[macro_export]
macro_rules! t {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::t!($crate::i18n::locale() => $key $(, $name = $value)*)
    };
    ($locale:expr => $key:literal) => {
        $crate::i18n::text($locale, $key, None)
    };
    ($locale:expr => $key:literal $(, $name:ident = $value:expr)+ $(,)?) => {{
        let mut args = $crate::i18n::FluentArgs::new();
        $(args.set(stringify!($name), $crate::i18n::FluentValue::from($value));)+
        $crate::i18n::text($locale, $key, Some(&args))
    }};
}

#[cfg(test)]
mod tests;
