//! What the products and the admins are told when an authorization changes: the notification
//! events and their payload; and what operators are told when UPS pushes back on a whole
//! application ([`IncidentNotice`]). The store writes an event in the same transaction as the change it
//! reports (the outbox); [`crate::outbox`] delivers it as a signed webhook or an email. A payload
//! never carries a token.

use model::{CompanyId, Product, StatusKind};
use serde::Serialize;
use strum::{EnumString, IntoStaticStr};

/// The type of a notification, as webhooks name it and the outbox stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, EnumString)]
pub enum EventKind {
    #[strum(serialize = "authorization.authorized")]
    Authorized,
    #[strum(serialize = "authorization.opted_out")]
    OptedOut,
    #[strum(serialize = "authorization.cleared")]
    Cleared,
    /// UPS refused the grant; the event carries UPS's reason.
    #[strum(serialize = "authorization.reauthorization_required")]
    ReauthorizationRequired,
    /// UPS cannot be reached and the stored token has expired or is about to: sent once per
    /// incident, not once per retry.
    #[strum(serialize = "authorization.refresh_degraded")]
    RefreshDegraded,
    /// A refresh succeeded again after a degraded incident.
    #[strum(serialize = "authorization.refresh_recovered")]
    RefreshRecovered,
    /// The grant's refresh token ends soon and UPS has issued no newer one: an admin should
    /// authorize again before it dies (sent once per refresh token, the lead time ahead).
    #[strum(serialize = "authorization.expiring")]
    Expiring,
}

impl EventKind {
    pub const ALL: [Self; 7] = [
        Self::Authorized,
        Self::OptedOut,
        Self::Cleared,
        Self::ReauthorizationRequired,
        Self::RefreshDegraded,
        Self::RefreshRecovered,
        Self::Expiring,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }

    /// The authorization's status once this happened.
    pub fn status(self) -> StatusKind {
        match self {
            Self::Authorized | Self::RefreshDegraded | Self::RefreshRecovered | Self::Expiring => {
                StatusKind::Authorized
            }
            Self::OptedOut | Self::Cleared => StatusKind::NotAuthorized,
            Self::ReauthorizationRequired => StatusKind::ReauthorizationRequired,
        }
    }
}

/// A notification as it is sent: the webhook body, and what an email says.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    /// `evt_…`: the same on every attempt, so receivers can drop duplicates.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub company: i64,
    pub company_name: String,
    pub product: &'static str,
    pub status: &'static str,
    pub reason: Option<String>,
    /// Unix seconds.
    pub occurred_at: i64,
}

impl Notification {
    pub fn new(
        id: String,
        kind: EventKind,
        company: (CompanyId, String),
        product: Product,
        reason: Option<String>,
        occurred_at: i64,
    ) -> Self {
        Self {
            id,
            kind: kind.as_str(),
            company: company.0.get(),
            company_name: company.1,
            product: product.slug(),
            status: kind.status().code(),
            reason,
            occurred_at,
        }
    }
}

impl EventKind {
    /// Whether the company's admins are emailed too, not only the product's webhooks: when they
    /// must authorize again, or soon will.
    pub fn emails_admins(self) -> bool {
        matches!(self, Self::ReauthorizationRequired | Self::Expiring)
    }
}

/// An incident of a UPS application, for its operators: no company is in it, and no company
/// admin is told.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentNotice {
    /// `inc_…`: the same on every attempt.
    pub id: String,
    /// `application.degraded` or `application.recovered`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub product: &'static str,
    /// `rate_limited` or `application_refused`: what UPS answered.
    pub class: Option<String>,
    pub reason: Option<String>,
    /// Unix seconds.
    pub occurred_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_payloads_carry_no_token_field() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        let notification = Notification::new(
            "evt_1".into(),
            EventKind::ReauthorizationRequired,
            (CompanyId::new(3), "Acme".into()),
            Product::PickupManager,
            Some("UPS refused".into()),
            1_700_000_000,
        );
        let body = serde_json::to_value(&notification).unwrap();
        assert_eq!(body["type"], "authorization.reauthorization_required");
        assert_eq!(body["status"], "reauthorization_required");
        let fields: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(fields, ["company", "company_name", "id", "occurred_at", "product", "reason", "status", "type"]);
    }
}
