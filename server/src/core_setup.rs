//! Opening the core from `Settings`: the store (SQLite or PostgreSQL, its pool sized for the
//! refresh worker), the key ring, the UPS client and the lifetimes; and what can go wrong on the
//! way (`StartupError`), for the server and the administration commands alike.

use crate::settings::{Settings, SettingsError};
use optin_core::{
    consent_links::LinkSettings,
    email::{Mailer, SmtpSettings},
    factors::Factors,
    sso::Sso,
    store::{Budget, Database, IncidentTargets, Store, StoreError},
    ups::{UpsEndpoints, UpsOAuth},
    Core, Lifetimes, RefreshPolicy,
};
use std::time::Duration;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("secret key: {0}")]
    Key(String),
    #[error(transparent)]
    Site(#[from] app::assets::SiteError),
    /// A setting (or settings together) the service cannot run with: which, and why.
    #[error("{setting}: {problem}")]
    Setting { setting: &'static str, problem: String },
    /// The UPS client could not be built (its endpoints or its HTTP client).
    #[error("the UPS client: {0}")]
    UpsClient(String),
    /// The core refused what start-up asked of it: what that was, and why.
    #[error("{doing}: {source}")]
    Core { doing: &'static str, source: optin_core::CoreError },
    /// A path or address of the service's own could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StartupError {
    /// `setting` cannot be run with, because of `problem`.
    pub fn setting(setting: &'static str, problem: impl Into<String>) -> Self {
        Self::Setting { setting, problem: problem.into() }
    }
}

/// How long what the core hands out lives, from `settings`.
pub fn lifetimes(settings: &Settings) -> Lifetimes {
    Lifetimes {
        session: Duration::from_secs(settings.session_lifetime_secs),
        session_idle: Duration::from_secs(settings.session_idle_secs),
        state: Duration::from_secs(settings.state_lifetime_secs),
        embed_token: Duration::from_secs(settings.embed.token_lifetime_secs),
        embed_session: Duration::from_secs(settings.embed.session_lifetime_secs),
        refresh_lease: Duration::from_secs(settings.refresh_lease_secs),
    }
}

/// How refreshes treat UPS, from `settings`: each application's budget, the operators who hear
/// of its incidents, and the lead time of `authorization.expiring`.
pub fn refresh_policy(settings: &Settings) -> Result<RefreshPolicy, StartupError> {
    let per_second = settings.ups.refreshes_per_second;
    if !(per_second.is_finite() && per_second > 0.0) {
        return Err(StartupError::setting(
            "ups.refreshes_per_second",
            format!("must be a number above 0 (it is {per_second})"),
        ));
    }
    let operators = &settings.operators;
    Ok(RefreshPolicy {
        budget: Budget::per_second(per_second),
        incident_targets: IncidentTargets {
            webhook: operators.webhook_url.is_some(),
            emails: operators.emails.iter().map(|email| email.trim().to_owned()).collect(),
        },
        expiring_lead: Duration::from_secs(settings.webhooks.expiring_lead_secs),
    })
}

/// The database `settings` name: `database_url`, or else the SQLite file `database`.
pub fn database(settings: &Settings) -> Result<Database, StoreError> {
    match &settings.database_url {
        Some(url) => Database::parse(url.expose()),
        None => Ok(Database::Sqlite(settings.database.clone())),
    }
}

/// Opens the database `settings` name, with the key ring, sized for the refresh worker.
async fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    let database = database(settings)?;
    let connections = settings
        .database_connections
        .unwrap_or_else(|| u32::try_from(settings.refresh_concurrency).unwrap_or(u32::MAX).saturating_add(8).min(64));
    let keys = crate::keyfile::load(settings).map_err(StartupError::Key)?;
    Ok(Store::connect(&database, keys, connections).await?)
}

/// The core on `settings`: the key, the store (opened and migrated), the UPS client and the
/// lifetimes. `base_url` is where the service is reached (the sandbox and redirect URIs are under
/// it by default).
pub async fn open_core(settings: &Settings, base_url: &Url) -> Result<Core, StartupError> {
    let registrations = settings.registrations(base_url)?;
    let endpoints =
        UpsEndpoints::under(&settings.ups_base(base_url)?).map_err(|e| StartupError::UpsClient(e.to_string()))?;
    let http = UpsOAuth::http_client().map_err(|e| StartupError::UpsClient(e.to_string()))?;
    let policy = refresh_policy(settings)?;
    // The identity providers are reached like UPS: no redirects followed, bounded in time.
    let sso = Sso::new(settings.sso.providers()?, http.clone()).with_passwords(settings.sso.passwords);
    let store = open_store(settings).await?;
    Ok(Core::new(store, UpsOAuth::new(&endpoints, &registrations, http), lifetimes(settings))
        .with_policy(policy)
        .with_sso(sso)
        .with_factors(Factors::new(base_url, settings.second_factors.required))
        .with_links(links(settings, base_url)?))
}

/// How consent links are made: their lifetime, under `base_url`, emailed when SMTP is set.
fn links(settings: &Settings, base_url: &Url) -> Result<LinkSettings, StartupError> {
    let lifetime = Duration::from_secs(settings.consent_links.lifetime_secs);
    if lifetime.is_zero() || lifetime > optin_core::consent_links::MAX_LIFETIME {
        return Err(StartupError::setting("consent_links.lifetime_secs", "must be from 1 second to 30 days"));
    }
    Ok(LinkSettings::new(lifetime, base_url.clone()).with_mailer(mailer(settings, base_url)?))
}

/// The mailer `settings.email` describes, when it names an SMTP host. Links in emails point at
/// `base_url`.
pub fn mailer(settings: &Settings, base_url: &Url) -> Result<Option<Mailer>, StartupError> {
    let email = &settings.email;
    let Some(host) = &email.smtp_host else { return Ok(None) };
    let from = email
        .from
        .clone()
        .ok_or_else(|| StartupError::setting("email.from", "(OPTIN_EMAIL__FROM) is required with email.smtp_host"))?;
    let smtp = SmtpSettings {
        host: host.clone(),
        port: email.smtp_port,
        security: email.tls.security(),
        credentials: email.username.clone().zip(email.password.clone()),
        from,
    };
    Mailer::new(smtp, base_url.clone()).map(Some).map_err(|problem| StartupError::setting("email", problem))
}

/// The core for administration commands, which never call UPS: the store and the key, and a UPS
/// client with no product registered (so a command works before UPS credentials are configured).
pub async fn open_admin_core(settings: &Settings) -> Result<Core, StartupError> {
    let store = open_store(settings).await?;
    admin_core(settings, store)
}

/// The core of an administration command on `store`, however it was opened.
pub fn admin_core(settings: &Settings, store: Store) -> Result<Core, StartupError> {
    let nowhere = Url::parse("http://127.0.0.1/security").map_err(|e| StartupError::UpsClient(e.to_string()))?;
    let endpoints = UpsEndpoints::under(&nowhere).map_err(|e| StartupError::UpsClient(e.to_string()))?;
    let http = UpsOAuth::http_client().map_err(|e| StartupError::UpsClient(e.to_string()))?;
    // Consent links made from the command line point where the service is reached.
    let base_url = match &settings.public_base_url {
        Some(url) => url.clone(),
        None => Url::parse(&format!("http://{}", settings.listen))
            .map_err(|error| StartupError::setting("listen", format!("is no URL's host: {error}")))?,
    };
    Ok(Core::new(store, UpsOAuth::new(&endpoints, &Default::default(), http), lifetimes(settings))
        .with_links(links(settings, &base_url)?))
}
