//! Reminders due since the last run (infra/data-model.md #52, #53).
//!
//! Reminder items sit on GSI1 under their UTC hour (`REMIND#2026-10-25T08`) while unsent.
//! A run reads the hour buckets from its cursor (the `time` of the last completed run) to
//! its own `time`, by key, so its work grows with the reminders due, not with the table. Each
//! reminder is sent in one transaction that sets `sentAt` under `attribute_not_exists(sentAt)`
//! (and takes it out of the index), checks the interview is still booked at the same
//! `sequence`, and writes the outbox email: duplicated, concurrent or late runs, and runs
//! replayed across a daylight-saving change, send each reminder once. Instants are UTC
//! throughout; the wall-clock rule ("the day before at the same Paris time") is applied when
//! the reminder item is written (`ReminderKind::due`).

use api::links::LinkAction;
use api::ApiError;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::time::to_key;
use serde::Serialize;
use serde_json::Value;
use store::interview::{InterviewRecord, InterviewStatus, ReminderKind, ReminderRecord};
use store::interview_email::InterviewEmail;
use store::keys;
use store::outbox::{EmailTemplate, OutboxRecord};
use store::page::decode_cursor;
use store::tx::{check, put, update};
use store::{n, s, transact_retrying, Index, Page, Retrying, Step, TransactOutcome, Tx};

use crate::App;

const JOB: &str = "reminders";
/// Without a usable cursor (first run, or a replay earlier than the last run), look back this far.
const DEFAULT_LOOKBACK_HOURS: i64 = 2;
/// Never look further back than this: a reminder two days late is of no use, and the run stays bounded.
const MAX_LOOKBACK_HOURS: i64 = 48;
/// Reminders handled in one run at most; the rest waits for the next run (the cursor does not move).
const MAX_PER_RUN: usize = 2000;
/// Reminders handled at once.
const CONCURRENCY: usize = 8;

/// What a run did; the function's result (the local gateway returns it, the tests read it).
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub run_at: String,
    /// The window `[from, runAt]` read.
    pub from: String,
    /// Hour buckets queried.
    pub buckets: usize,
    /// Items the Queries returned (due and unsent).
    pub reminders_read: usize,
    pub sent: usize,
    /// Another run sent it first.
    pub already_sent: usize,
    /// Cancelled, rescheduled, past, superseded by the hour-before reminder, or no address.
    pub skipped: usize,
    /// Whether the cursor moved to `runAt`.
    pub cursor_advanced: bool,
}

fn hour_bucket(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H").to_string()
}

/// The hour buckets covering `[from, to]`, oldest first.
pub fn buckets(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut at = from.duration_trunc(Duration::hours(1)).unwrap_or(from);
    let mut out = Vec::new();
    while at <= to {
        out.push(hour_bucket(at));
        at += Duration::hours(1);
    }
    out
}

/// Where this run starts reading.
pub fn window_start(last_run: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    let floor = now - Duration::hours(MAX_LOOKBACK_HOURS);
    match last_run {
        // A replay of an earlier moment (or a clock step back) is not a reason to read nothing.
        Some(last) if last <= now => last.max(floor),
        _ => now - Duration::hours(DEFAULT_LOOKBACK_HOURS),
    }
}

async fn last_run(app: &App) -> Result<Option<DateTime<Utc>>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Cursor {
        last_run_at: Option<String>,
    }
    let cursor: Option<Cursor> = app.store.get(&keys::job_pk(JOB), keys::CURSOR_SK).await?;
    Ok(cursor.and_then(|c| c.last_run_at).and_then(|raw| domain::time::from_key(&raw)))
}

/// The unsent reminders of one bucket due at or before `now` (all pages, up to `room`).
async fn due_in_bucket(
    app: &App,
    bucket: &str,
    now: DateTime<Utc>,
    room: usize,
) -> Result<(Vec<ReminderRecord>, bool), ApiError> {
    // Sort keys are `<dueAt>#<interviewId>#<kind>`: `~` sorts after every id character.
    let bound = format!("{}#~", to_key(now));
    let query = app.store.query(Index::Gsi1, keys::remind_gsi1pk(bucket)).sk_before(bound);
    let mut found = Vec::new();
    let mut start_key = None;
    loop {
        let limit = i32::try_from(room.clamp(1, 500)).unwrap_or(500);
        let (items, next) = query.page_of::<ReminderRecord>(&Page { limit, start_key, list: None }).await?;
        found.extend(items);
        match next {
            Some(cursor) if found.len() < room => start_key = Some(decode_cursor(&cursor)?),
            Some(_) => return Ok((found, true)),
            None => return Ok((found, false)),
        }
    }
}

enum Handled {
    Sent,
    AlreadySent,
    Skipped,
}

/// Sends every reminder due in `(cursor, now]`, then moves the cursor to `now`.
pub async fn run_reminders(app: &App, now: DateTime<Utc>) -> Result<RunReport, ApiError> {
    let from = window_start(last_run(app).await?, now);
    let buckets = buckets(from, now);
    let mut report =
        RunReport { run_at: to_key(now), from: to_key(from), buckets: buckets.len(), ..RunReport::default() };
    let mut due = Vec::new();
    let mut complete = true;
    for bucket in &buckets {
        let (found, more) = due_in_bucket(app, bucket, now, MAX_PER_RUN - due.len()).await?;
        due.extend(found);
        if more || due.len() >= MAX_PER_RUN {
            complete = false;
            break;
        }
    }
    report.reminders_read = due.len();

    use futures::stream::{self, StreamExt};
    // Futures collected first: a closure inside the stream type trips Send inference in spawned tasks.
    let pending: Vec<_> = due.iter().map(|r| handle_one(app, r, now)).collect();
    let results: Vec<Result<Handled, ApiError>> = stream::iter(pending).buffer_unordered(CONCURRENCY).collect().await;
    let mut first_error = None;
    for result in results {
        match result {
            Ok(Handled::Sent) => report.sent += 1,
            Ok(Handled::AlreadySent) => report.already_sent += 1,
            Ok(Handled::Skipped) => report.skipped += 1,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // The cursor moves only when every due reminder was handled: a failed one is found again.
    if let Some(error) = first_error {
        return Err(error);
    }
    if complete {
        advance_cursor(app, now).await?;
        report.cursor_advanced = true;
    }
    Ok(report)
}

async fn advance_cursor(app: &App, now: DateTime<Utc>) -> Result<(), ApiError> {
    // `None`: a later run already moved it; the cursor only goes forward.
    app.store
        .update(&keys::job_pk(JOB), keys::CURSOR_SK, |u| {
            u.update_expression("SET lastRunAt = :now")
                .condition_expression("attribute_not_exists(lastRunAt) OR lastRunAt < :now")
                .expression_attribute_values(":now", s(to_key(now)))
        })
        .await?;
    Ok(())
}

/// Marks a reminder as not to be sent (out of the index), once.
async fn skip(app: &App, reminder: &ReminderRecord, now: DateTime<Utc>, why: &str) -> Result<Handled, ApiError> {
    let updated = app
        .store
        .update(&reminder.pk, &reminder.sk, |u| {
            u.update_expression("SET sentAt = :now, skipped = :why REMOVE gsi1pk, gsi1sk")
                .condition_expression("attribute_exists(pk) AND attribute_not_exists(sentAt) AND dueAt = :due")
                .expression_attribute_values(":now", s(to_key(now)))
                .expression_attribute_values(":why", s(why))
                .expression_attribute_values(":due", s(reminder.due_at.clone()))
        })
        .await?;
    Ok(if updated.is_some() { Handled::Skipped } else { Handled::AlreadySent })
}

async fn handle_one(app: &App, reminder: &ReminderRecord, now: DateTime<Utc>) -> Result<Handled, ApiError> {
    let Some(kind) = ReminderKind::parse(&reminder.kind) else {
        return skip(app, reminder, now, "unknown_kind").await;
    };
    let interview: Option<InterviewRecord> =
        app.store.get(&keys::interview_pk(&reminder.interview_id), keys::INTERVIEW_SK).await?;
    let Some(interview) = interview else {
        return skip(app, reminder, now, "no_interview").await;
    };
    if interview.status != InterviewStatus::Booked {
        return skip(app, reminder, now, "not_booked").await;
    }
    if interview.start_at() <= now {
        return skip(app, reminder, now, "started").await;
    }
    // A run so late that the hour-before reminder is due too: one email, the nearer one.
    if kind == ReminderKind::DayBefore && ReminderKind::HourBefore.due(interview.start_at()) <= now {
        return skip(app, reminder, now, "superseded").await;
    }
    let seeker = app.store.seeker(&interview.seeker_id).await?;
    let advisor = app.store.advisor(&interview.advisor_id).await?;
    let (Some(seeker), Some(advisor)) = (seeker, advisor) else {
        return skip(app, reminder, now, "no_recipient").await;
    };
    let Some(to) = seeker.email.clone().filter(|_| !seeker.erased) else {
        return skip(app, reminder, now, "no_recipient").await;
    };
    // The seeker may cancel a non-mandatory interview straight from the reminder, until it starts.
    // The link is bound to the interview's version: a later reschedule refuses it.
    let cancel_url = (!interview.mandatory).then(|| {
        app.links.url_at_version(
            LinkAction::CancelInterview,
            &interview.interview_id,
            interview.version,
            &interview.seeker_id,
            now,
            interview.start_at() - now,
        )
    });
    let params = InterviewEmail {
        kind: Some(kind.as_str()),
        // Sent as null on a convocation, as before.
        cancel_url: Some(cancel_url),
        ..InterviewEmail::new(&interview, &seeker, &advisor, &app.config.app_base_url)
    };
    let email = OutboxRecord::new(
        EmailTemplate::InterviewReminder,
        &to,
        Some(&interview.seeker_id),
        Value::Object(params.params()),
        now,
    );
    let mut tx = Tx::new();
    let mark_sent = tx.push(update(reminder.pk.clone(), &reminder.sk, |u| {
        u.update_expression("SET sentAt = :now, emailId = :email REMOVE gsi1pk, gsi1sk")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(sentAt) AND dueAt = :due")
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(":email", s(email.email_id.clone()))
            .expression_attribute_values(":due", s(reminder.due_at.clone()))
    }));
    // Cancelled or moved since it was read: the guard drops the email (a moved interview has new reminders).
    let still_booked = tx.push(check(interview.pk.clone(), &interview.sk, |c| {
        c.condition_expression("#status = :booked AND #sequence = :sequence")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#sequence", "sequence")
            .expression_attribute_values(":booked", s("booked"))
            .expression_attribute_values(":sequence", n(interview.sequence))
    }));
    tx.push(put(email.to_item()?, None));
    let items = tx.into_items();
    let items = &items;
    // Five attempts, as before: a reminder that keeps conflicting is found again by the next run.
    let handled = transact_retrying("reminder transaction", Retrying::attempts(5), |_| async move {
        match app.store.commit(Tx::from(items.clone())).await? {
            TransactOutcome::Committed => Ok(Step::Done(Handled::Sent)),
            outcome if outcome.failed(mark_sent) => Ok(Step::Done(Handled::AlreadySent)),
            outcome if outcome.failed(still_booked) => Ok(Step::Done(Handled::Skipped)),
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("reminder transaction cancelled: {outcome:?}"))),
        }
    })
    .await?;
    if matches!(handled, Handled::Sent) {
        tracing::info!(interview_id = %interview.interview_id, kind = kind.as_str(), "reminder written");
    }
    Ok(handled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_is_bounded_and_never_empty() {
        let now = Utc.with_ymd_and_hms(2026, 10, 25, 2, 30, 0).unwrap();
        assert_eq!(window_start(None, now), now - Duration::hours(2));
        assert_eq!(window_start(Some(now - Duration::minutes(15)), now), now - Duration::minutes(15));
        assert_eq!(window_start(Some(now - Duration::days(30)), now), now - Duration::hours(48));
        assert_eq!(window_start(Some(now + Duration::days(3)), now), now - Duration::hours(2));
    }

    #[test]
    fn buckets_are_utc_hours_so_a_daylight_saving_change_skips_or_repeats_none() {
        // 25 October 2026: Paris goes from 03:00 CEST back to 02:00 CET at 01:00 UTC.
        let from = Utc.with_ymd_and_hms(2026, 10, 24, 23, 50, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 10, 25, 2, 5, 0).unwrap();
        assert_eq!(buckets(from, to), vec!["2026-10-24T23", "2026-10-25T00", "2026-10-25T01", "2026-10-25T02"]);
    }
}
