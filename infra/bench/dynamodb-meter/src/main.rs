//! `dynamodb-meter`: a metering proxy between the local stack and DynamoDB Local, for
//! `make bench-costs`' per-route capacity figures (infra/bench-costs.sh, tests/bin/route-costs.rs).
//! Never part of `make test`. Its own crate: it links no function crate, so it builds in seconds.
//!
//!   METER_PORT=8502 METER_UPSTREAM=http://127.0.0.1:8500 dynamodb-meter
//!
//! Every request is forwarded unchanged, except that the DynamoDB operations which accept it
//! get `"ReturnConsumedCapacity": "INDEXES"` (DynamoDB Local 3.3.1 answers it for every one of
//! them and checks no SigV4 signature, so the re-written body is accepted as is; the response
//! is passed back untouched: the SDK simply parses a `ConsumedCapacity` nobody asked for).
//! Each DynamoDB (not DynamoDB Streams) request is recorded: operation, index, number of
//! transaction items, condition checks, outbox puts, and the consumed capacity of the table
//! and of each GSI.
//!
//! Control routes:
//! - `GET /_meter`: `{"records": [...]}` since the last reset;
//! - `POST /_meter/reset`: forget the records;
//! - `POST /_meter/streams/hold`: DynamoDB Streams requests (the gateway's stream poller) wait
//!   until `POST /_meter/streams/release`; answers once no Streams request is in flight, so the
//!   stream consumers (email-dispatch) cannot run while a route is measured.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use tokio::sync::watch;

/// Operations that take `ReturnConsumedCapacity`.
const METERED: [&str; 13] = [
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
];
const READS: [&str; 5] = ["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"];

struct Meter {
    upstream: String,
    http: reqwest::Client,
    records: Mutex<Vec<Value>>,
    /// `true` while Streams requests must wait.
    hold: watch::Sender<bool>,
    streams_in_flight: AtomicUsize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let port: u16 = std::env::var("METER_PORT").unwrap_or_else(|_| "8502".into()).parse().context("METER_PORT")?;
    let upstream = std::env::var("METER_UPSTREAM").context("METER_UPSTREAM (DynamoDB Local's URL) is not set")?;
    let meter = Arc::new(Meter {
        upstream: upstream.trim_end_matches('/').to_owned(),
        http: reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?,
        records: Mutex::new(Vec::new()),
        hold: watch::channel(false).0,
        streams_in_flight: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/_meter", get(list))
        .route("/_meter/reset", post(reset))
        .route("/_meter/streams/hold", post(hold))
        .route("/_meter/streams/release", post(release))
        .fallback(proxy)
        .with_state(meter);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    println!("DynamoDB meter on http://{address} -> {upstream}");
    axum::serve(listener, app).await?;
    Ok(())
}

async fn list(State(meter): State<Arc<Meter>>) -> Json<Value> {
    let records = meter.records.lock().expect("records").clone();
    Json(json!({"records": records}))
}

async fn reset(State(meter): State<Arc<Meter>>) -> StatusCode {
    meter.records.lock().expect("records").clear();
    StatusCode::NO_CONTENT
}

async fn hold(State(meter): State<Arc<Meter>>) -> StatusCode {
    meter.hold.send_replace(true);
    // A Streams request already forwarded could still read records written from now on.
    while meter.streams_in_flight.load(Ordering::SeqCst) > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    StatusCode::NO_CONTENT
}

async fn release(State(meter): State<Arc<Meter>>) -> StatusCode {
    meter.hold.send_replace(false);
    StatusCode::NO_CONTENT
}

struct InFlight<'a>(&'a AtomicUsize);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn proxy(State(meter): State<Arc<Meter>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let operation = target.strip_prefix("DynamoDB_20120810.").map(str::to_owned);
    let _in_flight = if target.starts_with("DynamoDBStreams_") {
        let mut hold = meter.hold.subscribe();
        loop {
            // Counted before the check, so `hold` never misses a request that passes it.
            meter.streams_in_flight.fetch_add(1, Ordering::SeqCst);
            if !*hold.borrow_and_update() {
                break;
            }
            meter.streams_in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = hold.changed().await;
        }
        Some(InFlight(&meter.streams_in_flight))
    } else {
        None
    };

    let mut request_json: Option<Value> = None;
    let mut body = body;
    if operation.as_deref().is_some_and(|op| METERED.contains(&op)) {
        if let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(&body) {
            object.insert("ReturnConsumedCapacity".into(), json!("INDEXES"));
            let value = Value::Object(object);
            body = Bytes::from(value.to_string());
            request_json = Some(value);
        }
    }

    let url = format!("{}{}", meter.upstream, uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
    let mut forward = meter.http.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            forward = forward.header(name, value);
        }
    }
    let response = match forward.send().await {
        Ok(response) => response,
        Err(error) => {
            return (StatusCode::BAD_GATEWAY, format!("meter: upstream unreachable: {error}")).into_response()
        }
    };
    let status = response.status();
    let response_headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap_or_default();

    if let (Some(op), Some(request)) = (operation, request_json) {
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let record = record(&op, &request, &answer, status.as_u16());
        meter.records.lock().expect("records").push(record);
    }

    let mut out = Response::builder().status(status.as_u16());
    for (name, value) in &response_headers {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            out = out.header(name.as_str(), value.as_bytes());
        }
    }
    out.body(Body::from(bytes)).unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

fn starts_with_outbox(item: &Value) -> bool {
    item.pointer("/sk/S").and_then(Value::as_str).is_some_and(|sk| sk.starts_with("OUTBOX"))
}

/// One recorded call: what it was and what it consumed.
fn record(op: &str, request: &Value, answer: &Value, status: u16) -> Value {
    let mut table_units = 0.0;
    let mut total_units = 0.0;
    let mut gsi_units: Map<String, Value> = Map::new();
    let capacities: Vec<&Value> = match &answer["ConsumedCapacity"] {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&answer["ConsumedCapacity"]],
        _ => vec![],
    };
    for capacity in capacities {
        total_units += capacity["CapacityUnits"].as_f64().unwrap_or(0.0);
        table_units += capacity["Table"]["CapacityUnits"].as_f64().unwrap_or(0.0);
        if let Some(indexes) = capacity["GlobalSecondaryIndexes"].as_object() {
            for (name, units) in indexes {
                let previous = gsi_units.get(name).and_then(Value::as_f64).unwrap_or(0.0);
                gsi_units.insert(name.clone(), json!(previous + units["CapacityUnits"].as_f64().unwrap_or(0.0)));
            }
        }
    }
    let items: Vec<&Value> = match op {
        "TransactWriteItems" | "TransactGetItems" => {
            request["TransactItems"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
        }
        "BatchWriteItem" => request["RequestItems"]
            .as_object()
            .map(|tables| tables.values().filter_map(Value::as_array).flatten().collect())
            .unwrap_or_default(),
        "BatchGetItem" => request["RequestItems"]
            .as_object()
            .map(|tables| tables.values().filter_map(|t| t["Keys"].as_array()).flatten().collect())
            .unwrap_or_default(),
        _ => vec![],
    };
    let condition_checks = items.iter().filter(|i| i.get("ConditionCheck").is_some()).count();
    let outbox_puts = if status == 200 {
        match op {
            "PutItem" => usize::from(starts_with_outbox(&request["Item"])),
            "TransactWriteItems" | "BatchWriteItem" => items
                .iter()
                .filter(|i| {
                    i.pointer("/Put/Item").or_else(|| i.pointer("/PutRequest/Item")).is_some_and(starts_with_outbox)
                })
                .count(),
            _ => 0,
        }
    } else {
        0
    };
    let read = READS.contains(&op);
    json!({
        "op": op,
        "index": request["IndexName"].as_str(),
        "items": items.len(),
        "conditionChecks": condition_checks,
        "outboxPuts": outbox_puts,
        "status": status,
        "error": if status == 200 { Value::Null } else { answer["__type"].clone() },
        "read": read,
        "consistent": request["ConsistentRead"].as_bool().unwrap_or(false),
        "units": total_units,
        "tableUnits": table_units,
        "gsiUnits": gsi_units,
        "returned": answer["Count"].as_u64().or_else(|| answer["Items"].as_array().map(|a| a.len() as u64)),
    })
}
