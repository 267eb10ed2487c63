//! `make bench`'s capacity walk: every HTTP route of docs/openapi.yaml, every WebSocket route
//! of template.yaml, and the stream, event and scheduled functions that follow them, called
//! once each on realistic data through the local gateway, with the DynamoDB calls of each call
//! recorded by the metering proxy (infra/bench/dynamodb-meter/src/main.rs) in front of
//! DynamoDB Local; then the monthly AWS cost per 1,000 seekers from those figures and the
//! usage assumptions of `cost_model` below. Prints markdown. Never part of `make test`.
//!
//!   route-costs         GATEWAY_URL, WS_URL, METER_URL, AWS_ENDPOINT_URL_SES as set by infra/bench.sh
//!
//! The walker's own direct table access (moving an interview into the past, as the tests do)
//! goes straight to DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB), never through the meter.
//!
//! Each step: the meter holds the table stream (the stream poller, hence email-dispatch, waits),
//! resets, the call is made, the meter is read once it has been quiet for 300 ms (the route's
//! own calls); then the stream is released and the walker waits until the local SES has
//! received every email the route's writes put in the outbox, and reads the meter again
//! (email-dispatch's calls, reported per email). Fails if a route was not walked.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use integration_tests::{paris_at, registration_body, rfc3339, unique, Api, Person, Table};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The walk's region: one web advisor holds its whole portfolio (assignment picks the
/// least-loaded advisor of the region, so a second advisor only arrives after the portfolio
/// is full). A fresh stack is expected (infra/bench.sh starts one).
const REGION: &str = "76";
/// PRODUCT.md: a 100 % web portfolio holds up to 250 seekers; the walked seeker is the 249th.
const PORTFOLIO: usize = 249;

// --- the meter ----------------------------------------------------------------------------------

#[derive(Clone)]
struct Meter {
    http: reqwest::Client,
    base: String,
    ses: String,
}

/// What one step cost.
struct Measured<T> {
    out: T,
    calls: Vec<Value>,
    dispatch: Vec<Value>,
    emails: usize,
}

impl Meter {
    async fn post(&self, path: &str) {
        let response = self.http.post(format!("{}{path}", self.base)).send().await.expect("meter reachable");
        assert!(response.status().is_success(), "meter {path}: {}", response.status());
    }

    async fn records(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(format!("{}/_meter", self.base))
            .send()
            .await
            .expect("meter reachable")
            .json()
            .await
            .expect("meter json");
        body["records"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until no new call was recorded for `quiet`; returns the records.
    async fn settle(&self, quiet: Duration) -> Vec<Value> {
        let mut seen = self.records().await.len();
        let mut since = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = self.records().await.len();
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                return self.records().await;
            }
        }
    }

    /// Emails the local SES (moto) has received so far.
    async fn emails_sent(&self) -> usize {
        let data: Value = self
            .http
            .get(format!("{}/moto-api/data.json", self.ses))
            .send()
            .await
            .expect("moto reachable")
            .json()
            .await
            .expect("moto json");
        ["/ses/RawMessage", "/ses/Message"]
            .iter()
            .map(|p| data.pointer(p).and_then(Value::as_array).map_or(0, Vec::len))
            .sum()
    }

    /// Runs `call` with the stream held; then lets email-dispatch send what it put in the outbox.
    async fn step<T>(&self, call: impl Future<Output = T>) -> Measured<T> {
        self.post("/_meter/streams/hold").await;
        self.post("/_meter/reset").await;
        let out = call.await;
        let calls = self.settle(Duration::from_millis(300)).await;
        let emails: usize = calls.iter().map(|c| c["outboxPuts"].as_u64().unwrap_or(0) as usize).sum();
        self.post("/_meter/reset").await;
        let before = self.emails_sent().await;
        self.post("/_meter/streams/release").await;
        let mut dispatch = Vec::new();
        if emails > 0 {
            let deadline = Instant::now() + Duration::from_secs(300);
            while self.emails_sent().await < before + emails {
                assert!(Instant::now() < deadline, "{emails} outbox emails not sent within 300 s");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            dispatch = self.settle(Duration::from_millis(500)).await;
        }
        Measured { out, calls, dispatch, emails }
    }
}

// --- figures per step ---------------------------------------------------------------------------

/// One measured row of the table.
struct Row {
    /// `METHOD /path` of openapi, `ws <routeKey>`, or `fn <function>`.
    route: String,
    case: String,
    status: String,
    calls: Vec<Value>,
    emails: usize,
}

#[derive(Default, Clone, Copy)]
struct Units {
    /// As DynamoDB Local reports them.
    rru: f64,
    wru: f64,
    gsi_wru: f64,
    /// `ConditionCheck` items of transactions: DynamoDB Local reports no capacity for them.
    checks: f64,
    /// Reads that found nothing: DynamoDB Local reports 0, AWS bills the minimum
    /// (0.5 RRU eventually consistent, 1 strongly consistent); this is that minimum.
    empty_read_min: f64,
    /// Writes refused by their condition: DynamoDB Local reports 0, AWS bills them (≥ 1 WRU).
    failed_writes: f64,
}

impl Units {
    fn of(calls: &[Value]) -> Units {
        let mut u = Units::default();
        for c in calls {
            let units = c["units"].as_f64().unwrap_or(0.0);
            let ok = c["status"].as_u64() == Some(200);
            if c["read"].as_bool() == Some(true) {
                u.rru += units;
                if ok && units == 0.0 {
                    u.empty_read_min += if c["consistent"].as_bool() == Some(true) { 1.0 } else { 0.5 };
                }
            } else {
                u.wru += units;
                u.gsi_wru += c["gsiUnits"].as_object().map_or(0.0, |g| g.values().filter_map(Value::as_f64).sum());
                if !ok {
                    u.failed_writes += 1.0;
                }
            }
            u.checks += c["conditionChecks"].as_f64().unwrap_or(0.0);
        }
        u
    }

    /// Read request units as AWS would bill them.
    fn billed_rru(&self) -> f64 {
        self.rru + self.empty_read_min
    }

    /// Write request units as AWS would bill them: each `ConditionCheck` as a transactional
    /// write of an item ≤ 1 KB (2 WRU), each refused conditional write as 1 WRU.
    fn billed_wru(&self) -> f64 {
        self.wru + 2.0 * self.checks + self.failed_writes
    }

    fn scaled(&self, k: f64) -> Units {
        Units {
            rru: self.rru * k,
            wru: self.wru * k,
            gsi_wru: self.gsi_wru * k,
            checks: self.checks * k,
            empty_read_min: self.empty_read_min * k,
            failed_writes: self.failed_writes * k,
        }
    }

    fn add(&mut self, other: Units) {
        self.rru += other.rru;
        self.wru += other.wru;
        self.gsi_wru += other.gsi_wru;
        self.checks += other.checks;
        self.empty_read_min += other.empty_read_min;
        self.failed_writes += other.failed_writes;
    }
}

/// "GetItem ×2, Query GSI1, TransactWriteItems(7, 1 check)".
fn describe(calls: &[Value]) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for c in calls {
        let op = c["op"].as_str().unwrap_or("?");
        let mut name = op.to_owned();
        if let Some(index) = c["index"].as_str() {
            name.push(' ');
            name.push_str(index);
        }
        let items = c["items"].as_u64().unwrap_or(0);
        let checks = c["conditionChecks"].as_u64().unwrap_or(0);
        if items > 0 {
            name.push_str(&format!("({items}"));
            if checks > 0 {
                name.push_str(&format!(", {checks} check{}", if checks > 1 { "s" } else { "" }));
            }
            name.push(')');
        }
        if c["status"].as_u64() != Some(200) {
            let error = c["error"].as_str().unwrap_or("error");
            name.push_str(&format!(" [failed: {}]", error.rsplit('#').next().unwrap_or(error)));
        }
        match parts.last_mut() {
            Some((last, count)) if *last == name => *count += 1,
            _ => parts.push((name, 1)),
        }
    }
    if parts.is_empty() {
        return "none".into();
    }
    parts
        .into_iter()
        .map(|(name, count)| if count > 1 { format!("{name} ×{count}") } else { name })
        .collect::<Vec<_>>()
        .join(", ")
}

fn fmt_units(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

// --- a WebSocket client -----------------------------------------------------------------------

struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: VecDeque<Value>,
}

impl Ws {
    async fn connect(person: &Person) -> Ws {
        let url = std::env::var("WS_URL").unwrap_or_else(|_| "ws://127.0.0.1:3101".into());
        let (stream, _) = tokio_tungstenite::connect_async(format!("{url}/?token={}", person.token))
            .await
            .expect("WebSocket connection accepted");
        Ws { stream, pending: VecDeque::new() }
    }

    async fn send(&mut self, frame: Value) {
        self.stream.send(Message::text(frame.to_string())).await.expect("frame sent");
    }

    /// The next frame whose `type` is `kind` (and, for ack/error, whose clientMessageId is `cmid`).
    async fn wait_for(&mut self, kind: &str, cmid: Option<&str>) -> Value {
        let matches = |f: &Value| f["type"] == kind && cmid.is_none_or(|c| f["clientMessageId"] == c);
        if let Some(i) = self.pending.iter().position(matches) {
            return self.pending.remove(i).expect("frame");
        }
        loop {
            match tokio::time::timeout(Duration::from_secs(30), self.stream.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    let frame: Value = serde_json::from_str(text.as_str()).expect("frames are JSON");
                    if matches(&frame) {
                        return frame;
                    }
                    self.pending.push_back(frame);
                }
                Ok(Some(Ok(_))) => continue,
                other => panic!("no {kind} frame: {other:?}"),
            }
        }
    }

    async fn say(&mut self, seeker_id: Option<&str>, text: &str) -> Value {
        let cmid = unique("c");
        let mut frame = json!({"action": "sendMessage", "clientMessageId": cmid, "text": text});
        if let Some(id) = seeker_id {
            frame["seekerId"] = json!(id);
        }
        self.send(frame).await;
        let answer = self.wait_for("ack", Some(&cmid)).await;
        answer["message"].clone()
    }
}

// --- the walk -----------------------------------------------------------------------------------

struct Walk {
    api: Api,
    meter: Meter,
    rows: Vec<Row>,
    /// email-dispatch's calls over the whole walk, and the emails they sent.
    dispatch: Vec<Value>,
    dispatched: usize,
}

impl Walk {
    fn keep<T>(&mut self, route: &str, case: &str, status: String, m: Measured<T>) -> T {
        eprintln!("  {route} {case}: {status}, {} calls, {} emails", m.calls.len(), m.emails);
        self.dispatch.extend(m.dispatch);
        self.dispatched += m.emails;
        self.rows.push(Row { route: route.into(), case: case.into(), status, calls: m.calls, emails: m.emails });
        m.out
    }

    /// Not reported (set-up), but its emails are still dispatched before the next step.
    fn setup<T>(&mut self, m: Measured<T>) -> T {
        self.dispatch.extend(m.dispatch);
        self.dispatched += m.emails;
        m.out
    }

    /// An API call measured as the row `route` (`METHOD /template/path`); asserts a 2xx.
    async fn http(
        &mut self,
        route: &str,
        case: &str,
        method: Method,
        path: &str,
        who: Option<&Person>,
        body: Option<Value>,
    ) -> Value {
        let m = self.meter.clone().step(self.api.call(method, path, who, body)).await;
        let (status, value) = &m.out;
        assert!(status.is_success(), "{route} ({case}): {status} {value}");
        let status = status.as_u16().to_string();
        self.keep(route, case, status, m).1
    }

    /// A scheduled function run at `time`; the function's report goes in the case.
    async fn schedule(&mut self, function: &str, case: &str, time: chrono::DateTime<chrono::Utc>) -> Value {
        let api = self.api.clone();
        let call = async move {
            let response = api
                .http
                .post(format!("{}/_local/schedule/{function}", api.base))
                .json(&json!({"time": rfc3339(time)}))
                .send()
                .await
                .expect("gateway reachable");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(status, StatusCode::OK, "{function}: {body}");
            body
        };
        let m = self.meter.clone().step(call).await;
        let report = m.out.clone();
        self.keep(&format!("fn {function}"), &format!("{case}: {report}"), "ok".into(), m);
        report
    }
}

async fn post_control(api: &Api, path: &str) -> Value {
    let response = api.http.post(format!("{}{path}", api.base)).send().await.expect("gateway reachable");
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

fn id(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_else(|| panic!("{field} in {value}")).to_owned()
}

#[tokio::main]
async fn main() {
    let api = Api::new();
    let meter = Meter {
        http: reqwest::Client::new(),
        base: std::env::var("METER_URL").expect("METER_URL (the dynamodb-meter) is not set"),
        ses: std::env::var("AWS_ENDPOINT_URL_SES").expect("AWS_ENDPOINT_URL_SES is not set"),
    };
    let table = Table::connect().await;
    let mut w = Walk { api: api.clone(), meter: meter.clone(), rows: Vec::new(), dispatch: Vec::new(), dispatched: 0 };
    let started = Instant::now();

    // ---- set-up: an advisor with 10 weekly series of 26 slots and a portfolio of 248 ----
    eprintln!("set-up: one web advisor in region {REGION}, 10 × 26 weekly slots, {} seekers", PORTFOLIO - 1);
    let admin = api.admin().await;
    let (advisor, advisor_id) = api.create_advisor(&admin, REGION, "web", Some(250)).await;
    let series = |i: u32| {
        json!({"start": rfc3339(paris_at(1 + i64::from(i / 5), 8 + 2 * (i % 5), 0)), "durationMinutes": 30,
               "channels": ["video", "phone", "in_person"], "repeatWeeks": 26})
    };
    w.http(
        "POST /advisors/me/slots",
        "a weekly series of 26 slots (30 min)",
        Method::POST,
        "/advisors/me/slots",
        Some(&advisor),
        Some(series(0)),
    )
    .await;
    for i in 1..10 {
        let m = meter.step(api.post("/advisors/me/slots", &advisor, series(i))).await;
        assert_eq!(m.out.0, StatusCode::CREATED, "{}", m.out.1);
        w.setup(m);
    }
    let fillers = {
        let api = api.clone();
        let m = meter
            .step(async move {
                let mut seekers = Vec::new();
                let chunks: Vec<usize> = (0..PORTFOLIO - 1).collect();
                for chunk in chunks.chunks(8) {
                    let batch = futures::future::join_all(chunk.iter().map(|_| api.register_seeker(REGION))).await;
                    seekers.extend(batch);
                }
                seekers
            })
            .await;
        w.setup(m)
    };
    for (_, body) in &fillers {
        assert_eq!(body["advisor"]["advisorId"].as_str(), Some(advisor_id.as_str()), "filler in the portfolio");
    }
    eprintln!("set-up done in {:.0} s; walking", started.elapsed().as_secs_f64());

    // ---- registration and portfolio ----
    let seeker = api.sign_in(&unique("seeker"), &[]).await;
    let email = |p: &Person| format!("{}@example.fr", p.sub);
    let registered = w
        .http(
            "POST /seekers",
            &format!("assigned into a portfolio of {}", PORTFOLIO - 1),
            Method::POST,
            "/seekers",
            Some(&seeker),
            Some(registration_body(&seeker.sub, REGION)),
        )
        .await;
    let seeker_id = id(&registered, "seekerId");
    assert_eq!(registered["advisor"]["advisorId"].as_str(), Some(advisor_id.as_str()));
    w.http("GET /seekers/me", "own profile", Method::GET, "/seekers/me", Some(&seeker), None).await;
    w.http(
        "PATCH /seekers/me",
        "preferred channels",
        Method::PATCH,
        "/seekers/me",
        Some(&seeker),
        Some(json!({"preferredChannels": ["video", "chat", "phone"]})),
    )
    .await;
    let other_sub = unique("advisor");
    let other = w
        .http(
            "POST /advisors",
            "admin creates a web advisor",
            Method::POST,
            "/advisors",
            Some(&admin),
            Some(json!({"sub": other_sub, "firstName": "Paul", "lastName": "Conseil",
                        "email": format!("{other_sub}@example.fr"), "region": REGION, "modality": "web"})),
        )
        .await;
    let other_id = id(&other, "advisorId");
    w.http(
        "GET /admin/advisors",
        "one region",
        Method::GET,
        &format!("/admin/advisors?region={REGION}"),
        Some(&admin),
        None,
    )
    .await;
    w.http("GET /admin/waiting", "first page", Method::GET, "/admin/waiting", Some(&admin), None).await;
    let moved_id = id(&fillers[0].1, "seekerId");
    w.http(
        "GET /admin/seekers/{seekerId}/audit",
        "first page",
        Method::GET,
        &format!("/admin/seekers/{moved_id}/audit"),
        Some(&admin),
        None,
    )
    .await;
    w.http(
        "POST /seekers/{seekerId}/reassign",
        "to another advisor of the region",
        Method::POST,
        &format!("/seekers/{moved_id}/reassign"),
        Some(&admin),
        Some(json!({"advisorId": other_id})),
    )
    .await;
    w.http(
        "PUT /seekers/{seekerId}/level",
        "guided → follow_up, same advisor",
        Method::PUT,
        &format!("/seekers/{seeker_id}/level"),
        Some(&advisor),
        Some(json!({"level": "follow_up", "reason": "autonome dans ses recherches"})),
    )
    .await;
    w.http(
        "GET /seekers/{seekerId}",
        "by the advisor",
        Method::GET,
        &format!("/seekers/{seeker_id}"),
        Some(&advisor),
        None,
    )
    .await;
    w.http(
        "GET /advisors/me/portfolio",
        &format!("first page (50) of {}", PORTFOLIO - 1),
        Method::GET,
        "/advisors/me/portfolio",
        Some(&advisor),
        None,
    )
    .await;

    // ---- slots and interviews ----
    let single = w
        .http(
            "POST /advisors/me/slots",
            "one slot (30 min)",
            Method::POST,
            "/advisors/me/slots",
            Some(&advisor),
            Some(json!({"start": rfc3339(paris_at(3, 17, 0)), "durationMinutes": 30, "channels": ["video", "phone"]})),
        )
        .await;
    let single_slot = id(&single["items"][0], "slotId");
    w.http("GET /advisors/me/slots", "first page", Method::GET, "/advisors/me/slots", Some(&advisor), None).await;
    let slots = w
        .http(
            "GET /seekers/me/slots",
            "the advisor's free slots",
            Method::GET,
            "/seekers/me/slots",
            Some(&seeker),
            None,
        )
        .await;
    let free: Vec<(String, String)> =
        slots["items"].as_array().expect("slots").iter().map(|s| (id(s, "slotId"), id(s, "start"))).collect();
    assert!(free.len() >= 4, "free slots: {slots}");
    let booked = w
        .http(
            "POST /interviews",
            "book a slot (video)",
            Method::POST,
            "/interviews",
            Some(&seeker),
            Some(json!({"slotId": free[0].0, "channel": "video"})),
        )
        .await;
    let i1 = id(&booked, "interviewId");
    w.http(
        "GET /interviews/{interviewId}",
        "by the seeker",
        Method::GET,
        &format!("/interviews/{i1}"),
        Some(&seeker),
        None,
    )
    .await;
    w.http("GET /seekers/me/interviews", "all", Method::GET, "/seekers/me/interviews", Some(&seeker), None).await;
    w.http("GET /advisors/me/agenda", "default window", Method::GET, "/advisors/me/agenda", Some(&advisor), None).await;
    w.http(
        "POST /interviews/{interviewId}/reschedule",
        "to another slot",
        Method::POST,
        &format!("/interviews/{i1}/reschedule"),
        Some(&seeker),
        Some(json!({"slotId": free[1].0})),
    )
    .await;
    w.http(
        "POST /interviews/{interviewId}/channel",
        "video → phone",
        Method::POST,
        &format!("/interviews/{i1}/channel"),
        Some(&advisor),
        Some(json!({"channel": "phone", "reason": "la caméra ne fonctionne pas"})),
    )
    .await;
    w.http(
        "POST /interviews/{interviewId}/cancel",
        "by the seeker",
        Method::POST,
        &format!("/interviews/{i1}/cancel"),
        Some(&seeker),
        Some(json!({"reason": "un empêchement"})),
    )
    .await;
    w.http(
        "DELETE /advisors/me/slots/{slotId}",
        "a free slot",
        Method::DELETE,
        &format!("/advisors/me/slots/{single_slot}"),
        Some(&advisor),
        None,
    )
    .await;
    // A slot of its own, at a time no other slot of the walk takes.
    let (_, extra) = api
        .post(
            "/advisors/me/slots",
            &advisor,
            json!({"start": rfc3339(paris_at(9, 19, 25)), "durationMinutes": 15, "channels": ["video"]}),
        )
        .await;
    let extra_slot = id(&extra["items"][0], "slotId");
    w.http(
        "POST /seekers/{seekerId}/interviews",
        "by the advisor, for the seeker",
        Method::POST,
        &format!("/seekers/{seeker_id}/interviews"),
        Some(&advisor),
        Some(json!({"slotId": extra_slot, "channel": "video"})),
    )
    .await;
    let convoked = w
        .http(
            "POST /seekers/{seekerId}/convocations",
            "mandatory, video",
            Method::POST,
            &format!("/seekers/{seeker_id}/convocations"),
            Some(&advisor),
            Some(json!({"start": rfc3339(paris_at(5, 10, 0)), "durationMinutes": 30, "channel": "video"})),
        )
        .await;
    let i2 = id(&convoked, "interviewId");
    w.http(
        "POST /interviews/{interviewId}/acknowledge",
        "in the app",
        Method::POST,
        &format!("/interviews/{i2}/acknowledge"),
        Some(&seeker),
        Some(json!({})),
    )
    .await;

    // ---- signed links: a second seeker's convocation, acknowledged from the email ----
    let (s2, s2_body) = &fillers[1];
    let s2_id = id(s2_body, "seekerId");
    let m = meter
        .step(api.post(
            &format!("/seekers/{s2_id}/convocations"),
            &advisor,
            json!({"start": rfc3339(paris_at(6, 10, 0)), "durationMinutes": 30, "channel": "video"}),
        ))
        .await;
    assert_eq!(m.out.0, StatusCode::CREATED, "{}", m.out.1);
    let i3 = id(&w.setup(m).1, "interviewId");
    let convocation = api.wait_for_subject(&email(s2), "Convocation").await;
    let link = convocation["text"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .find(|w| w.contains("/links/"))
        .expect("an acknowledge link")
        .to_owned();
    let link_call = |method: Method| {
        let (api, url) = (api.clone(), link.clone());
        async move {
            let response = api.http.request(method, url).send().await.expect("gateway reachable");
            (response.status(), Value::Null)
        }
    };
    let m = meter.step(link_call(Method::GET)).await;
    assert!(m.out.0.is_success(), "GET link: {}", m.out.0);
    w.keep("GET /links/{token}", "convocation link opened (page only)", m.out.0.as_u16().to_string(), m);
    let m = meter.step(link_call(Method::POST)).await;
    assert!(m.out.0.is_success(), "POST link: {}", m.out.0);
    w.keep("POST /links/{token}", "acknowledge from the email", m.out.0.as_u16().to_string(), m);

    // ---- video: join, attendance events, end, outcome, sweeper ----
    table.move_interview_to_past(&i2, 1).await;
    let joined = w
        .http(
            "POST /interviews/{interviewId}/meeting",
            "first join (creates the meeting)",
            Method::POST,
            &format!("/interviews/{i2}/meeting"),
            Some(&seeker),
            None,
        )
        .await;
    let joined_advisor = w
        .http(
            "POST /interviews/{interviewId}/meeting",
            "second participant joins",
            Method::POST,
            &format!("/interviews/{i2}/meeting"),
            Some(&advisor),
            None,
        )
        .await;
    let meeting = joined["meeting"]["MeetingId"].as_str().expect("MeetingId").to_owned();
    let media = |attendee: &Value, action: &str| {
        let api = api.clone();
        let path = format!(
            "/_local/chime/meetings/{meeting}/attendees/{}/{action}",
            attendee["attendee"]["AttendeeId"].as_str().expect("AttendeeId")
        );
        async move { post_control(&api, &path).await }
    };
    let m = meter.step(media(&joined, "join")).await;
    w.keep("fn meeting-events", "chime:AttendeeJoined", "ok".into(), m);
    let m = meter.step(media(&joined_advisor, "join")).await;
    w.setup(m);
    let m = meter.step(media(&joined, "leave")).await;
    w.keep("fn meeting-events", "chime:AttendeeLeft", "ok".into(), m);
    let m = meter.step(media(&joined_advisor, "leave")).await;
    w.setup(m);
    w.http(
        "POST /interviews/{interviewId}/extend",
        "15 minutes more, the agenda free after it",
        Method::POST,
        &format!("/interviews/{i2}/extend"),
        Some(&advisor),
        Some(json!({"minutes": 15})),
    )
    .await;
    w.http(
        "DELETE /interviews/{interviewId}/meeting",
        "by the advisor",
        Method::DELETE,
        &format!("/interviews/{i2}/meeting"),
        Some(&advisor),
        None,
    )
    .await;
    w.http(
        "POST /interviews/{interviewId}/outcome",
        "completed, with a note",
        Method::POST,
        &format!("/interviews/{i2}/outcome"),
        Some(&advisor),
        Some(json!({"outcome": "completed", "note": "projet de formation"})),
    )
    .await;
    w.http(
        "GET /seekers/{seekerId}/journal",
        "first page, by the advisor",
        Method::GET,
        &format!("/seekers/{seeker_id}/journal"),
        Some(&advisor),
        None,
    )
    .await;
    // A meeting whose interview ends in two minutes, then the sweeper after its end.
    table.move_interview_to_past(&i3, 28).await;
    let m = meter.step(api.call(Method::POST, &format!("/interviews/{i3}/meeting"), Some(s2), None)).await;
    assert!(m.out.0.is_success(), "join i3: {}", m.out.1);
    w.setup(m);
    let after_end = chrono::Utc::now() + chrono::Duration::minutes(60);
    w.schedule("MeetingSweeperFunction", "run with 1 meeting to end", after_end).await;
    w.schedule("MeetingSweeperFunction", "run with nothing to end", after_end + chrono::Duration::minutes(5)).await;

    // ---- in person ----
    let request = w
        .http(
            "POST /seekers/me/in-person-requests",
            "by the seeker",
            Method::POST,
            "/seekers/me/in-person-requests",
            Some(&seeker),
            Some(json!({"reason": "je préfère en parler de vive voix"})),
        )
        .await;
    let r1 = id(&request, "requestId");
    w.http(
        "GET /advisors/me/in-person-requests",
        "open ones",
        Method::GET,
        "/advisors/me/in-person-requests",
        Some(&advisor),
        None,
    )
    .await;
    w.http(
        "POST /in-person-requests/{requestId}/accept",
        "with a time and place",
        Method::POST,
        &format!("/in-person-requests/{r1}/accept"),
        Some(&advisor),
        Some(
            json!({"start": rfc3339(paris_at(4, 15, 0)), "durationMinutes": 45, "location": "Agence Toulouse Centre"}),
        ),
    )
    .await;
    let m =
        meter.step(api.post("/seekers/me/in-person-requests", &seeker, json!({"reason": "une autre question"}))).await;
    assert!(m.out.0.is_success(), "{}", m.out.1);
    let r2 = id(&w.setup(m).1, "requestId");
    w.http(
        "POST /in-person-requests/{requestId}/decline",
        "with a message",
        Method::POST,
        &format!("/in-person-requests/{r2}/decline"),
        Some(&advisor),
        Some(json!({"message": "Pas d'agence disponible cette semaine."})),
    )
    .await;

    // ---- reminders and digest ----
    // A slot at least two days ahead, so that its day-before reminder is still to come; not the
    // single slot deleted above (in 3 days at 17:00, it is the first such slot on some weekdays).
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("slot start").with_timezone(&chrono::Utc);
    let (later_slot, later_start) = free[2..]
        .iter()
        .filter(|(slot, _)| *slot != single_slot)
        .find(|(_, start)| parse(start) > chrono::Utc::now() + chrono::Duration::hours(50))
        .expect("a free slot two days ahead")
        .clone();
    let m = meter.step(api.post("/interviews", &seeker, json!({"slotId": later_slot, "channel": "phone"}))).await;
    assert!(m.out.0.is_success(), "{}", m.out.1);
    w.setup(m);
    let start = parse(&later_start);
    // "The day before" is the same Paris wall-clock time on the previous day.
    let day_before = {
        use chrono::TimeZone;
        let local = start.with_timezone(&chrono_tz::Europe::Paris).naive_local() - chrono::Duration::days(1);
        chrono_tz::Europe::Paris
            .from_local_datetime(&local)
            .earliest()
            .expect("a Paris time")
            .with_timezone(&chrono::Utc)
    };
    let report = w
        .schedule("reminders", "run with the day-before reminder due", day_before + chrono::Duration::minutes(1))
        .await;
    assert!(report["sent"].as_u64().unwrap_or(0) >= 1, "a reminder sent: {report}");
    w.schedule("reminders", "the next run, 15 min later, nothing due", day_before + chrono::Duration::minutes(16))
        .await;
    // On the day of that interview, so the advisor has an agenda to be told about.
    let digest_at = {
        use chrono::TimeZone;
        let day = start.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        let local = day.and_hms_opt(8, 5, 0).expect("08:05");
        chrono_tz::Europe::Paris
            .from_local_datetime(&local)
            .earliest()
            .expect("a Paris time")
            .with_timezone(&chrono::Utc)
    };
    w.schedule("advisor-digest", "08:05 Paris, 18 regions, 2 advisors", digest_at).await;

    // ---- chat ----
    let m = meter.step(Ws::connect(&seeker)).await;
    let mut seeker_ws = w.keep("ws $connect", "a seeker", "101".into(), m);
    let m = meter.step(Ws::connect(&advisor)).await;
    let mut advisor_ws = w.keep("ws $connect", "an advisor", "101".into(), m);
    let m = meter.step(seeker_ws.say(None, "Bonjour, j'ai une question sur ma formation.")).await;
    w.keep("ws sendMessage", "seeker → advisor, both online", "ack".into(), m);
    let m = meter.step(advisor_ws.say(Some(&seeker_id), "Bonjour, je vous écoute.")).await;
    w.keep("ws sendMessage", "advisor → seeker, online, first of the day (contact journaled)", "ack".into(), m);
    let m = meter.step(advisor_ws.say(Some(&seeker_id), "Avez-vous reçu le programme ?")).await;
    let latest = w.keep("ws sendMessage", "advisor → seeker, online, later the same day", "ack".into(), m);
    // Sending marks one's own side read; the seeker has not read the advisor's two messages yet.
    let up_to = id(&latest, "id");
    let m = meter
        .step(async {
            seeker_ws.send(json!({"action": "markRead", "upTo": up_to})).await;
            seeker_ws.wait_for("read", None).await
        })
        .await;
    w.keep("ws markRead", "the seeker reads 2 messages", "pushed".into(), m);
    let m = meter
        .step(async {
            seeker_ws.send(json!({"action": "typing"})).await;
            advisor_ws.wait_for("typing", None).await
        })
        .await;
    w.keep("ws typing", "the seeker types", "pushed".into(), m);
    let m = meter
        .step(async {
            seeker_ws.send(json!({"action": "dance"})).await;
            seeker_ws.wait_for("error", None).await
        })
        .await;
    w.keep("ws $default", "unknown action", "error frame".into(), m);
    for i in 0..6 {
        let m = meter.step(seeker_ws.say(None, &format!("Message d'historique {i}"))).await;
        w.setup(m);
    }
    let m = meter
        .step(async {
            seeker_ws.stream.close(None).await.expect("close");
            // $disconnect runs after the close; step() waits until the meter is quiet.
            tokio::time::sleep(Duration::from_millis(500)).await;
        })
        .await;
    w.keep("ws $disconnect", "the seeker leaves", "closed".into(), m);
    let m = meter.step(advisor_ws.say(Some(&seeker_id), "Je vous ai envoyé le programme.")).await;
    w.keep("ws sendMessage", "advisor → seeker offline (email notice)", "ack".into(), m);
    w.http("GET /conversations", "the advisor's list", Method::GET, "/conversations", Some(&advisor), None).await;
    w.http(
        "GET /conversations/{seekerId}/messages",
        "latest page, by the advisor",
        Method::GET,
        &format!("/conversations/{seeker_id}/messages"),
        Some(&advisor),
        None,
    )
    .await;

    // ---- GDPR ----
    let export = w
        .http("GET /seekers/me/export", "everything held", Method::GET, "/seekers/me/export", Some(&seeker), None)
        .await;
    let export_bytes = export.to_string().len();
    w.http("DELETE /seekers/me", "erasure of the walked seeker", Method::DELETE, "/seekers/me", Some(&seeker), None)
        .await;
    drop(advisor_ws);

    // ---- output ----
    let dispatch_units = Units::of(&w.dispatch).scaled(1.0 / w.dispatched.max(1) as f64);
    let dispatch_calls = w.dispatch.len() as f64 / w.dispatched.max(1) as f64;
    print_table(&w, dispatch_units, dispatch_calls, export_bytes);
    let missing = coverage(&w.rows);
    print_cost_model(&w.rows, dispatch_units, export_bytes);
    eprintln!("walk done in {:.0} s", started.elapsed().as_secs_f64());
    if !missing.is_empty() {
        eprintln!("routes not walked: {missing:?}");
        std::process::exit(1);
    }
}

fn print_table(w: &Walk, dispatch: Units, dispatch_calls: f64, export_bytes: usize) {
    println!("| route | case | answer | DynamoDB calls | RRU | WRU (of which GSI) | billed RRU / WRU | emails |");
    println!("|---|---|---|---|---:|---:|---:|---:|");
    for row in &w.rows {
        let u = Units::of(&row.calls);
        println!(
            "| `{}` | {} | {} | {} | {} | {} ({}) | {} / {} | {} |",
            row.route,
            row.case.replace('|', "\\|"),
            row.status,
            describe(&row.calls),
            fmt_units(u.rru),
            fmt_units(u.wru),
            fmt_units(u.gsi_wru),
            fmt_units(u.billed_rru()),
            fmt_units(u.billed_wru()),
            row.emails
        );
    }
    println!(
        "| `fn email-dispatch` | per email, mean of the {} emails of this walk (set-up included) | ok | {:.1} calls ({}) | {:.2} | {:.2} ({:.2}) | {:.2} / {:.2} | |",
        w.dispatched,
        dispatch_calls,
        describe_ops(&w.dispatch),
        dispatch.rru,
        dispatch.wru,
        dispatch.gsi_wru,
        dispatch.billed_rru(),
        dispatch.billed_wru()
    );
    println!();
    println!(
        "RRU / WRU: read / write request units as DynamoDB Local 3.3.1 reports them with \
         `ReturnConsumedCapacity: INDEXES` (table + GSIs; transactional items count double). \"Billed\" adds what \
         DynamoDB Local reports as 0 but AWS bills as we read its rules (not checkable offline): 2 WRU per `ConditionCheck` of a transaction (\"check\" in the \
         calls; item ≤ 1 KB assumed), 1 WRU per write refused by its condition (\"failed\"), and the minimum read \
         (0.5 RRU, or 1 when strongly consistent) for a read that found nothing. The cost model uses the billed \
         figures. The walked seeker's export was {export_bytes} bytes of JSON."
    );
    println!();
}

/// Operations of email-dispatch over the walk, counted.
fn describe_ops(calls: &[Value]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in calls {
        *counts.entry(c["op"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
    }
    counts.into_iter().map(|(op, n)| format!("{op} {n}")).collect::<Vec<_>>().join(", ")
}

/// Every `METHOD /path` of docs/openapi.yaml and every WebSocket RouteKey of template.yaml must
/// have a row; returns the missing ones.
fn coverage(rows: &[Row]) -> Vec<String> {
    let root = std::env::var("ROOT").unwrap_or_else(|_| ".".into());
    let openapi: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(format!("{root}/docs/openapi.yaml")).expect("docs/openapi.yaml"))
            .expect("openapi yaml");
    let mut wanted = BTreeSet::new();
    for (path, item) in openapi["paths"].as_mapping().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                wanted.insert(format!("{} {}", method.to_uppercase(), path.as_str().expect("path")));
            }
        }
    }
    let template = std::fs::read_to_string(format!("{root}/template.yaml")).expect("template.yaml");
    for line in template.lines() {
        if let Some(key) = line.trim().strip_prefix("RouteKey: ") {
            wanted.insert(format!("ws {}", key.trim().trim_matches(|c| c == '"' || c == '\'')));
        }
    }
    let walked: BTreeSet<&str> = rows.iter().map(|r| r.route.as_str()).collect();
    wanted.into_iter().filter(|k| !walked.contains(k.as_str())).collect()
}

// --- the cost model -----------------------------------------------------------------------------
//
// ALL ASSUMPTIONS ARE HERE. Usage is per seeker per month; "PRODUCT" means /work/shared/PRODUCT.md
// (copied into docs/benchmarks.md's section), "assumption" means nobody measured it.

/// Prices, eu-west-3 (Paris), USD. None could be checked against the AWS price list offline:
/// they are the public list prices as remembered for late 2024 / 2025 (DynamoDB on-demand after
/// the November 2024 reduction), to be checked with the AWS Pricing Calculator before use.
mod price {
    pub const REGION: &str = "eu-west-3 (Paris)";
    pub const DDB_PER_M_WRU: f64 = 0.7625; // on-demand write request units, per million
    pub const DDB_PER_M_RRU: f64 = 0.1525; // on-demand read request units, per million
    pub const DDB_STORAGE_GB_MONTH: f64 = 0.306; // Standard table class
    pub const DDB_PITR_GB_MONTH: f64 = 0.245; // continuous backups
    pub const LAMBDA_ARM_GB_S: f64 = 0.000_013_333_4;
    pub const LAMBDA_PER_M_REQUESTS: f64 = 0.20;
    pub const HTTP_API_PER_M: f64 = 1.17; // first 300 million a month
    pub const WS_PER_M_MESSAGES: f64 = 1.14; // 32 KB units, both directions
    pub const WS_PER_M_CONNECTION_MINUTES: f64 = 0.285;
    pub const SES_PER_1000: f64 = 0.10;
    pub const CHIME_PER_ATTENDEE_MINUTE: f64 = 0.0017;
    pub const LOGS_INGEST_PER_GB: f64 = 0.57; // CloudWatch Logs
    pub const COGNITO_PER_MAU: f64 = 0.0055; // Lite tier, beyond the 10,000 free MAUs
}

/// Lambda: every function has MemorySize 256 (template.yaml Globals), arm64.
const LAMBDA_GB: f64 = 0.25;
/// Assumption: billed duration of a warm invocation of a route handler doing a few DynamoDB
/// calls (Rust, in-region); join (two Chime calls) and scheduled runs get their own.
const LAMBDA_MS_ROUTE: f64 = 50.0;
const LAMBDA_MS_MEETING_JOIN: f64 = 300.0;
/// Assumption: 1 KB of logs per invocation (a JSON line or two; no personal data).
const LOG_BYTES_PER_INVOCATION: f64 = 1024.0;

/// PRODUCT: a 100 % web advisor follows up to 250 seekers.
const SEEKERS_PER_ADVISOR: f64 = 250.0;
const WORKING_DAYS: f64 = 21.0;
const DAYS: f64 = 30.4;

/// One line of usage: how often per seeker per month a measured row happens.
struct Use {
    route: &'static str,
    /// A fragment of the row's case, to pick among a route's rows.
    case: &'static str,
    per_seeker_month: f64,
    why: String,
}

fn usage() -> (Vec<Use>, Vec<(String, String)>) {
    // Levels (PRODUCT): the 100 % web modality serves `guided` and `follow_up`.
    let share_guided = 0.5; // assumption: half and half
    let share_follow_up = 0.5;
    // Contacts (PRODUCT cadence): guided at most 30 days apart → 1 interview a month; follow_up
    // at most 90 days → 0.33 a month, plus requests of their own (assumption: 0.5 in all).
    let interviews = share_guided * 1.0 + share_follow_up * 0.5;
    let convoked = 0.3; // assumption: share of interviews that are mandatory convocations
    let booked = interviews * (1.0 - convoked);
    let convocations = interviews * convoked;
    let video_share = 0.6; // assumption: video 60 %, phone 30 %, in person 10 %
    let video = interviews * video_share;
    let webcam_failures = 0.2; // PRODUCT: about one webcam session in five failed in the pilot
    let per_advisor_day = WORKING_DAYS / SEEKERS_PER_ADVISOR; // per-advisor daily action → per seeker-month
    let messages_each_way = 3.0; // assumption: 6 chat messages a month per seeker
    let sessions = 4.0; // assumption: the seeker opens the app 4 times a month
    let months_followed = 12.0; // assumption: a seeker stays 12 months (registration amortised)
    let in_person = 0.05; // assumption: in-person requests per seeker-month (half accepted)

    let u = |route: &'static str, case: &'static str, n: f64, why: &str| Use {
        route,
        case,
        per_seeker_month: n,
        why: why.to_owned(),
    };
    let uses = vec![
        u("POST /seekers", "", 1.0 / months_followed, "one registration per 12 months followed (assumption)"),
        u("GET /seekers/me", "", sessions, "once per session, 4 sessions a month (assumption)"),
        u("PATCH /seekers/me", "", 0.1, "assumption"),
        u("DELETE /seekers/me", "", 0.1 / months_followed, "10 % of leavers ask for erasure (assumption)"),
        u("GET /seekers/me/export", "", 0.01, "assumption"),
        u("GET /seekers/{seekerId}", "", interviews + 1.0, "advisor opens the file before each interview and once more (assumption)"),
        u("PUT /seekers/{seekerId}/level", "", 0.05, "assumption"),
        u("POST /seekers/{seekerId}/reassign", "", 0.02, "assumption"),
        u("POST /advisors", "", 1.0 / SEEKERS_PER_ADVISOR / 36.0, "one advisor per 250 seekers, replaced every 3 years (assumption)"),
        u("GET /advisors/me/portfolio", "", 10.0 * per_advisor_day, "10 page reads per advisor per working day (assumption)"),
        u("GET /admin/waiting", "", 5.0 / 1000.0, "a manager looks weekly per 1,000 seekers (assumption)"),
        u("GET /admin/advisors", "", 5.0 / 1000.0, "idem"),
        u("GET /admin/seekers/{seekerId}/audit", "", 0.001, "an admin checks a seeker's trail on a complaint or a control (assumption)"),
        u("POST /advisors/me/slots", "series", booked * 1.3 / 26.0, "slots published = booked interviews + 30 % unused, in 26-week series (assumption)"),
        u("POST /advisors/me/slots", "one slot", 0.05, "occasional single slot (assumption)"),
        u("GET /advisors/me/slots", "", 1.0 * per_advisor_day, "once per advisor per working day (assumption)"),
        u("DELETE /advisors/me/slots/{slotId}", "", 0.05, "assumption"),
        u("GET /seekers/me/slots", "", booked * 2.0, "two looks per booking (assumption)"),
        u("POST /interviews", "", booked, &format!("{:.0} % of {interviews:.2} interviews a month are booked by the seeker; levels {share_guided}/{share_follow_up} guided/follow_up; guided ≤ 30 days apart (PRODUCT) → 1/month, follow_up 0.5/month (assumption)", (1.0 - convoked) * 100.0)),
        u("POST /seekers/{seekerId}/convocations", "", convocations, &format!("{:.0} % of interviews are mandatory convocations (assumption)", convoked * 100.0)),
        u("GET /interviews/{interviewId}", "", interviews * 2.0, "seeker looks twice per interview (assumption)"),
        u("GET /seekers/me/interviews", "", sessions / 2.0, "every other session (assumption)"),
        u("GET /advisors/me/agenda", "", 3.0 * per_advisor_day, "3 times per advisor per working day (assumption)"),
        u("POST /interviews/{interviewId}/reschedule", "", interviews * 0.1, "10 % of interviews (assumption)"),
        u("POST /interviews/{interviewId}/cancel", "", interviews * 0.1, "10 % of interviews (assumption)"),
        u("POST /interviews/{interviewId}/channel", "", video * webcam_failures, "1 video session in 5 falls back to phone (PRODUCT, pilot)"),
        u("POST /interviews/{interviewId}/outcome", "", interviews, "one per interview"),
        u("POST /interviews/{interviewId}/extend", "", video * 0.1, "1 video interview in 10 runs over and is extended (assumption)"),
        u("POST /interviews/{interviewId}/acknowledge", "", convocations * 0.5, "half the convocations acknowledged in the app (assumption)"),
        u("GET /links/{token}", "", convocations * 0.5, "the other half from the email link: open"),
        u("POST /links/{token}", "", convocations * 0.5, "… and press"),
        u("POST /seekers/me/in-person-requests", "", in_person, "assumption"),
        u("GET /advisors/me/in-person-requests", "", 1.0 * per_advisor_day, "once per advisor per working day (assumption)"),
        u("POST /in-person-requests/{requestId}/accept", "", in_person * 0.5, "half accepted (assumption)"),
        u("POST /in-person-requests/{requestId}/decline", "", in_person * 0.5, "half declined (assumption)"),
        u("GET /seekers/{seekerId}/journal", "", interviews + 1.0, "read before each interview (PRODUCT) and once more (assumption)"),
        u("POST /interviews/{interviewId}/meeting", "first join", video, &format!("{:.0} % of interviews by video (assumption)", video_share * 100.0)),
        u("POST /interviews/{interviewId}/meeting", "second participant", video * 1.5, "the other participant, plus one rejoin in two (assumption)"),
        u("DELETE /interviews/{interviewId}/meeting", "", video * 0.5, "half ended by the advisor, the rest by the sweeper (assumption)"),
        u("fn meeting-events", "Joined", video * 2.5, "an AttendeeJoined per join"),
        u("fn meeting-events", "Left", video * 2.5, "an AttendeeLeft (or Dropped) per join"),
        u("fn MeetingSweeperFunction", "1 meeting", video * 0.5, "meetings ended by the sweeper (whole run counted, upper bound)"),
        u("fn reminders", "due", interviews * 2.0, "a day-before and an hour-before reminder per interview (whole run counted, upper bound)"),
        u("fn advisor-digest", "08:05", DAYS / SEEKERS_PER_ADVISOR / 2.0, "one run a day (every day), the walked run served 2 advisors: half a run per advisor (upper bound: the 18 region queries are shared by all)"),
        u("ws $connect", "seeker", sessions, "one connection per session"),
        u("ws $connect", "advisor", 4.0 * per_advisor_day, "advisor reconnects every 2 h of a 7 h day (API Gateway's 2-hour limit)"),
        u("ws $disconnect", "", sessions + 4.0 * per_advisor_day, "one per connection"),
        u("ws sendMessage", "seeker → advisor", messages_each_way, "6 chat messages a month, 3 each way (assumption)"),
        u("ws sendMessage", "first of the day", messages_each_way * 0.5, "half the advisor's messages are their first of the day in that conversation"),
        u("ws sendMessage", "later the same day", messages_each_way * 0.2, "assumption"),
        u("ws sendMessage", "offline", messages_each_way * 0.3, "30 % reach an offline seeker: email notice (assumption)"),
        u("ws markRead", "", messages_each_way * 2.0, "one per message received"),
        u("ws typing", "", messages_each_way * 2.0, "one per message sent"),
        u("ws $default", "", 0.1, "malformed frames (assumption)"),
        u("GET /conversations", "", sessions + 5.0 * per_advisor_day, "seeker per session; advisor 5 a day"),
        u("GET /conversations/{seekerId}/messages", "", sessions + messages_each_way, "seeker per session; advisor per conversation opened"),
    ];
    let other = vec![
        ("levels".to_owned(), format!("100 % web: {share_guided} guided, {share_follow_up} follow_up, no reinforced (PRODUCT: the modality serves guided and follow_up; the split is an assumption)")),
        ("interviews".to_owned(), format!("{interviews:.2} per seeker-month (guided 1, follow_up 0.5); PRODUCT's sizing figure is 1 a month")),
        ("video minutes".to_owned(), format!("{:.2} video interviews per seeker-month × 2 attendees × 30 min (80 %) or 5 min before falling back to phone (20 %, PRODUCT)", video)),
        ("chat".to_owned(), format!("{} messages a month; seeker connected {sessions} × 20 min; advisor 7 h per working day", messages_each_way * 2.0)),
    ];
    (uses, other)
}

fn find<'a>(rows: &'a [Row], route: &str, case: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.route == route && r.case.contains(case))
        .unwrap_or_else(|| panic!("cost model: no row {route} / {case}"))
}

fn print_cost_model(rows: &[Row], dispatch: Units, export_bytes: usize) {
    let (uses, notes) = usage();
    let seekers = 1000.0;
    let mut ddb = Units::default();
    let mut emails = 0.0;
    let mut http_requests = 0.0;
    let mut ws_frames_in = 0.0;
    let mut ws_frames_out = 0.0;
    let mut invocations = 0.0;
    let mut gb_s = 0.0;
    let mut video_interviews = 0.0;
    println!("### Usage per seeker per month (assumptions)");
    println!();
    println!("| route | case | per seeker-month | source |");
    println!("|---|---|---:|---|");
    for use_ in &uses {
        let row = find(rows, use_.route, use_.case);
        let n = use_.per_seeker_month;
        println!("| `{}` | {} | {:.3} | {} |", row.route, row.case.split(": {").next().unwrap_or(""), n, use_.why);
        ddb.add(Units::of(&row.calls).scaled(n));
        emails += row.emails as f64 * n;
        let ms = if row.route.ends_with("/meeting") && row.route.starts_with("POST") {
            LAMBDA_MS_MEETING_JOIN
        } else {
            LAMBDA_MS_ROUTE
        };
        invocations += n;
        gb_s += n * LAMBDA_GB * ms / 1000.0;
        if row.route.starts_with("ws ") {
            if row.route == "ws sendMessage" {
                ws_frames_in += n;
                ws_frames_out += n * 3.0; // ack + the message pushed to both participants
            } else if row.route == "ws markRead" {
                ws_frames_in += n;
                ws_frames_out += n * 2.0;
            } else if row.route == "ws typing" || row.route == "ws $default" {
                ws_frames_in += n;
                ws_frames_out += n;
            }
        } else if !row.route.starts_with("fn ") {
            http_requests += n;
        }
        if row.route == "POST /interviews/{interviewId}/meeting" && row.case.contains("first join") {
            video_interviews += n;
        }
    }
    // email-dispatch: one invocation per email (upper bound: the stream batches up to 25).
    ddb.add(dispatch.scaled(emails));
    invocations += emails;
    gb_s += emails * LAMBDA_GB * LAMBDA_MS_ROUTE / 1000.0;
    println!();
    for (what, note) in &notes {
        println!("- {what}: {note}");
    }
    println!("- email-dispatch: {emails:.2} emails per seeker-month from the rows above (their outbox writes), each dispatched with the mean capacity above, one invocation each");
    println!();

    // Storage: the walked seeker's export (every item held about them, as JSON) after a walk
    // that is about a month of activity, kept 24 months (chat retention 730 days), ×2 for keys,
    // GSI copies and the attribute names the JSON leaves out (assumption).
    let storage_gb_per_seeker = export_bytes as f64 * 24.0 * 2.0 / 1e9;
    let chime_minutes = video_interviews * 2.0 * (0.8 * 30.0 + 0.2 * 5.0);
    let per_advisor_day = WORKING_DAYS / SEEKERS_PER_ADVISOR;
    let connection_minutes = 4.0 * 20.0 + 7.0 * 60.0 * per_advisor_day;
    let m = seekers / 1e6;
    let lines: Vec<(&str, f64, String)> = vec![
        (
            "DynamoDB writes",
            ddb.billed_wru() * m * price::DDB_PER_M_WRU,
            format!("{:.0} WRU per seeker-month (of which {:.0} on GSIs, {:.0} for condition checks)", ddb.billed_wru(), ddb.gsi_wru, 2.0 * ddb.checks),
        ),
        ("DynamoDB reads", ddb.billed_rru() * m * price::DDB_PER_M_RRU, format!("{:.0} RRU per seeker-month", ddb.billed_rru())),
        (
            "DynamoDB storage + PITR",
            storage_gb_per_seeker * seekers * (price::DDB_STORAGE_GB_MONTH + price::DDB_PITR_GB_MONTH),
            format!(
                "{:.1} MB per seeker, upper bound: the walked seeker's export ({export_bytes} B, more than a month of \
                 activity) × 24 months kept × 2 for keys, GSI copies and attribute names",
                storage_gb_per_seeker * 1000.0
            ),
        ),
        (
            "Lambda (arm64, 256 MB)",
            invocations * m * price::LAMBDA_PER_M_REQUESTS + gb_s * seekers * price::LAMBDA_ARM_GB_S,
            format!("{invocations:.0} invocations, {gb_s:.2} GB-s per seeker-month ({LAMBDA_MS_ROUTE} ms each, joins {LAMBDA_MS_MEETING_JOIN} ms)"),
        ),
        ("CloudWatch Logs", invocations * seekers * LOG_BYTES_PER_INVOCATION / 1e9 * price::LOGS_INGEST_PER_GB, "1 KB per invocation".into()),
        ("API Gateway HTTP API", http_requests * m * price::HTTP_API_PER_M, format!("{http_requests:.1} requests per seeker-month")),
        (
            "API Gateway WebSocket",
            (ws_frames_in + ws_frames_out) * m * price::WS_PER_M_MESSAGES + connection_minutes * m * price::WS_PER_M_CONNECTION_MINUTES,
            format!("{:.0} messages, {connection_minutes:.0} connection minutes per seeker-month", ws_frames_in + ws_frames_out),
        ),
        ("SES", emails * seekers / 1000.0 * price::SES_PER_1000, format!("{emails:.2} emails per seeker-month")),
        (
            "Chime SDK meetings",
            chime_minutes * seekers * price::CHIME_PER_ATTENDEE_MINUTE,
            format!("{chime_minutes:.1} attendee-minutes per seeker-month"),
        ),
        ("Cognito (Lite)", seekers * 1.004 * price::COGNITO_PER_MAU, "every seeker and their advisors active monthly, beyond the free 10,000 MAU".into()),
    ];
    let total: f64 = lines.iter().map(|l| l.1).sum();
    println!("### Monthly cost per 1,000 seekers ({})", price::REGION);
    println!();
    println!("| service | USD / month | from |");
    println!("|---|---:|---|");
    for (service, usd, from) in &lines {
        println!("| {service} | {usd:.2} | {from} |");
    }
    println!("| **total** | **{total:.2}** | |");
    println!("| of which without Chime and Cognito | {:.2} | |", total - lines[8].1 - lines[9].1);
    println!();
    // Fixed, whatever the number of seekers: the empty scheduled runs.
    let reminders = Units::of(&find(rows, "fn reminders", "nothing due").calls).scaled(96.0 * DAYS);
    let sweeper = Units::of(&find(rows, "fn MeetingSweeperFunction", "nothing to end").calls).scaled(288.0 * DAYS);
    let mut fixed = reminders;
    fixed.add(sweeper);
    let fixed_invocations = (96.0 + 288.0 + 2.0) * DAYS;
    let fixed_usd = fixed.billed_rru() / 1e6 * price::DDB_PER_M_RRU
        + fixed.billed_wru() / 1e6 * price::DDB_PER_M_WRU
        + fixed_invocations / 1e6 * price::LAMBDA_PER_M_REQUESTS
        + fixed_invocations * LAMBDA_GB * 0.1 * price::LAMBDA_ARM_GB_S;
    println!(
        "Fixed, for the whole deployment whatever its size: the empty scheduled runs (reminders 96 a day, sweeper \
         288 a day, the digest's second daily firing), {:.0} RRU, {:.0} WRU and {fixed_invocations:.0} invocations \
         (100 ms) a month: {fixed_usd:.2} USD a month.",
        fixed.billed_rru(),
        fixed.billed_wru()
    );
    println!();
    println!(
        "Prices used (USD, {}; list prices remembered, NOT verified offline — check them in the AWS Pricing Calculator): \
         DynamoDB on demand {} per million WRU, {} per million RRU, storage {} and PITR {} per GB-month; Lambda arm64 \
         {} per GB-s and {} per million requests; HTTP API {} per million; WebSocket {} per million messages and {} per \
         million connection minutes; SES {} per 1,000 emails; Chime SDK {} per attendee-minute; CloudWatch Logs {} per \
         GB ingested; Cognito Lite {} per MAU. Free tiers ignored. Not counted: KMS requests for the AWS-managed \
         table key, SQS, CloudWatch alarms and metrics, data transfer out, the stream reads (free for Lambda \
         triggers).",
        price::REGION,
        price::DDB_PER_M_WRU,
        price::DDB_PER_M_RRU,
        price::DDB_STORAGE_GB_MONTH,
        price::DDB_PITR_GB_MONTH,
        price::LAMBDA_ARM_GB_S,
        price::LAMBDA_PER_M_REQUESTS,
        price::HTTP_API_PER_M,
        price::WS_PER_M_MESSAGES,
        price::WS_PER_M_CONNECTION_MINUTES,
        price::SES_PER_1000,
        price::CHIME_PER_ATTENDEE_MINUTE,
        price::LOGS_INGEST_PER_GB,
        price::COGNITO_PER_MAU,
    );
}
