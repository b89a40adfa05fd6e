//! The checks of how the service meets UPS: the environment and its base URL agreeing, and per
//! product the client credentials (present outside the sandbox, never the sandbox's own there)
//! and the redirect URI (under `public_base_url`, https unless on this machine).

use super::{is_loopback, secure_or_loopback, shown, Finding};
use crate::settings::{Settings, UpsEnvironment};
use model::Product;
use url::Url;

const ENVIRONMENT: &str = "ups environment";
/// What the sandbox's default client ids and secrets start with (see `Settings::registrations`).
const SANDBOX_CLIENT_ID: &str = "sandbox-";
const SANDBOX_CLIENT_SECRET: &str = "sandbox-secret-";

/// `ups.environment` and `ups.base_url` together.
pub(super) fn environment(settings: &Settings) -> Finding {
    let ups = &settings.ups;
    let ignored = |name: &str, url: &Url| {
        format!("ups.base_url ({}) is ignored with ups.environment = \"{name}\"; only \"custom\" uses it", shown(url))
    };
    match (ups.environment, &ups.base_url) {
        (UpsEnvironment::Sandbox, _) if !settings.listen.ip().is_loopback() && !settings.sandbox.allow_remote => {
            Finding::fail(
                format!("{ENVIRONMENT} sandbox"),
                format!(
                    "the built-in sandbox serves only on a loopback address (listen is {}); its users and passwords \
                     are published",
                    settings.listen
                ),
            )
        }
        (UpsEnvironment::Sandbox, Some(url)) => {
            Finding::warn(format!("{ENVIRONMENT} sandbox"), ignored("sandbox", url))
        }
        (UpsEnvironment::Sandbox, None) => Finding::warn(
            format!("{ENVIRONMENT} sandbox"),
            "the built-in sandbox: no company can opt in with a real UPS account (choose cie or production)",
        ),
        (UpsEnvironment::Cie, Some(url)) => Finding::warn(format!("{ENVIRONMENT} cie"), ignored("cie", url)),
        (UpsEnvironment::Production, Some(url)) => {
            Finding::warn(format!("{ENVIRONMENT} production"), ignored("production", url))
        }
        (UpsEnvironment::Cie, None) => Finding::ok(format!("{ENVIRONMENT} cie (https://wwwcie.ups.com/security)")),
        (UpsEnvironment::Production, None) => {
            Finding::ok(format!("{ENVIRONMENT} production (https://onlinetools.ups.com/security)"))
        }
        (UpsEnvironment::Custom, None) => Finding::fail(
            format!("{ENVIRONMENT} custom"),
            "ups.base_url (OPTIN_UPS__BASE_URL) is required with ups.environment = \"custom\"",
        ),
        (UpsEnvironment::Custom, Some(url)) if !secure_or_loopback(url) => Finding::fail(
            format!("{ENVIRONMENT} custom ({})", shown(url)),
            "not https: the client secrets and the tokens would travel in clear",
        ),
        (UpsEnvironment::Custom, Some(url)) => Finding::ok(format!("{ENVIRONMENT} custom ({})", shown(url))),
    }
}

/// Each product's credentials, then its redirect URI.
pub(super) fn products(settings: &Settings, base: &Url) -> Vec<Finding> {
    Product::ALL
        .into_iter()
        .flat_map(|product| [credentials(settings, product), redirect_uri(settings, product, base)])
        .collect()
}

/// The client id and secret: the sandbox's own in the sandbox; elsewhere configured, and not
/// the sandbox's.
fn credentials(settings: &Settings, product: Product) -> Finding {
    let what = format!("{} UPS credentials", product.slug());
    if settings.ups.environment == UpsEnvironment::Sandbox {
        return Finding::ok(format!("{what} (the built-in sandbox's)"));
    }
    let configured = settings.product(product);
    let key = product.slug().replace('-', "_");
    let client_id = configured.client_id.as_deref().map(str::trim).filter(|id| !id.is_empty());
    let client_secret =
        configured.client_secret.as_ref().map(|secret| secret.expose().trim()).filter(|s| !s.is_empty());
    let mut problems = Vec::new();
    for (field, present) in [("client_id", client_id.is_some()), ("client_secret", client_secret.is_some())] {
        if !present {
            problems.push(format!(
                "ups.{key}.{field} (OPTIN_UPS__{}__{}) is not set",
                key.to_uppercase(),
                field.to_uppercase()
            ));
        }
    }
    if client_id.is_some_and(|id| id.starts_with(SANDBOX_CLIENT_ID)) {
        problems
            .push(format!("the client id is the built-in sandbox's ({SANDBOX_CLIENT_ID}…), which UPS does not know"));
    }
    if client_secret.is_some_and(|secret| secret.starts_with(SANDBOX_CLIENT_SECRET)) {
        problems.push(format!("the client secret is the built-in sandbox's ({SANDBOX_CLIENT_SECRET}…)"));
    }
    match (problems.is_empty(), client_id) {
        (true, Some(id)) => Finding::ok(format!("{what} (client id {id})")),
        _ => Finding::fail(what, problems.join("; ")),
    }
}

/// Where UPS sends the admin back: this service (under `public_base_url`), over https unless the
/// service is on this machine.
fn redirect_uri(settings: &Settings, product: Product, base: &Url) -> Finding {
    let configured = settings.product(product).redirect_uri.clone();
    let uri = match configured.map_or_else(|| base.join(&format!("/oauth/{}/callback", product.slug())), Ok) {
        Ok(uri) => uri,
        Err(error) => return Finding::fail(format!("{} redirect URI", product.slug()), error.to_string()),
    };
    let what = format!("{} redirect URI {}", product.slug(), shown(&uri));
    let under = uri.origin() == base.origin() && uri.path().starts_with(base.path().trim_end_matches('/'));
    if !under {
        return Finding::fail(
            what,
            format!(
                "not under public_base_url {}: UPS would send the admin's browser somewhere other than this service",
                shown(base)
            ),
        );
    }
    match (uri.scheme(), is_loopback(&uri)) {
        ("https", _) | ("http", true) => Finding::ok(what),
        _ => Finding::fail(what, "not https: UPS's authorization codes would travel in clear"),
    }
}
