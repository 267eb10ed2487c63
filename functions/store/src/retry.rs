//! The one retry driver of every transaction: an attempt reads what it needs, builds its
//! transaction, commits it and says how that went; the driver pauses after a lost race and
//! gives up with a 503-class error within its budget and within the invocation's deadline
//! ([`crate::deadline`]): no attempt starts or keeps running after the deadline's *work by*, so
//! the request answers itself, never after the Lambda timeout.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::deadline;
use crate::error::StoreError;

/// How one attempt ended.
#[derive(Debug)]
pub enum Step<T> {
    /// Committed, or refused for good: the driver returns this.
    Done(T),
    /// Lost a race with a concurrent writer of the same items: pause, then try again.
    Retry,
    /// What the attempt read has changed (a guard failed): read again at once.
    Reread,
}

/// How long the driver keeps trying.
#[derive(Debug, Clone, Copy)]
pub struct Retrying {
    pub max_attempts: u32,
    /// Total time spent in attempts and pauses, kept well under the function's timeout (10 s)
    /// so a contended request answers 503 itself instead of API Gateway timing out after a
    /// write that may have committed.
    pub budget: Duration,
}

impl Default for Retrying {
    fn default() -> Self {
        Retrying { max_attempts: 40, budget: Duration::from_secs(6) }
    }
}

impl Retrying {
    /// At most `max_attempts`, within the default budget.
    pub fn attempts(max_attempts: u32) -> Retrying {
        Retrying { max_attempts, ..Retrying::default() }
    }
}

/// Runs `attempt` (given its attempt number) until it is done, pausing with jittered backoff
/// after each `Retry`. `what` names the operation in the error when the budget runs out.
pub async fn transact_retrying<T, E, F, Fut>(what: &'static str, policy: Retrying, mut attempt: F) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Step<T>, E>>,
    E: From<StoreError>,
{
    let started = Instant::now();
    let mut n = 0;
    while n < policy.max_attempts && started.elapsed() < policy.budget {
        let outcome = match deadline::work_time_left() {
            None => attempt(n).await?,
            Some(left) if left.is_zero() => break,
            // An attempt still running at the deadline is cut: its commit, if sent, is one
            // transaction (all or nothing), and the answer is the same 503 as when it conflicts.
            Some(left) => match tokio::time::timeout(left, attempt(n)).await {
                Ok(outcome) => outcome?,
                Err(_) => return Err(out_of_time(what).into()),
            },
        };
        match outcome {
            Step::Done(value) => return Ok(value),
            Step::Retry => backoff(n).await,
            Step::Reread => {}
        }
        n += 1;
    }
    if deadline::work_time_left().is_some_and(|left| left.is_zero()) {
        return Err(out_of_time(what).into());
    }
    Err(StoreError::Unavailable(format!("{what} kept conflicting with concurrent writes").into()).into())
}

fn out_of_time(what: &'static str) -> StoreError {
    StoreError::Unavailable(format!("{what} did not finish before the invocation's deadline").into())
}

/// Waits a random, growing while (up to about a quarter of a second) after a transaction
/// conflict, so concurrent writers of the same items spread out before retrying; never past the
/// deadline's *work by*.
pub async fn backoff(attempt: u32) {
    let ceiling_ms = 4u64 << attempt.min(6);
    let jitter = (ulid::Ulid::new().random() % u128::from(ceiling_ms)) as u64;
    let pause = Duration::from_millis(jitter + 1);
    tokio::time::sleep(deadline::work_time_left().map_or(pause, |left| pause.min(left))).await;
}

/// Whether the deadline's *work by* has passed: a hand-written resend loop stops there.
pub fn out_of_work_time() -> bool {
    deadline::work_time_left().is_some_and(|left| left.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn retries_until_done_and_gives_up_with_unavailable() {
        let calls = Cell::new(0);
        let done: Result<u32, StoreError> = transact_retrying("t", Retrying::attempts(5), |n| {
            calls.set(calls.get() + 1);
            async move { Ok(if n < 2 { Step::Retry } else { Step::Done(n) }) }
        })
        .await;
        assert_eq!(done.unwrap(), 2);
        assert_eq!(calls.get(), 3);

        let calls = Cell::new(0);
        let exhausted: Result<(), StoreError> = transact_retrying("t", Retrying::attempts(4), |_| {
            calls.set(calls.get() + 1);
            async { Ok(Step::Reread) }
        })
        .await;
        assert!(matches!(exhausted, Err(StoreError::Unavailable(_))));
        assert_eq!(calls.get(), 4);
    }

    #[tokio::test]
    async fn the_deadline_ends_the_attempts_and_cuts_one_still_running() {
        // Work by is 1.5 s before the deadline: 1.7 s leaves 0.2 s of attempts.
        let deadline = Instant::now() + Duration::from_millis(1700);
        let started = Instant::now();
        let conflicting: Result<(), StoreError> = deadline::within(
            Some(deadline),
            transact_retrying("t", Retrying::attempts(1_000_000), |_| async { Ok(Step::Retry) }),
        )
        .await;
        assert!(matches!(&conflicting, Err(StoreError::Unavailable(e)) if e.to_string().contains("deadline")));
        assert!(started.elapsed() < Duration::from_millis(1000), "{:?}", started.elapsed());

        let deadline = Instant::now() + Duration::from_millis(1700);
        let started = Instant::now();
        let hanging: Result<(), StoreError> = deadline::within(
            Some(deadline),
            transact_retrying("t", Retrying::default(), |_| async {
                std::future::pending::<()>().await;
                Ok(Step::Done(()))
            }),
        )
        .await;
        assert!(matches!(hanging, Err(StoreError::Unavailable(_))));
        assert!(started.elapsed() < Duration::from_millis(1000), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn an_error_ends_at_once() {
        let calls = Cell::new(0);
        let failed: Result<(), StoreError> = transact_retrying("t", Retrying::default(), |_| {
            calls.set(calls.get() + 1);
            async { Err(StoreError::InvalidCursor) }
        })
        .await;
        assert!(matches!(failed, Err(StoreError::InvalidCursor)));
        assert_eq!(calls.get(), 1);
    }
}
