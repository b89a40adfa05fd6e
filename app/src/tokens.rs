//! The token history of an authorization: the server function behind Data Management's Token
//! Manager grid, and the grid itself. Only metadata ever leaves the server (when, until when,
//! status, a short fingerprint); never a token.

use crate::{
    embed::{embed_token_history, WidgetKey},
    error::AppError,
    ids::CompanyId,
    product::Product,
    ui::LocalTime,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenStatus {
    Active,
    Expired,
    Refreshed,
    Replaced,
    Cleared,
}

impl TokenStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Refreshed => "Refreshed",
            Self::Replaced => "Replaced",
            Self::Cleared => "Cleared",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub fingerprint: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub status: TokenStatus,
}

/// One page of the history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPage {
    pub rows: Vec<TokenRow>,
    /// 1-based.
    pub page: u32,
    pub pages: u32,
    pub total: u32,
}

#[server(prefix = "/api", endpoint = "token_history")]
pub async fn token_history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
    crate::error::ssr::with_status(ssr::history(product, company, page).await)
}

/// Where the grid's rows come from, and how it pages.
#[derive(Clone)]
pub enum HistorySource {
    /// A signed-in admin's Token Manager, paged by `?page=` links.
    Admin { product: Product, company: CompanyId, page: Memo<u32> },
    /// The embedded widget, paged in place (it has no URL of its own to change).
    Widget { key: WidgetKey, page: RwSignal<u32> },
}

impl HistorySource {
    fn page(&self) -> u32 {
        match self {
            Self::Admin { page, .. } => page.get(),
            Self::Widget { page, .. } => page.get(),
        }
    }

    async fn load(self, page: u32) -> Result<TokenPage, AppError> {
        match self {
            Self::Admin { product, company, .. } => token_history(product, company, page).await,
            Self::Widget { key, .. } => embed_token_history(key, page).await,
        }
    }

    fn pager_link(&self, page: u32, label: &'static str, rel: &'static str) -> AnyView {
        match self {
            Self::Admin { product, company, .. } => {
                let href = format!("{}?company={company}&page={page}", product.authorization_path());
                view! { <a href=href rel=rel>{label}</a> }.into_any()
            }
            Self::Widget { page: current, .. } => {
                let current = *current;
                view! { <button type="button" class="link" on:click=move |_| current.set(page)>{label}</button> }
                    .into_any()
            }
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
    let page_link = move |page: u32, label, rel| source.with_value(|source| source.pager_link(page, label, rel));
    view! {
        <section class="card tokens" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Access tokens"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Err(error) => view! { <p class="alert error" role="alert">{error.to_string()}</p> }.into_any(),
                        Ok(history) if history.rows.is_empty() => view! {
                            <p data-testid="token-grid-empty">"No access token has been generated for this company yet."</p>
                        }.into_any(),
                        Ok(history) => view! {
                            <div class="table-scroll">
                                <table class="grid" data-testid="token-grid">
                                    <caption>"Most recently created access tokens, newest first"</caption>
                                    <thead><tr>
                                        <th scope="col">"Created"</th>
                                        <th scope="col">"Expires"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Fingerprint"</th>
                                    </tr></thead>
                                    <tbody>
                                        {history.rows.into_iter().map(|row| view! {
                                            <tr>
                                                <td><LocalTime unix=row.issued_at/></td>
                                                <td><LocalTime unix=row.expires_at/></td>
                                                <td><span class=format!("badge status-{}", row.status.label().to_lowercase())>{row.status.label()}</span></td>
                                                <td><code>{row.fingerprint}</code></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(history.pages > 1).then(|| view! {
                                <nav class="pager" aria-label="Token pages">
                                    {(history.page > 1).then(|| page_link(history.page - 1, "Newer", "prev"))}
                                    <span>{format!("Page {} of {} ({} tokens)", history.page, history.pages, history.total)}</span>
                                    {(history.page < history.pages).then(|| page_link(history.page + 1, "Older", "next"))}
                                </nav>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }.into_any()
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{TokenPage, TokenRow, TokenStatus, PAGE_SIZE};
    use crate::{
        auth::ssr::current_user,
        companies::ssr::require_admin,
        error::AppError,
        ids::CompanyId,
        product::Product,
        state::{app_state, now},
    };
    use sqlx::SqlitePool;

    pub async fn history(product: Product, company: CompanyId, page: u32) -> Result<TokenPage, AppError> {
        let state = app_state()?;
        let user = current_user()?;
        require_admin(&state.db, user.id, company).await?;
        page_of(&state.db, product, company, page).await
    }

    /// One page of (company, product)'s token history; the caller has checked who may see it.
    pub async fn page_of(
        db: &SqlitePool,
        product: Product,
        company: CompanyId,
        page: u32,
    ) -> Result<TokenPage, AppError> {
        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM oauth_tokens t JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = ? AND a.product = ?",
        )
        .bind(company.get())
        .bind(product.slug())
        .fetch_one(db)
        .await?;
        let pages = (total as u32).div_ceil(PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
            "SELECT t.fingerprint, t.issued_at, t.expires_at, t.status FROM oauth_tokens t
             JOIN authorizations a ON a.id = t.authorization_id
             WHERE a.company_id = ? AND a.product = ?
             ORDER BY t.issued_at DESC, t.id DESC LIMIT ? OFFSET ?",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(PAGE_SIZE)
        .bind((page - 1) * PAGE_SIZE)
        .fetch_all(db)
        .await?;
        let now = now();
        let rows = rows
            .into_iter()
            .map(|(fingerprint, issued_at, expires_at, status)| TokenRow {
                fingerprint,
                issued_at,
                expires_at,
                status: match status.as_str() {
                    "active" if expires_at <= now => TokenStatus::Expired,
                    "active" => TokenStatus::Active,
                    "refreshed" => TokenStatus::Refreshed,
                    "replaced" => TokenStatus::Replaced,
                    _ => TokenStatus::Cleared,
                },
            })
            .collect();
        Ok(TokenPage { rows, page, pages, total: total as u32 })
    }
}
