//! The second-factor pages: the sign-in's second step, "Sign-in security", and the recovery
//! code that lets a new browser past a hold; with the parts the script `/factors.js` fills in
//! (see the module above).

use super::{load_second_factors, load_sign_in_step, RemoveSecondFactor, UnlockSignIn, VerifySecondFactor};
use crate::{
    auth::view::{PageLoadError, SignOutButton},
    ui::{LocalTime, NoticeBanner},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use model::StepPurpose;

/// The script these pages need for passkeys and for showing a new key and recovery codes, with
/// this response's nonce.
#[component]
fn FactorScript() -> impl IntoView {
    view! { <script src="/factors.js" nonce=leptos::nonce::use_nonce() defer></script> }
}

/// Where an answer from the script shows (an error, or what to do next).
#[component]
fn ScriptNotice() -> impl IntoView {
    view! {
        <p class="alert error" role="alert" data-factor-error hidden></p>
        <noscript><p class="alert">"Passkeys and adding an authenticator app need JavaScript; a code works without it."</p></noscript>
    }
}

/// Adding a passkey or an authenticator app, and the recovery codes shown once afterwards (the
/// script fills and shows them).
#[component]
fn AddFactor(passkeys_available: bool) -> impl IntoView {
    view! {
        {passkeys_available.then(|| view! {
            <form class="stack" data-passkey-register>
                <label for="passkey-label">"Name this passkey"</label>
                <input id="passkey-label" name="label" type="text" maxlength="60" placeholder="Work laptop"/>
                <button type="submit" class="primary">"Add a passkey"</button>
            </form>
        })}
        <button type="button" class="secondary" data-totp-begin>"Add an authenticator app"</button>
        <section class="stack" data-totp-setup hidden aria-labelledby="totp-heading">
            <h2 id="totp-heading">"Add an authenticator app"</h2>
            <p>"In your authenticator app, add an account with this key (or open the link on this device), then enter the six-digit code it shows."</p>
            <p><code data-totp-key></code></p>
            <p><a data-totp-link href="#">"Open in an authenticator app"</a></p>
            <form class="stack" data-totp-confirm>
                <label for="totp-first-code">"Code from the app"</label>
                <input id="totp-first-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required/>
                <button type="submit" class="primary">"Confirm"</button>
            </form>
        </section>
        <RecoveryCodes/>
    }
}

/// The recovery codes, once: filled and shown by the script.
#[component]
fn RecoveryCodes() -> impl IntoView {
    view! {
        <section class="stack" data-recovery hidden aria-labelledby="recovery-heading">
            <h2 id="recovery-heading" tabindex="-1">"Your recovery codes"</h2>
            <p>"Each code signs you in once if you lose your passkey or phone. Keep them somewhere safe: they are shown only now."</p>
            <ol class="recovery-codes" data-recovery-codes></ol>
            <a class="button primary" data-recovery-continue href="/second-factors">"Continue"</a>
        </section>
    }
}

/// `/sign-in/second-factor`: the second step of a sign-in whose password was right.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    let verify = ServerAction::<VerifySecondFactor>::new();
    let step = Resource::new(|| (), |_| load_sign_in_step());
    let error = move || verify.value().get().and_then(Result::err);
    view! {
        <Title text="Confirm it's you · UPS Customer Solutions"/>
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match step.await {
                            Err(error) => view! {
                                <h1>"Sign in"</h1>
                                <p class="alert error" role="alert">{error.to_string()}</p>
                                <p><a href="/sign-in">"Sign in again"</a></p>
                            }.into_any(),
                            Ok(step) if step.purpose == StepPurpose::Enrol => view! {
                                <h1>"Add a second factor"</h1>
                                <p>{format!("{}, this service asks every admin for a second factor besides the password. Add one to finish signing in.", step.display_name)}</p>
                                <ScriptNotice/>
                                <AddFactor passkeys_available=step.passkeys_available/>
                                <FactorScript/>
                            }.into_any(),
                            Ok(step) => view! {
                                <h1>"Confirm it's you"</h1>
                                <p>{format!("{}, your password was right. Now use your second factor.", step.display_name)}</p>
                                <ScriptNotice/>
                                {(step.passkey && step.passkeys_available).then(|| view! {
                                    <button type="button" class="primary" data-passkey-sign-in>"Use your passkey"</button>
                                })}
                                <ActionForm action=verify attr:class="stack">
                                    <label for="second-factor-code">{match step.totp {
                                        true => "Code from your authenticator app, or a recovery code",
                                        false => "A recovery code",
                                    }}</label>
                                    <input id="second-factor-code" name="code" type="text" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required/>
                                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.to_string()}</p> })}
                                    <button type="submit" class=if step.passkey { "secondary" } else { "primary" }>"Verify"</button>
                                </ActionForm>
                                <FactorScript/>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

/// `/sign-in/unlock`: a browser new to a name whose sign-ins are held (many failed from
/// elsewhere) gives one of the name's recovery codes, and may then sign in as usual.
#[component]
pub fn UnlockPage() -> impl IntoView {
    let unlock = ServerAction::<UnlockSignIn>::new();
    let error = move || unlock.value().get().and_then(Result::err);
    view! {
        <Title text="Confirm with a recovery code · UPS Customer Solutions"/>
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <h1>"Confirm with a recovery code"</h1>
                <p>"Many sign-ins for your name failed lately from elsewhere, so a browser that has not signed in as you before first gives one of your recovery codes. The code is then used up. After that, sign in with your password and second factor as usual."</p>
                <ActionForm action=unlock attr:class="stack">
                    <label for="unlock-name">"Sign in name"</label>
                    <input id="unlock-name" name="sign_in_name" type="text" autocomplete="username" required/>
                    <label for="unlock-code">"A recovery code"</label>
                    <input id="unlock-code" name="code" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" required/>
                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.to_string()}</p> })}
                    <button type="submit" class="primary">"Continue"</button>
                </ActionForm>
                <p><a href="/sign-in">"Back to sign in"</a></p>
            </div>
        </main>
    }
}

/// `/second-factors`: the signed-in user's passkeys and authenticator apps, adding and removing
/// them, and new recovery codes.
#[component]
pub fn SecondFactorsPage() -> impl IntoView {
    let remove = ServerAction::<RemoveSecondFactor>::new();
    let factors = Resource::new(move || remove.version().get(), |_| load_second_factors());
    let identity = Resource::new(|| (), |_| crate::auth::api::load_identity());
    let query = use_query_map();
    let notice = move || match remove.value().get() {
        Some(Err(error)) => Some((error.to_string(), true)),
        Some(Ok(())) => Some(("Removed that second factor.".to_owned(), false)),
        None => query.read().get("removed").map(|_| ("Removed that second factor.".to_owned(), false)),
    };
    view! {
        <Title text="Sign-in security · UPS Customer Solutions"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (identity.await, factors.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <PageLoadError error/> }.into_any(),
                    (Ok(identity), Ok(factors)) => view! {
                        <header class="topbar">
                            <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                            <div class="identity"><span class="identity-name">{identity.display_name}</span><SignOutButton/></div>
                        </header>
                        <main class="page">
                            <p><a href="/">"All applications"</a></p>
                            <h1>"Sign-in security"</h1>
                            {move || notice().map(|(message, error)| view! { <NoticeBanner message error/> })}
                            <p>{match (factors.factors.is_empty(), factors.required) {
                                (true, _) => "You sign in with your password alone. Add a second factor, so a password that leaks reaches nothing.",
                                (false, true) => "You sign in with your password and one of these. This service requires a second factor.",
                                (false, false) => "You sign in with your password and one of these.",
                            }}</p>
                            <FactorTable factors=factors.factors.clone() remove/>
                            <ScriptNotice/>
                            <AddFactor passkeys_available=factors.passkeys_available/>
                            {(!factors.factors.is_empty()).then(|| view! {
                                <section class="stack">
                                    <h2>"Recovery codes"</h2>
                                    <p data-testid="recovery-left">{format!("{} of your recovery codes are unused.", factors.recovery_codes_left)}</p>
                                    <button type="button" class="secondary" data-recovery-new>"Get new recovery codes"</button>
                                </section>
                            })}
                            <FactorScript/>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FactorTable(factors: Vec<model::SecondFactor>, remove: ServerAction<RemoveSecondFactor>) -> impl IntoView {
    (!factors.is_empty()).then(|| {
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label="Your second factors (scrolls sideways)">
                <table class="grid" data-testid="second-factors">
                    <caption>"Your second factors"</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Kind"</th>
                        <th scope="col">"Added"</th><th scope="col">"Last used"</th><th scope="col">"Remove"</th>
                    </tr></thead>
                    <tbody>
                        {factors.into_iter().map(|factor| {
                            let label = format!("Remove {}", factor.label);
                            view! {
                                <tr>
                                    <td>{factor.label}</td>
                                    <td>{factor.kind.describe()}</td>
                                    <td><LocalTime unix=factor.added_at/></td>
                                    <td>{match factor.last_used_at {
                                        Some(at) => view! { <LocalTime unix=at/> }.into_any(),
                                        None => view! { "Never" }.into_any(),
                                    }}</td>
                                    <td>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="factor" value=factor.id.to_string()/>
                                            <button type="submit" class="secondary" aria-label=label>"Remove"</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}
