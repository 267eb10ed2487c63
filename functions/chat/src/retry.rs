//! Retrying after a transaction conflict.

use std::time::Duration;

/// A random, growing pause after a transaction conflict (two writers on one conversation).
pub async fn backoff(attempt: u32) {
    let ceiling_ms = 4u64 << attempt.min(6);
    let jitter = (ulid::Ulid::new().random() % u128::from(ceiling_ms)) as u64;
    tokio::time::sleep(Duration::from_millis(jitter + 1)).await;
}
