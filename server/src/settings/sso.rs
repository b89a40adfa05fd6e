//! Single sign-on's settings: the identity providers admins may sign in with, and whether the
//! service's own passwords still sign anyone in; and second factors for the service's own
//! accounts.

use super::SettingsError;
use optin_core::{secret::SecretString, sso::IdentityProvider};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SsoSettings {
    /// Each shows as "Sign in with {name}" on the sign-in page. As an environment variable, a
    /// list of inline tables: `OPTIN_SSO__PROVIDERS='[{id = "corp", name = "Corp", …}]'`.
    pub providers: Vec<ProviderSettings>,
    /// Sign-in with this service's own passwords. Off, only the providers sign anyone in.
    pub passwords: bool,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self { providers: Vec::new(), passwords: true }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// In the service's URLs (`/sso/{id}/callback` is the redirect URI to register): lower-case
    /// letters, digits and dashes.
    pub id: String,
    /// The button's words: "Sign in with {name}".
    pub name: String,
    /// The issuer, exactly as the provider writes it (its discovery document is read from
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// Asked for besides `openid`. Default: `email` and `profile`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Create a user for someone the provider signs in whom nobody here is. Default: refuse them.
    #[serde(default)]
    pub create_users: bool,
    /// The ID token's claim that lists the user's groups (`groups`, say)…
    #[serde(default)]
    pub groups_claim: Option<String>,
    /// …and, for each group, the company (by name) its members administer.
    #[serde(default)]
    pub companies: BTreeMap<String, String>,
}

fn default_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into()]
}

impl SsoSettings {
    /// The providers as the core takes them, each checked.
    pub fn providers(&self) -> Result<Vec<IdentityProvider>, SettingsError> {
        if !self.passwords && self.providers.is_empty() {
            return Err(SettingsError::Invalid(
                "sso.passwords: password sign-in can be turned off only with an identity provider to sign in with"
                    .into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        self.providers
            .iter()
            .map(|provider| {
                let invalid =
                    |problem: String| SettingsError::Invalid(format!("sso.providers ({}): {problem}", provider.id));
                let id_ok = !provider.id.is_empty()
                    && provider.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !id_ok {
                    return Err(invalid("the id needs lower-case letters, digits and dashes only".into()));
                }
                if !seen.insert(provider.id.clone()) {
                    return Err(invalid("two providers have this id".into()));
                }
                let issuer = url::Url::parse(&provider.issuer).map_err(|error| invalid(format!("issuer: {error}")))?;
                if !matches!(issuer.scheme(), "https" | "http") {
                    return Err(invalid("the issuer must be an https URL".into()));
                }
                if provider.name.trim().is_empty() || provider.client_id.trim().is_empty() {
                    return Err(invalid("a name and a client_id are required".into()));
                }
                if provider.companies.is_empty() != provider.groups_claim.is_none() {
                    return Err(invalid("groups_claim and companies go together".into()));
                }
                Ok(IdentityProvider {
                    id: provider.id.clone(),
                    name: provider.name.trim().to_owned(),
                    issuer: provider.issuer.clone(),
                    client_id: provider.client_id.clone(),
                    client_secret: provider.client_secret.clone(),
                    scopes: provider.scopes.clone(),
                    create_users: provider.create_users,
                    groups_claim: provider.groups_claim.clone(),
                    companies: provider.companies.clone(),
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecondFactorSettings {
    /// Every password sign-in needs a second factor too; a user without one adds one at their
    /// next sign-in before any page opens. (Identity-provider sign-ins are the provider's to
    /// check.) Passkeys need `public_base_url` on a domain name; codes work anywhere.
    pub required: bool,
}
