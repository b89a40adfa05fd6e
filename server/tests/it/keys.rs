//! Encryption at rest, driven as an operator and a product's backend would: rotating the key
//! ring with the command line while tokens keep being served, re-sealing every token with the
//! new key, retiring the old one, and what happens when a token's key is gone or its row was
//! tampered with.

use crate::common;

use common::spawn_app;
use model::Product;
use reqwest::StatusCode;

const PRODUCT: Product = Product::ReverseLogistics;

/// The keys of the key file, current first.
fn key_lines(app: &common::TestApp) -> Vec<String> {
    let text = std::fs::read_to_string(app.data.join("secret.key")).expect("the key file");
    text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_rotated_ring_keeps_serving_every_token_and_rewrap_lets_the_old_key_go() {
    // The delivery worker runs as in production: the command line's writes must not wait on it.
    let app = common::spawn_app_with(|settings| settings.webhooks.worker = true).await;
    let company = app.company("Acme").await;
    app.seed_grant(company, PRODUCT).await;
    let key = app.api_key(PRODUCT).await;
    let (status, body) = app.token_api(&key, &company.to_string(), PRODUCT.slug()).await;
    assert_eq!((status, body["access_token"].as_str()), (StatusCode::OK, Some("first-access")), "{body}");

    // A webhook endpoint's signing secret is sealed with the ring too.
    let added = app.cli(&["webhook", "add", PRODUCT.slug(), "https://backend.example.com/hooks"]);
    assert!(added.0, "{added:?}");
    let (ok, listed, _) = app.cli(&["keys", "list"]);
    assert!(ok && listed.contains("current") && listed.contains("seals 3 stored secret(s)"), "{listed}");
    let (ok, rotated, error) = app.cli(&["keys", "rotate"]);
    assert!(ok, "{error}");
    let lines = key_lines(&app);
    assert_eq!(lines.len(), 2, "a new current key above the old one");
    assert!(!rotated.contains(&lines[0]) && !rotated.contains(&lines[1]), "keys are never printed: {rotated}");

    // A restarted instance seals with the new key and still opens what the old one sealed.
    let restarted = app.restarted().await;
    let (status, body) = restarted.token_api(&key, &company.to_string(), PRODUCT.slug()).await;
    assert_eq!((status, body["access_token"].as_str()), (StatusCode::OK, Some("first-access")), "{body}");

    let (ok, rewrapped, error) = app.cli(&["keys", "rewrap"]);
    assert!(ok && rewrapped.contains("Re-sealed 2 "), "a token row and a webhook secret: {rewrapped} {error}");
    let (_, listed, _) = app.cli(&["keys", "list"]);
    assert!(listed.contains("seals 0 stored secret(s)"), "the old key seals nothing now: {listed}");

    // With the old key gone from the file, everything still opens.
    std::fs::write(app.data.join("secret.key"), format!("{}\n", lines[0])).unwrap();
    let retired = app.restarted().await;
    let (status, body) = retired.token_api(&key, &company.to_string(), PRODUCT.slug()).await;
    assert_eq!((status, body["access_token"].as_str()), (StatusCode::OK, Some("first-access")), "{body}");
    let (ok, said, error) = app.cli(&["webhook", "rotate-secret", "1"]);
    assert!(ok, "the webhook secret opens with the new key alone: {said} {error}");
}

#[tokio::test]
async fn a_token_whose_key_left_the_ring_fails_loudly_and_the_page_asks_for_attention() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.seed_grant(company, PRODUCT).await;
    let key = app.api_key(PRODUCT).await;

    // The operator replaces the key file without keeping the key that sealed the tokens.
    app.cli(&["keys", "rotate"]);
    let current = key_lines(&app).remove(0);
    std::fs::write(app.data.join("secret.key"), format!("{current}\n")).unwrap();
    let (ok, listed, _) = app.cli(&["keys", "list"]);
    assert!(ok && listed.contains("MISSING"), "the missing key is named: {listed}");
    let (ok, _, error) = app.cli(&["keys", "rewrap"]);
    assert!(!ok && error.contains("did not open"), "rewrap says what it could not open: {error}");

    let broken = app.restarted().await;
    let (status, body) = broken.token_api(&key, &company.to_string(), PRODUCT.slug()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "token_unreadable", "{body}");

    let browser = broken.browser().signed_in("alice").await;
    let page = browser.server_fn("load_overview", &[("product", PRODUCT.slug())]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("ReauthorizationRequired") && page.body.contains("cannot be decrypted"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("first-"), "no token reaches the page");
}

#[tokio::test]
async fn an_authorization_re_pointed_at_another_company_does_not_open() {
    let app = spawn_app().await;
    let (acme, other) = (app.company("Acme").await, app.company("Other").await);
    app.seed_grant(acme, PRODUCT).await;
    let key = app.api_key(PRODUCT).await;
    app.execute("UPDATE authorizations SET company_id = $1 WHERE company_id = $2", &[other.get(), acme.get()]).await;
    let (status, body) = app.token_api(&key, &other.to_string(), PRODUCT.slug()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "Acme's token is not served for Other: {body}");
    assert_eq!(body["error"], "token_unreadable");
    assert!(!body.to_string().contains("first-access"));
}
