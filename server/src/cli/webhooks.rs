//! `server webhook …`: the endpoints that hear about a product's authorizations.

use super::WebhookCommand;
use model::Product;
use optin_core::{webhooks, Core, CoreError};

pub async fn run(core: &Core, command: WebhookCommand) -> Result<String, CoreError> {
    match command {
        WebhookCommand::Add { product, url } => {
            let product = Product::parse(&product).map_err(|e| CoreError::Invalid(e.to_string()))?;
            let (id, secret) = webhooks::add(core, product, &url).await?;
            Ok(format!("Added webhook endpoint {id} for {product}. Signing secret (shown once): {}", secret.expose()))
        }
        WebhookCommand::List => {
            let endpoints = webhooks::list(core).await?;
            let lines: Vec<String> = endpoints
                .iter()
                .map(|endpoint| {
                    let rotating = match endpoint.previous_until {
                        Some(until) if until > optin_core::clock::now() => ", previous secret still signing",
                        _ => "",
                    };
                    format!("{}  {}  {}{rotating}", endpoint.id, endpoint.product.slug(), endpoint.url)
                })
                .collect();
            Ok(if lines.is_empty() { "No webhook endpoints.".into() } else { lines.join("\n") })
        }
        WebhookCommand::Remove { id } => {
            webhooks::remove(core, id).await?;
            Ok(format!("Removed webhook endpoint {id}."))
        }
        WebhookCommand::RotateSecret { id } => {
            let secret = webhooks::rotate_secret(core, id).await?;
            Ok(format!(
                "New signing secret for endpoint {id} (shown once): {}. The old one also signs for 24 hours.",
                secret.expose()
            ))
        }
        WebhookCommand::Replay { event_id } => {
            let queued = webhooks::replay(core, &event_id).await?;
            Ok(format!("Queued {event_id} again for {queued} endpoint(s)."))
        }
    }
}
