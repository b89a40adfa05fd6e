//! `server check`, run the way an operator would before a start: on a running app's database and
//! key file, with the settings given as `OPTIN_…` variables. A configuration that would work
//! passes (exit 0, only `ok` and `warn` lines); each kind of mistake fails its own line (and the
//! exit status) while the other lines are still printed; and nothing is changed on the way.

use crate::common::{spawn_app, TestApp};
use model::Product;
use optin_core::keyring::KeyRing;
use std::net::TcpListener;

const SIGNING_SECRET: &str = "whsec_Y2hlY2stdGVzdC1zaWduaW5nLXNlY3JldC0zMmJ5dGU=";

/// Settings that pass every check: production UPS with each product's credentials, https, a
/// portal origin, a webhook endpoint, the operators' webhook and email, the last three on
/// `reachable` (a port that accepts connections).
fn clean(reachable: u16) -> Vec<(String, String)> {
    let mut settings = vec![
        ("OPTIN_UPS__ENVIRONMENT".to_owned(), "production".to_owned()),
        ("OPTIN_PUBLIC_BASE_URL".into(), "https://optin.example.com".into()),
        ("OPTIN_EMBED__REVERSE_LOGISTICS__ALLOWED_ORIGINS".into(), r#"["https://portal.example.com"]"#.into()),
        (
            "OPTIN_WEBHOOKS__ENDPOINTS".into(),
            format!(
                r#"[{{product="reverse-logistics",url="http://127.0.0.1:{reachable}/hooks",secret="{SIGNING_SECRET}"}}]"#
            ),
        ),
        ("OPTIN_OPERATORS__WEBHOOK_URL".into(), format!("http://127.0.0.1:{reachable}/operators")),
        ("OPTIN_OPERATORS__WEBHOOK_SECRET".into(), SIGNING_SECRET.into()),
        ("OPTIN_EMAIL__SMTP_HOST".into(), "127.0.0.1".into()),
        ("OPTIN_EMAIL__SMTP_PORT".into(), reachable.to_string()),
        ("OPTIN_EMAIL__TLS".into(), "none".into()),
        ("OPTIN_EMAIL__FROM".into(), "UPS OAuth Opt-In <optin@example.com>".into()),
    ];
    for product in Product::ALL {
        let key = product.slug().replace('-', "_").to_uppercase();
        settings.push((format!("OPTIN_UPS__{key}__CLIENT_ID"), format!("{}-client", product.slug())));
        settings.push((format!("OPTIN_UPS__{key}__CLIENT_SECRET"), format!("{}-secret-from-ups", product.slug())));
    }
    settings
}

/// `settings` with `name` set to `value` (or removed, for `None`).
fn with(mut settings: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    settings.retain(|(setting, _)| setting != name);
    if let Some(value) = value {
        settings.push((name.to_owned(), value.to_owned()));
    }
    settings
}

/// Runs `server check` (with `args` after it) on `app` with `settings`: whether it succeeded, its
/// stdout and its stderr (where the report goes when a check fails).
fn run_check(app: &TestApp, args: &[&str], settings: &[(String, String)]) -> (bool, String, String) {
    let settings: Vec<(&str, &str)> = settings.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    let mut command = vec!["check"];
    command.extend_from_slice(args);
    app.cli_with(&command, &settings)
}

/// [`run_check`]: whether it succeeded, and everything it printed.
fn check(app: &TestApp, args: &[&str], settings: &[(String, String)]) -> (bool, String) {
    let (ok, stdout, stderr) = run_check(app, args, settings);
    (ok, format!("{stdout}{stderr}"))
}

/// A port that accepts connections for as long as the listener lives.
fn listening() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let port = listener.local_addr().expect("its address").port();
    (listener, port)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    listening().1
}

/// Asserts that `report` failed on the line starting `fail {what}` and saying `why`, and that
/// every other check still printed its line.
fn assert_fails(ok: bool, report: &str, what: &str, why: &str) {
    assert!(!ok, "a failing check fails the command:\n{report}");
    let line = report.lines().find(|line| line.starts_with(&format!("fail {what}")));
    assert!(line.is_some_and(|line| line.contains(why)), "`fail {what}…{why}` expected:\n{report}");
    for every in ["key ring", "public_base_url", "ups environment", "data-management redirect URI", "embed origins"] {
        assert!(report.lines().any(|line| line.contains(every)), "the other checks still report ({every}):\n{report}");
    }
}

#[tokio::test]
async fn a_clean_configuration_passes_every_check() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.seed_grant(company, Product::ReverseLogistics).await;
    let (_listener, port) = listening();

    let (ok, stdout, stderr) = run_check(&app, &["--network"], &clean(port));
    assert!(ok, "{stdout}{stderr}");
    for line in stdout.lines() {
        assert!(line.starts_with("ok   ") || line.starts_with("warn "), "only ok and warn: {line}\n{stdout}");
    }
    for expected in [
        "ok   key ring",
        "ok   database",
        ": reachable, all",
        "ok   stored secrets: all 2 open with the key ring",
        "ok   public_base_url https://optin.example.com/",
        "ok   ups environment production",
        "ok   reverse-logistics UPS credentials (client id reverse-logistics-client)",
        "ok   pickup-manager redirect URI https://optin.example.com/oauth/pickup-manager/callback",
        "ok   embed origins (reverse-logistics 1, pickup-manager 0, data-management 0)",
        "ok   second factors optional (second_factors.required = false); passkeys for optin.example.com",
        &format!("ok   webhook http://127.0.0.1:{port}/hooks (reverse-logistics) reachable"),
        &format!("ok   operators' webhook http://127.0.0.1:{port}/operators reachable"),
        &format!("ok   smtp 127.0.0.1:{port} reachable"),
    ] {
        assert!(stdout.contains(expected), "{expected:?} expected:\n{stdout}");
    }
    assert!(!stdout.contains("secret-from-ups") && !stdout.contains(SIGNING_SECRET), "no secret printed:\n{stdout}");

    // A base URL with production UPS is ignored: said, but not a failure.
    let ignored = with(clean(port), "OPTIN_UPS__BASE_URL", Some("https://proxy.example.com/security"));
    let (ok, report) = check(&app, &[], &ignored);
    assert!(ok && report.contains("warn ups environment production: ups.base_url"), "{report}");

    // Identity providers' groups: each must name a company here; one that does not is said.
    let provider = |companies: &str| {
        let value = format!(
            r#"[{{id="corp",name="Corp",issuer="https://id.example.com",client_id="optin",companies={{{companies}}}}}]"#
        );
        with(clean(port), "OPTIN_SSO__PROVIDERS", Some(&value))
    };
    let (ok, report) = check(&app, &[], &provider(r#"returns-admins="Acme""#));
    assert!(ok && report.contains("ok   single sign-on groups: all 1 name companies that exist"), "{report}");
    let (ok, report) = check(&app, &[], &provider(r#"returns-admins="Acme",ops="Nowhere Inc""#));
    assert!(ok, "a warning, not a failure:\n{report}");
    assert!(
        report.contains(r#"warn single sign-on groups: no such company: corp's group "ops" names "Nowhere Inc""#),
        "{report}"
    );
}

#[tokio::test]
async fn an_unreachable_database_fails() {
    let app = spawn_app().await;
    let url = format!("postgres://optin:database-password@127.0.0.1:{}/optin", closed_port());
    let (ok, report) = check(&app, &[], &with(clean(closed_port()), "OPTIN_DATABASE_URL", Some(&url)));
    assert_fails(ok, &report, "database PostgreSQL 127.0.0.1:", "cannot be opened");
    assert!(!report.contains("database-password"), "the database password never prints:\n{report}");
}

#[tokio::test]
async fn a_migration_not_applied_fails_and_check_does_not_apply_it() {
    let app = spawn_app().await;
    let count = "SELECT COUNT(*) FROM _sqlx_migrations";
    let applied: Vec<i64> = app.column(count, &[]).await;
    app.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)", &[]).await;

    let (ok, report) = check(&app, &[], &clean(closed_port()));
    assert_fails(ok, &report, "database", "1 of ");
    assert!(report.contains("migration(s) not applied") && report.contains("the next start applies them"), "{report}");
    assert!(report.contains("warn stored secrets: not checked"), "{report}");
    let after: Vec<i64> = app.column(count, &[]).await;
    assert_eq!(after[0], applied[0] - 1, "check applied nothing");
}

#[tokio::test]
async fn stored_secrets_whose_key_is_not_in_the_ring_fail() {
    let app = spawn_app().await;
    let company = app.company("Acme").await;
    app.seed_grant(company, Product::PickupManager).await;

    // A key file that holds another key.
    let other = app.data.join("other.key");
    std::fs::write(&other, format!("{}\n", KeyRing::generate_key().expose())).unwrap();
    let settings = with(clean(closed_port()), "OPTIN_SECRET_KEY_FILE", Some(other.to_str().unwrap()));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "stored secrets", "2 sealed with key");
    assert!(report.contains("which is not in the key ring"), "{report}");

    // No key file at all: said, and not created.
    let absent = app.data.join("absent.key");
    let settings = with(clean(closed_port()), "OPTIN_SECRET_KEY_FILE", Some(absent.to_str().unwrap()));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "stored secrets", "not in the key ring");
    assert!(report.contains("warn key ring: ") && report.contains("does not exist yet"), "{report}");
    assert!(!absent.exists(), "check creates no key file");
}

#[tokio::test]
async fn missing_ups_credentials_outside_the_sandbox_fail() {
    let app = spawn_app().await;
    let settings = with(clean(closed_port()), "OPTIN_UPS__PICKUP_MANAGER__CLIENT_SECRET", None);
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "pickup-manager UPS credentials", "ups.pickup_manager.client_secret");
    assert!(report.contains("ok   reverse-logistics UPS credentials"), "the other products pass:\n{report}");
}

#[tokio::test]
async fn the_sandboxs_credentials_outside_the_sandbox_fail() {
    let app = spawn_app().await;
    let settings =
        with(clean(closed_port()), "OPTIN_UPS__DATA_MANAGEMENT__CLIENT_SECRET", Some("sandbox-secret-data-management"));
    let settings = with(settings, "OPTIN_UPS__DATA_MANAGEMENT__CLIENT_ID", Some("sandbox-data-management"));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "data-management UPS credentials", "the client id is the built-in sandbox's");
    assert!(report.contains("the client secret is the built-in sandbox's"), "{report}");
    assert!(!report.contains("sandbox-secret-data-management"), "the secret never prints:\n{report}");
}

#[tokio::test]
async fn a_custom_environment_without_a_base_url_fails() {
    let app = spawn_app().await;
    let (ok, report) = check(&app, &[], &with(clean(closed_port()), "OPTIN_UPS__ENVIRONMENT", Some("custom")));
    assert_fails(ok, &report, "ups environment custom", "ups.base_url (OPTIN_UPS__BASE_URL) is required");
}

#[tokio::test]
async fn a_redirect_uri_outside_the_service_or_over_http_fails() {
    let app = spawn_app().await;
    let elsewhere = "https://elsewhere.example.com/oauth/reverse-logistics/callback";
    let settings = with(clean(closed_port()), "OPTIN_UPS__REVERSE_LOGISTICS__REDIRECT_URI", Some(elsewhere));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "reverse-logistics redirect URI", "not under public_base_url");

    let settings = with(clean(closed_port()), "OPTIN_PUBLIC_BASE_URL", Some("http://optin.example.com"));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "pickup-manager redirect URI http://optin.example.com/", "not https");
}

#[tokio::test]
async fn a_public_base_url_over_http_fails_unless_loopback() {
    let app = spawn_app().await;
    let settings = with(clean(closed_port()), "OPTIN_PUBLIC_BASE_URL", Some("http://optin.example.com"));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "public_base_url http://optin.example.com/", "would travel in clear");

    // On this machine, http is fine.
    let settings = with(clean(closed_port()), "OPTIN_PUBLIC_BASE_URL", Some("http://localhost:3000"));
    let (ok, report) = check(&app, &[], &settings);
    assert!(ok && report.contains("ok   public_base_url http://localhost:3000/"), "{report}");
}

#[tokio::test]
async fn a_malformed_embed_origin_fails() {
    let app = spawn_app().await;
    let origins = r#"["https://portal.example.com/widget"]"#;
    let settings = with(clean(closed_port()), "OPTIN_EMBED__PICKUP_MANAGER__ALLOWED_ORIGINS", Some(origins));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(
        ok,
        &report,
        "embed origins",
        "embed.pickup_manager.allowed_origins: \"https://portal.example.com/widget\"",
    );
}

#[tokio::test]
async fn a_webhook_url_with_credentials_fails() {
    let app = spawn_app().await;
    let url = "https://user:hook-password@hooks.example.com/optin";
    let settings = with(clean(closed_port()), "OPTIN_OPERATORS__WEBHOOK_URL", Some(url));
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, "operators' webhook https://hooks.example.com/optin", "without credentials");
    assert!(!report.contains("hook-password"), "credentials never print:\n{report}");
}

#[tokio::test]
async fn with_the_network_an_unreachable_webhook_fails() {
    let app = spawn_app().await;
    let (_listener, port) = listening();
    let closed = closed_port();
    let settings = with(clean(port), "OPTIN_OPERATORS__WEBHOOK_URL", Some(&format!("http://127.0.0.1:{closed}/ops")));
    // Without --network nothing is contacted.
    let (ok, report) = check(&app, &[], &settings);
    assert!(ok, "{report}");
    let (ok, report) = check(&app, &["--network"], &settings);
    assert_fails(ok, &report, &format!("operators' webhook http://127.0.0.1:{closed}/ops"), "cannot connect");
    assert!(report.contains(&format!("ok   smtp 127.0.0.1:{port} reachable")), "{report}");
}

#[tokio::test]
async fn with_the_network_an_unreachable_smtp_server_fails() {
    let app = spawn_app().await;
    let (_listener, port) = listening();
    let closed = closed_port().to_string();
    let settings = with(clean(port), "OPTIN_EMAIL__SMTP_PORT", Some(&closed));
    let (ok, report) = check(&app, &["--network"], &settings);
    assert_fails(ok, &report, &format!("smtp 127.0.0.1:{closed}"), "cannot connect");

    // Email with no sender fails even without the network: the start would refuse it.
    let settings = with(clean(port), "OPTIN_EMAIL__FROM", None);
    let (ok, report) = check(&app, &[], &settings);
    assert_fails(ok, &report, &format!("smtp 127.0.0.1:{port}"), "email.from (OPTIN_EMAIL__FROM) is required");
}

#[tokio::test]
async fn the_sandbox_passes_with_a_warning() {
    let app = spawn_app().await;
    let settings = [("OPTIN_UPS__ENVIRONMENT".to_owned(), "sandbox".to_owned())];
    let (ok, report) = check(&app, &[], &settings);
    assert!(ok, "{report}");
    assert!(report.contains("warn ups environment sandbox: the built-in sandbox"), "{report}");
    assert!(report.contains("ok   data-management UPS credentials (the built-in sandbox's)"), "{report}");
}

#[tokio::test]
async fn a_site_without_the_files_its_pages_name_fails() {
    let app = spawn_app().await;
    let empty = tempfile::tempdir().unwrap();
    let site = [("OPTIN_SITE_ROOT".to_owned(), empty.path().to_str().unwrap().to_owned())];
    let (ok, report) = check(&app, &[], &site);
    assert_fails(ok, &report, "site", "lacks pkg/optin.js, which its pages would name");

    // The tests' own site: complete, with plain names.
    let (ok, report) = check(&app, &[], &[("OPTIN_UPS__ENVIRONMENT".to_owned(), "sandbox".to_owned())]);
    assert!(ok && report.contains("warn site "), "{report}");
}
