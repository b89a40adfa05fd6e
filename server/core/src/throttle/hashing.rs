//! The queue of password hashes: Argon2 is slow and memory-hungry by design, so a flood of
//! sign-ins waits its turn for a few threads, or is shed at once, rather than taking the machine.

use crate::error::CoreError;
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

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
