//! The functions the local gateway hosts, by their logical id in
//! `template.yaml`, each calling the same library handler its Lambda binary runs.

use anyhow::Result;
use aws_lambda_events::event::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, RequestExt, Response};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Functions {
    registration: registration::App,
    booking: booking::App,
    email_dispatch: email_dispatch::App,
    chat: chat::App,
    /// The three meetings functions share one library and one set of clients.
    meetings: meetings::App,
    links: booking::link_pages::App,
    reminders: reminders::App,
    /// The call routes and the SIP media application's handler share one library.
    calls: calls::App,
}

/// What the local stack tells the chat functions about its stand-in for Cognito.
pub struct LocalIdentity {
    pub issuer: String,
    pub audience: String,
    pub jwks_url: String,
}

impl Functions {
    pub async fn from_env(identity: &LocalIdentity) -> Result<Functions> {
        // In AWS these come from the template (the user pool's issuer and app client id).
        let chat_lookup = |key: &str| match key {
            "JWT_ISSUER" => Some(identity.issuer.clone()),
            "JWT_AUDIENCE" => Some(identity.audience.clone()),
            "JWKS_URL" => Some(identity.jwks_url.clone()),
            other => std::env::var(other).ok(),
        };
        Ok(Functions {
            registration: registration::App::from_env().await.map_err(|e| anyhow::anyhow!("registration: {e}"))?,
            booking: booking::App::from_env().await.map_err(|e| anyhow::anyhow!("booking: {e}"))?,
            email_dispatch: email_dispatch::App::from_env()
                .await
                .map_err(|e| anyhow::anyhow!("email-dispatch: {e}"))?,
            chat: chat::App::from_lookup(chat_lookup).await.map_err(|e| anyhow::anyhow!("chat: {e}"))?,
            meetings: meetings::App::from_env().await.map_err(|e| anyhow::anyhow!("meetings: {e}"))?,
            links: booking::link_pages::App::new(
                booking::App::from_env().await.map_err(|e| anyhow::anyhow!("links: {e}"))?,
            ),
            reminders: reminders::App::from_env().await.map_err(|e| anyhow::anyhow!("reminders: {e}"))?,
            calls: calls::App::from_env().await.map_err(|e| anyhow::anyhow!("calls: {e}"))?,
        })
    }

    /// Invokes an HTTP function as Lambda would: the request carries the invocation's context
    /// with its deadline, `timeout` (the function's `Timeout` in the template) from now, and an
    /// invocation still running then is stopped. `Err` (a failure or that timeout) is what API
    /// Gateway turns into a 500.
    pub async fn invoke_http(
        &self,
        function: &str,
        request: Request,
        timeout: Duration,
    ) -> Result<Response<Body>, lambda_http::Error> {
        let request = request.with_lambda_context(invocation_context(timeout));
        let invocation = async {
            match function {
                "RegistrationFunction" => registration::handle(&self.registration, request).await,
                "ChatHistoryFunction" => chat::handle_http(&self.chat, request).await,
                "BookingFunction" => booking::handle(&self.booking, request).await,
                "MeetingsFunction" => meetings::handle(&self.meetings, request).await,
                "LinksFunction" => booking::link_pages::handle(&self.links, request).await,
                "CallsFunction" => calls::handle(&self.calls, request).await,
                other => Err(format!("function {other} is not hosted").into()),
            }
        };
        tokio::time::timeout(timeout, invocation).await.unwrap_or_else(|_| Err(timed_out(timeout)))
    }

    /// Invokes a stream consumer with a batch; `deadline` is when Lambda would end the invocation.
    pub async fn invoke_stream(
        &self,
        function: &str,
        event: Event,
        deadline: DateTime<Utc>,
    ) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
        match function {
            "EmailDispatchFunction" => email_dispatch::handle(&self.email_dispatch, event, deadline).await,
            other => Err(format!("function {other} is not hosted").into()),
        }
    }

    /// Invokes a function with an EventBridge event (a rule's match or a schedule); its result as JSON,
    /// `Err` for a failed invocation (EventBridge would retry it).
    pub async fn invoke_event(
        &self,
        function: &str,
        event: EventBridgeEvent<serde_json::Value>,
        deadline: DateTime<Utc>,
    ) -> Result<serde_json::Value, lambda_runtime::Error> {
        let value = match function {
            "MeetingEventsFunction" => {
                serde_json::to_value(meetings::attendance::handle(&self.meetings, event).await?)?
            }
            "MeetingSweeperFunction" => serde_json::to_value(meetings::sweeper::handle(&self.meetings, event).await?)?,
            "AdvisorDigestFunction" => serde_json::to_value(reminders::handle_digest(&self.reminders, event).await?)?,
            "EmailSweepFunction" => {
                serde_json::to_value(email_dispatch::sweep::handle(&self.email_dispatch, event, deadline).await?)?
            }
            "CallSweeperFunction" => serde_json::to_value(calls::sweeper::handle(&self.calls, event).await?)?,
            "RetentionFunction" => {
                serde_json::to_value(registration::handle_retention(&self.registration, event).await?)?
            }
            other => return Err(format!("function {other} is not hosted").into()),
        };
        Ok(value)
    }

    /// Invokes a function from a state machine's Task with its `Payload`; its result as JSON,
    /// `Err` for a failed invocation (the Task's `Retry` applies).
    pub async fn invoke_task(
        &self,
        function: &str,
        payload: serde_json::Value,
    ) -> Result<serde_json::Value, lambda_runtime::Error> {
        match function {
            "RemindersFunction" => reminders::handle(&self.reminders, serde_json::from_value(payload)?).await,
            other => Err(format!("function {other} is not hosted").into()),
        }
    }

    /// Invokes the SIP media application's handler with a PSTN audio event; its answer.
    pub async fn invoke_sip_media_application(
        &self,
        event: serde_json::Value,
    ) -> Result<serde_json::Value, lambda_runtime::Error> {
        calls::handler::handle(&self.calls, event).await
    }

    /// Invokes a WebSocket route's function with an API Gateway WebSocket event, under the
    /// deadline `timeout` from now as [`Functions::invoke_http`].
    pub async fn invoke_websocket(
        &self,
        function: &str,
        event: ApiGatewayWebsocketProxyRequest,
        timeout: Duration,
    ) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
        let deadline = Some(Instant::now() + timeout);
        let invocation = async {
            match function {
                "ChatFunction" => chat::handle_websocket(&self.chat, event, deadline).await,
                other => Err(format!("function {other} is not hosted").into()),
            }
        };
        tokio::time::timeout(timeout, invocation).await.unwrap_or_else(|_| Err(timed_out(timeout)))
    }
}

/// How long the local gateway lets an invocation of a function whose template `Timeout` is
/// `timeout` run: that, times `LOCAL_TIMEOUT_SCALE` (default 1: AWS's deadlines). DynamoDB Local
/// answers tens of times slower than DynamoDB, so the test stack's concurrency races (hundreds
/// of transactions on one item) run with a larger scale; `make run` and the deadline tests keep 1.
pub fn local_timeout(timeout: Duration) -> Duration {
    static SCALE: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let scale = *SCALE.get_or_init(|| {
        std::env::var("LOCAL_TIMEOUT_SCALE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| *s >= 1.0)
            .unwrap_or(1.0)
    });
    timeout.mul_f64(scale)
}

/// The context Lambda hands an invocation: a request id and the deadline, `timeout` from now
/// (milliseconds since the epoch, as the runtime API's `Lambda-Runtime-Deadline-Ms`).
fn invocation_context(timeout: Duration) -> lambda_http::Context {
    let mut context = lambda_http::Context::default();
    context.request_id = ulid::Ulid::new().to_string();
    let deadline = SystemTime::now() + timeout;
    context.deadline = deadline.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as u64);
    context
}

/// What Lambda reports for an invocation stopped at its timeout.
fn timed_out(timeout: Duration) -> lambda_runtime::Error {
    format!("Task timed out after {:.2} seconds", timeout.as_secs_f64()).into()
}
