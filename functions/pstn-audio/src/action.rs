//! What the handler answers: the actions the product uses, typed, and the answer with the
//! service's limits ("Responding to invocations with action lists": at most 10 actions per
//! answer; "Using TransactionAttributes").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::leg::ParticipantTag;
use crate::wire::{wire_enum, WireNumber};
use crate::SCHEMA_VERSION;

/// The most actions one answer may carry; the service answers a longer list with
/// `INVALID_LAMBDA_RESPONSE`.
pub const MAX_ACTIONS: usize = 10;

/// The most transaction attributes an answer may set. The guide's overview says 100 pairs
/// and 20 KB, but its own "Invalid inputs" example shows the service refusing 11 with
/// "Maximum number of mappings is 10": the stricter figure is kept, since a plan never needs
/// more and only a real account can say which one holds.
pub const MAX_TRANSACTION_ATTRIBUTES: usize = 10;

/// The largest transaction attributes payload (the overview's 20 KB), keys and values counted.
pub const MAX_TRANSACTION_ATTRIBUTES_BYTES: usize = 20 * 1024;

/// One action, as `{"Type": ..., "Parameters": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "Type", content = "Parameters")]
pub enum Action {
    Speak(Speak),
    CallAndBridge(CallAndBridge),
    JoinChimeMeeting(JoinChimeMeeting),
    Hangup(Hangup),
    Pause(Pause),
}

wire_enum! {
    /// Amazon Polly's engine for `Speak` (the service defaults to `standard`).
    Engine { Standard = "standard", Neural = "neural" }
}

wire_enum! {
    /// Whether `Speak`'s text is plain text or SSML.
    TextType { Text = "text", Ssml = "ssml" }
}

wire_enum! {
    /// Where `CallAndBridge` dials: `PSTN` for a phone number, `AWS` for a Voice Connector.
    BridgeEndpointType { Pstn = "PSTN", Aws = "AWS" }
}

/// Text to speech on one leg (Amazon Polly). The text is limited to 1,000 characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Speak {
    pub text: String,
    pub call_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_type: Option<TextType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
}

impl Speak {
    /// French plain text in Amazon Polly's neural voice Léa (`Lea`, fr-FR).
    pub fn french(call_id: &str, text: &str) -> Speak {
        Speak {
            text: text.to_owned(),
            call_id: call_id.to_owned(),
            engine: Some(Engine::Neural),
            language_code: Some("fr-FR".to_owned()),
            text_type: Some(TextType::Text),
            voice_id: Some("Lea".to_owned()),
        }
    }
}

/// An S3 audio file (`RingbackTone` of `CallAndBridge`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AudioSource {
    #[serde(rename = "Type")]
    pub source_type: String,
    pub bucket_name: String,
    pub key: String,
}

/// One endpoint `CallAndBridge` dials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BridgeEndpoint {
    pub bridge_endpoint_type: BridgeEndpointType,
    /// The Voice Connector's ARN, for `AWS` endpoints only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// An E.164 number for `PSTN` endpoints.
    pub uri: String,
}

/// Dials a new leg and bridges it with the leg of the invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallAndBridge {
    /// 1 to 120 seconds (the service's default is 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_timeout_seconds: Option<u32>,
    /// The number the called person sees: one of the customer's numbers, or the A leg's From.
    pub caller_id_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ringback_tone: Option<AudioSource>,
    pub endpoints: Vec<BridgeEndpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_headers: Option<BTreeMap<String, String>>,
    /// Not sent by the handler: the service adds the A leg's call id when it echoes the action
    /// in `ACTION_SUCCESSFUL` / `ACTION_FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
}

impl CallAndBridge {
    /// Dials one phone number, showing `caller_id` to the called person.
    pub fn to_phone(caller_id: &str, number: &str, timeout_seconds: u32) -> CallAndBridge {
        CallAndBridge {
            call_timeout_seconds: Some(timeout_seconds),
            caller_id_number: caller_id.to_owned(),
            ringback_tone: None,
            endpoints: vec![BridgeEndpoint {
                bridge_endpoint_type: BridgeEndpointType::Pstn,
                arn: None,
                uri: number.to_owned(),
            }],
            sip_headers: None,
            call_id: None,
        }
    }
}

/// Joins a leg to an Amazon Chime SDK meeting as the attendee whose join token it carries.
/// `MeetingId` is required for meetings made through the Chime SDK Meetings namespace (ours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JoinChimeMeeting {
    pub join_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_tag: Option<ParticipantTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<String>,
}

/// Hangs up one leg. Also the shape of the `HANGUP` event's `ActionData`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Hangup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_tag: Option<ParticipantTag>,
    /// 0 normal clearing, 480 unavailable (no answer), 486 busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_response_code: Option<WireNumber>,
}

impl Hangup {
    /// A normal hang-up (SIP code 0) of one leg.
    pub fn leg(call_id: &str) -> Hangup {
        Hangup {
            call_id: Some(call_id.to_owned()),
            participant_tag: None,
            sip_response_code: Some(WireNumber::text(0)),
        }
    }
}

/// Silence on one leg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pause {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_tag: Option<ParticipantTag>,
    /// Greater than 0.
    pub duration_in_milliseconds: WireNumber,
}

/// The handler's answer to one invocation: `{SchemaVersion, Actions, TransactionAttributes}`.
/// Built through [`AnswerBuilder`] so it stays within the service's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    pub schema_version: String,
    pub actions: Vec<Action>,
    /// Absent keeps what the service holds; a map replaces it (an empty map clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_attributes: Option<BTreeMap<String, String>>,
}

impl Answer {
    /// No action, attributes unchanged: the answer to an informational event.
    pub fn empty() -> Answer {
        Answer { schema_version: SCHEMA_VERSION.to_owned(), actions: Vec::new(), transaction_attributes: None }
    }

    pub fn builder() -> AnswerBuilder {
        AnswerBuilder::default()
    }
}

/// An answer the service would refuse with `INVALID_LAMBDA_RESPONSE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("an answer carries at most {MAX_ACTIONS} actions, not {0}")]
    TooManyActions(usize),
    #[error("transaction attributes hold at most {MAX_TRANSACTION_ATTRIBUTES} pairs, not {0}")]
    TooManyTransactionAttributes(usize),
    #[error("transaction attributes hold at most {MAX_TRANSACTION_ATTRIBUTES_BYTES} bytes, not {0}")]
    TransactionAttributesTooLarge(usize),
}

/// Builds an [`Answer`], refusing more than [`MAX_ACTIONS`] actions or transaction attributes
/// beyond the limits.
#[derive(Debug, Clone, Default)]
pub struct AnswerBuilder {
    actions: Vec<Action>,
    transaction_attributes: Option<BTreeMap<String, String>>,
}

impl AnswerBuilder {
    pub fn action(mut self, action: Action) -> AnswerBuilder {
        self.actions.push(action);
        self
    }

    pub fn actions(mut self, actions: impl IntoIterator<Item = Action>) -> AnswerBuilder {
        self.actions.extend(actions);
        self
    }

    /// Sets the whole map the service will hold (it replaces what it held).
    pub fn transaction_attributes(mut self, attributes: BTreeMap<String, String>) -> AnswerBuilder {
        self.transaction_attributes = Some(attributes);
        self
    }

    pub fn build(self) -> Result<Answer, AnswerError> {
        if self.actions.len() > MAX_ACTIONS {
            return Err(AnswerError::TooManyActions(self.actions.len()));
        }
        if let Some(attributes) = &self.transaction_attributes {
            if attributes.len() > MAX_TRANSACTION_ATTRIBUTES {
                return Err(AnswerError::TooManyTransactionAttributes(attributes.len()));
            }
            let bytes: usize = attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
            if bytes > MAX_TRANSACTION_ATTRIBUTES_BYTES {
                return Err(AnswerError::TransactionAttributesTooLarge(bytes));
            }
        }
        Ok(Answer {
            schema_version: SCHEMA_VERSION.to_owned(),
            actions: self.actions,
            transaction_attributes: self.transaction_attributes,
        })
    }
}
