//! An Amazon Chime SDK PSTN audio emulator, both sides of it:
//!
//! - the `chime-sdk-voice` control operations the functions call, in the restJson1 protocol the
//!   Rust SDK speaks, served on `CHIME_PORT` beside the meetings emulator (the real client runs
//!   unchanged through `AWS_ENDPOINT_URL_CHIME_SDK_VOICE`): `CreateSipMediaApplicationCall`
//!   (`POST /sip-media-applications/{id}/calls`) and `UpdateSipMediaApplicationCall`
//!   (`POST /sip-media-applications/{id}/calls/{transactionId}`);
//! - the service's side: simulated phones and call legs, the SIP media application's handler
//!   (the function the template lets `voiceconnector.chime.amazonaws.com` invoke) invoked with
//!   the documented events in the documented order (`NEW_OUTBOUND_CALL`, `RINGING`,
//!   `CALL_ANSWERED`, `ACTION_SUCCESSFUL` / `ACTION_FAILED`, `HANGUP`,
//!   `CALL_UPDATE_REQUESTED`), its answers' actions executed (`Speak` is heard by the leg's
//!   phone, `CallAndBridge` rings a second phone with the caller id asked for, `Hangup` ends a
//!   leg, `Pause` is skipped), and its limits enforced: more than 10 actions, an answer that
//!   does not parse, or one later than 20 s is `INVALID_LAMBDA_RESPONSE`, as in AWS.
//!
//! Phones are numbers; nothing rings outside this process. Control routes on the HTTP port
//! (`/_local/phones/...`) make a ringing phone answer, refuse (no answer), be busy, or hang up,
//! and read what each phone saw (caller id) and heard (the spoken text); `/_local/voice/calls/
//! {transactionId}` lists the events a call sent and can deliver them again (duplicates, in
//! reverse order) to test the handler's idempotency.
//!
//! Each call runs in its own task, which alone changes its legs: stimuli (a phone's answer, an
//! update request, a ring timeout) queue to it, so the handler sees one invocation at a time in
//! a consistent order, as the service guarantees per call.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::Gateway;

/// The service's limits on an answer.
const MAX_ACTIONS: usize = 10;
const ANSWER_DEADLINE: Duration = Duration::from_secs(20);
/// How long the first leg rings before it counts as not answered (SIP 480).
const RING_SECONDS: u64 = 60;
/// `CallAndBridge` without `CallTimeoutSeconds`.
const DEFAULT_BRIDGE_TIMEOUT_SECONDS: u64 = 30;

/// What a phone did with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneState {
    Ringing,
    Connected,
    /// Answered, then hung up (by either side).
    Ended,
    /// Rang and was not answered (refused, or the ring timed out).
    Missed,
    Busy,
}

/// One call as a phone saw it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneCall {
    pub transaction_id: String,
    /// The leg's `CallId`.
    pub call_id: String,
    /// The number shown on the phone.
    pub caller_id: String,
    pub state: PhoneState,
    /// What was spoken to this phone, in order.
    pub heard: Vec<String>,
}

/// What a phone's user (or the clock) does to a call.
#[derive(Debug, Clone)]
enum Stimulus {
    Answer { call_id: String },
    NoAnswer { call_id: String },
    Busy { call_id: String },
    HangUp { call_id: String },
    RingTimeout { call_id: String },
    Update { arguments: BTreeMap<String, String> },
}

struct CallHandle {
    sender: mpsc::UnboundedSender<Stimulus>,
    /// Every event sent to the handler, in order (for redelivery).
    events: Vec<Value>,
    ended: bool,
}

#[derive(Default)]
struct World {
    calls: HashMap<String, CallHandle>,
    phones: HashMap<String, Vec<PhoneCall>>,
}

/// The PSTN audio emulator's state.
pub struct Emulator {
    state: Mutex<World>,
    /// The SIP media application the account has (`SIP_MEDIA_APPLICATION_ID`).
    sip_media_application_id: String,
    /// The numbers the account owns (`AGENCY_PHONE_NUMBER`): the only valid `FromPhoneNumber`.
    numbers: Vec<String>,
}

impl Emulator {
    pub fn from_env() -> Emulator {
        let var = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        Emulator {
            state: Mutex::new(World::default()),
            sip_media_application_id: var("SIP_MEDIA_APPLICATION_ID")
                .unwrap_or_else(|| "local-sip-media-application".into()),
            numbers: var("AGENCY_PHONE_NUMBER").into_iter().collect(),
        }
    }

    pub fn sip_media_application_id(&self) -> &str {
        &self.sip_media_application_id
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn phone_mut<'a>(world: &'a mut World, number: &str, call_id: &str) -> Option<&'a mut PhoneCall> {
        world.phones.get_mut(number)?.iter_mut().rev().find(|c| c.call_id == call_id)
    }
}

fn uuid() -> String {
    let hex = format!("{:032x}", ulid::Ulid::new().random() ^ (ulid::Ulid::new().random() << 48));
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default()
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

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequestException", message)
}

/// `^\+?[1-9]\d{1,14}$`, the service's pattern for phone numbers.
fn is_e164(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    (2..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
}

/// The Chime SDK Voice operations, merged into the CHIME_PORT listener.
pub fn api_router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/sip-media-applications/{sma_id}/calls", post(create_call))
        .route("/sip-media-applications/{sma_id}/calls/{transaction_id}", post(update_call))
        .with_state(gateway)
}

/// The local control routes, merged into the HTTP API listener.
pub fn control_router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/_local/phones/{number}", get(phone_calls))
        .route("/_local/phones/{number}/{action}", post(phone_action))
        .route("/_local/voice/calls/{transaction_id}", get(call_events))
        .route("/_local/voice/calls/{transaction_id}/redeliver", post(redeliver))
        .with_state(gateway)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateCallInput {
    from_phone_number: Option<String>,
    to_phone_number: Option<String>,
    #[serde(default)]
    sip_headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    arguments_map: Option<BTreeMap<String, String>>,
}

async fn create_call(State(gateway): State<Arc<Gateway>>, Path(sma_id): Path<String>, body: Bytes) -> Response {
    let voice = &gateway.voice;
    if sma_id != voice.sip_media_application_id {
        return error(StatusCode::NOT_FOUND, "NotFoundException", "no such SIP media application");
    }
    let Ok(input) = serde_json::from_slice::<CreateCallInput>(&body) else {
        return bad_request("the body is not a CreateSipMediaApplicationCall request");
    };
    let (Some(from), Some(to)) = (input.from_phone_number, input.to_phone_number) else {
        return bad_request("FromPhoneNumber and ToPhoneNumber are required");
    };
    if !is_e164(&from) || !is_e164(&to) {
        return bad_request("phone numbers must be E.164");
    }
    if !voice.numbers.contains(&from) {
        return bad_request("FromPhoneNumber is not a phone number of this account");
    }
    let arguments = input.arguments_map.unwrap_or_default();
    if arguments.len() > 20 || input.sip_headers.is_some_and(|h| h.len() > 20) {
        return bad_request("ArgumentsMap and SipHeaders hold at most 20 pairs");
    }
    let transaction_id = uuid();
    let (sender, receiver) = mpsc::unbounded_channel();
    voice
        .lock()
        .calls
        .insert(transaction_id.clone(), CallHandle { sender: sender.clone(), events: Vec::new(), ended: false });
    let leg_a =
        Leg { call_id: uuid(), tag: "LEG-A", to: to.clone(), from: from.clone(), start_ms: now_ms(), status: None };
    let sim = Sim {
        gateway: gateway.clone(),
        transaction_id: transaction_id.clone(),
        sip_media_application_id: sma_id,
        attributes: arguments,
        legs: vec![leg_a],
        sequence: 0,
        awaiting: Awaiting::Nothing,
        receiver,
        sender,
        in_meeting: Vec::new(),
    };
    tokio::spawn(sim.run());
    (StatusCode::CREATED, Json(json!({"SipMediaApplicationCall": {"TransactionId": transaction_id}}))).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateCallInput {
    arguments: Option<BTreeMap<String, String>>,
}

async fn update_call(
    State(gateway): State<Arc<Gateway>>,
    Path((sma_id, transaction_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let voice = &gateway.voice;
    if sma_id != voice.sip_media_application_id {
        return error(StatusCode::NOT_FOUND, "NotFoundException", "no such SIP media application");
    }
    let Ok(UpdateCallInput { arguments: Some(arguments) }) = serde_json::from_slice::<UpdateCallInput>(&body) else {
        return bad_request("Arguments is required");
    };
    if arguments.len() > 20 {
        return bad_request("Arguments holds at most 20 pairs");
    }
    let world = voice.lock();
    let Some(call) = world.calls.get(&transaction_id).filter(|c| !c.ended) else {
        return error(StatusCode::NOT_FOUND, "NotFoundException", "no such call in progress");
    };
    if call.sender.send(Stimulus::Update { arguments }).is_err() {
        return error(StatusCode::NOT_FOUND, "NotFoundException", "no such call in progress");
    }
    (StatusCode::ACCEPTED, Json(json!({"SipMediaApplicationCall": {"TransactionId": transaction_id}}))).into_response()
}

fn local_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `GET /_local/phones/{number}`: every call the phone saw, oldest first.
async fn phone_calls(State(gateway): State<Arc<Gateway>>, Path(number): Path<String>) -> Response {
    let world = gateway.voice.lock();
    let calls = world.phones.get(&number).cloned().unwrap_or_default();
    Json(json!({"number": number, "calls": calls})).into_response()
}

/// `POST /_local/phones/{number}/{answer|refuse|busy|hang-up}`: what the phone's user does with
/// its ringing (or, for `hang-up`, connected) call; 409 when it has none.
async fn phone_action(State(gateway): State<Arc<Gateway>>, Path((number, action)): Path<(String, String)>) -> Response {
    let wanted = match action.as_str() {
        "answer" | "refuse" | "busy" => PhoneState::Ringing,
        "hang-up" => PhoneState::Connected,
        _ => return local_error(StatusCode::NOT_FOUND, "no_such_action", "answer, refuse, busy or hang-up"),
    };
    let world = gateway.voice.lock();
    let Some(call) = world.phones.get(&number).and_then(|calls| calls.iter().rev().find(|c| c.state == wanted)) else {
        let message =
            if wanted == PhoneState::Ringing { "this phone is not ringing" } else { "this phone is not in a call" };
        return local_error(StatusCode::CONFLICT, "no_such_call", message);
    };
    let call_id = call.call_id.clone();
    let stimulus = match action.as_str() {
        "answer" => Stimulus::Answer { call_id },
        "refuse" => Stimulus::NoAnswer { call_id },
        "busy" => Stimulus::Busy { call_id },
        _ => Stimulus::HangUp { call_id },
    };
    match world.calls.get(&call.transaction_id) {
        Some(handle) if handle.sender.send(stimulus).is_ok() => {
            Json(json!({"transactionId": call.transaction_id})).into_response()
        }
        _ => local_error(StatusCode::CONFLICT, "no_such_call", "the call is over"),
    }
}

/// `GET /_local/voice/calls/{transactionId}`: the events the call sent its handler.
async fn call_events(State(gateway): State<Arc<Gateway>>, Path(transaction_id): Path<String>) -> Response {
    let world = gateway.voice.lock();
    match world.calls.get(&transaction_id) {
        Some(call) => Json(json!({"ended": call.ended, "events": call.events})).into_response(),
        None => local_error(StatusCode::NOT_FOUND, "no_such_call", "no such call"),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RedeliverRequest {
    /// `reverse` delivers the events last first (out of order).
    #[serde(default)]
    order: Option<String>,
}

/// `POST /_local/voice/calls/{transactionId}/redeliver`: every event of the call invoked again
/// (answers ignored), as the service may redeliver; the handler's answers, in order.
async fn redeliver(State(gateway): State<Arc<Gateway>>, Path(transaction_id): Path<String>, body: Bytes) -> Response {
    let request: RedeliverRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RedeliverRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return local_error(StatusCode::BAD_REQUEST, "invalid_body", &e.to_string()),
        }
    };
    let events = match gateway.voice.lock().calls.get(&transaction_id) {
        Some(call) => call.events.clone(),
        None => return local_error(StatusCode::NOT_FOUND, "no_such_call", "no such call"),
    };
    let events: Vec<Value> = match request.order.as_deref() {
        Some("reverse") => events.into_iter().rev().collect(),
        None | Some("same") => events,
        Some(_) => return local_error(StatusCode::BAD_REQUEST, "invalid_order", "order is same or reverse"),
    };
    let mut answers = Vec::new();
    for event in events {
        match gateway.functions.invoke_sip_media_application(event).await {
            Ok(answer) => answers.push(answer),
            Err(e) => return local_error(StatusCode::INTERNAL_SERVER_ERROR, "function_error", &e.to_string()),
        }
    }
    Json(json!({"answers": answers})).into_response()
}

/// One leg of a call.
#[derive(Debug, Clone)]
struct Leg {
    call_id: String,
    tag: &'static str,
    to: String,
    from: String,
    /// When it was dialled; once answered, when it was answered.
    start_ms: u64,
    /// None while it rings (not yet a participant of the bridge).
    status: Option<&'static str>,
}

impl Leg {
    fn json(&self) -> Value {
        let mut leg = json!({
            "CallId": self.call_id,
            "ParticipantTag": self.tag,
            "To": self.to,
            "From": self.from,
            "Direction": "Outbound",
            "StartTimeInMilliseconds": self.start_ms.to_string(),
        });
        if let Some(status) = self.status {
            leg["Status"] = json!(status);
        }
        leg
    }

    fn connected(&self) -> bool {
        self.status == Some("Connected")
    }
}

/// What the call waits for.
#[derive(Debug, Clone)]
enum Awaiting {
    Nothing,
    /// The first leg rings.
    FirstLeg,
    /// A `CallAndBridge`'s leg rings; `action` is the action as the handler sent it (echoed).
    Bridge {
        call_id: String,
        action: Value,
    },
}

/// An invocation's outcome, as the service reads it.
enum Answered {
    Actions(Vec<Value>, Option<BTreeMap<String, String>>),
    /// Refused: the service invokes again with `INVALID_LAMBDA_RESPONSE`.
    Invalid {
        error_type: &'static str,
        message: String,
    },
}

/// Checks an answer as the service does.
fn read_answer(answer: &Value) -> Answered {
    let invalid =
        |error_type: &'static str, message: &str| Answered::Invalid { error_type, message: message.to_owned() };
    let Some(object) = answer.as_object() else { return invalid("InvalidResponse", "the answer is not an object") };
    if object.get("SchemaVersion").and_then(Value::as_str) != Some("1.0") {
        return invalid("InvalidSchemaVersion", "SchemaVersion must be 1.0");
    }
    let actions = match object.get("Actions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(actions)) => actions.clone(),
        Some(_) => return invalid("InvalidResponse", "Actions must be a list"),
    };
    if actions.len() > MAX_ACTIONS {
        return invalid("ActionsLimitExceeded", "at most 10 actions in an answer");
    }
    for action in &actions {
        if serde_json::from_value::<pstn_audio::Action>(action.clone()).is_err() {
            return invalid("InvalidActionParameter", "an action is not valid");
        }
    }
    let attributes = match object.get("TransactionAttributes") {
        None | Some(Value::Null) => None,
        Some(value) => match serde_json::from_value::<BTreeMap<String, String>>(value.clone()) {
            Ok(map) if map.len() <= pstn_audio::MAX_TRANSACTION_ATTRIBUTES => Some(map),
            Ok(_) => {
                return invalid(
                    "TransactionAttributesInvalidMapSize",
                    "Transaction Attributes has too many mappings. Maximum number of mappings is 10",
                )
            }
            Err(_) => return invalid("InvalidResponse", "TransactionAttributes must map strings to strings"),
        },
    };
    Answered::Actions(actions, attributes)
}

/// One call, run by its own task.
struct Sim {
    gateway: Arc<Gateway>,
    transaction_id: String,
    sip_media_application_id: String,
    attributes: BTreeMap<String, String>,
    legs: Vec<Leg>,
    sequence: u64,
    awaiting: Awaiting,
    receiver: mpsc::UnboundedReceiver<Stimulus>,
    sender: mpsc::UnboundedSender<Stimulus>,
    /// Legs joined to a meeting (call id, meeting id, join token): they leave it when they end.
    in_meeting: Vec<(String, String, String)>,
}

impl Sim {
    async fn run(mut self) {
        let first = self.legs[0].clone();
        self.invoke(json!({"InvocationEventType": "NEW_OUTBOUND_CALL"})).await;
        self.ring(&first.to, &first.call_id, &first.from, RING_SECONDS);
        self.awaiting = Awaiting::FirstLeg;
        self.invoke(json!({"InvocationEventType": "RINGING"})).await;
        while let Some(stimulus) = self.receiver.recv().await {
            self.on(stimulus).await;
            if self.is_over() {
                break;
            }
        }
        let mut world = self.gateway.voice.lock();
        if let Some(call) = world.calls.get_mut(&self.transaction_id) {
            call.ended = true;
        }
    }

    /// Every leg is down (or never came up) and nothing rings.
    fn is_over(&self) -> bool {
        matches!(self.awaiting, Awaiting::Nothing) && self.legs.iter().all(|l| !l.connected())
    }

    fn leg_mut(&mut self, call_id: &str) -> Option<&mut Leg> {
        self.legs.iter_mut().find(|l| l.call_id == call_id)
    }

    fn set_phone(&mut self, number: &str, call_id: &str, state: PhoneState) {
        {
            let mut world = self.gateway.voice.lock();
            if let Some(call) = Emulator::phone_mut(&mut world, number, call_id) {
                call.state = state;
            }
        }
        if state == PhoneState::Ended {
            // A leg in a meeting leaves it as it ends (Chime's AttendeeLeft).
            for (_, meeting_id, token) in self.in_meeting.iter().filter(|(leg, _, _)| leg == call_id) {
                let (gateway, meeting_id, token) = (self.gateway.clone(), meeting_id.clone(), token.clone());
                tokio::spawn(async move { crate::chime::phone_leg(&gateway, &meeting_id, &token, false).await });
            }
            self.in_meeting.retain(|(leg, _, _)| leg != call_id);
        }
    }

    /// Makes `number` ring with `caller_id`, and times the ring out after `seconds`.
    fn ring(&self, number: &str, call_id: &str, caller_id: &str, seconds: u64) {
        let mut world = self.gateway.voice.lock();
        let busy = world.phones.get(number).is_some_and(|calls| calls.iter().any(|c| c.state == PhoneState::Connected));
        world.phones.entry(number.to_owned()).or_default().push(PhoneCall {
            transaction_id: self.transaction_id.clone(),
            call_id: call_id.to_owned(),
            caller_id: caller_id.to_owned(),
            state: PhoneState::Ringing,
            heard: Vec::new(),
        });
        let sender = self.sender.clone();
        let call_id = call_id.to_owned();
        // A phone already in a call answers busy at once.
        if busy {
            let _ = sender.send(Stimulus::Busy { call_id });
            return;
        }
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            let _ = sender.send(Stimulus::RingTimeout { call_id });
        });
    }

    async fn on(&mut self, stimulus: Stimulus) {
        match stimulus {
            Stimulus::Answer { call_id } => self.answered(&call_id).await,
            Stimulus::NoAnswer { call_id } | Stimulus::RingTimeout { call_id } => {
                self.not_answered(&call_id, 480).await
            }
            Stimulus::Busy { call_id } => self.not_answered(&call_id, 486).await,
            Stimulus::HangUp { call_id } => {
                let Some(leg) = self.leg_mut(&call_id).filter(|l| l.connected()) else { return };
                leg.status = Some("Disconnected");
                let (tag, number) = (leg.tag, leg.to.clone());
                self.set_phone(&number, &call_id, PhoneState::Ended);
                self.hangup_event(&call_id, tag, 0).await;
            }
            Stimulus::Update { arguments } => {
                let event = json!({
                    "InvocationEventType": "CALL_UPDATE_REQUESTED",
                    "ActionData": {"Type": "CallUpdateRequest", "Parameters": {"Arguments": arguments}},
                });
                if let Some(answer) = self.invoke(event).await {
                    self.execute(answer).await;
                }
            }
        }
    }

    async fn answered(&mut self, call_id: &str) {
        let now = now_ms();
        match self.awaiting.clone() {
            Awaiting::FirstLeg if self.legs[0].call_id == call_id => {
                self.awaiting = Awaiting::Nothing;
                let leg = &mut self.legs[0];
                leg.status = Some("Connected");
                leg.start_ms = now;
                let number = leg.to.clone();
                self.set_phone(&number, call_id, PhoneState::Connected);
                if let Some(answer) = self.invoke(json!({"InvocationEventType": "CALL_ANSWERED"})).await {
                    self.execute(answer).await;
                }
            }
            Awaiting::Bridge { call_id: bridged, action } if bridged == call_id => {
                self.awaiting = Awaiting::Nothing;
                let Some(leg) = self.leg_mut(call_id) else { return };
                leg.status = Some("Connected");
                leg.start_ms = now;
                let number = leg.to.clone();
                self.set_phone(&number, call_id, PhoneState::Connected);
                let event = json!({"InvocationEventType": "ACTION_SUCCESSFUL", "ActionData": action});
                if let Some(answer) = self.invoke(event).await {
                    self.execute(answer).await;
                }
            }
            // Not ringing any more (answered after the timeout or a hang-up): nothing happens.
            _ => {}
        }
    }

    /// A ringing leg is not answered (`code` 480) or busy (486).
    async fn not_answered(&mut self, call_id: &str, code: u16) {
        let state = if code == 486 { PhoneState::Busy } else { PhoneState::Missed };
        match self.awaiting.clone() {
            Awaiting::FirstLeg if self.legs[0].call_id == call_id => {
                self.awaiting = Awaiting::Nothing;
                self.legs[0].status = Some("Disconnected");
                let number = self.legs[0].to.clone();
                self.set_phone(&number, call_id, state);
                self.hangup_event(call_id, "LEG-A", code).await;
            }
            Awaiting::Bridge { call_id: bridged, mut action } if bridged == call_id => {
                self.awaiting = Awaiting::Nothing;
                let Some(index) = self.legs.iter().position(|l| l.call_id == call_id) else { return };
                let number = self.legs[index].to.clone();
                self.set_phone(&number, call_id, state);
                if code == 486 {
                    // The guide documents a busy bridge as the leg's HANGUP with SIP 486.
                    self.legs[index].status = Some("Disconnected");
                    self.hangup_event(call_id, "LEG-B", 486).await;
                } else {
                    // Not answered: the leg never joined; the bridge fails as documented.
                    self.legs.remove(index);
                    action["ErrorType"] = json!("CallNotAnswered");
                    action["ErrorMessage"] = json!("Call not answered");
                    let event = json!({"InvocationEventType": "ACTION_FAILED", "ActionData": action});
                    if let Some(answer) = self.invoke(event).await {
                        self.execute(answer).await;
                    }
                }
            }
            _ => {}
        }
    }

    /// A leg ended: the handler learns it with `HANGUP` and may act.
    async fn hangup_event(&mut self, call_id: &str, tag: &str, code: u16) {
        let event = json!({
            "InvocationEventType": "HANGUP",
            "ActionData": {"Type": "Hangup", "Parameters": {"SipResponseCode": code, "CallId": call_id, "ParticipantTag": tag}},
        });
        if let Some(answer) = self.invoke(event).await {
            self.execute(answer).await;
        }
    }

    /// Invokes the handler with `event` completed with the call's details; its answer if the
    /// service accepts it. A refused answer is followed by `INVALID_LAMBDA_RESPONSE` (whose own
    /// answer is then executed).
    async fn invoke(&mut self, mut event: Value) -> Option<(Vec<Value>, Option<BTreeMap<String, String>>)> {
        let mut answer = self.send(&mut event).await;
        // One INVALID_LAMBDA_RESPONSE, not a loop: a second refusal ends the call.
        for attempt in 0..2 {
            match answer {
                Ok(Answered::Actions(actions, attributes)) => return Some((actions, attributes)),
                Ok(Answered::Invalid { error_type, message }) if attempt == 0 => {
                    tracing::info!(transaction_id = %self.transaction_id, error_type, "emulated PSTN audio: invalid handler answer");
                    let mut invalid = json!({
                        "InvocationEventType": "INVALID_LAMBDA_RESPONSE",
                        "ErrorType": error_type,
                        "ErrorMessage": message,
                    });
                    answer = self.send(&mut invalid).await;
                }
                Ok(Answered::Invalid { .. }) | Err(_) => break,
            }
        }
        self.drop_all();
        None
    }

    /// Sends one event; `Err` when the function failed.
    async fn send(&mut self, event: &mut Value) -> Result<Answered, ()> {
        self.sequence += 1;
        event["SchemaVersion"] = json!("1.0");
        event["Sequence"] = json!(self.sequence);
        let mut details = json!({
            "TransactionId": self.transaction_id,
            "AwsAccountId": "000000000000",
            "AwsRegion": std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-central-1".into()),
            "SipMediaApplicationId": self.sip_media_application_id,
            "Participants": self.legs.iter().map(Leg::json).collect::<Vec<_>>(),
        });
        if !self.attributes.is_empty() {
            details["TransactionAttributes"] = json!(self.attributes);
        }
        event["CallDetails"] = details;
        if let Some(call) = self.gateway.voice.lock().calls.get_mut(&self.transaction_id) {
            call.events.push(event.clone());
        }
        let invocation = self.gateway.functions.invoke_sip_media_application(event.clone());
        match tokio::time::timeout(ANSWER_DEADLINE, invocation).await {
            Ok(Ok(answer)) => {
                let answered = read_answer(&answer);
                if let Answered::Actions(_, Some(attributes)) = &answered {
                    self.attributes = attributes.clone();
                }
                Ok(answered)
            }
            Ok(Err(error)) => {
                tracing::warn!(transaction_id = %self.transaction_id, %error, "emulated PSTN audio: the handler failed; the call is dropped");
                Err(())
            }
            Err(_) => {
                Ok(Answered::Invalid { error_type: "LambdaTimeout", message: "the handler answered after 20 s".into() })
            }
        }
    }

    /// The call cannot go on: every leg is dropped (as the service does when its handler fails).
    fn drop_all(&mut self) {
        self.awaiting = Awaiting::Nothing;
        let legs: Vec<(String, String, bool)> =
            self.legs.iter().map(|l| (l.to.clone(), l.call_id.clone(), l.connected())).collect();
        for leg in &mut self.legs {
            leg.status = Some("Disconnected");
        }
        for (number, call_id, connected) in legs {
            self.set_phone(&number, &call_id, if connected { PhoneState::Ended } else { PhoneState::Missed });
        }
    }

    /// Runs an answer's actions in order. `Speak` and `Pause` run and the next action follows;
    /// the handler learns the outcome of the list's last action (`ACTION_SUCCESSFUL`), or of
    /// the first that fails (`ACTION_FAILED`); `CallAndBridge` waits for the dialled phone;
    /// `Hangup` ends its leg, and the handler learns it with `HANGUP`. Each new answer replaces
    /// whatever was left to run.
    async fn execute(&mut self, answer: (Vec<Value>, Option<BTreeMap<String, String>>)) {
        let mut pending: std::collections::VecDeque<Value> = answer.0.into();
        while let Some(raw) = pending.pop_front() {
            let Ok(action) = serde_json::from_value::<pstn_audio::Action>(raw.clone()) else { return };
            let last = pending.is_empty();
            let next = match action {
                pstn_audio::Action::Speak(speak) => {
                    let number =
                        self.legs.iter().find(|l| l.call_id == speak.call_id && l.connected()).map(|l| l.to.clone());
                    match number {
                        Some(number) => {
                            let mut world = self.gateway.voice.lock();
                            if let Some(call) = Emulator::phone_mut(&mut world, &number, &speak.call_id) {
                                call.heard.push(speak.text.clone());
                            }
                            drop(world);
                            if !last {
                                continue;
                            }
                            json!({"InvocationEventType": "ACTION_SUCCESSFUL", "ActionData": raw})
                        }
                        None => {
                            let mut data = raw;
                            data["ErrorType"] = json!("InvalidActionParameter");
                            data["ErrorMessage"] = json!("the call leg is not connected");
                            json!({"InvocationEventType": "ACTION_FAILED", "ActionData": data})
                        }
                    }
                }
                pstn_audio::Action::Pause(_) => {
                    if !last {
                        continue;
                    }
                    json!({"InvocationEventType": "ACTION_SUCCESSFUL", "ActionData": raw})
                }
                pstn_audio::Action::CallAndBridge(bridge) => {
                    let endpoint = bridge.endpoints.first().map(|e| e.uri.clone()).filter(|uri| is_e164(uri));
                    let (Some(number), true) = (endpoint, is_e164(&bridge.caller_id_number)) else {
                        let mut data = raw;
                        data["ErrorType"] = json!("InvalidActionParameter");
                        data["ErrorMessage"] = json!("CallerIdNumber and the endpoint's Uri must be E.164");
                        let event = json!({"InvocationEventType": "ACTION_FAILED", "ActionData": data});
                        match self.invoke(event).await {
                            Some(answer) => {
                                pending = answer.0.into();
                                continue;
                            }
                            None => return,
                        }
                    };
                    let call_id = uuid();
                    let leg = Leg {
                        call_id: call_id.clone(),
                        tag: "LEG-B",
                        to: number.clone(),
                        from: bridge.caller_id_number.clone(),
                        start_ms: now_ms(),
                        status: None,
                    };
                    self.legs.push(leg);
                    let timeout = bridge.call_timeout_seconds.map(u64::from).unwrap_or(DEFAULT_BRIDGE_TIMEOUT_SECONDS);
                    self.ring(&number, &call_id, &bridge.caller_id_number, timeout);
                    self.awaiting = Awaiting::Bridge { call_id, action: raw };
                    return;
                }
                pstn_audio::Action::Hangup(hangup) => {
                    let target = hangup.call_id.clone().or_else(|| {
                        let tag = hangup.participant_tag.as_ref().map(|t| t.as_str())?;
                        self.legs.iter().find(|l| l.tag == tag).map(|l| l.call_id.clone())
                    });
                    let Some(call_id) = target else { continue };
                    let Some(index) = self.legs.iter().position(|l| l.call_id == call_id) else { continue };
                    let leg = self.legs[index].clone();
                    if leg.status == Some("Disconnected") {
                        continue;
                    }
                    if leg.status.is_none() {
                        // Still ringing (a bridge being dialled): the ring stops.
                        self.legs.remove(index);
                        self.awaiting = Awaiting::Nothing;
                        self.set_phone(&leg.to, &call_id, PhoneState::Missed);
                        continue;
                    }
                    self.legs[index].status = Some("Disconnected");
                    self.set_phone(&leg.to, &call_id, PhoneState::Ended);
                    let code = hangup.sip_response_code.as_ref().and_then(|c| c.value()).unwrap_or(0);
                    json!({
                        "InvocationEventType": "HANGUP",
                        "ActionData": {"Type": "Hangup", "Parameters": {"SipResponseCode": code, "CallId": call_id, "ParticipantTag": leg.tag}},
                    })
                }
                pstn_audio::Action::JoinChimeMeeting(join) => {
                    // The leg joins the meetings emulator's meeting: its attendee (found by the
                    // join token) is joined, and Chime's AttendeeJoined event goes out.
                    let leg = join
                        .call_id
                        .clone()
                        .and_then(|id| self.legs.iter().find(|l| l.call_id == id && l.connected()).cloned());
                    let joined = match (&leg, &join.meeting_id) {
                        (Some(_), Some(meeting_id)) => {
                            crate::chime::phone_leg(&self.gateway, meeting_id, &join.join_token, true).await
                        }
                        _ => None,
                    };
                    match (leg, joined, join.meeting_id.clone()) {
                        (Some(leg), Some(_), Some(meeting_id)) => {
                            self.in_meeting.push((leg.call_id.clone(), meeting_id, join.join_token.clone()));
                            json!({"InvocationEventType": "ACTION_SUCCESSFUL", "ActionData": raw})
                        }
                        _ => {
                            let mut data = raw;
                            data["ErrorType"] = json!("InvalidActionParameter");
                            data["ErrorMessage"] = json!("no such meeting or join token, or the leg is not connected");
                            json!({"InvocationEventType": "ACTION_FAILED", "ActionData": data})
                        }
                    }
                }
            };
            match self.invoke(next).await {
                Some(answer) => pending = answer.0.into(),
                None => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_over_the_service_limits_are_invalid() {
        let speak = json!({"Type": "Speak", "Parameters": {"Text": "Bonjour", "CallId": "c"}});
        let eleven: Vec<Value> = std::iter::repeat_n(speak.clone(), 11).collect();
        assert!(matches!(
            read_answer(&json!({"SchemaVersion": "1.0", "Actions": eleven})),
            Answered::Invalid { error_type: "ActionsLimitExceeded", .. }
        ));
        let ten: Vec<Value> = std::iter::repeat_n(speak, 10).collect();
        assert!(
            matches!(read_answer(&json!({"SchemaVersion": "1.0", "Actions": ten})), Answered::Actions(a, None) if a.len() == 10)
        );
        assert!(matches!(
            read_answer(&json!({"SchemaVersion": "1.0", "Actions": [{"Type": "Speak", "Parameters": {}}]})),
            Answered::Invalid { error_type: "InvalidActionParameter", .. }
        ));
        let attributes: BTreeMap<String, String> = (0..11).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert!(matches!(
            read_answer(&json!({"SchemaVersion": "1.0", "Actions": [], "TransactionAttributes": attributes})),
            Answered::Invalid { error_type: "TransactionAttributesInvalidMapSize", .. }
        ));
    }

    #[test]
    fn phone_numbers_follow_the_service_pattern() {
        assert!(is_e164("+33612345678"));
        assert!(!is_e164("0612345678"));
        assert!(!is_e164("+33 6 12"));
    }
}
