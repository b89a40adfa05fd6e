//! The sign-in page and the sign-out button.

use super::api::{SignIn, SignOut, SignOutEverywhere};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err);

    view! {
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <h1>"Sign in"</h1>
                <ActionForm action=action attr:class="stack">
                    <input type="hidden" name="next" value=next/>
                    <label for="sign-in-name">"Sign in name"</label>
                    <input id="sign-in-name" name="sign_in_name" type="text" autocomplete="username" required/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.to_string()}</p> })}
                    <button type="submit" class="primary" disabled=move || action.pending().get()>"Sign in"</button>
                </ActionForm>
            </div>
        </main>
    }
}

/// The sign-out buttons shown in every product's header: this browser, or every device, and the
/// way to the list of the user's sessions.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <div class="sign-out">
            <a href="/sessions" class="link">"Where you're signed in"</a>
            <ActionForm action=action>
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
            <ActionForm action=everywhere>
                <button type="submit" class="link">"Sign out everywhere"</button>
            </ActionForm>
        </div>
    }
}
