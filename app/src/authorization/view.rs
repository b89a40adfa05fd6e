//! The authorization card: each product's way of saying Opt-In and Opt-Out, from its
//! walk-through. The admin pages and the embedded widget show the same card and differ only in
//! how they start and end an authorization. Both work before and without any script: Opt-In is
//! a form, the dialogs open by `commandfor`, Pickup Manager's Authorized reveals Opt-Out in a
//! `popover`, and the confirmation is a form (the admin pages' posts the `OptOut` server
//! function, which sends the browser back to the page; the widget's posts back to the widget).

use super::api::OptOut;
use crate::{
    i18n::{around, locale, words, SLOT},
    t,
    ui::{opt_in_warning, opt_in_warning_label, ConfirmDialog, LocalTime},
};
use leptos::{html::Dialog, prelude::*};
use model::{ApplicationHealth, AuthorizationStatus, AuthorizationView, EmbedMode, Revoke, WidgetField, WidgetIntent};

/// How the opt-in button reaches UPS.
#[derive(Clone)]
pub enum StartMode {
    /// A form POST to `/oauth/{product}/start`, in this window (the admin pages).
    Form,
    /// The widget: a form that takes the whole window to UPS's consent (`/embed/start` with
    /// `mode=page`), which is what the click does without the widget's script. With it, the
    /// submission opens UPS's consent in a window of its own instead (`data-consent`).
    Widget { key: String },
}

/// How the confirmed opt-out ends the authorization.
#[derive(Clone)]
pub enum RevokeMode {
    /// A form posting `OptOut` (the admin pages, server HTML only): a plain POST that comes back
    /// to the page with `?outcome=revoked`.
    Form(ServerAction<OptOut>),
    /// The widget: a form posting its own key back to its page (`POST /embed/{product}`), which
    /// the widget's script posts in place (`data-swap`). `before` is the status it showed.
    Widget { key: String, before: &'static str },
}

/// The authorization card on the admin pages: opt-in and opt-out by form.
#[component]
pub fn AuthorizationPanel(view: AuthorizationView, opt_out: ServerAction<OptOut>) -> impl IntoView {
    view! { <AuthorizationCard view start=StartMode::Form revoke=RevokeMode::Form(opt_out)/> }
}

/// The authorization card, worded and sequenced as the product's walk-through has it; the admin
/// pages and the embedded widget differ only in how they start and end an authorization.
#[component]
pub fn AuthorizationCard(view: AuthorizationView, start: StartMode, revoke: RevokeMode) -> impl IntoView {
    let AuthorizationView { company, product, status, application, role } = view;
    let locale = locale();
    let revoke_placement = product.wording().revoke;
    let wording = words::wording(locale, product);
    let authorized_word = t!(locale => "status-authorized");
    let confirm = NodeRef::<Dialog>::new();
    let company_id = company.id;
    let start_path = format!("/oauth/{}/start", product.slug());
    let status_line = match status.clone() {
        AuthorizationStatus::NotAuthorized => {
            t!(locale => "authorization-not-authorized", product = product.short_name(), company = company.name.as_str())
                .into_any()
        }
        AuthorizationStatus::Authorized { by, at } => {
            let (before, after) = around(match by {
                Some(by) => t!(locale => "authorization-authorized-by", by = by, time = SLOT),
                None => t!(locale => "authorization-authorized", time = SLOT),
            });
            view! { {before} <LocalTime unix=at/> {after} }.into_any()
        }
        AuthorizationStatus::ReauthorizationRequired { reason, since } => {
            let (before, after) = around(t!(locale => "authorization-reauthorization-since", time = SLOT, reason = reason));
            view! { {before} <LocalTime unix=since/> {after} }.into_any()
        }
    };
    let authorized = matches!(status, AuthorizationStatus::Authorized { .. });
    let needs_attention = matches!(status, AuthorizationStatus::ReauthorizationRequired { .. });
    // A dead grant is one click from restored; the company's history stays.
    let opt_in_label = match status {
        AuthorizationStatus::ReauthorizationRequired { .. } => t!(locale => "authorization-reauthorize"),
        _ => wording.opt_in.clone(),
    };
    let start_form = move |label: String| match start.clone() {
        StartMode::Form => view! {
            <form method="post" action=start_path.clone() class="inline">
                <input type="hidden" name="company" value=company_id.get()/>
                <button type="submit" class="primary">{label}</button>
            </form>
        }
        .into_any(),
        StartMode::Widget { key } => view! {
            <form method="post" action="/embed/start" target="_top" class="inline" data-consent>
                <input type="hidden" name=WidgetField::Key.name() value=key/>
                <input type="hidden" name=WidgetField::Mode.name() value=EmbedMode::Page.as_str()/>
                <button type="submit" class="primary">{label}</button>
            </form>
        }
        .into_any(),
    };
    let revoke_label = wording.revoke_label.clone();
    let revoke_button = move || {
        let revoke_label = revoke_label.clone();
        view! {
            <button type="button" class="secondary" aria-haspopup="dialog" commandfor="confirm-revoke" command="show-modal">
                {revoke_label}
            </button>
        }
    };

    let control = match (authorized, revoke_placement) {
        // A viewer sees where the authorization stands, and no button that would change it.
        (true, _) if !role.manages() => view! { <span class="badge authorized-badge">{authorized_word}</span> }.into_any(),
        (false, _) if !role.manages() => ().into_any(),
        (true, Revoke::AuthorizedButton) => view! {
            <button type="button" class="authorized" aria-haspopup="dialog" commandfor="confirm-revoke" command="show-modal">{authorized_word}</button>
        }
        .into_any(),
        // Authorized reveals Opt-Out in a popover, which the browser toggles with or without a
        // script. A manual one: the confirmation opening from it leaves it shown, so closing the
        // confirmation returns focus to Opt-Out.
        (true, Revoke::RevealedByAuthorized) => view! {
            <button type="button" class="authorized" popovertarget="revoke-reveal">{authorized_word}</button>
            <div id="revoke-reveal" class="reveal" popover="manual">{revoke_button()}</div>
        }
        .into_any(),
        (true, Revoke::SeparateButton) => view! {
            <span class="badge authorized-badge">{authorized_word}</span>
            {revoke_button()}
        }
        .into_any(),
        (false, _) => match wording.explanation.clone() {
            None => start_form(opt_in_label).into_any(),
            Some((title, body, proceed)) => view! {
                <button type="button" class="primary" aria-haspopup="dialog" commandfor="explain" command="show-modal">{opt_in_label}</button>
                <dialog id="explain" class="modal" aria-labelledby="explain-title" aria-describedby="explain-body">
                    <h2 id="explain-title">{title}</h2>
                    <p id="explain-body">{body}</p>
                    <div class="actions">
                        <button type="button" class="secondary" commandfor="explain" command="close">{t!(locale => "dialog-cancel")}</button>
                        {start_form(proceed)}
                    </div>
                </dialog>
            }
            .into_any(),
        },
    };
    let view_only = (!role.manages()).then(|| {
        view! {
            <p class="tip" data-testid="view-only">
                {t!(locale => "authorization-view-only", company = company.name.as_str())}
            </p>
        }
    });
    let confirmation = (authorized && role.manages()).then(|| {
        let confirm_label = wording.confirm_label.clone();
        let confirming = match revoke {
            RevokeMode::Form(opt_out) => view! {
                <ActionForm action=opt_out attr:class="inline">
                    <input type="hidden" name="product" value=product.slug()/>
                    <input type="hidden" name="company" value=company_id.get()/>
                    <button type="submit" class="danger">{confirm_label}</button>
                </ActionForm>
            }
            .into_any(),
            RevokeMode::Widget { key, before } => view! {
                <form method="post" action=format!("/embed/{}", product.slug()) class="inline" data-swap>
                    <input type="hidden" name=WidgetField::Key.name() value=key/>
                    <input type="hidden" name=WidgetField::Intent.name() value=WidgetIntent::Revoke.as_str()/>
                    <input type="hidden" name=WidgetField::Before.name() value=before/>
                    <button type="submit" class="danger">{confirm_label}</button>
                </form>
            }
            .into_any(),
        };
        view! {
            <ConfirmDialog
                id="confirm-revoke"
                node_ref=confirm
                title=wording.confirm_title.clone()
                message=t!(locale => "authorization-confirm-revoke", product = product.short_name(), company = company.name.as_str())
            >
                {confirming}
            </ConfirmDialog>
        }
    });

    view! {
        <section class="card authorization" class:needs-attention=needs_attention aria-labelledby="oauth-heading">
            <h2 id="oauth-heading">"UPS OAuth"</h2>
            <p class="status-line" data-testid="authorization-status">{status_line}</p>
            {match application {
                ApplicationHealth::Answering => None,
                ApplicationHealth::NotAnswering { since } => {
                    let (before, after) = around(t!(locale => "authorization-application-not-answering", time = SLOT));
                    Some(view! {
                        <p class="alert" role="status" data-testid="application-health">
                            {before} <LocalTime unix=since/> {after}
                        </p>
                    })
                }
            }}
            <div class="control">{control}</div>
            {view_only}
            {confirmation}
            <p class="warning"><strong>{opt_in_warning_label(locale)} " "</strong>{opt_in_warning(locale)}</p>
            <p class="tip"><strong>{t!(locale => "authorization-tip-label")} " "</strong>{t!(locale => "authorization-tip")}</p>
        </section>
    }.into_any()
}
