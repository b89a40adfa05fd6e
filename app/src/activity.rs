//! The company's activity: its audit log, newest first, as its admins see it on each product's
//! authorization page.

use crate::{error::AppError, ids::CompanyId, product::Product, ui::LocalTime};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: i64,
    /// Who did it; `None` for the service itself (refreshes).
    pub actor: Option<String>,
    pub product: Option<Product>,
    pub action: String,
    pub detail: String,
}

/// What an audit action means, in words.
pub fn describe(action: &str) -> &'static str {
    match action {
        "opt_in_started" => "Opt-in started",
        "authorized" => "Authorized",
        "consent_denied" => "Consent denied on UPS.com",
        "opted_out" => "Opted out",
        "cleared" => "Authorization cleared",
        "refreshed" => "Token refreshed",
        "refresh_failed" => "Refresh failed, will retry",
        "reauthorization_required" => "Re-authorization required",
        _ => "Other",
    }
}

#[server(prefix = "/api", endpoint = "company_activity")]
pub async fn company_activity(company: CompanyId) -> Result<Vec<ActivityEntry>, AppError> {
    crate::error::ssr::with_status(ssr::activity(company).await)
}

/// The newest entries of the company's audit log.
#[component]
pub fn ActivityLog(company: CompanyId, #[prop(into)] version: Signal<usize>) -> impl IntoView {
    let entries = Resource::new(move || version.get(), move |_| company_activity(company));
    view! {
        <details class="card activity">
            <summary><h2>"Activity"</h2></summary>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.to_string()}</p> }.into_any(),
                        Ok(entries) => view! {
                            <div class="table-scroll">
                                <table class="grid" data-testid="activity">
                                    <caption>"What happened to this company's UPS authorizations, newest first"</caption>
                                    <thead><tr>
                                        <th scope="col">"When"</th><th scope="col">"Application"</th>
                                        <th scope="col">"What"</th><th scope="col">"Who"</th><th scope="col">"Details"</th>
                                    </tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|entry| view! {
                                            <tr>
                                                <td><LocalTime unix=entry.at/></td>
                                                <td>{entry.product.map(Product::short_name)}</td>
                                                <td>{describe(&entry.action)}</td>
                                                <td>{entry.actor.unwrap_or_else(|| "OAuth Opt-In service".into())}</td>
                                                <td class="detail">{entry.detail}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </details>
    }
    .into_any()
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::ActivityEntry;
    use crate::{
        auth::ssr::current_user, companies::ssr::require_admin, error::AppError, ids::CompanyId, product::Product,
        state::app_state,
    };

    const SHOWN: i64 = 50;

    pub async fn activity(company: CompanyId) -> Result<Vec<ActivityEntry>, AppError> {
        let state = app_state()?;
        let user = current_user()?;
        require_admin(&state.db, user.id, company).await?;
        let rows: Vec<(i64, Option<String>, Option<String>, String, String)> = sqlx::query_as(
            "SELECT l.at, COALESCE(u.display_name, l.actor_label), l.product, l.action, l.detail FROM audit_log l
             LEFT JOIN users u ON u.id = l.actor_id
             WHERE l.company_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ?",
        )
        .bind(company.get())
        .bind(SHOWN)
        .fetch_all(&state.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, actor, product, action, detail)| ActivityEntry {
                at,
                actor,
                product: product.and_then(|slug| Product::parse(&slug).ok()),
                action,
                detail,
            })
            .collect())
    }
}
