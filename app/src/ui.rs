//! Components every page may use: the confirmation dialog, the FAQ, notices, local times. The
//! product pages' header is `products::frame`'s.

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
    title: &'static str,
    message: String,
    children: Children,
) -> impl IntoView {
    view! {
        <dialog id=id node_ref=node_ref class="modal" aria-labelledby=format!("{id}-title") aria-describedby=format!("{id}-message")>
            <h2 id=format!("{id}-title")>{title}</h2>
            <p id=format!("{id}-message")>{message}</p>
            <div class="actions">
                <button type="button" class="secondary" commandfor=id command="close">"Cancel"</button>
                {children()}
            </div>
        </dialog>
    }
}

/// A moment in time: UTC when rendered on the server, then the admin's own time zone (named)
/// once the page is live in their browser (an island).
#[island]
pub fn LocalTime(unix: i64) -> impl IntoView {
    let local = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| local.set(browser_time(unix)));
    let machine = format!("{}Z", format_utc(unix).trim_end_matches(" UTC").replace(' ', "T"));
    view! { <time datetime=machine>{move || local.get().unwrap_or_else(|| format_utc(unix))}</time> }
}

#[cfg(feature = "hydrate")]
fn browser_time(unix: i64) -> Option<String> {
    local_string(&js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0)))
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
        if let Some(local) = local_string(&js_sys::Date::new(&moment.into())) {
            time.set_text_content(Some(&local));
        }
    }
}

#[cfg(feature = "hydrate")]
fn local_string(date: &js_sys::Date) -> Option<String> {
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
    date.to_locale_string("en-US", &options).as_string()
}

/// The warning every opt-in shows beside its button (seeds' wording).
pub const OPT_IN_WARNING: &str = "When using the Opt-In method, changing the password of the UPS.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt in again whenever the password is changed.";

pub struct FaqEntry {
    pub question: &'static str,
    pub answer: &'static str,
}

/// The questions every seed walk-through answers.
pub const OAUTH_FAQ: &[FaqEntry] = &[
    FaqEntry {
        question: "What is OAuth 2.0?",
        answer: "OAuth 2.0 is a modern API security protocol that uses a temporary token framework to authorize API transactions.",
    },
    FaqEntry {
        question: "Why has UPS adopted the OAuth standard?",
        answer: "OAuth 2.0 provides a way for UPS customers to securely authorize applications to transact on their behalf without sharing credentials.",
    },
    FaqEntry {
        question: "What if I have a lot of shipper accounts?",
        answer: "To authorize API transactions on a UPS shipper number, the shipper number must be linked to the UPS.com ID that is used to authorize the application. If there is a UPS shipper number that is not linked to the UPS.com ID used to authorize the application, users will not be able to use that shipper number. Shipper numbers can be linked to a UPS.com ID through UPS.com.",
    },
];

/// The questions as native disclosures (`<details>`/`<summary>`): each opens and closes by click,
/// Enter or Space, and says whether it is expanded, with no script at all.
#[component]
pub fn Faq(entries: &'static [FaqEntry]) -> impl IntoView {
    view! {
        <section class="card faq" aria-labelledby="faq-heading">
            <h2 id="faq-heading">"OAuth Opt-In Process: FAQ"</h2>
            {entries
                .iter()
                .map(|entry| {
                    view! {
                        <details class="faq-entry">
                            <summary class="faq-question">{entry.question}</summary>
                            <div class="faq-answer"><p>{entry.answer}</p></div>
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
