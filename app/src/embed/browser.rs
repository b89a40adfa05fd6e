//! The widget's browser side: the consent window, the messages to and from it, and those to the
//! host page. Compiled into the wasm only.

use super::{event, CONSENT_WINDOW};
use leptos::prelude::*;
use model::{AuthorizationView, Notice};
use std::{cell::RefCell, time::Duration};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

thread_local! {
    /// The consent window this page opened, to recognise its messages and notice it closing.
    static CONSENT: RefCell<Option<web_sys::Window>> = const { RefCell::new(None) };
    static ON_CLOSED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
    static WATCH: RefCell<Option<IntervalHandle>> = const { RefCell::new(None) };
}

/// Opens an empty consent window (the popup form then navigates it); `false` when blocked.
pub fn open_consent_window() -> bool {
    let opened = window()
        .open_with_url_and_target_and_features("", CONSENT_WINDOW, "popup=yes,width=520,height=760")
        .ok()
        .flatten();
    let open = opened.is_some();
    CONSENT.with(|consent| *consent.borrow_mut() = opened);
    open
}

/// Polls until the consent window closes (it closes itself after reporting, or the person
/// closes it); then the page re-reads the status once.
pub fn watch_consent_window() {
    let check = || {
        let closed =
            CONSENT.with(|consent| consent.borrow().as_ref().is_none_or(|popup| popup.closed().unwrap_or(true)));
        if closed {
            stop_watching();
            ON_CLOSED.with(|on_closed| {
                if let Some(on_closed) = on_closed.borrow().as_ref() {
                    on_closed();
                }
            });
        }
    };
    stop_watching();
    if let Ok(interval) = set_interval_with_handle(check, Duration::from_millis(500)) {
        WATCH.with(|watch| *watch.borrow_mut() = Some(interval));
    }
}

fn stop_watching() {
    if let Some(interval) = WATCH.with(|watch| watch.borrow_mut().take()) {
        interval.clear();
    }
}

/// Accepts the consent window's report only from our own origin and from the window this page
/// opened.
pub fn listen_for_consent(on_consent: impl Fn(Notice) + 'static, on_closed: impl Fn() + 'static) {
    ON_CLOSED.with(|slot| *slot.borrow_mut() = Some(Box::new(on_closed)));
    let own_origin = window().location().origin().unwrap_or_default();
    let handle = window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
        if event.origin() != own_origin {
            return;
        }
        let from_consent = CONSENT.with(|consent| match (consent.borrow().as_ref(), event.source()) {
            (Some(popup), Some(source)) => js_sys::Object::is(popup.as_ref(), source.as_ref()),
            _ => false,
        });
        let data = event.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok().and_then(|value| value.as_string());
        if !from_consent || field("type").as_deref() != Some("optin:consent-result") {
            return;
        }
        if let Some(outcome) = field("outcome").as_deref().and_then(Notice::parse) {
            on_consent(outcome);
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Posts an event to the host page, addressed to `origin` only (the browser drops it when the
/// frame's parent has another origin).
pub fn post_to_host(origin: &str, kind: &str, view: Option<&AuthorizationView>, fields: &[(&str, &str)]) {
    let Ok(Some(parent)) = window().parent() else { return };
    let message = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&message, &key.into(), &value);
    };
    set("source", "ups-optin".into());
    set("type", kind.into());
    if let Some(view) = view {
        set("product", view.product.slug().into());
        set("company", view.company.id.to_string().into());
        set("status", view.status.code().into());
    }
    for (key, value) in fields {
        set(key, (*value).into());
    }
    let _ = parent.post_message(&message, origin);
}

/// Tells the host the widget's height whenever it changes, so the iframe fits its content.
pub fn report_height(root: web_sys::HtmlElement, origin: String) {
    let element = root.clone();
    let mut last = 0;
    // The widget's own box, not its overflow: a modal dialog (centred in the frame) must not
    // make the frame grow, or the two would chase each other.
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = element.offset_height();
        if height != last {
            last = height;
            post_to_host(&origin, event::RESIZE, None, &[("height", &height.to_string())]);
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        std::mem::forget(observer);
    }
    callback.forget();
}
