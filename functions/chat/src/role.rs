//! Which side of a conversation someone is on: frames, records and views all name it.

use serde::{Deserialize, Serialize};

/// Which side of a conversation someone is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Seeker,
    Advisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seeker => "seeker",
            Role::Advisor => "advisor",
        }
    }
    pub fn other(self) -> Role {
        match self {
            Role::Seeker => Role::Advisor,
            Role::Advisor => Role::Seeker,
        }
    }
}
