//! A Chime SDK Meetings emulator: the control-plane REST protocol the Rust SDK
//! speaks (restJson1: `POST /meetings`, `GET`/`DELETE /meetings/{id}`,
//! `POST /meetings/{id}/attendees`, `DELETE /meetings/{id}/attendees/{id}`;
//! errors as `x-amzn-ErrorType` plus `{"Code","Message"}`), served on
//! `CHIME_PORT`, so the real client runs unchanged through
//! `AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS`.
//!
//! It emits the meeting events Chime sends to EventBridge ("Chime Meeting
//! State Change") to the functions of the template's matching rules, and has
//! local control routes (`/_local/chime/...` on the HTTP port) for tests: make
//! an attendee join or leave (there is no media here), expire a meeting behind
//! the application's back, redeliver an event, and throttle or fail the calls
//! about one interview's meetings. Media is not emulated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::Gateway;

/// A fault injected for the meetings of one external meeting id (one interview), so
/// concurrent tests about other interviews are not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 429 `ThrottlingException`.
    Throttle,
    /// 503 `ServiceUnavailableException`.
    Unavailable,
}

#[derive(Debug, Clone)]
struct Attendee {
    attendee_id: String,
    external_user_id: String,
    join_token: String,
}

#[derive(Debug, Clone)]
struct Meeting {
    meeting_id: String,
    external_meeting_id: String,
    media_region: String,
    attendees: Vec<Attendee>,
    /// Deleted or expired: kept for the control listing, NotFound to the API.
    ended: bool,
}

#[derive(Default)]
struct World {
    meetings: HashMap<String, Meeting>,
    /// `ClientRequestToken` to meeting id: the same token gives the same live meeting.
    tokens: HashMap<String, String>,
    faults: HashMap<String, Fault>,
    /// Every event emitted, by id, for redelivery.
    events: HashMap<String, Value>,
}

#[derive(Default)]
pub struct Emulator {
    state: Mutex<World>,
}

/// Random hex in the UUID layout Chime uses for meeting and attendee ids.
fn uuid() -> String {
    let hex = format!("{:032x}", ulid::Ulid::new().random() ^ (ulid::Ulid::new().random() << 48));
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn control_region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into())
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let code = kind.trim_end_matches("Exception");
    (
        status,
        [("x-amzn-ErrorType", kind), ("content-type", "application/json")],
        Json(json!({"Code": code, "Message": message})),
    )
        .into_response()
}

fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Throttle => error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded (emulated)"),
        Fault::Unavailable => {
            error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailableException", "Service unavailable (emulated)")
        }
    }
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NotFoundException", "The requested resource does not exist.")
}

fn meeting_json(meeting: &Meeting) -> Value {
    let id = &meeting.meeting_id;
    let region = &meeting.media_region;
    // Placement URLs have the shape of Chime's; nothing listens there (no media locally).
    json!({
        "MeetingId": id,
        "ExternalMeetingId": meeting.external_meeting_id,
        "MediaRegion": region,
        "MediaPlacement": {
            "AudioHostUrl": format!("{id}.k.m1.{region}.app.chime.aws:3478"),
            "AudioFallbackUrl": format!("wss://haxrp.m1.{region}.app.chime.aws:443/calls/{id}"),
            "SignalingUrl": format!("wss://signal.m1.{region}.app.chime.aws/control/{id}"),
            "TurnControlUrl": format!("https://2713.cell.{region}.meetings.chime.aws/v2/turn_sessions"),
            "ScreenDataUrl": format!("wss://bitpw.m1.{region}.app.chime.aws:443/v2/screen/{id}"),
            "ScreenViewingUrl": format!("wss://bitpw.m1.{region}.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id={id}"),
            "ScreenSharingUrl": format!("wss://bitpw.m1.{region}.app.chime.aws:443/v2/screen/{id}"),
            "EventIngestionUrl": format!("https://data.svc.{region}.ingest.chime.aws/v1/client-events"),
        },
        "MeetingArn": format!("arn:aws:chime:{}:000000000000:meeting/{id}", control_region()),
    })
}

fn attendee_json(attendee: &Attendee) -> Value {
    json!({
        "ExternalUserId": attendee.external_user_id,
        "AttendeeId": attendee.attendee_id,
        "JoinToken": attendee.join_token,
        "Capabilities": {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"},
    })
}

/// The Chime SDK Meetings API, served on CHIME_PORT.
pub fn api_router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/meetings", post(create_meeting))
        .route("/meetings/{meeting_id}", get(get_meeting).delete(delete_meeting))
        .route("/meetings/{meeting_id}/attendees", post(create_attendee))
        .route("/meetings/{meeting_id}/attendees/{attendee_id}", axum::routing::delete(delete_attendee))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "NotFoundException", "unknown operation (emulator)") })
        .with_state(gateway)
}

/// The local control routes, merged into the HTTP API listener under `/_local/chime`.
pub fn control_router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/_local/chime/faults", post(set_fault))
        .route("/_local/chime/meetings", get(list_meetings))
        .route("/_local/chime/meetings/{meeting_id}/expire", post(expire_meeting))
        .route("/_local/chime/meetings/{meeting_id}/attendees/{attendee_id}/{action}", post(attendee_media))
        .route("/_local/chime/events/{event_id}/redeliver", post(redeliver))
        .with_state(gateway)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateMeetingInput {
    client_request_token: Option<String>,
    external_meeting_id: Option<String>,
    media_region: Option<String>,
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequestException", message)
}

fn valid_length(value: &Option<String>, min: usize, max: usize) -> bool {
    value.as_ref().is_none_or(|v| (min..=max).contains(&v.chars().count()))
}

async fn create_meeting(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    let Ok(input) = serde_json::from_slice::<CreateMeetingInput>(&body) else {
        return bad_request("the body is not a CreateMeeting request");
    };
    // The service (not the SDK) checks required members and lengths.
    let (Some(token), Some(media_region)) = (input.client_request_token.clone(), input.media_region.clone()) else {
        return bad_request("ClientRequestToken and MediaRegion are required");
    };
    if !valid_length(&Some(token.clone()), 2, 64) || !valid_length(&input.external_meeting_id, 2, 64) {
        return bad_request("ClientRequestToken and ExternalMeetingId are 2 to 64 characters");
    }
    let external = input.external_meeting_id.clone().unwrap_or_default();
    let mut state = gateway.chime.lock();
    if let Some(fault) = state.faults.get(&external) {
        return fault_response(*fault);
    }
    if let Some(existing) = state.tokens.get(&token).and_then(|id| state.meetings.get(id)).filter(|m| !m.ended) {
        return Json(json!({"Meeting": meeting_json(existing)})).into_response();
    }
    let meeting = Meeting {
        meeting_id: uuid(),
        external_meeting_id: external,
        media_region,
        attendees: Vec::new(),
        ended: false,
    };
    let answer = Json(json!({"Meeting": meeting_json(&meeting)})).into_response();
    state.tokens.insert(token, meeting.meeting_id.clone());
    state.meetings.insert(meeting.meeting_id.clone(), meeting);
    answer
}

impl Emulator {
    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        // A panic while holding the lock leaves consistent maps; keep serving.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Why a call about a meeting fails.
enum Refusal {
    NotFound,
    Fault(Fault),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::NotFound => not_found(),
            Refusal::Fault(fault) => fault_response(fault),
        }
    }
}

/// The live meeting, or why the API refuses (NotFound, or an injected fault).
fn live<'a>(state: &'a mut World, meeting_id: &str) -> Result<&'a mut Meeting, Refusal> {
    let Some(meeting) = state.meetings.get_mut(meeting_id).filter(|m| !m.ended) else {
        return Err(Refusal::NotFound);
    };
    if let Some(fault) = state.faults.get(&meeting.external_meeting_id) {
        return Err(Refusal::Fault(*fault));
    }
    Ok(meeting)
}

async fn get_meeting(State(gateway): State<Arc<Gateway>>, Path(meeting_id): Path<String>) -> Response {
    let mut state = gateway.chime.lock();
    match live(&mut state, &meeting_id) {
        Ok(meeting) => Json(json!({"Meeting": meeting_json(meeting)})).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn delete_meeting(State(gateway): State<Arc<Gateway>>, Path(meeting_id): Path<String>) -> Response {
    let event = {
        let mut state = gateway.chime.lock();
        match live(&mut state, &meeting_id) {
            Ok(meeting) => {
                meeting.ended = true;
                let meeting = meeting.clone();
                Some(record_event(&mut state, &meeting, "chime:MeetingEnded", None))
            }
            Err(refusal) => return refusal.into_response(),
        }
    };
    if let Some(event) = event {
        // Chime sends the event asynchronously; the caller does not wait for its delivery.
        tokio::spawn(deliver(gateway.clone(), event));
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateAttendeeInput {
    external_user_id: Option<String>,
}

async fn create_attendee(State(gateway): State<Arc<Gateway>>, Path(meeting_id): Path<String>, body: Bytes) -> Response {
    let Ok(input) = serde_json::from_slice::<CreateAttendeeInput>(&body) else {
        return bad_request("the body is not a CreateAttendee request");
    };
    let Some(external_user_id) = input.external_user_id.filter(|e| (2..=64).contains(&e.chars().count())) else {
        return bad_request("ExternalUserId is required (2 to 64 characters)");
    };
    let mut state = gateway.chime.lock();
    let meeting = match live(&mut state, &meeting_id) {
        Ok(meeting) => meeting,
        Err(refusal) => return refusal.into_response(),
    };
    // Chime answers the existing attendee for an ExternalUserId already in the meeting.
    if let Some(existing) = meeting.attendees.iter().find(|a| a.external_user_id == external_user_id) {
        return Json(json!({"Attendee": attendee_json(existing)})).into_response();
    }
    let attendee = Attendee {
        attendee_id: uuid(),
        external_user_id,
        join_token: format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()).to_lowercase(),
    };
    let answer = Json(json!({"Attendee": attendee_json(&attendee)})).into_response();
    meeting.attendees.push(attendee);
    answer
}

async fn delete_attendee(
    State(gateway): State<Arc<Gateway>>,
    Path((meeting_id, attendee_id)): Path<(String, String)>,
) -> Response {
    let mut state = gateway.chime.lock();
    let meeting = match live(&mut state, &meeting_id) {
        Ok(meeting) => meeting,
        Err(refusal) => return refusal.into_response(),
    };
    let before = meeting.attendees.len();
    meeting.attendees.retain(|a| a.attendee_id != attendee_id);
    if meeting.attendees.len() == before {
        return not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Builds a "Chime Meeting State Change" event as EventBridge delivers it, and keeps it for redelivery.
fn record_event(state: &mut World, meeting: &Meeting, event_type: &str, attendee: Option<&Attendee>) -> Value {
    let now = chrono::Utc::now();
    let mut detail = json!({
        "version": "0",
        "eventType": event_type,
        "timestamp": now.timestamp_millis(),
        "meetingId": meeting.meeting_id,
        "externalMeetingId": meeting.external_meeting_id,
        "mediaRegion": meeting.media_region,
    });
    if let Some(attendee) = attendee {
        detail["attendeeId"] = json!(attendee.attendee_id);
        detail["externalUserId"] = json!(attendee.external_user_id);
    }
    let event = json!({
        "version": "0",
        "id": uuid(),
        "detail-type": "Chime Meeting State Change",
        "source": "aws.chime",
        "account": "000000000000",
        "time": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": control_region(),
        "resources": [],
        "detail": detail,
    });
    if let Some(id) = event["id"].as_str() {
        state.events.insert(id.to_owned(), event.clone());
    }
    event
}

/// Delivers an event to every function whose template rule matches it, retrying a failed
/// invocation a few times (EventBridge retries asynchronous invocations). Returns per function whether it succeeded.
async fn deliver(gateway: Arc<Gateway>, event: Value) -> Vec<(String, bool)> {
    let mut outcomes = Vec::new();
    for rule in gateway.template.rules.iter().filter(|r| pattern_matches(&r.pattern, &event)) {
        let parsed: EventBridgeEvent<Value> = match serde_json::from_value(event.clone()) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::error!(error = %e, "emulated Chime event does not parse");
                outcomes.push((rule.function.clone(), false));
                continue;
            }
        };
        let mut ok = false;
        for attempt in 0..3u64 {
            match gateway
                .functions
                .invoke_event(&rule.function, parsed.clone(), gateway.template.deadline(&rule.function))
                .await
            {
                Ok(_) => {
                    ok = true;
                    break;
                }
                Err(e) => {
                    tracing::warn!(function = %rule.function, attempt, error = %e, "event delivery failed");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
                }
            }
        }
        outcomes.push((rule.function.clone(), ok));
    }
    outcomes
}

/// EventBridge pattern matching, for the forms the template uses: nested objects and arrays of exact values.
pub fn pattern_matches(pattern: &Value, event: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields.iter().all(|(key, expected)| match expected {
            Value::Array(allowed) => event.get(key).is_some_and(|actual| allowed.contains(actual)),
            Value::Object(_) => event.get(key).is_some_and(|inner| pattern_matches(expected, inner)),
            _ => false,
        }),
        _ => false,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultRequest {
    external_meeting_id: String,
    /// `null` clears the fault.
    fault: Option<Fault>,
}

async fn set_fault(State(gateway): State<Arc<Gateway>>, Json(request): Json<FaultRequest>) -> Response {
    let mut state = gateway.chime.lock();
    match request.fault {
        Some(fault) => state.faults.insert(request.external_meeting_id, fault),
        None => state.faults.remove(&request.external_meeting_id),
    };
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    external_meeting_id: Option<String>,
}

async fn list_meetings(State(gateway): State<Arc<Gateway>>, Query(query): Query<ListQuery>) -> Response {
    let state = gateway.chime.lock();
    let items: Vec<Value> = state
        .meetings
        .values()
        .filter(|m| query.external_meeting_id.as_ref().is_none_or(|e| &m.external_meeting_id == e))
        .map(|m| {
            json!({
                "meetingId": m.meeting_id,
                "externalMeetingId": m.external_meeting_id,
                "mediaRegion": m.media_region,
                "ended": m.ended,
                "attendees": m.attendees.iter().map(|a| json!({"attendeeId": a.attendee_id, "externalUserId": a.external_user_id})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(json!({"items": items})).into_response()
}

/// As if Chime had ended the meeting on its own (5 empty minutes): NotFound from now on.
async fn expire_meeting(State(gateway): State<Arc<Gateway>>, Path(meeting_id): Path<String>) -> Response {
    let event = {
        let mut state = gateway.chime.lock();
        let Some(meeting) = state.meetings.get_mut(&meeting_id).filter(|m| !m.ended) else {
            return not_found();
        };
        meeting.ended = true;
        let meeting = meeting.clone();
        record_event(&mut state, &meeting, "chime:MeetingEnded", None)
    };
    let deliveries = deliver(gateway.clone(), event.clone()).await;
    Json(json!({"event": event, "deliveries": deliveries_json(&deliveries)})).into_response()
}

fn deliveries_json(deliveries: &[(String, bool)]) -> Value {
    deliveries.iter().map(|(function, ok)| json!({"function": function, "ok": ok})).collect()
}

/// A client joining or leaving the media of a meeting: emits the event Chime would.
async fn attendee_media(
    State(gateway): State<Arc<Gateway>>,
    Path((meeting_id, attendee_id, action)): Path<(String, String, String)>,
) -> Response {
    let event_type = match action.as_str() {
        "join" => "chime:AttendeeJoined",
        "leave" => "chime:AttendeeLeft",
        "drop" => "chime:AttendeeDropped",
        _ => return (StatusCode::NOT_FOUND, "action is join, leave or drop").into_response(),
    };
    let event = {
        let mut state = gateway.chime.lock();
        let Some(meeting) = state.meetings.get(&meeting_id).filter(|m| !m.ended).cloned() else {
            return not_found();
        };
        let Some(attendee) = meeting.attendees.iter().find(|a| a.attendee_id == attendee_id) else {
            return not_found();
        };
        record_event(&mut state, &meeting, event_type, Some(attendee))
    };
    let deliveries = deliver(gateway.clone(), event.clone()).await;
    Json(json!({"event": event, "deliveries": deliveries_json(&deliveries)})).into_response()
}

/// A phone leg's media joins (`chime:AttendeeJoined`) or leaves (`chime:AttendeeLeft`) a live
/// meeting, for the PSTN audio emulator's `JoinChimeMeeting`: the attendee is found by its join
/// token; `None` when the meeting or the token is unknown. The event is delivered as for a
/// browser's media.
pub async fn phone_leg(gateway: &Arc<Gateway>, meeting_id: &str, join_token: &str, joined: bool) -> Option<String> {
    let (attendee_id, event) = {
        let mut state = gateway.chime.lock();
        let meeting = state.meetings.get(meeting_id).filter(|m| !m.ended).cloned()?;
        let attendee = meeting.attendees.iter().find(|a| a.join_token == join_token)?.clone();
        let event_type = if joined { "chime:AttendeeJoined" } else { "chime:AttendeeLeft" };
        let event = record_event(&mut state, &meeting, event_type, Some(&attendee));
        (attendee.attendee_id, event)
    };
    deliver(gateway.clone(), event).await;
    Some(attendee_id)
}

/// Delivers an emitted event once more (EventBridge delivers at least once).
async fn redeliver(State(gateway): State<Arc<Gateway>>, Path(event_id): Path<String>) -> Response {
    let Some(event) = gateway.chime.lock().events.get(&event_id).cloned() else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": {"code": "not_found", "message": "no such event"}})))
            .into_response();
    };
    let deliveries = deliver(gateway.clone(), event.clone()).await;
    Json(json!({"event": event, "deliveries": deliveries_json(&deliveries)})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_eventbridge() {
        let pattern = json!({"source": ["aws.chime"], "detail-type": ["Chime Meeting State Change"],
            "detail": {"eventType": ["chime:AttendeeJoined", "chime:MeetingEnded"]}});
        let event = json!({"source": "aws.chime", "detail-type": "Chime Meeting State Change",
            "detail": {"eventType": "chime:AttendeeJoined"}});
        assert!(pattern_matches(&pattern, &event));
        let other = json!({"source": "aws.chime", "detail-type": "Chime Meeting State Change",
            "detail": {"eventType": "chime:MeetingStarted"}});
        assert!(!pattern_matches(&pattern, &other));
    }

    #[test]
    fn ids_have_the_uuid_layout() {
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), vec![8, 4, 4, 4, 12]);
    }
}
