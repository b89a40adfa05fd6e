//! Consent links, driven as their people drive them: an admin makes one on the product page (or a
//! product's backend through the API, or an operator from the command line); someone with no
//! account here opens it in another browser and consents at the sandbox; the admin's page, the
//! Activity log and a webhook receiver hear of it. A link works once, for its product, in the
//! browser that went on to UPS with it, until it expires or is revoked.

use crate::common;

use common::{
    receivers::{SmtpSink, WebhookReceiver},
    spawn_app, spawn_app_with, Browser, TestApp, SANDBOX_PASSWORD, SANDBOX_USER,
};
use model::{CompanyId, Product};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const IRL: Product = Product::ReverseLogistics;

/// The link an admin's form made, from the page that shows it once.
async fn link_from_form(admin: &Browser, company: CompanyId, recipient: &str, message: &str) -> String {
    let page = admin
        .post_form(
            "/consent-links/reverse-logistics",
            &[("company", &company.to_string()), ("recipient", recipient), ("message", message)],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    assert!(page.body.contains("shown only this once"), "{}", page.body);
    let value = page.body.split(r#"id="consent-link""#).nth(1).expect("the link is shown");
    let value = value.split(r#"value=""#).nth(1).expect("in a field").split('"').next().unwrap();
    value.to_owned()
}

/// A link made through the API with `key` for `company`: (status, answer).
async fn api(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = app.base.join(path).unwrap();
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap_or_default())
}

async fn api_link(app: &TestApp, key: &str, company: CompanyId, body: Value) -> (StatusCode, Value) {
    api(app, key, reqwest::Method::POST, &format!("/api/v1/companies/{company}/consent-links"), Some(body)).await
}

/// `browser` goes on to UPS from the link's page: UPS's authorize URL.
async fn continue_to_ups(browser: &Browser, link: &str) -> url::Url {
    let page = browser.post_form(link, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    url::Url::parse(&page.location()).unwrap()
}

async fn pending(admin: &Browser, company: CompanyId) -> Vec<Value> {
    let page =
        admin.server_fn("pending_consent_links", &[("product", IRL.slug()), ("company", &company.to_string())]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    serde_json::from_str::<Vec<Value>>(&page.body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_with_no_account_here_consents_through_an_admins_link() {
    let app = spawn_app_with(|settings| {
        settings.webhooks.worker = true;
        settings.webhooks.poll_millis = 100;
    })
    .await;
    let receiver = WebhookReceiver::start(0).await;
    assert!(app.cli(&["webhook", "add", IRL.slug(), &receiver.url]).0);
    let acme = app.company("Acme Returns").await;
    app.admin("alice", &[acme]).await;
    let admin = app.browser().signed_in("alice").await;
    let link = link_from_form(&admin, acme, "shipper@acme.example", "Please approve <b>today</b>").await;
    assert!(link.contains("/consent/reverse-logistics/"), "{link}");

    // The recipient's browser: no session, no cookie of ours.
    let stranger = app.browser();
    let page = stranger.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for words in [
        "Authorize Intelligent Reverse Logistics for Acme Returns",
        "asks you to authorize UPS® Intelligent Reverse Logistics",
        "Please approve &lt;b&gt;today&lt;/b&gt;",
        "changing the password of the UPS.com user that opted in will invalidate any previous Opt-In",
        "What is OAuth 2.0?",
        "Continue to UPS.com",
    ] {
        assert!(page.body.contains(words), "{words:?} missing: {}", page.body);
    }
    let waiting = pending(&admin, acme).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["recipient"], "shipper@acme.example");
    assert_eq!(waiting[0]["opened"]["address"], "127.0.0.1");

    let authorize = continue_to_ups(&stranger, &link).await;
    let callback = stranger.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let done = stranger.get(callback.as_str()).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("UPS® Intelligent Reverse Logistics can now act on Acme Returns"), "{}", done.body);
    assert_eq!(app.status(acme, IRL).await.as_deref(), Some("authorized"));
    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].json()["type"], "authorization.authorized");

    // Used up: it no longer opens, and no longer waits.
    let again = stranger.get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("This consent link was already used"), "{}", again.body);
    assert!(pending(&admin, acme).await.is_empty());
    // The admin's page says Authorized, and the Activity log tells the story.
    let activity = admin.server_fn("company_activity", &[("company", &acme.to_string())]).await;
    for action in ["consent_link_sent", "consent_link_opened", "authorized"] {
        assert!(activity.body.contains(action), "{action} missing: {}", activity.body);
    }
    assert!(activity.body.contains("shipper@acme.example"), "{}", activity.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_works_once_for_its_product_in_one_browser_until_it_expires_or_is_revoked() {
    let app = spawn_app().await;
    let acme = app.company("Acme Returns").await;
    let key = app.api_key(IRL).await;
    let make = |expires_in: Option<u64>| {
        let mut body = json!({ "recipient": "shipper@acme.example", "send_email": false });
        if let Some(secs) = expires_in {
            body["expires_in"] = json!(secs);
        }
        body
    };

    // Another product's address: the link does not exist there.
    let (status, made) = api_link(&app, &key, acme, make(None)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["delivery"], "handed");
    let link = made["url"].as_str().unwrap().to_owned();
    let elsewhere = link.replace("/reverse-logistics/", "/pickup-manager/");
    let page = app.browser().get(&elsewhere).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This consent link is not valid"));
    let page = app.browser().get(&format!("{link}x")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // One browser went on to UPS: no other can, and a callback in another browser is refused
    // without using the link.
    let (first, second) = (app.browser(), app.browser());
    let authorize = continue_to_ups(&first, &link).await;
    let refused = second.post_form(&link, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("in use in another browser"));
    let callback = first.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let stolen = second.get(callback.as_str()).await;
    assert!(stolen.body.contains("Not authorized"), "{}", stolen.body);
    assert_eq!(app.status(acme, IRL).await, None);
    assert_eq!(first.get(&link).await.status, StatusCode::OK, "the link still works in its browser");

    // Revoked, by the product's backend; another product's key cannot.
    let (_, made) = api_link(&app, &key, acme, make(None)).await;
    let (id, revoked_link) = (made["id"].as_i64().unwrap(), made["url"].as_str().unwrap().to_owned());
    let path = format!("/api/v1/companies/{acme}/consent-links/{id}");
    let other_key = app.api_key(Product::PickupManager).await;
    let (status, _) = api(&app, &other_key, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, listed) =
        api(&app, &key, reqwest::Method::GET, &format!("/api/v1/companies/{acme}/consent-links"), None).await;
    assert_eq!((status, listed["links"].as_array().unwrap().len()), (StatusCode::OK, 2));
    let (status, _) = api(&app, &key, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, answer) = api(&app, &key, reqwest::Method::DELETE, &path, None).await;
    assert_eq!((status, answer["error"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_consent_link")));
    let page = app.browser().get(&revoked_link).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This consent link was revoked"));

    // Revoked while its holder was at UPS: the grant is not kept.
    let (_, made) = api_link(&app, &key, acme, make(None)).await;
    let (id, late_link) = (made["id"].as_i64().unwrap(), made["url"].as_str().unwrap().to_owned());
    let holder = app.browser();
    let authorize = continue_to_ups(&holder, &late_link).await;
    let callback = holder.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let path = format!("/api/v1/companies/{acme}/consent-links/{id}");
    assert_eq!(api(&app, &key, reqwest::Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
    let late = holder.get(callback.as_str()).await;
    assert!(late.body.contains("Not authorized") && late.body.contains("can no longer be used"), "{}", late.body);
    assert_eq!(app.status(acme, IRL).await, None);

    // Expired.
    let (_, made) = api_link(&app, &key, acme, make(Some(1))).await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let page = app.browser().get(made["url"].as_str().unwrap()).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This consent link has expired"));

    // Bad requests say what to fix.
    for (body, says) in [
        (json!({ "recipient": "not an address" }), "is not an email address"),
        (json!({ "recipient": "a@b.example", "expires_in": 0 }), "from 1 second to 30 days"),
        (json!({ "recipient": "a@b.example", "message": "x".repeat(501) }), "at most 500 characters"),
        (json!({ "recipient": "a@b.example", "colour": "blue" }), "unknown field"),
    ] {
        let (status, answer) = api_link(&app, &key, acme, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(answer["message"].as_str().unwrap().contains(says), "{answer}");
    }
    let restricted = app.api_key_for(IRL, &[acme]).await;
    let other = app.company("Other Co").await;
    assert_eq!(api_link(&app, &restricted, other, make(None)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_an_admin_of_the_company_makes_links_and_a_form_says_what_to_fix() {
    let app = spawn_app().await;
    let (acme, other) = (app.company("Acme Returns").await, app.company("Other Co").await);
    app.admin("alice", &[acme]).await;
    let admin = app.browser().signed_in("alice").await;
    let form = |company: CompanyId, recipient: &'static str| {
        [("company", company.to_string()), ("recipient", recipient.to_owned()), ("message", String::new())]
    };
    let post = |fields: [(&'static str, String); 3]| {
        let admin = &admin;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
            admin.post_form("/consent-links/reverse-logistics", &fields).await
        }
    };
    let page = post(form(other, "x@other.example")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let page = post(form(acme, "nobody")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("is not an email address"), "{}", page.body);
    // Signed out: to sign-in, nothing made.
    let page =
        app.browser().post_form("/consent-links/reverse-logistics", &[("company", "1"), ("recipient", "a@b.c")]).await;
    assert!(page.location().starts_with("/sign-in"), "{}", page.location());
    // From another site: refused before anything is read.
    let forged = admin
        .send_with(
            admin
                .http
                .post(admin.url("/consent-links/reverse-logistics"))
                .header("origin", "https://evil.example")
                .form(&[("company", acme.to_string()), ("recipient", "a@b.example".into())]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(pending(&admin, acme).await.is_empty());
    // Revoke from the page's form.
    link_from_form(&admin, acme, "shipper@acme.example", "").await;
    let id = pending(&admin, acme).await[0]["id"].as_i64().unwrap().to_string();
    let fields = [("product", IRL.slug()), ("company", &acme.to_string()), ("link", &id)];
    let revoked = admin.server_fn("revoke_consent_link", &fields).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(pending(&admin, acme).await.is_empty());
    assert_eq!(admin.server_fn("revoke_consent_link", &fields).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_smtp_the_link_is_emailed_and_its_sender_hears_of_the_consent() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|settings| sink.send_from(settings)).await;
    let acme = app.company("Acme Returns").await;
    app.admin("alice", &[acme]).await;
    assert!(app.cli(&["user", "set-email", "alice", "alice@acme.example"]).0);
    let admin = app.browser().signed_in("alice").await;
    let page = admin
        .post_form(
            "/consent-links/reverse-logistics",
            &[("company", &acme.to_string()), ("recipient", "shipper@acme.example"), ("message", "Thanks!")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED);
    assert!(page.body.contains("The link was emailed to"), "{}", page.body);
    assert!(!page.body.contains("/consent/reverse-logistics/"), "an emailed link is not shown to its sender");

    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].to, ["shipper@acme.example"]);
    assert!(mails[0].data.contains("Thanks!"), "{}", mails[0].data);
    // Quoted-printable: long lines are broken with a soft `=` line end.
    let body = mails[0].data.replace("=\r\n", "").replace("=\n", "");
    let link = body
        .split_whitespace()
        .find(|word| word.contains("/consent/reverse-logistics/"))
        .expect("the link is in the email")
        .to_owned();
    let holder = app.browser();
    let authorize = continue_to_ups(&holder, &link).await;
    let callback = holder.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    assert!(holder.get(callback.as_str()).await.body.contains("can now act on Acme Returns"));
    let mails = sink.wait_for(2).await;
    assert_eq!(mails[1].to, ["alice@acme.example"]);
    assert!(mails[1].data.contains("shipper@acme.example consented"), "{}", mails[1].data);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_makes_lists_and_revokes_links_from_the_command_line() {
    let app = spawn_app().await;
    app.company("Acme Returns").await;
    let base = app.base.as_str().trim_end_matches('/').to_owned();
    let settings = [("OPTIN_PUBLIC_BASE_URL", base.as_str())];
    let args = ["consent-link", "create", "--company", "Acme Returns", "--product", IRL.slug()];
    let (ok, said, error) =
        app.cli_with(&[&args[..], &["--to", "shipper@acme.example", "--no-email"]].concat(), &settings);
    assert!(ok, "{said} {error}");
    let link = said.lines().last().unwrap().trim().to_owned();
    assert!(link.starts_with(&format!("{base}/consent/reverse-logistics/")), "{said}");
    assert_eq!(app.browser().get(&link).await.status, StatusCode::OK);

    let scope = ["--company", "Acme Returns", "--product", IRL.slug()];
    let (ok, listed, _) = app.cli(&[&["consent-link", "list"][..], &scope].concat());
    assert!(ok && listed.contains("shipper@acme.example") && listed.contains("from 127.0.0.1"), "{listed}");
    let id = listed.split_whitespace().next().unwrap().to_owned();
    let (ok, said, _) = app.cli(&[&["consent-link", "revoke"][..], &scope, &[id.as_str()]].concat());
    assert!(ok, "{said}");
    assert_eq!(app.browser().get(&link).await.status, StatusCode::GONE);
    let (ok, _, error) = app.cli(&[&["consent-link", "revoke"][..], &scope, &[id.as_str()]].concat());
    assert!(!ok && error.contains("was not found"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_stops_working_when_its_sender_may_no_longer_ask_and_lasts_in_its_browser() {
    let app = spawn_app().await;
    let acme = app.company("Acme Returns").await;
    app.admin("alice", &[acme]).await;
    let admin = app.browser().signed_in("alice").await;
    let from_admin = link_from_form(&admin, acme, "shipper@acme.example", "").await;
    let key = app.api_key(IRL).await;
    let (_, made) = api_link(&app, &key, acme, json!({ "recipient": "b@acme.example", "send_email": false })).await;
    let from_backend = made["url"].as_str().unwrap().to_owned();

    // The claiming browser's cookie lasts as long as the link (72 hours), not the 10 minutes of a
    // state: the holder can come back to it.
    let holder = app.browser();
    let start = holder.post_form(&from_admin, &[]).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let cookie = start.set_cookies().into_iter().find(|cookie| cookie.contains("optin_consent")).unwrap();
    let max_age: u64 = cookie.split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
    assert!(max_age > 71 * 3600, "{cookie}");
    let authorize = url::Url::parse(&start.location()).unwrap();
    let callback = holder.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;

    // alice is made a viewer while the holder is at UPS: no grant, and the link no longer opens.
    assert!(app.cli(&["member", "add", "alice", "Acme Returns", "--role", "viewer"]).0);
    let late = holder.get(callback.as_str()).await;
    assert!(late.body.contains("can no longer be used"), "{}", late.body);
    assert_eq!(app.status(acme, IRL).await, None);
    let page = holder.get(&from_admin).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This consent link no longer works"), "{}", page.body);

    // The backend's key is revoked: its links stop too.
    assert_eq!(app.browser().get(&from_backend).await.status, StatusCode::OK);
    assert!(optin_core::api_keys::revoke(app.core(), &key[..14]).await.unwrap());
    let page = app.browser().get(&from_backend).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("This consent link no longer works"), "{}", page.body);
}
