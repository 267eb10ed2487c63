//! Signed email links (`GET`/`POST /links/{token}`), end to end: the links in
//! the real emails, what a GET shows (and that it changes nothing), the action
//! done once by POST, and every refusal (altered, other action, expired, used,
//! another person's link on another resource) leaving everything as it was.

use api::links::{LinkAction, LinkSigner};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, DurationRound, Utc};
use integration_tests::ws::Ws;
use integration_tests::{assert_error, attr_text, instant, paris_at, regions, subject_contains, Api, Person, Table};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Every signed link in an email's text, in order.
fn links_in(email: &Value) -> Vec<String> {
    let text = email["text"].as_str().unwrap_or_default();
    text.split_whitespace().filter(|w| w.contains("/links/")).map(str::to_owned).collect()
}

async fn open(api: &Api, url: &str) -> (StatusCode, String) {
    let response = api.http.get(url).send().await.expect("gateway reachable");
    (response.status(), response.text().await.unwrap_or_default())
}

async fn press(api: &Api, url: &str) -> (StatusCode, String) {
    let response = api.http.post(url).send().await.expect("gateway reachable");
    (response.status(), response.text().await.unwrap_or_default())
}

/// The signer of the local stack (test.sh exports the same local secret the gateway reads).
fn signer() -> LinkSigner {
    let secret = std::env::var("LINK_SECRET").expect("LINK_SECRET is exported by the local stack");
    let base = std::env::var("LINKS_BASE_URL").expect("LINKS_BASE_URL is exported by the local stack");
    LinkSigner::new(secret.as_bytes(), base).expect("a long enough secret")
}

/// `url` with its signed payload rewritten by `change` and the original signature kept.
fn tampered(url: &str, change: impl Fn(&str) -> String) -> String {
    let (base, token) = url.rsplit_once('/').expect("a link");
    let (payload, tag) = token.split_once('.').expect("payload.tag");
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("utf-8");
    format!("{base}/{}.{tag}", URL_SAFE_NO_PAD.encode(change(&decoded)))
}

async fn interview_status(api: &Api, who: &Person, interview_id: &str) -> Value {
    let (status, interview) = api.get(&format!("/interviews/{interview_id}"), who).await;
    assert_eq!(status, StatusCode::OK, "{interview}");
    interview
}

#[tokio::test]
async fn a_convocation_is_acknowledged_once_from_its_link_and_opening_it_changes_nothing() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let interview_id = api.convoke(&advisor, &seeker_id, paris_at(9, 10, 0), "video").await;
    let email = api.wait_for_subject(&seeker.email(), "Convocation").await;
    let links = links_in(&email);
    assert_eq!(links.len(), 1, "one acknowledge link: {links:?}");
    let link = &links[0];

    // Opened (by the person, or a mail scanner) twice: a page with a button, nothing recorded.
    for _ in 0..2 {
        let (status, page) = open(&api, link).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Je confirme avoir reçu ma convocation") && page.contains("method=\"post\""), "{page}");
    }
    assert!(interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"].is_null());

    let (status, page) = press(&api, link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Réception confirmée"), "{page}");
    let acknowledged = interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"].clone();
    assert!(acknowledged.is_string());

    // Used: refused, and the first acknowledgement stands.
    let (status, page) = press(&api, link).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("déjà été utilisé"), "{page}");
    let (status, _) = open(&api, link).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"], acknowledged);
}

/// A seeker with an interview booked in a slot of `advisor`; its confirmation's cancel link.
async fn booked(api: &Api, advisor: &Person, seeker: &Person, hours: u32) -> (String, String) {
    let slot_id = api.slot(advisor, paris_at(8, hours, 0), 30, &["video"]).await;
    let interview = api.book(seeker, &slot_id, "video").await;
    let email = api.wait_for_subject(&seeker.email(), "est confirmé").await;
    let links = links_in(&email);
    assert_eq!(links.len(), 1, "one cancel link: {links:?}");
    (interview["interviewId"].as_str().unwrap().to_owned(), links[0].clone())
}

#[tokio::test]
async fn altered_expired_used_or_misdirected_links_are_refused_and_change_nothing() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, alice, alice_id) = api.advisor_with_seeker(&admin).await;
    let (bob, _) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
    let (alice_interview, alice_link) = booked(&api, &advisor, &alice, 10).await;
    let (bob_interview, _) = booked(&api, &advisor, &bob, 14).await;

    let flipped_payload = {
        let (base, token) = alice_link.rsplit_once('/').unwrap();
        let mut bytes = token.as_bytes().to_vec();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        format!("{base}/{}", String::from_utf8(bytes).unwrap())
    };
    let flipped_signature = {
        let mut bytes = alice_link.as_bytes().to_vec();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let other_action = tampered(&alice_link, |p| p.replace("cancel_interview", "acknowledge"));
    let other_resource = tampered(&alice_link, |p| p.replace(&alice_interview, &bob_interview));
    let now = Utc::now();
    let expired = signer().url(
        LinkAction::CancelInterview,
        &alice_interview,
        &alice_id,
        now - Duration::days(2),
        Duration::days(1),
    );
    // Correctly signed, but for Alice on Bob's interview: it names a resource that is not hers.
    let misdirected = signer().url(LinkAction::CancelInterview, &bob_interview, &alice_id, now, Duration::days(1));

    let refusals = [
        (&flipped_payload, StatusCode::BAD_REQUEST, "pas valide"),
        (&flipped_signature, StatusCode::BAD_REQUEST, "pas valide"),
        (&other_action, StatusCode::BAD_REQUEST, "pas valide"),
        (&other_resource, StatusCode::BAD_REQUEST, "pas valide"),
        (&expired, StatusCode::GONE, "a expiré"),
        (&misdirected, StatusCode::NOT_FOUND, "ne correspond à rien"),
    ];
    for (url, expected, words) in refusals {
        for (status, page) in [open(&api, url).await, press(&api, url).await] {
            assert_eq!(status, expected, "{url}: {page}");
            assert!(page.contains(words), "{url}: {page}");
        }
    }
    assert_eq!(interview_status(&api, &alice, &alice_interview).await["status"], "booked");
    assert_eq!(interview_status(&api, &bob, &bob_interview).await["status"], "booked");

    // The genuine link: opening it changes nothing; pressing cancels once; a second use is refused.
    let (status, page) = open(&api, &alice_link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Annuler ce rendez-vous"), "{page}");
    assert_eq!(interview_status(&api, &alice, &alice_interview).await["status"], "booked");
    let (status, page) = press(&api, &alice_link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Rendez-vous annulé"), "{page}");
    assert_eq!(interview_status(&api, &alice, &alice_interview).await["status"], "cancelled");
    let (status, page) = press(&api, &alice_link).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("déjà été utilisé"), "{page}");
    assert_eq!(interview_status(&api, &bob, &bob_interview).await["status"], "booked");
    api.wait_for_subject(&advisor.email(), "annulé").await;
}

#[tokio::test]
async fn an_advisor_accepts_or_declines_in_person_requests_from_the_email() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, advisor_id, first, _) = api.advisor_with_seeker(&admin).await;
    let (second, _) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;

    let (status, request) =
        api.post("/seekers/me/in-person-requests", &first, json!({"reason": "je préfère en parler en face"})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let email = api.wait_for_subject(&advisor.email(), "Demande d'entretien en agence").await;
    let links = links_in(&email);
    assert_eq!(links.len(), 2, "accept and decline: {links:?}");
    let (accept, decline) = (&links[0], &links[1]);

    let (status, page) = open(&api, accept).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("premier créneau libre"), "{page}");
    let (_, open_requests) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert_eq!(open_requests["items"].as_array().unwrap().len(), 1, "still open after a GET");

    let (status, page) = press(&api, accept).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Entretien en agence réservé"), "{page}");
    let (_, open_requests) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert!(open_requests["items"].as_array().unwrap().is_empty(), "{open_requests}");
    let (_, mine) = api.get("/seekers/me/interviews", &first).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(items[0]["channel"], "in_person");
    let start = instant(&items[0]["start"]);
    assert!(start > Utc::now() + Duration::hours(23), "after the booking notice");
    api.wait_for_subject(&first.email(), "Votre entretien en agence").await;

    // The other answer to the same request: refused, nothing changed.
    let (status, page) = press(&api, decline).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("déjà reçu une réponse"), "{page}");
    let (_, mine) = api.get("/seekers/me/interviews", &first).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    // Another request, declined from its email.
    let (status, _) = api.post("/seekers/me/in-person-requests", &second, json!({"reason": "en agence svp"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let requests =
        api.wait_for_emails_where(&advisor.email(), 2, |e| subject_contains(e, "Demande d'entretien en agence")).await;
    // Newest first: the second request's email.
    let decline_second = if requests.len() >= 2 { links_in(&requests[0]).get(1).cloned() } else { None };
    let decline_second = decline_second.expect("the second request's email with its decline link");
    let (status, page) = press(&api, &decline_second).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Demande déclinée"), "{page}");
    api.wait_for_subject(&second.email(), "Votre demande d'entretien en agence").await;
    let (_, open_requests) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert!(open_requests["items"].as_array().unwrap().is_empty(), "{open_requests}");
}

/// The seeker's convocation emails, newest first (waiting for at least `count`).
async fn convocations_to(api: &Api, seeker: &Person, count: usize) -> Vec<Value> {
    let found = api.wait_for_emails_where(&seeker.email(), count, |e| subject_contains(e, "Convocation")).await;
    assert!(found.len() >= count, "{count} convocation emails: {found:?}");
    found
}

/// The interview once the proof of its version `version` says it was sent.
async fn once_sent(api: &Api, who: &Person, interview_id: &str, version: usize) -> Value {
    let read = integration_tests::poll_until(
        100,
        std::time::Duration::from_millis(100),
        || interview_status(api, who, interview_id),
        |read: &Value| read["convocation"]["versions"][version - 1]["sentAt"].is_string(),
    )
    .await;
    assert!(read["convocation"]["versions"][version - 1]["sentAt"].is_string(), "version {version} sent: {read}");
    read
}

#[tokio::test]
async fn a_rescheduled_convocation_is_a_new_convocation_with_its_own_notice_link_proof_and_acknowledgement() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let interview_id = api.convoke(&advisor, &seeker_id, paris_at(9, 10, 0), "video").await;
    let first_link = links_in(&convocations_to(&api, &seeker, 1).await[0])[0].clone();

    // Version 1 acknowledged from the app; its proof (sent, SES message id, acknowledged) is on the interview.
    let (status, acknowledged) = api.post(&format!("/interviews/{interview_id}/acknowledge"), &seeker, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{acknowledged}");
    let first_ack = acknowledged["acknowledgedAt"].clone();
    let read = once_sent(&api, &seeker, &interview_id, 1).await;
    let v1 = read["convocation"]["versions"][0].clone();
    assert_eq!(read["convocation"]["version"], 1);
    assert_eq!(read["convocation"]["sentAt"], v1["sentAt"]);
    assert_eq!(v1["acknowledgedAt"], first_ack);
    assert!(v1["sesMessageId"].is_string(), "{v1}");

    // The proof is the interview's own: the outbox item goes (30-day TTL, erasure), the proof stays.
    let seeker_pk = format!("SEEKER#{seeker_id}");
    let outbox: Vec<String> = table
        .partition(&seeker_pk)
        .await
        .iter()
        .filter(|item| attr_text(item, "template") == Some("convocation"))
        .filter_map(|item| attr_text(item, "sk").map(str::to_owned))
        .collect();
    assert_eq!(outbox.len(), 1, "the convocation's outbox item");
    table.delete(&seeker_pk, &outbox[0]).await;
    let read = interview_status(&api, &seeker, &interview_id).await;
    assert_eq!(read["convocation"]["versions"][0], v1, "the proof outlives the outbox item");
    assert_eq!(read["convocation"]["sentAt"], v1["sentAt"]);

    // The advisor moves it to a time within the minimum notice: refused, as for any convocation.
    let soon = (Utc::now() + Duration::hours(3)).duration_trunc(Duration::minutes(5)).expect("a granule");
    let soon_slot = api.slot(&advisor, soon, 30, &["video"]).await;
    let path = format!("/interviews/{interview_id}/reschedule");
    let (status, body) = api.post(&path, &advisor, json!({"slotId": soon_slot})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("too_late"));
    let read = interview_status(&api, &seeker, &interview_id).await;
    assert_eq!((read["convocation"]["version"].clone(), read["acknowledgedAt"].clone()), (json!(1), first_ack.clone()));

    // Far enough ahead: version 2, unacknowledged, version 1's proof kept.
    let later_slot = api.slot(&advisor, paris_at(10, 14, 0), 30, &["video"]).await;
    let (status, moved) = api.post(&path, &advisor, json!({"slotId": later_slot})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["convocation"]["version"], 2);
    assert!(moved["acknowledgedAt"].is_null(), "a new convocation is acknowledged anew: {moved}");
    assert_eq!(moved["convocation"]["versions"][0], v1);
    assert_eq!(moved["convocation"]["versions"][1]["version"], 2);
    assert_eq!(moved["convocation"]["versions"][1]["start"], moved["start"]);

    // A new French notice with its own acknowledge link, saying which one it replaces.
    let notices = convocations_to(&api, &seeker, 2).await;
    let text = notices[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("remplace celle du") && text.contains("OBLIGATOIRE"), "{text}");
    let second_link = links_in(&notices[0])[0].clone();
    assert_ne!(second_link, first_link);

    // The link of version 1 is refused with a plain page, and changes nothing.
    for answer in [open(&api, &first_link).await, press(&api, &first_link).await] {
        assert_eq!(answer.0, StatusCode::CONFLICT, "{}", answer.1);
        assert!(
            answer.1.contains("plus valable") && answer.1.contains("a été déplacé") && answer.1.contains("lang=\"fr\""),
            "{}",
            answer.1
        );
    }
    assert!(interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"].is_null());

    // The link of version 2 works: version 2 acknowledged, sent at its own time.
    let (status, page) = press(&api, &second_link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Réception confirmée"), "{page}");
    let read = once_sent(&api, &seeker, &interview_id, 2).await;
    let v2 = &read["convocation"]["versions"][1];
    assert!(read["acknowledgedAt"].is_string());
    assert_eq!(v2["acknowledgedAt"], read["acknowledgedAt"]);
    assert_ne!(v2["sesMessageId"], v1["sesMessageId"]);
    assert_eq!(read["convocation"]["versions"][0], v1, "version 1 sent and acknowledged at its own times");
    let journal = api.all_items(&format!("/seekers/{seeker_id}/journal"), &seeker).await;
    let acks: Vec<&Value> = journal
        .iter()
        .filter(|e| e["kind"] == "acknowledged" && e["details"]["interviewId"] == interview_id.as_str())
        .collect();
    assert_eq!(acks.len(), 2, "one acknowledgement per version: {acks:?}");
}

#[tokio::test]
async fn a_cancelled_convocation_cannot_be_acknowledged_from_the_app_or_its_link() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let kept = api.convoke(&advisor, &seeker_id, paris_at(9, 9, 0), "phone").await;
    let cancelled = api.convoke(&advisor, &seeker_id, paris_at(9, 15, 0), "video").await;
    let notices = convocations_to(&api, &seeker, 2).await;
    // The links name their interview inside the signed token.
    let link_for = |interview_id: &str| -> String {
        notices
            .iter()
            .flat_map(links_in)
            .find(|link| {
                let payload = link.rsplit('/').next().and_then(|token| token.split('.').next()).unwrap_or_default();
                URL_SAFE_NO_PAD
                    .decode(payload)
                    .ok()
                    .and_then(|p| String::from_utf8(p).ok())
                    .is_some_and(|p| p.contains(interview_id))
            })
            .expect("the convocation's link")
    };
    let cancelled_link = link_for(&cancelled);
    let (status, body) =
        api.post(&format!("/interviews/{cancelled}/cancel"), &advisor, json!({"reason": "empêchement"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = api.post(&format!("/interviews/{cancelled}/acknowledge"), &seeker, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("not_booked"));
    for answer in [open(&api, &cancelled_link).await, press(&api, &cancelled_link).await] {
        assert_eq!(answer.0, StatusCode::CONFLICT, "{}", answer.1);
        assert!(answer.1.contains("ne peut plus être confirmée"), "{}", answer.1);
    }
    assert!(interview_status(&api, &seeker, &cancelled).await["acknowledgedAt"].is_null());

    // Its twin, still booked, is acknowledged.
    let (status, body) = api.post(&format!("/interviews/{kept}/acknowledge"), &seeker, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["acknowledgedAt"].is_string());
}

/// A convocation whose interview is over (ended ten minutes ago, no outcome yet) cannot be
/// acknowledged late, from the app (409 `interview_over`) or its email link (409 page, nothing
/// recorded); its twin, the same convocation before its end, is acknowledged from its link.
#[tokio::test]
async fn a_finished_convocation_cannot_be_acknowledged_from_the_app_or_its_link() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let interview_id = api.convoke(&advisor, &seeker_id, paris_at(9, 11, 0), "phone").await;
    let notices = convocations_to(&api, &seeker, 1).await;
    let link = notices.iter().flat_map(links_in).next().expect("the convocation's acknowledge link");
    // Started 40 minutes ago, 30 minutes long: over for 10 minutes.
    table.move_interview_to_past(&interview_id, 40).await;

    let (status, body) = api.post(&format!("/interviews/{interview_id}/acknowledge"), &seeker, json!({})).await;
    assert_error(status, &body, StatusCode::CONFLICT, Some("interview_over"));
    for answer in [open(&api, &link).await, press(&api, &link).await] {
        assert_eq!(answer.0, StatusCode::CONFLICT, "{}", answer.1);
        assert!(answer.1.contains("ne peut plus être confirmée"), "{}", answer.1);
    }
    assert!(interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"].is_null());

    // Its twin: the same convocation before its end, acknowledged from the same link.
    table.move_interview_to(&interview_id, Utc::now() + Duration::hours(2)).await;
    let (status, page) = press(&api, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(interview_status(&api, &seeker, &interview_id).await["acknowledgedAt"].is_string());
}

#[tokio::test]
async fn a_cancel_link_sent_before_a_reschedule_is_refused_and_the_new_one_works() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, _) = api.advisor_with_seeker(&admin).await;
    let (interview_id, first_link) = booked(&api, &advisor, &seeker, 10).await;
    let other_slot = api.slot(&advisor, paris_at(8, 15, 0), 30, &["video"]).await;
    let (status, moved) =
        api.post(&format!("/interviews/{interview_id}/reschedule"), &seeker, json!({"slotId": other_slot})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let notice = api.wait_for_subject(&seeker.email(), "déplacé").await;
    let links = links_in(&notice);
    assert_eq!(links.len(), 1, "one cancel link: {links:?}");

    for answer in [open(&api, &first_link).await, press(&api, &first_link).await] {
        assert_eq!(answer.0, StatusCode::CONFLICT, "{}", answer.1);
        assert!(answer.1.contains("plus valable") && answer.1.contains("a été déplacé"), "{}", answer.1);
    }
    assert_eq!(interview_status(&api, &seeker, &interview_id).await["status"], "booked");

    let (status, page) = press(&api, &links[0]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Rendez-vous annulé"), "{page}");
    assert_eq!(interview_status(&api, &seeker, &interview_id).await["status"], "cancelled");
}

/// The headers every link page must carry: the page holds a credential in its URL, so it loads
/// nothing, runs nothing, cannot be framed (clickjacking the button) or sniffed.
fn assert_page_headers(response: &reqwest::Response, what: &str) {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let policy = header("content-security-policy");
    assert!(policy.starts_with("default-src 'none';"), "{what}: CSP {policy:?}");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("style-src 'sha256-"), "{what}: {policy}");
    assert!(!policy.contains("unsafe") && !policy.contains("script-src"), "{what}: {policy}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header("cache-control"), "no-store", "{what}");
}

#[tokio::test]
async fn every_link_page_is_unframeable_loads_nothing_and_is_not_sniffed() {
    let api = Api::new();
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    api.convoke(&advisor, &seeker_id, paris_at(9, 11, 0), "video").await;
    let email = api.wait_for_subject(&seeker.email(), "Convocation").await;
    let link = links_in(&email).into_iter().next().expect("an acknowledge link");
    let broken = tampered(&link, |payload| payload.replacen('a', "b", 1));

    // The confirmation page, the action done, the used link, an altered link: every answer.
    let cases = [
        ("GET", link.as_str(), StatusCode::OK),
        ("POST", link.as_str(), StatusCode::OK),
        ("POST", link.as_str(), StatusCode::CONFLICT),
        ("GET", broken.as_str(), StatusCode::BAD_REQUEST),
    ];
    for (method, url, expected) in cases {
        let request = if method == "GET" { api.http.get(url) } else { api.http.post(url) };
        let response = request.send().await.expect("gateway reachable");
        let what = format!("{method} answering {expected}");
        assert_eq!(response.status(), expected, "{what}");
        assert_page_headers(&response, &what);
        let page = response.text().await.unwrap_or_default();
        assert!(page.contains("<style>") && !page.contains(" style="), "{what}: only the hashed style sheet");
    }
}

/// Every string anywhere in `value`.
fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings_in(v, out)
        }),
        _ => {}
    }
}

/// The attack of issue 12, item 1: while the advisor's in-person request email waits in the
/// outbox (the send delay; days when SES is down), the seeker's export must not hand them the
/// advisor's accept and decline links (nor the advisor's address, nor that email's parameters),
/// and nothing in the export can answer the request. Its twin: the export holds the seeker's
/// own data, complete (profile, emails, the request, interviews with reminders, connections).
#[tokio::test]
async fn the_export_never_hands_a_seeker_their_advisors_links_and_holds_all_their_own_data() {
    let api = Api::new();
    let table = Table::connect().await;
    let admin = api.admin().await;
    let (advisor, _, seeker, seeker_id) = api.advisor_with_seeker(&admin).await;
    let slot_id = api.slot(&advisor, paris_at(5, 10, 0), 30, &["video"]).await;
    let interview = api.book(&seeker, &slot_id, "video").await;
    let reason = "je préfère en parler en face";
    let (status, request) = api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": reason})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let email = api.wait_for_subject(&advisor.email(), "Demande d'entretien en agence").await;
    let links = links_in(&email);
    assert_eq!(links.len(), 2, "accept and decline: {links:?}");

    // The request email as its transaction wrote it, still unsent (a MODIFY: the stream's
    // INSERT filter does not send it again).
    let outbox = table
        .partition(&format!("SEEKER#{seeker_id}"))
        .await
        .into_iter()
        .find(|item| attr_text(item, "template") == Some("in_person_requested"))
        .expect("the request's outbox item");
    let params = serde_dynamo::to_attribute_value::<_, aws_sdk_dynamodb::types::AttributeValue>(json!({
        "advisorFirstName": "Anne", "seekerName": "Zoé", "reason": reason,
        "appUrl": "http://127.0.0.1/conseiller", "acceptUrl": links[0], "declineUrl": links[1],
    }))
    .unwrap();
    let s = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.to_owned());
    table
        .client
        .update_item()
        .table_name(&table.name)
        .key("pk", outbox["pk"].clone())
        .key("sk", outbox["sk"].clone())
        .update_expression("SET #status = :pending, #to = :to, params = :params REMOVE sentAt, sesMessageId")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#to", "to")
        .expression_attribute_values(":pending", s("pending"))
        .expression_attribute_values(":to", s(&advisor.email()))
        .expression_attribute_values(":params", params)
        .send()
        .await
        .expect("UpdateItem");
    let mut ws = Ws::connect(&seeker).await;
    ws.say(None, "bonjour").await;

    let (status, export) = api.get("/seekers/me/export", &seeker).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let text = export.to_string();
    assert!(!text.contains("/links/"), "a signed link in the export");
    for link in &links {
        let token = link.rsplit('/').next().unwrap();
        let (payload, tag) = token.split_once('.').unwrap();
        assert!(!text.contains(payload) && !text.contains(tag), "a link token in the export");
    }
    assert!(!text.contains(&advisor.email()), "the advisor's address in the export");
    assert!(!text.contains("acceptUrl") && !text.contains("declineUrl") && !text.contains("advisorFirstName"));

    // Nothing from the export, used as a link, answers the request.
    let base = links[1].rsplit_once('/').unwrap().0.to_owned();
    let mut values = Vec::new();
    strings_in(&export, &mut values);
    for value in values.iter().filter(|v| v.len() >= 20 && !v.contains(char::is_whitespace)) {
        let encoded: String = value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let (status, _) = press(&api, &format!("{base}/{encoded}")).await;
        assert!(status.is_client_error(), "{value} as a link: {status}");
    }
    let (_, open_requests) = api.get("/advisors/me/in-person-requests", &advisor).await;
    assert_eq!(open_requests["items"].as_array().unwrap().len(), 1, "the request is still open: {open_requests}");

    // The twin: the seeker's own data, all of it.
    assert_eq!(export["profile"]["email"], seeker.email().as_str());
    assert_eq!(export["identity"]["seekerId"], seeker_id.as_str());
    let emails = export["emails"].as_array().unwrap();
    let of = |template: &str| emails.iter().find(|e| e["template"] == template).cloned().unwrap_or(Value::Null);
    assert_eq!(of("welcome_seeker")["recipient"], "seeker", "{emails:?}");
    assert_eq!(of("in_person_requested")["recipient"], "advisor", "{emails:?}");
    assert_eq!(of("in_person_requested")["status"], "pending", "{emails:?}");
    let requests = export["inPersonRequests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["reason"], reason);
    let interviews = export["interviews"].as_array().unwrap();
    assert_eq!(interviews.len(), 1);
    assert_eq!(interviews[0]["interviewId"], interview["interviewId"]);
    assert_eq!(interviews[0]["reminders"].as_array().unwrap().len(), 2, "{}", interviews[0]);
    assert!(interviews[0]["attendees"].is_array() && interviews[0]["attendance"].is_array());
    assert_eq!(export["connections"].as_array().unwrap().len(), 1, "the open chat connection");
    assert!(export["messages"].as_array().unwrap().iter().any(|m| m["text"] == "bonjour"));
    ws.close().await;
}
