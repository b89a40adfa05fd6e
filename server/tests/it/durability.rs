//! Stopping the service in the middle of refreshes, as service managers and crashes do: the real
//! binary, the built-in sandbox as UPS (its refresh tokens rotate), sandbox tokens that live three
//! seconds so refreshes run all the time, stopped ten times at random moments and started again
//! on the same database.
//! - SIGTERM: the refreshes under way store UPS's answers before the process exits; nothing lost.
//! - kill -9: at most the refreshes whose answer was in flight at that instant are lost, and each
//!   says it was interrupted instead of blaming a UPS.com password change.

use crate::common;

use common::service::Service;
use common::{Browser, PASSWORD};
use model::Product;
use optin_core::{
    accounts::create_user,
    api_keys,
    companies::{add_admin, create_company},
    secret::SecretString,
};
use rand::Rng;
use reqwest::StatusCode;
use std::{collections::BTreeSet, time::Duration};

/// Sandbox tokens live three seconds, so refreshes run all the time.
const FAST_REFRESHES: [(&str, &str); 3] = [
    ("OPTIN_REFRESH_INTERVAL_SECS", "1"),
    ("OPTIN_SHUTDOWN_GRACE_SECS", "15"),
    ("OPTIN_SANDBOX__ACCESS_TOKEN_LIFETIME_SECS", "3"),
];

const COMPANIES: usize = 20;
const ROUNDS: usize = 10;

struct Fixture {
    dir: tempfile::TempDir,
    /// One token API key per product.
    keys: Vec<(Product, String)>,
    companies: Vec<i64>,
}

/// A database with `COMPANIES` companies, an admin of all of them, and an API key per product;
/// then every company opts in to every product through the sandbox, over HTTP.
async fn opted_in() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = server::settings::Settings::default();
    settings.database = dir.path().join("optin.db");
    settings.secret_key_file = dir.path().join("secret.key");
    let core = server::startup::open_admin_core(&settings).await.expect("database");
    let admin = create_user(&core, "ops", "Ops", SecretString::new(PASSWORD)).await.expect("admin");
    let mut companies = Vec::new();
    for n in 0..COMPANIES {
        let company = create_company(&core, &format!("Company {n}")).await.expect("company");
        add_admin(&core, admin, company).await.expect("membership");
        companies.push(company);
    }
    let mut keys = Vec::new();
    for product in Product::ALL {
        let (_, key) = api_keys::create(&core, product, "durability", &[]).await.expect("API key");
        keys.push((product, key.expose().to_owned()));
    }
    optin_core::operations::close(&core).await;

    let service = Service::start(dir.path(), &FAST_REFRESHES);
    let browser = Browser::at(service.base.clone()).signed_in("ops").await;
    for company in &companies {
        for product in Product::ALL {
            browser.opt_in(product, *company).await;
        }
    }
    service.terminate();
    Fixture { dir, keys, companies: companies.iter().map(|company| company.get()).collect() }
}

/// Starts and stops the service `ROUNDS` times, each time at a random moment 0.5 to 2.5 s in:
/// with three-second tokens, refreshes are under way most of that time. Returns the
/// authorizations ("company/product") whose refresh was recorded as under way when the service
/// stopped: a refresh asks UPS only after that record commits, so nothing else can be lost.
async fn stop_repeatedly(fixture: &Fixture, stop: fn(Service)) -> BTreeSet<String> {
    let mut under_way = BTreeSet::new();
    for round in 0..ROUNDS {
        let service = Service::start(fixture.dir.path(), &FAST_REFRESHES);
        let pause = rand::thread_rng().gen_range(500..2_500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        stop(service);
        let db = common::test_pool(&fixture.dir.path().join("optin.db")).await;
        let stopped: Vec<(i64, String)> =
            sqlx::query_as("SELECT company_id, product FROM authorizations WHERE refresh_started_at IS NOT NULL")
                .fetch_all(&db)
                .await
                .expect("refreshes under way");
        db.close().await;
        println!("stop {round}: {} refreshes under way", stopped.len());
        under_way.extend(stopped.into_iter().map(|(company, product)| format!("{company}/{product}")));
    }
    under_way
}

/// Refreshes stored so far.
async fn refreshes(fixture: &Fixture) -> i64 {
    let db = common::test_pool(&fixture.dir.path().join("optin.db")).await;
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'refreshed'")
        .fetch_one(&db)
        .await
        .expect("count");
    db.close().await;
    count
}

/// After the stops: the authorizations that serve a token, and those that do not ("company/product")
/// with the reason each gives.
async fn outcome(fixture: &Fixture) -> (usize, Vec<(String, String)>) {
    let service = Service::start(fixture.dir.path(), &FAST_REFRESHES);
    let http = reqwest::Client::new();
    let mut serving = 0;
    let mut lost = Vec::new();
    for company in &fixture.companies {
        for (product, key) in &fixture.keys {
            let url = service.base.join(&format!("/api/v1/companies/{company}/products/{}/token", product.slug()));
            let response = http.get(url.unwrap()).bearer_auth(key).send().await.expect("the token API answers");
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            match status {
                StatusCode::OK => serving += 1,
                _ => {
                    assert_eq!(body["error"], "reauthorization_required", "{status} {body}");
                    lost.push(format!("{company}/{}", product.slug()));
                }
            }
        }
    }
    service.terminate();
    let db = common::test_pool(&fixture.dir.path().join("optin.db")).await;
    let reasons: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT company_id, product, status_reason FROM authorizations WHERE status = 'reauthorization_required'",
    )
    .fetch_all(&db)
    .await
    .expect("reasons");
    db.close().await;
    let reasons: Vec<(String, String)> =
        reasons.into_iter().map(|(company, product, reason)| (format!("{company}/{product}"), reason)).collect();
    let named: BTreeSet<&String> = reasons.iter().map(|(authorization, _)| authorization).collect();
    assert_eq!(named, lost.iter().collect(), "the token API and the stored statuses disagree");
    (serving, reasons)
}

/// What `ROUNDS` stops did.
struct Stopped {
    serving: usize,
    /// The authorizations that no longer serve a token ("company/product"), with their reasons.
    lost: Vec<(String, String)>,
    /// The authorizations whose refresh was recorded as under way at one of the stops.
    under_way: BTreeSet<String>,
}

/// Opts in, stops the service `ROUNDS` times with `stop`, and reports what was lost.
async fn stopped_repeatedly(how: &str, stop: fn(Service)) -> Stopped {
    let fixture = opted_in().await;
    let before = refreshes(&fixture).await;
    let under_way = stop_repeatedly(&fixture, stop).await;
    let refreshed = refreshes(&fixture).await - before;
    let (serving, lost) = outcome(&fixture).await;
    println!("{how} ×{ROUNDS}: {refreshed} refreshes, {serving} serving, {} lost", lost.len());
    assert!(refreshed >= (COMPANIES * ROUNDS) as i64, "refreshes ran while the service was stopped: {refreshed}");
    Stopped { serving, lost, under_way }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_refreshes_loses_no_authorization() {
    let stopped = stopped_repeatedly("SIGTERM", Service::terminate).await;
    assert_eq!(stopped.lost, Vec::new(), "SIGTERM lost authorizations");
    assert_eq!(stopped.serving, COMPANIES * Product::ALL.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_refreshes_loses_at_most_what_was_in_flight_and_says_so() {
    let stopped = stopped_repeatedly("kill -9", Service::kill_9).await;
    for (authorization, reason) in &stopped.lost {
        assert_eq!(reason, "refresh_interrupted", "{authorization} blames something else");
        assert!(
            stopped.under_way.contains(authorization),
            "{authorization} was lost without a refresh under way when the service was killed: {reason}"
        );
    }
    // Of the refreshes under way, only those whose answer UPS had sent and the service had not
    // yet stored are lost: storing an answer goes ahead of starting more refreshes.
    assert!(
        stopped.lost.len() <= ROUNDS,
        "{} authorizations lost in {ROUNDS} kills: {:?}",
        stopped.lost.len(),
        stopped.lost
    );
}
