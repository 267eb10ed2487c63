//! The local gateway: API Gateway (HTTP API with its JWT authorizer, WebSocket
//! API with its management API), the stream event source mappings and local
//! sign-in, in front of the real function handlers, DynamoDB Local and moto.
//! Everything on 127.0.0.1.

mod chime;
mod emails;
mod functions;
mod hosted;
mod http_api;
mod jwt;
mod local_only;
mod scheduler;
mod state_machine;
mod streams;
mod table;
mod template;
mod voice;
mod websocket;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::functions::{Functions, LocalIdentity};
use crate::jwt::Signer;
use crate::template::Template;

pub struct Gateway {
    pub template: Template,
    pub signer: Signer,
    pub functions: Functions,
    pub http: reqwest::Client,
    pub moto_url: String,
    /// The Chime SDK Meetings emulator's state (served on CHIME_PORT).
    pub chime: chime::Emulator,
    /// The PSTN audio emulator's state (its control API on CHIME_PORT too).
    pub voice: voice::Emulator,
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
}

// Worker threads with Lambda's 8 MiB stack (tokio's default is 2 MiB): the gateway polls the
// handlers on its workers, where Lambda polls one on the runtime's own thread.
fn main() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(8 * 1024 * 1024)
        .enable_all()
        .build()?
        .block_on(serve())
}

async fn serve() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,aws_config=warn".into()),
        )
        .with_target(false)
        .compact()
        .init();

    let http_port: u16 = env_or("HTTP_PORT", "3000").parse().context("HTTP_PORT")?;
    let ws_port: u16 = env_or("WS_PORT", "3001").parse().context("WS_PORT")?;
    let chime_port: u16 = env_or("CHIME_PORT", "3002").parse().context("CHIME_PORT")?;
    let template_path = env_or("TEMPLATE_PATH", "template.yaml");
    let mut template = Template::load(&template_path)?;
    let pstn_template = env_or("PSTN_TEMPLATE_PATH", "infra/pstn-audio.yaml");
    let pstn_text = std::fs::read_to_string(&pstn_template).with_context(|| format!("reading {pstn_template}"))?;
    template.pstn_audio_handlers = template::pstn_audio_handlers(&pstn_text)?;
    hosted::check(&template)?;

    let table_name = std::env::var("TABLE_NAME").context("TABLE_NAME is not set")?;
    let sender = std::env::var("SENDER_EMAIL").context("SENDER_EMAIL is not set")?;
    let moto_url = std::env::var("AWS_ENDPOINT_URL_SES").context("AWS_ENDPOINT_URL_SES is not set")?;
    let sdk = aws_config::load_from_env().await;
    let stream_arn = table::ensure(&aws_sdk_dynamodb::Client::new(&sdk), &table_name, &template.table).await?;
    // SES refuses mail from an unverified sender, as in the SES sandbox.
    aws_sdk_ses::Client::new(&sdk)
        .verify_email_identity()
        .email_address(&sender)
        .send()
        .await
        .context("verifying the sender identity in the local SES")?;

    let key_path = PathBuf::from(env_or("LOCAL_JWT_KEY", ".local/jwt-signing-key.der"));
    let issuer = format!("http://127.0.0.1:{http_port}/_local");
    let signer = Signer::load_or_create(&key_path, issuer)?;
    if template.websocket.is_some() {
        // The chat function posts to connections with the real SDK client, whose endpoint comes
        // from the standard environment; without it, it would aim at https://<domain>/<stage>.
        let wanted = format!("http://127.0.0.1:{ws_port}/{}", websocket::STAGE);
        match std::env::var("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI") {
            Ok(url) if url.trim_end_matches('/') == wanted => {}
            Ok(url) => tracing::warn!(%url, %wanted, "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI does not point at this gateway's management API"),
            Err(_) => anyhow::bail!(
                "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI is not set; the local stack sets it to {wanted} (infra/local/lib.sh)"
            ),
        }
    }
    let identity = LocalIdentity {
        issuer: signer.issuer.clone(),
        audience: jwt::AUDIENCE.to_owned(),
        jwks_url: format!("http://127.0.0.1:{http_port}/_local/jwks.json"),
    };
    let functions = Functions::from_env(&identity).await?;
    let gateway = Arc::new(Gateway {
        template,
        signer,
        functions,
        http: reqwest::Client::new(),
        moto_url,
        chime: chime::Emulator::default(),
        voice: voice::Emulator::from_env(),
    });

    let streams_api = streams::StreamsApi {
        http: reqwest::Client::new(),
        endpoint: std::env::var("AWS_ENDPOINT_URL_DYNAMODB").context("AWS_ENDPOINT_URL_DYNAMODB is not set")?,
        region: env_or("AWS_REGION", "eu-west-3"),
    };
    tokio::spawn(streams::run(gateway.clone(), streams_api, stream_arn));
    // LOCAL_SCHEDULER=off leaves scheduled functions to POST /_local/schedule/{name} only.
    if env_or("LOCAL_SCHEDULER", "on") != "off" {
        tokio::spawn(scheduler::run(gateway.clone()));
    }

    let app = Router::new()
        .route("/_local/token", post(issue_token))
        .route("/_local/jwks.json", get(jwks))
        .route("/_local/emails", get(list_emails))
        .route("/_local/sms", get(list_sms))
        .route("/_local/schedule/{function}", post(run_schedule))
        .route("/_local/health", get(|| async { "ok" }))
        .fallback(api)
        .with_state(gateway.clone())
        .merge(chime::control_router(gateway.clone()))
        .merge(voice::control_router(gateway.clone()))
        .layer(axum::middleware::from_fn(local_only::loopback_host_only));

    // The Chime SDK Meetings emulator, where AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS points.
    let chime_address = SocketAddr::from(([127, 0, 0, 1], chime_port));
    let chime_listener =
        tokio::net::TcpListener::bind(chime_address).await.with_context(|| format!("binding {chime_address}"))?;
    let chime_api = chime::api_router(gateway.clone()).merge(voice::api_router(gateway.clone()));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(chime_listener, chime_api).await {
            tracing::error!(error = %e, "the Chime emulator stopped");
        }
    });

    let address = SocketAddr::from(([127, 0, 0, 1], http_port));
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    println!("Local HTTP API on http://{address} (table {table_name}, sender {sender})");
    for route in &gateway.template.routes {
        println!(
            "  {:<7} {:<40} -> {}{}",
            route.method,
            route.path,
            route.function,
            if route.authorized { "" } else { " (public)" }
        );
    }
    println!("  POST    /_local/token                            -> local sign-in (stands in for Cognito)");
    println!("  GET     /_local/jwks.json                        -> the local signing key");
    println!("  GET     /_local/emails                           -> mail received by the local SES");
    println!("  GET     /_local/sms                              -> SMS published to the local SNS (moto)");
    println!(
        "  POST    /_local/schedule/{{function}}               -> run a scheduled function now, or at {{\"time\"}}"
    );
    println!("  *       /_local/chime/...                        -> Chime emulator control (faults, media join/leave)");
    println!("  GET     /_local/phones/{{number}}                     -> what a simulated phone saw and heard");
    println!("  POST    /_local/phones/{{number}}/{{answer|refuse|busy|hang-up}} -> act on its call");
    println!("  GET|POST /_local/voice/calls/{{transactionId}}[/redeliver] -> a call's handler events");
    println!("Chime SDK Meetings emulator on http://{chime_address} (no media)");
    println!(
        "Chime SDK Voice (PSTN audio) emulator on http://{chime_address}: SIP media application {}, handler {}",
        gateway.voice.sip_media_application_id(),
        gateway.template.pstn_audio_handlers.join(", ")
    );
    for schedule in &gateway.template.schedules {
        println!("  schedule {:<39} -> {} ({})", schedule.expression, schedule.function, schedule.binary);
    }
    for rule in &gateway.template.rules {
        println!("  rule    {:<40} -> {}", rule.pattern["source"], rule.function);
    }
    if let Some(api) = &gateway.template.websocket {
        println!(
            "Local WebSocket API on ws://127.0.0.1:{ws_port}/?token=<JWT> (routes by \"{}\")",
            api.selection_field
        );
        for route in &api.routes {
            println!(
                "  ws      {:<40} -> {}{}",
                route.key,
                route.function,
                if route.two_way { " (answers on the connection)" } else { "" }
            );
        }
        println!(
            "  POST|GET|DELETE /{}/@connections/{{id}}          -> management API (PostToConnection, ...)",
            websocket::STAGE
        );
        let server = websocket::serve(gateway.clone(), api.clone(), websocket::bind(ws_port).await?);
        tokio::spawn(async move {
            if let Err(error) = server.await {
                tracing::error!(%error, "WebSocket API stopped");
                std::process::exit(1);
            }
        });
    }
    for stream in &gateway.template.streams {
        println!(
            "  stream  table stream                             -> {} (batch {})",
            stream.function, stream.batch_size
        );
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn api(
    State(gateway): State<Arc<Gateway>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    http_api::serve(&gateway, method, uri, headers, body).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    /// Whether the token says `email` is verified (`email_verified`), as Cognito does once
    /// the address is confirmed; true unless told otherwise, to test an unverified address.
    #[serde(default = "verified_by_default", rename = "emailVerified")]
    email_verified: bool,
    /// A shorter lifetime than the default 12 hours (1 to 43,200 seconds), to test expiry.
    #[serde(default, rename = "expiresInSeconds")]
    expires_in_seconds: Option<i64>,
}

fn verified_by_default() -> bool {
    true
}

async fn issue_token(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    let request: TokenRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": {"code": "invalid_body", "message": e.to_string()}})),
            )
                .into_response()
        }
    };
    if request.sub.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "invalid_sub", "message": "sub is required"}})),
        )
            .into_response();
    }
    let lifetime = request.expires_in_seconds.unwrap_or(jwt::TOKEN_LIFETIME_SECONDS);
    if !(1..=jwt::TOKEN_LIFETIME_SECONDS).contains(&lifetime) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": "invalid_lifetime", "message": "expiresInSeconds must be 1 to 43200"}})),
        )
            .into_response();
    }
    match gateway.signer.issue(
        &request.sub,
        request.email.as_deref(),
        request.email_verified,
        &request.groups,
        lifetime,
    ) {
        Ok(token) => Json(json!({"token": token})).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn jwks(State(gateway): State<Arc<Gateway>>) -> Response {
    Json(gateway.signer.jwks()).into_response()
}

#[derive(Deserialize)]
struct EmailQuery {
    to: Option<String>,
}

async fn list_emails(State(gateway): State<Arc<Gateway>>, Query(query): Query<EmailQuery>) -> Response {
    match emails::list(&gateway.http, &gateway.moto_url, query.to.as_deref()).await {
        Ok(items) => Json(json!({"items": items})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"code": "ses_unavailable", "message": e.to_string()}})),
        )
            .into_response(),
    }
}

async fn list_sms(State(gateway): State<Arc<Gateway>>, Query(query): Query<EmailQuery>) -> Response {
    match emails::list_sms(&gateway.http, &gateway.moto_url, query.to.as_deref()).await {
        Ok(items) => Json(json!({"items": items})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"code": "sns_unavailable", "message": e.to_string()}})),
        )
            .into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScheduleRequest {
    #[serde(default)]
    time: Option<String>,
}

fn local_error(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `POST /_local/schedule/{function}`: the scheduled event AWS would deliver, at `time` (default now).
async fn run_schedule(State(gateway): State<Arc<Gateway>>, Path(function): Path<String>, body: Bytes) -> Response {
    let request: ScheduleRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ScheduleRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return local_error(StatusCode::BAD_REQUEST, "invalid_body", e.to_string()),
        }
    };
    let time = match request.time.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
        None => chrono::Utc::now(),
        Some(Ok(t)) => t.with_timezone(&chrono::Utc),
        Some(Err(_)) => {
            return local_error(StatusCode::BAD_REQUEST, "invalid_time", "time must be an RFC 3339 instant".into())
        }
    };
    let Some(schedule) =
        gateway.template.schedules.iter().find(|s| s.binary == function || s.function == function).cloned()
    else {
        return local_error(StatusCode::NOT_FOUND, "no_such_schedule", format!("no scheduled function {function}"));
    };
    match scheduler::fire(&gateway, &schedule, time).await {
        Ok(result) => Json(result).into_response(),
        // What Lambda reports for a failed asynchronous invocation (EventBridge would retry).
        Err(e) => local_error(StatusCode::INTERNAL_SERVER_ERROR, "function_error", e.to_string()),
    }
}
