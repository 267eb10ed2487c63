//! Who may act on what: the calling seeker's or advisor's own record, and a seeker the caller
//! may act on as their advisor or as an admin. Refusals say as little as they must (404 for a
//! seeker outside the portfolio, so existence does not leak).
//!
//! Every access of an advisor or an admin to one seeker's data passes here, and each check that
//! lets one through records it in the audit trail ([`crate::audit`]): the seeker's file, level
//! and assignment, journal, interviews and meetings, convocations and bookings, in-person
//! requests (in the app or from an email link) and the conversation (HTTP history and WebSocket
//! frames). A seeker's access to their own data is not recorded (it is no one else's access).

use store::{AdvisorRecord, SeekerRecord, Store};

use crate::audit::record;
pub use crate::audit::{Access, Resource, Staff};
use crate::auth::Caller;
use crate::error::ApiError;

/// The calling seeker's profile, or 404 when the caller has not registered.
pub async fn caller_seeker(store: &Store, caller: &Caller) -> Result<SeekerRecord, ApiError> {
    if !caller.is_seeker() {
        return Err(ApiError::forbidden("this route is for job seekers"));
    }
    let not_registered =
        || ApiError::NotFound { code: "not_registered", message: "register first with POST /seekers".into() };
    let identity = store.identity(&caller.sub).await?.ok_or_else(not_registered)?;
    let seeker_id = identity.seeker_id.ok_or_else(not_registered)?;
    let seeker = store.seeker(&seeker_id).await?.filter(|s| !s.erased).ok_or_else(not_registered)?;
    // Every seeker route passes here: the seeker's own use of the service keeps their data
    // (retention of an inactive profile, docs/security.md "Retention"). A failure is no refusal.
    if let Err(error) = store.refresh_profile_retention(&seeker, &caller.sub, chrono::Utc::now()).await {
        ApiError::from(error).log();
    }
    Ok(seeker)
}

/// The calling advisor's profile, or 403 when the caller is not a known advisor.
pub async fn caller_advisor(store: &Store, caller: &Caller) -> Result<AdvisorRecord, ApiError> {
    let not_advisor = || ApiError::forbidden("this route is for advisors");
    if !caller.is_advisor() {
        return Err(not_advisor());
    }
    let identity = store.identity(&caller.sub).await?.ok_or_else(not_advisor)?;
    let advisor_id = identity.advisor_id.ok_or_else(not_advisor)?;
    store.advisor(&advisor_id).await?.ok_or_else(not_advisor)
}

/// A seeker the caller may act on as their advisor (or as an admin); 404 otherwise,
/// so an advisor cannot even learn that a seeker outside their portfolio exists. The access is
/// recorded in the audit trail.
pub async fn seeker_for_advisor_or_admin(
    store: &Store,
    caller: &Caller,
    seeker_id: &str,
    access: Access,
) -> Result<(SeekerRecord, Option<AdvisorRecord>), ApiError> {
    if caller.is_admin() {
        let seeker = store.seeker(seeker_id).await?.filter(|s| !s.erased).ok_or_else(not_in_portfolio)?;
        record(store, &Staff::Admin(caller.sub.clone()), &seeker.seeker_id, access).await;
        return Ok((seeker, None));
    }
    let (seeker, advisor) = seeker_for_advisor(store, caller, seeker_id, access).await?;
    Ok((seeker, Some(advisor)))
}

/// A seeker of the calling advisor's portfolio (403 for anyone but an advisor, 404 outside the
/// portfolio). The access is recorded in the audit trail.
pub async fn seeker_for_advisor(
    store: &Store,
    caller: &Caller,
    seeker_id: &str,
    access: Access,
) -> Result<(SeekerRecord, AdvisorRecord), ApiError> {
    let advisor = caller_advisor(store, caller).await?;
    let seeker =
        followed_seeker(store, &advisor.advisor_id, seeker_id, Some(access)).await?.ok_or_else(not_in_portfolio)?;
    Ok((seeker, advisor))
}

fn not_in_portfolio() -> ApiError {
    ApiError::not_found("no such seeker in your portfolio")
}

/// Whether `advisor` follows `seeker_id` now: the seeker's profile (`advisorId`, not erased) is
/// the one source of every advisor permission on that seeker's interviews, meetings and
/// in-person requests. The `advisorId` copied on those records says whose agenda or list holds
/// them; after a reassignment it may still name the former advisor until the hand-over moves
/// it, and it never grants anything by itself. When it does, the access is recorded.
pub async fn follows(store: &Store, advisor_id: &str, seeker_id: &str, access: Access) -> Result<bool, ApiError> {
    Ok(followed_seeker(store, advisor_id, seeker_id, Some(access)).await?.is_some())
}

/// The profile of `seeker_id` when `advisor_id` follows them now ([`follows`]), the access
/// recorded; `None` otherwise (nothing recorded). `access` is `None` only for a signal that
/// neither reads nor changes the seeker's data (the chat's typing indicator): checked alike,
/// not recorded.
pub async fn followed_seeker(
    store: &Store,
    advisor_id: &str,
    seeker_id: &str,
    access: Option<Access>,
) -> Result<Option<SeekerRecord>, ApiError> {
    let seeker = store.seeker(seeker_id).await?.filter(|s| !s.erased && s.advisor_id.as_deref() == Some(advisor_id));
    if let (Some(seeker), Some(access)) = (&seeker, access) {
        record(store, &Staff::Advisor(advisor_id.to_owned()), &seeker.seeker_id, access).await;
    }
    Ok(seeker)
}

/// Records an access that no check above covers: an admin's reading of a seeker's audit trail,
/// which stays readable after the seeker's erasure.
pub async fn record_admin_access(store: &Store, caller: &Caller, seeker_id: &str, access: Access) {
    record(store, &Staff::Admin(caller.sub.clone()), seeker_id, access).await;
}
