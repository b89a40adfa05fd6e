//! Configuration: one typed `Settings`, layered as embedded defaults that run out of the box, then
//! an optional TOML file, then `OPTIN_*` environment variables (`__` separates levels, e.g.
//! `OPTIN_UPS__ENVIRONMENT=cie`, `OPTIN_UPS__REVERSE_LOGISTICS__CLIENT_SECRET=…`).

mod consent_links;
mod notifications;
mod retention;
mod sandbox;
mod sso;

pub use consent_links::ConsentLinkSettings;
pub use notifications::{ConfiguredEndpoint, EmailSettings, EmailTls, OperatorSettings, WebhookSettings};
pub use retention::RetentionSettings;
pub use sandbox::SandboxSettings;
pub use sso::{ProviderSettings, SecondFactorSettings, SsoSettings};

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
    /// The SQLite database file (created on first start), unless `database_url` is set.
    pub database: PathBuf,
    /// `postgres://user:password@host/db` (several instances share it) or `sqlite://path`; wins
    /// over `database` when set. Migrations are applied at start either way.
    pub database_url: Option<SecretString>,
    /// Connections to the database, at most. Unset: enough for `refresh_concurrency` refreshes
    /// plus the requests being served beside them.
    pub database_connections: Option<u32>,
    /// The built site: `pkg/` with the wasm, js and css, and the `hash.txt` that names them
    /// (`target/site` in a checkout, `site/` in the release archive). See `app::assets`.
    pub site_root: PathBuf,
    /// 32 bytes, base64url: the key that encrypts OAuth tokens at rest. When unset, the key ring
    /// is read from `secret_key_file`, which is created with a fresh key on first start.
    pub secret_key: Option<SecretString>,
    /// The key ring's file: one key per line, the current key first, older keys (which only
    /// open what they sealed) after it. `server keys rotate` writes it.
    pub secret_key_file: PathBuf,
    /// Older keys that still open what they sealed (after a rotation, until `server keys rewrap`
    /// has re-sealed everything with the current key). Added to those of the key file.
    pub retired_keys: Vec<SecretString>,
    /// `Secure` on the session cookie. Leave on; browsers accept it on http://localhost too.
    pub secure_cookies: bool,
    pub session_lifetime_secs: u64,
    /// A session unused this long ends (signed out), whatever lifetime it has left.
    pub session_idle_secs: u64,
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
    /// How long a refresh holds its authorization against every other instance; a lease left
    /// by an instance that died is taken over after this. Longer than a call to UPS can take.
    pub refresh_lease_secs: u64,
    /// On SIGTERM or Ctrl-C, how long refreshes already under way get to store their result
    /// before the process exits anyway.
    pub shutdown_grace_secs: u64,
    /// Behind a reverse proxy: the header carrying the client's address (e.g. `x-forwarded-for`;
    /// the last entry is used). Unset: the connection's peer address.
    pub client_ip_header: Option<String>,
    pub connections: ConnectionSettings,
    /// A bearer token that reads `/metrics` from anywhere. Unset: only loopback clients may, and
    /// none at all behind a proxy (`client_ip_header`).
    pub metrics_token: Option<SecretString>,
    /// `text` (the default) or `json`, one object per line, for log collectors.
    pub log_format: LogFormat,
    pub retention: RetentionSettings,
    pub webhooks: WebhookSettings,
    pub email: EmailSettings,
    /// Who hears when UPS pushes back on a whole application (`application.degraded`,
    /// `application.recovered`).
    pub operators: OperatorSettings,
    pub ups: UpsSettings,
    pub sandbox: SandboxSettings,
    pub embed: EmbedSettings,
    /// Single sign-on through OpenID Connect identity providers.
    pub sso: SsoSettings,
    /// Second factors (passkeys, authenticator apps) for the service's own accounts.
    pub second_factors: SecondFactorSettings,
    pub consent_links: ConsentLinkSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_base_url: None,
            database: PathBuf::from("data/optin.db"),
            database_url: None,
            database_connections: None,
            site_root: PathBuf::from("target/site"),
            secret_key: None,
            secret_key_file: PathBuf::from("data/secret.key"),
            retired_keys: Vec::new(),
            secure_cookies: true,
            session_lifetime_secs: 8 * 60 * 60,
            session_idle_secs: 60 * 60,
            state_lifetime_secs: 10 * 60,
            seed_demo: true,
            refresh_worker: true,
            refresh_interval_secs: 15,
            refresh_concurrency: 16,
            refresh_lease_secs: 30,
            shutdown_grace_secs: 20,
            client_ip_header: None,
            connections: ConnectionSettings::default(),
            metrics_token: None,
            log_format: LogFormat::Text,
            retention: RetentionSettings::default(),
            webhooks: WebhookSettings::default(),
            email: EmailSettings::default(),
            operators: OperatorSettings::default(),
            ups: UpsSettings::default(),
            sandbox: SandboxSettings::default(),
            embed: EmbedSettings::default(),
            sso: SsoSettings::default(),
            second_factors: SecondFactorSettings::default(),
            consent_links: ConsentLinkSettings::default(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What one client can hold of the server: connections are capped, and each must send its
/// headers, and finish its request, in time.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionSettings {
    /// Connections served at once; beyond that, new ones wait in the kernel's backlog.
    pub max: usize,
    /// How long a connection may take to send a request's headers, and how long a kept-alive
    /// connection may stay idle between requests.
    pub header_timeout_secs: u64,
    /// How long one request may take, body and answer included (408 past that).
    pub request_timeout_secs: u64,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self { max: 4_096, header_timeout_secs: 10, request_timeout_secs: 30 }
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpsSettings {
    pub environment: UpsEnvironment,
    /// Required with `environment = "custom"`; the security root, e.g. `http://127.0.0.1:9000/security`.
    pub base_url: Option<Url>,
    /// Refreshes per second each UPS application (product) may send, all instances together.
    /// UPS publishes no limit: 100 is three times what 100,000 authorizations with one-hour
    /// tokens need, and far below a storm's pace. A 429 opens the breaker whatever this is.
    pub refreshes_per_second: f64,
    pub reverse_logistics: ProductSettings,
    pub pickup_manager: ProductSettings,
    pub data_management: ProductSettings,
}

impl Default for UpsSettings {
    fn default() -> Self {
        Self {
            environment: UpsEnvironment::default(),
            base_url: None,
            refreshes_per_second: 100.0,
            reverse_logistics: ProductSettings::default(),
            pickup_manager: ProductSettings::default(),
            data_management: ProductSettings::default(),
        }
    }
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

    pub fn product(&self, product: Product) -> &EmbedProductSettings {
        match product {
            Product::ReverseLogistics => &self.reverse_logistics,
            Product::PickupManager => &self.pickup_manager,
            Product::DataManagement => &self.data_management,
        }
    }

    /// Each product's allowed origins, checked and written as browsers send them in `Origin`.
    pub fn origins(&self) -> Result<HashMap<Product, Vec<String>>, SettingsError> {
        Product::ALL
            .into_iter()
            .map(|product| {
                let origins = self
                    .product(product)
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
mod tests;
