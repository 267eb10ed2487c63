//! The product's calls as a pure function of one invocation: [`step`] gives the answer to send
//! back and the facts to journal.
//!
//! Two plans, stored in the call's transaction attributes (passed as
//! `CreateSipMediaApplicationCall`'s `ArgumentsMap`, see [`CallPlan::to_attributes`]):
//!
//! - **Advisor, then seeker** (click to call): the call rings the advisor's work phone first
//!   (leg A), so the seeker never picks up into silence. When the advisor answers they hear
//!   [`say::DIALLING_SEEKER`]; once it is spoken the seeker is dialled and bridged (leg B) with
//!   the agency's number as caller id. If the seeker does not answer, is busy or the bridge
//!   fails, the advisor hears why and is hung up.
//! - **Meeting dial-in** (video that fails becomes a call): the seeker is dialled (leg A) and,
//!   on answer, joined to the interview's Chime meeting with an attendee's join token.
//!
//! Each step waits for the previous action's outcome (one action per answer where the next one
//! depends on it): an answer replaces whatever the service still had to run, so chaining is the
//! only order that holds whatever the service invokes in between.
//!
//! **Facts, exactly once whatever the deliveries.** Each fact is derived from the one event
//! alone (its type, action data, participants' states and the plan), never from what an earlier
//! invocation did, so a duplicate gives the same facts and an out-of-order delivery gives the
//! same set. [`Fact::key`] (transaction id + kind) lets a store write each once (a conditional
//! put). A hang-up is recorded for the leg that ended first (the other leg still connected, or
//! alone); the handler's clean-up of the remaining leg records nothing. The little state the
//! flow needs across invocations lives where the service keeps it, in the transaction
//! attributes: who ended the call (`endedBy`: the app, or the handler after journaling why) and
//! when a dial-in was answered. Durations are measured at the delivery (`received_at_ms`) from
//! the bridged leg's `StartTimeInMilliseconds` (or the dial-in's answer); a duplicate delivered
//! later carries the same key, and the store keeps the first.

use std::collections::BTreeMap;

use crate::action::{Action, Answer, CallAndBridge, Hangup, JoinChimeMeeting, Speak};
use crate::event::{
    ActionData, CallDetails, EchoedAction, InvocationEvent, InvocationEventType, Participant, ParticipantStatus,
};
use crate::leg::ParticipantTag;

/// Transaction attribute keys of a plan.
pub mod keys {
    pub const PLAN: &str = "plan";
    /// The product's call id (the journal's reference), not the service's transaction id.
    pub const CALL: &str = "callId";
    pub const SEEKER_NUMBER: &str = "seekerNumber";
    pub const CALLER_ID: &str = "callerId";
    pub const MEETING_ID: &str = "meetingId";
    pub const JOIN_TOKEN: &str = "joinToken";
    /// Set by the handler when it ends the call: `app` (the app asked for the hang-up) or
    /// `handler` (the seeker was not reached, the call failed): the `HANGUP` that follows is
    /// then not the advisor's nor the seeker's doing.
    pub const ENDED_BY: &str = "endedBy";
    /// When a dial-in's seeker answered (epoch milliseconds, set by the handler): its talk's start.
    pub const ANSWERED_AT_MS: &str = "answeredAtMs";
}

const PLAN_ADVISOR_THEN_SEEKER: &str = "advisor_then_seeker";
const PLAN_MEETING_DIAL_IN: &str = "meeting_dial_in";
const ENDED_BY_APP: &str = "app";
const ENDED_BY_HANDLER: &str = "handler";

/// The `UpdateSipMediaApplicationCall` argument that asks the handler to hang up.
pub const UPDATE_ACTION: &str = "action";
pub const UPDATE_HANG_UP: &str = "hangup";

/// How long the seeker's phone rings before the bridge fails as not answered.
pub const SEEKER_RING_SECONDS: u32 = 30;

/// What the people on the line hear (Amazon Polly, fr-FR, voice Léa). Plain words; no name,
/// no number: a phone may be on speaker.
pub mod say {
    /// To the advisor, while the seeker is dialled.
    pub const DIALLING_SEEKER: &str = "Nous appelons la personne, restez en ligne.";
    /// To the advisor: the seeker did not answer.
    pub const SEEKER_UNANSWERED: &str = "La personne ne répond pas. Votre appel est noté dans son suivi. Au revoir.";
    /// To the advisor: the seeker's line is busy.
    pub const SEEKER_BUSY: &str =
        "La ligne de la personne est occupée. Votre appel est noté dans son suivi. Au revoir.";
    /// To whoever is on the line: the call could not go through.
    pub const CALL_FAILED: &str = "L'appel n'a pas pu aboutir. Au revoir.";
    /// To someone who calls the agency's number back: it receives no calls.
    pub const INBOUND: &str = "Bonjour. Ce numéro sert aux appels de votre conseiller et ne reçoit pas d'appels. \
                               Pour le joindre, écrivez-lui depuis votre espace. Au revoir.";

    /// The texts after which the leg is hung up.
    pub(crate) const BEFORE_HANGING_UP: [&str; 4] = [SEEKER_UNANSWERED, SEEKER_BUSY, CALL_FAILED, INBOUND];
}

/// What a call does, as stored in its transaction attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallPlan {
    /// Advisor's work phone first (the call's `ToPhoneNumber`), then the seeker bridged with
    /// the agency's number as caller id.
    AdvisorThenSeeker { call: String, seeker_number: String, caller_id: String },
    /// The seeker (the call's `ToPhoneNumber`) joined to a Chime meeting.
    MeetingDialIn { call: String, meeting_id: String, join_token: String },
}

/// Transaction attributes that are not a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no plan in the transaction attributes")]
    NoPlan,
    #[error("unknown plan {0:?}")]
    UnknownPlan(String),
    #[error("the plan lacks {0}")]
    Missing(&'static str),
    #[error("{0} is not an E.164 number")]
    NotE164(&'static str),
}

impl CallPlan {
    /// The attributes to pass as `ArgumentsMap` (at most 6 pairs: within the service's limits).
    pub fn to_attributes(&self) -> BTreeMap<String, String> {
        let pairs: Vec<(&str, &str)> = match self {
            CallPlan::AdvisorThenSeeker { call, seeker_number, caller_id } => vec![
                (keys::PLAN, PLAN_ADVISOR_THEN_SEEKER),
                (keys::CALL, call),
                (keys::SEEKER_NUMBER, seeker_number),
                (keys::CALLER_ID, caller_id),
            ],
            CallPlan::MeetingDialIn { call, meeting_id, join_token } => vec![
                (keys::PLAN, PLAN_MEETING_DIAL_IN),
                (keys::CALL, call),
                (keys::MEETING_ID, meeting_id),
                (keys::JOIN_TOKEN, join_token),
            ],
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

    pub fn from_attributes(attributes: &BTreeMap<String, String>) -> Result<CallPlan, PlanError> {
        let get = |key: &'static str| {
            attributes.get(key).filter(|v| !v.trim().is_empty()).cloned().ok_or(PlanError::Missing(key))
        };
        let plan = attributes.get(keys::PLAN).ok_or(PlanError::NoPlan)?;
        match plan.as_str() {
            PLAN_ADVISOR_THEN_SEEKER => {
                let seeker_number = get(keys::SEEKER_NUMBER)?;
                let caller_id = get(keys::CALLER_ID)?;
                if !is_e164(&seeker_number) {
                    return Err(PlanError::NotE164(keys::SEEKER_NUMBER));
                }
                if !is_e164(&caller_id) {
                    return Err(PlanError::NotE164(keys::CALLER_ID));
                }
                Ok(CallPlan::AdvisorThenSeeker { call: get(keys::CALL)?, seeker_number, caller_id })
            }
            PLAN_MEETING_DIAL_IN => Ok(CallPlan::MeetingDialIn {
                call: get(keys::CALL)?,
                meeting_id: get(keys::MEETING_ID)?,
                join_token: get(keys::JOIN_TOKEN)?,
            }),
            other => Err(PlanError::UnknownPlan(other.to_owned())),
        }
    }

    pub fn call(&self) -> &str {
        match self {
            CallPlan::AdvisorThenSeeker { call, .. } | CallPlan::MeetingDialIn { call, .. } => call,
        }
    }

    /// Who is on a leg.
    pub fn party(&self, tag: &ParticipantTag) -> Option<Party> {
        match (self, tag) {
            (CallPlan::AdvisorThenSeeker { .. }, ParticipantTag::LegA) => Some(Party::Advisor),
            (CallPlan::AdvisorThenSeeker { .. }, ParticipantTag::LegB) => Some(Party::Seeker),
            (CallPlan::MeetingDialIn { .. }, ParticipantTag::LegA) => Some(Party::Seeker),
            _ => None,
        }
    }
}

/// `+` then 8 to 15 digits, the first not 0 (the service's pattern `^\+?[1-9]\d{1,14}$`, with
/// the `+` the product always writes).
fn is_e164(raw: &str) -> bool {
    let Some(digits) = raw.strip_prefix('+') else { return false };
    (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
}

/// Who is on a leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    Advisor,
    Seeker,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Advisor => "advisor",
            Party::Seeker => "seeker",
        }
    }
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HungUpBy {
    Advisor,
    Seeker,
    /// The advisor from the app (`UpdateSipMediaApplicationCall`), or the interview's end.
    App,
    /// A leg the plan does not name (no plan).
    Unknown,
}

impl HungUpBy {
    pub fn as_str(self) -> &'static str {
        match self {
            HungUpBy::Advisor => "advisor",
            HungUpBy::Seeker => "seeker",
            HungUpBy::App => "app",
            HungUpBy::Unknown => "unknown",
        }
    }
}

/// What happened, to be journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactKind {
    /// The service placed the call (`NEW_OUTBOUND_CALL`).
    Started,
    /// The first leg's phone rings.
    Ringing {
        party: Party,
    },
    /// The first leg answered (the advisor, or the seeker of a dial-in).
    Answered {
        party: Party,
    },
    /// The seeker answered and is bridged with the advisor (`at_ms`: their leg's start).
    Bridged {
        at_ms: Option<u64>,
    },
    /// The seeker's leg joined the meeting.
    JoinedMeeting,
    Unanswered {
        party: Party,
    },
    Busy {
        party: Party,
    },
    /// The call could not go through (`reason`: the service's error type or SIP code).
    Failed {
        party: Option<Party>,
        reason: String,
    },
    /// The app asked for the hang-up.
    HangUpRequested,
    /// A leg ended the call; `duration_ms` is the talk's, when there was one.
    HungUp {
        leg: ParticipantTag,
        by: HungUpBy,
        duration_ms: Option<u64>,
    },
}

impl FactKind {
    /// The kind as keyed: one fact of each per call.
    pub fn name(&self) -> String {
        match self {
            FactKind::Started => "started".to_owned(),
            FactKind::Ringing { party } => format!("ringing_{}", party.as_str()),
            FactKind::Answered { party } => format!("answered_{}", party.as_str()),
            FactKind::Bridged { .. } => "bridged".to_owned(),
            FactKind::JoinedMeeting => "joined_meeting".to_owned(),
            FactKind::Unanswered { party } => format!("unanswered_{}", party.as_str()),
            FactKind::Busy { party } => format!("busy_{}", party.as_str()),
            FactKind::Failed { party: Some(party), .. } => format!("failed_{}", party.as_str()),
            FactKind::Failed { party: None, .. } => "failed".to_owned(),
            FactKind::HangUpRequested => "hang_up_requested".to_owned(),
            FactKind::HungUp { leg, .. } => format!("hung_up_{}", leg.as_str().to_ascii_lowercase().replace('-', "_")),
        }
    }
}

/// One fact of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The service's id of the call.
    pub transaction_id: String,
    /// The product's call id, from the plan (absent without one).
    pub call: Option<String>,
    pub kind: FactKind,
}

impl Fact {
    /// The fact's identity: a store writes each key once, so retries and duplicates journal once.
    pub fn key(&self) -> String {
        format!("{}#{}", self.transaction_id, self.kind.name())
    }

    /// Whether the seeker and the advisor talked: the seeker bridged to the advisor, or joined
    /// the meeting the advisor is in.
    pub fn counts_as_contact(&self) -> bool {
        matches!(self.kind, FactKind::Bridged { .. } | FactKind::JoinedMeeting)
    }
}

/// The outcome of one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub answer: Answer,
    pub facts: Vec<Fact>,
}

/// Why a bridge to the seeker failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeFailure {
    Unanswered,
    Busy,
    Failed(String),
}

/// Classifies `CallAndBridge`'s `ACTION_FAILED`. The guide documents `CallNotAnswered`; it
/// names no error type for a busy line (SIP 486), so an error type or message that says "busy"
/// is read as busy and anything else is a failure, kept with its error type.
pub fn classify_bridge_failure(error_type: Option<&str>, error_message: Option<&str>) -> BridgeFailure {
    let says_busy = |s: Option<&str>| s.is_some_and(|s| s.to_ascii_lowercase().contains("busy"));
    match error_type {
        Some("CallNotAnswered") => BridgeFailure::Unanswered,
        _ if says_busy(error_type) || says_busy(error_message) => BridgeFailure::Busy,
        Some(other) => BridgeFailure::Failed(other.to_owned()),
        None => BridgeFailure::Failed("unknown".to_owned()),
    }
}

/// The handler's whole decision for one invocation. `received_at_ms` is when it arrived
/// (epoch milliseconds), for durations.
pub fn step(event: &InvocationEvent, received_at_ms: u64) -> Step {
    let details = &event.call_details;
    let plan = details.transaction_attributes.as_ref().and_then(|a| CallPlan::from_attributes(a).ok());
    let mut flow = Flow { details, plan: plan.as_ref(), facts: Vec::new() };
    let answer = match &event.event_type {
        InvocationEventType::NewOutboundCall => {
            flow.fact(FactKind::Started);
            Answer::empty()
        }
        InvocationEventType::Ringing => {
            if let Some(party) = flow.party(&ParticipantTag::LegA) {
                flow.fact(FactKind::Ringing { party });
            }
            Answer::empty()
        }
        InvocationEventType::CallAnswered => flow.answered(received_at_ms),
        InvocationEventType::ActionSuccessful => flow.action_done(event.action_data.as_ref(), true),
        InvocationEventType::ActionFailed => flow.action_done(event.action_data.as_ref(), false),
        InvocationEventType::Hangup => flow.hung_up(event.action_data.as_ref(), received_at_ms),
        InvocationEventType::CallUpdateRequested => flow.update_requested(event.action_data.as_ref()),
        InvocationEventType::InvalidLambdaResponse => {
            let reason = event
                .error_type
                .clone()
                .or_else(|| event.action_data.as_ref().and_then(|d| d.error_type.clone()))
                .unwrap_or_else(|| "invalid_lambda_response".to_owned());
            flow.fact(FactKind::Failed { party: None, reason });
            answer_of(flow.hang_up_all(), None)
        }
        InvocationEventType::NewInboundCall => match details.participant(&ParticipantTag::LegA) {
            Some(leg) => answer_of(vec![Action::Speak(Speak::french(&leg.call_id, say::INBOUND))], None),
            None => Answer::empty(),
        },
        // Informational (the service ignores the answer), or not used by the product.
        InvocationEventType::ActionInterrupted
        | InvocationEventType::DigitsReceived
        | InvocationEventType::Other(_) => Answer::empty(),
    };
    Step { answer, facts: flow.facts }
}

/// An answer of at most a few actions and the plan's attributes: within the limits by
/// construction (tested), so the builder's refusal cannot happen here; if it ever did, the
/// empty answer (nothing more happens) is the safe one.
fn answer_of(actions: Vec<Action>, attributes: Option<BTreeMap<String, String>>) -> Answer {
    let mut builder = Answer::builder().actions(actions);
    if let Some(attributes) = attributes {
        builder = builder.transaction_attributes(attributes);
    }
    builder.build().unwrap_or_else(|_| Answer::empty())
}

struct Flow<'a> {
    details: &'a CallDetails,
    plan: Option<&'a CallPlan>,
    facts: Vec<Fact>,
}

impl Flow<'_> {
    fn fact(&mut self, kind: FactKind) {
        self.facts.push(Fact {
            transaction_id: self.details.transaction_id.clone(),
            call: self.plan.map(|p| p.call().to_owned()),
            kind,
        });
    }

    fn party(&self, tag: &ParticipantTag) -> Option<Party> {
        self.plan.and_then(|p| p.party(tag))
    }

    fn leg(&self, tag: &ParticipantTag) -> Option<&Participant> {
        self.details.participant(tag)
    }

    fn leg_a_call_id(&self) -> Option<String> {
        self.leg(&ParticipantTag::LegA).map(|p| p.call_id.clone())
    }

    /// The first leg answered.
    fn answered(&mut self, received_at_ms: u64) -> Answer {
        let Some(leg_a) = self.leg_a_call_id() else { return Answer::empty() };
        match self.plan {
            Some(CallPlan::AdvisorThenSeeker { .. }) => {
                self.fact(FactKind::Answered { party: Party::Advisor });
                answer_of(vec![Action::Speak(Speak::french(&leg_a, say::DIALLING_SEEKER))], None)
            }
            Some(CallPlan::MeetingDialIn { meeting_id, join_token, .. }) => {
                self.fact(FactKind::Answered { party: Party::Seeker });
                answer_of(
                    vec![Action::JoinChimeMeeting(JoinChimeMeeting {
                        join_token: join_token.clone(),
                        call_id: Some(leg_a),
                        participant_tag: None,
                        meeting_id: Some(meeting_id.clone()),
                    })],
                    Some(self.with_attribute(keys::ANSWERED_AT_MS, &received_at_ms.to_string())),
                )
            }
            None => {
                self.fact(FactKind::Failed { party: None, reason: "no_plan".to_owned() });
                answer_of(vec![Action::Hangup(Hangup::leg(&leg_a))], None)
            }
        }
    }

    /// `ACTION_SUCCESSFUL` (`succeeded`) or `ACTION_FAILED`.
    fn action_done(&mut self, data: Option<&ActionData>, succeeded: bool) -> Answer {
        let Some(data) = data else { return Answer::empty() };
        match (&data.action, succeeded) {
            (EchoedAction::Known(Action::Speak(speak)), _) => self.spoken(speak),
            (EchoedAction::Known(Action::CallAndBridge(_)), true) => {
                let at_ms = self.leg(&ParticipantTag::LegB).and_then(Participant::started_at_ms);
                self.fact(FactKind::Bridged { at_ms });
                Answer::empty()
            }
            (EchoedAction::Known(Action::CallAndBridge(bridge)), false) => {
                let failure = classify_bridge_failure(data.error_type.as_deref(), data.error_message.as_deref());
                let advisor_leg = bridge.call_id.clone().or_else(|| self.leg_a_call_id());
                self.seeker_not_reached(failure, advisor_leg)
            }
            (EchoedAction::Known(Action::JoinChimeMeeting(_)), true) => {
                self.fact(FactKind::JoinedMeeting);
                Answer::empty()
            }
            (EchoedAction::Known(Action::JoinChimeMeeting(join)), false) => {
                let reason = error_reason(data);
                self.fact(FactKind::Failed { party: Some(Party::Seeker), reason });
                match join.call_id.clone().or_else(|| self.leg_a_call_id()) {
                    Some(leg) => answer_of(
                        vec![Action::Speak(Speak::french(&leg, say::CALL_FAILED))],
                        Some(self.ended_by(ENDED_BY_HANDLER)),
                    ),
                    None => Answer::empty(),
                }
            }
            _ => Answer::empty(),
        }
    }

    /// A `Speak` ended (spoken or not): the next step is the same, the words are a courtesy.
    fn spoken(&mut self, speak: &Speak) -> Answer {
        if speak.text == say::DIALLING_SEEKER {
            if let Some(CallPlan::AdvisorThenSeeker { seeker_number, caller_id, .. }) = self.plan {
                return answer_of(
                    vec![Action::CallAndBridge(CallAndBridge::to_phone(caller_id, seeker_number, SEEKER_RING_SECONDS))],
                    None,
                );
            }
        }
        if say::BEFORE_HANGING_UP.contains(&speak.text.as_str()) {
            return answer_of(vec![Action::Hangup(Hangup::leg(&speak.call_id))], None);
        }
        Answer::empty()
    }

    /// The seeker was not reached: journal why, tell the advisor, who is then hung up.
    fn seeker_not_reached(&mut self, failure: BridgeFailure, advisor_leg: Option<String>) -> Answer {
        let words = match failure {
            BridgeFailure::Unanswered => {
                self.fact(FactKind::Unanswered { party: Party::Seeker });
                say::SEEKER_UNANSWERED
            }
            BridgeFailure::Busy => {
                self.fact(FactKind::Busy { party: Party::Seeker });
                say::SEEKER_BUSY
            }
            BridgeFailure::Failed(reason) => {
                self.fact(FactKind::Failed { party: Some(Party::Seeker), reason });
                say::CALL_FAILED
            }
        };
        match advisor_leg {
            Some(leg) => {
                answer_of(vec![Action::Speak(Speak::french(&leg, words))], Some(self.ended_by(ENDED_BY_HANDLER)))
            }
            None => Answer::empty(),
        }
    }

    /// `HANGUP`: a leg ended. SIP 480 is no answer, 486 busy, 0 (or none) a normal hang-up.
    fn hung_up(&mut self, data: Option<&ActionData>, received_at_ms: u64) -> Answer {
        let Some(EchoedAction::Known(Action::Hangup(hangup))) = data.map(|d| &d.action) else {
            return Answer::empty();
        };
        let Some(tag) = hangup.participant_tag.clone().or_else(|| {
            let id = hangup.call_id.as_deref()?;
            self.details.participants.iter().find(|p| p.call_id == id).map(|p| p.participant_tag.clone())
        }) else {
            return Answer::empty();
        };
        let other_tag = match tag {
            ParticipantTag::LegA => ParticipantTag::LegB,
            _ => ParticipantTag::LegA,
        };
        let other = self.leg(&other_tag).cloned();
        let other_connected = other.as_ref().is_some_and(Participant::is_connected);
        let code = hangup.sip_response_code.as_ref().and_then(|c| c.value()).unwrap_or(0);
        let party = self.party(&tag);
        // A leg that hangs up does not end the other (billed until it is): end it.
        let hang_up_other = match other.as_ref().filter(|_| other_connected) {
            Some(other) => answer_of(vec![Action::Hangup(Hangup::leg(&other.call_id))], None),
            None => Answer::empty(),
        };

        if code != 0 {
            // The leg was never answered, or dropped.
            match (code, party) {
                (480, Some(party)) => self.fact(FactKind::Unanswered { party }),
                (486, Some(party)) => self.fact(FactKind::Busy { party }),
                (_, party) => self.fact(FactKind::Failed { party, reason: format!("sip_{code}") }),
            }
            // The seeker's leg failed while the advisor waits: tell them, as for ACTION_FAILED.
            if let (Some(Party::Seeker), ParticipantTag::LegB, Some(advisor)) = (party, &tag, &other) {
                if other_connected {
                    let words = match code {
                        480 => say::SEEKER_UNANSWERED,
                        486 => say::SEEKER_BUSY,
                        _ => say::CALL_FAILED,
                    };
                    return answer_of(
                        vec![Action::Speak(Speak::french(&advisor.call_id, words))],
                        Some(self.ended_by(ENDED_BY_HANDLER)),
                    );
                }
            }
            return hang_up_other;
        }

        // The other leg already ended: this is the handler's clean-up, already journaled.
        if other.as_ref().is_some_and(|o| o.status == Some(ParticipantStatus::Disconnected)) {
            return Answer::empty();
        }
        let ended_by = self.details.attribute(keys::ENDED_BY);
        // The handler ended it after journaling why (unanswered, busy, failed).
        if ended_by == Some(ENDED_BY_HANDLER) {
            return hang_up_other;
        }
        let by = if ended_by == Some(ENDED_BY_APP) {
            HungUpBy::App
        } else {
            match party {
                Some(Party::Advisor) => HungUpBy::Advisor,
                Some(Party::Seeker) => HungUpBy::Seeker,
                None => HungUpBy::Unknown,
            }
        };
        // The talk started when the seeker's leg joined the bridge (its StartTimeInMilliseconds;
        // leg B is in the call details once bridged) or, for a dial-in, when it answered.
        let talk_start = match self.plan {
            Some(CallPlan::AdvisorThenSeeker { .. }) => self
                .leg(&ParticipantTag::LegB)
                .filter(|b| b.is_connected() || tag == ParticipantTag::LegB)
                .and_then(Participant::started_at_ms),
            Some(CallPlan::MeetingDialIn { .. }) => {
                self.details.attribute(keys::ANSWERED_AT_MS).and_then(|v| v.parse().ok())
            }
            None => None,
        };
        let duration_ms = talk_start.map(|start: u64| received_at_ms.saturating_sub(start));
        self.fact(FactKind::HungUp { leg: tag, by, duration_ms });
        hang_up_other
    }

    /// `CALL_UPDATE_REQUESTED`: `{"action": "hangup"}` hangs up every leg still up, seeker first.
    fn update_requested(&mut self, data: Option<&ActionData>) -> Answer {
        let Some(EchoedAction::CallUpdateRequest(request)) = data.map(|d| &d.action) else {
            return Answer::empty();
        };
        if request.arguments.get(UPDATE_ACTION).map(String::as_str) != Some(UPDATE_HANG_UP) {
            return Answer::empty();
        }
        self.fact(FactKind::HangUpRequested);
        answer_of(self.hang_up_all(), Some(self.ended_by(ENDED_BY_APP)))
    }

    /// The attributes held, with who ended the call.
    fn ended_by(&self, who: &str) -> BTreeMap<String, String> {
        self.with_attribute(keys::ENDED_BY, who)
    }

    /// The attributes held, with one more (the whole map: the service replaces what it holds).
    fn with_attribute(&self, key: &str, value: &str) -> BTreeMap<String, String> {
        let mut attributes = self.details.transaction_attributes.clone().unwrap_or_default();
        attributes.insert(key.to_owned(), value.to_owned());
        attributes
    }

    /// Hangs up every leg not known to be down, leg B first.
    fn hang_up_all(&self) -> Vec<Action> {
        let mut legs: Vec<&Participant> =
            self.details.participants.iter().filter(|p| p.status != Some(ParticipantStatus::Disconnected)).collect();
        legs.sort_by_key(|p| if p.participant_tag == ParticipantTag::LegB { 0 } else { 1 });
        legs.into_iter().map(|p| Action::Hangup(Hangup::leg(&p.call_id))).collect()
    }
}

fn error_reason(data: &ActionData) -> String {
    data.error_type
        .clone()
        .or_else(|| data.error.as_ref().map(|e| e.split(':').next().unwrap_or(e).trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}
