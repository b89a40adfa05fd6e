//! The Activity log card on each product's authorization page.

use super::api::company_activity;
use crate::{
    i18n::{self, words},
    t,
    ui::LocalTime,
};
use leptos::prelude::*;
use model::{CompanyId, Product};

/// The newest entries of the company's audit log.
#[component]
pub fn ActivityLog(company: CompanyId, #[prop(into)] version: Signal<usize>) -> impl IntoView {
    let entries = Resource::new(move || version.get(), move |_| company_activity(company));
    let locale = i18n::locale();
    view! {
        <details class="card activity">
            <summary><h2>{t!(locale => "products-activity")}</h2></summary>
            <Transition fallback=move || view! { <p class="loading">{t!(locale => "products-loading")}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.message_in(locale)}</p> }.into_any(),
                        Ok(entries) => view! {
                            <div class="table-scroll" tabindex="0" role="region" aria-label=t!(locale => "products-activity-region")>
                                <table class="grid" data-testid="activity">
                                    <caption>{t!(locale => "products-activity-caption")}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(locale => "products-activity-when")}</th>
                                        <th scope="col">{t!(locale => "products-activity-application")}</th>
                                        <th scope="col">{t!(locale => "products-activity-what")}</th>
                                        <th scope="col">{t!(locale => "products-activity-who")}</th>
                                        <th scope="col">{t!(locale => "products-activity-details")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|entry| view! {
                                            <tr>
                                                <td><LocalTime unix=entry.at/></td>
                                                <td>{entry.product.map(Product::short_name)}</td>
                                                <td>{words::audit_action(locale, entry.action)}</td>
                                                <td>{entry.actor.unwrap_or_else(|| t!(locale => "products-activity-service"))}</td>
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
