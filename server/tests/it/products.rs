//! The three products side by side: independent authorizations, each product's own return page,
//! the Token Manager history, and two companies whose admins cannot reach each other's data.

use crate::common;

use common::{spawn_app, TestApp};
use model::Product;
use reqwest::StatusCode;
use serde_json::Value;

const IRL: Product = Product::ReverseLogistics;
const IPM: Product = Product::PickupManager;
const IDM: Product = Product::DataManagement;

async fn history(browser: &common::Browser, company: &str, page: &str) -> (StatusCode, Value) {
    let response = browser
        .server_fn("token_history", &[("product", "data-management"), ("company", company), ("page", page)])
        .await;
    (response.status, serde_json::from_str(&response.body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_product_has_its_own_authorization_and_return_page() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;

    assert_eq!(
        browser.opt_in(IPM, company).await,
        format!("/pickup-manager/settings?company={company}&outcome=authorized")
    );
    assert_eq!(app.status(company, IPM).await.as_deref(), Some("authorized"));
    assert_eq!(app.status(company, IRL).await, None);
    assert_eq!(app.status(company, IDM).await, None);

    assert_eq!(
        browser.opt_in(IDM, company).await,
        format!("/data-management/admin?company={company}&outcome=authorized")
    );
    let cleared =
        browser.server_fn("opt_out", &[("product", "data-management"), ("company", &company.to_string())]).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(app.status(company, IDM).await.as_deref(), Some("revoked"));
    assert_eq!(app.status(company, IPM).await.as_deref(), Some("authorized"), "clearing one product leaves the others");
    assert_eq!(app.tokens(company, IPM).await, vec![("active".into(), true, true)]);

    let audit = app.text_pairs("SELECT product, action FROM audit_log WHERE action IN ('cleared', 'opted_out')").await;
    assert_eq!(audit, vec![("data-management".into(), "cleared".into())]);

    for (path, text) in [
        ("/pickup-manager", "UPS API authorization"),
        ("/pickup-manager/settings", "Settings"),
        ("/data-management", "UPS data access"),
        ("/data-management/admin", "Token Manager"),
        ("/", "Authorize your applications"),
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(text), "{path} shows {text}");
    }
}

#[tokio::test]
async fn the_token_history_lists_metadata_newest_first_in_pages_and_never_a_token() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let id = company.to_string();

    let (status, empty) = history(&browser, &id, "1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["total"], 0);

    for _ in 0..12 {
        browser.opt_in(IDM, company).await;
    }
    let (_, first) = history(&browser, &id, "1").await;
    assert_eq!(
        (first["total"].as_u64(), first["pages"].as_u64(), first["page"].as_u64()),
        (Some(12), Some(2), Some(1))
    );
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0]["status"], "Active");
    assert!(rows[1..].iter().all(|row| row["status"] == "Replaced"));
    let issued: Vec<i64> = rows.iter().map(|row| row["issued_at"].as_i64().unwrap()).collect();
    assert!(issued.windows(2).all(|pair| pair[0] >= pair[1]), "newest first");
    assert!(rows.iter().all(|row| row["fingerprint"].as_str().unwrap().len() == 12));
    assert!(!first.to_string().to_lowercase().contains("token\":"), "no token field: {first}");

    let (_, second) = history(&browser, &id, "2").await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 2);
    let (_, beyond) = history(&browser, &id, "99").await;
    assert_eq!(beyond["page"], 2, "a page past the end shows the last page");

    browser.server_fn("opt_out", &[("product", "data-management"), ("company", &id)]).await;
    let (_, after) = history(&browser, &id, "1").await;
    assert_eq!(after["rows"][0]["status"], "Cleared");
    assert_eq!(
        app.tokens(company, IDM).await.iter().filter(|(_, access, refresh)| *access || *refresh).count(),
        0,
        "no secret survives Clear"
    );
}

async fn two_companies() -> (TestApp, model::CompanyId, model::CompanyId) {
    let app = spawn_app().await;
    let alpha = app.company("Alpha Co").await;
    let beta = app.company("Beta Co").await;
    app.admin("alice", &[alpha]).await;
    app.admin("bob", &[beta]).await;
    (app, alpha, beta)
}

#[tokio::test]
async fn two_admins_of_two_companies_cannot_see_or_change_each_other() {
    let (app, alpha, beta) = two_companies().await;
    let alice = app.browser().signed_in("alice").await;
    let bob = app.browser().signed_in("bob").await;
    for product in Product::ALL {
        alice.opt_in(product, alpha).await;
        bob.opt_in(product, beta).await;
    }

    for (intruder, victim, victim_name) in [(&alice, beta, "Beta Co"), (&bob, alpha, "Alpha Co")] {
        let id = victim.to_string();
        for product in Product::ALL {
            let slug = product.slug();
            let overview = intruder.server_fn("load_overview", &[("product", slug), ("company", &id)]).await;
            assert_eq!(overview.status, StatusCode::FORBIDDEN, "{slug}");
            let own = intruder.server_fn("load_overview", &[("product", slug)]).await;
            assert!(!own.body.contains(victim_name), "{slug}: {}", own.body);
            let opt_out = intruder.server_fn("opt_out", &[("product", slug), ("company", &id)]).await;
            assert_eq!(opt_out.status, StatusCode::FORBIDDEN, "{slug}");
            let start = intruder.post_form(&format!("/oauth/{slug}/start"), &[("company", &id)]).await;
            assert_eq!(start.status, StatusCode::FORBIDDEN, "{slug}");
            let page = intruder.get(&format!("{}?company={id}", product.authorization_path())).await;
            assert!(page.body.contains("not allowed to manage this company"), "{slug}");
            assert!(!page.body.contains(victim_name), "{slug}");
        }
        let (status, _) = history(intruder, &id, "1").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    for product in Product::ALL {
        assert_eq!(app.status(alpha, product).await.as_deref(), Some("authorized"));
        assert_eq!(app.status(beta, product).await.as_deref(), Some("authorized"));
    }
}

#[tokio::test]
async fn an_admin_of_several_companies_sees_them_all_with_their_status() {
    let app = spawn_app().await;
    let alpha = app.company("Alpha Co").await;
    let beta = app.company("Beta Co").await;
    app.admin("carol", &[alpha, beta]).await;
    let carol = app.browser().signed_in("carol").await;
    carol.opt_in(IPM, beta).await;

    let overview =
        carol.server_fn("load_overview", &[("product", "pickup-manager"), ("company", &beta.to_string())]).await;
    let overview: Value = serde_json::from_str(&overview.body).unwrap();
    let companies: Vec<(String, String)> = overview["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["company"]["name"].as_str().unwrap().into(), entry["status"].as_str().unwrap().into()))
        .collect();
    assert_eq!(companies, vec![("Alpha Co".into(), "NotAuthorized".into()), ("Beta Co".into(), "Authorized".into())]);
    assert_eq!(overview["selected"]["company"]["name"], "Beta Co");
}
