//! `POST /api/v1/embed/sessions`: a product's backend creates a single-use embed session with its
//! API key, for one company and one of its portal's users, on one of the portal origins allowed
//! to frame the product's widget.

use crate::api::{authenticate, ApiError};
use app::state::AppState;
use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use model::{CompanyId, Locale, Role};
use optin_core::{api_keys, clock::now, embed, embed::NewEmbedSession};
use serde::Deserialize;
use serde_json::json;
use url::Url;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSessionRequest {
    company: CompanyRef,
    user: PortalUser,
    /// The portal page's origin; may be left out when the product allows exactly one.
    origin: Option<String>,
    /// Where a full-page opt-in (pop-ups blocked) returns to; default: the origin's root.
    return_url: Option<String>,
    /// The language the widget speaks (a BCP 47 tag: `fr-CA`, `es-MX`…); one not spoken here, or
    /// none, leaves it to the browser's `Accept-Language`.
    locale: Option<String>,
}

/// A company id, as a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum CompanyRef {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortalUser {
    id: String,
    name: String,
    /// `admin` (the default: opts in and out) or `viewer` (sees the status and the token grid).
    role: Option<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::InvalidRequest(message.into())
}

/// 1 to `max` characters, no control characters.
fn text(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    (!value.is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control))
        .then(|| value.to_owned())
}

/// `POST /api/v1/embed/sessions` with the product's API key and
/// `{"company": 12, "user": {"id": "…", "name": "…", "role": "viewer"}, "origin": "https://portal…", "return_url": "…"}`:
/// 201 with a single-use `embed_token` and the `widget_url` to frame.
pub async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = authenticate(&state.core, &headers).await?;
    let request: NewSessionRequest = serde_json::from_slice(&body)
        .map_err(|failure| invalid(format!("The body must be JSON as documented: {failure}.")))?;
    let company = match request.company {
        CompanyRef::Number(id) if id > 0 => CompanyId::new(id),
        CompanyRef::Text(id) => CompanyId::parse(&id).map_err(|failure| invalid(failure.to_string()))?,
        CompanyRef::Number(id) => return Err(invalid(format!("\"{id}\" is not a company number."))),
    };
    api_keys::require_reach(&state.core, &key, company).await?;
    let (Some(user_id), Some(user_name)) = (text(&request.user.id, 200), text(&request.user.name, 100)) else {
        return Err(invalid("`user.id` (1 to 200 characters) and `user.name` (1 to 100) are required."));
    };
    let role = match request.user.role.as_deref() {
        None => Role::Admin,
        Some(role) => Role::parse(role).map_err(|unknown| invalid(format!("`user.role`: {unknown}.")))?,
    };
    let allowed = state.web.embed_origins.get(&key.product).map(Vec::as_slice).unwrap_or_default();
    let origin = match (request.origin.as_deref(), allowed) {
        (_, []) => {
            return Err(ApiError::OriginNotAllowed(format!(
                "No portal origin is configured for {}; set embed.{}.allowed_origins.",
                key.product,
                key.product.slug().replace('-', "_")
            )))
        }
        (None, [only]) => only.clone(),
        (None, _) => return Err(invalid("`origin` is required: this product allows several portal origins.")),
        (Some(origin), allowed) => match allowed.iter().find(|allowed| **allowed == origin.trim_end_matches('/')) {
            Some(origin) => origin.clone(),
            None => {
                return Err(ApiError::OriginNotAllowed(format!("{origin} is not allowed to embed {}.", key.product)))
            }
        },
    };
    let Some(return_url) = return_url(&origin, request.return_url.as_deref()) else {
        return Err(invalid("`return_url` must be an absolute URL on `origin`."));
    };
    let locale = match request.locale.as_deref() {
        None => None,
        Some(tag) if tag.len() <= 35 && tag.parse::<unic_langid::LanguageIdentifier>().is_ok() => Locale::serving(tag),
        Some(_) => return Err(invalid("`locale` must be a BCP 47 language tag, such as \"fr-CA\" or \"es\".")),
    };
    let new = NewEmbedSession {
        api_key: key.id,
        product: key.product,
        company,
        portal_user_id: user_id,
        portal_user_name: user_name,
        role,
        host_origin: origin,
        return_url,
        locale,
    };
    let (token, redeem_by) = embed::create(&state.core, new).await?;
    let mut widget_url = state.web.public_base_url.clone();
    widget_url.set_path(&format!("/embed/{}", key.product.slug()));
    widget_url.query_pairs_mut().append_pair("session", token.expose());
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "embed_token": token.expose(),
            "widget_url": widget_url.as_str(),
            "expires_at": redeem_by,
            "expires_in": (redeem_by - now()).max(0),
            "locale": locale.map(Locale::tag),
        })),
    )
        .into_response())
}

/// Where a full-page opt-in comes back to: `requested` when it is an absolute URL on `origin`,
/// the origin's root when none is given, and nothing otherwise, so the widget is no open redirect.
fn return_url(origin: &str, requested: Option<&str>) -> Option<String> {
    match requested.map(Url::parse) {
        None => Some(format!("{origin}/")),
        Some(Ok(url)) if url.origin().ascii_serialization() == origin => Some(url.to_string()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::return_url;
    use url::Url;

    const ORIGIN: &str = "https://portal.example.com";

    proptest::proptest! {
        /// Whatever a product's backend sends as `return_url`, the widget returns only to its
        /// portal's origin.
        #[test]
        fn a_return_url_is_on_the_portal_or_refused(
            requested in "\\PC{0,40}|(https?|javascript)://[a-z.@:/]{0,30}|//[a-z.]{1,20}|/[a-z/?#]{0,20}",
        ) {
            if let Some(url) = return_url(ORIGIN, Some(&requested)) {
                let parsed = Url::parse(&url).unwrap();
                proptest::prop_assert_eq!(parsed.origin().ascii_serialization(), ORIGIN);
            }
        }
    }

    #[test]
    fn return_urls_stay_on_the_portal() {
        assert_eq!(return_url(ORIGIN, None).as_deref(), Some("https://portal.example.com/"));
        assert_eq!(
            return_url(ORIGIN, Some("https://portal.example.com/app?x=1")).as_deref(),
            Some("https://portal.example.com/app?x=1")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/relative",
            "javascript:alert(1)",
            "https://portal.example.com.evil.example/",
        ] {
            assert_eq!(return_url(ORIGIN, Some(bad)), None, "{bad}");
        }
    }
}
