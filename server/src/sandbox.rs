//! The built-in UPS sandbox: a provider that behaves like UPS's OAuth service as
//! shared/UPS-OAUTH.md describes it (authorize redirect, the two-step "lasso" sign-in with the
//! Technology Agreement, token and refresh endpoints with Basic auth, all-string JSON, UPS's error
//! bodies, single-use expiring codes, rotating refresh tokens), plus the one UPS.com operation the
//! project depends on: a password change that kills every grant the user made.
//!
//! The application's OAuth client talks to it over real HTTP, exactly as it talks to UPS.

use crate::settings::SandboxSettings;
use app::{
    auth::ssr::{hash_password, verify_password},
    product::Product,
    secret::{random_token, token_hash, SecretString},
    state::now,
    throttle::HashingQueue,
    ups::{ProductRegistration, UpsErrorResponse},
};
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine as _,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use std::{collections::HashMap, sync::Arc};
use url::Url;

/// The UPS.com users every fresh sandbox has (documented in the README).
pub const SEED_USERS: &[(&str, &str, &str)] = &[
    ("shipper.one", "shipper.one@example.com", "Sandbox-Pass-1"),
    ("shipper.two", "shipper.two@example.com", "Sandbox-Pass-2"),
];

#[derive(Clone)]
pub struct Sandbox {
    db: SqlitePool,
    clients: Arc<HashMap<String, SandboxClient>>,
    lifetimes: SandboxSettings,
    /// Checking the passwords its sign-in page receives shares the service's bounded queue.
    password_checks: Arc<HashingQueue>,
}

struct SandboxClient {
    secret: SecretString,
    redirect_uri: String,
    product: Product,
}

impl Sandbox {
    /// The sandbox knows the same client registrations the application uses, as UPS would.
    pub fn new(
        db: SqlitePool,
        registrations: &HashMap<Product, ProductRegistration>,
        lifetimes: SandboxSettings,
        password_checks: Arc<HashingQueue>,
    ) -> Self {
        let clients = registrations
            .iter()
            .map(|(product, registration)| {
                (
                    registration.client_id.clone(),
                    SandboxClient {
                        secret: registration.client_secret.clone(),
                        redirect_uri: registration.redirect_uri.to_string(),
                        product: *product,
                    },
                )
            })
            .collect();
        Self { db, clients: Arc::new(clients), lifetimes, password_checks }
    }

    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/security/v1/oauth/authorize", get(authorize))
            .route("/security/v1/oauth/token", post(token))
            .route("/security/v1/oauth/refresh", post(refresh))
            .route("/security/sandbox/sign-in", get(sign_in_page).post(sign_in_step))
            .route("/security/sandbox/password", get(password_page).post(password_change))
            .with_state(self)
    }
}

/// Creates the seed users when the sandbox has none.
pub async fn seed(db: &SqlitePool) -> Result<(), sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sandbox_users").fetch_one(db).await?;
    if count > 0 {
        return Ok(());
    }
    for (username, email, password) in SEED_USERS {
        let hash = hash_password(SecretString::new(*password))
            .await
            .map_err(|_| sqlx::Error::Protocol("hashing a sandbox user's password failed".into()))?;
        sqlx::query(
            "INSERT INTO sandbox_users (username, email, password_hash, password_changed_at) VALUES (?, ?, ?, ?)",
        )
        .bind(username)
        .bind(email)
        .bind(hash)
        .bind(now())
        .execute(db)
        .await?;
    }
    Ok(())
}

/// Sets a sandbox user's password and revokes every grant they made, as a UPS.com password change
/// does. Returns how many grants died.
pub async fn set_password(db: &SqlitePool, username: &str, password: SecretString) -> Result<u64, SandboxError> {
    let hash = hash_password(password).await.map_err(|_| SandboxError::Internal)?;
    let mut tx = app::state::write_transaction(db).await?;
    let updated = sqlx::query("UPDATE sandbox_users SET password_hash = ?, password_changed_at = ? WHERE username = ?")
        .bind(hash)
        .bind(now())
        .bind(username.trim())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(SandboxError::UnknownUser);
    }
    let revoked = sqlx::query("UPDATE sandbox_grants SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL")
        .bind(now())
        .bind(username.trim())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(revoked)
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no sandbox user has that username")]
    UnknownUser,
    #[error("sandbox storage failed")]
    Internal,
}

impl From<sqlx::Error> for SandboxError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "sandbox database error");
        Self::Internal
    }
}

// ---------------------------------------------------------------------------------------------
// Authorize and the two-step sign-in

/// The authorization request, carried from page to page in hidden fields.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    state: String,
    scope: String,
    code_challenge: String,
    code_challenge_method: String,
}

enum RequestProblem {
    /// The client or redirect URI is wrong: show an error page, never redirect to an unverified URI.
    Page(StatusCode, &'static str, &'static str),
    /// The client is fine but the request is not: tell the client at its redirect URI.
    Redirect(Url),
}

impl Sandbox {
    fn check(&self, request: &AuthorizeRequest) -> Result<&SandboxClient, RequestProblem> {
        let client = self.clients.get(&request.client_id).ok_or(RequestProblem::Page(
            StatusCode::UNAUTHORIZED,
            "10401",
            "ClientId is Invalid",
        ))?;
        if request.redirect_uri != client.redirect_uri {
            return Err(RequestProblem::Page(
                StatusCode::UNAUTHORIZED,
                "10401",
                "The redirect URI does not match the one registered for this application",
            ));
        }
        let invalid = |error: &str| {
            let mut url = Url::parse(&client.redirect_uri).expect("registered redirect URIs are URLs");
            url.query_pairs_mut().append_pair("error", error).append_pair("state", &request.state);
            RequestProblem::Redirect(url)
        };
        if request.response_type != "code" {
            return Err(invalid("unsupported_response_type"));
        }
        if !request.code_challenge_method.is_empty() && request.code_challenge_method != "S256" {
            return Err(invalid("invalid_request"));
        }
        Ok(client)
    }
}

fn problem_response(problem: RequestProblem) -> Response {
    match problem {
        RequestProblem::Page(status, code, message) => (
            status,
            page(
                "UPS Sign In",
                &format!(
                    r#"<h1>Something went wrong</h1><p class="error" role="alert">{code}: {}</p>"#,
                    escape(message)
                ),
            ),
        )
            .into_response(),
        RequestProblem::Redirect(url) => Redirect::to(url.as_str()).into_response(),
    }
}

/// `GET /security/v1/oauth/authorize`: like UPS, answers 302 to the sign-in page.
async fn authorize(State(sandbox): State<Sandbox>, Query(request): Query<AuthorizeRequest>) -> Response {
    if let Err(problem) = sandbox.check(&request) {
        return problem_response(problem);
    }
    let mut target = Url::parse("http://sandbox/security/sandbox/sign-in").expect("static URL");
    target
        .query_pairs_mut()
        .append_pair("client_id", &request.client_id)
        .append_pair("redirect_uri", &request.redirect_uri)
        .append_pair("response_type", &request.response_type)
        .append_pair("state", &request.state)
        .append_pair("scope", &request.scope)
        .append_pair("code_challenge", &request.code_challenge)
        .append_pair("code_challenge_method", &request.code_challenge_method);
    Redirect::to(&format!("{}?{}", target.path(), target.query().unwrap_or_default())).into_response()
}

async fn sign_in_page(State(sandbox): State<Sandbox>, Query(request): Query<AuthorizeRequest>) -> Response {
    match sandbox.check(&request) {
        Ok(client) => username_step(&request, client.product, "", None).into_response(),
        Err(problem) => problem_response(problem),
    }
}

#[derive(Debug, Deserialize)]
struct StepForm {
    #[serde(flatten)]
    request: AuthorizeRequest,
    step: String,
    #[serde(default)]
    username: String,
    agree: Option<String>,
    password: Option<String>,
}

async fn sign_in_step(State(sandbox): State<Sandbox>, Form(form): Form<StepForm>) -> Response {
    let product = match sandbox.check(&form.request) {
        Ok(client) => client.product,
        Err(problem) => return problem_response(problem),
    };
    let request = &form.request;
    match form.step.as_str() {
        "deny" => {
            let mut url = Url::parse(&request.redirect_uri).expect("checked against the registration");
            url.query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("error_description", "The user did not authorize the application")
                .append_pair("state", &request.state);
            Redirect::to(url.as_str()).into_response()
        }
        "username" => {
            if form.agree.as_deref() != Some("yes") {
                return username_step(
                    request,
                    product,
                    &form.username,
                    Some("Please agree to the UPS Technology Agreement to continue."),
                )
                .into_response();
            }
            match sandbox.find_user(&form.username).await {
                Ok(Some((username, _))) => password_step(request, &username, None).into_response(),
                Ok(None) => {
                    username_step(request, product, &form.username, Some("We don't recognize that email or username."))
                        .into_response()
                }
                Err(error) => error.into_response(),
            }
        }
        "password" => {
            // The agreement of step 1 travels with the form: no code without it, as at UPS.
            if form.agree.as_deref() != Some("yes") {
                return username_step(
                    request,
                    product,
                    &form.username,
                    Some("Please agree to the UPS Technology Agreement to continue."),
                )
                .into_response();
            }
            let user = match sandbox.find_user(&form.username).await {
                Ok(Some(user)) => user,
                Ok(None) => {
                    return username_step(request, product, "", Some("We don't recognize that email or username."))
                        .into_response()
                }
                Err(error) => return error.into_response(),
            };
            let (username, hash) = user;
            match verify_password(
                &sandbox.password_checks,
                SecretString::new(form.password.unwrap_or_default()),
                Some(hash),
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return password_step(request, &username, Some("The password is incorrect. Please try again."))
                        .into_response()
                }
                Err(busy) => return (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()).into_response(),
            }
            match sandbox.issue_code(request, &username).await {
                Ok(code) => {
                    let mut url = Url::parse(&request.redirect_uri).expect("checked against the registration");
                    url.query_pairs_mut().append_pair("code", code.expose()).append_pair("state", &request.state);
                    Redirect::to(url.as_str()).into_response()
                }
                Err(error) => error.into_response(),
            }
        }
        _ => (StatusCode::BAD_REQUEST, "unknown step").into_response(),
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::UnknownUser => StatusCode::NOT_FOUND,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, page("UPS", &format!(r#"<p class="error" role="alert">{}</p>"#, escape(&self.to_string()))))
            .into_response()
    }
}

impl Sandbox {
    /// A user by username or email: (username, password hash).
    async fn find_user(&self, name: &str) -> Result<Option<(String, String)>, SandboxError> {
        Ok(sqlx::query_as("SELECT username, password_hash FROM sandbox_users WHERE username = ?1 OR email = ?1")
            .bind(name.trim())
            .fetch_optional(&self.db)
            .await?)
    }

    async fn issue_code(&self, request: &AuthorizeRequest, username: &str) -> Result<SecretString, SandboxError> {
        let code = random_token();
        let mut tx = app::state::write_transaction(&self.db).await?;
        let grant = sqlx::query("INSERT INTO sandbox_grants (client_id, username, created_at) VALUES (?, ?, ?)")
            .bind(&request.client_id)
            .bind(username)
            .bind(now())
            .execute(&mut *tx)
            .await?
            .last_insert_rowid();
        sqlx::query("INSERT INTO sandbox_codes (code_hash, grant_id, redirect_uri, code_challenge, expires_at) VALUES (?, ?, ?, ?, ?)")
            .bind(token_hash(code.expose()))
            .bind(grant)
            .bind(&request.redirect_uri)
            .bind(Some(request.code_challenge.as_str()).filter(|challenge| !challenge.is_empty()))
            .bind(now() + self.lifetimes.code_lifetime_secs as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(code)
    }
}

fn hidden_fields(request: &AuthorizeRequest) -> String {
    [
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("response_type", &request.response_type),
        ("state", &request.state),
        ("scope", &request.scope),
        ("code_challenge", &request.code_challenge),
        ("code_challenge_method", &request.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| format!(r#"<input type="hidden" name="{name}" value="{}">"#, escape(value)))
    .collect()
}

fn error_line(error: Option<&str>) -> String {
    error.map(|error| format!(r#"<p class="error" role="alert">{}</p>"#, escape(error))).unwrap_or_default()
}

fn username_step(request: &AuthorizeRequest, product: Product, username: &str, error: Option<&str>) -> Html<String> {
    let hidden = hidden_fields(request);
    page(
        "UPS Log In",
        &format!(
            r#"<h1>Log In</h1>
<p>Don't have a profile? <a href="/security/sandbox/sign-in">Sign up</a></p>
{error}
<form method="post" action="/security/sandbox/sign-in" novalidate>
  {hidden}<input type="hidden" name="step" value="username">
  <label for="username">Email or Username</label>
  <input id="username" name="username" autocomplete="username" value="{username}">
  <label class="agree"><input type="checkbox" name="agree" value="yes">
    <span>By continuing, I agree to the <a href="/security/sandbox/sign-in">UPS Technology Agreement</a> and authorize {consent} to access data associated with my UPS.com username listed above, including UPS shipping account numbers, contact information, rates, and package tracking status.</span></label>
  <button type="submit" class="primary">Continue</button>
</form>
<form method="post" action="/security/sandbox/sign-in">{hidden}<input type="hidden" name="step" value="deny">
  <button type="submit" class="link">Cancel and return to the application</button></form>
<p><a href="/security/sandbox/password">Forgot Username/Password</a></p>
<p class="note"><strong>Note:</strong> Once the log in is complete, you authorize the user to use their information in the applications.</p>"#,
            error = error_line(error),
            username = escape(username),
            consent = escape(&product.consent_name()),
        ),
    )
}

fn password_step(request: &AuthorizeRequest, username: &str, error: Option<&str>) -> Html<String> {
    page(
        "UPS Password",
        &format!(
            r#"<h1>Password</h1>
<p>Welcome back, {name}</p>
{error}
<form method="post" action="/security/sandbox/sign-in" novalidate>
  {hidden}<input type="hidden" name="step" value="password"><input type="hidden" name="username" value="{name}"><input type="hidden" name="agree" value="yes">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <button type="submit" class="primary">Log In</button>
</form>"#,
            name = escape(username),
            error = error_line(error),
            hidden = hidden_fields(request),
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// The UPS.com password change

#[derive(Deserialize)]
struct PasswordForm {
    username: String,
    current_password: String,
    new_password: String,
}

async fn password_page() -> Html<String> {
    password_form(None, None)
}

fn password_form(error: Option<&str>, done: Option<&str>) -> Html<String> {
    page(
        "UPS.com · Change password",
        &format!(
            r#"<h1>Change your UPS.com password</h1>
{error}{done}
<form method="post" action="/security/sandbox/password" novalidate>
  <label for="username">Email or Username</label><input id="username" name="username" autocomplete="username">
  <label for="current_password">Current password</label><input id="current_password" name="current_password" type="password" autocomplete="current-password">
  <label for="new_password">New password</label><input id="new_password" name="new_password" type="password" autocomplete="new-password">
  <button type="submit" class="primary">Change password</button>
</form>"#,
            error = error_line(error),
            done =
                done.map(|done| format!(r#"<p class="done" role="status">{}</p>"#, escape(done))).unwrap_or_default(),
        ),
    )
}

async fn password_change(State(sandbox): State<Sandbox>, Form(form): Form<PasswordForm>) -> Response {
    let user = match sandbox.find_user(&form.username).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    let Some((username, hash)) = user else {
        return password_form(Some("We don't recognize that email or username."), None).into_response();
    };
    match verify_password(&sandbox.password_checks, SecretString::new(form.current_password), Some(hash)).await {
        Ok(true) => {}
        Ok(false) => return password_form(Some("The current password is incorrect."), None).into_response(),
        Err(busy) => return (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()).into_response(),
    }
    if form.new_password.chars().count() < 8 {
        return password_form(Some("The new password needs at least 8 characters."), None).into_response();
    }
    match set_password(&sandbox.db, &username, SecretString::new(form.new_password)).await {
        Ok(revoked) => password_form(
            None,
            Some(&format!(
                "Password changed. {revoked} application authorization(s) made by {username} are no longer valid."
            )),
        )
        .into_response(),
        Err(error) => error.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Token and refresh endpoints (server to server)

fn ups_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(UpsErrorResponse::new(code, message))).into_response()
}

impl Sandbox {
    /// HTTP Basic `client_id:client_secret` (each form-urlencoded, as RFC 6749 §2.3.1 allows), and
    /// the grant type the endpoint serves.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        form: &TokenForm,
        grant_type: &str,
    ) -> Result<(&str, &SandboxClient), Response> {
        let client = self.client_of(headers)?;
        if form.grant_type != grant_type {
            return Err(ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid grant_type"));
        }
        Ok(client)
    }

    fn client_of(&self, headers: &HeaderMap) -> Result<(&str, &SandboxClient), Response> {
        let invalid = || ups_error(StatusCode::UNAUTHORIZED, "10401", "ClientId is Invalid");
        let encoded = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic "))
            .ok_or_else(|| ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid Authentication Header"))?;
        let decoded =
            STANDARD.decode(encoded.trim()).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(invalid)?;
        let (id, secret) = decoded.split_once(':').ok_or_else(invalid)?;
        let decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (id, secret) = (decode(id), decode(secret));
        let (id, client) = self.clients.get_key_value(&id).ok_or_else(invalid)?;
        if !constant_time_eq(client.secret.expose().as_bytes(), secret.as_bytes()) {
            return Err(invalid());
        }
        Ok((id.as_str(), client))
    }

    /// A new access/refresh pair for `grant`, as UPS's all-string JSON.
    async fn issue_tokens(
        &self,
        conn: &mut sqlx::SqliteConnection,
        grant: i64,
        client_id: &str,
        refresh_count: i64,
    ) -> Result<Response, SandboxError> {
        let (access, refresh) = (random_token(), random_token());
        let issued = now();
        for (token, kind, lifetime) in [
            (&access, "access", self.lifetimes.access_token_lifetime_secs),
            (&refresh, "refresh", self.lifetimes.refresh_token_lifetime_secs),
        ] {
            sqlx::query("INSERT INTO sandbox_tokens (token_hash, grant_id, kind, expires_at) VALUES (?, ?, ?, ?)")
                .bind(token_hash(token.expose()))
                .bind(grant)
                .bind(kind)
                .bind(issued + lifetime as i64)
                .execute(&mut *conn)
                .await?;
        }
        let millis = (issued * 1000).to_string();
        let body = serde_json::json!({
            "token_type": "Bearer",
            "issued_at": millis,
            "client_id": client_id,
            "access_token": access.expose(),
            "refresh_token": refresh.expose(),
            "scope": "",
            "expires_in": self.lifetimes.access_token_lifetime_secs.to_string(),
            "refresh_token_expires_in": self.lifetimes.refresh_token_lifetime_secs.to_string(),
            "refresh_token_issued_at": millis,
            "refresh_token_status": "approved",
            "refresh_count": refresh_count.to_string(),
            "status": "approved",
        });
        Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    refresh_token: String,
}

/// `POST /security/v1/oauth/token`: the authorization-code exchange.
async fn token(State(sandbox): State<Sandbox>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    let (client_id, client) = match sandbox.authenticate(&headers, &form, "authorization_code") {
        Ok(client) => client,
        Err(response) => return response,
    };
    let invalid_code = || ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid authorization code");
    let result: Result<Response, SandboxError> = async {
        let mut tx = app::state::write_transaction(&sandbox.db).await?;
        // Deleting is what makes a code single-use, whatever happens next.
        let row: Option<(i64, String, Option<String>, i64, String, Option<i64>)> = sqlx::query_as(
            "DELETE FROM sandbox_codes WHERE code_hash = ?
             RETURNING grant_id, redirect_uri, code_challenge, expires_at,
                 (SELECT client_id FROM sandbox_grants g WHERE g.id = grant_id),
                 (SELECT revoked_at FROM sandbox_grants g WHERE g.id = grant_id)",
        )
        .bind(token_hash(&form.code))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some((grant, redirect_uri, challenge, expires_at, code_client, revoked_at)) = row else {
            return Ok(invalid_code());
        };
        if code_client != client_id || expires_at <= now() || revoked_at.is_some() {
            return Ok(invalid_code());
        }
        if form.redirect_uri != redirect_uri || redirect_uri != client.redirect_uri {
            return Ok(ups_error(StatusCode::UNAUTHORIZED, "10401", "Invalid redirect_uri"));
        }
        if let Some(challenge) = challenge {
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
            if form.code_verifier.is_empty() || !constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                return Ok(ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid code_verifier"));
            }
        }
        let mut conn = sandbox.db.acquire().await?;
        sandbox.issue_tokens(&mut conn, grant, client_id, 0).await
    }
    .await;
    result.unwrap_or_else(|_| ups_error(StatusCode::INTERNAL_SERVER_ERROR, "10500", "Internal Server Error"))
}

/// `POST /security/v1/oauth/refresh`: rotates the pair. The old refresh token is revoked with a
/// conditional update, so of two concurrent refreshes with the same token exactly one wins and the
/// other gets "Invalid Refresh Token", as at UPS.
async fn refresh(State(sandbox): State<Sandbox>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    let (client_id, _) = match sandbox.authenticate(&headers, &form, "refresh_token") {
        Ok(client) => client,
        Err(response) => return response,
    };
    let invalid = || ups_error(StatusCode::BAD_REQUEST, "10400", "Invalid Refresh Token");
    let result: Result<Response, SandboxError> = async {
        let mut tx = app::state::write_transaction(&sandbox.db).await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE sandbox_tokens SET revoked_at = ?1
             WHERE token_hash = ?2 AND kind = 'refresh' AND revoked_at IS NULL AND expires_at > ?1
               AND grant_id IN (SELECT id FROM sandbox_grants WHERE client_id = ?3 AND revoked_at IS NULL)
             RETURNING grant_id",
        )
        .bind(now())
        .bind(token_hash(&form.refresh_token))
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((grant,)) = row else { return Ok(invalid()) };
        sqlx::query(
            "UPDATE sandbox_tokens SET revoked_at = ? WHERE grant_id = ? AND kind = 'access' AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(grant)
        .execute(&mut *tx)
        .await?;
        let (refreshes,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sandbox_tokens WHERE grant_id = ? AND kind = 'refresh'")
                .bind(grant)
                .fetch_one(&mut *tx)
                .await?;
        let response = sandbox.issue_tokens(&mut tx, grant, client_id, refreshes).await?;
        tx.commit().await?;
        Ok(response)
    }
    .await;
    result.unwrap_or_else(|_| ups_error(StatusCode::INTERNAL_SERVER_ERROR, "10500", "Internal Server Error"))
}

// ---------------------------------------------------------------------------------------------
// Pages

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f2f1ef;color:#121212}}
header{{background:#fff;border-bottom:4px solid #ffc400;padding:.75rem 1.5rem;font-weight:700}}
header span{{display:inline-block;background:#351c15;color:#ffc400;border-radius:0 0 .6rem .6rem;padding:.1rem .45rem;margin-right:.5rem}}
main{{max-width:28rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}}
label{{display:block;margin:.75rem 0 .25rem;font-weight:600}} label.agree{{display:flex;gap:.5rem;font-weight:400;font-size:.9rem}}
input:not([type=checkbox]){{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #767676;border-radius:.25rem;font:inherit}}
button{{font:inherit;cursor:pointer}} .primary{{margin-top:1rem;width:100%;padding:.7rem;border:0;border-radius:2rem;background:#ffc400;font-weight:700}}
.link{{background:none;border:0;color:#0662bb;text-decoration:underline;padding:0;margin-top:1rem}}
.error{{color:#a4001d;background:#fde8ec;padding:.5rem .75rem;border-radius:.25rem}} .done{{color:#1e6b35;background:#e6f4ea;padding:.5rem .75rem}}
:focus-visible{{outline:3px solid #0662bb;outline-offset:2px}}
</style></head><body><header><span>ups</span>UPS.com sandbox</header><main>{body}</main></body></html>"#,
        title = escape(title),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn compares_secrets_without_shortcuts() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
