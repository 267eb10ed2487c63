//! The `email-dispatch` function: sends the outbox emails that appear on the
//! table stream, once each; and the `email-sweep` function ([`sweep`]), which sends or fails
//! for good the emails the stream left behind.
//!
//! Each email is claimed with a conditional update (pending to sending, with a
//! lease) before SES is called, so a record delivered twice, or by two
//! concurrent invocations, or by the stream and the sweep, sends once. The lease ends with
//! the invocation that holds it (its deadline, at most [`SEND_LEASE`] after the claim), and
//! the SES call is cut [`CLOCK_SKEW`] before it, so a claim whose lease has passed belongs to
//! nobody: a retry or the sweep takes it over. A failed send releases the claim and reports
//! the record as a batch item failure: Lambda retries it; an email the retries could not
//! send stays in the open-outbox index, where the sweep finds it. Never dropped, with one
//! exception: a message SES refuses for good (rejected, an invalid address) is marked
//! `failed` at once, with an `email_failed` journal entry and the log line the
//! `EmailsRejected` metric counts, so it neither retries in vain nor holds the shard back.

mod app;
mod claim;
mod email;
pub mod render;
pub mod ses;
pub mod sms;
pub mod sns;
pub mod sweep;

use api::error::{error_chain, BoxError};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use store::keys;
use store::outbox::OutboxRecord;

use crate::app::within_deadline;
use crate::email::deliver;

pub use app::{deadline_of, App};
pub use claim::{Handled, CLOCK_SKEW, SEND_LEASE};

/// Emails of one batch sent at once.
const CONCURRENCY: usize = 8;

/// One stream record's sequence number and what became of it.
type RecordResult = (Option<String>, Result<Handled, BoxError>);

/// Handles one batch, within the invocation's `deadline`; the failed records are reported
/// for a retry.
pub async fn handle(
    app: &App,
    event: Event,
    deadline: DateTime<Utc>,
) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    // Futures built by a named async fn (not a closure) keep the handler future `Send`.
    let sends: Vec<_> = event.records.iter().map(|record| process_keyed(app, record, deadline)).collect();
    // Under the invocation's deadline, every DynamoDB call's operation timeout ends before it: a
    // call that hangs fails in time and its record is retried, instead of the invocation running
    // into Lambda's timeout and the shard waiting for a whole retry of the batch.
    // Boxed as `Send` here, where its lifetimes are concrete: the compiler cannot prove the
    // combinator's future `Send` for every lifetime once it is handed to another function.
    let work: futures::future::BoxFuture<'_, Vec<RecordResult>> =
        Box::pin(stream::iter(sends).buffered(CONCURRENCY).collect());
    let results = within_deadline(deadline, work).await;
    let mut response = DynamoDbEventResponse::default();
    for (sequence_number, result) in results {
        let error: BoxError = match result {
            Ok(Handled::Sent | Handled::Recorded) => {
                tracing::info!("outbox email sent");
                continue;
            }
            Ok(Handled::Rejected | Handled::Skipped) => continue,
            Ok(Handled::Busy) => "another invocation is sending this outbox item".into(),
            Ok(Handled::OutOfTime) => "too little time left in the invocation to send this email".into(),
            Err(error) => error,
        };
        tracing::error!(error = %error_chain(error.as_ref()), "outbox email not sent; reported for retry");
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = sequence_number;
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}

async fn process_keyed(
    app: &App,
    record: &EventRecord,
    deadline: DateTime<Utc>,
) -> (Option<String>, Result<Handled, BoxError>) {
    (record.change.sequence_number.clone(), process(app, record, deadline).await)
}

fn sort_key(record: &EventRecord) -> Option<String> {
    serde_dynamo::from_item::<_, serde_json::Value>(record.change.keys.clone())
        .ok()
        .and_then(|keys| keys.get("sk").and_then(|v| v.as_str()).map(str::to_owned))
}

fn is_outbox_insert(record: &EventRecord) -> bool {
    record.event_name == "INSERT" && sort_key(record).is_some_and(|sk| sk.starts_with(keys::OUTBOX_PREFIX))
}

/// Sends the email of one stream record, at most once.
pub async fn process(app: &App, record: &EventRecord, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    if !is_outbox_insert(record) {
        return Ok(Handled::Skipped);
    }
    // SMS share the outbox and its stream; the `sms` module sends them.
    if sort_key(record).is_some_and(|sk| sms::is_sms(&sk)) {
        return sms::process(app, record, deadline).await;
    }
    let outbox: OutboxRecord = serde_dynamo::from_item(record.change.new_image.clone())?;
    deliver(app, &outbox.pk, &outbox.sk, deadline).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_outbox_inserts_are_handled() {
        let record = |name: &str, sk: &str| -> EventRecord {
            serde_json::from_value(serde_json::json!({
                "eventID": "1", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
                "dynamodb": {"ApproximateCreationDateTime": 1.7e9, "Keys": {"pk": {"S": "SEEKER#1"}, "sk": {"S": sk}},
                             "NewImage": {}, "SequenceNumber": "1", "SizeBytes": 10, "StreamViewType": "NEW_IMAGE"},
                "eventSourceARN": "arn"
            }))
            .unwrap()
        };
        assert!(is_outbox_insert(&record("INSERT", "OUTBOX#01")));
        assert!(!is_outbox_insert(&record("MODIFY", "OUTBOX#01")));
        assert!(!is_outbox_insert(&record("INSERT", "PROFILE")));
    }
}
