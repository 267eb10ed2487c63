//! Interviews and follow-up through the local gateway (API.md): slots,
//! bookings under races, convocations, cancellation, rescheduling,
//! in-person requests, the journal, the emails and their invitations.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use futures::future::join_all;
use icalendar::{Calendar, CalendarComponent, Component};
use integration_tests::{
    assert_error, instant, next_last_sunday, paris_at, paris_on, poll_until, query_instant, regions, rfc3339, Api,
    Person, Table, EVERY_CHANNEL,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// An advisor of their own, with `seekers` seekers in their portfolio.
async fn advisor_with_seekers(api: &Api, count: usize) -> (Person, String, Vec<(Person, String)>) {
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let seekers = join_all((0..count).map(|_| api.seeker_of(&admin, &advisor_id, regions::SHARED))).await;
    (advisor, advisor_id, seekers)
}

/// The interviews of the advisor's agenda that still hold time (booked).
async fn booked_agenda(api: &Api, advisor: &Person, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Value> {
    let path = format!("/advisors/me/agenda?from={}&to={}&limit=200", query_instant(from), query_instant(to));
    let (status, agenda) = api.get(&path, advisor).await;
    assert_eq!(status, StatusCode::OK, "{agenda}");
    agenda["items"].as_array().unwrap().iter().filter(|i| i["status"] == "booked").cloned().collect()
}

fn assert_no_overlap(interviews: &[Value]) {
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        interviews.iter().map(|i| (instant(&i["start"]), instant(&i["end"]))).collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "two interviews overlap: {pair:?}");
    }
}

#[tokio::test]
async fn fifty_seekers_racing_for_one_slot_make_one_interview() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 50).await;
    let start = paris_at(3, 10, 0);
    let slot_id = api.slot(&advisor, start, 30, EVERY_CHANNEL).await;

    let attempts = seekers
        .iter()
        .map(|(seeker, _)| api.post("/interviews", seeker, json!({"slotId": slot_id, "channel": "video"})));
    let results = join_all(attempts).await;
    let winners: Vec<&Value> = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b).collect();
    assert_eq!(winners.len(), 1, "exactly one booking: {results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(*status, body, StatusCode::CONFLICT, Some("slot_taken"));
    }
    let (_, slots) = api.get("/advisors/me/slots", &advisor).await;
    let slot = slots["items"].as_array().unwrap().iter().find(|s| s["slotId"] == slot_id.as_str()).unwrap().clone();
    assert_eq!(slot["state"], "booked");
    assert_eq!(slot["bookedBy"], winners[0]["seekerId"], "the slot names the winner");
    assert_eq!(slot["interviewId"], winners[0]["interviewId"]);
    let agenda = booked_agenda(&api, &advisor, start - Duration::hours(1), start + Duration::hours(1)).await;
    assert_eq!(agenda.len(), 1);
}

#[tokio::test]
async fn twenty_slots_with_ten_racers_each_make_twenty_interviews() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 20).await;
    let day_start = paris_at(4, 8, 0);
    let mut slot_ids = Vec::new();
    for i in 0..20 {
        slot_ids.push(api.slot(&advisor, day_start + Duration::minutes(30 * i), 30, EVERY_CHANNEL).await);
    }
    let mut attempts = Vec::new();
    for (i, slot_id) in slot_ids.iter().enumerate() {
        for j in 0..10 {
            let (seeker, _) = &seekers[(i + j) % seekers.len()];
            attempts.push(api.post("/interviews", seeker, json!({"slotId": slot_id, "channel": "phone"})));
        }
    }
    let results = join_all(attempts).await;
    let booked: Vec<&Value> = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b).collect();
    assert_eq!(booked.len(), 20, "one interview per slot");
    let distinct: HashSet<&str> = booked.iter().map(|b| b["slotId"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 20, "no slot twice");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(*status, body, StatusCode::CONFLICT, Some("slot_taken"));
    }
    let agenda = booked_agenda(&api, &advisor, day_start, day_start + Duration::hours(11)).await;
    assert_eq!(agenda.len(), 20);
    assert_no_overlap(&agenda);
}

#[tokio::test]
async fn a_convocation_racing_bookings_never_double_books_the_advisor() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 11).await;
    let start = paris_at(5, 14, 0);
    let slot_id = api.slot(&advisor, start, 30, EVERY_CHANNEL).await;
    let (convoked, convoked_id) = &seekers[10];
    let _ = convoked;

    let mut bookings = Vec::new();
    for (seeker, _) in &seekers[..10] {
        bookings.push(api.post("/interviews", seeker, json!({"slotId": slot_id, "channel": "video"})));
    }
    // Convocations overlapping the slot by 15 minutes, racing the bookings.
    let convocation_path = format!("/seekers/{convoked_id}/convocations");
    let convocations = (0..3).map(|_| {
        api.post(
            &convocation_path,
            &advisor,
            json!({"start": rfc3339(start + Duration::minutes(15)), "durationMinutes": 30, "channel": "video"}),
        )
    });
    let (booked, convoked_results) = tokio::join!(join_all(bookings), join_all(convocations));
    let convocation_wins = convoked_results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let booking_wins = booked.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert!(convocation_wins <= 1 && booking_wins <= 1);
    assert_eq!(convocation_wins + booking_wins, 1, "the agenda holds exactly one of them");
    for (status, body) in convoked_results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(*status, body, StatusCode::CONFLICT, Some("agenda_taken"));
    }
    for (status, body) in booked.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
    }
    let agenda = booked_agenda(&api, &advisor, start - Duration::hours(1), start + Duration::hours(2)).await;
    assert_eq!(agenda.len(), 1);
    assert_no_overlap(&agenda);
}

#[tokio::test]
async fn cancel_and_rebook_racing_leave_slot_and_interviews_consistent() {
    let api = Api::new();
    let table = Table::connect().await;
    let (advisor, _, seekers) = advisor_with_seekers(&api, 6).await;
    for round in 0..3 {
        let start = paris_at(6, 9 + round, 0);
        let slot_id = api.slot(&advisor, start, 30, EVERY_CHANNEL).await;
        let (first, _) = &seekers[0];
        let interview = api.book(first, &slot_id, "video").await;
        let interview_id = interview["interviewId"].as_str().unwrap().to_owned();

        let cancel_path = format!("/interviews/{interview_id}/cancel");
        let cancel = api.post(&cancel_path, first, json!({"reason": "empêchement"}));
        let rebookings = seekers[1..]
            .iter()
            .map(|(s, _)| api.post("/interviews", s, json!({"slotId": slot_id, "channel": "video"})));
        let ((cancel_status, _), rebooked) = tokio::join!(cancel, join_all(rebookings));
        assert_eq!(cancel_status, StatusCode::OK);
        let winners: Vec<&Value> = rebooked.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b).collect();
        assert!(winners.len() <= 1);

        let slot = table.item(&format!("SLOT#{slot_id}"), "SLOT").await.unwrap();
        let first_interview = table.item(&format!("INTERVIEW#{interview_id}"), "INTERVIEW").await.unwrap();
        assert_eq!(first_interview["status"].as_s().unwrap(), "cancelled");
        match winners.first() {
            Some(winner) => {
                assert_eq!(slot["state"].as_s().unwrap(), "booked");
                assert_eq!(slot["interviewId"].as_s().unwrap(), winner["interviewId"].as_str().unwrap());
            }
            None => {
                assert_eq!(slot["state"].as_s().unwrap(), "open");
                assert!(!slot.contains_key("interviewId"));
            }
        }
        let agenda = booked_agenda(&api, &advisor, start, start + Duration::minutes(1)).await;
        assert_eq!(agenda.len(), winners.len());
    }
}

/// The `.ics` attachment of an email, parsed, and its event's start as an instant.
fn invitation(email: &Value) -> (String, DateTime<Utc>, HashMap<String, String>) {
    let attachment = email["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["filename"] == "invitation.ics")
        .expect("an invitation");
    let text = attachment["content"].as_str().unwrap().to_owned();
    let calendar: Calendar = text.parse().expect("a valid iCalendar file");
    let event = calendar
        .components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) => Some(e.clone()),
            _ => None,
        })
        .expect("a VEVENT");
    let dtstart = event.properties().get("DTSTART").expect("DTSTART");
    assert_eq!(dtstart.params().get("TZID").map(|p| p.value()), Some("Europe/Paris"));
    let local = chrono::NaiveDateTime::parse_from_str(dtstart.value(), "%Y%m%dT%H%M%S").expect("local time");
    let start = Paris.from_local_datetime(&local).earliest().unwrap().with_timezone(&Utc);
    let mut properties: HashMap<String, String> =
        event.properties().iter().map(|(k, v)| (k.clone(), v.value().to_owned())).collect();
    properties
        .insert("METHOD".into(), text.lines().find_map(|l| l.strip_prefix("METHOD:")).unwrap_or("").trim().to_owned());
    (text, start, properties)
}

#[tokio::test]
async fn slots_and_convocations_keep_wall_clock_time_across_daylight_saving() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    for month in [3, 10] {
        let change = next_last_sunday(month, 14);
        // Two weeks before the change, 09:30 in Paris; four weekly slots straddle it.
        let first_day = change - Duration::days(12);
        let first = paris_on(first_day, 9, 30);
        let made = api
            .create_slots(
                &advisor,
                json!({"start": rfc3339(first), "durationMinutes": 45, "channels": ["video"], "repeatWeeks": 4}),
            )
            .await;
        assert_eq!(made.len(), 4);
        let offsets: HashSet<String> = made.iter().map(|s| s["start"].as_str().unwrap()[19..].to_owned()).collect();
        assert_eq!(offsets.len(), 2, "the offset changes with the season: {made:?}");
        for slot in &made {
            assert_eq!(&slot["start"].as_str().unwrap()[11..19], "09:30:00", "{slot}");
        }

        // A convocation the day after the change, 09:30: the invitation says 09:30 Europe/Paris.
        let day_after = change + Duration::days(1);
        let start = paris_on(day_after, 9, 30);
        let (status, convocation) = api
            .post(
                &format!("/seekers/{seeker_id}/convocations"),
                &advisor,
                json!({"start": rfc3339(start), "durationMinutes": 30, "channel": "video"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{convocation}");
        assert_eq!(&convocation["start"].as_str().unwrap()[11..19], "09:30:00");
        assert_eq!(instant(&convocation["start"]), start);
        let when = domain::time::french_date_time(start);
        let email = api.wait_for_subject(&seeker.email(), &format!("obligatoire le {when}")).await;
        let email = &email;
        let (text, parsed_start, _) = invitation(email);
        assert_eq!(parsed_start, start, "the invitation parses back to the same instant");
        assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("TZID:Europe/Paris"));
    }
}

#[tokio::test]
async fn emails_carry_invitations_that_follow_the_interview() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    let seeker_email = seeker.email();
    let start = paris_at(7, 11, 0);
    let first_slot = api.slot(&advisor, start, 30, EVERY_CHANNEL).await;
    let second_slot = api.slot(&advisor, start + Duration::hours(2), 30, EVERY_CHANNEL).await;

    let booked = api.book(seeker, &first_slot, "phone").await;
    assert_eq!(booked["phone"]["caller"], "advisor");
    let interview_id = booked["interviewId"].as_str().unwrap().to_owned();
    let confirmation = &api.wait_for_subject(&seeker_email, "est confirmé").await;
    let (_, confirmed_start, confirmed) = invitation(confirmation);
    assert_eq!(confirmed_start, start);
    assert_eq!(confirmed["METHOD"], "REQUEST");
    assert!(confirmation["text"].as_str().unwrap().contains("vous appellera au 06 "), "the national form");

    let (status, moved) =
        api.post(&format!("/interviews/{interview_id}/reschedule"), seeker, json!({"slotId": second_slot})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let update = &api.wait_for_subject(&seeker_email, "déplacé").await;
    let (_, moved_start, updated) = invitation(update);
    assert_eq!(moved_start, start + Duration::hours(2));
    assert_eq!(updated["UID"], confirmed["UID"]);
    assert!(updated["SEQUENCE"].parse::<u32>().unwrap() > confirmed["SEQUENCE"].parse::<u32>().unwrap());

    let (status, cancelled) =
        api.post(&format!("/interviews/{interview_id}/cancel"), &advisor, json!({"reason": "absence imprévue"})).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    let cancellation = &api.wait_for_subject(&seeker_email, "annulé").await;
    let (_, _, cancel) = invitation(cancellation);
    assert_eq!(cancel["METHOD"], "CANCEL");
    assert_eq!(cancel["STATUS"], "CANCELLED");
    assert_eq!(cancel["UID"], confirmed["UID"]);
    assert!(cancel["SEQUENCE"].parse::<u32>().unwrap() > updated["SEQUENCE"].parse::<u32>().unwrap());
    assert!(cancellation["text"].as_str().unwrap().contains("absence imprévue"));
    // Both slots are open again.
    let (_, slots) = api.get("/advisors/me/slots?limit=200", &advisor).await;
    for slot in slots["items"].as_array().unwrap() {
        assert_eq!(slot["state"], "open");
    }

    // A convocation says it is mandatory and how to justify an absence.
    let (status, _) = api
        .post(&format!("/seekers/{seeker_id}/convocations"), &advisor, json!({"start": rfc3339(start + Duration::days(1)), "durationMinutes": 30, "channel": "in_person", "location": "Agence de Montpellier, 12 rue de la Loge"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let convocation = &api.wait_for_subject(&seeker_email, "Convocation").await;
    let text = convocation["text"].as_str().unwrap();
    assert!(text.contains("OBLIGATOIRE") && text.contains("justificatif") && text.contains("12 rue de la Loge"));
    let (_, _, invite) = invitation(convocation);
    assert_eq!(invite["LOCATION"], "Agence de Montpellier\\, 12 rue de la Loge".replace("\\,", ","));
}

#[tokio::test]
async fn the_follow_up_flow_lands_in_the_journal_and_the_cadence() {
    let api = Api::new();
    let table = Table::connect().await;
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    let start = paris_at(8, 15, 0);

    // A convocation, acknowledged (proof kept), then held by video with a switch to phone.
    let (status, convocation) = api
        .post(
            &format!("/seekers/{seeker_id}/convocations"),
            &advisor,
            json!({"start": rfc3339(start), "durationMinutes": 30, "channel": "video"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{convocation}");
    assert_eq!(convocation["mandatory"], true);
    let id = convocation["interviewId"].as_str().unwrap().to_owned();
    let (status, body) = api.post(&format!("/interviews/{id}/cancel"), seeker, json!({"reason": "non"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, Some("mandatory_interview"));
    let (status, acknowledged) = api.post(&format!("/interviews/{id}/acknowledge"), seeker, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    let first_ack = acknowledged["acknowledgedAt"].clone();
    assert!(first_ack.is_string());
    let (_, again) = api.post(&format!("/interviews/{id}/acknowledge"), seeker, json!({})).await;
    assert_eq!(again["acknowledgedAt"], first_ack, "the first acknowledgement stands");
    api.wait_for_subject(&seeker.email(), "Convocation").await;
    // The dispatcher marks the email sent right after SES accepts it.
    let read = poll_until(
        50,
        std::time::Duration::from_millis(100),
        || async { api.get(&format!("/interviews/{id}"), seeker).await.1 },
        |read: &Value| read["convocation"]["sentAt"].is_string(),
    )
    .await;
    assert!(read["convocation"]["sentAt"].is_string(), "proof of sending: {read}");
    assert_eq!(read["convocation"]["acknowledgedAt"], first_ack);

    let (status, body) =
        api.post(&format!("/interviews/{id}/outcome"), &advisor, json!({"outcome": "completed"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("too_early"));
    table.move_interview_to_past(&id, 10).await;
    let (status, switched) = api
        .post(
            &format!("/interviews/{id}/channel"),
            &advisor,
            json!({"channel": "phone", "reason": "la caméra ne fonctionne pas"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{switched}");
    assert_eq!(switched["channel"], "phone");
    assert_eq!(switched["channelHistory"][0]["from"], "video");
    assert!(switched["phone"]["number"].is_string());
    let (status, held) = api
        .post(
            &format!("/interviews/{id}/outcome"),
            &advisor,
            json!({"outcome": "completed", "note": "projet de formation"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{held}");
    assert_eq!(held["status"], "completed");
    let (status, body) = api.post(&format!("/interviews/{id}/outcome"), &advisor, json!({"outcome": "no_show"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("outcome_recorded"));

    // The contact moved the cadence: next contact due 30 days (guided) after it.
    let (_, me) = api.get("/seekers/me", seeker).await;
    let last = instant(&me["lastContactAt"]);
    assert!((Utc::now() - last) < Duration::minutes(15));
    assert_eq!(instant(&me["nextContactDue"]), last + Duration::days(30));

    // An in-person request, declined, then another, accepted.
    let (status, request) = api
        .post("/seekers/me/in-person-requests", seeker, json!({"reason": "je préfère en parler de vive voix"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let (status, body) = api.post("/seekers/me/in-person-requests", seeker, json!({"reason": "encore"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("request_open"));
    let (_, open) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let request_id = request["requestId"].as_str().unwrap();
    let (status, declined) = api
        .post(
            &format!("/in-person-requests/{request_id}/decline"),
            &advisor,
            json!({"message": "Pas d'agence disponible cette semaine."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    let (status, request) =
        api.post("/seekers/me/in-person-requests", seeker, json!({"reason": "nouvelle demande"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let request_id = request["requestId"].as_str().unwrap();
    let (status, accepted) = api
        .post(
            &format!("/in-person-requests/{request_id}/accept"),
            &advisor,
            json!({"start": rfc3339(start + Duration::days(2)), "durationMinutes": 45, "location": "Agence Paris 11e"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["interview"]["channel"], "in_person");
    assert_eq!(accepted["request"]["status"], "accepted");
    let (status, body) =
        api.post(&format!("/in-person-requests/{request_id}/decline"), &advisor, json!({"message": "x"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("already_answered"));
    let (_, open) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert!(open["items"].as_array().unwrap().is_empty());
    // The seeker's own list: both requests, newest first, with the answers.
    let (status, mine) = api.get("/seekers/me/in-person-requests", seeker).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let mine = mine["items"].as_array().unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[0]["status"], "accepted");
    assert_eq!(mine[0]["interviewId"], accepted["interview"]["interviewId"]);
    assert_eq!(mine[1]["status"], "declined");
    assert_eq!(mine[1]["message"], "Pas d'agence disponible cette semaine.");
    let (status, body) = api.get("/seekers/me/in-person-requests", &advisor).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, Some("forbidden"));
    let declined_email = api.wait_for_subject(&seeker.email(), "Votre demande d'entretien").await;
    assert!(declined_email["text"].as_str().unwrap().contains("Pas d'agence disponible"));
    let accepted_email = &api.wait_for_subject(&seeker.email(), "Votre entretien en agence").await;
    assert_eq!(invitation(accepted_email).1, start + Duration::days(2));

    // The journal, newest first, for the seeker and their advisor.
    let (status, journal) = api.get(&format!("/seekers/{seeker_id}/journal?limit=200"), seeker).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = journal["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "convoked",
        "acknowledged",
        "channel_switched",
        "completed",
        "in_person_requested",
        "in_person_declined",
        "in_person_accepted",
        "email_sent",
        "registered",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let at: Vec<DateTime<Utc>> = journal["items"].as_array().unwrap().iter().map(|e| instant(&e["at"])).collect();
    assert!(at.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let (status, paged) = api.get(&format!("/seekers/{seeker_id}/journal?limit=2"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    assert!(paged["nextCursor"].is_string());
}

#[tokio::test]
async fn nobody_books_reads_or_convokes_outside_their_own() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 2).await;
    let (other_advisor, _, other_seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    let (neighbour, _) = &seekers[1];
    let (stranger, stranger_id) = &other_seekers[0];
    let start = paris_at(9, 10, 0);
    let other_slot = api.slot(&other_advisor, start, 30, EVERY_CHANNEL).await;
    let own_slot = api.slot(&advisor, start, 30, EVERY_CHANNEL).await;

    let (status, body) = api.post("/interviews", seeker, json!({"slotId": other_slot, "channel": "video"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("slot_not_found"));
    let booked = api.book(seeker, &own_slot, "video").await;
    let interview_id = booked["interviewId"].as_str().unwrap();
    let path = format!("/interviews/{interview_id}");
    for outsider in [neighbour, stranger, &other_advisor] {
        let (status, body) = api.get(&path, outsider).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, None);
        let (status, body) = api.post(&format!("{path}/cancel"), outsider, json!({"reason": "x"})).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, None);
    }
    for outsider in [neighbour, stranger, &other_advisor] {
        let (status, body) = api.get(&format!("/seekers/{seeker_id}/journal"), outsider).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, None);
    }
    let (status, body) = api
        .post(
            &format!("/seekers/{stranger_id}/convocations"),
            &advisor,
            json!({"start": rfc3339(start + Duration::hours(3)), "durationMinutes": 30, "channel": "video"}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) = api
        .post(
            &format!("/seekers/{seeker_id}/convocations"),
            seeker,
            json!({"start": rfc3339(start + Duration::hours(3)), "durationMinutes": 30, "channel": "video"}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = api.post(&format!("{path}/outcome"), seeker, json!({"outcome": "completed"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = api.post(&format!("{path}/channel"), seeker, json!({"channel": "phone", "reason": "x"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = api.get("/advisors/me/agenda", seeker).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) =
        api.call(Method::DELETE, &format!("/advisors/me/slots/{own_slot}"), Some(&other_advisor), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) =
        api.call(Method::DELETE, &format!("/advisors/me/slots/{own_slot}"), Some(&advisor), None).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("slot_booked"));
    // The seeker sees only their advisor's open slots.
    let (_, visible) = api.get("/seekers/me/slots", seeker).await;
    assert!(visible["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["slotId"] != other_slot.as_str() && s["slotId"] != own_slot.as_str()));
    let (_, theirs) = api.get("/seekers/me/slots", stranger).await;
    assert!(theirs["items"].as_array().unwrap().iter().any(|s| s["slotId"] == other_slot.as_str()));
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_writes_nothing() {
    let api = Api::new();
    let table = Table::connect().await;
    let (advisor, advisor_id, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    let start = paris_at(10, 10, 0);
    let slot = |body: Value| api.post("/advisors/me/slots", &advisor, body);
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"start": rfc3339(Utc::now() - Duration::days(1)), "durationMinutes": 30, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "in_the_past",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 0, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 100000, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 32, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_duration",
        ),
        (
            json!({"start": rfc3339(start + Duration::minutes(3)), "durationMinutes": 30, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_time",
        ),
        (
            json!({"start": "demain 10h", "durationMinutes": 30, "channels": ["video"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_time",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 30, "channels": ["pigeon"]}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 30, "channels": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_channels",
        ),
        (
            json!({"start": rfc3339(start), "durationMinutes": 30, "channels": ["video"], "repeatWeeks": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_repeat",
        ),
        (json!({"start": rfc3339(start), "durationMinutes": 30}), StatusCode::BAD_REQUEST, "invalid_body"),
        (
            json!({"start": rfc3339(start), "durationMinutes": -30, "channels": ["video"]}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
    ];
    for (body, expected, code) in cases {
        let (status, answer) = slot(body).await;
        assert_error(status, &answer, expected, Some(code));
    }
    let (_, listed) = api.get("/advisors/me/slots?limit=200", &advisor).await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "no slot was written");
    assert!(table
        .partition(&format!("ADVISOR#{advisor_id}"))
        .await
        .iter()
        .all(|i| i["sk"].as_s().unwrap() == "PROFILE"));

    // Overlapping slots are refused, whole series included.
    let made = api
        .create_slots(&advisor, json!({"start": rfc3339(start), "durationMinutes": 60, "channels": ["video"]}))
        .await;
    let (status, body) = slot(json!({"start": rfc3339(start - Duration::weeks(1) + Duration::minutes(30)), "durationMinutes": 60, "channels": ["video"], "repeatWeeks": 3})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("slot_overlap"));
    let window = format!(
        "/advisors/me/slots?limit=200&from={}&to={}",
        query_instant(Utc::now()),
        query_instant(Utc::now() + Duration::days(60))
    );
    let (_, listed) = api.get(&window, &advisor).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "the partial series was rolled back: {listed}");

    let slot_id = made[0]["slotId"].as_str().unwrap();
    let booking_cases: Vec<(Value, StatusCode, &str)> = vec![
        (json!({"slotId": slot_id, "channel": "phone"}), StatusCode::UNPROCESSABLE_ENTITY, "channel_not_offered"),
        (json!({"slotId": slot_id, "channel": "fax"}), StatusCode::BAD_REQUEST, "invalid_body"),
        (json!({"slotId": "../../etc", "channel": "video"}), StatusCode::NOT_FOUND, "slot_not_found"),
        (json!({"slotId": slot_id}), StatusCode::BAD_REQUEST, "invalid_body"),
        (json!({"slotId": slot_id, "channel": "video", "extra": true}), StatusCode::BAD_REQUEST, "invalid_body"),
    ];
    for (body, expected, code) in booking_cases {
        let (status, answer) = api.post("/interviews", seeker, body).await;
        assert_error(status, &answer, expected, Some(code));
    }
    let convocation_path = format!("/seekers/{seeker_id}/convocations");
    let convocation = |body: Value| api.post(&convocation_path, &advisor, body);
    let (status, body) = convocation(
        json!({"start": rfc3339(start + Duration::days(1)), "durationMinutes": 30, "channel": "in_person"}),
    )
    .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("location_required"));
    let (status, body) = convocation(
        json!({"start": rfc3339((Utc::now() + Duration::hours(2)).duration_trunc(Duration::hours(1)).unwrap()), "durationMinutes": 30, "channel": "video"}),
    )
    .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("too_late"));
    let (status, body) = api.get("/interviews/not-an-id", seeker).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) = api.get("/advisors/me/agenda?from=yesterday", &advisor).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_time"));
    let (status, agenda) = api.get("/advisors/me/agenda", &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(agenda["items"].as_array().unwrap().is_empty(), "no interview was written");
    let (_, mine) = api.get("/seekers/me/interviews", seeker).await;
    assert!(mine["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_list_cursor_works_only_for_its_own_list_and_stays_valid_as_now_moves() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let first = api.convoke(&advisor, &seeker_id, paris_at(20, 10, 0), "video").await;
    let second = api.convoke(&advisor, &seeker_id, paris_at(21, 10, 0), "video").await;
    let third = api.convoke(&advisor, &seeker_id, paris_at(22, 10, 0), "video").await;

    // A cursor of one list or range is refused by another over the same items, nothing read.
    let (status, all) = api.get("/seekers/me/interviews?scope=all&limit=1", &seeker).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let cursor = all["nextCursor"].as_str().expect("a second page").to_owned();
    let (status, body) = api.get(&format!("/seekers/me/interviews?scope=upcoming&cursor={cursor}"), &seeker).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, next) = api.get(&format!("/seekers/me/interviews?scope=all&limit=1&cursor={cursor}"), &seeker).await;
    assert_eq!(status, StatusCode::OK, "its own list takes it: {next}");
    let range = |days: i64| {
        format!(
            "from={}&to={}",
            integration_tests::query_instant(paris_at(days, 0, 0)),
            integration_tests::query_instant(paris_at(30, 0, 0))
        )
    };
    let (status, agenda) = api.get(&format!("/advisors/me/agenda?{}&limit=1", range(19)), &advisor).await;
    assert_eq!(status, StatusCode::OK, "{agenda}");
    let cursor = agenda["nextCursor"].as_str().expect("a second page").to_owned();
    let (status, body) = api.get(&format!("/advisors/me/agenda?{}&cursor={cursor}", range(18)), &advisor).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, body) = api.get(&format!("/advisors/me/slots?{}&cursor={cursor}", range(19)), &advisor).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, next) = api.get(&format!("/advisors/me/agenda?{}&limit=1&cursor={cursor}", range(19)), &advisor).await;
    assert_eq!((status, next["items"][0]["interviewId"].as_str()), (StatusCode::OK, Some(second.as_str())), "{next}");

    // "Upcoming" starts now: a cursor made before now passed its item still resumes the list.
    // Far enough ahead for the move and the first page to happen before it, on a loaded machine
    // (3 s was not: the first page once came after it).
    let soon = Utc::now() + Duration::seconds(20);
    table.move_interview_and_lists_to(&first, soon).await;
    let (status, upcoming) = api.get("/seekers/me/interviews?scope=upcoming&limit=1", &seeker).await;
    assert_eq!(
        (status, upcoming["items"][0]["interviewId"].as_str()),
        (StatusCode::OK, Some(first.as_str())),
        "{upcoming}"
    );
    let cursor = upcoming["nextCursor"].as_str().expect("a second page").to_owned();
    poll_until(300, std::time::Duration::from_millis(100), || async { Utc::now() }, |now| *now > soon).await;
    let (status, rest) = api.get(&format!("/seekers/me/interviews?scope=upcoming&cursor={cursor}"), &seeker).await;
    assert_eq!(status, StatusCode::OK, "the cursor is still this list's: {rest}");
    let ids: Vec<&str> = rest["items"].as_array().unwrap().iter().filter_map(|i| i["interviewId"].as_str()).collect();
    assert_eq!(ids, vec![second.as_str(), third.as_str()]);
}

#[tokio::test]
async fn an_advisor_books_one_of_their_slots_for_a_seeker_of_their_portfolio_and_no_one_else() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (_other_seeker, other_seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    let (stranger_advisor, stranger_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_, strangers_seeker) = api.seeker_of(&admin, &stranger_id, regions::SHARED).await;
    let slot = api.slot(&advisor, paris_at(4, 10, 0), 30, &["video", "phone"]).await;
    let strangers_slot = api.slot(&stranger_advisor, paris_at(4, 11, 0), 30, &["video"]).await;
    let book = |who: &'static str, seeker: &str, slot: &str| {
        let (api, seeker, slot) = (&api, seeker.to_owned(), slot.to_owned());
        let person = if who == "advisor" { &advisor } else { &stranger_advisor };
        async move {
            api.post(&format!("/seekers/{seeker}/interviews"), person, json!({"slotId": slot, "channel": "phone"}))
                .await
        }
    };

    // Refusals: a seeker of another portfolio, another advisor's slot, a channel not offered.
    let (status, body) = book("advisor", &strangers_seeker, &slot).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    let (status, body) = book("stranger", &seeker_id, &strangers_slot).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    let (status, body) = book("advisor", &seeker_id, &strangers_slot).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("slot_not_found"));
    let (status, body) = api
        .post(&format!("/seekers/{seeker_id}/interviews"), &advisor, json!({"slotId": slot, "channel": "in_person"}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("channel_not_offered"));

    // The working twin: booked, by phone, seen by the seeker and journaled with the advisor as actor.
    let (status, interview) = book("advisor", &seeker_id, &slot).await;
    assert_eq!(status, StatusCode::CREATED, "{interview}");
    assert_eq!(interview["seekerId"], seeker_id.as_str());
    assert_eq!(interview["slotId"], slot.as_str());
    assert_eq!(interview["channel"], "phone");
    assert_eq!(interview["mandatory"], false);
    assert_eq!(interview["phone"]["caller"], "advisor");
    let (_, mine) = api.get("/seekers/me/interviews", &seeker).await;
    assert!(mine["items"].as_array().unwrap().iter().any(|i| i["interviewId"] == interview["interviewId"]), "{mine}");
    let (_, journal) = api.get(&format!("/seekers/{seeker_id}/journal"), &seeker).await;
    let entry = journal["items"].as_array().unwrap().iter().find(|e| e["kind"] == "interview_booked").cloned();
    let entry = entry.expect("interview_booked in the journal");
    assert_eq!(entry["actor"]["role"], "advisor");
    assert_eq!(entry["actor"]["id"], advisor_id.as_str());

    // The slot is taken now, for anyone.
    let (status, body) = book("advisor", &other_seeker_id, &slot).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("slot_taken"));
}

/// The per-user limit of actions that send email the gateway runs with (product default 30).
fn mail_actions_per_hour() -> usize {
    std::env::var("MAIL_ACTIONS_PER_HOUR").ok().and_then(|v| v.parse().ok()).unwrap_or(30)
}

/// The outbox items about a seeker (each one an email to send).
async fn outbox_count(table: &Table, seeker_id: &str) -> usize {
    table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .iter()
        .filter(|item| item.get("sk").and_then(|v| v.as_s().ok()).is_some_and(|sk| sk.starts_with("OUTBOX#")))
        .count()
}

/// The attack of issue 12, item 4: a seeker books and cancels the same slot in a loop, each
/// time emailing the advisor. Past `MAIL_ACTIONS_PER_HOUR` the next action gets 429
/// `too_many_actions` with `Retry-After`, and no email is queued for it; below the limit the
/// loop works, and another seeker (their own counter) still books.
#[tokio::test]
async fn a_book_and_cancel_loop_gets_429_past_the_limit_and_sends_no_more_email() {
    let api = Api::new();
    let table = Table::connect().await;
    let (advisor, _, seekers) = advisor_with_seekers(&api, 2).await;
    let ((seeker, seeker_id), (other, _)) = (&seekers[0], &seekers[1]);
    let slot_id = api.slot(&advisor, paris_at(7, 14, 0), 30, EVERY_CHANNEL).await;
    let limit = mail_actions_per_hour();

    // Twice the limit and more: whichever hour boundary falls inside, one hour goes over.
    let mut done = 0;
    let refused = loop {
        assert!(done <= 2 * limit + 2, "no 429 after {done} actions");
        let emails_before = outbox_count(&table, seeker_id).await;
        let (status, body) = api.post("/interviews", seeker, json!({"slotId": slot_id, "channel": "video"})).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            break (body, emails_before);
        }
        assert_eq!(status, StatusCode::CREATED, "booking {done}: {body}");
        done += 1;
        let id = body["interviewId"].as_str().unwrap().to_owned();
        let emails_before = outbox_count(&table, seeker_id).await;
        let (status, body) = api.post(&format!("/interviews/{id}/cancel"), seeker, json!({"reason": "boucle"})).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            break (body, emails_before);
        }
        assert_eq!(status, StatusCode::OK, "cancel {done}: {body}");
        done += 1;
    };
    let (body, emails_before) = refused;
    assert_error(StatusCode::TOO_MANY_REQUESTS, &body, StatusCode::TOO_MANY_REQUESTS, Some("too_many_actions"));
    assert!(done >= limit, "the first {limit} actions of the hour work; {done} did");
    assert_eq!(outbox_count(&table, seeker_id).await, emails_before, "the refused action queued no email");
    // Refused again, with the wait in Retry-After, and nothing queued for it.
    let response = api
        .http
        .post(format!("{}/interviews", api.base))
        .bearer_auth(&seeker.token)
        .json(&json!({"slotId": slot_id, "channel": "video"}))
        .send()
        .await
        .expect("gateway reachable");
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    // A new hour may have begun meanwhile: then this one is taken, and there is no 429 to check.
    if status == StatusCode::TOO_MANY_REQUESTS {
        let seconds: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
        assert!((1..=3600).contains(&seconds), "{seconds}");
        assert_eq!(outbox_count(&table, seeker_id).await, emails_before, "no email queued past the limit");
    }

    // Another seeker is not held back by this one's loop.
    let free = api.slot(&advisor, paris_at(7, 16, 0), 30, EVERY_CHANNEL).await;
    api.book(other, &free, "video").await;
}

/// The advisor's own slots (open and booked) starting in `[from, to)`.
async fn own_slots(api: &Api, advisor: &Person, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Value> {
    let path = format!("/advisors/me/slots?from={}&to={}", query_instant(from), query_instant(to));
    api.all_items(&path, advisor).await
}

/// The ids of the slots offered to `seeker` starting in `[from, to)`.
async fn offered_slots(api: &Api, seeker: &Person, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let path = format!("/seekers/me/slots?from={}&to={}", query_instant(from), query_instant(to));
    let (status, offered) = api.get(&path, seeker).await;
    assert_eq!(status, StatusCode::OK, "{offered}");
    offered["items"].as_array().unwrap().iter().map(|s| s["slotId"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_series_overlapping_in_its_sixth_week_is_refused_whole_while_a_seeker_races_for_its_first() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, _) = &seekers[0];
    let first = paris_at(2, 8, 0);
    let sixth_week = paris_at(2 + 35, 8, 15);
    let existing = api.slot(&advisor, sixth_week, 30, EVERY_CHANNEL).await;

    let creating = std::sync::atomic::AtomicBool::new(true);
    let series = async {
        let body =
            json!({"start": rfc3339(first), "durationMinutes": 45, "channels": EVERY_CHANNEL, "repeatWeeks": 26});
        let result = api.post("/advisors/me/slots", &advisor, body).await;
        creating.store(false, std::sync::atomic::Ordering::SeqCst);
        result
    };
    // The seeker books whatever is offered at the first week's time while the series is made
    // (several tabs at once, so that an occurrence offered even briefly is seen).
    let racer = || async {
        let mut booked = Vec::new();
        while creating.load(std::sync::atomic::Ordering::SeqCst) {
            for slot_id in offered_slots(&api, seeker, first, first + Duration::hours(1)).await {
                let (status, interview) =
                    api.post("/interviews", seeker, json!({"slotId": slot_id, "channel": "video"})).await;
                if status == StatusCode::CREATED {
                    booked.push(interview);
                }
            }
        }
        booked
    };
    let ((status, body), booked) = tokio::join!(series, join_all((0..6).map(|_| racer())));
    let booked: Vec<Value> = booked.into_iter().flatten().collect();
    assert_error(status, &body, StatusCode::CONFLICT, Some("slot_overlap"));
    // Whatever was booked stays whole: its interview can still be cancelled.
    for interview in &booked {
        let path = format!("/interviews/{}/cancel", interview["interviewId"].as_str().unwrap());
        let (status, cancelled) = api.post(&path, seeker, json!({"reason": "Empêchement"})).await;
        assert_eq!(status, StatusCode::OK, "a booking made during the series: {cancelled}");
    }
    assert!(booked.is_empty(), "no week of a series being made is offered or booked: {booked:?}");

    // Refused whole: over the 26 weeks, only the slot that was there before.
    let remaining = own_slots(&api, &advisor, first - Duration::hours(1), first + Duration::weeks(26)).await;
    let ids: Vec<&str> = remaining.iter().map(|s| s["slotId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![existing.as_str()], "{remaining:?}");
    assert!(offered_slots(&api, seeker, first, first + Duration::hours(1)).await.is_empty());

    // The first week's time is free again: the same series without its overlap is made whole.
    let body = json!({"start": rfc3339(first), "durationMinutes": 45, "channels": EVERY_CHANNEL, "repeatWeeks": 5});
    let made = api.create_slots(&advisor, body).await;
    assert_eq!(made.len(), 5);
}

#[tokio::test]
async fn a_series_without_overlap_is_created_whole_and_offered() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, _) = &seekers[0];
    let first = paris_at(2, 8, 0);
    let body = json!({"start": rfc3339(first), "durationMinutes": 45, "channels": EVERY_CHANNEL, "repeatWeeks": 26});
    let made = api.create_slots(&advisor, body).await;
    assert_eq!(made.len(), 26);
    assert!(made.iter().all(|s| s["state"] == "open"), "{made:?}");
    let listed = own_slots(&api, &advisor, first - Duration::hours(1), first + Duration::weeks(26)).await;
    assert_eq!(listed.len(), 26);
    assert!(listed.iter().all(|s| s["state"] == "open"), "{listed:?}");
    // The seeker is offered those within the booking horizon, the first one among them.
    let offered = offered_slots(&api, seeker, first - Duration::hours(1), first + Duration::days(59)).await;
    assert!(offered.contains(&made[0]["slotId"].as_str().unwrap().to_owned()));
    assert_eq!(offered.len(), 9, "the weeks within 60 days: {offered:?}");
}

#[tokio::test]
async fn an_interview_whose_slot_is_gone_is_still_rescheduled_cancelled_and_erased() {
    let api = Api::new();
    let table = Table::connect().await;
    let (advisor, _, seekers) = advisor_with_seekers(&api, 3).await;
    let (seeker, _) = &seekers[0];
    let (erased, _) = &seekers[1];
    let convoked_id = &seekers[2].1;
    let (at_15, at_16, at_17) = (paris_at(3, 15, 0), paris_at(3, 16, 0), paris_at(3, 17, 0));
    let first = api.slot(&advisor, at_15, 30, EVERY_CHANNEL).await;
    let second = api.slot(&advisor, at_16, 30, EVERY_CHANNEL).await;
    let third = api.slot(&advisor, at_17, 30, EVERY_CHANNEL).await;
    let interview = api.book(seeker, &first, "video").await;
    let interview_id = interview["interviewId"].as_str().unwrap();
    // The slots lost as an earlier series rollback lost them.
    table.delete(&format!("SLOT#{first}"), "SLOT").await;

    let (status, moved) =
        api.post(&format!("/interviews/{interview_id}/reschedule"), seeker, json!({"slotId": second})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    table.delete(&format!("SLOT#{second}"), "SLOT").await;
    let (status, cancelled) =
        api.post(&format!("/interviews/{interview_id}/cancel"), seeker, json!({"reason": "Empêchement"})).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    // The agenda's time was released with it: the advisor can convoke someone at 16:00.
    api.convoke(&advisor, convoked_id, at_16, "video").await;

    api.book(erased, &third, "phone").await;
    table.delete(&format!("SLOT#{third}"), "SLOT").await;
    let (status, body) = api.call(Method::DELETE, "/seekers/me", Some(erased), None).await;
    assert!(status.is_success(), "erasure: {status} {body}");
    let agenda = booked_agenda(&api, &advisor, at_17, at_17 + Duration::hours(1)).await;
    assert!(agenda.is_empty(), "the erased seeker's interview no longer holds the agenda: {agenda:?}");
}

#[tokio::test]
async fn a_slot_the_agenda_took_since_is_not_offered_and_no_slot_is_made_over_the_agenda() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 2).await;
    let (seeker, _) = &seekers[0];
    let convoked_id = &seekers[1].1;
    let covered = api.slot(&advisor, paris_at(4, 10, 0), 30, EVERY_CHANNEL).await;
    let free = api.slot(&advisor, paris_at(4, 11, 30), 30, EVERY_CHANNEL).await;
    let day = (paris_at(4, 8, 0), paris_at(4, 18, 0));
    assert_eq!(offered_slots(&api, seeker, day.0, day.1).await, vec![covered.clone(), free.clone()]);

    // A convocation made later over the slot's second half: the slot is no longer offered.
    api.convoke(&advisor, convoked_id, paris_at(4, 10, 15), "video").await;
    assert_eq!(offered_slots(&api, seeker, day.0, day.1).await, vec![free.clone()]);
    let (status, body) = api.post("/interviews", seeker, json!({"slotId": covered, "channel": "video"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("agenda_conflict"));
    api.book(seeker, &free, "video").await;

    // A new slot over the convocation is refused; one just after it is made.
    let over = json!({"start": rfc3339(paris_at(4, 10, 30)), "durationMinutes": 30, "channels": EVERY_CHANNEL});
    let (status, body) = api.post("/advisors/me/slots", &advisor, over).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("agenda_taken"));
    let after = api.slot(&advisor, paris_at(4, 10, 45), 30, EVERY_CHANNEL).await;
    assert_eq!(offered_slots(&api, seeker, day.0, day.1).await, vec![after]);
}

#[tokio::test]
async fn an_in_person_slot_carries_its_place_to_the_interview_its_emails_invitation_and_reminder() {
    // The reminders job is global: it runs here at a time of this test's own, one run at a time.
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let admin = api.admin().await;
    let sub = integration_tests::unique("advisor");
    let agency = "Agence de Lille Centre, 5 rue Nationale, 59000 Lille";
    let body = json!({
        "sub": sub, "firstName": "Anne", "lastName": "Conseil", "email": format!("{sub}@example.fr"),
        "region": regions::SHARED, "modality": "web", "agencyAddress": agency,
    });
    let (status, created) = api.post("/advisors", &admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["agencyAddress"], agency);
    let advisor = api.sign_in(&sub, &["advisors"]).await;
    let (seeker, _) = api.seeker_of(&admin, created["advisorId"].as_str().unwrap(), regions::SHARED).await;
    let start = paris_at(45, 9, 35);

    // In person offered: the agency by default, another place when the slot names one.
    let at_agency = api
        .create_slots(
            &advisor,
            json!({"start": rfc3339(start), "durationMinutes": 30, "channels": ["in_person", "video"]}),
        )
        .await;
    assert_eq!(at_agency[0]["place"], agency);
    let elsewhere = "Maison de l'emploi, 2 place du Marché, 59800 Lille";
    let later = start + Duration::hours(2);
    let body = json!({"start": rfc3339(later), "durationMinutes": 30, "channels": ["in_person"], "place": elsewhere});
    let at_elsewhere = api.create_slots(&advisor, body).await;
    assert_eq!(at_elsewhere[0]["place"], elsewhere);
    let offered = api
        .get(
            &format!(
                "/seekers/me/slots?from={}&to={}",
                query_instant(start),
                query_instant(later + Duration::hours(1))
            ),
            &seeker,
        )
        .await
        .1;
    let places: Vec<&Value> = offered["items"].as_array().unwrap().iter().map(|s| &s["place"]).collect();
    assert_eq!(places, vec![&json!(agency), &json!(elsewhere)]);

    // Booked in person: the interview, its confirmation and its invitation say where.
    let booked = api.book(&seeker, at_agency[0]["slotId"].as_str().unwrap(), "in_person").await;
    assert_eq!(booked["location"], agency);
    let confirmation = &api.wait_for_subject(&seeker.email(), "est confirmé").await;
    assert!(confirmation["text"].as_str().unwrap().contains(agency), "{confirmation}");
    assert_eq!(invitation(confirmation).2["LOCATION"], agency);

    // Moved to the other slot, it takes that slot's place.
    let interview_id = booked["interviewId"].as_str().unwrap();
    let (status, moved) = api
        .post(&format!("/interviews/{interview_id}/reschedule"), &seeker, json!({"slotId": at_elsewhere[0]["slotId"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["location"], elsewhere);
    let update = &api.wait_for_subject(&seeker.email(), "déplacé").await;
    assert_eq!(invitation(update).2["LOCATION"], elsewhere);
    let (_, read) = api.get(&format!("/interviews/{interview_id}"), &advisor).await;
    assert_eq!(read["location"], elsewhere);

    // The reminder of the day before says where too.
    api.run_schedule("reminders", later - Duration::days(1) + Duration::minutes(1)).await;
    let reminder = &api.wait_for_subject(&seeker.email(), "Rappel").await;
    assert!(reminder["text"].as_str().unwrap().contains(elsewhere), "{reminder}");
}

#[tokio::test]
async fn only_a_slot_offering_in_person_takes_a_place() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 2).await;
    let (seeker, _) = &seekers[0];
    let (other_seeker, _) = &seekers[1];
    let start = rfc3339(paris_at(6, 14, 0));
    let body = json!({"start": start, "durationMinutes": 30, "channels": ["video"], "place": "Agence de Caen"});
    let (status, refused) = api.post("/advisors/me/slots", &advisor, body).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("unexpected_place"));
    let body = json!({"start": start, "durationMinutes": 30, "channels": ["in_person"], "place": "  "});
    let (status, refused) = api.post("/advisors/me/slots", &advisor, body).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_text"));
    let from = paris_at(6, 13, 0);
    assert!(own_slots(&api, &advisor, from, from + Duration::hours(3)).await.is_empty());
    // With a place, it is made and booked there; a slot without in person has none.
    let body = json!({"start": start, "durationMinutes": 30, "channels": ["in_person"], "place": "Agence de Caen"});
    let made = api.create_slots(&advisor, body).await;
    assert_eq!(made[0]["place"], "Agence de Caen");
    let booked = api.book(seeker, made[0]["slotId"].as_str().unwrap(), "in_person").await;
    assert_eq!(booked["location"], "Agence de Caen");
    let body = json!({"start": rfc3339(paris_at(6, 15, 0)), "durationMinutes": 30, "channels": ["video"]});
    assert_eq!(api.create_slots(&advisor, body).await[0]["place"], Value::Null);
    // An advisor without an agency address: an in-person slot without a place books at the service's general place.
    let body = json!({"start": rfc3339(paris_at(6, 16, 0)), "durationMinutes": 30, "channels": ["in_person"]});
    let general = api.create_slots(&advisor, body).await;
    assert_eq!(general[0]["place"], Value::Null);
    let booked = api.book(other_seeker, general[0]["slotId"].as_str().unwrap(), "in_person").await;
    assert!(booked["location"].as_str().is_some_and(|l| l.contains("agence")), "{booked}");
}

/// The seeker's number as people read it: `06 11 22 33 44`.
fn national(number: &str) -> String {
    domain::sms::french_display(&domain::Phone::parse(number).expect("a stored number"))
}

#[tokio::test]
async fn a_phone_convocation_gives_the_seekers_number_in_the_national_form() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 1).await;
    let (seeker, seeker_id) = &seekers[0];
    let (_, me) = api.get("/seekers/me", seeker).await;
    let stored = me["phone"].as_str().expect("a phone").to_owned();
    assert!(stored.starts_with("+336"), "stored in E.164: {stored}");
    api.convoke(&advisor, seeker_id, paris_at(12, 9, 15), "phone").await;
    let email = api.wait_for_subject(&seeker.email(), "Convocation").await;
    let text = email["text"].as_str().expect("a text part");
    assert!(text.contains(&format!("votre conseiller vous appellera au {}", national(&stored))), "{text}");
    assert!(!text.contains(&stored), "never the E.164 form: {text}");
}

#[tokio::test]
async fn a_seeker_who_chooses_to_call_the_agency_is_told_so_by_the_interview_emails_and_reminders() {
    let api = Api::new();
    let (advisor, _, seekers) = advisor_with_seekers(&api, 2).await;
    let (caller, _) = &seekers[0];
    let (called, _) = &seekers[1];
    let (status, opted) = api.call(Method::PATCH, "/seekers/me", Some(caller), Some(json!({"smsOptIn": true}))).await;
    assert_eq!(status, StatusCode::OK, "{opted}");
    let caller_number = opted["phone"].as_str().expect("a phone").to_owned();
    let start = paris_at(13, 10, 45);
    let first = api.slot(&advisor, start, 30, &["phone", "video"]).await;
    let second = api.slot(&advisor, start + Duration::hours(1), 30, &["phone"]).await;

    // Off the phone channel the choice is refused, and nothing is booked.
    let (status, refused) =
        api.post("/interviews", caller, json!({"slotId": first, "channel": "video", "caller": "seeker"})).await;
    assert_error(status, &refused, StatusCode::UNPROCESSABLE_ENTITY, Some("caller_needs_phone"));
    let (status, booked) =
        api.post("/interviews", caller, json!({"slotId": first, "channel": "phone", "caller": "seeker"})).await;
    assert_eq!(status, StatusCode::CREATED, "the refusal left the slot open: {booked}");
    assert_eq!(booked["phone"], json!({"number": "+33123456789", "caller": "seeker"}));
    let interview_id = booked["interviewId"].as_str().expect("interviewId");
    let (_, view) = api.get(&format!("/interviews/{interview_id}"), &advisor).await;
    assert_eq!(view["phone"]["caller"], "seeker", "the advisor's view says who calls");
    // Its twin: the default, the advisor calls the seeker's number.
    let default = api.book(called, &second, "phone").await;
    assert_eq!(default["phone"]["caller"], "advisor");

    let agency = "vous appelez l'agence au 01 23 45 67 89";
    let confirmation = api.wait_for_subject(&caller.email(), "est confirmé").await;
    assert!(confirmation["text"].as_str().unwrap_or_default().contains(agency), "{confirmation}");
    let advisor_email = advisor.email();
    let advisor_notice = api
        .wait_for_emails_where(&advisor_email, 1, |e| {
            e["text"].as_str().is_some_and(|t| t.contains("la personne appellera l'agence au 01 23 45 67 89"))
        })
        .await;
    assert_eq!(advisor_notice.len(), 1, "the advisor's email says the seeker calls");

    // The day-before reminder, by email and by SMS, says the same.
    // One run once both day-before reminders are due (the second interview is an hour later).
    api.run_schedule("reminders", start + Duration::hours(1) - Duration::days(1) + Duration::minutes(1)).await;
    let reminder = api.wait_for_subject(&caller.email(), "Rappel").await;
    let text = reminder["text"].as_str().unwrap_or_default();
    assert!(text.contains(agency) && !text.contains("vous appellera"), "{text}");
    let sms = api.settled_sms(&caller_number, "Rappel", 1).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(sms[0].contains("Appelez l'agence au 01 23 45 67 89."), "{}", sms[0]);
    let other = api.wait_for_subject(&called.email(), "Rappel").await;
    assert!(other["text"].as_str().unwrap_or_default().contains("votre conseiller vous appellera au 06 "), "{other}");
}
