//! Retention, as an admin and a product's backend see it: the Token Manager's history and the
//! company's Activity lose what is older than they keep, in the background, while the active
//! token keeps being served.

use crate::common;

use common::spawn_app_with;
use model::Product;
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    ops::AsyncFnMut,
    time::{Duration, Instant},
};

const IDM: Product = Product::DataManagement;

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(10), "{what} within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn old_history_and_activity_are_pruned_and_the_active_token_stays() {
    let app = spawn_app_with(|settings| {
        settings.retention.enabled = true;
        settings.retention.interval_secs = 1;
        settings.retention.token_history_per_authorization = 2;
        settings.retention.audit_days = 30;
    })
    .await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    browser.opt_in(IDM, company).await;
    let key = app.api_key(IDM).await;
    for _ in 0..4 {
        app.expire_token(company, IDM).await;
        let (status, body) = app.token_api(&key, &company.to_string(), IDM.slug()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let company_id = company.to_string();
    let history = async || {
        let page = browser
            .server_fn("token_history", &[("product", IDM.slug()), ("company", &company_id), ("page", "1")])
            .await;
        serde_json::from_str::<Value>(&page.body).unwrap_or(Value::Null)
    };

    // Five tokens were issued: the active one and the two newest retired ones stay.
    eventually("the grid keeps three tokens", async || history().await["total"] == 3).await;
    let rows = history().await;
    let statuses: Vec<&str> =
        rows["rows"].as_array().unwrap().iter().map(|row| row["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["Active", "Refreshed", "Refreshed"], "{rows}");

    // The opt-in's entry, made to look 40 days old, leaves the Activity; the refreshes stay.
    let activity = async || browser.server_fn("company_activity", &[("company", &company_id)]).await.body;
    assert!(activity().await.contains("\"authorized\""));
    app.execute("UPDATE audit_log SET at = at - 40 * 86400 WHERE action = 'authorized'", &[]).await;
    eventually("the old entry is pruned", async || !activity().await.contains("\"authorized\"")).await;
    assert!(activity().await.contains("\"refreshed\""));

    let (status, body) = app.token_api(&key, &company.to_string(), IDM.slug()).await;
    assert_eq!(status, StatusCode::OK, "the active token is served: {body}");
}
