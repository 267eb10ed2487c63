//! Who may act on what: the calling seeker's or advisor's own record, and a seeker the caller
//! may act on as their advisor or as an admin. Refusals say as little as they must (404 for a
//! seeker outside the portfolio, so existence does not leak).

use store::{AdvisorRecord, SeekerRecord, Store};

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
    store.seeker(&seeker_id).await?.filter(|s| !s.erased).ok_or_else(not_registered)
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
/// so an advisor cannot even learn that a seeker outside their portfolio exists.
pub async fn seeker_for_advisor_or_admin(
    store: &Store,
    caller: &Caller,
    seeker_id: &str,
) -> Result<(SeekerRecord, Option<AdvisorRecord>), ApiError> {
    let not_found = || ApiError::not_found("no such seeker in your portfolio");
    if caller.is_admin() {
        let seeker = store.seeker(seeker_id).await?.filter(|s| !s.erased).ok_or_else(not_found)?;
        return Ok((seeker, None));
    }
    let advisor = caller_advisor(store, caller).await?;
    let seeker = store.seeker(seeker_id).await?.filter(|s| !s.erased).ok_or_else(not_found)?;
    if seeker.advisor_id.as_deref() != Some(advisor.advisor_id.as_str()) {
        return Err(not_found());
    }
    Ok((seeker, Some(advisor)))
}

/// Whether `advisor` follows `seeker_id` now: the seeker's profile (`advisorId`, not erased) is
/// the one source of every advisor permission on that seeker's interviews, meetings and
/// in-person requests. The `advisorId` copied on those records says whose agenda or list holds
/// them; after a reassignment it may still name the former advisor until the hand-over moves
/// it, and it never grants anything by itself.
pub async fn follows(store: &Store, advisor_id: &str, seeker_id: &str) -> Result<bool, ApiError> {
    let seeker = store.seeker(seeker_id).await?;
    Ok(seeker.is_some_and(|s| !s.erased && s.advisor_id.as_deref() == Some(advisor_id)))
}
