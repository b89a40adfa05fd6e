//! A user's sign-in sessions: opening one for a user who has proven who they are (a password and
//! any second factor, or an identity provider), the user's own list ("Where you're signed in":
//! the browser, the address, when each started and was last used) and ending one of them from
//! another. Checking the credentials is `accounts`', `factors`' and `sso`'s.

use crate::{
    clock::now,
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    store::SessionRecord,
    Core,
};
use model::{SessionHandle, SignInSession, UserId};
use std::net::IpAddr;

/// The longest User-Agent kept with a session: enough to name any browser, and no more.
pub const USER_AGENT_KEPT: usize = 256;

/// Opens a session for `user`, who has proven who they are (a password, or an identity
/// provider): its id, for the browser only. The browser's earlier session ends.
pub async fn start_session(
    core: &Core,
    user: UserId,
    (client, browser): (IpAddr, Browser<'_>),
) -> Result<SecretString, CoreError> {
    let token = random_token();
    let expires_at = now() + core.lifetimes.session.as_secs() as i64;
    let previous = browser.previous_session.map(token_hash);
    // What the user's own list of sessions shows: where the sign-in came from.
    let user_agent: String = browser.user_agent.chars().take(USER_AGENT_KEPT).collect();
    let origin = (user_agent.as_str(), client.to_string());
    core.store
        .open_session(user, &token_hash(token.expose()), previous.as_deref(), expires_at, (origin.0, &origin.1))
        .await?;
    Ok(token)
}

/// What the browser signing in brings besides the credentials.
#[derive(Clone, Copy, Debug, Default)]
pub struct Browser<'a> {
    /// Its User-Agent, kept for the user's list of sessions.
    pub user_agent: &'a str,
    /// The session it already had (ended, so a session id planted before sign-in is worthless).
    pub previous_session: Option<&'a str>,
    /// Its device cookie, from an earlier sign-in (see `throttle`).
    pub device: Option<&'a str>,
}

/// `user`'s live sessions, the most recently used first; `current` (the asking browser's session
/// id hash) is marked.
pub async fn list(core: &Core, user: UserId, current: &[u8]) -> Result<Vec<SignInSession>, CoreError> {
    let idle = core.lifetimes.session_idle.as_secs() as i64;
    let records = core.store.sessions_of(user, idle).await?;
    Ok(records
        .into_iter()
        .map(|SessionRecord { id_hash, user_agent, address, created_at, last_seen_at }| SignInSession {
            current: id_hash == current,
            handle: SessionHandle::new(hex(&id_hash)),
            browser: describe_browser(&user_agent),
            address,
            started_at: created_at,
            last_active_at: last_seen_at,
        })
        .collect())
}

/// Ends `user`'s session named by `handle`; `NotFound` when no live session of theirs has it
/// (ended already, or someone else's).
pub async fn end(core: &Core, user: UserId, handle: &SessionHandle) -> Result<(), CoreError> {
    let not_found = || CoreError::NotFound("That session".into());
    let id_hash = unhex(handle.as_str()).ok_or_else(not_found)?;
    match core.store.end_session_of(user, &id_hash).await? {
        true => {
            tracing::info!(user = user.get(), "ended one of the user's sessions");
            Ok(())
        }
        false => Err(not_found()),
    }
}

/// A User-Agent as a person reads it: "Firefox 133 on Windows", "Chrome 156 on Linux".
pub fn describe_browser(user_agent: &str) -> String {
    // Order matters: Edge and Opera say Chrome too, and Chrome says Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS.iter().find_map(|(marker, name)| {
        let version = user_agent.split(marker).nth(1)?;
        let major: String = version.chars().take_while(char::is_ascii_digit).collect();
        Some(if major.is_empty() { (*name).to_owned() } else { format!("{name} {major}") })
    });
    let system = SYSTEMS.iter().find(|(marker, _)| user_agent.contains(marker)).map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) if user_agent.trim().is_empty() => "Unknown browser".to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_as_people_know_them() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", "Chrome 156 on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari 17 on macOS"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge 131 on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 on iOS"),
            ("curl/8.5.0", "curl/8.5.0"),
            ("", "Unknown browser"),
        ];
        for (user_agent, expected) in cases {
            assert_eq!(describe_browser(user_agent), expected, "{user_agent}");
        }
    }

    #[test]
    fn a_handle_is_the_hex_of_a_hash_and_nothing_else() {
        let hash: Vec<u8> = (0..32).collect();
        assert_eq!(unhex(&hex(&hash)), Some(hash));
        for bad in ["", "00", &"zz".repeat(32), &"é".repeat(32), &"0".repeat(66)] {
            assert_eq!(unhex(bad), None, "{bad}");
        }
    }
}
