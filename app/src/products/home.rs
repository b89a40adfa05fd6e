//! The home page: the Customer Solutions applications a signed-in admin can opt in to.

use crate::auth::view::PageLoadError;
use crate::auth::{api::load_identity, view::SignOutButton};
use crate::t;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Product;

#[component]
pub fn HomePage() -> impl IntoView {
    let identity = Resource::new(|| (), |_| load_identity());
    view! {
        <Title text=t!("products-home-title")/>
        <Transition fallback=|| view! { <p class="loading">{t!("products-loading")}</p> }>
            {move || Suspend::new(async move {
                match identity.await {
                    Err(error) => view! { <PageLoadError error/> }.into_any(),
                    Ok(identity) => view! {
                        <header class="topbar">
                            <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                            <div class="identity"><span class="identity-name">{identity.display_name}</span><SignOutButton/></div>
                        </header>
                        <main class="page">
                            <h1>{t!("products-home-heading")}</h1>
                            <p>{t!("products-home-intro")}</p>
                            <ul class="products">
                                {Product::ALL.into_iter().map(|product| view! {
                                    <li class="card"><a href=product.authorization_path()>{product.name()}</a></li>
                                }).collect_view()}
                            </ul>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
