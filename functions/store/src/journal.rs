//! The follow-up journal (suivi dématérialisé): one append-only entry per
//! contact event, written in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attr::{to_item, Item};
use crate::email_template::EmailTemplate;
use crate::error::StoreError;
use crate::interview::InterviewRecord;
use crate::keys;
// Callers name these beside the record; they are the domain's.
pub use domain::journal::{ActorRole, FREE_TEXT_FIELDS};
use domain::time;
use domain::{Channel, Level};
use serde_json::{Map, Value};

/// Fields of `details` that hold instants.
const INSTANT_FIELDS: [&str; 2] = ["start", "previousStart"];

/// What an entry records: its kind (the variant, in snake case: `level_changed`) and its
/// details (the variant's fields, in camel case), written only through this type so a
/// misspelt kind or detail fails to compile. The names are the ones `docs/openapi.yaml`
/// documents (the web front end reads them). An `Option` without `skip_serializing_if` is
/// written as `null`; instants are written as `serde_json` writes them unless said.
/// The stored record keeps a free kind and map ([`JournalRecord`]): erasure strips typed text
/// from stored details.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case")]
pub enum JournalEvent {
    #[serde(rename_all = "camelCase")]
    Registered {
        level: Level,
        region: String,
        /// `null` while the seeker waits for an advisor.
        advisor_id: Option<String>,
    },
    LevelChanged {
        from: Level,
        to: Level,
        reason: String,
    },
    /// To another advisor.
    Reassigned(AdvisorMove),
    /// Out of a portfolio, waiting for a place.
    WaitingForAdvisor(AdvisorMove),
    InterviewBooked(InterviewFacts),
    Convoked(InterviewFacts),
    InPersonAccepted(InterviewFacts),
    Acknowledged {
        #[serde(flatten)]
        interview: InterviewFacts,
        /// The convocation's version acknowledged.
        version: u32,
    },
    #[serde(rename_all = "camelCase")]
    Rescheduled {
        #[serde(flatten)]
        interview: InterviewFacts,
        previous_start: DateTime<Utc>,
        version: u32,
    },
    #[serde(rename_all = "camelCase")]
    Extended {
        #[serde(flatten)]
        interview: InterviewFacts,
        minutes: u32,
        previous_end: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    ChannelSwitched {
        #[serde(flatten)]
        interview: InterviewFacts,
        from: Channel,
        to: Channel,
        reason: String,
    },
    Cancelled {
        #[serde(flatten)]
        interview: InterviewFacts,
        reason: String,
        /// Why the system cancelled it (`advisor_changed`); absent when a person did.
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<&'static str>,
    },
    /// The interview moved to the seeker's new advisor.
    #[serde(rename_all = "camelCase")]
    InterviewHandedOver {
        #[serde(flatten)]
        interview: InterviewFacts,
        from_advisor_id: String,
        to_advisor_id: String,
    },
    Completed(InterviewOutcome),
    NoShow(InterviewOutcome),
    JustifiedAbsence(InterviewOutcome),
    /// An upcoming interview withdrawn by its seeker's erasure (kept with the anonymous journal).
    #[serde(rename_all = "camelCase")]
    InterviewCancelled {
        interview_id: String,
        /// As stored keys are (`2026-12-03T08:30:00.000Z`).
        #[serde(with = "domain::time::stored")]
        start: DateTime<Utc>,
        /// `seeker_erased` or `retention`.
        cause: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    InPersonRequested {
        request_id: String,
        reason: String,
    },
    #[serde(rename_all = "camelCase")]
    InPersonDeclined {
        request_id: String,
        message: String,
    },
    /// An open request moved to the seeker's new advisor.
    #[serde(rename_all = "camelCase")]
    InPersonHandedOver {
        request_id: String,
        from_advisor_id: String,
        to_advisor_id: String,
    },
    /// One step of a phone call.
    Call(CallStep),
    /// One Chime attendance event of an interview's meeting.
    Attendance(AttendanceEvent),
    /// The first advisor message of a Paris day in a conversation.
    ChatDay {
        day: String,
    },
    SmsSent(SmsOutcome),
    SmsNotSent(SmsOutcome),
    EmailSent(EmailOutcome),
    /// Refused for good, or never sent within its bound.
    EmailFailed(EmailOutcome),
    Erased {
        /// `retention` when erased for inactivity; absent at the seeker's request.
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<&'static str>,
    },
}

/// The facts every entry about an interview carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterviewFacts {
    pub interview_id: String,
    pub start: DateTime<Utc>,
    pub channel: Channel,
    pub mandatory: bool,
}

impl InterviewFacts {
    pub fn of(interview: &InterviewRecord) -> InterviewFacts {
        InterviewFacts {
            interview_id: interview.interview_id.clone(),
            start: interview.start,
            channel: interview.channel,
            mandatory: interview.mandatory,
        }
    }
}

/// A seeker's move between portfolios (`null` for no advisor).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisorMove {
    pub from_advisor_id: Option<String>,
    pub to_advisor_id: Option<String>,
    /// What moved them (e.g. `level_changed`, `advisor_left`).
    pub cause: String,
}

/// An interview's outcome, with the advisor's note when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterviewOutcome {
    #[serde(flatten)]
    pub interview: InterviewFacts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A step of a phone call: its fact as `event` and what the fact says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallStep {
    pub call_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    /// `ringing_advisor`, `bridged`, `hung_up_leg_b`…
    pub event: String,
    /// The leg's party (`advisor`, `seeker`); `Some(None)`: written as `null` (a failure
    /// before any leg).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<Option<&'static str>>,
    /// A failure's cause (the service's error type or SIP code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the seeker's leg started, as stored keys are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridged_at: Option<String>,
    /// Who hung up (`advisor`, `seeker`, `app`, `unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
}

/// An attendance event of an interview's meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceEvent {
    pub interview_id: String,
    /// `joined`, `left`, `dropped` or `meeting_ended`.
    pub event: &'static str,
    pub meeting_id: String,
    pub mandatory: bool,
    /// `seeker` or `advisor`, when the attendee is one of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee_id: Option<String>,
    /// `phone` for the seeker's phone leg of a dial-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leg: Option<&'static str>,
}

/// An SMS sent, or not sent (with why).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsOutcome {
    pub template: &'static str,
    pub sms_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An email sent, or failed for good.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailOutcome {
    pub template: EmailTemplate,
    pub email_id: String,
}

impl JournalEvent {
    /// The stored kind and details.
    pub fn kind_and_details(&self) -> (String, Map<String, Value>) {
        let mut tagged = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            // An adjacently tagged enum of plain fields always serializes to an object.
            _ => Map::new(),
        };
        let kind = match tagged.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => String::new(),
        };
        let details = match tagged.remove("details") {
            Some(Value::Object(details)) => details,
            _ => Map::new(),
        };
        (kind, details)
    }
}

/// A stored entry. Read back, its kind and details are free (erasure strips typed text from
/// stored details); written, they come from a [`JournalEvent`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JournalRecord {
    pub pk: String,
    pub sk: String,
    pub entry_id: String,
    pub seeker_id: String,
    /// e.g. `registered`, `level_changed`, `reassigned`, `interview_booked`, `email_sent`.
    pub kind: String,
    #[serde(with = "domain::time::stored")]
    pub at: DateTime<Utc>,
    pub actor_role: ActorRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Never written empty (DynamoDB Local mangles empty maps in stream records).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Epoch seconds: the table's TTL bounds retention.
    pub expires_at: i64,
}

impl JournalRecord {
    pub fn new(
        seeker_id: &str,
        event: JournalEvent,
        at: DateTime<Utc>,
        actor_role: ActorRole,
        actor_id: Option<&str>,
        retention_days: u32,
    ) -> JournalRecord {
        let (kind, details) = event.kind_and_details();
        let entry_id = ulid::Ulid::from_datetime(at.into()).to_string();
        JournalRecord {
            pk: keys::seeker_pk(seeker_id),
            sk: keys::journal_sk(&entry_id),
            entry_id,
            seeker_id: seeker_id.to_owned(),
            kind,
            at,
            actor_role,
            actor_id: actor_id.map(str::to_owned),
            details,
            expires_at: (at + chrono::Duration::days(i64::from(retention_days))).timestamp(),
        }
    }

    pub fn to_item(&self) -> Result<Item, StoreError> {
        to_item(self)
    }

    /// The API shape of an entry.
    pub fn to_api(&self) -> serde_json::Value {
        // Instants in details are stored as keys (UTC); the API speaks Paris time.
        let details: serde_json::Map<String, serde_json::Value> = self
            .details
            .iter()
            .map(|(name, value)| {
                let shown = match value.as_str().and_then(time::from_key) {
                    Some(instant) if INSTANT_FIELDS.contains(&name.as_str()) => time::to_paris(instant).into(),
                    _ => value.clone(),
                };
                (name.clone(), shown)
            })
            .collect();
        serde_json::json!({
            "entryId": self.entry_id,
            "kind": self.kind,
            "at": time::to_paris(self.at),
            "actor": {"role": self.actor_role, "id": self.actor_id},
            "details": details,
        })
    }

    /// [`JournalRecord::to_api`] as the seeker reads their own journal: an admin by role only
    /// (`id` null).
    /// The admin's `sub` is their own personal data, and the seeker's right of access covers
    /// what was done and when, not which employee did it (as in the export's `staffAccess`).
    pub fn to_seeker_api(&self) -> serde_json::Value {
        let mut value = self.to_api();
        if self.actor_role == ActorRole::Admin {
            if let Some(actor) = value.get_mut("actor").and_then(serde_json::Value::as_object_mut) {
                actor.insert("id".into(), serde_json::Value::Null);
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn facts(start: DateTime<Utc>) -> InterviewFacts {
        InterviewFacts { interview_id: "I1".into(), start, channel: Channel::Video, mandatory: false }
    }

    #[test]
    fn entries_read_in_paris_time_and_sort_by_time() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 12, 10, 8, 30, 0).unwrap();
        let cancelled = JournalEvent::Cancelled { interview: facts(start), reason: "x".into(), cause: None };
        let entry = JournalRecord::new("S1", cancelled, at, ActorRole::Advisor, Some("A1"), 730);
        let later = JournalRecord::new(
            "S1",
            JournalEvent::Erased { cause: None },
            at + chrono::Duration::seconds(1),
            ActorRole::Seeker,
            None,
            730,
        );
        assert!(entry.sk < later.sk, "sort keys follow time");
        let api = entry.to_api();
        assert_eq!(api["kind"], "cancelled");
        assert_eq!(api["at"], "2026-12-03T09:30:00+01:00");
        assert_eq!(api["details"]["start"], "2026-12-10T09:30:00+01:00");
        assert_eq!(api["details"]["reason"], "x");
        assert_eq!(later.kind, "erased");
        assert!(!later.to_item().unwrap().contains_key("details"), "no empty map is written");
    }

    /// Events are stored with exactly the kind and details the `json!` maps they replace wrote.
    #[test]
    fn events_store_the_kind_and_details_written_before_they_were_typed() {
        let start = Utc.with_ymd_and_hms(2026, 12, 10, 8, 30, 0).unwrap();
        let later = start + chrono::Duration::minutes(30);
        let interview = |mut details: Value| {
            details["interviewId"] = json!("I1");
            details["start"] = json!(start);
            details["channel"] = json!(Channel::Video);
            details["mandatory"] = json!(false);
            details
        };
        let cases: Vec<(JournalEvent, &str, Value)> = vec![
            (
                JournalEvent::Registered { level: Level::Guided, region: "idf".into(), advisor_id: None },
                "registered",
                json!({"level": Level::Guided, "region": "idf", "advisorId": null}),
            ),
            (
                JournalEvent::WaitingForAdvisor(AdvisorMove {
                    from_advisor_id: Some("A1".into()),
                    to_advisor_id: None,
                    cause: "level_changed".into(),
                }),
                "waiting_for_advisor",
                json!({"fromAdvisorId": "A1", "toAdvisorId": null, "cause": "level_changed"}),
            ),
            (JournalEvent::InterviewBooked(facts(start)), "interview_booked", interview(json!({}))),
            (
                JournalEvent::Rescheduled { interview: facts(later), previous_start: start, version: 2 },
                "rescheduled",
                {
                    let mut details = interview(json!({"previousStart": start, "version": 2}));
                    details["start"] = json!(later);
                    details
                },
            ),
            (
                JournalEvent::Cancelled {
                    interview: facts(start),
                    reason: "empêchement".into(),
                    cause: Some("advisor_changed"),
                },
                "cancelled",
                interview(json!({"reason": "empêchement", "cause": "advisor_changed"})),
            ),
            (
                JournalEvent::NoShow(InterviewOutcome { interview: facts(start), note: None }),
                "no_show",
                interview(json!({})),
            ),
            (
                JournalEvent::Extended { interview: facts(start), minutes: 15, previous_end: start, end: later },
                "extended",
                interview(json!({"minutes": 15, "previousEnd": start, "end": later})),
            ),
            (
                JournalEvent::InterviewCancelled { interview_id: "I1".into(), start, cause: "retention" },
                "interview_cancelled",
                json!({"interviewId": "I1", "start": domain::time::to_key(start), "cause": "retention"}),
            ),
            (
                JournalEvent::InPersonDeclined { request_id: "R1".into(), message: "non".into() },
                "in_person_declined",
                json!({"requestId": "R1", "message": "non"}),
            ),
            (
                JournalEvent::Call(CallStep {
                    call_id: "C1".into(),
                    interview_id: None,
                    event: "failed".into(),
                    party: Some(None),
                    reason: Some("486".into()),
                    bridged_at: None,
                    by: None,
                    duration_seconds: None,
                }),
                "call",
                json!({"callId": "C1", "event": "failed", "party": null, "reason": "486"}),
            ),
            (
                JournalEvent::Attendance(AttendanceEvent {
                    interview_id: "I1".into(),
                    event: "joined",
                    meeting_id: "M1".into(),
                    mandatory: true,
                    participant: Some("seeker"),
                    attendee_id: None,
                    leg: Some("phone"),
                }),
                "attendance",
                json!({"interviewId": "I1", "event": "joined", "meetingId": "M1", "mandatory": true,
                       "participant": "seeker", "leg": "phone"}),
            ),
            (
                JournalEvent::SmsNotSent(SmsOutcome {
                    template: "missed_call",
                    sms_id: "X1".into(),
                    reason: Some("operator_opt_out".into()),
                }),
                "sms_not_sent",
                json!({"template": "missed_call", "smsId": "X1", "reason": "operator_opt_out"}),
            ),
            (
                JournalEvent::EmailSent(EmailOutcome {
                    template: EmailTemplate::InterviewWithdrawnByErasure,
                    email_id: "E1".into(),
                }),
                "email_sent",
                json!({"template": "interview_withdrawn_by_erasure", "emailId": "E1"}),
            ),
            (JournalEvent::Erased { cause: None }, "erased", json!({})),
            (JournalEvent::Erased { cause: Some("retention") }, "erased", json!({"cause": "retention"})),
        ];
        for (event, kind, details) in cases {
            let (written_kind, written_details) = event.kind_and_details();
            assert_eq!((written_kind.as_str(), Value::Object(written_details)), (kind, details), "{event:?}");
        }
    }
}
