//! Configuration: one typed `Settings`, layered as embedded defaults that run out of the box, then
//! an optional TOML file, then `OPTIN_*` environment variables (`__` separates levels, e.g.
//! `OPTIN_UPS__ENVIRONMENT=cie`, `OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_SECRET=…`).

use figment::{
    providers::{Env, Format, Toml},
    Figment,
};
use model::Product;
use optin_core::{secret::SecretString, ups::ProductRegistration};
use serde::Deserialize;
use std::{collections::HashMap, net::SocketAddr, path::PathBuf};
use url::Url;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where to listen. Port 0 picks a free port (the tests do).
    pub listen: SocketAddr,
    /// The URL admins reach the service on. Default: `http://{listen}`.
    pub public_base_url: Option<Url>,
    /// The SQLite database file (created on first start).
    pub database: PathBuf,
    /// Where cargo-leptos put the wasm, js and css (`target/site`).
    pub site_root: PathBuf,
    /// 32 bytes, base64url: the key that encrypts OAuth tokens at rest. When unset, the key is
    /// read from `secret_key_file`, which is created with a fresh key on first start.
    pub secret_key: Option<SecretString>,
    pub secret_key_file: PathBuf,
    /// `Secure` on the session cookie. Leave on; browsers accept it on http://localhost too.
    pub secure_cookies: bool,
    pub session_lifetime_secs: u64,
    /// How long an admin has to finish UPS's sign-in and consent.
    pub state_lifetime_secs: u64,
    /// On first start with no users, create a demo admin and company and print the credentials.
    pub seed_demo: bool,
    /// Run the background refresh worker in this process. Off, tokens are still refreshed when
    /// the token API is asked for one that is due.
    pub refresh_worker: bool,
    /// How often the refresh worker looks for tokens due for refresh.
    pub refresh_interval_secs: u64,
    /// At most this many refreshes in flight at once. Each holds a rotated token pair between
    /// UPS's answer and its write: kept small, so a stop or a crash has little in flight.
    pub refresh_concurrency: usize,
    /// On SIGTERM or Ctrl-C, how long refreshes already under way get to store their result
    /// before the process exits anyway.
    pub shutdown_grace_secs: u64,
    /// Behind a reverse proxy: the header carrying the client's address (e.g. `x-forwarded-for`;
    /// the last entry is used). Unset: the connection's peer address.
    pub client_ip_header: Option<String>,
    pub ups: UpsSettings,
    pub sandbox: SandboxSettings,
    pub embed: EmbedSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_base_url: None,
            database: PathBuf::from("data/optin.db"),
            site_root: PathBuf::from("target/site"),
            secret_key: None,
            secret_key_file: PathBuf::from("data/secret.key"),
            secure_cookies: true,
            session_lifetime_secs: 8 * 60 * 60,
            state_lifetime_secs: 10 * 60,
            seed_demo: true,
            refresh_worker: true,
            refresh_interval_secs: 15,
            refresh_concurrency: 16,
            shutdown_grace_secs: 20,
            client_ip_header: None,
            ups: UpsSettings::default(),
            sandbox: SandboxSettings::default(),
            embed: EmbedSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UpsEnvironment {
    /// The built-in sandbox served by this process under `/security`: only when chosen
    /// (`scripts/run.sh` and the tests choose it), and on a loopback address unless
    /// `sandbox.allow_remote`.
    Sandbox,
    /// UPS's customer integration environment, `https://wwwcie.ups.com/security`.
    Cie,
    /// `https://onlinetools.ups.com/security` (the default: real credentials required).
    #[default]
    Production,
    /// `ups.base_url`: a proxy or a test double.
    Custom,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpsSettings {
    pub environment: UpsEnvironment,
    /// Required with `environment = "custom"`; the security root, e.g. `http://127.0.0.1:9000/security`.
    pub base_url: Option<Url>,
    pub reverse_logistics: ProductSettings,
    pub pickup_manager: ProductSettings,
    pub data_management: ProductSettings,
}

/// One product's registration with UPS. In the sandbox every field has a default; elsewhere the
/// client id and secret must be configured.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    /// Default: `{public_base_url}/oauth/{product}/callback`. Must match UPS's registration exactly.
    pub redirect_uri: Option<Url>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSettings {
    /// Serve the sandbox on an address other machines can reach. Its users and passwords are
    /// published in the README: off, so a sandbox is never exposed by accident.
    pub allow_remote: bool,
    pub code_lifetime_secs: u64,
    pub access_token_lifetime_secs: u64,
    pub refresh_token_lifetime_secs: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            allow_remote: false,
            code_lifetime_secs: 300,
            access_token_lifetime_secs: 14_399,
            refresh_token_lifetime_secs: 5_183_999,
        }
    }
}

/// The embeddable widget: who may frame it, and how long its sessions last.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedSettings {
    /// How long a product's backend has to hand a new embed session to its page (single use).
    pub token_lifetime_secs: u64,
    /// How long a widget works once its page has opened it.
    pub session_lifetime_secs: u64,
    pub reverse_logistics: EmbedProductSettings,
    pub pickup_manager: EmbedProductSettings,
    pub data_management: EmbedProductSettings,
}

impl Default for EmbedSettings {
    fn default() -> Self {
        Self {
            token_lifetime_secs: 120,
            session_lifetime_secs: 30 * 60,
            reverse_logistics: EmbedProductSettings::default(),
            pickup_manager: EmbedProductSettings::default(),
            data_management: EmbedProductSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedProductSettings {
    /// The portal origins (`https://portal.example.com`) allowed to frame this product's widget.
    /// None by default: the widget cannot be framed anywhere until its product team is listed.
    pub allowed_origins: Vec<String>,
}

impl EmbedSettings {
    pub fn product_mut(&mut self, product: Product) -> &mut EmbedProductSettings {
        match product {
            Product::ReverseLogistics => &mut self.reverse_logistics,
            Product::PickupManager => &mut self.pickup_manager,
            Product::DataManagement => &mut self.data_management,
        }
    }

    /// Each product's allowed origins, checked and written as browsers send them in `Origin`.
    pub fn origins(&self) -> Result<HashMap<Product, Vec<String>>, SettingsError> {
        Product::ALL
            .into_iter()
            .map(|product| {
                let configured = match product {
                    Product::ReverseLogistics => &self.reverse_logistics,
                    Product::PickupManager => &self.pickup_manager,
                    Product::DataManagement => &self.data_management,
                };
                let origins = configured
                    .allowed_origins
                    .iter()
                    .map(|origin| {
                        parse_origin(origin).ok_or_else(|| {
                            SettingsError::Invalid(format!(
                                "embed.{}.allowed_origins: \"{origin}\" is not an origin like https://portal.example.com",
                                product.slug().replace('-', "_")
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((product, origins))
            })
            .collect()
    }
}

/// `scheme://host[:port]` of an http(s) URL with nothing after the host, or `None`.
pub fn parse_origin(value: &str) -> Option<String> {
    let url = Url::parse(value.trim()).ok()?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    let origin = url.origin();
    (matches!(url.scheme(), "http" | "https") && bare && url.username().is_empty() && origin.is_tuple())
        .then(|| origin.ascii_serialization())
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Defaults, then `file` (when given, it must exist), then the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            if !file.exists() {
                return Err(SettingsError::Invalid(format!("{} does not exist", file.display())));
            }
            figment = figment.merge(Toml::file(file));
        }
        // OPTIN_CONFIG names the file and OPTIN_NEW_PASSWORD feeds the CLI: neither is a setting.
        let env = Env::prefixed("OPTIN_").ignore(&["config", "new_password"]).split("__");
        figment.merge(env).extract().map_err(|e| SettingsError::Load(Box::new(e)))
    }

    pub fn product(&self, product: Product) -> &ProductSettings {
        match product {
            Product::ReverseLogistics => &self.ups.reverse_logistics,
            Product::PickupManager => &self.ups.pickup_manager,
            Product::DataManagement => &self.ups.data_management,
        }
    }

    /// The security root of the UPS host in use. `public_base_url` is where the sandbox lives.
    pub fn ups_base(&self, public_base_url: &Url) -> Result<Url, SettingsError> {
        let parse = |url: &str| Url::parse(url).map_err(|e| SettingsError::Invalid(e.to_string()));
        match self.ups.environment {
            UpsEnvironment::Sandbox => parse(&format!("{}/security", public_base_url.as_str().trim_end_matches('/'))),
            UpsEnvironment::Cie => parse("https://wwwcie.ups.com/security"),
            UpsEnvironment::Production => parse("https://onlinetools.ups.com/security"),
            UpsEnvironment::Custom => self.ups.base_url.clone().ok_or_else(|| {
                SettingsError::Invalid("ups.base_url is required with ups.environment = \"custom\"".into())
            }),
        }
    }

    /// Each product's client id, secret and exact redirect URI. Outside the sandbox, a missing
    /// client id or secret stops the start: there is no committed default for real credentials.
    pub fn registrations(&self, public_base_url: &Url) -> Result<HashMap<Product, ProductRegistration>, SettingsError> {
        let sandbox = self.ups.environment == UpsEnvironment::Sandbox;
        Product::ALL
            .into_iter()
            .map(|product| {
                let configured = self.product(product);
                let key = product.slug().replace('-', "_");
                let missing = |field: &str| {
                    SettingsError::Invalid(format!(
                        "ups.{key}.{field} (OPTIN_UPS__{}__{}) is required outside the sandbox; to try the \
                         service without UPS, choose the built-in sandbox with OPTIN_UPS__ENVIRONMENT=sandbox \
                         (scripts/run.sh does)",
                        key.to_uppercase(),
                        field.to_uppercase()
                    ))
                };
                let client_id = match (&configured.client_id, sandbox) {
                    (Some(id), _) => id.clone(),
                    (None, true) => format!("sandbox-{}", product.slug()),
                    (None, false) => return Err(missing("client_id")),
                };
                let client_secret = match (&configured.client_secret, sandbox) {
                    (Some(secret), _) => secret.clone(),
                    (None, true) => SecretString::new(format!("sandbox-secret-{}", product.slug())),
                    (None, false) => return Err(missing("client_secret")),
                };
                let redirect_uri = match &configured.redirect_uri {
                    Some(uri) => uri.clone(),
                    None => public_base_url
                        .join(&format!("/oauth/{}/callback", product.slug()))
                        .map_err(|e| SettingsError::Invalid(e.to_string()))?,
                };
                Ok((product, ProductRegistration { client_id, client_secret, redirect_uri }))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn environment_variables_override_the_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("OPTIN_LISTEN", "127.0.0.1:4000");
            jail.set_env("OPTIN_UPS__ENVIRONMENT", "cie");
            jail.set_env("OPTIN_UPS__PICKUP_MANAGER__CLIENT_ID", "ipm-client");
            jail.set_env("OPTIN_NEW_PASSWORD", "not a setting");
            jail.create_file("optin.toml", "database = \"elsewhere.db\"\n[sandbox]\ncode_lifetime_secs = 60\n")?;
            let settings = Settings::load(Some(std::path::Path::new("optin.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(settings.listen.port(), 4000);
            assert_eq!(settings.ups.environment, UpsEnvironment::Cie);
            assert_eq!(settings.ups.pickup_manager.client_id.as_deref(), Some("ipm-client"));
            assert_eq!(settings.database, PathBuf::from("elsewhere.db"));
            assert_eq!(settings.sandbox.code_lifetime_secs, 60);
            jail.set_env("OPTIN_NO_SUCH_SETTING", "1");
            assert!(Settings::load(None).is_err(), "unknown settings are refused, not ignored");
            Ok(())
        });
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
        for bad in ["portal.example.com", "https://portal.example.com/app", "javascript:alert(1)", "*", "https://a@b.c"]
        {
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
}
