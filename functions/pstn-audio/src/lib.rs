//! The SIP media application handler's contract with the Amazon Chime SDK PSTN audio service
//! (schema version "1.0"), and the product's call flow on top of it.
//!
//! No crate offers these types (the AWS SDKs cover the control API, `chime-sdk-voice`, not the
//! handler's events), so they are written once here from the AWS developer guide's pages
//! ("Understanding telephony events", the action pages, "Making an outbound call", "Updating
//! in-progress calls") and tested on its JSON examples (`tests/fixtures/`).
//!
//! - [`event`]: what the service sends: [`InvocationEvent`], its [`CallDetails`] and
//!   [`ActionData`]. Every enumeration keeps values it does not know (`Other`), so a new event
//!   type or status never fails the handler.
//! - [`action`]: what the handler answers: the typed [`Action`]s the product uses and the
//!   [`Answer`], built through [`AnswerBuilder`], which refuses what the service would answer
//!   with `INVALID_LAMBDA_RESPONSE` (more than 10 actions, too many transaction attributes).
//! - [`flow`]: the click-to-call and meeting dial-in flows as a pure function of one event:
//!   the answer, and the facts to journal, each identified so a store writes it once.
//!
//! Pure: no AWS, no Lambda, no clock (the time an invocation arrived is a parameter).

pub mod action;
pub mod event;
pub mod flow;
pub mod leg;
mod wire;

pub use action::{
    Action, Answer, AnswerBuilder, AnswerError, AudioSource, BridgeEndpoint, BridgeEndpointType, CallAndBridge, Engine,
    Hangup, JoinChimeMeeting, Pause, Speak, TextType, MAX_ACTIONS, MAX_TRANSACTION_ATTRIBUTES,
};
pub use event::{
    ActionData, CallDetails, CallUpdateRequest, Direction, EchoedAction, InvocationEvent, InvocationEventType,
    Participant, ParticipantStatus,
};
pub use leg::ParticipantTag;
pub use wire::WireNumber;

/// The only schema version the service speaks.
pub const SCHEMA_VERSION: &str = "1.0";
