//! A WebSocket client of the chat API, as the front end holds one per device.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::api::{unique, Person};

pub fn ws_url() -> String {
    std::env::var("WS_URL").unwrap_or_else(|_| "ws://127.0.0.1:3101".into())
}

/// How long a client waits for a frame it expects.
pub const WAIT: Duration = Duration::from_secs(20);

/// A WebSocket client, as the front end would hold one per device.
pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames read while waiting for another one.
    pending: VecDeque<Value>,
}

impl Ws {
    pub async fn try_connect(query: &str) -> Result<Ws, StatusCode> {
        Ws::try_connect_at(&ws_url(), query).await
    }

    /// [`Ws::try_connect`] to the gateway at `url` (a private one).
    pub async fn try_connect_at(url: &str, query: &str) -> Result<Ws, StatusCode> {
        match tokio_tungstenite::connect_async(format!("{url}/?{query}")).await {
            Ok((stream, _)) => Ok(Ws { stream, pending: VecDeque::new() }),
            Err(tungstenite::Error::Http(response)) => Err(response.status()),
            Err(other) => panic!("gateway unreachable: {other}"),
        }
    }

    pub async fn connect(person: &Person) -> Ws {
        match Ws::try_connect(&format!("token={}", person.token)).await {
            Ok(ws) => ws,
            Err(status) => panic!("connection refused with {status}"),
        }
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_raw(&frame.to_string()).await;
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("frame sent");
    }

    /// The next frame from the server, or `None` when nothing comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        if let Some(frame) = self.pending.pop_front() {
            return Some(frame);
        }
        loop {
            match tokio::time::timeout(wait, self.stream.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Some(serde_json::from_str(text.as_str()).expect("frames are JSON"))
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("unexpected WebSocket event: {other:?}"),
            }
        }
    }

    pub async fn next(&mut self) -> Value {
        self.next_within(WAIT).await.expect("a frame within the wait")
    }

    /// Waits for the answer to `cmid` (its ack or its error frame), keeping the other frames.
    pub async fn answer_to(&mut self, cmid: &str) -> Value {
        let mut kept = Vec::new();
        loop {
            let frame = match self.pending.pop_front() {
                Some(frame) => frame,
                None => match tokio::time::timeout(WAIT, self.stream.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str(text.as_str()).expect("JSON"),
                    Ok(Some(Ok(_))) => continue,
                    other => panic!("no answer to {cmid}: {other:?}"),
                },
            };
            let is_answer =
                matches!(frame["type"].as_str(), Some("ack") | Some("error")) && frame["clientMessageId"] == cmid;
            if is_answer {
                // Put back what came before, in order.
                for f in kept.into_iter().rev() {
                    self.pending.push_front(f);
                }
                return frame;
            }
            kept.push(frame);
        }
    }

    pub async fn send_message(&mut self, seeker_id: Option<&str>, cmid: &str, text: &str) -> Value {
        let mut frame = json!({"action": "sendMessage", "clientMessageId": cmid, "text": text});
        if let Some(id) = seeker_id {
            frame["seekerId"] = json!(id);
        }
        self.send(frame).await;
        self.answer_to(cmid).await
    }

    /// Sends and expects an ack; returns the stored message.
    pub async fn say(&mut self, seeker_id: Option<&str>, text: &str) -> Value {
        let cmid = unique("c");
        let answer = self.send_message(seeker_id, &cmid, text).await;
        assert_eq!(answer["type"], "ack", "ack expected: {answer}");
        answer["message"].clone()
    }

    /// The next `count` frames of `kind`, skipping the others.
    pub async fn frames_of(&mut self, kind: &str, count: usize) -> Vec<Value> {
        let mut found = Vec::new();
        while found.len() < count {
            let frame = self.next().await;
            if frame["type"] == kind {
                found.push(frame);
            }
        }
        found
    }

    /// The next frame of `kind` for which `wanted` holds, skipping the others.
    pub async fn next_matching(&mut self, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind && wanted(&frame) {
                return frame;
            }
        }
    }

    /// Every frame of `kind` up to and including the message whose text is `sentinel`.
    pub async fn until_sentinel(&mut self, kind: &str, sentinel: &str) -> Vec<Value> {
        let mut found = Vec::new();
        loop {
            let frame = self.next().await;
            if frame["type"] == "message" && frame["message"]["text"] == sentinel {
                return found;
            }
            if frame["type"] == kind {
                found.push(frame);
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
