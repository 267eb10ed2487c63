//! An email of the outbox: claimed, rendered, sent through SES, then marked sent (its personal
//! fields removed, the journal's `email_sent`) or failed for good; the one path of the stream
//! and the sweep.

use std::time::Duration;

use api::error::{error_chain, BoxError};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use domain::time::to_key;
use mail_builder::MessageBuilder;
use store::interview::record_convocation_sent;
use store::journal::{EmailOutcome, JournalEvent};
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::update;
use store::{n, s, Item, StoreError, TransactOutcome, Tx};

use crate::app::App;
use crate::claim::{self, Handled};
use crate::render::RenderedEmail;
use crate::ses;

/// Claims the email `pk`/`sk` and sends it (or records a send SES already accepted), marking
/// it sent, failed for good, or released for a retry. The one path of the stream and the sweep.
pub async fn deliver(app: &App, pk: &str, sk: &str, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    let (outbox, lease, now) = match claim::take::<OutboxRecord>(&app.store, pk, sk, deadline).await? {
        Ok(taken) => taken,
        Err(nothing_to_do) => return Ok(nothing_to_do),
    };
    if let Some(message_id) = outbox.ses_message_id.clone() {
        let sent_at = outbox.sent_at.unwrap_or(now);
        mark_sent(app, &outbox, sent_at, &lease.stored, &message_id).await;
        return Ok(Handled::Recorded);
    }
    let sent = match send(app, &outbox, lease.send_by).await {
        Ok(message_id) => message_id,
        Err(SendError::Permanent(code)) => {
            mark_failed(app, &outbox, now, &lease.stored, &code, Failure::Rejected).await?;
            return Ok(Handled::Rejected);
        }
        Err(SendError::Retry(error)) => {
            release(app, &outbox, &lease.stored).await;
            return Err(error);
        }
        // SES may or may not have taken it: the lease runs out by itself, then it is sent again.
        Err(SendError::Unknown(error)) => return Err(error),
    };
    mark_sent(app, &outbox, Utc::now(), &lease.stored, &sent).await;
    Ok(Handled::Sent)
}

/// Fails for good, under a claim of its own, an email that could not be sent in time (the
/// sweep's bound): `failed`, the `email_failed` journal entry, the `EmailsAbandoned` log line.
/// An email SES did accept is recorded as sent instead.
pub async fn abandon(app: &App, pk: &str, sk: &str, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    let (outbox, lease, now) = match claim::take::<OutboxRecord>(&app.store, pk, sk, deadline).await? {
        Ok(taken) => taken,
        Err(nothing_to_do) => return Ok(nothing_to_do),
    };
    if let Some(message_id) = outbox.ses_message_id.clone() {
        let sent_at = outbox.sent_at.unwrap_or(now);
        mark_sent(app, &outbox, sent_at, &lease.stored, &message_id).await;
        return Ok(Handled::Recorded);
    }
    mark_failed(app, &outbox, now, &lease.stored, "undeliverable", Failure::Abandoned).await?;
    Ok(Handled::Rejected)
}

/// Why an email was not sent: worth a retry, never sendable, or not known.
enum SendError {
    Retry(BoxError),
    /// The code said in the log and kept on the item (never SES's message: it can name the recipient).
    Permanent(String),
    /// The SES call was cut at the end of the lease: SES may have accepted the email.
    Unknown(BoxError),
}

async fn send(app: &App, outbox: &OutboxRecord, send_by: DateTime<Utc>) -> Result<String, SendError> {
    let to = outbox.to.as_deref().ok_or_else(|| SendError::Permanent("no_recipient".into()))?;
    // A template error is a bug a deployment fixes: retried, then replayed from the dead-letter queue.
    let rendered = app.renderer.render(outbox.template, &outbox.params).map_err(|e| SendError::Retry(Box::new(e)))?;
    let raw = mime_message(&app.sender, to, &outbox.email_id, &rendered, outbox)
        .map_err(|_| SendError::Permanent("unbuildable_message".into()))?;
    let time_left = (send_by - Utc::now()).to_std().unwrap_or_default();
    let answer = tokio::time::timeout(time_left, app.ses.send_raw(&app.sender, to, raw))
        .await
        .map_err(|_| SendError::Unknown("the SES call outlasted the claim's lease".into()))?;
    match answer {
        Ok(message_id) => Ok(message_id),
        Err(error) if error.is_permanent() => match error {
            ses::SesError::Rejected { code } => Err(SendError::Permanent(code)),
            other => Err(SendError::Retry(Box::new(other))),
        },
        Err(error) => Err(SendError::Retry(Box::new(error))),
    }
}

/// Why an email is failed for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// SES refused this message: counted by the `EmailsRejected` metric.
    Rejected,
    /// Not sent within the sweep's bound: counted by the `EmailsAbandoned` metric.
    Abandoned,
}

/// The email failed for good: the item is marked `failed` (and loses its address and
/// parameters, as a sent one does, and leaves the open-outbox index), the seeker's journal
/// says so, and the log line counted by the `EmailsRejected` or `EmailsAbandoned` metric
/// (template.yaml) is written. Only under this invocation's claim.
async fn mark_failed(
    app: &App,
    outbox: &OutboxRecord,
    now: DateTime<Utc>,
    lease_until: &str,
    code: &str,
    why: Failure,
) -> Result<(), BoxError> {
    let mut tx = Tx::new();
    let failed = tx.push(update(outbox.pk.clone(), &outbox.sk, |u| {
        u.update_expression(
            "SET #status = :failed, failedAt = :now, failureCode = :code \
             REMOVE #to, params, attachments, claimedUntil, gsi1pk, gsi1sk",
        )
        .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#to", "to")
        .expression_attribute_values(":failed", s("failed"))
        .expression_attribute_values(":now", s(to_key(now)))
        .expression_attribute_values(":code", s(code))
        .expression_attribute_values(":lease", s(lease_until))
    }));
    if let Some(seeker_id) = &outbox.seeker_id {
        tx.push(journal_entry(app, outbox, seeker_id, JournalEvent::EmailFailed, now)?);
    }
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {}
        // Erased meanwhile, or the claim lost: nothing was sent, nothing to record.
        outcome if outcome.failed(failed) => {
            tracing::warn!(?outcome, "failed email not marked: its claim is gone");
            return Ok(());
        }
        outcome => return Err(format!("failed email not marked: {outcome:?}").into()),
    }
    let (template, email, attempts) = (outbox.template.name(), outbox.email_id.as_str(), outbox.attempts);
    match why {
        Failure::Rejected => {
            tracing::error!(code, template, email, "outbox email rejected for good; marked failed")
        }
        Failure::Abandoned => tracing::error!(
            code,
            template,
            email,
            attempts,
            created_at = %to_key(outbox.created_at),
            "outbox email not sent in time; marked failed"
        ),
    }
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

/// Gives the email back after a failed send so the retry can take it at once (it stays in
/// the open-outbox index, where the sweep finds it if no retry comes).
async fn release(app: &App, outbox: &OutboxRecord, lease_until: &str) {
    // The lease expires by itself; a retry or the sweep takes it over then.
    match claim::release(&app.store, &outbox.pk, &outbox.sk, lease_until).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("could not release an email claim: the claim changed meanwhile"),
        Err(error) => tracing::warn!(error = %error_chain(&error), "could not release an email claim"),
    }
}

/// The outbox item loses its personal fields and leaves the open-outbox index once sent, if
/// this invocation still holds its claim.
fn sent_update(
    outbox: &OutboxRecord,
    sent_at: DateTime<Utc>,
    lease_until: &str,
    message_id: &str,
) -> TransactWriteItem {
    update(outbox.pk.clone(), &outbox.sk, |u| {
        u.update_expression(
            "SET #status = :sent, sentAt = :sentAt, sesMessageId = :id \
             REMOVE #to, params, attachments, claimedUntil, gsi1pk, gsi1sk",
        )
        .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#to", "to")
        .expression_attribute_values(":sent", s("sent"))
        .expression_attribute_values(":sentAt", s(to_key(sent_at)))
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
    event: fn(EmailOutcome) -> JournalEvent,
    now: DateTime<Utc>,
) -> Result<TransactWriteItem, StoreError> {
    let entry_id = ulid::Ulid::from_datetime(now.into()).to_string();
    let expires = (now + chrono::Duration::days(i64::from(app.retention_days))).timestamp();
    let (kind, details) =
        event(EmailOutcome { template: outbox.template, email_id: outbox.email_id.clone() }).kind_and_details();
    let details: Item = store::to_item(&details)?;
    Ok(update(keys::seeker_pk(seeker_id), &keys::journal_sk(&entry_id), |u| {
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
    }))
}

/// Attempts at recording a send before falling back to keeping SES's message id alone.
const MARK_ATTEMPTS: u32 = 3;

/// Records the send: the outbox item loses its personal fields, the seeker's journal gains
/// `email_sent`, and a convocation's interview record gains its proof of sending (sent time,
/// SES message id), which outlives the outbox item. When that keeps failing, the item keeps
/// at least SES's message id (still `sending`): the sweep then finishes the record without
/// sending again. Only when even that fails can the email be sent twice (after the lease).
async fn mark_sent(app: &App, outbox: &OutboxRecord, sent_at: DateTime<Utc>, lease_until: &str, message_id: &str) {
    let now = sent_at;
    let entry = outbox.seeker_id.as_deref().map(|id| journal_entry(app, outbox, id, JournalEvent::EmailSent, now));
    let entry = match entry.transpose() {
        Ok(entry) => entry,
        // Two strings always convert to an item; were they not to, the send is still recorded.
        Err(error) => {
            tracing::error!(error = %error, "email_sent journal entry not built");
            None
        }
    };
    let mut with_proof = true;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = Tx::new();
        let sent = tx.push(sent_update(outbox, sent_at, lease_until, message_id));
        if let Some(entry) = &entry {
            // The same transaction's outbox update (conditioned on this invocation's claim) makes a second entry impossible.
            tx.push(entry.clone());
        }
        let proof = outbox.convocation.as_ref().filter(|_| with_proof).map(|convocation| {
            tx.push(record_convocation_sent(
                &convocation.interview_id,
                convocation.version,
                &outbox.email_id,
                sent_at,
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
            Ok(outcome) if attempt < MARK_ATTEMPTS => {
                tracing::warn!(?outcome, "sent email not marked; trying again");
            }
            Err(error) if attempt < MARK_ATTEMPTS => {
                tracing::warn!(error = %error, "sent email not marked; trying again");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            Ok(outcome) => {
                tracing::warn!(?outcome, "sent email not marked; keeping its SES message id");
                keep_message_id(app, outbox, sent_at, lease_until, message_id).await;
                return;
            }
            Err(error) => {
                tracing::error!(error = %error, "sent email not marked; keeping its SES message id");
                keep_message_id(app, outbox, sent_at, lease_until, message_id).await;
                return;
            }
        }
    }
}

/// The fallback of [`mark_sent`]: one small write on the outbox item alone, so the sweep knows
/// SES took the email (it records it then, and never sends it again).
async fn keep_message_id(
    app: &App,
    outbox: &OutboxRecord,
    sent_at: DateTime<Utc>,
    lease_until: &str,
    message_id: &str,
) {
    let kept = app
        .store
        .update(&outbox.pk, &outbox.sk, |u| {
            u.update_expression("SET sesMessageId = :id, sentAt = :sentAt")
                .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
                .expression_attribute_values(":id", s(message_id))
                .expression_attribute_values(":sentAt", s(to_key(sent_at)))
                .expression_attribute_values(":lease", s(lease_until))
        })
        .await;
    match kept {
        Ok(Some(_)) => {}
        Ok(None) => tracing::warn!("SES message id not kept: the claim is gone"),
        Err(error) => tracing::error!(
            error = %error_chain(&error),
            email = %outbox.email_id,
            "SES message id not kept; the sweep will send this email again after the lease"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::email_params::{Email, WelcomeSeeker};
    use store::outbox::Attachment;

    #[test]
    fn mime_has_both_alternatives_and_attachments() {
        let welcome = Email::WelcomeSeeker(WelcomeSeeker {
            first_name: "Léa".into(),
            level_label: "accompagnement guidé",
            assigned: false,
            advisor_name: None,
            app_url: "http://x".into(),
        });
        let outbox = OutboxRecord::new(welcome, "a@example.fr", None, Utc::now()).with_attachment(Attachment {
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
}
