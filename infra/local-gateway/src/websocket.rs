//! The WebSocket API of `template.yaml` and its management API, as API
//! Gateway serves them, on `WS_PORT`:
//!
//! - `GET /?token=…` (or `/<stage>?…`) upgrades after the `$connect` route's function
//!   accepted the connection (a non-2xx answer refuses the upgrade with that status);
//! - each frame is routed by the template's `RouteSelectionExpression`
//!   (`$request.body.<field>`, else `$default`) and delivered as an API Gateway
//!   WebSocket event, each in its own task as Lambda invocations are (no ordering
//!   between the frames of one connection); a route with a route response sends the
//!   function's answer back on the connection;
//! - frames over 32 KB or messages over 128 KB close the connection with 1009, an idle
//!   connection closes after 10 minutes and any connection after 2 hours, and
//!   `$disconnect` follows every close;
//! - `POST`, `GET`, `DELETE /@connections/{id}` (with or without the stage prefix) is the
//!   management API, in the wire format the AWS SDK's `ApiGatewayManagementApi` client
//!   speaks: 410 `GoneException` for a connection that is unknown or closed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use aws_lambda_events::event::apigw::ApiGatewayWebsocketProxyRequest;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use base64::Engine;
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::template::WebSocketApi;
use crate::Gateway;

/// The stage name in local events (the management endpoint is `http://127.0.0.1:<WS_PORT>/local`).
pub const STAGE: &str = "local";
const MAX_FRAME_BYTES: usize = 32 * 1024;
const MAX_MESSAGE_BYTES: usize = 128 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const MAX_DURATION: Duration = Duration::from_secs(2 * 3600);

/// One open connection, as the management API sees it.
struct Connection {
    outbound: mpsc::UnboundedSender<Message>,
    /// Wakes the reader when the management API deletes the connection.
    closed: Notify,
    connected_at: DateTime<Utc>,
    last_active: Mutex<DateTime<Utc>>,
    source_ip: String,
    user_agent: String,
}

pub struct WebSocketServer {
    gateway: Arc<Gateway>,
    api: WebSocketApi,
    domain: String,
    connections: Mutex<HashMap<String, Arc<Connection>>>,
}

impl WebSocketServer {
    fn connection(&self, id: &str) -> Option<Arc<Connection>> {
        self.connections.lock().ok()?.get(id).cloned()
    }
    fn remove(&self, id: &str) -> Option<Arc<Connection>> {
        self.connections.lock().ok()?.remove(id)
    }
}

/// Binds the WebSocket port (before the gateway says it is up).
pub async fn bind(port: u16) -> Result<tokio::net::TcpListener> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))
}

/// Serves the WebSocket API and its management API until the process stops.
pub async fn serve(gateway: Arc<Gateway>, api: WebSocketApi, listener: tokio::net::TcpListener) -> Result<()> {
    let domain = listener.local_addr()?.to_string();
    let server = Arc::new(WebSocketServer { gateway, api, domain, connections: Mutex::new(HashMap::new()) });
    let app = Router::new().fallback(entry).with_state(server);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
    Ok(())
}

/// A connection id shaped like API Gateway's (12 random bytes, base64url: 16 characters).
fn new_connection_id() -> String {
    let bytes = ulid::Ulid::new().0.to_be_bytes();
    URL_SAFE.encode(&bytes[4..])
}

fn aws_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/json"), ("x-amzn-errortype", error_type)],
        json!({"message": message}).to_string(),
    )
        .into_response()
}

/// `@connections/{id}` with or without a stage prefix (the SDK sends `@` as is; `%40` is
/// accepted too). Returns the decoded connection id.
fn management_target(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match segments.as_slice() {
        [marker, id] => (*marker, *id),
        [_stage, marker, id] => (*marker, *id),
        _ => return None,
    };
    let (marker, id) = rest;
    if (marker == "@connections" || marker.eq_ignore_ascii_case("%40connections")) && !id.is_empty() {
        Some(percent_decode(id))
    } else {
        None
    }
}

fn percent_decode(raw: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(&k.replace('+', " ")), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

async fn entry(
    State(server): State<Arc<WebSocketServer>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    if let Some(connection_id) = management_target(parts.uri.path()) {
        let body = match axum::body::to_bytes(body, MAX_MESSAGE_BYTES + 1).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return aws_error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException", "Request entity too large")
            }
        };
        return management(&server, &parts.method, &parts.headers, &connection_id, body).await;
    }
    let path = parts.uri.path();
    if !(path == "/" || path == format!("/{STAGE}")) || parts.method != Method::GET {
        return aws_error(StatusCode::FORBIDDEN, "ForbiddenException", "Forbidden");
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    connect(server, upgrade, parts.uri, parts.headers, peer).await
}

/// Runs `$connect`; upgrades only when its function answered 2xx.
async fn connect(
    server: Arc<WebSocketServer>,
    upgrade: WebSocketUpgrade,
    uri: Uri,
    headers: HeaderMap,
    peer: SocketAddr,
) -> Response {
    let Some(route) = server.api.route("$connect").cloned() else {
        return aws_error(StatusCode::FORBIDDEN, "ForbiddenException", "Forbidden");
    };
    let connection_id = new_connection_id();
    let connected_at = Utc::now();
    let user_agent = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let source_ip = peer.ip().to_string();
    let peer = Peer { connection_id: &connection_id, connected_at, source_ip: &source_ip, user_agent: &user_agent };
    let event = connect_event(&server, &peer, &uri, &headers);
    let status = match invoke(&server, &route.function, event).await {
        Some(response) => response.status_code,
        None => 500,
    };
    if !(200..300).contains(&status) {
        let status = u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        tracing::info!(status = status.as_u16(), "websocket connection refused by $connect");
        return aws_error(status, "ForbiddenException", status.canonical_reason().unwrap_or("Forbidden"));
    }
    upgrade
        .max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run_connection(server, socket, connection_id, connected_at, source_ip, user_agent))
}

async fn run_connection(
    server: Arc<WebSocketServer>,
    socket: WebSocket,
    connection_id: String,
    connected_at: DateTime<Utc>,
    source_ip: String,
    user_agent: String,
) {
    let (mut sink, mut stream) = socket.split();
    let (outbound, mut queue) = mpsc::unbounded_channel::<Message>();
    let connection = Arc::new(Connection {
        outbound,
        closed: Notify::new(),
        connected_at,
        last_active: Mutex::new(connected_at),
        source_ip,
        user_agent,
    });
    if let Ok(mut map) = server.connections.lock() {
        map.insert(connection_id.clone(), connection.clone());
    }
    // One writer per connection keeps the frames pushed to it in order.
    let writer = tokio::spawn(async move {
        while let Some(message) = queue.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let deadline = tokio::time::Instant::now() + MAX_DURATION;
    let (code, reason): (u16, String) = loop {
        let next = tokio::select! {
            next = tokio::time::timeout(IDLE_TIMEOUT, stream.next()) => next,
            () = tokio::time::sleep_until(deadline) => {
                close(&connection, 1001, "Going away");
                break (1001, "Connection duration exceeded".into());
            }
            () = connection.closed.notified() => {
                break (1000, "Connection closed by the management API".into());
            }
        };
        match next {
            Err(_) => {
                close(&connection, 1001, "Going away");
                break (1001, "Idle timeout".into());
            }
            Ok(None) => break (1006, "Connection lost without a close frame".into()),
            Ok(Some(Ok(message))) => {
                if let Ok(mut at) = connection.last_active.lock() {
                    *at = Utc::now();
                }
                match message {
                    Message::Text(text) => frame(&server, &connection_id, &connection, text.as_str().to_owned(), false),
                    Message::Binary(bytes) => {
                        frame(&server, &connection_id, &connection, STANDARD.encode(&bytes), true)
                    }
                    Message::Close(close_frame) => {
                        let (code, reason) = match close_frame {
                            Some(f) => (f.code, f.reason.as_str().to_owned()),
                            None => (1005, "Client-side close frame status not set".into()),
                        };
                        // Completes the closing handshake (1005 may not be sent on the wire).
                        close(&connection, if code == 1005 { 1000 } else { code }, "");
                        break (code, reason);
                    }
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            Ok(Some(Err(error))) => {
                let too_big = error
                    .into_inner()
                    .downcast::<tungstenite::Error>()
                    .is_ok_and(|e| matches!(*e, tungstenite::Error::Capacity(_)));
                if too_big {
                    close(&connection, 1009, "Message too big");
                    break (1009, "Message too big".into());
                }
                break (1006, "Connection lost".into());
            }
        }
    };
    server.remove(&connection_id);
    let peer = Peer {
        connection_id: &connection_id,
        connected_at,
        source_ip: &connection.source_ip,
        user_agent: &connection.user_agent,
    };
    let event = disconnect_event(&server, &peer, code, &reason);
    drop(connection);
    let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    if let Some(route) = server.api.route("$disconnect").cloned() {
        invoke(&server, &route.function, event).await;
    }
}

fn close(connection: &Connection, code: u16, reason: &str) {
    let _ = connection.outbound.send(Message::Close(Some(CloseFrame { code, reason: reason.into() })));
}

/// Routes one frame and answers on the connection when the route is two-way.
fn frame(
    server: &Arc<WebSocketServer>,
    connection_id: &str,
    connection: &Arc<Connection>,
    body: String,
    is_base64: bool,
) {
    let server = server.clone();
    let connection = connection.clone();
    let connection_id = connection_id.to_owned();
    tokio::spawn(async move {
        let key = if is_base64 { "$default".to_owned() } else { server.api.select(&body).to_owned() };
        let request_id = ulid::Ulid::new().to_string();
        let Some(route) = server.api.route(&key).cloned() else {
            // No $default route: API Gateway answers this frame itself.
            let _ = connection.outbound.send(Message::text(
                json!({"message": "Forbidden", "connectionId": connection_id, "requestId": request_id}).to_string(),
            ));
            return;
        };
        let peer = Peer {
            connection_id: &connection_id,
            connected_at: connection.connected_at,
            source_ip: &connection.source_ip,
            user_agent: &connection.user_agent,
        };
        let event = message_event(&server, &peer, &key, &request_id, body, is_base64);
        match invoke(&server, &route.function, event).await {
            Some(response) if route.two_way => {
                let text = match response.body {
                    Some(aws_lambda_events::encodings::Body::Text(text)) => text,
                    Some(aws_lambda_events::encodings::Body::Binary(bytes)) => {
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                    _ => String::new(),
                };
                if !text.is_empty() {
                    let _ = connection.outbound.send(Message::text(text));
                }
            }
            Some(_) => {}
            None => {
                let _ = connection.outbound.send(Message::text(
                    json!({"message": "Internal server error", "connectionId": connection_id, "requestId": request_id})
                        .to_string(),
                ));
            }
        }
    });
}

/// Calls the function; `None` when it failed (API Gateway then answers an internal error).
async fn invoke(
    server: &WebSocketServer,
    function: &str,
    event: Value,
) -> Option<aws_lambda_events::event::apigw::ApiGatewayProxyResponse> {
    // The event goes through the same deserialisation the Lambda runtime applies.
    let event: ApiGatewayWebsocketProxyRequest = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(error) => {
            tracing::error!(%error, "websocket event did not convert");
            return None;
        }
    };
    let timeout = crate::functions::local_timeout(server.gateway.template.timeout_of(function));
    match server.gateway.functions.invoke_websocket(function, event, timeout).await {
        Ok(response) => Some(response),
        Err(error) => {
            tracing::error!(%function, %error, "websocket function failed");
            None
        }
    }
}

fn request_time(now: DateTime<Utc>) -> String {
    now.format("%d/%b/%Y:%H:%M:%S %z").to_string()
}

/// Who is at the other end of a connection, as API Gateway reports it.
struct Peer<'a> {
    connection_id: &'a str,
    connected_at: DateTime<Utc>,
    source_ip: &'a str,
    user_agent: &'a str,
}

fn base_context(
    server: &WebSocketServer,
    peer: &Peer<'_>,
    route_key: &str,
    event_type: &str,
    request_id: &str,
) -> Value {
    let now = Utc::now();
    let Peer { connection_id, connected_at, source_ip, user_agent } = peer;
    json!({
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": request_time(now),
        "messageDirection": "IN",
        "stage": STAGE,
        "connectedAt": connected_at.timestamp_millis(),
        "requestTimeEpoch": now.timestamp_millis(),
        "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        "requestId": request_id,
        "domainName": server.domain,
        "connectionId": connection_id,
        "apiId": "local",
    })
}

/// The `$connect` event: headers and query string of the upgrade request.
fn connect_event(server: &WebSocketServer, peer: &Peer<'_>, uri: &Uri, headers: &HeaderMap) -> Value {
    let request_id = ulid::Ulid::new().to_string();
    let context = base_context(server, peer, "$connect", "CONNECT", &request_id);
    let mut single: HashMap<String, String> = HashMap::new();
    let mut multi: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        single.insert(name.as_str().to_owned(), value.clone());
        multi.entry(name.as_str().to_owned()).or_default().push(value);
    }
    let mut event = json!({
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": context,
        "isBase64Encoded": false,
    });
    let pairs = query_pairs(uri.query().unwrap_or(""));
    if !pairs.is_empty() {
        let mut single: HashMap<String, String> = HashMap::new();
        let mut multi: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            single.insert(k.clone(), v.clone());
            multi.entry(k).or_default().push(v);
        }
        event["queryStringParameters"] = json!(single);
        event["multiValueQueryStringParameters"] = json!(multi);
    }
    event
}

fn message_event(
    server: &WebSocketServer,
    peer: &Peer<'_>,
    route_key: &str,
    request_id: &str,
    body: String,
    is_base64: bool,
) -> Value {
    let mut context = base_context(server, peer, route_key, "MESSAGE", request_id);
    context["messageId"] = json!(ulid::Ulid::new().to_string());
    json!({"requestContext": context, "body": body, "isBase64Encoded": is_base64})
}

fn disconnect_event(server: &WebSocketServer, peer: &Peer<'_>, code: u16, reason: &str) -> Value {
    let request_id = ulid::Ulid::new().to_string();
    let mut context = base_context(server, peer, "$disconnect", "DISCONNECT", &request_id);
    context["disconnectStatusCode"] = json!(code);
    context["disconnectReason"] = json!(reason);
    json!({
        "headers": {"Host": server.domain},
        "multiValueHeaders": {"Host": [server.domain]},
        "requestContext": context,
        "isBase64Encoded": false,
    })
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The management API: `PostToConnection`, `GetConnection`, `DeleteConnection`.
async fn management(
    server: &WebSocketServer,
    method: &Method,
    headers: &HeaderMap,
    connection_id: &str,
    body: Bytes,
) -> Response {
    // The real API takes only SigV4-signed calls; the signature itself is not checked here.
    let signed =
        headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"));
    if !signed {
        return aws_error(StatusCode::FORBIDDEN, "ForbiddenException", "Missing Authentication Token");
    }
    let gone = || aws_error(StatusCode::GONE, "GoneException", "");
    match *method {
        Method::POST => {
            if body.len() > MAX_MESSAGE_BYTES {
                return aws_error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PayloadTooLargeException",
                    "Request entity too large",
                );
            }
            let Some(connection) = server.connection(connection_id) else {
                return gone();
            };
            let message = match String::from_utf8(body.to_vec()) {
                Ok(text) => Message::text(text),
                Err(_) => Message::binary(body),
            };
            if connection.outbound.send(message).is_err() {
                return gone();
            }
            StatusCode::OK.into_response()
        }
        Method::GET => {
            let Some(connection) = server.connection(connection_id) else {
                return gone();
            };
            let last_active = connection.last_active.lock().map(|at| *at).unwrap_or(connection.connected_at);
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                // The wire names of the service model (camelCase), as the SDK reads them.
                json!({
                    "connectedAt": timestamp(connection.connected_at),
                    "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                    "lastActiveAt": timestamp(last_active),
                })
                .to_string(),
            )
                .into_response()
        }
        Method::DELETE => {
            let Some(connection) = server.remove(connection_id) else {
                return gone();
            };
            close(&connection, 1000, "");
            connection.closed.notify_one();
            StatusCode::NO_CONTENT.into_response()
        }
        _ => aws_error(StatusCode::FORBIDDEN, "ForbiddenException", "Forbidden"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_paths_are_recognised_with_or_without_stage() {
        assert_eq!(management_target("/@connections/abc%3D").as_deref(), Some("abc="));
        assert_eq!(management_target("/local/@connections/abc").as_deref(), Some("abc"));
        assert_eq!(management_target("/local/%40connections/x").as_deref(), Some("x"));
        assert!(management_target("/").is_none());
        assert!(management_target("/local").is_none());
        assert!(management_target("/@connections/").is_none());
    }

    #[test]
    fn connection_ids_look_like_api_gateway_ones() {
        let id = new_connection_id();
        assert_eq!(id.len(), 16);
        assert_ne!(id, new_connection_id());
    }
}
