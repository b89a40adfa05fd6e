//! The consent links' own pages, served to people with no account here (the link's page, why a
//! link does not open, how the consent ended) and to the admin who just made one (shown once).
//! Server HTML in the site's stylesheet, with no script at all.

use app::{
    assets::SiteHashes,
    state::AppState,
    t,
    ui::{opt_in_warning, opt_in_warning_label, OAUTH_FAQ},
};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use model::{time::format_utc, Locale, Notice, Product};
use optin_core::{
    consent_links::{CreatedLink, Delivery, LinkRefusal},
    store::ConsentLink,
};

/// A moment, as UTC text with its machine-readable form.
fn moment(unix: i64) -> Markup {
    let machine = format!("{}Z", format_utc(unix).trim_end_matches(" UTC").replace(' ', "T"));
    html! { time datetime=(machine) { (format_utc(unix)) } }
}

/// `text` escaped for HTML: what goes into a message whose catalog text carries markup (a
/// `<strong>`), which is then written as it is.
fn escaped(text: &str) -> String {
    html! { (text) }.into_string()
}

/// A whole page, in `locale`: the product's bar, then `body`.
fn page(state: &AppState, locale: Locale, status: StatusCode, product: Product, title: &str, body: Markup) -> Response {
    let options = &state.leptos_options;
    let stylesheet = SiteHashes::get(options).stylesheet(options);
    let markup = html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
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
pub fn link_page(state: &AppState, locale: Locale, link: &ConsentLink, action: &str) -> Response {
    let (product, company) = (link.product, link.company.name.as_str());
    let title = t!(locale => "consent-link-title", product = product.short_name(), company = company);
    let request = t!(locale => "consent-link-request",
        sender = escaped(&link.sent_by_label), product = escaped(product.name()), company = escaped(company));
    let until = t!(locale => "consent-link-works-until", until = moment(link.expires_at).into_string());
    let body = html! {
        h1 { (title) }
        section class="card authorization" aria-labelledby="ask-heading" {
            h2 id="ask-heading" { "UPS OAuth" }
            p data-testid="link-request" { (PreEscaped(request)) }
            @if let Some(message) = &link.message {
                figure class="link-message" {
                    figcaption { (t!(locale => "consent-link-their-message")) }
                    blockquote { p { (message) } }
                }
            }
            p { (t!(locale => "consent-link-instructions", company = company)) }
            form method="post" action=(action) class="inline" {
                button type="submit" class="primary" { (t!(locale => "consent-link-continue")) }
            }
            p class="hint" { (PreEscaped(until)) }
            p class="warning" { strong { (opt_in_warning_label(locale)) " " } (opt_in_warning(locale)) }
        }
        section class="card faq" aria-labelledby="faq-heading" {
            h2 id="faq-heading" { (t!(locale => "faq-heading")) }
            @for entry in OAUTH_FAQ {
                details class="faq-entry" {
                    summary class="faq-question" { ((entry.question)(locale)) }
                    div class="faq-answer" { p { ((entry.answer)(locale)) } }
                }
            }
        }
    };
    page(state, locale, StatusCode::OK, product, &title, body)
}

/// A refusal's title and what to do about it, in `locale`.
fn refusal_words(locale: Locale, refusal: LinkRefusal) -> (String, String) {
    match refusal {
        LinkRefusal::Unknown | LinkRefusal::OtherProduct => {
            (t!(locale => "consent-refused-invalid-title"), t!(locale => "consent-refused-invalid"))
        }
        LinkRefusal::Used => (t!(locale => "consent-refused-used-title"), t!(locale => "consent-refused-used")),
        LinkRefusal::Revoked => {
            (t!(locale => "consent-refused-revoked-title"), t!(locale => "consent-refused-revoked"))
        }
        LinkRefusal::Expired => {
            (t!(locale => "consent-refused-expired-title"), t!(locale => "consent-refused-expired"))
        }
        LinkRefusal::OtherBrowser => {
            (t!(locale => "consent-refused-other-browser-title"), t!(locale => "consent-refused-other-browser"))
        }
        LinkRefusal::SenderGone => {
            (t!(locale => "consent-refused-sender-gone-title"), t!(locale => "consent-refused-sender-gone"))
        }
    }
}

/// Why a link does not open (or no longer goes on to UPS).
pub fn refusal_page(state: &AppState, locale: Locale, product: Product, refusal: LinkRefusal) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::NOT_FOUND);
    let (title, message) = refusal_words(locale, refusal);
    let body = html! {
        h1 { (title) }
        p class="alert error" role="alert" data-testid="link-refused" { (message) }
    };
    page(state, locale, status, product, &title, body)
}

/// A failure of ours, said plainly (the cause is logged where it happened).
pub fn failure_page(state: &AppState, locale: Locale, product: Product, status: StatusCode, message: &str) -> Response {
    let title = t!(locale => "consent-failed-title");
    let body = html! {
        h1 { (title) }
        p class="alert error" role="alert" { (message) }
    };
    page(state, locale, status, product, &title, body)
}

/// How the consent that a link started ended, on the link holder's screen, in `locale`.
pub fn outcome_page(state: &AppState, locale: Locale, link: &ConsentLink, notice: Notice) -> Response {
    let product = link.product;
    let title =
        if notice.is_error() { t!(locale => "consent-not-authorized") } else { t!(locale => "consent-authorized") };
    let message = match notice {
        Notice::Authorized => {
            t!(locale => "consent-outcome-authorized", product = product.name(), company = link.company.name.as_str())
        }
        Notice::ConsentDenied => t!(locale => "consent-outcome-denied"),
        Notice::StateExpired => t!(locale => "consent-outcome-expired"),
        Notice::ProviderRejected => t!(locale => "consent-outcome-rejected"),
        Notice::ProviderUnavailable => t!(locale => "consent-outcome-unavailable"),
        Notice::StateUnknown => t!(locale => "consent-outcome-other-browser"),
        Notice::NotAllowed => t!(locale => "consent-outcome-not-allowed"),
        Notice::Revoked | Notice::LinkRevoked | Notice::Failed => t!(locale => "consent-outcome-failed"),
    };
    let body = html! {
        h1 { (title) }
        p role="status" class=(if notice.is_error() { "alert error" } else { "alert" }) data-testid="link-outcome" { (message) }
    };
    page(state, locale, StatusCode::OK, product, &title, body)
}

/// The page after an admin makes a link: sent, or the link itself, shown this once.
pub fn created_page(
    state: &AppState,
    locale: Locale,
    product: Product,
    recipient: &str,
    created: &CreatedLink,
) -> Response {
    let back = product.authorization_path();
    let title = t!(locale => "consent-created-title");
    let until = moment(created.expires_at).into_string();
    let body = html! {
        h1 { (title) }
        @match &created.delivery {
            Delivery::Emailed => {
                p role="status" class="alert" data-testid="link-created" {
                    (PreEscaped(t!(locale => "consent-created-emailed", recipient = escaped(recipient), until = until)))
                }
            }
            Delivery::Handed { url, email_error } => {
                @if email_error.is_some() {
                    p class="alert error" role="alert" { (t!(locale => "consent-created-email-failed", recipient = recipient)) }
                }
                p role="status" class="alert" data-testid="link-created" {
                    (PreEscaped(t!(locale => "consent-created-handed", recipient = escaped(recipient), until = until)))
                }
                label for="consent-link" { (t!(locale => "consent-created-link")) }
                input id="consent-link" type="text" readonly value=(url.expose()) class="link-url";
            }
        }
        p { a href=(back) { (t!(locale => "consent-created-back", product = product.short_name())) } }
    };
    page(state, locale, StatusCode::CREATED, product, &title, body)
}

/// A form an admin posted that cannot be used: what to fix, and the way back.
pub fn invalid_page(state: &AppState, locale: Locale, product: Product, status: StatusCode, message: &str) -> Response {
    let title = t!(locale => "consent-not-created-title");
    let body = html! {
        h1 { (title) }
        p class="alert error" role="alert" { (message) }
        p { a href=(product.authorization_path()) { (t!(locale => "consent-created-back", product = product.short_name())) } }
    };
    page(state, locale, status, product, &title, body)
}
