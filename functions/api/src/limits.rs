//! Per-user limits at the API boundary: one more action of a user counted against a limit
//! (`store::rate`), and the 429 (`Retry-After`: the end of the window) when it is reached.
//! Chat frames (messages, typing, read markers), the actions that make the service send
//! email, and the phone calls advisors place all go through here.

use chrono::{DateTime, Utc};
use store::rate::{Counted, Limit, Window};
use store::Store;

use crate::error::ApiError;

/// Actions that make the service send email (book, cancel, reschedule, convoke, in-person
/// requests and their answers): `MAIL_ACTIONS_PER_HOUR` per user (default 30).
pub fn mail_actions(max: u32) -> Limit {
    Limit { scope: "mail", max, window: Window::Hour }
}

/// Phone calls an advisor places (click to call, dial-in): `CALLS_PER_HOUR` per advisor
/// (default 30); each rings two phones and may send the seeker an SMS.
pub fn calls(max: u32) -> Limit {
    Limit { scope: "call", max, window: Window::Hour }
}

/// Counts one action of `user_id`; over the limit, a 429 with `code` and `message`.
pub async fn enforce(
    store: &Store,
    user_id: &str,
    limit: &Limit,
    now: DateTime<Utc>,
    code: &'static str,
    message: impl FnOnce(&Limit) -> String,
) -> Result<(), ApiError> {
    match store.count_action(user_id, limit, now).await? {
        Counted::Within => Ok(()),
        Counted::Over { retry_after_seconds } => {
            Err(ApiError::TooManyRequests { code, message: message(limit), retry_after_seconds })
        }
    }
}

/// Counts one action of `user_id` (429 over the limit), runs `action`, and gives the count back
/// unless it succeeded (a 2xx): counted before the action, so concurrent requests cannot pass
/// together, and only actions done count.
pub async fn counted<F>(
    store: &Store,
    user_id: &str,
    limit: &Limit,
    now: DateTime<Utc>,
    code: &'static str,
    message: impl FnOnce(&Limit) -> String,
    action: F,
) -> Result<lambda_http::Response<lambda_http::Body>, ApiError>
where
    F: std::future::Future<Output = Result<lambda_http::Response<lambda_http::Body>, ApiError>>,
{
    enforce(store, user_id, limit, now, code, message).await?;
    let result = action.await;
    if !result.as_ref().is_ok_and(|response| response.status().is_success()) {
        refund(store, user_id, limit, now).await;
    }
    result
}

/// Gives back an action counted by [`enforce`] that did not happen (refused or failed).
pub async fn refund(store: &Store, user_id: &str, limit: &Limit, now: DateTime<Utc>) {
    if let Err(error) = store.refund_action(user_id, limit, now).await {
        // The count stays one too high until the window ends: the safe side.
        ApiError::from(error).log();
    }
}
