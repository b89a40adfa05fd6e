//! No secret leaves the server where it should not: a whole run of the real binary (sign-in, an
//! opt-in through the sandbox, every admin page, the token API, the widget, a consent link, a
//! refresh, a wrong password), with every response body and every log line scanned for every
//! secret involved.
//! Tokens appear only in the token API's own answers; keys and passwords nowhere.

use crate::common;

use common::{service::Service, Browser, PASSWORD, SANDBOX_PASSWORD};
use model::Product;
use optin_core::{
    accounts::create_user,
    api_keys,
    companies::{add_admin, create_company},
    secret::SecretString,
    store::Lookup,
};
use reqwest::StatusCode;
use std::time::Duration;

const PRODUCT: Product = Product::DataManagement;

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_run_shows_no_secret_in_any_page_or_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = server::settings::Settings::default();
    settings.database = dir.path().join("optin.db");
    settings.secret_key_file = dir.path().join("secret.key");
    let database_url = common::database_of_this_pass().await;
    settings.database_url = database_url.clone().map(SecretString::new);
    let admin_core = server::startup::open_admin_core(&settings).await.unwrap();
    let company = create_company(&admin_core, "Acme").await.unwrap();
    let user = create_user(&admin_core, "alice", "Alice", SecretString::new(PASSWORD)).await.unwrap();
    add_admin(&admin_core, user, company).await.unwrap();
    let api_key = api_keys::create(&admin_core, PRODUCT, "scan", &[]).await.unwrap().1.expose().to_owned();
    admin_core.store.close().await;

    let mut extra = vec![
        ("OPTIN_EMBED__DATA_MANAGEMENT__ALLOWED_ORIGINS", r#"["https://portal.example.com"]"#),
        ("RUST_LOG", "debug"),
    ];
    extra.extend(database_url.as_deref().map(|url| ("OPTIN_DATABASE_URL", url)));
    let service = Service::start(dir.path(), &extra);
    let browser = Browser::at(service.base.clone());
    let mut pages = Vec::new();
    assert_eq!(browser.sign_in("alice", "not the password").await.status, StatusCode::UNAUTHORIZED);
    let browser = browser.signed_in("alice").await;
    let authorize = browser.start_opt_in(PRODUCT, company).await;
    let callback = browser.consent(&authorize, common::SANDBOX_USER, SANDBOX_PASSWORD).await;
    let query: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    pages.push(browser.get(callback.as_str()).await.body);
    for path in ["/", "/data-management", "/data-management/admin", "/reverse-logistics", "/pickup-manager/settings"] {
        pages.push(browser.get(path).await.body);
    }
    let company_field = company.to_string();
    for (function, form) in [
        ("load_overview", vec![("product", PRODUCT.slug())]),
        ("token_history", vec![("product", PRODUCT.slug()), ("company", company_field.as_str()), ("page", "1")]),
        ("company_activity", vec![("company", company_field.as_str())]),
    ] {
        pages.push(browser.server_fn(function, &form).await.body);
    }

    // The product's backend: a token, a refresh (the stored token made due), the widget.
    let http = reqwest::Client::new();
    let token_url =
        service.base.join(&format!("/api/v1/companies/{company}/products/{}/token", PRODUCT.slug())).unwrap();
    let token = |url: url::Url| http.get(url).bearer_auth(&api_key).send();
    let first: serde_json::Value = token(token_url.clone()).await.unwrap().json().await.unwrap();
    let db = common::TestDb::open(database_url.as_deref(), &dir.path().join("optin.db")).await;
    db.execute("UPDATE oauth_tokens SET expires_at = $1 WHERE status = 'active'", &[common::unix_now() - 1]).await;
    // Written by another process: the service sees it once what it keeps in memory is too old.
    tokio::time::sleep(optin_core::CACHE_TTL + Duration::from_millis(100)).await;
    let second: serde_json::Value = token(token_url).await.unwrap().json().await.unwrap();
    assert_ne!(first["access_token"], second["access_token"], "refreshed: {second}");
    let (session, widget) = browser.open_widget(&api_key, company).await;
    let widget_key = widget.body.split(r#"name="key" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    let grid = browser.server_fn("embed_token_history", &[("key", widget_key.as_str()), ("page", "1")]).await;
    pages.push(grid.body);

    // A consent link: its page opened by someone with no session (their page, which holds it, is
    // theirs), a post from another site refused and logged, and a longer path under it looked
    // for. Only the link's holder may see it: not the logs, the pending list or the Activity.
    let links = service.base.join(&format!("/api/v1/companies/{company}/consent-links")).unwrap();
    let recipient = serde_json::json!({ "recipient": "shipper@acme.example", "send_email": false });
    let made: serde_json::Value =
        http.post(links).bearer_auth(&api_key).json(&recipient).send().await.unwrap().json().await.unwrap();
    let link = made["url"].as_str().expect("the link, handed back").to_owned();
    let holder = Browser::at(service.base.clone());
    assert_eq!(holder.get(&link).await.status, StatusCode::OK);
    let forged = holder.send_with(holder.http.post(&link).header("origin", "https://evil.example")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    holder.get(&format!("{link}/more")).await;
    let listing = [("product", PRODUCT.slug()), ("company", company_field.as_str())];
    pages.push(browser.server_fn("pending_consent_links", &listing).await.body);
    pages.push(browser.server_fn("company_activity", &[("company", company_field.as_str())]).await.body);

    // Every secret of the run, the stored refresh token opened with the service's own key.
    let core = server::startup::open_admin_core(&settings).await.unwrap();
    let Lookup::Found(current) = core.store.current(company, PRODUCT).await.unwrap() else { panic!("not stored") };
    let refresh = core.store.refresh_token(&current).unwrap().expect("a refresh token").expose().to_owned();
    let key_file = std::fs::read_to_string(dir.path().join("secret.key")).unwrap();
    let mut secrets: Vec<(&str, String)> = vec![
        ("the admin's password", PASSWORD.into()),
        ("the sandbox password", SANDBOX_PASSWORD.into()),
        ("the session id", browser.cookie("__Host-optin_session").unwrap()),
        ("the API key", api_key.clone()),
        ("the first access token", first["access_token"].as_str().unwrap().into()),
        ("the refreshed access token", second["access_token"].as_str().unwrap().into()),
        ("the refresh token", refresh),
        ("the embed token", session["embed_token"].as_str().unwrap().into()),
        ("the widget key", widget_key),
        ("the client secret", format!("sandbox-secret-{}", PRODUCT.slug())),
        ("the consent link's token", link.rsplit('/').next().unwrap().to_owned()),
    ];
    secrets.extend(
        query.into_iter().map(|(name, value)| (if name == "code" { "the OAuth code" } else { "the state" }, value)),
    );
    for line in key_file.lines().filter(|line| !line.starts_with('#') && !line.is_empty()) {
        secrets.push(("the encryption key", line.to_owned()));
    }
    if let Some(url) = &database_url {
        let password = url::Url::parse(url).unwrap().password().expect("a database password").to_owned();
        secrets.push(("the database password", password));
    }

    let log = service.output();
    assert!(log.len() > 20, "the run logged: {log:?}");
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is too short to scan for");
        for line in &log {
            assert!(!line.contains(secret.as_str()), "{what} is in the log: {line}");
        }
        for page in &pages {
            assert!(!page.contains(secret.as_str()), "{what} is in a page: {page}");
        }
    }
    assert!(!log.iter().any(|line| line.contains("panicked")), "no panic in the run");
    service.terminate();
}
