//! The sign-in page, the sign-out buttons, and the way back to sign-in from a page whose session
//! is over.

use super::api::{load_sign_in_options, SignIn, SignOut, SignOutEverywhere};
use crate::{error::AppError, t, ui::encode_component};
use leptos::prelude::*;
use leptos_router::{
    components::Redirect,
    hooks::{use_location, use_query_map},
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err);
    let options = Resource::new(|| (), |_| load_sign_in_options());
    let providers = move || {
        options.get().and_then(Result::ok).map(|options| {
            options
                .providers
                .into_iter()
                .map(|provider| {
                    view! {
                        <form method="post" action=format!("/sso/{}/start", provider.id) class="stack">
                            <input type="hidden" name="next" value=next/>
                            <button type="submit" class="primary">{t!("auth-sign-in-with", provider = provider.name.as_str())}</button>
                        </form>
                    }
                })
                .collect_view()
        })
    };
    let passwords = move || options.get().and_then(Result::ok).is_none_or(|options| options.passwords);

    view! {
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <h1>{t!("auth-sign-in")}</h1>
                {move || query.read().get("unlocked").map(|_| view! {
                    <p class="alert" role="status">{t!("auth-unlocked")}</p>
                })}
                <Suspense fallback=|| ()>{providers}</Suspense>
                <Show when=passwords>
                <ActionForm action=action attr:class="stack">
                    <input type="hidden" name="next" value=next/>
                    <label for="sign-in-name">{t!("auth-sign-in-name")}</label>
                    <input id="sign-in-name" name="sign_in_name" type="text" autocomplete="username" required/>
                    <label for="password">{t!("auth-password")}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    {move || error().map(|error| view! {
                        <p class="alert error" role="alert">
                            {error.message()}
                            {(error == AppError::SignInHeld).then(|| view! { " " <a href="/sign-in/unlock">{t!("auth-use-recovery-code")}</a> })}
                        </p>
                    })}
                    <button type="submit" class="primary" disabled=move || action.pending().get()>{t!("auth-sign-in")}</button>
                </ActionForm>
                </Show>
            </div>
        </main>
    }
}

/// The sign-out buttons shown in every product's header: this browser, or every device, and the
/// ways to the list of the user's sessions and to their second factors.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <div class="sign-out">
            <a href="/sessions" class="link">{t!("auth-where-signed-in")}</a>
            <a href="/second-factors" class="link">{t!("auth-sign-in-security")}</a>
            <ActionForm action=action>
                <button type="submit" class="link">{t!("auth-sign-out")}</button>
            </ActionForm>
            <ActionForm action=everywhere>
                <button type="submit" class="link">{t!("auth-sign-out-everywhere")}</button>
            </ActionForm>
        </div>
    }
}

/// What a signed-in page shows when its data could not be loaded: the sign-in page (coming back
/// here after) when the session is over, or the error.
#[component]
pub fn PageLoadError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated => {
            let location = use_location();
            let search = location.search.get_untracked();
            let here = match search.trim_start_matches('?') {
                "" => location.pathname.get_untracked(),
                query => format!("{}?{query}", location.pathname.get_untracked()),
            };
            view! { <Redirect path=format!("/sign-in?next={}", encode_component(&here))/> }.into_any()
        }
        error => view! {
            <main class="page">
                <p class="alert error" role="alert">{error.message()}</p>
                <p><a href="/">{t!("auth-back-to-applications")}</a></p>
            </main>
        }
        .into_any(),
    }
}
