//! Components every page may use: the confirmation dialog, the FAQ, notices, local times. The
//! product pages' header is `products::frame`'s.

use crate::{i18n::Locale, t};
use leptos::{html::Dialog, prelude::*};
use model::time::format_utc;

/// A modal confirmation built on `<dialog>`: `showModal()` makes the rest of the page inert (focus
/// stays inside), Escape closes it, and Cancel is focused first so Enter never confirms by
/// accident. It opens from a button with `commandfor={id} command="show-modal"` (`opener`), which
/// browsers act on themselves, before and without any script; `children` is the confirming
/// control (a form that posts, or a button whose handler acts). `id` keeps the labels unique when
/// a page has several dialogs.
#[component]
pub fn ConfirmDialog(
    id: &'static str,
    node_ref: NodeRef<Dialog>,
    title: String,
    message: String,
    children: Children,
) -> impl IntoView {
    view! {
        <dialog id=id node_ref=node_ref class="modal" aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-message")>
            <h2 id=format!("{id}-title")>{title}</h2>
            <p id=format!("{id}-message")>{message}</p>
            <div class="actions">
                <button type="button" class="secondary" commandfor=id command="close">{t!("dialog-cancel")}</button>
                {children()}
            </div>
        </dialog>
    }
}

/// A moment in time: UTC when rendered on the server, then the admin's own time zone (named), in
/// the page's language (the nearest `lang`), once the page is live in their browser (an island).
#[island]
pub fn LocalTime(unix: i64) -> impl IntoView {
    let local = RwSignal::new(None::<String>);
    let machine = format!("{}Z", format_utc(unix).trim_end_matches(" UTC").replace(' ', "T"));
    #[cfg(feature = "hydrate")]
    {
        let machine = machine.clone();
        Effect::new(move |_| local.set(browser_time(unix, &machine)));
    }
    view! { <time datetime=machine>{move || local.get().unwrap_or_else(|| format_utc(unix))}</time> }
}

/// The moment in the language of the page around its `<time>` (found by its `datetime`).
#[cfg(feature = "hydrate")]
fn browser_time(unix: i64, machine: &str) -> Option<String> {
    let time = document().query_selector(&format!("time[datetime=\"{machine}\"]")).ok().flatten()?;
    local_string(&time, &js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0)))
}

/// Every moment in `root` in the admin's own time zone, as [`LocalTime`] shows it: for server
/// HTML that arrived after the page's islands came alive (the widget's content, posted in place).
#[cfg(feature = "hydrate")]
pub fn localize_times(root: &web_sys::Element) {
    let Ok(times) = root.query_selector_all("time[datetime]") else { return };
    for index in 0..times.length() {
        let Some(time) =
            times.item(index).and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
        else {
            continue;
        };
        let Some(moment) = time.get_attribute("datetime") else { continue };
        if let Some(local) = local_string(&time, &js_sys::Date::new(&moment.into())) {
            time.set_text_content(Some(&local));
        }
    }
}

/// `date` in the language of the page around `element` (its nearest `lang`), English when none.
#[cfg(feature = "hydrate")]
fn local_string(element: &web_sys::Element, date: &js_sys::Date) -> Option<String> {
    let lang = element.closest("[lang]").ok().flatten().and_then(|around| around.get_attribute("lang"));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    date.to_locale_string(lang.as_deref().unwrap_or("en"), &options).as_string()
}

/// The warning every opt-in shows beside its button (seeds' wording), after
/// [`opt_in_warning_label`].
pub fn opt_in_warning(locale: Locale) -> String {
    t!(locale => "opt-in-warning")
}

/// "Warning:", before the [`opt_in_warning`].
pub fn opt_in_warning_label(locale: Locale) -> String {
    t!(locale => "opt-in-warning-label")
}

/// A question and its answer, in a reader's language.
pub struct FaqEntry {
    pub question: fn(Locale) -> String,
    pub answer: fn(Locale) -> String,
}

/// The questions every seed walk-through answers.
pub const OAUTH_FAQ: &[FaqEntry] = &[
    FaqEntry {
        question: |locale| t!(locale => "faq-what-is-oauth"),
        answer: |locale| t!(locale => "faq-what-is-oauth-answer"),
    },
    FaqEntry {
        question: |locale| t!(locale => "faq-why-oauth"),
        answer: |locale| t!(locale => "faq-why-oauth-answer"),
    },
    FaqEntry {
        question: |locale| t!(locale => "faq-many-shipper-accounts"),
        answer: |locale| t!(locale => "faq-many-shipper-accounts-answer"),
    },
];

/// The questions as native disclosures (`<details>`/`<summary>`): each opens and closes by click,
/// Enter or Space, and says whether it is expanded, with no script at all.
#[component]
pub fn Faq(entries: &'static [FaqEntry]) -> impl IntoView {
    let locale = crate::i18n::locale();
    view! {
        <section class="card faq" aria-labelledby="faq-heading">
            <h2 id="faq-heading">{t!("faq-heading")}</h2>
            {entries
                .iter()
                .map(|entry| {
                    view! {
                        <details class="faq-entry">
                            <summary class="faq-question">{(entry.question)(locale)}</summary>
                            <div class="faq-answer"><p>{(entry.answer)(locale)}</p></div>
                        </details>
                    }
                })
                .collect_view()}
        </section>
    }
    .into_any()
}

/// A success (`role=status`) or error (`role=alert`) message.
#[component]
pub fn NoticeBanner(message: String, error: bool) -> impl IntoView {
    if error {
        view! { <p class="alert error" role="alert">{message}</p> }.into_any()
    } else {
        view! { <p class="alert success" role="status">{message}</p> }.into_any()
    }
}

/// Percent-encodes a path and query for use as a query value (`?next=`).
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
