//! Consent links: the person who can consent at UPS.com (a UPS.com user with the company's
//! shipper accounts) is often not an admin here. An admin, an operator or a product's backend
//! makes out a link to them for one company and product; it is emailed when SMTP is configured,
//! or handed to its maker once. Whoever opens it needs no account here: its page shows who asks
//! and for what, and goes on to UPS with the admin flow's protections (a single-use state, PKCE,
//! a browser binding of its own). A link works once, for its company and product, until it
//! expires or is revoked. The flow's callback is [`crate::authorization`]'s; this module makes,
//! lists, opens, starts and revokes links.

use crate::{
    accounts::SignedIn,
    audit::{Actor, Entry, Event},
    authorization::{begin, Initiator},
    clock::now,
    companies::require_admin,
    email::Mailer,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    store::{ApiKey, ApiKeyId, ConsentLink, LinkStatus, NewConsentLink},
    Core,
};
use model::{CompanyId, ConsentLinkId, PendingConsentLink, Product};
use std::time::Duration;
use url::Url;

mod input;

pub use input::{LinkMessage, Recipient};

/// The longest a link may be made out for.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// How links are made: their default lifetime, where they point, and the mailer, if any.
pub struct LinkSettings {
    pub lifetime: Duration,
    /// The service's public address: links are under it.
    pub base_url: Url,
    pub mailer: Option<Mailer>,
}

impl LinkSettings {
    /// Links of `lifetime` under `base_url`, never emailed.
    pub fn new(lifetime: Duration, base_url: Url) -> Self {
        Self { lifetime, base_url, mailer: None }
    }

    pub fn with_mailer(mut self, mailer: Option<Mailer>) -> Self {
        self.mailer = mailer;
        self
    }
}

/// Who makes, lists or revokes links.
pub enum Caller<'a> {
    /// A signed-in user: an admin of the company makes and revokes; any member lists.
    User(&'a SignedIn),
    /// A product's backend, with its API key (which must reach the company).
    Backend(&'a ApiKey),
    /// An operator, from the command line.
    Operator,
}

/// What a link is for.
pub struct LinkRequest {
    pub company: CompanyId,
    pub product: Product,
    pub recipient: Recipient,
    pub message: Option<LinkMessage>,
    /// How long it works; the setting's default when `None`.
    pub lifetime: Option<Duration>,
    /// Email it when SMTP is configured (else it is handed back).
    pub email: bool,
}

/// How a new link left.
#[derive(Debug)]
pub enum Delivery {
    /// Emailed to its recipient; its maker never sees it.
    Emailed,
    /// Handed back to its maker, this once: email is off or was not asked for, or it failed
    /// (`email_error` says why).
    Handed { url: SecretString, email_error: Option<String> },
}

impl Delivery {
    /// The API's name for it: `emailed`, `handed` or `email_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Emailed => "emailed",
            Self::Handed { email_error: None, .. } => "handed",
            Self::Handed { email_error: Some(_), .. } => "email_failed",
        }
    }
}

/// A link just made.
pub struct CreatedLink {
    pub id: ConsentLinkId,
    pub expires_at: i64,
    pub delivery: Delivery,
}

/// Makes a link out for one company and product.
#[tracing::instrument(skip_all, fields(company = %request.company, product = %request.product))]
pub async fn create(core: &Core, sender: Caller<'_>, request: LinkRequest) -> Result<CreatedLink, CoreError> {
    let LinkRequest { company, product, recipient, message, lifetime, email } = request;
    let (actor, key) = acting(core, &sender, company, product).await?;
    let label = match sender {
        Caller::User(user) => user.identity.display_name.clone(),
        Caller::Backend(_) => product.name().to_owned(),
        Caller::Operator => "the service's operators".to_owned(),
    };
    let Some(company_name) = core.store.company_name(company).await? else {
        return Err(CoreError::NotFound(format!("company {company}")));
    };
    let lifetime = lifetime.unwrap_or(core.links.lifetime);
    if lifetime.is_zero() || lifetime > MAX_LIFETIME {
        return Err(CoreError::Invalid("A link may last from 1 second to 30 days.".into()));
    }
    let token = random_token();
    let url = link_url(&core.links.base_url, product, token.expose())?;
    let expires_at = now() + lifetime.as_secs() as i64;
    let link = NewConsentLink {
        token_hash: token_hash(token.expose()),
        company,
        product,
        recipient: recipient.as_ref(),
        message: message.as_ref().map(AsRef::as_ref),
        sent_by: &actor,
        sent_by_key: key,
        sent_by_label: &label,
        expires_at,
    };
    let to = recipient.as_ref().to_owned();
    let mailer = core.links.mailer.as_ref().filter(|_| email);
    let planned = if mailer.is_some() { "to be emailed" } else { "handed to its sender to pass on" };
    let event = Event::ConsentLinkSent { to: to.clone(), expires_at, delivery: planned.into() };
    let id = core.store.create_consent_link(link, event).await?;
    let handed = |email_error| Delivery::Handed { url: SecretString::new(url.to_string()), email_error };
    let delivery = match mailer {
        Some(mailer) => {
            let note = message.as_ref().map(AsRef::as_ref);
            let email = crate::email::LinkEmail { product, company: &company_name, sender: &label, note, expires_at };
            let kind = "consent link".to_owned();
            let (delivery, event) = match mailer.send_consent_link(&email, &url, &to).await {
                Ok(()) => (Delivery::Emailed, Event::EmailSent { kind, to }),
                Err(error) => {
                    tracing::warn!(%error, "a consent link's email failed");
                    let event = Event::EmailFailed { kind, to, error: error.clone(), next_in_secs: None };
                    (handed(Some(error)), event)
                }
            };
            core.store.record(Entry::by(&actor, company, product, event)).await?;
            delivery
        }
        None => handed(None),
    };
    Ok(CreatedLink { id, expires_at, delivery })
}

/// Checks that `caller` may make, list or revoke links for (company, product): who they are in the
/// Activity log, and the key a backend used.
async fn acting(
    core: &Core,
    caller: &Caller<'_>,
    company: CompanyId,
    product: Product,
) -> Result<(Actor, Option<ApiKeyId>), CoreError> {
    Ok(match caller {
        Caller::User(user) => {
            require_admin(core, user.id, company).await?;
            (Actor::User(user.id), None)
        }
        Caller::Backend(key) => {
            if key.product != product {
                return Err(CoreError::Invalid("This API key belongs to another product.".into()));
            }
            crate::api_keys::require_reach(core, key, company).await?;
            (Actor::Backend(format!("{} backend (API key {})", product.short_name(), key.id)), Some(key.id))
        }
        Caller::Operator => (Actor::Service, None),
    })
}

/// Whether whoever made the link out may still ask for its company: an admin still its admin,
/// a key still live and reaching it (an operator always may). A link outlives neither.
async fn sender_may_still_ask(core: &Core, link: &ConsentLink) -> Result<bool, CoreError> {
    match (link.sent_by, link.sent_by_key) {
        (Some(user), _) => match require_admin(core, user, link.company.id).await {
            Ok(_) => Ok(true),
            Err(CoreError::Forbidden | CoreError::ViewOnly) => Ok(false),
            Err(error) => Err(error),
        },
        (None, Some(key)) => Ok(core.store.api_key_live_for(key, link.company.id).await?),
        (None, None) => Ok(true),
    }
}

/// Whether the consent that `link` started may still be kept when UPS answers: the link still
/// pending (the grant's transaction checks that again) and its sender still entitled.
pub async fn still_usable(core: &Core, link: &ConsentLink) -> Result<bool, CoreError> {
    Ok(link.status == LinkStatus::Pending && sender_may_still_ask(core, link).await?)
}

fn link_url(base: &Url, product: Product, token: &str) -> Result<Url, CoreError> {
    base.join(&format!("consent/{}/{token}", product.slug()))
        .map_err(|error| CoreError::Unexpected(format!("cannot build a consent link under {base}: {error}")))
}

/// Why a link's page cannot go on to UPS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No such link (mistyped, cut short, or made up).
    Unknown,
    /// The link is for another product than the address it was opened at.
    OtherProduct,
    Used,
    Revoked,
    Expired,
    /// Another browser already went on to UPS with it.
    OtherBrowser,
    /// Whoever made it out may no longer ask for the company (no longer its admin, or their API
    /// key was revoked or no longer reaches it).
    SenderGone,
}

impl LinkRefusal {
    /// The HTTP status of the page that says so.
    pub fn status(self) -> u16 {
        match self {
            Self::Unknown | Self::OtherProduct => 404,
            Self::Used | Self::Revoked | Self::Expired | Self::SenderGone => 410,
            Self::OtherBrowser => 409,
        }
    }
}

/// What a link's page or start may fail with.
#[derive(Debug)]
pub enum LinkFailure {
    Refused(LinkRefusal),
    Core(CoreError),
}

impl From<CoreError> for LinkFailure {
    fn from(error: CoreError) -> Self {
        Self::Core(error)
    }
}

impl From<crate::store::StoreError> for LinkFailure {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Core(error.into())
    }
}

/// The pending, unexpired link with this token, for `product`.
async fn live_link(core: &Core, product: Product, token: &str) -> Result<ConsentLink, LinkFailure> {
    let refuse = |refusal| Err(LinkFailure::Refused(refusal));
    let Some(link) = core.store.consent_link_by_token(&token_hash(token)).await? else {
        return refuse(LinkRefusal::Unknown);
    };
    if link.product != product {
        tracing::warn!(link = %link.id, "a consent link opened under another product");
        return refuse(LinkRefusal::OtherProduct);
    }
    match link.status {
        LinkStatus::Used => refuse(LinkRefusal::Used),
        LinkStatus::Revoked => refuse(LinkRefusal::Revoked),
        LinkStatus::Pending if link.expires_at <= now() => refuse(LinkRefusal::Expired),
        LinkStatus::Pending if !sender_may_still_ask(core, &link).await? => refuse(LinkRefusal::SenderGone),
        LinkStatus::Pending => Ok(link),
    }
}

/// Someone opens a link: the link, when it can still be used; its first opening is noted with
/// the address and browser it came from.
#[tracing::instrument(skip_all, fields(%product))]
pub async fn open(
    core: &Core,
    product: Product,
    token: &str,
    address: &str,
    browser: &str,
) -> Result<ConsentLink, LinkFailure> {
    let link = live_link(core, product, token).await?;
    if link.opened_at.is_none() {
        let browser: String = browser.chars().filter(|c| !c.is_control()).take(200).collect();
        core.store.consent_link_opened(&link, address, &browser).await?;
    }
    Ok(link)
}

/// Where a link's holder goes next, and until when their browser's consent cookie must last
/// (the link is bound to it).
pub struct Started {
    pub url: Url,
    pub link_expires_at: i64,
}

/// The link's holder goes on to UPS: the link is bound to this browser (`browser` is its consent
/// cookie), and a state bound to the same cookie is made for the link's company and product.
#[tracing::instrument(skip_all, fields(%product))]
pub async fn start(core: &Core, product: Product, token: &str, browser: &str) -> Result<Started, LinkFailure> {
    let link = live_link(core, product, token).await?;
    if !core.store.claim_consent_link(link.id, &token_hash(browser)).await? {
        // Between the read and the claim it may also have been used, revoked or expired.
        let refusal = match live_link(core, product, token).await {
            Ok(_) => LinkRefusal::OtherBrowser,
            Err(LinkFailure::Refused(refusal)) => refusal,
            Err(failure) => return Err(failure),
        };
        return Err(LinkFailure::Refused(refusal));
    }
    let url = begin(core, Initiator::Link { link: &link, browser }, link.product, link.company.id).await?;
    Ok(Started { url, link_expires_at: link.expires_at })
}

/// The company's links for `product` still waiting: for any member of the company (a viewer
/// sees them too), its product's backend, or an operator.
pub async fn pending(
    core: &Core,
    caller: Caller<'_>,
    company: CompanyId,
    product: Product,
) -> Result<Vec<PendingConsentLink>, CoreError> {
    match caller {
        Caller::User(user) => crate::companies::require_member(core, user.id, company).await.map(drop)?,
        caller => acting(core, &caller, company, product).await.map(drop)?,
    }
    Ok(core.store.pending_consent_links(company, product).await?)
}

/// Revokes a pending link: by an admin of its company (`User`), its product's backend
/// (`Backend`, whose key must reach the company), or an operator. False when no such link of
/// the company's is waiting.
#[tracing::instrument(skip(core, caller))]
pub async fn revoke(
    core: &Core,
    caller: Caller<'_>,
    company: CompanyId,
    product: Product,
    link: ConsentLinkId,
) -> Result<bool, CoreError> {
    let (actor, _) = acting(core, &caller, company, product).await?;
    Ok(core.store.revoke_consent_link(&actor, link, company, product).await?)
}

/// Tells a link's sender, when one of our users with an email address and SMTP is configured,
/// that its recipient consented. Best effort: the Activity log and the product page say so too.
pub async fn tell_sender(core: &Core, link: &ConsentLink) {
    let (Some(mailer), Some(user)) = (&core.links.mailer, link.sent_by) else { return };
    let to = match core.store.user_email(user).await {
        Ok(Some(to)) => to,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "could not read a consent link sender's address");
            return;
        }
    };
    if let Err(error) = mailer.send_link_used(link.product, &link.company.name, &link.recipient, &to).await {
        tracing::warn!(%error, link = %link.id, "could not tell a consent link's sender");
    }
}
