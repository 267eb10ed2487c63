//! What the follow-up journal's rules need without storage: who caused an entry, and which
//! of its fields hold text people typed (erasure strips them).

use serde::{Deserialize, Serialize};

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
