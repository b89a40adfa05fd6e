//! The checks of where browsers meet the service: `public_base_url` (https unless the service is
//! only reached from this machine), the portal origins allowed to frame each product's widget,
//! the site whose files the pages name, and whether passkeys can work on the URL.

use super::{is_loopback, shown, Finding};
use crate::settings::{parse_origin, Settings};
use model::Product;
use url::Url;

const PUBLIC_BASE_URL: &str = "public_base_url";
const EMBED_ORIGINS: &str = "embed origins";

/// The URL admins reach the service on, as the start computes it: `public_base_url`, or else
/// `http://{listen}`.
pub(super) fn base_url(settings: &Settings) -> Result<Url, Finding> {
    match &settings.public_base_url {
        Some(url) => Ok(url.clone()),
        None => Url::parse(&format!("http://{}", settings.listen))
            .map_err(|error| Finding::fail(PUBLIC_BASE_URL, format!("unset, and listen makes no URL: {error}"))),
    }
}

/// https, or http on a loopback host.
pub(super) fn check_base_url(settings: &Settings, base: &Url) -> Finding {
    let what = match settings.public_base_url {
        Some(_) => format!("{PUBLIC_BASE_URL} {}", shown(base)),
        None => format!("{PUBLIC_BASE_URL} (unset: {}, from listen)", shown(base)),
    };
    match (base.scheme(), is_loopback(base)) {
        ("https", _) | ("http", true) => Finding::ok(what),
        ("http", false) => Finding::fail(
            what,
            "http on a host other machines reach: sign-in cookies and UPS's authorization codes would travel in \
             clear; serve it as https (behind a TLS proxy) and set public_base_url to that URL",
        ),
        (scheme, _) => Finding::fail(what, format!("{scheme}: is not http or https")),
    }
}

/// Every product's allowed origins, each an origin as browsers send it.
pub(super) fn embed_origins(settings: &Settings) -> Finding {
    let (mut malformed, mut insecure, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    for product in Product::ALL {
        let key = format!("embed.{}.allowed_origins", product.slug().replace('-', "_"));
        let origins = &settings.embed.product(product).allowed_origins;
        for origin in origins {
            match parse_origin(origin) {
                None => malformed.push(format!("{key}: \"{origin}\" is not an origin like https://portal.example.com")),
                Some(parsed)
                    if parsed.starts_with("http://") && !Url::parse(&parsed).is_ok_and(|url| is_loopback(&url)) =>
                {
                    insecure.push(format!("{key}: {parsed}"))
                }
                Some(_) => {}
            }
        }
        counts.push(format!("{} {}", product.slug(), origins.len()));
    }
    let what = format!("{EMBED_ORIGINS} ({})", counts.join(", "));
    match (malformed.is_empty(), insecure.is_empty()) {
        (false, _) => Finding::fail(EMBED_ORIGINS, malformed.join("; ")),
        (true, false) => Finding::warn(
            what,
            format!("{}: a page served over http can be altered on its way to frame the widget", insecure.join("; ")),
        ),
        (true, true) => Finding::ok(what),
    }
}

/// Second factors: required or not, and whether passkeys work on the public URL (a relying party
/// must be a domain name; on an IP address only authenticator apps are offered).
pub(super) fn second_factors(settings: &Settings, base: &Url) -> Finding {
    let required = match settings.second_factors.required {
        true => "second factors required",
        false => "second factors optional (second_factors.required = false)",
    };
    match base.host() {
        Some(url::Host::Domain(host)) => Finding::ok(format!("{required}; passkeys for {host}")),
        _ => Finding::warn(
            format!("{required}; no passkeys"),
            "public_base_url is an IP address, which cannot be a passkey's relying party: only authenticator apps \
             are offered; reach the service on a domain name for passkeys",
        ),
    }
}

/// The site: complete with the hashed names a release build gives its files (ok), complete with
/// plain names (warn: a development build, revalidated on every load), or lacking a file its pages
/// would name (fail: the service refuses to start).
pub(super) fn site(settings: &Settings) -> Finding {
    let what = format!("site {}", settings.site_root.display());
    match app::assets::Site::open(&settings.site_root) {
        Ok(site) if site.hashes.hashed() => Finding::ok(what),
        Ok(_) => Finding::warn(what, "plain file names (no hash.txt): browsers revalidate them on every load"),
        Err(refused) => Finding::fail(what, refused.to_string()),
    }
}
