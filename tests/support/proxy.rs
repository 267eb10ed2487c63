//! A stand-in for a DynamoDB that stops answering writes: an HTTP proxy in front of the shared
//! DynamoDB Local that forwards every call, except that while it holds, a `TransactWriteItems`
//! is kept waiting and never forwarded (the client gives up first). Reads still answer, so a
//! route gets as far as its commit; nothing it tried to commit reaches the table. And
//! [`silent_endpoint`], a service that accepts connections and never answers at all.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::Router;

struct Shared {
    upstream: String,
    http: reqwest::Client,
    holding: AtomicBool,
    held: AtomicUsize,
}

/// The proxy; it serves until the test's runtime ends.
#[derive(Clone)]
pub struct DynamoDbProxy {
    shared: Arc<Shared>,
    pub address: SocketAddr,
}

impl DynamoDbProxy {
    /// A proxy to the DynamoDB the tests use (`AWS_ENDPOINT_URL_DYNAMODB`), forwarding everything.
    pub async fn start() -> DynamoDbProxy {
        let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("AWS_ENDPOINT_URL_DYNAMODB is set");
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::new(),
            holding: AtomicBool::new(false),
            held: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port for the proxy");
        let address = listener.local_addr().expect("its address");
        let app = Router::new().fallback(forward).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        DynamoDbProxy { shared, address }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// From now on, transactions wait forever (`true`) or go through again (`false`).
    pub fn hold_transactions(&self, holding: bool) {
        self.shared.holding.store(holding, Ordering::SeqCst);
    }

    /// How many transactions were held back so far.
    pub fn held(&self) -> usize {
        self.shared.held.load(Ordering::SeqCst)
    }
}

async fn forward(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if shared.holding.load(Ordering::SeqCst) && target.ends_with(".TransactWriteItems") {
        shared.held.fetch_add(1, Ordering::SeqCst);
        // Dropped, never sent on, when the client closes the connection.
        std::future::pending::<()>().await;
    }
    let mut request = shared.http.post(&shared.upstream).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let failed = |_| Response::builder().status(StatusCode::BAD_GATEWAY).body(Body::empty()).unwrap_or_default();
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => return failed(error),
    };
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response = response.header(name.as_str(), value.as_bytes());
        }
    }
    match answer.bytes().await {
        Ok(bytes) => response.body(Body::from(bytes)).unwrap_or_default(),
        Err(error) => failed(error),
    }
}

/// An endpoint that accepts connections and never answers: a service (SNS, DynamoDB) that hangs.
/// It serves until the test's runtime ends.
pub async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port for the silent endpoint");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{address}")
}
