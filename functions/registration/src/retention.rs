//! The retention job (`retention-sweep`, daily): erases the profiles whose `retainUntil` has
//! passed, two years after their seeker last used the service (docs/security.md, "Retention";
//! infra/data-model.md #58).
//!
//! Profiles are found by their retention marker (`SEEKER#<id>` / `RETENTION`, GSI1
//! `RETAIN_DUE#<UTC day>`), one Query per day of the last [`LOOKBACK_DAYS`]: no Scan. The marker
//! is a hint, the profile is the truth: a marker whose profile was used meanwhile is filed again
//! under its new day, one whose profile is gone or erased is deleted, and the erasure itself
//! conditions on `retainUntil` ([`crate::gdpr::erase_seeker`]). Every step is idempotent: a
//! second run, or two at once, erase each profile once.

use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use store::{keys, s, Index, Item};

use crate::app::App;
use crate::gdpr::{erase_seeker, Erasure, ErasureCause};

/// Days of markers read back from the run's day. The job runs daily; a run that fails leaves
/// its markers for the next ones (and the alarm), within this window.
pub const LOOKBACK_DAYS: i64 = 30;

#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionReport {
    pub run_at: String,
    /// Markers read in the window.
    pub due: usize,
    pub erased: usize,
    /// The seeker came back: the marker is filed under the new day.
    pub kept: usize,
    /// The profile was already erased (or gone): the marker is deleted.
    pub already_erased: usize,
    pub failed: usize,
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// One run at `now` (the scheduled event's time). An `Err` when any profile failed: the
/// invocation fails (alarm), and the next run finds its marker again.
pub async fn run(app: &App, now: DateTime<Utc>) -> Result<RetentionReport, ApiError> {
    let mut report = RetentionReport { run_at: domain::time::to_key(now), ..RetentionReport::default() };
    for back in (0..=LOOKBACK_DAYS).rev() {
        let day = (now - Duration::days(back)).format("%Y-%m-%d").to_string();
        let partition = keys::retention_due_gsi1pk(&day);
        let markers = app.store.query(Index::Gsi1, partition.clone()).all().await?;
        for marker in markers {
            let Some(seeker_id) = text(&marker, "seekerId") else {
                continue;
            };
            report.due += 1;
            match settle(app, &seeker_id, &partition, now).await {
                Ok(Erasure::Erased) => report.erased += 1,
                Ok(Erasure::Kept) => report.kept += 1,
                Ok(Erasure::AlreadyErased) => report.already_erased += 1,
                Err(error) => {
                    error.log();
                    report.failed += 1;
                }
            }
        }
    }
    tracing::info!(
        due = report.due,
        erased = report.erased,
        kept = report.kept,
        already_erased = report.already_erased,
        failed = report.failed,
        "retention run done"
    );
    if report.failed > 0 {
        return Err(ApiError::Unavailable(
            format!("{} profiles failed; the next run retries them", report.failed).into(),
        ));
    }
    Ok(report)
}

/// One marker found under `partition`: the profile is erased, kept (its marker filed under
/// its new day) or already gone (the marker deleted).
async fn settle(app: &App, seeker_id: &str, partition: &str, now: DateTime<Utc>) -> Result<Erasure, ApiError> {
    let pk = keys::seeker_pk(seeker_id);
    let Some(seeker) = app.store.seeker(seeker_id).await?.filter(|p| !p.erased) else {
        app.store.delete(&pk, keys::RETENTION_SK, |d| d).await?;
        return Ok(Erasure::AlreadyErased);
    };
    let outcome = match seeker.retain_until {
        Some(until) if until > now.timestamp() => Erasure::Kept,
        // No `retainUntil` (a profile made before it was kept): its seeker's next use sets it;
        // until then, nothing says it is inactive.
        None => Erasure::Kept,
        Some(_) => erase_seeker(app, &seeker, ErasureCause::Retention, now).await?,
    };
    if outcome == Erasure::Kept {
        if let Some(until) = seeker.retain_until {
            // Filed again under the new day, unless another run or the seeker's use did it.
            let day = keys::retention_due_gsi1pk(&store::retention_day(until));
            if day != partition {
                app.store
                    .update(&pk, keys::RETENTION_SK, |u| {
                        u.update_expression("SET gsi1pk = :day, retainUntil = :until")
                            .condition_expression("gsi1pk = :seen")
                            .expression_attribute_values(":day", s(day))
                            .expression_attribute_values(":until", store::n(until))
                            .expression_attribute_values(":seen", s(partition))
                    })
                    .await?;
            }
        }
    }
    Ok(outcome)
}
