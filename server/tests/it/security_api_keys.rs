//! API keys limited to companies: a product backend's key created for some companies fetches
//! their tokens and opens their widgets, and answers for any other company exactly as for a
//! company that does not exist, so a leaked key exposes only its own companies and cannot tell
//! which other companies there are.

use crate::common;

use common::{spawn_app_with, TestApp};
use model::Product;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PRODUCT: Product = Product::ReverseLogistics;
const PORTAL: &str = "https://portal.example.com";

async fn new_session(app: &TestApp, key: &str, company: i64) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.base.join("/api/v1/embed/sessions").unwrap())
        .bearer_auth(key)
        .json(&json!({ "company": company, "user": { "id": "u-1", "name": "Pat" }, "origin": PORTAL }))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_key_limited_to_companies_reaches_only_those_and_cannot_tell_the_others_exist() {
    let app = spawn_app_with(|settings| settings.embed.reverse_logistics.allowed_origins = vec![PORTAL.into()]).await;
    let (acme, other) = (app.company("Acme Returns").await, app.company("Other Co").await);
    app.seed_grant(acme, PRODUCT).await;
    app.seed_grant(other, PRODUCT).await;

    let (ok, created, error) = app.cli(&["api-key", "create", PRODUCT.slug(), "--company", "Acme Returns"]);
    assert!(ok && created.contains("(Acme Returns)"), "{created} {error}");
    let key = created.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(key.starts_with("optin_"), "{created}");

    let (status, body) = app.token_api(&key, &acme.to_string(), PRODUCT.slug()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, refused) = app.token_api(&key, &other.to_string(), PRODUCT.slug()).await;
    let (missing_status, missing) = app.token_api(&key, "99999", PRODUCT.slug()).await;
    assert_eq!((status, missing_status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND), "{refused}");
    assert_eq!(refused, missing, "another company answers exactly as one that does not exist");

    assert_eq!(new_session(&app, &key, acme.get()).await.0, StatusCode::CREATED);
    let (status, refused) = new_session(&app, &key, other.get()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    assert_eq!(new_session(&app, &key, 99999).await.1, refused);

    // An unrestricted key of the product still reaches every company; a key for an unknown
    // company is refused at creation, and nothing is created.
    let everywhere = app.api_key(PRODUCT).await;
    assert_eq!(app.token_api(&everywhere, &other.to_string(), PRODUCT.slug()).await.0, StatusCode::OK);
    let (ok, _, error) = app.cli(&["api-key", "create", PRODUCT.slug(), "--company", "No Such Co"]);
    assert!(!ok && error.contains("No Such Co"), "{error}");
}

#[tokio::test]
async fn a_key_revoked_from_the_command_line_is_refused_within_a_second() {
    let app = common::spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.seed_grant(company, PRODUCT).await;
    let key = app.api_key(PRODUCT).await;
    for _ in 0..3 {
        // Answered from memory after the first call.
        assert_eq!(app.token_api(&key, &company.to_string(), PRODUCT.slug()).await.0, StatusCode::OK);
    }
    let (ok, said, error) = app.cli(&["api-key", "revoke", &key[..14]]);
    assert!(ok, "{said} {error}");
    let revoked = std::time::Instant::now();
    while app.token_api(&key, &company.to_string(), PRODUCT.slug()).await.0 == StatusCode::OK {
        assert!(revoked.elapsed() < std::time::Duration::from_millis(1_500), "still accepted after 1.5 s");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(app.token_api(&key, &company.to_string(), PRODUCT.slug()).await.0, StatusCode::UNAUTHORIZED);
}
