//! The follow-up journal (suivi dématérialisé): one append-only entry per
//! contact event, written in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attr::{to_item, Item};
use crate::error::StoreError;
use crate::keys;
// Callers name these beside the record; they are the domain's.
pub use domain::journal::{ActorRole, FREE_TEXT_FIELDS};
use domain::time;

/// Fields of `details` that hold instants.
const INSTANT_FIELDS: [&str; 2] = ["start", "previousStart"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JournalRecord {
    pub pk: String,
    pub sk: String,
    pub entry_id: String,
    pub seeker_id: String,
    /// e.g. `registered`, `level_changed`, `reassigned`, `interview_booked`, `email_sent`.
    pub kind: String,
    #[serde(with = "domain::time::stored")]
    pub at: DateTime<Utc>,
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
            at,
            actor_role,
            actor_id: actor_id.map(str::to_owned),
            details: match details {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            expires_at: (at + chrono::Duration::days(i64::from(retention_days))).timestamp(),
        }
    }

    pub fn to_item(&self) -> Result<Item, StoreError> {
        to_item(self)
    }

    /// The API shape of an entry.
    pub fn to_api(&self) -> serde_json::Value {
        // Instants in details are stored as keys (UTC); the API speaks Paris time.
        let details: serde_json::Map<String, serde_json::Value> = self
            .details
            .iter()
            .map(|(name, value)| {
                let shown = match value.as_str().and_then(time::from_key) {
                    Some(instant) if INSTANT_FIELDS.contains(&name.as_str()) => time::to_paris(instant).into(),
                    _ => value.clone(),
                };
                (name.clone(), shown)
            })
            .collect();
        serde_json::json!({
            "entryId": self.entry_id,
            "kind": self.kind,
            "at": time::to_paris(self.at),
            "actor": {"role": self.actor_role, "id": self.actor_id},
            "details": details,
        })
    }

    /// [`JournalRecord::to_api`] as the seeker reads their own journal: an admin by role only
    /// (`id` null).
    /// The admin's `sub` is their own personal data, and the seeker's right of access covers
    /// what was done and when, not which employee did it (as in the export's `staffAccess`).
    pub fn to_seeker_api(&self) -> serde_json::Value {
        let mut value = self.to_api();
        if self.actor_role == ActorRole::Admin {
            if let Some(actor) = value.get_mut("actor").and_then(serde_json::Value::as_object_mut) {
                actor.insert("id".into(), serde_json::Value::Null);
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn entries_read_in_paris_time_and_sort_by_time() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let entry = JournalRecord::new(
            "S1",
            "rescheduled",
            at,
            ActorRole::Advisor,
            Some("A1"),
            serde_json::json!({"start": "2026-12-10T08:30:00.000Z", "reason": "x"}),
            730,
        );
        let later = JournalRecord::new(
            "S1",
            "cancelled",
            at + chrono::Duration::seconds(1),
            ActorRole::Seeker,
            None,
            serde_json::json!({}),
            730,
        );
        assert!(entry.sk < later.sk, "sort keys follow time");
        let api = entry.to_api();
        assert_eq!(api["at"], "2026-12-03T09:30:00+01:00");
        assert_eq!(api["details"]["start"], "2026-12-10T09:30:00+01:00");
        assert_eq!(api["details"]["reason"], "x");
        assert!(!later.to_item().unwrap().contains_key("details"), "no empty map is written");
    }
}
