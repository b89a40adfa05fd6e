//! "Where you're signed in": the signed-in user's own sessions (browser, address, when each
//! started and was last used), each but this browser's with a Sign out of its own, and Sign out
//! everywhere beside them. The list and the ending are the core's (`optin_core::sessions`).

use super::{
    api::load_identity,
    view::{PageLoadError, SignOutButton},
};
use crate::{
    error::AppError,
    t,
    ui::{LocalTime, NoticeBanner},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::{SessionHandle, SignInSession};

/// The signed-in user's live sessions, the most recently used first.
#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SignInSession>, AppError> {
    crate::web::with_status(ssr::list().await)
}

/// Ends one of the signed-in user's other sessions (a browser left signed in elsewhere).
#[server(prefix = "/api", endpoint = "end_my_session")]
pub async fn end_my_session(handle: SessionHandle) -> Result<(), AppError> {
    crate::web::with_status(ssr::end(handle).await)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{auth::session::current_user, error::AppError, state::app_state, web::after_form_post};
    use model::{SessionHandle, SignInSession};
    use optin_core::sessions;

    pub async fn list() -> Result<Vec<SignInSession>, AppError> {
        let (state, user) = (app_state()?, current_user()?);
        Ok(sessions::list(&state.core, user.id, &user.session_hash).await?)
    }

    pub async fn end(handle: SessionHandle) -> Result<(), AppError> {
        let (state, user) = (app_state()?, current_user()?);
        sessions::end(&state.core, user.id, &handle).await?;
        after_form_post("/sessions?ended=1");
        Ok(())
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let end = ServerAction::<EndMySession>::new();
    let identity = Resource::new(|| (), |_| load_identity());
    let sessions = Resource::new(move || end.version().get(), |_| my_sessions());
    let query = use_query_map();
    let notice = move || match end.value().get() {
        Some(Err(error)) => Some((error.message(), true)),
        Some(Ok(())) => Some((t!("auth-session-ended"), false)),
        None => query.read().get("ended").map(|_| (t!("auth-session-ended"), false)),
    };
    view! {
        <Title text=t!("auth-sessions-title")/>
        <Transition fallback=|| view! { <p class="loading">{t!("auth-loading")}</p> }>
            {move || Suspend::new(async move {
                match (identity.await, sessions.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <PageLoadError error/> }.into_any(),
                    (Ok(identity), Ok(sessions)) => view! {
                        <header class="topbar">
                            <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                            <div class="identity"><span class="identity-name">{identity.display_name}</span><SignOutButton/></div>
                        </header>
                        <main class="page">
                            <p><a href="/">{t!("auth-all-applications")}</a></p>
                            <h1>{t!("auth-where-signed-in")}</h1>
                            {move || notice().map(|(message, error)| view! { <NoticeBanner message error/> })}
                            <SessionTable sessions end/>
                            <p>{t!("auth-sessions-not-you")}</p>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SessionTable(sessions: Vec<SignInSession>, end: ServerAction<EndMySession>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=t!("auth-sessions-region")>
            <table class="grid" data-testid="sessions">
                <caption>{t!("auth-sessions-caption")}</caption>
                <thead><tr>
                    <th scope="col">{t!("auth-sessions-browser")}</th><th scope="col">{t!("auth-sessions-address")}</th>
                    <th scope="col">{t!("auth-sessions-signed-in")}</th><th scope="col">{t!("auth-sessions-last-active")}</th><th scope="col">{t!("auth-sessions-sign-out")}</th>
                </tr></thead>
                <tbody>
                    {sessions.into_iter().map(|session| {
                        let label = t!("auth-sessions-sign-out-label", browser = session.browser.as_str(), address = session.address.as_str());
                        view! {
                            <tr data-current=session.current.to_string()>
                                <td>{session.browser}</td>
                                <td>{session.address}</td>
                                <td><LocalTime unix=session.started_at/></td>
                                <td><LocalTime unix=session.last_active_at/></td>
                                <td>{match session.current {
                                    true => view! { <strong>{t!("auth-sessions-this-browser")}</strong> }.into_any(),
                                    false => view! {
                                        <ActionForm action=end>
                                            <input type="hidden" name="handle" value=session.handle.as_str().to_owned()/>
                                            <button type="submit" class="secondary" aria-label=label>{t!("auth-sessions-sign-out")}</button>
                                        </ActionForm>
                                    }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
