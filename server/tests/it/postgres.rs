//! The service on PostgreSQL, driven as on SQLite: the lifecycle on one instance (sign-in, opt-in
//! through the sandbox, the token API, refreshes, a dead grant, the widget, webhooks, the token
//! grid, key rotation), then several instances on one database: an opt-in started on one and
//! finished on another, password guesses counted across instances, concurrent callers on both
//! sharing one refresh, a lease left by a killed
//! instance taken over, two workers splitting the due authorizations, and a revoked key refused
//! everywhere within a second. Each test has a database of its own in a throwaway cluster.

use crate::common;

use common::{
    postgres::fresh_database, receivers::WebhookReceiver, service::Service, spawn_app_with, Browser, TestApp, TestDb,
    SANDBOX_PASSWORD, SANDBOX_USER,
};
use model::Product;
use optin_core::secret::SecretString;
use reqwest::StatusCode;
use server::settings::Settings;
use std::{
    sync::{atomic::Ordering, Arc},
    time::{Duration, Instant},
};

const IRL: Product = Product::ReverseLogistics;
const IDM: Product = Product::DataManagement;

/// The service on a fresh PostgreSQL database, with `customize` applied.
async fn on_postgres(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let url = fresh_database().await;
    spawn_app_with(move |settings| {
        settings.database_url = Some(SecretString::new(url));
        customize(settings);
    })
    .await
}

fn pg(app: &TestApp) -> &sqlx::PgPool {
    match &app.db {
        TestDb::Postgres(pool) => pool,
        TestDb::Sqlite(_) => panic!("expected PostgreSQL"),
    }
}

#[tokio::test]
async fn the_lifecycle_runs_on_postgres() {
    let app = on_postgres(|settings| {
        settings.webhooks.worker = true;
        settings.webhooks.poll_millis = 100;
        settings.embed.data_management.allowed_origins = vec!["https://portal.example.com".into()];
    })
    .await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    // Sign-in names compare case-insensitively, as on SQLite.
    let browser = app.browser().signed_in("ALICE").await;
    let receiver = WebhookReceiver::start(0).await;
    let (ok, added, error) = app.cli(&["webhook", "add", IRL.slug(), &receiver.url]);
    assert!(ok, "{added} {error}");

    browser.opt_in(IRL, company).await;
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("authorized"));
    let key = app.api_key(IRL).await;
    let (status, first) = app.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    app.expire_token(company, IRL).await;
    let (status, second) = app.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(app.sandbox_refresh_tokens().await, 2);
    assert_eq!(app.tokens(company, IRL).await, [("refreshed".into(), false, false), ("active".into(), true, true)]);

    // A UPS.com password change kills the grant: re-authorization required, a webhook says so.
    server::sandbox::set_password(&app.core().store, SANDBOX_USER, SecretString::new("A-new-password-1"))
        .await
        .unwrap();
    app.expire_token(company, IRL).await;
    let (status, body) = app.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("reauthorization_required")));
    let hooks = receiver.wait_for(2).await;
    let kinds: Vec<String> = hooks.iter().map(|hook| hook.json()["type"].as_str().unwrap_or_default().into()).collect();
    assert_eq!(kinds, ["authorization.authorized", "authorization.reauthorization_required"], "{kinds:?}");
    let activity = browser.server_fn("company_activity", &[("company", &company.to_string())]).await;
    assert!(activity.body.contains("reauthorization_required"), "{}", activity.body);

    // Re-authorize, then opt out.
    let authorize = browser.start_opt_in(IRL, company).await;
    let callback = browser.consent(&authorize, SANDBOX_USER, "A-new-password-1").await;
    browser.get(callback.as_str()).await;
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("authorized"));
    let out = browser.server_fn("opt_out", &[("product", IRL.slug()), ("company", &company.to_string())]).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert_eq!(app.status(company, IRL).await.as_deref(), Some("revoked"));

    // Data Management's token grid, and the widget.
    let authorize = browser.start_opt_in(IDM, company).await;
    let callback = browser.consent(&authorize, SANDBOX_USER, "A-new-password-1").await;
    browser.get(callback.as_str()).await;
    let grid = browser
        .server_fn("token_history", &[("product", IDM.slug()), ("company", &company.to_string()), ("page", "1")])
        .await;
    assert_eq!(grid.status, StatusCode::OK, "{}", grid.body);
    assert!(grid.body.contains("\"total\":1"), "{}", grid.body);
    let widget_key = app.api_key(IDM).await;
    let (session, widget) = Browser::at(app.base.clone()).open_widget(&widget_key, company).await;
    assert!(widget.body.contains("Authorized"), "{session} {}", widget.body);

    // Key rotation re-seals every token in the database.
    let (ok, _, error) = app.cli(&["keys", "rotate"]);
    assert!(ok, "{error}");
    let (ok, rewrapped, error) = app.cli(&["keys", "rewrap"]);
    assert!(ok && rewrapped.contains("Re-sealed"), "{rewrapped} {error}");
}

#[tokio::test]
async fn with_tokens_shorter_than_the_promised_validity_fifty_callers_still_cause_one_refresh_on_postgres() {
    let app = on_postgres(|settings| settings.sandbox.access_token_lifetime_secs = 30).await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    app.browser().signed_in("alice").await.opt_in(IRL, company).await;
    let key = app.api_key(IRL).await;
    app.expire_token(company, IRL).await;
    let app = Arc::new(app);
    let tokens = concurrent_token_calls(&[app.clone()], &key, company, 50).await;
    assert_eq!(app.sandbox_refresh_tokens().await, 2, "exactly one refresh at the provider");
    assert!(tokens.iter().all(|token| token == &tokens[0]), "one token for all: {tokens:?}");
}

/// `count` token calls at once, spread over `instances`; the access tokens they got.
async fn concurrent_token_calls(
    instances: &[Arc<TestApp>],
    key: &str,
    company: model::CompanyId,
    count: usize,
) -> Vec<String> {
    let calls: Vec<_> = (0..count)
        .map(|index| {
            let (app, key) = (instances[index % instances.len()].clone(), key.to_owned());
            tokio::spawn(async move { app.token_api(&key, &company.to_string(), IRL.slug()).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(body["access_token"].as_str().unwrap().to_owned());
    }
    tokens
}

/// A second instance on `first`'s database and key file, reached at its own address but
/// configured with the same public URL (as behind one load balancer).
async fn second_instance(first: &TestApp, customize: impl FnOnce(&mut Settings)) -> TestApp {
    let public = first.base.clone();
    first
        .restarted_with(move |settings| {
            settings.public_base_url = Some(public);
            customize(settings);
        })
        .await
}

#[tokio::test]
async fn two_instances_share_sessions_opt_ins_refreshes_and_revocations() {
    let a = on_postgres(|_| {}).await;
    let b = second_instance(&a, |_| {}).await;
    let company = a.company("Acme").await;
    a.admin("alice", &[company]).await;

    // Signed in on A, the session works on B.
    let on_a = a.browser().signed_in("alice").await;
    let on_b = Browser::at(b.local.clone());
    on_b.set_cookie("__Host-optin_session", &on_a.cookie("__Host-optin_session").unwrap());
    let overview = on_b.server_fn("load_overview", &[("product", IRL.slug())]).await;
    assert!(overview.body.contains("Acme"), "{} {}", overview.status, overview.body);

    // Guesses are counted across instances: five wrong passwords on A, and B refuses the sixth.
    for _ in 0..5 {
        let guess = Browser::at(a.local.clone()).sign_in("alice", "wrong password").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED, "{}", guess.body);
    }
    let sixth = Browser::at(b.local.clone()).sign_in("alice", "wrong password").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS, "{}", sixth.body);

    // The opt-in starts on A; UPS's callback lands on B.
    let authorize = on_a.start_opt_in(IRL, company).await;
    let callback = on_a.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let mut on_b_callback = callback.clone();
    on_b_callback.set_port(b.local.port()).unwrap();
    let back = on_b.get(on_b_callback.as_str()).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(a.status(company, IRL).await.as_deref(), Some("authorized"));
    let replay = on_a.get(callback.as_str()).await;
    assert!(replay.location().contains("error=state-unknown"), "the state was used once: {}", replay.location());

    // 50 callers over A and B on an expired token: one refresh, one token.
    let key = a.api_key(IRL).await;
    a.expire_token(company, IRL).await;
    let (a, b) = (Arc::new(a), Arc::new(b));
    let tokens = concurrent_token_calls(&[a.clone(), b.clone()], &key, company, 50).await;
    assert_eq!(a.sandbox_refresh_tokens().await, 2, "exactly one refresh at the provider");
    assert!(tokens.iter().all(|token| token == &tokens[0]), "one token for all: {tokens:?}");

    // A key revoked on A is refused on B within a second (B has it in memory).
    let (status, _) = b.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(a.core().store.revoke_api_key(&key[..14]).await.unwrap());
    let revoked = Instant::now();
    loop {
        let (status, _) = b.token_api(&key, &company.to_string(), IRL.slug()).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(revoked.elapsed() < Duration::from_secs(1), "still {status} on B after 1 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_lease_left_by_a_killed_instance_is_taken_over_and_nothing_is_lost() {
    // A provider that accepts connections and never answers: the instance asking it holds its
    // lease until it is killed.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_base = format!("http://{}/security", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let (provider, calls) = common::counting_provider().await;
    let b = on_postgres(|settings| {
        common::with_provider(settings, &provider);
        settings.refresh_lease_secs = 2;
    })
    .await;
    let company = b.company("Acme").await;
    b.seed_grant(company, IRL).await;
    b.expire_token(company, IRL).await;
    let key = b.api_key(IRL).await;

    let url = b.database_url.clone().unwrap();
    let a = Service::start(
        &b.data,
        &[
            ("OPTIN_DATABASE_URL", url.as_str()),
            ("OPTIN_REFRESH_WORKER", "false"),
            ("OPTIN_REFRESH_LEASE_SECS", "2"),
            ("OPTIN_UPS__ENVIRONMENT", "custom"),
            ("OPTIN_UPS__BASE_URL", silent_base.as_str()),
            ("OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_ID", "client"),
            ("OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_SECRET", "secret"),
            ("OPTIN_UPS__PICKUP_MANAGER__CLIENT_ID", "client"),
            ("OPTIN_UPS__PICKUP_MANAGER__CLIENT_SECRET", "secret"),
            ("OPTIN_UPS__DATA_MANAGEMENT__CLIENT_ID", "client"),
            ("OPTIN_UPS__DATA_MANAGEMENT__CLIENT_SECRET", "secret"),
        ],
    );
    let on_a = a.base.join(&format!("/api/v1/companies/{company}/products/{}/token", IRL.slug())).unwrap();
    let waiting = tokio::spawn({
        let key = key.clone();
        async move { reqwest::Client::new().get(on_a).bearer_auth(key).send().await }
    });
    let leased = Instant::now();
    loop {
        let lease: Option<i64> =
            sqlx::query_scalar("SELECT refresh_lease_until FROM authorizations").fetch_one(pg(&b)).await.unwrap();
        if lease.is_some() {
            break;
        }
        assert!(leased.elapsed() < Duration::from_secs(10), "A never took the lease");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill_9();
    assert!(waiting.await.unwrap().is_err(), "A died with the call under way");

    let (status, body) = b.token_api(&key, &company.to_string(), IRL.slug()).await;
    assert_eq!((status, body["access_token"].as_str()), (StatusCode::OK, Some("access-0")), "{body}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "B refreshed once, after the lease ran out");
    assert_eq!(b.tokens(company, IRL).await, [("refreshed".into(), false, false), ("active".into(), true, true)]);
    assert_eq!(b.status(company, IRL).await.as_deref(), Some("authorized"));
}

#[tokio::test]
async fn two_workers_refresh_each_due_authorization_exactly_once() {
    let (provider, calls) = common::counting_provider().await;
    let workers = |settings: &mut Settings| {
        settings.refresh_worker = true;
        settings.refresh_interval_secs = 1;
    };
    let a = on_postgres(|settings| {
        common::with_provider(settings, &provider);
        workers(settings);
    })
    .await;
    let b = second_instance(&a, |settings| {
        common::with_provider(settings, &provider);
        workers(settings);
    })
    .await;
    const DUE: usize = 200;
    let mut companies = Vec::new();
    for index in 0..DUE {
        let company = a.company(&format!("Company {index}")).await;
        a.seed_grant(company, IRL).await;
        companies.push(company);
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for statement in [
        "UPDATE oauth_tokens SET expires_at = $1 WHERE status = 'active'",
        "UPDATE authorizations SET refresh_at = $1 WHERE status = 'authorized'",
    ] {
        sqlx::query(statement).bind(now).execute(pg(&a)).await.unwrap();
    }

    let started = Instant::now();
    loop {
        let refreshed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oauth_tokens WHERE status = 'refreshed'")
            .fetch_one(pg(&a))
            .await
            .unwrap();
        if refreshed as usize == DUE {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{refreshed} of {DUE} refreshed after 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both workers keep polling: nothing is refreshed a second time.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(calls.load(Ordering::SeqCst), DUE, "exactly one provider call each");
    for company in companies {
        assert_eq!(a.tokens(company, IRL).await, [("refreshed".into(), false, false), ("active".into(), true, true)]);
    }
    drop(b);
}
