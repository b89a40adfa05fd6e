//! Building the application from `Settings`: the listener, the database, the key, the state, the
//! router. Tests build it exactly as `main` does, on port 0 with a fresh database.

use crate::{
    embed_api, oauth, policy,
    sandbox::{self, Sandbox},
    settings::{Settings, SettingsError, UpsEnvironment},
    token_api, worker,
};
use app::{
    auth::ssr::{create_user, load_session},
    companies::ssr::{add_admin, create_company},
    secret::{random_token, SecretString, TokenCipher},
    shell,
    state::{AppState, WebConfig},
    throttle::HashingQueue,
    ups::{UpsEndpoints, UpsOAuth},
    App,
};
use axum::{
    http::{header, HeaderValue},
    middleware,
    routing::{get, post},
    Router,
};
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use std::{future::IntoFuture, net::SocketAddr, path::Path, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("secret key: {0}")]
    Key(String),
    #[error("{0}")]
    Other(String),
}

/// Credentials of the demo admin created on a first start, to be printed once.
pub struct DemoAdmin {
    pub sign_in_name: String,
    pub password: SecretString,
    pub company: String,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub base_url: Url,
    pub state: AppState,
    pub demo_admin: Option<DemoAdmin>,
    /// The refresh worker's interval and concurrency, when this process runs it.
    refresh: Option<(Duration, usize)>,
    /// How long refreshes under way get to finish once the process is told to stop.
    shutdown_grace: Duration,
}

/// Opens (creating if needed) the SQLite database with WAL and foreign keys, and migrates it.
pub async fn open_database(path: &Path) -> Result<SqlitePool, StartupError> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| StartupError::Other(format!("{}: {e}", parent.display())))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    sqlx::migrate!("../migrations").run(&pool).await?;
    Ok(pool)
}

/// The key that encrypts tokens at rest: from the settings, else from the key file, else a new
/// key written to the key file (mode 0600) so it survives restarts.
fn load_key(settings: &Settings) -> Result<TokenCipher, StartupError> {
    let key = match &settings.secret_key {
        Some(key) => key.clone(),
        None => match std::fs::read_to_string(&settings.secret_key_file) {
            Ok(text) => SecretString::new(text.trim()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = TokenCipher::generate_key();
                write_private(&settings.secret_key_file, key.expose())?;
                tracing::info!(file = %settings.secret_key_file.display(), "created a new secret key");
                key
            }
            Err(error) => return Err(StartupError::Key(format!("{}: {error}", settings.secret_key_file.display()))),
        },
    };
    TokenCipher::from_base64(&key).map_err(|e| StartupError::Key(e.to_string()))
}

fn write_private(path: &Path, contents: &str) -> Result<(), StartupError> {
    use std::io::Write;
    let fail = |e: std::io::Error| StartupError::Key(format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).and_then(|mut file| file.write_all(contents.as_bytes())).map_err(fail)
}

/// On a first start (no users at all), a demo company and admin with a random password.
async fn seed_demo(db: &SqlitePool) -> Result<Option<DemoAdmin>, StartupError> {
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(db).await?;
    if users > 0 {
        return Ok(None);
    }
    let demo =
        DemoAdmin { sign_in_name: "demo.admin".into(), password: random_token(), company: "Demo Shipping Co.".into() };
    let fail = |e: app::error::AppError| StartupError::Other(format!("seeding the demo admin: {e}"));
    let company = create_company(db, &demo.company).await.map_err(fail)?;
    let user = create_user(db, &demo.sign_in_name, "Demo Admin", demo.password.clone()).await.map_err(fail)?;
    add_admin(db, user, company).await.map_err(fail)?;
    Ok(Some(demo))
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let listener =
            TcpListener::bind(settings.listen).await.map_err(|e| StartupError::Listen(settings.listen, e))?;
        let address = listener.local_addr().map_err(|e| StartupError::Listen(settings.listen, e))?;
        let base_url = match &settings.public_base_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{address}")).map_err(|e| StartupError::Other(e.to_string()))?,
        };

        let db = open_database(&settings.database).await?;
        let cipher = load_key(&settings)?;
        let registrations = settings.registrations(&base_url)?;
        let endpoints =
            UpsEndpoints::under(&settings.ups_base(&base_url)?).map_err(|e| StartupError::Other(e.to_string()))?;
        let http = UpsOAuth::http_client().map_err(|e| StartupError::Other(e.to_string()))?;
        let ups = Arc::new(UpsOAuth::new(&endpoints, &registrations, http));

        let demo_admin = if settings.seed_demo { seed_demo(&db).await? } else { None };

        let leptos_options = LeptosOptions::builder()
            .output_name("optin")
            .site_root(settings.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let web = Arc::new(WebConfig {
            public_base_url: base_url.clone(),
            secure_cookies: settings.secure_cookies,
            session_lifetime: Duration::from_secs(settings.session_lifetime_secs),
            state_lifetime: Duration::from_secs(settings.state_lifetime_secs),
            embed_origins: settings.embed.origins()?,
            embed_token_lifetime: Duration::from_secs(settings.embed.token_lifetime_secs),
            embed_session_lifetime: Duration::from_secs(settings.embed.session_lifetime_secs),
            client_ip_header: match &settings.client_ip_header {
                Some(name) => Some(
                    header::HeaderName::try_from(name.as_str())
                        .map_err(|_| StartupError::Other(format!("client_ip_header: {name:?} is not a header name")))?,
                ),
                None => None,
            },
        });
        let state = AppState {
            leptos_options,
            db: db.clone(),
            ups,
            cipher,
            web,
            sign_in_throttle: Default::default(),
            password_checks: Arc::new(HashingQueue::for_this_machine()),
            refresh_locks: Default::default(),
            stopping: Default::default(),
            refreshes: Default::default(),
        };

        let mut router = Router::new()
            .route("/oauth/{product}/start", post(oauth::start))
            .route("/oauth/{product}/callback", get(oauth::callback))
            .route("/api/v1/companies/{company}/products/{product}/token", get(token_api::token))
            .route("/api/v1/openapi.json", get(token_api::openapi))
            .route("/api/v1/embed/sessions", post(embed_api::create_session))
            .route("/embed/start", post(embed_api::start))
            .route("/embed/v1/optin.js", get(embed_api::snippet))
            .route("/healthz", get(|| async { "ok" }));
        if settings.ups.environment == UpsEnvironment::Sandbox {
            sandbox::seed(&db).await?;
            router = router.merge(
                Sandbox::new(db.clone(), &registrations, settings.sandbox.clone(), state.password_checks.clone())
                    .router(),
            );
        }
        let routes = generate_route_list(App);
        let router = router
            .leptos_routes(&state, routes, {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            })
            .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
            .layer(middleware::from_fn_with_state(state.clone(), load_session))
            .layer(middleware::from_fn(policy::server_fn_input_errors))
            .layer(middleware::from_fn_with_state(state.clone(), policy::same_origin_writes))
            .layer(middleware::from_fn_with_state(state.clone(), policy::framing_policy))
            .layer(RequestBodyLimitLayer::new(policy::MAX_BODY_BYTES))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(CompressionLayer::new())
            .layer(TraceLayer::new_for_http())
            .with_state(state.clone());

        let refresh = settings
            .refresh_worker
            .then(|| (Duration::from_secs(settings.refresh_interval_secs), settings.refresh_concurrency));
        let shutdown_grace = Duration::from_secs(settings.shutdown_grace_secs);
        Ok(Self { listener, router, base_url, state, demo_admin, refresh, shutdown_grace })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|address| address.port()).unwrap_or_default()
    }

    /// Serves requests and runs the refresh worker until SIGTERM or Ctrl-C (or until
    /// `state.stopping` is cancelled), then stops in order: no new refreshes; the refreshes under
    /// way store their answers (within the grace period) while requests are still served (UPS's
    /// answer may be on its way back, and the built-in sandbox is one of those requests); then no
    /// new connections, the requests under way finish, and the database is closed cleanly.
    pub async fn run(self) -> std::io::Result<()> {
        let Self { listener, router, state, refresh, shutdown_grace, .. } = self;
        let worker = refresh.map(|(interval, concurrency)| worker::spawn(state.clone(), interval, concurrency));
        let stopping = state.stopping.clone();
        let stop_serving = tokio_util::sync::CancellationToken::new();
        let serving = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stop_serving.clone().cancelled_owned());
        let mut server = tokio::spawn(serving.into_future());
        tokio::select! {
            () = stop_requested() => {}
            () = stopping.cancelled() => {}
            served = &mut server => {
                stopping.cancel();
                return served.map_err(std::io::Error::other)?;
            }
        }
        stopping.cancel();
        tracing::info!(grace_secs = shutdown_grace.as_secs(), "stopping: finishing the refreshes under way");
        let deadline = tokio::time::Instant::now() + shutdown_grace;
        if let Some(worker) = worker {
            let _ = tokio::time::timeout_at(deadline, worker).await;
        }
        state.refreshes.close();
        if tokio::time::timeout_at(deadline, state.refreshes.wait()).await.is_err() {
            tracing::error!(under_way = state.refreshes.len(), "stopping with refreshes still under way");
        }
        stop_serving.cancel();
        let served = match tokio::time::timeout_at(deadline, server).await {
            Ok(served) => served.map_err(std::io::Error::other)?,
            Err(_) => Ok(()),
        };
        state.db.close().await;
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
