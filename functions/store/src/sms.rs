//! SMS through the outbox, as emails: the item is written in the business transaction that
//! decides it (a reminder marked sent, a convocation scheduled, a missed call), and
//! `email-dispatch` sends it from the table stream, once (claim, publish, mark sent).
//!
//! **Quiet hours.** No SMS from 20:00 to 08:00 Paris ([`domain::sms::sms_send_at`]). An SMS
//! decided then is written as a *deferred* item (`SMSDEFER#<smsId>`, outside the outbox prefix,
//! so the stream does not send it) on GSI1 under the UTC hour it may go
//! (`SMSDEFER#<hour>` / `<notBefore>#<smsId>`), without the number. The `reminders` run (every
//! 15 minutes) releases the due ones ([`release_deferred`]): in one transaction each, the
//! deferred item is deleted and the outbox item written under the same id (a second release,
//! or a duplicate deferral, writes none), with the number read from the profile then, so a
//! seeker who withdrew their opt-in overnight gets nothing.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::sms::sms_send_at;
use domain::time::to_key;
use serde::{Deserialize, Serialize};

use crate::attr::to_item;
use crate::client::Store;
use crate::error::StoreError;
use crate::keys;
use crate::query::Index;
use crate::records::SeekerRecord;
use crate::tx::{delete, put, Tx};
use crate::TransactOutcome;

/// Every SMS the product sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsTemplate {
    /// The day-before reminder of an interview.
    DayBeforeReminder,
    /// A convocation exists: see the email and the app.
    ConvocationNotice,
    /// The advisor called and the seeker did not answer.
    MissedCall,
}

impl SmsTemplate {
    pub fn name(self) -> &'static str {
        match self {
            SmsTemplate::DayBeforeReminder => "day_before_reminder",
            SmsTemplate::ConvocationNotice => "convocation_notice",
            SmsTemplate::MissedCall => "missed_call",
        }
    }
}

/// An SMS in the outbox (`OUTBOX#SMS#<smsId>`) or deferred (`SMSDEFER#<smsId>`), always in its
/// seeker's partition (an erasure finds it).
///
/// Its keys stay fields, set here alone ([`SmsMessage::record`], [`released`]), not
/// [`crate::Keyed`]: a released SMS sits in the open outbox under the instant of its release,
/// which the item stores nowhere else.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SmsRecord {
    pub pk: String,
    pub sk: String,
    pub sms_id: String,
    pub template: SmsTemplate,
    pub seeker_id: String,
    /// E.164; only on an outbox item until it is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The text as sent (day, time, channel, the agency's number: nothing personal); removed once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `deferred`, `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// When it may go (the end of the quiet hours it was decided in, or its creation).
    #[serde(with = "domain::time::stored")]
    pub not_before: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: DateTime<Utc>,
    pub expires_at: i64,
}

/// SMS items disappear through the TTL after a month, as outbox emails do.
const SMS_RETENTION_DAYS: i64 = 30;

/// One SMS to a seeker, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct SmsMessage {
    pub sms_id: String,
    pub template: SmsTemplate,
    pub seeker_id: String,
    pub text: String,
}

impl SmsMessage {
    pub fn new(template: SmsTemplate, seeker_id: &str, text: String, now: DateTime<Utc>) -> SmsMessage {
        SmsMessage {
            sms_id: ulid::Ulid::from_datetime(now.into()).to_string(),
            template,
            seeker_id: seeker_id.to_owned(),
            text,
        }
    }

    /// The same message under an id of the caller's (e.g. derived from a call's id), so that
    /// writing it twice writes it once.
    pub fn with_id(mut self, sms_id: &str) -> SmsMessage {
        self.sms_id = sms_id.to_owned();
        self
    }

    /// The item this message is at `now`: in the outbox to `to`, or deferred to the end of
    /// the quiet hours (without the number).
    pub fn record(&self, to: &str, now: DateTime<Utc>) -> SmsRecord {
        let not_before = sms_send_at(now);
        let deferred = not_before > now;
        let (sk, status, gsi1pk, gsi1sk, to) = if deferred {
            (
                keys::sms_deferred_sk(&self.sms_id),
                "deferred",
                Some(keys::sms_deferred_gsi1pk(&hour_bucket(not_before))),
                Some(format!("{}#{}", to_key(not_before), self.sms_id)),
                None,
            )
        } else {
            let (open_pk, open_sk) = outbox_open_keys(&self.sms_id, now);
            (keys::sms_outbox_sk(&self.sms_id), "pending", Some(open_pk), Some(open_sk), Some(to.to_owned()))
        };
        SmsRecord {
            pk: keys::seeker_pk(&self.seeker_id),
            sk,
            sms_id: self.sms_id.clone(),
            template: self.template,
            seeker_id: self.seeker_id.clone(),
            to,
            text: Some(self.text.clone()),
            status: status.into(),
            not_before,
            gsi1pk,
            gsi1sk,
            created_at: now,
            expires_at: (now + Duration::days(SMS_RETENTION_DAYS)).timestamp(),
        }
    }

    /// The write for a business transaction: put once (a second write of the same id fails
    /// its condition; callers with their own ids treat that as "already written").
    pub fn write(&self, to: &str, now: DateTime<Utc>) -> Result<TransactWriteItem, StoreError> {
        Ok(put(to_item(&self.record(to, now))?, Some("attribute_not_exists(pk)")))
    }

    /// [`SmsMessage::write`] for `seeker`, when they may receive SMS; `None` otherwise.
    pub fn write_for(
        &self,
        seeker: &SeekerRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        seeker.sms_recipient().map(|to| self.write(to, now)).transpose()
    }
}

/// The open-outbox index keys of an SMS entering the outbox at `now` (as every unsent email
/// carries them): the email sweep finds there an SMS the stream left behind.
fn outbox_open_keys(sms_id: &str, now: DateTime<Utc>) -> (String, String) {
    (keys::outbox_open_gsi1pk(keys::outbox_open_shard(sms_id)), keys::outbox_open_gsi1sk(&to_key(now), sms_id))
}

fn hour_bucket(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H").to_string()
}

/// The id of the missed-call SMS of one call: one call, one SMS, however often it is queued.
pub fn missed_call_sms_id(call_id: &str) -> String {
    format!("MISSED-{call_id}")
}

/// Writes the missed-call SMS ("Votre conseiller a essayé de vous joindre…") for `seeker_id`
/// after the call `call_id` went unanswered at `now`: to the outbox, or deferred past the
/// quiet hours. `agency_number` is the only number it gives (the agency's, to call back).
/// Returns the SMS id when one was written; `None` when the seeker receives no SMS (not opted
/// in, no mobile, erased, opted out at the operator) or this call's SMS was written already.
/// The call handler calls it once per unanswered call; a retry writes nothing more.
pub async fn queue_missed_call_sms(
    store: &Store,
    seeker_id: &str,
    call_id: &str,
    agency_number: Option<&domain::Phone>,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let Some(seeker) = store.seeker(seeker_id).await? else {
        return Ok(None);
    };
    let Some((sms_id, write)) = missed_call_sms_write(&seeker, call_id, agency_number, now)? else {
        return Ok(None);
    };
    let mut tx = Tx::new();
    tx.push(write);
    // Released already (the deferred item is gone, the outbox item exists): not twice.
    if sms_send_at(now) > now {
        tx.push(crate::tx::check(keys::seeker_pk(seeker_id), &keys::sms_outbox_sk(&sms_id), |c| {
            c.condition_expression("attribute_not_exists(pk)")
        }));
    }
    tx.push(crate::tx::seeker_not_erased(seeker_id));
    match store.commit(tx).await? {
        TransactOutcome::Committed => Ok(Some(sms_id)),
        _ => Ok(None),
    }
}

/// The write of the missed-call SMS of `call_id` to `seeker` at `now` (to the outbox, or
/// deferred past the quiet hours) and its id, for a transaction that guarantees it is written
/// once (the call handler's: the fact's marker); `None` when the seeker receives no SMS.
pub fn missed_call_sms_write(
    seeker: &SeekerRecord,
    call_id: &str,
    agency_number: Option<&domain::Phone>,
    now: DateTime<Utc>,
) -> Result<Option<(String, TransactWriteItem)>, StoreError> {
    let message =
        SmsMessage::new(SmsTemplate::MissedCall, &seeker.seeker_id, domain::sms::missed_call_text(agency_number), now)
            .with_id(&missed_call_sms_id(call_id));
    Ok(message.write_for(seeker, now)?.map(|write| (message.sms_id.clone(), write)))
}

/// What [`release_deferred`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    /// Moved into the outbox (the stream sends them).
    pub released: usize,
    /// Dropped: the seeker no longer receives SMS, or the SMS was released already.
    pub dropped: usize,
}

/// Moves the deferred SMS due in `[from, now]` into the outbox, each once (see the module).
pub async fn release_deferred(store: &Store, from: DateTime<Utc>, now: DateTime<Utc>) -> Result<Released, StoreError> {
    let mut report = Released::default();
    let mut at = from.duration_trunc(Duration::hours(1)).unwrap_or(from);
    while at <= now {
        let bound = format!("{}#~", to_key(now));
        let due: Vec<SmsRecord> =
            store.query(Index::Gsi1, keys::sms_deferred_gsi1pk(&hour_bucket(at))).sk_before(bound).all_of().await?;
        for deferred in due {
            if release_one(store, &deferred, now).await? {
                report.released += 1;
            } else {
                report.dropped += 1;
            }
        }
        at += Duration::hours(1);
    }
    Ok(report)
}

/// The outbox item a deferred SMS becomes when released to `to` at `now`: `pending`, and in
/// the open-outbox index from then (the sweep's grace counts from its release), as every
/// unsent SMS.
fn released(deferred: &SmsRecord, to: &str, now: DateTime<Utc>) -> SmsRecord {
    let (open_pk, open_sk) = outbox_open_keys(&deferred.sms_id, now);
    SmsRecord {
        sk: keys::sms_outbox_sk(&deferred.sms_id),
        to: Some(to.to_owned()),
        status: "pending".into(),
        gsi1pk: Some(open_pk),
        gsi1sk: Some(open_sk),
        ..deferred.clone()
    }
}

async fn release_one(store: &Store, deferred: &SmsRecord, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let seeker = store.seeker(&deferred.seeker_id).await?;
    let to = seeker.as_ref().and_then(SeekerRecord::sms_recipient);
    let remove = || delete(deferred.pk.clone(), &deferred.sk, Some("attribute_exists(pk)"));
    if let Some(to) = to {
        let outbox = released(deferred, to, now);
        let mut tx = Tx::new();
        tx.push(remove());
        tx.push(put(to_item(&outbox)?, Some("attribute_not_exists(pk)")));
        if matches!(store.commit(tx).await?, TransactOutcome::Committed) {
            tracing::info!(sms = %deferred.sms_id, template = deferred.template.name(), "deferred sms released");
            return Ok(true);
        }
    }
    // No longer to be sent, or released by another run: the deferred item goes.
    let mut tx = Tx::new();
    tx.push(remove());
    let _ = store.commit(tx).await?;
    tracing::info!(sms = %deferred.sms_id, template = deferred.template.name(), at = %to_key(now), "deferred sms dropped");
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Paris.with_ymd_and_hms(y, m, d, h, min, 0).earliest().expect("a Paris time").with_timezone(&Utc)
    }

    #[test]
    fn an_sms_decided_in_the_quiet_hours_is_deferred_without_its_number() {
        let message = SmsMessage::new(SmsTemplate::MissedCall, "S1", "texte".into(), Utc::now()).with_id("M1");
        let day = message.record("+33612345678", paris(2027, 3, 27, 19, 59));
        assert_eq!(
            (day.sk.as_str(), day.status.as_str(), day.to.as_deref()),
            ("OUTBOX#SMS#M1", "pending", Some("+33612345678"))
        );
        // In the open-outbox index, as an unsent email: the sweep finds it if the stream fails.
        assert!(day.gsi1pk.as_deref().is_some_and(|pk| pk.starts_with("OUTBOX_OPEN#")), "{:?}", day.gsi1pk);
        assert_eq!(day.gsi1sk.as_deref(), Some("2027-03-27T18:59:00.000Z#M1"));
        // The night of the spring change: 08:00 CEST is 06:00 UTC.
        let night = message.record("+33612345678", paris(2027, 3, 27, 20, 0));
        assert_eq!((night.sk.as_str(), night.status.as_str(), night.to.as_deref()), ("SMSDEFER#M1", "deferred", None));
        assert_eq!(to_key(night.not_before), "2027-03-28T06:00:00.000Z");
        assert_eq!(night.gsi1pk.as_deref(), Some("SMSDEFER#2027-03-28T06"));
        // Released at 08:00: an outbox item in the open-outbox index, as one written by day.
        let morning = released(&night, "+33612345678", paris(2027, 3, 28, 8, 0));
        assert_eq!(
            (morning.sk.as_str(), morning.status.as_str(), morning.to.as_deref()),
            ("OUTBOX#SMS#M1", "pending", Some("+33612345678"))
        );
        assert_eq!(morning.gsi1pk, day.gsi1pk, "the same shard as by day");
        assert_eq!(morning.gsi1sk.as_deref(), Some("2027-03-28T06:00:00.000Z#M1"));
    }

    #[test]
    fn only_opted_in_seekers_with_a_phone_and_no_operator_opt_out_receive_sms() {
        let mut seeker: SeekerRecord = serde_json::from_value(serde_json::json!({
            "pk": "SEEKER#S1", "sk": "PROFILE", "seekerId": "S1", "phone": "+33612345678", "region": "11",
            "level": "guided", "registeredAt": "2026-01-01T00:00:00Z", "nextContactDue": "2026-02-01T00:00:00Z",
            "smsOptIn": true
        }))
        .expect("a seeker");
        assert_eq!(seeker.sms_recipient(), Some("+33612345678"));
        seeker.sms_operator_opted_out = true;
        assert_eq!(seeker.sms_recipient(), None);
        seeker.sms_operator_opted_out = false;
        seeker.sms_opt_in = false;
        assert_eq!(seeker.sms_recipient(), None);
    }

    #[test]
    fn a_profile_whose_instants_are_not_instants_does_not_decode() {
        let profile = |due: &str| {
            serde_json::json!({
                "pk": "SEEKER#S1", "sk": "PROFILE", "seekerId": "S1", "region": "11", "level": "guided",
                "registeredAt": "2026-01-01T00:00:00.000Z", "nextContactDue": due,
            })
        };
        let read: SeekerRecord = serde_json::from_value(profile("2026-02-01T00:00:00.000Z")).expect("a seeker");
        assert_eq!(to_key(read.next_contact_due), "2026-02-01T00:00:00.000Z", "stored as it was");
        assert!(serde_json::from_value::<SeekerRecord>(profile("")).is_err(), "never silently 1970");
    }
}
