//! The chat functions (API.md "Chat"): the relay behind the API Gateway
//! WebSocket API (`$connect` with the token verified, `$disconnect`,
//! `sendMessage`, `markRead`, `typing`, `$default`) and the read-only history
//! behind the HTTP API (`GET /conversations`,
//! `GET /conversations/{seekerId}/messages`).
//!
//! Two Lambda functions are built from this crate because their triggers and
//! permissions differ: the relay writes and posts to connections, the history
//! only reads. Both entry points live here so the local gateway and the tests
//! run the very same handlers as the Lambda binaries.

mod app;
mod conversation;
pub mod frames;
mod history;
mod notice;
pub mod push;
pub mod records;
mod relay;
pub mod role;
pub mod token;
pub mod views;

use api::auth::Caller;
use api::http::route_key;
use api::ApiError;
use aws_lambda_events::encodings::Body as EventBody;
use aws_lambda_events::event::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use chrono::Utc;
use lambda_http::{Body, Request, Response};
use tracing::Instrument;

pub use app::{App, ChatConfig, ChatConfigError};

fn ws_response(status: u16, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = i64::from(status);
    response.body = body.map(EventBody::Text);
    response
}

/// Handles one API Gateway WebSocket event. For the message routes the body of the answer
/// is sent back on the connection (the routes have a `$default` route response).
/// `deadline` is the invocation's ([`api::deadline::of_context`]): the route's work stops in time
/// for its answer (a refused `$connect`, or the `unavailable` error frame).
pub async fn handle_websocket(
    app: &App,
    event: ApiGatewayWebsocketProxyRequest,
    deadline: Option<std::time::Instant>,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    let route = event.request_context.route_key.clone().unwrap_or_default();
    let connection = event.request_context.connection_id.clone().unwrap_or_default();
    // Connection ids are API Gateway's opaque ids: no personal data.
    let span = tracing::info_span!("websocket", route = %route, connection = %connection);
    // Boxed: the relay's nested handlers make a future type too deep to lay out inline.
    let response = Box::pin(
        async {
            let now = Utc::now();
            match route.as_str() {
                "$connect" => match api::deadline::within(deadline, relay::connect(app, &event, now)).await {
                    Ok(participant) => {
                        tracing::info!(role = participant.role.as_str(), "connected");
                        ws_response(200, None)
                    }
                    Err(error) => {
                        error.log();
                        // Refused: API Gateway answers the upgrade with this status.
                        let status = match &error {
                            ApiError::Unauthorized => 401,
                            e if e.status().is_client_error() => 403,
                            e => e.status().as_u16(),
                        };
                        ws_response(status, Some(error.body().to_string()))
                    }
                },
                "$disconnect" => {
                    if let Err(error) = api::deadline::within(deadline, push::forget(&app.store, &connection)).await {
                        error.log();
                    }
                    tracing::info!("disconnected");
                    ws_response(200, None)
                }
                _ => {
                    // An advisor's frame in a seeker's conversation is audited (api::audit).
                    let request_id = event.request_context.request_id.clone().unwrap_or_default();
                    let work = api::audit::scoped(&route, &request_id, async {
                        Ok(relay::message(app, &route, &event, now).await)
                    });
                    let answer = api::deadline::within(deadline, work).await.unwrap_or_else(|error| {
                        error.log();
                        Some(frames::error_frame(&error, None))
                    });
                    ws_response(200, answer.map(|frame| frame.to_json()))
                }
            }
        }
        .instrument(span),
    )
    .await;
    Ok(response)
}

/// Handles one HTTP API (payload 2.0) request of the history routes.
pub async fn handle_http(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    let route = route_key(&request);
    Ok(api::http::answer(&request, &route, dispatch_http(app, &route, &request)).await)
}

async fn dispatch_http(app: &App, route: &str, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    let now = Utc::now();
    match route {
        "GET /conversations" => history::conversations(app, &caller, request, now).await,
        "GET /conversations/{seekerId}/messages" => history::messages(app, &caller, request, now).await,
        _ => Err(ApiError::NotFound { code: "route_not_found", message: "no such route".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::Pusher;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn chat_settings_default_to_the_contract_and_refuse_nonsense() {
        let config = ChatConfig::from_lookup(&lookup(&[
            ("JWT_ISSUER", "https://cognito-idp.eu-west-3.amazonaws.com/pool/"),
            ("JWT_AUDIENCE", "client"),
        ]))
        .unwrap();
        assert_eq!(config.rate_limit_per_minute, 30);
        assert_eq!(config.signal_limit_per_minute, 60);
        assert_eq!(config.message_retention_days, 730);
        assert_eq!(config.token.jwks_url, "https://cognito-idp.eu-west-3.amazonaws.com/pool/.well-known/jwks.json");
        assert!(ChatConfig::from_lookup(&lookup(&[("JWT_AUDIENCE", "client")])).is_err());
        assert!(ChatConfig::from_lookup(&lookup(&[
            ("JWT_ISSUER", "https://issuer"),
            ("JWT_AUDIENCE", "client"),
            ("CHAT_RATE_LIMIT_PER_MINUTE", "0"),
        ]))
        .is_err());
    }

    async fn offline_app() -> App {
        // Nothing below reaches AWS: these routes answer before any call.
        App::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("SENDER_EMAIL", "s@example.fr"),
            ("JWT_ISSUER", "https://issuer"),
            ("JWT_AUDIENCE", "client"),
        ]))
        .await
        .unwrap()
    }

    /// An API Gateway WebSocket event as AWS sends it (aws-lambda-rust-runtime fixtures' shape).
    fn event(route: &str, event_type: &str, body: Option<&str>) -> ApiGatewayWebsocketProxyRequest {
        let mut value = serde_json::json!({
            "requestContext": {
                "routeKey": route, "eventType": event_type, "extendedRequestId": "x=",
                "requestTime": "09/Feb/2024:18:23:28 +0000", "messageDirection": "IN", "stage": "prod",
                "connectedAt": 1707503007396i64, "requestTimeEpoch": 1707503008941i64,
                "identity": {"sourceIp": "192.0.2.1"}, "requestId": "r=",
                "domainName": "abcd1234.execute-api.eu-west-3.amazonaws.com",
                "connectionId": "AAAA1234=", "apiId": "abcd1234"
            },
            "isBase64Encoded": false
        });
        if let Some(body) = body {
            value["body"] = serde_json::json!(body);
        }
        serde_json::from_value(value).unwrap()
    }

    fn frame_of(response: &ApiGatewayProxyResponse) -> serde_json::Value {
        match &response.body {
            Some(EventBody::Text(text)) => serde_json::from_str(text).unwrap(),
            other => panic!("text body expected, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn frames_that_reach_default_get_an_error_frame() {
        let app = offline_app().await;
        for (body, code) in [
            ("{\"action\": ", "invalid_json"),
            ("{\"text\": \"x\"}", "missing_action"),
            ("{\"action\": \"dance\"}", "unknown_action"),
        ] {
            let response = handle_websocket(&app, event("$default", "MESSAGE", Some(body)), None).await.unwrap();
            assert_eq!(response.status_code, 200);
            let frame = frame_of(&response);
            assert_eq!(frame["type"], "error");
            assert_eq!(frame["code"], code, "{body}");
        }
    }

    #[tokio::test]
    async fn a_connect_without_a_token_is_refused_with_401() {
        let app = offline_app().await;
        let response = handle_websocket(&app, event("$connect", "CONNECT", None), None).await.unwrap();
        assert_eq!(response.status_code, 401);
    }

    #[tokio::test]
    async fn a_frame_is_checked_before_anything_is_read() {
        let app = offline_app().await;
        let body = serde_json::json!({"action": "sendMessage", "clientMessageId": "c1", "text": " "}).to_string();
        let response = handle_websocket(&app, event("sendMessage", "MESSAGE", Some(&body)), None).await.unwrap();
        let frame = frame_of(&response);
        assert_eq!(frame["code"], "invalid_text");
        assert_eq!(frame["clientMessageId"], "c1");
    }

    #[test]
    fn pushes_go_to_the_events_api_unless_the_environment_names_an_endpoint() {
        let sdk = aws_types::SdkConfig::builder().behavior_version(aws_config::BehaviorVersion::latest()).build();
        let pusher = Pusher::new(&sdk);
        assert_eq!(
            pusher.endpoint_for(Some("abcd1234.execute-api.eu-west-3.amazonaws.com"), Some("prod")),
            Some("https://abcd1234.execute-api.eu-west-3.amazonaws.com/prod".to_owned())
        );
        let local = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .endpoint_url("http://127.0.0.1:3001/local")
            .build();
        assert_eq!(Pusher::new(&local).endpoint_for(Some("x"), Some("prod")), None);
    }
}
