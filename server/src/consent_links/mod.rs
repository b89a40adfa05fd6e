//! Consent links' plain HTTP routes: the link's page and its way on to UPS
//! (`/consent/{product}/{token}`), an admin making one from the product page
//! (`POST /consent-links/{product}`), and the API a product's backend makes and revokes them with
//! ([`api`]). The links themselves are the core's (`optin_core::consent_links`); the callback is
//! UPS's redirect URI, in `crate::oauth`, which answers with [`pages::outcome_page`].

pub mod api;
pub mod pages;

use crate::routes::Declared;
use app::{
    auth::session::SignedInUser,
    error::AppError,
    i18n::from_headers,
    state::AppState,
    t,
    web::{client_address, consent_cookie_name, cookie, set_cookie},
};
use axum::{
    extract::{Path, State},
    http::{header, request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension, Form,
};
use model::{CompanyId, Locale, Product};
use optin_core::{
    clock::now,
    consent_links::{self, Caller, LinkFailure, LinkMessage, LinkRefusal, LinkRequest, Recipient},
    secret::{random_token, SecretString},
    CoreError,
};
use serde::Deserialize;
use std::time::Duration;

/// The link's page, its start, the admin's form, and the API.
pub fn routes() -> Declared<AppState> {
    Declared::default()
        .get("/consent/{product}/{token}", open)
        .post("/consent/{product}/{token}", start)
        .post("/consent-links/{product}", create)
        .merge(api::routes())
}

/// `path` as a log line may show it: a link's token, which its path carries, is cut out. (Logs
/// of matched requests name the route; this is for what is logged before or without routing.)
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/consent/").and_then(|rest| rest.split_once('/')) {
        Some((product, _)) => format!("/consent/{product}/…").into(),
        None => path.into(),
    }
}

/// The product in a link's path; an unknown one is a link that does not exist.
fn product_of(state: &AppState, locale: Locale, slug: &str) -> Result<Product, Response> {
    Product::parse(slug)
        .map_err(|_| pages::refusal_page(state, locale, Product::ReverseLogistics, LinkRefusal::Unknown))
}

/// A link failure as its page: the refusal, or our own failure (logged, never echoed).
fn failure(state: &AppState, locale: Locale, product: Product, failure: LinkFailure) -> Response {
    match failure {
        LinkFailure::Refused(refusal) => pages::refusal_page(state, locale, product, refusal),
        LinkFailure::Core(error) => {
            tracing::error!(%error, %product, "a consent link failed");
            let status =
                StatusCode::from_u16(AppError::from(error).status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            pages::failure_page(state, locale, product, status, &t!(locale => "consent-failed"))
        }
    }
}

/// `GET /consent/{product}/{token}`: the link's page, for whoever holds it.
pub async fn open(
    State(state): State<AppState>,
    Path((product, token)): Path<(String, String)>,
    parts: Parts,
) -> Result<Response, Response> {
    let locale = from_headers(&parts.headers);
    let product = product_of(&state, locale, &product)?;
    let address = client_address(&parts, &state.web).to_string();
    let browser = parts.headers.get(header::USER_AGENT).and_then(|agent| agent.to_str().ok()).unwrap_or("unknown");
    let link = consent_links::open(&state.core, product, &token, &address, browser).await;
    let link = link.map_err(|refused| failure(&state, locale, product, refused))?;
    Ok(pages::link_page(&state, locale, &link, parts.uri.path()))
}

/// `POST /consent/{product}/{token}`: binds the link to this browser's own consent cookie and
/// sends it to UPS with a state bound to the same cookie.
pub async fn start(
    State(state): State<AppState>,
    Path((product, token)): Path<(String, String)>,
    parts: Parts,
) -> Result<Response, Response> {
    let locale = from_headers(&parts.headers);
    let product = product_of(&state, locale, &product)?;
    let name = consent_cookie_name(&state.web);
    let browser = cookie(&parts.headers, name).unwrap_or_else(|| random_token().expose().to_owned());
    let started = consent_links::start(&state.core, product, &token, &browser).await;
    let started = started.map_err(|refused| failure(&state, locale, product, refused))?;
    let mut response = Redirect::to(started.url.as_str()).into_response();
    // The link is bound to this cookie: it lasts as long as the link does.
    let left = Duration::from_secs(u64::try_from(started.link_expires_at - now()).unwrap_or_default());
    let lifetime = left.max(state.core.lifetimes.state);
    let value = set_cookie(&state.web, name, Some(&SecretString::new(browser)), lifetime);
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

#[derive(Deserialize)]
pub struct CreateForm {
    company: String,
    recipient: String,
    #[serde(default)]
    message: String,
}

/// `POST /consent-links/{product}` from the product page: makes a link out, emails it when SMTP
/// is configured, and answers a page that says so (or shows the link, this once).
pub async fn create(
    State(state): State<AppState>,
    Path(product): Path<String>,
    user: Option<Extension<SignedInUser>>,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Response {
    let locale = from_headers(&headers);
    let Ok(product) = Product::parse(&product) else {
        return (StatusCode::NOT_FOUND, t!(locale => "consent-link-unknown-product")).into_response();
    };
    let Some(Extension(user)) = user else {
        return Redirect::to(&format!("/sign-in?next={}", app::ui::encode_component(product.authorization_path())))
            .into_response();
    };
    let invalid = |error: CoreError| {
        let error = AppError::from(error);
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
        pages::invalid_page(&state, locale, product, status, &error.message_in(locale))
    };
    let request = (|| {
        Ok::<_, CoreError>(LinkRequest {
            company: CompanyId::parse(&form.company).map_err(|error| CoreError::Invalid(error.to_string()))?,
            product,
            recipient: Recipient::parse(&form.recipient)?,
            message: LinkMessage::parse(&form.message)?,
            lifetime: None,
            email: true,
        })
    })();
    let request = match request {
        Ok(request) => request,
        Err(error) => return invalid(error),
    };
    let recipient = request.recipient.clone();
    match consent_links::create(&state.core, Caller::User(&user), request).await {
        Ok(created) => pages::created_page(&state, locale, product, recipient.as_ref(), &created),
        Err(error) if error.is_internal() => {
            tracing::error!(%error, %product, "a consent link could not be made");
            invalid(error)
        }
        Err(error) => invalid(error),
    }
}
