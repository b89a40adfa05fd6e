//! The consent links card: make a link out to someone (email, an optional message), and the
//! links still waiting, each with Revoke. Plain forms, with or without a script. A viewer sees
//! the waiting links, and neither form.

use super::api::{pending_consent_links, RevokeConsentLink};
use crate::ui::LocalTime;
use leptos::{prelude::*, server_fn::ServerFn};
use model::{CompanyId, Product};

/// Under the authorization card; `manages`: the reader may make and revoke links.
#[component]
pub fn ConsentLinks(company: CompanyId, company_name: String, product: Product, manages: bool) -> impl IntoView {
    let links = Resource::new(|| (), move |_| pending_consent_links(product, company));
    let revoke_path = <RevokeConsentLink as ServerFn>::PATH;
    view! {
        <section class="card consent-links" aria-labelledby="links-heading">
            <h2 id="links-heading">"Ask someone else to authorize"</h2>
            {manages.then(|| view! {
                <p class="hint">
                    "If the UPS.com user that holds " {company_name.clone()} "'s shipper accounts is not you, send them a consent link. "
                    "They need no account here. The link works once, for " {product.short_name()} " and " {company_name} " only."
                </p>
                <form method="post" action=format!("/consent-links/{}", product.slug()) class="stack link-form">
                    <input type="hidden" name="company" value=company.get()/>
                    <label for="link-recipient">"Their email address"</label>
                    <input id="link-recipient" name="recipient" type="email" required autocomplete="off" maxlength="254"/>
                    <label for="link-message">"A message for them (optional)"</label>
                    <textarea id="link-message" name="message" rows="2" maxlength="500"></textarea>
                    <button type="submit" class="secondary">"Create consent link"</button>
                </form>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match links.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.to_string()}</p> }.into_any(),
                        Ok(links) if links.is_empty() => view! { <p class="hint" data-testid="no-links">"No consent link is waiting."</p> }.into_any(),
                        Ok(links) => view! {
                            <div class="table-scroll" tabindex="0" role="region" aria-label="Consent links waiting (scrolls sideways)">
                                <table class="grid" data-testid="pending-links">
                                    <caption>"Consent links waiting for their recipient"</caption>
                                    <thead><tr>
                                        <th scope="col">"Sent to"</th><th scope="col">"By"</th><th scope="col">"Works until"</th>
                                        <th scope="col">"Opened"</th><th scope="col">"Action"</th>
                                    </tr></thead>
                                    <tbody>
                                        {links.into_iter().map(|link| view! {
                                            <tr>
                                                <td>{link.recipient.clone()}</td>
                                                <td>{link.sent_by}</td>
                                                <td><LocalTime unix=link.expires_at/></td>
                                                <td>{match link.opened {
                                                    Some(opened) => view! { <LocalTime unix=opened.at/> " from " {opened.address} }.into_any(),
                                                    None => "Not yet".into_any(),
                                                }}</td>
                                                <td>{manages.then(|| view! {
                                                    <form method="post" action=revoke_path class="inline">
                                                        <input type="hidden" name="product" value=product.slug()/>
                                                        <input type="hidden" name="company" value=company.get()/>
                                                        <input type="hidden" name="link" value=link.id.get()/>
                                                        <button type="submit" class="secondary" aria-label=format!("Revoke the link sent to {}", link.recipient)>"Revoke"</button>
                                                    </form>
                                                })}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}
