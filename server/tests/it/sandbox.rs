//! The built-in UPS sandbox, spoken to over HTTP as UPS would be: Basic auth, all-string JSON,
//! UPS's error bodies, single-use codes, PKCE, rotating refresh tokens, and the password change
//! that kills grants.

use crate::common;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use common::{spawn_app, Browser, TestApp, SANDBOX_PASSWORD, SANDBOX_USER};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

const CLIENT: &str = "sandbox-reverse-logistics";
const SECRET: &str = "sandbox-secret-reverse-logistics";
const VERIFIER: &str = "a-verifier-that-is-long-enough-for-rfc-7636-xxxxxxxxxxxxxx";

fn authorize_url(app: &TestApp, redirect_uri: &str) -> url::Url {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let mut url = app.base.join("/security/v1/oauth/authorize").unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", CLIENT)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("state", "s-123")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    url
}

fn redirect_uri(app: &TestApp) -> String {
    app.base.join("/oauth/reverse-logistics/callback").unwrap().to_string()
}

/// A fresh authorization code for the seeded sandbox user.
async fn code(app: &TestApp, browser: &Browser) -> String {
    let callback = browser.consent(&authorize_url(app, &redirect_uri(app)), SANDBOX_USER, SANDBOX_PASSWORD).await;
    let pairs: std::collections::HashMap<_, _> = callback.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "s-123", "the state comes back unchanged");
    pairs["code"].clone()
}

async fn post(app: &TestApp, path: &str, auth: Option<(&str, &str)>, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(app.base.join(path).unwrap()).form(form);
    if let Some((id, secret)) = auth {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn exchange(app: &TestApp, code: &str, verifier: &str) -> (StatusCode, Value) {
    let redirect = redirect_uri(app);
    post(
        app,
        "/security/v1/oauth/token",
        Some((CLIENT, SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(app: &TestApp, token: &str) -> (StatusCode, Value) {
    post(
        app,
        "/security/v1/oauth/refresh",
        Some((CLIENT, SECRET)),
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

fn error_message(body: &Value) -> (&str, &str) {
    let error = &body["response"]["errors"][0];
    (error["code"].as_str().unwrap_or_default(), error["message"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn codes_are_exchanged_once_for_all_string_tokens() {
    let app = spawn_app().await;
    let browser = app.browser();
    let code = code(&app, &browser).await;

    let (status, body) = exchange(&app, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for field in
        ["token_type", "issued_at", "access_token", "refresh_token", "expires_in", "refresh_token_expires_in", "status"]
    {
        assert!(body[field].is_string(), "{field} is a string: {body}");
    }
    assert_eq!(body["expires_in"], "14399");
    assert_eq!(body["token_type"], "Bearer");

    let (status, body) = exchange(&app, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_message(&body), ("10400", "Invalid authorization code"));
}

#[tokio::test]
async fn the_token_endpoint_checks_the_client_the_verifier_and_the_redirect_uri() {
    let app = spawn_app().await;
    let browser = app.browser();

    let (status, body) =
        post(&app, "/security/v1/oauth/token", Some((CLIENT, "wrong")), &[("grant_type", "authorization_code")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_message(&body).0, "10401");
    let (status, body) = post(&app, "/security/v1/oauth/token", None, &[("grant_type", "authorization_code")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_message(&body).0, "10400");

    let first = code(&app, &browser).await;
    let (status, body) = exchange(&app, &first, "not-the-verifier").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_message(&body), ("10400", "Invalid code_verifier"));

    let second = code(&app, &browser).await;
    let (status, body) = post(
        &app,
        "/security/v1/oauth/token",
        Some((CLIENT, SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &second),
            ("redirect_uri", "http://elsewhere.example/cb"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_message(&body).0, "10401");
}

#[tokio::test]
async fn authorize_refuses_unknown_clients_and_unregistered_redirects_without_redirecting() {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser.get(authorize_url(&app, "http://evil.example/cb").as_str()).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.location().is_empty());
    assert!(page.body.contains("redirect URI does not match"));
    let page = browser.get("/security/v1/oauth/authorize?client_id=nobody&redirect_uri=x&response_type=code").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_sign_in_pages_show_errors_on_the_page() {
    let app = spawn_app().await;
    let browser = app.browser();
    let authorize = authorize_url(&app, &redirect_uri(&app));
    let mut fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    fields.push(("step".into(), "username".into()));

    let mut unchecked = fields.clone();
    unchecked.push(("username".into(), SANDBOX_USER.into()));
    let page = browser.post_owned("/security/sandbox/sign-in", &unchecked).await;
    assert!(page.body.contains("Please agree to the UPS Technology Agreement"), "{}", page.body);

    let mut unknown = fields.clone();
    unknown.push(("username".into(), "no.such.user".into()));
    unknown.push(("agree".into(), "yes".into()));
    let page = browser.post_owned("/security/sandbox/sign-in", &unknown).await;
    assert!(page.body.contains("We don't recognize that email or username."), "{}", page.body);

    // What the person typed comes back as text, never as markup.
    let mut hostile = fields.clone();
    hostile.push(("username".into(), r#""><script>x</script>"#.into()));
    hostile.push(("agree".into(), "yes".into()));
    let page = browser.post_owned("/security/sandbox/sign-in", &hostile).await;
    assert!(page.body.contains(r#"value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;""#), "{}", page.body);
    assert!(!page.body.contains("<script>x"), "{}", page.body);

    // Skipping step 1 does not skip the agreement.
    let mut skipped = authorize.query_pairs().into_owned().collect::<Vec<_>>();
    skipped.extend([
        ("step".into(), "password".into()),
        ("username".into(), SANDBOX_USER.into()),
        ("password".into(), SANDBOX_PASSWORD.into()),
    ]);
    let page = browser.post_owned("/security/sandbox/sign-in", &skipped).await;
    assert_eq!(page.status, StatusCode::OK, "no redirect with a code");
    assert!(page.body.contains("Please agree to the UPS Technology Agreement"), "{}", page.body);

    let mut wrong = authorize.query_pairs().into_owned().collect::<Vec<_>>();
    wrong.extend([
        ("step".into(), "password".into()),
        ("username".into(), SANDBOX_USER.into()),
        ("agree".into(), "yes".into()),
        ("password".into(), "nope".into()),
    ]);
    let page = browser.post_owned("/security/sandbox/sign-in", &wrong).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The password is incorrect"), "{}", page.body);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_password_change_kills_the_grant() {
    let app = spawn_app().await;
    let browser = app.browser();
    let code = code(&app, &browser).await;
    let (_, tokens) = exchange(&app, &code, VERIFIER).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();

    let (status, rotated) = refresh(&app, &first).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(rotated["refresh_count"], "1");
    let (status, body) = refresh(&app, &first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_message(&body), ("10400", "Invalid Refresh Token"));

    // The UPS.com user changes their password on the sandbox's page.
    let page = browser
        .post_form(
            "/security/sandbox/password",
            &[("username", SANDBOX_USER), ("current_password", SANDBOX_PASSWORD), ("new_password", "A-new-password-9")],
        )
        .await;
    assert!(page.body.contains("1 application authorization(s)"), "{}", page.body);
    let (status, body) = refresh(&app, &second).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_message(&body), ("10400", "Invalid Refresh Token"));

    let page = browser
        .post_form(
            "/security/sandbox/password",
            &[("username", SANDBOX_USER), ("current_password", "wrong"), ("new_password", "whatever-123")],
        )
        .await;
    assert!(page.body.contains("The current password is incorrect."));
}

/// Switches the sandbox's fault mode: `POST /security/sandbox/faults`.
async fn fault(app: &TestApp, mode: Value) -> Value {
    let url = app.base.join("/security/sandbox/faults").unwrap();
    let response = reqwest::Client::new().post(url).json(&mode).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn fault_modes_answer_as_a_ups_that_pushes_back_switched_at_run_time() {
    let off = spawn_app().await;
    let url = off.base.join("/security/sandbox/faults").unwrap();
    let refused =
        reqwest::Client::new().post(url).json(&serde_json::json!({"mode": "unavailable"})).send().await.unwrap();
    assert_ne!(refused.status(), StatusCode::OK, "no fault switch unless sandbox.faults is on");

    let app = common::spawn_app_with(|settings| settings.sandbox.faults = true).await;
    let browser = app.browser();
    let code = code(&app, &browser).await;
    let (_, tokens) = exchange(&app, &code, VERIFIER).await;
    let token = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refresh_raw = || {
        reqwest::Client::new()
            .post(app.base.join("/security/v1/oauth/refresh").unwrap())
            .basic_auth(CLIENT, Some(SECRET))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str())])
            .send()
    };

    fault(&app, serde_json::json!({"mode": "rate_limited", "retry_after": 3})).await;
    let throttled = refresh_raw().await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "3");
    fault(&app, serde_json::json!({"mode": "rate_limited"})).await;
    let throttled = refresh_raw().await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().get("retry-after").is_none());
    fault(&app, serde_json::json!({"mode": "blocked_merchant"})).await;
    let (status, body) = refresh(&app, &token).await;
    assert_eq!((status, error_message(&body)), (StatusCode::FORBIDDEN, ("403", "Blocked Merchant")));
    fault(&app, serde_json::json!({"mode": "invalid_client"})).await;
    let (status, body) = refresh(&app, &token).await;
    assert_eq!((status, error_message(&body)), (StatusCode::UNAUTHORIZED, ("10401", "ClientId is Invalid")));

    // Slow, then back to normal by itself once its time is up.
    fault(&app, serde_json::json!({"mode": "slow", "millis": 400, "for_secs": 2})).await;
    let started = std::time::Instant::now();
    let (status, rotated) = refresh(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let report: Value =
        reqwest::get(app.base.join("/security/sandbox/faults").unwrap()).await.unwrap().json().await.unwrap();
    assert_eq!(report["fault"]["mode"], "none", "{report}");
    assert_eq!((report["requests"].as_u64(), report["faulted"].as_u64()), (Some(6), Some(4)), "{report}");
}
