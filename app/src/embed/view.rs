//! The widget page: `/embed/{product}?session=…`, themed to the product, showing the same
//! authorization card, FAQ and token grid as the admin pages. UPS's consent, which cannot be
//! framed, opens in a window of its own; the widget tells the host page what happened through
//! `postMessage`, to the host's origin only, never with a token.

#[cfg(feature = "hydrate")]
use super::browser;
use super::{
    api::{open_embed, EmbedContext, EmbedLoad, EmbedOptOut, EmbedStatus},
    event, CONSENT_WINDOW,
};
use crate::{
    authorization::view::{AuthorizationCard, RevokeMode, StartMode},
    error::AppError,
    tokens::view::{HistorySource, TokenGrid},
    ui::{Faq, NoticeBanner, OAUTH_FAQ},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::{Notice, Product, Revocation};

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
    let session = crate::products::frame::query_param("session").get_untracked().unwrap_or_default();
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
#[island]
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

#[island]
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
            let before = shown.get_untracked().status.code();
            shown.set(view);
            let after = shown.get_untracked().status.code();
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
            notice.set(Some((Notice::Revoked.message(product), false)));
            emit(
                match product.revocation() {
                    Revocation::Clear => event::CLEARED,
                    Revocation::OptOut => event::OPTED_OUT,
                },
                &[],
            );
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
            if let model::AuthorizationStatus::ReauthorizationRequired { reason, .. } = &view.status {
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
    let popup = Callback::new(move |()| {
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
    });
    let start = StartMode::Widget { key: key.expose().to_owned(), popup };
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
            {move || view! { <AuthorizationCard view=shown.get() start=start.clone() revoke=RevokeMode::Handler(on_revoke)/> }}
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
