//! Video interviews end to end: joining the Chime meeting (through the real SDK
//! client against the local Chime emulator), who may join and when, the phone
//! fallback, Chime failures, meetings gone on Chime's side, the scheduled end,
//! and attendance proof from Chime meeting events.

use std::collections::HashSet;

use chrono::{Duration, DurationRound, Utc};
use futures::future::join_all;
use integration_tests::{
    assert_error, attr_text, paris_at, parse_instant, poll_until, regions, unique, Api, Person, Table,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A video interview happening now between a fresh advisor and one of their seekers.
struct Video {
    api: Api,
    table: Table,
    admin: Person,
    advisor: Person,
    advisor_id: String,
    seeker: Person,
    seeker_id: String,
    interview_id: String,
}

impl Video {
    /// A convocation by video, moved so that it started `minutes_ago` minutes ago (negative: in the future).
    async fn new(minutes_ago: i64) -> Video {
        let api = Api::new();
        let table = Table::connect().await;
        let admin = api.admin().await;
        let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
        let interview_id = api.convoke(&advisor, &seeker_id, paris_at(5, 10, 0), "video").await;
        table.move_interview_to_past(&interview_id, minutes_ago).await;
        Video { api, table, admin, advisor, advisor_id, seeker, seeker_id, interview_id }
    }

    fn path(&self) -> String {
        format!("/interviews/{}/meeting", self.interview_id)
    }

    async fn join(&self, who: &Person) -> (StatusCode, Value) {
        self.api.call(Method::POST, &self.path(), Some(who), None).await
    }

    async fn end(&self, who: &Person) -> (StatusCode, Value) {
        self.api.call(Method::DELETE, &self.path(), Some(who), None).await
    }

    /// The meetings the emulator holds for this interview (ended ones included).
    async fn chime_meetings(&self) -> Vec<Value> {
        let response = self
            .api
            .http
            .get(format!("{}/_local/chime/meetings", self.api.base))
            .query(&[("externalMeetingId", self.interview_id.as_str())])
            .send()
            .await
            .expect("gateway reachable");
        let body: Value = response.json().await.expect("meetings json");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    async fn fault(&self, fault: Option<&str>) {
        let response = self
            .api
            .http
            .post(format!("{}/_local/chime/faults", self.api.base))
            .json(&json!({"externalMeetingId": self.interview_id, "fault": fault}))
            .send()
            .await
            .expect("gateway reachable");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    /// Simulates a client's media `action` (`join`, `leave`): the emulator emits the Chime event; returns it.
    async fn media(&self, meeting_id: &str, attendee_id: &str, action: &str) -> Value {
        let url = format!("{}/_local/chime/meetings/{meeting_id}/attendees/{attendee_id}/{action}", self.api.base);
        let response = self.api.http.post(url).send().await.expect("gateway reachable");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("event json");
        assert!(
            body["deliveries"].as_array().is_some_and(|d| !d.is_empty() && d.iter().all(|d| d["ok"] == true)),
            "{body}"
        );
        body["event"].clone()
    }

    async fn redeliver(&self, event_id: &str) {
        let url = format!("{}/_local/chime/events/{event_id}/redeliver", self.api.base);
        let response = self.api.http.post(url).send().await.expect("gateway reachable");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("json");
        assert!(body["deliveries"].as_array().is_some_and(|d| d.iter().all(|d| d["ok"] == true)), "{body}");
    }

    async fn stored_meeting_id(&self) -> Option<String> {
        let item = self.table.item(&format!("INTERVIEW#{}", self.interview_id), "INTERVIEW").await.expect("interview");
        attr_text(&item, "meetingId").map(str::to_owned)
    }

    /// Sort keys of the interview's partition starting with `prefix`.
    async fn items_with(&self, prefix: &str) -> Vec<String> {
        self.table
            .partition(&format!("INTERVIEW#{}", self.interview_id))
            .await
            .into_iter()
            .filter_map(|item| attr_text(&item, "sk").filter(|sk| sk.starts_with(prefix)).map(str::to_owned))
            .collect()
    }

    async fn attendance_entries(&self) -> Vec<Value> {
        let (status, journal) =
            self.api.get(&format!("/seekers/{}/journal?limit=200", self.seeker_id), &self.advisor).await;
        assert_eq!(status, StatusCode::OK, "{journal}");
        journal["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["kind"] == "attendance" && e["details"]["interviewId"] == self.interview_id.as_str())
            .collect()
    }

    async fn switch(&self, channel: &str) {
        let (status, body) = self
            .api
            .post(
                &format!("/interviews/{}/channel", self.interview_id),
                &self.advisor,
                json!({"channel": channel, "reason": "la vidéo ne passe pas"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "switched to {channel}: {body}");
    }
}

fn meeting_id(body: &Value) -> String {
    body["meeting"]["MeetingId"].as_str().unwrap_or_else(|| panic!("MeetingId in {body}")).to_owned()
}

fn attendee_id(body: &Value) -> String {
    body["attendee"]["AttendeeId"].as_str().unwrap_or_else(|| panic!("AttendeeId in {body}")).to_owned()
}

#[tokio::test]
async fn twenty_concurrent_joins_by_both_participants_make_one_meeting_and_two_attendees() {
    let video = Video::new(5).await;
    let joins = (0..20).map(|i| {
        let who = if i % 2 == 0 { &video.seeker } else { &video.advisor };
        video.join(who)
    });
    let results = join_all(joins).await;
    let mut meetings = HashSet::new();
    let mut seeker_attendees = HashSet::new();
    let mut advisor_attendees = HashSet::new();
    for (i, (status, body)) in results.iter().enumerate() {
        assert_eq!(*status, StatusCode::OK, "join {i}: {body}");
        meetings.insert(meeting_id(body));
        if i % 2 == 0 {
            seeker_attendees.insert(attendee_id(body));
            assert_eq!(body["attendee"]["ExternalUserId"], format!("seeker-{}", video.seeker_id));
        } else {
            advisor_attendees.insert(attendee_id(body));
            assert_eq!(body["attendee"]["ExternalUserId"], format!("advisor-{}", video.advisor_id));
        }
    }
    assert_eq!(meetings.len(), 1, "one meeting: {meetings:?}");
    assert_eq!(seeker_attendees.len(), 1, "one seeker attendee: {seeker_attendees:?}");
    assert_eq!(advisor_attendees.len(), 1, "one advisor attendee: {advisor_attendees:?}");
    assert!(seeker_attendees.is_disjoint(&advisor_attendees), "two attendee identities");

    // The shapes the Chime SDK for JavaScript takes.
    let (_, body) = &results[0];
    assert_eq!(body["meeting"]["ExternalMeetingId"], video.interview_id.as_str());
    assert_eq!(body["meeting"]["MediaRegion"], "eu-west-3");
    for url in ["AudioHostUrl", "AudioFallbackUrl", "SignalingUrl", "TurnControlUrl", "EventIngestionUrl"] {
        assert!(body["meeting"]["MediaPlacement"][url].is_string(), "{url} in {body}");
    }
    assert!(body["attendee"]["JoinToken"].as_str().is_some_and(|t| !t.is_empty()));

    let meeting = meetings.into_iter().next().expect("one meeting");
    let in_chime = video.chime_meetings().await;
    assert_eq!(in_chime.len(), 1, "Chime holds one meeting for the interview: {in_chime:?}");
    assert_eq!(in_chime[0]["attendees"].as_array().map(Vec::len), Some(2));
    assert_eq!(video.stored_meeting_id().await.as_deref(), Some(meeting.as_str()));
    assert_eq!(video.items_with("ATTENDEE#").await.len(), 2);
    let (status, interview) = video.api.get(&format!("/interviews/{}", video.interview_id), &video.seeker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(interview["meeting"]["meetingId"], meeting.as_str());

    // A rejoin (a reloaded page) gets the same attendee, with a token to join again.
    let (status, again) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meeting_id(&again), meeting);
    assert!(seeker_attendees.contains(&attendee_id(&again)));
}

#[tokio::test]
async fn only_the_two_participants_join_and_only_the_advisor_ends_the_meeting() {
    let video = Video::new(5).await;
    let api = &video.api;
    // An outsider (another advisor's seeker), another seeker of the same advisor, another advisor, an admin.
    let (_, other_advisor_id) = api.create_advisor(&video.admin, regions::SHARED, "web", None).await;
    let (outsider, _) = api.seeker_of(&video.admin, &other_advisor_id, regions::SHARED).await;
    let (same_advisors_seeker, _) = api.seeker_of(&video.admin, &video.advisor_id, regions::SHARED).await;
    let (other_advisor, _) = api.create_advisor(&video.admin, regions::SHARED, "web", None).await;
    let unregistered = api.sign_in(&unique("nobody"), &[]).await;
    for who in [&outsider, &same_advisors_seeker, &other_advisor, &video.admin] {
        let (status, body) = video.join(who).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, None);
    }
    let (status, body) = video.join(&unregistered).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_registered"));
    let (status, _) = api.call(Method::POST, &video.path(), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(video.chime_meetings().await.is_empty(), "refused joins create no meeting");
    assert_eq!(video.stored_meeting_id().await, None);

    let (status, joined) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let first = meeting_id(&joined);
    // The seeker may not end it; nor may anyone else.
    let (status, body) = video.end(&video.seeker).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, Some("forbidden"));
    let (status, body) = video.end(&other_advisor).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    assert_eq!(video.stored_meeting_id().await.as_deref(), Some(first.as_str()));
    assert!(video.chime_meetings().await.iter().all(|m| m["ended"] == false));

    let (status, _) = video.end(&video.advisor).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(video.stored_meeting_id().await, None);
    assert!(video.chime_meetings().await.iter().all(|m| m["ended"] == true));
    let (status, _) = video.end(&video.advisor).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "ending is idempotent");

    // Within the window, a new join opens a new meeting.
    let (status, rejoined) = video.join(&video.advisor).await;
    assert_eq!(status, StatusCode::OK, "{rejoined}");
    assert_ne!(meeting_id(&rejoined), first);
}

#[tokio::test]
async fn joining_is_refused_too_early_and_after_the_end() {
    // Starts in 30 minutes: the meeting opens 15 minutes before.
    let early = Video::new(-30).await;
    for who in [&early.seeker, &early.advisor] {
        let (status, body) = early.join(who).await;
        assert_error(status, &body, StatusCode::CONFLICT, Some("too_early"));
    }
    assert!(early.chime_meetings().await.is_empty());
    assert_eq!(early.stored_meeting_id().await, None);
    early.table.move_interview_to_past(&early.interview_id, -10).await;
    let (status, body) = early.join(&early.seeker).await;
    assert_eq!(status, StatusCode::OK, "10 minutes before the start: {body}");

    // Interviews run over: ended 10 minutes ago, inside the 30-minute overrun limit, it can
    // still be joined (a participant whose connection dropped comes back).
    let running_over = Video::new(40).await;
    for who in [&running_over.seeker, &running_over.advisor] {
        let (status, body) = running_over.join(who).await;
        assert_eq!(status, StatusCode::OK, "10 minutes after the end: {body}");
    }
    // Ended 31 minutes ago: past the limit.
    let late = Video::new(61).await;
    for who in [&late.seeker, &late.advisor] {
        let (status, body) = late.join(who).await;
        assert_error(status, &body, StatusCode::CONFLICT, Some("interview_over"));
    }
    assert!(late.chime_meetings().await.is_empty());
    assert_eq!(late.stored_meeting_id().await, None);
    assert!(late.items_with("ATTENDEE#").await.is_empty());
}

#[tokio::test]
async fn a_phone_interview_refuses_joining_until_switched_back_to_video() {
    let video = Video::new(5).await;
    let (status, body) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = meeting_id(&body);

    // The video fails: the advisor goes on by phone, and the meeting cannot be joined any more.
    video.switch("phone").await;
    for who in [&video.seeker, &video.advisor] {
        let (status, body) = video.join(who).await;
        assert_error(status, &body, StatusCode::CONFLICT, Some("not_video"));
    }
    // Back to video: joining works again, in the same meeting.
    video.switch("video").await;
    let (status, body) = video.join(&video.advisor).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(meeting_id(&body), first);

    // An interview booked by phone from the start never has a meeting.
    let phone_id = video.api.convoke(&video.advisor, &video.seeker_id, paris_at(6, 14, 0), "phone").await;
    video.table.move_interview_to_past(&phone_id, 5).await;
    let (status, body) =
        video.api.call(Method::POST, &format!("/interviews/{phone_id}/meeting"), Some(&video.seeker), None).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("not_video"));
}

#[tokio::test]
async fn chime_throttling_answers_503_with_retry_after_and_writes_nothing() {
    let video = Video::new(5).await;
    for fault in ["throttle", "unavailable"] {
        video.fault(Some(fault)).await;
        let response = video
            .api
            .http
            .post(format!("{}{}", video.api.base, video.path()))
            .bearer_auth(&video.seeker.token)
            .send()
            .await
            .expect("gateway reachable");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{fault}");
        assert!(response.headers().contains_key("retry-after"), "Retry-After when Chime is {fault}");
        let body: Value = response.json().await.expect("error json");
        assert_error(StatusCode::SERVICE_UNAVAILABLE, &body, StatusCode::SERVICE_UNAVAILABLE, Some("unavailable"));
        assert_eq!(video.stored_meeting_id().await, None, "nothing written");
        assert!(video.items_with("ATTENDEE#").await.is_empty());
        assert!(video.items_with("MEETING_END").await.is_empty());
        assert!(video.chime_meetings().await.is_empty());
    }
    video.fault(None).await;
    let (status, body) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK, "once Chime recovers: {body}");
    let meeting = meeting_id(&body);

    // Throttled again with a meeting in place: 503, and the interview still names its meeting.
    video.fault(Some("throttle")).await;
    let (status, body) = video.join(&video.advisor).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, Some("unavailable"));
    let (status, body) = video.end(&video.advisor).await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, Some("unavailable"));
    assert_eq!(video.stored_meeting_id().await.as_deref(), Some(meeting.as_str()));
    assert_eq!(video.items_with("ATTENDEE#").await.len(), 1);
    video.fault(None).await;
    let (status, body) = video.join(&video.advisor).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(meeting_id(&body), meeting);
}

#[tokio::test]
async fn a_meeting_gone_on_chimes_side_is_replaced_on_the_next_join() {
    let video = Video::new(5).await;
    let (status, body) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = meeting_id(&body);

    // Chime ends a meeting left empty for 5 minutes: it is NotFound from then on.
    let response = video
        .api
        .http
        .post(format!("{}/_local/chime/meetings/{first}/expire", video.api.base))
        .send()
        .await
        .expect("gateway reachable");
    assert_eq!(response.status(), StatusCode::OK);

    // Concurrent rejoins converge on one new meeting.
    let joins = (0..6).map(|i| video.join(if i % 2 == 0 { &video.seeker } else { &video.advisor }));
    let results = join_all(joins).await;
    let mut replacements = HashSet::new();
    for (status, body) in &results {
        assert_eq!(*status, StatusCode::OK, "{body}");
        replacements.insert(meeting_id(body));
    }
    assert_eq!(replacements.len(), 1, "{replacements:?}");
    let second = replacements.into_iter().next().expect("one meeting");
    assert_ne!(second, first);
    assert_eq!(video.stored_meeting_id().await.as_deref(), Some(second.as_str()));
    let live: Vec<Value> = video.chime_meetings().await.into_iter().filter(|m| m["ended"] == false).collect();
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["meetingId"], second.as_str());
}

#[tokio::test]
async fn attendance_events_land_in_the_journal_once_each_even_when_delivered_twice() {
    let video = Video::new(5).await;
    let (status, seeker_join) = video.join(&video.seeker).await;
    assert_eq!(status, StatusCode::OK, "{seeker_join}");
    let (status, advisor_join) = video.join(&video.advisor).await;
    assert_eq!(status, StatusCode::OK, "{advisor_join}");
    let meeting = meeting_id(&seeker_join);

    let joined = video.media(&meeting, &attendee_id(&seeker_join), "join").await;
    let advisor_joined = video.media(&meeting, &attendee_id(&advisor_join), "join").await;
    let left = video.media(&meeting, &attendee_id(&seeker_join), "leave").await;
    assert_eq!(joined["source"], "aws.chime");
    assert_eq!(joined["detail-type"], "Chime Meeting State Change");
    assert_eq!(joined["detail"]["eventType"], "chime:AttendeeJoined");
    // EventBridge delivers at least once: the same events again, concurrently too.
    let ids: Vec<String> =
        [&joined, &advisor_joined, &left].iter().map(|e| e["id"].as_str().expect("event id").to_owned()).collect();
    join_all(ids.iter().chain(ids.iter()).map(|id| video.redeliver(id))).await;

    // The advisor ends the meeting: Chime sends MeetingEnded (asynchronously).
    let (status, _) = video.end(&video.advisor).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let entries = poll_until(
        100,
        std::time::Duration::from_millis(100),
        || video.attendance_entries(),
        |entries: &Vec<Value>| entries.iter().any(|e| e["details"]["event"] == "meeting_ended"),
    )
    .await;
    let mut seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["details"]["event"].as_str().unwrap_or_default().to_owned(),
                e["details"]["participant"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("joined".to_owned(), "advisor".to_owned()),
            ("joined".to_owned(), "seeker".to_owned()),
            ("left".to_owned(), "seeker".to_owned()),
            ("meeting_ended".to_owned(), "-".to_owned()),
        ],
        "one entry per event: {entries:?}"
    );
    for entry in &entries {
        assert_eq!(entry["actor"]["role"], "system");
        assert_eq!(entry["details"]["meetingId"], meeting.as_str());
        assert_eq!(entry["details"]["mandatory"], true);
    }
    assert_eq!(video.items_with("ATTENDANCE#").await.len(), 4);
    // The seeker reads the same proof in their own journal.
    let (status, own) = video.api.get(&format!("/seekers/{}/journal", video.seeker_id), &video.seeker).await;
    assert_eq!(status, StatusCode::OK);
    let own_count = own["items"].as_array().map(|items| items.iter().filter(|e| e["kind"] == "attendance").count());
    assert_eq!(own_count, Some(4));
}

/// Whether Chime holds a meeting of the interview that is not ended.
async fn live(video: &Video) -> bool {
    video.chime_meetings().await.iter().any(|m| m["ended"] == false)
}

/// Every run of the scheduled job is in this one test: a run at a chosen instant ends the
/// meetings of every test's interviews that are over by then, so the runs here stay before the
/// end of the other tests' interviews (they end 25 minutes from their start, at the earliest).
#[tokio::test]
async fn the_scheduled_job_ends_meetings_once_over_and_empty_or_at_the_overrun_limit() {
    // Ends in two minutes, nobody in its meeting.
    let finished = Video::new(28).await;
    // Ended 10 minutes ago; its two participants are still in the meeting (limit in 20 minutes).
    let running_over = Video::new(40).await;
    // Ended 10 minutes ago; the seeker came and left, the meeting is empty.
    let left_empty = Video::new(40).await;
    // Ended 10 minutes ago; the seeker comes back (a dropped connection), their media not yet in.
    let connecting = Video::new(40).await;
    let mut meetings = Vec::new();
    for video in [&finished, &running_over, &left_empty, &connecting] {
        let (status, body) = video.join(&video.seeker).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        meetings.push((meeting_id(&body), attendee_id(&body)));
    }
    let (status, advisor_join) = running_over.join(&running_over.advisor).await;
    assert_eq!(status, StatusCode::OK, "{advisor_join}");
    let (meeting, seeker_attendee) = &meetings[1];
    running_over.media(meeting, seeker_attendee, "join").await;
    running_over.media(meeting, &attendee_id(&advisor_join), "join").await;
    let (meeting, attendee) = &meetings[2];
    left_empty.media(meeting, attendee, "join").await;
    left_empty.media(meeting, attendee, "leave").await;
    let run = |at: chrono::DateTime<Utc>| finished.api.run_schedule("MeetingSweeperFunction", at);

    // Now: the interview not yet over keeps its meeting; the one running over with people in
    // it keeps its meeting; the one left empty after its end is ended.
    run(Utc::now()).await;
    assert!(live(&finished).await);
    assert_eq!(finished.stored_meeting_id().await.as_deref(), Some(meetings[0].0.as_str()));
    assert!(live(&running_over).await, "participants in the meeting past the end keep it");
    assert_eq!(running_over.stored_meeting_id().await.as_deref(), Some(meetings[1].0.as_str()));
    assert!(!live(&left_empty).await, "a meeting left empty after the end is ended");
    assert_eq!(left_empty.stored_meeting_id().await, None);
    assert!(left_empty.items_with("MEETING_END").await.is_empty());
    assert!(live(&connecting).await, "a participant just given an attendee is connecting");

    // One of the two leaves: someone is still in it, it stays.
    running_over.media(&meetings[1].0, &meetings[1].1, "leave").await;
    run(Utc::now()).await;
    assert!(live(&running_over).await, "the advisor is still in it");

    // After the end of the first: its empty meeting is ended and forgotten; a second run changes nothing.
    let after = Utc::now() + Duration::minutes(3);
    run(after).await;
    assert!(finished.chime_meetings().await.iter().all(|m| m["ended"] == true));
    assert_eq!(finished.stored_meeting_id().await, None);
    assert!(finished.items_with("MEETING_END").await.is_empty());
    run(after).await;
    assert_eq!(finished.chime_meetings().await.len(), 1);
    assert!(live(&running_over).await);
    // Two minutes after being given an attendee, still no media: the meeting is empty.
    assert!(!live(&connecting).await, "nobody connected within the grace");

    // At the overrun limit (30 minutes after the end), the meeting ends with people in it.
    run(Utc::now() + Duration::minutes(21)).await;
    assert!(!live(&running_over).await, "ended at the hard limit");
    assert_eq!(running_over.stored_meeting_id().await, None);
}

/// `POST /interviews/{id}/extend` by `who`.
async fn extend(video: &Video, who: &Person, minutes: Value) -> (StatusCode, Value) {
    let path = format!("/interviews/{}/extend", video.interview_id);
    video.api.post(&path, who, json!({ "minutes": minutes })).await
}

#[tokio::test]
async fn an_extension_colliding_with_the_next_interview_is_refused_and_one_that_fits_is_accepted() {
    let video = Video::new(5).await;
    // The running interview started on a granule 10 to 15 minutes ago and lasts 30 minutes; the
    // advisor's next interview starts 15 minutes after its end.
    let now = Utc::now();
    let start = now.duration_trunc(Duration::minutes(5)).expect("a granule") - Duration::minutes(10);
    video.table.place_interview(&video.interview_id, start, 30).await;
    let next_id = video.api.convoke(&video.advisor, &video.seeker_id, paris_at(6, 10, 0), "phone").await;
    video.table.place_interview(&next_id, start + Duration::minutes(45), 30).await;
    let end = |body: &Value| parse_instant(body["end"].as_str().unwrap_or_else(|| panic!("end in {body}")));
    let read = || async { video.api.get(&format!("/interviews/{}", video.interview_id), &video.advisor).await.1 };

    // 20 more minutes would run into the next interview: refused, nothing changed.
    let (status, body) = extend(&video, &video.advisor, json!(20)).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("agenda_taken"));
    let unchanged = read().await;
    assert_eq!(end(&unchanged), start + Duration::minutes(30), "{unchanged}");
    assert_eq!(unchanged["durationMinutes"], 30);

    // 15 more minutes end exactly when the next one starts: accepted.
    let (status, extended) = extend(&video, &video.advisor, json!(15)).await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    assert_eq!(end(&extended), start + Duration::minutes(45));
    assert_eq!(extended["durationMinutes"], 45);
    assert_eq!(end(&read().await), start + Duration::minutes(45));
    let (status, body) = extend(&video, &video.advisor, json!(5)).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("agenda_taken"));

    // Only the advisor extends, by whole granules; the next interview has not started.
    let (status, body) = extend(&video, &video.seeker, json!(5)).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, Some("forbidden"));
    for minutes in [json!(7), json!(0), json!(65), json!("15")] {
        let (status, body) = extend(&video, &video.advisor, minutes.clone()).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{minutes}: {body}");
    }
    let (status, body) =
        video.api.post(&format!("/interviews/{next_id}/extend"), &video.advisor, json!({"minutes": 5})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("not_started"));
    assert_eq!(end(&read().await), start + Duration::minutes(45), "refusals change nothing");
}
