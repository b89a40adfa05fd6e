//! UPS® Intelligent Data Management: the left menu, and Admin ▸ Token Manager, where a company is
//! authorized, its most recent access tokens are listed, and Clear dissolves the authorization
//! (seed: intelligent-data-management).

use super::frame::{
    query_param, AuthorizationNotice, CompanyPicker, CompanyStatusList, NoCompany, ProductFrame, ProductHeader,
};
use crate::{
    activity::view::ActivityLog,
    authorization::{api::OptOut, view::AuthorizationPanel},
    consent_links::view::ConsentLinks,
    t,
    tokens::view::{HistorySource, TokenGrid},
    ui::{Faq, OAUTH_FAQ},
};
use leptos::prelude::*;
use leptos_meta::Title;
use model::{Product, ProductOverview};

const PRODUCT: Product = Product::DataManagement;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Home,
    Admin,
}

#[component]
pub fn DataManagementHomePage() -> impl IntoView {
    let opt_out = ServerAction::<OptOut>::new();
    view! {
        <Title text="UPS® Intelligent Data Management"/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            view! {
                <Layout overview=overview.clone() section=Section::Home>
                    <h1>"Intelligent Data Management"</h1>
                    <section class="card" aria-labelledby="access-heading">
                        <h2 id="access-heading">{t!("products-data-access-heading")}</h2>
                        <CompanyStatusList overview=overview.clone() product=PRODUCT/>
                        <p>{t!("products-data-home-hint")}</p>
                    </section>
                </Layout>
            }
            .into_any()
        }/>
    }
}

#[component]
pub fn TokenManagerPage() -> impl IntoView {
    let opt_out = ServerAction::<OptOut>::new();
    let page = query_param("page");
    let page = Memo::new(move |_| page.get().and_then(|page| page.parse::<u32>().ok()).unwrap_or(1));
    view! {
        <Title text=t!("products-token-manager-title")/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            let selected = overview.selected.clone();
            view! {
                <Layout overview=overview.clone() section=Section::Admin>
                    <h1>{t!("products-token-manager")}</h1>
                    <AuthorizationNotice product=PRODUCT opt_out/>
                    <CompanyPicker overview product=PRODUCT/>
                    {match selected {
                        Some(view) => {
                            let company = view.company.id;
                            let (company_name, manages) = (view.company.name.clone(), view.role.manages());
                            view! {
                                <AuthorizationPanel view opt_out/>
                                <ConsentLinks company company_name product=PRODUCT manages/>
                                <TokenGrid source=HistorySource::Admin { product: PRODUCT, company, page } version=opt_out.version()/>
                                <ActivityLog company version=opt_out.version()/>
                            }
                            .into_any()
                        }
                        None => view! { <NoCompany/> }.into_any(),
                    }}
                    <Faq entries=OAUTH_FAQ/>
                </Layout>
            }
            .into_any()
        }/>
    }
}

/// The product bar and the left menu around the page's content.
#[component]
fn Layout(overview: ProductOverview, section: Section, children: Children) -> impl IntoView {
    let company = overview.selected.as_ref().map(|view| view.company.name.clone());
    view! {
        <ProductHeader product=PRODUCT identity=overview.identity company/>
        <div class="with-sidebar">
            <nav class="sidebar" aria-label="Intelligent Data Management">
                <ul>
                    <li><a href=PRODUCT.page_path() aria-current=(section == Section::Home).then_some("page")>{t!("products-data-nav-home")}</a></li>
                    <li><a href=PRODUCT.authorization_path() aria-current=(section == Section::Admin).then_some("page")>{t!("products-data-nav-admin")}</a></li>
                </ul>
            </nav>
            <main class="page">{children()}</main>
        </div>
    }.into_any()
}
