//! The invocation's deadline, set once per request at the boundary (`api::deadline`) and read
//! here by the retry driver and by every DynamoDB call, so a request answers its own 503 before
//! Lambda's timeout instead of API Gateway answering a 5xx after a write that may have committed.
//!
//! Two instants follow from the deadline: *answer by* (the deadline less [`ANSWER_MARGIN`]),
//! where every SDK call's operation timeout ends; and *work by* (answer by less
//! [`WRAP_UP_RESERVE`]), after which the retry driver starts nothing and cuts an attempt still
//! running, so what follows a failed transaction (giving back a counted action, an error frame)
//! still has time. Outside a deadline (scheduled and stream functions, unit tests) nothing is cut.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;

/// Kept between the answer and the invocation's end: the response still has to leave the sandbox.
pub const ANSWER_MARGIN: Duration = Duration::from_millis(500);
/// Kept between the last transaction attempt and the answer, for the work after a failure.
pub const WRAP_UP_RESERVE: Duration = Duration::from_millis(1000);

tokio::task_local! {
    /// The instant the invocation ends (Lambda's deadline), for the request's task.
    static DEADLINE: Instant;
}

/// Converts the Lambda context's deadline (wall clock) to a monotonic instant; `None` for the
/// zero a context without a deadline carries, and for one already past when the invocation
/// starts: Lambda gives the function's whole timeout, so that is a runtime that sends no real
/// deadline (cargo-lambda's Runtime API emulator, the lambda-smoke phase's), as
/// `email_dispatch::deadline_of` reads it too.
pub fn instant_of(deadline: SystemTime) -> Option<Instant> {
    let left = deadline.duration_since(SystemTime::now()).ok().filter(|left| !left.is_zero())?;
    Some(Instant::now() + left)
}

/// Runs `work` under `deadline` (the invocation's end), or with none.
pub async fn within<F: Future>(deadline: Option<Instant>, work: F) -> F::Output {
    match deadline {
        Some(deadline) => DEADLINE.scope(deadline, work).await,
        None => work.await,
    }
}

/// The instant the answer is due, if the current task runs under a deadline.
pub fn answer_by() -> Option<Instant> {
    DEADLINE.try_with(|deadline| deadline.checked_sub(ANSWER_MARGIN).unwrap_or(*deadline)).ok()
}

/// The instant after which no transaction attempt runs, if the task runs under a deadline.
pub fn work_by() -> Option<Instant> {
    answer_by().map(|at| at.checked_sub(WRAP_UP_RESERVE).unwrap_or(at))
}

/// Time left until [`work_by`]; `None` without a deadline.
pub fn work_time_left() -> Option<Duration> {
    work_by().map(|at| at.saturating_duration_since(Instant::now()))
}

/// `base` (a client's own timeouts) with the operation timeout ended at [`answer_by`] at the
/// latest: the SDK's retries and pauses of this call then stop in time. `None` (keep the
/// client's) without a deadline.
pub fn capped_timeouts(base: Option<&TimeoutConfig>) -> Option<TimeoutConfig> {
    let left = answer_by()?.saturating_duration_since(Instant::now());
    let operation = base.and_then(TimeoutConfig::operation_timeout).map_or(left, |own| own.min(left));
    let builder = base.map_or_else(TimeoutConfig::builder, TimeoutConfig::to_builder);
    Some(builder.operation_timeout(operation).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deadline_caps_the_operation_timeout_and_nothing_without_one() {
        assert!(capped_timeouts(None).is_none());
        assert!(work_time_left().is_none());
        let base = TimeoutConfig::builder().connect_timeout(Duration::from_secs(3)).build();
        let deadline = Instant::now() + Duration::from_secs(4);
        within(Some(deadline), async {
            let capped = capped_timeouts(Some(&base)).unwrap();
            let operation = capped.operation_timeout().unwrap();
            assert!(
                operation <= Duration::from_millis(3500) && operation > Duration::from_millis(3000),
                "{operation:?}"
            );
            assert_eq!(capped.connect_timeout(), Some(Duration::from_secs(3)), "the client's own timeouts stay");
            let left = work_time_left().unwrap();
            assert!(left <= Duration::from_millis(2500) && left > Duration::from_millis(2000), "{left:?}");
        })
        .await;
        // A shorter operation timeout of the client's own is kept.
        let short = TimeoutConfig::builder().operation_timeout(Duration::from_secs(1)).build();
        within(Some(deadline), async {
            assert_eq!(capped_timeouts(Some(&short)).unwrap().operation_timeout(), Some(Duration::from_secs(1)));
        })
        .await;
    }

    #[test]
    fn a_zero_or_past_deadline_is_no_deadline() {
        assert!(instant_of(SystemTime::UNIX_EPOCH).is_none());
        assert!(instant_of(SystemTime::now() - Duration::from_secs(1)).is_none());
        let soon = instant_of(SystemTime::now() + Duration::from_secs(10)).unwrap();
        assert!(soon > Instant::now() + Duration::from_secs(9));
    }
}
