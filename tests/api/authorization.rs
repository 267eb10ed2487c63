//! The authorization matrix: every HTTP route of `template.yaml` called by
//! every kind of caller (anonymous, the seeker concerned and another one, the
//! advisor concerned and another one, an admin), asserting who gets through.
//!
//! A route missing from the matrix fails the test, so a new route cannot ship
//! without its rules. "Denied" means 401, 403 or 404 (an outsider must not
//! learn that a resource exists); anything else means the caller got past
//! authorization (a 409 or 422 from a business rule included).

use std::collections::BTreeSet;

use chrono::Duration;
use futures::future::join_all;
use integration_tests::{paris_at, regions, registration_body, rfc3339, unique, Api, Person, Table};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Seeker,
    OtherSeeker,
    Advisor,
    OtherAdvisor,
    Admin,
}

const EVERYONE: [Who; 6] = [Who::Anonymous, Who::Seeker, Who::OtherSeeker, Who::Advisor, Who::OtherAdvisor, Who::Admin];

/// A fresh world for one route: two advisors, each with a seeker; the first
/// seeker has a booked video interview that is starting now, a convocation,
/// an open in-person request, and their advisor has two open slots.
struct World {
    admin: Person,
    seeker: Person,
    other_seeker: Person,
    advisor: Person,
    other_advisor: Person,
    seeker_id: String,
    advisor_id: String,
    other_advisor_id: String,
    open_slot: String,
    spare_slot: String,
    interview: String,
    convocation: String,
    request: String,
    /// A call of the advisor's (written directly: placing one needs a work phone), already
    /// over on the PSTN audio service's side.
    call: String,
}

impl World {
    async fn new(api: &Api, table: &Table) -> World {
        let admin = api.admin().await;
        let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
        let (other_advisor, other_advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        let (other_seeker, _) = api.seeker_of(&admin, &other_advisor_id, regions::SHARED).await;
        let day = paris_at(3, 9, 0);
        let (_, slots) = api
            .post(
                "/advisors/me/slots",
                &advisor,
                json!({"start": rfc3339(day), "durationMinutes": 30, "channels": ["video", "phone"], "repeatWeeks": 3}),
            )
            .await;
        let slot = |i: usize| slots["items"][i]["slotId"].as_str().expect("slots made").to_owned();
        let (_, booked) = api.post("/interviews", &seeker, json!({"slotId": slot(0), "channel": "video"})).await;
        let interview = booked["interviewId"].as_str().expect("booked").to_owned();
        // The interview is starting now, so meeting routes are within their window.
        table.move_interview_to_past(&interview, 5).await;
        let (_, convoked) = api
            .post(
                &format!("/seekers/{seeker_id}/convocations"),
                &advisor,
                json!({"start": rfc3339(day + Duration::hours(3)), "durationMinutes": 30, "channel": "phone"}),
            )
            .await;
        let (_, request) = api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": "en agence"})).await;
        let call = ulid_like(&unique("call"));
        let text = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.to_owned());
        table
            .put(
                [
                    ("pk", text(&format!("CALL#{call}"))),
                    ("sk", text("CALL")),
                    ("callId", text(&call)),
                    ("advisorId", text(&advisor_id)),
                    ("seekerId", text(&seeker_id)),
                    ("transactionId", text("matrix-call-already-over")),
                    ("createdAt", text("2026-12-01T08:00:00.000Z")),
                    ("expiresAt", aws_sdk_dynamodb::types::AttributeValue::N("4102444800".into())),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            )
            .await;
        World {
            admin,
            seeker,
            other_seeker,
            advisor,
            other_advisor,
            seeker_id,
            advisor_id,
            other_advisor_id,
            open_slot: slot(1),
            spare_slot: slot(2),
            interview,
            convocation: convoked["interviewId"].as_str().expect("convoked").to_owned(),
            request: request["requestId"].as_str().expect("requested").to_owned(),
            call,
        }
    }

    fn person(&self, who: Who) -> Option<&Person> {
        match who {
            Who::Anonymous => None,
            Who::Seeker => Some(&self.seeker),
            Who::OtherSeeker => Some(&self.other_seeker),
            Who::Advisor => Some(&self.advisor),
            Who::OtherAdvisor => Some(&self.other_advisor),
            Who::Admin => Some(&self.admin),
        }
    }

    /// The concrete path and a valid body for a route.
    fn request(&self, method: &str, path: &str) -> (String, Option<Value>) {
        let concrete = path
            .replace("{seekerId}", &self.seeker_id)
            .replace("{slotId}", &self.open_slot)
            .replace("{requestId}", &self.request)
            .replace("{callId}", &self.call);
        let interview = if path.ends_with("/acknowledge") { &self.convocation } else { &self.interview };
        let concrete = concrete.replace("{interviewId}", interview);
        let start = rfc3339(paris_at(5, 14, 0));
        let body = match (method, path) {
            ("POST", "/seekers") => Some(registration_body(&unique("matrix"), regions::SHARED)),
            ("PATCH", "/seekers/me") => Some(json!({"preferredChannels": ["phone"]})),
            ("PUT", "/seekers/{seekerId}/level") => Some(json!({"level": "follow_up", "reason": "autonome"})),
            ("POST", "/seekers/{seekerId}/reassign") => Some(json!({"advisorId": self.other_advisor_id})),
            ("POST", "/advisors") => Some(json!({
                "sub": unique("matrix-advisor"), "firstName": "A", "lastName": "B", "email": "matrix@example.fr",
                "region": "11", "modality": "web",
            })),
            ("POST", "/advisors/me/slots") => {
                Some(json!({"start": rfc3339(paris_at(6, 8, 0)), "durationMinutes": 30, "channels": ["video"]}))
            }
            ("POST", "/interviews") | ("POST", "/seekers/{seekerId}/interviews") => {
                Some(json!({"slotId": self.open_slot, "channel": "video"}))
            }
            ("POST", "/seekers/{seekerId}/convocations") => {
                Some(json!({"start": start, "durationMinutes": 30, "channel": "video"}))
            }
            ("POST", "/interviews/{interviewId}/cancel") => Some(json!({"reason": "empêchement"})),
            ("POST", "/interviews/{interviewId}/reschedule") => Some(json!({"slotId": self.spare_slot})),
            ("POST", "/interviews/{interviewId}/acknowledge") => Some(json!({})),
            ("POST", "/interviews/{interviewId}/channel") => Some(json!({"channel": "phone", "reason": "réseau"})),
            ("POST", "/interviews/{interviewId}/outcome") => Some(json!({"outcome": "completed"})),
            ("POST", "/interviews/{interviewId}/extend") => Some(json!({"minutes": 15})),
            ("POST", "/seekers/me/in-person-requests") => Some(json!({"reason": "en agence"})),
            ("POST", "/in-person-requests/{requestId}/accept") => {
                Some(json!({"start": start, "durationMinutes": 30, "location": "Agence"}))
            }
            ("POST", "/in-person-requests/{requestId}/decline") => Some(json!({"message": "Pas cette semaine."})),
            ("POST", "/interviews/{interviewId}/meeting") => Some(json!({})),
            _ => None,
        };
        let concrete = match (method, path) {
            ("GET", "/admin/advisors") => format!("{concrete}?region=11"),
            _ => concrete,
        };
        (concrete, body)
    }
}

/// An id of the call ids' alphabet (a ULID's 26 characters) made from a unique string.
fn ulid_like(seed: &str) -> String {
    let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u128, |h, b| (h ^ u128::from(b)).wrapping_mul(0x1000_0000_01b3));
    format!("01J{:023}", hash % 10u128.pow(23))
}

/// Who may call each route (API.md).
fn allowed(method: &str, path: &str) -> Option<&'static [Who]> {
    use Who::*;
    const SEEKERS: &[Who] = &[Seeker, OtherSeeker];
    const ADVISORS: &[Who] = &[Advisor, OtherAdvisor];
    const ADMIN: &[Who] = &[Admin];
    const THE_SEEKER_AND_ADVISOR: &[Who] = &[Seeker, Advisor];
    const THE_ADVISOR: &[Who] = &[Advisor];
    const THE_SEEKER: &[Who] = &[Seeker];
    const THE_ADVISOR_AND_ADMIN: &[Who] = &[Advisor, Admin];
    Some(match (method, path) {
        ("POST", "/seekers") => SEEKERS,
        ("GET", "/seekers/me")
        | ("PATCH", "/seekers/me")
        | ("GET", "/seekers/me/export")
        | ("DELETE", "/seekers/me") => SEEKERS,
        ("GET", "/seekers/{seekerId}") | ("PUT", "/seekers/{seekerId}/level") => THE_ADVISOR_AND_ADMIN,
        ("POST", "/seekers/{seekerId}/reassign") => ADMIN,
        ("POST", "/advisors") | ("GET", "/admin/waiting") | ("GET", "/admin/advisors") => ADMIN,
        ("GET", "/admin/seekers/{seekerId}/audit") => ADMIN,
        ("GET", "/advisors/me/portfolio") => ADVISORS,
        ("POST", "/advisors/me/slots") | ("GET", "/advisors/me/slots") | ("GET", "/advisors/me/agenda") => ADVISORS,
        ("DELETE", "/advisors/me/slots/{slotId}") => THE_ADVISOR,
        ("GET", "/seekers/me/slots") | ("GET", "/seekers/me/interviews") => SEEKERS,
        ("POST", "/seekers/me/in-person-requests") | ("GET", "/seekers/me/in-person-requests") => SEEKERS,
        ("GET", "/advisors/me/in-person-requests") => ADVISORS,
        ("POST", "/interviews") => THE_SEEKER,
        ("POST", "/seekers/{seekerId}/convocations") | ("POST", "/seekers/{seekerId}/interviews") => THE_ADVISOR,
        ("GET", "/interviews/{interviewId}") => THE_SEEKER_AND_ADVISOR,
        ("POST", "/interviews/{interviewId}/cancel") | ("POST", "/interviews/{interviewId}/reschedule") => {
            THE_SEEKER_AND_ADVISOR
        }
        ("POST", "/interviews/{interviewId}/acknowledge") => THE_SEEKER,
        ("POST", "/interviews/{interviewId}/channel") | ("POST", "/interviews/{interviewId}/outcome") => THE_ADVISOR,
        ("POST", "/interviews/{interviewId}/extend") => THE_ADVISOR,
        ("POST", "/in-person-requests/{requestId}/accept") | ("POST", "/in-person-requests/{requestId}/decline") => {
            THE_ADVISOR
        }
        ("GET", "/seekers/{seekerId}/journal") => THE_SEEKER_AND_ADVISOR,
        ("POST", "/interviews/{interviewId}/meeting") => THE_SEEKER_AND_ADVISOR,
        ("DELETE", "/interviews/{interviewId}/meeting") => THE_ADVISOR,
        // The interview is by video and the advisor has no work phone: 409, never a ring.
        ("POST", "/interviews/{interviewId}/call") | ("POST", "/seekers/{seekerId}/calls") => THE_ADVISOR,
        ("DELETE", "/calls/{callId}") => THE_ADVISOR,
        // Nobody joined the meeting yet: 409 `no_meeting`, never a ring.
        ("POST", "/interviews/{interviewId}/meeting/dial-in") => THE_ADVISOR,
        ("GET", "/conversations") => &[Seeker, OtherSeeker, Advisor, OtherAdvisor],
        ("GET", "/conversations/{seekerId}/messages") => THE_SEEKER_AND_ADVISOR,
        _ => return None,
    })
}

/// Every `METHOD /path` of the template's HTTP API, and whether it is public.
fn template_routes() -> Vec<(String, String, bool)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).expect("template.yaml");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("template parses");
    let mut routes = Vec::new();
    for (_, resource) in doc["Resources"].as_mapping().expect("resources") {
        let Some(events) = resource["Properties"]["Events"].as_mapping() else { continue };
        for (_, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            let public = properties["Auth"]["Authorizer"].as_str() == Some("NONE");
            routes.push((
                properties["Method"].as_str().expect("method").to_uppercase(),
                properties["Path"].as_str().expect("path").to_owned(),
                public,
            ));
        }
    }
    routes
}

fn denied(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
}

#[tokio::test]
async fn every_route_lets_in_exactly_who_api_md_says() {
    let api = Api::new();
    let table = Table::connect().await;
    let routes = template_routes();
    let uncovered: BTreeSet<String> = routes
        .iter()
        .filter(|(method, path, public)| !public && allowed(method, path).is_none())
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert!(uncovered.is_empty(), "routes without an authorization rule in this matrix: {uncovered:?}");

    let checks = routes.iter().filter(|(_, _, public)| !public).map(|(method, path, _)| {
        let (api, table) = (&api, &table);
        async move {
            let world = World::new(api, table).await;
            let may = allowed(method, path).unwrap_or(&[]);
            let (concrete, body) = world.request(method, path);
            let method_value = Method::from_bytes(method.as_bytes()).expect("method");
            let mut failures = Vec::new();
            // Outsiders first, so an allowed caller's change cannot hide a leak.
            let mut order: Vec<Who> = EVERYONE.iter().copied().filter(|w| !may.contains(w)).collect();
            order.extend(EVERYONE.iter().copied().filter(|w| may.contains(w)));
            for who in order {
                let (status, answer) = api.call(method_value.clone(), &concrete, world.person(who), body.clone()).await;
                let expected_allowed = may.contains(&who);
                if denied(status) == expected_allowed || status.is_server_error() {
                    failures.push(format!("{method} {path} as {who:?}: {status} {answer}"));
                }
            }
            let _ = &world.advisor_id;
            failures
        }
    });
    let failures: Vec<String> = join_all(checks).await.into_iter().flatten().collect();
    assert!(failures.is_empty(), "authorization mismatches:\n{}", failures.join("\n"));
}

/// The local-only routes mint tokens and show everyone's mail: a web page that reaches the
/// gateway's port through DNS rebinding (its own name resolving to 127.0.0.1, sent as `Host`)
/// must get nothing from them, while the same request with a loopback `Host` works.
#[tokio::test]
async fn local_routes_answer_only_a_loopback_host() {
    let base = integration_tests::gateway_url();
    let client = reqwest::Client::new();
    let token_body = json!({"sub": integration_tests::unique("rebinding"), "groups": []});
    for host in ["127.0.0.1", "localhost:3100", "[::1]:3100"] {
        let twin =
            client.post(format!("{base}/_local/token")).header("host", host).json(&token_body).send().await.unwrap();
        assert_eq!(twin.status(), StatusCode::OK, "loopback host {host}");
    }
    for host in ["evil.example", "evil.example:3100", "127.0.0.1.evil.example", "localhost.evil.example"] {
        let token =
            client.post(format!("{base}/_local/token")).header("host", host).json(&token_body).send().await.unwrap();
        assert_eq!(token.status(), StatusCode::FORBIDDEN, "token with host {host}");
        let body: Value = token.json().await.unwrap();
        assert_eq!(body["error"]["code"], "local_only");
        assert!(body.get("token").is_none());
        let mail = client.get(format!("{base}/_local/emails")).header("host", host).send().await.unwrap();
        assert_eq!(mail.status(), StatusCode::FORBIDDEN, "mail with host {host}");
    }
    // The API itself answers whatever the Host, as API Gateway does behind its own domain.
    let api = client.get(format!("{base}/seekers/me")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}
