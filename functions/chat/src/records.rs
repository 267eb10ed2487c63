//! The chat items of the table (infra/data-model.md); their API shapes are in `views`.

use serde::{Deserialize, Serialize};
use store::{keys, Keyed, Keys};

use crate::role::Role;

/// A live WebSocket connection, found by user through GSI1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRecord {
    pub connection_id: String,
    /// The participant id: a seekerId or an advisorId.
    pub user_id: String,
    pub role: Role,
    #[serde(with = "domain::time::stored")]
    pub connected_at: chrono::DateTime<chrono::Utc>,
    /// When the token given at `$connect` expires (epoch seconds): frames after it are refused,
    /// so a connection never outlives the sign-in it was opened with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<i64>,
    pub expires_at: i64,
}

impl ConnectionRecord {
    pub fn new(
        connection_id: &str,
        user_id: &str,
        role: Role,
        token_expires_at: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ConnectionRecord {
        ConnectionRecord {
            connection_id: connection_id.to_owned(),
            user_id: user_id.to_owned(),
            role,
            connected_at: now,
            token_expires_at: Some(token_expires_at),
            // API Gateway closes a connection after 2 hours; a missed $disconnect cleans itself.
            expires_at: (now + chrono::Duration::hours(2)).timestamp(),
        }
    }
}

/// Among its user's connections (GSI1).
impl Keyed for ConnectionRecord {
    fn keys(&self) -> Keys {
        Keys::new(keys::connection_pk(&self.connection_id), keys::CONNECTION_SK)
            .with_gsi1(keys::user_connections_gsi1pk(&self.user_id), self.connection_id.clone())
    }
}

/// One chat message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MessageRecord {
    pub message_id: String,
    pub seeker_id: String,
    /// The seeker's advisor when the message was written.
    pub advisor_id: String,
    /// The sender's participant id.
    pub from: String,
    pub from_role: Role,
    pub text: String,
    #[serde(with = "domain::time::stored")]
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub client_message_id: String,
    pub expires_at: i64,
}

/// In its conversation, in the order of its id.
impl Keyed for MessageRecord {
    fn keys(&self) -> Keys {
        Keys::new(keys::conversation_pk(&self.seeker_id), keys::message_sk(&self.message_id))
    }
}

/// The conversation summary: last message, read markers and unread counts per side.
///
/// Unread counts and read markers are kept per side (seeker, advisor) rather than per person:
/// a reassigned seeker's conversation goes on with the new advisor.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRecord {
    pub seeker_id: String,
    #[serde(default)]
    pub advisor_id: Option<String>,
    #[serde(default)]
    pub last_message_id: Option<String>,
    #[serde(default, with = "domain::time::stored::option")]
    pub last_message_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub last_message_from: Option<String>,
    #[serde(default)]
    pub last_message_role: Option<Role>,
    #[serde(default)]
    pub last_message_excerpt: Option<String>,
    #[serde(default)]
    pub unread_seeker: u32,
    #[serde(default)]
    pub unread_advisor: u32,
    #[serde(default)]
    pub read_up_to_seeker: Option<String>,
    #[serde(default)]
    pub read_up_to_advisor: Option<String>,
    /// The last Paris day counted as a contact (an advisor wrote that day).
    #[serde(default)]
    pub last_chat_day: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

impl SummaryRecord {
    /// TTL deletes within days, not at the second.
    pub fn is_live(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires_at.is_none_or(|at| at > now.timestamp())
    }
    pub fn unread(&self, role: Role) -> u32 {
        match role {
            Role::Seeker => self.unread_seeker,
            Role::Advisor => self.unread_advisor,
        }
    }
    pub fn read_up_to(&self, role: Role) -> Option<&str> {
        match role {
            Role::Seeker => self.read_up_to_seeker.as_deref(),
            Role::Advisor => self.read_up_to_advisor.as_deref(),
        }
    }
}

/// Attribute names of the per-side fields.
pub fn unread_attribute(role: Role) -> &'static str {
    match role {
        Role::Seeker => "unreadSeeker",
        Role::Advisor => "unreadAdvisor",
    }
}
pub fn read_up_to_attribute(role: Role) -> &'static str {
    match role {
        Role::Seeker => "readUpToSeeker",
        Role::Advisor => "readUpToAdvisor",
    }
}
