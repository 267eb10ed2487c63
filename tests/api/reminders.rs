//! The `reminders` scheduled function, driven through the local gateway's
//! `POST /_local/schedule/reminders` with chosen times: exactly-once reminders
//! over a week with a daylight-saving change, concurrent runs, and the work of
//! a run bounded by what is due (10,000 interviews in the table), and the product's peak
//! (20,000 reminders due at once, sent by one run's shards, each once).
//!
//! Tests share the table (and the job cursor) with every other test: each uses
//! its own far-apart dates and people, and asserts on its own people's emails
//! and reminder items, so other data cannot break it.

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use futures::future::join_all;
use integration_tests::{
    attr_text, next_last_sunday, paris_on, parse_instant, regions, stored_instant, Api, Item, PrivateGateway, Table,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use store::interview::ReminderKind;

/// Fires the reminders job as EventBridge would, at `time`; returns its report.
async fn run_at(api: &Api, time: DateTime<Utc>) -> Value {
    api.run_schedule("reminders", time).await
}

fn is_reminder(email: &Value) -> bool {
    email["subject"].as_str().is_some_and(|s| s.starts_with("Rappel"))
}

async fn reminder_emails(api: &Api, to: &str) -> Vec<Value> {
    api.emails_where(to, is_reminder).await
}

/// Waits for `count` reminder emails to `to`, then a little longer to catch any extra one.
async fn settled_reminders(api: &Api, to: &str, count: usize) -> Vec<Value> {
    api.wait_for_emails_where(to, count, is_reminder).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    reminder_emails(api, to).await
}

#[tokio::test]
async fn a_week_across_the_autumn_change_reminds_each_interview_twice_at_the_right_wall_clock_time() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    // The last Sunday of October: Paris goes from 03:00 CEST back to 02:00 CET.
    let sunday = next_last_sunday(10, 30);
    let plan: Vec<(DateTime<Utc>, &str)> = vec![
        (paris_on(sunday - Duration::days(2), 9, 0), "video"), // Friday: an ordinary day
        (paris_on(sunday, 2, 30), "phone"),                    // the first 02:30 (CEST)
        (paris_on(sunday, 3, 30), "video"),                    // after the change: hour-before at the second 02:30
        (paris_on(sunday, 10, 0), "in_person"),                // day-before on Saturday, still CEST (25 h earlier)
        (paris_on(sunday + Duration::days(1), 10, 0), "phone"), // day-before on Sunday, already CET
        (paris_on(sunday + Duration::days(3), 14, 30), "in_person"), // Wednesday
    ];
    let mut cases = Vec::new();
    for (start, channel) in &plan {
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        let interview_id = api.convoke(&advisor, &seeker_id, *start, channel).await;
        cases.push((seeker, interview_id, *start));
    }

    // Every 15 minutes (UTC, as EventBridge rates are) from Thursday 00:00 to the next Thursday,
    // with duplicate runs (the same time twice, and twice at once) and late runs (three
    // scheduled runs missed, then one 7 minutes late).
    let first = paris_on(sunday - Duration::days(3), 0, 0);
    let last = paris_on(sunday + Duration::days(4), 0, 0);
    let mut times = Vec::new();
    let mut at = first;
    let mut index = 0u32;
    while at <= last {
        match index % 24 {
            5..=7 => {}                                 // missed
            8 => times.push(at + Duration::minutes(7)), // late
            _ => times.push(at),
        }
        index += 1;
        at += Duration::minutes(15);
    }
    for (i, time) in times.iter().enumerate() {
        if i % 37 == 0 {
            join_all([run_at(&api, *time), run_at(&api, *time)]).await;
        } else {
            run_at(&api, *time).await;
            if i % 53 == 0 {
                run_at(&api, *time).await;
            }
        }
    }

    let table = Table::connect().await;
    for (seeker, interview_id, start) in &cases {
        let local_start = start.with_timezone(&Paris);
        for kind in ReminderKind::ALL {
            let item = table
                .item(&format!("INTERVIEW#{interview_id}"), &format!("REMINDER#{}", kind.as_str()))
                .await
                .expect("the reminder item");
            assert_eq!(attr_text(&item, "skipped"), None, "{interview_id} {} was sent, not skipped", kind.as_str());
            assert!(!item.contains_key("gsi1pk"), "a sent reminder leaves the index");
            let due = parse_instant(attr_text(&item, "dueAt").expect("dueAt"));
            let sent = parse_instant(attr_text(&item, "sentAt").expect("sent"));
            // Sent by the first run at or after it was due.
            let expected = *times.iter().find(|t| **t >= due).expect("a run after the due time");
            assert_eq!(sent, expected, "{} of the interview at {local_start}", kind.as_str());
            // The due time is the right wall-clock time.
            let local_due = due.with_timezone(&Paris);
            match kind {
                ReminderKind::DayBefore => {
                    assert_eq!(local_due.date_naive(), local_start.date_naive() - Duration::days(1));
                    assert_eq!(local_due.time(), local_start.time(), "same Paris time the day before");
                }
                ReminderKind::HourBefore => assert_eq!(due, *start - Duration::hours(1)),
            }
        }
        let emails = settled_reminders(&api, &seeker.email(), 2).await;
        assert_eq!(emails.len(), 2, "exactly two reminders for the interview at {local_start}: {emails:#?}");
        let subjects: Vec<&str> = emails.iter().filter_map(|e| e["subject"].as_str()).collect();
        assert!(subjects.iter().any(|s| s.contains("demain")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.contains("dans une heure")), "{subjects:?}");
        let text = emails[0]["text"].as_str().unwrap_or_default();
        assert!(text.contains("obligatoire"), "a convocation's reminder says it is mandatory: {text}");
    }
    // The phone interview's reminder carries the number; the in-person one the place.
    let phone = reminder_emails(&api, &cases[1].0.email()).await;
    assert!(phone.iter().all(|e| e["text"].as_str().unwrap_or_default().contains("vous appellera au 06 ")));
    let place = reminder_emails(&api, &cases[3].0.email()).await;
    assert!(place.iter().all(|e| e["text"].as_str().unwrap_or_default().contains("Agence de Rouen")));
}

#[tokio::test]
async fn concurrent_runs_send_each_reminder_once() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let day = Utc::now().with_timezone(&Paris).date_naive() + Duration::days(200);
    let mut cases = Vec::new();
    for minute in [0, 30] {
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        let start = paris_on(day, 11, minute);
        api.convoke(&advisor, &seeker_id, start, "video").await;
        cases.push((seeker, start));
    }
    // Both reminders of both interviews are due by the hour-before time of the later one; five
    // runs at once at each due time, as retries and overlapping invocations would.
    let mut moments: Vec<DateTime<Utc>> = cases
        .iter()
        .flat_map(|(_, start)| [ReminderKind::DayBefore.due(*start), ReminderKind::HourBefore.due(*start)])
        .collect();
    moments.sort();
    for moment in moments {
        let reports = join_all((0..5).map(|_| run_at(&api, moment))).await;
        let sent: u64 = reports.iter().map(|r| r["sent"].as_u64().unwrap_or(0)).sum();
        assert!(sent >= 1, "one of the runs sent the reminder due at {moment}: {reports:?}");
    }
    for (seeker, _) in &cases {
        let emails = settled_reminders(&api, &seeker.email(), 2).await;
        assert_eq!(emails.len(), 2, "no duplicate: {emails:#?}");
    }
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn interview_item(id: &str, seeker_id: &str, advisor_id: &str, start: DateTime<Utc>) -> Item {
    let end = start + Duration::minutes(30);
    let sort = format!("{}#{id}", stored_instant(start));
    [
        ("pk", s(format!("INTERVIEW#{id}"))),
        ("sk", s("INTERVIEW")),
        ("gsi1pk", s(format!("AGENDA#{advisor_id}"))),
        ("gsi1sk", s(sort.clone())),
        ("gsi2pk", s(format!("SEEKER_INTERVIEWS#{seeker_id}"))),
        ("gsi2sk", s(sort)),
        ("interviewId", s(id)),
        ("seekerId", s(seeker_id)),
        ("advisorId", s(advisor_id)),
        ("start", s(stored_instant(start))),
        ("end", s(stored_instant(end))),
        ("durationMinutes", AttributeValue::N("30".into())),
        ("channel", s("video")),
        ("mandatory", AttributeValue::Bool(false)),
        ("status", s("booked")),
        ("sequence", AttributeValue::N("0".into())),
        ("createdAt", s(stored_instant(Utc::now()))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn reminder_item(id: &str, kind: ReminderKind, start: DateTime<Utc>) -> Item {
    let due = kind.due(start);
    [
        ("pk", s(format!("INTERVIEW#{id}"))),
        ("sk", s(format!("REMINDER#{}", kind.as_str()))),
        ("gsi1pk", s(format!("REMIND#{}", due.format("%Y-%m-%dT%H")))),
        ("gsi1sk", s(format!("{}#{id}#{}", stored_instant(due), kind.as_str()))),
        ("interviewId", s(id)),
        ("kind", s(kind.as_str())),
        ("dueAt", s(stored_instant(due))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[tokio::test]
async fn with_ten_thousand_interviews_a_run_reads_only_the_due_reminders() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let admin = api.admin().await;
    let (_, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    // Years ahead, at an hour of its own: no other test has reminders anywhere near.
    let offset_hours = (ulid::Ulid::new().random() % 20_000) as i64;
    let run = Utc.with_ymd_and_hms(2036, 1, 5, 10, 0, 0).single().expect("a time") + Duration::hours(offset_hours);
    const DUE: usize = 5;
    const TOTAL: usize = 10_000;
    let mut items = Vec::new();
    for i in 0..TOTAL {
        let id = format!("LOAD{i:05}{}", ulid::Ulid::new());
        if i < DUE {
            // Hour-before reminders due in the last 15 minutes; their day-before went long ago.
            let start = run + Duration::hours(1) - Duration::minutes(2 * i as i64 + 1);
            items.push(interview_item(&id, &seeker_id, &advisor_id, start));
            items.push(reminder_item(&id, ReminderKind::HourBefore, start));
        } else {
            // Later interviews, every 10 minutes over ten weeks: both reminders still ahead.
            let start = run + Duration::hours(26) + Duration::minutes(10 * i as i64);
            items.push(interview_item(&id, &seeker_id, &advisor_id, start));
            items.push(reminder_item(&id, ReminderKind::DayBefore, start));
            items.push(reminder_item(&id, ReminderKind::HourBefore, start));
        }
    }
    let table = Table::connect().await;
    table.batch_put(items).await;

    // The run 15 minutes earlier sets the cursor; the measured run reads from there.
    let before = run_at(&api, run - Duration::minutes(15)).await;
    assert_eq!(before["sent"], 0, "nothing of this test was due yet: {before}");
    let report = run_at(&api, run).await;
    assert_eq!(report["from"].as_str(), Some(stored_instant(run - Duration::minutes(15)).as_str()), "{report}");
    assert!(report["buckets"].as_u64().is_some_and(|b| b <= 2), "{report}");
    assert_eq!(report["remindersRead"], DUE, "the queries returned the due reminders only: {report}");
    assert_eq!(report["sent"], DUE, "{report}");
    let emails = settled_reminders(&api, &seeker.email(), DUE).await;
    assert_eq!(emails.len(), DUE);
    // And again: nothing left to read.
    let again = run_at(&api, run + Duration::minutes(1)).await;
    assert_eq!(again["remindersRead"], 0, "{again}");
}

/// The product's peak (PRODUCT.md's million remote seekers: about 48,000 interviews a working
/// day, two reminders each, bunched around 9:00): 20,000 hour-before reminders due at one
/// instant in `make bench-reminders` (`PEAK_REMINDERS=20000`), 2,000 (two shards, the same
/// checks) in `make test`, where the shared DynamoDB Local has grown slow to seed by then, every one sent by the one run that finds them (its plan cut into shards, sent by
/// several invocations at once), each exactly once. On a gateway and moto of its own: 20,000
/// emails in the shared moto would slow every other test's email checks for the rest of the run.
#[tokio::test]
async fn a_peak_of_reminders_due_at_one_instant_is_each_sent_once_by_one_run() {
    let _load = integration_tests::exclusive_load().await;
    let stack = PrivateGateway::start("peak").await;
    let api = stack.api();
    let admin = api.admin().await;
    let (_, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    // The table is this test's alone: any moment will do.
    let run = Utc.with_ymd_and_hms(2030, 3, 4, 8, 0, 0).single().expect("a time");
    let start = run + Duration::minutes(53);
    let due: usize = std::env::var("PEAK_REMINDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let ids: Vec<String> = (0..due).map(|i| format!("PEAK{i:05}{}", ulid::Ulid::new())).collect();
    let mut items = Vec::with_capacity(2 * due);
    for id in &ids {
        items.push(interview_item(id, &seeker_id, &advisor_id, start));
        items.push(reminder_item(id, ReminderKind::HourBefore, start));
    }
    let seeding = std::time::Instant::now();
    stack.table.batch_put(items).await;
    eprintln!("peak: {} items written in {:.1} s", 2 * due, seeding.elapsed().as_secs_f64());

    let running = std::time::Instant::now();
    let report = api.run_schedule_within("reminders", run, std::time::Duration::from_secs(15 * 60)).await;
    eprintln!("peak: {due} reminders sent by one run in {:.1} s: {report}", running.elapsed().as_secs_f64());
    assert_eq!(report["remindersRead"], due, "{report}");
    assert_eq!(report["sent"], due, "{report}");
    assert_eq!(report["alreadySent"], 0, "{report}");
    assert_eq!(report["skipped"], 0, "{report}");
    assert!(report["shards"].as_u64().is_some_and(|s| s > 1), "the run fanned out: {report}");
    assert_eq!(report["cursorAdvanced"], true, "{report}");

    // Every reminder sent by this run, each with an email of its own, and no other reminder email
    // in the seeker's outbox: one email per interview, none missing, none twice. (Sent emails lose
    // their parameters, so the link is the reminder's `emailId`.)
    let keys: Vec<(String, String)> =
        ids.iter().map(|id| (format!("INTERVIEW#{id}"), "REMINDER#hour_before".to_owned())).collect();
    let reminders = stack.table.items(&keys).await;
    assert_eq!(reminders.len(), due);
    for item in &reminders {
        assert_eq!(attr_text(item, "sentAt"), Some(stored_instant(run).as_str()), "sent by the run: {item:?}");
        assert_eq!(attr_text(item, "skipped"), None, "{item:?}");
        assert!(!item.contains_key("gsi1pk"), "out of the index: {item:?}");
    }
    let linked: HashSet<&str> = reminders.iter().filter_map(|item| attr_text(item, "emailId")).collect();
    assert_eq!(linked.len(), due, "each reminder has an email of its own");
    let outbox: Vec<Item> = stack
        .table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .into_iter()
        .filter(|item| attr_text(item, "template") == Some("interview_reminder"))
        .collect();
    assert_eq!(outbox.len(), due, "one email per reminder in the outbox, no duplicate");
    let written: HashSet<&str> = outbox.iter().filter_map(|item| attr_text(item, "emailId")).collect();
    assert_eq!(written, linked, "the outbox holds exactly the reminders' emails");
    // A run right after finds nothing left.
    let again = run_at(&api, run + Duration::minutes(1)).await;
    assert_eq!(again["remindersRead"], 0, "{again}");
    assert_eq!(again["sent"], 0, "{again}");
}

async fn digest_at(api: &Api, time: DateTime<Utc>) -> Value {
    api.run_schedule("advisor-digest", time).await
}

#[tokio::test]
async fn the_daily_digest_reaches_each_advisor_with_something_in_it_once() {
    // The digest reads every advisor of the table: beside the load tests it can outlast its timeout.
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let admin = api.admin().await;
    let (busy, busy_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (idle, _) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, _) = api.seeker_of(&admin, &busy_id, regions::SHARED).await;
    let (status, _) = api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": "en agence"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Tomorrow: 08:00 in Paris does the digest; 07:00 (the other firing of the schedule) does nothing.
    let day = Utc::now().with_timezone(&Paris).date_naive() + Duration::days(1);
    let quiet = digest_at(&api, paris_on(day, 7, 0)).await;
    assert!(quiet["day"].is_null(), "{quiet}");
    let reports = join_all([digest_at(&api, paris_on(day, 8, 0)), digest_at(&api, paris_on(day, 8, 0))]).await;
    assert!(reports.iter().all(|r| r["day"] == day.to_string()), "{reports:?}");
    digest_at(&api, paris_on(day, 8, 5)).await;

    let subject = format!("Votre point du {}", domain::time::french_date(paris_on(day, 8, 0)));
    api.wait_for_subject(&busy.email(), &subject).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let digests: Vec<Value> =
        api.emails_to(&busy.email()).await.into_iter().filter(|e| e["subject"] == subject.as_str()).collect();
    assert_eq!(digests.len(), 1, "one digest a day: {digests:#?}");
    let text = digests[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("Demandes d'entretien en agence en attente de réponse (1)"), "{text}");
    assert!(!text.contains("Zoé"), "the digest names nobody: {text}");
    let idle_digests = api.emails_to(&idle.email()).await;
    assert!(idle_digests.iter().all(|e| e["subject"] != subject.as_str()), "nothing to say, no email");
}

#[tokio::test]
async fn the_reminder_of_a_rescheduled_interview_carries_a_cancel_link_of_its_new_version() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, _) = api.advisor_with_seeker(&admin).await;
    // Dates of this test alone.
    let first = api.slot(&advisor, integration_tests::paris_at(47, 11, 35), 30, &["video"]).await;
    let interview = api.book(&seeker, &first, "video").await;
    let interview_id = interview["interviewId"].as_str().expect("interviewId").to_owned();
    let start = integration_tests::paris_at(48, 16, 25);
    let second = api.slot(&advisor, start, 30, &["video"]).await;
    let (status, moved) =
        api.post(&format!("/interviews/{interview_id}/reschedule"), &seeker, json!({"slotId": second})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");

    // The hour-before reminder (the day-before one is superseded by a run this late).
    run_at(&api, start - Duration::hours(1)).await;
    let reminders = settled_reminders(&api, &seeker.email(), 1).await;
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    let text = reminders[0]["text"].as_str().unwrap_or_default();
    let link = text.split_whitespace().find(|w| w.contains("/links/")).expect("a cancel link").to_owned();
    let response = api.http.post(&link).send().await.expect("gateway reachable");
    let (status, page) = (response.status(), response.text().await.unwrap_or_default());
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Rendez-vous annulé"), "{page}");
    let (_, read) = api.get(&format!("/interviews/{interview_id}"), &seeker).await;
    assert_eq!(read["status"], "cancelled");
}
