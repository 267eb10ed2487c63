//! The JSON shapes the booking routes answer with.

use domain::time::{from_key, to_paris};
use serde_json::{json, Value};
use store::interview::InterviewRecord;

use crate::records::{InPersonRecord, SlotRecord};

pub fn paris(key: &str) -> Value {
    from_key(key).map(|t| Value::String(to_paris(t))).unwrap_or(Value::Null)
}

fn paris_opt(key: Option<&str>) -> Value {
    key.map(paris).unwrap_or(Value::Null)
}

pub fn slot(slot: &SlotRecord) -> Value {
    json!({
        "slotId": slot.slot_id,
        "advisorId": slot.advisor_id,
        "start": paris(&slot.start),
        "end": paris(&slot.end),
        "durationMinutes": slot.duration_minutes,
        "channels": slot.channels,
        "state": slot.state,
        "interviewId": slot.interview_id,
        "bookedBy": slot.booked_by,
    })
}

/// A slot as a seeker sees it: no word of who booked others.
pub fn open_slot(slot: &SlotRecord) -> Value {
    json!({
        "slotId": slot.slot_id,
        "start": paris(&slot.start),
        "end": paris(&slot.end),
        "durationMinutes": slot.duration_minutes,
        "channels": slot.channels,
    })
}

pub fn interview(interview: &InterviewRecord) -> Value {
    json!({
        "interviewId": interview.interview_id,
        "seekerId": interview.seeker_id,
        "advisorId": interview.advisor_id,
        "slotId": interview.slot_id,
        "requestId": interview.request_id,
        "start": paris(&interview.start),
        "end": paris(&interview.end),
        "durationMinutes": interview.duration_minutes,
        "channel": interview.channel,
        "mandatory": interview.mandatory,
        "location": interview.location,
        "phone": interview.phone_number.as_ref().map(|n| json!({"number": n, "caller": "advisor"})),
        "status": interview.status,
        "acknowledgedAt": paris_opt(interview.acknowledged_at.as_deref()),
        "channelHistory": interview.channel_history.iter().map(|c| json!({
            "from": c.from, "to": c.to, "reason": c.reason, "at": paris(&c.at), "by": c.by,
        })).collect::<Vec<_>>(),
        "outcomeNote": interview.outcome_note,
        "outcomeAt": paris_opt(interview.outcome_at.as_deref()),
        "cancelledAt": paris_opt(interview.cancelled_at.as_deref()),
        "cancelReason": interview.cancel_reason,
        "cancelledBy": interview.cancelled_by,
        "meeting": {
            "available": interview.channel == domain::Channel::Video,
            "meetingId": interview.meeting_id,
        },
        "createdAt": paris(&interview.created_at),
    })
}

pub fn in_person(request: &InPersonRecord) -> Value {
    json!({
        "requestId": request.request_id,
        "seekerId": request.seeker_id,
        "advisorId": request.advisor_id,
        "reason": request.reason,
        "status": request.status,
        "createdAt": paris(&request.created_at),
        "answeredAt": paris_opt(request.answered_at.as_deref()),
        "interviewId": request.interview_id,
        "message": request.message,
    })
}
