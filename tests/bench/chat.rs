//! Chat relay benchmark through the local gateway: `CLIENTS` WebSocket clients
//! (advisor/seeker pairs, one connection each) send `MESSAGES` messages each,
//! all at once, each waiting for its ack before the next (the protocol's order
//! guarantee). Reports messages stored per second, deliveries per second, and
//! the delivery latency (send to arrival at the other participant) and ack
//! latency percentiles.
//!
//! Run it with `infra/local/bench-chat.sh` (which starts a stack with a rate
//! limit high enough), or against a running stack:
//! `GATEWAY_URL=… WS_URL=… cargo run --release -p integration-tests --bin chat-bench`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use integration_tests::{regions, Api, Person};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct ClientRun {
    /// Microseconds from send to arrival, for each message received from the other participant.
    delivery: Vec<u64>,
    /// Microseconds from send to ack, for each message sent.
    ack: Vec<u64>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

async fn run_client(
    person: Person,
    seeker_id: Option<String>,
    messages: usize,
    base: Arc<Instant>,
    start: Arc<tokio::sync::Barrier>,
) -> anyhow::Result<ClientRun> {
    let ws_url = std::env::var("WS_URL").unwrap_or_else(|_| "ws://127.0.0.1:3001".into());
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{ws_url}/?token={}", person.token)).await?;
    start.wait().await;
    let mut run = ClientRun { delivery: Vec::with_capacity(messages), ack: Vec::with_capacity(messages) };
    let me = person.sub.clone();
    let mut sent = 0;
    let mut waiting_since: Option<u64> = None;
    let timeout = Duration::from_secs(60);
    loop {
        if waiting_since.is_none() && sent < messages {
            let at = base.elapsed().as_micros() as u64;
            let mut frame = json!({
                "action": "sendMessage",
                "clientMessageId": format!("{me}-{sent}"),
                "text": format!("{me} {at}"),
            });
            if let Some(id) = &seeker_id {
                frame["seekerId"] = json!(id);
            }
            ws.send(Message::text(frame.to_string())).await?;
            waiting_since = Some(at);
            sent += 1;
        }
        if sent == messages && waiting_since.is_none() && run.delivery.len() == messages {
            break;
        }
        let frame = match tokio::time::timeout(timeout, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<Value>(text.as_str())?,
            Ok(Some(Ok(_))) => continue,
            other => anyhow::bail!("connection ended or stalled: {other:?}"),
        };
        let now = base.elapsed().as_micros() as u64;
        match frame["type"].as_str() {
            Some("ack") => {
                if let Some(at) = waiting_since.take() {
                    run.ack.push(now - at);
                }
            }
            Some("message") => {
                let text = frame["message"]["text"].as_str().unwrap_or_default();
                let (author, at) = text.rsplit_once(' ').unwrap_or_default();
                if author != me {
                    if let Ok(at) = at.parse::<u64>() {
                        run.delivery.push(now.saturating_sub(at));
                    }
                }
            }
            Some("error") => anyhow::bail!("error frame: {frame}"),
            _ => {}
        }
    }
    let _ = ws.close(None).await;
    Ok(run)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let clients = env_usize("CLIENTS", 50).max(2) / 2 * 2;
    let messages = env_usize("MESSAGES", 40);
    let api = Api::new();
    let admin = api.admin().await;
    println!("setting up {} conversations…", clients / 2);
    let mut pairs = Vec::new();
    for _ in 0..clients / 2 {
        let (advisor, advisor_id) = api.create_advisor(&admin, regions::SHARED, "web", None).await;
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, regions::SHARED).await;
        // Messages carry the sender's sub to tell own messages from the other's.
        pairs.push((advisor, seeker, seeker_id));
    }
    let base = Arc::new(Instant::now());
    let start = Arc::new(tokio::sync::Barrier::new(clients + 1));
    let mut tasks = Vec::new();
    for (advisor, seeker, seeker_id) in pairs {
        tasks.push(tokio::spawn(run_client(seeker, None, messages, base.clone(), start.clone())));
        tasks.push(tokio::spawn(run_client(advisor, Some(seeker_id), messages, base.clone(), start.clone())));
    }
    start.wait().await;
    let began = Instant::now();
    let mut delivery = Vec::new();
    let mut ack = Vec::new();
    for task in tasks {
        let run = task.await??;
        delivery.extend(run.delivery);
        ack.extend(run.ack);
    }
    let elapsed = began.elapsed().as_secs_f64();
    delivery.sort_unstable();
    ack.sort_unstable();
    let stored = clients * messages;
    println!(
        "clients: {clients} connected ({} conversations), {messages} messages each, one in flight per client",
        clients / 2
    );
    println!(
        "messages stored and relayed: {stored} in {elapsed:.1} s = {:.1} messages/s ({:.1} pushes/s: each message goes to both participants)",
        stored as f64 / elapsed,
        2.0 * stored as f64 / elapsed
    );
    println!(
        "delivery latency (send -> other participant): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        percentile(&delivery, 50.0),
        percentile(&delivery, 99.0),
        percentile(&delivery, 100.0),
        delivery.len()
    );
    println!("ack latency (send -> ack): p50 {:.1} ms, p99 {:.1} ms", percentile(&ack, 50.0), percentile(&ack, 99.0));
    Ok(())
}
