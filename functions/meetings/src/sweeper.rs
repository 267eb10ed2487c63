//! The scheduled end of meetings whose interview is over (EventBridge
//! schedule). Meetings are found by key: each interview with a meeting holds a
//! `MEETING_END` item on GSI1 under the UTC hour of its scheduled end, so a
//! run queries the hour buckets of its look-back window (no Scan). Interviews
//! run over: a meeting someone is in (by the attendance events Chime sent,
//! read by key in the interview's partition), or is connecting to (given an
//! attendee in the last two minutes, no event since), is kept, and looked at
//! again next run, until the overrun limit; an empty one is ended once the
//! scheduled end passed. Ending is
//! idempotent: Chime's NotFound counts as ended, and the interview forgets the
//! meeting only if it still names it. "Now" is the event's `time`, so a run can
//! be replayed for any moment.

use api::ApiError;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::meeting::{connecting, occupied, sweep, AttendanceEvent, Presence, Sweep};
use domain::time::to_key;
use serde::Deserialize;
use serde_json::Value;
use store::keys;
use store::{from_item, s, Index, Item, Tx};

use crate::join::{forget_meeting, load, meeting_end_item};
use crate::App;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MeetingEnd {
    interview_id: String,
    meeting_id: String,
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    pub ended: u32,
    /// Meetings running over with someone in them: kept for now.
    pub kept: u32,
    /// Interviews moved later since their meeting was made: their marker follows them.
    pub moved: u32,
}

/// Handles one scheduled event; an `Err` makes EventBridge retry the run (which is idempotent).
pub async fn handle(app: &App, event: EventBridgeEvent<Value>) -> Result<Swept, lambda_runtime::Error> {
    let now = event.time.unwrap_or_else(Utc::now);
    let mut swept = Swept::default();
    let mut failures = 0u32;
    for bucket in hour_buckets(now - app.policy.sweep_lookback, now) {
        for item in due(app, &bucket, now).await.map_err(|e| format!("querying {bucket}: {e}"))? {
            let Ok(marker) = from_item::<MeetingEnd>(item) else {
                tracing::warn!("malformed meeting end marker; skipped");
                continue;
            };
            match end_one(app, &marker, now).await {
                Ok(Outcome::Ended) => swept.ended += 1,
                Ok(Outcome::Moved) => swept.moved += 1,
                Ok(Outcome::Kept) => swept.kept += 1,
                Ok(Outcome::Nothing) => {}
                Err(e) => {
                    e.log();
                    failures += 1;
                }
            }
        }
    }
    tracing::info!(ended = swept.ended, kept = swept.kept, moved = swept.moved, failures, "meeting sweep done");
    if failures > 0 {
        return Err(format!("{failures} meetings could not be ended; the run will be retried").into());
    }
    Ok(swept)
}

/// `2026-12-03T08` for every UTC hour from `from` to `to`, both included.
fn hour_buckets(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut buckets = Vec::new();
    let Ok(mut hour) = from.duration_trunc(Duration::hours(1)) else {
        return buckets;
    };
    while hour <= to {
        buckets.push(hour.format("%Y-%m-%dT%H").to_string());
        hour += Duration::hours(1);
    }
    buckets
}

/// The markers of one bucket whose window closed at or before `now`.
async fn due(app: &App, bucket: &str, now: DateTime<Utc>) -> Result<Vec<Item>, ApiError> {
    // A marker sorts as `<closing instant>#<interview id>`: `~` sorts after every character of
    // an id, so "before `<now>#~`" is every marker closing at or before `now`.
    let query = app.store.query(Index::Gsi1, keys::meeting_end_gsi1pk(bucket)).sk_before(format!("{}#~", to_key(now)));
    Ok(query.all().await?)
}

enum Outcome {
    Ended,
    Moved,
    Kept,
    Nothing,
}

/// The items of an interview's partition the sweeper reads: attendance records as
/// `crate::attendance` writes them, attendees as `crate::join` writes them (other kinds fail
/// to decode as either and are left out).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttendanceRecord {
    #[serde(rename = "type")]
    kind: String,
    meeting_id: String,
    #[serde(with = "domain::time::stored")]
    at: DateTime<Utc>,
    #[serde(default)]
    attendee_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttendeeRecord {
    meeting_id: String,
    attendee_id: String,
    #[serde(default, with = "domain::time::stored::option")]
    joined_at: Option<DateTime<Utc>>,
}

/// Whether someone is in `meeting_id` at `now`, or connecting to it: by the attendance events
/// of the interview and its attendees (a few items in its own partition, read by key).
async fn someone_in(app: &App, interview_id: &str, meeting_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let items = app.store.query(Index::Table, keys::interview_pk(interview_id)).consistent().all().await?;
    let sort_key = |item: &Item| item.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let mut events = Vec::new();
    let mut attendees = Vec::new();
    for item in items {
        let sk = sort_key(&item);
        if sk.starts_with(&keys::attendance_sk("")) {
            if let Ok(record) = from_item::<AttendanceRecord>(item) {
                if let (true, Some(presence)) = (record.meeting_id == meeting_id, Presence::parse(&record.kind)) {
                    events.push(AttendanceEvent { attendee: record.attendee_id, presence, at: record.at });
                }
            }
        } else if sk.starts_with(&keys::attendee_sk("")) {
            if let Ok(record) = from_item::<AttendeeRecord>(item) {
                if record.meeting_id == meeting_id {
                    attendees.push(record);
                }
            }
        }
    }
    let connecting_now =
        attendees.iter().any(|a| a.joined_at.is_some_and(|joined| connecting(joined, &a.attendee_id, &events, now)));
    Ok(occupied(&events) || connecting_now)
}

async fn end_one(app: &App, marker: &MeetingEnd, now: DateTime<Utc>) -> Result<Outcome, ApiError> {
    let Some(interview) = load(app, &marker.interview_id).await? else {
        return Ok(Outcome::Nothing);
    };
    let close = app.policy.close(&interview);
    let names_it = interview.meeting_id.as_deref() == Some(marker.meeting_id.as_str());
    // Only a meeting that could be ended needs its attendance read.
    let in_use = names_it
        && close.scheduled_end <= now
        && now < close.hard_limit
        && someone_in(app, &interview.interview_id, &marker.meeting_id, now).await?;
    match sweep(&marker.meeting_id, interview.meeting_id.as_deref(), close, in_use, now) {
        Sweep::Leave => Ok(Outcome::Nothing),
        Sweep::Keep => Ok(Outcome::Kept),
        Sweep::Clean => {
            app.chime.delete_meeting(&marker.meeting_id).await?;
            // A failed condition means the marker names another meeting now: nothing to remove.
            app.store
                .delete(&keys::interview_pk(&interview.interview_id), keys::MEETING_END_SK, |d| {
                    d.condition_expression("meetingId = :meeting")
                        .expression_attribute_values(":meeting", s(marker.meeting_id.clone()))
                })
                .await?;
            Ok(Outcome::Nothing)
        }
        Sweep::Move => {
            app.store.put(meeting_end_item(app, &interview, &marker.meeting_id), None).await?;
            Ok(Outcome::Moved)
        }
        Sweep::End => {
            app.chime.delete_meeting(&marker.meeting_id).await?;
            // A cancelled transaction means a join replaced the meeting meanwhile: its own marker ends it later.
            let mut tx = Tx::new();
            forget_meeting(&mut tx, &interview, &marker.meeting_id);
            app.store.commit(tx).await?;
            tracing::info!(
                interview_id = %interview.interview_id,
                at_hard_limit = now >= close.hard_limit,
                "meeting of a finished interview ended"
            );
            Ok(Outcome::Ended)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn buckets_cover_the_window_by_utc_hour() {
        let to = Utc.with_ymd_and_hms(2026, 12, 3, 8, 10, 0).unwrap();
        let buckets = hour_buckets(to - Duration::hours(2), to);
        assert_eq!(buckets, vec!["2026-12-03T06", "2026-12-03T07", "2026-12-03T08"]);
    }
}
