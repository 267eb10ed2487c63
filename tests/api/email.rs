//! The email outbox: a stream record delivered more than once sends one email.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event;
use integration_tests::{attr_text, poll_until, unique, Api, Table};
use serde_json::json;
use store::outbox::{EmailTemplate, OutboxRecord};

#[tokio::test]
async fn a_record_delivered_twice_sends_one_email() {
    let api = Api::new();
    let table = Table::connect().await;
    let recipient = format!("{}@example.fr", unique("twice"));
    let outbox = OutboxRecord::new(
        EmailTemplate::WelcomeSeeker,
        &recipient,
        None,
        json!({"firstName": "Léa", "assigned": false, "levelLabel": "accompagnement guidé", "appUrl": "http://x"}),
        chrono::Utc::now(),
    );
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
    let (first, second) =
        tokio::join!(email_dispatch::handle(&app, event.clone()), email_dispatch::handle(&app, event.clone()));
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
    let again = email_dispatch::handle(&app, event).await.unwrap();
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
    OutboxRecord::new(
        EmailTemplate::WelcomeSeeker,
        to,
        None,
        json!({"firstName": "Léa", "assigned": false, "levelLabel": "accompagnement guidé", "appUrl": "http://x"}),
        chrono::Utc::now(),
    )
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
    let again = email_dispatch::handle(&app, insert_event(&refused, "200")).await.unwrap();
    assert!(again.batch_item_failures.is_empty(), "a refused email is never retried");
}
