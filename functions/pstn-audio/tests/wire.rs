//! The wire types on the AWS developer guide's JSON examples (`fixtures/`, one file per example,
//! named after its page). The guide's examples are made valid JSON: its `// required` comments,
//! trailing commas and `.....` elisions are removed, an elided `CallDetails` is filled from the
//! same page's other examples, and `""TransactionId"` (use-create-call-api) is fixed.
//!
//! "Round trip" means: read, write back, and get the very same JSON (same field names, same
//! number-or-string forms), so nothing the service sends is lost or renamed.

use pstn_audio::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn event(name: &str) -> InvocationEvent {
    serde_json::from_value(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(name: &str) -> T {
    let original = fixture(name);
    let typed: T = serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(serde_json::to_value(&typed).unwrap(), original, "{name} does not round-trip");
    typed
}

#[test]
fn every_documented_event_type_is_read_and_an_unknown_one_is_kept() {
    let documented = [
        ("NEW_INBOUND_CALL", InvocationEventType::NewInboundCall),
        ("NEW_OUTBOUND_CALL", InvocationEventType::NewOutboundCall),
        ("RINGING", InvocationEventType::Ringing),
        ("CALL_ANSWERED", InvocationEventType::CallAnswered),
        ("ACTION_SUCCESSFUL", InvocationEventType::ActionSuccessful),
        ("ACTION_FAILED", InvocationEventType::ActionFailed),
        ("ACTION_INTERRUPTED", InvocationEventType::ActionInterrupted),
        ("HANGUP", InvocationEventType::Hangup),
        ("CALL_UPDATE_REQUESTED", InvocationEventType::CallUpdateRequested),
        ("INVALID_LAMBDA_RESPONSE", InvocationEventType::InvalidLambdaResponse),
        ("DIGITS_RECEIVED", InvocationEventType::DigitsReceived),
    ];
    for (wire, typed) in documented {
        let read: InvocationEventType = serde_json::from_value(json!(wire)).unwrap();
        assert_eq!(read, typed);
        assert_eq!(serde_json::to_value(&read).unwrap(), json!(wire));
    }
    // The guide's envelope has a placeholder type: a type the crate does not know is kept.
    let envelope: InvocationEvent = assert_round_trip("event_envelope.json");
    assert_eq!(envelope.event_type, InvocationEventType::Other("event-type".to_owned()));
    assert_eq!(envelope.sequence, 3);
    let leg = &envelope.call_details.participants[0];
    assert_eq!(leg.direction, Some(Direction::Other("Inbound/Outbound".to_owned())));
    assert_eq!(leg.started_at_ms(), Some(1_641_998_241_509));
    assert_eq!(envelope.call_details.sip_media_application_id.as_deref(), Some("sip-media-app-id-1"));
}

#[test]
fn outbound_call_events_read_the_call_details() {
    let ringing: InvocationEvent = assert_round_trip("ringing.json");
    assert_eq!(ringing.event_type, InvocationEventType::Ringing);
    let details = &ringing.call_details;
    assert_eq!(details.transaction_id, "transaction-id");
    assert_eq!(details.aws_account_id.as_deref(), Some("aws-account-id"));
    assert_eq!(details.aws_region.as_deref(), Some("us-east-1"));
    let leg = details.participant(&ParticipantTag::LegA).expect("leg A");
    assert_eq!(leg.call_id, "call-id-1");
    assert_eq!(leg.to.as_deref(), Some("+1xxxx"));
    assert_eq!(leg.from.as_deref(), Some("+1xxxxxxx"));
    assert_eq!(leg.direction, Some(Direction::Outbound));
    assert_eq!(leg.status, None);
    assert!(details.participant(&ParticipantTag::LegB).is_none());

    let answered: InvocationEvent = assert_round_trip("call_answered.json");
    assert_eq!(answered.event_type, InvocationEventType::CallAnswered);
    assert!(answered.call_details.participants[0].is_connected());

    // The outbound page names the field SipApplicationId: read as SipMediaApplicationId.
    let created = event("new_outbound_call.json");
    assert_eq!(created.event_type, InvocationEventType::NewOutboundCall);
    assert_eq!(created.call_details.sip_media_application_id.as_deref(), Some("sip-application-id"));
}

#[test]
fn call_and_bridge_answers_round_trip_with_the_documented_names() {
    let answer: Answer = assert_round_trip("call_and_bridge_answer.json");
    let Action::CallAndBridge(bridge) = &answer.actions[0] else { panic!("not a CallAndBridge") };
    assert_eq!(bridge.call_timeout_seconds, Some(30));
    assert_eq!(bridge.endpoints[0].bridge_endpoint_type, BridgeEndpointType::Pstn);
    // The crate's constructor writes exactly the documented action.
    let ours = Answer::builder()
        .action(Action::CallAndBridge(CallAndBridge::to_phone("e164PhoneNumber", "e164PhoneNumber", 30)))
        .build()
        .unwrap();
    assert_eq!(serde_json::to_value(&ours).unwrap(), fixture("call_and_bridge_answer.json"));

    let voice_connector: Answer = assert_round_trip("call_and_bridge_voice_connector_answer.json");
    let Action::CallAndBridge(bridge) = &voice_connector.actions[0] else { panic!("not a CallAndBridge") };
    assert_eq!(bridge.endpoints[0].bridge_endpoint_type, BridgeEndpointType::Aws);
    assert_eq!(bridge.ringback_tone.as_ref().map(|t| t.key.as_str()), Some("audio_file_name"));
}

#[test]
fn call_and_bridge_outcomes_echo_the_action_with_the_error() {
    let ok: InvocationEvent = assert_round_trip("call_and_bridge_successful.json");
    let data = ok.action_data.as_ref().expect("action data");
    let EchoedAction::Known(Action::CallAndBridge(bridge)) = &data.action else { panic!("not a CallAndBridge") };
    assert_eq!(bridge.call_id.as_deref(), Some("call-id-1"));
    assert_eq!(data.error_type, None);
    assert!(ok.call_details.participant(&ParticipantTag::LegB).is_some_and(Participant::is_connected));

    let failed: InvocationEvent = assert_round_trip("call_and_bridge_failed.json");
    assert_eq!(failed.event_type, InvocationEventType::ActionFailed);
    let data = failed.action_data.as_ref().expect("action data");
    assert_eq!(data.action.action_type(), "CallAndBridge");
    assert_eq!(data.error_type.as_deref(), Some("CallNotAnswered"));
    assert_eq!(data.error_message.as_deref(), Some("Call not answered"));
}

#[test]
fn speak_round_trips_and_the_french_voice_is_lea() {
    let answer: Answer = assert_round_trip("speak_answer.json");
    let Action::Speak(speak) = &answer.actions[0] else { panic!("not a Speak") };
    assert_eq!(speak.engine, Some(Engine::Neural));
    assert_eq!(speak.text_type, Some(TextType::Text));
    assert_eq!(speak.voice_id.as_deref(), Some("Joanna"));

    let ok: InvocationEvent = assert_round_trip("speak_successful.json");
    let Some(EchoedAction::Known(Action::Speak(echoed))) = ok.action_data.as_ref().map(|d| &d.action) else {
        panic!("not a Speak")
    };
    assert_eq!(echoed.text, "Hello World");
    let failed: InvocationEvent = assert_round_trip("speak_failed.json");
    assert_eq!(failed.action_data.and_then(|d| d.error_type).as_deref(), Some("SystemException"));

    let french = serde_json::to_value(Action::Speak(Speak::french("call-id-1", "Bonjour"))).unwrap();
    assert_eq!(
        french,
        json!({"Type": "Speak", "Parameters": {"Text": "Bonjour", "CallId": "call-id-1", "Engine": "neural",
            "LanguageCode": "fr-FR", "TextType": "text", "VoiceId": "Lea"}})
    );
}

#[test]
fn join_chime_meeting_round_trips_and_its_failure_keeps_the_error() {
    let action: Action = assert_round_trip("join_chime_meeting_action.json");
    let Action::JoinChimeMeeting(join) = action else { panic!("not a JoinChimeMeeting") };
    assert_eq!(join.meeting_id.as_deref(), Some("meeting-id"));
    assert_eq!(join.participant_tag, Some(ParticipantTag::LegA));

    let ok: InvocationEvent = assert_round_trip("join_chime_meeting_successful.json");
    assert_eq!(ok.action_data.map(|d| d.action.action_type().to_owned()).as_deref(), Some("JoinChimeMeeting"));
    // The page's failure example carries one `Error` string, not ErrorType / ErrorMessage.
    let failed: InvocationEvent = assert_round_trip("join_chime_meeting_failed.json");
    assert_eq!(
        failed.action_data.and_then(|d| d.error).as_deref(),
        Some("ErrorJoiningMeeting: Error while joining meeting.")
    );
    // The page's examples name the type field InvocationEvent: read too.
    let mut renamed = fixture("join_chime_meeting_successful.json");
    let value = renamed.as_object_mut().unwrap().remove("InvocationEventType").unwrap();
    renamed.as_object_mut().unwrap().insert("InvocationEvent".to_owned(), value);
    let read: InvocationEvent = serde_json::from_value(renamed).unwrap();
    assert_eq!(read.event_type, InvocationEventType::ActionSuccessful);
}

#[test]
fn hangup_and_pause_keep_their_string_numbers_and_the_hangup_event_its_number() {
    let hangup: Action = assert_round_trip("hangup_action.json");
    let Action::Hangup(hangup) = hangup else { panic!("not a Hangup") };
    assert_eq!(hangup.sip_response_code, Some(WireNumber::Text("0".to_owned())));
    assert_eq!(
        serde_json::to_value(Action::Hangup(Hangup::leg("call-id-1"))).unwrap()["Parameters"]["SipResponseCode"],
        json!("0")
    );

    let pause: Action = assert_round_trip("pause_action.json");
    let Action::Pause(pause) = pause else { panic!("not a Pause") };
    assert_eq!(pause.duration_in_milliseconds.value(), Some(3000));

    let busy: InvocationEvent = assert_round_trip("hangup_busy.json");
    let Some(EchoedAction::Known(Action::Hangup(data))) = busy.action_data.as_ref().map(|d| &d.action) else {
        panic!("not a Hangup")
    };
    assert_eq!(data.sip_response_code, Some(WireNumber::Number(486)));
    assert_eq!(data.participant_tag, Some(ParticipantTag::LegA));
    assert_eq!(busy.call_details.sip_rule_id.as_deref(), Some("sip-rule-id"));
}

#[test]
fn a_hangup_of_another_action_and_the_guides_leg_spelling_are_read() {
    // "Ending a call": the bridged example's ActionData is a ReceiveDigits, its tags "Leg-A".
    let event = event("hangup_bridged_leg_b.json");
    assert_eq!(event.event_type, InvocationEventType::Hangup);
    let data = event.action_data.as_ref().expect("action data");
    assert!(matches!(&data.action, EchoedAction::Other { action_type, .. } if action_type == "ReceiveDigits"));
    let leg_b = event.call_details.participant(&ParticipantTag::LegB).expect("Leg-B read as LEG-B");
    assert_eq!(leg_b.from.as_deref(), Some("SMA"));
    assert_eq!(leg_b.status, Some(ParticipantStatus::Disconnected));
    // Written back in the canonical spelling; everything else is kept.
    let written = serde_json::to_value(&event).unwrap();
    assert_eq!(written["CallDetails"]["Participants"][0]["ParticipantTag"], json!("LEG-A"));
    assert_eq!(written["ActionData"], fixture("hangup_bridged_leg_b.json")["ActionData"]);
}

#[test]
fn call_update_requested_carries_the_arguments() {
    let event: InvocationEvent = assert_round_trip("call_update_requested.json");
    assert_eq!(event.event_type, InvocationEventType::CallUpdateRequested);
    let Some(EchoedAction::CallUpdateRequest(request)) = event.action_data.as_ref().map(|d| &d.action) else {
        panic!("not a CallUpdateRequest")
    };
    assert_eq!(request.arguments.get("JoinToken").map(String::as_str), Some("abc123"));
}

#[test]
fn transaction_attributes_and_an_untyped_action_are_kept() {
    let event: InvocationEvent = assert_round_trip("action_successful_with_attributes.json");
    assert_eq!(event.call_details.attribute("key1"), Some("value1"));
    assert_eq!(event.call_details.attribute("missing"), None);
    let data = event.action_data.as_ref().expect("action data");
    assert_eq!(data.action.action_type(), "PlayAudio");

    let invalid: InvocationEvent = assert_round_trip("invalid_lambda_response.json");
    assert_eq!(invalid.event_type, InvocationEventType::InvalidLambdaResponse);
    assert_eq!(invalid.error_type.as_deref(), Some("TransactionAttributesInvalidMapSize"));

    let answer: Answer = assert_round_trip("set_transaction_attributes_answer.json");
    assert_eq!(answer.transaction_attributes.map(|a| a.len()), Some(2));
}

#[test]
fn an_answer_with_more_than_ten_actions_is_refused_and_ten_are_built() {
    let pause = || {
        Action::Pause(Pause { call_id: None, participant_tag: None, duration_in_milliseconds: WireNumber::text(100) })
    };
    let ten = Answer::builder().actions((0..MAX_ACTIONS).map(|_| pause())).build().expect("10 actions are allowed");
    assert_eq!(ten.actions.len(), 10);
    assert_eq!(serde_json::to_value(&ten).unwrap()["SchemaVersion"], json!("1.0"));
    assert_eq!(Answer::builder().actions((0..11).map(|_| pause())).build(), Err(AnswerError::TooManyActions(11)));
}

#[test]
fn transaction_attributes_beyond_the_limits_are_refused() {
    let map = |n: usize, value_len: usize| (0..n).map(|i| (format!("k{i}"), "v".repeat(value_len))).collect();
    assert!(Answer::builder().transaction_attributes(map(MAX_TRANSACTION_ATTRIBUTES, 1)).build().is_ok());
    assert_eq!(
        Answer::builder().transaction_attributes(map(11, 1)).build(),
        Err(AnswerError::TooManyTransactionAttributes(11))
    );
    assert!(matches!(
        Answer::builder().transaction_attributes(map(2, 11 * 1024)).build(),
        Err(AnswerError::TransactionAttributesTooLarge(_))
    ));
    // An empty map is allowed: it clears what the service holds.
    let cleared = Answer::builder().transaction_attributes(Default::default()).build().unwrap();
    assert_eq!(serde_json::to_value(&cleared).unwrap()["TransactionAttributes"], json!({}));
    // Without a map, the field is absent and the service keeps what it holds.
    assert!(serde_json::to_value(Answer::empty()).unwrap().get("TransactionAttributes").is_none());
}
