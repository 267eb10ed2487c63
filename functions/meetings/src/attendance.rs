//! Attendance proof: Chime meeting events (EventBridge, source `aws.chime`,
//! detail-type "Chime Meeting State Change") recorded in the seeker's journal.
//!
//! Each event is written once: the attendance item keyed by the EventBridge
//! event id is put with `attribute_not_exists` in the same transaction as the
//! journal entry, so a redelivered event (EventBridge delivers at least once)
//! changes nothing.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{TimeZone, Utc};
use domain::meeting::Part;
use domain::time::to_key;
use serde::Deserialize;
use serde_json::Value;
use store::journal::{ActorRole, AttendanceEvent, JournalEvent, JournalRecord};
use store::keys;
use store::tx::put;
use store::{n, s, Item, TransactOutcome, Tx};

use crate::join::load;
use crate::App;

pub const SOURCE: &str = "aws.chime";
pub const DETAIL_TYPE: &str = "Chime Meeting State Change";

/// The `detail` of a Chime meeting event (members as Chime spells them).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChimeDetail {
    pub event_type: String,
    /// Epoch milliseconds.
    #[serde(default)]
    pub timestamp: Option<i64>,
    pub meeting_id: String,
    #[serde(default)]
    pub external_meeting_id: Option<String>,
    #[serde(default)]
    pub attendee_id: Option<String>,
    #[serde(default)]
    pub external_user_id: Option<String>,
}

/// What the journal says happened.
fn presence(event_type: &str) -> Option<&'static str> {
    match event_type {
        "chime:AttendeeJoined" => Some("joined"),
        "chime:AttendeeLeft" => Some("left"),
        "chime:AttendeeDropped" => Some("dropped"),
        "chime:MeetingEnded" => Some("meeting_ended"),
        _ => None,
    }
}

/// How an event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    Written,
    /// Delivered before: nothing written.
    Duplicate,
    /// Not about one of our interviews, or not a presence event.
    Ignored,
}

/// Handles one EventBridge delivery; an `Err` makes EventBridge retry it.
pub async fn handle(app: &App, event: EventBridgeEvent<Value>) -> Result<Recorded, lambda_runtime::Error> {
    if event.source != SOURCE || event.detail_type != DETAIL_TYPE {
        tracing::warn!(source = %event.source, "not a Chime meeting event; ignored");
        return Ok(Recorded::Ignored);
    }
    let detail: ChimeDetail = match serde_json::from_value(event.detail.clone()) {
        Ok(detail) => detail,
        Err(e) => {
            // Retrying cannot make it parse.
            tracing::warn!(error = %e, "malformed Chime event detail; ignored");
            return Ok(Recorded::Ignored);
        }
    };
    let Some(what) = presence(&detail.event_type) else {
        return Ok(Recorded::Ignored);
    };
    // The meetings function sets ExternalMeetingId to the interview id.
    let Some(interview_id) = detail.external_meeting_id.clone().filter(|id| !id.is_empty()) else {
        tracing::warn!("Chime event without an external meeting id; ignored");
        return Ok(Recorded::Ignored);
    };
    let Some(interview) = load(app, &interview_id).await.map_err(|e| format!("reading the interview: {e}"))? else {
        tracing::warn!(interview_id = %interview_id, "Chime event for an unknown interview; ignored");
        return Ok(Recorded::Ignored);
    };
    let at =
        detail.timestamp.and_then(|ms| Utc.timestamp_millis_opt(ms).single()).or(event.time).unwrap_or_else(Utc::now);
    // The EventBridge id identifies a delivery's event; without one, the event's own fields do.
    let event_id = event.id.clone().filter(|id| !id.is_empty()).unwrap_or_else(|| {
        format!(
            "{}:{}:{}:{}",
            detail.meeting_id,
            detail.event_type,
            detail.attendee_id.as_deref().unwrap_or("-"),
            detail.timestamp.unwrap_or_default()
        )
    });
    let participant = participant(&detail, &interview.seeker_id, &interview.advisor_id);

    let attendance = AttendanceEvent {
        interview_id: interview.interview_id.clone(),
        event: what,
        meeting_id: detail.meeting_id.clone(),
        mandatory: interview.mandatory,
        participant,
        attendee_id: detail.attendee_id.clone(),
        // The seeker dialled in by phone (POST /interviews/{id}/meeting/dial-in).
        leg: detail.external_user_id.as_deref().is_some_and(domain::meeting::is_phone_leg).then_some("phone"),
    };
    let entry = JournalRecord::new(
        &interview.seeker_id,
        JournalEvent::Attendance(attendance),
        at,
        ActorRole::System,
        None,
        app.config.retention_days,
    );
    let marker: Item = [
        ("pk", s(keys::interview_pk(&interview.interview_id))),
        ("sk", s(keys::attendance_sk(&event_id))),
        ("type", s(what)),
        ("meetingId", s(detail.meeting_id.clone())),
        ("at", s(to_key(at))),
        ("journalEntryId", s(entry.entry_id.clone())),
        // As long as the journal entry it guards.
        ("expiresAt", n(entry.expires_at)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(participant.map(|p| ("participant".to_owned(), s(p))))
    .chain(detail.attendee_id.clone().map(|a| ("attendeeId".to_owned(), s(a))))
    .collect();
    let mut tx = Tx::new();
    let first_delivery = tx.push(put(marker, Some("attribute_not_exists(pk)")));
    tx.push(put(entry.to_item().map_err(|e| format!("journal entry: {e}"))?, None));
    match app.store.commit(tx).await.map_err(|e| format!("recording attendance: {e}"))? {
        TransactOutcome::Committed => {
            tracing::info!(interview_id = %interview.interview_id, event = what, "attendance recorded");
            Ok(Recorded::Written)
        }
        outcome if outcome.failed(first_delivery) => {
            tracing::info!(interview_id = %interview.interview_id, "attendance event delivered again; nothing written");
            Ok(Recorded::Duplicate)
        }
        outcome => Err(format!("attendance transaction cancelled: {outcome:?}").into()),
    }
}

/// `seeker` or `advisor` when the attendee is one of the interview's two people.
fn participant(detail: &ChimeDetail, seeker_id: &str, advisor_id: &str) -> Option<&'static str> {
    let external_user_id = detail.external_user_id.as_deref()?;
    Part::from_external_user_id(external_user_id, seeker_id, advisor_id).map(|part| part.role())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The event as AWS documents it (Amazon Chime SDK developer guide, "meeting lifecycle events").
    const ATTENDEE_JOINED: &str = r#"{
        "version": "0",
        "id": "5ee6265a-0a40-104e-d8fd-a3b4bdd78483",
        "source": "aws.chime",
        "account": "111122223333",
        "region": "eu-west-3",
        "detail-type": "Chime Meeting State Change",
        "time": "2026-12-03T08:31:02Z",
        "resources": [],
        "detail": {
            "version": "0",
            "eventType": "chime:AttendeeJoined",
            "timestamp": 1796286662000,
            "meetingId": "87654321-4321-4321-1234-111122223333",
            "attendeeId": "1b7e4a2f-0000-4000-8000-000000000001",
            "externalUserId": "seeker-01JSEEKER",
            "externalMeetingId": "01JINTERVIEW",
            "mediaRegion": "eu-west-3"
        }
    }"#;

    #[test]
    fn parses_the_documented_event() {
        let event: EventBridgeEvent<Value> = serde_json::from_str(ATTENDEE_JOINED).unwrap();
        assert_eq!(event.source, SOURCE);
        assert_eq!(event.detail_type, DETAIL_TYPE);
        let detail: ChimeDetail = serde_json::from_value(event.detail).unwrap();
        assert_eq!(presence(&detail.event_type), Some("joined"));
        assert_eq!(detail.external_meeting_id.as_deref(), Some("01JINTERVIEW"));
        assert_eq!(participant(&detail, "01JSEEKER", "01JADVISOR"), Some("seeker"));
        assert_eq!(participant(&detail, "someone-else", "01JADVISOR"), None);
        assert_eq!(presence("chime:MeetingStarted"), None);
    }
}
