//! UPS® Intelligent Reverse Logistics: the administration page with the registered company under
//! the user's identification, the Opt-In action, and the FAQ (seed: intelligent-reverse-logistics).

use super::{company_query, parse_company, url_notice, CompanyPicker, OverviewError};
use crate::{
    authorization::{load_overview, AuthorizationPanel, OptOut},
    product::Product,
    ui::{Faq, NoticeBanner, ProductHeader, OAUTH_FAQ},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

const PRODUCT: Product = Product::ReverseLogistics;

#[component]
pub fn ReverseLogisticsPage() -> impl IntoView {
    let company = company_query();
    let notice = url_notice();
    let opt_out = ServerAction::<OptOut>::new();
    let overview = Resource::new(
        move || (company.get(), opt_out.version().get()),
        |(company, _)| async move { load_overview(PRODUCT, parse_company(company)?).await },
    );
    // After an opt-out on this page, the URL's old notice no longer describes the state.
    let banner = move || match opt_out.value().get() {
        Some(Ok(())) => Some((format!("{} was opted out. Its UPS tokens were deleted.", PRODUCT.short_name()), false)),
        Some(Err(error)) => Some((error.to_string(), true)),
        None => notice.get().map(|notice| (notice.message(PRODUCT), notice.is_error())),
    };

    view! {
        <Title text="Administration · UPS® Intelligent Reverse Logistics"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => Either::Left(view! { <OverviewError error/> }),
                    Ok(overview) => {
                        let company_name = overview.selected.as_ref().map(|view| view.company.name.clone());
                        let selected = overview.selected.clone();
                        Either::Right(view! {
                            <ProductHeader product=PRODUCT identity=overview.identity.clone() company=company_name/>
                            <main class="page">
                                <h1>"Administration"</h1>
                                {move || banner().map(|(message, error)| view! { <NoticeBanner message error/> })}
                                <CompanyPicker overview=overview.clone() product=PRODUCT/>
                                {match selected {
                                    Some(view) => Either::Left(view! { <AuthorizationPanel view opt_in_label="Opt-In" opt_out/> }),
                                    None => Either::Right(view! {
                                        <p class="alert" role="status">"Your sign-in does not administer any company yet. Ask your Account Executive to register one."</p>
                                    }),
                                }}
                                <Faq entries=OAUTH_FAQ/>
                            </main>
                        })
                    }
                }
            })}
        </Transition>
    }
}
