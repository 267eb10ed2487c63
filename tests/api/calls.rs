//! Phone calls end to end (issue 16): the click-to-call routes, through the real Chime SDK Voice
//! client, against the local PSTN audio emulator, which invokes the real SIP media application
//! handler; the simulated phones are driven with the gateway's `/_local/phones` routes, and what
//! the handler journaled is read from the seeker's journal.

use std::time::Duration;

use chrono::Utc;
use integration_tests::ws::Ws;
use integration_tests::{assert_error, attr_text, paris_at, poll_until, regions, unique, Api, Person, Table};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The agency's number of the local stack (infra/local/lib.sh, AGENCY_PHONE_NUMBER).
fn agency_number() -> String {
    std::env::var("AGENCY_PHONE_NUMBER").unwrap_or_else(|_| "+33123456789".into())
}

/// What the handler says to the advisor (pstn_audio::flow::say).
const DIALLING_SEEKER: &str = "Nous appelons la personne, restez en ligne.";
const SEEKER_UNANSWERED: &str = "La personne ne répond pas. Votre appel est noté dans son suivi. Au revoir.";

/// A French landline number of its own for each advisor (`+331` and 8 digits).
fn work_phone(seed: &str) -> String {
    let digits: u64 = seed.bytes().fold(11u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b))) % 100_000_000;
    format!("+331{digits:08}")
}

/// An advisor with a work phone (or without, `phone: None`), their id and number.
async fn advisor(api: &Api, admin: &Person, with_phone: bool) -> (Person, String, Option<String>) {
    let sub = unique("advisor");
    let phone = with_phone.then(|| work_phone(&sub));
    let mut body = json!({
        "sub": sub, "firstName": "Paul", "lastName": "Appel", "email": format!("{sub}@example.fr"),
        "region": regions::SHARED, "modality": "web",
    });
    if let Some(phone) = &phone {
        // Typed the national way: stored in E.164.
        body["phone"] = json!(format!("0{}", &phone[3..]));
    }
    let (status, created) = api.post("/advisors", admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "advisor created: {created}");
    assert_eq!(created["phone"], json!(phone), "the work phone in E.164");
    let person = api.sign_in(&sub, &["advisors"]).await;
    (person, created["advisorId"].as_str().expect("advisorId").to_owned(), phone)
}

/// An advisor with a work phone, one seeker of theirs, and a phone interview that started 5
/// minutes ago.
struct Setup {
    api: Api,
    table: Table,
    admin: Person,
    advisor: Person,
    advisor_phone: String,
    seeker: Person,
    seeker_id: String,
    seeker_phone: String,
    interview_id: String,
}

impl Setup {
    async fn new() -> Setup {
        let api = Api::new();
        let table = Table::connect().await;
        let admin = api.admin().await;
        let (advisor, advisor_id, advisor_phone) = advisor(&api, &admin, true).await;
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        let interview_id = api.convoke(&advisor, &seeker_id, paris_at(5, 10, 0), "phone").await;
        table.move_interview_to_past(&interview_id, 5).await;
        let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.expect("the seeker's profile");
        let seeker_phone = attr_text(&profile, "phone").expect("the seeker's phone").to_owned();
        Setup {
            api,
            table,
            admin,
            advisor,
            advisor_phone: advisor_phone.expect("a work phone"),
            seeker,
            seeker_id,
            seeker_phone,
            interview_id,
        }
    }

    async fn call(&self) -> String {
        let (status, body) = self.start(&self.advisor).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["interviewId"], json!(self.interview_id));
        body["callId"].as_str().expect("callId").to_owned()
    }

    async fn start(&self, who: &Person) -> (StatusCode, Value) {
        self.api.post(&format!("/interviews/{}/call", self.interview_id), who, json!({})).await
    }

    /// The `call` entries of the seeker's journal about `call_id`: their `event`s, in order.
    async fn journal(&self, call_id: &str) -> Vec<Value> {
        let entries = self.api.all_items(&format!("/seekers/{}/journal", self.seeker_id), &self.advisor).await;
        let mut calls: Vec<Value> =
            entries.into_iter().filter(|e| e["kind"] == "call" && e["details"]["callId"] == call_id).collect();
        calls.sort_by_key(|e| e["entryId"].as_str().unwrap_or_default().to_owned());
        calls
    }

    async fn events(&self, call_id: &str) -> Vec<String> {
        self.journal(call_id)
            .await
            .iter()
            .map(|e| e["details"]["event"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits until the journal of `call_id` holds `event`; all its events then.
    async fn wait_for_event(&self, call_id: &str, event: &str) -> Vec<String> {
        let events =
            poll_until(100, Duration::from_millis(100), || self.events(call_id), |e| e.iter().any(|x| x == event))
                .await;
        assert!(events.iter().any(|x| x == event), "{event} journaled: {events:?}");
        events
    }

    async fn last_contact(&self) -> Value {
        let (status, seeker) = self.api.get(&format!("/seekers/{}", self.seeker_id), &self.advisor).await;
        assert_eq!(status, StatusCode::OK, "{seeker}");
        seeker["lastContactAt"].clone()
    }
}

/// What a simulated phone saw: its calls, oldest first.
async fn phone(api: &Api, number: &str) -> Vec<Value> {
    let (status, body) = api.call(Method::GET, &format!("/_local/phones/{number}"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["calls"].as_array().cloned().unwrap_or_default()
}

/// Waits for the phone's last call to be in `state`; that call.
async fn wait_phone(api: &Api, number: &str, state: &str) -> Value {
    let calls = poll_until(
        100,
        Duration::from_millis(100),
        || phone(api, number),
        |calls| calls.last().is_some_and(|c| c["state"] == state),
    )
    .await;
    let last = calls.last().cloned().unwrap_or(Value::Null);
    assert_eq!(last["state"], state, "the phone's last call: {calls:?}");
    last
}

/// The phone's user answers, refuses, is busy or hangs up.
async fn act(api: &Api, number: &str, action: &str) {
    let (status, body) = api.call(Method::POST, &format!("/_local/phones/{number}/{action}"), None, None).await;
    assert_eq!(status, StatusCode::OK, "{action} on {number}: {body}");
}

/// The `call` frames the advisor's connection receives until the call is `ended` (or nothing
/// comes for a while): their states.
async fn call_states(ws: &mut Ws) -> Vec<String> {
    let mut states = Vec::new();
    while let Some(frame) = ws.next_within(Duration::from_secs(5)).await {
        if frame["type"] == "call" {
            states.push(frame["state"].as_str().unwrap_or_default().to_owned());
            if frame["state"] == "ended" {
                break;
            }
        }
    }
    states
}

#[tokio::test]
async fn a_call_answered_by_both_is_bridged_with_the_agency_number_and_journaled_once_with_its_duration() {
    let s = Setup::new().await;
    let mut ws = Ws::connect(&s.advisor).await;
    assert_eq!(s.last_contact().await, Value::Null, "a new seeker has had no contact");
    let call_id = s.call().await;

    // The advisor's work phone rings first, showing the agency's number.
    let ringing = wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    assert_eq!(ringing["callerId"], json!(agency_number()));
    assert!(phone(&s.api, &s.seeker_phone).await.is_empty(), "the seeker is not dialled before the advisor answers");
    act(&s.api, &s.advisor_phone, "answer").await;

    // Then the seeker's, showing the agency's number too (never the advisor's).
    let seeker_ringing = wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    assert_eq!(seeker_ringing["callerId"], json!(agency_number()));
    let advisor_side = phone(&s.api, &s.advisor_phone).await;
    assert_eq!(advisor_side[0]["heard"], json!([DIALLING_SEEKER]), "the advisor is told, in French");
    act(&s.api, &s.seeker_phone, "answer").await;
    s.wait_for_event(&call_id, "bridged").await;
    let contact = s.last_contact().await;
    assert!(contact.is_string(), "an answered call is a contact: {contact}");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    act(&s.api, &s.seeker_phone, "hang-up").await;
    let events = s.wait_for_event(&call_id, "hung_up_leg_b").await;
    wait_phone(&s.api, &s.advisor_phone, "ended").await;
    assert_eq!(events, ["started", "ringing_advisor", "answered_advisor", "bridged", "hung_up_leg_b"]);
    let journal = s.journal(&call_id).await;
    let hung_up = &journal[4]["details"];
    assert_eq!(hung_up["by"], "seeker");
    assert_eq!(hung_up["interviewId"], json!(s.interview_id));
    assert!(hung_up["durationSeconds"].as_u64().is_some_and(|d| d >= 1), "the talk's duration: {hung_up}");
    assert_eq!(call_states(&mut ws).await, ["ringing", "ringing", "connected", "ended"], "the advisor's page follows");
}

#[tokio::test]
async fn duplicate_and_out_of_order_invocations_journal_each_fact_once() {
    let s = Setup::new().await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "answer").await;
    s.wait_for_event(&call_id, "bridged").await;
    act(&s.api, &s.advisor_phone, "hang-up").await;
    let events = s.wait_for_event(&call_id, "hung_up_leg_a").await;
    wait_phone(&s.api, &s.seeker_phone, "ended").await;
    let contact = s.last_contact().await;

    let item = s.table.item(&format!("CALL#{call_id}"), "CALL").await.expect("the call's item");
    let transaction_id = attr_text(&item, "transactionId").expect("its transaction id").to_owned();
    let path = format!("/_local/voice/calls/{transaction_id}/redeliver");
    for order in ["same", "reverse"] {
        let (status, body) = s.api.call(Method::POST, &path, None, Some(json!({"order": order}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["answers"].as_array().is_some_and(|a| a.len() >= 6), "every event delivered again: {body}");
    }
    assert_eq!(s.events(&call_id).await, events, "nothing journaled twice");
    assert_eq!(events, ["started", "ringing_advisor", "answered_advisor", "bridged", "hung_up_leg_a"]);
    assert_eq!(s.last_contact().await, contact, "the contact is not moved again");
}

#[tokio::test]
async fn a_seeker_who_does_not_answer_is_journaled_once_and_the_advisor_is_told() {
    let s = Setup::new().await;
    let (status, profile) =
        s.api.call(Method::PATCH, "/seekers/me", Some(&s.seeker), Some(json!({"smsOptIn": true}))).await;
    assert_eq!(status, StatusCode::OK, "the seeker asks for SMS: {profile}");
    let mut ws = Ws::connect(&s.advisor).await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "refuse").await;

    let advisor_side = wait_phone(&s.api, &s.advisor_phone, "ended").await;
    assert_eq!(advisor_side["heard"], json!([DIALLING_SEEKER, SEEKER_UNANSWERED]));
    assert_eq!(wait_phone(&s.api, &s.seeker_phone, "missed").await["callerId"], json!(agency_number()));
    let events = s.wait_for_event(&call_id, "unanswered_seeker").await;
    // The handler's own hang-up of the advisor journals nothing more.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.events(&call_id).await, events);
    assert_eq!(events, ["started", "ringing_advisor", "answered_advisor", "unanswered_seeker"]);
    assert_eq!(s.last_contact().await, Value::Null, "an unanswered call is no contact");
    let states = call_states(&mut ws).await;
    assert_eq!(states.last().map(String::as_str), Some("ended"), "{states:?}");

    // The missed-call SMS, written once with the fact: sent now by day, deferred to 08:00 Paris
    // in the quiet hours (the run's clock decides which; `sms::` tests both at fixed times).
    let pk = format!("SEEKER#{}", s.seeker_id);
    let sent = s.table.item(&pk, &format!("OUTBOX#SMS#MISSED-{call_id}")).await;
    let deferred = s.table.item(&pk, &format!("SMSDEFER#MISSED-{call_id}")).await;
    assert!(sent.is_some() != deferred.is_some(), "one missed-call SMS, sent or deferred");
    if sent.is_some() {
        let texts = s.api.settled_sms(&s.seeker_phone, "Votre conseiller a essayé de vous joindre", 1).await;
        assert_eq!(texts.len(), 1, "one SMS: {texts:?}");
        assert!(texts[0].contains("01 23 45 67 89"), "the agency's number to call back: {}", texts[0]);
    } else {
        assert!(s.api.sms_to(&s.seeker_phone).await.is_empty(), "nothing at night");
    }
}

#[tokio::test]
async fn an_advisor_who_does_not_answer_is_journaled_and_the_seeker_is_never_dialled() {
    let s = Setup::new().await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "refuse").await;
    let events = s.wait_for_event(&call_id, "unanswered_advisor").await;
    assert_eq!(events, ["started", "ringing_advisor", "unanswered_advisor"]);
    wait_phone(&s.api, &s.advisor_phone, "missed").await;
    assert!(phone(&s.api, &s.seeker_phone).await.is_empty(), "the seeker's phone never rang");
    assert_eq!(s.last_contact().await, Value::Null);
}

#[tokio::test]
async fn a_busy_seeker_is_journaled_as_busy() {
    let s = Setup::new().await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "busy").await;
    let events = s.wait_for_event(&call_id, "busy_seeker").await;
    wait_phone(&s.api, &s.advisor_phone, "ended").await;
    assert_eq!(events, ["started", "ringing_advisor", "answered_advisor", "busy_seeker"]);
}

#[tokio::test]
async fn the_advisor_hangs_up_from_the_app_and_nobody_else_can() {
    let s = Setup::new().await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "answer").await;
    s.wait_for_event(&call_id, "bridged").await;

    // Another advisor cannot hang it up: the call goes on.
    let (other, _, _) = advisor(&s.api, &s.admin, true).await;
    let path = format!("/calls/{call_id}");
    let (status, body) = s.api.call(Method::DELETE, &path, Some(&other), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    assert_eq!(phone(&s.api, &s.seeker_phone).await[0]["state"], "connected");

    let (status, body) = s.api.call(Method::DELETE, &path, Some(&s.advisor), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    wait_phone(&s.api, &s.seeker_phone, "ended").await;
    wait_phone(&s.api, &s.advisor_phone, "ended").await;
    let events = s.wait_for_event(&call_id, "hung_up_leg_b").await;
    assert_eq!(
        events,
        ["started", "ringing_advisor", "answered_advisor", "bridged", "hang_up_requested", "hung_up_leg_b"]
    );
    let journal = s.journal(&call_id).await;
    assert_eq!(journal[5]["details"]["by"], "app");
    assert_eq!(journal[4]["actor"]["role"], "advisor");
    // Hanging up a call that is over changes nothing.
    let (status, _) = s.api.call(Method::DELETE, &path, Some(&s.advisor), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// The seeker's `call` journal entries (others, e.g. `email_sent`, arrive on their own).
async fn call_entries(s: &Setup, who: &Person) -> usize {
    let journal = s.api.all_items(&format!("/seekers/{}/journal", s.seeker_id), who).await;
    journal.iter().filter(|e| e["kind"] == "call").count()
}

/// The journal's call entries and the advisor's phone calls: what a refused call must leave as it was.
async fn untouched(s: &Setup, advisor_phone: Option<&str>) -> (usize, usize) {
    let rang = match advisor_phone {
        Some(number) => phone(&s.api, number).await.len(),
        None => 0,
    };
    (call_entries(s, &s.advisor).await, rang)
}

/// Ends a call that was started for a twin test (its advisor refuses it).
async fn end_twin(s: &Setup, number: &str) {
    wait_phone(&s.api, number, "ringing").await;
    act(&s.api, number, "refuse").await;
}

#[tokio::test]
async fn another_advisors_seeker_cannot_be_called_and_nothing_is_written() {
    let s = Setup::new().await;
    let (other, _, other_phone) = advisor(&s.api, &s.admin, true).await;
    let other_phone = other_phone.expect("a work phone");
    let before = untouched(&s, Some(&other_phone)).await;
    let (status, body) = s.start(&other).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    let (status, body) = s.api.post(&format!("/seekers/{}/calls", s.seeker_id), &other, json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    assert_eq!(untouched(&s, Some(&other_phone)).await, before, "nothing journaled, nothing rang");

    // Their own advisor can, in and outside the interview.
    let (status, body) = s.api.post(&format!("/seekers/{}/calls", s.seeker_id), &s.advisor, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["interviewId"], Value::Null);
    end_twin(&s, &s.advisor_phone).await;
}

#[tokio::test]
async fn an_advisor_without_a_work_phone_is_refused_and_one_with_it_calls() {
    let s = Setup::new().await;
    let (without, without_id, _) = advisor(&s.api, &s.admin, false).await;
    let (status, moved) =
        s.api.post(&format!("/seekers/{}/reassign", s.seeker_id), &s.admin, json!({"advisorId": without_id})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let before = call_entries(&s, &without).await;
    let (status, body) = s.start(&without).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("no_advisor_phone"));
    let after = call_entries(&s, &without).await;
    assert_eq!(after, before, "nothing journaled");

    // Back with an advisor who has one: the same interview is called.
    let (status, _) = s
        .api
        .post(&format!("/seekers/{}/reassign", s.seeker_id), &s.admin, json!({"advisorId": advisor_id_of(&s).await}))
        .await;
    assert_eq!(status, StatusCode::OK);
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
}

async fn advisor_id_of(s: &Setup) -> String {
    let identity = s.table.item(&format!("IDENTITY#{}", s.advisor.sub), "IDENTITY").await.expect("identity");
    attr_text(&identity, "advisorId").expect("advisorId").to_owned()
}

#[tokio::test]
async fn an_interview_not_held_by_phone_is_refused_and_a_phone_one_is_called() {
    let s = Setup::new().await;
    let video = s.api.convoke(&s.advisor, &s.seeker_id, paris_at(6, 10, 0), "video").await;
    s.table.move_interview_to_past(&video, 5).await;
    let before = untouched(&s, Some(&s.advisor_phone)).await;
    let (status, body) = s.api.post(&format!("/interviews/{video}/call"), &s.advisor, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("not_phone"));
    assert_eq!(untouched(&s, Some(&s.advisor_phone)).await, before, "nothing journaled, nothing rang");
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
}

/// A seeker who took their number off their profile cannot be called (`no_seeker_phone`), in
/// the interview or outside it, and a cancelled interview is not called (`not_booked`); nothing
/// rings, nothing is journaled. Twins: once the number is back, the same interview is called;
/// a booked one beside the cancelled one is called.
#[tokio::test]
async fn a_seeker_without_a_number_or_a_cancelled_interview_is_refused_and_their_twins_are_called() {
    let s = Setup::new().await;
    let before = untouched(&s, Some(&s.advisor_phone)).await;
    let (status, body) = s.api.call(Method::PATCH, "/seekers/me", Some(&s.seeker), Some(json!({"phone": null}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.start(&s.advisor).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("no_seeker_phone"));
    let (status, body) = s.api.post(&format!("/seekers/{}/calls", s.seeker_id), &s.advisor, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("no_seeker_phone"));
    assert_eq!(untouched(&s, Some(&s.advisor_phone)).await, before, "nothing journaled, nothing rang");

    let (status, body) =
        s.api.call(Method::PATCH, "/seekers/me", Some(&s.seeker), Some(json!({"phone": s.seeker_phone.clone()}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;

    let cancelled = s.api.convoke(&s.advisor, &s.seeker_id, paris_at(7, 10, 0), "phone").await;
    let (status, body) = s
        .api
        .post(&format!("/interviews/{cancelled}/cancel"), &s.advisor, json!({"reason": "Empêchement du conseiller"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.table.move_interview_to_past(&cancelled, 5).await;
    let before = untouched(&s, Some(&s.advisor_phone)).await;
    let (status, body) = s.api.post(&format!("/interviews/{cancelled}/call"), &s.advisor, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("not_booked"));
    assert_eq!(untouched(&s, Some(&s.advisor_phone)).await, before, "nothing journaled, nothing rang");
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
}

/// Sets the advisor's count of calls placed this hour and the next (`RATE#` items of
/// `api::limits::calls`), so an hour boundary during the test changes nothing.
async fn set_calls_counted(s: &Setup, advisor_id: &str, count: usize) {
    let now = Utc::now();
    for hour in [now, now + chrono::Duration::hours(1)] {
        let window = hour.format("%Y-%m-%dT%H").to_string();
        let item = [
            ("pk", aws_sdk_dynamodb::types::AttributeValue::S(store::keys::rate_pk(advisor_id, "call", &window))),
            ("sk", aws_sdk_dynamodb::types::AttributeValue::S(store::keys::RATE_SK.to_owned())),
            ("count", aws_sdk_dynamodb::types::AttributeValue::N(count.to_string())),
            ("expiresAt", aws_sdk_dynamodb::types::AttributeValue::N((now.timestamp() + 3 * 3600).to_string())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        s.table.put(item).await;
    }
}

/// A loop of calls (each rings two phones and may text the seeker): an advisor who placed the
/// hour's `CALLS_PER_HOUR` calls gets 429 `too_many_calls` with `Retry-After` on every route that
/// places one, and nothing rings; refusals do not count. Twin: below the limit, the same call
/// is placed.
#[tokio::test]
async fn an_advisor_past_the_hours_calls_gets_429_and_nothing_rings_below_it_the_call_is_placed() {
    let s = Setup::new().await;
    let limit: usize = std::env::var("CALLS_PER_HOUR").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let advisor_id = advisor_id_of(&s).await;
    set_calls_counted(&s, &advisor_id, limit).await;
    let before = untouched(&s, Some(&s.advisor_phone)).await;
    let response = s
        .api
        .http
        .post(format!("{}/interviews/{}/call", s.api.base, s.interview_id))
        .bearer_auth(&s.advisor.token)
        .json(&json!({}))
        .send()
        .await
        .expect("gateway reachable");
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON error");
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, Some("too_many_calls"));
    for path in [format!("/seekers/{}/calls", s.seeker_id), format!("/interviews/{}/meeting/dial-in", s.interview_id)] {
        let (status, body) = s.api.post(&path, &s.advisor, json!({})).await;
        assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, Some("too_many_calls"));
    }
    assert_eq!(untouched(&s, Some(&s.advisor_phone)).await, before, "nothing journaled, nothing rang");

    set_calls_counted(&s, &advisor_id, limit - 1).await;
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
}

#[tokio::test]
async fn a_call_outside_the_interviews_window_is_refused_and_one_inside_is_placed() {
    let s = Setup::new().await;
    let before = untouched(&s, Some(&s.advisor_phone)).await;
    // 20 minutes before the start: the call opens 15 minutes before.
    s.table.move_interview_to(&s.interview_id, Utc::now() + chrono::Duration::minutes(20)).await;
    let (status, body) = s.start(&s.advisor).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("too_early"));
    // Ended 31 minutes ago: past the 30 minutes' overrun limit (the hard end).
    s.table.move_interview_to_past(&s.interview_id, 61).await;
    let (status, body) = s.start(&s.advisor).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("interview_over"));
    assert_eq!(untouched(&s, Some(&s.advisor_phone)).await, before, "nothing journaled, nothing rang");

    // 14 minutes before the start, and 20 minutes after its end: placed. (Not closer to the
    // hard end: the call sweeper's test ends calls 3 minutes ahead of now.)
    s.table.move_interview_to(&s.interview_id, Utc::now() + chrono::Duration::minutes(14)).await;
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
    s.table.move_interview_to_past(&s.interview_id, 50).await;
    s.call().await;
    end_twin(&s, &s.advisor_phone).await;
}

#[tokio::test]
async fn a_call_that_outlives_the_interviews_hard_end_is_hung_up_by_the_call_sweeper() {
    let s = Setup::new().await;
    // Started 58 minutes ago (30 minutes long): its hard end, 30 minutes after its end, is 2
    // minutes away.
    s.table.move_interview_to_past(&s.interview_id, 58).await;
    let call_id = s.call().await;
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "answer").await;
    s.wait_for_event(&call_id, "bridged").await;

    // Before the hard end, a run leaves the call alone.
    s.api.run_schedule("call-sweeper", Utc::now() + chrono::Duration::seconds(30)).await;
    let item = s.table.item(&format!("CALL#{call_id}"), "CALL").await.expect("the call's item");
    assert!(item.contains_key("gsi1pk"), "not due yet: still on the sweeper's index");
    assert_eq!(phone(&s.api, &s.seeker_phone).await[0]["state"], "connected", "still talking before the hard end");

    // After it, the call is hung up as from the app.
    s.api.run_schedule("call-sweeper", Utc::now() + chrono::Duration::minutes(3)).await;
    wait_phone(&s.api, &s.seeker_phone, "ended").await;
    wait_phone(&s.api, &s.advisor_phone, "ended").await;
    let events = s.wait_for_event(&call_id, "hung_up_leg_b").await;
    assert_eq!(
        events,
        ["started", "ringing_advisor", "answered_advisor", "bridged", "hang_up_requested", "hung_up_leg_b"]
    );
    assert_eq!(s.journal(&call_id).await[5]["details"]["by"], "app");
    let item = s.table.item(&format!("CALL#{call_id}"), "CALL").await.expect("the call's item");
    assert!(!item.contains_key("gsi1pk"), "done once: the call left the sweeper's index");
}

/// A call outside an interview has an end too: the call sweeper hangs it up an hour after it
/// was placed (a call left open, a forgotten line), and leaves it alone before.
#[tokio::test]
async fn a_call_outside_an_interview_is_hung_up_by_the_call_sweeper_after_an_hour() {
    let s = Setup::new().await;
    let (status, body) = s.api.post(&format!("/seekers/{}/calls", s.seeker_id), &s.advisor, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let call_id = body["callId"].as_str().expect("callId").to_owned();
    wait_phone(&s.api, &s.advisor_phone, "ringing").await;
    act(&s.api, &s.advisor_phone, "answer").await;
    wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    act(&s.api, &s.seeker_phone, "answer").await;
    s.wait_for_event(&call_id, "bridged").await;

    s.api.run_schedule("call-sweeper", Utc::now() + chrono::Duration::minutes(50)).await;
    assert_eq!(phone(&s.api, &s.seeker_phone).await[0]["state"], "connected", "still talking within the hour");

    s.api.run_schedule("call-sweeper", Utc::now() + chrono::Duration::minutes(65)).await;
    wait_phone(&s.api, &s.seeker_phone, "ended").await;
    let events = s.wait_for_event(&call_id, "hung_up_leg_b").await;
    assert!(events.iter().any(|e| e == "hang_up_requested"), "ended by the service: {events:?}");
}

#[tokio::test]
async fn video_that_fails_becomes_a_phone_leg_in_the_same_meeting_with_its_attendance_proof() {
    let s = Setup::new().await;
    let video = s.api.convoke(&s.advisor, &s.seeker_id, paris_at(6, 10, 0), "video").await;
    s.table.move_interview_to_past(&video, 5).await;
    let dial_in = format!("/interviews/{video}/meeting/dial-in");

    // Nobody is in the meeting yet: refused, nothing rings.
    let (status, body) = s.api.post(&dial_in, &s.advisor, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("no_meeting"));
    assert!(phone(&s.api, &s.seeker_phone).await.is_empty(), "the seeker's phone never rang");

    // The advisor is in the meeting; the seeker's video fails: the advisor dials them in.
    let (status, joined) = s.api.post(&format!("/interviews/{video}/meeting"), &s.advisor, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let meeting_id = joined["meeting"]["MeetingId"].as_str().expect("MeetingId").to_owned();
    let (status, body) = s.api.post(&dial_in, &s.advisor, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let call_id = body["callId"].as_str().expect("callId").to_owned();
    let ringing = wait_phone(&s.api, &s.seeker_phone, "ringing").await;
    assert_eq!(ringing["callerId"], json!(agency_number()));
    act(&s.api, &s.seeker_phone, "answer").await;

    let events = s.wait_for_event(&call_id, "joined_meeting").await;
    assert_eq!(events, ["started", "ringing_seeker", "answered_seeker", "joined_meeting"]);
    assert!(s.last_contact().await.is_string(), "the seeker joined the advisor's meeting: a contact");
    let phone_attendance = |event: &'static str| {
        let s = &s;
        let meeting_id = meeting_id.clone();
        async move {
            let entries = s.api.all_items(&format!("/seekers/{}/journal", s.seeker_id), &s.advisor).await;
            entries
                .into_iter()
                .filter(|e| {
                    e["kind"] == "attendance"
                        && e["details"]["meetingId"] == meeting_id.as_str()
                        && e["details"]["leg"] == "phone"
                        && e["details"]["event"] == event
                })
                .collect::<Vec<Value>>()
        }
    };
    let joined = phone_attendance("joined").await;
    assert_eq!(joined.len(), 1, "the attendance proof shows the phone leg joining");
    assert_eq!(joined[0]["details"]["participant"], "seeker");

    act(&s.api, &s.seeker_phone, "hang-up").await;
    s.wait_for_event(&call_id, "hung_up_leg_a").await;
    let left = poll_until(50, Duration::from_millis(100), || phone_attendance("left"), |l| !l.is_empty()).await;
    assert_eq!(left.len(), 1, "and leaving it");
}
