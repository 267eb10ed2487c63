//! The call flows, one path per test, on events written as the service sends them (JSON).

use std::collections::{BTreeMap, BTreeSet};

use pstn_audio::flow::{
    classify_bridge_failure, keys, say, step, BridgeFailure, CallPlan, Fact, FactKind, HungUpBy, Party, PlanError,
    Step, SEEKER_RING_SECONDS,
};
use pstn_audio::*;
use serde_json::{json, Value};

const ADVISOR_LEG: &str = "leg-a-advisor";
const SEEKER_LEG: &str = "leg-b-seeker";
const SEEKER: &str = "+33611223344";
const AGENCY: &str = "+33180000000";
const ADVISOR_WORK_PHONE: &str = "+33144000000";
const A_START: u64 = 1_765_000_000_000;
const B_START: u64 = A_START + 20_000;

fn click_to_call() -> CallPlan {
    CallPlan::AdvisorThenSeeker { call: "call-1".into(), seeker_number: SEEKER.into(), caller_id: AGENCY.into() }
}

fn dial_in() -> CallPlan {
    CallPlan::MeetingDialIn { call: "call-2".into(), meeting_id: "meeting-1".into(), join_token: "join-token-1".into() }
}

fn leg(call_id: &str, tag: &str, to: &str, start: u64, status: Option<&str>) -> Value {
    let mut leg = json!({"CallId": call_id, "ParticipantTag": tag, "To": to, "From": AGENCY, "Direction": "Outbound",
        "StartTimeInMilliseconds": start.to_string()});
    if let Some(status) = status {
        leg["Status"] = json!(status);
    }
    leg
}

fn advisor(status: Option<&str>) -> Value {
    leg(ADVISOR_LEG, "LEG-A", ADVISOR_WORK_PHONE, A_START, status)
}

fn seeker(status: Option<&str>) -> Value {
    leg(SEEKER_LEG, "LEG-B", SEEKER, B_START, status)
}

/// An invocation as the service sends it.
fn event(
    kind: &str,
    action_data: Option<Value>,
    legs: Vec<Value>,
    attributes: Option<BTreeMap<String, String>>,
) -> InvocationEvent {
    let mut details = json!({"TransactionId": "tx-1", "AwsAccountId": "123456789012", "AwsRegion": "eu-central-1",
        "SipMediaApplicationId": "sma-1", "Participants": legs});
    if let Some(attributes) = attributes {
        details["TransactionAttributes"] = json!(attributes);
    }
    let mut event = json!({"SchemaVersion": "1.0", "Sequence": 1, "InvocationEventType": kind, "CallDetails": details});
    if let Some(data) = action_data {
        event["ActionData"] = data;
    }
    serde_json::from_value(event).expect("a valid event")
}

fn attrs(plan: &CallPlan) -> Option<BTreeMap<String, String>> {
    Some(plan.to_attributes())
}

fn echoed(action: Action) -> Value {
    serde_json::to_value(action).unwrap()
}

fn failed(action: Action, error_type: &str, message: &str) -> Value {
    let mut data = echoed(action);
    data["ErrorType"] = json!(error_type);
    data["ErrorMessage"] = json!(message);
    data
}

fn hangup_data(call_id: &str, tag: &str, code: u64) -> Value {
    json!({"Type": "Hangup", "Parameters": {"SipResponseCode": code, "CallId": call_id, "ParticipantTag": tag}})
}

fn speak_echo(call_id: &str, text: &str) -> Value {
    echoed(Action::Speak(Speak::french(call_id, text)))
}

fn bridge_echo() -> Value {
    let mut bridge = CallAndBridge::to_phone(AGENCY, SEEKER, SEEKER_RING_SECONDS);
    bridge.call_id = Some(ADVISOR_LEG.into());
    echoed(Action::CallAndBridge(bridge))
}

fn kinds(step: &Step) -> Vec<FactKind> {
    step.facts.iter().map(|f| f.kind.clone()).collect()
}

fn only_action(step: &Step) -> &Action {
    assert_eq!(step.answer.actions.len(), 1, "one action expected: {:?}", step.answer.actions);
    &step.answer.actions[0]
}

fn spoken(step: &Step) -> (String, String) {
    match only_action(step) {
        Action::Speak(speak) => {
            assert_eq!(speak.language_code.as_deref(), Some("fr-FR"));
            assert_eq!(speak.voice_id.as_deref(), Some("Lea"));
            (speak.call_id.clone(), speak.text.clone())
        }
        other => panic!("a Speak expected, got {other:?}"),
    }
}

fn hung_up_leg(step: &Step) -> String {
    match only_action(step) {
        Action::Hangup(hangup) => hangup.call_id.clone().expect("a call id"),
        other => panic!("a Hangup expected, got {other:?}"),
    }
}

/// The whole click-to-call where both answer and the seeker hangs up after 125 s.
fn both_answer_events() -> Vec<(InvocationEvent, u64)> {
    let plan = click_to_call();
    let ended_at = B_START + 125_000;
    vec![
        (event("NEW_OUTBOUND_CALL", None, vec![advisor(None)], attrs(&plan)), A_START),
        (event("RINGING", None, vec![advisor(None)], attrs(&plan)), A_START + 1_000),
        (event("CALL_ANSWERED", None, vec![advisor(Some("Connected"))], attrs(&plan)), A_START + 8_000),
        (
            event(
                "ACTION_SUCCESSFUL",
                Some(speak_echo(ADVISOR_LEG, say::DIALLING_SEEKER)),
                vec![advisor(Some("Connected"))],
                attrs(&plan),
            ),
            A_START + 11_000,
        ),
        (
            event(
                "ACTION_SUCCESSFUL",
                Some(bridge_echo()),
                vec![advisor(Some("Connected")), seeker(Some("Connected"))],
                attrs(&plan),
            ),
            B_START + 500,
        ),
        (
            event(
                "HANGUP",
                Some(hangup_data(SEEKER_LEG, "LEG-B", 0)),
                vec![advisor(Some("Connected")), seeker(Some("Disconnected"))],
                attrs(&plan),
            ),
            ended_at,
        ),
        (
            event(
                "HANGUP",
                Some(hangup_data(ADVISOR_LEG, "LEG-A", 0)),
                vec![advisor(Some("Disconnected")), seeker(Some("Disconnected"))],
                attrs(&plan),
            ),
            ended_at + 300,
        ),
    ]
}

#[test]
fn both_answer_the_advisor_is_told_then_the_seeker_is_bridged_showing_the_agency_number() {
    let steps: Vec<Step> = both_answer_events().iter().map(|(e, at)| step(e, *at)).collect();

    assert_eq!(kinds(&steps[0]), vec![FactKind::Started]);
    assert!(steps[0].answer.actions.is_empty());
    assert_eq!(kinds(&steps[1]), vec![FactKind::Ringing { party: Party::Advisor }]);

    // The advisor answers: they hear that the seeker is being called, nothing is dialled yet.
    assert_eq!(kinds(&steps[2]), vec![FactKind::Answered { party: Party::Advisor }]);
    assert_eq!(spoken(&steps[2]), (ADVISOR_LEG.to_owned(), "Nous appelons la personne, restez en ligne.".to_owned()));

    // Once spoken, the seeker is dialled with the agency's number as caller id.
    let Action::CallAndBridge(bridge) = only_action(&steps[3]) else { panic!("a CallAndBridge expected") };
    assert_eq!(bridge.caller_id_number, AGENCY);
    assert_eq!(bridge.endpoints.len(), 1);
    assert_eq!(bridge.endpoints[0].bridge_endpoint_type, BridgeEndpointType::Pstn);
    assert_eq!(bridge.endpoints[0].uri, SEEKER);
    assert_eq!(bridge.call_timeout_seconds, Some(SEEKER_RING_SECONDS));
    let wire = serde_json::to_value(&steps[3].answer).unwrap();
    assert_eq!(wire["Actions"][0]["Parameters"]["CallerIdNumber"], json!(AGENCY));
    assert!(steps[3].facts.is_empty());

    // The seeker answers: bridged, a contact.
    assert_eq!(kinds(&steps[4]), vec![FactKind::Bridged { at_ms: Some(B_START) }]);
    assert!(steps[4].facts[0].counts_as_contact());

    // The seeker hangs up: journaled with the talk's duration; the advisor's leg is ended.
    assert_eq!(
        kinds(&steps[5]),
        vec![FactKind::HungUp { leg: ParticipantTag::LegB, by: HungUpBy::Seeker, duration_ms: Some(125_000) }]
    );
    assert_eq!(hung_up_leg(&steps[5]), ADVISOR_LEG);
    // The clean-up of the advisor's leg records nothing more.
    assert!(steps[6].facts.is_empty());
    assert!(steps[6].answer.actions.is_empty());

    for fact in steps.iter().flat_map(|s| &s.facts) {
        assert_eq!(fact.call.as_deref(), Some("call-1"));
        assert_eq!(fact.transaction_id, "tx-1");
    }
}

#[test]
fn the_advisor_hanging_up_first_ends_the_seekers_leg() {
    let plan = click_to_call();
    let hung_up = step(
        &event(
            "HANGUP",
            Some(hangup_data(ADVISOR_LEG, "LEG-A", 0)),
            vec![advisor(Some("Disconnected")), seeker(Some("Connected"))],
            attrs(&plan),
        ),
        B_START + 60_000,
    );
    assert_eq!(
        kinds(&hung_up),
        vec![FactKind::HungUp { leg: ParticipantTag::LegA, by: HungUpBy::Advisor, duration_ms: Some(60_000) }]
    );
    assert_eq!(hung_up_leg(&hung_up), SEEKER_LEG);
}

#[test]
fn the_seeker_is_dialled_even_if_the_words_to_the_advisor_fail() {
    let plan = click_to_call();
    let mut data = speak_echo(ADVISOR_LEG, say::DIALLING_SEEKER);
    data["ErrorType"] = json!("ActionExecutionThrottled");
    let after = step(&event("ACTION_FAILED", Some(data), vec![advisor(Some("Connected"))], attrs(&plan)), A_START);
    assert!(matches!(only_action(&after), Action::CallAndBridge(b) if b.endpoints[0].uri == SEEKER));
}

#[test]
fn the_seeker_not_answering_is_journaled_the_advisor_told_then_hung_up() {
    let plan = click_to_call();
    let not_answered = step(
        &event(
            "ACTION_FAILED",
            Some(failed(serde_json::from_value(bridge_echo()).unwrap(), "CallNotAnswered", "Call not answered")),
            vec![advisor(Some("Connected"))],
            attrs(&plan),
        ),
        B_START + 30_000,
    );
    assert_eq!(kinds(&not_answered), vec![FactKind::Unanswered { party: Party::Seeker }]);
    assert!(!not_answered.facts[0].counts_as_contact());
    assert_eq!(spoken(&not_answered), (ADVISOR_LEG.to_owned(), say::SEEKER_UNANSWERED.to_owned()));
    // The whole plan is sent back with who ends the call.
    let held = not_answered.answer.transaction_attributes.clone().expect("attributes");
    assert_eq!(held.get(keys::ENDED_BY).map(String::as_str), Some("handler"));
    assert_eq!(CallPlan::from_attributes(&held), Ok(plan.clone()));

    let told = step(
        &event(
            "ACTION_SUCCESSFUL",
            Some(speak_echo(ADVISOR_LEG, say::SEEKER_UNANSWERED)),
            vec![advisor(Some("Connected"))],
            Some(held.clone()),
        ),
        B_START + 36_000,
    );
    assert_eq!(hung_up_leg(&told), ADVISOR_LEG);
    assert!(told.facts.is_empty());

    // The advisor's leg ends: the call's outcome is already journaled, nobody "hung up".
    let ended = step(
        &event("HANGUP", Some(hangup_data(ADVISOR_LEG, "LEG-A", 0)), vec![advisor(Some("Disconnected"))], Some(held)),
        B_START + 36_500,
    );
    assert!(ended.facts.is_empty());
    assert!(ended.answer.actions.is_empty());
}

#[test]
fn the_seekers_line_busy_is_journaled_busy_and_the_advisor_told() {
    let plan = click_to_call();
    // Reported on the seeker's leg as SIP 486 while the advisor waits.
    let busy = step(
        &event(
            "HANGUP",
            Some(hangup_data(SEEKER_LEG, "LEG-B", 486)),
            vec![advisor(Some("Connected")), seeker(Some("Disconnected"))],
            attrs(&plan),
        ),
        B_START,
    );
    assert_eq!(kinds(&busy), vec![FactKind::Busy { party: Party::Seeker }]);
    assert_eq!(spoken(&busy), (ADVISOR_LEG.to_owned(), say::SEEKER_BUSY.to_owned()));

    // Or as the bridge's failure, if the service names it so: the same fact, so journaled once.
    let bridge: Action = serde_json::from_value(bridge_echo()).unwrap();
    let by_action = step(
        &event(
            "ACTION_FAILED",
            Some(failed(bridge, "CallNotAnswered", "User busy")),
            vec![advisor(Some("Connected"))],
            attrs(&plan),
        ),
        B_START,
    );
    assert_eq!(kinds(&by_action), vec![FactKind::Unanswered { party: Party::Seeker }]);
    let busy_type: Action = serde_json::from_value(bridge_echo()).unwrap();
    let by_type = step(
        &event(
            "ACTION_FAILED",
            Some(failed(busy_type, "Busy", "Busy here")),
            vec![advisor(Some("Connected"))],
            attrs(&plan),
        ),
        B_START,
    );
    assert_eq!(by_type.facts, busy.facts);
}

#[test]
fn bridge_failures_are_classified_by_the_documented_error_type() {
    assert_eq!(classify_bridge_failure(Some("CallNotAnswered"), Some("Call not answered")), BridgeFailure::Unanswered);
    assert_eq!(classify_bridge_failure(Some("SystemException"), Some("User Busy")), BridgeFailure::Busy);
    assert_eq!(
        classify_bridge_failure(Some("InvalidActionParameter"), Some("Endpoints is invalid")),
        BridgeFailure::Failed("InvalidActionParameter".into())
    );
    assert_eq!(classify_bridge_failure(None, None), BridgeFailure::Failed("unknown".into()));
}

#[test]
fn a_failed_bridge_is_journaled_failed_with_its_error_type() {
    let plan = click_to_call();
    let bridge: Action = serde_json::from_value(bridge_echo()).unwrap();
    let failure = step(
        &event(
            "ACTION_FAILED",
            Some(failed(bridge, "SystemException", "System error while running action")),
            vec![advisor(Some("Connected"))],
            attrs(&plan),
        ),
        B_START,
    );
    assert_eq!(
        kinds(&failure),
        vec![FactKind::Failed { party: Some(Party::Seeker), reason: "SystemException".into() }]
    );
    assert_eq!(spoken(&failure), (ADVISOR_LEG.to_owned(), say::CALL_FAILED.to_owned()));
}

#[test]
fn the_advisor_not_answering_never_dials_the_seeker() {
    let plan = click_to_call();
    for (code, expected) in [
        (480, FactKind::Unanswered { party: Party::Advisor }),
        (486, FactKind::Busy { party: Party::Advisor }),
        (503, FactKind::Failed { party: Some(Party::Advisor), reason: "sip_503".into() }),
    ] {
        let ended = step(
            &event(
                "HANGUP",
                Some(hangup_data(ADVISOR_LEG, "LEG-A", code)),
                vec![advisor(Some("Disconnected"))],
                attrs(&plan),
            ),
            A_START + 30_000,
        );
        assert_eq!(kinds(&ended), vec![expected]);
        assert!(ended.answer.actions.is_empty(), "nothing to do: {:?}", ended.answer.actions);
    }
}

#[test]
fn a_hang_up_from_the_app_ends_every_leg_and_is_journaled_as_the_apps() {
    let plan = click_to_call();
    let both = || vec![advisor(Some("Connected")), seeker(Some("Connected"))];
    let request = json!({"Type": "CallUpdateRequest", "Parameters": {"Arguments": {"action": "hangup"}}});
    let requested = step(&event("CALL_UPDATE_REQUESTED", Some(request), both(), attrs(&plan)), B_START + 90_000);
    assert_eq!(kinds(&requested), vec![FactKind::HangUpRequested]);
    let legs: Vec<String> = requested
        .answer
        .actions
        .iter()
        .map(|a| match a {
            Action::Hangup(h) => h.call_id.clone().unwrap(),
            other => panic!("a Hangup expected, got {other:?}"),
        })
        .collect();
    assert_eq!(legs, vec![SEEKER_LEG, ADVISOR_LEG]);
    let held = requested.answer.transaction_attributes.clone().expect("attributes");
    assert_eq!(held.get(keys::ENDED_BY).map(String::as_str), Some("app"));
    assert_eq!(CallPlan::from_attributes(&held), Ok(plan.clone()));

    let seeker_ended = step(
        &event(
            "HANGUP",
            Some(hangup_data(SEEKER_LEG, "LEG-B", 0)),
            vec![advisor(Some("Connected")), seeker(Some("Disconnected"))],
            Some(held.clone()),
        ),
        B_START + 90_400,
    );
    assert_eq!(
        kinds(&seeker_ended),
        vec![FactKind::HungUp { leg: ParticipantTag::LegB, by: HungUpBy::App, duration_ms: Some(90_400) }]
    );
    let advisor_ended = step(
        &event(
            "HANGUP",
            Some(hangup_data(ADVISOR_LEG, "LEG-A", 0)),
            vec![advisor(Some("Disconnected")), seeker(Some("Disconnected"))],
            Some(held),
        ),
        B_START + 90_600,
    );
    assert!(advisor_ended.facts.is_empty());
}

#[test]
fn an_update_that_is_not_a_hang_up_changes_nothing() {
    let plan = click_to_call();
    let request = json!({"Type": "CallUpdateRequest", "Parameters": {"Arguments": {"JoinToken": "abc123"}}});
    let other =
        step(&event("CALL_UPDATE_REQUESTED", Some(request), vec![advisor(Some("Connected"))], attrs(&plan)), A_START);
    assert!(other.facts.is_empty());
    assert!(other.answer.actions.is_empty());
    assert_eq!(other.answer.transaction_attributes, None);
}

#[test]
fn the_meeting_dial_in_joins_the_seeker_to_the_interviews_meeting() {
    let plan = dial_in();
    let seeker_leg = |status| leg("leg-a-seeker", "LEG-A", SEEKER, A_START, status);
    assert_eq!(
        kinds(&step(&event("RINGING", None, vec![seeker_leg(None)], attrs(&plan)), A_START)),
        vec![FactKind::Ringing { party: Party::Seeker }]
    );
    let answered =
        step(&event("CALL_ANSWERED", None, vec![seeker_leg(Some("Connected"))], attrs(&plan)), A_START + 5_000);
    assert_eq!(kinds(&answered), vec![FactKind::Answered { party: Party::Seeker }]);
    let Action::JoinChimeMeeting(join) = only_action(&answered) else { panic!("a JoinChimeMeeting expected") };
    assert_eq!(join.join_token, "join-token-1");
    assert_eq!(join.meeting_id.as_deref(), Some("meeting-1"));
    assert_eq!(join.call_id.as_deref(), Some("leg-a-seeker"));
    let held = answered.answer.transaction_attributes.clone().expect("attributes");
    assert_eq!(held.get(keys::ANSWERED_AT_MS).map(String::as_str), Some((A_START + 5_000).to_string().as_str()));

    let joined = step(
        &event(
            "ACTION_SUCCESSFUL",
            Some(echoed(Action::JoinChimeMeeting(join.clone()))),
            vec![seeker_leg(Some("Connected"))],
            Some(held.clone()),
        ),
        A_START + 6_000,
    );
    assert_eq!(kinds(&joined), vec![FactKind::JoinedMeeting]);
    assert!(joined.facts[0].counts_as_contact());

    let ended = step(
        &event(
            "HANGUP",
            Some(hangup_data("leg-a-seeker", "LEG-A", 0)),
            vec![seeker_leg(Some("Disconnected"))],
            Some(held),
        ),
        A_START + 605_000,
    );
    assert_eq!(
        kinds(&ended),
        vec![FactKind::HungUp { leg: ParticipantTag::LegA, by: HungUpBy::Seeker, duration_ms: Some(600_000) }]
    );
    assert!(ended.answer.actions.is_empty());
}

#[test]
fn a_dial_in_that_cannot_join_is_journaled_failed_and_the_seeker_told() {
    let plan = dial_in();
    let seeker_leg = leg("leg-a-seeker", "LEG-A", SEEKER, A_START, Some("Connected"));
    let data = json!({"Type": "JoinChimeMeeting", "Parameters": {"JoinToken": "join-token-1", "CallId": "leg-a-seeker"},
        "Error": "ErrorJoiningMeeting: Error while joining meeting."});
    let failure = step(&event("ACTION_FAILED", Some(data), vec![seeker_leg.clone()], attrs(&plan)), A_START);
    assert_eq!(
        kinds(&failure),
        vec![FactKind::Failed { party: Some(Party::Seeker), reason: "ErrorJoiningMeeting".into() }]
    );
    assert_eq!(spoken(&failure), ("leg-a-seeker".to_owned(), say::CALL_FAILED.to_owned()));
    let unanswered =
        step(&event("HANGUP", Some(hangup_data("leg-a-seeker", "LEG-A", 480)), vec![], attrs(&plan)), A_START);
    assert_eq!(kinds(&unanswered), vec![FactKind::Unanswered { party: Party::Seeker }]);
}

/// What a store keeps: the first fact of each key.
fn journal(facts: impl IntoIterator<Item = Fact>) -> BTreeMap<String, Fact> {
    let mut kept = BTreeMap::new();
    for fact in facts {
        kept.entry(fact.key()).or_insert(fact);
    }
    kept
}

#[test]
fn duplicate_and_out_of_order_invocations_give_the_same_facts() {
    let events = both_answer_events();
    let in_order = journal(events.iter().flat_map(|(e, at)| step(e, *at).facts));
    assert_eq!(
        in_order.keys().cloned().collect::<BTreeSet<_>>(),
        ["tx-1#started", "tx-1#ringing_advisor", "tx-1#answered_advisor", "tx-1#bridged", "tx-1#hung_up_leg_b"]
            .into_iter()
            .map(String::from)
            .collect()
    );

    // Reversed, and every invocation delivered twice (the second a little later).
    let mut shuffled: Vec<(InvocationEvent, u64)> = events.iter().rev().cloned().collect();
    shuffled.extend(events.iter().map(|(e, at)| (e.clone(), at + 2_000)));
    let all: Vec<Fact> = shuffled.iter().flat_map(|(e, at)| step(e, *at).facts).collect();
    assert_eq!(journal(all.clone()).keys().collect::<Vec<_>>(), in_order.keys().collect::<Vec<_>>());
    // Same key, same fact, except the duration measured at a later delivery: the store keeps one.
    for fact in &all {
        let first = &in_order[&fact.key()];
        match (&fact.kind, &first.kind) {
            (FactKind::HungUp { leg, by, .. }, FactKind::HungUp { leg: l, by: b, .. }) => assert_eq!((leg, by), (l, b)),
            _ => assert_eq!(fact, first),
        }
    }
    // A duplicate delivered at the same time is the very same step.
    for (e, at) in &events {
        assert_eq!(step(e, *at), step(e, *at));
    }
}

#[test]
fn plans_round_trip_through_the_transaction_attributes_within_the_limits() {
    for plan in [click_to_call(), dial_in()] {
        let attributes = plan.to_attributes();
        assert_eq!(CallPlan::from_attributes(&attributes), Ok(plan.clone()));
        // With what the handler adds, still within the service's limit.
        assert!(attributes.len() + 2 <= MAX_TRANSACTION_ATTRIBUTES);
    }
    let mut bad = click_to_call().to_attributes();
    bad.insert(keys::SEEKER_NUMBER.into(), "06 11 22 33 44".into());
    assert_eq!(CallPlan::from_attributes(&bad), Err(PlanError::NotE164(keys::SEEKER_NUMBER)));
    let mut missing = dial_in().to_attributes();
    missing.remove(keys::JOIN_TOKEN);
    assert_eq!(CallPlan::from_attributes(&missing), Err(PlanError::Missing(keys::JOIN_TOKEN)));
    let mut unknown = dial_in().to_attributes();
    unknown.insert(keys::PLAN.into(), "conference".into());
    assert_eq!(CallPlan::from_attributes(&unknown), Err(PlanError::UnknownPlan("conference".into())));
    assert_eq!(CallPlan::from_attributes(&BTreeMap::new()), Err(PlanError::NoPlan));
}

#[test]
fn an_answered_call_without_a_plan_is_hung_up_and_journaled_failed() {
    let answered = step(&event("CALL_ANSWERED", None, vec![advisor(Some("Connected"))], None), A_START);
    assert_eq!(kinds(&answered), vec![FactKind::Failed { party: None, reason: "no_plan".into() }]);
    assert_eq!(answered.facts[0].call, None);
    assert_eq!(hung_up_leg(&answered), ADVISOR_LEG);
}

#[test]
fn an_invalid_answer_ends_the_call() {
    let plan = click_to_call();
    let mut invalid = event(
        "INVALID_LAMBDA_RESPONSE",
        None,
        vec![advisor(Some("Connected")), seeker(Some("Connected"))],
        attrs(&plan),
    );
    invalid.error_type = Some("TransactionAttributesInvalidMapSize".into());
    let ended = step(&invalid, B_START);
    assert_eq!(
        kinds(&ended),
        vec![FactKind::Failed { party: None, reason: "TransactionAttributesInvalidMapSize".into() }]
    );
    assert_eq!(ended.answer.actions.len(), 2);
}

#[test]
fn a_call_to_the_agency_number_is_told_it_receives_no_calls_then_hung_up() {
    let caller = json!({"CallId": "in-1", "ParticipantTag": "LEG-A", "To": AGENCY, "From": SEEKER, "Direction": "Inbound",
        "StartTimeInMilliseconds": "1", "Status": "Connected"});
    let inbound = step(&event("NEW_INBOUND_CALL", None, vec![caller.clone()], None), A_START);
    assert_eq!(spoken(&inbound), ("in-1".to_owned(), say::INBOUND.to_owned()));
    assert!(inbound.facts.is_empty());
    let told = step(&event("ACTION_SUCCESSFUL", Some(speak_echo("in-1", say::INBOUND)), vec![caller], None), A_START);
    assert_eq!(hung_up_leg(&told), "in-1");
}

#[test]
fn informational_and_unknown_events_do_nothing() {
    let plan = click_to_call();
    for kind in ["ACTION_INTERRUPTED", "DIGITS_RECEIVED", "A_FUTURE_EVENT"] {
        let nothing = step(&event(kind, None, vec![advisor(Some("Connected"))], attrs(&plan)), A_START);
        assert!(nothing.facts.is_empty(), "{kind}");
        assert_eq!(nothing.answer, Answer::empty(), "{kind}");
    }
}

#[test]
fn the_french_words_fit_the_speak_limit_and_name_nobody() {
    for text in [say::DIALLING_SEEKER, say::SEEKER_UNANSWERED, say::SEEKER_BUSY, say::CALL_FAILED, say::INBOUND] {
        assert!(text.chars().count() <= 1_000);
        assert!(!text.chars().any(|c| c.is_ascii_digit()), "no number spoken: {text}");
    }
}
