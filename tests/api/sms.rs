//! SMS (issue 16 item 7): the opt-in and its refusals, the day-before reminder sent once by SMS
//! and never in the quiet hours (across both daylight-saving changes), a convocation's
//! notice, the missed-call SMS (`store::sms::queue_missed_call_sms`, which the call handler
//! calls, called here directly against the stack's table), and a number on the operator's
//! opt-out list. The SMS are read from moto (the local SNS) through `/_local/sms`.
//!
//! Reminder runs are fired at chosen times; the deferred SMS of one test are released only by
//! a run covering their hour, so the tests that assert "not yet" use dates no other test runs
//! the reminders at, or hold `exclusive_load` (the reminders week test holds it too).

use chrono::{DateTime, Duration, Utc};
use integration_tests::{
    assert_error, attr_text, next_last_sunday, paris_on, poll_until, regions, registration_body, stored_instant,
    unique, Api, Person, PrivateGateway, Table, SMS_PAUSE, SMS_TRIES,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const AGENCY: &str = "+33123456789";

async fn me(api: &Api, seeker: &Person) -> Value {
    let (status, profile) = api.get("/seekers/me", seeker).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    profile
}

async fn patch_me(api: &Api, seeker: &Person, body: Value) -> (StatusCode, Value) {
    api.call(Method::PATCH, "/seekers/me", Some(seeker), Some(body)).await
}

/// A seeker of `advisor_id` who asked for SMS on their own mobile; returns them, their id and number.
async fn opted_in_seeker(api: &Api, admin: &Person, advisor_id: &str) -> (Person, String, String) {
    let (seeker, seeker_id) = api.seeker_of(admin, advisor_id, regions::SHARED).await;
    let (status, profile) = patch_me(api, &seeker, json!({"smsOptIn": true})).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["smsOptIn"], true);
    let number = profile["phone"].as_str().expect("a phone").to_owned();
    (seeker, seeker_id, number)
}

/// A mobile number of this test alone (`06` and eight digits).
fn own_mobile(last_two: &str) -> String {
    let sub = unique("mobile");
    let digits: u64 = sub.bytes().fold(11u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b))) % 1_000_000;
    format!("+336{digits:06}{last_two}")
}

/// Fires the reminders run at `time`.
async fn run_at(api: &Api, time: DateTime<Utc>) -> Value {
    api.run_schedule("reminders", time).await
}

async fn sms_journal(table: &Table, seeker_id: &str, kind: &str) -> Vec<String> {
    table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .iter()
        .filter(|item| attr_text(item, "kind") == Some(kind))
        .filter_map(|item| item.get("details").and_then(|d| d.as_m().ok()).cloned())
        .filter_map(|details| details.get("template").and_then(|t| t.as_s().ok()).cloned())
        .collect()
}

#[tokio::test]
async fn the_day_before_reminder_goes_by_sms_once_to_an_opted_in_seeker_and_to_no_one_else() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_opted_in, opted_in_id, number) = opted_in_seeker(&api, &admin, &advisor_id).await;
    let (other, other_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    let other_number = me(&api, &other).await["phone"].as_str().expect("a phone").to_owned();
    assert_eq!(me(&api, &other).await["smsOptIn"], false);
    // A Tuesday 10:15 in Paris, of this test alone: the day-before reminder is due at 10:15 on Monday.
    let start = paris_on(next_last_sunday(3, 30) + Duration::days(16), 10, 15);
    api.convoke(&advisor, &opted_in_id, start, "phone").await;
    api.convoke(&advisor, &other_id, start + Duration::hours(1), "phone").await;

    let due = start - Duration::days(1);
    run_at(&api, due + Duration::hours(1)).await;
    run_at(&api, due + Duration::hours(1)).await; // a duplicate run sends nothing more
    let reminders = api.settled_sms(&number, "Rappel", 1).await;
    let day = start.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m");
    assert_eq!(
        reminders,
        vec![format!(
            "Rappel : entretien le mardi {day} à 10h15 par téléphone. Votre conseiller vous appellera. \
             Détails dans l'application."
        )],
        "one SMS: the day, the time, the channel and who calls; no name, no place"
    );
    assert!(api.sms_to(&other_number).await.is_empty(), "no SMS without the opt-in");
    let table = Table::connect().await;
    let journaled = sms_journal(&table, &opted_in_id, "sms_sent").await;
    assert_eq!(journaled.iter().filter(|t| *t == "day_before_reminder").count(), 1, "{journaled:?}");
}

#[tokio::test]
async fn sms_opt_in_needs_a_french_mobile_and_a_refusal_changes_nothing() {
    let api = Api::new();
    // Registration: no phone, a landline, a foreign mobile are refused and nothing is created.
    for (phone, code) in [
        (None, "phone_required"),
        (Some("01 23 45 67 89"), "invalid_mobile_phone"),
        (Some("+44 7700 900123"), "invalid_mobile_phone"),
    ] {
        let person = api.sign_in(&unique("seeker"), &[]).await;
        let mut body = registration_body(&person.sub, regions::SHARED);
        body["smsOptIn"] = json!(true);
        body["phone"] = json!(phone);
        let (status, refused) = api.post("/seekers", &person, body).await;
        assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some(code));
        let (status, _) = api.get("/seekers/me", &person).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{phone:?}: not registered");
    }
    // Its twin: a mobile in the national form is stored in E.164 with the opt-in.
    let person = api.sign_in(&unique("seeker"), &[]).await;
    let mut body = registration_body(&person.sub, regions::SHARED);
    body["smsOptIn"] = json!(true);
    body["phone"] = json!("07 12 34 56 78");
    let (status, registered) = api.post("/seekers", &person, body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let profile = me(&api, &person).await;
    assert_eq!((profile["phone"].as_str(), profile["smsOptIn"].as_bool()), (Some("+33712345678"), Some(true)));
    assert_eq!(profile["smsOperatorOptedOut"], false);

    // PATCH: a landline for an opted-in seeker, or the opt-in on a landline: 422, nothing changed.
    let (seeker, _) = api.register_seeker(regions::SHARED).await;
    let before = me(&api, &seeker).await;
    for body in
        [json!({"smsOptIn": true, "phone": "01 23 45 67 89"}), json!({"smsOptIn": true, "phone": "+44 7700 900123"})]
    {
        let (status, refused) = patch_me(&api, &seeker, body).await;
        assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_mobile_phone"));
        assert_eq!(me(&api, &seeker).await, before, "nothing changed");
    }
    let (status, refused) = patch_me(&api, &seeker, json!({"smsOptIn": true, "phone": null})).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("phone_required"));
    assert_eq!(me(&api, &seeker).await, before, "nothing changed");
    let (status, opted) = patch_me(&api, &seeker, json!({"smsOptIn": true, "phone": "06 98 76 54 32"})).await;
    assert_eq!(status, StatusCode::OK, "{opted}");
    assert_eq!((opted["phone"].as_str(), opted["smsOptIn"].as_bool()), (Some("+33698765432"), Some(true)));
    let (status, refused) = patch_me(&api, &seeker, json!({"phone": "01 23 45 67 89"})).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_mobile_phone"));
    assert_eq!(me(&api, &seeker).await["phone"], "+33698765432");
    // Removing the phone withdraws the opt-in; withdrawing it keeps the phone.
    let (status, withdrawn) = patch_me(&api, &seeker, json!({"smsOptIn": false})).await;
    assert_eq!(
        (status, withdrawn["smsOptIn"].as_bool(), withdrawn["phone"].as_str()),
        (StatusCode::OK, Some(false), Some("+33698765432"))
    );
    patch_me(&api, &seeker, json!({"smsOptIn": true})).await;
    let (status, removed) = patch_me(&api, &seeker, json!({"phone": null})).await;
    assert_eq!(
        (status, removed["smsOptIn"].as_bool(), removed["phone"].is_null()),
        (StatusCode::OK, Some(false), true)
    );
}

#[tokio::test]
async fn no_sms_in_the_quiet_hours_across_both_daylight_saving_changes_each_released_at_eight_once() {
    // Other tests run the reminders around the autumn change: held, so none releases ours early.
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    for month in [3, 10] {
        let sunday = next_last_sunday(month, 30);
        // Sunday 19:30: its day-before reminder is due on Saturday 19:30, before the quiet hours.
        let (_early, early_id, early_number) = opted_in_seeker(&api, &admin, &advisor_id).await;
        let early_start = paris_on(sunday, 19, 30);
        api.convoke(&advisor, &early_id, early_start, "video").await;
        // Sunday 21:00: due on Saturday 21:00 (still the old offset), deferred to Sunday 08:00 (the new one).
        let (_late, late_id, late_number) = opted_in_seeker(&api, &admin, &advisor_id).await;
        let late_start = paris_on(sunday, 21, 0);
        api.convoke(&advisor, &late_id, late_start, "video").await;
        let saturday = sunday - Duration::days(1);

        run_at(&api, paris_on(saturday, 19, 30)).await;
        assert_eq!(api.settled_sms(&early_number, "Rappel", 1).await.len(), 1, "sent at 19:30 ({month})");
        run_at(&api, paris_on(saturday, 21, 0)).await;
        assert!(api.settled_sms(&late_number, "Rappel", 0).await.is_empty(), "nothing at 21:00 ({month})");
        let deferred = Table::connect()
            .await
            .partition(&format!("SEEKER#{late_id}"))
            .await
            .into_iter()
            .find(|item| {
                attr_text(item, "sk").is_some_and(|sk| sk.starts_with("SMSDEFER#"))
                    && attr_text(item, "template") == Some("day_before_reminder")
            })
            .expect("the deferred SMS");
        let morning = paris_on(sunday, 8, 0);
        assert_eq!(attr_text(&deferred, "notBefore"), Some(integration_tests::stored_instant(morning).as_str()));
        assert!(!deferred.contains_key("to"), "a deferred SMS keeps no number");

        run_at(&api, morning - Duration::minutes(15)).await;
        assert!(api.settled_sms(&late_number, "Rappel", 0).await.is_empty(), "nothing at 07:45 ({month})");
        let (first, second) = tokio::join!(run_at(&api, morning), run_at(&api, morning));
        // Two runs at once (the table may hold other deferred SMS of that hour: counted, not asserted).
        let released = first["smsReleased"].as_u64().unwrap_or(0) + second["smsReleased"].as_u64().unwrap_or(0);
        assert!(released >= 1, "{first} {second}");
        run_at(&api, morning + Duration::minutes(15)).await;
        let sent = api.settled_sms(&late_number, "Rappel", 1).await;
        assert_eq!(sent.len(), 1, "released once at 08:00 ({month}): {sent:?}");
        assert!(sent[0].contains("à 21h00 en visio"), "{}", sent[0]);
        assert_eq!(api.sms_to(&early_number).await.iter().filter(|t| t.starts_with("Rappel")).count(), 1);
    }
}

#[tokio::test]
async fn a_convocation_is_announced_by_sms_pointing_to_the_email_and_the_app() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_seeker, seeker_id, number) = opted_in_seeker(&api, &admin, &advisor_id).await;
    let start = paris_on(next_last_sunday(3, 30) + Duration::days(9), 14, 30);
    api.convoke(&advisor, &seeker_id, start, "in_person").await;
    // Made now: sent now, or (in the quiet hours) deferred, then released by the run at its time.
    let table = Table::connect().await;
    let read = || async {
        table.partition(&format!("SEEKER#{seeker_id}")).await.into_iter().find(|item| {
            attr_text(item, "template") == Some("convocation_notice")
                && attr_text(item, "status").is_some_and(|s| s == "sent" || s == "deferred")
        })
    };
    let item = poll_until(SMS_TRIES, SMS_PAUSE, read, Option::is_some).await.expect("the notice");
    if attr_text(&item, "status") == Some("deferred") {
        let not_before = integration_tests::parse_instant(attr_text(&item, "notBefore").expect("notBefore"));
        run_at(&api, not_before).await;
    }
    let notices = api.settled_sms(&number, "Convocation", 1).await;
    let day = start.with_timezone(&chrono_tz::Europe::Paris).format("%d/%m");
    assert_eq!(
        notices,
        vec![format!(
            "Convocation : entretien obligatoire le mardi {day} à 14h30 en agence. Détails dans votre e-mail et dans l'application."
        )],
        "no place, no name"
    );
}

#[tokio::test]
async fn a_missed_call_sends_one_sms_with_the_agency_number_and_none_at_night_until_eight() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_seeker, seeker_id, number) = opted_in_seeker(&api, &admin, &advisor_id).await;
    let table = Table::connect().await;
    let store = store::Store::new(table.client.clone(), table.name.clone());
    let agency = domain::Phone::parse(AGENCY).expect("the agency's number");
    // A Wednesday of this test alone.
    let day = next_last_sunday(3, 30) + Duration::days(24);
    let call = unique("call");
    let at_ten = paris_on(day, 10, 0);
    let first =
        store::sms::queue_missed_call_sms(&store, &seeker_id, &call, Some(&agency), at_ten).await.expect("written");
    assert!(first.is_some());
    let again =
        store::sms::queue_missed_call_sms(&store, &seeker_id, &call, Some(&agency), at_ten).await.expect("read");
    assert_eq!(again, None, "one call, one SMS");
    let sent = api.settled_sms(&number, "Votre conseiller", 1).await;
    assert_eq!(
        sent,
        vec!["Votre conseiller a essayé de vous joindre. Rappelez l'agence au 01 23 45 67 89 ou écrivez-lui dans l'application.".to_owned()]
    );
    assert_eq!(sms_journal(&table, &seeker_id, "sms_sent").await, vec!["missed_call".to_owned()]);

    // At 20:30: deferred to 08:00 the next morning, and still once.
    let night_call = unique("call");
    let at_night = paris_on(day, 20, 30);
    store::sms::queue_missed_call_sms(&store, &seeker_id, &night_call, Some(&agency), at_night).await.expect("written");
    assert!(store::sms::queue_missed_call_sms(&store, &seeker_id, &night_call, Some(&agency), at_night)
        .await
        .expect("read")
        .is_none());
    assert_eq!(api.settled_sms(&number, "Votre conseiller", 1).await.len(), 1, "nothing at night");
    run_at(&api, paris_on(day + Duration::days(1), 8, 0)).await;
    assert_eq!(api.settled_sms(&number, "Votre conseiller", 2).await.len(), 2, "sent at 08:00");
    // Queued again after its release: still one.
    assert!(store::sms::queue_missed_call_sms(&store, &seeker_id, &night_call, Some(&agency), at_night)
        .await
        .expect("read")
        .is_none());
    run_at(&api, paris_on(day + Duration::days(1), 8, 15)).await;
    assert_eq!(api.settled_sms(&number, "Votre conseiller", 2).await.len(), 2);
}

#[tokio::test]
async fn a_number_on_the_operator_opt_out_list_gets_no_sms_and_the_profile_says_so() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    // moto's SNS lists every number ending in 99 as opted out.
    let number = own_mobile("99");
    let (status, profile) = patch_me(&api, &seeker, json!({"smsOptIn": true, "phone": number})).await;
    assert_eq!((status, profile["smsOperatorOptedOut"].as_bool()), (StatusCode::OK, Some(false)), "{profile}");
    let table = Table::connect().await;
    let store = store::Store::new(table.client.clone(), table.name.clone());
    let at_ten = paris_on(next_last_sunday(3, 30) + Duration::days(25), 10, 0);
    store::sms::queue_missed_call_sms(&store, &seeker_id, &unique("call"), None, at_ten).await.expect("written");

    let read = || async { me(&api, &seeker).await };
    let profile = poll_until(SMS_TRIES, SMS_PAUSE, read, |p| p["smsOperatorOptedOut"] == true).await;
    assert_eq!(profile["smsOperatorOptedOut"], true, "{profile}");
    assert!(api.sms_to(&number).await.is_empty(), "nothing published to an opted-out number");
    assert_eq!(sms_journal(&table, &seeker_id, "sms_not_sent").await, vec!["missed_call".to_owned()]);
    // The profile's flag stops the next SMS before SNS; giving the opt-in again clears it.
    assert!(store::sms::queue_missed_call_sms(&store, &seeker_id, &unique("call"), None, at_ten)
        .await
        .expect("read")
        .is_none());
    let (_, again) = patch_me(&api, &seeker, json!({"smsOptIn": true})).await;
    assert_eq!(again["smsOperatorOptedOut"], false);
}

/// The outbox's guarantee holds for SMS as for emails: an SMS whose send was interrupted (its
/// stream record dead-lettered while SNS was down, or its invocation died after the claim) is
/// sent once by the email sweep, however many runs overlap; its twin being sent right now
/// (live lease) is left to its sender; one unsent for a day is failed for good
/// (`undeliverable`, `sms_not_sent`), nothing sent. None keeps its number once done.
#[tokio::test]
async fn the_sweep_sends_an_interrupted_sms_once_leaves_one_being_sent_alone_and_fails_one_a_day_old() {
    let stack = PrivateGateway::start("sms-sweep").await;
    let (api, table) = (stack.api(), &stack.table);
    let now = Utc::now();
    let seeker_id = ulid::Ulid::new().to_string();
    let (interrupted_to, in_progress_to, old_to) = (own_mobile("01"), own_mobile("02"), own_mobile("03"));
    let lease_passed = now - Duration::minutes(9);
    let interrupted =
        table.put_interrupted_sms(&interrupted_to, &seeker_id, now - Duration::minutes(10), lease_passed).await;
    // A lease far ahead, so that however slow this machine, it is still running when the runs come.
    let lease = now + Duration::minutes(30);
    let in_progress = table.put_interrupted_sms(&in_progress_to, &seeker_id, now - Duration::minutes(10), lease).await;
    let old = table.put_interrupted_sms(&old_to, &seeker_id, now - Duration::hours(25), lease_passed).await;

    let (first, second) = tokio::join!(api.run_schedule("email-sweep", now), api.run_schedule("email-sweep", now));
    let total = |field: &str| first[field].as_u64().unwrap_or(0) + second[field].as_u64().unwrap_or(0);
    assert_eq!(total("sent"), 1, "the interrupted sms sent by one run: {first} {second}");
    assert_eq!(total("failed"), 1, "the day-old sms failed by one run: {first} {second}");
    assert_eq!(total("retried"), 0, "{first} {second}");

    assert_eq!(api.settled_sms(&interrupted_to, "Votre conseiller", 1).await.len(), 1, "sent once");
    let stored = table.item(&interrupted.pk, &interrupted.sk).await.expect("the interrupted sms");
    assert_eq!(attr_text(&stored, "status"), Some("sent"));
    assert!(attr_text(&stored, "snsMessageId").is_some());
    for gone in ["to", "text", "claimedUntil", "gsi1pk", "gsi1sk"] {
        assert!(!stored.contains_key(gone), "a sent sms keeps no {gone}");
    }

    let stored = table.item(&old.pk, &old.sk).await.expect("the day-old sms");
    assert_eq!(attr_text(&stored, "status"), Some("failed"));
    assert_eq!(attr_text(&stored, "failureCode"), Some("undeliverable"));
    for gone in ["to", "text", "claimedUntil", "gsi1pk", "gsi1sk"] {
        assert!(!stored.contains_key(gone), "a failed sms keeps no {gone}");
    }
    assert_eq!(sms_journal(table, &seeker_id, "sms_sent").await, vec!["missed_call".to_owned()]);
    assert_eq!(sms_journal(table, &seeker_id, "sms_not_sent").await, vec!["missed_call".to_owned()]);

    // The SMS being sent is untouched: same claim, still in the index, nothing from the sweep.
    let stored = table.item(&in_progress.pk, &in_progress.sk).await.expect("the sms being sent");
    assert_eq!(attr_text(&stored, "status"), Some("sending"));
    assert_eq!(attr_text(&stored, "claimedUntil"), Some(stored_instant(lease).as_str()));
    assert_eq!(attr_text(&stored, "gsi1pk"), in_progress.gsi1pk.as_deref());

    // A later run finds only the SMS being sent, and leaves it again; nothing goes twice.
    let later = api.run_schedule("email-sweep", Utc::now()).await;
    assert_eq!(
        (later["sent"].as_u64(), later["failed"].as_u64(), later["busy"].as_u64()),
        (Some(0), Some(0), Some(1)),
        "{later}"
    );
    assert_eq!(api.sms_to(&interrupted_to).await.len(), 1, "sent once");
    assert!(api.sms_to(&in_progress_to).await.is_empty(), "the sms being sent is its sender's");
    assert!(api.sms_to(&old_to).await.is_empty(), "a day late: not sent at all");
}

/// The stream record of an SMS as it was inserted (`pending`, no claim), as a retry delivers it.
fn sms_insert_event(
    stored: &store::sms::SmsRecord,
    sequence_number: &str,
) -> aws_lambda_events::event::dynamodb::Event {
    let inserted = store::sms::SmsRecord { status: "pending".into(), ..stored.clone() };
    let image: std::collections::HashMap<String, Value> = serde_json::from_value(
        serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(&inserted).expect("an item"))
            .expect("json"),
    )
    .expect("an image");
    serde_json::from_value(json!({"Records": [{
        "eventID": sequence_number, "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
        "dynamodb": {"ApproximateCreationDateTime": 1.7e9, "Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                     "SequenceNumber": sequence_number, "SizeBytes": 100, "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": "arn:aws:dynamodb:eu-west-3:000000000000:table/suivi/stream/x"
    }]}))
    .expect("a stream event")
}

/// On the stream, as for an email: the retry of an invocation that timed out after claiming an
/// SMS takes the claim over and sends it once; its twin under a live claim (an invocation
/// sending right now) is reported for retry, not dropped as done, and nothing is sent. Written
/// seconds ago, inside the sweep's grace, so the stack's scheduled sweep leaves both alone.
#[tokio::test]
async fn a_stream_retry_takes_over_an_expired_sms_claim_and_reports_a_live_one_for_retry() {
    let api = Api::new();
    let table = Table::connect().await;
    let now = Utc::now();
    let seeker_id = ulid::Ulid::new().to_string();
    let (timed_out_to, live_to) = (own_mobile("04"), own_mobile("05"));
    let written = now - Duration::seconds(12);
    let timed_out = table.put_interrupted_sms(&timed_out_to, &seeker_id, written, now - Duration::seconds(1)).await;
    let live = table.put_interrupted_sms(&live_to, &seeker_id, written, now + Duration::minutes(30)).await;
    let app = email_dispatch::App::from_env().await.expect("the dispatch function's environment");
    let deadline = Utc::now() + Duration::seconds(10);

    let retried = email_dispatch::handle(&app, sms_insert_event(&timed_out, "400"), deadline).await.expect("handled");
    assert!(retried.batch_item_failures.is_empty(), "the expired claim is taken over and the sms sent");
    assert_eq!(api.settled_sms(&timed_out_to, "Votre conseiller", 1).await.len(), 1, "sent once");
    let stored = table.item(&timed_out.pk, &timed_out.sk).await.expect("the sms");
    assert_eq!(attr_text(&stored, "status"), Some("sent"));

    let refused = email_dispatch::handle(&app, sms_insert_event(&live, "401"), deadline).await.expect("handled");
    assert_eq!(refused.batch_item_failures.len(), 1, "a live claim is reported for retry, not skipped");
    let stored = table.item(&live.pk, &live.sk).await.expect("the sms being sent");
    assert_eq!(attr_text(&stored, "status"), Some("sending"));
    assert!(stored.contains_key("gsi1pk"), "still in the open-outbox index, for the sweep");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await; // let any stray send arrive
    assert!(api.sms_to(&live_to).await.is_empty(), "nothing sent under another's live claim");
}

/// An SNS that never answers holds neither the claim nor the invocation: the SMS's invocation
/// ends before its deadline with the record reported for retry and the claim given back
/// (nothing was published); its working twin, the retry once SNS answers, sends it once.
#[tokio::test]
async fn an_sns_that_never_answers_ends_the_invocation_in_time_and_the_retry_sends_once() {
    let api = Api::new();
    let table = Table::connect().await;
    let now = Utc::now();
    let seeker_id = ulid::Ulid::new().to_string();
    let to = own_mobile("06");
    // Claimed by an invocation that timed out a second ago; written seconds ago, inside the
    // sweep's grace, so the stack's scheduled sweep leaves it alone.
    let stranded =
        table.put_interrupted_sms(&to, &seeker_id, now - Duration::seconds(12), now - Duration::seconds(1)).await;
    let working = email_dispatch::App::from_env().await.expect("the dispatch function's environment");
    let sdk = aws_config::load_from_env().await;
    let hanging = email_dispatch::App {
        sns: email_dispatch::sns::Sns::at_endpoint(&sdk, &integration_tests::silent_endpoint().await),
        ..working
    };
    let deadline = Utc::now() + Duration::seconds(6);

    let started = std::time::Instant::now();
    let handled = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        email_dispatch::handle(&hanging, sms_insert_event(&stranded, "500"), deadline),
    )
    .await
    .expect("the invocation ends by itself, not at Lambda's timeout")
    .expect("handled");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(6),
        "ended before its deadline: {:?}",
        started.elapsed()
    );
    assert_eq!(handled.batch_item_failures.len(), 1, "reported for retry");
    let stored = table.item(&stranded.pk, &stranded.sk).await.expect("the sms");
    assert_eq!(attr_text(&stored, "status"), Some("pending"), "the claim is given back");

    let working = email_dispatch::App::from_env().await.expect("the dispatch function's environment");
    let retried =
        email_dispatch::handle(&working, sms_insert_event(&stranded, "501"), Utc::now() + Duration::seconds(10))
            .await
            .expect("handled");
    assert!(retried.batch_item_failures.is_empty(), "sent on the retry");
    assert_eq!(api.settled_sms(&to, "Votre conseiller", 1).await.len(), 1, "sent once");
}
