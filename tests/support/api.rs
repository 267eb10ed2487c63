//! A caller of the API, the people it signs in, and the set-up every suite needs (advisors,
//! seekers in a portfolio, slots, bookings, convocations, scheduled runs, every page of a list).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::regions;
use crate::time::rfc3339;

pub fn gateway_url() -> String {
    std::env::var("GATEWAY_URL").unwrap_or_else(|_| "http://127.0.0.1:3100".into())
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// Every channel a slot can offer.
pub const EVERY_CHANNEL: &[&str] = &["video", "phone", "in_person"];

/// A caller of the API.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct Person {
    pub sub: String,
    pub token: String,
}

impl Person {
    /// The address the local sign-in gives them (and registration uses), where their emails go.
    pub fn email(&self) -> String {
        format!("{}@example.fr", self.sub)
    }
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    /// The gateway of the shared stack (`GATEWAY_URL`).
    pub fn new() -> Api {
        Api::at(gateway_url())
    }

    /// A gateway at `base`, e.g. a private stack's.
    pub fn at(base: String) -> Api {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("http client");
        Api { base, http }
    }

    /// A token from the local sign-in (`groups`: `advisors`, `admins`, or none for a seeker).
    /// Their token carries `<sub>@example.fr` as a verified email, as Cognito's does.
    pub async fn sign_in(&self, sub: &str, groups: &[&str]) -> Person {
        self.sign_in_with_email(sub, &format!("{sub}@example.fr"), true, groups).await
    }

    /// A token whose `email` claim is `email`, verified (`email_verified`) or not.
    pub async fn sign_in_with_email(&self, sub: &str, email: &str, verified: bool, groups: &[&str]) -> Person {
        let response = self
            .http
            .post(format!("{}/_local/token", self.base))
            .json(&json!({"sub": sub, "email": email, "emailVerified": verified, "groups": groups}))
            .send()
            .await
            .expect("gateway reachable");
        assert_eq!(response.status(), StatusCode::OK, "local sign-in");
        let body: Value = response.json().await.expect("token json");
        Person { sub: sub.to_owned(), token: body["token"].as_str().expect("token").to_owned() }
    }

    pub async fn admin(&self) -> Person {
        self.sign_in(&unique("admin"), &["admins"]).await
    }

    /// Sends a request; returns the status and the JSON body (`Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<&Person>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        if let Some(body) = &body {
            crate::personal_data::note(method.as_str(), path, body);
        }
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(person) = who {
            request = request.bearer_auth(&person.token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("gateway reachable");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    /// Sends a raw body (malformed JSON, huge payloads).
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        who: Option<&Person>,
        body: String,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{}", self.base, path)).body(body);
        if let Some(person) = who {
            request = request.bearer_auth(&person.token);
        }
        let response = request.send().await.expect("gateway reachable");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str, who: &Person) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(who), None).await
    }
    pub async fn post(&self, path: &str, who: &Person, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(who), Some(body)).await
    }

    /// Every item of a list route, its pages followed `limit` items at a time.
    pub async fn all_items_by(&self, path: &str, who: &Person, limit: usize) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page_path = match &cursor {
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let (status, page) = self.get(&page_path, who).await;
            assert_eq!(status, StatusCode::OK, "{page_path}: {page}");
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
    }

    /// Every item of a list route, in pages of the largest size.
    pub async fn all_items(&self, path: &str, who: &Person) -> Vec<Value> {
        self.all_items_by(path, who, 200).await
    }

    /// Creates an advisor; returns the advisor's person and id.
    pub async fn create_advisor(
        &self,
        admin: &Person,
        region: &str,
        modality: &str,
        capacity: Option<u32>,
    ) -> (Person, String) {
        let sub = unique("advisor");
        let mut body = json!({
            "sub": sub, "firstName": "Anne", "lastName": "Conseil", "email": format!("{sub}@example.fr"),
            "region": region, "modality": modality,
        });
        if let Some(capacity) = capacity {
            body["capacity"] = json!(capacity);
        }
        let (status, advisor) = self.post("/advisors", admin, body).await;
        assert_eq!(status, StatusCode::CREATED, "advisor created: {advisor}");
        let person = self.sign_in(&sub, &["advisors"]).await;
        (person, advisor["advisorId"].as_str().expect("advisorId").to_owned())
    }

    /// Registers a new seeker in `region`; returns them and the 201 body.
    pub async fn register_seeker(&self, region: &str) -> (Person, Value) {
        let person = self.sign_in(&unique("seeker"), &[]).await;
        let (status, body) = self.post("/seekers", &person, registration_body(&person.sub, region)).await;
        assert_eq!(status, StatusCode::CREATED, "seeker registered: {body}");
        (person, body)
    }

    /// A seeker registered anywhere in `region` and then moved into `advisor_id`'s portfolio.
    pub async fn seeker_of(&self, admin: &Person, advisor_id: &str, region: &str) -> (Person, String) {
        let (person, body) = self.register_seeker(region).await;
        let seeker_id = body["seekerId"].as_str().expect("seekerId").to_owned();
        if body["advisor"]["advisorId"].as_str() != Some(advisor_id) {
            let (status, moved) =
                self.post(&format!("/seekers/{seeker_id}/reassign"), admin, json!({"advisorId": advisor_id})).await;
            assert_eq!(status, StatusCode::OK, "reassigned: {moved}");
        }
        (person, seeker_id)
    }

    /// A web advisor of the shared region and one seeker of their portfolio:
    /// `(advisor, advisor_id, seeker, seeker_id)`.
    pub async fn advisor_with_seeker(&self, admin: &Person) -> (Person, String, Person, String) {
        let (advisor, advisor_id) = self.create_advisor(admin, regions::SHARED, "web", None).await;
        let (seeker, seeker_id) = self.seeker_of(admin, &advisor_id, regions::SHARED).await;
        (advisor, advisor_id, seeker, seeker_id)
    }

    /// Creates the slots `body` describes; returns them.
    pub async fn create_slots(&self, advisor: &Person, body: Value) -> Vec<Value> {
        let (status, made) = self.post("/advisors/me/slots", advisor, body).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        made["items"].as_array().expect("the slots made").clone()
    }

    /// One slot of `minutes` minutes at `start` offering `channels`; returns its id.
    pub async fn slot(&self, advisor: &Person, start: DateTime<Utc>, minutes: u32, channels: &[&str]) -> String {
        let body = json!({"start": rfc3339(start), "durationMinutes": minutes, "channels": channels});
        let made = self.create_slots(advisor, body).await;
        made[0]["slotId"].as_str().expect("slotId").to_owned()
    }

    /// `seeker` books `slot_id` by `channel`; returns the interview.
    pub async fn book(&self, seeker: &Person, slot_id: &str, channel: &str) -> Value {
        let (status, interview) =
            self.post("/interviews", seeker, json!({"slotId": slot_id, "channel": channel})).await;
        assert_eq!(status, StatusCode::CREATED, "{interview}");
        interview
    }

    /// `advisor` convokes `seeker_id` to 30 minutes at `start` by `channel` (in person: at an
    /// agency); returns the interview's id.
    pub async fn convoke(&self, advisor: &Person, seeker_id: &str, start: DateTime<Utc>, channel: &str) -> String {
        let mut body = json!({"start": rfc3339(start), "durationMinutes": 30, "channel": channel});
        if channel == "in_person" {
            body["location"] = json!("Agence de Rouen, 3 rue Jeanne d'Arc");
        }
        let (status, interview) = self.post(&format!("/seekers/{seeker_id}/convocations"), advisor, body).await;
        assert_eq!(status, StatusCode::CREATED, "convocation at {start}: {interview}");
        interview["interviewId"].as_str().expect("interviewId").to_owned()
    }

    /// Fires the scheduled function `target` (`reminders`, `advisor-digest`, a function's name) as
    /// EventBridge would at `time`, through the gateway; returns its report.
    pub async fn run_schedule(&self, target: &str, time: DateTime<Utc>) -> Value {
        self.run_schedule_within(target, time, Duration::from_secs(120)).await
    }

    /// [`Api::run_schedule`] for a run allowed up to `limit` (the reminders' peak: a run has
    /// the 15 minutes of its schedule's period).
    pub async fn run_schedule_within(&self, target: &str, time: DateTime<Utc>, limit: Duration) -> Value {
        let response = self
            .http
            .post(format!("{}/_local/schedule/{target}", self.base))
            .timeout(limit)
            .json(&json!({"time": time.to_rfc3339()}))
            .send()
            .await
            .expect("gateway reachable");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "{target} at {time}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

pub fn registration_body(sub: &str, region: &str) -> Value {
    // A phone number of their own, so a test can look for it after erasure.
    let digits: u64 = sub.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 100_000_000;
    json!({
        "firstName": "Zoé",
        "lastName": format!("Durand-{}", &sub[sub.len() - 6..]),
        "email": format!("{sub}@example.fr"),
        "phone": format!("06{digits:08}"),
        "region": region,
        "preferredChannels": ["video", "chat"],
        "consent": true,
    })
}

/// Asserts the error contract: the status and `{"error": {"code", "message"}}`.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: Option<&str>) {
    assert_eq!(status, expected, "status for {body}");
    assert!(body["error"]["message"].is_string(), "error message in {body}");
    if let Some(code) = code {
        assert_eq!(body["error"]["code"], code, "error code in {body}");
    }
}
