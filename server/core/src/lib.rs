//! The server-only core of the OAuth Opt-In service: what the service does, whoever asks.
//!
//! - [`accounts`]: users, passwords and sign-in sessions; [`factors`]: second factors; [`companies`]: who administers what.
//! - [`authorization`]: opting a company in through UPS (begin, complete) and out again.
//! - [`lifecycle`]: keeping grants alive: a fresh token on demand, refreshes, backoff, dead grants.
//! - [`embed`]: the widget's single-use sessions; [`api_keys`]: the products' backends' keys.
//! - [`ups`]: the OAuth client that speaks UPS's dialect; [`secret`]: secrets that never print;
//!   [`keyring`]: the keys that seal tokens at rest; [`keys`]: rotating them.
//! - [`events`]: what the products and admins are told when an authorization changes;
//!   [`outbox`]: delivering it, as [`webhooks`] or [`email`].
//! - [`incidents`]: telling operators when UPS pushes back on a whole application.
//! - [`audit`]: the log as events; [`backups`]: copies of the embedded database; [`store`]: the
//!   one place with SQL.
//!
//! Nothing here knows about HTTP requests, cookies or pages: the web layers (`app`'s server
//! functions and `server`'s routes) authenticate, call in here, and word the answer. Dependencies
//! point down: domain modules use the store, the UPS client and secrets; the store uses neither
//! the domain nor the web.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod authorization;
pub mod backups;
pub mod cache;
pub mod clock;
pub mod companies;
pub mod consent_links;
pub mod email;
pub mod embed;
pub mod error;
pub mod events;
pub mod factors;
pub mod incidents;
pub mod keyring;
pub mod keys;
pub mod lifecycle;
pub mod operations;
pub mod outbox;
pub mod secret;
pub mod sessions;
pub mod sso;
pub mod store;
pub mod throttle;
pub mod ups;
pub mod webhooks;

pub use error::CoreError;

use std::{sync::Arc, time::Duration};
use store::Store;
use throttle::HashingQueue;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use ups::UpsOAuth;

/// How long the things the core hands out live.
#[derive(Clone, Debug)]
pub struct Lifetimes {
    pub session: Duration,
    /// A session unused this long ends, whatever its lifetime left.
    pub session_idle: Duration,
    /// An authorization request, from the click to UPS's callback.
    pub state: Duration,
    /// How long a product's backend has to hand an embed session to its page.
    pub embed_token: Duration,
    /// How long a widget works once opened.
    pub embed_session: Duration,
    /// How long a refresh holds its authorization; longer than a call to UPS can take, so only
    /// an instance that stopped mid-refresh leaves one to run out.
    pub refresh_lease: Duration,
}

/// Everything the core's operations share: the store, UPS, the limits, and the stop signal.
#[derive(Clone)]
pub struct Core {
    pub store: Store,
    pub ups: Arc<UpsOAuth>,
    pub lifetimes: Arc<Lifetimes>,
    /// Password checks for sign-ins: bounded, shed with `Busy` beyond that.
    pub password_checks: Arc<HashingQueue>,
    /// The refreshes under way in this process, which callers that need the same token join.
    in_flight: Arc<lifecycle::InFlight>,
    /// Cancelled when the process starts to stop: no new refresh starts after that.
    pub stopping: CancellationToken,
    /// Every refresh under way, so a stopping process waits for their answers to be stored.
    pub refreshes: TaskTracker,
    /// What the token API answers again and again, for a moment (see [`cache`]).
    pub caches: Arc<Caches>,
    /// How UPS may be asked for refreshes, and who hears when it pushes back.
    pub policy: Arc<RefreshPolicy>,
    /// The identity providers admins may sign in with (none unless the settings name some).
    pub sso: Arc<sso::Sso>,
    /// Second factors: whether every admin needs one, and the passkeys' relying party.
    pub factors: Arc<factors::Factors>,
    /// How consent links are made and sent.
    pub links: Arc<consent_links::LinkSettings>,
}

/// How refreshes treat UPS: each application's budget, where its incidents go, and how long
/// before a refresh token's end the company is warned.
#[derive(Clone, Debug)]
pub struct RefreshPolicy {
    pub budget: store::Budget,
    pub incident_targets: store::IncidentTargets,
    /// `authorization.expiring` this long before a refresh token's end.
    pub expiring_lead: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            budget: store::Budget::per_second(100.0),
            incident_targets: Default::default(),
            expiring_lead: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

/// How long the token API's answers are kept at most; what another process changes (the command
/// line, another instance) is seen within this.
pub const CACHE_TTL: Duration = Duration::from_secs(1);

/// The token API's caches: live API keys by hash, whether a limited key reaches a company, and
/// fresh tokens with the time until which they may be handed out.
pub struct Caches {
    pub api_keys: cache::Cache<Vec<u8>, api_keys::ApiKey>,
    pub reach: cache::Cache<(api_keys::ApiKeyId, model::CompanyId), bool>,
    pub tokens: cache::Cache<(model::CompanyId, model::Product, i64), (lifecycle::FreshToken, i64)>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            api_keys: cache::Cache::new(CACHE_TTL),
            reach: cache::Cache::new(CACHE_TTL),
            tokens: cache::Cache::new(CACHE_TTL),
        }
    }
}

impl Core {
    pub fn new(store: Store, ups: UpsOAuth, lifetimes: Lifetimes) -> Self {
        Self {
            store,
            ups: Arc::new(ups),
            lifetimes: Arc::new(lifetimes),
            password_checks: Arc::new(HashingQueue::for_this_machine()),
            in_flight: Default::default(),
            stopping: Default::default(),
            refreshes: Default::default(),
            caches: Default::default(),
            policy: Default::default(),
            sso: Arc::new(sso::Sso::new(Vec::new(), reqwest::Client::new())),
            factors: Arc::new(factors::Factors::off()),
            links: Arc::new(consent_links::LinkSettings::new(
                std::time::Duration::from_secs(72 * 3600),
                url::Url::parse("http://127.0.0.1/").expect("a fixed URL parses"),
            )),
        }
    }

    /// This core, with `sso`'s identity providers to sign in with.
    pub fn with_sso(mut self, sso: sso::Sso) -> Self {
        self.sso = Arc::new(sso);
        self
    }

    /// This core, with `factors` for its sign-ins.
    pub fn with_factors(mut self, factors: factors::Factors) -> Self {
        self.factors = Arc::new(factors);
        self
    }

    /// This core, with `links` for its consent links.
    pub fn with_links(mut self, links: consent_links::LinkSettings) -> Self {
        self.links = Arc::new(links);
        self
    }

    /// This core, with `policy` for its refreshes.
    pub fn with_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = Arc::new(policy);
        self
    }
}
