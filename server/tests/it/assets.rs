//! The site's own files as a browser gets them from the release build: the page names the
//! hashed script, wasm and stylesheet; each comes as the brotli or gzip file built beside it
//! (whichever the request accepts), byte for byte, cached for a year; pages are revalidated;
//! a file that does not exist is a 404 nobody caches.

use crate::common;

use common::service::Service;
use reqwest::{header, StatusCode};
use std::path::PathBuf;

/// The site `cargo leptos build --release --precompress` wrote.
fn site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

/// The `/pkg/…` paths a page names, in order.
pub(crate) fn assets_named_by(page: &str) -> Vec<String> {
    page.split("\"/pkg/").skip(1).filter_map(|rest| rest.split('"').next()).map(|name| format!("/pkg/{name}")).collect()
}

#[tokio::test]
async fn hashed_files_come_precompressed_and_cached_for_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let site = site();
    assert!(
        site.join("pkg").is_dir(),
        "no site at {}: build it first with `cargo leptos build --release --precompress`",
        site.display()
    );
    let service = Service::start(dir.path(), &[("OPTIN_SITE_ROOT", site.to_str().unwrap())]);
    // No automatic decompression here: the bytes on the wire are what is checked.
    let http = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();

    let page = http.get(service.base.join("/sign-in").unwrap()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-cache", "a page is revalidated");
    let page = page.text().await.unwrap();
    let assets = assets_named_by(&page);
    for kind in [".js", ".wasm", ".css"] {
        let named: Vec<_> = assets.iter().filter(|path| path.ends_with(kind)).collect();
        assert!(!named.is_empty(), "the page names no {kind} file: {assets:?}");
        for path in named {
            // optin.<22 characters of base64url>.js
            let hash = path.trim_start_matches("/pkg/optin.").trim_end_matches(kind);
            assert_eq!(hash.len(), 22, "{path} is not named by its content");
        }
    }

    for path in &assets {
        let file = site.join(path.trim_start_matches('/'));
        for (accepted, encoding, suffix) in
            [("br, gzip", Some("br"), ".br"), ("gzip", Some("gzip"), ".gz"), ("identity", None, "")]
        {
            let response = http
                .get(service.base.join(path).unwrap())
                .header(header::ACCEPT_ENCODING, accepted)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path} ({accepted})");
            let headers = response.headers().clone();
            assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{path}");
            assert_eq!(
                headers.get(header::CONTENT_ENCODING).map(|value| value.to_str().unwrap()),
                encoding,
                "{path} ({accepted})"
            );
            let expected = std::fs::read(format!("{}{suffix}", file.display()))
                .unwrap_or_else(|error| panic!("{}{suffix}: {error} (built with --precompress?)", file.display()));
            let body = response.bytes().await.unwrap();
            assert!(body == expected, "{path} ({accepted}): not the file built for it");
        }
    }
    let wasm = assets.iter().find(|path| path.ends_with(".wasm")).unwrap();
    let response = http.get(service.base.join(wasm).unwrap()).send().await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");

    let missing = http.get(service.base.join("/pkg/optin.AAAAAAAAAAAAAAAAAAAAAA.js").unwrap()).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        missing.headers().get(header::CACHE_CONTROL).map(|value| value.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
    // A name longer than any file system holds is a miss as well, not a server error.
    let long = http.get(service.base.join(&format!("/pkg/{}.js", "x".repeat(300))).unwrap()).send().await.unwrap();
    assert_eq!(long.status(), StatusCode::NOT_FOUND);
}
