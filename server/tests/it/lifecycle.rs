//! The token lifecycle over HTTP: the refresh worker, single-flight refresh under concurrent API
//! calls, a dead grant after a UPS.com password change, a provider outage, and the token API's
//! answers for every state.

use crate::common;

use axum::{http::StatusCode as AxumStatus, routing::post, Json, Router};
use common::{spawn_app, spawn_app_with, spawn_app_with_provider, unix_now, TestApp, SANDBOX_USER};
use model::Product;
use optin_core::secret::SecretString;
use reqwest::StatusCode;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

const IRL: Product = Product::ReverseLogistics;
const IDM: Product = Product::DataManagement;

#[tokio::test]
async fn the_worker_refreshes_a_token_before_it_expires() {
    let app = spawn_app_with(|settings| {
        settings.sandbox.access_token_lifetime_secs = 3;
        settings.refresh_worker = true;
        settings.refresh_interval_secs = 1;
    })
    .await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.browser().signed_in("alice").await.opt_in(IRL, company).await;

    let mut refreshed = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let tokens = app.tokens(company, IRL).await;
        if tokens.first().map(|(status, ..)| status.as_str()) == Some("refreshed") {
            assert_eq!(tokens.last().unwrap(), &("active".into(), true, true));
            assert_eq!(tokens.iter().filter(|(status, ..)| status == "active").count(), 1);
            assert!(tokens
                .iter()
                .filter(|(status, ..)| status == "refreshed")
                .all(|(_, access, refresh)| !access && !refresh));
            refreshed = true;
            break;
        }
    }
    assert!(refreshed, "the worker refreshed within 10 s: {:?}", app.tokens(company, IRL).await);
    let audited: Vec<i64> = app.column("SELECT COUNT(*) FROM audit_log WHERE action = 'refreshed'", &[]).await;
    assert!(audited[0] >= 1);
}

#[tokio::test]
async fn fifty_concurrent_calls_on_an_expired_token_cause_one_refresh_and_share_its_token() {
    fifty_concurrent_callers(spawn_app().await).await;
}

/// The same with tokens that live 30 s, less than the 60 s the token API promises: a token can
/// never be valid that long, and a waiter must take the one just stored for it rather than
/// refresh again.
#[tokio::test]
async fn with_tokens_shorter_than_the_promised_validity_fifty_callers_still_cause_one_refresh() {
    fifty_concurrent_callers(spawn_app_with(|settings| settings.sandbox.access_token_lifetime_secs = 30).await).await;
}

async fn fifty_concurrent_callers(app: TestApp) {
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.browser().signed_in("alice").await.opt_in(IRL, company).await;
    let key = app.api_key(IRL).await;
    let (status, before) = app.token_api(&key, &company.to_string(), "reverse-logistics").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(app.sandbox_refresh_tokens().await, 1);

    app.expire_token(company, IRL).await;
    let app = Arc::new(app);
    let calls = (0..50).map(|_| {
        let (app, key, company) = (app.clone(), key.clone(), company.to_string());
        tokio::spawn(async move { app.token_api(&key, &company, "reverse-logistics").await })
    });
    let mut tokens = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(body["access_token"].as_str().unwrap().to_owned());
    }
    assert_eq!(app.sandbox_refresh_tokens().await, 2, "exactly one refresh at the provider");
    assert!(tokens.iter().all(|token| token == &tokens[0]), "everyone got the same new token");
    assert_ne!(tokens[0], before["access_token"].as_str().unwrap());
}

#[tokio::test]
async fn a_ups_password_change_requires_reauthorization_and_the_api_says_so() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    browser.opt_in(IRL, company).await;
    let key = app.api_key(IRL).await;

    server::sandbox::set_password(&app.core().store, SANDBOX_USER, SecretString::new("A-new-password-1"))
        .await
        .unwrap();
    app.expire_token(company, IRL).await;
    let (status, body) = app.token_api(&key, &company.to_string(), "reverse-logistics").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("reauthorization_required")), "{body}");
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("reauthorization_required"));
    assert_eq!(app.tokens(company, IRL).await, vec![("cleared".into(), false, false)]);

    let overview = browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await;
    assert!(
        overview.body.contains("ReauthorizationRequired") && overview.body.contains("password"),
        "{}",
        overview.body
    );
    let page = browser.get("/reverse-logistics").await;
    assert!(
        page.body.contains("Re-authorization required since") && page.body.contains(">Re-authorize"),
        "{}",
        page.body
    );
    let activity = browser.server_fn("company_activity", &[("company", &company.to_string())]).await;
    let newest = activity.body.find("reauthorization_required").expect("the dead grant is in the activity log");
    let older = activity.body.find("\"authorized\"").expect("the opt-in is in the activity log");
    assert!(newest < older, "newest first: {}", activity.body);

    // One click restores it, with the history kept.
    let authorize = browser.start_opt_in(IRL, company).await;
    let callback = browser.consent(&authorize, SANDBOX_USER, "A-new-password-1").await;
    browser.get(callback.as_str()).await;
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("authorized"));
    assert_eq!(app.tokens(company, IRL).await, vec![("cleared".into(), false, false), ("active".into(), true, true)]);
    let (status, _) = app.token_api(&key, &company.to_string(), "reverse-logistics").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_provider_outage_keeps_the_tokens_and_recovers_when_the_provider_returns() {
    let down = Arc::new(AtomicBool::new(true));
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = Router::new().route(
        "/security/v1/oauth/refresh",
        post({
            let (down, calls) = (down.clone(), calls.clone());
            move || async move {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                if down.load(Ordering::SeqCst) {
                    return Err((AxumStatus::SERVICE_UNAVAILABLE, "maintenance"));
                }
                Ok(Json(serde_json::json!({
                    "token_type": "Bearer", "access_token": format!("recovered-{call}"), "refresh_token": format!("r-{call}"),
                    "expires_in": "3600", "refresh_token_expires_in": "5183999", "status": "approved",
                })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/security", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, provider).await });
    let app = spawn_app_with_provider(&base).await;
    let company = app.company("Acme").await;
    app.seed_grant(company, IRL).await;
    let key = app.api_key(IRL).await;
    app.expire_token(company, IRL).await;

    let (status, body) = app.token_api(&key, &company.to_string(), "reverse-logistics").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("provider_unavailable")),
        "{body}"
    );
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("authorized"), "an outage is not a dead grant");
    assert_eq!(app.tokens(company, IRL).await, vec![("active".into(), true, true)], "nothing deleted");
    let schedule: Vec<(i64, Option<i64>)> =
        app.rows("SELECT refresh_failures, retry_at FROM authorizations", &[]).await;
    let [(failures, retry_at)] = schedule[..] else { panic!("one authorization: {schedule:?}") };
    assert_eq!(failures, 1);
    assert!(retry_at.is_some(), "a retry is scheduled");

    // During the backoff, callers get the stored answer without asking UPS again.
    let asked = calls.load(Ordering::SeqCst);
    assert_eq!(app.token_api(&key, &company.to_string(), "reverse-logistics").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(calls.load(Ordering::SeqCst), asked, "no provider call during the backoff");

    down.store(false, Ordering::SeqCst);
    app.execute("UPDATE authorizations SET retry_at = $1", &[unix_now() - 1]).await;
    let (status, body) = app.token_api(&key, &company.to_string(), "reverse-logistics").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].as_str().unwrap().starts_with("recovered-"));
    let failures: Vec<i64> = app.column("SELECT refresh_failures FROM authorizations", &[]).await;
    assert_eq!(failures, [0]);
    let actions: Vec<String> = app.column("SELECT action FROM audit_log ORDER BY id", &[]).await;
    assert_eq!(actions, vec!["authorized", "refresh_failed", "refreshed"]);
}

#[tokio::test]
async fn the_token_api_answers_every_state_distinctly() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    let other = app.company("Other").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let (irl_key, idm_key) = (app.api_key(IRL).await, app.api_key(IDM).await);
    let id = company.to_string();

    let (status, body) = app.token_api(&irl_key, &id, "reverse-logistics").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("not_authorized")));
    browser.opt_in(IRL, company).await;
    browser.opt_in(IDM, company).await;
    let (status, body) = app.token_api(&irl_key, &id, "reverse-logistics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["token_type"].as_str(), body["status"].as_str()), (Some("Bearer"), Some("authorized")));
    assert!(body["expires_in"].as_i64().unwrap() > 14_000);

    assert_eq!(
        app.token_api(&irl_key, &id, "data-management").await.0,
        StatusCode::FORBIDDEN,
        "a key serves one product"
    );
    assert_eq!(app.token_api(&irl_key, "999", "reverse-logistics").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.token_api(&irl_key, "abc", "reverse-logistics").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.token_api(&irl_key, &id, "parcel-teleporter").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.token_api("optin_wrong", &id, "reverse-logistics").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.token_api(&irl_key, &other.to_string(), "reverse-logistics").await.1["error"], "not_authorized");

    // Clear stops the API at once; so does Opt-Out.
    browser.server_fn("opt_out", &[("product", "data-management"), ("company", &id)]).await;
    let (status, body) = app.token_api(&idm_key, &id, "data-management").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("cleared")));
    browser.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &id)]).await;
    assert_eq!(app.token_api(&irl_key, &id, "reverse-logistics").await.1["error"], "opted_out");

    let prefix = &irl_key[..14];
    assert!(optin_core::api_keys::revoke(app.core(), prefix).await.unwrap());
    assert_eq!(
        app.token_api(&irl_key, &id, "reverse-logistics").await.0,
        StatusCode::UNAUTHORIZED,
        "revoked keys stop working"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_token_embed_and_consent_link_apis() {
    let app = spawn_app().await;
    let document: serde_json::Value =
        reqwest::get(app.base.join("/api/v1/openapi.json").unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    let operation = &document["paths"]["/api/v1/companies/{company}/products/{product}/token"]["get"];
    let mut codes: Vec<&str> = operation["responses"].as_object().unwrap().keys().map(String::as_str).collect();
    codes.sort();
    assert_eq!(codes, ["200", "401", "403", "404", "409", "500", "503"]);
    let errors: Vec<&str> = document["components"]["schemas"]["Error"]["properties"]["error"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    // Every error the JSON APIs answer is an `ApiError`, worded in one place.
    let source = include_str!("../../src/api.rs");
    for code in &errors {
        assert!(source.contains(&format!("\"{code}\"")), "{code} is documented but never answered");
    }
    for answered in [
        "invalid_api_key",
        "wrong_product",
        "unknown_company",
        "unknown_product",
        "not_authorized",
        "opted_out",
        "cleared",
        "reauthorization_required",
        "provider_unavailable",
        "invalid_request",
        "origin_not_allowed",
        "token_unreadable",
        "unknown_consent_link",
    ] {
        assert!(errors.contains(&answered), "{answered} is answered but not documented");
    }
    let responses = |path: &str, method: &str| {
        let mut codes: Vec<String> = document["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} is not documented"))
            .keys()
            .cloned()
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(responses("/api/v1/embed/sessions", "post"), ["201", "400", "401", "403", "404"]);
    let links = "/api/v1/companies/{company}/consent-links";
    assert_eq!(responses(links, "post"), ["201", "400", "401", "404"]);
    assert_eq!(responses(links, "get"), ["200", "401", "404"]);
    assert_eq!(responses(&format!("{links}/{{link}}"), "delete"), ["204", "401", "404"]);
}

#[tokio::test]
async fn an_opt_out_during_a_refresh_wins() {
    // A provider that takes its time to answer a refresh.
    let provider = Router::new().route(
        "/security/v1/oauth/refresh",
        post(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            Json(serde_json::json!({
                "token_type": "Bearer", "access_token": "late-access", "refresh_token": "late-refresh", "expires_in": "3600",
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/security", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, provider).await });
    let app = Arc::new(spawn_app_with_provider(&base).await);
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.seed_grant(company, IRL).await;
    let key = app.api_key(IRL).await;
    app.expire_token(company, IRL).await;

    let call = {
        let (app, key) = (app.clone(), key.clone());
        tokio::spawn(async move { app.token_api(&key, &company.to_string(), "reverse-logistics").await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let browser = app.browser().signed_in("alice").await;
    let out =
        browser.server_fn("opt_out", &[("product", "reverse-logistics"), ("company", &company.to_string())]).await;
    assert_eq!(out.status, StatusCode::OK);

    let (status, body) = call.await.unwrap();
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("opted_out")), "{body}");
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("revoked"));
    assert!(app
        .tokens(company, IRL)
        .await
        .iter()
        .all(|(status, access, refresh)| status != "active" && !access && !refresh));
}

#[tokio::test]
async fn many_authorizations_due_at_once_are_all_refreshed_concurrently() {
    let (base, calls) = common::counting_provider().await;
    // A budget that lets the whole batch leave at once: this is about concurrency (the budget's
    // own tests are in `pushback`).
    let app = common::spawn_app_with_provider_and(&base, |settings| settings.ups.refreshes_per_second = 10_000.0).await;
    const COMPANIES: usize = 300;
    let mut companies = Vec::new();
    for index in 0..COMPANIES {
        let company = app.company(&format!("Company {index}")).await;
        app.seed_grant(company, IRL).await;
        app.expire_token(company, IRL).await;
        companies.push(company);
    }

    // The worker's way: due authorizations claimed in batches (one statement each), then many
    // refreshes in flight at once, each storing its answer in its own transaction.
    let mut running = tokio::task::JoinSet::new();
    let mut claimed = 0;
    loop {
        let (claims, _) = optin_core::lifecycle::claim_due(app.core(), 64).await.unwrap();
        if claims.is_empty() {
            break;
        }
        claimed += claims.len();
        for claim in claims {
            let core = app.core().clone();
            running.spawn(async move { optin_core::lifecycle::refresh_claimed(&core, claim).await });
        }
    }
    assert_eq!(claimed, COMPANIES, "each due authorization is claimed once");
    let mut failures = Vec::new();
    while let Some(result) = running.join_next().await {
        match result.unwrap() {
            Ok(optin_core::lifecycle::Outcome::Refreshed(_)) => {}
            Ok(_) => failures.push("not refreshed".to_owned()),
            Err(error) => failures.push(error.to_string()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {COMPANIES} refreshes failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert_eq!(calls.load(Ordering::SeqCst), COMPANIES, "exactly one provider call each");
    for company in companies {
        let tokens = app.tokens(company, IRL).await;
        assert_eq!(tokens, [("refreshed".into(), false, false), ("active".into(), true, true)]);
    }
}

/// What an operator's scraper sees: the token API's calls, the authorizations by state, and the
/// backlog `server tokens refresh-all` leaves for the workers; a metrics token is required from
/// anyone who has not got it once one is set.
#[tokio::test]
async fn metrics_show_the_token_api_the_authorizations_and_the_backlog() {
    let app = spawn_app_with(|settings| settings.metrics_token = Some(SecretString::new("scrape-secret"))).await;
    let company = app.company("Acme").await;
    app.seed_grant(company, IRL).await;
    let key = app.api_key(IRL).await;
    let (status, _) = app.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK);
    let scrape = |token: &'static str| {
        let url = app.base.join("/metrics").unwrap();
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(scrape("wrong").await.status(), StatusCode::FORBIDDEN);
    let metrics = scrape("scrape-secret").await.text().await.unwrap();
    assert!(metrics.contains("optin_token_api_seconds_count{outcome=\"ok\"}"), "{metrics}");
    assert!(
        metrics.contains("optin_authorizations{product=\"reverse-logistics\",state=\"authorized\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("optin_refresh_due 0"), "{metrics}");

    let (ok, said, error) = app.cli(&["tokens", "refresh-all"]);
    assert!(ok && said.starts_with("1 token(s)"), "{said} {error}");
    let metrics = scrape("scrape-secret").await.text().await.unwrap();
    assert!(metrics.contains("optin_refresh_due 1"), "{metrics}");
}
