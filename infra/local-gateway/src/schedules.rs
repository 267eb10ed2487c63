//! Scheduled functions (EventBridge `Schedule` events in the template): fired
//! on their `rate(...)` locally, and on demand with
//! `POST /_local/schedule/{functionName}` and an optional `{"time": "<RFC 3339>"}`,
//! which delivers the same scheduled event AWS would, with that `time`.

use std::sync::Arc;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::Gateway;

/// The event EventBridge Scheduler / a schedule rule delivers.
pub fn scheduled_event(function: &str, time: DateTime<Utc>) -> EventBridgeEvent<Value> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into());
    let value = json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string().to_lowercase(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": region,
        "resources": [format!("arn:aws:events:{region}:000000000000:rule/{function}")],
        "detail": {},
    });
    serde_json::from_value(value).unwrap_or_default()
}

/// `rate(5 minutes)`, `rate(1 hour)`: the period; `None` for cron expressions (fired on demand only).
pub fn rate_period(expression: &str) -> Option<std::time::Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (count, unit) = inner.trim().split_once(' ')?;
    let count: u64 = count.parse().ok().filter(|c| *c > 0)?;
    let seconds = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return None,
    };
    Some(std::time::Duration::from_secs(count * seconds))
}

/// Fires every rate schedule of the template on its period.
pub fn start(gateway: Arc<Gateway>) {
    for schedule in gateway.template.schedules.clone() {
        let Some(period) = rate_period(&schedule.expression) else { continue };
        let gateway = gateway.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                ticker.tick().await;
                let event = scheduled_event(&schedule.function, Utc::now());
                if let Err(e) = gateway.functions.invoke_event(&schedule.function, event).await {
                    tracing::warn!(function = %schedule.function, error = %e, "scheduled run failed");
                }
            }
        });
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    #[serde(default)]
    time: Option<String>,
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// `POST /_local/schedule/{functionName}`.
pub async fn run_now(State(gateway): State<Arc<Gateway>>, Path(function): Path<String>, body: Bytes) -> Response {
    if !gateway.template.schedules.iter().any(|s| s.function == function) {
        return error(StatusCode::NOT_FOUND, "not_scheduled", format!("{function} has no schedule in the template"));
    }
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_body", e.to_string()),
        }
    };
    let time = match request.time.as_deref().map(DateTime::parse_from_rfc3339) {
        None => Utc::now(),
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(_)) => {
            return error(StatusCode::BAD_REQUEST, "invalid_time", "time must be an RFC 3339 instant".into())
        }
    };
    match gateway.functions.invoke_event(&function, scheduled_event(&function, time)).await {
        Ok(()) => Json(json!({"function": function, "time": time.to_rfc3339(), "ok": true})).into_response(),
        Err(e) => error(StatusCode::BAD_GATEWAY, "function_error", e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_cron_is_on_demand() {
        assert_eq!(rate_period("rate(15 minutes)"), Some(std::time::Duration::from_secs(900)));
        assert_eq!(rate_period("rate(1 hour)"), Some(std::time::Duration::from_secs(3600)));
        assert_eq!(rate_period("cron(0 8 * * ? *)"), None);
        let event = scheduled_event("F", Utc::now());
        assert_eq!(event.source, "aws.events");
        assert_eq!(event.detail_type, "Scheduled Event");
        assert!(event.time.is_some());
    }
}
