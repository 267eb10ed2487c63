//! Deadlines (issue 11, item 12): a request answers within its invocation's deadline. Lambda
//! stops an API function after its `Timeout` (10 s in template.yaml), and the local gateway
//! does the same, answering API Gateway's 500; a request whose commit cannot get through
//! answers the contract's 503 with `Retry-After` itself, before that, and has written nothing.

use std::time::{Duration, Instant};

use integration_tests::ws::Ws;
use integration_tests::{paris_at, regions, DynamoDbProxy, PrivateGateway};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The API functions' `Timeout` in template.yaml: the local gateway stops them there.
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);

/// A gateway of the test's own whose functions reach DynamoDB through `proxy`, with AWS's
/// timeouts (whatever `LOCAL_TIMEOUT_SCALE` the shared stack runs with).
/// The test holds `exclusive_load` meanwhile: with AWS's 10 s, its set-up would answer 503 beside
/// the suite's heaviest tests, which slow the shared DynamoDB Local far below DynamoDB.
async fn gateway_through(proxy: &DynamoDbProxy, suffix: &str) -> PrivateGateway {
    let environment = [("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint()), ("LOCAL_TIMEOUT_SCALE", "1".to_owned())];
    PrivateGateway::start_with(suffix, &environment).await
}

/// A booking whose transaction DynamoDB never answers (held by a proxy, reads still served)
/// answers 503 `unavailable` with `Retry-After` before the function's timeout (not the
/// gateway's 500 at the timeout), and nothing of it is written: the slot is still offered, the
/// seeker has no interview. Its working twin: the same booking once the commits go through.
#[tokio::test]
async fn a_booking_whose_commit_never_answers_gets_503_before_the_deadline_and_writes_nothing() {
    let _load = integration_tests::exclusive_load().await;
    let proxy = DynamoDbProxy::start().await;
    let stack = gateway_through(&proxy, "deadline").await;
    let api = stack.api();
    let admin = api.admin().await;
    let (advisor, _) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, _) = api.register_seeker(regions::SHARED).await;
    let slot_id = api.slot(&advisor, paris_at(5, 10, 0), 30, &["video"]).await;

    proxy.hold_transactions(true);
    let started = Instant::now();
    let response = api
        .http
        .post(format!("{}/interviews", api.base))
        .bearer_auth(&seeker.token)
        .json(&json!({"slotId": slot_id, "channel": "video"}))
        .send()
        .await
        .expect("the gateway answers");
    let took = started.elapsed();
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(proxy.held() >= 1, "the booking reached its commit");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body} after {took:?}");
    assert_eq!(body["error"]["code"], "unavailable", "the contract's error, not API Gateway's: {body}");
    assert!(retry_after.is_some_and(|s| s.parse::<u64>().is_ok()), "Retry-After in seconds");
    assert!(took < FUNCTION_TIMEOUT, "answered before the function's timeout: {took:?}");

    proxy.hold_transactions(false);
    let (status, slots) = api.get("/seekers/me/slots", &seeker).await;
    assert_eq!(status, StatusCode::OK, "{slots}");
    let offered = slots["items"].as_array().expect("items").iter().any(|s| s["slotId"] == slot_id.as_str());
    assert!(offered, "the slot is still free: {slots}");
    let (status, interviews) = api.get("/seekers/me/interviews", &seeker).await;
    assert_eq!(status, StatusCode::OK, "{interviews}");
    assert_eq!(interviews["items"], json!([]), "no interview was written");

    // The working twin: the same booking, the commits going through.
    let interview = api.book(&seeker, &slot_id, "video").await;
    assert_eq!(interview["status"], "booked", "{interview}");
    let (_, interviews) = api.get("/seekers/me/interviews", &seeker).await;
    assert_eq!(interviews["items"].as_array().map(Vec::len), Some(1), "{interviews}");
}

/// The WebSocket twin: a chat message whose transaction DynamoDB never answers gets the
/// `unavailable` error frame for its `clientMessageId` before the chat function's timeout (not
/// the gateway's "Internal server error" at it), and is not stored; sent again once the commits
/// go through, it is acknowledged, once.
#[tokio::test]
async fn a_chat_message_whose_commit_never_answers_gets_unavailable_before_the_deadline() {
    let _load = integration_tests::exclusive_load().await;
    let proxy = DynamoDbProxy::start().await;
    let stack = gateway_through(&proxy, "deadline-chat").await;
    let api = stack.api();
    let admin = api.admin().await;
    api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, registered) = api.register_seeker(regions::SHARED).await;
    let messages = format!("/conversations/{}/messages", registered["seekerId"].as_str().expect("seekerId"));
    let mut ws = Ws::try_connect_at(&stack.ws_url(), &format!("token={}", seeker.token))
        .await
        .unwrap_or_else(|status| panic!("connection refused with {status}"));

    proxy.hold_transactions(true);
    let started = Instant::now();
    ws.send(json!({"action": "sendMessage", "clientMessageId": "held-1", "text": "Bonjour"})).await;
    let answer = ws.next_within(FUNCTION_TIMEOUT + Duration::from_secs(5)).await.expect("an answer");
    let took = started.elapsed();
    assert!(proxy.held() >= 1, "the message reached its commit");
    assert_eq!(answer["type"], "error", "the relay's frame, not the gateway's: {answer} after {took:?}");
    assert_eq!(answer["code"], "unavailable", "{answer}");
    assert_eq!(answer["clientMessageId"], "held-1", "{answer}");
    assert!(took < FUNCTION_TIMEOUT, "answered before the function's timeout: {took:?}");

    proxy.hold_transactions(false);
    let (status, history) = api.get(&messages, &seeker).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["items"], json!([]), "nothing was stored");
    // The working twin: the same message again is stored and acknowledged.
    let ack = ws.send_message(None, "held-1", "Bonjour").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let (status, history) = api.get(&messages, &seeker).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1), "{history}");
}
