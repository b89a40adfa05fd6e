//! Settings for telling the products and the admins when an authorization changes: webhook
//! delivery, and email over SMTP (off until an SMTP host is set); and the operators, when UPS
//! pushes back on a whole application.

use optin_core::{email::SmtpSecurity, secret::SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// Deliver webhooks and emails from this process (several instances share the work).
    pub worker: bool,
    /// How often the worker looks for due deliveries.
    pub poll_millis: u64,
    /// How long an endpoint has to answer.
    pub timeout_secs: u64,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub retry_base_secs: u64,
    /// How long a failing delivery is retried before it is given up.
    pub give_up_after_secs: u64,
    /// Deliveries attempted at once.
    pub concurrency: usize,
    /// Endpoints kept as configured here (added at start, their secret rotated when it
    /// changes), beside those added with `server webhook add`.
    pub endpoints: Vec<ConfiguredEndpoint>,
    /// `authorization.expiring` goes out this long before a refresh token's end (UPS's refresh
    /// tokens live about 60 days), to the product's webhooks and the company's admins.
    pub expiring_lead_secs: u64,
    /// How often the worker looks for refresh tokens nearing their end.
    pub expiring_check_secs: u64,
}

/// Where an application's incidents go: operators, not companies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperatorSettings {
    /// A webhook for `application.degraded` and `application.recovered`, signed like the
    /// products' webhooks with `webhook_secret`.
    pub webhook_url: Option<String>,
    /// `whsec_…`: required with `webhook_url`.
    pub webhook_secret: Option<SecretString>,
    /// Inboxes told of the same (email must be configured).
    pub emails: Vec<String>,
}

/// A webhook endpoint in the settings file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredEndpoint {
    /// `reverse-logistics`, `pickup-manager` or `data-management`.
    pub product: String,
    pub url: String,
    /// `whsec_…` (base64 after the prefix), as Standard Webhooks has it.
    pub secret: SecretString,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            worker: true,
            poll_millis: 1_000,
            timeout_secs: 10,
            retry_base_secs: 30,
            give_up_after_secs: 24 * 60 * 60,
            concurrency: 32,
            endpoints: Vec::new(),
            expiring_lead_secs: 7 * 24 * 60 * 60,
            expiring_check_secs: 60 * 60,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTls {
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// None: only for a relay on this machine.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    /// The SMTP server; unset, no email is sent.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub tls: EmailTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The sender, e.g. `UPS OAuth Opt-In <optin@example.com>`; required with an SMTP host.
    pub from: Option<String>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self { smtp_host: None, smtp_port: 587, tls: EmailTls::Starttls, username: None, password: None, from: None }
    }
}

impl EmailTls {
    pub fn security(self) -> SmtpSecurity {
        match self {
            Self::Starttls => SmtpSecurity::StartTls,
            Self::Tls => SmtpSecurity::Tls,
            Self::None => SmtpSecurity::None,
        }
    }
}
