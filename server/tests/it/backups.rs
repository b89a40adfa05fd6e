//! Backups as an operator takes them: `server backup FILE` while the service refreshes tokens,
//! then a service started on the copy (the restore) serves every company's token. On PostgreSQL
//! the command says to use pg_dump instead.

use crate::common;

use common::{spawn_app_with, unix_now};
use model::Product;
use reqwest::StatusCode;
use std::time::Duration;

const IDM: Product = Product::DataManagement;

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_during_refreshes_restores_and_serves_every_token() {
    let app = spawn_app_with(|settings| {
        settings.refresh_worker = true;
        settings.refresh_interval_secs = 1;
        // Tokens that live 4 s: the worker refreshes one every few seconds while the backup runs.
        settings.sandbox.access_token_lifetime_secs = 4;
    })
    .await;
    let backup = app.data.join("backup.db");
    let backup_path = backup.to_str().unwrap();
    if app.database_url.is_some() {
        let (ok, said, error) = app.cli(&["backup", backup_path]);
        assert!(!ok && error.contains("pg_dump"), "{said} {error}");
        return;
    }
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
    let (ok, said, error) = app.cli(&["backup", backup_path]);
    assert!(ok, "{said} {error}");
    assert!(said.contains("Backed up the database"), "{said}");
    let (ok, _, error) = app.cli(&["backup", backup_path]);
    assert!(!ok && error.contains("exists already"), "an existing file is never overwritten: {error}");

    // The restore: a service started on the copy, with the same key ring.
    let restored = app
        .restarted_with(|settings| {
            settings.database = backup.clone();
            settings.refresh_worker = true;
            settings.refresh_interval_secs = 1;
            settings.sandbox.access_token_lifetime_secs = 4;
        })
        .await;
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
