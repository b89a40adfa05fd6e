//! The application shared by the server (SSR) and the browser (its islands, `#[island]`, are all
//! that hydrates): the pages and
//! components, and the server functions behind them, by feature (`auth`, `authorization`,
//! `tokens`, `activity`, `embed`, `products`), each with its server functions in `api` and its
//! view in `view`. A server function authenticates, authorizes, calls the core
//! (`optin_core`) and answers with the shared model's records; server-only code (`state`,
//! `web`, and each `api`'s `ssr` half) sits behind the `ssr` feature.

pub mod activity;
pub mod auth;
pub mod authorization;
pub mod consent_links;
pub mod embed;
pub mod error;
pub mod i18n;
pub mod products;
pub mod tokens;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod assets;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod web;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};
use products::{data_management, home, pickup_manager, reverse_logistics};

/// The page around the app, written by the server alone: the browser hydrates only the body.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let stylesheet = assets::SiteHashes::get(&options).stylesheet(&options);
    // Scripts run only with this response's nonce (Leptos puts it on every script it writes), and
    // what those load ('strict-dynamic': the wasm glue and the wasm itself). The framing policy is
    // a header of its own (`frame-ancestors` cannot be set here).
    let policy = leptos::nonce::use_nonce().map(|nonce| {
        format!("script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'")
    });
    // The page's language, decided once for the whole render (every `t!` below finds it here
    // instead of reading the request's headers again); the widget provides its session's.
    let locale = i18n::locale();
    provide_context(locale);
    let lang = locale.tag();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                {policy.map(|content| view! { <meta http-equiv="Content-Security-Policy" content=content/> })}
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/png" href="/favicon.png"/>
                <link rel="stylesheet" href=stylesheet/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="UPS Customer Solutions · OAuth Opt-In"/>
        <Router>
            <Routes fallback=|| view! { <main class="page"><h1>{t!("page-not-found")}</h1><p><a href="/">{t!("page-not-found-home")}</a></p></main> }>
                <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/sign-in") view=auth::view::SignInPage/>
                <Route path=path!("/sign-in/unlock") view=auth::factors::view::UnlockPage/>
                <Route path=path!("/sign-in/second-factor") view=auth::factors::view::SecondStepPage ssr=SsrMode::Async/>
                <Route path=path!("/second-factors") view=auth::factors::view::SecondFactorsPage ssr=SsrMode::Async/>
                <Route path=path!("/sessions") view=auth::sessions::SessionsPage ssr=SsrMode::Async/>
                <Route path=path!("/reverse-logistics") view=reverse_logistics::ReverseLogisticsPage ssr=SsrMode::Async/>
                <Route path=path!("/pickup-manager") view=pickup_manager::PickupManagerOverviewPage ssr=SsrMode::Async/>
                <Route path=path!("/pickup-manager/settings") view=pickup_manager::PickupManagerSettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/data-management") view=data_management::DataManagementHomePage ssr=SsrMode::Async/>
                <Route path=path!("/data-management/admin") view=data_management::TokenManagerPage ssr=SsrMode::Async/>
                <Route path=path!("/embed/:product") view=embed::view::EmbedPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
