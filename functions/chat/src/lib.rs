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

mod conversation;
pub mod frames;
mod history;
mod notice;
pub mod push;
pub mod records;
mod relay;
pub mod token;
mod tx;

use aws_lambda_events::encodings::Body as EventBody;
use aws_lambda_events::event::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use chrono::Utc;
use common::auth::Caller;
use common::config::Config;
use common::http::{respond, route_key};
use common::store::Store;
use common::ApiError;
use lambda_http::{Body, Request, Response};
use tracing::Instrument;

use crate::push::Pusher;
use crate::token::{TokenSettings, TokenVerifier};

/// Chat settings from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatConfig {
    /// Messages a user may send in one minute (API contract: 30).
    pub rate_limit_per_minute: u32,
    /// How long messages are kept (GDPR: bounded retention; default 24 months).
    pub message_retention_days: u32,
    pub token: TokenSettings,
}

impl ChatConfig {
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
    ) -> Result<ChatConfig, ChatConfigError> {
        let positive = |key: &str, default: u32| -> Result<u32, ChatConfigError> {
            match lookup(key).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d > 0)
                    .ok_or_else(|| config_error(format!("{key} must be a positive number"))),
            }
        };
        let required = |key: &str| {
            lookup(key)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| config_error(format!("{key} is not set")))
        };
        let issuer = required("JWT_ISSUER")?.trim_end_matches('/').to_owned();
        let jwks_url = lookup("JWKS_URL")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
        Ok(ChatConfig {
            rate_limit_per_minute: positive("CHAT_RATE_LIMIT_PER_MINUTE", 30)?,
            message_retention_days: positive("CHAT_RETENTION_DAYS", 730)?,
            token: TokenSettings {
                issuer,
                audience: required("JWT_AUDIENCE")?,
                jwks_url,
            },
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ChatConfigError(String);

fn config_error(message: String) -> ChatConfigError {
    ChatConfigError(message)
}

/// What the handlers need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub chat: ChatConfig,
    pub push: Pusher,
    pub tokens: TokenVerifier,
}

impl App {
    pub async fn from_env() -> Result<App, lambda_runtime::Error> {
        App::from_lookup(|key| std::env::var(key).ok()).await
    }

    /// Builds the app from `lookup` (the local gateway passes its own JWT settings this way).
    pub async fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<App, lambda_runtime::Error> {
        let config = Config::from_lookup(&lookup)?;
        let chat = ChatConfig::from_lookup(&lookup)?;
        let sdk = aws_config::load_from_env().await;
        Ok(App {
            store: Store::new(
                aws_sdk_dynamodb::Client::new(&sdk),
                config.table_name.clone(),
            ),
            push: Pusher::new(&sdk),
            tokens: TokenVerifier::new(chat.token.clone()),
            config,
            chat,
        })
    }
}

fn ws_response(status: u16, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = i64::from(status);
    response.body = body.map(EventBody::Text);
    response
}

/// Handles one API Gateway WebSocket event. For the message routes the body of the answer
/// is sent back on the connection (the routes have a `$default` route response).
pub async fn handle_websocket(
    app: &App,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    let route = event.request_context.route_key.clone().unwrap_or_default();
    let connection = event
        .request_context
        .connection_id
        .clone()
        .unwrap_or_default();
    // Connection ids are API Gateway's opaque ids: no personal data.
    let span = tracing::info_span!("websocket", route = %route, connection = %connection);
    // Boxed: the relay's nested handlers make a future type too deep to lay out inline.
    let response = Box::pin(
        async {
            let now = Utc::now();
            match route.as_str() {
                "$connect" => match relay::connect(app, &event, now).await {
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
                    if let Err(error) = push::forget(&app.store, &connection).await {
                        error.log();
                    }
                    tracing::info!("disconnected");
                    ws_response(200, None)
                }
                _ => {
                    let answer = relay::message(app, &route, &event, now).await;
                    ws_response(200, answer.map(|frame| frame.to_string()))
                }
            }
        }
        .instrument(span),
    )
    .await;
    Ok(response)
}

/// Handles one HTTP API (payload 2.0) request of the history routes.
pub async fn handle_http(
    app: &App,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    let route = route_key(&request);
    let span = tracing::info_span!("request", route = %route);
    let response = async {
        let response = respond(dispatch_http(app, &route, &request).await);
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await;
    Ok(response)
}

async fn dispatch_http(
    app: &App,
    route: &str,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    let now = Utc::now();
    match route {
        "GET /conversations" => history::conversations(app, &caller, request, now).await,
        "GET /conversations/{seekerId}/messages" => {
            history::messages(app, &caller, request, now).await
        }
        _ => Err(ApiError::NotFound {
            code: "route_not_found",
            message: "no such route".into(),
        }),
    }
}
