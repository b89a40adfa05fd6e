//! Opting a company in to a product through UPS, and out again: where each company stands
//! (the overview a product page shows, with whether UPS answers the application at all),
//! checking an authorization with UPS ("Check now"), ending one (Opt-Out, or Clear), and, in
//! [`flow`], the authorization-code flow itself.

mod flow;

pub use flow::{begin, complete, Answer, CallbackFailure, CallbackQuery, Completion, Initiator};

use crate::{
    accounts::SignedIn,
    audit::{Actor, Entry, Event},
    companies::{require_admin, require_member},
    error::CoreError,
    lifecycle::TokenError,
    store::{Breaker, Lookup, StoreError},
    Core,
};
use model::{
    ActivityEntry, ApplicationHealth, AuthorizationState, AuthorizationStatus, AuthorizationView, CheckOutcome,
    CompanyId, CompanyStatus, CompanySummary, Product, ProductOverview, Role, StatusKind, TokenPage, UserId,
};

/// The user's companies with their status for `product`, and `company`'s authorization (the
/// first company's when none is asked for), with what the user's role there lets them do.
/// Membership of the requested company is checked against the same list: another company is
/// `Forbidden`.
#[tracing::instrument(skip(core, user), fields(user = %user.id.get()))]
pub async fn overview(
    core: &Core,
    user: &SignedIn,
    product: Product,
    company: Option<CompanyId>,
) -> Result<ProductOverview, CoreError> {
    let rows = core.store.companies_of(user.id, product).await?;
    let selected = match company {
        Some(company) => Some(rows.iter().find(|row| row.company.id == company).ok_or(CoreError::Forbidden)?),
        None => rows.first(),
    };
    let selected = match selected {
        Some(row) => Some(view(core, row.company.clone(), product, row.role).await?),
        None => None,
    };
    let companies = rows
        .into_iter()
        .map(|row| CompanyStatus {
            company: row.company,
            status: row.state.map_or(StatusKind::NotAuthorized, AuthorizationState::kind),
        })
        .collect();
    Ok(ProductOverview { identity: user.identity.clone(), companies, selected })
}

/// The company's authorization of `product`, as its page shows it to someone in `role`.
pub async fn view(
    core: &Core,
    company: CompanySummary,
    product: Product,
    role: Role,
) -> Result<AuthorizationView, CoreError> {
    let status = match core.store.authorization(company.id, product).await? {
        Some(record) => match record.state {
            AuthorizationState::Authorized => match unreadable_tokens(core, company.id, product).await? {
                Some(reason) => AuthorizationStatus::ReauthorizationRequired { reason, since: record.changed_at },
                None => AuthorizationStatus::Authorized {
                    by: record.authorized_by,
                    at: record.authorized_at.unwrap_or(record.changed_at),
                },
            },
            AuthorizationState::ReauthorizationRequired => AuthorizationStatus::ReauthorizationRequired {
                reason: record
                    .lost
                    .map_or_else(|| "the UPS.com grant is no longer valid".into(), |lost| lost.explain()),
                since: record.changed_at,
            },
            AuthorizationState::OptedOut | AuthorizationState::Cleared => AuthorizationStatus::NotAuthorized,
        },
        None => AuthorizationStatus::NotAuthorized,
    };
    let application = match core.store.breaker(product).await? {
        Breaker::Open { since, .. } => ApplicationHealth::NotAnswering { since },
        Breaker::Closed => ApplicationHealth::Answering,
    };
    Ok(AuthorizationView { company, product, status, application, role })
}

/// How often an authorization may be checked with UPS ("Check now").
pub const CHECK_EVERY_SECS: i64 = 60;

/// "Check now": an admin asks UPS to refresh the company's authorization once, to see how it
/// answers (at most once a minute per authorization; while UPS pushes back on the whole
/// application, the answer is that, without asking). Recorded in the company's Activity.
#[tracing::instrument(skip(core, user), fields(user = %user.get()))]
pub async fn check_as_admin(
    core: &Core,
    user: UserId,
    company: CompanyId,
    product: Product,
) -> Result<CheckOutcome, CoreError> {
    require_admin(core, user, company).await?;
    let outcome = match crate::lifecycle::check(core, company, product, CHECK_EVERY_SECS).await {
        Ok(Some(class)) => CheckOutcome::Answered(class),
        Ok(None) => return Ok(CheckOutcome::TooSoon),
        Err(TokenError::Store(error)) => return Err(error.into()),
        Err(TokenError::RefreshTask(error)) => return Err(CoreError::Unexpected(error)),
        Err(_) => return Err(CoreError::Invalid("Only an authorized company can be checked with UPS.".into())),
    };
    let event = Event::Checked { outcome: outcome.message().to_owned() };
    core.store.record(Entry::by(&Actor::User(user), company, product, event)).await?;
    Ok(outcome)
}

/// Why the stored tokens of an authorized company cannot be used, when they do not open with the
/// service's keys: the page then asks for attention instead of saying "Authorized" while every
/// token call fails. The row is logged for the operator.
async fn unreadable_tokens(core: &Core, company: CompanyId, product: Product) -> Result<Option<String>, CoreError> {
    let Lookup::Found(current) = core.store.current(company, product).await? else { return Ok(None) };
    let opened = core.store.access_token(&current).and_then(|_| core.store.refresh_token(&current));
    match opened {
        Ok(_) => Ok(None),
        Err(error @ StoreError::Unsealable { .. }) => {
            tracing::error!(%error, "an authorized company's stored token does not open");
            Ok(Some(
                "The stored UPS tokens cannot be decrypted with this service's keys (a key was removed from its key \
                 ring, or the data was altered). The service's operator can restore the key; otherwise authorize again."
                    .into(),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// The newest `limit` entries of the company's activity, for one of its members.
pub async fn activity(
    core: &Core,
    user: UserId,
    company: CompanyId,
    limit: u32,
) -> Result<Vec<ActivityEntry>, CoreError> {
    require_member(core, user, company).await?;
    Ok(core.store.activity(company, limit).await?)
}

/// One page of (company, product)'s token history, for one of the company's members.
pub async fn token_history(
    core: &Core,
    user: UserId,
    company: CompanyId,
    product: Product,
    page: u32,
) -> Result<TokenPage, CoreError> {
    require_member(core, user, company).await?;
    Ok(core.store.token_page(company, product, page).await?)
}

/// An admin ends the authorization (Opt-Out or Clear, as the product has it).
#[tracing::instrument(skip(core, user), fields(user = %user.get()))]
pub async fn revoke_as_admin(core: &Core, user: UserId, company: CompanyId, product: Product) -> Result<(), CoreError> {
    require_admin(core, user, company).await?;
    revoke(core, &Actor::User(user), company, product).await
}

/// Ends the authorization at once: tokens wiped, status opted out or cleared, in one
/// transaction. UPS has no revocation endpoint, so this is what makes the tokens unusable by
/// anything of ours. The caller has checked that `actor` may.
pub async fn revoke(core: &Core, actor: &Actor, company: CompanyId, product: Product) -> Result<(), CoreError> {
    Ok(core.store.revoke(actor, company, product, product.revocation()).await?)
}
