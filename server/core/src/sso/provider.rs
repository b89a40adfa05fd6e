//! The identity providers' side of single sign-on (the settings' `sso.providers`).
//!
//! The code flow with PKCE, a nonce and a state, as the UPS opt-in does: [`Sso::begin`] answers
//! where to send the browser and what to keep until it returns; [`Sso::verified_identity`]
//! exchanges the code and checks the ID token (issuer, audience, expiry, nonce, and its signature
//! against the provider's published keys). A token signed with a key the service has not seen is
//! checked once more against the keys fetched again: providers rotate keys, and a rotation must
//! not sign everyone out. Nothing here reads or writes the database; which user an identity is,
//! and the session that follows, are the parent module's.

use crate::secret::SecretString;
use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient, CoreIdToken},
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse,
    IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
};
use std::str::FromStr;
use std::{collections::BTreeMap, sync::Arc};
use tokio::sync::RwLock;
use url::Url;

/// An identity provider as the settings describe it.
#[derive(Clone, Debug)]
pub struct IdentityProvider {
    /// In the service's URLs (`/sso/{id}/start`): letters, digits and dashes.
    pub id: String,
    /// On the sign-in page's button: "Sign in with {name}".
    pub name: String,
    /// The issuer, exactly as the provider writes it (ID tokens must name it to the character);
    /// its discovery document is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// Asked for besides `openid`.
    pub scopes: Vec<String>,
    /// A user the provider signs in and nobody here knows becomes one (else: refused).
    pub create_users: bool,
    /// The claim that lists the user's groups, and the company each group administers.
    pub groups_claim: Option<String>,
    pub companies: BTreeMap<String, String>,
}

/// Why a single sign-on did not sign anyone in.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("no identity provider is called {0:?}")]
    UnknownProvider(String),
    /// The provider's discovery document, keys or token endpoint could not be used.
    #[error("the identity provider could not be used: {0}")]
    Provider(String),
    /// The provider answered the code with an error, or without an ID token.
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    /// The ID token failed a check (issuer, audience, expiry, nonce, signature).
    #[error("the identity provider's ID token was not accepted: {0}")]
    InvalidIdToken(String),
}

/// What a sign-in must keep until the browser comes back: the state it is known by, and the
/// nonce and PKCE verifier the answer is checked with.
pub struct Pending {
    pub state: SecretString,
    pub nonce: SecretString,
    pub pkce_verifier: SecretString,
}

/// Who the provider says signed in, once its ID token passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub subject: String,
    /// Only an address the provider says it verified.
    pub verified_email: Option<String>,
    pub name: Option<String>,
    /// The groups claim's values, when the settings name one.
    pub groups: Vec<String>,
    /// The ID token itself, kept with the session as the hint of a sign-out at the provider.
    pub id_token: SecretString,
}

struct Registered {
    provider: IdentityProvider,
    /// The discovery document with its keys, fetched on first use and again for an unknown key.
    metadata: RwLock<Option<Arc<ProviderMetadataWithLogout>>>,
}

/// The configured identity providers.
pub struct Sso {
    providers: Vec<Registered>,
    http: SsoHttp,
    /// Whether the service's own passwords still sign anyone in.
    passwords: bool,
}

impl Sso {
    pub fn new(providers: Vec<IdentityProvider>, http: reqwest::Client) -> Self {
        let providers =
            providers.into_iter().map(|provider| Registered { provider, metadata: RwLock::new(None) }).collect();
        Self { providers, http: SsoHttp(http), passwords: true }
    }

    /// These providers, with password sign-in turned off (`passwords` false) or kept.
    pub fn with_passwords(mut self, passwords: bool) -> Self {
        self.passwords = passwords;
        self
    }

    /// Whether the service's own passwords sign anyone in.
    pub fn passwords(&self) -> bool {
        self.passwords
    }

    /// Each provider, in the settings' order.
    pub fn providers(&self) -> impl Iterator<Item = &IdentityProvider> {
        self.providers.iter().map(|registered| &registered.provider)
    }

    fn registered(&self, id: &str) -> Result<&Registered, SsoError> {
        self.providers
            .iter()
            .find(|registered| registered.provider.id == id)
            .ok_or_else(|| SsoError::UnknownProvider(id.to_owned()))
    }

    pub fn provider(&self, id: &str) -> Result<&IdentityProvider, SsoError> {
        Ok(&self.registered(id)?.provider)
    }

    async fn metadata(
        &self,
        registered: &Registered,
        again: bool,
    ) -> Result<Arc<ProviderMetadataWithLogout>, SsoError> {
        if !again {
            if let Some(metadata) = registered.metadata.read().await.as_ref() {
                return Ok(metadata.clone());
            }
        }
        let issuer = IssuerUrl::new(registered.provider.issuer.clone())
            .map_err(|error| SsoError::Provider(error.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|error| SsoError::Provider(error.to_string()))?;
        let metadata = Arc::new(metadata);
        *registered.metadata.write().await = Some(metadata.clone());
        Ok(metadata)
    }

    /// Where to send the browser to sign in with provider `id`, coming back to `redirect`, and
    /// what to keep until it does.
    pub async fn begin(&self, id: &str, redirect: &Url) -> Result<(Url, Pending), SsoError> {
        let registered = self.registered(id)?;
        let metadata = self.metadata(registered, false).await?;
        let client = oidc_client(&registered.provider, &metadata, redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in &registered.provider.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = Pending {
            state: SecretString::new(state.secret().clone()),
            nonce: SecretString::new(nonce.secret().clone()),
            pkce_verifier: SecretString::new(verifier.secret().clone()),
        };
        Ok((url, pending))
    }

    /// Exchanges `code` (with the PKCE verifier kept at [`Sso::begin`]) and checks the ID token
    /// against the nonce kept with it: who signed in.
    pub async fn verified_identity(
        &self,
        id: &str,
        redirect: &Url,
        code: &str,
        pending: &Pending,
    ) -> Result<VerifiedIdentity, SsoError> {
        let registered = self.registered(id)?;
        let metadata = self.metadata(registered, false).await?;
        let client = oidc_client(&registered.provider, &metadata, redirect);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| SsoError::Provider(error.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.expose().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|error| SsoError::Refused(error.to_string()))?;
        let id_token = response.id_token().ok_or_else(|| SsoError::Refused("no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.expose().to_owned());
        match identity(&registered.provider, &client, id_token, &nonce) {
            // A key the service has not seen: the provider may have rotated; fetch its keys again.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let metadata = self.metadata(registered, true).await?;
                let again = oidc_client(&registered.provider, &metadata, redirect);
                identity(&registered.provider, &again, id_token, &nonce)
            }
            checked => checked,
        }
        .map_err(|error| SsoError::InvalidIdToken(error.to_string()))
    }
}

impl Sso {
    /// Where to send the browser so that provider `id` ends its session too, when the provider
    /// advertises where (`end_session_endpoint`): with the ID token the session began with, and
    /// `back` (registered with the provider) to return to.
    pub async fn sign_out_url(&self, id: &str, id_token: &SecretString, back: &Url) -> Result<Option<Url>, SsoError> {
        let registered = self.registered(id)?;
        let metadata = self.metadata(registered, false).await?;
        let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.clone() else { return Ok(None) };
        let hint = CoreIdToken::from_str(id_token.expose()).map_err(|error| SsoError::Provider(error.to_string()))?;
        let request = LogoutRequest::from(endpoint)
            .set_id_token_hint(&hint)
            .set_client_id(ClientId::new(registered.provider.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::from_url(back.clone()));
        Ok(Some(request.http_get_url()))
    }
}

type Client = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    openidconnect::core::CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn oidc_client(provider: &IdentityProvider, metadata: &ProviderMetadataWithLogout, redirect: &Url) -> Client {
    CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(provider.client_id.clone()),
        provider.client_secret.as_ref().map(|secret| ClientSecret::new(secret.expose().to_owned())),
    )
    .set_redirect_uri(RedirectUrl::from_url(redirect.clone()))
}

/// The ID token's identity, once it passed the checks (issuer, audience, expiry, nonce,
/// signature); the groups are read from its payload, which the signature covers.
fn identity(
    provider: &IdentityProvider,
    client: &Client,
    id_token: &CoreIdToken,
    nonce: &Nonce,
) -> Result<VerifiedIdentity, ClaimsVerificationError> {
    let claims = id_token.claims(&client.id_token_verifier(), nonce)?;
    let verified_email = match claims.email_verified() {
        Some(true) => claims.email().map(|email| email.as_str().to_owned()),
        _ => None,
    };
    let name = claims.name().and_then(|name| name.get(None)).map(|name| name.as_str().to_owned());
    let groups = provider.groups_claim.as_deref().map(|claim| groups(id_token, claim)).unwrap_or_default();
    let subject = claims.subject().as_str().to_owned();
    let id_token = SecretString::new(id_token.to_string());
    Ok(VerifiedIdentity { subject, verified_email, name, groups, id_token })
}

/// The values of `claim` in the (verified) token's payload: a list of strings, or one string.
fn groups(id_token: &CoreIdToken, claim: &str) -> Vec<String> {
    use base64::Engine;
    let text = id_token.to_string();
    let payload = text.split('.').nth(1).unwrap_or_default();
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else { return Vec::new() };
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Vec::new() };
    match &claims[claim] {
        serde_json::Value::Array(values) => {
            values.iter().filter_map(|value| value.as_str().map(str::to_owned)).collect()
        }
        serde_json::Value::String(value) => vec![value.clone()],
        _ => Vec::new(),
    }
}

/// The HTTP client the provider is reached with: the service's, which follows no redirects.
struct SsoHttp(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for SsoHttp {
    type Error = openidconnect::HttpClientError<reqwest::Error>;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse, Self::Error>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let response = self.0.execute(request).await.map_err(Box::new)?;
            let mut answer = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?;
            answer.body(body.to_vec()).map_err(openidconnect::HttpClientError::Http)
        })
    }
}
