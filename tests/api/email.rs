//! The email outbox: a stream record delivered more than once sends one email; the email
//! sweep sends, records or fails for good what the stream left behind, and never touches an
//! email being sent.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event;
use integration_tests::{attr_text, poll_until, stored_instant, unique, Api, PrivateGateway, Table};
use serde_json::json;
use store::outbox::OutboxRecord;

#[tokio::test]
async fn a_record_delivered_twice_sends_one_email() {
    let api = Api::new();
    let table = Table::connect().await;
    let recipient = format!("{}@example.fr", unique("twice"));
    let outbox = OutboxRecord::new(welcome_params(), &recipient, None, chrono::Utc::now());
    let item = store::to_item(&outbox).unwrap();
    table.put(item).await;

    // The gateway's stream poller delivers it once; deliver the same record twice more, concurrently.
    let image: HashMap<String, serde_json::Value> = serde_json::from_value(
        serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(&outbox).unwrap()).unwrap(),
    )
    .unwrap();
    let event: Event = serde_json::from_value(json!({"Records": [{
        "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
        "dynamodb": {"ApproximateCreationDateTime": 1.7e9, "Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                     "SequenceNumber": "100", "SizeBytes": 100, "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": "arn:aws:dynamodb:eu-west-3:000000000000:table/suivi/stream/x"
    }]}))
    .unwrap();
    let app = email_dispatch::App::from_env().await.unwrap();
    let (first, second) = tokio::join!(
        email_dispatch::handle(&app, event.clone(), deadline()),
        email_dispatch::handle(&app, event.clone(), deadline())
    );
    for response in [first.unwrap(), second.unwrap()] {
        // A record another invocation is sending right now is reported for retry, never dropped.
        assert!(response.batch_item_failures.len() <= 1);
    }
    let emails = api.wait_for_emails(&recipient, 1).await;
    // Once the item is marked sent, a late redelivery is simply done.
    poll_until(
        100,
        Duration::from_millis(50),
        || table.item(&outbox.pk, &outbox.sk),
        |stored| stored.as_ref().and_then(|item| attr_text(item, "status")) == Some("sent"),
    )
    .await;
    let again = email_dispatch::handle(&app, event, deadline()).await.unwrap();
    assert!(again.batch_item_failures.is_empty(), "a sent email is done");

    tokio::time::sleep(Duration::from_secs(2)).await; // let any duplicate arrive
    let emails_after = api.emails_to(&recipient).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails_after.len(), 1, "exactly one email");
    assert_eq!(emails_after[0]["subject"], "Bienvenue dans votre suivi 100 % web");
    assert!(emails_after[0]["text"].as_str().unwrap().contains("Léa"));

    // Once sent, the outbox item keeps no recipient or parameters.
    let stored = table.item(&outbox.pk, &outbox.sk).await.unwrap();
    assert_eq!(stored["status"].as_s().unwrap(), "sent");
    assert!(!stored.contains_key("to") && !stored.contains_key("params"));
}

/// When a stream invocation made now ends: the template's 10 s timeout of email-dispatch.
fn deadline() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::seconds(10)
}

/// The stream record of an outbox item, as the table stream delivers it.
fn insert_event(outbox: &OutboxRecord, sequence_number: &str) -> Event {
    let image: HashMap<String, serde_json::Value> = serde_json::from_value(
        serde_json::to_value(serde_dynamo::to_item::<_, serde_dynamo::Item>(outbox).unwrap()).unwrap(),
    )
    .unwrap();
    serde_json::from_value(json!({"Records": [{
        "eventID": sequence_number, "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3",
        "dynamodb": {"ApproximateCreationDateTime": 1.7e9, "Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                     "SequenceNumber": sequence_number, "SizeBytes": 100, "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": "arn:aws:dynamodb:eu-west-3:000000000000:table/suivi/stream/x"
    }]}))
    .unwrap()
}

fn welcome(to: &str) -> OutboxRecord {
    OutboxRecord::new(welcome_params(), to, None, chrono::Utc::now())
}

fn welcome_params() -> store::email_params::Email {
    store::email_params::Email::WelcomeSeeker(store::email_params::WelcomeSeeker {
        first_name: "Léa".into(),
        level_label: "accompagnement guidé",
        assigned: false,
        advisor_name: None,
        app_url: "http://x".into(),
    })
}

/// An address SES refuses for good (moto answers `InvalidParameterValue`, as SES does for an
/// address without a domain) is failed at once: not retried, not dead-lettered, and the
/// emails after it on the stream go out. Its twin, a valid address, is sent.
#[tokio::test]
async fn an_email_refused_for_good_is_failed_at_once_and_the_stream_goes_on() {
    let api = Api::new();
    let table = Table::connect().await;
    let refused = welcome(&unique("no-domain"));
    let good_to = format!("{}@example.fr", unique("after-refused"));
    let good = welcome(&good_to);
    table.put(store::to_item(&refused).unwrap()).await;
    table.put(store::to_item(&good).unwrap()).await;

    // Polled for up to a minute (the stream poller lags on a loaded machine); a retried email
    // would go back to `pending` and never reach `failed`.
    let failed = poll_until(
        600,
        Duration::from_millis(100),
        || table.item(&refused.pk, &refused.sk),
        |stored| stored.as_ref().and_then(|item| attr_text(item, "status")) == Some("failed"),
    )
    .await
    .expect("the refused email's item");
    assert_eq!(attr_text(&failed, "status"), Some("failed"), "marked failed at once, not retried");
    assert_eq!(attr_text(&failed, "failureCode"), Some("InvalidParameterValue"));
    assert!(!failed.contains_key("to") && !failed.contains_key("params"), "no address kept for an email never sent");
    // The next email of the stream is sent.
    assert_eq!(api.wait_for_emails(&good_to, 1).await.len(), 1);

    // Delivered again (a retry, a replay): done, nothing reported for retry, nothing sent.
    let app = email_dispatch::App::from_env().await.unwrap();
    let again = email_dispatch::handle(&app, insert_event(&refused, "200"), deadline()).await.unwrap();
    assert!(again.batch_item_failures.is_empty(), "a refused email is never retried");
}

/// An interrupted send (claimed, then its invocation died: `sending`, the lease passed) is sent
/// once by the sweep, even by two runs at once; an email SES had accepted before its "mark
/// sent" failed (message id kept) is recorded as sent, never sent again. Their twin, an email
/// being sent right now (its lease still running), is left alone by every run. On a gateway
/// of its own (scheduler off), so only these runs sweep its table.
#[tokio::test]
async fn the_sweep_sends_an_interrupted_email_once_and_leaves_one_being_sent_alone() {
    let stack = PrivateGateway::start("sweep").await;
    let (api, table) = (stack.api(), &stack.table);
    let now = chrono::Utc::now();
    let written = now - chrono::Duration::minutes(10);
    let (interrupted_to, accepted_to, in_progress_to) = (
        format!("{}@example.fr", unique("interrupted")),
        format!("{}@example.fr", unique("accepted")),
        format!("{}@example.fr", unique("in-progress")),
    );
    let interrupted =
        table.put_interrupted_outbox(&interrupted_to, None, written, now - chrono::Duration::minutes(9), None).await;
    let accepted = table
        .put_interrupted_outbox(&accepted_to, None, written, now - chrono::Duration::minutes(9), Some("ses-0001"))
        .await;
    // A lease far ahead, so that however slow this machine, it is still running when the runs come.
    let lease = now + chrono::Duration::minutes(30);
    let in_progress = table.put_interrupted_outbox(&in_progress_to, None, written, lease, None).await;

    let (first, second) = tokio::join!(api.run_schedule("email-sweep", now), api.run_schedule("email-sweep", now));
    let total = |field: &str| first[field].as_u64().unwrap_or(0) + second[field].as_u64().unwrap_or(0);
    assert_eq!(total("sent"), 1, "the interrupted email sent by one run: {first} {second}");
    assert_eq!(total("recorded"), 1, "the accepted email recorded by one run: {first} {second}");
    assert_eq!(total("retried") + total("failed"), 0, "{first} {second}");

    assert_eq!(api.wait_for_emails(&interrupted_to, 1).await.len(), 1);
    let stored = table.item(&interrupted.pk, &interrupted.sk).await.expect("the interrupted email");
    assert_eq!(attr_text(&stored, "status"), Some("sent"));
    assert!(attr_text(&stored, "sesMessageId").is_some());
    for gone in ["to", "params", "claimedUntil", "gsi1pk", "gsi1sk"] {
        assert!(!stored.contains_key(gone), "a sent email keeps no {gone}");
    }

    let stored = table.item(&accepted.pk, &accepted.sk).await.expect("the accepted email");
    assert_eq!(attr_text(&stored, "status"), Some("sent"), "recorded as sent");
    assert_eq!(attr_text(&stored, "sesMessageId"), Some("ses-0001"), "SES's own message id kept");
    assert!(!stored.contains_key("to") && !stored.contains_key("gsi1pk"), "no address kept, out of the index");

    // The email being sent is untouched: same claim, same attempts, no email from the sweep.
    let stored = table.item(&in_progress.pk, &in_progress.sk).await.expect("the email being sent");
    assert_eq!(attr_text(&stored, "status"), Some("sending"));
    assert_eq!(attr_text(&stored, "claimedUntil"), Some(stored_instant(lease).as_str()));
    assert_eq!(stored["attempts"].as_n().map(String::as_str), Ok("1"));

    // A later run finds only the email being sent, and leaves it again; nothing is sent twice.
    let later = api.run_schedule("email-sweep", chrono::Utc::now()).await;
    assert_eq!(
        (later["sent"].as_u64(), later["recorded"].as_u64(), later["busy"].as_u64()),
        (Some(0), Some(0), Some(1)),
        "{later}"
    );
    assert_eq!(api.emails_to(&interrupted_to).await.len(), 1, "sent once");
    assert!(api.emails_to(&accepted_to).await.is_empty(), "SES had it already: not sent again");
    assert!(api.emails_to(&in_progress_to).await.is_empty(), "the email being sent is its sender's");
}

/// An email that could not be sent for 24 hours (SES down or refusing the account that long)
/// is failed for good by the sweep: `failed`, `undeliverable`, no address kept, out of the
/// index, the seeker's journal says so, and nothing is sent. Its twin, written 23 hours ago,
/// is sent.
#[tokio::test]
async fn the_sweep_fails_for_good_an_email_unsent_for_a_day_and_sends_a_younger_one() {
    let stack = PrivateGateway::start("sweep-age").await;
    let (api, table) = (stack.api(), &stack.table);
    let now = chrono::Utc::now();
    let seeker_id = ulid::Ulid::new().to_string();
    let (old_to, young_to) = (format!("{}@example.fr", unique("too-old")), format!("{}@example.fr", unique("young")));
    let lease_passed = now - chrono::Duration::minutes(5);
    let old = table
        .put_interrupted_outbox(&old_to, Some(&seeker_id), now - chrono::Duration::hours(25), lease_passed, None)
        .await;
    let young = table
        .put_interrupted_outbox(&young_to, Some(&seeker_id), now - chrono::Duration::hours(23), lease_passed, None)
        .await;

    let run = api.run_schedule("email-sweep", now).await;
    assert_eq!((run["sent"].as_u64(), run["failed"].as_u64()), (Some(1), Some(1)), "{run}");

    let stored = table.item(&old.pk, &old.sk).await.expect("the old email");
    assert_eq!(attr_text(&stored, "status"), Some("failed"));
    assert_eq!(attr_text(&stored, "failureCode"), Some("undeliverable"));
    assert!(!stored.contains_key("to") && !stored.contains_key("params") && !stored.contains_key("gsi1pk"));
    let journal = table.partition(&format!("SEEKER#{seeker_id}")).await;
    let kinds: Vec<_> = journal.iter().filter_map(|item| attr_text(item, "kind")).collect();
    assert!(kinds.contains(&"email_failed") && kinds.contains(&"email_sent"), "the journal says both: {kinds:?}");

    assert_eq!(attr_text(&table.item(&young.pk, &young.sk).await.expect("the young email"), "status"), Some("sent"));
    assert_eq!(api.wait_for_emails(&young_to, 1).await.len(), 1);
    assert!(api.emails_to(&old_to).await.is_empty(), "a failed email is not sent");
}

/// The retry of a stream invocation that timed out after claiming (its lease ended with it)
/// takes the claim over and sends the email once; its twin, a claim whose lease still runs (an
/// invocation sending right now), is not taken: the record is reported for retry, nothing is
/// sent. Written seconds ago, inside the sweep's grace, so the stack's scheduled sweep leaves
/// both to the stream.
#[tokio::test]
async fn a_retry_takes_over_the_claim_of_a_timed_out_invocation_and_never_a_live_one() {
    let api = Api::new();
    let table = Table::connect().await;
    let now = chrono::Utc::now();
    let (timed_out_to, live_to) =
        (format!("{}@example.fr", unique("timed-out")), format!("{}@example.fr", unique("live-claim")));
    // Written 12 s ago; the first invocation claimed it and was stopped at its 10 s deadline.
    let timed_out = table
        .put_interrupted_outbox(
            &timed_out_to,
            None,
            now - chrono::Duration::seconds(12),
            now - chrono::Duration::seconds(1),
            None,
        )
        .await;
    let live = table
        .put_interrupted_outbox(
            &live_to,
            None,
            now - chrono::Duration::seconds(12),
            now + chrono::Duration::minutes(30),
            None,
        )
        .await;
    // The stream's retry delivers the records as they were inserted (pending).
    let as_inserted = |stored: &OutboxRecord| OutboxRecord {
        status: "pending".into(),
        claimed_until: None,
        attempts: 0,
        ..stored.clone()
    };
    let app = email_dispatch::App::from_env().await.unwrap();

    let retried =
        email_dispatch::handle(&app, insert_event(&as_inserted(&timed_out), "300"), deadline()).await.unwrap();
    assert!(retried.batch_item_failures.is_empty(), "the expired claim is taken over and the email sent");
    assert_eq!(api.wait_for_emails(&timed_out_to, 1).await.len(), 1);
    let stored = table.item(&timed_out.pk, &timed_out.sk).await.expect("the email");
    assert_eq!(attr_text(&stored, "status"), Some("sent"));
    assert_eq!(stored["attempts"].as_n().map(String::as_str), Ok("2"), "the second claim of this email");

    let refused = email_dispatch::handle(&app, insert_event(&as_inserted(&live), "301"), deadline()).await.unwrap();
    assert_eq!(refused.batch_item_failures.len(), 1, "a live claim is reported for retry, not taken");
    let stored = table.item(&live.pk, &live.sk).await.expect("the email being sent");
    assert_eq!(attr_text(&stored, "status"), Some("sending"));
    assert_eq!(stored["attempts"].as_n().map(String::as_str), Ok("1"), "not claimed again");
    tokio::time::sleep(Duration::from_secs(1)).await; // let any stray send arrive
    assert!(api.emails_to(&live_to).await.is_empty(), "nothing sent under another's live claim");
    assert_eq!(api.emails_to(&timed_out_to).await.len(), 1, "sent once");
}

/// A DynamoDB that never answers does not hold the stream's invocation until Lambda's timeout
/// (and the shard behind it): every call's operation timeout ends before the deadline, and the
/// record is reported for retry. Its working twin: the same record with the real table is
/// handled without failure and its email delivered once.
#[tokio::test]
async fn a_dynamodb_that_never_answers_ends_the_stream_invocation_before_its_deadline() {
    let api = Api::new();
    let table = Table::connect().await;
    let recipient = format!("{}@example.fr", unique("hung"));
    let outbox = welcome(&recipient);
    table.put(store::to_item(&outbox).unwrap()).await;
    let working = email_dispatch::App::from_env().await.unwrap();
    let sdk = aws_config::load_from_env().await;
    let silent = integration_tests::silent_endpoint().await;
    let client =
        aws_sdk_dynamodb::Client::from_conf(aws_sdk_dynamodb::config::Builder::from(&sdk).endpoint_url(silent).build());
    let hanging = email_dispatch::App { store: store::Store::new(client, working.store.table.clone()), ..working };
    let short_deadline = chrono::Utc::now() + chrono::Duration::seconds(6);

    let started = std::time::Instant::now();
    let handled = tokio::time::timeout(
        Duration::from_secs(20),
        email_dispatch::handle(&hanging, insert_event(&outbox, "600"), short_deadline),
    )
    .await
    .expect("the invocation ends by itself, not at Lambda's timeout")
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(6), "ended before its deadline: {:?}", started.elapsed());
    assert_eq!(handled.batch_item_failures.len(), 1, "reported for retry");

    let working = email_dispatch::App::from_env().await.unwrap();
    let handled = email_dispatch::handle(&working, insert_event(&outbox, "601"), deadline()).await.unwrap();
    assert!(handled.batch_item_failures.is_empty(), "handled with the real table");
    api.wait_for_emails(&recipient, 1).await;
    tokio::time::sleep(Duration::from_secs(1)).await; // let any second send arrive
    assert_eq!(api.emails_to(&recipient).await.len(), 1, "delivered once");
}
