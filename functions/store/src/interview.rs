//! Interview records as every function sees them (booking writes them; reminders and meetings
//! read them), and the transaction items that keep the agenda granules, the slots and the
//! reminders in step with an interview. The rules themselves are in `domain::interview`.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::attr::{n, s, to_item};
use crate::error::StoreError;
use crate::tx::{delete as tx_delete, delete_with, put, update};

use crate::keyed::{IndexKeys, Keyed, Keys};
use crate::keys;
use domain::journal::ActorRole;
use domain::Channel;
// Callers name these beside the record; they are the domain's.
pub use domain::interview::{granules, on_granule, InterviewStatus, ReminderKind, GRANULE_MINUTES};
use domain::time::to_key;

/// A channel switch during an interview (video failed, continue by phone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChannelChange {
    pub from: Channel,
    pub to: Channel,
    pub reason: String,
    #[serde(with = "domain::time::stored")]
    pub at: DateTime<Utc>,
    pub by: ActorRole,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InterviewRecord {
    pub interview_id: String,
    pub seeker_id: String,
    pub advisor_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Instants are typed: an item whose start or end is not an instant fails to decode (an
    /// error) instead of becoming 1970.
    #[serde(with = "domain::time::stored")]
    pub start: DateTime<Utc>,
    #[serde(with = "domain::time::stored")]
    pub end: DateTime<Utc>,
    pub duration_minutes: u32,
    pub channel: Channel,
    /// A convocation: attendance is compulsory and the seeker cannot cancel it.
    pub mandatory: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// For phone interviews: the number the advisor calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Who dials a phone interview: the advisor (the default, on `phone_number`) or the seeker
    /// (the agency's number).
    #[serde(default)]
    pub caller: domain::interview::PhoneCaller,
    /// When the seeker calls: the agency's number they call (E.164), as it was when booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_number: Option<String>,
    pub status: InterviewStatus,
    /// `.ics` SEQUENCE: grows with every change of time or status.
    pub sequence: u32,
    /// The interview's version: 1 when made, one more at every reschedule. A rescheduled
    /// convocation is a new convocation; the email links carry the version they were sent for.
    #[serde(default = "first_version")]
    pub version: u32,
    /// The acknowledgement of the current version of a convocation.
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// A convocation's proof, one entry per version, oldest first (`convocations[v - 1]` is
    /// version `v`): kept on the interview record as long as it, never read from the outbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub convocations: Vec<ConvocationProof>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_history: Vec<ChannelChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_note: Option<String>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub outcome_at: Option<DateTime<Utc>>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<ActorRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: DateTime<Utc>,
    /// Epoch seconds: the table's TTL ([`interview_expiry`]); absent on records from before
    /// retention was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// How long an interview is kept after its end: two years, the follow-up's retention (the
/// journal's); a mandatory one (a convocation) three years, the proof of the convocation
/// and of the seeker's attendance outliving the three-year limitation of the recovery of
/// unduly paid benefits (Code du travail, L. 5422-5). docs/security.md, "Retention".
pub const INTERVIEW_RETENTION_DAYS: i64 = 730;
pub const CONVOCATION_RETENTION_DAYS: i64 = 1095;

/// The `expiresAt` of an interview ending at `end`.
pub fn interview_expiry(end: DateTime<Utc>, mandatory: bool) -> i64 {
    let days = if mandatory { CONVOCATION_RETENTION_DAYS } else { INTERVIEW_RETENTION_DAYS };
    (end + Duration::days(days)).timestamp()
}

fn first_version() -> u32 {
    1
}

/// The proof of one version of a convocation: the time it convoked to, the email that carried
/// it (none when the seeker has no address), when SES accepted it and under which message id
/// (written by `email-dispatch` when it sends), and when the seeker acknowledged it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConvocationProof {
    pub version: u32,
    #[serde(with = "domain::time::stored")]
    pub start: DateTime<Utc>,
    #[serde(with = "domain::time::stored")]
    pub end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_id: Option<String>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ses_message_id: Option<String>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl ConvocationProof {
    /// The proof of `interview`'s current version, carried by `email_id`, before it is sent.
    pub fn of(interview: &InterviewRecord, email_id: Option<String>) -> ConvocationProof {
        ConvocationProof {
            version: interview.version,
            start: interview.start,
            end: interview.end,
            email_id,
            sent_at: None,
            ses_message_id: None,
            acknowledged_at: None,
        }
    }
}

/// The document path of version `version`'s proof on the interview record.
pub fn convocation_path(version: u32) -> String {
    format!("convocations[{}]", version.saturating_sub(1))
}

/// Writes the sending of a convocation version on its interview (by `email-dispatch`, in the
/// transaction that marks the outbox item sent): only on the version the email carries.
pub fn record_convocation_sent(
    interview_id: &str,
    version: u32,
    email_id: &str,
    sent_at: DateTime<Utc>,
    ses_message_id: &str,
) -> TransactWriteItem {
    let path = convocation_path(version);
    update(keys::interview_pk(interview_id), keys::INTERVIEW_SK, |u| {
        u.update_expression(format!("SET {path}.sentAt = :sent, {path}.sesMessageId = :message"))
            .condition_expression(format!("{path}.version = :version AND {path}.emailId = :email"))
            .expression_attribute_values(":sent", s(to_key(sent_at)))
            .expression_attribute_values(":message", s(ses_message_id))
            .expression_attribute_values(":version", n(version))
            .expression_attribute_values(":email", s(email_id))
    })
}

impl InterviewRecord {
    pub fn start_at(&self) -> DateTime<Utc> {
        self.start
    }
    pub fn end_at(&self) -> DateTime<Utc> {
        self.end
    }
    /// Where the interview is in its advisor's agenda (GSI1): a change of advisor or of start
    /// moves it.
    pub fn agenda_key(&self) -> IndexKeys {
        IndexKeys { pk: keys::agenda_gsi1pk(&self.advisor_id), sk: start_sort_key(self.start, &self.interview_id) }
    }
    /// Where the interview is in its seeker's list (GSI2): a change of start moves it.
    pub fn seeker_list_key(&self) -> IndexKeys {
        IndexKeys {
            pk: keys::seeker_interviews_gsi2pk(&self.seeker_id),
            sk: start_sort_key(self.start, &self.interview_id),
        }
    }
    /// The `.ics` UID: one per interview, for its whole life.
    pub fn calendar_uid(&self) -> String {
        format!("{}@suivi-emploi", self.interview_id)
    }
}

impl Keyed for InterviewRecord {
    fn keys(&self) -> Keys {
        let (agenda, seeker_list) = (self.agenda_key(), self.seeker_list_key());
        Keys::new(keys::interview_pk(&self.interview_id), keys::INTERVIEW_SK)
            .with_gsi1(agenda.pk, agenda.sk)
            .with_gsi2(seeker_list.pk, seeker_list.sk)
    }
}

/// GSI sort key of an interview or slot: start instant then id.
pub fn start_sort_key(start: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", to_key(start))
}

/// A reminder to send, found by the scheduled job through its UTC hour bucket on GSI1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReminderRecord {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub interview_id: String,
    pub kind: String,
    #[serde(with = "domain::time::stored")]
    pub due_at: DateTime<Utc>,
    /// Set, and the index keys removed, when the reminder's email is written (exactly once).
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Reminder items outlive their interview by a month at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// The reminders still ahead at `now` for an interview starting at `start`.
pub fn reminders(interview_id: &str, start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<ReminderRecord> {
    ReminderKind::ALL
        .iter()
        .filter_map(|kind| {
            let due = kind.due(start);
            (due > now).then(|| ReminderRecord {
                pk: keys::interview_pk(interview_id),
                sk: keys::reminder_sk(kind.as_str()),
                gsi1pk: keys::remind_gsi1pk(&due.format("%Y-%m-%dT%H").to_string()),
                gsi1sk: format!("{}#{interview_id}#{}", to_key(due), kind.as_str()),
                interview_id: interview_id.to_owned(),
                kind: kind.as_str().to_owned(),
                due_at: due,
                sent_at: None,
                expires_at: Some((start + Duration::days(30)).timestamp()),
            })
        })
        .collect()
}

// Transaction items that keep the agenda, the slots and the reminders in step with an interview.

/// The granule items that hold an interview's time in its advisor's agenda: the no-overlap guarantee.
pub fn hold_granules(
    interview: &InterviewRecord,
    keys_to_hold: impl IntoIterator<Item = String>,
) -> Vec<TransactWriteItem> {
    let expires = (interview.end_at() + Duration::days(30)).timestamp();
    keys_to_hold
        .into_iter()
        .map(|granule| {
            let item = [
                ("pk".to_owned(), s(keys::advisor_pk(&interview.advisor_id))),
                ("sk".to_owned(), s(keys::busy_sk(&granule))),
                ("interviewId".to_owned(), s(interview.interview_id.clone())),
                ("expiresAt".to_owned(), n(expires)),
            ]
            .into_iter()
            .collect();
            put(item, Some("attribute_not_exists(pk)"))
        })
        .collect()
}

pub fn release_granules(
    interview: &InterviewRecord,
    keys_to_release: impl IntoIterator<Item = String>,
) -> Vec<TransactWriteItem> {
    keys_to_release
        .into_iter()
        .map(|granule| {
            delete_with(keys::advisor_pk(&interview.advisor_id), &keys::busy_sk(&granule), |d| {
                d.condition_expression("attribute_not_exists(pk) OR interviewId = :id")
                    .expression_attribute_values(":id", s(interview.interview_id.clone()))
            })
        })
        .collect()
}

/// Reminder items for the interview's current time: written when still ahead, removed otherwise.
pub fn set_reminders(interview: &InterviewRecord, now: DateTime<Utc>) -> Result<Vec<TransactWriteItem>, StoreError> {
    let ahead = reminders(&interview.interview_id, interview.start_at(), now);
    let mut items = Vec::new();
    for kind in ReminderKind::ALL {
        match ahead.iter().find(|r| r.kind == kind.as_str()) {
            Some(reminder) => items.push(put(to_item(reminder)?, None)),
            None => items.push(tx_delete(
                keys::interview_pk(&interview.interview_id),
                &keys::reminder_sk(kind.as_str()),
                None,
            )),
        }
    }
    Ok(items)
}

pub fn clear_reminders(interview: &InterviewRecord) -> Vec<TransactWriteItem> {
    ReminderKind::ALL
        .iter()
        .map(|kind| tx_delete(keys::interview_pk(&interview.interview_id), &keys::reminder_sk(kind.as_str()), None))
        .collect()
}

/// The slot an interview held opens again.
pub fn reopen_slot(slot_id: &str, interview_id: &str) -> TransactWriteItem {
    update(keys::slot_pk(slot_id), keys::SLOT_SK, |u| {
        u.update_expression("SET #state = :open REMOVE interviewId, bookedBy")
            .condition_expression("interviewId = :interview")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":interview", s(interview_id))
    })
}

/// The slot's holder, read from the slot item (booking owns the full record).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SlotHolder {
    #[serde(default)]
    interview_id: Option<String>,
}

/// [`reopen_slot`] when the slot still names the interview; `None` when it is gone or holds
/// another one (a slot lost to an old series rollback): the interview's cancel, reschedule or
/// erasure then go on without it instead of failing for good. Nothing deletes a booked slot,
/// so the slot read present stays present until the commit, whose condition still guards it.
pub async fn reopen_slot_if_held(
    store: &crate::Store,
    slot_id: &str,
    interview_id: &str,
) -> Result<Option<TransactWriteItem>, StoreError> {
    let holder: Option<SlotHolder> = store.get(&keys::slot_pk(slot_id), keys::SLOT_SK).await?;
    Ok(holder.filter(|h| h.interview_id.as_deref() == Some(interview_id)).map(|_| reopen_slot(slot_id, interview_id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reminders_already_due_are_not_written() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        assert_eq!(reminders("I", start, start - Duration::days(3)).len(), 2);
        let late = reminders("I", start, start - Duration::hours(5));
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].kind, "hour_before");
        assert_eq!(late[0].gsi1pk, "REMIND#2026-12-03T07");
    }

    #[test]
    fn an_interview_whose_start_is_not_an_instant_does_not_decode() {
        let start = chrono::Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let mut item = sample(start).to_item().unwrap();
        assert_eq!(item["start"].as_s().unwrap(), "2026-12-03T08:30:00.000Z");
        // The keys, from the fields: the agenda and the seeker's list sorted by start.
        assert_eq!(
            (item["pk"].as_s().unwrap().as_str(), item["sk"].as_s().unwrap().as_str()),
            ("INTERVIEW#I", "INTERVIEW")
        );
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "AGENDA#A");
        assert_eq!(item["gsi1sk"].as_s().unwrap(), "2026-12-03T08:30:00.000Z#I");
        assert_eq!(item["gsi2pk"].as_s().unwrap(), "SEEKER_INTERVIEWS#S");
        assert_eq!(item["gsi2sk"], item["gsi1sk"]);
        let back: InterviewRecord = crate::attr::from_item(item.clone()).unwrap();
        assert_eq!(back.start_at(), start);
        item.insert("start".into(), crate::attr::s("not a time"));
        assert!(crate::attr::from_item::<InterviewRecord>(item).is_err(), "never silently 1970");
    }

    #[test]
    fn a_record_without_a_version_is_version_1_and_proofs_round_trip() {
        let start = chrono::Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let mut item = crate::attr::to_item(&sample(start)).unwrap();
        item.remove("version");
        let back: InterviewRecord = crate::attr::from_item(item).unwrap();
        assert_eq!(back.version, 1);
        let mut moved = back.clone();
        moved.version = 2;
        moved.convocations = vec![ConvocationProof::of(&back, Some("E1".into())), ConvocationProof::of(&moved, None)];
        let again: InterviewRecord = crate::attr::from_item(crate::attr::to_item(&moved).unwrap()).unwrap();
        assert_eq!(again.convocations, moved.convocations);
        assert_eq!(convocation_path(2), "convocations[1]");
    }

    fn sample(start: DateTime<Utc>) -> InterviewRecord {
        InterviewRecord {
            interview_id: "I".into(),
            seeker_id: "S".into(),
            advisor_id: "A".into(),
            slot_id: None,
            request_id: None,
            start,
            end: start + Duration::minutes(30),
            duration_minutes: 30,
            channel: Channel::Video,
            mandatory: false,
            location: None,
            phone_number: None,
            caller: Default::default(),
            agency_number: None,
            status: InterviewStatus::Booked,
            sequence: 0,
            version: 1,
            acknowledged_at: None,
            convocations: Vec::new(),
            channel_history: Vec::new(),
            outcome_note: None,
            outcome_at: None,
            cancelled_at: None,
            cancel_reason: None,
            cancelled_by: None,
            meeting_id: None,
            expires_at: None,
            created_at: start - Duration::days(2),
        }
    }
}
