//! Sign-in throttling (server-only): how many password guesses a client may make, and how many
//! password hashes may wait for a thread.
//!
//! An attempt is *reserved* before its password is hashed, in one short transaction that holds
//! the client address (`Store::reserve_sign_in_attempt`), so a burst of guesses sent at once, to
//! one instance or to several sharing the database, is counted as it arrives rather than after
//! the slow hash (check-then-act would let all of them through). Limits are per (sign-in name,
//! client address) and per client address: somebody elsewhere guessing an admin's name cannot
//! lock that admin out, and past the free attempts the wait doubles (backoff) instead of a fixed
//! lock. Attempts older than the window are forgotten.
//!
//! Guesses spread over many addresses (a botnet, or a proxy that lets clients choose their
//! address) are bounded per name too: once [`PER_NAME_EVERYWHERE`] attempts for a name from all
//! addresses together are on record within the window, no browser new to the name has its
//! password checked until the oldest of them is forgotten, so at most that many guesses a window.
//! That would let a stranger hold the admin up, so a browser that has signed in as the name
//! before (its device cookie, [`DEVICE_LIFETIME`], kept as a hash) is not held by this bound: the
//! admin's own browser signs in as usual while the name is under attack. A browser new to the
//! name gets past the bound with one of the admin's recovery codes (50 random bits, which no
//! stranger can guess in 10 tries or in a million): it becomes a known browser, then gives the
//! password and the second factor as usual ([`crate::factors::unlock_browser`]). A second factor's wrong
//! answers are attempts like wrong passwords (`factors`), and a right password with a second step
//! to go clears nothing: knowing the password buys no more guesses at the code.
//!
//! Sessions and this throttle are written here rather than taken from a crate (tower-sessions,
//! governor): they must hold across several instances on one database, and count a burst as it
//! arrives, which in-memory limiters do not.

use crate::{
    error::CoreError,
    secret::{random_token, token_hash, SecretString},
    store::{Device, RecentAttempts, SignInDevices, Store},
};
use std::{net::IpAddr, time::Duration};

mod hashing;
pub use hashing::HashingQueue;

/// Failed sign-ins a client may make for one name within [`WINDOW`] before it backs off.
const FREE_PER_NAME: i64 = 5;
/// Failed sign-ins one client address may make across all names within [`WINDOW`].
const PER_ADDRESS: i64 = 30;
/// Failed sign-ins for one name from all addresses within [`WINDOW`] after which no browser new
/// to the name has its password checked until the oldest is forgotten.
pub const PER_NAME_EVERYWHERE: i64 = 10;
/// Seconds an attempt is remembered.
const WINDOW: i64 = 15 * 60;
/// How long a browser that signed in stays known to the throttle (its device cookie's lifetime).
pub const DEVICE_LIFETIME: Duration = Duration::from_secs(90 * 24 * 60 * 60);
/// The first wait once the free attempts are used; it doubles with every further failure.
const FIRST_BACKOFF: i64 = 30;

/// Sign-in names compare like the users table does: trimmed, case-insensitive.
fn name_key(sign_in_name: &str) -> String {
    sign_in_name.trim().to_lowercase()
}

/// What the throttle says to a client with `recent` attempts on record at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Allowed,
    /// The client has failed too often itself: it waits (the doubling backoff, or the address's limit).
    Wait,
    /// Only the bound across addresses stands in the way: the name is held for browsers new to it.
    Held,
}

/// Free attempts first, then a doubling wait after the latest one; never past the address's
/// limit, nor, for a browser new to the name (unless `hold` is waived), past the name's limit
/// across addresses.
fn verdict(recent: RecentAttempts, now: i64, hold: Hold) -> Verdict {
    if recent.from_address >= PER_ADDRESS || !after_backoff(recent.for_name, FREE_PER_NAME, recent.latest_for_name, now)
    {
        return Verdict::Wait;
    }
    let held = hold == Hold::Applies && !recent.known_device && recent.for_name_everywhere >= PER_NAME_EVERYWHERE;
    if held {
        Verdict::Held
    } else {
        Verdict::Allowed
    }
}

/// Whether the bound across addresses applies to an attempt: it does to a password, and not to
/// a recovery code that lets a new browser through it ([`crate::factors::unlock_browser`]), which
/// no stranger can guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    Applies,
    Waived,
}

/// Whether `count` attempts, the latest at `latest`, leave room for one more at `now`: the
/// `free` ones, then one after a wait that doubles with every further attempt.
fn after_backoff(count: i64, free: i64, latest: Option<i64>, now: i64) -> bool {
    if count < free {
        return true;
    }
    let doublings = (count - free).min(5) as u32;
    let wait = (FIRST_BACKOFF << doublings).min(WINDOW);
    now >= latest.unwrap_or_default() + wait
}

/// A reserved attempt: counted as a failure unless [`Reservation::succeeded`] or
/// [`Reservation::release`] says otherwise (a caller that vanishes mid-hash still counts).
#[must_use]
pub struct Reservation {
    store: Store,
    id: i64,
    name_key: String,
    address: String,
    /// The hash of the device cookie the browser sent, which a success replaces.
    device: Option<Vec<u8>>,
}

/// Reserves one attempt for `sign_in_name` from `address` by the browser with the device cookie
/// `device` (if it has one), or refuses it: `SignInHeld` when only the bound across addresses
/// stands in the way, `TooManyAttempts` otherwise.
pub async fn reserve(
    store: &Store,
    sign_in_name: &str,
    (address, device): (IpAddr, Option<&str>),
    now: i64,
) -> Result<Reservation, CoreError> {
    reserve_with(store, sign_in_name, (address, device), now, Hold::Applies).await
}

/// [`reserve`], with the bound across addresses applying or waived.
pub async fn reserve_with(
    store: &Store,
    sign_in_name: &str,
    (address, device): (IpAddr, Option<&str>),
    now: i64,
    hold: Hold,
) -> Result<Reservation, CoreError> {
    let (name_key, address) = (name_key(sign_in_name), address.to_string());
    let device_hash = device.map(token_hash);
    let device = device_hash.as_deref().map(|token_hash| Device {
        token_hash,
        known_since: now - DEVICE_LIFETIME.as_secs() as i64,
        spends_pass: hold == Hold::Applies,
    });
    let asking = (name_key.as_str(), address.as_str(), device);
    let mut said = Verdict::Wait;
    let reserved = store
        .reserve_sign_in_attempt(asking, now, now - WINDOW, |recent| {
            said = verdict(recent, now, hold);
            said == Verdict::Allowed
        })
        .await?;
    let id = reserved.ok_or(match said {
        Verdict::Held => CoreError::SignInHeld,
        _ => CoreError::TooManyAttempts,
    })?;
    Ok(Reservation { store: store.clone(), id, name_key, address, device: device_hash })
}

impl Reservation {
    /// The password was right: this name's count from this address starts again, and the
    /// browser gets a device cookie (answered, to be set) that the bound across addresses lets
    /// through from now on. It replaces the one the browser sent, so each browser has one row.
    pub async fn succeeded(self, now: i64) -> Result<SecretString, CoreError> {
        self.store.forget_sign_in_attempts(&self.name_key, &self.address).await?;
        self.new_device(None, now, now).await
    }

    /// A recovery code let the browser past the hold on the name: a device cookie (answered, to
    /// be set) good for one password check as a known browser, within [`WINDOW`]. The sign-in
    /// it finishes replaces it with an ordinary one. A stranger with a recovery code but not the
    /// password gets one guess per code, not a known browser to copy to every address.
    pub async fn let_through(self, now: i64) -> Result<SecretString, CoreError> {
        // Known for as long as an attempt is remembered: dated as if it were that old already.
        let dated = now - DEVICE_LIFETIME.as_secs() as i64 + WINDOW;
        self.new_device(Some(1), dated, now).await
    }

    async fn new_device(self, passes: Option<i64>, dated: i64, now: i64) -> Result<SecretString, CoreError> {
        let device = random_token();
        let devices = SignInDevices {
            name_key: &self.name_key,
            new: &token_hash(device.expose()),
            replaced: self.device.as_deref(),
            forget_before: now - DEVICE_LIFETIME.as_secs() as i64,
            passes,
        };
        self.store.remember_sign_in_device(devices, dated).await?;
        Ok(device)
    }

    /// The attempt never got to check a password (the server was too busy): it does not count.
    pub async fn release(self) -> Result<(), CoreError> {
        Ok(self.store.forget_sign_in_attempt(self.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::KeyRing;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    /// A store on a fresh SQLite file of its own.
    async fn store() -> (Store, std::path::PathBuf) {
        static FILES: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "optin-throttle-{}-{}",
            std::process::id(),
            FILES.fetch_add(1, Ordering::SeqCst)
        ));
        let ring = KeyRing::new(&KeyRing::generate_key(), &[]).unwrap();
        (Store::open(&dir.join("throttle.db"), ring).await.unwrap(), dir)
    }

    async fn fail(store: &Store, name: &str, address: IpAddr, at: i64) -> Result<(), CoreError> {
        reserve(store, name, (address, None), at).await.map(drop)
    }

    #[tokio::test]
    async fn a_burst_is_counted_as_it_arrives() {
        let (store, dir) = store().await;
        let burst = (0..100).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { reserve(&store, "alice", (HOME, None), 0).await.is_ok() })
        });
        let mut reserved = 0;
        for attempt in burst {
            reserved += usize::from(attempt.await.unwrap());
        }
        assert_eq!(reserved, FREE_PER_NAME as usize, "only the free attempts get to hash a password");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn guesses_elsewhere_do_not_lock_the_admin_out() {
        let (store, dir) = store().await;
        for second in 0..5 {
            fail(&store, "Alice", ELSEWHERE, second).await.unwrap();
        }
        assert!(fail(&store, " ALICE ", ELSEWHERE, 10).await.is_err(), "names compare case-insensitively");
        let admin = reserve(&store, "alice", (HOME, None), 10).await.expect("the admin's own address is not locked");
        admin.succeeded(10).await.unwrap();
        assert!(fail(&store, "bob", ELSEWHERE, 10).await.is_ok(), "other names are unaffected");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn past_the_free_attempts_the_wait_doubles() {
        let (store, dir) = store().await;
        for second in 0..5 {
            fail(&store, "alice", ELSEWHERE, second).await.unwrap();
        }
        assert!(fail(&store, "alice", ELSEWHERE, 4 + 29).await.is_err());
        fail(&store, "alice", ELSEWHERE, 4 + 30).await.unwrap();
        assert!(fail(&store, "alice", ELSEWHERE, 34 + 59).await.is_err());
        fail(&store, "alice", ELSEWHERE, 34 + 60).await.unwrap();
        assert!(fail(&store, "alice", ELSEWHERE, 94 + 1).await.is_err());
        assert!(fail(&store, "alice", ELSEWHERE, 94 + WINDOW).await.is_ok(), "the window passes");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn one_address_is_limited_across_names() {
        let (store, dir) = store().await;
        for n in 0..PER_ADDRESS {
            fail(&store, &format!("user{n}"), ELSEWHERE, 0).await.unwrap();
        }
        assert!(fail(&store, "someone-else", ELSEWHERE, 1).await.is_err());
        assert!(fail(&store, "someone-else", HOME, 1).await.is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn success_and_release_give_the_attempt_back() {
        let (store, dir) = store().await;
        for second in 0..4 {
            fail(&store, "alice", HOME, second).await.unwrap();
        }
        reserve(&store, "alice", (HOME, None), 5).await.unwrap().release().await.unwrap();
        reserve(&store, "alice", (HOME, None), 6).await.unwrap().succeeded(6).await.unwrap();
        for second in 7..12 {
            fail(&store, "alice", HOME, second).await.unwrap();
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_name_held_across_addresses_says_so_and_a_recovery_code_gets_past_it() {
        let (store, dir) = store().await;
        for n in 0..PER_NAME_EVERYWHERE {
            let address = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, n as u8));
            fail(&store, "alice", address, 0).await.unwrap();
        }
        let held = reserve(&store, "alice", (HOME, None), 1).await.map(drop);
        assert!(matches!(held, Err(CoreError::SignInHeld)), "{held:?}");
        let waived = reserve_with(&store, "alice", (HOME, None), 1, Hold::Waived).await.expect("not held");
        let device = waived.succeeded(1).await.unwrap();
        assert!(reserve(&store, "alice", (HOME, Some(device.expose())), 2).await.is_ok(), "a known browser now");
        for second in 0..5 {
            fail(&store, "bob", ELSEWHERE, second).await.unwrap();
        }
        let waiting = reserve_with(&store, "bob", (ELSEWHERE, None), 6, Hold::Waived).await.map(drop);
        assert!(matches!(waiting, Err(CoreError::TooManyAttempts)), "the backoff is never waived: {waiting:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn guesses_from_many_addresses_are_bounded_per_name_but_not_for_a_known_browser() {
        let (store, dir) = store().await;
        let admin = reserve(&store, "alice", (HOME, None), 0).await.unwrap();
        let device = admin.succeeded(0).await.unwrap();
        let mut reserved = 0;
        for n in 0..40u8 {
            let address = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, n));
            reserved += usize::from(reserve(&store, "alice", (address, None), 1).await.is_ok());
        }
        assert_eq!(reserved, PER_NAME_EVERYWHERE as usize, "one address each, but the name's bound holds");
        let stranger = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 99));
        assert!(fail(&store, "alice", stranger, 2).await.is_err(), "a new browser waits its turn");
        assert!(reserve(&store, "alice", (stranger, Some("made-up")), 2).await.is_err(), "an unknown cookie is none");
        let own = reserve(&store, "alice", (HOME, Some(device.expose())), 2).await;
        let device = own.expect("the admin's own browser is let through").succeeded(2).await.unwrap();
        let again = reserve(&store, "alice", (HOME, Some(device.expose())), 2).await;
        again.expect("the new cookie is known as the old one was").succeeded(2).await.unwrap();
        assert!(reserve(&store, "bob", (HOME, Some(device.expose())), 2).await.is_ok(), "other names are unaffected");
        assert!(fail(&store, "alice", stranger, WINDOW).await.is_err(), "no new browser's check within the window");
        assert!(fail(&store, "alice", stranger, WINDOW + 2).await.is_ok(), "once the guesses are forgotten, one more");
        let _ = std::fs::remove_dir_all(dir);
    }
}
