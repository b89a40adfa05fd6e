//! The audit log as events: who did what, when, to which company and product. Each event is
//! written by the store in the same transaction as the change it records, so the log never
//! claims what did not happen.

use model::{AuditAction, CompanyId, Product, UserId};

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The service itself (refreshes, dead grants).
    Service,
    /// One of our users, signed in.
    User(UserId),
    /// A user of a product's own portal, acting through the embedded widget, as the portal named
    /// them.
    Portal(String),
    /// A product's backend, by its API key (the label names the key).
    Backend(String),
    /// Whoever consented through a consent link: its recipient, as the link names them.
    Recipient(String),
}

impl Actor {
    /// Our user, when it is one.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Self::User(user) => Some(*user),
            _ => None,
        }
    }

    /// The name recorded beside the action when the actor is not one of our users.
    pub fn label(&self) -> Option<&str> {
        match self {
            Self::Portal(label) | Self::Backend(label) | Self::Recipient(label) => Some(label),
            _ => None,
        }
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    SignedIn,
    OptInStarted,
    /// UPS.com said no (or the person declined): UPS's error code, cut short.
    ConsentDenied {
        error: String,
    },
    /// A new grant; `token` is the access token's fingerprint.
    Authorized {
        token: String,
    },
    OptedOut {
        tokens_deleted: u64,
    },
    Cleared {
        tokens_deleted: u64,
    },
    Refreshed {
        token: String,
    },
    RefreshFailed {
        attempt: i64,
        next_in_secs: i64,
        error: String,
    },
    ReauthorizationRequired {
        reason: String,
    },
    /// A notification reached its webhook endpoint (`kind` is the event's type).
    WebhookDelivered {
        kind: String,
        url: String,
        attempt: i64,
    },
    /// An attempt failed; `next_in_secs` is `None` once delivery is given up.
    WebhookFailed {
        kind: String,
        url: String,
        attempt: i64,
        error: String,
        next_in_secs: Option<i64>,
    },
    EmailSent {
        kind: String,
        to: String,
    },
    EmailFailed {
        kind: String,
        to: String,
        error: String,
        next_in_secs: Option<i64>,
    },
    /// The refresh token ends then (Unix seconds) and UPS has issued no newer one.
    Expiring {
        ends_at: i64,
    },
    /// An admin's check: what UPS's answer (its class) means.
    Checked {
        outcome: String,
    },
    /// A consent link made out to `to`, good until `expires_at`; `delivery` says how it left.
    ConsentLinkSent {
        to: String,
        expires_at: i64,
        delivery: String,
    },
    /// A consent link opened for the first time.
    ConsentLinkOpened {
        to: String,
        address: String,
        browser: String,
    },
    ConsentLinkRevoked {
        to: String,
    },
}

impl Event {
    pub fn action(&self) -> AuditAction {
        match self {
            Self::SignedIn => AuditAction::SignedIn,
            Self::OptInStarted => AuditAction::OptInStarted,
            Self::ConsentDenied { .. } => AuditAction::ConsentDenied,
            Self::Authorized { .. } => AuditAction::Authorized,
            Self::OptedOut { .. } => AuditAction::OptedOut,
            Self::Cleared { .. } => AuditAction::Cleared,
            Self::Refreshed { .. } => AuditAction::Refreshed,
            Self::RefreshFailed { .. } => AuditAction::RefreshFailed,
            Self::ReauthorizationRequired { .. } => AuditAction::ReauthorizationRequired,
            Self::WebhookDelivered { .. } => AuditAction::WebhookDelivered,
            Self::WebhookFailed { .. } => AuditAction::WebhookFailed,
            Self::EmailSent { .. } => AuditAction::EmailSent,
            Self::EmailFailed { .. } => AuditAction::EmailFailed,
            Self::Expiring { .. } => AuditAction::Expiring,
            Self::Checked { .. } => AuditAction::Checked,
            Self::ConsentLinkSent { .. } => AuditAction::ConsentLinkSent,
            Self::ConsentLinkOpened { .. } => AuditAction::ConsentLinkOpened,
            Self::ConsentLinkRevoked { .. } => AuditAction::ConsentLinkRevoked,
        }
    }

    /// The detail the Activity log shows beside the action.
    pub fn detail(&self) -> String {
        match self {
            Self::SignedIn | Self::OptInStarted => String::new(),
            Self::ConsentDenied { error } => error.chars().take(100).collect(),
            Self::Authorized { token } | Self::Refreshed { token } => format!("token {token}"),
            Self::OptedOut { tokens_deleted } | Self::Cleared { tokens_deleted } => {
                format!("{tokens_deleted} token(s) deleted")
            }
            Self::RefreshFailed { attempt, next_in_secs, error } => {
                format!("attempt {attempt}, next in {next_in_secs} s: {error}")
            }
            Self::ReauthorizationRequired { reason } => reason.clone(),
            Self::WebhookDelivered { kind, url, attempt } => format!("{kind} to {url} (attempt {attempt})"),
            Self::WebhookFailed { kind, url, attempt, error, next_in_secs } => {
                format!("{kind} to {url}, attempt {attempt}: {error}; {}", next_attempt(*next_in_secs))
            }
            Self::EmailSent { kind, to } => format!("{kind} to {to}"),
            Self::EmailFailed { kind, to, error, next_in_secs } => {
                format!("{kind} to {to}: {error}; {}", next_attempt(*next_in_secs))
            }
            Self::Expiring { ends_at } => format!("the refresh token ends at {}", model::time::format_utc(*ends_at)),
            Self::Checked { outcome } => outcome.clone(),
            Self::ConsentLinkSent { to, expires_at, delivery } => {
                format!("to {to}, {delivery}; good until {}", model::time::format_utc(*expires_at))
            }
            Self::ConsentLinkOpened { to, address, browser } => {
                let browser: String = browser.chars().take(120).collect();
                format!("link to {to}, from {address} ({browser})")
            }
            Self::ConsentLinkRevoked { to } => format!("link to {to}"),
        }
    }
}

fn next_attempt(next_in_secs: Option<i64>) -> String {
    match next_in_secs {
        Some(secs) => format!("next attempt in {secs} s"),
        None => "given up".to_owned(),
    }
}

/// One entry of the log.
#[derive(Clone, Debug)]
pub struct Entry {
    pub actor: Actor,
    pub company: Option<CompanyId>,
    pub product: Option<Product>,
    pub event: Event,
}

impl Entry {
    /// Something the service did to (company, product).
    pub fn service(company: CompanyId, product: Product, event: Event) -> Self {
        Self { actor: Actor::Service, company: Some(company), product: Some(product), event }
    }

    pub fn by(actor: &Actor, company: CompanyId, product: Product, event: Event) -> Self {
        Self { actor: actor.clone(), company: Some(company), product: Some(product), event }
    }
}
