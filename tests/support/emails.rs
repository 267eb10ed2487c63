//! The emails moto (the local SES) received, as the gateway's `/_local/emails` lists them.

use std::time::Duration;

use serde_json::Value;

use crate::api::Api;
use crate::wait::poll_until;

/// The outbox flows through the stream and email-dispatch: 150 looks 100 ms apart.
const EMAIL_TRIES: usize = 150;
const EMAIL_PAUSE: Duration = Duration::from_millis(100);

impl Api {
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

    /// The emails to `to` for which `wanted` holds, newest first.
    pub async fn emails_where(&self, to: &str, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.emails_to(to).await.into_iter().filter(|email| wanted(email)).collect()
    }

    /// Waits until `to` has received at least `count` emails for which `wanted` holds; returns
    /// them, newest first (fewer if they never came).
    pub async fn wait_for_emails_where(&self, to: &str, count: usize, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
        let wanted = &wanted;
        poll_until(EMAIL_TRIES, EMAIL_PAUSE, move || self.emails_where(to, wanted), |found| found.len() >= count).await
    }

    /// Waits until `to` has received at least `count` emails.
    pub async fn wait_for_emails(&self, to: &str, count: usize) -> Vec<Value> {
        self.wait_for_emails_where(to, count, |_| true).await
    }

    /// Waits for the newest email to `to` whose subject contains `fragment`.
    pub async fn wait_for_subject(&self, to: &str, fragment: &str) -> Value {
        let found = self.wait_for_emails_where(to, 1, |email| subject_contains(email, fragment)).await;
        match found.into_iter().next() {
            Some(email) => email,
            None => panic!("no email to {to} with a subject containing {fragment:?}"),
        }
    }
}

/// Whether `email`'s subject contains `fragment`.
pub fn subject_contains(email: &Value, fragment: &str) -> bool {
    email["subject"].as_str().is_some_and(|subject| subject.contains(fragment))
}
