//! UPS® Intelligent Pickup Manager: the top navigation with its Manage menu, the overview of the
//! companies' UPS API authorization, and Settings, where a company is selected and opted in with
//! API ▸ OAuth (seed: intelligent-pickup-manager).

use super::frame::{
    AuthorizationNotice, AuthorizationSection, CompanyStatusList, NoCompany, ProductFrame, ProductHeader,
};
use crate::{
    authorization::api::OptOut,
    ui::{Faq, OAUTH_FAQ},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use model::{Product, ProductOverview};

const PRODUCT: Product = Product::PickupManager;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Overview,
    Manage,
}

#[component]
pub fn PickupManagerOverviewPage() -> impl IntoView {
    let opt_out = ServerAction::<OptOut>::new();
    view! {
        <Title text="Overview · UPS® Intelligent Pickup Manager"/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            view! {
                <Chrome overview=overview.clone() section=Section::Overview/>
                <main class="page">
                    <h1>"Overview"</h1>
                    <section class="card" aria-labelledby="api-heading">
                        <h2 id="api-heading">"UPS API authorization"</h2>
                        {if overview.companies.is_empty() {
                            view! { <NoCompany/> }.into_any()
                        } else {
                            view! {
                                <CompanyStatusList overview=overview.clone() product=PRODUCT/>
                                <p>"Open Manage ▸ Settings to authorize a company's UPS API access."</p>
                            }.into_any()
                        }}
                    </section>
                </main>
            }
            .into_any()
        }/>
    }
}

#[component]
pub fn PickupManagerSettingsPage() -> impl IntoView {
    let opt_out = ServerAction::<OptOut>::new();
    view! {
        <Title text="Settings · UPS® Intelligent Pickup Manager"/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            let selected = overview.selected.as_ref().map(|view| view.company.id);
            view! {
                <Chrome overview=overview.clone() section=Section::Manage/>
                <main class="page">
                    <h1>"Settings"</h1>
                    <AuthorizationNotice product=PRODUCT opt_out/>
                    <div class="settings">
                        <nav class="card company-list" aria-labelledby="companies-heading">
                            <h2 id="companies-heading">"Companies"</h2>
                            <ul>
                                {overview.companies.iter().map(|entry| view! {
                                    <li>
                                        <a href=format!("{}?company={}", PRODUCT.authorization_path(), entry.company.id)
                                            aria-current=(Some(entry.company.id) == selected).then_some("true")>
                                            <span>{entry.company.name.clone()}</span>
                                            <span class="badge">{entry.status.label()}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </nav>
                        <AuthorizationSection selected=overview.selected opt_out/>
                    </div>
                    <Faq entries=OAUTH_FAQ/>
                </main>
            }
            .into_any()
        }/>
    }
}

/// The product bar and the top navigation.
#[component]
fn Chrome(overview: ProductOverview, section: Section) -> impl IntoView {
    let company = overview.selected.as_ref().map(|view| view.company.name.clone());
    let elsewhere = "Part of the Intelligent Pickup Manager portal";
    view! {
        <ProductHeader product=PRODUCT identity=overview.identity company/>
        <nav class="topnav" aria-label="Intelligent Pickup Manager">
            <ul>
                <li><a href=PRODUCT.page_path() aria-current=(section == Section::Overview).then_some("page")>"Overview"</a></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere>"Create Pickup"</span></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere>"Pickup Locations"</span></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere>"Batch Pickups"</span></li>
                <li><ManageMenu current=section == Section::Manage/></li>
            </ul>
        </nav>
    }.into_any()
}

/// A menu button (WAI-ARIA menu button pattern) on the browser's own popover, so it opens and
/// closes without a script, Escape closes it and focus returns to the button. The island adds
/// the rest of the pattern: opening by ArrowDown, the first item focused, `aria-expanded`.
#[island]
fn ManageMenu(current: bool) -> impl IntoView {
    let open = RwSignal::new(false);
    let menu = NodeRef::<html::Ul>::new();
    let first = NodeRef::<html::A>::new();
    let focus_first = move || {
        request_animation_frame(move || {
            if let Some(item) = first.get_untracked() {
                let _ = item.focus();
            }
        })
    };
    view! {
        <div class="menu">
            <button id="manage-button" type="button" class="menu-button" class:current=current popovertarget="manage-menu"
                aria-haspopup="menu" aria-controls="manage-menu" aria-expanded=move || open.get().then_some("true")
                on:keydown=move |event| {
                    if event.key() == "ArrowDown" {
                        event.prevent_default();
                        if let Some(menu) = menu.get_untracked() {
                            let _ = menu.show_popover();
                        }
                        focus_first();
                    }
                }>
                "Manage" <span aria-hidden="true">" ▾"</span>
            </button>
            <ul node_ref=menu id="manage-menu" role="menu" popover="auto" aria-labelledby="manage-button"
                on:toggle=move |_| {
                    let opened = menu.get_untracked().is_some_and(|menu| menu.matches(":popover-open").unwrap_or(false));
                    open.set(opened);
                    if opened {
                        focus_first();
                    }
                }>
                <li role="none"><a node_ref=first role="menuitem" href=PRODUCT.authorization_path()>"Settings"</a></li>
            </ul>
        </div>
    }
    .into_any()
}
