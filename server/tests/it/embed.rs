//! The embeddable widget over HTTP, as a product's backend, the widget page and its consent window
//! call it.

use crate::common;

use common::{spawn_app_with, unix_now, Browser, TestApp, SANDBOX_PASSWORD, SANDBOX_USER};
use model::{CompanyId, Product};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const PORTAL: &str = "https://portal.example.com";

async fn spawn() -> TestApp {
    spawn_app_with(|settings| {
        settings.embed.reverse_logistics.allowed_origins = vec![PORTAL.into()];
        settings.embed.data_management.allowed_origins = vec![PORTAL.into(), "https://other.example.com".into()];
    })
    .await
}

/// `POST /api/v1/embed/sessions` as a product's backend sends it: (status, JSON body).
pub(crate) async fn new_session(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.base.join("/api/v1/embed/sessions").unwrap())
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap_or_default())
}

fn portal_user(company: CompanyId) -> Value {
    json!({ "company": company.get(), "user": { "id": "u-17", "name": "Pat Lee" } })
}

/// A session's single-use token, for `company` and `product`.
async fn embed_token(app: &TestApp, product: Product, company: CompanyId) -> String {
    let key = app.api_key(product).await;
    let (status, body) = new_session(
        app,
        &key,
        json!({ "company": company.get(), "user": { "id": "u-17", "name": "Pat Lee" }, "origin": PORTAL }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["embed_token"].as_str().unwrap().to_owned()
}

/// Loads the widget as its portal's frame does, which redeems the session: the widget key the
/// page holds, or `None` when the session is refused.
async fn open(browser: &Browser, product: Product, token: &str) -> Option<String> {
    let page = framed(browser, product, token).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    match page.body.split(r#"name="key" value=""#).nth(1) {
        Some(rest) => Some(rest.split('"').next().unwrap_or_default().to_owned()),
        None => {
            assert!(page.body.contains("expired or was already used"), "{}", page.body);
            None
        }
    }
}

/// Posts one of the widget's forms back to its page (`POST /embed/{product}`) as the widget's
/// script does (`Sec-Fetch-Dest: empty`), or as its frame does without a script (`iframe`).
async fn widget_post(browser: &Browser, product: Product, destination: &str, form: &[(&str, &str)]) -> common::Page {
    let request = browser
        .http
        .post(browser.url(&format!("/embed/{}", product.slug())))
        .header(header::ORIGIN, browser.base.origin().ascii_serialization())
        .header("sec-fetch-dest", destination)
        .form(form);
    browser.send_with(request).await
}

/// The events a widget page announces to its host (`data-announce`).
fn announced(page: &common::Page) -> Vec<Value> {
    let attribute =
        page.body.split(r#"data-announce=""#).nth(1).expect("the page announces").split('"').next().unwrap();
    let json = attribute
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|error| panic!("{error}: {json}"))
}

/// The widget page as a browser loads it into a frame.
async fn framed(browser: &Browser, product: Product, token: &str) -> common::Page {
    let url = browser.url(&format!("/embed/{}?session={token}", product.slug()));
    browser.send_with(browser.http.get(url).header("sec-fetch-dest", "iframe")).await
}

#[tokio::test]
async fn a_portal_user_opts_in_through_the_consent_window_and_out_again() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let key = app.api_key(Product::ReverseLogistics).await;

    // The product's backend: one allowed origin, so `origin` may be left out.
    let (status, body) = new_session(&app, &key, portal_user(company)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["embed_token"].as_str().unwrap();
    let expected_url = app.base.join(&format!("/embed/reverse-logistics?session={token}")).unwrap();
    assert_eq!(body["widget_url"], expected_url.as_str());
    assert!(body["expires_in"].as_i64().unwrap() > 0);

    // The widget page redeems it once; loading it again is refused, in the page too.
    let browser = app.browser();
    let widget = open(&browser, Product::ReverseLogistics, token).await.expect("the first load opens the widget");
    assert_eq!(open(&browser, Product::ReverseLogistics, token).await, None);
    let again = framed(&browser, Product::ReverseLogistics, token).await;
    assert!(again.body.contains("expired or was already used"), "{}", again.body);
    assert_eq!(again.headers[header::CONTENT_SECURITY_POLICY], format!("frame-ancestors {PORTAL}"));
    assert!(again.headers.get(header::X_FRAME_OPTIONS).is_none());
    assert_eq!(again.headers[header::CACHE_CONTROL], "no-store");

    // The consent window: its own first-party cookie, then UPS, then the callback answers it.
    let start = browser.post_form("/embed/start", &[("key", &widget), ("mode", "popup")]).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let cookie = start.set_cookies().into_iter().find(|cookie| cookie.starts_with("__Host-optin_consent=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"), "{cookie}");
    let authorize = url::Url::parse(&start.location()).unwrap();
    let callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let answer = browser.get(callback.as_str()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains(r#"{"outcome":"authorized","type":"optin:consent-result"}"#), "{}", answer.body);
    let own_origin = app.base.origin().ascii_serialization();
    assert!(
        answer.body.contains(&format!("postMessage({{\"outcome\""))
            && answer.body.contains(&format!("\"{own_origin}\")"))
    );
    let policy = answer.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("script-src 'nonce-") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!answer.body.contains("access"), "nothing token-like reaches the page");
    assert_eq!(app.status(company, Product::ReverseLogistics).await.as_deref(), Some("authorized"));

    // The widget asks again with what the consent window reported: the page shows the new
    // status and announces the change to the host; the admins' activity names the portal user.
    let back = widget_post(
        &browser,
        Product::ReverseLogistics,
        "empty",
        &[("key", &widget), ("before", "not_authorized"), ("outcome", "authorized")],
    )
    .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(back.body.replace("<!>", "").contains("Authorized by Pat Lee (portal user u-17)"), "{}", back.body);
    let events = announced(&back);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (&events[0]["source"], &events[0]["type"], &events[0]["status"], &events[0]["company"]),
        (&json!("ups-optin"), &json!("optin:authorized"), &json!("authorized"), &json!(company.to_string()))
    );
    assert_eq!(back.headers[header::CACHE_CONTROL], "no-store");
    // Asked again with nothing changed, the host hears nothing.
    let same =
        widget_post(&browser, Product::ReverseLogistics, "empty", &[("key", &widget), ("before", "authorized")]).await;
    assert_eq!(announced(&same), Vec::<Value>::new());
    let actor: Vec<String> = app.column("SELECT actor_label FROM audit_log WHERE action = 'authorized'", &[]).await;
    assert_eq!(actor, ["Pat Lee (portal user u-17)"]);

    // The widget's Opt-Out, posted as a page of its own or from another site, does nothing.
    let alone =
        widget_post(&browser, Product::ReverseLogistics, "document", &[("key", &widget), ("intent", "revoke")]).await;
    assert!(alone.body.contains("This page works only inside your portal."), "{}", alone.body);
    assert_eq!(alone.status, StatusCode::BAD_REQUEST);
    let foreign = browser
        .send_with(
            browser
                .http
                .post(browser.url("/embed/reverse-logistics"))
                .header(header::ORIGIN, PORTAL)
                .header("sec-fetch-dest", "iframe")
                .form(&[("key", widget.as_str()), ("intent", "revoke")]),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    // Another product's widget page does not take this key.
    let elsewhere =
        widget_post(&browser, Product::DataManagement, "iframe", &[("key", &widget), ("intent", "revoke")]).await;
    assert!(elsewhere.body.contains("expired or was already used"), "{}", elsewhere.body);
    assert_eq!(app.status(company, Product::ReverseLogistics).await.as_deref(), Some("authorized"));

    // Opt-Out from the widget (its confirmation's form, posted by the frame without a script)
    // wipes the tokens at once, and the page says so and announces it.
    let out = widget_post(
        &browser,
        Product::ReverseLogistics,
        "iframe",
        &[("key", &widget), ("intent", "revoke"), ("before", "authorized")],
    )
    .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.body.contains("is not authorized"), "{}", out.body);
    assert!(out.body.contains(r#"role="status""#), "the notice is shown: {}", out.body);
    let events = announced(&out);
    assert_eq!(
        events
            .iter()
            .map(|event| (event["type"].as_str().unwrap(), event["status"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("optin:opted_out", "not_authorized")]
    );
    // The same form posted again (a double click, a stale page) ends nothing and says nothing.
    let again = widget_post(
        &browser,
        Product::ReverseLogistics,
        "iframe",
        &[("key", &widget), ("intent", "revoke"), ("before", "authorized")],
    )
    .await;
    assert_eq!(announced(&again), Vec::<Value>::new());
    assert!(!again.body.contains(r#"role="status""#), "{}", again.body);
    assert_eq!(app.status(company, Product::ReverseLogistics).await.as_deref(), Some("revoked"));
    assert!(app
        .tokens(company, Product::ReverseLogistics)
        .await
        .iter()
        .all(|(_, access, refresh)| !access && !refresh));
}

#[tokio::test]
async fn a_session_link_opened_as_a_page_is_refused_and_stays_unused() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    let browser = app.browser();
    let url = format!("/embed/reverse-logistics?session={token}");
    let page = browser.send_with(browser.http.get(browser.url(&url)).header("sec-fetch-dest", "document")).await;
    assert!(page.body.contains("works only inside your portal"), "{}", page.body);
    assert!(!page.body.contains("Opt-In"));
    // Framed, as its portal loads it, the same session still opens.
    let framed = browser.send_with(browser.http.get(browser.url(&url)).header("sec-fetch-dest", "iframe")).await;
    assert!(framed.body.contains("Opt-In") && !framed.body.contains("expired"), "{}", framed.body);
}

#[tokio::test]
async fn a_session_is_redeemed_only_by_its_framed_page_never_directly() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    let browser = app.browser();
    // A client that does not say it frames the page (curl, a script) is refused...
    let unframed = browser.get(&format!("/embed/reverse-logistics?session={token}")).await;
    assert!(unframed.body.contains("works only inside your portal"), "{}", unframed.body);
    // ...and so is the server function called directly, framed or not.
    for destination in ["iframe", "empty"] {
        let direct = browser
            .send_with(
                browser
                    .http
                    .post(browser.url("/api/open_embed"))
                    .header("accept", "application/json")
                    .header("sec-fetch-dest", destination)
                    .form(&[("product", "reverse-logistics"), ("session", token.as_str())]),
            )
            .await;
        assert!(!direct.body.contains("\"key\""), "{}", direct.body);
        assert!(direct.body.contains("works only inside your portal"), "{}", direct.body);
    }
    // None of that used the session: the portal's frame still opens it, once.
    assert!(open(&browser, Product::ReverseLogistics, &token).await.is_some());
    assert_eq!(open(&browser, Product::ReverseLogistics, &token).await, None);
}

#[tokio::test]
async fn a_page_framed_by_anyone_but_its_portal_leaves_the_session_unused_and_names_no_portal() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::DataManagement, company).await;
    let browser = app.browser();
    let framed_by = |referer: &'static str| {
        let url = browser.url(&format!("/embed/data-management?session={token}"));
        browser.send_with(browser.http.get(url).header("sec-fetch-dest", "iframe").header("referer", referer))
    };
    let stranger = framed_by("https://evil.example/page").await;
    assert!(stranger.body.contains("works only inside your portal"), "{}", stranger.body);
    for portal in ["portal.example.com", "other.example.com"] {
        assert!(!stranger.body.contains(portal), "a refused page lists no portal: {}", stranger.body);
    }
    assert_eq!(stranger.headers[header::CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
    // That did not use the session: its portal's frame opens it, once, and may be framed by it.
    let portal = framed_by("https://portal.example.com/app").await;
    assert!(portal.body.contains(r#"name="key" value=""#), "{}", portal.body);
    assert_eq!(portal.headers[header::CONTENT_SECURITY_POLICY], format!("frame-ancestors {PORTAL}"));
    assert!(!framed_by("https://portal.example.com/app").await.body.contains(r#"name="key" value=""#));
}

#[tokio::test]
async fn a_consent_finishing_after_the_key_was_revoked_tells_the_widget() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    let browser = app.browser();
    let widget = open(&browser, Product::ReverseLogistics, &token).await.unwrap();
    let start = browser.post_form("/embed/start", &[("key", &widget), ("mode", "popup")]).await;
    let authorize = url::Url::parse(&start.location()).unwrap();
    let callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    app.execute("UPDATE api_keys SET revoked_at = $1", &[unix_now()]).await;
    let answer = browser.get(callback.as_str()).await;
    assert!(answer.body.contains(r#""outcome":"not-allowed""#), "{}", answer.body);
    assert_eq!(app.status(company, Product::ReverseLogistics).await, None);
}

#[tokio::test]
async fn with_pop_ups_blocked_the_opt_in_returns_to_the_portal_page() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    let browser = app.browser();
    let widget = open(&browser, Product::ReverseLogistics, &token).await.unwrap();
    let start = browser.post_form("/embed/start", &[("key", &widget), ("mode", "page")]).await;
    let authorize = url::Url::parse(&start.location()).unwrap();
    let callback = browser.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
    let back = browser.get(callback.as_str()).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.location(), format!("{PORTAL}/?optin_result=authorized"));
}

#[tokio::test]
async fn the_consent_must_finish_in_the_browser_that_started_it() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    let starter = app.browser();
    let widget = open(&starter, Product::ReverseLogistics, &token).await.unwrap();
    let start = starter.post_form("/embed/start", &[("key", &widget), ("mode", "popup")]).await;
    let authorize = url::Url::parse(&start.location()).unwrap();
    let callback = starter.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;

    // Another browser (no consent cookie) lands on the callback: refused, and nothing changes.
    let other = app.browser();
    let answer = other.get(callback.as_str()).await;
    assert!(answer.body.contains(r#""outcome":"state-unknown""#), "{}", answer.body);
    assert_eq!(app.status(company, Product::ReverseLogistics).await, None);
    // And the state is spent: the right browser cannot use it afterwards either.
    let replay = starter.get(callback.as_str()).await;
    assert!(!replay.body.contains("authorized"), "{}", replay.body);
    assert_eq!(app.status(company, Product::ReverseLogistics).await, None);
}

#[tokio::test]
async fn bad_session_requests_get_clear_errors() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let key = app.api_key(Product::ReverseLogistics).await;
    let cases = [
        ("not-a-key", portal_user(company), StatusCode::UNAUTHORIZED, "invalid_api_key"),
        (key.as_str(), json!({ "company": company.get() }), StatusCode::BAD_REQUEST, "invalid_request"),
        (
            key.as_str(),
            json!({ "company": company.get(), "user": { "id": "", "name": "Pat" } }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            key.as_str(),
            json!({ "company": 999, "user": { "id": "u", "name": "Pat" } }),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            key.as_str(),
            json!({ "company": "x", "user": { "id": "u", "name": "Pat" } }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            key.as_str(),
            json!({ "company": company.get(), "user": { "id": "u", "name": "Pat" }, "origin": "https://evil.example" }),
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
        ),
        (
            key.as_str(),
            json!({ "company": company.get(), "user": { "id": "u", "name": "Pat" }, "return_url": "https://evil.example/" }),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (key, body, status, code) in cases {
        let (answered, answer) = new_session(&app, key, body.clone()).await;
        assert_eq!((answered, answer["error"].as_str()), (status, Some(code)), "{body} → {answer}");
    }
    // Pickup Manager lists no portal origin: its widget cannot be embedded anywhere.
    let pickup = app.api_key(Product::PickupManager).await;
    let (status, answer) = new_session(&app, &pickup, portal_user(company)).await;
    assert_eq!((status, answer["error"].as_str()), (StatusCode::FORBIDDEN, Some("origin_not_allowed")));
    // Data Management lists two: the request must say which.
    let data = app.api_key(Product::DataManagement).await;
    let (status, _) = new_session(&app, &data, portal_user(company)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_session_serves_only_its_product_and_only_while_it_lives() {
    let app = spawn().await;
    let company = app.company("Acme Returns").await;
    let browser = app.browser();

    // Another product's widget cannot redeem it (and it stays usable for its own).
    let token = embed_token(&app, Product::ReverseLogistics, company).await;
    assert_eq!(open(&browser, Product::DataManagement, &token).await, None);
    let widget = open(&browser, Product::ReverseLogistics, &token).await.unwrap();
    let grid = browser.server_fn("embed_token_history", &[("key", &widget), ("page", "1")]).await;
    assert_eq!(grid.status, StatusCode::FORBIDDEN, "the token grid is Data Management's");

    // Not redeemed in time: refused.
    let late = embed_token(&app, Product::ReverseLogistics, company).await;
    app.execute("UPDATE embed_sessions SET redeem_by = $1", &[unix_now() - 1]).await;
    assert_eq!(open(&browser, Product::ReverseLogistics, &late).await, None);

    // An open widget stops at its expiry, and when its product's API key is revoked.
    app.execute("UPDATE embed_sessions SET expires_at = $1", &[unix_now() - 1]).await;
    let expired = widget_post(&browser, Product::ReverseLogistics, "empty", &[("key", &widget)]).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.body.contains("expired or was already used"), "{}", expired.body);
    assert_eq!(announced(&expired)[0]["code"], "session_invalid");
    let fresh = open(&browser, Product::ReverseLogistics, &embed_token(&app, Product::ReverseLogistics, company).await)
        .await
        .unwrap();
    // Bad input is told plainly, and changes nothing.
    for (field, value, said) in [
        ("intent", "delete", "Unknown intent"),
        ("page", "0", "is not a page number"),
        ("outcome", "granted", "Unknown outcome"),
        ("before", "fine", "Unknown status"),
    ] {
        let bad = widget_post(&browser, Product::ReverseLogistics, "empty", &[("key", &fresh), (field, value)]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert!(bad.body.contains(said), "{field}={value}: {}", bad.body);
        // The host hears why the widget stopped.
        assert_eq!(announced(&bad)[0]["type"], "optin:error");
    }
    app.execute("UPDATE api_keys SET revoked_at = $1", &[unix_now()]).await;
    let revoked = widget_post(&browser, Product::ReverseLogistics, "empty", &[("key", &fresh)]).await;
    assert!(revoked.body.contains("expired or was already used"), "{}", revoked.body);
    let start = browser.post_form("/embed/start", &[("key", &fresh), ("mode", "popup")]).await;
    assert_eq!(start.status, StatusCode::UNAUTHORIZED);

    // A made-up key opens nothing.
    let forged =
        widget_post(&browser, Product::ReverseLogistics, "iframe", &[("key", "forged"), ("intent", "revoke")]).await;
    assert!(forged.body.contains("expired or was already used"), "{}", forged.body);
}

#[tokio::test]
async fn the_widgets_token_grid_pages_by_posting_its_form() {
    let app = spawn().await;
    let company = app.company("Acme Data").await;
    app.admin("alice", &[company]).await;
    let admin = app.browser().signed_in("alice").await;
    for _ in 0..12 {
        admin.opt_in(Product::DataManagement, company).await;
    }
    let browser = app.browser();
    let widget = open(&browser, Product::DataManagement, &embed_token(&app, Product::DataManagement, company).await)
        .await
        .unwrap();
    let page = |number: &'static str| {
        let (browser, widget) = (&browser, widget.clone());
        async move {
            let form = [("key", widget.as_str()), ("before", "authorized"), ("page", number)];
            widget_post(browser, Product::DataManagement, "empty", &form).await
        }
    };
    let first = page("1").await;
    assert!(first.body.contains("Page 1 of 2 (12 tokens)"), "{}", first.body);
    // Each pager button is a form the script posts in place, keeping focus on the grid.
    assert!(first.body.contains(r#"data-focus="tokens-heading""#), "{}", first.body);
    assert!(first.body.contains(r#"name="page" value="2""#), "{}", first.body);
    let second = page("2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("Page 2 of 2 (12 tokens)"), "{}", second.body);
    assert_eq!(second.body.matches("<tr>").count(), 1 + 2, "the header and the two oldest: {}", second.body);
    // Paging changes nothing, so the host hears nothing.
    assert_eq!(announced(&second), Vec::<Value>::new());
}

#[tokio::test]
async fn only_configured_origins_may_frame_a_widget_and_nobody_the_admin_pages() {
    let app = spawn().await;
    let browser = app.browser();
    let framing = |page: &common::Page| {
        (
            page.headers.get(header::CONTENT_SECURITY_POLICY).map(|value| value.to_str().unwrap().to_owned()),
            page.headers.get(header::X_FRAME_OPTIONS).map(|value| value.to_str().unwrap().to_owned()),
        )
    };
    let data = browser.get("/embed/data-management?session=x").await;
    assert_eq!(framing(&data), (Some(format!("frame-ancestors {PORTAL} https://other.example.com")), None));
    let pickup = browser.get("/embed/pickup-manager?session=x").await;
    assert_eq!(framing(&pickup), (Some("frame-ancestors 'none'".into()), None));
    for path in ["/reverse-logistics", "/sign-in", "/data-management/admin", "/embed/unknown"] {
        let page = browser.get(path).await;
        assert_eq!(framing(&page), (Some("frame-ancestors 'none'".into()), Some("DENY".into())), "{path}");
    }
}

/// The literals of `"…"` strings in `text` that start with `prefix`.
fn quoted_with<'t>(text: &'t str, prefix: &str) -> std::collections::BTreeSet<&'t str> {
    text.split('"').skip(1).step_by(2).filter(|literal| literal.starts_with(prefix)).collect()
}

#[tokio::test]
async fn the_host_sdk_types_name_exactly_the_events_a_host_hears_and_the_module_exports_mount() {
    let app = spawn().await;
    let get = |path: &str| {
        let url = app.base.join(path).unwrap();
        async move { reqwest::get(url).await.unwrap() }
    };
    let types = get("/embed/v1/optin.d.ts").await;
    assert_eq!(types.status(), StatusCode::OK);
    let types = types.text().await.unwrap();
    let events: std::collections::BTreeSet<&str> = app::embed::event::TO_HOST.into_iter().collect();
    assert_eq!(quoted_with(&types, "optin:"), events, "the SDK's event types and the widget's events differ");
    let line = |start: &str| types.lines().find(|line| line.starts_with(start)).unwrap_or_default().to_owned();
    let products = line("export type Product =");
    assert_eq!(quoted_with(&products, ""), Product::ALL.iter().map(|product| product.slug()).collect());
    let statuses = line("export type Status =");
    assert_eq!(
        quoted_with(&statuses, ""),
        <model::StatusKind as strum::VariantArray>::VARIANTS.iter().map(|status| status.code()).collect()
    );

    // The module is the snippet, exporting its `mount`, and loads from any portal's origin.
    let module = get("/embed/v1/optin.mjs").await;
    assert_eq!(module.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(module.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    let module = module.text().await.unwrap();
    let classic = get("/embed/v1/optin.js").await.text().await.unwrap();
    assert!(module.starts_with(&classic), "the module is the snippet");
    assert!(module.contains("export const mount = window.UpsOptIn.mount;"), "{module}");
}
