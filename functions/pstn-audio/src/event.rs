//! What the service sends the handler ("Understanding telephony events for Amazon Chime SDK
//! PSTN audio service"): one [`InvocationEvent`] per invocation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::action::Action;
use crate::leg::ParticipantTag;
use crate::wire::{wire_enum, WireNumber};

wire_enum! {
    /// Why the handler is invoked.
    InvocationEventType {
        /// A call to one of the application's numbers (a SIP rule).
        NewInboundCall = "NEW_INBOUND_CALL",
        /// A call made by `CreateSipMediaApplicationCall`; the answer is ignored.
        NewOutboundCall = "NEW_OUTBOUND_CALL",
        /// The outbound leg is ringing; the answer is ignored.
        Ringing = "RINGING",
        /// The outbound leg was answered (not sent for a bridged leg).
        CallAnswered = "CALL_ANSWERED",
        /// The last action succeeded; `ActionData` echoes it.
        ActionSuccessful = "ACTION_SUCCESSFUL",
        /// The last action failed; `ActionData` echoes it with `ErrorType` and `ErrorMessage`.
        ActionFailed = "ACTION_FAILED",
        /// `UpdateSipMediaApplicationCall` interrupted a running action; the answer is ignored.
        ActionInterrupted = "ACTION_INTERRUPTED",
        /// A leg hung up; `ActionData` is a `Hangup` naming it and its SIP code.
        Hangup = "HANGUP",
        /// `UpdateSipMediaApplicationCall` was called; `ActionData` carries its `Arguments`.
        CallUpdateRequested = "CALL_UPDATE_REQUESTED",
        /// The previous answer was refused (`ErrorType`, `ErrorMessage`).
        InvalidLambdaResponse = "INVALID_LAMBDA_RESPONSE",
        /// Digits after a `ReceiveDigits` action.
        DigitsReceived = "DIGITS_RECEIVED",
    }
}

wire_enum! {
    /// Whether a leg came to the service (`Inbound`) or was made by it (`Outbound`).
    Direction { Inbound = "Inbound", Outbound = "Outbound" }
}

wire_enum! {
    /// A leg's state at the invocation.
    ParticipantStatus { Connected = "Connected", Disconnected = "Disconnected" }
}

/// One invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvocationEvent {
    #[serde(rename = "SchemaVersion")]
    pub schema_version: String,
    /// Incremented at each invocation of one call: not a deduplication key across legs, and
    /// the guide's own examples repeat it.
    #[serde(rename = "Sequence")]
    pub sequence: u64,
    /// The guide's `JoinChimeMeeting` examples name this field `InvocationEvent`: read too.
    #[serde(rename = "InvocationEventType", alias = "InvocationEvent")]
    pub event_type: InvocationEventType,
    #[serde(rename = "ActionData", default, skip_serializing_if = "Option::is_none")]
    pub action_data: Option<ActionData>,
    #[serde(rename = "CallDetails")]
    pub call_details: CallDetails,
    /// `INVALID_LAMBDA_RESPONSE` carries its error at the top level in the guide's example.
    #[serde(rename = "ErrorType", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(rename = "ErrorMessage", default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// The call the invocation is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallDetails {
    /// The call's id, the same for all its legs and invocations (what
    /// `CreateSipMediaApplicationCall` answered).
    pub transaction_id: String,
    /// What the handler (or `CreateSipMediaApplicationCall`'s `ArgumentsMap`) stored for the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_attributes: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_rule_id: Option<String>,
    /// Some of the guide's examples name it `SipApplicationId`: read too.
    #[serde(default, alias = "SipApplicationId", skip_serializing_if = "Option::is_none")]
    pub sip_media_application_id: Option<String>,
    #[serde(default)]
    pub participants: Vec<Participant>,
}

impl CallDetails {
    /// The leg with this tag.
    pub fn participant(&self, tag: &ParticipantTag) -> Option<&Participant> {
        self.participants.iter().find(|p| &p.participant_tag == tag)
    }

    /// A transaction attribute.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.transaction_attributes.as_ref().and_then(|a| a.get(key)).map(String::as_str)
    }
}

/// One leg of the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Participant {
    pub call_id: String,
    pub participant_tag: ParticipantTag,
    /// E.164 (the guide's "Ending a call" example has `"From": "SMA"`: a plain string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Epoch milliseconds when the participant joined the call: a string in the guide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_in_milliseconds: Option<WireNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ParticipantStatus>,
}

impl Participant {
    pub fn is_connected(&self) -> bool {
        self.status == Some(ParticipantStatus::Connected)
    }

    /// When the participant joined, in epoch milliseconds.
    pub fn started_at_ms(&self) -> Option<u64> {
        self.start_time_in_milliseconds.as_ref().and_then(WireNumber::value)
    }
}

/// `Arguments` of `CALL_UPDATE_REQUESTED`: what the caller of `UpdateSipMediaApplicationCall`
/// passed (0 to 20 string pairs).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallUpdateRequest {
    #[serde(default)]
    pub arguments: BTreeMap<String, String>,
}

/// The action `ActionData` is about.
#[derive(Debug, Clone, PartialEq)]
pub enum EchoedAction {
    /// One of the actions this crate types (the `HANGUP` event's data is a [`crate::Hangup`]).
    Known(Action),
    /// `CALL_UPDATE_REQUESTED`'s `CallUpdateRequest`.
    CallUpdateRequest(CallUpdateRequest),
    /// Any other action (`PlayAudio`, `ReceiveDigits`, ...) or parameters this crate cannot
    /// read, kept as sent.
    Other { action_type: String, parameters: Option<Value> },
}

impl EchoedAction {
    /// The action's `Type`.
    pub fn action_type(&self) -> &str {
        match self {
            EchoedAction::Known(Action::Speak(_)) => "Speak",
            EchoedAction::Known(Action::CallAndBridge(_)) => "CallAndBridge",
            EchoedAction::Known(Action::JoinChimeMeeting(_)) => "JoinChimeMeeting",
            EchoedAction::Known(Action::Hangup(_)) => "Hangup",
            EchoedAction::Known(Action::Pause(_)) => "Pause",
            EchoedAction::CallUpdateRequest(_) => CALL_UPDATE_REQUEST,
            EchoedAction::Other { action_type, .. } => action_type,
        }
    }
}

const CALL_UPDATE_REQUEST: &str = "CallUpdateRequest";

/// `ActionData`: the action an event is about (echoed for `ACTION_SUCCESSFUL`,
/// `ACTION_FAILED`, `ACTION_INTERRUPTED`; the hung-up leg for `HANGUP`; the arguments for
/// `CALL_UPDATE_REQUESTED`), with the error of a failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawActionData", into = "RawActionData")]
pub struct ActionData {
    pub action: EchoedAction,
    /// e.g. `CallNotAnswered`, `InvalidActionParameter`, `SystemException`.
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    /// The guide's `JoinChimeMeeting` failure example carries a single `Error` string instead.
    pub error: Option<String>,
    /// `DIGITS_RECEIVED`'s digits.
    pub received_digits: Option<Value>,
}

/// `ActionData` as it is on the wire, before its `Parameters` are typed.
#[derive(Serialize, Deserialize)]
struct RawActionData {
    #[serde(rename = "Type")]
    action_type: String,
    #[serde(rename = "Parameters", default, skip_serializing_if = "Option::is_none")]
    parameters: Option<Value>,
    #[serde(rename = "ErrorType", default, skip_serializing_if = "Option::is_none")]
    error_type: Option<String>,
    #[serde(rename = "ErrorMessage", default, skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
    #[serde(rename = "Error", default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(rename = "ReceivedDigits", default, skip_serializing_if = "Option::is_none")]
    received_digits: Option<Value>,
}

impl From<RawActionData> for ActionData {
    fn from(raw: RawActionData) -> ActionData {
        let action = if raw.action_type == CALL_UPDATE_REQUEST {
            match raw.parameters.clone().map(serde_json::from_value::<CallUpdateRequest>) {
                Some(Ok(request)) => EchoedAction::CallUpdateRequest(request),
                None => EchoedAction::CallUpdateRequest(CallUpdateRequest::default()),
                Some(Err(_)) => {
                    EchoedAction::Other { action_type: raw.action_type.clone(), parameters: raw.parameters.clone() }
                }
            }
        } else {
            let tagged = serde_json::json!({
                "Type": raw.action_type,
                "Parameters": raw.parameters.clone().unwrap_or_else(|| Value::Object(Default::default())),
            });
            match serde_json::from_value::<Action>(tagged) {
                Ok(action) => EchoedAction::Known(action),
                Err(_) => {
                    EchoedAction::Other { action_type: raw.action_type.clone(), parameters: raw.parameters.clone() }
                }
            }
        };
        ActionData {
            action,
            error_type: raw.error_type,
            error_message: raw.error_message,
            error: raw.error,
            received_digits: raw.received_digits,
        }
    }
}

impl From<ActionData> for RawActionData {
    fn from(data: ActionData) -> RawActionData {
        let (action_type, parameters) = match data.action {
            EchoedAction::Known(action) => {
                // An `Action` always serialises to `{"Type": ..., "Parameters": {...}}`.
                let mut value = serde_json::to_value(&action).unwrap_or(Value::Null);
                let action_type = value.get("Type").and_then(Value::as_str).unwrap_or_default().to_owned();
                (action_type, value.get_mut("Parameters").map(Value::take))
            }
            EchoedAction::CallUpdateRequest(request) => {
                (CALL_UPDATE_REQUEST.to_owned(), serde_json::to_value(&request).ok())
            }
            EchoedAction::Other { action_type, parameters } => (action_type, parameters),
        };
        RawActionData {
            action_type,
            parameters,
            error_type: data.error_type,
            error_message: data.error_message,
            error: data.error,
            received_digits: data.received_digits,
        }
    }
}
