//! The follow-up journal (suivi dématérialisé): one append-only entry per
//! contact event, written in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::keys;
use crate::store::{to_item, Item};
use crate::time;

/// Who caused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorRole {
    Seeker,
    Advisor,
    Admin,
    System,
}

/// Fields of `details` that hold text people typed: erasure strips them.
pub const FREE_TEXT_FIELDS: [&str; 4] = ["reason", "note", "message", "location"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JournalRecord {
    pub pk: String,
    pub sk: String,
    pub entry_id: String,
    pub seeker_id: String,
    /// e.g. `registered`, `level_changed`, `reassigned`, `interview_booked`, `email_sent`.
    pub kind: String,
    pub at: String,
    pub actor_role: ActorRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// Never written empty (DynamoDB Local mangles empty maps in stream records).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Epoch seconds: the table's TTL bounds retention.
    pub expires_at: i64,
}

impl JournalRecord {
    pub fn new(
        seeker_id: &str,
        kind: &str,
        at: DateTime<Utc>,
        actor_role: ActorRole,
        actor_id: Option<&str>,
        details: serde_json::Value,
        retention_days: u32,
    ) -> JournalRecord {
        let entry_id = ulid::Ulid::from_datetime(at.into()).to_string();
        JournalRecord {
            pk: keys::seeker_pk(seeker_id),
            sk: keys::journal_sk(&entry_id),
            entry_id,
            seeker_id: seeker_id.to_owned(),
            kind: kind.to_owned(),
            at: time::to_key(at),
            actor_role,
            actor_id: actor_id.map(str::to_owned),
            details: match details {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            expires_at: (at + chrono::Duration::days(i64::from(retention_days))).timestamp(),
        }
    }

    pub fn to_item(&self) -> Result<Item, ApiError> {
        to_item(self)
    }

    /// The API shape of an entry.
    pub fn to_api(&self) -> serde_json::Value {
        serde_json::json!({
            "entryId": self.entry_id,
            "kind": self.kind,
            "at": time::from_key(&self.at).map(time::to_paris).unwrap_or_else(|| self.at.clone()),
            "actor": {"role": self.actor_role, "id": self.actor_id},
            "details": self.details,
        })
    }
}
