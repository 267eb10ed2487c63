//! The audit trail of staff access to seekers' data, written by the access checks
//! ([`crate::access`]) and nowhere else: every check that lets an advisor or an admin at a
//! seeker's data records one entry (`store::audit`).
//!
//! Cheap on purpose, since it is on every staff read: one PutItem (no transaction), started the
//! moment the check passes and run beside the rest of the request, awaited before the answer
//! leaves ([`scoped`], which every HTTP and WebSocket entry point puts around its work), once
//! per seeker, access and resource in a request. A failed write does not fail the request: it
//! is logged with the code `audit_write_failed` (ids only), which a metric filter counts and an
//! alarm watches (`AuditWriteFailedAlarm` in `template.yaml`).

use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;

use chrono::Utc;
use store::audit::{AuditFact, AuditRecord};
use store::Store;
use tokio::task::JoinHandle;

use crate::error::error_chain;

/// What of a seeker's data a staff member reads or changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Profile,
    Level,
    Assignment,
    Journal,
    Interview,
    Convocation,
    Meeting,
    InPersonRequest,
    Messages,
    Call,
    Audit,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Profile => "profile",
            Resource::Level => "level",
            Resource::Assignment => "assignment",
            Resource::Journal => "journal",
            Resource::Interview => "interview",
            Resource::Convocation => "convocation",
            Resource::Meeting => "meeting",
            Resource::InPersonRequest => "in_person_request",
            Resource::Messages => "messages",
            Resource::Call => "call",
            Resource::Audit => "audit",
        }
    }
}

/// A read or a change of one resource. A change is recorded when it is authorised, before it is
/// made: the access log line with the same `requestId` says whether it succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read(Resource),
    Change(Resource),
}

impl Access {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Access::Read(resource) => ("read", resource.as_str()),
            Access::Change(resource) => ("change", resource.as_str()),
        }
    }
}

/// Who, on the staff side: an advisor by `advisorId`, an admin by identity subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staff {
    Advisor(String),
    Admin(String),
}

struct Scope {
    route: String,
    request_id: String,
    state: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    seen: HashSet<AuditFact>,
    writes: Vec<JoinHandle<()>>,
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `work` (one HTTP request or WebSocket frame on `route`) so that the audit entries its
/// access checks start are written beside it and awaited before its result is returned.
pub async fn scoped<F: Future>(route: &str, request_id: &str, work: F) -> F::Output {
    let scope = Scope { route: route.to_owned(), request_id: request_id.to_owned(), state: Mutex::default() };
    // Boxed: the handlers' futures are deep, and a scope around them inline overflowed the
    // worker thread's stack (seen with the local gateway's POST /advisors).
    let work = Box::pin(work);
    SCOPE
        .scope(scope, async {
            let output = work.await;
            let writes = SCOPE.with(|scope| match scope.state.lock() {
                Ok(mut pending) => std::mem::take(&mut pending.writes),
                Err(_) => Vec::new(),
            });
            for write in writes {
                if let Err(error) = write.await {
                    tracing::error!(code = "audit_write_failed", error = %error, "audit entry not written");
                }
            }
            output
        })
        .await
}

/// Records that `staff` had `access` to `seeker_id`'s data.
pub async fn record(store: &Store, staff: &Staff, seeker_id: &str, access: Access) {
    let (access, resource) = access.parts();
    let (staff_id, staff_role) = match staff {
        Staff::Advisor(id) => (id.clone(), "advisor"),
        Staff::Admin(sub) => (sub.clone(), "admin"),
    };
    let fact = AuditFact { seeker_id: seeker_id.to_owned(), staff_id, staff_role, access, resource };
    let now = Utc::now();
    let started = SCOPE.try_with(|scope| {
        let Ok(mut pending) = scope.state.lock() else {
            return None;
        };
        if !pending.seen.insert(fact.clone()) {
            return Some(None); // already recorded in this request
        }
        let entry = AuditRecord::new(&fact, &scope.route, &scope.request_id, now);
        let store = store.clone();
        pending.writes.push(tokio::spawn(async move { write(&store, &entry).await }));
        Some(Some(()))
    });
    if !matches!(started, Ok(Some(_))) {
        // Outside a request's scope (or its state unusable): written inline, without a route.
        write(store, &AuditRecord::new(&fact, "", "", now)).await;
    }
}

async fn write(store: &Store, entry: &AuditRecord) {
    if let Err(error) = store.put_audit(entry).await {
        tracing::error!(
            code = "audit_write_failed",
            seeker = %entry.seeker_id,
            staff_role = %entry.staff_role,
            access = %entry.access,
            resource = %entry.resource,
            error = %error_chain(&error),
            "audit entry not written"
        );
    } else {
        tracing::debug!(seeker = %entry.seeker_id, resource = %entry.resource, "audit entry written");
    }
}
