//! The product pages. Each product keeps its own navigation and wording from its seed
//! walk-through; what they share lives in `ui` and `authorization`.

pub mod reverse_logistics;

use crate::{
    authorization::{Notice, ProductOverview},
    error::AppError,
    ids::CompanyId,
    product::Product,
    ui::encode_component,
};
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::{use_location, use_query_map}};

/// The company asked for in `?company=`, if any.
pub fn company_query() -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("company"))
}

/// The notice (`?outcome=` or `?error=`) the callback left in the URL.
pub fn url_notice() -> Memo<Option<Notice>> {
    let query = use_query_map();
    Memo::new(move |_| {
        let query = query.read();
        query.get("outcome").or_else(|| query.get("error")).and_then(|code| Notice::parse(&code))
    })
}

pub fn parse_company(company: Option<String>) -> Result<Option<CompanyId>, AppError> {
    company.map(|company| CompanyId::parse(&company)).transpose()
}

/// What a product page shows when the overview could not be loaded.
#[component]
pub fn OverviewError(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated => {
            let location = use_location();
            let search = location.search.get_untracked();
            let here = match search.trim_start_matches('?') {
                "" => location.pathname.get_untracked(),
                query => format!("{}?{query}", location.pathname.get_untracked()),
            };
            view! { <Redirect path=format!("/sign-in?next={}", encode_component(&here))/> }.into_any()
        }
        error => view! {
            <main class="page">
                <p class="alert error" role="alert">{error.to_string()}</p>
                <p><a href="/">"Back to your companies"</a></p>
            </main>
        }
        .into_any(),
    }
}

/// The company picker for admins of several companies: a plain GET form, so it works before
/// and without hydration.
#[component]
pub fn CompanyPicker(overview: ProductOverview, product: Product) -> impl IntoView {
    let selected = overview.selected.as_ref().map(|view| view.company.id);
    (overview.companies.len() > 1).then(|| {
        view! {
            <form method="get" action=product.page_path() class="company-picker">
                <label for="company">"Company"</label>
                <select id="company" name="company">
                    {overview.companies.into_iter().map(|company| view! {
                        <option value=company.id.get() selected=Some(company.id) == selected>{company.name}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary">"Show"</button>
            </form>
        }
    })
}
