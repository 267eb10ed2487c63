//! The suites used to run one area per process, so the tests that load the whole stack
//! (hundreds of concurrent requests, thousands of items, a timed burst) overlapped only with
//! their own area's. In one binary they would all overlap, and on a small machine DynamoDB
//! Local then answers slowly enough for the product's retry budget to give up (503) and for a
//! timed burst to miss its minute. They take this lock first, so they run one at a time while
//! the other tests go on beside them.

use tokio::sync::{Mutex, MutexGuard};

static LOAD: Mutex<()> = Mutex::const_new(());

/// Held for the whole of a test that loads the stack; no two such tests overlap.
pub async fn exclusive_load() -> MutexGuard<'static, ()> {
    LOAD.lock().await
}
