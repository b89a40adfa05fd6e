//! The widget's script, compiled into the wasm only. The page is server HTML that works without
//! it; this delivers the events each page announces (`data-announce`) to the host's origin
//! (`data-hosts`) and the frame's height, opens UPS's consent in a window of its own, and posts
//! the widget's other forms (`data-swap`) in place: the answer is the widget's page, whose
//! content replaces this one's, so no navigation adds to the portal's history.

use super::{event, CONSENT_FORM, CONSENT_WINDOW, CONTENT, RELOAD_FORM, SCRIPT_WORDS, WIDGET};
use leptos::{prelude::*, task::spawn_local};
use model::WidgetField;
use std::{cell::RefCell, time::Duration};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement, HtmlFormElement};

/// What the island shows that only a script knows.
#[derive(Clone, Copy)]
pub struct Shown {
    pub waiting: RwSignal<bool>,
    pub blocked: RwSignal<bool>,
    pub unreachable: RwSignal<bool>,
}

thread_local! {
    static SHOWN: RefCell<Option<Shown>> = const { RefCell::new(None) };
    /// The origins this page reports to, read once from the first page.
    static HOSTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The consent window this page opened, to recognise its messages and notice it closing.
    static CONSENT: RefCell<Option<web_sys::Window>> = const { RefCell::new(None) };
    /// The Opt-In form whose window was blocked, to continue in the whole window instead.
    static BLOCKED: RefCell<Option<HtmlFormElement>> = const { RefCell::new(None) };
    static WATCH: RefCell<Option<IntervalHandle>> = const { RefCell::new(None) };
    /// A form being posted in place: another waits for its answer rather than racing it.
    static POSTING: RefCell<bool> = const { RefCell::new(false) };
}

/// The sentence the server wrote for the script as `name` (a `data-` attribute), in the page's
/// language.
pub fn script_word(name: &str) -> String {
    document().get_element_by_id(SCRIPT_WORDS).and_then(|words| words.get_attribute(name)).unwrap_or_default()
}

/// Starts the script on the page as the server sent it.
pub fn start(shown: Shown) {
    SHOWN.with(|slot| *slot.borrow_mut() = Some(shown));
    let Some(content) = document().get_element_by_id(CONTENT) else { return };
    let hosts = content.get_attribute("data-hosts").unwrap_or_default();
    HOSTS.with(|slot| *slot.borrow_mut() = hosts.split_whitespace().map(str::to_owned).collect());
    announce(&content);
    if let Some(widget) = document().get_element_by_id(WIDGET).and_then(|widget| widget.dyn_into::<HtmlElement>().ok())
    {
        report_height(widget);
    }
    listen_for_submissions();
    listen_for_consent();
}

fn shown() -> Option<Shown> {
    SHOWN.with(|slot| *slot.borrow())
}

/// Posts each event the page announces to the host's origin (the browser drops it when the
/// frame's parent has another origin).
fn announce(content: &Element) {
    let Some(announced) = content.get_attribute("data-announce") else { return };
    let Ok(events) = js_sys::JSON::parse(&announced) else { return };
    for message in js_sys::Array::from(&events).iter() {
        post_to_host(&message);
    }
}

fn post_to_host(message: &JsValue) {
    let Ok(Some(parent)) = window().parent() else { return };
    HOSTS.with(|hosts| {
        for origin in hosts.borrow().iter() {
            let _ = parent.post_message(message, origin);
        }
    });
}

/// An event only the script sees (the consent window blocked or closed), with the product,
/// company and status every widget event carries, as the page shown says them.
fn post_widget_event(kind: &str) {
    let Some(content) = document().get_element_by_id(CONTENT) else { return };
    let field = |name: &str| content.get_attribute(&format!("data-{name}")).unwrap_or_default();
    let (product, company, status) = (field("product"), field("company"), field("status"));
    post_fields(kind, &[("product", &product), ("company", &company), ("status", &status)]);
}

/// A message the script itself sends (the frame's height, an unreachable server).
fn post_fields(kind: &str, fields: &[(&str, &str)]) {
    let message = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&message, &key.into(), &value.into());
    };
    set("source", "ups-optin");
    set("type", kind);
    for (key, value) in fields {
        set(key, value);
    }
    post_to_host(&message);
}

/// Every form of the widget submits through here: Opt-In opens the consent window, the others
/// are posted in place.
fn listen_for_submissions() {
    let handle = window_event_listener(leptos::ev::submit, |event: web_sys::SubmitEvent| {
        let Some(form) = event.target().and_then(|target| target.dyn_into::<HtmlFormElement>().ok()) else { return };
        if form.has_attribute("data-consent") {
            event.prevent_default();
            open_consent(form);
        } else if form.has_attribute("data-swap") {
            event.prevent_default();
            spawn_local(post_in_place(form));
        }
    });
    // The listeners live as long as the page.
    std::mem::forget(handle);
}

/// Opens the consent window during the click (browsers block it otherwise); the hidden popup
/// form then loads UPS's consent into it.
fn open_consent(form: HtmlFormElement) {
    close_dialog_around(&form);
    let Some(shown) = shown() else { return };
    let opened = window()
        .open_with_url_and_target_and_features("", CONSENT_WINDOW, "popup=yes,width=520,height=760")
        .ok()
        .flatten();
    let popup_form =
        document().get_element_by_id(CONSENT_FORM).and_then(|form| form.dyn_into::<HtmlFormElement>().ok());
    match (opened, popup_form) {
        (Some(opened), Some(popup_form)) => {
            CONSENT.with(|consent| *consent.borrow_mut() = Some(opened));
            shown.blocked.set(false);
            shown.waiting.set(true);
            let _ = popup_form.submit();
            watch_consent_window();
        }
        _ => {
            BLOCKED.with(|blocked| *blocked.borrow_mut() = Some(form));
            shown.blocked.set(true);
            post_widget_event(event::POPUP_BLOCKED);
        }
    }
}

/// The blocked Opt-In, submitted as it would be without a script: the whole window goes to
/// UPS.com and comes back to the portal.
pub fn continue_here() {
    if let Some(form) = BLOCKED.with(|blocked| blocked.borrow_mut().take()) {
        let _ = form.submit();
    }
}

fn close_dialog_around(form: &HtmlFormElement) {
    if let Some(dialog) =
        form.closest("dialog").ok().flatten().and_then(|dialog| dialog.dyn_into::<web_sys::HtmlDialogElement>().ok())
    {
        dialog.close();
    }
}

/// Polls until the consent window closes (it closes itself after reporting, or the person
/// closes it); then the page asks for the status again, once.
fn watch_consent_window() {
    let check = || {
        let closed =
            CONSENT.with(|consent| consent.borrow().as_ref().is_none_or(|popup| popup.closed().unwrap_or(true)));
        if closed {
            stop_watching();
            // Its report is posted just before it closes: give it a moment to arrive first.
            set_timeout(|| consent_finished(None), Duration::from_millis(500));
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
fn listen_for_consent() {
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
        if from_consent && field("type").as_deref() == Some("optin:consent-result") {
            consent_finished(field("outcome"));
        }
    });
    std::mem::forget(handle);
}

/// The consent window is done (with what it reported, if it did): the page is asked again, and
/// the server says what changed. Once per consent window: its report and its closing both end
/// up here, and whichever comes first settles it.
fn consent_finished(outcome: Option<String>) {
    stop_watching();
    let Some(shown) = shown().filter(|shown| shown.waiting.get_untracked()) else { return };
    shown.waiting.set(false);
    if outcome.is_none() {
        post_widget_event(event::WINDOW_CLOSED);
    }
    let Some(form) = document().get_element_by_id(RELOAD_FORM).and_then(|form| form.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    if let Some(field) = form
        .query_selector(&format!("input[name={}]", WidgetField::Outcome.name()))
        .ok()
        .flatten()
        .and_then(|field| field.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        field.set_value(outcome.as_deref().unwrap_or_default());
    }
    spawn_local(post_in_place(form));
}

/// Posts `form` and puts the widget's new content in place of the old, then delivers the events
/// the new content announces. If the server cannot be reached, says so, here and to the host.
async fn post_in_place(form: HtmlFormElement) {
    close_dialog_around(&form);
    if POSTING.with(|posting| posting.replace(true)) {
        return;
    }
    let Some(current) = document().get_element_by_id(CONTENT) else {
        POSTING.with(|posting| posting.replace(false));
        return;
    };
    let _ = current.set_attribute("aria-busy", "true");
    let answer = fetch_content(&form).await;
    POSTING.with(|posting| posting.replace(false));
    let _ = current.remove_attribute("aria-busy");
    let Some(shown) = shown() else { return };
    shown.unreachable.set(false);
    let fresh = match answer {
        Answer::Content(fresh) => fresh,
        Answer::Unreadable => {
            shown.unreachable.set(true);
            return post_fields(event::ERROR, &[("code", "failed"), ("message", UNREADABLE)]);
        }
        Answer::Unreachable => {
            shown.unreachable.set(true);
            return post_fields(event::ERROR, &[("code", "network"), ("message", UNREACHABLE)]);
        }
    };
    let _ = current.replace_with_with_node_1(&fresh);
    crate::ui::localize_times(&fresh);
    announce(&fresh);
    // Focus moves to what changed, so keyboard and screen-reader users hear it: what the form
    // names (`data-focus`: the token grid, for its pages), or else the notice or the status.
    let named = form.get_attribute("data-focus").map(|id| format!("#{id}"));
    let selector = named.as_deref().unwrap_or(".alert, [data-testid=authorization-status]");
    if let Some(target) =
        fresh.query_selector(selector).ok().flatten().and_then(|target| target.dyn_into::<HtmlElement>().ok())
    {
        let _ = target.set_attribute("tabindex", "-1");
        let _ = target.focus();
    }
}

const UNREACHABLE: &str = "The widget could not reach UPS OAuth.";
const UNREADABLE: &str = "UPS OAuth answered with something the widget cannot show.";

/// What a form posted in place got back.
enum Answer {
    /// The widget's page: its content (a widget that cannot go on says why in it too).
    Content(Element),
    /// An answer that is not the widget's page (a proxy's error page, say).
    Unreadable,
    Unreachable,
}

async fn fetch_content(form: &HtmlFormElement) -> Answer {
    let Some(response) = send(form).await else { return Answer::Unreachable };
    let page = async {
        let html = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        let page = web_sys::DomParser::new().ok()?.parse_from_string(&html, web_sys::SupportedType::TextHtml).ok()?;
        page.get_element_by_id(CONTENT)
    };
    page.await.map_or(Answer::Unreadable, Answer::Content)
}

async fn send(form: &HtmlFormElement) -> Option<web_sys::Response> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let body = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    JsFuture::from(window().fetch_with_str_and_init(&form.action(), &init)).await.ok()?.dyn_into().ok()
}

/// Tells the host the widget's height whenever it changes, so the iframe fits its content.
fn report_height(root: HtmlElement) {
    let element = root.clone();
    let mut last = 0;
    // The widget's own box, not its overflow: a modal dialog (centred in the frame) must not
    // make the frame grow, or the two would chase each other.
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = element.offset_height();
        if height != last {
            last = height;
            post_fields(event::RESIZE, &[("height", &height.to_string())]);
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        std::mem::forget(observer);
    }
    callback.forget();
}
