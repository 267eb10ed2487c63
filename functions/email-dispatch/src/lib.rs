//! The `email-dispatch` function: sends the outbox emails that appear on the
//! table stream, once each.
//!
//! Each email is claimed with a conditional update (pending to sending, with a
//! lease) before SES is called, so a record delivered twice, or by two
//! concurrent invocations, sends once. A failed send releases the claim and
//! reports the record as a batch item failure: Lambda retries it, and after the
//! configured attempts it goes to the on-failure destination. Never dropped, with one
//! exception: a message SES refuses for good (rejected, an invalid address) is marked
//! `failed` at once, with an `email_failed` journal entry and the log line the
//! `EmailsRejected` metric counts, so it neither retries in vain nor holds the shard back.

pub mod render;
pub mod ses;
pub mod sms;
pub mod sns;

use std::time::Duration;

use crate::render::{RenderedEmail, Renderer};
use api::config::Config;
use api::error::{error_chain, BoxError};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use domain::time::to_key;
use futures::stream::{self, StreamExt};
use mail_builder::MessageBuilder;
use store::interview::record_convocation_sent;
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::update;
use store::{n, s, Item, Store, TransactOutcome, Tx};

use crate::ses::Ses;
use crate::sns::Sns;

/// How long a claim protects an email being sent; past it, a retry may take over.
const CLAIM_LEASE: Duration = Duration::from_secs(120);
/// Emails of one batch sent at once.
const CONCURRENCY: usize = 8;

pub struct App {
    pub store: Store,
    pub ses: Ses,
    pub sender: String,
    pub renderer: Renderer,
    pub retention_days: u32,
    /// SMS (module `sms`): SNS and the sender id they carry.
    pub sns: Sns,
    pub sms_sender_id: String,
}

impl App {
    pub async fn from_env() -> Result<App, lambda_runtime::Error> {
        let config = Config::from_env()?;
        let sdk = aws_config::load_from_env().await;
        Ok(App {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name.clone()),
            ses: Ses::new(&sdk),
            sender: config.sender_email.clone(),
            renderer: Renderer::new(),
            retention_days: config.retention_days,
            sns: Sns::new(&sdk),
            sms_sender_id: config.sms_sender_id.clone(),
        })
    }
}

/// What happened to one stream record.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Sent,
    /// Refused for good by SES (or unsendable): marked `failed`, not retried.
    Rejected,
    /// Not an outbox insert, already sent, or erased meanwhile.
    Skipped,
}

/// Handles one batch; the failed records are reported for a retry.
pub async fn handle(app: &App, event: Event) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    let now = Utc::now();
    // Futures built by a named async fn (not a closure) keep the handler future `Send`.
    let sends: Vec<_> = event.records.iter().map(|record| process_keyed(app, record, now)).collect();
    let results: Vec<(Option<String>, Result<Handled, BoxError>)> =
        stream::iter(sends).buffered(CONCURRENCY).collect().await;
    let mut response = DynamoDbEventResponse::default();
    for (sequence_number, result) in results {
        match result {
            Ok(Handled::Sent) => tracing::info!("outbox email sent"),
            Ok(Handled::Rejected) => {}
            Ok(Handled::Skipped) => {}
            Err(error) => {
                tracing::error!(error = %error_chain(error.as_ref()), "outbox email not sent; reported for retry");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence_number;
                response.batch_item_failures.push(failure);
            }
        }
    }
    Ok(response)
}

async fn process_keyed(
    app: &App,
    record: &EventRecord,
    now: DateTime<Utc>,
) -> (Option<String>, Result<Handled, BoxError>) {
    (record.change.sequence_number.clone(), process(app, record, now).await)
}

fn sort_key(record: &EventRecord) -> Option<String> {
    serde_dynamo::from_item::<_, serde_json::Value>(record.change.keys.clone())
        .ok()
        .and_then(|keys| keys.get("sk").and_then(|v| v.as_str()).map(str::to_owned))
}

fn is_outbox_insert(record: &EventRecord) -> bool {
    record.event_name == "INSERT" && sort_key(record).is_some_and(|sk| sk.starts_with(keys::OUTBOX_PREFIX))
}

/// Sends the email of one record, at most once.
pub async fn process(app: &App, record: &EventRecord, now: DateTime<Utc>) -> Result<Handled, BoxError> {
    if !is_outbox_insert(record) {
        return Ok(Handled::Skipped);
    }
    // SMS share the outbox and its stream; the `sms` module sends them.
    if sort_key(record).is_some_and(|sk| sms::is_sms(&sk)) {
        return sms::process(app, record, now).await;
    }
    let outbox: OutboxRecord = serde_dynamo::from_item(record.change.new_image.clone())?;
    let lease_until = to_key(now + chrono::Duration::from_std(CLAIM_LEASE)?);
    if !claim(app, &outbox, now, &lease_until).await? {
        return Ok(Handled::Skipped);
    }
    let sent = match send(app, &outbox).await {
        Ok(message_id) => message_id,
        Err(SendError::Permanent(code)) => {
            mark_failed(app, &outbox, now, &lease_until, code).await?;
            return Ok(Handled::Rejected);
        }
        Err(SendError::Retry(error)) => {
            release(app, &outbox, &lease_until).await;
            return Err(error);
        }
    };
    mark_sent(app, &outbox, now, &lease_until, &sent).await;
    Ok(Handled::Sent)
}

/// Takes the email for this invocation. `Ok(false)` when there is nothing to do
/// (sent already, or erased); an error when another invocation holds a live claim.
async fn claim(app: &App, outbox: &OutboxRecord, now: DateTime<Utc>, lease_until: &str) -> Result<bool, BoxError> {
    let claimed = app
        .store
        .update(&outbox.pk, &outbox.sk, |u| {
            u.update_expression("SET #status = :sending, claimedUntil = :lease")
                .condition_expression(
                    "attribute_exists(pk) AND (#status = :pending OR (#status = :sending AND claimedUntil < :now))",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":sending", s("sending"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":lease", s(lease_until))
                .expression_attribute_values(":now", s(to_key(now)))
        })
        .await?;
    if claimed.is_some() {
        return Ok(true);
    }
    let current: Option<OutboxRecord> = app.store.get(&outbox.pk, &outbox.sk).await?;
    match current {
        None => Ok(false),
        // Sent, or refused for good: done either way.
        Some(item) if item.status == "sent" || item.status == "failed" => Ok(false),
        Some(_) => Err("another invocation is sending this email".into()),
    }
}

/// Why an email was not sent: worth a retry, or never sendable.
enum SendError {
    Retry(BoxError),
    /// The code said in the log and kept on the item (never SES's message: it can name the recipient).
    Permanent(String),
}

async fn send(app: &App, outbox: &OutboxRecord) -> Result<String, SendError> {
    let to = outbox.to.as_deref().ok_or_else(|| SendError::Permanent("no_recipient".into()))?;
    // A template error is a bug a deployment fixes: retried, then replayed from the dead-letter queue.
    let rendered = app.renderer.render(outbox.template, &outbox.params).map_err(|e| SendError::Retry(Box::new(e)))?;
    let raw = mime_message(&app.sender, to, &outbox.email_id, &rendered, outbox)
        .map_err(|_| SendError::Permanent("unbuildable_message".into()))?;
    match app.ses.send_raw(&app.sender, to, raw).await {
        Ok(message_id) => Ok(message_id),
        Err(error) if error.is_permanent() => match error {
            ses::SesError::Rejected { code } => Err(SendError::Permanent(code)),
            other => Err(SendError::Retry(Box::new(other))),
        },
        Err(error) => Err(SendError::Retry(Box::new(error))),
    }
}

/// The message SES refuses for good: the item is marked `failed` (and loses its address and
/// parameters, as a sent one does), the seeker's journal says so, and the log line counted by
/// the `EmailsRejected` metric (template.yaml) is written. Only under this invocation's claim.
async fn mark_failed(
    app: &App,
    outbox: &OutboxRecord,
    now: DateTime<Utc>,
    lease_until: &str,
    code: String,
) -> Result<(), BoxError> {
    let mut tx = Tx::new();
    let failed = tx.push(update(outbox.pk.clone(), &outbox.sk, |u| {
        u.update_expression(
            "SET #status = :failed, failedAt = :now, failureCode = :code REMOVE #to, params, attachments, claimedUntil",
        )
        .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#to", "to")
        .expression_attribute_values(":failed", s("failed"))
        .expression_attribute_values(":now", s(to_key(now)))
        .expression_attribute_values(":code", s(code.clone()))
        .expression_attribute_values(":lease", s(lease_until))
    }));
    if let Some(seeker_id) = &outbox.seeker_id {
        tx.push(journal_entry(app, outbox, seeker_id, "email_failed", now));
    }
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {}
        // Erased meanwhile, or the claim lost: nothing was sent, nothing to record.
        outcome if outcome.failed(failed) => tracing::warn!(?outcome, "rejected email not marked: its claim is gone"),
        outcome => return Err(format!("rejected email not marked: {outcome:?}").into()),
    }
    tracing::error!(
        code = %code,
        template = outbox.template.name(),
        email = %outbox.email_id,
        "outbox email rejected for good; marked failed"
    );
    Ok(())
}

/// The MIME message: text and HTML alternatives, attachments (e.g. `.ics`), a stable Message-ID.
pub fn mime_message(
    sender: &str,
    to: &str,
    email_id: &str,
    rendered: &RenderedEmail,
    outbox: &OutboxRecord,
) -> Result<Vec<u8>, BoxError> {
    let mut message = MessageBuilder::new()
        .from(("Suivi 100 % web", sender))
        .to(to)
        .subject(rendered.subject.as_str())
        .message_id(format!("{email_id}@suivi-emploi"))
        .text_body(rendered.text.as_str())
        .html_body(rendered.html.as_str());
    for attachment in &outbox.attachments {
        message = message.attachment(
            attachment.content_type.as_str(),
            attachment.filename.as_str(),
            attachment.content.as_bytes(),
        );
    }
    Ok(message.write_to_vec()?)
}

/// Gives the email back after a failed send so the retry can take it at once.
async fn release(app: &App, outbox: &OutboxRecord, lease_until: &str) {
    let released = app
        .store
        .update(&outbox.pk, &outbox.sk, |u| {
            u.update_expression("SET #status = :pending REMOVE claimedUntil")
                .condition_expression("#status = :sending AND claimedUntil = :lease")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":sending", s("sending"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":lease", s(lease_until))
        })
        .await;
    // The lease expires by itself; the retry takes it over then.
    match released {
        Ok(Some(_)) => {}
        Ok(None) => tracing::warn!("could not release an email claim: the claim changed meanwhile"),
        Err(error) => tracing::warn!(error = %error_chain(&error), "could not release an email claim"),
    }
}

/// The outbox item loses its personal fields once sent, if this invocation still holds its claim.
fn sent_update(outbox: &OutboxRecord, now: DateTime<Utc>, lease_until: &str, message_id: &str) -> TransactWriteItem {
    update(outbox.pk.clone(), &outbox.sk, |u| {
        u.update_expression(
            "SET #status = :sent, sentAt = :now, sesMessageId = :id REMOVE #to, params, attachments, claimedUntil",
        )
        .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#to", "to")
        .expression_attribute_values(":sent", s("sent"))
        .expression_attribute_values(":now", s(to_key(now)))
        .expression_attribute_values(":id", s(message_id))
        .expression_attribute_values(":lease", s(lease_until))
    })
}

/// The seeker's `email_sent` (or `email_failed`) journal entry, keyed by the time of sending so
/// the journal reads in order.
fn journal_entry(
    app: &App,
    outbox: &OutboxRecord,
    seeker_id: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> TransactWriteItem {
    let entry_id = ulid::Ulid::from_datetime(now.into()).to_string();
    let expires = (now + chrono::Duration::days(i64::from(app.retention_days))).timestamp();
    let details: Item =
        [("template".to_owned(), s(outbox.template.name())), ("emailId".to_owned(), s(outbox.email_id.clone()))]
            .into_iter()
            .collect();
    update(keys::seeker_pk(seeker_id), &keys::journal_sk(&entry_id), |u| {
        u.update_expression(
            "SET entryId = :entry, seekerId = :seeker, kind = :kind, #at = :now, actorRole = :system, \
             details = :details, expiresAt = :expires",
        )
        .condition_expression("attribute_not_exists(pk)")
        .expression_attribute_names("#at", "at")
        .expression_attribute_values(":entry", s(entry_id.clone()))
        .expression_attribute_values(":seeker", s(seeker_id))
        .expression_attribute_values(":kind", s(kind))
        .expression_attribute_values(":now", s(to_key(now)))
        .expression_attribute_values(":system", s("system"))
        .expression_attribute_values(":details", AttributeValue::M(details))
        .expression_attribute_values(":expires", n(expires))
    })
}

/// Records the send: the outbox item loses its personal fields, the seeker's journal gains
/// `email_sent`, and a convocation's interview record gains its proof of sending (sent time,
/// SES message id), which outlives the outbox item.
async fn mark_sent(app: &App, outbox: &OutboxRecord, now: DateTime<Utc>, lease_until: &str, message_id: &str) {
    let mut with_proof = true;
    loop {
        let mut tx = Tx::new();
        let sent = tx.push(sent_update(outbox, now, lease_until, message_id));
        if let Some(seeker_id) = &outbox.seeker_id {
            // The same transaction's outbox update (conditioned on this invocation's claim) makes a second entry impossible.
            tx.push(journal_entry(app, outbox, seeker_id, "email_sent", now));
        }
        let proof = outbox.convocation.as_ref().filter(|_| with_proof).map(|convocation| {
            tx.push(record_convocation_sent(
                &convocation.interview_id,
                convocation.version,
                &outbox.email_id,
                &to_key(now),
                message_id,
            ))
        });
        match app.store.commit(tx).await {
            Ok(TransactOutcome::Committed) => return,
            // Erased meanwhile, or lease lost after a very slow send: the email went out, nothing to add.
            Ok(outcome) if outcome.failed(sent) => {
                tracing::warn!(?outcome, "sent email not marked: its claim is gone");
                return;
            }
            // The interview does not hold this version's proof (a record written before proofs
            // were kept): the send is still recorded on the outbox item and the journal.
            Ok(outcome) if proof.is_some_and(|p| outcome.failed(p)) => {
                tracing::warn!("the interview holds no proof entry for this convocation email");
                with_proof = false;
            }
            Ok(outcome) => {
                tracing::warn!(?outcome, "sent email not marked");
                return;
            }
            Err(error) => {
                tracing::error!(error = %error, "sent email not marked; a retry may send it again");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::outbox::{Attachment, EmailTemplate};

    #[test]
    fn mime_has_both_alternatives_and_attachments() {
        let outbox =
            OutboxRecord::new(EmailTemplate::WelcomeSeeker, "a@example.fr", None, serde_json::json!({}), Utc::now())
                .with_attachment(Attachment {
                    filename: "invitation.ics".into(),
                    content_type: "text/calendar".into(),
                    content: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
                });
        let rendered =
            RenderedEmail { subject: "Bienvenue é".into(), text: "texte".into(), html: "<p>html</p>".into() };
        let raw = String::from_utf8(mime_message("s@example.fr", "a@example.fr", "ID1", &rendered, &outbox).unwrap())
            .unwrap();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/calendar"));
        assert!(raw.contains("invitation.ics"));
        assert!(raw.contains("Message-ID: <ID1@suivi-emploi>"));
    }

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
