//! The Activity log card on each product's authorization page.

use super::api::company_activity;
use crate::ui::LocalTime;
use leptos::prelude::*;
use model::{CompanyId, Product};

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
                            <div class="table-scroll" tabindex="0" role="region" aria-label="Activity (scrolls sideways)">
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
                                                <td>{entry.action.describe()}</td>
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
