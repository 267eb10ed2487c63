//! The SMS of the outbox (`OUTBOX#SMS#<smsId>`, store::sms), sent through SNS `Publish` with
//! the same guarantee as the emails: claimed with a conditional update and a lease, published,
//! then marked sent with the seeker's `sms_sent` journal entry in one transaction under the
//! claim. A number on the operators' opt-out list (`CheckIfPhoneNumberIsOptedOut`) gets
//! nothing: the item is marked `failed` (`operator_opt_out`), the profile says
//! `smsOperatorOptedOut`, and the journal `sms_not_sent`.

use api::error::BoxError;
use aws_lambda_events::event::dynamodb::EventRecord;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use domain::time::to_key;
use store::journal::{ActorRole, JournalEvent, JournalRecord, SmsOutcome};
use store::keys;
use store::sms::SmsRecord;
use store::tx::update;
use store::{s, TransactOutcome, Tx};

use crate::app::App;
use crate::claim;
use crate::claim::Handled;
use crate::sns::SnsError;

/// Whether a stream record's sort key is an SMS of the outbox.
pub fn is_sms(sort_key: &str) -> bool {
    sort_key.starts_with(keys::SMS_OUTBOX_PREFIX)
}

/// Sends the SMS of one stream record, at most once.
pub async fn process(app: &App, record: &EventRecord, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    let sms: SmsRecord = serde_dynamo::from_item(record.change.new_image.clone())?;
    deliver(app, &sms.pk, &sms.sk, deadline).await
}

/// Claims the SMS `pk`/`sk`, publishes it and marks it sent (or failed for good, or releases
/// it for a retry). The one path of the stream and the sweep. The claim's lease is the
/// emails' ([`crate::lease_at`]): it ends with the invocation.
pub async fn deliver(app: &App, pk: &str, sk: &str, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    let (sms, lease, now) = match claim::take::<SmsRecord>(&app.store, pk, sk, deadline).await? {
        Ok(taken) => taken,
        Err(nothing_to_do) => return Ok(nothing_to_do),
    };
    let lease_until = lease.stored.clone();
    let sms = sms.as_ref();
    let (Some(to), Some(text)) = (sms.to.as_deref(), sms.text.as_deref()) else {
        finish(app, sms, now, &lease_until, Outcome::Failed("no_recipient")).await?;
        return Ok(Handled::Rejected);
    };
    // Both SNS calls end before the lease does, as the SES call does: a hanging SNS neither
    // outlives the claim nor holds the invocation until Lambda's timeout.
    let time_left = || (lease.send_by - Utc::now()).to_std().unwrap_or_default();
    let opted_out = tokio::time::timeout(time_left(), app.sns.opted_out(to))
        .await
        .unwrap_or_else(|_| Err(SnsError::Unavailable { code: "timeout".into() }));
    let checked = match opted_out {
        Ok(true) => {
            finish(app, sms, now, &lease_until, Outcome::OptedOut(to)).await?;
            return Ok(Handled::Rejected);
        }
        Ok(false) => match tokio::time::timeout(time_left(), app.sns.publish_sms(to, text, &app.sms_sender_id)).await {
            Ok(published) => published,
            // SNS may or may not have taken it: the lease runs out by itself, then it is sent again.
            Err(_) => return Err("the SNS publish outlasted the claim's lease".into()),
        },
        Err(error) => Err(error),
    };
    match checked {
        Ok(message_id) => {
            finish(app, sms, now, &lease_until, Outcome::Sent(&message_id)).await?;
            tracing::info!(template = sms.template.name(), "outbox sms sent");
            Ok(Handled::Sent)
        }
        Err(SnsError::Rejected { code }) => {
            tracing::error!(code = %code, template = sms.template.name(), "outbox sms rejected for good; marked failed");
            finish(app, sms, now, &lease_until, Outcome::Failed("rejected")).await?;
            Ok(Handled::Rejected)
        }
        Err(error) => {
            release(app, sms, &lease_until).await;
            Err(Box::new(error))
        }
    }
}

/// An SMS not sent within the sweep's bound ([`crate::sweep::GIVE_UP_AFTER`] after it may
/// go): `failed` (`undeliverable`), the `sms_not_sent` journal entry, and the log line the
/// `EmailsAbandoned` metric counts (one alarm for whatever the outbox could not send).
pub async fn abandon(app: &App, pk: &str, sk: &str, deadline: DateTime<Utc>) -> Result<Handled, BoxError> {
    let (sms, lease, now) = match claim::take::<SmsRecord>(&app.store, pk, sk, deadline).await? {
        Ok(taken) => taken,
        Err(nothing_to_do) => return Ok(nothing_to_do),
    };
    finish(app, &sms, now, &lease.stored, Outcome::Failed("undeliverable")).await?;
    tracing::error!(
        code = "undeliverable",
        template = sms.template.name(),
        created_at = %to_key(sms.created_at),
        "outbox sms not sent in time; marked failed"
    );
    Ok(Handled::Rejected)
}

async fn release(app: &App, sms: &SmsRecord, lease_until: &str) {
    if !matches!(claim::release(&app.store, &sms.pk, &sms.sk, lease_until).await, Ok(true)) {
        tracing::warn!("could not release an sms claim; its lease expires by itself");
    }
}

enum Outcome<'a> {
    Sent(&'a str),
    OptedOut(&'a str),
    Failed(&'static str),
}

/// The item's last state (its number and text removed, out of the open-outbox index), the journal entry, and for an
/// operator opt-out the profile's flag (only if the number is still the one refused).
async fn finish(
    app: &App,
    sms: &SmsRecord,
    now: DateTime<Utc>,
    lease_until: &str,
    outcome: Outcome<'_>,
) -> Result<(), BoxError> {
    let (status, extra, event, reason): (_, _, fn(SmsOutcome) -> JournalEvent, _) = match &outcome {
        Outcome::Sent(id) => ("sent", (":id", s(*id)), JournalEvent::SmsSent, None),
        Outcome::OptedOut(_) => {
            ("failed", (":id", s("operator_opt_out")), JournalEvent::SmsNotSent, Some("operator_opt_out"))
        }
        Outcome::Failed(code) => ("failed", (":id", s(*code)), JournalEvent::SmsNotSent, Some(*code)),
    };
    let field = if matches!(outcome, Outcome::Sent(_)) { "snsMessageId" } else { "failureCode" };
    let at_field = if status == "sent" { "sentAt" } else { "failedAt" };
    let sent =
        SmsOutcome { template: sms.template.name(), sms_id: sms.sms_id.clone(), reason: reason.map(str::to_owned) };
    let entry = JournalRecord::new(&sms.seeker_id, event(sent), now, ActorRole::System, None, app.retention_days);
    let opted_out = match outcome {
        Outcome::OptedOut(number) => Some(number),
        _ => None,
    };
    // With the profile's flag first; without it if the profile's number changed meanwhile.
    for flag_profile in [opted_out.is_some(), false] {
        let mut tx = Tx::new();
        let marked = tx.push(update(sms.pk.clone(), &sms.sk, |u| {
            u.update_expression(format!(
                "SET #status = :status, {at_field} = :now, {field} = :id \
                 REMOVE #to, #text, claimedUntil, gsi1pk, gsi1sk"
            ))
            .condition_expression("attribute_exists(pk) AND claimedUntil = :lease")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#to", "to")
            .expression_attribute_names("#text", "text")
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(extra.0, extra.1.clone())
            .expression_attribute_values(":lease", s(lease_until))
        }));
        // The same transaction's claim condition makes a second entry impossible.
        tx.push(put_as_update(entry.to_item()?));
        if let Some(number) = opted_out.filter(|_| flag_profile) {
            tx.push(operator_opt_out(&sms.seeker_id, number));
        }
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => return Ok(()),
            // Erased meanwhile, or the claim lost: nothing more to record.
            outcome if outcome.failed(marked) => {
                tracing::warn!(?outcome, "sms not marked: its claim is gone");
                return Ok(());
            }
            _ if flag_profile => continue,
            outcome => return Err(format!("sms not marked: {outcome:?}").into()),
        }
    }
    Ok(())
}

/// The profile learns that its number is on the opt-out list, if it is still that number.
fn operator_opt_out(seeker_id: &str, number: &str) -> TransactWriteItem {
    update(keys::seeker_pk(seeker_id), keys::PROFILE, |u| {
        u.update_expression("SET smsOperatorOptedOut = :true")
            .condition_expression("attribute_exists(pk) AND phone = :number")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":number", s(number))
    })
}

/// A new item written by an Update (the function's role may update, never put): every
/// attribute set, once (`attribute_not_exists(pk)`).
fn put_as_update(item: store::Item) -> TransactWriteItem {
    let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let sk = item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let fields: Vec<(String, AttributeValue)> =
        item.into_iter().filter(|(name, _)| name != "pk" && name != "sk").collect();
    update(pk, &sk, |u| {
        let sets: Vec<String> = (0..fields.len()).map(|i| format!("#f{i} = :v{i}")).collect();
        let u =
            u.update_expression(format!("SET {}", sets.join(", "))).condition_expression("attribute_not_exists(pk)");
        fields.into_iter().enumerate().fold(u, |u, (i, (name, value))| {
            u.expression_attribute_names(format!("#f{i}"), name).expression_attribute_values(format!(":v{i}"), value)
        })
    })
}
