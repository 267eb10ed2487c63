//! What a seeker's change of advisor does to their follow-up in booking (called by
//! registration once the move between portfolios is committed): upcoming interviews move to
//! the new advisor or are cancelled (`interviews::hand_over_interviews`), open in-person
//! requests move (`in_person::hand_over_requests`). It reads the seeker's current advisor
//! from the profile and hands over only what is elsewhere, so it is idempotent: a retry, or a
//! later move, finishes an interrupted one. Permission checks follow the profile meanwhile.

use api::ApiError;
use chrono::{DateTime, Utc};

use crate::app::App;
use crate::interviews::hand_over_interviews;

pub use crate::interviews::Handed;

/// What one hand-over did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HandOver {
    pub interviews_moved: usize,
    pub interviews_cancelled: usize,
    pub requests_moved: usize,
    pub requests_closed: usize,
}

/// Hands the seeker's upcoming interviews and open in-person requests to their current advisor.
pub async fn hand_over(app: &App, seeker_id: &str, now: DateTime<Utc>) -> Result<HandOver, ApiError> {
    let Some(seeker) = app.store.seeker(seeker_id).await?.filter(|s| !s.erased) else {
        // Erasure cancels and strips on its own.
        return Ok(HandOver::default());
    };
    let target = match &seeker.advisor_id {
        Some(id) => app.store.advisor(id).await?,
        None => None,
    };
    // The request emails carry signed links.
    app.links.ensure().await.map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    let handed = hand_over_interviews(app, &seeker, target.as_ref(), now).await?;
    let (requests_moved, requests_closed) =
        crate::in_person::hand_over_requests(app, &seeker, target.as_ref(), now).await?;
    let summary = HandOver {
        interviews_moved: handed.iter().filter(|h| **h == Handed::Moved).count(),
        interviews_cancelled: handed.iter().filter(|h| **h == Handed::Cancelled).count(),
        requests_moved,
        requests_closed,
    };
    if summary != HandOver::default() {
        tracing::info!(
            interviews_moved = summary.interviews_moved,
            interviews_cancelled = summary.interviews_cancelled,
            requests_moved = summary.requests_moved,
            requests_closed = summary.requests_closed,
            "follow-up handed over to the new advisor"
        );
    }
    Ok(summary)
}
