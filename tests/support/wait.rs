//! Waiting for what happens after an answer (the outbox's emails, `$disconnect`, Chime's events).

use std::future::Future;
use std::time::Duration;

/// Reads with `read` until `done` holds of what it read, at most `tries` times `pause` apart;
/// returns the last reading, so the caller's assertion shows what was there when time ran out.
pub async fn poll_until<T, F, Fut>(tries: usize, pause: Duration, mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut last = read().await;
    for _ in 1..tries {
        if done(&last) {
            break;
        }
        tokio::time::sleep(pause).await;
        last = read().await;
    }
    last
}
