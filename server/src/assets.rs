//! The site's static files under `/pkg`: the script, the wasm and the stylesheet the build wrote,
//! served as the brotli or gzip file the build compressed beside each one (whichever the browser
//! accepts; the file itself otherwise), so nothing is compressed per request. A hashed name
//! (`optin.<hash>.wasm`) never changes content, so it is cached for a year without revalidation;
//! unhashed names (a site built without hashes) are revalidated each time.

use crate::routes::Declared;
use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use std::path::Path;
use tower_http::services::ServeDir;

/// What a hashed file may be cached for.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Everything else: kept, but asked about again before use.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// `/pkg` from `site_root/pkg`, hashed names cached for good when `hashed`.
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &Path, hashed: bool) -> Declared<S> {
    let files = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    let cache = if hashed { IMMUTABLE } else { REVALIDATE };
    Declared::default().files("/pkg", files).map(|router| {
        router.layer(middleware::from_fn(move |request: Request, next: Next| cached_for(request, next, cache.clone())))
    })
}

/// The longest file name a file system holds: a longer one cannot be a file of the site.
const LONGEST_NAME: usize = 255;

/// A file found gets `cache`; a miss (404) is never cached. A name no file system holds is a
/// miss too, not the error the file system answers it with.
async fn cached_for(request: Request, next: Next, cache: HeaderValue) -> Response {
    if request.uri().path().split('/').any(|segment| segment.len() > LONGEST_NAME) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, cache);
    }
    response
}
