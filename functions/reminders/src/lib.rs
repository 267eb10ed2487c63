//! The scheduled jobs: `reminders` (every 15 minutes, the steps of a state machine that fans
//! the sending out over several invocations) sends the day-before and
//! hour-before reminders of booked interviews, exactly once each; `advisor-digest`
//! (daily, 08:00 Paris) sends each advisor one email with their overdue seekers,
//! open in-person requests and today's agenda. Both take "now" from the
//! EventBridge event's `time`, so any run can be replayed for any moment.

pub mod digest;
mod due;

use api::config::Config;
use api::links::LinkSigner;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use lambda_runtime::Error;
use store::Store;

pub use due::{finish, plan, send_shard, Plan, RunReport, RunStep, Shard, ShardReport};

/// What the handlers need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub links: LinkSigner,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let store = Store::from_env(config.table_name.clone()).await;
        // Links point at the HTTP API (`/links/{token}`), which may differ from the front end.
        let base = std::env::var("LINKS_BASE_URL").unwrap_or_else(|_| config.app_base_url.clone());
        let links = LinkSigner::from_env(base)?;
        Ok(App { store, config, links })
    }
}

/// "Now" is the event's `time` (a replayed or late event acts for the moment it was scheduled).
pub fn event_time(event: &EventBridgeEvent) -> DateTime<Utc> {
    event.time.unwrap_or_else(|| {
        tracing::warn!("scheduled event without time; using the clock");
        Utc::now()
    })
}

/// The `reminders` function: one step of a run, as `RemindersStateMachine` invokes it. An error
/// makes the state machine retry the step; every step is idempotent.
pub async fn handle(app: &App, step: RunStep) -> Result<serde_json::Value, Error> {
    let failed = |step: &str, e: api::ApiError| {
        e.log();
        Error::from(format!("reminders {step} failed: {}", e.code()))
    };
    let output = match step {
        RunStep::Plan { time } => {
            let plan = plan(app, time).await.map_err(|e| failed("plan", e))?;
            tracing::info!(
                run_at = %plan.run_at,
                buckets = plan.buckets,
                read = plan.reminders_read,
                shards = plan.shards.len(),
                complete = plan.complete,
                "reminders planned"
            );
            serde_json::to_value(plan)?
        }
        RunStep::Send { run_at, shard } => {
            app.links.ensure().await?;
            let report = send_shard(app, &run_at, &shard).await.map_err(|e| failed("send", e))?;
            tracing::info!(
                run_at = %run_at,
                bucket = %shard.bucket,
                read = report.read,
                sent = report.sent,
                already_sent = report.already_sent,
                skipped = report.skipped,
                "reminders shard done"
            );
            serde_json::to_value(report)?
        }
        RunStep::Finish { plan, reports } => {
            let report = finish(app, &plan, &reports).await.map_err(|e| failed("finish", e))?;
            tracing::info!(
                run_at = %report.run_at,
                buckets = report.buckets,
                read = report.reminders_read,
                shards = report.shards,
                sent = report.sent,
                already_sent = report.already_sent,
                skipped = report.skipped,
                cursor_advanced = report.cursor_advanced,
                "reminders run done"
            );
            serde_json::to_value(report)?
        }
    };
    Ok(output)
}

/// The `advisor-digest` function (fires at 06:00 and 07:00 UTC; acts at 08:xx Paris).
pub async fn handle_digest(app: &App, event: EventBridgeEvent) -> Result<digest::DigestReport, Error> {
    let now = event_time(&event);
    digest::run_digest(app, now).await.map_err(|e| {
        e.log();
        Error::from(format!("digest run failed: {}", e.code()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn now_is_the_time_of_the_scheduled_event_aws_sends() {
        // The shape EventBridge delivers for a schedule rule.
        let raw = r#"{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
            "source":"aws.events","account":"123456789012","time":"2026-10-25T01:30:00Z","region":"eu-west-3",
            "resources":["arn:aws:events:eu-west-3:123456789012:rule/reminders-Every15Minutes"],"detail":{}}"#;
        let event: EventBridgeEvent = serde_json::from_str(raw).unwrap();
        assert_eq!(event_time(&event), Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap());
    }
}
