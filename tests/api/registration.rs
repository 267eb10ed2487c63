//! Registration and portfolio routes through the local gateway (API.md).

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::future::join_all;
use integration_tests::{
    assert_error, paris_at, regions, registration_body, stored_instant, unique, Api, Item, Person, Table,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_seeker_registers_reads_and_updates_their_profile() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;

    let (status, me) = api.get("/seekers/me", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["seekerId"], seeker_id.as_str());
    assert_eq!(me["level"], "guided");
    assert_eq!(me["assignment"], "assigned");
    assert_eq!(me["advisor"]["advisorId"], advisor_id.as_str());
    assert!(me["phone"].as_str().unwrap().starts_with("+336"));
    let due = me["nextContactDue"].as_str().unwrap();
    assert!(due.ends_with("+01:00") || due.ends_with("+02:00"), "Paris offset in {due}");

    let (status, updated) = api
        .call(Method::PATCH, "/seekers/me", Some(&seeker), Some(json!({"phone": null, "preferredChannels": ["phone"]})))
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["phone"], Value::Null);
    assert_eq!(updated["preferredChannels"], json!(["phone"]));
    let (status, body) =
        api.call(Method::PATCH, "/seekers/me", Some(&seeker), Some(json!({"level": "follow_up"}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_body"));

    // The advisor sees them, in the portfolio and by id.
    let (status, profile) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["lastName"], me["lastName"]);
    let (status, portfolio) = api.get("/advisors/me/portfolio", &advisor).await;
    assert_eq!(status, StatusCode::OK);
    let row = portfolio["items"].as_array().unwrap().iter().find(|r| r["seekerId"] == seeker_id.as_str()).cloned();
    let row = row.expect("seeker in the portfolio");
    assert_eq!(row["overdue"], false);
    assert_eq!(row["level"], "guided");
}

#[tokio::test]
async fn one_identity_registers_once_even_twenty_times_at_once() {
    let api = Api::new();
    let seeker = api.sign_in(&unique("seeker"), &[]).await;
    let body = registration_body(&seeker.sub, regions::SHARED);
    let attempts = (0..20).map(|_| api.post("/seekers", &seeker, body.clone()));
    let results = join_all(attempts).await;
    let created: Vec<&Value> = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, b)| b).collect();
    assert_eq!(created.len(), 1, "exactly one registration: {results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(*status, body, StatusCode::CONFLICT, Some("already_registered"));
    }
    let (status, me) = api.get("/seekers/me", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["seekerId"], created[0]["seekerId"]);
    let (status, again) = api.post("/seekers", &seeker, body).await;
    assert_error(status, &again, StatusCode::CONFLICT, Some("already_registered"));
}

#[tokio::test]
async fn three_hundred_registrations_never_overfill_a_portfolio() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    empty_the_waiting_list(&api, &admin, regions::CAPACITY_RACE).await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::CAPACITY_RACE, "web", Some(250)).await;
    // A reinforced advisor of the region cannot take guided seekers: still only one eligible advisor.
    api.create_advisor(&admin, regions::CAPACITY_RACE, "reinforced", Some(70)).await;

    let mut seekers = Vec::new();
    for _ in 0..300 {
        seekers.push(api.sign_in(&unique("racer"), &[]).await);
    }
    let registrations =
        seekers.iter().map(|s| api.post("/seekers", s, registration_body(&s.sub, regions::CAPACITY_RACE)));
    let results = join_all(registrations).await;
    let mut assigned = 0;
    let mut waiting = 0;
    for (status, body) in &results {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        match body["assignment"].as_str() {
            Some("assigned") => {
                assert_eq!(body["advisor"]["advisorId"], advisor_id.as_str());
                assigned += 1;
            }
            Some("waiting") => waiting += 1,
            other => panic!("unexpected assignment {other:?}"),
        }
    }
    assert_eq!((assigned, waiting), (250, 50));

    // The advisor's counter equals the seekers who name them.
    let profile = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.expect("advisor item");
    assert_eq!(profile["portfolioCount"].as_n().unwrap(), "250");
    let in_portfolio = api.all_items("/advisors/me/portfolio", &advisor).await.len();
    assert_eq!(in_portfolio, 250);
    let (status, listed) = api.get(&format!("/admin/advisors?region={}", regions::CAPACITY_RACE), &admin).await;
    assert_eq!(status, StatusCode::OK);
    let row =
        listed["items"].as_array().unwrap().iter().find(|a| a["advisorId"] == advisor_id.as_str()).cloned().unwrap();
    assert_eq!(row["portfolioCount"], 250);
    assert_eq!(row["load"], 1.0);
}

#[tokio::test]
async fn without_room_a_seeker_waits_and_admins_see_it() {
    let api = Api::new();
    let admin = api.admin().await;
    let (seeker, body) = api.register_seeker(regions::NO_ADVISOR).await;
    assert_eq!(body["assignment"], "waiting");
    assert_eq!(body["advisor"], Value::Null);
    // The list is longest waiting first and outlives a run (the capacity race leaves 50 seekers
    // waiting each time): read all of it, not the first page.
    let waiting = api.all_items("/admin/waiting", &admin).await;
    assert!(waiting.iter().any(|w| w["seekerId"] == body["seekerId"]));
    let (status, refused) = api.get("/admin/waiting", &seeker).await;
    assert_error(status, &refused, StatusCode::FORBIDDEN, Some("forbidden"));
    // The welcome email says so, in French.
    let emails = api.wait_for_emails(&seeker.email(), 1).await;
    assert_eq!(emails.len(), 1);
    assert!(emails[0]["text"].as_str().unwrap().contains("Aucun conseiller n'a de place"));
}

#[tokio::test]
async fn welcome_and_new_seeker_emails_reach_both_people() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, advisor_id) = api.create_advisor(&admin, regions::SHARED, "guided", None).await;
    let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    // Wait for the welcome itself: the seeker also gets an email about the reassignment, and the
    // stream may deliver either first.
    let welcome = api.wait_for_subject(&seeker.email(), "Bienvenue dans votre suivi 100 % web").await;
    assert!(welcome["html"].as_str().unwrap().contains("Zoé"));
    assert_eq!(welcome["from"], "ne-pas-repondre@suivi-emploi.example.fr");
    // The advisor the seeker was moved to gets "new seeker in your portfolio".
    let advisor_email = admin_advisor_email(&api, &admin, &advisor_id).await;
    // Other tests' seekers of the shared region may land in this portfolio too: wait for the
    // email that names this one.
    let names_this_seeker = |e: &Value| {
        e["subject"] == "Nouveau demandeur d'emploi dans votre portefeuille"
            && e["text"].as_str().is_some_and(|text| text.contains(&seeker_id))
    };
    let announced = !api.wait_for_emails_where(&advisor_email, 1, names_this_seeker).await.is_empty();
    assert!(announced, "no \"new seeker\" email naming {seeker_id} to the advisor");
}

async fn admin_advisor_email(api: &Api, admin: &Person, advisor_id: &str) -> String {
    let rows = api.all_items(&format!("/admin/advisors?region={}", regions::SHARED), admin).await;
    rows.iter()
        .find(|a| a["advisorId"] == advisor_id)
        .and_then(|a| a["email"].as_str())
        .expect("advisor listed")
        .to_owned()
}

#[tokio::test]
async fn level_changes_keep_history_and_move_the_seeker_when_needed() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::LEVELS, "web", None).await;
    let (_, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::LEVELS).await;

    // guided -> follow_up: a web advisor serves both, the seeker stays.
    let (status, body) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&advisor),
            Some(json!({"level": "follow_up", "reason": "autonome"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["level"], "follow_up");
    assert_eq!(body["advisor"]["advisorId"], advisor_id.as_str());
    let (status, same) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&advisor),
            Some(json!({"level": "follow_up", "reason": "x"})),
        )
        .await;
    assert_error(status, &same, StatusCode::UNPROCESSABLE_ENTITY, Some("same_level"));

    // follow_up -> reinforced: a web advisor cannot follow it; a reinforced advisor of the region takes the seeker.
    let (_, reinforced_id) = api.create_advisor(&admin, regions::LEVELS, "reinforced", Some(70)).await;
    let (status, moved) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&advisor),
            Some(json!({"level": "reinforced", "reason": "situation fragile"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["level"], "reinforced");
    assert_eq!(moved["advisor"]["advisorId"], reinforced_id.as_str());
    let old = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
    let new = table.item(&format!("ADVISOR#{reinforced_id}"), "PROFILE").await.unwrap();
    assert_eq!(old["portfolioCount"].as_n().unwrap(), "0");
    assert_eq!(new["portfolioCount"].as_n().unwrap(), "1");
    // The former advisor no longer sees the seeker.
    let (status, gone) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_error(status, &gone, StatusCode::NOT_FOUND, None);

    // The history is in the journal, never overwritten: two level changes, with who and why.
    let journal: Vec<_> = table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .into_iter()
        .filter(|i| i["sk"].as_s().unwrap().starts_with("JOURNAL#") && i["kind"].as_s().unwrap() == "level_changed")
        .collect();
    assert_eq!(journal.len(), 2);
    assert!(journal.iter().all(|e| e["actorId"].as_s().unwrap() == &advisor_id));
    let reasons: Vec<_> =
        journal.iter().map(|e| e["details"].as_m().unwrap()["reason"].as_s().unwrap().clone()).collect();
    assert_eq!(reasons, vec!["autonome", "situation fragile"]);
}

#[tokio::test]
async fn a_level_no_advisor_can_serve_puts_the_seeker_on_the_waiting_list() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    // Corse has a web advisor here but (in this test's world) nobody reinforced with room.
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::NO_REINFORCED_ROOM, "web", None).await;
    let (_, full_reinforced) = api.create_advisor(&admin, regions::NO_REINFORCED_ROOM, "reinforced", Some(1)).await;
    let (_, filler) = api.seeker_of(&admin, &advisor_id, regions::NO_REINFORCED_ROOM).await;
    let (status, body) = api
        .call(
            Method::PUT,
            &format!("/seekers/{filler}/level"),
            Some(&advisor),
            Some(json!({"level": "reinforced", "reason": "r"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The first went to the reinforced advisor (capacity 1) unless another test filled it; the next one must wait.
    let (_, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::NO_REINFORCED_ROOM).await;
    let (status, body) = api
        .call(
            Method::PUT,
            &format!("/seekers/{seeker_id}/level"),
            Some(&advisor),
            Some(json!({"level": "reinforced", "reason": "r"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["assignment"], "waiting");
    let reinforced = table.item(&format!("ADVISOR#{full_reinforced}"), "PROFILE").await.unwrap();
    assert_eq!(reinforced["portfolioCount"].as_n().unwrap(), "1", "never over capacity");
    // All of the list (longest waiting first): this run's seeker may be past the first page.
    let waiting = api.all_items("/admin/waiting", &admin).await;
    assert!(waiting.iter().any(|w| w["seekerId"] == seeker_id.as_str() && w["level"] == "reinforced"));
}

#[tokio::test]
async fn admins_reassign_within_capacity_and_modality() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, from_id) = api.create_advisor(&admin, regions::REASSIGN, "web", None).await;
    let (_, full_id) = api.create_advisor(&admin, regions::REASSIGN, "guided", Some(1)).await;
    let (_, reinforced_id) = api.create_advisor(&admin, regions::REASSIGN, "reinforced", None).await;
    let (_, first) = api.seeker_of(&admin, &full_id, regions::REASSIGN).await;
    let (_, seeker_id) = api.seeker_of(&admin, &from_id, regions::REASSIGN).await;
    let _ = first;

    let (status, body) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": full_id})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("advisor_full"));
    let (status, body) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": reinforced_id})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("modality_mismatch"));
    let (status, body) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": from_id})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("same_advisor"));
    let (status, body) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": "nobody"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_advisor"));
    let (status, body) = api.post("/seekers/NOPE/reassign", &admin, json!({"advisorId": from_id})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
}

#[tokio::test]
async fn nobody_sees_what_is_not_theirs() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (other_advisor, _) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    let (other_seeker, _) = api.register_seeker(regions::SHARED).await;
    let path = format!("/seekers/{seeker_id}");

    // Another seeker, and the seeker themselves, cannot use the advisor's route.
    let (status, body) = api.get(&path, &other_seeker).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = api.get(&path, &seeker).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    // Another advisor gets 404: not even the existence leaks.
    let (status, body) = api.get(&path, &other_advisor).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let level = json!({"level": "follow_up", "reason": "x"});
    let (status, body) =
        api.call(Method::PUT, &format!("{path}/level"), Some(&other_advisor), Some(level.clone())).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) = api.call(Method::PUT, &format!("{path}/level"), Some(&seeker), Some(level)).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    // Admin-only routes.
    for who in [&seeker, &advisor] {
        let (status, body) = api.get("/admin/advisors?region=11", who).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, None);
        let (status, body) = api.post(&format!("{path}/reassign"), who, json!({"advisorId": advisor_id})).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, None);
        let (status, body) = api
            .post("/advisors", who, json!({"sub": unique("x"), "firstName": "A", "lastName": "B", "email": "a@example.fr", "region": "11", "modality": "web"}))
            .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, None);
    }
    // A seeker has no portfolio; an advisor cannot register as a seeker.
    let (status, body) = api.get("/advisors/me/portfolio", &seeker).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = api.post("/seekers", &advisor, registration_body(&advisor.sub, "11")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, None);
    // The admin sees the profile.
    let (status, body) = api.get(&path, &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn missing_or_altered_tokens_get_401() {
    let api = Api::new();
    let (seeker, _) = api.register_seeker(regions::SHARED).await;
    let (status, _) = api.call(Method::GET, "/seekers/me", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut altered = seeker.clone();
    let mut parts: Vec<String> = seeker.token.split('.').map(str::to_owned).collect();
    // Claim to be someone else: same signature, other payload.
    parts[1] = {
        use std::fmt::Write;
        let mut s = parts[1].clone();
        s.pop();
        let _ = write!(s, "{}", if parts[1].ends_with('A') { 'B' } else { 'A' });
        s
    };
    altered.token = parts.join(".");
    let (status, _) = api.get("/seekers/me", &altered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    altered.token = "garbage".into();
    let (status, _) = api.get("/seekers/me", &altered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_registrations_get_a_clear_4xx_and_write_nothing() {
    let api = Api::new();
    let table = Table::connect().await;
    let seeker = api.sign_in(&unique("badinput"), &[]).await;
    let valid = registration_body(&seeker.sub, regions::SHARED);
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (without("firstName"), StatusCode::BAD_REQUEST, "invalid_body"),
        (with("unexpected", json!(1)), StatusCode::BAD_REQUEST, "invalid_body"),
        (with("preferredChannels", json!(["fax"])), StatusCode::BAD_REQUEST, "invalid_body"),
        (with("preferredChannels", json!([])), StatusCode::UNPROCESSABLE_ENTITY, "invalid_channels"),
        (with("firstName", json!(42)), StatusCode::BAD_REQUEST, "invalid_body"),
        (with("firstName", json!("")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_name"),
        (with("lastName", json!("x".repeat(101))), StatusCode::UNPROCESSABLE_ENTITY, "invalid_name"),
        (with("email", json!("not-an-email")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_email"),
        (with("phone", json!("call me")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone"),
        (with("region", json!("99")), StatusCode::UNPROCESSABLE_ENTITY, "invalid_region"),
        (with("consent", json!(false)), StatusCode::UNPROCESSABLE_ENTITY, "consent_required"),
        (with("firstName", json!("x".repeat(100 * 1024))), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
    ];
    for (body, expected, code) in cases {
        let (status, answer) = api.post("/seekers", &seeker, body).await;
        assert_error(status, &answer, expected, Some(code));
    }
    for raw in ["{not json", "", "[]", "null"] {
        let (status, answer) = api.call_raw(Method::POST, "/seekers", Some(&seeker), raw.to_owned()).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, None);
    }
    // Nothing was written: no identity, no profile.
    assert!(table.item(&format!("IDENTITY#{}", seeker.sub), "IDENTITY").await.is_none());
    let (status, body) = api.get("/seekers/me", &seeker).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_registered"));
    // Other routes validate too.
    let admin = api.admin().await;
    let (status, body) = api.get("/admin/advisors?region=11&limit=0", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_limit"));
    let (status, body) = api.get("/admin/advisors?region=11&cursor=forged", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, body) = api.get("/admin/advisors?region=99", &admin).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_region"));
    // A genuine cursor of one list is refused by another.
    api.create_advisor(&admin, regions::SHARED, "web", None).await;
    api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (status, page) = api.get("/admin/advisors?region=11&limit=1", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let cursor = page["nextCursor"].as_str().expect("a second page").to_owned();
    let (status, body) = api.get(&format!("/admin/advisors?region=76&cursor={cursor}"), &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let (status, body) = api.get(&format!("/admin/waiting?cursor={cursor}"), &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    // Well-formed but incomplete: it names the right partition and nothing else.
    let partial = "eyJnc2kxcGsiOiJSRUdJT04jMTEifQ"; // {"gsi1pk":"REGION#11"}
    let (status, body) = api.get(&format!("/admin/advisors?region=11&cursor={partial}"), &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_cursor"));
    let advisor = json!({"sub": unique("a"), "firstName": "A", "lastName": "B", "email": "a@example.fr", "region": "11", "modality": "web", "capacity": 0});
    let (status, body) = api.post("/advisors", &admin, advisor).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_capacity"));
    let advisor = json!({"sub": unique("a"), "firstName": "A", "lastName": "B", "email": "a@example.fr", "region": "11", "modality": "remote"});
    let (status, body) = api.post("/advisors", &admin, advisor).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_body"));
}

/// Hole 2 of issue 12: registration took `email` from the body, so any identity made the
/// service write to any address. The address is now the token's verified email.
#[tokio::test]
async fn registration_writes_only_to_the_identitys_verified_address() {
    let api = Api::new();
    let table = Table::connect().await;
    let sub = unique("seeker-mail");
    let own = format!("{sub}@example.fr");
    let victim = format!("{}@example.fr", unique("victim"));
    let seeker = api.sign_in_with_email(&sub, &own, true, &[]).await;

    // Another address in the body: refused, nothing written.
    let mut body = registration_body(&sub, regions::NO_ADVISOR);
    body["email"] = json!(victim);
    let (status, answer) = api.post("/seekers", &seeker, body).await;
    assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, Some("email_not_verified"));
    assert!(table.item(&format!("IDENTITY#{sub}"), "IDENTITY").await.is_none(), "nothing registered");

    // The same address, but not verified by the identity provider: refused too.
    let unverified_sub = unique("seeker-unverified");
    let unverified_address = format!("{unverified_sub}@example.fr");
    let unverified = api.sign_in_with_email(&unverified_sub, &unverified_address, false, &[]).await;
    let (status, answer) =
        api.post("/seekers", &unverified, registration_body(&unverified_sub, regions::NO_ADVISOR)).await;
    assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, Some("email_not_verified"));

    // The twin: the verified address, given or left out, is taken; the welcome goes there.
    let (status, registered) = api.post("/seekers", &seeker, registration_body(&sub, regions::NO_ADVISOR)).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    assert_eq!(registered["email"], own.as_str());
    api.wait_for_subject(&own, "Bienvenue").await;
    let other_sub = unique("seeker-no-body-email");
    let other_address = format!("{other_sub}@example.fr");
    let other = api.sign_in_with_email(&other_sub, &other_address, true, &[]).await;
    let mut body = registration_body(&other_sub, regions::NO_ADVISOR);
    body.as_object_mut().unwrap().remove("email");
    let (status, registered) = api.post("/seekers", &other, body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    assert_eq!(registered["email"], other_address.as_str(), "the token's address");
    api.wait_for_subject(&other_address, "Bienvenue").await;

    // The welcome mails have gone through the outbox; none went to the named or unverified address.
    assert!(api.emails_to(&victim).await.is_empty(), "no mail to the address named in the body");
    assert!(api.emails_to(&unverified_address).await.is_empty(), "no mail to an unverified address");
}

/// A registration and erasure loop made the service write to the identity's address without
/// limit; after an erasure the same identity registers again only a day later.
#[tokio::test]
async fn registering_again_after_an_erasure_waits_a_day() {
    let api = Api::new();
    let table = Table::connect().await;
    let (seeker, _) = api.register_seeker(regions::NO_ADVISOR).await;
    let (status, body) = api.call(Method::DELETE, "/seekers/me", Some(&seeker), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let response = api
        .http
        .post(format!("{}/seekers", api.base))
        .bearer_auth(&seeker.token)
        .json(&registration_body(&seeker.sub, regions::NO_ADVISOR))
        .send()
        .await
        .expect("gateway reachable");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let seconds: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((23 * 3600..=24 * 3600).contains(&seconds), "about a day: {seconds}");
    let body: Value = response.json().await.expect("error json");
    assert_eq!(body["error"]["code"], "reregistered_too_soon", "{body}");
    assert!(table.item(&format!("IDENTITY#{}", seeker.sub), "IDENTITY").await.is_none(), "nothing registered");

    // Another identity is not held back by this one's erasure.
    let (other, _) = api.register_seeker(regions::NO_ADVISOR).await;
    assert_ne!(other.sub, seeker.sub);

    // The twin: once the day has passed (the marker's time moved back), it registers again.
    let marker_pk = store::keys::erasure_pk(&seeker.sub);
    let mut marker = table.item(&marker_pk, store::keys::ERASURE_SK).await.expect("the erasure marker");
    let past = AttributeValue::S(stored_instant(chrono::Utc::now() - chrono::Duration::minutes(1)));
    marker.insert("reregisterAfter".into(), past);
    table.put(marker).await;
    let (status, body) = api.post("/seekers", &seeker, registration_body(&seeker.sub, regions::NO_ADVISOR)).await;
    assert_eq!(status, StatusCode::CREATED, "registered again a day later: {body}");
}

#[tokio::test]
async fn a_seeker_exports_everything_and_erasure_leaves_no_personal_data() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let email = seeker.email();
    api.wait_for_emails(&email, 1).await;
    let (_, me) = api.get("/seekers/me", &seeker).await;
    let last_name = me["lastName"].as_str().unwrap().to_owned();
    let phone = me["phone"].as_str().unwrap().to_owned();
    // An upcoming phone interview (the number is on it) and an in-person request with a reason.
    let slot_id = api.slot(&advisor, paris_at(3, 16, 0), 30, &["phone"]).await;
    api.book(&seeker, &slot_id, "phone").await;
    let private_reason = "une raison très personnelle";
    let (status, _) = api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": private_reason})).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, export) = api.get("/seekers/me/export", &seeker).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["profile"]["email"], email.as_str());
    let kinds: Vec<&str> = export["journal"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"registered") && kinds.contains(&"reassigned"), "{kinds:?}");
    assert!(!export["emails"].as_array().unwrap().is_empty());

    let before = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
    let (status, body) = api.call(Method::DELETE, "/seekers/me", Some(&seeker), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let after = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
    let count = |item: &Item| item["portfolioCount"].as_n().unwrap().parse::<i64>().unwrap();
    // The place freed may go at once to a seeker waiting in the shared region (the waiting
    // list drains on erasure): the counter is then the portfolio's size, without the erased one.
    let portfolio = api.all_items("/advisors/me/portfolio", &advisor).await;
    assert!(portfolio.iter().all(|row| row["seekerId"] != seeker_id.as_str()), "{portfolio:?}");
    assert_eq!(count(&after), i64::try_from(portfolio.len()).unwrap(), "the counter is the portfolio");
    assert!(count(&after) <= count(&before), "erasure never adds to the count");

    assert_eq!(export["interviews"].as_array().unwrap().len(), 1);
    assert_eq!(export["inPersonRequests"].as_array().unwrap().len(), 1);
    for needle in [email.as_str(), last_name.as_str(), phone.as_str(), seeker.sub.as_str(), private_reason] {
        let found = table.items_mentioning(needle).await;
        assert!(found.is_empty(), "{needle} still in the table: {found:?}");
    }
    let (status, body) = api.get("/seekers/me", &seeker).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, Some("not_registered"));
    let (status, body) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    // The upcoming interview was cancelled: the advisor's slot is free again.
    let slot = table.item(&format!("SLOT#{slot_id}"), "SLOT").await.unwrap();
    assert_eq!(slot["state"].as_s().unwrap(), "open");
    let (_, requests) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert!(requests["items"].as_array().unwrap().is_empty());
    // The anonymous trace of the follow-up remains.
    let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.expect("anonymous profile kept");
    assert_eq!(profile["erased"].as_bool().unwrap(), &true);
}

/// Hole 5 of issue 12: a convocation racing an erasure left an interview (with its free-text
/// location) and an email with the seeker's name and address. Every write about a seeker now
/// conditions on the profile not being erased, and the erasure sweeps again after its last
/// transaction; the advisor is told of each upcoming interview it cancels.
#[tokio::test]
async fn a_convocation_racing_an_erasure_leaves_nothing_of_the_seeker_and_the_advisor_is_told() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, advisor_id, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let advisor_email = admin_advisor_email(&api, &admin, &advisor_id).await;
    let email = seeker.email();
    api.wait_for_emails(&email, 1).await;
    let (_, me) = api.get("/seekers/me", &seeker).await;
    let last_name = me["lastName"].as_str().unwrap().to_owned();
    let place = format!("Agence {}", unique("salle"));

    // One convocation before the erasure (it must be cancelled, its place stripped), then
    // convocations fired while the erasure runs.
    let path = format!("/seekers/{seeker_id}/convocations");
    let (api_ref, advisor_ref, path_ref, place_ref) = (&api, &advisor, &path, &place);
    let convoke = move |day: i64| async move {
        let start = integration_tests::rfc3339(paris_at(day, 10, 0));
        let body = json!({"start": start, "durationMinutes": 30, "channel": "in_person", "location": place_ref});
        api_ref.post(path_ref, advisor_ref, body).await
    };
    let (status, first) = convoke(20).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let racing = join_all((21..27).map(convoke));
    let erasure = api.call(Method::DELETE, "/seekers/me", Some(&seeker), None);
    let (racing, (status, body)) = futures::join!(racing, erasure);
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let mut convoked = 1;
    for (status, answer) in &racing {
        match *status {
            StatusCode::CREATED => convoked += 1,
            _ => assert_error(*status, answer, StatusCode::NOT_FOUND, None),
        }
    }

    // Nothing of the seeker left: no name, address, phone or place, in any item.
    for needle in [email.as_str(), last_name.as_str(), place.as_str()] {
        let found = table.items_mentioning(needle).await;
        assert!(found.is_empty(), "{needle} still in the table: {found:?}");
    }
    // Every convocation that was written is cancelled, and its advisor told of each.
    let told = api
        .wait_for_emails_where(&advisor_email, convoked, |e| {
            e["text"].as_str().is_some_and(|t| t.contains("a supprimé les données de son suivi"))
        })
        .await;
    assert_eq!(told.len(), convoked, "one notice per cancelled convocation");
    for notice in &told {
        let text = notice["text"].as_str().unwrap_or_default();
        assert!(!text.contains(&last_name) && !text.contains(&email), "nothing about the seeker: {text}");
    }
    let journal = table.partition(&format!("SEEKER#{seeker_id}")).await;
    let cancelled = journal
        .iter()
        .filter(|i| i.get("kind").and_then(|k| k.as_s().ok()).map(String::as_str) == Some("interview_cancelled"))
        .count();
    assert_eq!(cancelled, convoked, "a journal entry per cancelled convocation");

    // The twin: after the erasure a convocation is refused; another seeker is convoked.
    let (status, answer) = convoke(30).await;
    assert_error(status, &answer, StatusCode::NOT_FOUND, None);
    let (other, other_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    api.convoke(&advisor, &other_id, paris_at(31, 10, 0), "video").await;
    api.wait_for_subject(&other.email(), "onvocation").await;
}

/// Rectification (GDPR art. 16): the seeker corrects their names, the advisor sees them; the
/// email changes only through the identity's verified claim.
#[tokio::test]
async fn a_seeker_rectifies_their_names_and_the_advisor_sees_them() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (_, before) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;

    // Refused: a name that breaks the registration rule; nothing changes.
    let (status, body) = api
        .call(Method::PATCH, "/seekers/me", Some(&seeker), Some(json!({"firstName": "", "lastName": "Martin"})))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_name"));
    let (status, body) =
        api.call(Method::PATCH, "/seekers/me", Some(&seeker), Some(json!({"email": "other@example.fr"}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("invalid_body"));
    let (_, unchanged) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_eq!(unchanged["lastName"], before["lastName"]);

    // The twin: valid names are taken and the advisor's view shows them.
    let last_name = format!("Martin-{}", &seeker.sub[seeker.sub.len() - 6..]);
    let (status, updated) = api
        .call(
            Method::PATCH,
            "/seekers/me",
            Some(&seeker),
            Some(json!({"firstName": "Zoé-Anne", "lastName": last_name})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (status, seen) = api.get(&format!("/seekers/{seeker_id}"), &advisor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["firstName"], "Zoé-Anne");
    assert_eq!(seen["lastName"], last_name.as_str());

    // The email: an unverified claim changes nothing; a verified new one replaces it.
    let new_address = format!("{}@example.fr", unique("moved"));
    let unverified = api.sign_in_with_email(&seeker.sub, &new_address, false, &[]).await;
    let (status, body) = api.call(Method::PATCH, "/seekers/me", Some(&unverified), Some(json!({}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, Some("nothing_to_update"));
    let (_, me) = api.get("/seekers/me", &seeker).await;
    assert_eq!(me["email"], seeker.email().as_str());
    let verified = api.sign_in_with_email(&seeker.sub, &new_address, true, &[]).await;
    let (status, me) = api.call(Method::PATCH, "/seekers/me", Some(&verified), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], new_address.as_str());
}

/// Every signed link in an email's text, in order.
fn links_in(email: &Value) -> Vec<String> {
    let text = email["text"].as_str().unwrap_or_default();
    text.split_whitespace().filter(|w| w.contains("/links/")).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_reassignment_hands_the_follow_up_to_the_new_advisor_and_takes_it_from_the_former() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (former, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let (new, new_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    // Upcoming with the former advisor: a booked video interview, a convocation, and a
    // convocation at a time the new advisor already holds with another seeker.
    let slot = api.slot(&former, paris_at(10, 10, 0), 30, &["video"]).await;
    let video = api.book(&seeker, &slot, "video").await["interviewId"].as_str().unwrap().to_owned();
    let convocation = api.convoke(&former, &seeker_id, paris_at(11, 10, 0), "phone").await;
    let clash = api.convoke(&former, &seeker_id, paris_at(12, 10, 0), "phone").await;
    let (_, other_id) = api.seeker_of(&admin, &new_id, regions::SHARED).await;
    api.convoke(&new, &other_id, paris_at(12, 10, 0), "video").await;
    // An open in-person request, and its answer links in the former advisor's email.
    let (status, request) =
        api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": "en agence, s'il vous plaît"})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let request_id = request["requestId"].as_str().unwrap().to_owned();
    let old_links = links_in(&api.wait_for_subject(&former.email(), "Demande d'entretien en agence").await);
    assert_eq!(old_links.len(), 2, "accept and decline: {old_links:?}");

    let (status, moved) =
        api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": new_id})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");

    // The former advisor: 404 on every route and link of the seeker's follow-up.
    for id in [&video, &convocation, &clash] {
        let (status, body) = api.get(&format!("/interviews/{id}"), &former).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, None);
    }
    let (status, body) =
        api.post(&format!("/interviews/{convocation}/cancel"), &former, json!({"reason": "empêchement"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, None);
    table.move_interview_to_past(&video, 5).await; // under way: joinable, switchable, outcome due
    let refusals = [
        (Method::POST, format!("/interviews/{video}/meeting"), None),
        (Method::DELETE, format!("/interviews/{video}/meeting"), None),
        (Method::POST, format!("/interviews/{video}/channel"), Some(json!({"channel": "phone", "reason": "réseau"}))),
        (Method::POST, format!("/interviews/{video}/outcome"), Some(json!({"outcome": "no_show"}))),
        (
            Method::POST,
            format!("/in-person-requests/{request_id}/accept"),
            Some(
                json!({"start": integration_tests::rfc3339(paris_at(13, 10, 0)), "durationMinutes": 45, "location": "Agence"}),
            ),
        ),
        (Method::POST, format!("/in-person-requests/{request_id}/decline"), Some(json!({"message": "non"}))),
    ];
    for (method, path, body) in refusals {
        let (status, answer) = api.call(method.clone(), &path, Some(&former), body).await;
        assert_error(status, &answer, StatusCode::NOT_FOUND, None);
    }
    let (_, open) = api.get("/advisors/me/in-person-requests", &former).await;
    assert!(!open["items"].as_array().unwrap().iter().any(|r| r["requestId"] == request_id.as_str()), "{open}");
    for link in &old_links {
        let response = api.http.get(link).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "GET {link}");
        let response = api.http.post(link).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {link}");
    }
    let (status, still_open) = api.get(&format!("/interviews/{convocation}"), &new).await;
    assert_eq!((status, still_open["status"].as_str()), (StatusCode::OK, Some("booked")), "{still_open}");

    // The new advisor holds it: both interviews that fit in their agenda, and the request.
    let (_, agenda) = api
        .get(
            &format!(
                "/advisors/me/agenda?from={}&to={}",
                integration_tests::query_instant(paris_at(10, 0, 0)),
                integration_tests::query_instant(paris_at(12, 23, 0))
            ),
            &new,
        )
        .await;
    let in_agenda: Vec<&str> =
        agenda["items"].as_array().unwrap().iter().filter_map(|i| i["interviewId"].as_str()).collect();
    assert!(in_agenda.contains(&convocation.as_str()), "{agenda}");
    let (status, joined) = api.call(Method::POST, &format!("/interviews/{video}/meeting"), Some(&new), None).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let (status, switched) =
        api.post(&format!("/interviews/{video}/channel"), &new, json!({"channel": "phone", "reason": "réseau"})).await;
    assert_eq!(status, StatusCode::OK, "{switched}");
    let (status, held) = api.post(&format!("/interviews/{video}/outcome"), &new, json!({"outcome": "completed"})).await;
    assert_eq!(status, StatusCode::OK, "{held}");
    let (status, cancelled) =
        api.post(&format!("/interviews/{convocation}/cancel"), &new, json!({"reason": "empêchement"})).await;
    assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{cancelled}");

    // The convocation the new advisor's agenda could not take: cancelled, the seeker told in
    // French, the journal says so.
    let (status, clashed) = api.get(&format!("/interviews/{clash}"), &new).await;
    assert_eq!((status, clashed["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{clashed}");
    let email = api
        .wait_for_emails_where(&seeker.email(), 1, |e| {
            e["text"].as_str().is_some_and(|t| t.contains("nouveau conseiller, qui n'est pas disponible"))
        })
        .await;
    assert!(email[0]["subject"].as_str().unwrap().contains("annulé"), "{}", email[0]);
    let journal = table.partition(&format!("SEEKER#{seeker_id}")).await;
    assert!(journal.iter().any(|e| e.get("kind").and_then(|k| k.as_s().ok()).map(String::as_str) == Some("cancelled")
        && e["details"].as_m().unwrap().get("interviewId").and_then(|v| v.as_s().ok()) == Some(&clash)));

    // The open request is the new advisor's, with answer links of their own.
    let (_, open) = api.get("/advisors/me/in-person-requests", &new).await;
    assert!(open["items"].as_array().unwrap().iter().any(|r| r["requestId"] == request_id.as_str()), "{open}");
    let new_links = links_in(&api.wait_for_subject(&new.email(), "Demande d'entretien en agence").await);
    let response = api.http.post(&new_links[1]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the new advisor declines from the email");
}

/// Places whoever an earlier run left waiting in `region` (the stack keeps its data between
/// runs): an advisor of exactly that capacity takes them, so the region starts with nobody
/// waiting and no free place.
async fn empty_the_waiting_list(api: &Api, admin: &Person, region: &str) {
    loop {
        let waiting = api.all_items("/admin/waiting", admin).await;
        let left = waiting.iter().filter(|w| w["region"] == region).count();
        if left == 0 {
            return;
        }
        api.create_advisor(admin, region, "web", Some(left.min(250) as u32)).await;
    }
}

#[tokio::test]
async fn a_new_advisor_takes_the_longest_waiting_seekers_first_even_while_others_register() {
    let _load = integration_tests::exclusive_load().await;
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let region = regions::WAITING_LIST;
    empty_the_waiting_list(&api, &admin, region).await;

    // 30 seekers wait, one after the other: that is the order of the waiting list.
    let mut waiting = Vec::new();
    for _ in 0..30 {
        let (seeker, body) = api.register_seeker(region).await;
        assert_eq!(body["assignment"], "waiting", "{body}");
        waiting.push((seeker, body["seekerId"].as_str().unwrap().to_owned()));
    }
    // An advisor of capacity 20 is created while 10 more people register in the region.
    let mut racers = Vec::new();
    for _ in 0..10 {
        racers.push(api.sign_in(&unique("racer"), &[]).await);
    }
    let registrations = racers.iter().map(|s| api.post("/seekers", s, registration_body(&s.sub, region)));
    let ((advisor, advisor_id), registered) =
        futures::join!(api.create_advisor(&admin, region, "web", Some(20)), join_all(registrations));

    // Exactly the 20 longest waiting are placed; the 10 others and the newcomers still wait.
    for (rank, (_, seeker_id)) in waiting.iter().enumerate() {
        let profile = table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.unwrap();
        let placed_with = profile.get("advisorId").and_then(|v| v.as_s().ok()).cloned();
        if rank < 20 {
            assert_eq!(placed_with.as_deref(), Some(advisor_id.as_str()), "seeker {rank} of the list is placed");
        } else {
            assert_eq!(placed_with, None, "seeker {rank} of the list still waits");
        }
    }
    for (status, body) in &registered {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        assert_eq!(body["assignment"], "waiting", "a newcomer does not pass the waiting list: {body}");
    }
    // The counter equals the portfolio.
    let profile = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
    assert_eq!(profile["portfolioCount"].as_n().unwrap(), "20");
    assert_eq!(api.all_items("/advisors/me/portfolio", &advisor).await.len(), 20);
    let still_waiting = api.all_items("/admin/waiting", &admin).await;
    let ours: Vec<&str> = still_waiting.iter().filter_map(|w| w["seekerId"].as_str()).collect();
    assert!(waiting[20..].iter().all(|(_, id)| ours.contains(&id.as_str())), "the 10 others are listed as waiting");

    // Both sides are told, in French.
    let (first, _) = &waiting[0];
    let emails = api
        .wait_for_emails_where(&first.email(), 1, |e| {
            integration_tests::subject_contains(e, "Votre conseiller a changé")
        })
        .await;
    assert!(emails[0]["text"].as_str().unwrap_or_default().contains("assuré par Anne Conseil"), "{}", emails[0]);
    api.wait_for_emails(&advisor.email(), 20).await;

    // A place frees (a placed seeker erases their data): the next longest waiting takes it.
    let (status, _) = api.call(Method::DELETE, "/seekers/me", Some(first), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, next_id) = &waiting[20];
    let profile = table.item(&format!("SEEKER#{next_id}"), "PROFILE").await.unwrap();
    assert_eq!(profile.get("advisorId").and_then(|v| v.as_s().ok()), Some(&advisor_id), "the 21st is placed");
    let (_, after_next) = &waiting[21];
    let profile = table.item(&format!("SEEKER#{after_next}"), "PROFILE").await.unwrap();
    assert!(!profile.contains_key("advisorId"), "only one place freed");
    let counter = table.item(&format!("ADVISOR#{advisor_id}"), "PROFILE").await.unwrap();
    assert_eq!(counter["portfolioCount"].as_n().unwrap(), "20");
    assert_eq!(api.all_items("/advisors/me/portfolio", &advisor).await.len(), 20);
}

#[tokio::test]
async fn admins_cannot_give_a_portfolio_above_the_modality_size() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    for (modality, too_many) in [("web", 251), ("guided", 151), ("reinforced", 71)] {
        let sub = unique("over");
        let body = json!({"sub": sub, "firstName": "A", "lastName": "B", "email": "a@example.fr", "region": "11", "modality": modality, "capacity": too_many});
        let (status, answer) = api.post("/advisors", &admin, body).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_capacity"));
        assert!(table.item(&format!("IDENTITY#{sub}"), "IDENTITY").await.is_none(), "nothing written");
    }
    // The sizes themselves are allowed.
    for (modality, size) in [("web", 250), ("guided", 150), ("reinforced", 70)] {
        let sub = unique("at-size");
        let body = json!({"sub": sub, "firstName": "A", "lastName": "B", "email": "a@example.fr", "region": "11", "modality": modality, "capacity": size});
        let (status, answer) = api.post("/advisors", &admin, body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["capacity"], size);
    }
}

#[tokio::test]
async fn admins_list_the_advisors_of_every_region_page_by_page() {
    let api = Api::new();
    let admin = api.admin().await;
    let (_, in_shared) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
    let (_, in_levels) = api.create_advisor(&admin, "84", "guided", None).await;
    // Small pages, so that pages end inside a region and at a region's end.
    let everyone = api.all_items_by("/admin/advisors", &admin, 97).await;
    let ids: Vec<&str> = everyone.iter().filter_map(|a| a["advisorId"].as_str()).collect();
    assert!(ids.contains(&in_shared.as_str()) && ids.contains(&in_levels.as_str()));
    let unique_ids: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique_ids.len(), ids.len(), "each advisor once");
    let regions_in_order: Vec<&str> = everyone.iter().filter_map(|a| a["region"].as_str()).collect();
    let mut sorted = regions_in_order.clone();
    sorted.sort();
    assert_eq!(regions_in_order, sorted, "region by region");
    // One region's list is that region only.
    let shared = api.all_items(&format!("/admin/advisors?region={}", regions::SHARED), &admin).await;
    assert!(shared.iter().all(|a| a["region"] == regions::SHARED));
    // Read later, while other tests create advisors there: it holds at least what the whole list had.
    let shared_ids: HashSet<&str> = shared.iter().filter_map(|a| a["advisorId"].as_str()).collect();
    assert!(everyone
        .iter()
        .filter(|a| a["region"] == regions::SHARED)
        .all(|a| shared_ids.contains(a["advisorId"].as_str().unwrap())));
    let (status, refused) = api.get("/admin/advisors", &api.register_seeker(regions::SHARED).await.0).await;
    assert_error(status, &refused, StatusCode::FORBIDDEN, None);
}

#[tokio::test]
async fn the_portfolio_shows_each_seekers_unread_messages_and_open_in_person_request() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, writer, writer_id) = api.advisor_with_seeker(&admin).await;
    let (_quiet, quiet_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;

    // The first seeker writes twice and asks to meet in person; the second does nothing.
    let mut socket = integration_tests::ws::Ws::connect(&writer).await;
    socket.say(None, "Bonjour").await;
    let last = socket.say(None, "Avez-vous reçu mon CV ?").await;
    let (status, request) =
        api.post("/seekers/me/in-person-requests", &writer, json!({"reason": "Signer mon contrat"})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");

    let row = |portfolio: &Value, id: &str| {
        portfolio["items"].as_array().unwrap().iter().find(|r| r["seekerId"] == id).cloned().expect("in the portfolio")
    };
    let (status, portfolio) = api.get("/advisors/me/portfolio", &advisor).await;
    assert_eq!(status, StatusCode::OK, "{portfolio}");
    let busy = row(&portfolio, &writer_id);
    assert_eq!(busy["unread"], 2);
    assert_eq!(busy["openInPersonRequest"]["requestId"], request["requestId"]);
    assert!(busy["openInPersonRequest"]["createdAt"].as_str().is_some_and(|t| t.contains('+')), "{busy}");
    // The working twin: a seeker with nothing waiting has zero and null.
    let calm = row(&portfolio, &quiet_id);
    assert_eq!(calm["unread"], 0);
    assert_eq!(calm["openInPersonRequest"], Value::Null);

    // Once the advisor reads and answers, the row says so.
    let mut desk = integration_tests::ws::Ws::connect(&advisor).await;
    desk.send(json!({"action": "markRead", "seekerId": writer_id, "upTo": last["id"]})).await;
    let (status, declined) = api
        .post(
            &format!("/in-person-requests/{}/decline", request["requestId"].as_str().unwrap()),
            &advisor,
            json!({"message": "Voyons-nous d'abord en visio."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    let after = integration_tests::poll_until(
        50,
        std::time::Duration::from_millis(100),
        || async { row(&api.get("/advisors/me/portfolio", &advisor).await.1, &writer_id) },
        |r| r["unread"] == 0,
    )
    .await;
    assert_eq!(after["unread"], 0);
    assert_eq!(after["openInPersonRequest"], Value::Null);
}

/// Addresses that are not plain (a display name, CR/LF or another control character, a quoted
/// local part, a list) would reach mail headers and the `.ics` `ATTENDEE` line: 422 on every
/// route taking an email, nothing written; a plain address is stored normalised.
#[tokio::test]
async fn only_plain_addresses_are_accepted_on_every_route_taking_an_email() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let hostile = [
        "Zoé Durand <zoe@example.fr>",
        "<zoe@example.fr>",
        "zoe@example.fr\r\nBcc: eve@example.fr",
        "zoe@example.fr\nX-Injected: 1",
        "\"zoe durand\"@example.fr",
        "zoe@example.fr, eve@example.fr",
        "zoe\u{0}@example.fr",
        "zoe@[127.0.0.1]",
        "zoé@example.fr",
    ];
    let seeker = api.sign_in(&unique("hostile-mail"), &[]).await;
    for address in hostile {
        let mut body = registration_body(&seeker.sub, regions::SHARED);
        body["email"] = json!(address);
        let (status, answer) = api.post("/seekers", &seeker, body).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_email"));

        let sub = unique("hostile-advisor");
        let advisor =
            json!({"sub": sub, "firstName": "A", "lastName": "B", "email": address, "region": "11", "modality": "web"});
        let (status, answer) = api.post("/advisors", &admin, advisor).await;
        assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_email"));
        assert!(table.item(&format!("IDENTITY#{sub}"), "IDENTITY").await.is_none(), "no advisor for {address:?}");
    }
    assert!(table.item(&format!("IDENTITY#{}", seeker.sub), "IDENTITY").await.is_none(), "no seeker written");

    // The twins: plain addresses, with spaces around and capitals, are taken and stored normalised.
    let mut body = registration_body(&seeker.sub, regions::SHARED);
    body["email"] = json!(format!("  {}@Example.FR ", seeker.sub));
    let (status, registered) = api.post("/seekers", &seeker, body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let (_, me) = api.get("/seekers/me", &seeker).await;
    assert_eq!(me["email"], format!("{}@example.fr", seeker.sub));
    let sub = unique("plain-advisor");
    let advisor = json!({"sub": sub, "firstName": "A", "lastName": "B", "email": format!(" {sub}@EXAMPLE.fr"), "region": "11", "modality": "web"});
    let (status, created) = api.post("/advisors", &admin, advisor).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["email"], format!("{sub}@example.fr"), "{created}");
}
