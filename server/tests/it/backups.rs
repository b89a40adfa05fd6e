//! Backups as an operator takes them, while the service refreshes tokens: on SQLite with
//! `server backup FILE`, on PostgreSQL with `pg_dump -Fc` (the command says so) restored by
//! `pg_restore` into a new database; then a service started on the copy (the restore) serves every
//! company's token.

use crate::common;

use common::{spawn_app_with, unix_now, TestApp};
use model::Product;
use reqwest::StatusCode;
use server::settings::Settings;
use std::time::Duration;

const IDM: Product = Product::DataManagement;

/// The worker on, and tokens that live 4 s: one is refreshed every few seconds, also while the
/// backup is taken.
fn busy(settings: &mut Settings) {
    settings.refresh_worker = true;
    settings.refresh_interval_secs = 1;
    settings.sandbox.access_token_lifetime_secs = 4;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_during_refreshes_restores_and_serves_every_token() {
    let app = spawn_app_with(busy).await;
    let mut companies = Vec::new();
    for n in 0..4 {
        let company = app.company(&format!("Backed Up {n}")).await;
        app.admin(&format!("backup.admin{n}"), &[company]).await;
        let browser = app.browser().signed_in(&format!("backup.admin{n}")).await;
        browser.opt_in(IDM, company).await;
        companies.push(company);
    }
    // Refreshes under way while the copy is taken.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let refreshed_before: i64 =
        app.column("SELECT COUNT(*) FROM oauth_tokens WHERE status = 'refreshed'", &[]).await[0];
    assert!(refreshed_before > 0, "the worker has been refreshing");
    let restored = match &app.database_url {
        None => restore_sqlite(&app).await,
        Some(url) => restore_postgres(&app, url).await,
    };
    let key = optin_core::api_keys::create(restored.core(), IDM, "restored", &[]).await.unwrap().1;
    for company in &companies {
        let url = restored.base.join(&format!("/api/v1/companies/{company}/products/{}/token", IDM.slug())).unwrap();
        let answer = reqwest::Client::new().get(url).bearer_auth(key.expose()).send().await.unwrap();
        let status = answer.status();
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "company {company}: {body}");
        assert!(body["expires_at"].as_i64().unwrap() > unix_now(), "{body}");
    }
}

/// `server backup` of the SQLite file, and a service started on the copy with the same key ring.
async fn restore_sqlite(app: &TestApp) -> TestApp {
    let backup = app.data.join("backup.db");
    let backup_path = backup.to_str().unwrap();
    let (ok, said, error) = app.cli(&["backup", backup_path]);
    assert!(ok, "{said} {error}");
    assert!(said.contains("Backed up the database"), "{said}");
    let (ok, _, error) = app.cli(&["backup", backup_path]);
    assert!(!ok && error.contains("exists already"), "an existing file is never overwritten: {error}");
    app.restarted_with(|settings| {
        settings.database = backup.clone();
        busy(settings);
    })
    .await
}

/// On PostgreSQL `server backup` points to pg_dump: `pg_dump -Fc` of the live database,
/// `pg_restore` into a new one, and a service started on that with the same key ring.
async fn restore_postgres(app: &TestApp, url: &str) -> TestApp {
    let dump = app.data.join("optin.dump");
    let (ok, said, error) = app.cli(&["backup", dump.to_str().unwrap()]);
    assert!(!ok && error.contains("pg_dump"), "{said} {error}");
    let run = |program: &str, args: &[&std::ffi::OsStr]| {
        let output = std::process::Command::new(program).args(args).output().expect("the PostgreSQL tools run");
        assert!(output.status.success(), "{program}: {}", String::from_utf8_lossy(&output.stderr));
    };
    run("pg_dump", &["-Fc".as_ref(), "-f".as_ref(), dump.as_os_str(), "-d".as_ref(), url.as_ref()]);
    let target = common::postgres::fresh_database().await;
    run(
        "pg_restore",
        &["--no-owner".as_ref(), "--exit-on-error".as_ref(), "-d".as_ref(), target.as_ref(), dump.as_os_str()],
    );
    app.restarted_with(|settings| {
        settings.database_url = Some(optin_core::secret::SecretString::new(target.clone()));
        busy(settings);
    })
    .await
}
