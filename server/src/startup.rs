//! Building the application from `Settings`: the listener, the database, the key, the state, the
//! router. Tests build it exactly as `main` does, on port 0 with a fresh database.

pub use crate::core_setup::{open_admin_core, open_core, StartupError};

use crate::{
    assets, delivery, embed_api, oauth, operations, policy,
    routes::{self, Route},
    sandbox::{self, Sandbox},
    serve,
    settings::{Settings, UpsEnvironment},
    token_api, worker,
};
use app::{
    assets::{Site, OUTPUT_NAME, PKG_DIR},
    shell,
    state::{AppState, WebConfig},
    App,
};
use axum::{http::HeaderName, Router};
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use optin_core::{
    accounts::{self, create_user},
    companies::{add_admin, create_company},
    outbox::Senders,
    secret::{random_token, SecretString},
    webhooks::OperatorsWebhook,
    Core,
};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use url::Url;

/// Credentials of the demo admin created on a first start, to be printed once.
pub struct DemoAdmin {
    pub sign_in_name: String,
    pub password: SecretString,
    pub company: String,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    routes: Vec<Route>,
    pub base_url: Url,
    pub state: AppState,
    pub demo_admin: Option<DemoAdmin>,
    /// The refresh worker's interval and concurrency, when this process runs it.
    refresh: Option<(Duration, usize)>,
    /// How long refreshes under way get to finish once the process is told to stop.
    shutdown_grace: Duration,
    limits: serve::Limits,
    /// The delivery worker's senders and intervals, when this process runs it.
    deliveries: Option<delivery::Deliveries>,
    /// What is pruned, when this process prunes.
    retention: Option<crate::settings::RetentionSettings>,
}

/// How notifications are sent: webhooks always, email when an SMTP host is set. Links in emails
/// point at `base_url`.
fn senders(settings: &Settings, base_url: &Url) -> Result<Senders, StartupError> {
    let mailer = crate::core_setup::mailer(settings, base_url)?;
    let hooks = &settings.webhooks;
    let senders = Senders::new(
        mailer,
        Duration::from_secs(hooks.timeout_secs),
        Duration::from_secs(hooks.retry_base_secs),
        Duration::from_secs(hooks.give_up_after_secs),
        hooks.concurrency,
    )
    .map_err(|error| StartupError::setting("webhooks", error.to_string()))?;
    Ok(senders.with_operators_webhook(operators_webhook(settings)?))
}

/// The operators' webhook, checked: an http(s) URL and a `whsec_…` secret to sign with.
fn operators_webhook(settings: &Settings) -> Result<Option<OperatorsWebhook>, StartupError> {
    let operators = &settings.operators;
    let Some(url) = &operators.webhook_url else { return Ok(None) };
    let secret = operators.webhook_secret.clone().ok_or_else(|| {
        StartupError::setting(
            "operators.webhook_secret",
            "(a whsec_… signing secret) is required with operators.webhook_url",
        )
    })?;
    OperatorsWebhook::new(url, secret).map(Some).map_err(|error| StartupError::setting("operators", error.to_string()))
}

/// Leptos's options for `site`, served at `address`.
fn leptos_options(settings: &Settings, site: &Site, address: SocketAddr) -> Result<LeptosOptions, StartupError> {
    let mut options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(settings.site_root.to_string_lossy().into_owned())
        .site_pkg_dir(PKG_DIR)
        .site_addr(address)
        .build();
    options.hash_files = site.hashes.hashed();
    if let Some(hash_file) = &site.hash_file {
        // Absolute, so Leptos (which joins it onto the binary's folder) reads this one too.
        let absolute = std::path::absolute(hash_file)?;
        options.hash_file = absolute.to_string_lossy().into_owned().into();
    }
    Ok(options)
}

/// What the pages and routes need to know of the web: the public URL, cookies, the portals, the
/// proxy's client-address header.
fn web_config(settings: &Settings, base_url: &Url) -> Result<WebConfig, StartupError> {
    let client_ip_header = match &settings.client_ip_header {
        Some(name) => Some(
            HeaderName::try_from(name.as_str())
                .map_err(|_| StartupError::setting("client_ip_header", format!("{name:?} is not a header name")))?,
        ),
        None => None,
    };
    Ok(WebConfig {
        public_base_url: base_url.clone(),
        secure_cookies: settings.secure_cookies,
        embed_origins: settings.embed.origins()?,
        client_ip_header,
    })
}

/// On a first start (no users at all), a demo company and admin with a random password.
async fn seed_demo(core: &Core) -> Result<Option<DemoAdmin>, StartupError> {
    let failed = |doing| move |source| StartupError::Core { doing, source };
    if accounts::has_users(core).await.map_err(failed("reading the users"))? {
        return Ok(None);
    }
    let demo = DemoAdmin {
        sign_in_name: "demo.admin".into(),
        password: random_token(),
        company: "Demo Shipping Company".into(),
    };
    let fail = failed("seeding the demo admin");
    let company = create_company(core, &demo.company).await.map_err(fail)?;
    let user = create_user(core, &demo.sign_in_name, "Demo Admin", demo.password.clone()).await.map_err(fail)?;
    add_admin(core, user, company).await.map_err(fail)?;
    Ok(Some(demo))
}

/// The router: every route module's routes (and the built-in sandbox's when it stands in for
/// UPS), the pages and server functions, and the layers around them; with the list of its routes.
async fn router(
    settings: &Settings,
    state: &AppState,
    base_url: &Url,
    hashed: bool,
) -> Result<(Router, Vec<Route>), StartupError> {
    let metrics = operations::MetricsAccess {
        token: settings.metrics_token.clone(),
        behind_proxy: settings.client_ip_header.is_some(),
    };
    let mut declared = assets::routes(&settings.site_root, hashed)
        .merge(oauth::routes())
        .merge(token_api::routes())
        .merge(embed_api::routes())
        .merge(crate::consent_links::routes())
        .merge(crate::sso::routes())
        .merge(crate::factors::routes())
        .merge(operations::routes(metrics));
    if settings.ups.environment == UpsEnvironment::Sandbox {
        tracing::warn!(
            "UPS SANDBOX: the built-in sandbox stands in for UPS at {base_url}security; its users and passwords \
             are published. It is for trying the service out and for tests, never for real companies."
        );
        sandbox::seed(&state.core.store)
            .await
            .map_err(|source| StartupError::Core { doing: "seeding the sandbox's users", source })?;
        let registrations = settings.registrations(base_url)?;
        declared = declared.merge(
            Sandbox::new(
                state.core.store.clone(),
                &registrations,
                settings.sandbox.clone(),
                state.core.password_checks.clone(),
            )
            .router(),
        );
    }
    let (router, mut routes) = declared.into_parts();
    let pages = generate_route_list(App);
    routes.extend(routes::leptos(&pages));
    let router = router
        .leptos_routes(state, pages, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    let timeout = Duration::from_secs(settings.connections.request_timeout_secs);
    Ok((policy::layers(router, state, timeout).with_state(state.clone()), routes))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let listener =
            TcpListener::bind(settings.listen).await.map_err(|e| StartupError::Listen(settings.listen, e))?;
        let address = listener.local_addr().map_err(|e| StartupError::Listen(settings.listen, e))?;
        let base_url = match &settings.public_base_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{address}"))
                .map_err(|e| StartupError::setting("listen", format!("{address} is no URL's host: {e}")))?,
        };

        if settings.ups.environment == UpsEnvironment::Sandbox
            && !address.ip().is_loopback()
            && !settings.sandbox.allow_remote
        {
            return Err(StartupError::setting(
                "listen",
                format!(
                    "the built-in UPS sandbox serves only on a loopback address (listen is {address}): its \
                     passwords are published. Set sandbox.allow_remote = true (OPTIN_SANDBOX__ALLOW_REMOTE) to \
                     serve it to other machines anyway."
                ),
            ));
        }
        // Installed before anything is recorded.
        let _ = operations::recorder();
        let core = open_core(&settings, &base_url).await?;
        let demo_admin = if settings.seed_demo { seed_demo(&core).await? } else { None };
        for endpoint in &settings.webhooks.endpoints {
            let fail =
                |error: String| StartupError::setting("webhooks.endpoints", format!("{}: {error}", endpoint.url));
            let product = model::Product::parse(&endpoint.product).map_err(|error| fail(error.to_string()))?;
            optin_core::webhooks::ensure(&core, product, &endpoint.url, &endpoint.secret)
                .await
                .map_err(|error| fail(error.to_string()))?;
        }

        // A release build names its files by their content; the names come with the site, and a
        // site that lacks a file its pages would name is refused here (see `app::assets`).
        let site = Site::open(&settings.site_root)?;
        let leptos_options = leptos_options(&settings, &site, address)?;
        let web = Arc::new(web_config(&settings, &base_url)?);
        let state = AppState::new(leptos_options, core.clone(), web);

        let (router, routes) = router(&settings, &state, &base_url, site.hashes.hashed()).await?;

        let refresh = settings
            .refresh_worker
            .then(|| (Duration::from_secs(settings.refresh_interval_secs), settings.refresh_concurrency));
        let shutdown_grace = Duration::from_secs(settings.shutdown_grace_secs);
        let limits = serve::Limits {
            max_connections: settings.connections.max,
            header_timeout: Duration::from_secs(settings.connections.header_timeout_secs),
        };
        let deliveries = match settings.webhooks.worker {
            true => Some(delivery::Deliveries {
                senders: Arc::new(senders(&settings, &base_url)?),
                poll: Duration::from_millis(settings.webhooks.poll_millis),
                expiring_check: Duration::from_secs(settings.webhooks.expiring_check_secs.max(1)),
            }),
            false => None,
        };
        let retention = settings.retention.enabled.then(|| settings.retention.clone());
        Ok(Self {
            listener,
            router,
            routes,
            base_url,
            state,
            demo_admin,
            refresh,
            shutdown_grace,
            limits,
            deliveries,
            retention,
        })
    }

    /// Every route the router answers, with its method (see [`routes`]).
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The address this process listens on (behind a proxy, not `base_url`'s).
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|address| address.port()).unwrap_or_default()
    }

    /// Serves requests and runs the refresh worker until SIGTERM or Ctrl-C (or until
    /// `state.core.stopping` is cancelled), then stops in order: no new refreshes; the refreshes under
    /// way store their answers (within the grace period) while requests are still served (UPS's
    /// answer may be on its way back, and the built-in sandbox is one of those requests); then no
    /// new connections, the requests under way finish, and the database is closed cleanly.
    pub async fn run(self) -> std::io::Result<()> {
        let Self { listener, router, state, refresh, shutdown_grace, limits, deliveries, retention, .. } = self;
        let core = state.core.clone();
        if let Some(retention) = retention {
            crate::pruning::spawn(core.clone(), retention);
        }
        if let Some(deliveries) = deliveries {
            delivery::spawn(core.clone(), deliveries);
        }
        let worker = refresh.map(|(interval, concurrency)| worker::spawn(core.clone(), interval, concurrency));
        let stopping = core.stopping.clone();
        let stop_serving = tokio_util::sync::CancellationToken::new();
        let mut server = tokio::spawn(serve::serve(listener, router, limits, stop_serving.clone()));
        tokio::select! {
            () = stop_requested() => {}
            () = stopping.cancelled() => {}
            served = &mut server => {
                stopping.cancel();
                return served.map_err(std::io::Error::other);
            }
        }
        stopping.cancel();
        tracing::info!(grace_secs = shutdown_grace.as_secs(), "stopping: finishing the refreshes under way");
        let deadline = tokio::time::Instant::now() + shutdown_grace;
        if let Some(worker) = worker {
            let _ = tokio::time::timeout_at(deadline, worker).await;
        }
        core.refreshes.close();
        if tokio::time::timeout_at(deadline, core.refreshes.wait()).await.is_err() {
            tracing::error!(under_way = core.refreshes.len(), "stopping with refreshes still under way");
        }
        stop_serving.cancel();
        let served = match tokio::time::timeout_at(deadline, server).await {
            Ok(served) => served.map_err(std::io::Error::other),
            Err(_) => Ok(()),
        };
        optin_core::operations::close(&core).await;
        tracing::info!("stopped");
        served
    }
}

/// SIGTERM (what service managers and container runtimes send) or SIGINT (Ctrl-C).
async fn stop_requested() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
