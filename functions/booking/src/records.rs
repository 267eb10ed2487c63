//! Items only the booking function writes: slots and in-person requests.

use domain::Channel;
use serde::{Deserialize, Serialize};
use store::interview::start_sort_key;
use store::{keys, Keyed, Keys};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotState {
    /// Written by a series still being created: neither listed nor bookable; published
    /// (made `open`) with its whole series in one transaction, or removed.
    Pending,
    Open,
    Booked,
}

/// A time an advisor offers; booked by at most one seeker (conditional update).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SlotRecord {
    pub slot_id: String,
    pub advisor_id: String,
    /// Typed instants: a corrupt one fails to decode instead of becoming 1970.
    #[serde(with = "domain::time::stored")]
    pub start: chrono::DateTime<chrono::Utc>,
    #[serde(with = "domain::time::stored")]
    pub end: chrono::DateTime<chrono::Utc>,
    pub duration_minutes: u32,
    pub channels: Vec<Channel>,
    /// Where an in-person interview in this slot takes place (set when the slot offers `in_person`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub state: SlotState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booked_by: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// A pending occurrence left by an interrupted creation disappears through the TTL;
    /// publication removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// In its advisor's slots (GSI1), sorted by start, whatever its state (the listing filters).
impl Keyed for SlotRecord {
    fn keys(&self) -> Keys {
        Keys::new(keys::slot_pk(&self.slot_id), keys::SLOT_SK)
            .with_gsi1(keys::slots_gsi1pk(&self.advisor_id), start_sort_key(self.start, &self.slot_id))
    }
}

impl SlotRecord {
    pub fn start_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.start
    }
    pub fn end_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.end
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Accepted,
    Declined,
}

/// A seeker's request for a face-to-face interview.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InPersonRecord {
    pub request_id: String,
    pub seeker_id: String,
    pub advisor_id: String,
    /// Removed by erasure.
    #[serde(default)]
    pub reason: String,
    pub status: RequestStatus,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Epoch seconds: the table's TTL, the follow-up's retention after the request
    /// (`RETENTION_DAYS`, as the journal); absent on records from before retention was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// In the seeker's requests (GSI2) for good, and in the advisor's open requests (GSI1) while
/// open, both sorted by creation. (The answer and an erasure take it out of GSI1 by an update.)
impl Keyed for InPersonRecord {
    fn keys(&self) -> Keys {
        let sort = format!("{}#{}", domain::time::to_key(self.created_at), self.request_id);
        let keys = Keys::new(keys::in_person_pk(&self.request_id), keys::IN_PERSON_SK)
            .with_gsi2(keys::seeker_in_person_gsi2pk(&self.seeker_id), sort.clone());
        match self.status {
            RequestStatus::Open => keys.with_gsi1(keys::in_person_open_gsi1pk(&self.advisor_id), sort),
            RequestStatus::Accepted | RequestStatus::Declined => keys,
        }
    }
}
