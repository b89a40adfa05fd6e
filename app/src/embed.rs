//! The embeddable widget: the opt-in inside each product's own portal, on another origin.
//!
//! A product's backend creates a single-use embed session with its API key (`server::embed_api`);
//! the portal's page frames `/embed/{product}?session=…`. Loading that page redeems the session
//! for a widget key that lives only in the page (no cookie, so third-party cookie blocking does
//! not matter) and that every call from the widget sends back. The widget shows the same
//! authorization card, FAQ and token grid as the admin pages; UPS's consent, which cannot be
//! framed, opens in a window of its own; and the widget tells the host page what happened through
//! `postMessage`, to the host's origin only, never with a token.

use crate::{
    authorization::{AuthorizationCard, AuthorizationStatus, AuthorizationView, Notice, StartMode},
    error::AppError,
    product::Product,
    tokens::{HistorySource, TokenGrid, TokenPage},
    ui::{Faq, NoticeBanner, OAUTH_FAQ},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The widget's credential: issued when the embed session is redeemed, held only by the widget
/// page, and sent with each of its calls. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WidgetKey(String);

impl WidgetKey {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WidgetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WidgetKey([redacted])")
    }
}

/// An open widget: its key, what it shows, and the one origin it reports to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedContext {
    pub key: WidgetKey,
    pub view: AuthorizationView,
    /// The portal's origin: the only target of the widget's messages.
    pub host_origin: String,
    /// The portal user, as the portal named them.
    pub portal_user: String,
}

/// What the widget page shows: the widget, or why not, and which origins may hear about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmbedLoad {
    Open(EmbedContext),
    Refused { error: AppError, host_origins: Vec<String> },
}

/// Redeems the single-use embed session `session` for a widget key. A second call with the same
/// session is refused.
#[server(prefix = "/api", endpoint = "open_embed")]
pub async fn open_embed(product: String, session: String) -> Result<EmbedLoad, AppError> {
    crate::error::ssr::with_status(ssr::open(&product, &session).await)
}

#[server(prefix = "/api", endpoint = "embed_status")]
pub async fn embed_status(key: WidgetKey) -> Result<AuthorizationView, AppError> {
    crate::error::ssr::with_status(ssr::status(&key).await)
}

/// Opt-Out or Clear from the widget; answers the authorization as it now stands.
#[server(prefix = "/api", endpoint = "embed_opt_out")]
pub async fn embed_opt_out(key: WidgetKey) -> Result<AuthorizationView, AppError> {
    crate::error::ssr::with_status(ssr::opt_out(&key).await)
}

/// Data Management's token grid, in the widget.
#[server(prefix = "/api", endpoint = "embed_token_history")]
pub async fn embed_token_history(key: WidgetKey, page: u32) -> Result<TokenPage, AppError> {
    crate::error::ssr::with_status(ssr::token_history(&key, page).await)
}

/// The name the widget gives the consent window (one per widget page).
const CONSENT_WINDOW: &str = "ups-optin-consent";

/// The events the host page receives (`README`, "Embedding the widget"). Sent from the browser
/// only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod event {
    pub const READY: &str = "optin:ready";
    pub const RESIZE: &str = "optin:resize";
    pub const AUTHORIZED: &str = "optin:authorized";
    pub const OPTED_OUT: &str = "optin:opted_out";
    pub const CLEARED: &str = "optin:cleared";
    pub const REAUTHORIZATION_REQUIRED: &str = "optin:reauthorization_required";
    pub const ERROR: &str = "optin:error";
}

fn status_code(status: &AuthorizationStatus) -> &'static str {
    match status {
        AuthorizationStatus::NotAuthorized => "not_authorized",
        AuthorizationStatus::Authorized { .. } => "authorized",
        AuthorizationStatus::ReauthorizationRequired { .. } => "reauthorization_required",
    }
}

/// The error code an error event carries.
fn error_code(error: &AppError) -> &'static str {
    match error {
        AppError::EmbedSessionInvalid => "session_invalid",
        AppError::Forbidden => "not_allowed",
        AppError::Request(_) => "network",
        _ => "failed",
    }
}

/// `/embed/{product}?session=…`: the widget, themed to the product.
#[component]
pub fn EmbedPage() -> impl IntoView {
    let params = use_params_map();
    let product = params.read_untracked().get("product").unwrap_or_default();
    let session = crate::products::query_param("session").get_untracked().unwrap_or_default();
    let theme = format!("embed theme-{}", Product::parse(&product).map(Product::slug).unwrap_or("none"));
    // Redeemed once, on the server; the page hydrates from the answer and never asks again.
    let load = Resource::new(|| (), move |()| open_embed(product.clone(), session.clone()));
    view! {
        <Title text="UPS OAuth"/>
        <div class=theme>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match load.await {
                        Ok(EmbedLoad::Open(context)) => view! { <Widget context/> }.into_any(),
                        Ok(EmbedLoad::Refused { error, host_origins }) => view! { <Refused error host_origins/> }.into_any(),
                        Err(error) => view! { <Refused error host_origins=Vec::new()/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

/// A session that cannot be used: said in the frame, and to every origin allowed to frame it
/// (the one that did is among them; the others cannot receive it).
#[component]
fn Refused(error: AppError, host_origins: Vec<String>) -> impl IntoView {
    let message = error.to_string();
    #[cfg(feature = "hydrate")]
    {
        let (code, message) = (error_code(&error), message.clone());
        Effect::new(move |_| {
            for origin in &host_origins {
                browser::post_to_host(origin, event::ERROR, None, &[("code", code), ("message", &message)]);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (error_code(&error), host_origins);
    view! { <main class="embed-body"><p class="alert error" role="alert">{message}</p></main> }
}

#[component]
fn Widget(context: EmbedContext) -> impl IntoView {
    let EmbedContext { key, view: initial, host_origin, portal_user } = context;
    let product = initial.product;
    let shown = RwSignal::new(initial);
    let notice = RwSignal::new(None::<(String, bool)>);
    let blocked = RwSignal::new(false);
    let waiting = RwSignal::new(false);
    let refresh = ServerAction::<EmbedStatus>::new();
    let opt_out = ServerAction::<EmbedOptOut>::new();
    let popup_form = NodeRef::<html::Form>::new();
    let page_form = NodeRef::<html::Form>::new();
    let root = NodeRef::<html::Main>::new();
    let host = StoredValue::new(host_origin);
    let emit = move |kind: &str, fields: &[(&str, &str)]| {
        #[cfg(feature = "hydrate")]
        host.with_value(|origin| browser::post_to_host(origin, kind, Some(&shown.get_untracked()), fields));
        #[cfg(not(feature = "hydrate"))]
        let _ = (host, kind, fields);
    };
    let fail = move |error: AppError| {
        emit(event::ERROR, &[("code", error_code(&error)), ("message", &error.to_string())]);
        notice.set(Some((error.to_string(), true)));
    };

    // A new status from UPS's consent (or from a closed consent window): tell the host what changed.
    let status_key = key.clone();
    Effect::new(move |_| match refresh.value().get() {
        Some(Ok(view)) => {
            let before = status_code(&shown.get_untracked().status);
            shown.set(view);
            let after = status_code(&shown.get_untracked().status);
            if before != after {
                match after {
                    "authorized" => emit(event::AUTHORIZED, &[]),
                    "reauthorization_required" => emit(event::REAUTHORIZATION_REQUIRED, &[]),
                    _ => {}
                }
            }
        }
        Some(Err(error)) => fail(error),
        None => {}
    });
    Effect::new(move |_| match opt_out.value().get() {
        Some(Ok(view)) => {
            shown.set(view);
            let wording = product.wording();
            notice.set(Some((format!("{} {}", product.short_name(), wording.revoked), false)));
            emit(if wording.revoke_label == "Clear" { event::CLEARED } else { event::OPTED_OUT }, &[]);
        }
        Some(Err(error)) => fail(error),
        None => {}
    });
    // What the consent window reports when it finishes (it closes itself afterwards).
    let on_consent = {
        let key = status_key.clone();
        move |outcome: Notice| {
            waiting.set(false);
            if outcome.is_error() {
                emit(event::ERROR, &[("code", outcome.code()), ("message", &outcome.message(product))]);
            }
            notice.set(Some((outcome.message(product), outcome.is_error())));
            refresh.dispatch(EmbedStatus { key: key.clone() });
        }
    };
    let on_closed = {
        let key = status_key.clone();
        move || {
            if waiting.get_untracked() {
                waiting.set(false);
                refresh.dispatch(EmbedStatus { key: key.clone() });
            }
        }
    };
    #[cfg(feature = "hydrate")]
    {
        browser::listen_for_consent(on_consent, on_closed);
        Effect::new(move |_| {
            let view = shown.get_untracked();
            emit(event::READY, &[]);
            if let AuthorizationStatus::ReauthorizationRequired { reason, .. } = &view.status {
                emit(event::REAUTHORIZATION_REQUIRED, &[("reason", reason)]);
            }
            if let Some(root) = root.get() {
                browser::report_height(root, host.get_value());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (on_consent, on_closed, root);

    // Opened inside the click, or browsers block it; the form then loads UPS's consent into it.
    let start = StartMode::Handler(Callback::new(move |()| {
        notice.set(None);
        #[cfg(feature = "hydrate")]
        match (browser::open_consent_window(), popup_form.get_untracked()) {
            (true, Some(form)) => {
                blocked.set(false);
                waiting.set(true);
                let _ = form.submit();
                browser::watch_consent_window();
            }
            _ => blocked.set(true),
        }
    }));
    let revoke_key = key.clone();
    let on_revoke = Callback::new(move |()| {
        opt_out.dispatch(EmbedOptOut { key: revoke_key.clone() });
    });
    let continue_here = move |_| {
        if let Some(form) = page_form.get_untracked() {
            let _ = form.submit();
        }
    };
    let grid = (product == Product::DataManagement).then(|| {
        let version = Signal::derive(move || refresh.version().get() + opt_out.version().get());
        view! { <TokenGrid source=HistorySource::Widget { key: key.clone(), page: RwSignal::new(1) } version/> }
    });

    view! {
        <main class="embed-body" node_ref=root>
            <header class="embed-header">
                <span class="shield" aria-hidden="true">"ups"</span>
                <span class="embed-title">{product.name()}</span>
                <span class="embed-company" data-testid="embed-company">
                    {move || shown.with(|view| view.company.name.clone())}
                </span>
            </header>
            {move || notice.get().map(|(message, error)| view! { <NoticeBanner message error/> })}
            <Show when=move || waiting.get()>
                <p class="alert info" role="status">
                    "Finish signing in to UPS.com in the window that opened. This page updates when you are done."
                </p>
            </Show>
            <Show when=move || blocked.get()>
                <div class="alert error" role="alert">
                    <p>"Your browser blocked the UPS.com sign-in window. Allow pop-ups for this site and try again, or continue in this window; you will come back here when you are done."</p>
                    <button type="button" class="secondary" on:click=continue_here>"Continue in this window"</button>
                </div>
            </Show>
            {move || view! { <AuthorizationCard view=shown.get() start on_revoke/> }}
            {grid}
            <Faq entries=OAUTH_FAQ/>
            <p class="embed-footer">{format!("Signed in to your portal as {portal_user}.")}</p>
            <form node_ref=popup_form method="post" action="/embed/start" target=CONSENT_WINDOW hidden>
                <input type="hidden" name="key" value=key.expose().to_owned()/>
                <input type="hidden" name="mode" value="popup"/>
            </form>
            <form node_ref=page_form method="post" action="/embed/start" target="_top" hidden>
                <input type="hidden" name="key" value=key.expose().to_owned()/>
                <input type="hidden" name="mode" value="page"/>
            </form>
        </main>
    }
    .into_any()
}

/// The browser side: the consent window, the messages to and from it, and those to the host.
#[cfg(feature = "hydrate")]
mod browser {
    use super::{status_code, AuthorizationView, Notice, CONSENT_WINDOW};
    use leptos::prelude::*;
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
            set("status", status_code(&view.status).into());
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
                post_to_host(&origin, super::event::RESIZE, None, &[("height", &height.to_string())]);
            }
        });
        if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(&root);
            std::mem::forget(observer);
        }
        callback.forget();
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{EmbedContext, EmbedLoad, WidgetKey};
    use crate::{
        audit::Actor,
        authorization::{
            ssr::{authorization_view, revoke},
            AuthorizationView,
        },
        companies::CompanySummary,
        error::AppError,
        ids::CompanyId,
        product::Product,
        secret::{random_token, token_hash, SecretString},
        state::{app_state, now, WebConfig},
        tokens::{ssr::page_of, TokenPage},
    };
    use sqlx::SqlitePool;

    /// Where a widget's consent answers: its consent window, or (when that was blocked) the
    /// portal page the widget sits in.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum EmbedMode {
        Popup,
        Page,
    }

    impl EmbedMode {
        pub fn as_str(self) -> &'static str {
            match self {
                Self::Popup => "popup",
                Self::Page => "page",
            }
        }

        pub fn parse(value: &str) -> Option<Self> {
            [Self::Popup, Self::Page].into_iter().find(|mode| mode.as_str() == value)
        }
    }

    /// An embed session: the company and product it serves, its portal user, and where it
    /// answers.
    #[derive(Clone, Debug)]
    pub struct EmbedSession {
        pub id: i64,
        /// Its product's API key is not revoked.
        pub live: bool,
        pub product: Product,
        pub company: CompanySummary,
        pub portal_user_id: String,
        pub portal_user_name: String,
        pub host_origin: String,
        pub return_url: String,
    }

    type Row = (i64, bool, String, i64, String, String, String, String, String);

    const SELECT: &str = "SELECT e.id, k.revoked_at IS NULL, e.product, e.company_id, c.name, e.portal_user_id,
            e.portal_user_name, e.parent_origin, e.return_url
        FROM embed_sessions e
        JOIN companies c ON c.id = e.company_id
        JOIN api_keys k ON k.id = e.api_key_id";

    impl EmbedSession {
        fn from_row(row: Row) -> Result<Self, AppError> {
            let (id, live, product, company, name, portal_user_id, portal_user_name, host_origin, return_url) = row;
            Ok(Self {
                id,
                live,
                product: Product::parse(&product).map_err(|_| AppError::Internal)?,
                company: CompanySummary { id: CompanyId::new(company), name },
                portal_user_id,
                portal_user_name,
                host_origin,
                return_url,
            })
        }

        /// Who acts when this widget opts in or out.
        pub fn actor(&self) -> Actor {
            Actor::Portal(format!("{} (portal user {})", self.portal_user_name, self.portal_user_id))
        }

        pub async fn by_id(db: &SqlitePool, id: i64) -> Result<Option<Self>, AppError> {
            let row: Option<Row> =
                sqlx::query_as(&format!("{SELECT} WHERE e.id = ?")).bind(id).fetch_optional(db).await?;
            row.map(Self::from_row).transpose()
        }

        /// The session of a live widget key (unexpired, its API key not revoked).
        pub async fn by_key(db: &SqlitePool, key: &WidgetKey) -> Result<Self, AppError> {
            let row: Option<Row> =
                sqlx::query_as(&format!("{SELECT} WHERE e.key_hash = ? AND e.expires_at > ? AND k.revoked_at IS NULL"))
                    .bind(token_hash(key.expose()))
                    .bind(now())
                    .fetch_optional(db)
                    .await?;
            row.map(Self::from_row).transpose()?.ok_or(AppError::EmbedSessionInvalid)
        }
    }

    /// What a product's backend asks for, already checked by the API.
    pub struct NewEmbedSession {
        pub api_key: i64,
        pub product: Product,
        pub company: CompanyId,
        pub portal_user_id: String,
        pub portal_user_name: String,
        pub host_origin: String,
        pub return_url: String,
    }

    /// Stores a new embed session; answers its single-use token and when it must be redeemed by.
    pub async fn create(
        db: &SqlitePool,
        web: &WebConfig,
        new: NewEmbedSession,
    ) -> Result<(SecretString, i64), AppError> {
        let token = random_token();
        let redeem_by = now() + web.embed_token_lifetime.as_secs() as i64;
        let mut tx = crate::state::write_transaction(db).await?;
        // Sessions long past are of no use to anyone; their pending states go with them.
        sqlx::query("DELETE FROM embed_sessions WHERE COALESCE(expires_at, redeem_by) <= ?")
            .bind(now() - 24 * 60 * 60)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO embed_sessions (token_hash, api_key_id, product, company_id, portal_user_id, portal_user_name,
                 parent_origin, return_url, created_at, redeem_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash(token.expose()))
        .bind(new.api_key)
        .bind(new.product.slug())
        .bind(new.company.get())
        .bind(&new.portal_user_id)
        .bind(&new.portal_user_name)
        .bind(&new.host_origin)
        .bind(&new.return_url)
        .bind(now())
        .bind(redeem_by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((token, redeem_by))
    }

    /// Exchanges the single-use token for a widget key, atomically: of two loads of the same
    /// session, exactly one gets a key.
    pub async fn redeem(
        db: &SqlitePool,
        web: &WebConfig,
        product: Product,
        token: &str,
    ) -> Result<(EmbedSession, WidgetKey), AppError> {
        let key = WidgetKey::new(random_token().expose());
        let redeemed: Option<(i64,)> = sqlx::query_as(
            "UPDATE embed_sessions SET redeemed_at = ?1, key_hash = ?2, expires_at = ?3
             WHERE token_hash = ?4 AND product = ?5 AND redeemed_at IS NULL AND redeem_by > ?1
             RETURNING id",
        )
        .bind(now())
        .bind(token_hash(key.expose()))
        .bind(now() + web.embed_session_lifetime.as_secs() as i64)
        .bind(token_hash(token))
        .bind(product.slug())
        .fetch_optional(db)
        .await?;
        let Some((id,)) = redeemed else {
            tracing::info!(%product, "embed session refused: unknown, used, expired or for another product");
            return Err(AppError::EmbedSessionInvalid);
        };
        let session = EmbedSession::by_id(db, id).await?.filter(|session| session.live);
        Ok((session.ok_or(AppError::EmbedSessionInvalid)?, key))
    }

    pub async fn open(product: &str, session: &str) -> Result<EmbedLoad, AppError> {
        let state = app_state()?;
        let product = Product::parse(product)?;
        let refused = |error| EmbedLoad::Refused {
            error,
            host_origins: state.web.embed_origins.get(&product).cloned().unwrap_or_default(),
        };
        // Framing is what limits a widget to its portal: a session link opened as a page (sent to
        // someone else, say, to consent with their UPS.com account) is refused, and stays unused.
        if !loaded_in_frame() {
            tracing::info!(%product, "embed session refused: not loaded in a frame");
            return Ok(refused(AppError::Invalid("This page works only inside your portal.".into())));
        }
        let (session, key) = match redeem(&state.db, &state.web, product, session).await {
            Ok(opened) => opened,
            Err(error @ AppError::EmbedSessionInvalid) => return Ok(refused(error)),
            Err(error) => return Err(error),
        };
        let view = authorization_view(&state.db, session.company.clone(), product).await?;
        Ok(EmbedLoad::Open(EmbedContext {
            key,
            view,
            host_origin: session.host_origin,
            portal_user: session.portal_user_name,
        }))
    }

    /// Whether this is the widget page itself, loaded into a frame: the browser says so with
    /// `Sec-Fetch-Dest: iframe`. A page opened on its own, a client that does not say it frames
    /// the page, and the server function called directly (`/api/open_embed`) are all refused.
    fn loaded_in_frame() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            !parts.uri.path().starts_with("/api/")
                && parts.headers.get("sec-fetch-dest").is_some_and(|destination| destination.as_bytes() == b"iframe")
        })
    }

    pub async fn status(key: &WidgetKey) -> Result<AuthorizationView, AppError> {
        let state = app_state()?;
        let session = EmbedSession::by_key(&state.db, key).await?;
        authorization_view(&state.db, session.company, session.product).await
    }

    pub async fn opt_out(key: &WidgetKey) -> Result<AuthorizationView, AppError> {
        let state = app_state()?;
        let session = EmbedSession::by_key(&state.db, key).await?;
        revoke(&state.db, &session.actor(), session.company.id, session.product).await?;
        authorization_view(&state.db, session.company, session.product).await
    }

    pub async fn token_history(key: &WidgetKey, page: u32) -> Result<TokenPage, AppError> {
        let state = app_state()?;
        let session = EmbedSession::by_key(&state.db, key).await?;
        if session.product != Product::DataManagement {
            return Err(AppError::Forbidden);
        }
        page_of(&state.db, session.product, session.company.id, page).await
    }
}
