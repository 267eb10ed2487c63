//! Helpers for the end-to-end tests, written once for every suite: they talk to the local
//! gateway exactly as the front end does, and read DynamoDB Local directly only to check what
//! the API cannot show (e.g. that erased data is really gone).
//!
//! Tests share one table and run concurrently (every area in one binary, `tests/api`), so each
//! makes its own people. Assignment picks the least-loaded advisor of a region, so a test that
//! needs a seeker in a given portfolio moves them there with the admin `reassign` route; tests
//! that need a region to themselves use one reserved below.

mod api;
mod emails;
mod load;
pub mod personal_data;
mod proxy;
mod sms;
mod stack;
mod table;
mod time;
mod wait;
pub mod ws;

pub use api::{assert_error, gateway_url, registration_body, unique, Api, Person, EVERY_CHANNEL};
pub use emails::subject_contains;
pub use load::exclusive_load;
pub use proxy::{silent_endpoint, DynamoDbProxy};
pub use sms::{SMS_PAUSE, SMS_TRIES};
pub use stack::PrivateGateway;
pub use table::{attr_text, Item, PendingOutbox, Table};
pub use time::{instant, next_last_sunday, paris_at, paris_on, parse_instant, query_instant, rfc3339, stored_instant};
pub use wait::poll_until;

/// Regions reserved for tests whose assertions need them alone.
pub mod regions {
    /// Mayotte: the capacity race (one eligible advisor, 300 registrations).
    pub const CAPACITY_RACE: &str = "06";
    /// Guyane: no advisor at all, so registration waits.
    pub const NO_ADVISOR: &str = "03";
    /// Martinique: level changes with a known set of advisors.
    pub const LEVELS: &str = "02";
    /// Any test may use the others.
    pub const SHARED: &str = "11";
    /// Guadeloupe: reassignment against an advisor of capacity 1 (nobody else may fill it).
    pub const REASSIGN: &str = "01";
    /// Corse: a level no advisor can serve (its only reinforced advisors are full).
    pub const NO_REINFORCED_ROOM: &str = "94";
    /// La Réunion: the waiting list drained by a new advisor, raced by registrations.
    pub const WAITING_LIST: &str = "04";
}
