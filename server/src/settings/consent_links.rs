//! How consent links are made (`optin_core::consent_links`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentLinkSettings {
    /// How long a consent link works, unless its maker asks for less or more (at most 30 days).
    pub lifetime_secs: u64,
}

impl Default for ConsentLinkSettings {
    fn default() -> Self {
        Self { lifetime_secs: 72 * 60 * 60 }
    }
}
