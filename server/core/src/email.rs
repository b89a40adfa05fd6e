//! Email to a company's admins when UPS no longer accepts its grant, or soon will not: what to
//! do, and a link to the product's page; and to operators when UPS pushes back on a whole
//! application; consent links to their recipients, and their senders' news. Sent over SMTP
//! with `lettre`; off when no SMTP host is configured.

use crate::{
    events::{EventKind, IncidentNotice, Notification},
    secret::SecretString,
};
use lettre::{
    message::Mailbox,
    transport::smtp::{authentication::Credentials, client::Tls, client::TlsParameters},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use model::Product;
use std::time::Duration;
use url::Url;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain, then upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test sink.
    None,
}

/// Where and how to send.
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, SecretString)>,
    pub from: String,
}

/// What a consent link's email says besides the link.
pub struct LinkEmail<'a> {
    pub product: Product,
    pub company: &'a str,
    pub sender: &'a str,
    pub note: Option<&'a str>,
    pub expires_at: i64,
}

/// Sends the notifications' emails.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Where the links in the emails point.
    base_url: Url,
}

impl Mailer {
    pub fn new(settings: SmtpSettings, base_url: Url) -> Result<Self, String> {
        let from: Mailbox =
            settings.from.parse().map_err(|error| format!("email.from {:?}: {error}", settings.from))?;
        let tls = |host: &str| TlsParameters::new(host.to_owned()).map_err(|error| error.to_string());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(Duration::from_secs(15)));
        builder = match settings.security {
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls(&settings.host)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls(&settings.host)?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if let Some((user, password)) = settings.credentials {
            builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
        }
        Ok(Self { transport: builder.build(), from, base_url })
    }

    /// The email for `notification` (re-authorization required, or soon), to `to`.
    pub async fn send(&self, notification: &Notification, to: &str) -> Result<(), String> {
        let product = Product::parse(notification.product).map_err(|error| error.to_string())?;
        let link = self.base_url.join(product.page_path()).map_err(|error| error.to_string())?;
        if notification.kind == EventKind::Expiring.as_str() {
            let reason = notification.reason.as_deref().unwrap_or("The UPS authorization ends soon.");
            let body = format!(
                "{product} will soon no longer be able to act on {company}'s behalf through UPS APIs.\n\n\
                 Why: {reason}\n\n\
                 An admin of {company} should authorize {product} again before then: sign in at {link} and \
                 choose Re-authorize.\n\n(Event {id}.)\n",
                product = product.name(),
                company = notification.company_name,
                id = notification.id,
            );
            let subject = format!("Soon: authorize {} again for {}", product.name(), notification.company_name);
            return self.deliver(to, subject, body).await;
        }
        let reason = notification.reason.as_deref().unwrap_or("UPS no longer accepts the authorization.");
        let body = format!(
            "{product} can no longer act on {company}'s behalf through UPS APIs.\n\n\
             Why: {reason}\n\n\
             An admin of {company} must authorize {product} again: sign in at {link} and choose \
             Re-authorize. Until then, {product} cannot use UPS for {company}.\n\n\
             (Event {id}.)\n",
            product = product.name(),
            company = notification.company_name,
            id = notification.id,
        );
        let subject = format!("Action needed: authorize {} again for {}", product.name(), notification.company_name);
        self.deliver(to, subject, body).await
    }

    /// The email telling an operator about an application's incident.
    pub async fn send_incident(&self, notice: &IncidentNotice, to: &str) -> Result<(), String> {
        let product = Product::parse(notice.product).map_err(|error| error.to_string())?;
        let reason = notice.reason.as_deref().unwrap_or_default();
        let (subject, what) = match notice.kind {
            "application.degraded" => (
                format!("UPS is not answering the {} application", product.name()),
                "UPS pushes back on every refresh of this application. Refreshes have stopped but for one probe \
                 at a time; tokens still valid are served.",
            ),
            _ => (
                format!("UPS answers the {} application again", product.name()),
                "A probe succeeded: refreshes resume within the application's budget.",
            ),
        };
        let body = format!(
            "{what}\n\nClass: {class}\nWhy: {reason}\n\n(Incident {id}.)\n",
            class = notice.class.as_deref().unwrap_or("unknown"),
            id = notice.id,
        );
        self.deliver(to, subject, body).await
    }

    /// A consent link, to its recipient: who asks, for what, and until when.
    pub async fn send_consent_link(&self, email: &LinkEmail<'_>, link: &Url, to: &str) -> Result<(), String> {
        let LinkEmail { product, company, sender, note, expires_at } = email;
        let note = note.map(|note| format!("Their message:\n\n{note}\n\n")).unwrap_or_default();
        let body = format!(
            "{sender} asks you to authorize {product} to act on {company}'s behalf through UPS APIs.\n\n\
             {note}\
             Open this link, read what it means, and consent with the UPS.com user that holds {company}'s \
             shipper accounts:\n\n{link}\n\n\
             The link works once, until {until}. If you did not expect it, ignore this email.\n",
            product = product.name(),
            until = model::time::format_utc(*expires_at),
        );
        let subject = format!("Authorize {} for {company} at UPS.com", product.name());
        self.deliver(to, subject, body).await
    }

    /// Tells a consent link's sender that its recipient consented.
    pub async fn send_link_used(
        &self,
        product: Product,
        company: &str,
        recipient: &str,
        to: &str,
    ) -> Result<(), String> {
        let link = self.base_url.join(product.page_path()).map_err(|error| error.to_string())?;
        let body = format!(
            "{recipient} consented at UPS.com through the link you sent: {product} is now authorized for \
             {company}.\n\nSee it at {link}.\n",
            product = product.name(),
        );
        let subject = format!("{} is authorized for {company}", product.name());
        self.deliver(to, subject, body).await
    }

    async fn deliver(&self, to: &str, subject: String, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|error| format!("{to:?}: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|error| error.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|error| error.to_string())
    }
}
