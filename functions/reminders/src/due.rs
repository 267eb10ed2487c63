//! Reminders due since the last run (infra/data-model.md #52, #53).
//!
//! Reminder items sit on GSI1 under their UTC hour (`REMIND#2026-10-25T08`) while unsent.
//! A run reads the hour buckets from its cursor (the `time` of the last completed run) to
//! its own `time`, by key, so its work grows with the reminders due, not with the table. Each
//! reminder is sent in one transaction that sets `sentAt` under `attribute_not_exists(sentAt)`
//! (and takes it out of the index), checks the interview is still booked at the same
//! `sequence`, and writes the outbox email: duplicated, concurrent or late runs, overlapping
//! shards, retried shards and runs replayed across a daylight-saving change send each reminder
//! once. Instants are UTC throughout; the wall-clock rule ("the day before at the same Paris
//! time") is applied when the reminder item is written (`ReminderKind::due`).
//!
//! A run is three steps of one state machine (`RemindersStateMachine` in template.yaml), each an
//! invocation of this function: [`plan`] reads the due sort keys and cuts them into shards of
//! [`SHARD_SIZE`] consecutive keys of one bucket; a Map state runs [`send_shard`] for every
//! shard, several at once, each sending [`SEND_CONCURRENCY`] reminders at a time; [`finish`]
//! adds up the shards' reports and moves the cursor when the plan covered every due reminder.
//! A shard that fails is retried by the Map; a run that fails leaves the cursor where it was,
//! so the next run reads the unsent reminders again.

use std::collections::{BTreeSet, HashMap};

use api::links::LinkAction;
use api::ApiError;
use chrono::{DateTime, Duration, DurationRound, Utc};
use domain::time::to_key;
use serde::{Deserialize, Serialize};
use store::email_params::Email;
use store::interview::{InterviewRecord, InterviewStatus, ReminderKind, ReminderRecord};
use store::interview_email::InterviewEmail;
use store::keys;
use store::outbox::OutboxRecord;
use store::page::decode_cursor;
use store::records::{AdvisorRecord, SeekerRecord};
use store::sms::{release_deferred, Released, SmsMessage, SmsTemplate};
use store::tx::{check, put, update};
use store::Keyed;
use store::{n, s, transact_retrying, Index, Page, Retrying, Step, TransactOutcome, Tx};

use crate::App;

const JOB: &str = "reminders";
/// Without a usable cursor (first run, or a replay earlier than the last run), look back this far.
const DEFAULT_LOOKBACK_HOURS: i64 = 2;
/// Never look further back than this: a reminder two days late is of no use, and the run stays bounded.
const MAX_LOOKBACK_HOURS: i64 = 48;
/// Reminders one run plans at most (50 shards: the plan and the shards' reports stay far below
/// Step Functions' 256 KB state limit); the rest waits for the next run (the cursor does not move).
pub const MAX_PER_RUN: usize = 50_000;
/// Reminders in one shard (one invocation): about 10 s of work at AWS latencies, well inside
/// the function's timeout even when DynamoDB is slow.
pub const SHARD_SIZE: usize = 1_000;
/// Reminders one shard sends at once.
pub const SEND_CONCURRENCY: usize = 16;

/// One step of a run, as the state machine invokes the function (`step` names it).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum RunStep {
    /// The scheduled event's `time`.
    Plan {
        time: DateTime<Utc>,
    },
    #[serde(rename_all = "camelCase")]
    Send {
        run_at: String,
        shard: Shard,
    },
    Finish {
        plan: Plan,
        reports: Vec<ShardReport>,
    },
}

/// What [`plan`] found: the work of one run.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub run_at: String,
    /// The window `[from, runAt]` read.
    pub from: String,
    /// Hour buckets queried.
    pub buckets: usize,
    /// Due, unsent reminders found (the sum of the shards' sizes).
    pub reminders_read: usize,
    /// Whether the shards cover every due reminder (false past [`MAX_PER_RUN`]).
    pub complete: bool,
    pub shards: Vec<Shard>,
    /// The SMS held back by the quiet hours and due by `runAt`, moved into the outbox (store::sms).
    #[serde(default)]
    pub sms: Released,
}

/// Consecutive reminders of one bucket: the GSI1 sort keys `first..=last`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Shard {
    pub bucket: String,
    pub first: String,
    pub last: String,
}

/// What one shard did.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ShardReport {
    /// Unsent reminders of the shard's range when it ran.
    pub read: usize,
    pub sent: usize,
    pub already_sent: usize,
    pub skipped: usize,
}

/// What a run did; the state machine's output (the local gateway returns it, the tests read it).
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub run_at: String,
    /// The window `[from, runAt]` read.
    pub from: String,
    /// Hour buckets queried.
    pub buckets: usize,
    /// Items the plan's Queries returned (due and unsent).
    pub reminders_read: usize,
    /// Invocations the sending was cut into.
    pub shards: usize,
    pub sent: usize,
    /// Another run (or a retried or overlapping shard) sent it first.
    pub already_sent: usize,
    /// Cancelled, rescheduled, past, superseded by the hour-before reminder, or no address.
    pub skipped: usize,
    /// Whether the cursor moved to `runAt`.
    pub cursor_advanced: bool,
    /// Deferred SMS moved into the outbox by this run's plan, and those dropped.
    pub sms_released: usize,
    pub sms_dropped: usize,
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

/// Cuts one bucket's due sort keys (in order) into shards of at most `size`.
pub fn shards_of(bucket: &str, sort_keys: &[String], size: usize) -> Vec<Shard> {
    sort_keys
        .chunks(size.max(1))
        .filter_map(|chunk| {
            Some(Shard { bucket: bucket.to_owned(), first: chunk.first()?.clone(), last: chunk.last()?.clone() })
        })
        .collect()
}

async fn last_run(app: &App) -> Result<Option<DateTime<Utc>>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Cursor {
        #[serde(default, with = "domain::time::stored::option")]
        last_run_at: Option<DateTime<Utc>>,
    }
    let cursor: Option<Cursor> = app.store.get(&keys::job_pk(JOB), keys::CURSOR_SK).await?;
    Ok(cursor.and_then(|c| c.last_run_at))
}

/// The sort keys of one bucket's unsent reminders due at or before `now` (all pages, up to
/// `room`), and whether more were left.
async fn due_in_bucket(
    app: &App,
    bucket: &str,
    now: DateTime<Utc>,
    room: usize,
) -> Result<(Vec<String>, bool), ApiError> {
    // Sort keys are `<dueAt>#<interviewId>#<kind>`: `~` sorts after every id character.
    let bound = format!("{}#~", to_key(now));
    let query = app.store.query(Index::Gsi1, keys::remind_gsi1pk(bucket)).sk_before(bound);
    let mut found = Vec::new();
    let mut start_key = None;
    loop {
        let limit = i32::try_from(room.clamp(1, 1000)).unwrap_or(1000);
        let (items, next) = query.page_of::<ReminderRecord>(&Page { limit, start_key, list: None }).await?;
        found.extend(items.into_iter().map(|r| r.gsi1sk));
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

/// The first step of a run at `now`: the due reminders since the cursor, cut into shards.
pub async fn plan(app: &App, now: DateTime<Utc>) -> Result<Plan, ApiError> {
    let from = window_start(last_run(app).await?, now);
    let buckets = buckets(from, now);
    // Before the reminders: the SMS deferred to this morning go first.
    let sms = release_deferred(&app.store, from, now).await?;
    let mut plan = Plan {
        run_at: to_key(now),
        from: to_key(from),
        buckets: buckets.len(),
        complete: true,
        sms,
        ..Plan::default()
    };
    for bucket in &buckets {
        let (found, more) = due_in_bucket(app, bucket, now, MAX_PER_RUN - plan.reminders_read).await?;
        plan.reminders_read += found.len();
        plan.shards.extend(shards_of(bucket, &found, SHARD_SIZE));
        if more || plan.reminders_read >= MAX_PER_RUN {
            plan.complete = false;
            break;
        }
    }
    Ok(plan)
}

/// The unsent reminders of one shard's range (read again: another run may have sent some).
async fn shard_reminders(app: &App, shard: &Shard) -> Result<Vec<ReminderRecord>, ApiError> {
    let query = app
        .store
        .query(Index::Gsi1, keys::remind_gsi1pk(&shard.bucket))
        .sk_between(shard.first.clone(), shard.last.clone());
    Ok(query.all_of::<ReminderRecord>().await?)
}

/// The second step, once per shard (several at once): sends the shard's reminders, a few at a
/// time. An error makes the state machine retry the shard; what was sent stays sent.
pub async fn send_shard(app: &App, run_at: &str, shard: &Shard) -> Result<ShardReport, ApiError> {
    let now = domain::time::from_key(run_at).ok_or_else(|| ApiError::internal("send step: runAt is not an instant"))?;
    // The plan never makes a shard reach past `now`; a hand-written one may not either.
    let due: Vec<ReminderRecord> = shard_reminders(app, shard).await?.into_iter().filter(|r| r.due_at <= now).collect();
    let mut report = ShardReport { read: due.len(), ..ShardReport::default() };
    let context = ShardContext::read(app, &due).await?;

    use futures::stream::{self, StreamExt};
    // The reminders an attempt could not handle (DynamoDB busy, a lock timeout) are tried again
    // here, a few rounds apart, rather than failing the whole shard at once: the state machine's
    // retry of a shard would send the rest, but its report could no longer count what the
    // failed attempt sent (sent reminders leave the index the shard reads).
    let mut todo: Vec<&ReminderRecord> = due.iter().collect();
    for round in 1..=SHARD_ROUNDS {
        // Futures collected first: a closure inside the stream type trips Send inference in spawned tasks.
        let pending: Vec<_> = todo.iter().map(|r| handle_keyed(app, &context, r, now)).collect();
        let results: Vec<(&ReminderRecord, Result<Handled, ApiError>)> =
            stream::iter(pending).buffer_unordered(SEND_CONCURRENCY).collect().await;
        let mut failed = Vec::new();
        let mut last_error = None;
        for (reminder, result) in results {
            match result {
                Ok(Handled::Sent) => report.sent += 1,
                Ok(Handled::AlreadySent) => report.already_sent += 1,
                Ok(Handled::Skipped) => report.skipped += 1,
                Err(e) => {
                    failed.push(reminder);
                    last_error = Some(e);
                }
            }
        }
        let Some(error) = last_error else {
            return Ok(report);
        };
        let pause = std::time::Duration::from_millis(500 * u64::from(round));
        let time_left = store::deadline::work_time_left();
        if round == SHARD_ROUNDS || time_left.is_some_and(|left| left < pause * 4) {
            tracing::warn!(
                failed = failed.len(),
                sent = report.sent,
                "shard left reminders unsent; the state machine retries it"
            );
            return Err(error);
        }
        tracing::info!(failed = failed.len(), round, "shard retries the reminders it could not handle");
        tokio::time::sleep(pause).await;
        todo = failed;
    }
    Ok(report)
}

/// Rounds a shard gives the reminders it could not handle before it fails.
const SHARD_ROUNDS: u32 = 4;

async fn handle_keyed<'a>(
    app: &App,
    context: &ShardContext,
    reminder: &'a ReminderRecord,
    now: DateTime<Utc>,
) -> (&'a ReminderRecord, Result<Handled, ApiError>) {
    (reminder, handle_one(app, context, reminder, now).await)
}

/// What a shard's emails are made of, read in batches (BatchGetItem, strongly consistent, 100
/// keys a call) rather than three GetItems per reminder: the interviews, then their seekers and
/// advisors (an advisor has many interviews; each is read once). The transaction still checks
/// the interview is booked at the `sequence` read here.
struct ShardContext {
    interviews: HashMap<String, InterviewRecord>,
    seekers: HashMap<String, SeekerRecord>,
    advisors: HashMap<String, AdvisorRecord>,
}

fn distinct_keys<'a>(
    ids: impl Iterator<Item = &'a str>,
    pk: impl Fn(&str) -> String,
    sk: &str,
) -> Vec<(String, String)> {
    let ids: BTreeSet<&str> = ids.collect();
    ids.into_iter().map(|id| (pk(id), sk.to_owned())).collect()
}

impl ShardContext {
    async fn read(app: &App, due: &[ReminderRecord]) -> Result<ShardContext, ApiError> {
        let keys = distinct_keys(due.iter().map(|r| r.interview_id.as_str()), keys::interview_pk, keys::INTERVIEW_SK);
        let interviews: Vec<InterviewRecord> = app.store.get_many_consistent(&keys).await?;
        let seeker_keys =
            distinct_keys(interviews.iter().map(|i| i.seeker_id.as_str()), keys::seeker_pk, keys::PROFILE);
        let advisor_keys =
            distinct_keys(interviews.iter().map(|i| i.advisor_id.as_str()), keys::advisor_pk, keys::PROFILE);
        let seekers: Vec<SeekerRecord> = app.store.get_many_consistent(&seeker_keys).await?;
        let advisors: Vec<AdvisorRecord> = app.store.get_many_consistent(&advisor_keys).await?;
        Ok(ShardContext {
            interviews: interviews.into_iter().map(|i| (i.interview_id.clone(), i)).collect(),
            seekers: seekers.into_iter().map(|s| (s.seeker_id.clone(), s)).collect(),
            advisors: advisors.into_iter().map(|a| (a.advisor_id.clone(), a)).collect(),
        })
    }
}

/// The last step, after every shard succeeded: the run's report, and the cursor moved to
/// `runAt` when the plan covered every due reminder.
pub async fn finish(app: &App, plan: &Plan, reports: &[ShardReport]) -> Result<RunReport, ApiError> {
    let mut report = RunReport {
        run_at: plan.run_at.clone(),
        from: plan.from.clone(),
        buckets: plan.buckets,
        reminders_read: plan.reminders_read,
        shards: plan.shards.len(),
        sms_released: plan.sms.released,
        sms_dropped: plan.sms.dropped,
        ..RunReport::default()
    };
    for shard in reports {
        report.sent += shard.sent;
        report.already_sent += shard.already_sent;
        report.skipped += shard.skipped;
    }
    if plan.complete && reports.len() == plan.shards.len() {
        let now = domain::time::from_key(&plan.run_at)
            .ok_or_else(|| ApiError::internal("finish step: runAt is not an instant"))?;
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
                .expression_attribute_values(":due", s(to_key(reminder.due_at)))
        })
        .await?;
    Ok(if updated.is_some() { Handled::Skipped } else { Handled::AlreadySent })
}

async fn handle_one(
    app: &App,
    context: &ShardContext,
    reminder: &ReminderRecord,
    now: DateTime<Utc>,
) -> Result<Handled, ApiError> {
    let Some(kind) = ReminderKind::parse(&reminder.kind) else {
        return skip(app, reminder, now, "unknown_kind").await;
    };
    let Some(interview) = context.interviews.get(&reminder.interview_id) else {
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
    let seeker = context.seekers.get(&interview.seeker_id);
    let advisor = context.advisors.get(&interview.advisor_id);
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
        ..InterviewEmail::new(interview, seeker, advisor, &app.config.app_base_url)
    };
    let email = OutboxRecord::new(Email::InterviewReminder(params), &to, Some(&interview.seeker_id), now);
    let mut tx = Tx::new();
    let mark_sent = tx.push(update(reminder.pk.clone(), &reminder.sk, |u| {
        u.update_expression("SET sentAt = :now, emailId = :email REMOVE gsi1pk, gsi1sk")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(sentAt) AND dueAt = :due")
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(":email", s(email.email_id.clone()))
            .expression_attribute_values(":due", s(to_key(reminder.due_at)))
    }));
    // Cancelled or moved since it was read: the guard drops the email (a moved interview has new reminders).
    let still_booked = tx.push(check(interview.pk(), &interview.sk(), |c| {
        c.condition_expression("#status = :booked AND #sequence = :sequence")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#sequence", "sequence")
            .expression_attribute_values(":booked", s("booked"))
            .expression_attribute_values(":sequence", n(interview.sequence))
    }));
    tx.push(put(email.to_item()?, None));
    // The day-before reminder goes by SMS too, to a seeker who opted in (deferred past the
    // quiet hours); in the same transaction, so once with the email.
    if kind == ReminderKind::DayBefore {
        let text = domain::sms::day_before_reminder_text(
            interview.start_at(),
            interview.channel,
            interview.caller,
            app.config.agency_phone_number.as_ref(),
        );
        let sms = SmsMessage::new(SmsTemplate::DayBeforeReminder, &interview.seeker_id, text, now);
        if let Some(write) = sms.write_for(seeker, now)? {
            tx.push(write);
        }
    }
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
    fn shards_cut_a_bucket_into_consecutive_ranges_covering_every_key_once() {
        let keys: Vec<String> = (0..2_500).map(|i| format!("2026-10-25T08:00:00Z#I{i:05}#hour_before")).collect();
        let shards = shards_of("2026-10-25T08", &keys, 1_000);
        assert_eq!(shards.len(), 3);
        assert_eq!(shards[0].first, keys[0]);
        assert_eq!(shards[0].last, keys[999]);
        assert_eq!(shards[1].first, keys[1_000]);
        assert_eq!(shards[2].last, keys[2_499]);
        assert!(shards.windows(2).all(|w| w[0].last < w[1].first), "no key in two shards");
        assert!(shards_of("2026-10-25T08", &[], 1_000).is_empty());
    }

    #[test]
    fn the_steps_parse_as_the_state_machine_sends_them() {
        let plan: RunStep = serde_json::from_str(r#"{"step":"plan","time":"2026-10-25T01:30:00Z"}"#).unwrap();
        assert!(
            matches!(plan, RunStep::Plan { time } if time == Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).unwrap())
        );
        let send: RunStep = serde_json::from_str(
            r#"{"step":"send","runAt":"2026-10-25T01:30:00Z","shard":{"bucket":"2026-10-25T01","first":"a","last":"b"}}"#,
        )
        .unwrap();
        assert!(matches!(send, RunStep::Send { shard, .. } if shard.last == "b"));
        assert!(serde_json::from_str::<RunStep>(r#"{"step":"other"}"#).is_err());
    }

    #[test]
    fn buckets_are_utc_hours_so_a_daylight_saving_change_skips_or_repeats_none() {
        // 25 October 2026: Paris goes from 03:00 CEST back to 02:00 CET at 01:00 UTC.
        let from = Utc.with_ymd_and_hms(2026, 10, 24, 23, 50, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 10, 25, 2, 5, 0).unwrap();
        assert_eq!(buckets(from, to), vec!["2026-10-24T23", "2026-10-25T00", "2026-10-25T01", "2026-10-25T02"]);
    }
}
