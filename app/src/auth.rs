//! Signing in to the application: the sign-in page, the sign-in and sign-out server functions,
//! and (server-only) sessions, password hashing and the middleware that resolves the session
//! cookie once per request.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Who is signed in, as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub sign_in_name: String,
    pub display_name: String,
}

/// A path on this site to return to after signing in; anything else (another host, `//evil`,
/// `/\t/evil`, which browsers read as `//evil` once they drop the tab) falls back to the home
/// page, so the sign-in page cannot be used as an open redirect.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(sign_in_name: String, password: String, next: Option<String>) -> Result<(), AppError> {
    crate::error::ssr::with_status(ssr::sign_in_and_redirect(sign_in_name, password, next).await)
}

/// Who is signed in (for pages that show nothing else about the user).
#[server(prefix = "/api", endpoint = "load_identity")]
pub async fn load_identity() -> Result<Identity, AppError> {
    crate::error::ssr::with_status(ssr::current_user().map(|user| user.identity))
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::error::ssr::with_status(ssr::sign_out_and_redirect().await)
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || action.value().get().and_then(Result::err);

    view! {
        <main class="sign-in">
            <div class="card sign-in-card">
                <p class="brand"><span class="shield" aria-hidden="true">"ups"</span>"UPS Customer Solutions"</p>
                <h1>"Sign in"</h1>
                <ActionForm action=action attr:class="stack">
                    <input type="hidden" name="next" value=next/>
                    <label for="sign-in-name">"Sign in name"</label>
                    <input id="sign-in-name" name="sign_in_name" type="text" autocomplete="username" required/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    {move || error().map(|error| view! { <p class="alert error" role="alert">{error.to_string()}</p> })}
                    <button type="submit" class="primary" disabled=move || action.pending().get()>"Sign in"</button>
                </ActionForm>
            </div>
        </main>
    }
}

/// The sign-out button shown in every product's header.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=action attr:class="sign-out">
            <button type="submit" class="link">"Sign out"</button>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{safe_return_path, Identity};
    use crate::throttle::HashingQueue;
    use crate::{
        audit,
        error::AppError,
        ids::UserId,
        secret::{random_token, token_hash, SecretString},
        state::{app_state, now, AppState, WebConfig},
    };
    use argon2::{
        password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
        Argon2,
    };
    use axum::extract::ConnectInfo;
    use axum::{extract::State, http::Request, middleware::Next, response::Response};
    use http::{header, HeaderMap, HeaderValue};
    use leptos::prelude::use_context;
    use sqlx::SqlitePool;
    use std::{
        net::{IpAddr, SocketAddr},
        sync::OnceLock,
    };

    pub const SESSION_COOKIE: &str = "optin_session";

    /// The signed-in user of the current request, put into the request's extensions by
    /// [`load_session`].
    #[derive(Clone, Debug)]
    pub struct SignedInUser {
        pub id: UserId,
        pub identity: Identity,
        /// SHA-256 of the session id: what OAuth states are bound to.
        pub session_hash: Vec<u8>,
    }

    /// Hashing new passwords (users created by the CLI or the demo seed, the sandbox's password
    /// change): the service's own work, which waits its turn and is never shed. Checking a
    /// password someone sent goes through the application's own queue ([`verify_password`]).
    fn hashing() -> &'static HashingQueue {
        static QUEUE: OnceLock<HashingQueue> = OnceLock::new();
        QUEUE.get_or_init(HashingQueue::for_this_machine)
    }

    /// Argon2id with the crate's defaults (19 MiB, 2 passes), off the async threads.
    pub async fn hash_password(password: SecretString) -> Result<String, AppError> {
        hashing()
            .run_patiently(move || {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default().hash_password(password.expose().as_bytes(), &salt).map(|hash| hash.to_string())
            })
            .await?
            .map_err(|error| {
                tracing::error!(%error, "password hashing failed");
                AppError::Internal
            })
    }

    /// Checks `password` against `hash`; with no hash (unknown user) it checks against a decoy, so
    /// the answer takes as long as for a known user with a wrong password, and is always `false`.
    /// `Err(Busy)` when `queue` is full.
    pub async fn verify_password(
        queue: &HashingQueue,
        password: SecretString,
        hash: Option<String>,
    ) -> Result<bool, AppError> {
        queue
            .run(move || {
                let known = hash.is_some();
                let hash = hash.unwrap_or_else(decoy_hash);
                let matches = PasswordHash::new(&hash)
                    .map(|parsed| Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok())
                    .unwrap_or(false);
                known && matches
            })
            .await
    }

    /// Computed once, on a blocking thread (the first unknown-name sign-in).
    fn decoy_hash() -> String {
        static DECOY: OnceLock<String> = OnceLock::new();
        DECOY
            .get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(random_token().expose().as_bytes(), &salt)
                    .map(|hash| hash.to_string())
                    .unwrap_or_default()
            })
            .clone()
    }

    pub async fn create_user(
        db: &SqlitePool,
        sign_in_name: &str,
        display_name: &str,
        password: SecretString,
    ) -> Result<UserId, AppError> {
        let sign_in_name = sign_in_name.trim();
        if sign_in_name.is_empty() || sign_in_name.chars().count() > 100 || sign_in_name.contains(char::is_whitespace) {
            return Err(AppError::Invalid("A sign-in name needs 1 to 100 characters and no spaces.".into()));
        }
        if password.expose().chars().count() < 12 {
            return Err(AppError::Invalid("A password needs at least 12 characters.".into()));
        }
        let display_name = match display_name.trim() {
            "" => sign_in_name,
            name => name,
        };
        let hash = hash_password(password).await?;
        let result = sqlx::query(
            "INSERT INTO users (sign_in_name, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(sign_in_name)
        .bind(display_name)
        .bind(hash)
        .bind(now())
        .execute(db)
        .await
        .map_err(|e| {
            crate::companies::ssr::on_constraint(e, format!("The sign-in name \"{sign_in_name}\" is taken."))
        })?;
        Ok(UserId::new(result.last_insert_rowid()))
    }

    pub async fn find_user(db: &SqlitePool, sign_in_name: &str) -> Result<UserId, AppError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE sign_in_name = ?")
            .bind(sign_in_name.trim())
            .fetch_optional(db)
            .await?;
        row.map(|(id,)| UserId::new(id)).ok_or_else(|| AppError::NotFound(format!("User \"{sign_in_name}\"")))
    }

    /// Checks the credentials and opens a new session. Any session the browser already had is
    /// ended first, so a session id planted before sign-in is worthless after it.
    /// The attempt is reserved with the throttle before the password is hashed, so guesses sent
    /// at once are counted as they arrive.
    pub async fn open_session(
        state: &AppState,
        sign_in_name: &str,
        password: SecretString,
        client: IpAddr,
        previous: Option<&str>,
    ) -> Result<(UserId, SecretString), AppError> {
        let attempt = state.sign_in_throttle.reserve(sign_in_name, client, now()).inspect_err(|_| {
            tracing::info!(%client, "sign-in refused: too many attempts");
        })?;
        let row: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE sign_in_name = ?")
            .bind(sign_in_name.trim())
            .fetch_optional(&state.db)
            .await?;
        let (user, hash) = row.map(|(id, hash)| (UserId::new(id), hash)).unzip();
        let verified = match verify_password(&state.password_checks, password, hash).await {
            Ok(verified) => verified,
            Err(busy) => {
                attempt.release();
                return Err(busy);
            }
        };
        let user = match (user, verified) {
            (Some(user), true) => user,
            _ => {
                tracing::info!(%client, "sign-in refused");
                return Err(AppError::InvalidCredentials);
            }
        };
        attempt.succeeded();

        let token = random_token();
        let mut tx = crate::state::write_transaction(&state.db).await?;
        if let Some(previous) = previous {
            sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(token_hash(previous)).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash(token.expose()))
            .bind(user.get())
            .bind(now())
            .bind(now() + state.web.session_lifetime.as_secs() as i64)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            audit::Event {
                actor: audit::Actor::User(user),
                company: None,
                product: None,
                action: "signed_in",
                detail: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((user, token))
    }

    pub async fn sign_in_and_redirect(
        sign_in_name: String,
        password: String,
        next: Option<String>,
    ) -> Result<(), AppError> {
        let state = app_state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let previous = session_cookie(&parts.headers);
        let client = client_address(&parts, &state.web);
        let (_, token) =
            open_session(&state, &sign_in_name, SecretString::new(password), client, previous.as_deref()).await?;
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        options.append_header(header::SET_COOKIE, set_cookie(&state.web, Some(&token))?);
        leptos_axum::redirect(&safe_return_path(next.as_deref()));
        Ok(())
    }

    pub async fn sign_out_and_redirect() -> Result<(), AppError> {
        let state = app_state()?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        if let Some(token) = session_cookie(&parts.headers) {
            sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(token_hash(&token)).execute(&state.db).await?;
        }
        let options = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        options.append_header(header::SET_COOKIE, set_cookie(&state.web, None)?);
        leptos_axum::redirect("/sign-in");
        Ok(())
    }

    /// `Set-Cookie` for a new session, or one that removes it (`None`).
    pub fn set_cookie(web: &WebConfig, token: Option<&SecretString>) -> Result<HeaderValue, AppError> {
        let secure = if web.secure_cookies { "; Secure" } else { "" };
        let value = match token {
            Some(token) => format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                token.expose(),
                web.session_lifetime.as_secs()
            ),
            None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        };
        HeaderValue::from_str(&value).map_err(|_| AppError::Internal)
    }

    /// The address the request came from: the last entry of the configured proxy header when the
    /// service runs behind a proxy that sets it (the one entry the proxy itself wrote; anything
    /// before it is what the client claimed), else the connection's peer.
    pub fn client_address(parts: &http::request::Parts, web: &WebConfig) -> IpAddr {
        let forwarded = web.client_ip_header.as_ref().and_then(|name| {
            let last = parts.headers.get_all(name).iter().last()?.to_str().ok()?.rsplit(',').next()?.trim();
            last.parse::<IpAddr>().ok().or_else(|| last.parse::<SocketAddr>().ok().map(|address| address.ip()))
        });
        forwarded
            .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip()))
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
        cookie(headers, SESSION_COOKIE)
    }

    /// The value of the request's cookie `name`, if set and not empty.
    pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(cookie, _)| *cookie == name)
            .map(|(_, value)| value.to_owned())
            .filter(|value| !value.is_empty())
    }

    /// Resolves the session cookie (one indexed query) and leaves the user in the request's
    /// extensions for every handler and server function after it.
    pub async fn load_session(
        State(state): State<AppState>,
        mut request: Request<axum::body::Body>,
        next: Next,
    ) -> Response {
        // Static assets and the sandbox (which stands in for another site) never need the user.
        let path = request.uri().path();
        let needs_user = !(path.starts_with("/pkg/") || path.starts_with("/security/") || path == "/favicon.png");
        if let Some(token) = session_cookie(request.headers()).filter(|_| needs_user) {
            let hash = token_hash(&token);
            let row: Result<Option<(i64, String, String)>, sqlx::Error> = sqlx::query_as(
                "SELECT u.id, u.sign_in_name, u.display_name FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = ? AND s.expires_at > ?",
            )
            .bind(&hash)
            .bind(now())
            .fetch_optional(&state.db)
            .await;
            match row {
                Ok(Some((id, sign_in_name, display_name))) => {
                    request.extensions_mut().insert(SignedInUser {
                        id: UserId::new(id),
                        identity: Identity { sign_in_name, display_name },
                        session_hash: hash,
                    });
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "session lookup failed"),
            }
        }
        next.run(request).await
    }

    /// The signed-in user of the server function being run.
    pub fn current_user() -> Result<SignedInUser, AppError> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SignedInUser>().cloned())
            .ok_or(AppError::Unauthenticated)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod client_address_tests {
    use super::ssr::client_address;
    use crate::state::WebConfig;
    use std::net::{IpAddr, SocketAddr};

    fn web(header: Option<&str>) -> WebConfig {
        WebConfig {
            public_base_url: "http://127.0.0.1:3000".parse().unwrap(),
            secure_cookies: true,
            session_lifetime: Default::default(),
            state_lifetime: Default::default(),
            embed_origins: Default::default(),
            embed_token_lifetime: Default::default(),
            embed_session_lifetime: Default::default(),
            client_ip_header: header.map(|name| name.parse().unwrap()),
        }
    }

    fn address(forwarded: &[&str], header: Option<&str>) -> IpAddr {
        let mut request = http::Request::builder();
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let peer: SocketAddr = "192.0.2.9:40000".parse().unwrap();
        parts.extensions.insert(axum::extract::ConnectInfo(peer));
        client_address(&parts, &web(header))
    }

    #[test]
    fn only_the_entry_the_proxy_wrote_counts() {
        let proxy = Some("x-forwarded-for");
        assert_eq!(address(&["10.0.0.1, 203.0.113.5"], proxy).to_string(), "203.0.113.5");
        assert_eq!(address(&["10.0.0.1", "203.0.113.5:5123"], proxy).to_string(), "203.0.113.5");
        assert_eq!(address(&["10.0.0.1, [2001:db8::1]:443"], proxy).to_string(), "2001:db8::1");
        // What the proxy wrote cannot be read: the peer, never what the client claimed before it.
        assert_eq!(address(&["10.0.0.1, unknown"], proxy).to_string(), "192.0.2.9");
        assert_eq!(address(&["10.0.0.1"], None).to_string(), "192.0.2.9", "no proxy configured: the peer");
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path(Some("/reverse-logistics?company=2")), "/reverse-logistics?company=2");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "/\r/x",
            "evil",
            "",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
