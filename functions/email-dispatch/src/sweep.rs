//! The `email-sweep` function (EventBridge schedule): the emails the stream left behind are
//! sent, or failed for good, within minutes. The stream's retries are a fast path, not the
//! guarantee: an SES outage longer than them, an invocation that died holding a claim, or a
//! "mark sent" that failed all leave an outbox item `pending` or `sending`, and such items
//! stay in the open-outbox index (GSI1 `OUTBOX_OPEN#<shard>`, sparse: an item leaves it when
//! it is sent or failed). The sweep reads that index, shard by shard, oldest first, never the
//! table.
//!
//! An email written more than [`PENDING_GRACE`] before the event's `time` (the stream's normal
//! path takes seconds) goes through the very claim, send and mark code of the stream
//! ([`crate::deliver`]): the claim takes only a `pending` email or a `sending` one whose lease
//! has passed (by the real clock, whatever the event's `time`), so the sweep never sends what
//! an invocation is sending now, and the stream and the sweep together send each email once.
//! An email SES already accepted (its message id kept by a failed "mark sent") is recorded,
//! not sent again. An email written more than [`GIVE_UP_AFTER`] before `time` and still not
//! sent is failed for good (`undeliverable`, the `email_failed` journal entry, the
//! `EmailsAbandoned` metric and its alarm).
//!
//! The outbox SMS (`OUTBOX#SMS#`) are in the same index and go the same way, through the
//! stream's SMS path ([`sms::deliver`]); one still unsent [`GIVE_UP_AFTER`] after its
//! `notBefore` is failed for good ([`sms::abandon`]: `sms_not_sent`, the same metric).

use std::collections::HashMap;

use api::error::error_chain;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use domain::time::to_key;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;
use store::keys;
use store::outbox::OutboxRecord;
use store::page::decode_cursor;
use store::sms::SmsRecord;
use store::{from_item, Index, Page};

use crate::app::App;
use crate::claim::Handled;
use crate::email::{abandon, deliver};
use crate::sms;

/// How long after it was written an email still waits for the stream alone.
pub const PENDING_GRACE: chrono::Duration = chrono::Duration::minutes(2);
/// How long an email is tried before it is failed for good (as long as the stream mapping
/// keeps a record: `MaximumRecordAgeInSeconds` 86400).
pub const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// Emails read from the index at a time.
const PAGE: i32 = 100;
/// Emails handled at once.
const CONCURRENCY: usize = 8;
/// A run stops taking new pages this long before its deadline; the next run goes on.
const STOP_BEFORE_DEADLINE: chrono::Duration = chrono::Duration::seconds(5);

/// What one run did, by outcome.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Swept {
    /// Sent by this run.
    pub sent: usize,
    /// Accepted by SES before (message id kept), recorded as sent now.
    pub recorded: usize,
    /// Failed for good: refused by SES, or not sent in time.
    pub failed: usize,
    /// Being sent by another invocation right now (live lease): left alone.
    pub busy: usize,
    /// Sent or failed meanwhile, or erased.
    pub done: usize,
    /// Not sent this time (SES or DynamoDB failing): tried again by the next run.
    pub retried: usize,
    /// Not reached before the deadline: the next run goes on.
    pub left: bool,
}

/// One run, as of the event's `time`: every shard, oldest first within each.
pub async fn handle(
    app: &App,
    event: EventBridgeEvent<Value>,
    deadline: DateTime<Utc>,
) -> Result<Swept, lambda_runtime::Error> {
    // Every DynamoDB call of the run ends before the invocation does (see `crate::handle`).
    crate::app::within_deadline(deadline, sweep(app, event, deadline)).await
}

async fn sweep(
    app: &App,
    event: EventBridgeEvent<Value>,
    deadline: DateTime<Utc>,
) -> Result<Swept, lambda_runtime::Error> {
    let as_of = event.time.unwrap_or_else(Utc::now);
    let stuck_before = to_key(as_of - PENDING_GRACE);
    let give_up_before = as_of - GIVE_UP_AFTER;
    let mut swept = Swept::default();
    tracing::info!(time_left_ms = (deadline - Utc::now()).num_milliseconds(), "email sweep started");
    // A backlog bigger than one run (a long outage at the peak) drains over several runs: each
    // starts at another shard, so no shard waits behind all the others.
    let first =
        u32::try_from(as_of.timestamp().div_euclid(300).rem_euclid(i64::from(keys::OUTBOX_OPEN_SHARDS))).unwrap_or(0);
    for shard in (0..keys::OUTBOX_OPEN_SHARDS).map(|n| (first + n) % keys::OUTBOX_OPEN_SHARDS) {
        let mut start_key: Option<HashMap<_, _>> = None;
        loop {
            if Utc::now() + STOP_BEFORE_DEADLINE >= deadline {
                swept.left = true;
                break;
            }
            let page = Page { limit: PAGE, start_key: start_key.take(), list: None };
            let (items, next) = app
                .store
                .query(Index::Gsi1, keys::outbox_open_gsi1pk(shard))
                .sk_before(stuck_before.clone())
                .page(&page)
                .await?;
            let open: Vec<Open> = items.into_iter().map(Open::of).collect::<Result<_, _>>()?;
            let runs: Vec<_> = open.iter().map(|item| sweep_one(app, item, give_up_before, deadline)).collect();
            let outcomes: Vec<_> = stream::iter(runs).buffer_unordered(CONCURRENCY).collect().await;
            for outcome in outcomes {
                match outcome {
                    Ok(Handled::Sent) => swept.sent += 1,
                    Ok(Handled::Recorded) => swept.recorded += 1,
                    Ok(Handled::Rejected) => swept.failed += 1,
                    Ok(Handled::Busy) => swept.busy += 1,
                    Ok(Handled::Skipped) => swept.done += 1,
                    Ok(Handled::OutOfTime) => swept.left = true,
                    Err(error) => {
                        tracing::warn!(error = %error_chain(error.as_ref()), "stuck email not sent; the next run tries again");
                        swept.retried += 1;
                    }
                }
            }
            match next {
                Some(cursor) => start_key = Some(decode_cursor(&cursor)?),
                None => break,
            }
        }
    }
    tracing::info!(?swept, "email sweep done");
    Ok(swept)
}

/// An item of the open-outbox index: an email, or an SMS (`OUTBOX#SMS#`, sent by [`sms`]).
enum Open {
    Email(Box<OutboxRecord>),
    Sms(Box<SmsRecord>),
}

impl Open {
    fn of(item: store::Item) -> Result<Open, store::StoreError> {
        let is_sms = item.get("sk").and_then(|sk| sk.as_s().ok()).is_some_and(|sk| sms::is_sms(sk));
        Ok(if is_sms { Open::Sms(Box::new(from_item(item)?)) } else { Open::Email(Box::new(from_item(item)?)) })
    }
}

async fn sweep_one(
    app: &App,
    item: &Open,
    give_up_before: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<Handled, api::error::BoxError> {
    match item {
        Open::Email(email) if email.ses_message_id.is_none() && email.created_at < give_up_before => {
            abandon(app, &email.pk, &email.sk, deadline).await
        }
        Open::Email(email) => deliver(app, &email.pk, &email.sk, deadline).await,
        // An SMS's age counts from when it may go (a deferred one waited out the quiet hours).
        Open::Sms(text) if text.not_before < give_up_before => sms::abandon(app, &text.pk, &text.sk, deadline).await,
        Open::Sms(text) => sms::deliver(app, &text.pk, &text.sk, deadline).await,
    }
}
