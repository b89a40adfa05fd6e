//! The checks of where notifications go: the webhook endpoints of the settings
//! (`webhooks.endpoints`, `operators.webhook_url`) as http(s) URLs without credentials and with a
//! `whsec_…` signing secret, and email (the SMTP settings the start needs). With
//! [`Network::Connect`], each endpoint and the SMTP server must also accept a TCP connection.
//! Endpoints added with `server webhook add` were checked when they were added.

use super::{shown, Finding, Network};
use crate::settings::{ConfiguredEndpoint, Settings};
use model::Product;
use optin_core::{
    email::{Mailer, SmtpSettings},
    secret::SecretString,
    webhooks::{check_secret, check_url},
};
use std::time::Duration;
use tokio::net::TcpStream;
use url::Url;

/// How long a host has to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The webhooks of the settings, the operators' webhook, then email.
pub(super) async fn check(settings: &Settings, base: &Url, network: Network) -> Vec<Finding> {
    let mut findings = Vec::new();
    for endpoint in &settings.webhooks.endpoints {
        findings.push(endpoint_finding(endpoint, network).await);
    }
    if let Some(url) = &settings.operators.webhook_url {
        let what = format!("operators' webhook {}", printable(url));
        findings.push(webhook(what, url, settings.operators.webhook_secret.as_ref(), network).await);
    }
    if findings.is_empty() {
        findings.push(Finding::ok("webhooks: none in the settings"));
    }
    findings.push(email(settings, base, network).await);
    findings
}

async fn endpoint_finding(endpoint: &ConfiguredEndpoint, network: Network) -> Finding {
    let what = format!("webhook {} ({})", printable(&endpoint.url), endpoint.product);
    match Product::parse(&endpoint.product) {
        Ok(_) => webhook(what, &endpoint.url, Some(&endpoint.secret), network).await,
        Err(_) => Finding::fail(what, "product is not reverse-logistics, pickup-manager or data-management"),
    }
}

/// One webhook: its URL, its signing secret and, with the network, its host.
async fn webhook(what: String, url: &str, secret: Option<&SecretString>, network: Network) -> Finding {
    let url = match check_url(url) {
        Ok(url) => url,
        Err(_) => return Finding::fail(what, "not an http(s) URL without credentials"),
    };
    match secret.map(check_secret) {
        None => return Finding::fail(what, "no signing secret (a whsec_… secret is required with the URL)"),
        Some(Err(_)) => return Finding::fail(what, "its signing secret is not a whsec_… secret"),
        Some(Ok(())) => {}
    }
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Finding::fail(what, "no host and port to deliver to");
    };
    match network {
        Network::Skip => Finding::ok(what),
        Network::Connect => match connect(host, port).await {
            Ok(()) => Finding::ok(format!("{what} reachable")),
            Err(why) => Finding::fail(what, why),
        },
    }
}

/// Email: off without an SMTP host; with one, what the start needs (a sender), and with the
/// network, a server that accepts a connection.
async fn email(settings: &Settings, base: &Url, network: Network) -> Finding {
    let email = &settings.email;
    let Some(host) = &email.smtp_host else {
        return match settings.operators.emails.is_empty() {
            true => Finding::ok("email off (no email.smtp_host)"),
            false => Finding::warn("email off (no email.smtp_host)", "operators.emails are never written to"),
        };
    };
    let what = format!("smtp {host}:{}", email.smtp_port);
    let Some(from) = email.from.clone() else {
        return Finding::fail(what, "email.from (OPTIN_EMAIL__FROM) is required with email.smtp_host");
    };
    let smtp = SmtpSettings {
        host: host.clone(),
        port: email.smtp_port,
        security: email.tls.security(),
        credentials: email.username.clone().zip(email.password.clone()),
        from,
    };
    // Building the mailer checks the sender and the TLS settings; it connects only to send.
    if let Err(why) = Mailer::new(smtp, base.clone()) {
        return Finding::fail(what, why);
    }
    match network {
        Network::Skip => Finding::ok(what),
        Network::Connect => match connect(host, email.smtp_port).await {
            Ok(()) => Finding::ok(format!("{what} reachable")),
            Err(why) => Finding::fail(what, why),
        },
    }
}

/// Opens (and at once closes) a TCP connection to `host`:`port`.
async fn connect(host: &str, port: u16) -> Result<(), String> {
    // An IPv6 address comes bracketed out of a URL; the resolver wants it bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port))).await {
        Ok(Ok(_stream)) => Ok(()),
        Ok(Err(error)) => Err(format!("cannot connect to {host}:{port}: {error}")),
        Err(_) => Err(format!("{host}:{port} did not accept a connection within {}s", CONNECT_TIMEOUT.as_secs())),
    }
}

/// A configured URL as it can be printed: without credentials, or not at all if it is no URL.
fn printable(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(url) => shown(&url),
        Err(_) => "(not a URL)".to_owned(),
    }
}
