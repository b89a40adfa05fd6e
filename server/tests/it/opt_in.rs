//! The Intelligent Reverse Logistics opt-in over HTTP, against the built-in sandbox: the exchange,
//! the state checks, consent denied, a provider outage, opt-out, and access by non-members.

use crate::common;

use axum::{http::StatusCode as AxumStatus, routing::post, Router};
use common::{spawn_app, spawn_app_with, spawn_app_with_provider, SANDBOX_PASSWORD, SANDBOX_USER};
use model::Product;
use reqwest::StatusCode;

const IRL: Product = Product::ReverseLogistics;

#[tokio::test]
async fn an_admin_opts_in_through_the_sandbox_and_the_tokens_are_stored_encrypted() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;

    let authorize = browser.start_opt_in(IRL, company).await;
    assert_eq!(authorize.path(), "/security/v1/oauth/authorize");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], "sandbox-reverse-logistics");
    assert_eq!(query["redirect_uri"], browser.url("/oauth/reverse-logistics/callback").as_str());
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43);
    assert!(query["state"].len() >= 43);

    // The consent page names the product being authorized.
    let sign_in = browser.get(&browser.get(authorize.as_str()).await.location()).await;
    assert!(sign_in.body.contains("authorize Customer Solutions - Intelligent Reverse Logistics to access data"));

    let callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    assert_eq!(callback.path(), "/oauth/reverse-logistics/callback");
    let back = browser.get(callback.as_str()).await;
    assert_eq!(back.location(), format!("/reverse-logistics?company={company}&outcome=authorized"));

    assert_eq!(app.status(company, IRL).await.as_deref(), Some("authorized"));
    assert_eq!(app.tokens(company, IRL).await, vec![("active".into(), true, true)]);
    let stored: Vec<Vec<u8>> = app.column("SELECT access_token FROM oauth_tokens", &[]).await;
    let [access] = &stored[..] else { panic!("one token stored: {stored:?}") };
    assert!(access.len() > 24 + 16 && std::str::from_utf8(access).is_err(), "tokens are stored encrypted");

    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert!(overview.body.contains("\"Authorized\""), "{}", overview.body);
    assert!(overview.body.contains("alice"), "who authorized is recorded: {}", overview.body);
    assert!(!overview.body.contains("token"), "the browser never receives a token: {}", overview.body);

    let page = browser.get(&back.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Intelligent Reverse Logistics is authorized"));
    assert!(page.body.contains(">Authorized<"));

    let audit: Vec<String> =
        app.column("SELECT action FROM audit_log WHERE company_id = $1 ORDER BY id", &[company.get()]).await;
    assert_eq!(audit, ["opt_in_started", "authorized"]);
}

#[tokio::test]
async fn a_replayed_state_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let authorize = browser.start_opt_in(IRL, company).await;
    let callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    browser.get(callback.as_str()).await;
    browser.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &company.to_string())]).await;

    let replay = browser.get(callback.as_str()).await;
    assert_eq!(replay.location(), "/reverse-logistics?error=state-unknown");
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("revoked"));

    let made_up = browser.get("/oauth/reverse-logistics/callback?code=abc&state=made-up").await;
    assert_eq!(made_up.location(), "/reverse-logistics?error=state-unknown");
    let missing = browser.get("/oauth/reverse-logistics/callback?code=abc").await;
    assert_eq!(missing.location(), "/reverse-logistics?error=state-unknown");
}

#[tokio::test]
async fn a_state_from_another_session_is_refused() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    app.admin("bob", &[company]).await;
    let alice = app.browser().signed_in("alice").await;
    let bob = app.browser().signed_in("bob").await;

    let authorize = alice.start_opt_in(IRL, company).await;
    let callback = alice.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let stolen = bob.get(callback.as_str()).await;
    assert_eq!(stolen.location(), "/reverse-logistics?error=state-unknown");
    assert_eq!(app.status(company, IRL).await, None);
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let app = spawn_app_with(|settings| settings.state_lifetime_secs = 0).await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let location = browser.opt_in(IRL, company).await;
    assert_eq!(location, format!("/reverse-logistics?company={company}&error=state-expired"));
    assert_eq!(app.status(company, IRL).await, None);
}

#[tokio::test]
async fn denying_consent_comes_back_with_a_clear_error() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let authorize = browser.start_opt_in(IRL, company).await;

    let mut fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    fields.push(("step".into(), "deny".into()));
    let denied = browser.post_owned("/security/sandbox/sign-in", &fields).await;
    let callback = url::Url::parse(&denied.location()).unwrap();
    assert!(callback.query().unwrap().contains("error=access_denied"));
    let back = browser.get(callback.as_str()).await;
    assert_eq!(back.location(), format!("/reverse-logistics?company={company}&error=consent-denied"));
    assert_eq!(app.status(company, IRL).await, None);
    let page = browser.get(&back.location()).await;
    assert!(page.body.contains("consent was not given"), "{}", page.body);
}

#[tokio::test]
async fn a_code_the_provider_rejects_is_reported() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let authorize = browser.start_opt_in(IRL, company).await;
    let mut callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let state = callback.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    callback.query_pairs_mut().clear().append_pair("code", "forged").append_pair("state", &state);
    let back = browser.get(callback.as_str()).await;
    assert_eq!(back.location(), format!("/reverse-logistics?company={company}&error=provider-rejected"));
    assert_eq!(app.status(company, IRL).await, None);
}

#[tokio::test]
async fn a_provider_outage_is_reported_and_changes_nothing() {
    let outage =
        Router::new().route("/security/v1/oauth/token", post(|| async { (AxumStatus::SERVICE_UNAVAILABLE, "down") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let provider = format!("http://{}/security", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, outage).await });

    let app = spawn_app_with_provider(&provider).await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let authorize = browser.start_opt_in(IRL, company).await;
    assert!(authorize.as_str().starts_with(&provider));
    let state = authorize.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();

    let back = browser.get(&format!("/oauth/reverse-logistics/callback?code=anything&state={state}")).await;
    assert_eq!(back.location(), format!("/reverse-logistics?company={company}&error=provider-unavailable"));
    assert_eq!(app.status(company, IRL).await, None);
    // The sandbox is not served when a real (or custom) provider is configured.
    assert_eq!(browser.get("/security/v1/oauth/authorize").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn opting_out_deletes_the_tokens_at_once() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    browser.opt_in(IRL, company).await;

    let out =
        browser.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &company.to_string())]).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("revoked"));
    assert_eq!(app.tokens(company, IRL).await, vec![("cleared".into(), false, false)]);
    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert!(overview.body.contains("\"NotAuthorized\""), "{}", overview.body);

    // Opting in again works and keeps the history.
    browser.opt_in(IRL, company).await;
    assert_eq!(app.tokens(company, IRL).await, vec![("cleared".into(), false, false), ("active".into(), true, true)]);
}

#[tokio::test]
async fn non_members_can_neither_see_nor_change_a_company() {
    let app = spawn_app().await;
    let acme = app.company("Acme Returns").await;
    let other = app.company("Other Co").await;
    app.admin("alice", &[acme]).await;
    app.admin("mallory", &[other]).await;
    let alice = app.browser().signed_in("alice").await;
    alice.opt_in(IRL, acme).await;
    let mallory = app.browser().signed_in("mallory").await;
    let acme_id = acme.to_string();

    let start = mallory.post_form("/oauth/reverse-logistics/start", &[("company", &acme_id)]).await;
    assert_eq!(start.status, StatusCode::FORBIDDEN);
    let overview = mallory.server_fn("load_overview", &[("product", "reverse-logistics"), ("company", &acme_id)]).await;
    assert_eq!(overview.status, StatusCode::FORBIDDEN);
    assert!(overview.body.contains("Forbidden") && !overview.body.contains("Acme"), "{}", overview.body);
    let opt_out = mallory.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &acme_id)]).await;
    assert_eq!(opt_out.status, StatusCode::FORBIDDEN);
    assert_eq!(app.status(acme, IRL).await.as_deref(), Some("authorized"));

    // A company that does not exist answers the same as one that is not yours.
    let missing = mallory.server_fn("load_overview", &[("product", "reverse-logistics"), ("company", "999")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let page = mallory.get(&format!("/reverse-logistics?company={acme}")).await;
    assert!(page.body.contains("not allowed to manage this company") && !page.body.contains("Acme"), "{}", page.body);

    let anonymous = app.browser();
    let overview = anonymous.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &acme_id)]).await;
    assert_eq!(overview.status, StatusCode::UNAUTHORIZED);
    let start = anonymous.post_form("/oauth/reverse-logistics/start", &[("company", &acme_id)]).await;
    assert!(start.location().starts_with("/sign-in"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_error() {
    let app = spawn_app().await;
    let company = app.company("Acme Returns").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let bad = browser.post_form("/oauth/reverse-logistics/start", &[("company", "abc")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("is not a company number"));
    let missing = browser.post_form("/oauth/reverse-logistics/start", &[]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let product = browser.post_form("/oauth/parcel-teleporter/start", &[("company", "1")]).await;
    assert_eq!(product.status, StatusCode::NOT_FOUND);
}
