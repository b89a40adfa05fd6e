//! Opting a company in to a product through UPS, and out again: the overview the product pages
//! show, the opt-out server function, the authorization panel (each product's way of saying
//! Opt-In and Opt-Out, from its walk-through), and, server-only, starting the authorization-code
//! flow, completing it at the callback, and storing the tokens encrypted.

use crate::{
    auth::Identity,
    companies::CompanySummary,
    error::AppError,
    ids::CompanyId,
    product::{Product, Revoke},
    ui::{close_dialog, open_dialog, ConfirmDialog, LocalTime},
};
use leptos::{html::Dialog, prelude::*};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    NotAuthorized,
    /// `at` and `since` are Unix seconds, shown in the admin's own time zone.
    Authorized {
        by: Option<String>,
        at: i64,
    },
    ReauthorizationRequired {
        reason: String,
        since: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationView {
    pub company: CompanySummary,
    pub product: Product,
    pub status: AuthorizationStatus,
}

/// A company the admin administers, with its status for the product in a word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyStatus {
    pub company: CompanySummary,
    pub status: StatusKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusKind {
    NotAuthorized,
    Authorized,
    ReauthorizationRequired,
}

impl StatusKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotAuthorized => "Not authorized",
            Self::Authorized => "Authorized",
            Self::ReauthorizationRequired => "Re-authorization required",
        }
    }
}

/// Everything a product page needs: who is signed in, the companies they administer with their
/// status, and the selected company's authorization (`None` when they administer none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOverview {
    pub identity: Identity,
    pub companies: Vec<CompanyStatus>,
    pub selected: Option<AuthorizationView>,
}

/// What the callback reports back to the product page, as `?outcome=` or `?error=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Authorized,
    ConsentDenied,
    StateUnknown,
    StateExpired,
    NotAllowed,
    ProviderRejected,
    ProviderUnavailable,
    Failed,
}

impl Notice {
    const ALL: [Notice; 8] = [
        Self::Authorized,
        Self::ConsentDenied,
        Self::StateUnknown,
        Self::StateExpired,
        Self::NotAllowed,
        Self::ProviderRejected,
        Self::ProviderUnavailable,
        Self::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::ConsentDenied => "consent-denied",
            Self::StateUnknown => "state-unknown",
            Self::StateExpired => "state-expired",
            Self::NotAllowed => "not-allowed",
            Self::ProviderRejected => "provider-rejected",
            Self::ProviderUnavailable => "provider-unavailable",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|notice| notice.code() == code)
    }

    pub fn is_error(self) -> bool {
        self != Self::Authorized
    }

    /// The query string that carries this notice back to a product page.
    pub fn query(self, company: Option<CompanyId>) -> String {
        let key = if self.is_error() { "error" } else { "outcome" };
        match company {
            Some(company) => format!("?company={company}&{key}={}", self.code()),
            None => format!("?{key}={}", self.code()),
        }
    }

    pub fn message(self, product: Product) -> String {
        let retry = product.wording().opt_in;
        match self {
            Self::Authorized => format!("{} {}", product.short_name(), product.wording().authorized),
            Self::ConsentDenied => format!("UPS.com consent was not given, so nothing changed. Choose {retry} to try again."),
            Self::StateUnknown => "That authorization link is not valid (it was already used, or was started in another session). Nothing changed; please start again.".into(),
            Self::StateExpired => "The authorization took too long and expired. Nothing changed; please start again.".into(),
            Self::NotAllowed => "You are not allowed to manage this company.".into(),
            Self::ProviderRejected => "UPS did not accept the authorization. Nothing changed; please start again.".into(),
            Self::ProviderUnavailable => "UPS could not be reached. Nothing changed; please try again in a few minutes.".into(),
            Self::Failed => "The authorization could not be completed. Nothing changed; please try again.".into(),
        }
    }
}

#[server(prefix = "/api", endpoint = "load_overview")]
pub async fn load_overview(product: Product, company: Option<CompanyId>) -> Result<ProductOverview, AppError> {
    crate::error::ssr::with_status(ssr::overview(product, company).await)
}

/// Opt-Out (Reverse Logistics, Pickup Manager) and Clear (Data Management): the authorization
/// ends and its tokens are deleted at once.
#[server(prefix = "/api", endpoint = "opt_out")]
pub async fn opt_out(product: Product, company: CompanyId) -> Result<(), AppError> {
    crate::error::ssr::with_status(ssr::opt_out_current(product, company).await)
}

/// How the opt-in button reaches UPS.
#[derive(Clone, Copy)]
pub enum StartMode {
    /// A form POST to `/oauth/{product}/start`, in this window (the admin pages).
    Form,
    /// A handler run inside the click itself (the widget opens UPS's consent in a window of its
    /// own, which browsers allow only during the click).
    Handler(Callback<()>),
}

/// The authorization card on the admin pages: opt-in by form, opt-out through `opt_out`.
#[component]
pub fn AuthorizationPanel(view: AuthorizationView, opt_out: ServerAction<OptOut>) -> impl IntoView {
    let (product, company) = (view.product, view.company.id);
    let on_revoke = Callback::new(move |()| {
        opt_out.dispatch(OptOut { product, company });
    });
    view! { <AuthorizationCard view start=StartMode::Form on_revoke/> }
}

/// The authorization card, worded and sequenced as the product's walk-through has it; the admin
/// pages and the embedded widget differ only in how they start and end an authorization.
#[component]
pub fn AuthorizationCard(view: AuthorizationView, start: StartMode, on_revoke: Callback<()>) -> impl IntoView {
    let AuthorizationView { company, product, status } = view;
    let wording = product.wording();
    let confirm = NodeRef::<Dialog>::new();
    let explain = NodeRef::<Dialog>::new();
    let revealed = RwSignal::new(false);
    let company_id = company.id;
    let start_path = format!("/oauth/{}/start", product.slug());
    let status_line = match status.clone() {
        AuthorizationStatus::NotAuthorized => {
            format!("{} is not authorized for {}.", product.short_name(), company.name).into_any()
        }
        AuthorizationStatus::Authorized { by, at } => {
            let by = by.map(|by| format!(" by {by}")).unwrap_or_default();
            view! { "Authorized" {by} " on " <LocalTime unix=at/> "." }.into_any()
        }
        AuthorizationStatus::ReauthorizationRequired { reason, since } => {
            view! { "Re-authorization required since " <LocalTime unix=since/> ": " {reason} }.into_any()
        }
    };
    let authorized = matches!(status, AuthorizationStatus::Authorized { .. });
    // A dead grant is one click from restored; the company's history stays.
    let opt_in_label = match status {
        AuthorizationStatus::ReauthorizationRequired { .. } => "Re-authorize",
        _ => wording.opt_in,
    };
    let start_form = move |label: &'static str| match start {
        StartMode::Form => view! {
            <form method="post" action=start_path.clone() class="inline">
                <input type="hidden" name="company" value=company_id.get()/>
                <button type="submit" class="primary">{label}</button>
            </form>
        }
        .into_any(),
        StartMode::Handler(handler) => view! {
            <button type="button" class="primary" on:click=move |_| {
                close_dialog(explain);
                handler.run(());
            }>{label}</button>
        }
        .into_any(),
    };
    let revoke_button = move || {
        view! {
            <button type="button" class="secondary" aria-haspopup="dialog" on:click=move |_| open_dialog(confirm)>
                {wording.revoke_label}
            </button>
        }
    };

    let control = match (authorized, wording.revoke) {
        (true, Revoke::AuthorizedButton) => view! {
            <button type="button" class="authorized" aria-haspopup="dialog" on:click=move |_| open_dialog(confirm)>"Authorized"</button>
        }
        .into_any(),
        (true, Revoke::RevealedByAuthorized) => view! {
            <button type="button" class="authorized" aria-expanded=move || revealed.get().to_string()
                on:click=move |_| revealed.update(|shown| *shown = !*shown)>"Authorized"</button>
            <Show when=move || revealed.get()>{revoke_button}</Show>
        }
        .into_any(),
        (true, Revoke::SeparateButton) => view! {
            <span class="badge authorized-badge">"Authorized"</span>
            {revoke_button()}
        }
        .into_any(),
        (false, _) => match &wording.explain_first {
            None => start_form(opt_in_label).into_any(),
            Some(explanation) => view! {
                <button type="button" class="primary" aria-haspopup="dialog" on:click=move |_| open_dialog(explain)>{opt_in_label}</button>
                <dialog node_ref=explain class="modal" aria-labelledby="explain-title" aria-describedby="explain-body">
                    <h2 id="explain-title">{explanation.title}</h2>
                    <p id="explain-body">{explanation.body}</p>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| close_dialog(explain)>"Cancel"</button>
                        {start_form(explanation.proceed)}
                    </div>
                </dialog>
            }
            .into_any(),
        },
    };
    let confirmation = authorized.then(|| {
        view! {
            <ConfirmDialog
                id="confirm-revoke"
                node_ref=confirm
                title=wording.confirm_title
                message=format!(
                    "{} will immediately stop acting for {} through UPS APIs, and its stored tokens are deleted. You can authorize it again at any time.",
                    product.short_name(), company.name,
                )
                confirm_label=wording.confirm_label
                on_confirm=move || on_revoke.run(())
            />
        }
    });

    view! {
        <section class="card authorization" class:needs-attention=opt_in_label == "Re-authorize" aria-labelledby="oauth-heading">
            <h2 id="oauth-heading">"UPS OAuth"</h2>
            <p class="status-line" data-testid="authorization-status">{status_line}</p>
            <div class="control">{control}</div>
            {confirmation}
            <p class="warning"><strong>"Warning: "</strong>
                "When using the Opt-In method, changing the password of the UPS.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt in again whenever the password is changed."
            </p>
            <p class="tip"><strong>"Tip: "</strong>"If you require assistance, reach out to your Account Executive."</p>
        </section>
    }.into_any()
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{AuthorizationStatus, AuthorizationView, CompanyStatus, Notice, ProductOverview, StatusKind};
    use crate::{
        audit::{self, Actor},
        auth::ssr::{current_user, SignedInUser},
        companies::{ssr::require_admin, CompanySummary},
        embed::ssr::{EmbedMode, EmbedSession},
        error::AppError,
        ids::CompanyId,
        product::Product,
        secret::{fingerprint, random_token, token_hash, TokenCipher},
        state::{app_state, now, AppState},
        ups::{ProviderError, TokenGrant},
    };
    use oauth2::PkceCodeVerifier;
    use serde::Deserialize;
    use sqlx::{SqliteConnection, SqlitePool};
    use url::Url;

    pub async fn overview(product: Product, company: Option<CompanyId>) -> Result<ProductOverview, AppError> {
        let state = app_state()?;
        let user = current_user()?;
        // The user's companies and their status for this product, in one query; membership of
        // the requested company is checked against this same list.
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT c.id, c.name, a.status FROM companies c
             JOIN memberships m ON m.company_id = c.id AND m.user_id = ? AND m.role = 'admin'
             LEFT JOIN authorizations a ON a.company_id = c.id AND a.product = ?
             ORDER BY c.name",
        )
        .bind(user.id.get())
        .bind(product.slug())
        .fetch_all(&state.db)
        .await?;
        let companies: Vec<CompanyStatus> = rows
            .into_iter()
            .map(|(id, name, status)| CompanyStatus {
                company: CompanySummary { id: CompanyId::new(id), name },
                status: match status.as_deref() {
                    Some("authorized") => StatusKind::Authorized,
                    Some("reauthorization_required") => StatusKind::ReauthorizationRequired,
                    _ => StatusKind::NotAuthorized,
                },
            })
            .collect();
        let selected = match company {
            Some(company) => Some(
                companies
                    .iter()
                    .find(|entry| entry.company.id == company)
                    .map(|entry| entry.company.clone())
                    .ok_or(AppError::Forbidden)?,
            ),
            None => companies.first().map(|entry| entry.company.clone()),
        };
        let selected = match selected {
            Some(company) => Some(authorization_view(&state.db, company, product).await?),
            None => None,
        };
        Ok(ProductOverview { identity: user.identity, companies, selected })
    }

    pub async fn authorization_view(
        db: &SqlitePool,
        company: CompanySummary,
        product: Product,
    ) -> Result<AuthorizationView, AppError> {
        let row: Option<(String, Option<String>, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT a.status, a.status_reason, a.status_changed_at, a.authorized_at,
                    COALESCE(u.display_name, a.authorized_via)
             FROM authorizations a LEFT JOIN users u ON u.id = a.authorized_by
             WHERE a.company_id = ? AND a.product = ?",
        )
        .bind(company.id.get())
        .bind(product.slug())
        .fetch_optional(db)
        .await?;
        let status = match row {
            Some((status, _, changed_at, authorized_at, by)) if status == "authorized" => {
                AuthorizationStatus::Authorized { by, at: authorized_at.unwrap_or(changed_at) }
            }
            Some((status, reason, changed_at, _, _)) if status == "reauthorization_required" => {
                AuthorizationStatus::ReauthorizationRequired {
                    reason: reason.unwrap_or_else(|| "the UPS.com grant is no longer valid".into()),
                    since: changed_at,
                }
            }
            _ => AuthorizationStatus::NotAuthorized,
        };
        Ok(AuthorizationView { company, product, status })
    }

    pub async fn opt_out_current(product: Product, company: CompanyId) -> Result<(), AppError> {
        let state = app_state()?;
        let user = current_user()?;
        require_admin(&state.db, user.id, company).await?;
        revoke(&state.db, &Actor::User(user.id), company, product).await
    }

    /// What ending an authorization is called in the product's own words (and the audit log).
    pub fn revoke_action(product: Product) -> &'static str {
        if product.wording().revoke_label == "Clear" {
            "cleared"
        } else {
            "opted_out"
        }
    }

    /// Ends the authorization at once: tokens wiped, status revoked, in one transaction. UPS has no
    /// revocation endpoint, so this is what makes the tokens unusable by anything of ours.
    pub async fn revoke(db: &SqlitePool, actor: &Actor, company: CompanyId, product: Product) -> Result<(), AppError> {
        let action = revoke_action(product);
        let mut tx = crate::state::write_transaction(db).await?;
        let revoked: Option<(i64,)> = sqlx::query_as(
            "UPDATE authorizations SET status = 'revoked', status_reason = ?, status_changed_at = ?
             WHERE company_id = ? AND product = ? AND status != 'revoked' RETURNING id",
        )
        .bind(action)
        .bind(now())
        .bind(company.get())
        .bind(product.slug())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((authorization,)) = revoked {
            let cleared = retire_active_token(&mut tx, authorization, None, Retired::Cleared).await?;
            audit::record(
                &mut tx,
                audit::Event {
                    actor: actor.clone(),
                    company: Some(company),
                    product: Some(product),
                    action,
                    detail: format!("{cleared} token(s) deleted"),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Who starts an authorization, and what the callback checks to know it returns to the same
    /// browser.
    pub enum Initiator<'a> {
        /// A signed-in admin: the state is bound to their session.
        Admin(&'a SignedInUser),
        /// A portal user in a product's widget: the state is bound to the consent window's own
        /// first-party cookie (`browser` is its value), and to the embed session.
        Portal { session: &'a EmbedSession, browser: &'a str, mode: EmbedMode },
    }

    /// Starts the authorization-code flow: a single-use state bound to this browser, company and
    /// product, a PKCE verifier kept encrypted beside it, and the UPS URL to send the person to.
    pub async fn begin(
        state: &AppState,
        initiator: Initiator<'_>,
        product: Product,
        company: CompanyId,
    ) -> Result<Url, AppError> {
        let (binding, embed, actor) = match &initiator {
            Initiator::Admin(user) => {
                require_admin(&state.db, user.id, company).await?;
                (user.session_hash.clone(), None, Actor::User(user.id))
            }
            Initiator::Portal { session, browser, mode } => {
                if session.company.id != company || session.product != product {
                    return Err(AppError::Forbidden);
                }
                (token_hash(browser), Some((session.id, mode.as_str())), session.actor())
            }
        };
        let token = random_token();
        let (url, verifier) = state.ups.authorize_url(product, &token).map_err(|error| {
            tracing::error!(%error, %product, "cannot build the UPS authorize URL");
            AppError::Internal
        })?;
        let sealed = state.cipher.encrypt(verifier.secret(), "pkce")?;
        let mut tx = crate::state::write_transaction(&state.db).await?;
        sqlx::query("DELETE FROM oauth_states WHERE expires_at <= ?").bind(now()).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, session_hash, embed_session_id, embed_mode, company_id, product, pkce_verifier, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash(token.expose()))
        .bind(binding)
        .bind(embed.map(|(id, _)| id))
        .bind(embed.map(|(_, mode)| mode))
        .bind(company.get())
        .bind(product.slug())
        .bind(sealed)
        .bind(now())
        .bind(now() + state.web.state_lifetime.as_secs() as i64)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            audit::Event {
                actor,
                company: Some(company),
                product: Some(product),
                action: "opt_in_started",
                detail: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(url)
    }

    /// What UPS sends back to the redirect URI.
    #[derive(Debug, Deserialize)]
    pub struct CallbackQuery {
        pub code: Option<String>,
        pub state: Option<String>,
        pub error: Option<String>,
    }

    /// A callback that did not end in an authorization: which company it was for, when known, and
    /// what to tell the person.
    #[derive(Debug)]
    pub struct CallbackFailure {
        pub company: Option<CompanyId>,
        pub notice: Notice,
    }

    impl From<AppError> for CallbackFailure {
        fn from(error: AppError) -> Self {
            let notice = if error == AppError::Forbidden { Notice::NotAllowed } else { Notice::Failed };
            Self { company: None, notice }
        }
    }

    /// Where a callback's answer goes: back to the admin pages, or to the widget that opened the
    /// consent window (or to the portal page, when the window could not be opened).
    #[derive(Debug)]
    pub enum Answer {
        Admin,
        Widget { mode: EmbedMode, session: EmbedSession },
    }

    /// How a callback ended, and where to say so.
    pub struct Completion {
        pub answer: Answer,
        pub result: Result<CompanyId, CallbackFailure>,
    }

    /// Completes the flow. The state is consumed first, whatever happens next, so it can never be
    /// replayed; every failure leaves the company's authorization as it was. `user` is the
    /// signed-in admin, if any; `browser` the consent window's cookie, if any.
    pub async fn complete(
        state: &AppState,
        product: Product,
        query: CallbackQuery,
        user: Option<&SignedInUser>,
        browser: Option<&str>,
    ) -> Completion {
        let admin = |result| Completion { answer: Answer::Admin, result };
        let unknown = CallbackFailure { company: None, notice: Notice::StateUnknown };
        let Some(state_token) = query.state.clone().filter(|value| !value.is_empty()) else {
            return admin(Err(unknown));
        };
        let row: Result<Option<(Vec<u8>, Option<i64>, Option<String>, i64, String, Vec<u8>, i64)>, _> = sqlx::query_as(
            "DELETE FROM oauth_states WHERE state_hash = ?
                 RETURNING session_hash, embed_session_id, embed_mode, company_id, product, pkce_verifier, expires_at",
        )
        .bind(token_hash(&state_token))
        .fetch_optional(&state.db)
        .await;
        let (binding, embed, mode, company, state_product, sealed_verifier, expires_at) = match row {
            Ok(Some(row)) => row,
            Ok(None) => {
                tracing::warn!(%product, "callback with an unknown or replayed state");
                return admin(Err(unknown));
            }
            Err(error) => return admin(Err(AppError::from(error).into())),
        };
        let company = CompanyId::new(company);
        let fail = |notice| CallbackFailure { company: Some(company), notice };
        // Where to answer is decided by the stored state, never by the request.
        let widget = match (embed, mode.as_deref().and_then(EmbedMode::parse)) {
            (Some(embed), Some(mode)) => match EmbedSession::by_id(&state.db, embed).await {
                Ok(Some(session)) => Some((mode, session)),
                Ok(None) => return admin(Err(fail(Notice::NotAllowed))),
                Err(error) => return admin(Err(error.into())),
            },
            _ => None,
        };
        let result = async {
            if state_product != product.slug() {
                tracing::warn!(%product, "callback with a state from another product");
                return Err(unknown);
            }
            let actor = match (&widget, user) {
                (Some((_, session)), _) if browser.map(token_hash).as_ref() == Some(&binding) => session.actor(),
                (None, Some(user)) if user.session_hash == binding => Actor::User(user.id),
                _ => {
                    tracing::warn!(%product, "callback in another session or browser than the one that started it");
                    return Err(unknown);
                }
            };
            if expires_at <= now() {
                return Err(fail(Notice::StateExpired));
            }
            let allowed = match (&widget, &actor) {
                // The product's API key was revoked while its user was at UPS.
                (Some((_, session)), _) => session.live,
                (None, Actor::User(user)) => require_admin(&state.db, *user, company).await.is_ok(),
                _ => false,
            };
            if !allowed {
                return Err(fail(Notice::NotAllowed));
            }
            finish(state, &actor, Pending { company, product, sealed_verifier }, query).await
        }
        .await;
        match widget {
            Some((mode, session)) => Completion { answer: Answer::Widget { mode, session }, result },
            None => admin(result),
        }
    }

    /// A consumed, unexpired state whose browser and rights have been checked.
    struct Pending {
        company: CompanyId,
        product: Product,
        sealed_verifier: Vec<u8>,
    }

    async fn finish(
        state: &AppState,
        actor: &Actor,
        pending: Pending,
        query: CallbackQuery,
    ) -> Result<CompanyId, CallbackFailure> {
        let Pending { company, product, sealed_verifier } = pending;
        let fail = |notice| CallbackFailure { company: Some(company), notice };
        if let Some(error) = query.error {
            let mut conn = state.db.acquire().await.map_err(AppError::from)?;
            audit::record(
                &mut conn,
                audit::Event {
                    actor: actor.clone(),
                    company: Some(company),
                    product: Some(product),
                    action: "consent_denied",
                    detail: error.chars().take(100).collect(),
                },
            )
            .await
            .map_err(AppError::from)?;
            return Err(fail(Notice::ConsentDenied));
        }
        let Some(code) = query.code.filter(|code| !code.is_empty()) else { return Err(fail(Notice::ProviderRejected)) };
        let verifier = state.cipher.decrypt(&sealed_verifier, "pkce").map_err(AppError::from)?;
        let grant =
            state.ups.exchange_code(product, code, PkceCodeVerifier::new(verifier.expose().to_owned())).await.map_err(
                |error| {
                    tracing::warn!(%error, %product, %company, "code exchange failed");
                    fail(match error {
                        ProviderError::Rejected(_) => Notice::ProviderRejected,
                        ProviderError::Unavailable(_) | ProviderError::Unanswered(_) => Notice::ProviderUnavailable,
                        ProviderError::Malformed(_) => Notice::Failed,
                    })
                },
            )?;
        store_grant(&state.db, &state.cipher, actor, company, product, grant)
            .await
            .map_err(|_| fail(Notice::Failed))?;
        Ok(company)
    }

    /// Stores a fresh grant as the authorization's one active token pair, in one transaction.
    pub async fn store_grant(
        db: &SqlitePool,
        cipher: &TokenCipher,
        actor: &Actor,
        company: CompanyId,
        product: Product,
        grant: TokenGrant,
    ) -> Result<(), AppError> {
        let by_user = match actor {
            Actor::User(user) => Some(user.get()),
            _ => None,
        };
        let mut tx = crate::state::write_transaction(db).await?;
        let (authorization,): (i64,) = sqlx::query_as(
            "INSERT INTO authorizations (company_id, product, status, status_reason, status_changed_at, authorized_by, authorized_via, authorized_at)
             VALUES (?, ?, 'authorized', NULL, ?, ?, ?, ?)
             ON CONFLICT (company_id, product) DO UPDATE SET status = 'authorized', status_reason = NULL,
                 status_changed_at = excluded.status_changed_at, authorized_by = excluded.authorized_by,
                 authorized_via = excluded.authorized_via, authorized_at = excluded.authorized_at,
                 refresh_failures = 0, retry_at = NULL, refresh_started_at = NULL
             RETURNING id",
        )
        .bind(company.get())
        .bind(product.slug())
        .bind(now())
        .bind(by_user)
        .bind(actor.label())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        retire_active_token(&mut tx, authorization, None, Retired::Replaced).await?;
        insert_token(&mut tx, cipher, authorization, &grant).await?;
        audit::record(
            &mut tx,
            audit::Event {
                actor: actor.clone(),
                company: Some(company),
                product: Some(product),
                action: "authorized",
                detail: format!("token {}", fingerprint(grant.access_token.expose())),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Why an active token stops being the one in use.
    #[derive(Clone, Copy)]
    pub enum Retired {
        /// A refresh issued its successor.
        Refreshed,
        /// A new opt-in issued its successor.
        Replaced,
        /// Opt-Out, Clear, or a dead grant: nothing succeeds it.
        Cleared,
    }

    /// Wipes the secrets of the authorization's active token (only if it is still `token`, when
    /// given) and records why; returns how many tokens it retired (0 or 1).
    pub(crate) async fn retire_active_token(
        conn: &mut SqliteConnection,
        authorization: i64,
        token: Option<i64>,
        why: Retired,
    ) -> Result<u64, sqlx::Error> {
        let status = match why {
            Retired::Refreshed => "refreshed",
            Retired::Replaced => "replaced",
            Retired::Cleared => "cleared",
        };
        let retired = sqlx::query(
            "UPDATE oauth_tokens SET status = ?1, access_token = NULL, refresh_token = NULL
             WHERE authorization_id = ?2 AND status = 'active' AND (?3 IS NULL OR id = ?3)",
        )
        .bind(status)
        .bind(authorization)
        .bind(token)
        .execute(conn)
        .await?
        .rows_affected();
        Ok(retired)
    }

    /// How long before expiry a token is refreshed: a tenth of its lifetime, between 1 second and
    /// 5 minutes (so a 4-hour UPS token is refreshed 5 minutes early, a 1-hour one 5 minutes early,
    /// and a short sandbox token just before it lapses).
    pub fn refresh_margin(lifetime: i64) -> i64 {
        (lifetime / 10).clamp(1, 300).min(lifetime.max(0))
    }

    /// Stores `grant` as the authorization's active token; returns when it expires.
    pub(crate) async fn insert_token(
        conn: &mut SqliteConnection,
        cipher: &TokenCipher,
        authorization: i64,
        grant: &TokenGrant,
    ) -> Result<i64, AppError> {
        let issued = now();
        let access = cipher.encrypt(grant.access_token.expose(), &format!("{authorization}:access"))?;
        let refresh = match &grant.refresh_token {
            Some(token) => Some(cipher.encrypt(token.expose(), &format!("{authorization}:refresh"))?),
            None => None,
        };
        let lifetime = grant.expires_in.as_secs() as i64;
        sqlx::query(
            "INSERT INTO oauth_tokens (authorization_id, status, fingerprint, access_token, refresh_token, issued_at, expires_at, refresh_expires_at, refresh_at)
             VALUES (?, 'active', ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(authorization)
        .bind(fingerprint(grant.access_token.expose()))
        .bind(access)
        .bind(refresh)
        .bind(issued)
        .bind(issued + grant.expires_in.as_secs() as i64)
        .bind(grant.refresh_expires_in.map(|lifetime| issued + lifetime.as_secs() as i64))
        .bind(issued + lifetime - refresh_margin(lifetime))
        .execute(conn)
        .await?;
        Ok(issued + lifetime)
    }
}

#[cfg(test)]
mod tests {
    use super::Notice;

    #[test]
    fn notice_codes_round_trip() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.code()), Some(notice));
        }
        assert_eq!(Notice::parse("<script>"), None);
    }
}
