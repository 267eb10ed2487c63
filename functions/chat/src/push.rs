//! Pushing frames to live connections through the API Gateway management API
//! (`PostToConnection`), concurrently, pruning the connections API Gateway no
//! longer knows (410 Gone: closed while its `$disconnect` was missed).

use std::collections::HashMap;

use api::ApiError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_types::service_config::ServiceConfigKey;
use aws_types::SdkConfig;
use chrono::{DateTime, Utc};
use futures::future::join_all;
use store::keys;
use store::{Index, Store};

use crate::records::ConnectionRecord;
use crate::views::ServerFrame;

/// The management API client, built once per cold start.
pub struct Pusher {
    client: aws_sdk_apigatewaymanagement::Client,
    /// Set when the standard environment names the endpoint (locally: the gateway's plain-HTTP
    /// management API); otherwise each event's `https://{domainName}/{stage}` is used.
    configured_endpoint: Option<String>,
}

/// What happened to one push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The connection is gone (410): its item was deleted.
    Gone,
    Failed,
}

/// Deliveries per user id.
#[derive(Debug, Default)]
pub struct Report {
    delivered: HashMap<String, usize>,
}

impl Report {
    pub fn delivered_to(&self, user_id: &str) -> usize {
        self.delivered.get(user_id).copied().unwrap_or(0)
    }
}

impl Pusher {
    pub fn new(sdk: &SdkConfig) -> Pusher {
        Pusher { client: aws_sdk_apigatewaymanagement::Client::new(sdk), configured_endpoint: configured_endpoint(sdk) }
    }

    /// The endpoint the pushes of an event go to.
    pub fn endpoint_for(&self, domain_name: Option<&str>, stage: Option<&str>) -> Option<String> {
        if self.configured_endpoint.is_some() {
            return None; // the client already uses it
        }
        match (domain_name, stage) {
            (Some(domain), Some(stage)) => Some(format!("https://{domain}/{stage}")),
            _ => None,
        }
    }

    /// The endpoint pushes go to from a function that has no WebSocket event (the calls'
    /// handler): `url` (the template's management API URL) unless the environment names one.
    pub fn endpoint_or(&self, url: Option<&str>) -> Option<String> {
        match self.configured_endpoint {
            Some(_) => None,
            None => url.map(str::to_owned),
        }
    }

    /// One call's configuration: the event's endpoint if any, and the client's timeouts ended
    /// at the invocation's *answer by* ([`store::deadline`]).
    fn call_config(&self, endpoint: Option<&str>) -> aws_sdk_apigatewaymanagement::config::Builder {
        let mut config = aws_sdk_apigatewaymanagement::config::Builder::default();
        if let Some(url) = endpoint {
            // Only when given: setting none would mask the client's own endpoint.
            config.set_endpoint_url(Some(url.to_owned()));
        }
        config.set_timeout_config(store::deadline::capped_timeouts(self.client.config().timeout_config()));
        config
    }

    async fn post(&self, endpoint: Option<&str>, connection_id: &str, data: Vec<u8>) -> Outcome {
        let call = self.client.post_to_connection().connection_id(connection_id).data(Blob::new(data)).customize();
        match call.config_override(self.call_config(endpoint)).send().await {
            Ok(_) => Outcome::Delivered,
            Err(error) => {
                if error.as_service_error().is_some_and(|e| e.is_gone_exception()) {
                    Outcome::Gone
                } else {
                    tracing::warn!(error = %api::error::error_chain(&error), "push failed");
                    Outcome::Failed
                }
            }
        }
    }
}

impl Pusher {
    /// Says `last` on the connection, then closes it (`DeleteConnection`) and forgets its item:
    /// for a connection whose sign-in has expired, so the client reconnects with a fresh token.
    pub async fn close(&self, store: &Store, endpoint: Option<&str>, connection_id: &str, last: &ServerFrame) {
        let _ = self.post(endpoint, connection_id, last.to_json().into_bytes()).await;
        let call = self.client.delete_connection().connection_id(connection_id).customize();
        match call.config_override(self.call_config(endpoint)).send().await {
            Ok(_) => {}
            Err(error) if error.as_service_error().is_some_and(|e| e.is_gone_exception()) => {}
            Err(error) => tracing::warn!(error = %api::error::error_chain(&error), "could not close a connection"),
        }
        if let Err(error) = forget(store, connection_id).await {
            error.log();
        }
    }
}

/// The endpoint the SDK itself would take from the environment or profile
/// (`AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`, then `AWS_ENDPOINT_URL`), looked up the way
/// the generated client does, so that knowing it never needs an "is local" flag.
fn configured_endpoint(sdk: &SdkConfig) -> Option<String> {
    let key = ServiceConfigKey::builder()
        .service_id("ApiGatewayManagementApi")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    sdk.service_config().and_then(|config| config.load_config(key)).or_else(|| sdk.endpoint_url().map(str::to_owned))
}

/// The live connections of a user (GSI1 `USERCONNS#<userId>`), expired ones left out.
pub async fn connections_of(
    store: &Store,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ConnectionRecord>, ApiError> {
    // A person has a handful of devices: one page is all of them.
    let connections =
        store.query(Index::Gsi1, keys::user_connections_gsi1pk(user_id)).all_of::<ConnectionRecord>().await?;
    Ok(connections.into_iter().filter(|c| c.expires_at > now.timestamp()).collect())
}

/// Deletes a connection item (on `$disconnect`, on a 410, on erasure).
pub async fn forget(store: &Store, connection_id: &str) -> Result<(), ApiError> {
    store.delete(&keys::connection_pk(connection_id), keys::CONNECTION_SK, |d| d).await?;
    Ok(())
}

/// The live connections of several users, looked up at once.
pub async fn live_connections(
    store: &Store,
    users: &[&str],
    now: DateTime<Utc>,
) -> Result<Vec<ConnectionRecord>, ApiError> {
    let lists = join_all(users.iter().map(|u| connections_of(store, u, now))).await;
    let mut targets = Vec::new();
    for list in lists {
        targets.extend(list?);
    }
    Ok(targets)
}

/// How long after `$connect` a connection may still answer 410: its item is written by
/// `$connect`, but the socket opens only once `$connect` has answered, so a push in between
/// finds it "gone". Pruning it then would sign out a client that is just arriving.
const CONNECTING_SECONDS: i64 = 10;

fn settled(connection: &ConnectionRecord) -> bool {
    chrono::Utc::now() - connection.connected_at > chrono::Duration::seconds(CONNECTING_SECONDS)
}

/// Sends `frame` to every connection of `targets` at once; prunes those that are gone
/// (unless they are still connecting).
pub async fn post_all(
    store: &Store,
    pusher: &Pusher,
    endpoint: Option<&str>,
    targets: &[ConnectionRecord],
    frame: &ServerFrame,
) -> Report {
    let data = frame.to_json().into_bytes();
    let outcomes = join_all(targets.iter().map(|c| async {
        let outcome = pusher.post(endpoint, &c.connection_id, data.clone()).await;
        if outcome == Outcome::Gone && settled(c) {
            if let Err(error) = forget(store, &c.connection_id).await {
                error.log();
            } else {
                tracing::info!(connection = %c.connection_id, "gone connection pruned");
            }
        }
        (c.user_id.as_str(), outcome)
    }))
    .await;
    let mut report = Report::default();
    for (user, outcome) in outcomes {
        if outcome == Outcome::Delivered {
            *report.delivered.entry(user.to_owned()).or_default() += 1;
        }
    }
    report
}

/// Sends `frame` to every live connection of `users`, all at once.
pub async fn fan_out(
    store: &Store,
    pusher: &Pusher,
    endpoint: Option<&str>,
    users: &[&str],
    frame: &ServerFrame,
    now: DateTime<Utc>,
) -> Result<Report, ApiError> {
    let targets = live_connections(store, users, now).await?;
    Ok(post_all(store, pusher, endpoint, &targets, frame).await)
}
