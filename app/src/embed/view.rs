//! The widget page: `/embed/{product}?session=…`, themed to the product, showing the same
//! authorization card, FAQ and token grid as the admin pages, rendered by the server. UPS's
//! consent, which cannot be framed, opens in a window of its own once the page's one small
//! island runs; the widget tells the host page what happened through `postMessage`, to the
//! host's origin only, never with a token.

#[cfg(feature = "hydrate")]
use super::browser;
use super::{
    api::{open_embed, EmbedContext, EmbedLoad, NoticeText, PreparedEmbed},
    CONSENT_FORM, CONSENT_WINDOW, CONTENT, RELOAD_FORM, SCRIPT_WORDS, WIDGET,
};
use crate::{
    authorization::view::{AuthorizationCard, RevokeMode, StartMode},
    error::AppError,
    t,
    tokens::view::{HistorySource, TokenGrid},
    ui::{Faq, NoticeBanner, OAUTH_FAQ},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::{EmbedMode, Product, WidgetField, WidgetKey};

/// `/embed/{product}?session=…`: the widget, themed to the product. After a form the widget
/// posted (`POST /embed/{product}`), the server has already decided what it shows.
#[component]
pub fn EmbedPage() -> impl IntoView {
    let params = use_params_map();
    let product = params.read_untracked().get("product").unwrap_or_default();
    let session = crate::products::frame::query_param("session").get_untracked().unwrap_or_default();
    let theme = format!("embed theme-{}", Product::parse(&product).map(Product::slug).unwrap_or("none"));
    let prepared = use_context::<PreparedEmbed>();
    // Redeemed once, on the server; the page never asks again.
    let load = Resource::new(
        || (),
        move |()| {
            let (prepared, product, session) = (prepared.clone(), product.clone(), session.clone());
            async move {
                match prepared {
                    Some(PreparedEmbed(load)) => Ok(load),
                    None => open_embed(product, session).await,
                }
            }
        },
    );
    view! {
        <Title text="UPS OAuth"/>
        <div class=theme>
            <Suspense fallback=|| view! { <p class="loading">{t!("embed-loading")}</p> }>
                {move || Suspend::new(async move {
                    match load.await {
                        Ok(EmbedLoad::Open(context)) => view! { <Widget context/> }.into_any(),
                        Ok(EmbedLoad::Refused { error, host_origins, announce }) => {
                            view! { <Refused error host_origins announce/> }.into_any()
                        }
                        Err(error) => view! { <Refused error host_origins=Vec::new() announce="[]".to_owned()/> }.into_any(),
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
fn Refused(error: AppError, host_origins: Vec<String>, announce: String) -> impl IntoView {
    view! {
        <main class="embed-body" id=WIDGET>
            <ScriptWords/>
            <WidgetScript/>
            <div id=CONTENT data-hosts=host_origins.join(" ") data-announce=announce>
                <p class="alert error" role="alert">{error.message()}</p>
            </div>
        </main>
    }
}

/// The widget, all of it server HTML: every control is a form that works without a script.
/// [`WidgetScript`] then opens UPS's consent in a window of its own and posts the other forms in
/// place.
#[component]
fn Widget(context: EmbedContext) -> impl IntoView {
    let EmbedContext { key, view, host_origin, portal_user, notice, page, announce, locale } = context;
    // Everything below speaks the session's language.
    provide_context(locale);
    let product = view.product;
    let before = view.status.code();
    let company = view.company.id.to_string();
    let here = format!("/embed/{}", product.slug());
    let key = key.expose().to_owned();
    let start = StartMode::Widget { key: key.clone() };
    let revoke = RevokeMode::Widget { key: key.clone(), before };
    let grid = (product == Product::DataManagement).then(|| {
        let source = HistorySource::Widget { product, key: WidgetKey::new(key.clone()), page, before };
        view! { <TokenGrid source version=Signal::stored(0)/> }
    });
    view! {
        <main class="embed-body" id=WIDGET lang=locale.tag()>
            <header class="embed-header">
                <span class="shield" aria-hidden="true">"ups"</span>
                <span class="embed-title">{product.name()}</span>
                <span class="embed-company" data-testid="embed-company">{view.company.name.clone()}</span>
            </header>
            <ScriptWords/>
            <WidgetScript/>
            <div
                id=CONTENT
                data-hosts=host_origin
                data-announce=announce
                data-product=product.slug()
                data-company=company
                data-status=before
            >
                {notice.map(|NoticeText { message, error }| view! { <NoticeBanner message error/> })}
                <AuthorizationCard view start revoke/>
                {grid}
                <Faq entries=OAUTH_FAQ/>
                <p class="embed-footer">{t!("embed-signed-in-as", user = portal_user)}</p>
                <form id=CONSENT_FORM method="post" action="/embed/start" target=CONSENT_WINDOW hidden>
                    <input type="hidden" name=WidgetField::Key.name() value=key.clone()/>
                    <input type="hidden" name=WidgetField::Mode.name() value=EmbedMode::Popup.as_str()/>
                </form>
                <form id=RELOAD_FORM method="post" action=here data-swap hidden>
                    <input type="hidden" name=WidgetField::Key.name() value=key/>
                    <input type="hidden" name=WidgetField::Before.name() value=before/>
                    <input type="hidden" name=WidgetField::Outcome.name() value=""/>
                </form>
            </div>
        </main>
    }
    .into_any()
}

/// The widget's script's sentences, in the page's language, on a hidden element for the script
/// to read (`data-`): an island carries no catalog, and no props to decode.
#[component]
fn ScriptWords() -> impl IntoView {
    view! {
        <span id=SCRIPT_WORDS hidden
            data-waiting=t!("embed-waiting")
            data-blocked=t!("embed-blocked")
            data-continue=t!("embed-continue-here")
            data-unreachable=t!("embed-unreachable")
        ></span>
    }
}

/// One of [`ScriptWords`], read where the server wrote it (only the browser shows them).
fn script_word(name: &'static str) -> String {
    #[cfg(feature = "hydrate")]
    let word = browser::script_word(name);
    #[cfg(not(feature = "hydrate"))]
    let word = {
        let _ = name;
        String::new()
    };
    word
}

/// The widget's script (an island): delivers the page's events to the host, sizes the frame,
/// opens UPS's consent in a window of its own, and posts the widget's forms in place. It shows
/// only what a script knows: that the consent window is open, or was blocked.
#[island]
fn WidgetScript() -> impl IntoView {
    let waiting = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let unreachable = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::start(browser::Shown { waiting, blocked, unreachable }));
    let continue_here = move |_| {
        blocked.set(false);
        #[cfg(feature = "hydrate")]
        browser::continue_here();
    };
    view! {
        <Show when=move || waiting.get()>
            <p class="alert info" role="status">{script_word("data-waiting")}</p>
        </Show>
        <Show when=move || blocked.get()>
            <div class="alert error" role="alert">
                <p>{script_word("data-blocked")}</p>
                <button type="button" class="secondary" on:click=continue_here>{script_word("data-continue")}</button>
            </div>
        </Show>
        <Show when=move || unreachable.get()>
            <p class="alert error" role="alert">{script_word("data-unreachable")}</p>
        </Show>
    }
}
