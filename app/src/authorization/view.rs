//! The authorization card: each product's way of saying Opt-In and Opt-Out, from its
//! walk-through. The admin pages and the embedded widget show the same card and differ only in
//! how they start and end an authorization.

use super::api::OptOut;
use crate::ui::{close_dialog, open_dialog, ConfirmDialog, LocalTime};
use leptos::{html::Dialog, prelude::*};
use model::{AuthorizationStatus, AuthorizationView, Revoke};

/// How the opt-in button reaches UPS.
#[derive(Clone, Copy)]
pub enum StartMode {
    /// A form POST to `/oauth/{product}/start`, in this window (the admin pages).
    Form,
    /// A handler run inside the click itself (the widget opens UPS's consent in a window of its
    /// own, which browsers allow only during the click).
    Handler(Callback<()>),
}

/// The authorization card on the admin pages: opt-in by form, opt-out through `opt_out`.
#[component]
pub fn AuthorizationPanel(view: AuthorizationView, opt_out: ServerAction<OptOut>) -> impl IntoView {
    let (product, company) = (view.product, view.company.id);
    let on_revoke = Callback::new(move |()| {
        opt_out.dispatch(OptOut { product, company });
    });
    view! { <AuthorizationCard view start=StartMode::Form on_revoke/> }
}

/// The authorization card, worded and sequenced as the product's walk-through has it; the admin
/// pages and the embedded widget differ only in how they start and end an authorization.
#[component]
pub fn AuthorizationCard(view: AuthorizationView, start: StartMode, on_revoke: Callback<()>) -> impl IntoView {
    let AuthorizationView { company, product, status } = view;
    let wording = product.wording();
    let confirm = NodeRef::<Dialog>::new();
    let explain = NodeRef::<Dialog>::new();
    let revealed = RwSignal::new(false);
    let company_id = company.id;
    let start_path = format!("/oauth/{}/start", product.slug());
    let status_line = match status.clone() {
        AuthorizationStatus::NotAuthorized => {
            format!("{} is not authorized for {}.", product.short_name(), company.name).into_any()
        }
        AuthorizationStatus::Authorized { by, at } => {
            let by = by.map(|by| format!(" by {by}")).unwrap_or_default();
            view! { "Authorized" {by} " on " <LocalTime unix=at/> "." }.into_any()
        }
        AuthorizationStatus::ReauthorizationRequired { reason, since } => {
            view! { "Re-authorization required since " <LocalTime unix=since/> ": " {reason} }.into_any()
        }
    };
    let authorized = matches!(status, AuthorizationStatus::Authorized { .. });
    // A dead grant is one click from restored; the company's history stays.
    let opt_in_label = match status {
        AuthorizationStatus::ReauthorizationRequired { .. } => "Re-authorize",
        _ => wording.opt_in,
    };
    let start_form = move |label: &'static str| match start {
        StartMode::Form => view! {
            <form method="post" action=start_path.clone() class="inline">
                <input type="hidden" name="company" value=company_id.get()/>
                <button type="submit" class="primary">{label}</button>
            </form>
        }
        .into_any(),
        StartMode::Handler(handler) => view! {
            <button type="button" class="primary" on:click=move |_| {
                close_dialog(explain);
                handler.run(());
            }>{label}</button>
        }
        .into_any(),
    };
    let revoke_button = move || {
        view! {
            <button type="button" class="secondary" aria-haspopup="dialog" on:click=move |_| open_dialog(confirm)>
                {wording.revoke_label}
            </button>
        }
    };

    let control = match (authorized, wording.revoke) {
        (true, Revoke::AuthorizedButton) => view! {
            <button type="button" class="authorized" aria-haspopup="dialog" on:click=move |_| open_dialog(confirm)>"Authorized"</button>
        }
        .into_any(),
        (true, Revoke::RevealedByAuthorized) => view! {
            <button type="button" class="authorized" aria-expanded=move || revealed.get().to_string()
                on:click=move |_| revealed.update(|shown| *shown = !*shown)>"Authorized"</button>
            <Show when=move || revealed.get()>{revoke_button}</Show>
        }
        .into_any(),
        (true, Revoke::SeparateButton) => view! {
            <span class="badge authorized-badge">"Authorized"</span>
            {revoke_button()}
        }
        .into_any(),
        (false, _) => match &wording.explain_first {
            None => start_form(opt_in_label).into_any(),
            Some(explanation) => view! {
                <button type="button" class="primary" aria-haspopup="dialog" on:click=move |_| open_dialog(explain)>{opt_in_label}</button>
                <dialog node_ref=explain class="modal" aria-labelledby="explain-title" aria-describedby="explain-body">
                    <h2 id="explain-title">{explanation.title}</h2>
                    <p id="explain-body">{explanation.body}</p>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| close_dialog(explain)>"Cancel"</button>
                        {start_form(explanation.proceed)}
                    </div>
                </dialog>
            }
            .into_any(),
        },
    };
    let confirmation = authorized.then(|| {
        view! {
            <ConfirmDialog
                id="confirm-revoke"
                node_ref=confirm
                title=wording.confirm_title
                message=format!(
                    "{} will immediately stop acting for {} through UPS APIs, and its stored tokens are deleted. You can authorize it again at any time.",
                    product.short_name(), company.name,
                )
                confirm_label=wording.confirm_label
                on_confirm=move || on_revoke.run(())
            />
        }
    });

    view! {
        <section class="card authorization" class:needs-attention=opt_in_label == "Re-authorize" aria-labelledby="oauth-heading">
            <h2 id="oauth-heading">"UPS OAuth"</h2>
            <p class="status-line" data-testid="authorization-status">{status_line}</p>
            <div class="control">{control}</div>
            {confirmation}
            <p class="warning"><strong>"Warning: "</strong>
                "When using the Opt-In method, changing the password of the UPS.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt in again whenever the password is changed."
            </p>
            <p class="tip"><strong>"Tip: "</strong>"If you require assistance, reach out to your Account Executive."</p>
        </section>
    }.into_any()
}
