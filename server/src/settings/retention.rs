//! What the background pruning keeps (`crate::pruning`).

use serde::Deserialize;

/// How long what is kept only for a while is kept; older rows are pruned in the background.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Prune in this process.
    pub enabled: bool,
    /// Retired tokens (the token grid's history) are kept this many days…
    pub token_history_days: u32,
    /// …and at most this many per authorization, the newest.
    pub token_history_per_authorization: u32,
    /// Audit entries (a company's Activity), finished deliveries and their events.
    pub audit_days: u32,
    /// How often to look.
    pub interval_secs: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            token_history_days: 90,
            token_history_per_authorization: 1_000,
            audit_days: 365,
            interval_secs: 60 * 60,
        }
    }
}
