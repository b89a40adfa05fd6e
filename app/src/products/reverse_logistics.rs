//! UPS® Intelligent Reverse Logistics: the administration page with the registered company under
//! the user's identification, the Opt-In action, and the FAQ (seed: intelligent-reverse-logistics).

use super::frame::{AuthorizationNotice, AuthorizationSection, CompanyPicker, ProductFrame, ProductHeader};
use crate::{
    authorization::api::OptOut,
    t,
    ui::{Faq, OAUTH_FAQ},
};
use leptos::prelude::*;
use leptos_meta::Title;
use model::Product;

const PRODUCT: Product = Product::ReverseLogistics;

#[component]
pub fn ReverseLogisticsPage() -> impl IntoView {
    let opt_out = ServerAction::<OptOut>::new();
    view! {
        <Title text=t!("products-reverse-logistics-title")/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            let company = overview.selected.as_ref().map(|view| view.company.name.clone());
            view! {
                <ProductHeader product=PRODUCT identity=overview.identity.clone() company/>
                <main class="page">
                    <h1>{t!("products-reverse-logistics-heading")}</h1>
                    <AuthorizationNotice product=PRODUCT opt_out/>
                    <CompanyPicker overview=overview.clone() product=PRODUCT/>
                    <AuthorizationSection selected=overview.selected opt_out/>
                    <Faq entries=OAUTH_FAQ/>
                </main>
            }
            .into_any()
        }/>
    }
}
