//! Moving to PostgreSQL as an operator does, and back: a populated SQLite database (opt-ins with
//! token history, API keys limited to companies, a webhook endpoint with its secret, Activity, a
//! signed-in admin) copied with `server db copy --to postgres://…` while its service runs; a
//! service started on the copy serves the same tokens to the same keys, shows the same Activity,
//! keeps the admin signed in, signs webhooks with the same secret and numbers new rows after the
//! copied ones; a second copy into the same database is refused. Then PostgreSQL copied into a
//! new SQLite file, served the same way. (Run in the SQLite pass: it starts its own PostgreSQL.)

use crate::common;

use common::{
    app_code, postgres::fresh_database, receivers::WebhookReceiver, spawn_app_with, unix_now, Browser, TestApp,
    PASSWORD,
};
use model::{CompanyId, Product};
use optin_core::secret::SecretString;
use reqwest::StatusCode;
use server::settings::Settings;

const IRL: Product = Product::ReverseLogistics;
const IDM: Product = Product::DataManagement;

fn delivering(settings: &mut Settings) {
    settings.webhooks.worker = true;
    settings.webhooks.poll_millis = 100;
}

/// What a product's backend and an admin see of the service: each key's answer for each company
/// and product (tokens, and refusals), and each company's Activity.
struct Seen {
    tokens: Vec<(StatusCode, serde_json::Value)>,
    activity: Vec<String>,
}

async fn seen(app: &TestApp, keys: &[&str], companies: &[CompanyId], admin: &Browser) -> Seen {
    let mut tokens = Vec::new();
    for key in keys {
        for company in companies {
            for product in [IRL, IDM] {
                let (status, mut answer) = app.token_api(key, &company.to_string(), product.slug()).await;
                // Seconds left: the clock's, not the copy's.
                answer.as_object_mut().map(|fields| fields.remove("expires_in"));
                tokens.push((status, answer));
            }
        }
    }
    let mut activity = Vec::new();
    for company in companies {
        let page = admin.server_fn("company_activity", &[("company", &company.to_string())]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        activity.push(page.body);
    }
    Seen { tokens, activity }
}

/// The browser's session, carried to the service at `base` (the same cookie).
fn same_browser(browser: &Browser, base: &url::Url) -> Browser {
    let moved = Browser::at(base.clone());
    let session = browser.cookie("__Host-optin_session").expect("signed in");
    moved.set_cookie("__Host-optin_session", &session);
    moved
}

#[tokio::test(flavor = "multi_thread")]
async fn a_populated_sqlite_database_moves_to_postgres_and_back_with_nothing_lost() {
    let app = spawn_app_with(delivering).await;
    assert!(app.database_url.is_none(), "the source is the embedded SQLite");
    let acme = app.company("Acme").await;
    let globex = app.company("Globex").await;
    app.admin("alice", &[acme, globex]).await;
    let alice = app.browser().signed_in("alice").await;
    // Alice has an authenticator app: its sealed key moves with the rest, and opens there.
    let enrolment = alice.server_fn("begin_totp_enrolment", &[]).await;
    let key = serde_json::from_str::<serde_json::Value>(&enrolment.body).unwrap()["key"].as_str().unwrap().to_owned();
    let enrolled = unix_now();
    let confirmed = alice.server_fn("confirm_totp_enrolment", &[("code", &app_code(&key, enrolled))]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let receiver = WebhookReceiver::start(0).await;
    let (ok, added, error) = app.cli(&["webhook", "add", IRL.slug(), &receiver.url]);
    assert!(ok, "{added} {error}");
    let secret = added.split("(shown once): ").nth(1).expect("the signing secret is shown").trim().to_owned();

    alice.opt_in(IRL, acme).await;
    alice.opt_in(IRL, globex).await;
    alice.opt_in(IDM, acme).await;
    // Token history: Acme's Reverse Logistics token refreshed once, Globex's replaced by a new
    // consent.
    app.expire_token(acme, IRL).await;
    let every_company = app.api_key(IRL).await;
    let (status, refreshed) = app.token_api(&every_company, &acme.to_string(), IRL.slug()).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    alice.opt_in(IRL, globex).await;
    let acme_only = app.api_key_for(IRL, &[acme]).await;
    let data_management = app.api_key_for(IDM, &[acme, globex]).await;
    assert_eq!(receiver.wait_for(3).await.len(), 3, "the Reverse Logistics opt-ins' webhooks were delivered");
    let keys = [every_company.as_str(), acme_only.as_str(), data_management.as_str()];
    let before = seen(&app, &keys, &[acme, globex], &alice).await;
    assert_eq!(before.tokens.iter().filter(|(status, _)| *status == StatusCode::OK).count(), 4);
    assert_eq!(app.tokens(acme, IRL).await.len(), 2, "Acme's token history: refreshed, active");

    // The copy, while the service runs.
    let postgres = fresh_database().await;
    let (ok, said, error) = app.cli(&["db", "copy", "--to", &postgres]);
    assert!(ok, "{said} {error}");
    assert!(said.contains("oauth_tokens") && said.contains("sealed secret(s) open there"), "{said}");
    let password = url::Url::parse(&postgres).unwrap().password().expect("the cluster's password").to_owned();
    assert!(!said.contains(&password), "the password is never printed: {said}");
    let (ok, said, error) = app.cli(&["db", "copy", "--to", &postgres]);
    assert!(!ok, "a second copy into the same database is refused: {said}");
    assert!(error.contains("not empty"), "{error}");

    let on_postgres = app
        .restarted_with(|settings| {
            settings.database_url = Some(SecretString::new(postgres.clone()));
            delivering(settings);
        })
        .await;
    let alice_there = same_browser(&alice, &on_postgres.base);
    let laptop = Browser::at(on_postgres.base.clone());
    laptop.sign_in("alice", PASSWORD).await;
    let verified = laptop.server_fn("verify_second_factor", &[("code", &app_code(&key, enrolled + 30))]).await;
    assert!(verified.status.is_success() || verified.status.is_redirection(), "{}", verified.body);
    assert_eq!(laptop.server_fn("load_identity", &[]).await.status, StatusCode::OK, "her app's code signs in there");
    let after = seen(&on_postgres, &keys, &[acme, globex], &alice_there).await;
    assert_eq!(after.tokens, before.tokens, "the same tokens to the same keys, the same refusals");
    assert_eq!(after.activity, before.activity, "the same Activity");
    // New rows are numbered after the copied ones, and the webhook is signed with the same secret.
    let copied_events: i64 = on_postgres.column("SELECT MAX(id) FROM events", &[]).await[0];
    let out = alice_there.server_fn("opt_out", &[("product", IRL.slug()), ("company", &globex.to_string())]).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let newest_event: i64 = on_postgres.column("SELECT MAX(id) FROM events", &[]).await[0];
    assert_eq!(newest_event, copied_events + 1);
    let received = receiver.wait_for(4).await;
    let opted_out = received.last().expect("the opt-out's webhook");
    assert_eq!(opted_out.json()["type"], "authorization.opted_out");
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(opted_out.body.as_bytes(), &opted_out.headers)
        .expect("signed with the secret made on SQLite");
    let moved = seen(&on_postgres, &keys, &[acme, globex], &alice_there).await;

    // And back, into a new SQLite file.
    let back = on_postgres.data.join("back.db");
    let (ok, said, error) = on_postgres.cli(&["db", "copy", "--to", back.to_str().unwrap()]);
    assert!(ok, "{said} {error}");
    let on_sqlite = on_postgres
        .restarted_with(|settings| {
            settings.database_url = None;
            settings.database = back.clone();
        })
        .await;
    assert!(on_sqlite.database_url.is_none());
    let alice_back = same_browser(&alice, &on_sqlite.base);
    let returned = seen(&on_sqlite, &keys, &[acme, globex], &alice_back).await;
    assert_eq!(returned.tokens, moved.tokens, "the same tokens back on SQLite");
    assert_eq!(returned.activity, moved.activity, "the same Activity back on SQLite");
}

#[tokio::test]
async fn a_copy_into_a_database_with_rows_changes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let company = app.company("Source Co").await;
    app.admin("source.admin", &[company]).await;
    let target = spawn_app_with(|_| {}).await;
    target.company("Already Here").await;
    let target_file = target.data.join("optin.db");
    let (ok, said, error) = app.cli(&["db", "copy", "--to", target_file.to_str().unwrap()]);
    assert!(!ok, "{said}");
    assert!(error.contains("not empty (companies has rows)"), "{error}");
    let names: Vec<String> = target.column("SELECT name FROM companies", &[]).await;
    assert_eq!(names, ["Already Here"], "the target is as it was");
    let (ok, _, error) = app.cli(&["db", "copy", "--to", "mysql://somewhere/db"]);
    assert!(!ok && error.contains("expected postgres://"), "{error}");
}
