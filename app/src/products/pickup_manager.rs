//! UPS® Intelligent Pickup Manager: the top navigation with its Manage menu, the overview of the
//! companies' UPS API authorization, and Settings, where a company is selected and opted in with
//! API ▸ OAuth (seed: intelligent-pickup-manager).

use super::frame::{
    AuthorizationNotice, AuthorizationSection, CompanyStatusList, NoCompany, ProductFrame, ProductHeader,
};
use crate::{
    authorization::api::OptOut,
    i18n::{self, words},
    t,
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
        <Title text=t!("products-pickup-overview-title")/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            view! {
                <Chrome overview=overview.clone() section=Section::Overview/>
                <main class="page">
                    <h1>{t!("products-pickup-overview")}</h1>
                    <section class="card" aria-labelledby="api-heading">
                        <h2 id="api-heading">{t!("products-pickup-api-heading")}</h2>
                        {if overview.companies.is_empty() {
                            view! { <NoCompany/> }.into_any()
                        } else {
                            view! {
                                <CompanyStatusList overview=overview.clone() product=PRODUCT/>
                                <p>{t!("products-pickup-overview-hint")}</p>
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
        <Title text=t!("products-pickup-settings-title")/>
        <ProductFrame product=PRODUCT opt_out page=move |overview| {
            let selected = overview.selected.as_ref().map(|view| view.company.id);
            let locale = i18n::locale();
            view! {
                <Chrome overview=overview.clone() section=Section::Manage/>
                <main class="page">
                    <h1>{t!("products-pickup-settings")}</h1>
                    <AuthorizationNotice product=PRODUCT opt_out/>
                    <div class="settings">
                        <nav class="card company-list" aria-labelledby="companies-heading">
                            <h2 id="companies-heading">{t!("products-pickup-companies")}</h2>
                            <ul>
                                {overview.companies.iter().map(|entry| view! {
                                    <li>
                                        <a href=format!("{}?company={}", PRODUCT.authorization_path(), entry.company.id)
                                            aria-current=(Some(entry.company.id) == selected).then_some("true")>
                                            <span>{entry.company.name.clone()}</span>
                                            <span class="badge">{words::status(locale, entry.status)}</span>
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
    let elsewhere = t!("products-pickup-elsewhere");
    view! {
        <ProductHeader product=PRODUCT identity=overview.identity company/>
        <nav class="topnav" aria-label="Intelligent Pickup Manager">
            <ul>
                <li><a href=PRODUCT.page_path() aria-current=(section == Section::Overview).then_some("page")>{t!("products-pickup-overview")}</a></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere.clone()>{t!("products-pickup-create")}</span></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere.clone()>{t!("products-pickup-locations")}</span></li>
                <li><span class="nav-elsewhere" aria-disabled="true" title=elsewhere>{t!("products-pickup-batch")}</span></li>
                <li><ManageMenu current=section == Section::Manage label=t!("products-pickup-manage") settings=t!("products-pickup-settings")/></li>
            </ul>
        </nav>
    }.into_any()
}

/// A menu button (WAI-ARIA menu button pattern) on the browser's own popover, so it opens and
/// closes without a script, Escape closes it and focus returns to the button. The island adds
/// the rest of the pattern: opening by ArrowDown, the first item focused, `aria-expanded`. Its
/// words (`label`, and `settings` for its item) come from the server-rendered parent.
#[island]
fn ManageMenu(current: bool, label: String, settings: String) -> impl IntoView {
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
                {label} <span aria-hidden="true">" ▾"</span>
            </button>
            <ul node_ref=menu id="manage-menu" role="menu" popover="auto" aria-labelledby="manage-button"
                on:toggle=move |_| {
                    let opened = menu.get_untracked().is_some_and(|menu| menu.matches(":popover-open").unwrap_or(false));
                    open.set(opened);
                    if opened {
                        focus_first();
                    }
                }>
                <li role="none"><a node_ref=first role="menuitem" href=PRODUCT.authorization_path()>{settings}</a></li>
            </ul>
        </div>
    }
    .into_any()
}
