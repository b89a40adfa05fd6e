//! `server check`: reads the settings and what they point at (the database and its migrations,
//! the key ring and the secrets it seals, the products' UPS registrations, the public URLs, the
//! embed origins, the site's files, the webhook endpoints and the SMTP server), changes nothing,
//! and reports one line per check: `ok`, `warn` (works, but likely not what was meant) or `fail`
//! (the service would refuse to start, or would not work as configured).
//!
//! The checks only read: the database is opened read-only and never migrated, a missing key file
//! is not created, and only with [`Network::Connect`] is anything contacted (a TCP connection to
//! each webhook endpoint and to the SMTP server, closed at once). Starting the service is
//! `startup`'s; the database and key checks go through the store and the core like every command.

mod database;
mod notifications;
mod public;
mod ups;

use crate::settings::Settings;
use std::fmt;
use url::{Host, Url};

/// What a check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// It works, but probably not as meant; the reason.
    Warn(String),
    /// The service would not start, or would not work; the reason.
    Fail(String),
}

/// One line of the report: what was checked, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub what: String,
    pub verdict: Verdict,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Self {
        Self { what: what.into(), verdict: Verdict::Ok }
    }

    fn warn(what: impl Into<String>, why: impl Into<String>) -> Self {
        Self { what: what.into(), verdict: Verdict::Warn(why.into()) }
    }

    fn fail(what: impl Into<String>, why: impl Into<String>) -> Self {
        Self { what: what.into(), verdict: Verdict::Fail(why.into()) }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Ok => write!(f, "ok   {}", self.what),
            Verdict::Warn(why) => write!(f, "warn {}: {why}", self.what),
            Verdict::Fail(why) => write!(f, "fail {}: {why}", self.what),
        }
    }
}

/// Every check's finding, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any check failed (the command then exits with a failure).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|finding| matches!(finding.verdict, Verdict::Fail(_)))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.findings.iter().map(Finding::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// Whether the checks may reach out over the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Only read the settings, the key ring and the database.
    Skip,
    /// Also open a TCP connection to each webhook endpoint and to the SMTP server.
    Connect,
}

/// Runs every check on `settings`.
pub async fn run(settings: &Settings, network: Network) -> Report {
    let mut findings = database::check(settings).await;
    let base = public::base_url(settings);
    findings.push(match &base {
        Ok(base) => public::check_base_url(settings, base),
        Err(finding) => finding.clone(),
    });
    findings.push(ups::environment(settings));
    // Without a base URL (which `listen` always makes), nothing that hangs under it is checked.
    if let Ok(base) = &base {
        findings.extend(ups::products(settings, base));
        findings.push(public::second_factors(settings, base));
    }
    findings.push(public::embed_origins(settings));
    findings.push(public::site(settings));
    if let Ok(base) = &base {
        findings.extend(notifications::check(settings, base, network).await);
    }
    Report { findings }
}

/// Whether `url`'s host is this machine: an IP loopback address, `localhost` or a name under it.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// Whether what travels to `url` is safe from the network: https, or http to this machine.
fn secure_or_loopback(url: &Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url))
}

/// `url` as it can be printed: without any user name or password in it.
fn shown(url: &Url) -> String {
    let mut url = url.clone();
    // Fails only for URLs that cannot hold credentials anyway.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_the_machine_itself_by_address_or_name() {
        for url in ["http://127.0.0.1:3000", "http://[::1]/", "http://localhost:8080", "http://app.localhost"] {
            assert!(is_loopback(&url.parse().unwrap()), "{url}");
        }
        for url in ["http://10.0.0.1", "http://optin.example.com", "http://localhost.example.com"] {
            assert!(!is_loopback(&url.parse().unwrap()), "{url}");
        }
    }

    #[test]
    fn credentials_never_print() {
        assert_eq!(shown(&"https://user:pw@hooks.example.com/a".parse().unwrap()), "https://hooks.example.com/a");
    }

    #[test]
    fn a_line_starts_with_its_verdict() {
        assert_eq!(Finding::ok("database").to_string(), "ok   database");
        assert_eq!(Finding::warn("a", "b").to_string(), "warn a: b");
        let report = Report { findings: vec![Finding::ok("a"), Finding::fail("b", "c")] };
        assert!(report.failed());
        assert_eq!(report.to_string(), "ok   a\nfail b: c");
    }
}
