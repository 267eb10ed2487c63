//! The SMS moto (the local SNS) recorded, as the gateway's `/_local/sms` lists them.

use std::time::Duration;

use serde_json::Value;

use crate::api::Api;
use crate::wait::poll_until;

impl Api {
    /// The texts of the SMS published to `number` (E.164), oldest first.
    pub async fn sms_to(&self, number: &str) -> Vec<String> {
        let response = self
            .http
            .get(format!("{}/_local/sms", self.base))
            .query(&[("to", number)])
            .send()
            .await
            .expect("gateway reachable");
        let body: Value = response.json().await.expect("sms json");
        body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|sms| sms["text"].as_str().map(str::to_owned))
            .collect()
    }

    /// Waits until `number` has received `count` SMS starting with `prefix` (15 s at most),
    /// then a little longer to catch an extra one; returns them.
    pub async fn settled_sms(&self, number: &str, prefix: &str, count: usize) -> Vec<String> {
        let read = || async { self.sms_to(number).await.into_iter().filter(|t| t.starts_with(prefix)).collect() };
        poll_until(150, Duration::from_millis(100), read, |found: &Vec<String>| found.len() >= count).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        read().await
    }
}
