//! What every product page shares: loading the overview, the header with the user's
//! identification, the notices, the company picker and status list, and the authorization
//! section.

use crate::{
    activity::view::ActivityLog,
    auth::view::{PageLoadError, SignOutButton},
    authorization::{
        api::{load_overview, CheckAuthorization, OptOut},
        view::AuthorizationPanel,
    },
    consent_links::view::ConsentLinks,
    error::AppError,
    i18n::{self, words},
    t,
    ui::NoticeBanner,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;
use model::{
    AuthorizationStatus, AuthorizationView, CheckOutcome, CompanyId, Identity, Notice, Product, ProductOverview,
};
use std::sync::Arc;

/// A query parameter of the current URL.
pub fn query_param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name))
}

fn parse_company(company: Option<String>) -> Result<Option<CompanyId>, AppError> {
    Ok(company.map(|company| CompanyId::parse(&company)).transpose()?)
}

/// Loads the product's overview for `?company=` (again after every opt-out) and renders `page`
/// with it; sends signed-out visitors to sign-in and shows other errors in place.
#[component]
pub fn ProductFrame(
    product: Product,
    opt_out: ServerAction<OptOut>,
    page: impl Fn(ProductOverview) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let company = query_param("company");
    let overview = Resource::new(
        move || (company.get(), opt_out.version().get()),
        move |(company, _)| async move { load_overview(product, parse_company(company)?).await },
    );
    let page = Arc::new(page);
    view! {
        <Transition fallback=|| view! { <p class="loading">{t!("products-loading")}</p> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => page(overview),
                        Err(error) => view! { <PageLoadError error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The outcome of the last opt-in (from the callback's `?outcome=`/`?error=`) or of an opt-out on
/// this page, whichever is newer.
#[component]
pub fn AuthorizationNotice(product: Product, opt_out: ServerAction<OptOut>) -> impl IntoView {
    let outcome = query_param("outcome");
    let error = query_param("error");
    let checked = query_param("checked");
    let locale = i18n::locale();
    let notice = move || match opt_out.value().get() {
        Some(Ok(())) => Some((words::notice(locale, Notice::Revoked, product), false)),
        Some(Err(error)) => Some((error.message_in(locale), true)),
        None => outcome
            .get()
            .or_else(|| error.get())
            .and_then(|code| Notice::parse(&code))
            .map(|notice| (words::notice(locale, notice, product), notice.is_error()))
            .or_else(|| {
                let checked = checked.get().and_then(|code| CheckOutcome::parse(&code))?;
                Some((words::check_outcome(locale, checked), checked.is_error()))
            }),
    };
    move || notice().map(|(message, error)| view! { <NoticeBanner message error/> })
}

/// The product bar: the product's name, and the user's identification with the company under it.
#[component]
pub fn ProductHeader(product: Product, identity: Identity, company: Option<String>) -> impl IntoView {
    view! {
        <header class="topbar" data-product=product.slug()>
            <div class="brand"><span class="shield" aria-hidden="true">"ups"</span><span>{product.name()}</span></div>
            <div class="identity" aria-label=t!("products-signed-in")>
                <span class="identity-name">{identity.display_name}</span>
                <span class="identity-company" data-testid="registered-company">{company}</span>
                <SignOutButton/>
            </div>
        </header>
    }
    .into_any()
}

/// The selected company's authorization panel and its activity, or why there is none.
#[component]
pub fn AuthorizationSection(selected: Option<AuthorizationView>, opt_out: ServerAction<OptOut>) -> impl IntoView {
    match selected {
        Some(view) => {
            let (company, product) = (view.company.id, view.product);
            let links = view! {
                <ConsentLinks company company_name=view.company.name.clone() product manages=view.role.manages()/>
            };
            let check_path = <CheckAuthorization as ServerFn>::PATH;
            let check =
                (view.role.manages() && matches!(view.status, AuthorizationStatus::Authorized { .. })).then(|| {
                    view! {
                        <form method="post" action=check_path class="check-now">
                            <input type="hidden" name="product" value=product.slug()/>
                            <input type="hidden" name="company" value=company.get()/>
                            <button type="submit" class="secondary">{t!("products-check-now")}</button>
                            <span class="hint">{t!("products-check-now-hint")}</span>
                        </form>
                    }
                });
            view! {
                <AuthorizationPanel view opt_out/>
                {check}
                {links}
                <ActivityLog company version=opt_out.version()/>
            }
            .into_any()
        }
        None => view! { <NoCompany/> }.into_any(),
    }
}

/// Each company the admin administers with its status, linking to where it is authorized.
#[component]
pub fn CompanyStatusList(overview: ProductOverview, product: Product) -> impl IntoView {
    let locale = i18n::locale();
    view! {
        <ul class="status-list">
            {overview.companies.into_iter().map(|entry| view! {
                <li>
                    <a href=format!("{}?company={}", product.authorization_path(), entry.company.id)>{entry.company.name}</a>
                    <span class="badge">{words::status(locale, entry.status)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The company picker for admins of several companies: a plain GET form, so it works before
/// and without hydration.
#[component]
pub fn CompanyPicker(overview: ProductOverview, product: Product) -> impl IntoView {
    let selected = overview.selected.as_ref().map(|view| view.company.id);
    (overview.companies.len() > 1).then(|| {
        view! {
            <form method="get" action=product.authorization_path() class="company-picker">
                <label for="company">{t!("products-company")}</label>
                <select id="company" name="company">
                    {overview.companies.into_iter().map(|entry| view! {
                        <option value=entry.company.id.get() selected=Some(entry.company.id) == selected>{entry.company.name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary">{t!("products-show")}</button>
            </form>
        }
    })
}

/// What an admin of no company sees.
#[component]
pub fn NoCompany() -> impl IntoView {
    view! {
        <p class="alert" role="status">{t!("products-no-company")}</p>
    }
}
