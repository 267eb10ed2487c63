//! `make bench` load run: virtual users mixing registration, booking, chat and portfolio reads
//! through the local gateway for a fixed time; prints throughput, p50 / p99 and errors per kind.
//!
//!   load [VIRTUAL_USERS] [SECONDS]     defaults 200 and 60; GATEWAY_URL and WS_URL as for the tests
//!
//! Set-up (not timed): advisors in region 11 with weekly slots. Each virtual user then loops:
//! register a new seeker (sign-in, POST /seekers), book one of their advisor's free slots
//! (GET /seekers/me/slots, POST /interviews), open the chat as that seeker (WebSocket `$connect`
//! with the token) and send their advisor a message (`sendMessage` until its `ack`), and read an
//! advisor's portfolio (GET /advisors/me/portfolio). A 409 (slot taken by another user
//! meanwhile, portfolio full) is the product refusing cleanly and is counted apart; any other
//! non-2xx, error frame, missing ack or transport error is an error.
//! Timings belong here, not in the tests.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use integration_tests::{paris_at, registration_body, rfc3339, unique, Api, Person};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

const ADVISORS: usize = 20;

#[derive(Default)]
struct Stats {
    latencies_ms: BTreeMap<&'static str, Vec<f64>>,
    ok: BTreeMap<&'static str, u64>,
    refused: BTreeMap<&'static str, u64>,
    errors: BTreeMap<&'static str, u64>,
}

async fn timed(
    api: &Api,
    stats: &Mutex<Stats>,
    kind: &'static str,
    method: Method,
    path: &str,
    who: &Person,
    body: Option<Value>,
) -> Option<Value> {
    let started = Instant::now();
    let mut request = api.http.request(method, format!("{}{path}", api.base)).bearer_auth(&who.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let result = request.send().await;
    let (status, value) = match result {
        Ok(response) => {
            let status = response.status();
            (Some(status), response.json::<Value>().await.ok())
        }
        Err(_) => (None, None),
    };
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let mut stats = stats.lock().await;
    stats.latencies_ms.entry(kind).or_default().push(elapsed);
    match status {
        Some(s) if s.is_success() => {
            *stats.ok.entry(kind).or_default() += 1;
            value
        }
        Some(StatusCode::CONFLICT) => {
            *stats.refused.entry(kind).or_default() += 1;
            None
        }
        _ => {
            *stats.errors.entry(kind).or_default() += 1;
            None
        }
    }
}

impl Stats {
    fn record(&mut self, kind: &'static str, started: Instant, ok: bool) {
        self.latencies_ms.entry(kind).or_default().push(started.elapsed().as_secs_f64() * 1000.0);
        *if ok { &mut self.ok } else { &mut self.errors }.entry(kind).or_default() += 1;
    }
}

/// One chat exchange as the seeker's browser does it: connect with the token, send one message
/// to the advisor, wait for its acknowledgement, close. Timed as "chat connect" (the `$connect`
/// handshake) and "chat message" (frame sent to `ack` received).
async fn chat(ws_url: &str, stats: &Mutex<Stats>, seeker: &Person, round: usize) {
    const ACK_TIMEOUT: Duration = Duration::from_secs(30);
    let started = Instant::now();
    let connected = tokio::time::timeout(
        ACK_TIMEOUT,
        tokio_tungstenite::connect_async(format!("{ws_url}/?token={}", seeker.token)),
    )
    .await;
    let Ok(Ok((mut ws, _))) = connected else {
        stats.lock().await.record("chat connect", started, false);
        return;
    };
    stats.lock().await.record("chat connect", started, true);

    let client_message_id = format!("load-{round}");
    let frame = json!({"action": "sendMessage", "clientMessageId": client_message_id, "text": "Bonjour, une question sur mon rendez-vous."});
    let started = Instant::now();
    let acknowledged = async {
        ws.send(Message::text(frame.to_string())).await.ok()?;
        loop {
            let Message::Text(text) = ws.next().await?.ok()? else { continue };
            let frame: Value = serde_json::from_str(text.as_str()).ok()?;
            match frame["type"].as_str() {
                Some("ack") => return Some(frame["clientMessageId"] == client_message_id.as_str()),
                Some("error") => return Some(false),
                _ => {} // its own message pushed back, typing, ...
            }
        }
    };
    let ok = matches!(tokio::time::timeout(ACK_TIMEOUT, acknowledged).await, Ok(Some(true)));
    stats.lock().await.record("chat message", started, ok);
    let _ = ws.close(None).await;
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let users: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(60);
    let api = Api {
        base: integration_tests::gateway_url(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(users)
            .build()
            .expect("http client"),
    };

    eprintln!("set-up: {ADVISORS} advisors in region 11, 26 weekly slots x 10 per advisor");
    let admin = api.admin().await;
    let mut advisors = Vec::new();
    for _ in 0..ADVISORS {
        let (advisor, _) = api.create_advisor(&admin, "11", "web", Some(250)).await;
        for i in 0..10 {
            let start = paris_at(1 + i / 5, 8 + 2 * (i as u32 % 5), 0);
            let (status, body) = api
                .post(
                    "/advisors/me/slots",
                    &advisor,
                    json!({"start": rfc3339(start), "durationMinutes": 30, "channels": ["phone", "video"], "repeatWeeks": 26}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "slots: {body}");
        }
        advisors.push(advisor);
    }
    let advisors = Arc::new(advisors);
    let ws_url = Arc::new(std::env::var("WS_URL").unwrap_or_else(|_| "ws://127.0.0.1:3001".into()));

    eprintln!("load: {users} virtual users for {seconds} s against {}", api.base);
    let stats = Arc::new(Mutex::new(Stats::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..users)
        .map(|user| {
            let (api, stats, advisors, ws_url) = (api.clone(), stats.clone(), advisors.clone(), ws_url.clone());
            tokio::spawn(async move {
                let mut round = 0usize;
                while Instant::now() < deadline {
                    round += 1;
                    let seeker = api.sign_in(&unique("load"), &[]).await;
                    timed(
                        &api,
                        &stats,
                        "register",
                        Method::POST,
                        "/seekers",
                        &seeker,
                        Some(registration_body(&seeker.sub, "11")),
                    )
                    .await;
                    if Instant::now() >= deadline {
                        break;
                    }
                    let slots =
                        timed(&api, &stats, "list slots", Method::GET, "/seekers/me/slots", &seeker, None).await;
                    let free: Vec<String> = slots
                        .as_ref()
                        .and_then(|s| s["items"].as_array())
                        .map(|items| items.iter().filter_map(|s| s["slotId"].as_str().map(str::to_owned)).collect())
                        .unwrap_or_default();
                    if let Some(slot_id) = free.get((user * 7 + round) % free.len().max(1)) {
                        timed(
                            &api,
                            &stats,
                            "book",
                            Method::POST,
                            "/interviews",
                            &seeker,
                            Some(json!({"slotId": slot_id, "channel": "phone"})),
                        )
                        .await;
                    }
                    if Instant::now() >= deadline {
                        break;
                    }
                    chat(&ws_url, &stats, &seeker, round).await;
                    if Instant::now() >= deadline {
                        break;
                    }
                    let advisor = &advisors[(user + round) % advisors.len()];
                    timed(&api, &stats, "portfolio", Method::GET, "/advisors/me/portfolio?limit=50", advisor, None)
                        .await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let wall = started.elapsed().as_secs_f64();

    let mut guard = stats.lock().await;
    let stats = &mut *guard;
    let mut all: Vec<f64> = Vec::new();
    println!("| request | answered | 2xx | 409 | errors | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let kinds: Vec<&'static str> = stats.latencies_ms.keys().copied().collect();
    for kind in kinds {
        let latencies = stats.latencies_ms.get_mut(kind).expect("kind");
        latencies.sort_by(f64::total_cmp);
        all.extend(latencies.iter());
        println!(
            "| {kind} | {} | {} | {} | {} | {:.1} | {:.1} |",
            latencies.len(),
            stats.ok.get(kind).unwrap_or(&0),
            stats.refused.get(kind).unwrap_or(&0),
            stats.errors.get(kind).unwrap_or(&0),
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
        );
    }
    all.sort_by(f64::total_cmp);
    let errors: u64 = stats.errors.values().sum();
    println!(
        "| all | {} | {} | {} | {errors} | {:.1} | {:.1} |",
        all.len(),
        stats.ok.values().sum::<u64>(),
        stats.refused.values().sum::<u64>(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    );
    println!();
    println!(
        "{users} virtual users, {wall:.1} s: {:.1} requests/s answered (sign-ins to the local token route not counted)",
        all.len() as f64 / wall
    );
}
