//! Settings of the built-in UPS sandbox: who may reach it, how long what it issues lives, and
//! whether its fault modes can be switched on.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSettings {
    /// Serve the sandbox on an address other machines can reach. Its users and passwords are
    /// published in the README: off, so a sandbox is never exposed by accident.
    pub allow_remote: bool,
    pub code_lifetime_secs: u64,
    pub access_token_lifetime_secs: u64,
    pub refresh_token_lifetime_secs: u64,
    /// Serve `/security/sandbox/faults`, which switches the sandbox's token endpoints to answer
    /// as a UPS that pushes back (429 with or without `Retry-After`, 403 Blocked Merchant, 401
    /// invalid client, slow answers): for tests and benchmarks. Off by default.
    pub faults: bool,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            allow_remote: false,
            code_lifetime_secs: 300,
            access_token_lifetime_secs: 14_399,
            refresh_token_lifetime_secs: 5_183_999,
            faults: false,
        }
    }
}
