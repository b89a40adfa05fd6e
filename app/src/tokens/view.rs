//! Data Management's Token Manager grid, on the admin page and in the widget. Only metadata is
//! shown (when, until when, status, a short fingerprint); never a token.

use super::api::{embed_token_history, token_history};
use crate::{
    error::AppError,
    i18n::{self, words},
    t,
    ui::LocalTime,
};
use leptos::prelude::*;
use model::{CompanyId, Product, TokenPage, WidgetField, WidgetKey};

/// Where the grid's rows come from, and how it pages.
#[derive(Clone)]
pub enum HistorySource {
    /// A signed-in admin's Token Manager, paged by `?page=` links.
    Admin { product: Product, company: CompanyId, page: Memo<u32> },
    /// The embedded widget, paged by forms posting its key back to its page (it has no URL of
    /// its own to change); `before` is the status the page shows.
    Widget { product: Product, key: WidgetKey, page: u32, before: &'static str },
}

impl HistorySource {
    fn page(&self) -> u32 {
        match self {
            Self::Admin { page, .. } => page.get(),
            Self::Widget { page, .. } => *page,
        }
    }

    async fn load(self, page: u32) -> Result<TokenPage, AppError> {
        match self {
            Self::Admin { product, company, .. } => token_history(product, company, page).await,
            Self::Widget { key, .. } => embed_token_history(key, page).await,
        }
    }

    fn pager_link(&self, page: u32, label: String, rel: &'static str) -> AnyView {
        match self {
            Self::Admin { product, company, .. } => {
                let href = format!("{}?company={company}&page={page}", product.authorization_path());
                view! { <a href=href rel=rel>{label}</a> }.into_any()
            }
            Self::Widget { product, key, before, .. } => view! {
                <form method="post" action=format!("/embed/{}", product.slug()) class="inline" data-swap data-focus="tokens-heading">
                    <input type="hidden" name=WidgetField::Key.name() value=key.expose().to_owned()/>
                    <input type="hidden" name=WidgetField::Before.name() value=*before/>
                    <input type="hidden" name=WidgetField::Page.name() value=page/>
                    <button type="submit" class="link">{label}</button>
                </form>
            }
            .into_any(),
        }
    }
}

/// The grid of the most recently created access tokens, newest first.
#[component]
pub fn TokenGrid(
    source: HistorySource,
    /// Changes whenever the authorization may have changed (after Clear), to reload the grid.
    #[prop(into)]
    version: Signal<usize>,
) -> impl IntoView {
    let history = Resource::new(
        {
            let source = source.clone();
            move || (source.page(), version.get())
        },
        {
            let source = source.clone();
            move |(page, _)| source.clone().load(page)
        },
    );
    let source = StoredValue::new(source);
    let locale = i18n::locale();
    let page_link = move |page: u32, label, rel| source.with_value(|source| source.pager_link(page, label, rel));
    view! {
        <section class="card tokens" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{t!(locale => "products-tokens-heading")}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(locale => "products-tokens-loading")}</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.message_in(locale)}</p> }.into_any(),
                        Ok(history) if history.rows.is_empty() => view! {
                            <p data-testid="token-grid-empty">{t!(locale => "products-tokens-empty")}</p>
                        }.into_any(),
                        Ok(history) => view! {
                            <div class="table-scroll" tabindex="0" role="region" aria-label=t!(locale => "products-tokens-region")>
                                <table class="grid" data-testid="token-grid">
                                    <caption>{t!(locale => "products-tokens-caption")}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(locale => "products-tokens-created")}</th>
                                        <th scope="col">{t!(locale => "products-tokens-expires")}</th>
                                        <th scope="col">{t!(locale => "products-tokens-status")}</th>
                                        <th scope="col">{t!(locale => "products-tokens-fingerprint")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {history.rows.into_iter().map(|row| view! {
                                            <tr>
                                                <td><LocalTime unix=row.issued_at/></td>
                                                <td><LocalTime unix=row.expires_at/></td>
                                                <td><span class=format!("badge status-{}", row.status.label().to_lowercase())>{words::token_status(locale, row.status)}</span></td>
                                                <td><code>{row.fingerprint}</code></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(history.pages > 1).then(|| view! {
                                <nav class="pager" aria-label=t!(locale => "products-tokens-pages")>
                                    {(history.page > 1).then(|| page_link(history.page - 1, t!(locale => "products-tokens-newer"), "prev"))}
                                    <span>{t!(locale => "products-tokens-pager", page = history.page, pages = history.pages, total = history.total)}</span>
                                    {(history.page < history.pages).then(|| page_link(history.page + 1, t!(locale => "products-tokens-older"), "next"))}
                                </nav>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }.into_any()
}
