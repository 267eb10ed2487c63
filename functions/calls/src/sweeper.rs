//! The end of calls that outlive their end (EventBridge schedule, binary `call-sweeper`): an
//! interview's call its interview's hard end, any other call an hour after it was placed. A
//! call item sits on GSI1 under the UTC hour of its end, so a run queries the hour buckets of its look-back window (no Scan) and hangs up
//! (`UpdateSipMediaApplicationCall`, as the app does) each call past it; a call already over
//! (`NotFoundException`) counts as ended. Either way the item leaves GSI1, so it is done once;
//! an unavailable service leaves it there for the next run. "Now" is the event's `time`, so a
//! run can be replayed for any moment.

use std::collections::HashMap;

use api::ApiError;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::time::to_key;
use pstn_audio::flow::{UPDATE_ACTION, UPDATE_HANG_UP};
use serde_json::Value;
use store::keys;
use store::{from_item, Index, Keyed};

use crate::app::App;
use crate::record::CallRecord;
use crate::voice::VoiceError;

/// How far back a run looks: calls last minutes, the schedule runs every 5 minutes; a day
/// covers an outage of the schedule.
const LOOKBACK_HOURS: i64 = 24;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    /// Calls asked to hang up.
    pub ended: u32,
    /// Calls already over.
    pub over: u32,
}

/// Handles one scheduled event; an `Err` makes EventBridge retry the run (idempotent).
pub async fn handle(app: &App, event: EventBridgeEvent<Value>) -> Result<Swept, lambda_runtime::Error> {
    let now = event.time.unwrap_or_else(Utc::now);
    let mut swept = Swept::default();
    let mut failures = 0u32;
    for bucket in hour_buckets(now - Duration::hours(LOOKBACK_HOURS), now) {
        let due = app
            .store
            .query(Index::Gsi1, keys::call_end_gsi1pk(&bucket))
            .sk_before(format!("{}#~", to_key(now)))
            .all()
            .await
            .map_err(|e| format!("querying {bucket}: {e}"))?;
        for item in due {
            let Ok(call) = from_item::<CallRecord>(item) else {
                tracing::warn!("malformed call item on GSI1; skipped");
                continue;
            };
            match end_one(app, &call).await {
                Ok(true) => swept.ended += 1,
                Ok(false) => swept.over += 1,
                Err(error) => {
                    error.log();
                    failures += 1;
                }
            }
        }
    }
    tracing::info!(ended = swept.ended, over = swept.over, failures, "call sweep done");
    if failures > 0 {
        return Err(format!("{failures} calls could not be ended; the run will be retried").into());
    }
    Ok(swept)
}

/// Hangs `call` up; `true` when it was still going. The item then leaves GSI1.
async fn end_one(app: &App, call: &CallRecord) -> Result<bool, ApiError> {
    let going = match &call.transaction_id {
        Some(transaction_id) => {
            let arguments = HashMap::from([(UPDATE_ACTION.to_owned(), UPDATE_HANG_UP.to_owned())]);
            match app.voice.update_call(&app.settings.sip_media_application_id, transaction_id, arguments).await {
                Ok(()) => true,
                Err(VoiceError::NotFound) => false,
                Err(error) => return Err(error.into()),
            }
        }
        // Never placed (the route forgets such a call; a crash between its writes leaves one).
        None => false,
    };
    app.store.update(&call.pk(), &call.sk(), |u| u.update_expression("REMOVE gsi1pk, gsi1sk")).await?;
    tracing::info!(call_id = %call.call_id, going, "call past its end");
    Ok(going)
}

/// `2026-12-03T08` for every UTC hour from `from` to `to`, both included.
fn hour_buckets(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut buckets = Vec::new();
    let Ok(mut hour) = from.duration_trunc(Duration::hours(1)) else { return buckets };
    while hour <= to {
        buckets.push(hour.format("%Y-%m-%dT%H").to_string());
        hour += Duration::hours(1);
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn buckets_cover_every_hour_of_the_window() {
        let to = Utc.with_ymd_and_hms(2026, 12, 3, 8, 10, 0).unwrap();
        let buckets = hour_buckets(to - Duration::hours(2), to);
        assert_eq!(buckets, ["2026-12-03T06", "2026-12-03T07", "2026-12-03T08"]);
    }
}
