//! Answers the token API gives again and again, kept in memory for a moment: the live API key a
//! bearer presents, whether a limited key reaches a company, and a company's decrypted fresh
//! access token. An entry is used only while the store has changed nothing since it was read
//! (the store counts its writes, [`crate::store::Store::generation`]) and for at most `ttl`, which
//! bounds what another process (the command line, another instance) can leave stale.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::RwLock,
    time::{Duration, Instant},
};

/// Past this many entries the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 50_000;

pub struct Cache<K, V> {
    entries: RwLock<HashMap<K, (V, u64, Instant)>>,
    ttl: Duration,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self { entries: RwLock::new(HashMap::new()), ttl }
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
