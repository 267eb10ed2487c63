//! Chat through the local gateway (API.md "Chat"), with real WebSocket clients:
//! delivery to every device, concurrency, idempotency, pruning of vanished
//! connections, refusals, the offline notice, replay, unread counts, the
//! contact cadence, the rate limit, reassignment and erasure.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::{SinkExt, StreamExt};
use integration_tests::ws::{Ws, WAIT};
use integration_tests::{
    assert_error, attr_text, instant, parse_instant, poll_until, regions, unique, Api, Person, Table,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// The per-user limit the gateway runs with (test.sh sets it; the product default is 30).
fn rate_limit() -> usize {
    std::env::var("CHAT_RATE_LIMIT_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(30)
}

/// The whole history of a conversation, oldest first (pages followed).
async fn history(api: &Api, who: &Person, seeker_id: &str) -> Vec<Value> {
    api.all_items(&format!("/conversations/{seeker_id}/messages?after=00000000000000000000000000"), who).await
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages.iter().map(|m| m["text"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn a_message_reaches_every_device_of_both_participants_in_order() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut laptop = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;

    let sent: Vec<String> = (1..=5).map(|i| format!("Bonjour, message {i}")).collect();
    let mut acked = Vec::new();
    for text in &sent {
        let message = phone.say(None, text).await;
        assert_eq!(message["seekerId"], seeker_id.as_str());
        assert_eq!(message["from"], seeker_id.as_str());
        assert_eq!(message["fromRole"], "seeker");
        assert_eq!(message["text"], text.as_str());
        acked.push(message["id"].as_str().unwrap().to_owned());
    }
    let mut sorted = acked.clone();
    sorted.sort();
    assert_eq!(acked, sorted, "ids follow the sending order");
    for (name, ws) in [("sender", &mut phone), ("other device", &mut laptop), ("advisor", &mut desk)] {
        let frames = ws.frames_of("message", 5).await;
        let ids: Vec<&str> = frames.iter().map(|f| f["message"]["id"].as_str().unwrap()).collect();
        assert_eq!(ids, acked, "{name} got every message, in order");
        let got: Vec<&str> = frames.iter().map(|f| f["message"]["text"].as_str().unwrap()).collect();
        assert_eq!(got, sent, "{name} got the texts");
    }

    // The advisor answers; typing is relayed to the other side only.
    desk.send(json!({"action": "typing", "seekerId": seeker_id})).await;
    let typing = laptop.frames_of("typing", 1).await;
    assert_eq!(typing[0]["from"], advisor_id.as_str());
    let reply = desk.say(Some(&seeker_id), "Bonjour, je vous rappelle demain.").await;
    assert_eq!(reply["from"], advisor_id.as_str());
    assert_eq!(reply["fromRole"], "advisor");
    for ws in [&mut phone, &mut laptop] {
        let frame = ws.frames_of("message", 1).await;
        assert_eq!(frame[0]["message"]["id"], reply["id"]);
    }
    let own_typing = desk.until_sentinel("typing", "Bonjour, je vous rappelle demain.").await;
    assert!(own_typing.is_empty(), "the typist does not get their own typing frame");

    let stored = history(&api, &seeker, &seeker_id).await;
    assert_eq!(stored.len(), 6);
    assert_eq!(stored[5]["id"], reply["id"]);
    for ws in [phone, laptop, desk] {
        ws.close().await;
    }
}

#[tokio::test]
async fn ten_senders_times_a_hundred_messages_are_each_stored_once_delivered_and_in_order() {
    let _load = integration_tests::exclusive_load().await;
    const PAIRS: usize = 5;
    const PER_SENDER: usize = 100;
    assert!(
        rate_limit() >= PER_SENDER,
        "this test sends {PER_SENDER} messages a sender at once; run it with CHAT_RATE_LIMIT_PER_MINUTE >= {PER_SENDER} (test.sh sets 120)"
    );
    let api = Api::new();
    let admin = api.admin().await;
    let mut conversations = Vec::new();
    for _ in 0..PAIRS {
        conversations.push(api.advisor_with_seeker(&admin).await);
    }
    // Both people of each conversation send at once; each waits for an ack before its next
    // message, which is what keeps a sender's order (API Gateway runs frames concurrently).
    // Everyone is connected before anyone sends (a push reaches the connections live then).
    let mut clients = Vec::new();
    for (advisor, advisor_id, seeker, seeker_id) in &conversations {
        for (person, user_id, target) in
            [(seeker, seeker_id.clone(), None), (advisor, advisor_id.clone(), Some(seeker_id.clone()))]
        {
            clients.push((Ws::connect(person).await, user_id, target));
        }
    }
    let mut senders = Vec::new();
    for (mut ws, user_id, target) in clients {
        senders.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..PER_SENDER {
                let cmid = format!("{user_id}-{i}");
                let answer = ws.send_message(target.as_deref(), &cmid, &format!("{user_id} {i}")).await;
                assert_eq!(answer["type"], "ack", "{answer}");
                acked.push(answer["message"]["id"].as_str().unwrap().to_owned());
            }
            // Everything this connection must receive: its own and its peer's messages.
            let received = ws.frames_of("message", 2 * PER_SENDER).await;
            let extra = ws.next_within(Duration::from_millis(300)).await;
            assert!(extra.as_ref().is_none_or(|f| f["type"] != "message"), "no message twice: {extra:?}");
            ws.close().await;
            (user_id, acked, received)
        }));
    }
    let mut received_by: HashMap<String, Vec<Value>> = HashMap::new();
    let mut acked_by: HashMap<String, Vec<String>> = HashMap::new();
    for sender in senders {
        let (user_id, acked, received) = sender.await.expect("sender finished");
        acked_by.insert(user_id.clone(), acked);
        received_by.insert(user_id, received);
    }
    for (advisor, advisor_id, _seeker, seeker_id) in &conversations {
        let stored = history(&api, advisor, seeker_id).await;
        assert_eq!(stored.len(), 2 * PER_SENDER, "every message stored once");
        let ids: HashSet<&str> = stored.iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 2 * PER_SENDER, "no duplicate ids");
        for user in [seeker_id, advisor_id] {
            let own: Vec<String> = stored
                .iter()
                .filter(|m| m["from"] == user.as_str())
                .map(|m| m["text"].as_str().unwrap().to_owned())
                .collect();
            let expected: Vec<String> = (0..PER_SENDER).map(|i| format!("{user} {i}")).collect();
            assert_eq!(own, expected, "history keeps {user}'s order");
            let own_ids: Vec<String> = stored
                .iter()
                .filter(|m| m["from"] == user.as_str())
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(own_ids, acked_by[user.as_str()], "acks name the stored messages");
        }
        // Each connection got both senders' messages, once, each sender in order.
        for receiver in [seeker_id, advisor_id] {
            let frames = &received_by[receiver.as_str()];
            let ids: HashSet<&str> = frames.iter().map(|f| f["message"]["id"].as_str().unwrap()).collect();
            assert_eq!(ids.len(), 2 * PER_SENDER);
            for sender in [seeker_id, advisor_id] {
                let order: Vec<&str> = frames
                    .iter()
                    .filter(|f| f["message"]["from"] == sender.as_str())
                    .map(|f| f["message"]["text"].as_str().unwrap())
                    .collect();
                let expected: Vec<String> = (0..PER_SENDER).map(|i| format!("{sender} {i}")).collect();
                assert_eq!(order, expected, "{receiver} got {sender}'s messages in order");
            }
        }
    }
}

#[tokio::test]
async fn the_same_client_message_id_twice_stores_one_message() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;

    let first = phone.send_message(None, "retry-1", "Je serai en retard.").await;
    let again = phone.send_message(None, "retry-1", "Je serai en retard.").await;
    assert_eq!(first["type"], "ack");
    assert_eq!(again["type"], "ack");
    assert_eq!(first["message"]["id"], again["message"]["id"]);

    // Five devices' worth of retries at once, on separate connections.
    let mut retries = Vec::new();
    for _ in 0..5 {
        let person = seeker.clone();
        retries.push(tokio::spawn(async move {
            let mut ws = Ws::connect(&person).await;
            let answer = ws.send_message(None, "retry-2", "Merci !").await;
            ws.close().await;
            answer
        }));
    }
    let mut ids = HashSet::new();
    for retry in retries {
        let answer = retry.await.unwrap();
        assert_eq!(answer["type"], "ack", "{answer}");
        ids.insert(answer["message"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "one message for one clientMessageId");

    phone.say(None, "sentinel").await;
    let pushed = desk.until_sentinel("message", "sentinel").await;
    assert_eq!(pushed.len(), 2, "each message pushed once: {pushed:?}");
    let stored = history(&api, &seeker, &seeker_id).await;
    assert_eq!(texts(&stored), vec!["Je serai en retard.", "Merci !", "sentinel"]);
    phone.close().await;
    desk.close().await;
}

#[tokio::test]
async fn a_vanished_client_is_pruned_on_410_and_the_others_still_get_the_message() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;

    // A client that vanished without a close frame: the gateway notices the lost TCP
    // connection and delivers $disconnect, which forgets it.
    let tablet = Ws::connect(&seeker).await;
    let before = connections_of(&table, &seeker_id).await;
    assert_eq!(before.len(), 2);
    drop(tablet); // no close frame
    let left = poll_until(
        100,
        Duration::from_millis(50),
        || connections_of(&table, &seeker_id),
        |left: &Vec<String>| left.len() == 1,
    )
    .await;
    assert_eq!(left.len(), 1, "$disconnect forgot the vanished client");

    // $disconnect is best effort in API Gateway: a connection can close and leave its item.
    // Such an item answers 410 Gone on the next push and is pruned; the others still get it.
    let stale = "Zm9yZ290dGVuLXg=";
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let connection = [
        ("pk", s(&format!("CONN#{stale}"))),
        ("sk", s("CONN")),
        ("gsi1pk", s(&format!("USERCONNS#{seeker_id}"))),
        ("gsi1sk", s(stale)),
        ("connectionId", s(stale)),
        ("userId", s(&seeker_id)),
        ("role", s("seeker")),
        ("connectedAt", s("2026-01-01T00:00:00.000Z")),
        ("expiresAt", AttributeValue::N((chrono::Utc::now().timestamp() + 3600).to_string())),
    ];
    table.put(connection.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).await;
    assert_eq!(connections_of(&table, &seeker_id).await.len(), 2);

    let message = desk.say(Some(&seeker_id), "Votre dossier est complet.").await;
    let got = phone.frames_of("message", 1).await;
    assert_eq!(got[0]["message"]["id"], message["id"]);
    assert!(
        table.item(&format!("CONN#{stale}"), "CONN").await.is_none(),
        "the gone connection was pruned before the ack"
    );
    assert_eq!(connections_of(&table, &seeker_id).await.len(), 1);
    phone.close().await;
    desk.close().await;
}

async fn connections_of(table: &Table, user_id: &str) -> Vec<String> {
    table
        .client
        .query()
        .table_name(&table.name)
        .index_name("GSI1")
        .key_condition_expression("gsi1pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("USERCONNS#{user_id}")))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default()
        .iter()
        .filter_map(|i| attr_text(i, "connectionId").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn connecting_needs_a_valid_token_of_a_participant() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, _, seeker, _) = api.advisor_with_seeker(&admin).await;
    assert_eq!(Ws::try_connect("").await.err(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(Ws::try_connect("token=").await.err(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(Ws::try_connect("token=not.a.jwt").await.err(), Some(StatusCode::UNAUTHORIZED));
    // A signature that does not match the payload.
    let mut parts: Vec<String> = seeker.token.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    assert_eq!(Ws::try_connect(&format!("token={}", parts.join("."))).await.err(), Some(StatusCode::UNAUTHORIZED));
    // Valid identities that are no chat participants.
    assert_eq!(Ws::try_connect(&format!("token={}", admin.token)).await.err(), Some(StatusCode::FORBIDDEN));
    let stranger = api.sign_in(&unique("unregistered"), &[]).await;
    assert_eq!(Ws::try_connect(&format!("token={}", stranger.token)).await.err(), Some(StatusCode::FORBIDDEN));
    assert!(Ws::try_connect(&format!("token={}", seeker.token)).await.is_ok());
}

#[tokio::test]
async fn refused_frames_get_error_frames_and_the_connection_keeps_working() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (_, _, other_seeker, other_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;
    let mut accepted = Vec::new();

    let refusals: Vec<(&str, String, &str)> = vec![
        ("malformed JSON", r#"{"action": "sendMessage", "text": "#.to_owned(), "invalid_json"),
        ("not an object", "[1, 2]".to_owned(), "missing_action"),
        ("no action", json!({"text": "x"}).to_string(), "missing_action"),
        ("unknown action", json!({"action": "deleteEverything"}).to_string(), "unknown_action"),
        (
            "unknown field",
            json!({"action": "sendMessage", "clientMessageId": "u1", "text": "x", "urgent": true}).to_string(),
            "invalid_frame",
        ),
        (
            "empty text",
            json!({"action": "sendMessage", "clientMessageId": "e1", "text": ""}).to_string(),
            "invalid_text",
        ),
        (
            "only control characters",
            json!({"action": "sendMessage", "clientMessageId": "e2", "text": " \u{0007}\u{0000} "}).to_string(),
            "invalid_text",
        ),
        (
            "oversize text",
            json!({"action": "sendMessage", "clientMessageId": "o1", "text": "a".repeat(4001)}).to_string(),
            "invalid_text",
        ),
        (
            "bad client message id",
            json!({"action": "sendMessage", "clientMessageId": "a b#c", "text": "x"}).to_string(),
            "invalid_client_message_id",
        ),
        (
            "another seeker's conversation",
            json!({"action": "sendMessage", "clientMessageId": "x1", "seekerId": other_id, "text": "coucou"})
                .to_string(),
            "forbidden",
        ),
        (
            "read marker of another conversation",
            json!({"action": "markRead", "seekerId": other_id, "upTo": "01J00000000000000000000000"}).to_string(),
            "forbidden",
        ),
    ];
    for (what, frame, code) in refusals {
        phone.send_raw(&frame).await;
        let answer = phone.next_matching("error", |_| true).await;
        assert_eq!(answer["type"], "error", "{what}: {answer}");
        assert_eq!(answer["code"], code, "{what}: {answer}");
        assert!(answer["message"].is_string(), "{what}");
        // The connection keeps working.
        accepted.push(phone.say(None, &format!("après « {what} »")).await);
    }
    // Exactly 4,000 characters is fine; control characters are stripped, not refused.
    accepted.push(phone.say(None, &"é".repeat(4000)).await);
    let cleaned = phone.say(None, "ligne 1\u{0007}\r\nligne 2").await;
    assert_eq!(cleaned["text"], "ligne 1\nligne 2");
    accepted.push(cleaned);

    // An advisor writing to a seeker outside their portfolio, or without naming one.
    for (frame, code) in [
        (
            json!({"action": "sendMessage", "clientMessageId": "p1", "seekerId": other_id, "text": "Bonjour"}),
            "not_found",
        ),
        (
            json!({"action": "sendMessage", "clientMessageId": "p2", "seekerId": "not-an-id", "text": "Bonjour"}),
            "not_found",
        ),
        (json!({"action": "sendMessage", "clientMessageId": "p3", "text": "Bonjour"}), "invalid_frame"),
        (json!({"action": "typing", "seekerId": other_id}), "not_found"),
    ] {
        desk.send(frame.clone()).await;
        let answer = desk.next_matching("error", |_| true).await;
        assert_eq!(answer["code"], code, "{frame}: {answer}");
    }
    desk.say(Some(&seeker_id), "Toujours là.").await;

    let stored = history(&api, &seeker, &seeker_id).await;
    assert_eq!(stored.len(), accepted.len() + 1, "refused frames stored nothing");
    assert!(history(&api, &other_seeker, &other_id).await.is_empty());
    phone.close().await;
    desk.close().await;
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_the_connection_with_1009() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, _, seeker, _) = api.advisor_with_seeker(&admin).await;
    let mut ws = Ws::connect(&seeker).await;
    // 40 kB in one frame: over API Gateway's 32 kB frame limit.
    let huge = json!({"action": "sendMessage", "clientMessageId": "big", "text": "a".repeat(40_000)});
    let _ = ws.stream.send(Message::text(huge.to_string())).await;
    let close = loop {
        match tokio::time::timeout(WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| f.code), Some(CloseCode::Size));
    // A new connection works.
    let mut again = Ws::connect(&seeker).await;
    again.say(None, "Je recommence en plus court.").await;
    again.close().await;
}

#[tokio::test]
async fn an_offline_advisor_gets_exactly_one_notice_without_the_text() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let secrets: Vec<String> = (0..3).map(|i| format!("secret-{i}-{}", unique("t"))).collect();
    for text in &secrets {
        phone.say(None, text).await;
    }
    // The notice is decided before the ack, so the outbox is final now.
    let notices: Vec<_> = table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .into_iter()
        .filter(|i| attr_text(i, "template") == Some("chat_notice"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice for three messages in a minute");

    let emails = api.wait_for_emails_where(&advisor.email(), 1, is_chat_notice).await;
    assert_eq!(emails.len(), 1, "{emails:?}");
    let email = &emails[0];
    let whole = email.to_string();
    for text in &secrets {
        assert!(!whole.contains(text.as_str()), "the email never carries the text");
    }
    assert!(whole.contains("Lire le message"));
    // The sender was online: no notice for them.
    assert!(api.emails_where(&seeker.email(), is_chat_notice).await.is_empty());
    phone.close().await;
}

/// Whether an email is a chat notice (others, e.g. "new seeker in your portfolio", left out).
fn is_chat_notice(email: &Value) -> bool {
    email["subject"] == "Vous avez un nouveau message"
}

#[tokio::test]
async fn after_replays_exactly_what_was_missed() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;
    for i in 0..3 {
        phone.say(None, &format!("vu {i}")).await;
    }
    let seen = desk.frames_of("message", 3).await;
    let last_seen = seen[2]["message"]["id"].as_str().unwrap().to_owned();
    desk.close().await;

    let mut missed = Vec::new();
    for i in 0..4 {
        missed.push(phone.say(None, &format!("manqué {i}")).await);
    }
    // Back online: replay after the last message seen, in pages of 3.
    let replay = api.all_items_by(&format!("/conversations/{seeker_id}/messages?after={last_seen}"), &advisor, 3).await;
    assert_eq!(replay, missed, "exactly the missed messages, oldest first");

    // Paging back from the first missed message: the seen ones, newest first.
    let first_missed = missed[0]["id"].as_str().unwrap();
    let (status, back) = api.get(&format!("/conversations/{seeker_id}/messages?before={first_missed}"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(back["items"].as_array().unwrap()), vec!["vu 2", "vu 1", "vu 0"]);
    // Without bounds: the latest first.
    let (_, latest) = api.get(&format!("/conversations/{seeker_id}/messages?limit=2"), &seeker).await;
    assert_eq!(texts(latest["items"].as_array().unwrap()), vec!["manqué 3", "manqué 2"]);
    assert!(latest["nextCursor"].is_string());
    // Between two messages.
    let (_, between) = api
        .get(
            &format!(
                "/conversations/{seeker_id}/messages?after={last_seen}&before={}",
                missed[3]["id"].as_str().unwrap()
            ),
            &seeker,
        )
        .await;
    assert_eq!(texts(between["items"].as_array().unwrap()), vec!["manqué 0", "manqué 1", "manqué 2"]);
    phone.close().await;
}

#[tokio::test]
async fn history_is_only_for_the_two_participants() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (other_advisor, _, other_seeker, other_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    phone.say(None, "privé").await;
    let path = format!("/conversations/{seeker_id}/messages");
    for who in [&other_advisor, &other_seeker] {
        let (status, body) = api.get(&path, who).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    }
    let (status, body) = api.get(&path, &admin).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, Some("forbidden"));
    let (status, _) = api.call(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = api.get(&format!("{path}?before=nope"), &advisor).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_parameter"));
    let (status, body) = api.get(&format!("{path}?limit=0"), &advisor).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_limit"));
    // A cursor of another conversation is refused before it reaches DynamoDB.
    let mut other_phone = Ws::connect(&other_seeker).await;
    other_phone.say(None, "a").await;
    other_phone.say(None, "b").await;
    let (_, page) = api.get(&format!("/conversations/{other_id}/messages?limit=1"), &other_seeker).await;
    let foreign = page["nextCursor"].as_str().expect("a cursor").to_owned();
    let (status, body) = api.get(&format!("{path}?cursor={foreign}"), &seeker).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, page) = api.get(&path, &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(page["items"].as_array().unwrap()), vec!["privé"]);
    phone.close().await;
    other_phone.close().await;
}

#[tokio::test]
async fn conversations_show_unread_counts_and_read_markers() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, first, first_id) = api.advisor_with_seeker(&admin).await;
    let (second, second_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    let mut first_phone = Ws::connect(&first).await;
    let mut second_phone = Ws::connect(&second).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(first_phone.say(None, &format!("question {i}")).await);
    }
    second_phone.say(None, "une seule question").await;

    let (status, list) = api.get("/conversations", &advisor).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let rows = list["items"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["seekerId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![second_id.as_str(), first_id.as_str()], "latest conversation first");
    assert_eq!(rows[0]["unread"], 1);
    assert_eq!(rows[1]["unread"], 3);
    assert_eq!(rows[1]["lastMessage"]["id"], sent[2]["id"]);
    assert_eq!(rows[1]["lastMessage"]["excerpt"], "question 2");
    assert!(rows[1]["seeker"]["lastName"].is_string());

    // The advisor reads up to the second message: one left; the seeker sees the marker.
    let mut desk = Ws::connect(&advisor).await;
    desk.send(json!({"action": "markRead", "seekerId": first_id, "upTo": sent[1]["id"]})).await;
    let read = first_phone.frames_of("read", 1).await;
    assert_eq!(read[0]["upTo"], sent[1]["id"]);
    assert_eq!(read[0]["by"], advisor_id.as_str());
    assert_eq!(read[0]["unread"], 1);
    let row = conversation_row(&api, &advisor, &first_id).await;
    assert_eq!(row["unread"], 1);
    assert_eq!(row["readUpTo"], sent[1]["id"]);
    // Reading backwards changes nothing; reading to the end clears it.
    desk.send(json!({"action": "markRead", "seekerId": first_id, "upTo": sent[0]["id"]})).await;
    desk.send(json!({"action": "markRead", "seekerId": first_id, "upTo": sent[2]["id"]})).await;
    let last = sent[2]["id"].clone();
    first_phone.next_matching("read", |f| f["upTo"] == last).await;
    assert_eq!(conversation_row(&api, &advisor, &first_id).await["unread"], 0);
    // An unknown message id is refused.
    desk.send(json!({"action": "markRead", "seekerId": first_id, "upTo": "01J00000000000000000000000"})).await;
    let error = desk.next_matching("error", |_| true).await;
    assert_eq!(error["code"], "not_found");

    // The seeker's one conversation: the advisor's answer is unread until marked.
    let answer = desk.say(Some(&first_id), "Je regarde.").await;
    let (status, mine) = api.get("/conversations", &first).await;
    assert_eq!(status, StatusCode::OK);
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["seekerId"], first_id.as_str());
    assert_eq!(items[0]["advisor"]["advisorId"], advisor_id.as_str());
    assert_eq!(items[0]["unread"], 1);
    assert_eq!(items[0]["otherReadUpTo"], answer["id"], "the advisor has read up to their own message");
    first_phone.send(json!({"action": "markRead", "upTo": answer["id"]})).await;
    let answer_id = answer["id"].clone();
    desk.next_matching("read", |f| f["upTo"] == answer_id).await;
    let (_, mine) = api.get("/conversations", &first).await;
    assert_eq!(mine["items"][0]["unread"], 0);
    for ws in [first_phone, second_phone, desk] {
        ws.close().await;
    }
}

async fn conversation_row(api: &Api, advisor: &Person, seeker_id: &str) -> Value {
    let (_, list) = api.get("/conversations", advisor).await;
    list["items"].as_array().unwrap().iter().find(|r| r["seekerId"] == seeker_id).cloned().expect("conversation listed")
}

#[tokio::test]
async fn a_day_with_advisor_messages_counts_once_as_a_contact() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    phone.say(None, "Bonjour ?").await;
    assert_eq!(chat_days(&table, &seeker_id).await, 0, "a seeker's message alone is no contact");
    let (_, me) = api.get("/seekers/me", &seeker).await;
    assert!(me["lastContactAt"].is_null());
    let due_before = me["nextContactDue"].as_str().unwrap().to_owned();

    // The advisor answers from two devices at once, several times.
    let mut writers = Vec::new();
    for device in 0..2 {
        let advisor = advisor.clone();
        let seeker_id = seeker_id.clone();
        writers.push(tokio::spawn(async move {
            let mut ws = Ws::connect(&advisor).await;
            for i in 0..4 {
                ws.say(Some(&seeker_id), &format!("réponse {device}.{i}")).await;
            }
            ws.close().await;
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(chat_days(&table, &seeker_id).await, 1, "one chat_day entry for the day");
    let (_, me) = api.get("/seekers/me", &seeker).await;
    let last_contact = me["lastContactAt"].as_str().expect("lastContactAt set").to_owned();
    let due = me["nextContactDue"].as_str().unwrap().to_owned();
    // The contact moves the due date from registration + 30 days to contact + 30 days
    // (the same second when the test runs fast: compare, do not expect a change).
    assert!(due.as_str() >= due_before.as_str(), "{due} before {due_before}");
    let last = parse_instant(&last_contact);
    let due = parse_instant(&due);
    assert_eq!(due - last, chrono::Duration::days(30), "guided cadence from the contact");
    // The portfolio order follows the new due date.
    let (_, portfolio) = api.get("/advisors/me/portfolio", &advisor).await;
    let row = portfolio["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["seekerId"] == seeker_id.as_str())
        .cloned()
        .expect("in the portfolio");
    assert_eq!(row["lastContactAt"].as_str(), Some(last_contact.as_str()));
    phone.close().await;
}

async fn chat_days(table: &Table, seeker_id: &str) -> usize {
    table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .into_iter()
        .filter(|i| attr_text(i, "kind") == Some("chat_day"))
        .count()
}

#[tokio::test]
async fn over_the_rate_limit_a_message_gets_an_error_frame_and_stores_nothing() {
    let _load = integration_tests::exclusive_load().await;
    let limit = rate_limit();
    let api = Api::new();
    let admin = api.admin().await;
    let (_, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    // Twice the limit and more: whichever minute boundary falls inside, one minute goes over.
    let total = 2 * limit + 2;
    let mut acked = HashSet::new();
    let mut refused = HashSet::new();
    let mut first_ack = None;
    let mut resent_at_the_limit = None;
    for i in 0..total {
        let cmid = format!("rate-{i}");
        let answer = phone.send_message(None, &cmid, &format!("m{i}")).await;
        match answer["type"].as_str() {
            Some("ack") => {
                first_ack.get_or_insert_with(|| (cmid.clone(), answer["message"]["id"].clone()));
                acked.insert(format!("m{i}"))
            }
            Some("error") => {
                assert_eq!(answer["code"], "rate_limited", "{answer}");
                // At the limit, a resend of a stored message (its ack lost) still gets its ack.
                if resent_at_the_limit.is_none() {
                    let (cmid, id) = first_ack.clone().expect("a message acknowledged before the limit");
                    let again = phone.send_message(None, &cmid, "m0").await;
                    resent_at_the_limit = Some((again, id));
                }
                refused.insert(format!("m{i}"))
            }
            _ => panic!("{answer}"),
        };
    }
    assert!(!refused.is_empty(), "some messages were over the limit");
    let (again, id) = resent_at_the_limit.expect("a resend at the limit");
    assert_eq!(again["type"], "ack", "a duplicate is acknowledged even at the limit: {again}");
    assert_eq!(again["message"]["id"], id, "with the message stored the first time");
    assert_eq!(acked.len() + refused.len(), total);
    let stored = history(&api, &seeker, &seeker_id).await;
    let stored_texts: HashSet<String> = texts(&stored).into_iter().collect();
    assert_eq!(stored_texts, acked, "refused messages stored nothing");
    let mut per_minute: HashMap<String, usize> = HashMap::new();
    for m in &stored {
        let sent_at = instant(&m["sentAt"]);
        *per_minute.entry(sent_at.format("%Y-%m-%dT%H:%M").to_string()).or_default() += 1;
    }
    assert!(per_minute.values().all(|n| *n <= limit), "{per_minute:?}");
    phone.close().await;
}

#[tokio::test]
async fn a_reassigned_seekers_conversation_follows_them() {
    let api = Api::new();
    let admin = api.admin().await;
    let (old_advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (new_advisor, new_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let mut phone = Ws::connect(&seeker).await;
    phone.say(None, "Avant le changement").await;
    let (status, _) = api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": new_id})).await;
    assert_eq!(status, StatusCode::OK);

    let row = conversation_row(&api, &new_advisor, &seeker_id).await;
    assert_eq!(row["unread"], 1);
    let (_, old_list) = api.get("/conversations", &old_advisor).await;
    assert!(old_list["items"].as_array().unwrap().iter().all(|r| r["seekerId"] != seeker_id.as_str()));
    let mut old_desk = Ws::connect(&old_advisor).await;
    old_desk
        .send(json!({"action": "sendMessage", "clientMessageId": "late", "seekerId": seeker_id, "text": "encore moi"}))
        .await;
    let answer = old_desk.answer_to("late").await;
    assert_eq!(answer["code"], "not_found");
    let mut new_desk = Ws::connect(&new_advisor).await;
    let hello = new_desk.say(Some(&seeker_id), "Je suis votre nouveau conseiller.").await;
    let got = phone.next_matching("message", |f| f["message"]["id"] == hello["id"]).await;
    assert_eq!(got["message"]["from"], new_id.as_str());
    for ws in [phone, old_desk, new_desk] {
        ws.close().await;
    }
}

#[tokio::test]
async fn erasure_removes_the_seekers_messages_and_connections() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut phone = Ws::connect(&seeker).await;
    let mut desk = Ws::connect(&advisor).await;
    let marker = unique("confidentiel");
    phone.say(None, &format!("Mon numéro de dossier est {marker}")).await;
    desk.say(Some(&seeker_id), &format!("Bien reçu {marker}")).await;
    assert!(!table.partition(&format!("CONV#{seeker_id}")).await.is_empty());

    let (status, _) = api.call(Method::DELETE, "/seekers/me", Some(&seeker), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(table.partition(&format!("CONV#{seeker_id}")).await.is_empty());
    assert!(connections_of(&table, &seeker_id).await.is_empty());
    assert!(table.items_mentioning(&marker).await.is_empty(), "no copy of a message anywhere");
    let (_, list) = api.get("/conversations", &advisor).await;
    assert!(list["items"].as_array().unwrap().iter().all(|r| r["seekerId"] != seeker_id.as_str()));
    // The erased seeker's open connection can no longer write; the advisor cannot either.
    let answer = phone.send_message(None, "after", "encore là ?").await;
    assert_eq!(answer["code"], "unknown_connection", "{answer}");
    desk.send(json!({"action": "sendMessage", "clientMessageId": "after", "seekerId": seeker_id, "text": "?"})).await;
    assert_eq!(desk.answer_to("after").await["code"], "not_found");
    assert!(table.partition(&format!("CONV#{seeker_id}")).await.is_empty());
    phone.close().await;
    desk.close().await;
}

#[tokio::test]
async fn the_management_api_answers_the_real_sdk_client() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (_, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut ws = Ws::connect(&seeker).await;
    let ids = connections_of(&table, &seeker_id).await;
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    // The client the chat function uses, configured from the environment as it is.
    let config = aws_config::load_from_env().await;
    let management = aws_sdk_apigatewaymanagement::Client::new(&config);

    let info = management.get_connection().connection_id(id).send().await.expect("GetConnection");
    let connected_at = info.connected_at().expect("ConnectedAt");
    assert!((chrono::Utc::now().timestamp() - connected_at.secs()).abs() < 300);
    assert_eq!(info.identity().and_then(|i| i.source_ip()), Some("127.0.0.1"));
    assert!(info.last_active_at().is_some());

    management
        .post_to_connection()
        .connection_id(id)
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(br#"{"type":"hello"}"#.to_vec()))
        .send()
        .await
        .expect("PostToConnection");
    assert_eq!(ws.next().await["type"], "hello");

    management.delete_connection().connection_id(id).send().await.expect("DeleteConnection");
    let closed = loop {
        match tokio::time::timeout(WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => break true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => break false,
        }
    };
    assert!(closed, "the client sees the connection closed");
    // $disconnect follows, and the connection is gone for the API.
    let left = poll_until(
        100,
        Duration::from_millis(50),
        || connections_of(&table, &seeker_id),
        |left: &Vec<String>| left.is_empty(),
    )
    .await;
    assert!(left.is_empty());
    let gone = management
        .post_to_connection()
        .connection_id(id)
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(b"x".to_vec()))
        .send()
        .await
        .expect_err("a closed connection");
    assert!(gone.as_service_error().is_some_and(|e| e.is_gone_exception()), "{gone:?}");
    let gone = management.get_connection().connection_id(id).send().await.expect_err("a closed connection");
    assert!(gone.as_service_error().is_some_and(|e| e.is_gone_exception()), "{gone:?}");
}

#[tokio::test]
async fn a_level_change_racing_a_chat_day_keeps_the_contact_and_its_due_date() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let mut desk = Ws::connect(&advisor).await;
    // The advisor's first message of the day records a contact while the level changes
    // (guided -> follow_up, same advisor): whichever commits first, the due date is the last
    // contact's plus the new level's 90 days, never one computed before the contact.
    for _ in 0..8 {
        let (_, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        let path = format!("/seekers/{seeker_id}/level");
        let level_change =
            api.call(Method::PUT, &path, Some(&advisor), Some(json!({"level": "follow_up", "reason": "autonome"})));
        let ((status, body), _) =
            futures::join!(level_change, desk.say(Some(&seeker_id), "Bonjour, où en êtes-vous ?"));
        assert_eq!(status, StatusCode::OK, "{body}");
        let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
        assert_eq!(attr_text(&profile, "level"), Some("follow_up"));
        let last = integration_tests::parse_instant(attr_text(&profile, "lastContactAt").expect("the chat day"));
        let due = integration_tests::parse_instant(attr_text(&profile, "nextContactDue").unwrap());
        assert_eq!(due, last + chrono::Duration::days(90), "due date from the contact made meanwhile");
    }
    desk.close().await;
}

/// The per-user limit of `typing` and of `markRead` frames the gateway runs with (product default 60).
fn signal_limit() -> usize {
    std::env::var("CHAT_SIGNALS_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(60)
}

/// Frames of `kind` arriving on `ws` until it is quiet for 3 seconds.
async fn drain(ws: &mut Ws, kind: &str) -> Vec<Value> {
    let mut found = Vec::new();
    while let Some(frame) = ws.next_within(Duration::from_secs(3)).await {
        if frame["type"] == kind {
            found.push(frame);
        }
    }
    found
}

/// A flood of `typing` (each an invocation, reads and a push) and of `markRead` frames is
/// refused past the per-user limit with `rate_limited` error frames; below it, typing is
/// relayed, and messages (their own counter) still go through on the same connection.
#[tokio::test]
async fn a_flood_of_typing_or_read_frames_is_refused_past_the_limit_and_the_rest_works() {
    let _load = integration_tests::exclusive_load().await;
    let limit = signal_limit();
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, _) = api.advisor_with_seeker(&admin).await;
    let mut desk = Ws::connect(&advisor).await;
    let mut phone = Ws::connect(&seeker).await;
    let message = phone.say(None, "avant").await;
    drain(&mut desk, "message").await;

    // Twice the limit and more: whichever minute boundary falls inside, one minute goes over.
    let total = 2 * limit + 2;
    for _ in 0..total {
        phone.send(json!({"action": "typing"})).await;
    }
    let refused = drain(&mut phone, "error").await;
    assert!(!refused.is_empty(), "typing frames over the limit are refused");
    assert!(refused.iter().all(|f| f["code"] == "rate_limited"), "{refused:?}");
    let relayed = drain(&mut desk, "typing").await;
    assert!(!relayed.is_empty(), "typing below the limit is relayed");
    assert_eq!(relayed.len() + refused.len(), total, "each frame relayed or refused");

    for _ in 0..total {
        phone.send(json!({"action": "markRead", "upTo": message["id"]})).await;
    }
    let refused = drain(&mut phone, "error").await;
    assert!(!refused.is_empty(), "read frames over the limit are refused");
    assert!(refused.iter().all(|f| f["code"] == "rate_limited"), "{refused:?}");
    assert!(refused.len() <= total - limit, "at least {limit} read frames were taken: {}", refused.len());

    // Messages are counted apart: the connection still works.
    phone.say(None, "après").await;
    phone.close().await;
    desk.close().await;
}

/// A short-lived token from the local sign-in for `who`.
async fn short_token(api: &Api, who: &Person, groups: &[&str], seconds: i64) -> Person {
    let response = api
        .http
        .post(format!("{}/_local/token", api.base))
        .json(&json!({"sub": who.sub, "email": who.email(), "groups": groups, "expiresInSeconds": seconds}))
        .send()
        .await
        .expect("gateway reachable");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token json");
    Person { sub: who.sub.clone(), token: body["token"].as_str().expect("token").to_owned() }
}

/// After `ws` refused a frame as `session_expired`, the server closes the connection.
async fn closed_by_server(ws: &mut Ws) -> bool {
    loop {
        match tokio::time::timeout(WAIT, ws.stream.next()).await {
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}

/// A connection keeps no role past its sign-in: once the token given at `$connect` has
/// expired, a frame is refused (`session_expired`, nothing stored) and the connection closed;
/// before the expiry, the same connection works. A fresh token reconnects.
#[tokio::test]
async fn a_frame_after_the_token_expired_is_refused_and_the_connection_closed() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let lifetime = 10;
    let expires = std::time::Instant::now() + Duration::from_secs(lifetime);
    let short = short_token(&api, &seeker, &[], lifetime as i64).await;
    let mut phone = Ws::connect(&short).await;
    phone.say(None, "avant l'expiration").await;

    // `exp` is in whole seconds: wait past it, with a second to spare.
    tokio::time::sleep(expires.saturating_duration_since(std::time::Instant::now()) + Duration::from_secs(1)).await;
    let answer = phone.send_message(None, "after-expiry", "après l'expiration").await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(answer["code"], "session_expired", "{answer}");
    assert!(closed_by_server(&mut phone).await, "the expired connection is closed");
    let stored = texts(&history(&api, &seeker, &seeker_id).await);
    assert_eq!(stored, vec!["avant l'expiration".to_owned()], "nothing stored after the expiry");

    // Signed in again: a new connection works.
    let mut again = Ws::connect(&seeker).await;
    again.say(None, "reconnecté").await;
    again.close().await;
}

/// An advisor removed from the service (their identity item gone) loses their open connection's
/// role at the next frame; the twin, an advisor still in place, keeps writing.
#[tokio::test]
async fn an_advisor_removed_while_connected_cannot_write_on_the_open_connection() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, _, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (kept, _, _, kept_seeker_id) = api.advisor_with_seeker(&admin).await;
    let mut desk = Ws::connect(&advisor).await;
    let mut kept_desk = Ws::connect(&kept).await;
    desk.say(Some(&seeker_id), "bonjour").await;

    table
        .client
        .delete_item()
        .table_name(&table.name)
        .key("pk", AttributeValue::S(format!("IDENTITY#{}", advisor.sub)))
        .key("sk", AttributeValue::S("IDENTITY".into()))
        .send()
        .await
        .expect("DeleteItem");
    let answer = desk.send_message(Some(&seeker_id), "removed", "encore là ?").await;
    assert_eq!(answer["code"], "session_expired", "{answer}");
    assert!(closed_by_server(&mut desk).await);
    kept_desk.say(Some(&kept_seeker_id), "toujours là").await;
    kept_desk.close().await;
}
