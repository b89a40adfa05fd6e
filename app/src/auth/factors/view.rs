//! The second-factor pages: the sign-in's second step, "Sign-in security", and the recovery
//! code that lets a new browser past a hold; with the parts the script `/factors.js` fills in
//! (see the module above).

use super::{load_second_factors, load_sign_in_step, RemoveSecondFactor, UnlockSignIn, VerifySecondFactor};
use crate::{
    auth::view::{PageLoadError, SignOutButton},
    error::AppError,
    i18n::{locale, words::factor_kind},
    t,
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

/// Where an answer from the script shows (an error, or what to do next), with the words it may
/// show in the page's language (`data-message-*`: the script carries no words of its own).
#[component]
fn ScriptNotice() -> impl IntoView {
    view! {
        <p
            class="alert error"
            role="alert"
            data-factor-error
            data-message-wrong-code=AppError::WrongCode.message()
            data-message-passkey-refused=AppError::PasskeyRefused.message()
            data-message-sign-in-step-over=AppError::SignInStepOver.message()
            data-message-unauthenticated=AppError::Unauthenticated.message()
            data-message-too-many-attempts=AppError::TooManyAttempts.message()
            data-message-busy=AppError::Busy.message()
            data-message-failed=t!("auth-script-failed")
            data-message-cancelled=t!("auth-script-cancelled")
            hidden
        ></p>
        <noscript><p class="alert">{t!("auth-factors-need-script")}</p></noscript>
    }
}

/// Adding a passkey or an authenticator app, and the recovery codes shown once afterwards (the
/// script fills and shows them).
#[component]
fn AddFactor(passkeys_available: bool) -> impl IntoView {
    view! {
        {passkeys_available.then(|| view! {
            <form class="stack" data-passkey-register>
                <label for="passkey-label">{t!("auth-passkey-name")}</label>
                <input id="passkey-label" name="label" type="text" maxlength="60" placeholder=t!("auth-passkey-name-placeholder")/>
                <button type="submit" class="primary">{t!("auth-add-passkey")}</button>
            </form>
        })}
        <button type="button" class="secondary" data-totp-begin>{t!("auth-add-totp")}</button>
        <section class="stack" data-totp-setup hidden aria-labelledby="totp-heading">
            <h2 id="totp-heading">{t!("auth-add-totp")}</h2>
            <p>{t!("auth-totp-instructions")}</p>
            <p><code data-totp-key></code></p>
            <p><a data-totp-link href="#">{t!("auth-totp-open")}</a></p>
            <form class="stack" data-totp-confirm>
                <label for="totp-first-code">{t!("auth-totp-first-code")}</label>
                <input id="totp-first-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required/>
                <button type="submit" class="primary">{t!("auth-confirm")}</button>
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
            <h2 id="recovery-heading" tabindex="-1">{t!("auth-recovery-heading")}</h2>
            <p>{t!("auth-recovery-explained")}</p>
            <ol class="recovery-codes" data-recovery-codes></ol>
            <a class="button primary" data-recovery-continue href="/second-factors">{t!("auth-continue")}</a>
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
        <Title text=t!("auth-second-step-title")/>
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <Suspense fallback=|| view! { <p class="loading">{t!("auth-loading")}</p> }>
                    {move || Suspend::new(async move {
                        match step.await {
                            Err(error) => view! {
                                <h1>{t!("auth-sign-in")}</h1>
                                <p class="alert error" role="alert">{error.message()}</p>
                                <p><a href="/sign-in">{t!("auth-sign-in-again")}</a></p>
                            }.into_any(),
                            Ok(step) if step.purpose == StepPurpose::Enrol => view! {
                                <h1>{t!("auth-enrol-heading")}</h1>
                                <p>{t!("auth-enrol-explained", name = step.display_name.as_str())}</p>
                                <ScriptNotice/>
                                <AddFactor passkeys_available=step.passkeys_available/>
                                <FactorScript/>
                            }.into_any(),
                            Ok(step) => view! {
                                <h1>{t!("auth-second-step-heading")}</h1>
                                <p>{t!("auth-second-step-explained", name = step.display_name.as_str())}</p>
                                <ScriptNotice/>
                                {(step.passkey && step.passkeys_available).then(|| view! {
                                    <button type="button" class="primary" data-passkey-sign-in>{t!("auth-use-passkey")}</button>
                                })}
                                <ActionForm action=verify attr:class="stack">
                                    <label for="second-factor-code">{match step.totp {
                                        true => t!("auth-code-totp-or-recovery"),
                                        false => t!("auth-recovery-code"),
                                    }}</label>
                                    <input id="second-factor-code" name="code" type="text" autocomplete="one-time-code" autocapitalize="off" spellcheck="false" required/>
                                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.message()}</p> })}
                                    <button type="submit" class=if step.passkey { "secondary" } else { "primary" }>{t!("auth-verify")}</button>
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
        <Title text=t!("auth-unlock-title")/>
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <h1>{t!("auth-unlock-heading")}</h1>
                <p>{t!("auth-unlock-explained")}</p>
                <ActionForm action=unlock attr:class="stack">
                    <label for="unlock-name">{t!("auth-sign-in-name")}</label>
                    <input id="unlock-name" name="sign_in_name" type="text" autocomplete="username" required/>
                    <label for="unlock-code">{t!("auth-recovery-code")}</label>
                    <input id="unlock-code" name="code" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" required/>
                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.message()}</p> })}
                    <button type="submit" class="primary">{t!("auth-continue")}</button>
                </ActionForm>
                <p><a href="/sign-in">{t!("auth-back-to-sign-in")}</a></p>
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
        Some(Err(error)) => Some((error.message(), true)),
        Some(Ok(())) => Some((t!("auth-factor-removed"), false)),
        None => query.read().get("removed").map(|_| (t!("auth-factor-removed"), false)),
    };
    view! {
        <Title text=t!("auth-factors-title")/>
        <Transition fallback=|| view! { <p class="loading">{t!("auth-loading")}</p> }>
            {move || Suspend::new(async move {
                match (identity.await, factors.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <PageLoadError error/> }.into_any(),
                    (Ok(identity), Ok(factors)) => view! {
                        <header class="topbar">
                            <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                            <div class="identity"><span class="identity-name">{identity.display_name}</span><SignOutButton/></div>
                        </header>
                        <main class="page">
                            <p><a href="/">{t!("auth-all-applications")}</a></p>
                            <h1>{t!("auth-sign-in-security")}</h1>
                            {move || notice().map(|(message, error)| view! { <NoticeBanner message error/> })}
                            <p>{match (factors.factors.is_empty(), factors.required) {
                                (true, _) => t!("auth-factors-none"),
                                (false, true) => t!("auth-factors-required"),
                                (false, false) => t!("auth-factors-some"),
                            }}</p>
                            <FactorTable factors=factors.factors.clone() remove/>
                            <ScriptNotice/>
                            <AddFactor passkeys_available=factors.passkeys_available/>
                            {(!factors.factors.is_empty()).then(|| view! {
                                <section class="stack">
                                    <h2>{t!("auth-recovery-codes")}</h2>
                                    <p data-testid="recovery-left">{t!("auth-recovery-left", count = factors.recovery_codes_left)}</p>
                                    <button type="button" class="secondary" data-recovery-new>{t!("auth-recovery-new")}</button>
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
            <div class="table-scroll" tabindex="0" role="region" aria-label=t!("auth-factors-region")>
                <table class="grid" data-testid="second-factors">
                    <caption>{t!("auth-factors-caption")}</caption>
                    <thead><tr>
                        <th scope="col">{t!("auth-factors-name")}</th><th scope="col">{t!("auth-factors-kind")}</th>
                        <th scope="col">{t!("auth-factors-added")}</th><th scope="col">{t!("auth-factors-last-used")}</th><th scope="col">{t!("auth-factors-remove")}</th>
                    </tr></thead>
                    <tbody>
                        {factors.into_iter().map(|factor| {
                            let label = t!("auth-factors-remove-label", label = factor.label.as_str());
                            view! {
                                <tr>
                                    <td>{factor.label}</td>
                                    <td>{factor_kind(locale(), factor.kind)}</td>
                                    <td><LocalTime unix=factor.added_at/></td>
                                    <td>{match factor.last_used_at {
                                        Some(at) => view! { <LocalTime unix=at/> }.into_any(),
                                        None => view! { {t!("auth-factors-never")} }.into_any(),
                                    }}</td>
                                    <td>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="factor" value=factor.id.to_string()/>
                                            <button type="submit" class="secondary" aria-label=label>{t!("auth-factors-remove")}</button>
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
