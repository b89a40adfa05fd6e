//! Answers the token API gives again and again, kept in memory for a moment: the live API key a
//! bearer presents, whether a limited key reaches a company, and a company's decrypted fresh
//! access token. An entry is used only while the store has changed nothing since it was read
//! (the store counts its writes, [`crate::store::Store::generation`]) and for at most `ttl`, which
//! bounds what another process (the command line, another instance) can leave stale. Callers
//! that miss the same entry at once (every caller, the moment an entry runs out under load) read
//! it once: the first reads while the others wait for its turn ([`Cache::loading`]) and then find
//! what it kept.

use std::{
    collections::HashMap,
    hash::{BuildHasher, Hash, RandomState},
    sync::RwLock,
    time::{Duration, Instant},
};
use tokio::sync::{Mutex, MutexGuard};

/// Past this many entries the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 50_000;
/// Reads of missing entries take turns in this many lanes, by key: the same key always in the
/// same lane, different keys mostly in different ones.
const LANES: usize = 64;

pub struct Cache<K, V> {
    entries: RwLock<HashMap<K, (V, u64, Instant)>>,
    ttl: Duration,
    lanes: Vec<Mutex<()>>,
    lane_of: RandomState,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            ttl,
            lanes: (0..LANES).map(|_| Mutex::new(())).collect(),
            lane_of: RandomState::new(),
        }
    }

    /// The turn to read `key` from the store after a miss: held while reading and keeping it, so
    /// whoever missed it too waits, asks `get` again, and finds it there. Never held across
    /// anything slower than that read.
    pub async fn loading(&self, key: &K) -> MutexGuard<'_, ()> {
        let lane = self.lane_of.hash_one(key) as usize % LANES;
        self.lanes[lane].lock().await
    }

    /// The value kept for `key`, if it was read at `generation` less than `ttl` ago.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (value, read_at, at) = entries.get(key)?;
        (*read_at == generation && at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Keeps `value`, read when the store was at `generation`.
    pub fn insert(&self, key: K, value: V, generation: u64) {
        let mut entries = self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (value, generation, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn callers_that_miss_together_read_once() {
        let cache = Arc::new(Cache::new(Duration::from_secs(5)));
        let reads = Arc::new(AtomicUsize::new(0));
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let (cache, reads) = (cache.clone(), reads.clone());
                tokio::spawn(async move {
                    if let Some(value) = cache.get(&"key", 1) {
                        return value;
                    }
                    let _turn = cache.loading(&"key").await;
                    if let Some(value) = cache.get(&"key", 1) {
                        return value;
                    }
                    reads.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    cache.insert("key", 7, 1);
                    7
                })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), 7);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for 50 callers");
    }

    #[test]
    fn an_entry_lasts_until_the_store_changes_or_its_time_is_up() {
        let cache = Cache::new(Duration::from_millis(50));
        cache.insert("key", 7, 1);
        assert_eq!(cache.get(&"key", 1), Some(7));
        assert_eq!(cache.get(&"key", 2), None, "a write since");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&"key", 1), None, "too old");
    }
}
