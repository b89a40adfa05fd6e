//! Sign-in throttling (server-only): how many password guesses a client may make, and how many
//! password hashes may wait for a thread.
//!
//! An attempt is *reserved* before its password is hashed, under one lock, so a burst of guesses
//! sent at once is counted as it arrives rather than after the slow hash (check-then-act would let
//! all of them through). Limits are per (sign-in name, client address) and per client address:
//! somebody elsewhere guessing an admin's name cannot lock that admin out, and past the free
//! attempts the wait doubles (backoff) instead of a fixed lock. What is kept is bounded by the
//! window: old attempts are forgotten.

use crate::error::CoreError;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
    time::Duration,
};

/// Failed sign-ins a client may make for one name within [`WINDOW`] before it backs off.
const FREE_PER_NAME: usize = 5;
/// Failed sign-ins one client address may make across all names within [`WINDOW`].
const PER_ADDRESS: usize = 30;
/// Seconds an attempt is remembered.
const WINDOW: i64 = 15 * 60;
/// The first wait once the free attempts are used; it doubles with every further failure.
const FIRST_BACKOFF: i64 = 30;

/// Sign-in names compare like the users table does: trimmed, case-insensitive.
fn name_key(sign_in_name: &str) -> String {
    sign_in_name.trim().to_lowercase()
}

#[derive(Default)]
struct Attempts {
    /// Unix seconds of recent attempts per (name, address): failed ones, and ones under way.
    by_name: HashMap<(String, IpAddr), Vec<i64>>,
    by_address: HashMap<IpAddr, Vec<i64>>,
}

impl Attempts {
    fn forget_before(&mut self, oldest: i64) {
        let prune = |times: &mut Vec<i64>| {
            times.retain(|at| *at > oldest);
            !times.is_empty()
        };
        self.by_name.retain(|_, times| prune(times));
        self.by_address.retain(|_, times| prune(times));
    }

    /// When this (name, address) may try again: free attempts first, then a doubling wait after
    /// the latest attempt.
    fn allowed_at(&self, key: &(String, IpAddr)) -> i64 {
        let Some(times) = self.by_name.get(key) else { return i64::MIN };
        if times.len() < FREE_PER_NAME {
            return i64::MIN;
        }
        let doublings = (times.len() - FREE_PER_NAME).min(5) as u32;
        let wait = (FIRST_BACKOFF << doublings).min(WINDOW);
        times.iter().max().copied().unwrap_or_default() + wait
    }
}

#[derive(Default)]
pub struct SignInThrottle {
    attempts: Mutex<Attempts>,
}

/// A reserved attempt: counted as a failure unless [`Reservation::succeeded`] or
/// [`Reservation::release`] says otherwise (a caller that vanishes mid-hash still counts).
#[must_use]
pub struct Reservation<'a> {
    throttle: &'a SignInThrottle,
    key: (String, IpAddr),
    at: i64,
}

impl SignInThrottle {
    /// Reserves one attempt for `sign_in_name` from `address`, or refuses it.
    pub fn reserve(&self, sign_in_name: &str, address: IpAddr, now: i64) -> Result<Reservation<'_>, CoreError> {
        let mut attempts = self.attempts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        attempts.forget_before(now - WINDOW);
        let key = (name_key(sign_in_name), address);
        let from_address = attempts.by_address.get(&address).map_or(0, Vec::len);
        if from_address >= PER_ADDRESS || now < attempts.allowed_at(&key) {
            return Err(CoreError::TooManyAttempts);
        }
        attempts.by_name.entry(key.clone()).or_default().push(now);
        attempts.by_address.entry(address).or_default().push(now);
        Ok(Reservation { throttle: self, key, at: now })
    }
}

impl Reservation<'_> {
    /// The password was right: this name's count from this address starts again.
    pub fn succeeded(self) {
        self.forget(true);
    }

    /// The attempt never got to check a password (the server was too busy): it does not count.
    pub fn release(self) {
        self.forget(false);
    }

    fn forget(self, whole_name: bool) {
        if let Ok(mut attempts) = self.throttle.attempts.lock() {
            if whole_name {
                attempts.by_name.remove(&self.key);
            } else if let Some(times) = attempts.by_name.get_mut(&self.key) {
                remove_one(times, self.at);
            }
            if let Some(times) = attempts.by_address.get_mut(&self.key.1) {
                remove_one(times, self.at);
            }
        }
    }
}

fn remove_one(times: &mut Vec<i64>, at: i64) {
    if let Some(index) = times.iter().position(|time| *time == at) {
        times.swap_remove(index);
    }
}

/// Argon2 costs 19 MiB and tens of milliseconds per call: at most `running` hashes run at once,
/// at most `waiting` more wait for a turn (each for at most `patience`); beyond that a sign-in is
/// shed at once with 503 rather than queueing without end behind a flood.
pub struct HashingQueue {
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    patience: Duration,
}

impl HashingQueue {
    pub fn new(running: usize, max_waiting: usize, patience: Duration) -> Self {
        Self {
            permits: tokio::sync::Semaphore::new(running.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            patience,
        }
    }

    /// Sized to the machine: one hash per core, eight waiting per core, two seconds of patience.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::new(cores, cores * 8, Duration::from_secs(2))
    }

    /// Runs `work` on a blocking thread once a permit is free, however long that takes: for the
    /// service's own hashing (new passwords, seeding), never for what a stranger can send.
    pub async fn run_patiently<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CoreError> {
        let _permit =
            self.permits.acquire().await.map_err(|_| CoreError::Unexpected("the hashing queue is closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| CoreError::Unexpected(format!("a hashing thread failed: {error}")))
    }

    /// Runs `work` on a blocking thread once a permit is free, or says the server is busy.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, CoreError> {
        let permit = match self.permits.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(CoreError::Busy);
                }
                let waited = tokio::time::timeout(self.patience, self.permits.acquire()).await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match waited {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(CoreError::Busy),
                }
            }
        };
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| CoreError::Unexpected(format!("a hashing thread failed: {error}")));
        drop(permit);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    fn fail(throttle: &SignInThrottle, name: &str, address: IpAddr, at: i64) -> Result<(), CoreError> {
        throttle.reserve(name, address, at).map(drop)
    }

    #[test]
    fn a_burst_is_counted_as_it_arrives() {
        let throttle = SignInThrottle::default();
        let reserved: Vec<_> = (0..300).map(|_| throttle.reserve("alice", HOME, 0)).filter_map(Result::ok).collect();
        assert_eq!(reserved.len(), FREE_PER_NAME, "only the free attempts get to hash a password");
    }

    #[test]
    fn guesses_elsewhere_do_not_lock_the_admin_out() {
        let throttle = SignInThrottle::default();
        for second in 0..5 {
            fail(&throttle, "Alice", ELSEWHERE, second).unwrap();
        }
        assert!(fail(&throttle, " ALICE ", ELSEWHERE, 10).is_err(), "names compare case-insensitively");
        let admin = throttle.reserve("alice", HOME, 10).expect("the admin's own address is not locked");
        admin.succeeded();
        assert!(fail(&throttle, "bob", ELSEWHERE, 10).is_ok(), "other names are unaffected");
    }

    #[test]
    fn past_the_free_attempts_the_wait_doubles() {
        let throttle = SignInThrottle::default();
        for second in 0..5 {
            fail(&throttle, "alice", ELSEWHERE, second).unwrap();
        }
        assert!(fail(&throttle, "alice", ELSEWHERE, 4 + 29).is_err());
        fail(&throttle, "alice", ELSEWHERE, 4 + 30).unwrap();
        assert!(fail(&throttle, "alice", ELSEWHERE, 34 + 59).is_err());
        fail(&throttle, "alice", ELSEWHERE, 34 + 60).unwrap();
        assert!(fail(&throttle, "alice", ELSEWHERE, 94 + 1).is_err());
        assert!(fail(&throttle, "alice", ELSEWHERE, 94 + WINDOW).is_ok(), "the window passes");
    }

    #[test]
    fn one_address_is_limited_across_names() {
        let throttle = SignInThrottle::default();
        for n in 0..PER_ADDRESS {
            fail(&throttle, &format!("user{n}"), ELSEWHERE, 0).unwrap();
        }
        assert!(fail(&throttle, "someone-else", ELSEWHERE, 1).is_err());
        assert!(fail(&throttle, "someone-else", HOME, 1).is_ok());
    }

    #[test]
    fn success_and_release_give_the_attempt_back() {
        let throttle = SignInThrottle::default();
        for second in 0..4 {
            fail(&throttle, "alice", HOME, second).unwrap();
        }
        throttle.reserve("alice", HOME, 5).unwrap().release();
        throttle.reserve("alice", HOME, 6).unwrap().succeeded();
        for second in 7..12 {
            fail(&throttle, "alice", HOME, second).unwrap();
        }
    }

    #[tokio::test]
    async fn the_hash_queue_sheds_load_instead_of_growing() {
        let queue = std::sync::Arc::new(HashingQueue::new(1, 2, Duration::from_secs(5)));
        let gate = std::sync::Arc::new(std::sync::Barrier::new(2));
        let running = {
            let (queue, gate) = (queue.clone(), gate.clone());
            tokio::spawn(async move { queue.run(move || drop(gate.wait())).await })
        };
        while queue.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let queue = queue.clone();
                tokio::spawn(async move { queue.run(|| ()).await })
            })
            .collect();
        while queue.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(queue.run(|| ()).await, Err(CoreError::Busy)), "a third waiter is shed");
        gate.wait();
        running.await.unwrap().unwrap();
        for waiter in waiters {
            waiter.await.unwrap().unwrap();
        }
    }
}
