//! EventBridge schedules, locally: the gateway fires each scheduled function of
//! `template.yaml` on its `rate(…)` or `cron(…)` expression (a ticker checked
//! every minute, in UTC as EventBridge rules are), and on demand with
//! `POST /_local/schedule/{functionName}` and an optional `{"time": "<RFC 3339>"}`.
//! A schedule on a state machine starts an execution with that event as its input
//! (`state_machine.rs`). Either way the function gets the event AWS sends (`detail-type: Scheduled Event`,
//! `source: aws.events`, `time`, the rule in `resources`), through serde, as the
//! Lambda runtime would deserialise it.

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, DurationRound, Timelike, Utc};
use serde_json::json;

use crate::template::Schedule;
use crate::Gateway;

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    /// Every so many minutes, aligned on the epoch (AWS aligns on the rule's creation).
    Rate(i64),
    /// `cron(minutes hours day-of-month month day-of-week year)`: minutes and hours as `*`,
    /// `*/n`, numbers and lists; the other fields must be `*` or `?` (every day).
    Cron { minutes: Vec<u32>, hours: Vec<u32> },
}

fn field(raw: &str, max: u32) -> Result<Vec<u32>> {
    if raw == "*" {
        return Ok((0..max).collect());
    }
    if let Some(step) = raw.strip_prefix("*/") {
        let step: u32 = step.parse().context("cron step")?;
        if step == 0 {
            bail!("cron step 0");
        }
        return Ok((0..max).step_by(step as usize).collect());
    }
    raw.split(',')
        .map(|v| v.parse::<u32>().ok().filter(|v| *v < max).with_context(|| format!("cron value {v}")))
        .collect()
}

impl Expression {
    pub fn parse(expression: &str) -> Result<Expression> {
        if let Some(inner) = expression.strip_prefix("rate(").and_then(|e| e.strip_suffix(')')) {
            let (value, unit) = inner.split_once(' ').context("rate(value unit)")?;
            let value: i64 = value.parse().context("rate value")?;
            let minutes = match unit {
                "minute" | "minutes" => value,
                "hour" | "hours" => value * 60,
                "day" | "days" => value * 1440,
                other => bail!("rate unit {other}"),
            };
            if minutes <= 0 {
                bail!("rate must be positive");
            }
            return Ok(Expression::Rate(minutes));
        }
        if let Some(inner) = expression.strip_prefix("cron(").and_then(|e| e.strip_suffix(')')) {
            let parts: Vec<&str> = inner.split_whitespace().collect();
            let [minutes, hours, rest @ ..] = parts.as_slice() else {
                bail!("cron needs six fields");
            };
            if rest.len() != 4 || !rest.iter().all(|p| *p == "*" || *p == "?") {
                bail!("the local scheduler supports cron minutes and hours only: {expression}");
            }
            return Ok(Expression::Cron { minutes: field(minutes, 60)?, hours: field(hours, 24)? });
        }
        bail!("unsupported schedule expression {expression}")
    }

    /// Whether the schedule fires at this whole minute (UTC).
    pub fn fires_at(&self, minute: DateTime<Utc>) -> bool {
        match self {
            Expression::Rate(every) => (minute.timestamp() / 60) % every == 0,
            Expression::Cron { minutes, hours } => minutes.contains(&minute.minute()) && hours.contains(&minute.hour()),
        }
    }
}

/// The event EventBridge delivers for `schedule` at `time`.
pub fn event(schedule: &Schedule, time: DateTime<Utc>) -> Result<EventBridgeEvent> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-3".into());
    let value = json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": region,
        "resources": [format!("arn:aws:events:{region}:000000000000:rule/{}-{}", schedule.function, schedule.event)],
        "detail": {},
    });
    Ok(serde_json::from_value(value)?)
}

/// Fires every schedule when due, until the process ends.
pub async fn run(gateway: Arc<Gateway>) {
    let schedules: Vec<(Schedule, Expression)> = gateway
        .template
        .schedules
        .iter()
        .filter_map(|s| Expression::parse(&s.expression).ok().map(|e| (s.clone(), e)))
        .collect();
    loop {
        let now = Utc::now();
        let next = now.duration_trunc(chrono::Duration::minutes(1)).unwrap_or(now) + chrono::Duration::minutes(1);
        tokio::time::sleep((next - now).to_std().unwrap_or_default()).await;
        for (schedule, expression) in &schedules {
            if !expression.fires_at(next) {
                continue;
            }
            let gateway = gateway.clone();
            let schedule = schedule.clone();
            tokio::spawn(async move {
                match fire(&gateway, &schedule, next).await {
                    Ok(_) => tracing::info!(function = %schedule.function, "scheduled run done"),
                    Err(e) => tracing::warn!(function = %schedule.function, error = %e, "scheduled run failed"),
                }
            });
        }
    }
}

/// One run of a scheduled function (or state machine: an execution with the event as its
/// input) at `time`; its result.
pub async fn fire(gateway: &Gateway, schedule: &Schedule, time: DateTime<Utc>) -> Result<serde_json::Value> {
    let event = event(schedule, time)?;
    if let Some(machine) = gateway.template.state_machine(&schedule.function) {
        return crate::state_machine::execute(&gateway.functions, machine, serde_json::to_value(&event)?).await;
    }
    gateway
        .functions
        .invoke_event(&schedule.function, event, gateway.template.deadline(&schedule.function))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rates_and_crons_fire_when_expected() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 10, 25, h, m, 0).unwrap();
        let rate = Expression::parse("rate(15 minutes)").unwrap();
        assert!(rate.fires_at(at(8, 45)) && !rate.fires_at(at(8, 50)));
        let cron = Expression::parse("cron(0 6,7 * * ? *)").unwrap();
        assert!(cron.fires_at(at(6, 0)) && cron.fires_at(at(7, 0)) && !cron.fires_at(at(8, 0)));
        assert!(Expression::parse("cron(0 8 ? * MON-FRI *)").is_err());
    }

    #[test]
    fn the_event_is_what_eventbridge_sends() {
        let schedule = Schedule {
            function: "RemindersFunction".into(),
            binary: "reminders".into(),
            event: "Every15Minutes".into(),
            expression: "rate(15 minutes)".into(),
        };
        let time = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap();
        let event = event(&schedule, time).unwrap();
        assert_eq!(event.detail_type, "Scheduled Event");
        assert_eq!(event.source, "aws.events");
        assert_eq!(event.time, Some(time));
    }
}
