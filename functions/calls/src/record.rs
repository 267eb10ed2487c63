//! The call's item in the table.

use serde::{Deserialize, Serialize};

/// A call as stored (`CALL#<callId>` / `CALL`): who calls whom, about what. The phone numbers
/// travel in the call's transaction attributes only, never here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub call_id: String,
    pub advisor_id: String,
    pub seeker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    /// The service's id of the call, once `CreateSipMediaApplicationCall` answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// An interview's call: its hard end (the interview's end plus the overrun limit), when
    /// the call sweeper hangs it up; with GSI1 `CALL_END#<hour>` / `<endsAt>#<callId>` until then.
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Epoch seconds: the table's TTL removes the item (its journal entries stay).
    pub expires_at: i64,
}

/// In the call sweeper's list (GSI1) under the UTC hour of its end, when it has one. (The
/// sweeper takes an ended call out of the list by an update.)
impl store::Keyed for CallRecord {
    fn keys(&self) -> store::Keys {
        let keys = store::Keys::new(store::keys::call_pk(&self.call_id), store::keys::CALL_SK);
        match self.ends_at {
            Some(end) => keys.with_gsi1(
                store::keys::call_end_gsi1pk(&end.format("%Y-%m-%dT%H").to_string()),
                format!("{}#{}", domain::time::to_key(end), self.call_id),
            ),
            None => keys,
        }
    }
}
