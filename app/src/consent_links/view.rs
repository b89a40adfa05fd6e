//! The consent links card: make a link out to someone (email, an optional message), and the
//! links still waiting, each with Revoke. Plain forms, with or without a script. A viewer sees
//! the waiting links, and neither form.

use super::api::{pending_consent_links, RevokeConsentLink};
use crate::{t, ui::LocalTime};
use leptos::{prelude::*, server_fn::ServerFn};
use model::{CompanyId, Product};

/// Under the authorization card; `manages`: the reader may make and revoke links.
#[component]
pub fn ConsentLinks(company: CompanyId, company_name: String, product: Product, manages: bool) -> impl IntoView {
    let links = Resource::new(|| (), move |_| pending_consent_links(product, company));
    let revoke_path = <RevokeConsentLink as ServerFn>::PATH;
    let locale = crate::i18n::locale();
    view! {
        <section class="card consent-links" aria-labelledby="links-heading">
            <h2 id="links-heading">{t!(locale => "consent-links-heading")}</h2>
            {manages.then(|| view! {
                <p class="hint">
                    {t!(locale => "consent-links-hint", company = company_name.as_str(), product = product.short_name())}
                </p>
                <form method="post" action=format!("/consent-links/{}", product.slug()) class="stack link-form">
                    <input type="hidden" name="company" value=company.get()/>
                    <label for="link-recipient">{t!(locale => "consent-links-recipient")}</label>
                    <input id="link-recipient" name="recipient" type="email" required autocomplete="off" maxlength="254"/>
                    <label for="link-message">{t!(locale => "consent-links-message")}</label>
                    <textarea id="link-message" name="message" rows="2" maxlength="500"></textarea>
                    <button type="submit" class="secondary">{t!(locale => "consent-links-create")}</button>
                </form>
            })}
            <Transition fallback=move || view! { <p class="loading">{t!(locale => "consent-links-loading")}</p> }>
                {move || Suspend::new(async move {
                    match links.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.message_in(locale)}</p> }.into_any(),
                        Ok(links) if links.is_empty() => view! { <p class="hint" data-testid="no-links">{t!(locale => "consent-links-none")}</p> }.into_any(),
                        Ok(links) => view! {
                            <div class="table-scroll" tabindex="0" role="region" aria-label=t!(locale => "consent-links-table")>
                                <table class="grid" data-testid="pending-links">
                                    <caption>{t!(locale => "consent-links-caption")}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(locale => "consent-links-sent-to")}</th><th scope="col">{t!(locale => "consent-links-by")}</th>
                                        <th scope="col">{t!(locale => "consent-links-works-until")}</th><th scope="col">{t!(locale => "consent-links-opened")}</th>
                                        <th scope="col">{t!(locale => "consent-links-action")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {links.into_iter().map(|link| view! {
                                            <tr>
                                                <td>{link.recipient.clone()}</td>
                                                <td>{link.sent_by}</td>
                                                <td><LocalTime unix=link.expires_at/></td>
                                                <td>{match link.opened {
                                                    Some(opened) => view! { <LocalTime unix=opened.at/> " " {t!(locale => "consent-links-opened-from", address = opened.address)} }.into_any(),
                                                    None => t!(locale => "consent-links-not-opened").into_any(),
                                                }}</td>
                                                <td>{manages.then(|| view! {
                                                    <form method="post" action=revoke_path class="inline">
                                                        <input type="hidden" name="product" value=product.slug()/>
                                                        <input type="hidden" name="company" value=company.get()/>
                                                        <input type="hidden" name="link" value=link.id.get()/>
                                                        <button type="submit" class="secondary" aria-label=t!(locale => "consent-links-revoke-label", recipient = link.recipient.as_str())>{t!(locale => "consent-links-revoke")}</button>
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
