//! Key builders of the single table (infra/data-model.md): the one place
//! where key shapes are spelled.

pub const GSI1: &str = "GSI1";
pub const GSI2: &str = "GSI2";

pub const PROFILE: &str = "PROFILE";

pub fn identity_pk(sub: &str) -> String {
    format!("IDENTITY#{sub}")
}
pub const IDENTITY_SK: &str = "IDENTITY";
/// An identity's last erasure, under a SHA-256 digest of its `sub` (so that the table holds
/// no `sub` of an erased identity): `reregisterAfter` bounds registration after an erasure.
pub fn erasure_pk(sub: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(sub.as_bytes());
    format!("ERASED#{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}
pub const ERASURE_SK: &str = "ERASURE";

pub fn seeker_pk(seeker_id: &str) -> String {
    format!("SEEKER#{seeker_id}")
}
pub fn advisor_pk(advisor_id: &str) -> String {
    format!("ADVISOR#{advisor_id}")
}

/// GSI1 partition of an advisor's portfolio; sorted by next contact due.
pub fn portfolio_gsi1pk(advisor_id: &str) -> String {
    format!("PORTFOLIO#{advisor_id}")
}
pub fn portfolio_gsi1sk(next_contact_due_key: &str, seeker_id: &str) -> String {
    format!("{next_contact_due_key}#{seeker_id}")
}
/// GSI1 partition of seekers waiting for an advisor; sorted by registration.
pub const WAITING_GSI1PK: &str = "WAITING";
/// GSI2 partition of the seekers of one region and level waiting for an advisor (sparse: removed
/// when they are placed); sorted like the waiting list, so a drain reads the longest waiting first.
pub fn waiting_gsi2pk(region: &str, level: &str) -> String {
    format!("WAITING#{region}#{level}")
}

/// GSI1 partition of a region's advisors; sorted by modality.
pub fn region_gsi1pk(region: &str) -> String {
    format!("REGION#{region}")
}
pub fn region_gsi1sk(modality: &str, advisor_id: &str) -> String {
    format!("ADVISOR#{modality}#{advisor_id}")
}
pub const REGION_ADVISOR_PREFIX: &str = "ADVISOR#";

pub const JOURNAL_PREFIX: &str = "JOURNAL#";
pub fn journal_sk(entry_id: &str) -> String {
    format!("{JOURNAL_PREFIX}{entry_id}")
}

pub const OUTBOX_PREFIX: &str = "OUTBOX#";
pub fn outbox_sk(email_id: &str) -> String {
    format!("{OUTBOX_PREFIX}{email_id}")
}
/// Outbox emails that concern no seeker live in their own partition.
pub fn outbox_pk(email_id: &str) -> String {
    format!("OUTBOX#{email_id}")
}
/// Shards of the open-outbox index: every email written lands in one and leaves it when sent,
/// so one partition would take every email of the country (two index writes each; a peak of a
/// few hundred emails a second). Sixteen keep each well under a partition's 1,000 writes/s.
pub const OUTBOX_OPEN_SHARDS: u32 = 16;
/// GSI1 partition of the outbox emails still `pending` or `sending` (sparse: removed once
/// sent or failed): what the email sweep reads instead of scanning the table.
pub fn outbox_open_gsi1pk(shard: u32) -> String {
    format!("OUTBOX_OPEN#{shard:02}")
}
/// The shard of an email: from the random part of its ULID id, so shards fill evenly.
pub fn outbox_open_shard(email_id: &str) -> u32 {
    let random = ulid::Ulid::from_string(email_id).map(|u| u.random()).unwrap_or_default();
    u32::try_from(random % u128::from(OUTBOX_OPEN_SHARDS)).unwrap_or(0)
}
/// Sorted by the time the email was written (then its id): the sweep reads the old ones.
pub fn outbox_open_gsi1sk(created_at_key: &str, email_id: &str) -> String {
    format!("{created_at_key}#{email_id}")
}

/// An SMS in the outbox (under the outbox prefix: the stream's filter sends it to dispatch, and
/// an erasure deletes it with the emails).
pub const SMS_OUTBOX_PREFIX: &str = "OUTBOX#SMS#";
pub fn sms_outbox_sk(sms_id: &str) -> String {
    format!("{SMS_OUTBOX_PREFIX}{sms_id}")
}
/// An SMS held back by the quiet hours (not under the outbox prefix: the stream ignores it).
pub const SMS_DEFERRED_PREFIX: &str = "SMSDEFER#";
pub fn sms_deferred_sk(sms_id: &str) -> String {
    format!("{SMS_DEFERRED_PREFIX}{sms_id}")
}
/// GSI1 partition of the SMS held back until a UTC hour (`SMSDEFER#2026-10-25T07`); sorted by
/// `<notBefore>#<smsId>`.
pub fn sms_deferred_gsi1pk(hour_bucket: &str) -> String {
    format!("{SMS_DEFERRED_PREFIX}{hour_bucket}")
}

pub fn conversation_pk(seeker_id: &str) -> String {
    format!("CONV#{seeker_id}")
}

/// The audit trail of staff access to one seeker (`store::audit`): its own partition, so the
/// seeker's `SEEKER#` partition stays as small as it was, and sorted by time (ULIDs).
pub fn audit_pk(seeker_id: &str) -> String {
    format!("AUDIT#{seeker_id}")
}
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub fn audit_sk(entry_id: &str) -> String {
    format!("{AUDIT_PREFIX}{entry_id}")
}

pub fn seeker_interviews_gsi2pk(seeker_id: &str) -> String {
    format!("SEEKER_INTERVIEWS#{seeker_id}")
}
pub fn seeker_in_person_gsi2pk(seeker_id: &str) -> String {
    format!("SEEKER_INPERSON#{seeker_id}")
}

// ---- chat (infra/data-model.md: every chat item of a seeker lives under CONV#<seekerId>,
// except connections and rate counters, which hold ids only)

pub const SUMMARY_SK: &str = "SUMMARY";
pub const MESSAGE_PREFIX: &str = "MSG#";
pub fn message_sk(message_id: &str) -> String {
    format!("{MESSAGE_PREFIX}{message_id}")
}
/// The idempotency record of one client message id of one sender.
pub fn client_message_sk(sender_id: &str, client_message_id: &str) -> String {
    format!("CLIENTMSG#{sender_id}#{client_message_id}")
}
/// The offline-notice throttle of one recipient in one conversation.
pub fn notice_sk(recipient_id: &str) -> String {
    format!("NOTICE#{recipient_id}")
}
/// GSI1 partition of an advisor's conversations; sorted by last message.
pub fn conversations_gsi1pk(advisor_id: &str) -> String {
    format!("CONVS#{advisor_id}")
}
pub fn conversations_gsi1sk(last_message_at_key: &str, seeker_id: &str) -> String {
    format!("{last_message_at_key}#{seeker_id}")
}
/// What one user did of one kind (`scope`: `message`, `typing`, `read`, `mail`) in one UTC
/// window (`yyyy-mm-ddThh:mm` for a minute, `yyyy-mm-ddThh` for an hour), counted for a limit.
pub fn rate_pk(user_id: &str, scope: &str, window: &str) -> String {
    format!("RATE#{user_id}#{scope}#{window}")
}
pub const RATE_SK: &str = "RATE";
pub fn connection_pk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}
pub const CONNECTION_SK: &str = "CONN";
/// GSI1 partition of a user's live WebSocket connections.
pub fn user_connections_gsi1pk(user_id: &str) -> String {
    format!("USERCONNS#{user_id}")
}

pub fn slot_pk(slot_id: &str) -> String {
    format!("SLOT#{slot_id}")
}
pub const SLOT_SK: &str = "SLOT";
/// GSI1 partition of an advisor's slots; sorted by start.
pub fn slots_gsi1pk(advisor_id: &str) -> String {
    format!("SLOTS#{advisor_id}")
}

pub fn interview_pk(interview_id: &str) -> String {
    format!("INTERVIEW#{interview_id}")
}
pub const INTERVIEW_SK: &str = "INTERVIEW";
/// GSI1 partition of an advisor's interviews; sorted by start.
pub fn agenda_gsi1pk(advisor_id: &str) -> String {
    format!("AGENDA#{advisor_id}")
}

/// An advisor's agenda is cut in granules; an interview holds every granule it covers.
pub fn busy_sk(granule_key: &str) -> String {
    format!("BUSY#{granule_key}")
}
/// The same for open slots: two slots of one advisor never overlap.
pub fn slot_granule_sk(granule_key: &str) -> String {
    format!("SLOTGRAN#{granule_key}")
}

pub fn reminder_sk(kind: &str) -> String {
    format!("REMINDER#{kind}")
}
/// GSI1 partition of the reminders due in one UTC hour (`2026-12-03T08`).
pub fn remind_gsi1pk(hour_bucket: &str) -> String {
    format!("REMIND#{hour_bucket}")
}

pub fn in_person_pk(request_id: &str) -> String {
    format!("INPERSON#{request_id}")
}
pub const IN_PERSON_SK: &str = "INPERSON";
/// GSI1 partition of an advisor's open in-person requests (sparse: removed when answered).
pub fn in_person_open_gsi1pk(advisor_id: &str) -> String {
    format!("INPERSON_OPEN#{advisor_id}")
}
/// Under the seeker: held while they have an open in-person request (one at a time).
pub const IN_PERSON_OPEN_SK: &str = "INPERSON_OPEN";

/// Under the interview: the Chime attendee of one participant (seeker or advisor id).
pub fn attendee_sk(user_id: &str) -> String {
    format!("ATTENDEE#{user_id}")
}
/// Under the interview: one Chime meeting event recorded (the event id makes redelivery a no-op).
pub fn attendance_sk(event_id: &str) -> String {
    format!("ATTENDANCE#{event_id}")
}
/// Under the interview: held while it has a meeting, so the scheduled job finds it when the interview ends.
pub const MEETING_END_SK: &str = "MEETING_END";
/// GSI1 partition of the meetings whose interview ends in one UTC hour (`2026-12-03T08`).
pub fn meeting_end_gsi1pk(hour_bucket: &str) -> String {
    format!("MEETING_END#{hour_bucket}")
}
/// A signed link's use: written once, when its action is done.
pub fn link_pk(token_id: &str) -> String {
    format!("LINK#{token_id}")
}
pub const LINK_SK: &str = "LINK";

/// Under the seeker: where the retention job finds the profile (GSI1 `RETAIN_DUE#<day>`, the
/// UTC day of the profile's `retainUntil` when the marker was filed; docs/security.md, "Retention").
pub const RETENTION_SK: &str = "RETENTION";
/// GSI1 partition of the profiles whose `retainUntil` fell on one UTC day (`2028-12-01`).
pub fn retention_due_gsi1pk(day: &str) -> String {
    format!("RETAIN_DUE#{day}")
}

/// A scheduled job's progress (e.g. the last run of `reminders`).
pub fn job_pk(job: &str) -> String {
    format!("JOB#{job}")
}
pub const CURSOR_SK: &str = "CURSOR";

/// A phone call (issue 16): its item and, beside it, one marker per journaled fact.
pub fn call_pk(call_id: &str) -> String {
    format!("CALL#{call_id}")
}
pub const CALL_SK: &str = "CALL";
/// The marker of a call's fact (`started`, `bridged`, `hung_up_leg_a`...): written once.
pub fn call_fact_sk(kind: &str) -> String {
    format!("FACT#{kind}")
}
/// GSI1 partition of the interview calls whose hard end falls in one UTC hour (`2026-12-03T08`):
/// the call sweeper hangs them up once it has passed.
pub fn call_end_gsi1pk(hour_bucket: &str) -> String {
    format!("CALL_END#{hour_bucket}")
}
