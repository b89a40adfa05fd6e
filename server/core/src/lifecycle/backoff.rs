//! How long to wait before asking UPS again after a failed refresh.

use rand::Rng;

/// Backoff for the n-th consecutive failure: 30 s doubling to at most 30 min, ±25 % jitter so
/// that many authorizations failing together do not retry together.
pub fn retry_delay(failures: u32) -> i64 {
    let base = 30_i64.saturating_mul(1 << failures.saturating_sub(1).min(6)).min(30 * 60);
    let jitter = rand::thread_rng().gen_range(-(base / 4)..=base / 4);
    (base + jitter).max(1)
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        for _ in 0..100 {
            let first = retry_delay(1);
            assert!((23..=38).contains(&first), "{first}");
            let third = retry_delay(3);
            assert!((90..=150).contains(&third), "{third}");
            assert!(retry_delay(50) <= 30 * 60 + 30 * 60 / 4);
        }
    }
}
