//! Components every product page shares: the confirmation dialog, the FAQ accordion, the page
//! header with the user's identification, and notices.

use crate::{auth::{Identity, SignOutButton}, product::Product};
use leptos::{html::Dialog, prelude::*};

/// A modal confirmation built on `<dialog>`: `showModal()` makes the rest of the page inert (focus
/// stays inside), Escape closes it, and Cancel is focused first so Enter never confirms by
/// accident.
#[component]
pub fn ConfirmDialog(
    node_ref: NodeRef<Dialog>,
    title: &'static str,
    message: String,
    confirm_label: &'static str,
    on_confirm: impl Fn() + 'static,
) -> impl IntoView {
    let close = move || {
        if let Some(dialog) = node_ref.get() {
            dialog.close();
        }
    };
    view! {
        <dialog node_ref=node_ref class="modal" aria-labelledby="confirm-title" aria-describedby="confirm-message">
            <h2 id="confirm-title">{title}</h2>
            <p id="confirm-message">{message}</p>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| close()>"Cancel"</button>
                <button type="button" class="danger" on:click=move |_| { on_confirm(); close(); }>{confirm_label}</button>
            </div>
        </dialog>
    }
}

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

/// An accordion following the WAI-ARIA pattern: each question is a button in a heading, with
/// `aria-expanded` and `aria-controls`; buttons give Enter and Space for free.
#[component]
pub fn Faq(entries: &'static [FaqEntry]) -> impl IntoView {
    view! {
        <section class="card faq" aria-labelledby="faq-heading">
            <h2 id="faq-heading">"OAuth Opt-In Process: FAQ"</h2>
            {entries
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    let open = RwSignal::new(false);
                    let button_id = format!("faq-question-{index}");
                    let panel_id = format!("faq-answer-{index}");
                    view! {
                        <h3 class="faq-question">
                            <button id=button_id.clone() type="button"
                                aria-expanded=move || open.get().to_string()
                                aria-controls=panel_id.clone()
                                on:click=move |_| open.update(|open| *open = !*open)>
                                {entry.question}
                            </button>
                        </h3>
                        <div id=panel_id role="region" aria-labelledby=button_id class="faq-answer" hidden=move || !open.get()>
                            <p>{entry.answer}</p>
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}

/// The product bar: the product's name, and the user's identification with the company under it.
#[component]
pub fn ProductHeader(product: Product, identity: Identity, company: Option<String>) -> impl IntoView {
    view! {
        <header class="topbar">
            <div class="brand"><span class="shield" aria-hidden="true">"ups"</span><span>{product.name()}</span></div>
            <div class="identity" aria-label="Signed in">
                <span class="identity-name">{identity.display_name}</span>
                <span class="identity-company" data-testid="registered-company">{company}</span>
                <SignOutButton/>
            </div>
        </header>
    }
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
