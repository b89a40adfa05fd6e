//! The OAuth client that speaks UPS's dialect (see shared/UPS-OAUTH.md): the oauth2 crate for the
//! protocol, with a token response that reads UPS's all-string JSON, UPS's error body, and an HTTP
//! client that never follows redirects and tells an outage from a refusal. Server-only.

mod classes;
mod wire;

pub use classes::AnswerClass;
pub use wire::{UpsErrorItem, UpsErrorResponse, UpsErrors, UpsTokenResponse};

use crate::secret::SecretString;
use model::Product;
use oauth2::{
    basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse},
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use std::{collections::HashMap, fmt, time::Duration};
use url::Url;

type UpsClient = oauth2::Client<
    UpsErrorResponse,
    UpsTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// How a call to the token endpoint failed, in the terms the caller acts on.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// UPS answered and refused this request (a bad code, a dead refresh token): do not retry
    /// it as is.
    #[error("UPS refused the request: {0}")]
    Rejected(UpsErrorResponse),
    /// UPS refused the application itself (401 or `10401`: the client id or secret; 403: a
    /// blocked merchant): every request of this application fails alike until it is fixed.
    #[error("UPS refused the application (HTTP {status}): {error}")]
    ApplicationRefused { status: u16, error: UpsErrorResponse },
    /// UPS throttles the application (429), sometimes saying for how long (`Retry-After`).
    #[error("UPS is rate limiting the application")]
    RateLimited { retry_after: Option<Duration> },
    /// UPS could not be reached or answered 5xx: it did nothing, so retry later and keep what
    /// we have.
    #[error("UPS is unavailable: {0}")]
    Unavailable(String),
    /// The request was sent but no answer came back (a timeout, a connection cut mid-answer): UPS
    /// may have acted on it, e.g. rotated a refresh token, without our knowing.
    #[error("UPS did not answer: {0}")]
    Unanswered(String),
    /// UPS answered something we cannot read (it may have acted on the request all the same).
    #[error("UPS answered in an unexpected form: {0}")]
    Malformed(String),
    /// The product has no UPS registration in this deployment's settings: nothing was sent.
    #[error("{0} is not registered with UPS in this deployment's settings")]
    NotRegistered(Product),
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No connection was made: the request never reached the provider.
    #[error("could not reach the provider: {0}")]
    Unreachable(String),
    /// Sent, but the answer did not arrive whole.
    #[error("no answer from the provider: {0}")]
    NoAnswer(String),
    #[error("the provider answered HTTP {0}")]
    Status(u16),
    /// 429, and how long the provider asked us to wait, if it said.
    #[error("the provider is rate limiting")]
    RateLimited(Option<Duration>),
    /// 401 or 403: the provider refused the client itself.
    #[error("the provider refused the client (HTTP {0})")]
    Refused(u16, UpsErrorResponse),
}

impl TransportError {
    fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_connect() || error.is_builder() {
            Self::Unreachable(error.to_string())
        } else {
            Self::NoAnswer(error.to_string())
        }
    }
}

impl From<RequestTokenError<TransportError, UpsErrorResponse>> for ProviderError {
    fn from(error: RequestTokenError<TransportError, UpsErrorResponse>) -> Self {
        match error {
            RequestTokenError::ServerResponse(body) => Self::Rejected(body),
            RequestTokenError::Request(TransportError::NoAnswer(cause)) => Self::Unanswered(cause),
            RequestTokenError::Request(TransportError::RateLimited(retry_after)) => Self::RateLimited { retry_after },
            RequestTokenError::Request(TransportError::Refused(status, error)) => {
                Self::ApplicationRefused { status, error }
            }
            RequestTokenError::Request(transport) => Self::Unavailable(transport.to_string()),
            RequestTokenError::Parse(error, _body) => Self::Malformed(error.to_string()),
            RequestTokenError::Other(other) => Self::Malformed(other),
        }
    }
}

/// One product's registration with UPS.
#[derive(Clone, Debug)]
pub struct ProductRegistration {
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: Url,
}

/// Where UPS (or the sandbox, or a test double) lives: `{base}/v1/oauth/{authorize,token,refresh}`.
#[derive(Clone, Debug)]
pub struct UpsEndpoints {
    pub authorize: Url,
    pub token: Url,
    pub refresh: Url,
}

impl UpsEndpoints {
    /// `base` is the host's security root, e.g. `https://onlinetools.ups.com/security`.
    pub fn under(base: &Url) -> Result<Self, url::ParseError> {
        let root = base.as_str().trim_end_matches('/');
        Ok(Self {
            authorize: Url::parse(&format!("{root}/v1/oauth/authorize"))?,
            token: Url::parse(&format!("{root}/v1/oauth/token"))?,
            refresh: Url::parse(&format!("{root}/v1/oauth/refresh"))?,
        })
    }
}

/// The tokens of a successful exchange or refresh.
pub struct TokenGrant {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_in: Duration,
    pub refresh_expires_in: Option<Duration>,
}

impl TokenGrant {
    /// How long before expiry this grant is refreshed: a tenth of its lifetime, between 1 second
    /// and 5 minutes (so a 4-hour UPS token is refreshed 5 minutes early, a 1-hour one 5 minutes
    /// early, and a short sandbox token just before it lapses).
    pub fn refresh_margin(&self) -> i64 {
        refresh_margin(self.expires_in.as_secs() as i64)
    }
}

pub fn refresh_margin(lifetime: i64) -> i64 {
    (lifetime / 10).clamp(1, 300).min(lifetime.max(0))
}

impl fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenGrant").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

/// When UPS omits `expires_in` the token is recorded as already due rather than trusted for a
/// lifetime we made up.
const NO_LIFETIME: Duration = Duration::from_secs(0);

/// Longer than any lifetime UPS gives (refresh tokens last about 60 days): anything beyond is a
/// malformed answer, not a reason to store a date that overflows.
const MAX_LIFETIME: Duration = Duration::from_secs(400 * 24 * 60 * 60);

struct ProductClients {
    exchange: UpsClient,
    /// UPS refreshes on its own endpoint, not the token endpoint: a second client for it.
    refresh: UpsClient,
}

/// The OAuth clients for all configured products, sharing one HTTP connection pool.
pub struct UpsOAuth {
    http: UpsHttp,
    clients: HashMap<Product, ProductClients>,
}

impl UpsOAuth {
    pub fn new(
        endpoints: &UpsEndpoints,
        registrations: &HashMap<Product, ProductRegistration>,
        http: reqwest::Client,
    ) -> Self {
        let clients = registrations
            .iter()
            .map(|(product, registration)| {
                let client = |token_url: &Url| {
                    oauth2::Client::new(ClientId::new(registration.client_id.clone()))
                        .set_client_secret(ClientSecret::new(registration.client_secret.expose().to_owned()))
                        .set_auth_uri(AuthUrl::from_url(endpoints.authorize.clone()))
                        .set_token_uri(TokenUrl::from_url(token_url.clone()))
                        .set_redirect_uri(RedirectUrl::from_url(registration.redirect_uri.clone()))
                };
                (*product, ProductClients { exchange: client(&endpoints.token), refresh: client(&endpoints.refresh) })
            })
            .collect();
        Self { http: UpsHttp(http), clients }
    }

    /// The HTTP client for talking to UPS: no redirects (a token endpoint that redirects is an
    /// SSRF vector), bounded time.
    pub fn http_client() -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
    }

    fn client(&self, product: Product) -> Result<&ProductClients, ProviderError> {
        self.clients.get(&product).ok_or(ProviderError::NotRegistered(product))
    }

    /// The URL that sends the admin to UPS's sign-in and consent, with PKCE (S256) and `state`.
    pub fn authorize_url(
        &self,
        product: Product,
        state: &SecretString,
    ) -> Result<(Url, PkceCodeVerifier), ProviderError> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = CsrfToken::new(state.expose().to_owned());
        let (url, _) = self.client(product)?.exchange.authorize_url(|| state).set_pkce_challenge(challenge).url();
        Ok((url, verifier))
    }

    #[tracing::instrument(name = "ups.exchange", skip_all, fields(otel.kind = "client", %product))]
    pub async fn exchange_code(
        &self,
        product: Product,
        code: String,
        verifier: PkceCodeVerifier,
    ) -> Result<TokenGrant, ProviderError> {
        let started = std::time::Instant::now();
        let response = self
            .client(product)?
            .exchange
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await;
        record_latency(Operation::Exchange, started, response.is_ok());
        let response = response?;
        grant_from(response)
    }
}

impl UpsOAuth {
    /// A new access/refresh pair for `refresh_token`; UPS rotates refresh tokens, so the old one
    /// is dead once this succeeds.
    #[tracing::instrument(name = "ups.refresh", skip_all, fields(otel.kind = "client", %product))]
    pub async fn refresh(&self, product: Product, refresh_token: &SecretString) -> Result<TokenGrant, ProviderError> {
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let started = std::time::Instant::now();
        let response = self.client(product)?.refresh.exchange_refresh_token(&token).request_async(&self.http).await;
        record_latency(Operation::Refresh, started, response.is_ok());
        grant_from(response?)
    }
}

/// How long UPS took to answer (`optin_provider_request_seconds`), by operation and outcome, on
/// handles registered once: a call costs no look-up of the metric by name and labels.
fn record_latency(operation: Operation, started: std::time::Instant, answered_ok: bool) {
    static HISTOGRAMS: std::sync::OnceLock<[[metrics::Histogram; 2]; 2]> = std::sync::OnceLock::new();
    let histograms = HISTOGRAMS.get_or_init(|| {
        ["exchange", "refresh"].map(|operation| {
            ["ok", "error"].map(|outcome| {
                metrics::histogram!("optin_provider_request_seconds", "operation" => operation, "outcome" => outcome)
            })
        })
    });
    histograms[operation as usize][usize::from(!answered_ok)].record(started.elapsed().as_secs_f64());
}

/// What was asked of UPS's token endpoints.
#[derive(Clone, Copy)]
enum Operation {
    Exchange,
    Refresh,
}

fn grant_from(response: UpsTokenResponse) -> Result<TokenGrant, ProviderError> {
    // Clamped, not refused: after a refresh UPS has already rotated, so refusing would lose the
    // only valid pair.
    let bounded = |lifetime: Option<Duration>| lifetime.map(|lifetime| lifetime.min(MAX_LIFETIME));
    Ok(TokenGrant {
        access_token: SecretString::new(response.access_token().secret().clone()),
        refresh_token: response.refresh_token().map(|token| SecretString::new(token.secret().clone())),
        expires_in: bounded(response.expires_in()).unwrap_or(NO_LIFETIME),
        refresh_expires_in: bounded(response.refresh_token_expires_in()),
    })
}

/// The HTTP client oauth2 uses to reach UPS. A named type rather than a closure, so the
/// exchange future is `Send` for any lifetime (a closure trips rustc's higher-ranked inference).
struct UpsHttp(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for UpsHttp {
    type Error = TransportError;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

/// Sends one request to UPS. 5xx become `TransportError::Status` (an outage), 429 a rate limit
/// with UPS's `Retry-After` if it sent one, 401 and 403 a refusal of the client itself: each
/// classified here, before oauth2 would read it as a refusal of the request.
async fn send(http: &reqwest::Client, request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let request = reqwest::Request::try_from(request).map_err(|e| TransportError::Unreachable(e.to_string()))?;
    let response = http.execute(request).await.map_err(TransportError::from_reqwest)?;
    let status = response.status();
    if status.is_server_error() {
        return Err(TransportError::Status(status.as_u16()));
    }
    if status.as_u16() == 429 {
        return Err(TransportError::RateLimited(retry_after(response.headers())));
    }
    if matches!(status.as_u16(), 401 | 403) {
        let body = response.bytes().await.unwrap_or_default();
        let error = serde_json::from_slice(&body).unwrap_or_else(|_| {
            UpsErrorResponse::new(&status.as_u16().to_string(), status.canonical_reason().unwrap_or("refused"))
        });
        return Err(TransportError::Refused(status.as_u16(), error));
    }
    let mut builder = http::Response::builder().status(status);
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await.map_err(|e| TransportError::NoAnswer(e.to_string()))?;
    builder.body(body.to_vec()).map_err(|e| TransportError::NoAnswer(e.to_string()))
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); anything else is ignored. At
/// most a day: a longer wait is a mistake we do not honour blindly.
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            httpdate::parse_http_date(value).ok()?.duration_since(std::time::SystemTime::now()).unwrap_or_default()
        }
    };
    Some(wait.min(Duration::from_secs(24 * 60 * 60)))
}

#[cfg(test)]
mod tests;
