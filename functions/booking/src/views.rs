//! The JSON shapes the booking routes answer with. Instants are Paris times (records hold
//! them typed: a corrupt one fails to decode before a view is made); optional fields are sent
//! as `null`, never left out, except a convocation's proof, present only on a convocation.

use domain::interview::PhoneCaller;
use domain::journal::ActorRole;
use domain::time::to_paris;
use domain::Channel;
use serde::Serialize;
use store::interview::{ChannelChange, InterviewRecord, InterviewStatus};

use crate::records::{InPersonRecord, RequestStatus, SlotRecord, SlotState};

/// A slot as its advisor sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot<'a> {
    slot_id: &'a str,
    advisor_id: &'a str,
    start: Option<String>,
    end: Option<String>,
    duration_minutes: u32,
    channels: &'a [Channel],
    place: Option<&'a str>,
    state: SlotState,
    interview_id: Option<&'a str>,
    booked_by: Option<&'a str>,
}

pub fn slot(slot: &SlotRecord) -> Slot<'_> {
    Slot {
        slot_id: &slot.slot_id,
        advisor_id: &slot.advisor_id,
        start: Some(to_paris(slot.start)),
        end: Some(to_paris(slot.end)),
        duration_minutes: slot.duration_minutes,
        channels: &slot.channels,
        place: slot.place.as_deref(),
        state: slot.state,
        interview_id: slot.interview_id.as_deref(),
        booked_by: slot.booked_by.as_deref(),
    }
}

/// `POST /advisors/me/slots`: the slots made.
#[derive(Debug, Serialize)]
pub struct SlotsMade<'a> {
    pub items: Vec<Slot<'a>>,
}

/// A slot as a seeker sees it: no word of who booked others.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenSlot<'a> {
    slot_id: &'a str,
    start: Option<String>,
    end: Option<String>,
    duration_minutes: u32,
    channels: &'a [Channel],
    /// Where an in-person interview in it takes place.
    place: Option<&'a str>,
}

pub fn open_slot(slot: &SlotRecord) -> OpenSlot<'_> {
    OpenSlot {
        slot_id: &slot.slot_id,
        start: Some(to_paris(slot.start)),
        end: Some(to_paris(slot.end)),
        duration_minutes: slot.duration_minutes,
        channels: &slot.channels,
        place: slot.place.as_deref(),
    }
}

/// How a phone interview is held: who calls (`advisor`: the advisor calls the seeker; `seeker`:
/// the seeker calls the agency) and the number dialled (E.164).
#[derive(Debug, Serialize)]
pub struct Phone<'a> {
    number: &'a str,
    caller: &'static str,
}

fn phone(interview: &InterviewRecord) -> Option<Phone<'_>> {
    let seekers = interview.phone_number.as_deref()?;
    Some(match (interview.caller, interview.agency_number.as_deref()) {
        (PhoneCaller::Seeker, Some(agency)) => Phone { number: agency, caller: PhoneCaller::Seeker.as_str() },
        _ => Phone { number: seekers, caller: PhoneCaller::Advisor.as_str() },
    })
}

#[derive(Debug, Serialize)]
pub struct ChannelSwitch<'a> {
    from: Channel,
    to: Channel,
    reason: &'a str,
    at: Option<String>,
    by: ActorRole,
}

/// Whether the interview has a video meeting, and its id once someone joined.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meeting<'a> {
    available: bool,
    meeting_id: Option<&'a str>,
}

/// The proof of notification of a convocation: its current version, when that one left and
/// was acknowledged, and the proof of every version (a reschedule makes a new one).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Convocation<'a> {
    pub version: u32,
    pub sent_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub versions: Vec<ConvocationVersion<'a>>,
}

/// The proof of one version of a convocation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvocationVersion<'a> {
    pub version: u32,
    pub start: String,
    pub end: String,
    pub sent_at: Option<String>,
    pub ses_message_id: Option<&'a str>,
    pub acknowledged_at: Option<String>,
}

fn convocation(interview: &InterviewRecord) -> Option<Convocation<'_>> {
    if !interview.mandatory {
        return None;
    }
    let versions: Vec<ConvocationVersion<'_>> = interview
        .convocations
        .iter()
        .map(|proof| ConvocationVersion {
            version: proof.version,
            start: to_paris(proof.start),
            end: to_paris(proof.end),
            sent_at: proof.sent_at.map(to_paris),
            ses_message_id: proof.ses_message_id.as_deref(),
            acknowledged_at: proof.acknowledged_at.map(to_paris),
        })
        .collect();
    let current = versions.iter().find(|v| v.version == interview.version);
    Some(Convocation {
        version: interview.version,
        sent_at: current.and_then(|v| v.sent_at.clone()),
        acknowledged_at: interview.acknowledged_at.map(to_paris),
        versions,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interview<'a> {
    interview_id: &'a str,
    seeker_id: &'a str,
    advisor_id: &'a str,
    slot_id: Option<&'a str>,
    request_id: Option<&'a str>,
    start: Option<String>,
    end: Option<String>,
    duration_minutes: u32,
    channel: Channel,
    mandatory: bool,
    location: Option<&'a str>,
    phone: Option<Phone<'a>>,
    status: InterviewStatus,
    acknowledged_at: Option<String>,
    channel_history: Vec<ChannelSwitch<'a>>,
    outcome_note: Option<&'a str>,
    outcome_at: Option<String>,
    cancelled_at: Option<String>,
    cancel_reason: Option<&'a str>,
    cancelled_by: Option<ActorRole>,
    meeting: Meeting<'a>,
    created_at: Option<String>,
    /// Only a convocation has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    convocation: Option<Convocation<'a>>,
}

fn channel_switch(change: &ChannelChange) -> ChannelSwitch<'_> {
    ChannelSwitch {
        from: change.from,
        to: change.to,
        reason: &change.reason,
        at: Some(to_paris(change.at)),
        by: change.by,
    }
}

pub fn interview(interview: &InterviewRecord) -> Interview<'_> {
    Interview {
        interview_id: &interview.interview_id,
        seeker_id: &interview.seeker_id,
        advisor_id: &interview.advisor_id,
        slot_id: interview.slot_id.as_deref(),
        request_id: interview.request_id.as_deref(),
        start: Some(to_paris(interview.start)),
        end: Some(to_paris(interview.end)),
        duration_minutes: interview.duration_minutes,
        channel: interview.channel,
        mandatory: interview.mandatory,
        location: interview.location.as_deref(),
        phone: phone(interview),
        status: interview.status,
        acknowledged_at: interview.acknowledged_at.map(to_paris),
        channel_history: interview.channel_history.iter().map(channel_switch).collect(),
        outcome_note: interview.outcome_note.as_deref(),
        outcome_at: interview.outcome_at.map(to_paris),
        cancelled_at: interview.cancelled_at.map(to_paris),
        cancel_reason: interview.cancel_reason.as_deref(),
        cancelled_by: interview.cancelled_by,
        meeting: Meeting {
            available: interview.channel == Channel::Video,
            meeting_id: interview.meeting_id.as_deref(),
        },
        created_at: Some(to_paris(interview.created_at)),
        convocation: convocation(interview),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InPerson<'a> {
    request_id: &'a str,
    seeker_id: &'a str,
    advisor_id: &'a str,
    reason: &'a str,
    status: RequestStatus,
    created_at: Option<String>,
    answered_at: Option<String>,
    interview_id: Option<&'a str>,
    message: Option<&'a str>,
}

pub fn in_person(request: &InPersonRecord) -> InPerson<'_> {
    InPerson {
        request_id: &request.request_id,
        seeker_id: &request.seeker_id,
        advisor_id: &request.advisor_id,
        reason: &request.reason,
        status: request.status,
        created_at: Some(to_paris(request.created_at)),
        answered_at: request.answered_at.map(to_paris),
        interview_id: request.interview_id.as_deref(),
        message: request.message.as_deref(),
    }
}

/// `POST /in-person-requests/{requestId}/accept`: the request answered and the interview booked.
#[derive(Debug, Serialize)]
pub struct Accepted<'a> {
    pub request: InPerson<'a>,
    pub interview: Interview<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_interview_answers_every_field_with_null_for_the_missing_and_a_convocation_its_proof() {
        let record: InterviewRecord = serde_json::from_value(json!({
            "pk": "INTERVIEW#I", "sk": "INTERVIEW", "gsi1pk": "AGENDA#A", "gsi1sk": "x", "gsi2pk": "SI#S", "gsi2sk": "x",
            "interviewId": "I", "seekerId": "S", "advisorId": "A",
            "start": "2026-12-03T08:30:00.000Z", "end": "2026-12-03T09:00:00.000Z", "durationMinutes": 30,
            "channel": "phone", "mandatory": true, "phoneNumber": "0601020304", "status": "booked", "sequence": 0,
            "createdAt": "2026-12-01T08:00:00.000Z",
        }))
        .unwrap();
        let answered = serde_json::to_value(interview(&record)).unwrap();
        assert_eq!(
            answered,
            json!({
                "interviewId": "I", "seekerId": "S", "advisorId": "A", "slotId": null, "requestId": null,
                "start": "2026-12-03T09:30:00+01:00", "end": "2026-12-03T10:00:00+01:00", "durationMinutes": 30,
                "channel": "phone", "mandatory": true, "location": null,
                "phone": {"number": "0601020304", "caller": "advisor"}, "status": "booked", "acknowledgedAt": null,
                "channelHistory": [], "outcomeNote": null, "outcomeAt": null, "cancelledAt": null,
                "cancelReason": null, "cancelledBy": null, "meeting": {"available": false, "meetingId": null},
                "createdAt": "2026-12-01T09:00:00+01:00",
                "convocation": {"version": 1, "sentAt": null, "acknowledgedAt": null, "versions": []},
            })
        );
        let mut other = record.clone();
        other.mandatory = false;
        assert!(serde_json::to_value(interview(&other)).unwrap().get("convocation").is_none());
    }
}
