//! `server consent-link …`: consent links made, listed and revoked by an operator, for the
//! holder of a company's UPS.com user (see `optin_core::consent_links`).

use clap::Subcommand;
use model::{ConsentLinkId, Product};
use optin_core::{
    companies::find_company,
    consent_links::{self, Caller, Delivery, LinkMessage, LinkRequest, Recipient},
    Core, CoreError,
};
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum ConsentLinkCommand {
    /// Make a link out to someone: emailed when SMTP is configured, else printed (once).
    Create {
        /// The company, by name.
        #[arg(long)]
        company: String,
        /// reverse-logistics, pickup-manager or data-management
        #[arg(long)]
        product: String,
        /// The recipient's email address.
        #[arg(long)]
        to: String,
        /// A note shown to them with the link.
        #[arg(long)]
        message: Option<String>,
        /// How long it works, in hours (default: the `consent_links.lifetime_secs` setting).
        #[arg(long)]
        hours: Option<u64>,
        /// Print the link instead of emailing it.
        #[arg(long)]
        no_email: bool,
    },
    /// The company's links for a product still waiting.
    List {
        #[arg(long)]
        company: String,
        #[arg(long)]
        product: String,
    },
    /// Revoke a waiting link, by its number.
    Revoke {
        #[arg(long)]
        company: String,
        #[arg(long)]
        product: String,
        id: i64,
    },
}

fn product(slug: &str) -> Result<Product, CoreError> {
    Product::parse(slug).map_err(|error| CoreError::Invalid(error.to_string()))
}

pub async fn run(core: &Core, command: ConsentLinkCommand) -> Result<String, CoreError> {
    match command {
        ConsentLinkCommand::Create { company, product: slug, to, message, hours, no_email } => {
            let request = LinkRequest {
                company: find_company(core, &company).await?,
                product: product(&slug)?,
                recipient: Recipient::parse(&to)?,
                message: LinkMessage::parse(message.as_deref().unwrap_or_default())?,
                lifetime: hours.map(|hours| Duration::from_secs(hours.saturating_mul(3600))),
                email: !no_email,
            };
            let created = consent_links::create(core, Caller::Operator, request).await?;
            let until = model::time::format_utc(created.expires_at);
            Ok(match &created.delivery {
                Delivery::Emailed => {
                    format!("Emailed consent link {} to {to}; it works once, until {until}.", created.id)
                }
                Delivery::Handed { url, email_error } => {
                    let failed = email_error.as_ref().map(|error| format!("The email failed ({error}). "));
                    format!(
                        "{}Consent link {} for {to} (shown once; it works once, until {until}):\n{}",
                        failed.unwrap_or_default(),
                        created.id,
                        url.expose()
                    )
                }
            })
        }
        ConsentLinkCommand::List { company, product: slug } => {
            let company = find_company(core, &company).await?;
            let links = consent_links::pending(core, Caller::Operator, company, product(&slug)?).await?;
            let lines: Vec<String> = links
                .iter()
                .map(|link| {
                    let opened = link.opened.as_ref().map_or("not opened".to_owned(), |opened| {
                        format!("opened {} from {}", model::time::format_utc(opened.at), opened.address)
                    });
                    let until = model::time::format_utc(link.expires_at);
                    format!("{}  {}  by {}  until {until}  {opened}", link.id, link.recipient, link.sent_by)
                })
                .collect();
            Ok(if lines.is_empty() { "No consent link is waiting.".into() } else { lines.join("\n") })
        }
        ConsentLinkCommand::Revoke { company, product: slug, id } => {
            let company = find_company(core, &company).await?;
            let link = ConsentLinkId::new(id);
            match consent_links::revoke(core, Caller::Operator, company, product(&slug)?, link).await? {
                true => Ok(format!("Revoked consent link {id}.")),
                false => Err(CoreError::NotFound(format!("a waiting consent link {id}"))),
            }
        }
    }
}
