//! Outbox emails: written as items inside the business transaction, rendered and sent by
//! `email-dispatch` from the table stream (which holds the French templates).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attr::{to_item, Item};
use crate::email_params::Email;
use crate::email_template::EmailTemplate;
use crate::error::StoreError;
use crate::keys;
use domain::time;

/// A file attached to an email (e.g. an `.ics` invitation).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: String,
}

/// An email waiting in the outbox (or sent: then its personal fields are gone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRecord {
    pub pk: String,
    pub sk: String,
    pub email_id: String,
    pub template: EmailTemplate,
    /// The seeker the email concerns, if any: the item then lives in their partition so erasure finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The convocation version this email carries: sending it writes the proof on the
    /// interview record (the outbox item expires after a month and goes with an erasure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convocation: Option<ConvocationRef>,
    /// `pending` until claimed, `sending` while an invocation holds the claim, then `sent` or
    /// `failed`.
    pub status: String,
    #[serde(with = "domain::time::stored")]
    pub created_at: DateTime<Utc>,
    pub expires_at: i64,
    /// The open-outbox index (`OUTBOX_OPEN#<shard>` / `<createdAt>#<emailId>`), present only
    /// while the email is `pending` or `sending`: how the sweep finds stuck emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    /// The claim's lease, while `sending`.
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub claimed_until: Option<DateTime<Utc>>,
    /// Claims taken so far (stream deliveries and sweeps).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempts: u32,
    /// SES's message id once SES accepted the email: on an item still `sending`, the send
    /// happened and only its recording failed, so it is never sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ses_message_id: Option<String>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// Which convocation, at which version, an email carries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConvocationRef {
    pub interview_id: String,
    pub version: u32,
}

/// Outbox items disappear through the TTL after a month.
const OUTBOX_RETENTION_DAYS: i64 = 30;

impl OutboxRecord {
    /// `email` to `to`, in the partition of `seeker_id` when it concerns a seeker.
    pub fn new(email: Email, to: &str, seeker_id: Option<&str>, now: DateTime<Utc>) -> OutboxRecord {
        let email_id = ulid::Ulid::from_datetime(now.into()).to_string();
        let open_pk = keys::outbox_open_gsi1pk(keys::outbox_open_shard(&email_id));
        let open_sk = keys::outbox_open_gsi1sk(&time::to_key(now), &email_id);
        let (pk, sk) = match seeker_id {
            Some(id) => (keys::seeker_pk(id), keys::outbox_sk(&email_id)),
            None => (keys::outbox_pk(&email_id), keys::outbox_sk(&email_id)),
        };
        OutboxRecord {
            pk,
            sk,
            email_id,
            template: email.template(),
            seeker_id: seeker_id.map(str::to_owned),
            to: Some(to.to_owned()),
            params: email.params(),
            attachments: Vec::new(),
            convocation: None,
            status: "pending".into(),
            gsi1pk: Some(open_pk),
            gsi1sk: Some(open_sk),
            created_at: now,
            expires_at: (now + chrono::Duration::days(OUTBOX_RETENTION_DAYS)).timestamp(),
            claimed_until: None,
            attempts: 0,
            ses_message_id: None,
            sent_at: None,
        }
    }

    pub fn with_attachment(mut self, attachment: Attachment) -> OutboxRecord {
        self.attachments.push(attachment);
        self
    }

    /// Marks the email as the carrier of `interview_id`'s convocation at `version`.
    pub fn carrying_convocation(mut self, interview_id: &str, version: u32) -> OutboxRecord {
        self.convocation = Some(ConvocationRef { interview_id: interview_id.to_owned(), version });
        self
    }

    pub fn to_item(&self) -> Result<Item, StoreError> {
        to_item(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_params::WelcomeSeeker;

    fn welcome() -> Email {
        Email::WelcomeSeeker(WelcomeSeeker {
            first_name: "Léa".into(),
            level_label: "accompagnement guidé",
            assigned: false,
            advisor_name: None,
            app_url: "http://x".into(),
        })
    }

    #[test]
    fn outbox_items_about_a_seeker_live_in_their_partition() {
        let now = chrono::Utc::now();
        let about = OutboxRecord::new(welcome(), "a@example.fr", Some("S1"), now);
        assert_eq!(about.pk, "SEEKER#S1");
        assert!(about.sk.starts_with("OUTBOX#"));
        let other = OutboxRecord::new(welcome(), "a@example.fr", None, now);
        assert!(other.pk.starts_with("OUTBOX#") && other.sk.starts_with("OUTBOX#"));
    }

    #[test]
    fn a_new_email_is_in_the_open_outbox_index_of_its_shard_by_time() {
        let now = chrono::Utc::now();
        let email = OutboxRecord::new(welcome(), "a@example.fr", Some("S1"), now);
        let shard = keys::outbox_open_shard(&email.email_id);
        assert!(shard < keys::OUTBOX_OPEN_SHARDS);
        assert_eq!(email.gsi1pk.as_deref(), Some(keys::outbox_open_gsi1pk(shard).as_str()));
        assert_eq!(email.gsi1sk, Some(format!("{}#{}", time::to_key(email.created_at), email.email_id)));
        // Shards fill evenly: 1,600 ids touch every shard.
        let shards: std::collections::HashSet<u32> =
            (0..1600).map(|_| keys::outbox_open_shard(&ulid::Ulid::new().to_string())).collect();
        assert_eq!(shards.len(), keys::OUTBOX_OPEN_SHARDS as usize);
    }
}
