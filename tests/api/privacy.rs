//! Issue 12, items 6 and 7: the audit trail of staff access to a seeker's data, and the
//! retention of every item kind.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use integration_tests::ws::Ws;
use integration_tests::{assert_error, paris_at, parse_instant, Api, Item, Person, Table};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The trail as an admin reads it, every page.
async fn trail(api: &Api, admin: &Person, seeker_id: &str) -> Vec<Value> {
    api.all_items(&format!("/admin/seekers/{seeker_id}/audit"), admin).await
}

fn ids(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| e["entryId"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Hole 6: nothing showed which advisor or admin read or changed which seeker's data. Each
/// staff access now leaves one entry (who, what, when, route), which admins read and the
/// seeker finds in their export; the seeker's own reads leave none.
#[tokio::test]
async fn every_staff_access_to_a_seekers_data_is_in_the_trail_and_the_seekers_export() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;

    // The seeker's own reads of their data: nothing recorded.
    let before = trail(&api, &admin, &seeker_id).await;
    for path in [
        "/seekers/me".to_owned(),
        format!("/seekers/{seeker_id}/journal"),
        format!("/conversations/{seeker_id}/messages"),
        "/seekers/me/interviews".to_owned(),
        "/seekers/me/export".to_owned(),
    ] {
        let (status, body) = api.get(&path, &seeker).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let after = trail(&api, &admin, &seeker_id).await;
    let new: Vec<&Value> =
        after.iter().filter(|e| !ids(&before).contains(&e["entryId"].as_str().unwrap().into())).collect();
    // Only the admin's reading of the trail itself (the first `trail` call) is new.
    assert_eq!(new.len(), 1, "the seeker's own reads are not staff access: {new:?}");
    assert_eq!((new[0]["staffRole"].as_str(), new[0]["resource"].as_str()), (Some("admin"), Some("audit")));
    assert_eq!(new[0]["staffId"], admin.sub.as_str());

    // Each access of the advisor: (what they do, the entry it must leave).
    let slot_id = api.slot(&advisor, paris_at(3, 10, 0), 30, &["video"]).await;
    let interview_id = api.book(&seeker, &slot_id, "video").await["interviewId"].as_str().unwrap().to_owned();
    let started = Utc::now();
    let mut expected: Vec<(&str, &str, &str)> = Vec::new();
    let (status, _) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    expected.push(("read", "profile", "GET /seekers/{seekerId}"));
    let (status, _) = api.get(&format!("/seekers/{seeker_id}/journal"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    expected.push(("read", "journal", "GET /seekers/{seekerId}/journal"));
    let (status, _) = api.get(&format!("/interviews/{interview_id}"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    expected.push(("read", "interview", "GET /interviews/{interviewId}"));
    let (status, _) = api.get(&format!("/conversations/{seeker_id}/messages"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    expected.push(("read", "messages", "GET /conversations/{seekerId}/messages"));
    api.convoke(&advisor, &seeker_id, paris_at(4, 14, 0), "video").await;
    expected.push(("change", "convocation", "POST /seekers/{seekerId}/convocations"));
    let (status, body) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&advisor),
            Some(json!({"level": "follow_up", "reason": "autonome"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    expected.push(("change", "level", "PUT /seekers/{seekerId}/level"));
    let mut ws = Ws::connect(&advisor).await;
    ws.say(Some(&seeker_id), "Bonjour, voici le compte rendu.").await;
    expected.push(("change", "messages", "sendMessage"));
    ws.close().await;

    // An advisor outside the portfolio is refused, and leaves nothing: only granted access is.
    let (outsider, outsider_id) = api.create_advisor(&admin, integration_tests::regions::SHARED, "web", None).await;
    let (status, body) = api.get(&format!("/seekers/{seeker_id}"), &outsider).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);

    // Entries are written before the answer: no waiting.
    let entries = trail(&api, &admin, &seeker_id).await;
    let by_advisor: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["staffId"] == advisor_id.as_str()
                && parse_instant(e["at"].as_str().unwrap()) >= started - Duration::seconds(1)
        })
        .collect();
    for (access, resource, route) in &expected {
        let found = by_advisor
            .iter()
            .find(|e| e["access"] == *access && e["resource"] == *resource && e["route"] == *route)
            .unwrap_or_else(|| panic!("no {access} {resource} by {route} in {by_advisor:#?}"));
        assert_eq!(found["staffRole"], "advisor");
        assert_eq!(found["seekerId"], seeker_id.as_str());
        assert!(!found["requestId"].as_str().unwrap_or_default().is_empty(), "the access log key: {found}");
        // Ids only: the entry names nobody and carries nothing that was read.
        let keys: Vec<&String> = found.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 9, "{keys:?}");
    }
    assert!(entries.iter().all(|e| e["staffId"] != outsider_id.as_str()), "a refused access is not an access");
    assert!(entries.iter().all(|e| e["staffId"] != seeker_id.as_str() && e["staffRole"] != "seeker"));
    // One entry per access and resource in a request, newest first.
    let times: Vec<DateTime<Utc>> = entries.iter().map(|e| parse_instant(e["at"].as_str().unwrap())).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // The seeker finds the advisor's accesses in their export; admins by role only.
    let (status, export) = api.get("/seekers/me/export", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    let exported = export["staffAccess"].as_array().expect("staffAccess");
    for (access, resource, route) in &expected {
        assert!(
            exported.iter().any(|e| e["staffId"] == advisor_id.as_str()
                && e["staffRole"] == "advisor"
                && e["access"] == *access
                && e["resource"] == *resource
                && e["route"] == *route),
            "{access} {resource} {route} missing from the export: {exported:#?}"
        );
    }
    let by_admin: Vec<&Value> = exported.iter().filter(|e| e["staffRole"] == "admin").collect();
    assert!(!by_admin.is_empty(), "the admin's reassignment and readings are listed");
    assert!(by_admin.iter().all(|e| e.get("staffId").is_none()), "an admin by role only: {by_admin:?}");
    assert!(!json!(exported).to_string().contains(&admin.sub), "the admin's identity is not in the trail's export");
}

/// The trail is for admins alone: the seeker's own advisor, another advisor and the seeker get
/// 403, an admin the page (its twin); pages follow the cursor, a cursor of another trail is 400.
#[tokio::test]
async fn only_admins_read_a_seekers_audit_trail() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (other_advisor, _, _, other_seeker_id) = api.advisor_with_seeker(&admin).await;
    for path in ["/seekers/me", "/seekers/me/interviews"] {
        api.get(path, &seeker).await;
    }
    for _ in 0..2 {
        let (status, _) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
        assert_eq!(status, StatusCode::OK);
    }
    let path = format!("/admin/seekers/{seeker_id}/audit");
    for (who, name) in [(&advisor, "their advisor"), (&other_advisor, "another advisor"), (&seeker, "the seeker")] {
        let (status, body) = api.get(&path, who).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, Some("forbidden"));
        assert!(!body.to_string().contains("staffId"), "{name}: {body}");
    }
    let (status, body) = api.call(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // The working twin, page by page.
    let (status, first) = api.get(&format!("{path}?limit=1"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["nextCursor"].as_str().expect("more than one entry: a next page").to_owned();
    let (status, second) = api.get(&format!("{path}?limit=1&cursor={cursor}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["items"][0]["entryId"], first["items"][0]["entryId"]);
    let (status, body) =
        api.get(&format!("/admin/seekers/{other_seeker_id}/audit?limit=1&cursor={cursor}"), &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, body) = api.get("/admin/seekers/01JZZZZZZZZZZZZZZZZZZZZZZZ/audit", &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
    let (status, body) = api.get("/admin/seekers/not-an-id/audit", &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_found"));
}

// ---------------------------------------------------------------- retention (item 7)

fn number(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {item:?}"))
}

/// `value` is `expected` give or take `slack` seconds (the request's own "now").
fn near(kind: &str, value: i64, expected: DateTime<Utc>, slack: i64) {
    let diff = (value - expected.timestamp()).abs();
    assert!(diff <= slack, "{kind}: expiry {value} is {diff} s from {expected} (allowed {slack})");
}

fn sort_key(item: &Item) -> &str {
    item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or_default()
}

/// Hole 7: interviews, in-person requests and inactive profiles never expired. Every item kind
/// made through the API carries its end (DynamoDB Local never deletes expired items: the test
/// reads the attribute): one row per kind, the duration of docs/security.md's retention table.
#[tokio::test]
async fn every_item_kind_carries_its_retention() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let begin = Utc::now();
    let day = |n: i64| Duration::days(n);

    let slot_start = paris_at(3, 10, 0);
    let slot_id = api.slot(&advisor, slot_start, 30, &["video"]).await;
    let booked = api.book(&seeker, &slot_id, "video").await;
    let interview_id = booked["interviewId"].as_str().unwrap().to_owned();
    let convocation_start = paris_at(5, 15, 0);
    let convocation_id = api.convoke(&advisor, &seeker_id, convocation_start, "video").await;
    let (status, request) = api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": "en agence"})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let request_id = request["requestId"].as_str().unwrap().to_owned();
    let mut ws = Ws::connect(&seeker).await;
    let message = ws.say(None, "Bonjour").await;
    let message_id = message["id"].as_str().unwrap().to_owned();
    api.get(&format!("/seekers/{seeker_id}"), &advisor).await; // an audit entry
    let now = Utc::now();
    let slack = (now - begin).num_seconds() + 5;
    let minutes = |m: i64| Duration::minutes(m);

    let own = table.partition(&format!("SEEKER#{seeker_id}")).await;
    let journal: Vec<&Item> = own.iter().filter(|i| sort_key(i).starts_with("JOURNAL#")).collect();
    let outbox: Vec<&Item> = own.iter().filter(|i| sort_key(i).starts_with("OUTBOX#")).collect();
    assert!(!journal.is_empty() && !outbox.is_empty());
    for entry in &journal {
        let at = parse_instant(entry["at"].as_s().unwrap());
        near("journal entry", number(entry, "expiresAt"), at + day(730), 1);
    }
    for email in &outbox {
        let created = parse_instant(email["createdAt"].as_s().unwrap());
        near("outbox email", number(email, "expiresAt"), created + day(30), 1);
    }
    let interview = table.item(&format!("INTERVIEW#{interview_id}"), "INTERVIEW").await.unwrap();
    near("interview", number(&interview, "expiresAt"), slot_start + minutes(30) + day(730), 0);
    let convocation = table.item(&format!("INTERVIEW#{convocation_id}"), "INTERVIEW").await.unwrap();
    near(
        "mandatory interview (convocation proof)",
        number(&convocation, "expiresAt"),
        convocation_start + minutes(30) + day(1095),
        0,
    );
    let reminder = table.item(&format!("INTERVIEW#{interview_id}"), "REMINDER#day_before").await.unwrap();
    near("reminder", number(&reminder, "expiresAt"), slot_start + day(30), 0);
    let slot = table.item(&format!("SLOT#{slot_id}"), "SLOT").await.unwrap();
    near("slot", number(&slot, "expiresAt"), slot_start + minutes(30) + day(30), 0);
    let granules = table.partition(&format!("ADVISOR#{advisor_id}")).await;
    let busy: Vec<&Item> = granules.iter().filter(|i| sort_key(i).starts_with("BUSY#")).collect();
    assert!(!busy.is_empty());
    assert!(busy.iter().all(|g| number(g, "expiresAt") > now.timestamp() + day(29).num_seconds()), "agenda granules");
    let in_person = table.item(&format!("INPERSON#{request_id}"), "INPERSON").await.unwrap();
    near("in-person request", number(&in_person, "expiresAt"), now + day(730), slack);
    let open_lock = own.iter().find(|i| sort_key(i) == "INPERSON_OPEN").expect("the open request's lock");
    near("open request lock", number(open_lock, "expiresAt"), now + day(730), slack);
    let conversation = table.partition(&format!("CONV#{seeker_id}")).await;
    let stored = conversation.iter().find(|i| sort_key(i) == format!("MSG#{message_id}")).unwrap();
    let sent = parse_instant(stored["sentAt"].as_s().unwrap());
    near("chat message", number(stored, "expiresAt"), sent + day(730), 1);
    let summary = conversation.iter().find(|i| sort_key(i) == "SUMMARY").unwrap();
    near("conversation summary", number(summary, "expiresAt"), sent + day(730), 1);
    let client_id = conversation.iter().find(|i| sort_key(i).starts_with("CLIENTMSG#")).unwrap();
    near("client message id", number(client_id, "expiresAt"), sent + day(7), 1);
    let connections = table
        .client
        .query()
        .table_name(&table.name)
        .index_name("GSI1")
        .key_condition_expression("gsi1pk = :user")
        .expression_attribute_values(":user", AttributeValue::S(format!("USERCONNS#{seeker_id}")))
        .send()
        .await
        .expect("the seeker's connections")
        .items
        .unwrap_or_default();
    let connection = connections.first().expect("the open connection");
    near("WebSocket connection", number(connection, "expiresAt"), now + Duration::hours(2), slack);
    ws.close().await;
    let audit = table.partition(&format!("AUDIT#{seeker_id}")).await;
    assert!(!audit.is_empty());
    for entry in &audit {
        let at = parse_instant(entry["at"].as_s().unwrap());
        near("audit entry", number(entry, "expiresAt"), at + day(365), 1);
    }
    // Rate-limit markers: the seeker's mail actions of this hour (booking, request).
    let hour = now.format("%Y-%m-%dT%H").to_string();
    let rate = table.item(&format!("RATE#{seeker_id}#mail#{hour}"), "RATE").await;
    let rate = match rate {
        Some(rate) => rate,
        // The hour turned during the test: the counter is the previous hour's.
        None => table
            .item(&format!("RATE#{seeker_id}#mail#{}", (now - Duration::hours(1)).format("%Y-%m-%dT%H")), "RATE")
            .await
            .expect("the seeker's mail-action counter"),
    };
    let rate_expiry = number(&rate, "expiresAt");
    assert!(
        rate_expiry > now.timestamp() - 3600 && rate_expiry <= now.timestamp() + 3600 + 6 * 60 + 5,
        "rate counter: the end of its hour and 6 minutes"
    );
    // The profile ends two years after the seeker's last activity (refreshed, not a TTL).
    let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
    near("inactive profile", number(&profile, "retainUntil"), now + day(730), slack + 86_400);
    assert!(!profile.contains_key("expiresAt"), "a TTL would delete the profile alone");

    // Erased: what is left of the profile (no personal field) ends three years later, as the
    // longest-kept record naming the seeker (a convocation's proof).
    let (status, body) = api.call(Method::DELETE, "/seekers/me", Some(&seeker), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let erased_at = Utc::now();
    let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
    near("erased profile", number(&profile, "expiresAt"), erased_at + day(1095), 60);
    assert!(!profile.contains_key("retainUntil"));
    // The convocation (cancelled by the erasure) keeps its record and its own end; the trail stays.
    let convocation = table.item(&format!("INTERVIEW#{convocation_id}"), "INTERVIEW").await.unwrap();
    assert!(number(&convocation, "expiresAt") > erased_at.timestamp(), "{convocation:?}");
    assert!(!table.partition(&format!("AUDIT#{seeker_id}")).await.is_empty(), "the trail outlives the erasure");
}

/// The kinds that live from an activity move with it: a rescheduled interview's end, a
/// conversation's last message, the seeker's use of the service.
#[tokio::test]
async fn activity_moves_the_retention_of_what_it_refreshes() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let expiry = |item: &Item| number(item, "expiresAt");

    // An interview moved a week later keeps two years from its new end.
    let first = api.slot(&advisor, paris_at(3, 9, 0), 30, &["video"]).await;
    let later = api.slot(&advisor, paris_at(10, 9, 0), 30, &["video"]).await;
    let interview_id = api.book(&seeker, &first, "video").await["interviewId"].as_str().unwrap().to_owned();
    let before = expiry(&table.item(&format!("INTERVIEW#{interview_id}"), "INTERVIEW").await.unwrap());
    let (status, body) =
        api.post(&format!("/interviews/{interview_id}/reschedule"), &seeker, json!({"slotId": later})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = expiry(&table.item(&format!("INTERVIEW#{interview_id}"), "INTERVIEW").await.unwrap());
    near("rescheduled interview", after, paris_at(10, 9, 30) + Duration::days(730), 0);
    assert!(after > before, "the expiry moved with the interview");

    // The conversation summary lives as long as its last message.
    let mut ws = Ws::connect(&seeker).await;
    ws.say(None, "Premier message").await;
    let summary = || async { table.item(&format!("CONV#{seeker_id}"), "SUMMARY").await.unwrap() };
    let first_expiry = expiry(&summary().await);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    ws.say(None, "Deuxième message").await;
    assert!(expiry(&summary().await) > first_expiry, "the summary's expiry follows the last message");
    ws.close().await;

    // The profile's end moves with the seeker's use of the service: set back as if the seeker
    // had last come a year ago, then any route of theirs moves it two years ahead of now.
    let year_ago = (Utc::now() - Duration::days(365) + Duration::days(730)).timestamp();
    table
        .client
        .update_item()
        .table_name(&table.name)
        .key("pk", AttributeValue::S(format!("SEEKER#{seeker_id}")))
        .key("sk", AttributeValue::S("PROFILE".into()))
        .update_expression("SET retainUntil = :old")
        .expression_attribute_values(":old", AttributeValue::N(year_ago.to_string()))
        .send()
        .await
        .expect("set back");
    let advisor_reads = api.get(&format!("/seekers/{seeker_id}"), &advisor).await.0;
    assert_eq!(advisor_reads, StatusCode::OK);
    let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
    assert_eq!(number(&profile, "retainUntil"), year_ago, "staff access is not the seeker's activity");
    let (status, _) = api.get("/seekers/me", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
    near("profile after the seeker's visit", number(&profile, "retainUntil"), Utc::now() + Duration::days(730), 30);
}

/// Item 7, inactive profiles: the retention job erases a profile whose `retainUntil` has
/// passed, with the erasure of `DELETE /seekers/me` (identity gone, upcoming convocation
/// cancelled and its advisor told, the place freed); the working twin, a seeker of the same
/// advisor who came back since, is kept. Runs at once, and again, erase once.
#[tokio::test]
async fn the_retention_job_erases_inactive_profiles_once_and_keeps_the_seekers_who_came_back() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, integration_tests::regions::SHARED, "web", None).await;
    let (inactive, inactive_id) = api.seeker_of(&admin, &advisor_id, integration_tests::regions::SHARED).await;
    let (returning, returning_id) = api.seeker_of(&admin, &advisor_id, integration_tests::regions::SHARED).await;
    let convocation_id = api.convoke(&advisor, &inactive_id, paris_at(6, 10, 0), "video").await;
    let count = || async {
        let advisor = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
        number(&advisor, "portfolioCount")
    };
    assert_eq!(count().await, 2);

    // Both as if last seen two years and a day ago; the second seeker then comes back, which
    // moves their `retainUntil` two years ahead (their marker left under the old day, as a
    // return the job has not seen yet: the profile decides, not the marker).
    let run_at = Utc::now();
    for seeker_id in [&inactive_id, &returning_id] {
        table.set_profile_retention(seeker_id, run_at - Duration::days(1)).await;
    }
    let (status, _) = api.get("/seekers/me", &returning).await;
    assert_eq!(status, StatusCode::OK);
    table.file_retention_marker(&returning_id, run_at - Duration::days(1)).await;

    // Two runs at once, then a third: each profile is settled once.
    let (first, second) =
        tokio::join!(api.run_schedule("RetentionFunction", run_at), api.run_schedule("RetentionFunction", run_at));
    let erased: u64 = [&first, &second].iter().map(|r| r["erased"].as_u64().expect("erased count")).sum();
    assert!(erased >= 1, "{first} {second}");
    let third = api.run_schedule("RetentionFunction", run_at).await;
    assert_eq!(third["failed"], 0, "{third}");

    // The inactive seeker is erased as by their own request.
    let (status, body) = api.get("/seekers/me", &inactive).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_registered"));
    let profile = table.item(&format!("SEEKER#{inactive_id}"), "PROFILE").await.unwrap();
    assert_eq!(profile.get("erased").and_then(|v| v.as_bool().ok()), Some(&true));
    for gone in ["firstName", "lastName", "email", "phone", "sub", "retainUntil", "advisorId"] {
        assert!(!profile.contains_key(gone), "{gone} left on the erased profile: {profile:?}");
    }
    assert!(table.item(&format!("IDENTITY#{}", inactive.sub), "IDENTITY").await.is_none(), "identity deleted");
    assert!(table.item(&format!("SEEKER#{inactive_id}"), "RETENTION").await.is_none(), "marker deleted");
    let own = table.partition(&format!("SEEKER#{inactive_id}")).await;
    let erasures: Vec<&Item> = own
        .iter()
        .filter(|i| i.get("kind").and_then(|k| k.as_s().ok()).map(String::as_str) == Some("erased"))
        .collect();
    assert_eq!(erasures.len(), 1, "one erasure, whatever the runs: {erasures:?}");
    assert_eq!(erasures[0].get("actorRole").and_then(|v| v.as_s().ok()).map(String::as_str), Some("system"));
    let interview = table.item(&format!("INTERVIEW#{convocation_id}"), "INTERVIEW").await.unwrap();
    assert_eq!(
        interview.get("status").and_then(|v| v.as_s().ok()).map(String::as_str),
        Some("cancelled"),
        "the upcoming convocation is cancelled: {interview:?}"
    );
    let told = api
        .wait_for_emails_where(&advisor.email(), 1, |e| {
            e["text"]
                .as_str()
                .is_some_and(|t| t.contains("depuis deux ans, les données de son suivi ont été supprimées"))
        })
        .await;
    assert_eq!(told.len(), 1, "the advisor is told once");

    // The twin who came back is kept, their marker filed under their new day; the count
    // lost exactly the erased seeker.
    let (status, me) = api.get("/seekers/me", &returning).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let profile = table.item(&format!("SEEKER#{returning_id}"), "PROFILE").await.unwrap();
    let until = number(&profile, "retainUntil");
    near("the returning seeker's profile", until, Utc::now() + Duration::days(730), 60);
    let marker = table.item(&format!("SEEKER#{returning_id}"), "RETENTION").await.expect("marker kept");
    let day = DateTime::from_timestamp(until, 0).unwrap().format("%Y-%m-%d").to_string();
    assert_eq!(marker.get("gsi1pk").and_then(|v| v.as_s().ok()), Some(&format!("RETAIN_DUE#{day}")));
    assert_eq!(count().await, 1, "the erased seeker's place only");
    let portfolio = api.all_items("/advisors/me/portfolio", &advisor).await;
    let listed: Vec<&str> = portfolio.iter().filter_map(|r| r["seekerId"].as_str()).collect();
    assert_eq!(listed, vec![returning_id.as_str()], "the portfolio: {portfolio:#?}");
}

/// The journal names an admin's `sub` as the actor of a reassignment; the seeker's export and
/// their journal show admins by role only, as the export's `staffAccess` does. The twin: the
/// reassignment is listed all the same, and the advisor's own entries keep their advisor id.
#[tokio::test]
async fn the_seekers_export_and_journal_show_admins_by_role_only() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (new_advisor, new_advisor_id) =
        api.create_advisor(&admin, integration_tests::regions::SHARED, "web", None).await;
    let (status, body) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": new_advisor_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&new_advisor),
            Some(json!({"level": "follow_up", "reason": "autonome"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, export) = api.get("/seekers/me/export", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    let journal = export["journal"].as_array().expect("journal");
    let reassigned: Vec<&Value> = journal
        .iter()
        .filter(|e| e["kind"] == "reassigned" && e["details"]["toAdvisorId"] == new_advisor_id.as_str())
        .collect();
    assert_eq!(reassigned.len(), 1, "the admin's reassignment is listed: {journal:#?}");
    assert_eq!(reassigned[0]["actorRole"], "admin");
    assert!(reassigned[0].get("actorId").is_none(), "an admin by role only: {}", reassigned[0]);
    let level = journal.iter().find(|e| e["kind"] == "level_changed").expect("the advisor's level change");
    assert_eq!(level["actorId"], new_advisor_id.as_str(), "an advisor by id");
    assert!(!export.to_string().contains(&admin.sub), "the admin's identity is nowhere in the export");

    let entries = api.all_items(&format!("/seekers/{seeker_id}/journal"), &seeker).await;
    let reassigned = entries.iter().find(|e| e["kind"] == "reassigned").expect("listed in the journal");
    assert_eq!(reassigned["actor"]["role"], "admin");
    assert!(reassigned["actor"]["id"].is_null(), "{reassigned}");
    assert!(!json!(entries).to_string().contains(&admin.sub), "nor in the seeker's journal");
}
