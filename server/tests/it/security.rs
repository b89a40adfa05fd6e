//! Security properties proven over HTTP, each test named after what it proves. (More of the attack
//! pass lives beside the feature it concerns: `sign_in.rs` for throttling, `embed.rs` for the
//! widget, `durability.rs` for stops during refreshes.)

use crate::common;

use common::spawn_app;
use reqwest::StatusCode;

/// Names of what a decoder says when it fails: none may reach a client.
const DECODER_WORDS: [&str; 4] = ["Deserialization", "missing field", "invalid digit", "expected"];

#[tokio::test]
async fn malformed_server_function_input_is_a_400_that_reveals_no_internals() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let cases: [(&str, &str); 4] = [
        ("sign_in", "x"),
        ("sign_in", "sign_in_name=alice"),
        ("token_history", "product=data-management&company=1&page=-1"),
        ("load_overview", "product=reverse-logistics&company=not-a-number"),
    ];
    for (function, body) in cases {
        let response = http
            .post(app.base.join(&format!("/api/{function}")).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{function} {body:?}: {text}");
        for word in DECODER_WORDS {
            assert!(!text.contains(word), "{function} {body:?} reveals {word:?}: {text}");
        }
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let huge = format!("sign_in_name={}&password=x", "a".repeat(3 * 1024 * 1024));
    for path in ["/api/sign_in", "/api/v1/embed/sessions", "/oauth/reverse-logistics/start"] {
        let response = http
            .post(app.base.join(path).unwrap())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
}

#[tokio::test]
async fn a_second_origin_header_cannot_smuggle_a_cross_site_write() {
    let app = spawn_app().await;
    let ours = app.base.origin().ascii_serialization();
    for origins in [vec![ours.as_str(), "https://evil.example"], vec!["https://evil.example", ours.as_str()]] {
        let mut request = reqwest::Client::new()
            .post(app.base.join("/api/sign_in").unwrap())
            .form(&[("sign_in_name", "alice"), ("password", "x")]);
        for origin in &origins {
            request = request.header("origin", *origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origins:?}");
    }
}

#[tokio::test]
async fn what_a_signed_in_admin_sees_is_never_stored_and_admin_pages_are_isolated() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let header = |page: &common::Page, name: &str| {
        page.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    };

    let private = [
        browser.get("/reverse-logistics").await,
        browser.get("/data-management/admin").await,
        browser.server_fn("load_overview", &[("product", "reverse-logistics")]).await,
        browser.server_fn("company_activity", &[("company", &company.to_string())]).await,
    ];
    for page in &private {
        assert!(page.status.is_success(), "{} {}", page.status, page.body);
        assert_eq!(header(page, "cache-control"), "no-store");
    }
    let admin_page = &private[0];
    assert_eq!(header(admin_page, "cross-origin-opener-policy"), "same-origin");
    assert_eq!(header(admin_page, "strict-transport-security"), "", "plain HTTP: no HSTS");

    // Signed out, the sign-in page may be cached like any public page; the consent flow keeps
    // its opener (a widget's consent window reports to it).
    let public = app.browser().get("/sign-in").await;
    assert_ne!(header(&public, "cache-control"), "no-store");
    assert_eq!(header(&public, "cross-origin-opener-policy"), "same-origin");
    let callback = app.browser().get("/oauth/reverse-logistics/callback?state=x&code=y").await;
    assert_eq!(header(&callback, "cross-origin-opener-policy"), "");
}

#[tokio::test]
async fn served_over_https_every_answer_asks_for_https_only() {
    let app = common::spawn_app_with(|settings| {
        settings.public_base_url = Some("https://optin.example".parse().unwrap());
    })
    .await;
    for path in ["/sign-in", "/healthz", "/api/v1/openapi.json"] {
        let response = reqwest::get(app.local.join(path).unwrap()).await.unwrap();
        let hsts = response.headers().get("strict-transport-security").and_then(|value| value.to_str().ok());
        assert_eq!(hsts, Some("max-age=31536000"), "{path}");
    }
}

#[tokio::test]
async fn the_sandbox_runs_only_when_chosen_and_only_on_loopback_unless_allowed() {
    use server::{
        settings::{Settings, UpsEnvironment},
        startup::Application,
    };
    let dir = tempfile::tempdir().unwrap();
    common::plain_site(dir.path());
    let settings = |environment: UpsEnvironment, listen: &str, allow_remote: bool| {
        let mut settings = Settings::default();
        settings.site_root = dir.path().to_path_buf();
        settings.listen = listen.parse().unwrap();
        settings.database = dir.path().join("optin.db");
        settings.secret_key_file = dir.path().join("secret.key");
        settings.seed_demo = false;
        settings.refresh_worker = false;
        settings.ups.environment = environment;
        settings.sandbox.allow_remote = allow_remote;
        settings
    };
    // Not chosen: the defaults are UPS itself, which needs real credentials.
    let error = Application::build(Settings { ..settings(UpsEnvironment::Production, "127.0.0.1:0", false) })
        .await
        .err()
        .expect("no start without UPS credentials");
    assert!(error.to_string().contains("client_id"), "{error}");
    assert_eq!(Settings::default().ups.environment, UpsEnvironment::Production);

    // Chosen, on an address other machines reach: refused unless allowed.
    let error = Application::build(settings(UpsEnvironment::Sandbox, "0.0.0.0:0", false))
        .await
        .err()
        .expect("the sandbox is not served to other machines");
    assert!(error.to_string().contains("sandbox.allow_remote"), "{error}");
    let allowed = Application::build(settings(UpsEnvironment::Sandbox, "0.0.0.0:0", true)).await;
    assert!(allowed.is_ok(), "allowed explicitly");
    assert!(Application::build(settings(UpsEnvironment::Sandbox, "127.0.0.1:0", false)).await.is_ok());
}

/// The nonce of the page's script policy (`<meta http-equiv="Content-Security-Policy">`), after
/// checking that every script on the page carries it.
fn script_nonce(page: &common::Page) -> String {
    let policy = page
        .body
        .split(r#"<meta http-equiv="Content-Security-Policy" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no script policy: {}", page.body));
    assert!(policy.contains("'strict-dynamic'") && policy.contains("object-src 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"), "{policy}");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
    assert!(nonce.len() >= 16, "{nonce}");
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0, "the page hydrates with scripts");
    assert_eq!(page.body.matches(&format!(r#"nonce="{nonce}""#)).count(), scripts, "every script has the nonce");
    nonce
}

#[tokio::test]
async fn every_page_runs_only_scripts_with_its_own_nonce() {
    let app = common::spawn_app_with(|settings| {
        settings.embed.reverse_logistics.allowed_origins = vec!["https://portal.example.com".into()];
    })
    .await;
    let company = app.company("Acme").await;
    app.admin("alice", &[company]).await;
    let browser = app.browser().signed_in("alice").await;
    let first = script_nonce(&app.browser().get("/sign-in").await);
    assert_ne!(first, script_nonce(&app.browser().get("/sign-in").await), "a new nonce for every response");
    for path in ["/", "/reverse-logistics", "/pickup-manager/settings", "/data-management/admin"] {
        script_nonce(&browser.get(path).await);
    }
    // The widget, framed by its portal.
    let key = app.api_key(model::Product::ReverseLogistics).await;
    let (_, widget) = browser.open_widget(&key, company).await;
    script_nonce(&widget);
}

#[tokio::test]
async fn sign_in_returns_only_to_local_paths_never_to_another_site() {
    let app = spawn_app().await;
    app.admin("alice", &[]).await;
    // The sign-in form posted by a browser (no script), which answers with a redirect.
    let sign_in = |next: &'static str| {
        let browser = app.browser();
        async move {
            let form = [("sign_in_name", "alice"), ("password", common::PASSWORD), ("next", next)];
            let origin = browser.base.origin().ascii_serialization();
            let request = browser.http.post(browser.url("/api/sign_in")).header("origin", origin);
            browser.send_with(request.header("accept", "text/html").form(&form)).await
        }
    };
    for next in
        ["https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"]
    {
        let page = sign_in(next).await;
        assert!(page.status.is_redirection(), "{next:?}: {} {}", page.status, page.body);
        assert_eq!(page.location(), "/", "{next:?}");
    }
    let page = sign_in("/data-management/admin").await;
    assert_eq!(page.location(), "/data-management/admin", "a local path is returned to");
}

#[tokio::test]
async fn readiness_says_whether_the_database_and_its_schema_are_there_and_the_process_is_not_stopping() {
    let app = spawn_app().await;
    let ready = |app: &common::TestApp| {
        let url = app.base.join("/readyz").unwrap();
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    assert_eq!(ready(&app).await, (StatusCode::OK, "ready".to_owned()));
    app.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)", &[]).await;
    assert_eq!(
        ready(&app).await,
        (StatusCode::SERVICE_UNAVAILABLE, "not ready: database migrations are missing".to_owned())
    );
    let live = reqwest::get(app.base.join("/healthz").unwrap()).await.unwrap();
    assert_eq!(live.status(), StatusCode::OK, "still alive: liveness is not readiness");
}

#[test]
fn the_log_can_be_json_lines_for_collectors() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["company", "add", "Acme"])
        .env("OPTIN_DATABASE", dir.path().join("optin.db"))
        .env("OPTIN_SECRET_KEY_FILE", dir.path().join("secret.key"))
        .env("OPTIN_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = log.lines().filter(|line| !line.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "the first start logs its new key file");
    for line in lines {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(entry["level"].is_string() && entry["fields"].is_object(), "{line}");
    }
}
