//! The consent links' own pages, served to people with no account here (the link's page, why a
//! link does not open, how the consent ended) and to the admin who just made one (shown once).
//! Server HTML in the site's stylesheet, with no script at all.

use app::{
    assets::SiteHashes,
    state::AppState,
    ui::{OAUTH_FAQ, OPT_IN_WARNING},
};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use maud::{html, Markup, DOCTYPE};
use model::{time::format_utc, Notice, Product};
use optin_core::{
    consent_links::{CreatedLink, Delivery, LinkRefusal},
    store::ConsentLink,
};

/// A moment, as UTC text with its machine-readable form.
fn moment(unix: i64) -> Markup {
    let machine = format!("{}Z", format_utc(unix).trim_end_matches(" UTC").replace(' ', "T"));
    html! { time datetime=(machine) { (format_utc(unix)) } }
}

/// A whole page: the product's bar, then `body`.
fn page(state: &AppState, status: StatusCode, product: Product, title: &str, body: Markup) -> Response {
    let options = &state.leptos_options;
    let stylesheet = SiteHashes::get(options).stylesheet(options);
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (product.name()) }
                link rel="stylesheet" href=(stylesheet);
            }
            body {
                header class="topbar" data-product=(product.slug()) {
                    div class="brand" { span class="shield" aria-hidden="true" { "ups" } span { (product.name()) } }
                }
                main class="page" { (body) }
            }
        }
    };
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"),
    );
    response
}

/// The link's page: who asks, for what, the warning and the FAQ, and the way on to UPS.
pub fn link_page(state: &AppState, link: &ConsentLink, action: &str) -> Response {
    let (product, company) = (link.product, &link.company.name);
    let title = format!("Authorize {} for {company}", product.short_name());
    let body = html! {
        h1 { (title) }
        section class="card authorization" aria-labelledby="ask-heading" {
            h2 id="ask-heading" { "UPS OAuth" }
            p data-testid="link-request" {
                strong { (link.sent_by_label) } " asks you to authorize " (product.name()) " to act on "
                strong { (company) } "'s behalf through UPS APIs."
            }
            @if let Some(message) = &link.message {
                figure class="link-message" {
                    figcaption { "Their message:" }
                    blockquote { p { (message) } }
                }
            }
            p {
                "On UPS.com, sign in with the UPS.com user that holds " (company) "'s shipper accounts, and allow access. "
                "You do not need an account here."
            }
            form method="post" action=(action) class="inline" {
                button type="submit" class="primary" { "Continue to UPS.com" }
            }
            p class="hint" { "This link works once, until " (moment(link.expires_at)) "." }
            p class="warning" { strong { "Warning: " } (OPT_IN_WARNING) }
        }
        section class="card faq" aria-labelledby="faq-heading" {
            h2 id="faq-heading" { "OAuth Opt-In Process: FAQ" }
            @for entry in OAUTH_FAQ {
                details class="faq-entry" {
                    summary class="faq-question" { (entry.question) }
                    div class="faq-answer" { p { (entry.answer) } }
                }
            }
        }
    };
    page(state, StatusCode::OK, product, &title, body)
}

/// Why a link does not open (or no longer goes on to UPS).
pub fn refusal_page(state: &AppState, product: Product, refusal: LinkRefusal) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::NOT_FOUND);
    let body = html! {
        h1 { (refusal.title()) }
        p class="alert error" role="alert" data-testid="link-refused" { (refusal.message()) }
    };
    page(state, status, product, refusal.title(), body)
}

/// A failure of ours, said plainly (the cause is logged where it happened).
pub fn failure_page(state: &AppState, product: Product, status: StatusCode, message: &str) -> Response {
    let body = html! {
        h1 { "Something went wrong" }
        p class="alert error" role="alert" { (message) }
    };
    page(state, status, product, "Something went wrong", body)
}

/// How the consent that a link started ended, on the link holder's screen.
pub fn outcome_page(state: &AppState, link: &ConsentLink, notice: Notice) -> Response {
    let product = link.product;
    let title = if notice.is_error() { "Not authorized" } else { "Authorized" };
    let again = "To try again, open the link you were sent once more.";
    let message = match notice {
        Notice::Authorized => format!(
            "{} can now act on {}'s behalf through UPS APIs. Thank you; you can close this window.",
            product.name(),
            link.company.name,
        ),
        Notice::ConsentDenied => format!("UPS.com consent was not given, so nothing changed. {again}"),
        Notice::StateExpired => format!("The consent took too long and expired. Nothing changed. {again}"),
        Notice::ProviderRejected => format!("UPS did not accept the consent. Nothing changed. {again}"),
        Notice::ProviderUnavailable => {
            "UPS could not be reached. Nothing changed. In a few minutes, open the link you were sent once more.".into()
        }
        Notice::StateUnknown => {
            "This consent was started in another browser, or was already answered. Nothing changed. Open the link you were sent in the browser you first used.".into()
        }
        Notice::NotAllowed => {
            "This consent link can no longer be used: it was used or revoked, or whoever sent it can no longer ask. Nothing changed.".into()
        }
        Notice::Revoked | Notice::LinkRevoked | Notice::Failed => {
            format!("The consent could not be completed. Nothing changed. {again}")
        }
    };
    let body = html! {
        h1 { (title) }
        p role="status" class=(if notice.is_error() { "alert error" } else { "alert" }) data-testid="link-outcome" { (message) }
    };
    page(state, StatusCode::OK, product, title, body)
}

/// The page after an admin makes a link: sent, or the link itself, shown this once.
pub fn created_page(state: &AppState, product: Product, recipient: &str, created: &CreatedLink) -> Response {
    let back = product.authorization_path();
    let body = html! {
        h1 { "Consent link created" }
        @match (&created.delivery, &created.url) {
            (Delivery::Emailed, _) => {
                p role="status" class="alert" data-testid="link-created" {
                    "The link was emailed to " strong { (recipient) } ". It works once, until " (moment(created.expires_at)) "."
                }
            }
            (delivery, Some(url)) => {
                @if let Delivery::EmailFailed(_) = delivery {
                    p class="alert error" role="alert" { "The email to " (recipient) " could not be sent. Send them the link yourself." }
                }
                p role="status" class="alert" data-testid="link-created" {
                    "Send this link to " strong { (recipient) } ". It is shown only this once, and works once, until "
                    (moment(created.expires_at)) "."
                }
                label for="consent-link" { "Consent link" }
                input id="consent-link" type="text" readonly value=(url.expose()) class="link-url";
            }
            (_, None) => {}
        }
        p { a href=(back) { "Back to " (product.short_name()) } }
    };
    page(state, StatusCode::CREATED, product, "Consent link created", body)
}

/// A form an admin posted that cannot be used: what to fix, and the way back.
pub fn invalid_page(state: &AppState, product: Product, status: StatusCode, message: &str) -> Response {
    let body = html! {
        h1 { "The consent link was not created" }
        p class="alert error" role="alert" { (message) }
        p { a href=(product.authorization_path()) { "Back to " (product.short_name()) } }
    };
    page(state, status, product, "The consent link was not created", body)
}
