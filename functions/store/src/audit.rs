//! The audit trail of staff access to a seeker's data: one item per access of an advisor or an
//! admin (who, what, when, which route), under the seeker's own `AUDIT#` partition. Ids only:
//! no name, no free text, nothing of what was read.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::attr::to_item;
use crate::client::Store;
use crate::error::StoreError;
use crate::keys;

/// How long an entry is kept: a year (CNIL, recommendation on logging measures, 2021: six
/// months to one year for access traces).
pub const AUDIT_RETENTION_DAYS: i64 = 365;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub pk: String,
    pub sk: String,
    pub entry_id: String,
    pub seeker_id: String,
    /// The advisor's `advisorId`, or an admin's identity subject (admins have no record).
    pub staff_id: String,
    /// `advisor` or `admin`.
    pub staff_role: String,
    /// `read` or `change`.
    pub access: String,
    /// What of the seeker's: `profile`, `journal`, `interview`, `messages`, …
    pub resource: String,
    /// The route template (`GET /seekers/{seekerId}`) or WebSocket route (`sendMessage`): never
    /// a path with ids or a query string.
    pub route: String,
    /// API Gateway's request id: the access log line of the same request (its status).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    #[serde(with = "domain::time::stored")]
    pub at: DateTime<Utc>,
    /// Epoch seconds: the table's TTL.
    pub expires_at: i64,
}

/// What an entry says, before it has an id and a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditFact {
    pub seeker_id: String,
    pub staff_id: String,
    pub staff_role: &'static str,
    pub access: &'static str,
    pub resource: &'static str,
}

impl AuditRecord {
    pub fn new(fact: &AuditFact, route: &str, request_id: &str, at: DateTime<Utc>) -> AuditRecord {
        let entry_id = ulid::Ulid::from_datetime(at.into()).to_string();
        AuditRecord {
            pk: keys::audit_pk(&fact.seeker_id),
            sk: keys::audit_sk(&entry_id),
            entry_id,
            seeker_id: fact.seeker_id.clone(),
            staff_id: fact.staff_id.clone(),
            staff_role: fact.staff_role.to_owned(),
            access: fact.access.to_owned(),
            resource: fact.resource.to_owned(),
            route: route.to_owned(),
            request_id: request_id.to_owned(),
            at,
            expires_at: (at + Duration::days(AUDIT_RETENTION_DAYS)).timestamp(),
        }
    }

    /// The API shape of an entry (admins' list, the seeker's export).
    pub fn to_api(&self) -> serde_json::Value {
        let at = domain::time::to_paris(self.at);
        serde_json::json!({
            "entryId": self.entry_id,
            "seekerId": self.seeker_id,
            "staffId": self.staff_id,
            "staffRole": self.staff_role,
            "access": self.access,
            "resource": self.resource,
            "route": self.route,
            "requestId": self.request_id,
            "at": at,
        })
    }
}

impl Store {
    /// One entry, one PutItem (not a transaction: it is on every staff read). Its key is new,
    /// so no condition is needed.
    pub async fn put_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        self.put(to_item(record)?, None).await.map(|_| ())
    }
}
