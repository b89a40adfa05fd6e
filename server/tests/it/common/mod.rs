//! `spawn_app`: the real server on port 0 with a fresh SQLite file and the built-in sandbox, and
//! `Browser`, a small HTTP client that keeps cookies and does not follow redirects, so tests see
//! every hop the way a browser makes them.
#![allow(dead_code)]

pub mod postgres;
pub mod receivers;
pub mod service;

use model::{CompanyId, Product, UserId};
use optin_core::{
    accounts::create_user,
    companies::{add_admin, create_company},
    secret::SecretString,
    Core,
};
use reqwest::{header, StatusCode};
use server::{settings::Settings, startup::Application};
use sqlx::{PgPool, SqlitePool};
use std::{collections::HashMap, sync::Mutex};
use url::Url;

pub const PASSWORD: &str = "correct horse battery staple";
pub const SANDBOX_USER: &str = "shipper.one";
pub const SANDBOX_PASSWORD: &str = "Sandbox-Pass-1";

pub struct TestApp {
    /// Where the service says it is reached (its public base URL).
    pub base: Url,
    /// Where it listens: the same as `base` unless a test set a public base URL.
    pub local: Url,
    /// The test's own connection to the service's database, for checks the API does not show.
    pub db: TestDb,
    /// The PostgreSQL database it runs on, if not the SQLite file in `data`.
    pub database_url: Option<String>,
    pub state: app::state::AppState,
    /// Every route the router answers (`Application::routes`).
    pub routes: Vec<server::routes::Route>,
    /// The temporary folder with the database and the key file.
    pub data: std::path::PathBuf,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The application talking to a provider double at `provider` (`http://…/security`) instead of
/// the built-in sandbox, with client credentials for every product.
pub async fn spawn_app_with_provider(provider: &str) -> TestApp {
    spawn_app_with_provider_and(provider, |_| {}).await
}

/// [`spawn_app_with_provider`], with `customize` applied after.
pub async fn spawn_app_with_provider_and(provider: &str, customize: impl FnOnce(&mut Settings)) -> TestApp {
    let provider = provider.to_owned();
    spawn_app_with(move |settings| {
        with_provider(settings, &provider);
        customize(settings);
    })
    .await
}

/// Points `settings` at a provider double at `provider` (`http://…/security`), with client
/// credentials for every product.
pub fn with_provider(settings: &mut Settings, provider: &str) {
    settings.ups.environment = server::settings::UpsEnvironment::Custom;
    settings.ups.base_url = Some(provider.parse::<Url>().expect("a provider URL"));
    for product in
        [&mut settings.ups.reverse_logistics, &mut settings.ups.pickup_manager, &mut settings.ups.data_management]
    {
        product.client_id = Some("client".into());
        product.client_secret = Some(SecretString::new("secret"));
    }
}

/// A provider double that answers every refresh with a new pair after a little latency, as UPS
/// would: its base URL, and how many refreshes it has answered.
pub async fn counting_provider() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::{routing::post, Json, Router};
    use std::sync::atomic::Ordering;
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let provider = Router::new().route(
        "/security/v1/oauth/refresh",
        post({
            let calls = calls.clone();
            move || async move {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                Json(serde_json::json!({
                    "token_type": "Bearer", "access_token": format!("access-{call}"),
                    "refresh_token": format!("refresh-{call}"), "expires_in": "3600",
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/security", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, provider).await });
    (base, calls)
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temporary directory"));
    spawn_app_in(dir, customize).await
}

impl TestApp {
    /// Another instance on the same database and key file (a restart, or a second instance).
    pub async fn restarted(&self) -> TestApp {
        self.restarted_with(|_| {}).await
    }

    /// [`TestApp::restarted`], with `customize` applied to its settings.
    pub async fn restarted_with(&self, customize: impl FnOnce(&mut Settings)) -> TestApp {
        let database_url = self.database_url.clone();
        spawn_app_in(self._dir.clone(), move |settings| {
            settings.database_url = database_url.map(SecretString::new);
            customize(settings);
        })
        .await
    }

    /// Runs the server binary's administration `args` on this app's database and key file, as an
    /// operator would; answers (succeeded, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        self.cli_with(args, &[])
    }

    /// [`TestApp::cli`], with `settings` (`OPTIN_…` variables) set for the command on top of
    /// those that point it at this app.
    pub fn cli_with(&self, args: &[&str], settings: &[(&str, &str)]) -> (bool, String, String) {
        let mut command = service::operator_command(env!("CARGO_BIN_EXE_server"));
        let output = command
            .args(args)
            .env("OPTIN_DATABASE", self.data.join("optin.db"))
            .envs(self.database_url.iter().map(|url| ("OPTIN_DATABASE_URL", url.as_str())))
            .env("OPTIN_SECRET_KEY_FILE", self.data.join("secret.key"))
            .env("OPTIN_SITE_ROOT", &self.data)
            .env("OPTIN_NEW_PASSWORD", "a brand new password")
            .env("RUST_LOG", "warn")
            .envs(settings.iter().copied())
            .output()
            .expect("the server binary runs");
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        (output.status.success(), text(output.stdout), text(output.stderr))
    }
}

/// Makes `root` a site the service starts on: the files its pages name, unhashed and empty (the
/// tests that need the real ones use the built site, `target/site`).
pub fn plain_site(root: &std::path::Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("the site's pkg folder");
    for file in ["optin.js", "optin.wasm", "optin.css"] {
        std::fs::write(pkg.join(file), "").expect("a site file");
    }
}

async fn spawn_app_in(dir: std::sync::Arc<tempfile::TempDir>, customize: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::default();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.database = dir.path().join("optin.db");
    settings.secret_key_file = dir.path().join("secret.key");
    settings.site_root = dir.path().to_path_buf();
    plain_site(&settings.site_root);
    settings.seed_demo = false;
    settings.ups.environment = server::settings::UpsEnvironment::Sandbox;
    // The worker stays out of the way (even its first pass) unless a test asks for it.
    settings.refresh_worker = false;
    // Likewise the delivery worker, which the notification tests turn on.
    settings.webhooks.worker = false;
    // And pruning, which the retention test turns on.
    settings.retention.enabled = false;
    customize(&mut settings);
    if settings.database_url.is_none() {
        settings.database_url = database_of_this_pass().await.map(SecretString::new);
    }
    let settings_database_url = settings.database_url.as_ref().map(|url| url.expose().to_owned());
    let application = Application::build(settings).await.expect("the application starts");
    let base = application.base_url.clone();
    let local = Url::parse(&format!("http://127.0.0.1:{}", application.port())).expect("a loopback URL");
    let db = TestDb::open(settings_database_url.as_deref(), &dir.path().join("optin.db")).await;
    let state = application.state.clone();
    let routes = application.routes().to_vec();
    tokio::spawn(application.run());
    let data = dir.path().to_path_buf();
    TestApp { base, local, db, database_url: settings_database_url, state, routes, data, _dir: dir }
}

/// Runs `$body` with `$pool` bound to the test's pool, whichever database it is.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match &$db {
            TestDb::Sqlite($pool) => $body,
            TestDb::Postgres($pool) => $body,
        }
    };
}

/// The test's own connection to the service's database: SQLite unless the test put the service
/// on PostgreSQL.
pub enum TestDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A row the test reads as a tuple, from either database.
pub trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin
{
}

impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

impl TestDb {
    /// The test's own connection to `database_url`, or else to the SQLite file at `sqlite`.
    pub async fn open(database_url: Option<&str>, sqlite: &std::path::Path) -> Self {
        match database_url {
            Some(url) => TestDb::Postgres(PgPool::connect(url).await.expect("the test's own connection to PostgreSQL")),
            None => TestDb::Sqlite(test_pool(sqlite).await),
        }
    }

    /// Runs one statement with `$1`, `$2`… bound to `params`.
    pub async fn execute(&self, sql: &str, params: &[i64]) {
        on_db!(self, pool => {
            let mut query = sqlx::query(sql);
            for param in params {
                query = query.bind(*param);
            }
            query.execute(pool).await.unwrap_or_else(|error| panic!("{sql}: {error}"));
        })
    }

    /// The rows of a query as tuples, with `$1`, `$2`… bound to `params`.
    pub async fn rows<T: Row>(&self, sql: &str, params: &[i64]) -> Vec<T> {
        on_db!(self, pool => {
            let mut query = sqlx::query_as::<_, T>(sql);
            for param in params {
                query = query.bind(*param);
            }
            query.fetch_all(pool).await.unwrap_or_else(|error| panic!("{sql}: {error}"))
        })
    }
}

/// The database a test that does not choose its own runs on: a fresh PostgreSQL database under
/// `TEST_DATABASE=postgres` (scripts/test.sh's second pass; not `OPTIN_`, which the server
/// processes some tests start would read as a setting), or else none (SQLite).
pub async fn database_of_this_pass() -> Option<String> {
    match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => Some(postgres::fresh_database().await),
        _ => None,
    }
}

/// The application started on a database written by an earlier version: one that holds only
/// the migrations before `version`, and the rows `earlier` wrote into it. Starting applies the
/// rest, as an operator's upgrade does; `customize` as in [`spawn_app_with`].
pub async fn spawn_app_upgraded_from(version: i64, earlier: &[&str], customize: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temporary directory"));
    let database_url = database_of_this_pass().await;
    let folder = if database_url.is_some() { "postgres" } else { "sqlite" };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(folder);
    let mut migrator = sqlx::migrate::Migrator::new(path).await.expect("the migrations");
    migrator.migrations = migrator.migrations.iter().filter(|migration| migration.version < version).cloned().collect();
    let db = match &database_url {
        Some(url) => TestDb::Postgres(PgPool::connect(url).await.expect("the test's own connection to PostgreSQL")),
        None => {
            let options =
                sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("optin.db")).create_if_missing(true);
            TestDb::Sqlite(SqlitePool::connect_with(options).await.expect("a new SQLite file"))
        }
    };
    on_db!(db, pool => migrator.run(pool).await.expect("the earlier migrations"));
    for statement in earlier {
        db.execute(statement, &[]).await;
    }
    on_db!(db, pool => pool.close().await);
    spawn_app_in(dir, move |settings| {
        settings.database_url = database_url.map(SecretString::new);
        customize(settings);
    })
    .await
}

/// Now, in the Unix seconds the tables keep times in.
/// The codes an authenticator app shows for `key` (as the enrolment gave it, grouped).
pub fn app_code(key: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(key.replace(' ', "")).expect("a base32 key");
    let totp = totp_rs::Builder::new().with_secret(secret).build().expect("a TOTP");
    totp.generate(at as u64).to_string()
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A connection pool of the test's own on the service's SQLite file.
pub async fn test_pool(path: &std::path::Path) -> SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(5));
    SqlitePool::connect_with(options).await.expect("the test's own connection to the database")
}

impl TestApp {
    pub fn core(&self) -> &Core {
        &self.state.core
    }

    pub async fn company(&self, name: &str) -> CompanyId {
        create_company(self.core(), name).await.expect("company created")
    }

    /// A user who administers `companies`, with the password [`PASSWORD`].
    pub async fn admin(&self, sign_in_name: &str, companies: &[CompanyId]) -> UserId {
        let user = create_user(self.core(), sign_in_name, sign_in_name, SecretString::new(PASSWORD))
            .await
            .expect("user created");
        for company in companies {
            add_admin(self.core(), user, *company).await.expect("membership created");
        }
        user
    }

    pub fn browser(&self) -> Browser {
        Browser::at(self.base.clone())
    }

    /// Runs one statement on the service's database, whichever it is, with `$1`, `$2`… bound to
    /// `params` (a test making a row look older, say).
    pub async fn execute(&self, sql: &str, params: &[i64]) {
        self.db.execute(sql, params).await
    }

    /// The rows of a two-column text query, on the service's database whichever it is.
    pub async fn text_pairs(&self, sql: &str) -> Vec<(String, String)> {
        self.rows(sql, &[]).await
    }

    /// The rows of a query as tuples, on the service's database whichever it is, with `$1`,
    /// `$2`… bound to `params`.
    pub async fn rows<T: Row>(&self, sql: &str, params: &[i64]) -> Vec<T> {
        self.db.rows(sql, params).await
    }

    /// The first column of each row of a query, on the service's database whichever it is.
    pub async fn column<T>(&self, sql: &str, params: &[i64]) -> Vec<T>
    where
        (T,): Row,
    {
        self.rows::<(T,)>(sql, params).await.into_iter().map(|(value,)| value).collect()
    }

    /// The stored authorization status for (company, product), if any.
    pub async fn status(&self, company: CompanyId, product: Product) -> Option<String> {
        on_db!(self.db, pool => sqlx::query_scalar("SELECT status FROM authorizations WHERE company_id = $1 AND product = $2")
            .bind(company.get())
            .bind(product.slug())
            .fetch_optional(pool)
            .await
            .unwrap())
    }

    /// Makes the active token of (company, product) expired and due, as time passing would.
    pub async fn expire_token(&self, company: CompanyId, product: Product) {
        let params = [unix_now(), company.get()];
        // Slugs are the model's own constants: nothing to escape.
        let authorization =
            format!("(SELECT id FROM authorizations WHERE company_id = $2 AND product = '{}')", product.slug());
        self.execute(
            &format!("UPDATE oauth_tokens SET expires_at = $1 - 1 WHERE status = 'active' AND authorization_id IN {authorization}"),
            &params,
        )
        .await;
        self.execute(&format!("UPDATE authorizations SET refresh_at = $1 - 1 WHERE id IN {authorization}"), &params)
            .await;
        self.core().store.external_change();
    }

    /// Stores a one-hour token pair for (company, product), as an opt-in through the provider would.
    pub async fn seed_grant(&self, company: CompanyId, product: Product) {
        let grant = optin_core::ups::TokenGrant {
            access_token: SecretString::new("first-access"),
            refresh_token: Some(SecretString::new("first-refresh")),
            expires_in: std::time::Duration::from_secs(3600),
            refresh_expires_in: None,
        };
        self.core()
            .store
            .store_grant(&optin_core::audit::Actor::Service, company, product, &grant, None)
            .await
            .unwrap();
    }

    /// A token API key for `product`.
    pub async fn api_key(&self, product: Product) -> String {
        optin_core::api_keys::create(self.core(), product, "test", &[]).await.unwrap().1.expose().to_owned()
    }

    /// A token API key for `product` limited to `companies`.
    pub async fn api_key_for(&self, product: Product, companies: &[CompanyId]) -> String {
        optin_core::api_keys::create(self.core(), product, "test", companies).await.unwrap().1.expose().to_owned()
    }

    /// Calls the token API: (status, JSON body).
    pub async fn token_api(&self, key: &str, company: &str, product: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let url = self.base.join(&format!("/api/v1/companies/{company}/products/{product}/token")).unwrap();
        let response = reqwest::Client::new().get(url).bearer_auth(key).send().await.unwrap();
        (response.status(), response.json().await.unwrap_or_default())
    }

    /// How many refresh tokens the sandbox has issued (one per exchange, one per refresh).
    pub async fn sandbox_refresh_tokens(&self) -> i64 {
        on_db!(self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_tokens WHERE kind = 'refresh'")
            .fetch_one(pool)
            .await
            .unwrap())
    }

    /// (status, has access secret, has refresh secret) of every token of (company, product).
    pub async fn tokens(&self, company: CompanyId, product: Product) -> Vec<(String, bool, bool)> {
        on_db!(self.db, pool => sqlx::query_as(
            "SELECT t.status, t.access_token IS NOT NULL, t.refresh_token IS NOT NULL FROM oauth_tokens t
             JOIN authorizations a ON a.id = t.authorization_id WHERE a.company_id = $1 AND a.product = $2 ORDER BY t.id",
        )
        .bind(company.get())
        .bind(product.slug())
        .fetch_all(pool)
        .await
        .unwrap())
    }
}

pub struct Browser {
    pub http: reqwest::Client,
    pub base: Url,
    cookies: Mutex<HashMap<String, String>>,
}

/// A response read to the end: status, headers, body.
pub struct Page {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

impl Browser {
    /// A browser with no cookies yet, for the service at `base`.
    pub fn at(base: Url) -> Self {
        Self {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base,
            cookies: Mutex::new(HashMap::new()),
        }
    }

    pub fn url(&self, path_or_url: &str) -> Url {
        self.base.join(path_or_url).expect("a valid URL")
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.into(), value.into());
    }

    /// Sends a request built on `http`, with this browser's cookies, keeping the ones it sets.
    pub async fn send_with(&self, request: reqwest::RequestBuilder) -> Page {
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response =
            request.header(header::COOKIE, self.cookie_header()).send().await.expect("the request is answered");
        let page = Page { status: response.status(), headers: response.headers().clone(), body: String::new() };
        for set_cookie in page.set_cookies() {
            let pair = set_cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().unwrap();
                if value.is_empty() || set_cookie.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Page { body: response.text().await.unwrap_or_default(), ..page }
    }

    pub async fn get(&self, path_or_url: &str) -> Page {
        // What a browser sends when it navigates: Leptos answers redirects with a real 302 then.
        self.send(
            self.http.get(self.url(path_or_url)).header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8"),
        )
        .await
    }

    /// A form POST as a browser on our own origin sends it.
    pub async fn post_form(&self, path_or_url: &str, form: &[(&str, &str)]) -> Page {
        let origin = self.base.origin().ascii_serialization();
        self.send(self.http.post(self.url(path_or_url)).header(header::ORIGIN, origin).form(form)).await
    }

    /// Calls a server function directly, as a script would.
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> Page {
        self.send(
            self.http.post(self.url(&format!("/api/{name}"))).header(header::ACCEPT, "application/json").form(form),
        )
        .await
    }

    pub async fn sign_in(&self, sign_in_name: &str, password: &str) -> Page {
        self.server_fn("sign_in", &[("sign_in_name", sign_in_name), ("password", password)]).await
    }

    pub async fn signed_in(self, sign_in_name: &str) -> Self {
        let page = self.sign_in(sign_in_name, PASSWORD).await;
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "sign-in failed: {} {}",
            page.status,
            page.body
        );
        assert!(self.cookie("__Host-optin_session").is_some(), "no session cookie after sign-in");
        self
    }

    /// A product's backend creates an embed session for `company` with `api_key`, and this browser
    /// loads the widget into its portal's frame: (the session as created, the widget page).
    pub async fn open_widget(&self, api_key: &str, company: CompanyId) -> (serde_json::Value, Page) {
        self.open_widget_as(api_key, company, serde_json::json!({ "id": "u-1", "name": "Pat" })).await
    }

    /// [`Browser::open_widget`] for the portal user `user` (`{"id", "name", "role"}`).
    pub async fn open_widget_as(
        &self,
        api_key: &str,
        company: CompanyId,
        user: serde_json::Value,
    ) -> (serde_json::Value, Page) {
        let session: serde_json::Value = reqwest::Client::new()
            .post(self.url("/api/v1/embed/sessions"))
            .bearer_auth(api_key)
            .json(&serde_json::json!({ "company": company.get(), "user": user }))
            .send()
            .await
            .expect("the embed API answers")
            .json()
            .await
            .expect("a JSON session");
        let url = session["widget_url"].as_str().unwrap_or_else(|| panic!("no widget URL: {session}")).to_owned();
        let widget = self.send_with(self.http.get(url).header("sec-fetch-dest", "iframe")).await;
        assert!(widget.body.contains(r#"name="key""#), "{}", widget.body);
        (session, widget)
    }

    /// The widget key a widget page holds.
    pub fn widget_key(widget: &Page) -> String {
        let rest = widget.body.split(r#"name="key" value=""#).nth(1).expect("the widget holds a key");
        rest.split('"').next().unwrap_or_default().to_owned()
    }

    /// Starts the opt-in and returns UPS's authorize URL.
    pub async fn start_opt_in(&self, product: Product, company: CompanyId) -> Url {
        let page =
            self.post_form(&format!("/oauth/{}/start", product.slug()), &[("company", &company.to_string())]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "start: {}", page.body);
        Url::parse(&page.location()).expect("an absolute authorize URL")
    }

    /// Goes through the sandbox's two sign-in steps for `authorize` and returns the redirect back
    /// to the application (the callback URL with `code` and `state`).
    pub async fn consent(&self, authorize: &Url, username: &str, password: &str) -> Url {
        let page = self.get(authorize.as_str()).await;
        assert!(page.status.is_redirection(), "authorize: {} {}", page.status, page.body);
        let sign_in = self.get(&page.location()).await;
        assert_eq!(sign_in.status, StatusCode::OK);
        let mut fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        fields.push(("step".into(), "username".into()));
        fields.push(("username".into(), username.into()));
        fields.push(("agree".into(), "yes".into()));
        let step2 = self.post_owned("/security/sandbox/sign-in", &fields).await;
        assert!(step2.body.contains(&format!("Welcome back, {username}")), "step 2: {}", step2.body);
        fields.retain(|(name, _)| name != "step");
        fields.push(("step".into(), "password".into()));
        fields.push(("password".into(), password.into()));
        let done = self.post_owned("/security/sandbox/sign-in", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "password step: {}", done.body);
        Url::parse(&done.location()).expect("an absolute callback URL")
    }

    pub async fn post_owned(&self, path: &str, fields: &[(String, String)]) -> Page {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        self.post_form(path, &borrowed).await
    }

    /// The whole opt-in through the sandbox; returns where the callback sent the browser.
    pub async fn opt_in(&self, product: Product, company: CompanyId) -> String {
        let authorize = self.start_opt_in(product, company).await;
        let callback = self.consent(&authorize, SANDBOX_USER, SANDBOX_PASSWORD).await;
        let back = self.get(callback.as_str()).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER);
        back.location()
    }
}
