//! The web layer's plumbing, shared by server functions and the server's own routes: cookies
//! (built and read with the `cookie` crate), the client's address, a server function's error as
//! its HTTP status ([`with_status`]). Server-only.

use crate::{error::AppError, state::WebConfig};
use axum::extract::ConnectInfo;
use cookie::{Cookie, SameSite};
use http::{header, request::Parts, HeaderMap, HeaderValue};
use optin_core::secret::SecretString;
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Duration,
};

/// The admin's session cookie. `__Host-` (when cookies are `Secure`, as they are unless the service
/// is deliberately served over plain HTTP) means only this host, over HTTPS, with `Path=/`, can
/// set it: a sibling subdomain or a plain-http page cannot plant a session.
pub fn session_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_session"
    } else {
        "optin_session"
    }
}

/// The browser's device cookie: set (anew) at every sign-in, it tells the sign-in throttle that
/// this browser has signed in as the name before (so guesses from elsewhere do not slow it). Read
/// only at sign-in; HttpOnly, and `__Host-` like the session's.
pub fn device_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_device"
    } else {
        "optin_device"
    }
}

/// The first-party cookie that ties a widget's consent window to the callback that ends it.
/// `__Host-` (when cookies are `Secure`) keeps a sibling subdomain or a plain-http page from
/// planting one.
pub fn consent_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_consent"
    } else {
        "optin_consent"
    }
}

/// The cookie that ties a single sign-on under way to the browser that started it, until the
/// identity provider sends that browser back. `__Host-` like the session's.
pub fn sso_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_sso"
    } else {
        "optin_sso"
    }
}

/// The cookie of a sign-in whose password was right and whose second step is still to come
/// (`optin_core::factors`): it opens no page, only that step's own server functions.
pub fn step_cookie_name(web: &WebConfig) -> &'static str {
    if web.secure_cookies {
        "__Host-optin_step"
    } else {
        "optin_step"
    }
}

/// `Set-Cookie` for `name=value` on the whole site, HttpOnly, SameSite=Lax, for `lifetime`
/// (`None` removes it), Secure unless deliberately served over plain HTTP.
pub fn set_cookie(web: &WebConfig, name: &str, value: Option<&SecretString>, lifetime: Duration) -> HeaderValue {
    let (value, max_age) = match value {
        Some(value) => (value.expose().to_owned(), lifetime.as_secs() as i64),
        None => (String::new(), 0),
    };
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(web.secure_cookies)
        .build();
    // Names are ours and values are base64url: always a valid header value.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the request's cookie `name`, if set and not empty.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

pub fn session_cookie(web: &WebConfig, headers: &HeaderMap) -> Option<String> {
    cookie(headers, session_cookie_name(web))
}

/// What a browser brings to a sign-in besides its credentials, read from its request: its
/// User-Agent, the session it already has, and its device cookie (`optin_core::sessions::Browser`).
pub struct BrowserSigningIn {
    user_agent: String,
    previous_session: Option<String>,
    device: Option<String>,
}

impl BrowserSigningIn {
    pub fn read(web: &WebConfig, headers: &HeaderMap) -> Self {
        let user_agent = headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok()).unwrap_or_default();
        Self {
            user_agent: user_agent.to_owned(),
            previous_session: session_cookie(web, headers),
            device: cookie(headers, device_cookie_name(web)),
        }
    }

    pub fn browser(&self) -> optin_core::sessions::Browser<'_> {
        optin_core::sessions::Browser {
            user_agent: &self.user_agent,
            previous_session: self.previous_session.as_deref(),
            device: self.device.as_deref(),
        }
    }
}

/// The origin of the page a request came from, from its `Referer` (for a framed page: the page
/// framing it; browsers send at least its origin unless that page asks for no referrer).
pub fn referer_origin(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let origin = url::Url::parse(referer).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The address the request came from: the last entry of the configured proxy header when the
/// service runs behind a proxy that sets it (the one entry the proxy itself wrote; anything
/// before it is what the client claimed), else the connection's peer.
pub fn client_address(parts: &Parts, web: &WebConfig) -> IpAddr {
    let forwarded = web.client_ip_header.as_ref().and_then(|name| {
        let last = parts.headers.get_all(name).iter().last()?.to_str().ok()?.rsplit(',').next()?.trim();
        last.parse::<IpAddr>().ok().or_else(|| last.parse::<SocketAddr>().ok().map(|address| address.ip()))
    });
    forwarded
        .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Whether a server function was called by a form the browser posted itself (it asks for a page,
/// `Accept: text/html`), rather than by a script, which asks for data. Its answer is then a
/// redirect: back to the page it came from, or to `after_form_post`'s.
pub fn form_posted(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Sets the HTTP status of the server-function response to match the error, so that HTTP
/// clients calling server functions directly see 401/403/404 rather than a blanket 500.
/// During server-side rendering the same function runs in-process and shares the page's
/// response, whose status is the page's business (a redirect to sign-in, say): only a request
/// to the server function's own endpoint gets the error's status. A form the browser posted
/// itself gets a redirect back to its page instead (which shows the error), and a redirect
/// with an error status would not be followed.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let called_over_http = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/") && !form_posted(&parts));
    if let (Err(error), true) = (&result, called_over_http) {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                options.set_status(status);
            }
        }
    }
    result
}

/// After a server function that a form may post without any script: the browser goes to `path`;
/// a server action called by a script keeps its answer and stays where it is.
pub fn after_form_post(path: &str) {
    if leptos::prelude::use_context::<Parts>().is_some_and(|parts| form_posted(&parts)) {
        leptos_axum::redirect(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(header: Option<&str>) -> WebConfig {
        WebConfig {
            public_base_url: "http://127.0.0.1:3000".parse().unwrap(),
            secure_cookies: true,
            embed_origins: Default::default(),
            client_ip_header: header.map(|name| name.parse().unwrap()),
        }
    }

    fn address(forwarded: &[&str], header: Option<&str>) -> IpAddr {
        let mut request = http::Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let peer: SocketAddr = "192.0.2.9:40000".parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        client_address(&parts, &web(header))
    }

    #[test]
    fn only_the_entry_the_proxy_wrote_counts() {
        let proxy = Some("x-forwarded-for");
        assert_eq!(address(&["10.0.0.1, 203.0.113.5"], proxy).to_string(), "203.0.113.5");
        assert_eq!(address(&["10.0.0.1", "203.0.113.5:5123"], proxy).to_string(), "203.0.113.5");
        assert_eq!(address(&["10.0.0.1, [2001:db8::1]:443"], proxy).to_string(), "2001:db8::1");
        // What the proxy wrote cannot be read: the peer, never what the client claimed before it.
        assert_eq!(address(&["10.0.0.1, unknown"], proxy).to_string(), "192.0.2.9");
        assert_eq!(address(&["10.0.0.1"], None).to_string(), "192.0.2.9", "no proxy configured: the peer");
    }

    #[test]
    fn cookies_are_read_by_name_and_written_locked_down() {
        let mut headers = HeaderMap::new();
        headers
            .insert(header::COOKIE, HeaderValue::from_static("a=1; optin_session=abc; __Host-optin_session=def; b="));
        assert_eq!(session_cookie(&web(None), &headers).as_deref(), Some("def"), "only the __Host- cookie counts");
        assert_eq!(cookie(&headers, "b"), None, "an empty cookie is no cookie");
        let name = session_cookie_name(&web(None));
        let set = set_cookie(&web(None), name, Some(&SecretString::new("xyz")), Duration::from_secs(60));
        let set = set.to_str().unwrap();
        for part in ["__Host-optin_session=xyz", "HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=60"] {
            assert!(set.contains(part), "{set} lacks {part}");
        }
        assert!(!set.contains("Domain"), "{set}");
        let removed = set_cookie(&web(None), name, None, Duration::from_secs(60));
        assert!(removed.to_str().unwrap().contains("Max-Age=0"));
    }
}
