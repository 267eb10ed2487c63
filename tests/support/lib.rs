//! Helpers for the end-to-end tests: they talk to the local gateway exactly
//! as the front end does, and read DynamoDB Local directly only to check what
//! the API cannot show (e.g. that erased data is really gone).
//!
//! Tests share one table and run concurrently, so each makes its own people.
//! Assignment picks the least-loaded advisor of a region, so a test that needs
//! a seeker in a given portfolio moves them there with the admin `reassign`
//! route; tests that need a region to themselves use one reserved below.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Regions reserved for tests whose assertions need them alone.
pub mod regions {
    /// Mayotte: the capacity race (one eligible advisor, 300 registrations).
    pub const CAPACITY_RACE: &str = "06";
    /// Guyane: no advisor at all, so registration waits.
    pub const NO_ADVISOR: &str = "03";
    /// Martinique: level changes with a known set of advisors.
    pub const LEVELS: &str = "02";
    /// Any test may use the others.
    pub const SHARED: &str = "11";
    /// Guadeloupe: reassignment against an advisor of capacity 1 (nobody else may fill it).
    pub const REASSIGN: &str = "01";
}

/// An instant `days` days from today (Paris calendar) at `hour:minute` Paris wall-clock time.
pub fn paris_at(days: i64, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let date = today + chrono::Duration::days(days);
    chrono_tz::Europe::Paris
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("valid time"))
        .earliest()
        .expect("an existing Paris time")
        .with_timezone(&chrono::Utc)
}

/// RFC 3339 with the Paris offset, as the API speaks.
pub fn rfc3339(instant: chrono::DateTime<chrono::Utc>) -> String {
    instant.with_timezone(&chrono_tz::Europe::Paris).to_rfc3339()
}

/// The last Sunday of `month` in the first year where it is at least `min_days` ahead:
/// the daylight-saving changes are on the last Sundays of March and October.
pub fn next_last_sunday(month: u32, min_days: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let earliest = chrono::Utc::now().date_naive() + chrono::Duration::days(min_days);
    let mut year = earliest.year();
    loop {
        let first_of_next = if month == 12 {
            chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .expect("valid date");
        let mut day = first_of_next - chrono::Duration::days(1);
        while day.weekday() != chrono::Weekday::Sun {
            day -= chrono::Duration::days(1);
        }
        if day >= earliest {
            return day;
        }
        year += 1;
    }
}

pub fn gateway_url() -> String {
    std::env::var("GATEWAY_URL").unwrap_or_else(|_| "http://127.0.0.1:3100".into())
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

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

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    pub fn new() -> Api {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("http client");
        Api { base: gateway_url(), http }
    }

    /// A token from the local sign-in (`groups`: `advisors`, `admins`, or none for a seeker).
    pub async fn sign_in(&self, sub: &str, groups: &[&str]) -> Person {
        let response = self
            .http
            .post(format!("{}/_local/token", self.base))
            .json(&json!({"sub": sub, "email": format!("{sub}@example.fr"), "groups": groups}))
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

    /// Emails the local SES received for `to`, newest first.
    pub async fn emails_to(&self, to: &str) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/_local/emails", self.base))
            .query(&[("to", to)])
            .send()
            .await
            .expect("gateway reachable");
        let body: Value = response.json().await.expect("emails json");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for the newest email to `to` whose subject contains `fragment`.
    pub async fn wait_for_subject(&self, to: &str, fragment: &str) -> Value {
        for _ in 0..150 {
            if let Some(email) = self
                .emails_to(to)
                .await
                .into_iter()
                .find(|e| e["subject"].as_str().is_some_and(|s| s.contains(fragment)))
            {
                return email;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no email to {to} with a subject containing {fragment:?}");
    }

    /// Waits until `to` has received at least `count` emails (the outbox flows through the stream).
    pub async fn wait_for_emails(&self, to: &str, count: usize) -> Vec<Value> {
        for _ in 0..150 {
            let emails = self.emails_to(to).await;
            if emails.len() >= count {
                return emails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.emails_to(to).await
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

/// Direct access to the table, for checks the API cannot make.
pub struct Table {
    pub client: aws_sdk_dynamodb::Client,
    pub name: String,
}

/// An outbox email put by [`Table::put_pending_outbox`].
pub struct PendingOutbox {
    pub pk: String,
    pub sk: String,
    pub email_id: String,
    pub to: String,
    pub created_at: String,
    pub expires_at: String,
}

impl Table {
    /// `<table>-<suffix>`, made if missing: the table's key schema (`pk`, `sk`) and no stream.
    /// For invoking `email-dispatch` with stream events of one's own: the local gateway's stream
    /// consumer watches the main table only, so it cannot race for the emails put here.
    pub async fn side_table(&self, suffix: &str) -> Table {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        let name = format!("{}-{suffix}", self.name);
        let attribute = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute")
        };
        let key = |n: &str, t: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(t).build().expect("key");
        let created = self
            .client
            .create_table()
            .table_name(&name)
            .attribute_definitions(attribute("pk"))
            .attribute_definitions(attribute("sk"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        if let Err(error) = created {
            let in_use = error.as_service_error().is_some_and(|e| e.is_resource_in_use_exception());
            assert!(in_use, "CreateTable {name}: {error:?}");
        }
        Table { client: self.client.clone(), name }
    }

    /// A pending outbox email (template `chat_notice`, no seeker) to `to`, as the business
    /// transactions write them.
    pub async fn put_pending_outbox(&self, to: &str) -> PendingOutbox {
        let email_id = ulid::Ulid::new().to_string();
        let now = chrono::Utc::now();
        let seed = PendingOutbox {
            pk: format!("OUTBOX#{email_id}"),
            sk: format!("OUTBOX#{email_id}"),
            email_id,
            to: to.to_owned(),
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            expires_at: (now + chrono::Duration::days(30)).timestamp().to_string(),
        };
        let s = |v: &str| AttributeValue::S(v.to_owned());
        self.client
            .put_item()
            .table_name(&self.name)
            .item("pk", s(&seed.pk))
            .item("sk", s(&seed.sk))
            .item("emailId", s(&seed.email_id))
            .item("template", s("chat_notice"))
            .item("to", s(to))
            .item("status", s("pending"))
            .item("createdAt", s(&seed.created_at))
            .item("expiresAt", AttributeValue::N(seed.expires_at.clone()))
            .send()
            .await
            .expect("PutItem of an outbox email");
        seed
    }

    pub async fn connect() -> Table {
        let config = aws_config::load_from_env().await;
        Table {
            client: aws_sdk_dynamodb::Client::new(&config),
            name: std::env::var("TABLE_NAME").unwrap_or_else(|_| "suivi-local".into()),
        }
    }

    pub async fn item(&self, pk: &str, sk: &str) -> Option<std::collections::HashMap<String, AttributeValue>> {
        self.client
            .get_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(pk.into()))
            .key("sk", AttributeValue::S(sk.into()))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem")
            .item
    }

    /// Test set-up only: moves an interview into the past, as if its time had come.
    pub async fn move_interview_to_past(&self, interview_id: &str, minutes_ago: i64) {
        let start = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
        let end = start + chrono::Duration::minutes(30);
        let key = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.client
            .update_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(format!("INTERVIEW#{interview_id}")))
            .key("sk", AttributeValue::S("INTERVIEW".into()))
            .update_expression("SET #start = :start, #end = :end")
            .expression_attribute_names("#start", "start")
            .expression_attribute_names("#end", "end")
            .expression_attribute_values(":start", AttributeValue::S(key(start)))
            .expression_attribute_values(":end", AttributeValue::S(key(end)))
            .send()
            .await
            .expect("UpdateItem");
    }

    pub async fn partition(&self, pk: &str) -> Vec<std::collections::HashMap<String, AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.name)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .expect("Query");
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return items,
            }
        }
    }

    /// Every item whose text mentions `needle`: a test-only full Scan, to prove erased data is gone everywhere.
    pub async fn items_mentioning(&self, needle: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let output =
                self.client.scan().table_name(&self.name).set_exclusive_start_key(start).send().await.expect("Scan");
            for item in output.items.unwrap_or_default() {
                let text = format!("{item:?}");
                if text.contains(needle) {
                    found.push(text);
                }
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return found,
            }
        }
    }
}
