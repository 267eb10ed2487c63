//! The claim every delivery of the outbox starts with, the same for emails and SMS: an item is
//! taken with a conditional update while it is `pending`, or `sending` under a lease that has
//! run out (its invocation died); the lease ends with the invocation ([`crate::lease_at`]), and
//! a retry that cannot send gives the item back.

use api::error::BoxError;
use chrono::{DateTime, Utc};
use domain::time::to_key;
use serde::de::DeserializeOwned;
use std::time::Duration;
use store::outbox::OutboxRecord;
use store::sms::SmsRecord;

use store::{from_item, n, s, Store, StoreError};

/// An item of the outbox a delivery claims.
pub(crate) trait Claimable: DeserializeOwned {
    /// Emails count their attempts on the item (`attempts`); SMS do not.
    const COUNTS_ATTEMPTS: bool;
    fn status(&self) -> &str;
}

impl Claimable for OutboxRecord {
    const COUNTS_ATTEMPTS: bool = true;
    fn status(&self) -> &str {
        &self.status
    }
}

impl Claimable for SmsRecord {
    const COUNTS_ATTEMPTS: bool = false;
    fn status(&self) -> &str {
        &self.status
    }
}

/// The item `pk`/`sk` claimed for this invocation, with the claim's lease and the instant it
/// was taken; or, when there is nothing to deliver, what the delivery answers: `OutOfTime`
/// (too little of the invocation left), `Skipped` (sent, failed for good, or erased), `Busy`
/// (another invocation holds a live claim).
pub(crate) async fn take<R: Claimable>(
    store: &Store,
    pk: &str,
    sk: &str,
    deadline: DateTime<Utc>,
) -> Result<Result<(Box<R>, Lease, DateTime<Utc>), Handled>, BoxError> {
    let now = Utc::now();
    let Some(lease) = lease_at(now, deadline) else {
        return Ok(Err(Handled::OutOfTime));
    };
    let claimed = store
        .update(pk, sk, |u| {
            let set = if R::COUNTS_ATTEMPTS {
                "SET #status = :sending, claimedUntil = :lease ADD attempts :one"
            } else {
                "SET #status = :sending, claimedUntil = :lease"
            };
            let u = u
                .update_expression(set)
                .condition_expression(
                    "attribute_exists(pk) AND (#status = :pending OR (#status = :sending AND claimedUntil < :now))",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":sending", s("sending"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":lease", s(&lease.stored))
                .expression_attribute_values(":now", s(to_key(now)));
            if R::COUNTS_ATTEMPTS {
                u.expression_attribute_values(":one", n(1))
            } else {
                u
            }
        })
        .await?;
    if let Some(item) = claimed {
        return Ok(Ok((Box::new(from_item(item)?), lease, now)));
    }
    match store.get::<R>(pk, sk).await? {
        // Gone (erased), sent, or refused for good: done either way.
        None => Ok(Err(Handled::Skipped)),
        Some(item) if item.status() == "sent" || item.status() == "failed" => Ok(Err(Handled::Skipped)),
        Some(_) => Ok(Err(Handled::Busy)),
    }
}

/// Gives the item back (`pending`) if this invocation still holds its claim, for a retry to
/// take; `Ok(false)` when the claim changed meanwhile. Otherwise the lease expires by itself
/// and a retry or the sweep takes the item over then.
pub(crate) async fn release(store: &Store, pk: &str, sk: &str, lease_until: &str) -> Result<bool, StoreError> {
    let released = store
        .update(pk, sk, |u| {
            u.update_expression("SET #status = :pending REMOVE claimedUntil")
                .condition_expression("#status = :sending AND claimedUntil = :lease")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":sending", s("sending"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":lease", s(lease_until))
        })
        .await?;
    Ok(released.is_some())
}

/// The longest a claim protects an email being sent (shorter when the invocation's deadline
/// comes first); past it, a retry or the sweep may take over.
pub const SEND_LEASE: Duration = Duration::from_secs(20);
/// The SES call ends this long before the lease does, so an invocation whose clock runs a
/// little ahead never takes over a claim whose holder is still talking to SES.
pub const CLOCK_SKEW: Duration = Duration::from_secs(2);
/// No claim is taken with less time than this left for the SES call.
const MIN_SEND_TIME: Duration = Duration::from_secs(1);

/// What happened to one email.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Sent,
    /// Already accepted by SES (its message id was kept) but not recorded as sent: recorded
    /// now, not sent again.
    Recorded,
    /// Refused for good by SES (or unsendable): marked `failed`, not retried.
    Rejected,
    /// Not an outbox insert, already sent or failed, or erased meanwhile.
    Skipped,
    /// Another invocation holds a live claim on it.
    Busy,
    /// Too little of this invocation is left to send it safely.
    OutOfTime,
}

/// A claim this invocation holds: its lease as stored, and until when the SES call may run.
pub(crate) struct Lease {
    pub(crate) stored: String,
    pub(crate) send_by: DateTime<Utc>,
}

/// The lease of a claim taken at `now`: until the invocation's deadline, at most
/// [`SEND_LEASE`]; `None` when too little time is left to send.
pub(crate) fn lease_at(now: DateTime<Utc>, deadline: DateTime<Utc>) -> Option<Lease> {
    let until = deadline.min(now + chrono::Duration::from_std(SEND_LEASE).ok()?);
    let send_by = until - chrono::Duration::from_std(CLOCK_SKEW).ok()?;
    (send_by - now >= chrono::Duration::from_std(MIN_SEND_TIME).ok()?).then(|| Lease { stored: to_key(until), send_by })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_ends_with_the_invocation_and_the_ses_call_before_it() {
        let now = Utc::now();
        let seconds = chrono::Duration::seconds;
        // email-dispatch (10 s timeout): the lease is the invocation's deadline, shorter than its timeout.
        let lease = lease_at(now, now + seconds(10)).expect("time enough");
        assert_eq!(lease.stored, to_key(now + seconds(10)));
        assert_eq!(lease.send_by, now + seconds(8));
        // The sweep (60 s timeout): at most SEND_LEASE, whatever is left of the run.
        let lease = lease_at(now, now + seconds(60)).expect("time enough");
        assert_eq!(lease.stored, to_key(now + seconds(20)));
        // Too little time left: no claim at all.
        assert!(lease_at(now, now + seconds(2)).is_none());
        assert!(lease_at(now, now - seconds(1)).is_none());
    }
}
