//! The settings' defaults, layering and checks.

use super::*;

#[test]
fn the_defaults_need_real_credentials_and_the_sandbox_is_chosen() {
    let mut settings = Settings::default();
    assert_eq!(settings.ups.environment, UpsEnvironment::Production);
    let base = Url::parse("http://127.0.0.1:3000").unwrap();
    assert!(settings.registrations(&base).is_err(), "no committed credentials");
    settings.ups.environment = UpsEnvironment::Sandbox;
    let base = Url::parse("http://127.0.0.1:3000").unwrap();
    assert_eq!(settings.ups_base(&base).unwrap().as_str(), "http://127.0.0.1:3000/security");
    let registrations = settings.registrations(&base).unwrap();
    assert_eq!(
        registrations[&Product::PickupManager].redirect_uri.as_str(),
        "http://127.0.0.1:3000/oauth/pickup-manager/callback"
    );
}

#[test]
fn production_needs_real_credentials() {
    let mut settings = Settings::default();
    settings.ups.environment = UpsEnvironment::Production;
    let base = Url::parse("https://optin.example.com").unwrap();
    let error = settings.registrations(&base).unwrap_err().to_string();
    assert!(error.contains("ups.reverse_logistics.client_id"), "{error}");
    assert_eq!(settings.ups_base(&base).unwrap().as_str(), "https://onlinetools.ups.com/security");
}

#[test]
fn custom_needs_a_base_url() {
    let mut settings = Settings::default();
    settings.ups.environment = UpsEnvironment::Custom;
    assert!(settings.ups_base(&Url::parse("http://127.0.0.1:1").unwrap()).is_err());
}

/// The only test here that reads the process's environment, so no other sees what it sets.
#[test]
fn environment_variables_override_the_file_and_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("optin.toml");
    std::fs::write(
        &file,
        "database = \"elsewhere.db\"\nlisten = \"127.0.0.1:9\"\n[sandbox]\ncode_lifetime_secs = 60\n",
    )
    .unwrap();
    let variables = [
        ("OPTIN_LISTEN", "127.0.0.1:4000"),
        ("OPTIN_UPS__ENVIRONMENT", "cie"),
        ("OPTIN_UPS__PICKUP_MANAGER__CLIENT_ID", "ipm-client"),
        ("OPTIN_NEW_PASSWORD", "not a setting"),
        (
            "OPTIN_SSO__PROVIDERS",
            r#"[{id = "corp", name = "Corp", issuer = "https://idp.example.com", client_id = "optin",
                 groups_claim = "groups", companies = {"returns-admins" = "Acme Returns"}}]"#,
        ),
    ];
    for (name, value) in variables {
        std::env::set_var(name, value);
    }
    let settings = Settings::load(Some(&file));
    std::env::set_var("OPTIN_NO_SUCH_SETTING", "1");
    let unknown = Settings::load(None);
    for name in variables.iter().map(|(name, _)| name).chain([&"OPTIN_NO_SUCH_SETTING"]) {
        std::env::remove_var(name);
    }
    let settings = settings.unwrap();
    assert_eq!(settings.listen.port(), 4000);
    assert_eq!(settings.ups.environment, UpsEnvironment::Cie);
    assert_eq!(settings.ups.pickup_manager.client_id.as_deref(), Some("ipm-client"));
    assert_eq!(settings.database, PathBuf::from("elsewhere.db"));
    assert_eq!(settings.sandbox.code_lifetime_secs, 60);
    let providers = settings.sso.providers().expect("the provider is valid");
    assert_eq!((providers[0].id.as_str(), providers[0].issuer.as_str()), ("corp", "https://idp.example.com"));
    assert_eq!(providers[0].companies["returns-admins"], "Acme Returns");
    assert_eq!(providers[0].scopes, ["email", "profile"]);
    assert!(unknown.is_err(), "unknown settings are refused, not ignored");
}

proptest::proptest! {
    /// Whatever is configured as an embed origin comes out as a bare `http(s)://host[:port]`
    /// that reads back as itself, or is refused.
    #[test]
    fn embed_origins_are_bare_or_refused(
        input in "\\PC{0,40}|(https?|javascript|data)://[a-z0-9.@:]{1,20}(/[a-z?#]{0,6})?",
    ) {
        if let Some(origin) = parse_origin(&input) {
            proptest::prop_assert!(origin.starts_with("http://") || origin.starts_with("https://"));
            proptest::prop_assert!(!origin[8..].contains(['/', '@', '?', '#']), "{origin}");
            proptest::prop_assert_eq!(parse_origin(&origin), Some(origin.clone()));
        }
    }
}

#[test]
fn embed_origins_must_be_bare_origins() {
    assert_eq!(parse_origin("https://portal.example.com/").as_deref(), Some("https://portal.example.com"));
    assert_eq!(parse_origin("http://127.0.0.1:3001").as_deref(), Some("http://127.0.0.1:3001"));
    for bad in ["portal.example.com", "https://portal.example.com/app", "javascript:alert(1)", "*", "https://a@b.c"] {
        assert_eq!(parse_origin(bad), None, "{bad}");
    }
    let mut settings = Settings::default();
    settings.embed.pickup_manager.allowed_origins = vec!["https://portal.example.com/path".into()];
    let error = settings.embed.origins().unwrap_err().to_string();
    assert!(error.contains("embed.pickup_manager.allowed_origins"), "{error}");
}

#[test]
fn secrets_in_settings_do_not_print() {
    let mut settings = Settings::default();
    settings.secret_key = Some(SecretString::new("top-secret-key"));
    settings.ups.reverse_logistics.client_secret = Some(SecretString::new("top-secret-client"));
    assert!(!format!("{settings:?}").contains("top-secret"));
}

#[test]
fn identity_providers_are_checked() {
    let provider = |id: &str, issuer: &str| ProviderSettings {
        id: id.into(),
        name: "Corp".into(),
        issuer: issuer.into(),
        client_id: "optin".into(),
        client_secret: None,
        scopes: Vec::new(),
        create_users: false,
        groups_claim: None,
        companies: Default::default(),
    };
    let problem = |sso: SsoSettings| sso.providers().unwrap_err().to_string();
    let with = |providers| SsoSettings { providers, passwords: true };
    assert!(problem(with(vec![provider("Corp SSO", "https://idp.example.com")])).contains("lower-case letters"));
    assert!(problem(with(vec![provider("corp", "ftp://idp.example.com")])).contains("https URL"));
    let twice = vec![provider("corp", "https://a.example.com"), provider("corp", "https://b.example.com")];
    assert!(problem(with(twice)).contains("two providers"));
    assert!(problem(SsoSettings { providers: Vec::new(), passwords: false }).contains("sso.passwords"));
    assert!(with(vec![provider("corp", "https://idp.example.com")]).providers().is_ok());
}
