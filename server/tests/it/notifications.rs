//! Telling the products and the admins when an authorization changes, driven as they would see
//! it: a webhook receiver on a free loopback port that verifies Standard Webhooks signatures, and
//! an SMTP sink. Events are written with the change they report (the outbox), delivered at least
//! once with the event id as idempotency key, retried while an endpoint is down, and each sent once.

use crate::common;

use common::{
    receivers::{SmtpSink, WebhookReceiver},
    spawn_app_with, spawn_app_with_provider_and, unix_now, TestApp,
};
use model::Product;
use reqwest::StatusCode;
use server::settings::Settings;
use std::{collections::HashMap, time::Duration};

const IRL: Product = Product::ReverseLogistics;

/// Deliveries looked for ten times a second, retried after a second.
fn quick(settings: &mut Settings) {
    settings.webhooks.worker = true;
    settings.webhooks.poll_millis = 100;
    settings.webhooks.retry_base_secs = 1;
}

/// Registers `receiver` for `product` with the command line; answers its signing secret.
fn register(app: &TestApp, product: Product, receiver: &WebhookReceiver) -> String {
    let (ok, said, error) = app.cli(&["webhook", "add", product.slug(), &receiver.url]);
    assert!(ok, "{said} {error}");
    said.trim().rsplit(' ').next().unwrap().to_owned()
}

fn verify(secret: &str, received: &common::receivers::Received) -> Result<(), standardwebhooks::WebhookError> {
    standardwebhooks::Webhook::new(secret).unwrap().verify(received.body.as_bytes(), &received.headers)
}

fn kinds(received: &[common::receivers::Received]) -> Vec<String> {
    received.iter().map(|request| request.json()["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_change_sends_one_signed_webhook_and_one_email_to_each_admin() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|settings| {
        quick(settings);
        sink.send_from(settings);
    })
    .await;
    let receiver = WebhookReceiver::start(0).await;
    let secret = register(&app, IRL, &receiver);
    let (acme, other) = (app.company("Acme Returns").await, app.company("Other Co").await);
    app.admin("alice", &[acme]).await;
    app.admin("bob", &[acme]).await;
    app.admin("carol", &[other]).await;
    for (user, email) in
        [("alice", "alice@acme.example"), ("bob", "bob@acme.example"), ("carol", "carol@other.example")]
    {
        assert!(app.cli(&["user", "set-email", user, email]).0);
    }
    let browser = app.browser().signed_in("alice").await;
    browser.opt_in(IRL, acme).await;
    assert_eq!(kinds(&receiver.wait_for(1).await), ["authorization.authorized"]);

    // The UPS.com user who consented changes their password; the next refresh finds the grant dead.
    assert!(app.cli(&["sandbox", "set-password", common::SANDBOX_USER]).0);
    let key = app.api_key(IRL).await;
    app.expire_token(acme, IRL).await;
    assert_eq!(app.token_api(&key, &acme.to_string(), IRL.slug()).await.0, StatusCode::CONFLICT);

    let received = receiver.wait_for(2).await;
    assert_eq!(kinds(&received), ["authorization.authorized", "authorization.reauthorization_required"]);
    let dead = &received[1];
    verify(&secret, dead).expect("a valid signature");
    let body = dead.json();
    assert_eq!((body["company"].as_i64(), body["product"].as_str()), (Some(acme.get()), Some(IRL.slug())));
    assert_eq!(body["status"], "reauthorization_required");
    assert!(body["reason"].as_str().unwrap().contains("Invalid Refresh Token"), "{body}");
    assert_eq!(dead.headers["webhook-id"], body["id"].as_str().unwrap());
    assert!(!dead.body.to_lowercase().contains("token\":"), "no token in a payload: {}", dead.body);

    // What a receiver's check refuses: a tampered body, an old timestamp, another secret.
    let mut tampered = dead.clone();
    tampered.body = tampered.body.replace("reverse-logistics", "pickup-manager");
    assert!(verify(&secret, &tampered).is_err());
    let mut stale = dead.clone();
    let old = (optin_core::clock::now() - 600).to_string();
    let resigned = standardwebhooks::Webhook::new(&secret).unwrap().sign(
        &body["id"].as_str().unwrap(),
        old.parse().unwrap(),
        dead.body.as_bytes(),
    );
    stale.headers.insert("webhook-timestamp", old.parse().unwrap());
    stale.headers.insert("webhook-signature", resigned.unwrap().parse().unwrap());
    assert!(matches!(verify(&secret, &stale), Err(standardwebhooks::WebhookError::TimestampTooOldError)));
    assert!(verify(&format!("whsec_{}", "QUJD".repeat(8)), dead).is_err());

    let mails = sink.wait_for(2).await;
    let mut to: Vec<&str> = mails.iter().flat_map(|mail| mail.to.iter().map(String::as_str)).collect();
    to.sort();
    assert_eq!(to, ["alice@acme.example", "bob@acme.example"], "each admin of that company, nobody else");
    for mail in &mails {
        // The body as written, whatever transfer encoding lettre chose (quoted-printable's soft
        // line breaks and escapes undone).
        let text = mail.data.replace("=\n", "").replace("=3D", "=");
        assert!(text.contains("Acme Returns") && text.contains("Invalid Refresh Token"), "{text}");
        assert!(text.contains(&format!("{}reverse-logistics", app.base)), "a link to the product's page: {text}");
    }
    // Once per incident: nothing more arrives.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(receiver.received().len(), 2);
    assert_eq!(sink.mails().len(), 2);
    let activity = browser.server_fn("company_activity", &[("company", &acme.to_string())]).await;
    assert!(activity.body.contains("webhook_delivered") && activity.body.contains("email_sent"), "{}", activity.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_is_down_for_a_while_gets_the_event_once_it_is_back() {
    let app = spawn_app_with(quick).await;
    let receiver = WebhookReceiver::start(2).await;
    let secret = register(&app, IRL, &receiver);
    let company = app.company("Acme").await;
    app.seed_grant(company, IRL).await;

    let received = receiver.wait_for(3).await;
    assert_eq!(received.len(), 3, "two failures, then delivered");
    let ids: Vec<&str> = received.iter().map(|request| request.headers["webhook-id"].to_str().unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "every attempt carries the same event id: {ids:?}");
    for request in &received {
        verify(&secret, request).expect("every attempt is signed");
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(receiver.received().len(), 3, "nothing is sent again once delivered");
    let actions: Vec<String> =
        app.column("SELECT action FROM audit_log WHERE action LIKE 'webhook%' ORDER BY id", &[]).await;
    assert_eq!(actions, ["webhook_failed", "webhook_failed", "webhook_delivered"], "each attempt is in the Activity");

    // A rotated secret: for a day, deliveries are signed with both, so receivers can switch over.
    let (ok, rotated, error) = app.cli(&["webhook", "rotate-secret", "1"]);
    assert!(ok, "{rotated} {error}");
    let new_secret = rotated.split("(shown once): ").nth(1).unwrap().split('.').next().unwrap().trim().to_owned();
    assert_ne!(new_secret, secret);
    app.seed_grant(company, IRL).await;
    let after = &receiver.wait_for(4).await[3];
    verify(&secret, after).expect("the old secret still verifies");
    verify(&new_secret, after).expect("the new secret verifies");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_is_told_once_as_degraded_and_once_as_recovered() {
    use axum::{routing::post, Json, Router};
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    let down = Arc::new(AtomicBool::new(true));
    let provider = Router::new().route(
        "/security/v1/oauth/refresh",
        post({
            let down = down.clone();
            move || async move {
                if down.load(Ordering::SeqCst) {
                    return Err((axum::http::StatusCode::SERVICE_UNAVAILABLE, "maintenance"));
                }
                Ok(Json(serde_json::json!({
                    "token_type": "Bearer", "access_token": "recovered", "refresh_token": "r2",
                    "expires_in": "3600", "refresh_token_expires_in": "5183999", "status": "approved",
                })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/security", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, provider).await });
    let app = spawn_app_with_provider_and(&base, quick).await;
    let receiver = WebhookReceiver::start(0).await;
    register(&app, IRL, &receiver);
    let company = app.company("Acme").await;
    app.seed_grant(company, IRL).await;
    let key = app.api_key(IRL).await;
    app.expire_token(company, IRL).await;
    let id = company.to_string();
    let ask = || app.token_api(&key, &id, IRL.slug());
    let retry_now = || async { app.execute("UPDATE authorizations SET retry_at = $1", &[unix_now() - 1]).await };

    // Three failed refreshes in one outage.
    for _ in 0..3 {
        assert_eq!(ask().await.0, StatusCode::SERVICE_UNAVAILABLE);
        retry_now().await;
    }
    down.store(false, Ordering::SeqCst);
    assert_eq!(ask().await.0, StatusCode::OK);
    let received = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        kinds(&receiver.received()),
        ["authorization.authorized", "authorization.refresh_degraded", "authorization.refresh_recovered"],
        "{received:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_deliver_each_event_once() {
    let first = spawn_app_with(quick).await;
    let second = first.restarted_with(quick).await;
    let receiver = WebhookReceiver::start(0).await;
    register(&first, IRL, &receiver);
    for n in 0..20 {
        let company = first.company(&format!("Company {n}")).await;
        first.seed_grant(company, IRL).await;
    }
    let received = receiver.wait_for(20).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut seen = HashMap::<String, usize>::new();
    for request in receiver.received() {
        *seen.entry(request.headers["webhook-id"].to_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(seen.len(), 20, "{received:?}");
    assert!(seen.values().all(|count| *count == 1), "each event once: {seen:?}");
    drop(second);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_recorded_before_a_kill_9_is_delivered_after_the_restart() {
    use common::service::Service;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.database = dir.path().join("optin.db");
    settings.secret_key_file = dir.path().join("secret.key");
    let core = server::startup::open_admin_core(&settings).await.unwrap();
    let company = optin_core::companies::create_company(&core, "Acme").await.unwrap();
    let user = optin_core::accounts::create_user(
        &core,
        "alice",
        "Alice",
        optin_core::secret::SecretString::new(common::PASSWORD),
    )
    .await
    .unwrap();
    optin_core::companies::add_admin(&core, user, company).await.unwrap();
    // The receiver's address is known, but nothing listens there yet.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = reserved.local_addr().unwrap();
    drop(reserved);
    optin_core::webhooks::add(&core, IRL, &format!("http://{address}/hooks")).await.unwrap();
    core.store.close().await;

    let quick = [("OPTIN_WEBHOOKS__POLL_MILLIS", "100"), ("OPTIN_WEBHOOKS__RETRY_BASE_SECS", "1")];
    let service = Service::start(dir.path(), &quick);
    let browser = common::Browser::at(service.base.clone()).signed_in("alice").await;
    browser.opt_in(IRL, company).await;
    service.kill_9();

    let receiver = WebhookReceiver::serve(tokio::net::TcpListener::bind(address).await.unwrap(), 0);
    let restarted = Service::start(dir.path(), &quick);
    assert_eq!(kinds(&receiver.wait_for(1).await), ["authorization.authorized"], "delivered after the restart");
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(receiver.received().len(), 1);
    restarted.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_from_the_settings_file_is_kept_as_configured() {
    let receiver = WebhookReceiver::start(0).await;
    let secret = format!("whsec_{}", "c2VjcmV0LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVzISE=");
    let configured = server::settings::ConfiguredEndpoint {
        product: IRL.slug().into(),
        url: receiver.url.clone(),
        secret: optin_core::secret::SecretString::new(secret.clone()),
    };
    let app = spawn_app_with({
        let configured = configured.clone();
        move |settings| {
            quick(settings);
            settings.webhooks.endpoints = vec![configured];
        }
    })
    .await;
    let company = app.company("Acme").await;
    app.seed_grant(company, IRL).await;
    verify(&secret, &receiver.wait_for(1).await[0]).expect("signed with the configured secret");
    // Started again with the same settings: still one endpoint, not two.
    let _again = app.restarted_with(move |settings| settings.webhooks.endpoints = vec![configured]).await;
    let (_, listed, _) = app.cli(&["webhook", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
}

#[tokio::test]
async fn the_openapi_document_describes_every_webhook_event() {
    let app = spawn_app_with(|_| {}).await;
    let document: serde_json::Value =
        reqwest::get(app.base.join("/api/v1/openapi.json").unwrap()).await.unwrap().json().await.unwrap();
    let schema = &document["components"]["schemas"]["WebhookEvent"];
    let documented: Vec<&str> =
        schema["properties"]["type"]["enum"].as_array().unwrap().iter().map(|kind| kind.as_str().unwrap()).collect();
    let sent: Vec<&str> = optin_core::events::EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(documented, sent);
    let mut fields: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["company", "company_name", "id", "occurred_at", "product", "reason", "status", "type"]);
    assert!(document["x-webhooks"]["authorizationChanged"]["post"].is_object());
}
