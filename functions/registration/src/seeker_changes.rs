//! The two changes staff make to a seeker's follow-up: `PUT /seekers/{seekerId}/level` (the
//! accompaniment level, which may need another advisor) and `POST /seekers/{seekerId}/reassign`
//! (an admin moves the seeker to another advisor). Both place the seeker through
//! [`crate::assignment::assign`] and, once a place is freed, let the waiting list in.

use api::access::{Access, Resource};
use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use chrono::{DateTime, Utc};
use domain::follow_up::keeps_advisor;
use domain::time::french_date_time;
use domain::{free_text, Level};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::email_params::{Email, SeekerLevelChanged};
use store::journal::{ActorRole, JournalEvent, JournalRecord};
use store::outbox::OutboxRecord;
use store::tx::put;
use store::{transact_retrying, AdvisorRecord, SeekerRecord, Step, TransactOutcome, Tx};

use crate::app::App;
use crate::assignment::{
    assign, move_conversation, move_seeker, moved_records, next_due_at, release_place, take_place, Placement, Queue,
    ASSIGNMENT_RETRYING,
};
use crate::views;

/// Attempts of a level change or a reassignment whose seeker had a contact recorded meanwhile:
/// each computes `nextContactDue` again from the new `lastContactAt`.
const CONTACT_RACE_ATTEMPTS: u32 = 5;

fn stale() -> ApiError {
    ApiError::conflict("concurrent_update", "the seeker changed meanwhile; reload and retry")
}

fn is_stale(error: &ApiError) -> bool {
    matches!(error, ApiError::Conflict { code: "concurrent_update", .. })
}

/// After a move's guard failed: the seeker read again when only their last contact changed (a
/// chat day or an interview done meanwhile, worth another try), else the 409 the caller must see.
async fn reread_if_only_contact_moved(app: &App, seeker: &SeekerRecord) -> Result<SeekerRecord, ApiError> {
    let fresh = app.store.seeker(&seeker.seeker_id).await?.filter(|s| !s.erased).ok_or_else(stale)?;
    let same_placement = fresh.level == seeker.level && fresh.advisor_id == seeker.advisor_id;
    if same_placement && fresh.last_contact_at != seeker.last_contact_at {
        Ok(fresh)
    } else {
        Err(stale())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LevelBody {
    level: Level,
    reason: String,
}

/// `PUT /seekers/{seekerId}/level`: history kept in the journal; reassigns when
/// the advisor's modality does not serve the new level, or puts the seeker on
/// the waiting list for a manager.
pub(crate) async fn change_level(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let body: LevelBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 500)?;
    let (mut seeker, _) =
        api::access::seeker_for_advisor_or_admin(&app.store, caller, &seeker_id, Access::Change(Resource::Level))
            .await?;
    if seeker.level == body.level {
        return Err(ApiError::unprocessable("same_level", "the seeker already has this level"));
    }
    let (actor_role, actor_id) = actor(app, caller).await?;
    let change = LevelChange { level: body.level, reason: &reason, actor_role, actor_id: actor_id.as_deref() };
    for _ in 0..CONTACT_RACE_ATTEMPTS {
        match change_level_once(app, &seeker, &change, now).await {
            Err(error) if is_stale(&error) => seeker = reread_if_only_contact_moved(app, &seeker).await?,
            Ok(moved) => {
                if moved {
                    after_move(app, &seeker, now).await;
                }
                return updated_view(app, &seeker.seeker_id, now).await;
            }
            Err(error) => return Err(error),
        }
    }
    Err(ApiError::Unavailable("the seeker's contacts kept changing during the level change".into()))
}

struct LevelChange<'a> {
    level: Level,
    reason: &'a str,
    actor_role: ActorRole,
    actor_id: Option<&'a str>,
}

/// One try of a level change from `seeker` as read; `Ok(true)` when the seeker changed advisor.
async fn change_level_once(
    app: &App,
    seeker: &SeekerRecord,
    change: &LevelChange<'_>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let current = match &seeker.advisor_id {
        Some(id) => app.store.advisor(id).await?,
        None => None,
    };
    let next_due = next_due_at(app, seeker, change.level);
    let level_changed =
        JournalEvent::LevelChanged { from: seeker.level, to: change.level, reason: change.reason.to_owned() };
    let level_entry = JournalRecord::new(
        &seeker.seeker_id,
        level_changed,
        now,
        change.actor_role,
        change.actor_id,
        app.config.retention_days,
    );

    if let Some(advisor) = current.as_ref().filter(|a| keeps_advisor(Some(a.modality), change.level)) {
        // Same advisor: only the level, the cadence and the portfolio order change.
        let mut tx = Tx::new();
        let seeker_update = tx.push(move_seeker(seeker, Some(change.level), Some(advisor), next_due, now));
        tx.push(put(level_entry.to_item()?, None));
        tx.push(put(level_email(app, seeker, change.level, next_due, now)?.to_item()?, None));
        return match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(false),
            outcome if outcome.failed(seeker_update) => Err(stale()),
            _ => Err(ApiError::Unavailable("level change conflicted with a concurrent write".into())),
        };
    }

    // The current advisor cannot follow the new level (or there is none): move the seeker.
    let old_advisor = seeker.advisor_id.clone();
    let placement = assign(
        &app.store,
        &seeker.region,
        change.level,
        old_advisor.as_deref(),
        Queue::Ignore,
        |chosen, tx| {
            let guard = tx.push(move_seeker(seeker, Some(change.level), chosen, next_due, now));
            if let Some(old) = &old_advisor {
                tx.push(release_place(old));
            }
            tx.push(put(level_entry.to_item()?, None));
            tx.push_all(moved_records(app, seeker, chosen, change.actor_role, change.actor_id, now, "level_change")?);
            Ok(guard)
        },
        stale,
    )
    .await?;
    if matches!(placement, Placement::Waiting) {
        tracing::warn!("level change left a seeker waiting for an advisor");
    }
    Ok(true)
}

/// What follows a committed move between portfolios (or to the waiting list), each step
/// idempotent and reading the seeker's current state: the chat, the upcoming interviews and open
/// in-person requests (booking's hand-over), and the place freed in the former portfolio.
pub(crate) async fn after_move(app: &App, before: &SeekerRecord, now: DateTime<Utc>) {
    let current = match app.store.seeker(&before.seeker_id).await {
        Ok(Some(seeker)) => seeker,
        Ok(None) => return,
        Err(error) => return ApiError::from(error).log(),
    };
    move_conversation(&app.store, &current.seeker_id, current.advisor_id.as_deref()).await;
    if let Err(error) = booking::handover::hand_over(&app.booking, &current.seeker_id, now).await {
        // The permission checks follow the profile, so nothing is exposed meanwhile; the next
        // hand-over of this seeker (or a retried request) finishes the move.
        error.log();
    }
    if before.advisor_id.is_some() {
        crate::waiting::drain(app, &before.region, now).await;
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReassignBody {
    advisor_id: String,
}

/// `POST /seekers/{seekerId}/reassign` (admins): to a named advisor, within capacity.
pub(crate) async fn reassign(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let seeker_id = path_param(request, "seekerId")?;
    let body: ReassignBody = parse_body(request)?;
    let change = Access::Change(Resource::Assignment);
    let (mut seeker, _) = api::access::seeker_for_advisor_or_admin(&app.store, caller, &seeker_id, change).await?;
    let target = app
        .store
        .advisor(&body.advisor_id)
        .await?
        .ok_or_else(|| ApiError::unprocessable("unknown_advisor", "no advisor has this advisorId"))?;
    if seeker.advisor_id.as_deref() == Some(target.advisor_id.as_str()) {
        return Err(ApiError::unprocessable("same_advisor", "the seeker is already in this portfolio"));
    }
    if !target.modality.serves(seeker.level) {
        return Err(ApiError::unprocessable(
            "modality_mismatch",
            format!("a {} advisor cannot follow a {} seeker", target.modality.as_str(), seeker.level.as_str()),
        ));
    }
    for _ in 0..CONTACT_RACE_ATTEMPTS {
        match reassign_once(app, caller, &seeker, &target, now).await {
            Err(error) if is_stale(&error) => seeker = reread_if_only_contact_moved(app, &seeker).await?,
            Ok(()) => {
                after_move(app, &seeker, now).await;
                return updated_view(app, &seeker.seeker_id, now).await;
            }
            Err(error) => return Err(error),
        }
    }
    Err(ApiError::Unavailable("the seeker's contacts kept changing during the reassignment".into()))
}

async fn reassign_once(
    app: &App,
    caller: &Caller,
    seeker: &SeekerRecord,
    target: &AdvisorRecord,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let next_due = next_due_at(app, seeker, seeker.level);
    transact_retrying("reassignment", ASSIGNMENT_RETRYING, |_| async move {
        let mut tx = Tx::new();
        let guard = tx.push(move_seeker(seeker, None, Some(target), next_due, now));
        let claim = tx.push(take_place(&target.advisor_id));
        if let Some(old) = &seeker.advisor_id {
            tx.push(release_place(old));
        }
        tx.push_all(moved_records(app, seeker, Some(target), ActorRole::Admin, Some(&caller.sub), now, "admin")?);
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if outcome.failed(guard) => Err(stale()),
            outcome if outcome.failed(claim) => {
                Err(ApiError::conflict("advisor_full", "this advisor's portfolio is full"))
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("reassignment cancelled: {outcome:?}"))),
        }
    })
    .await
}

fn level_email(
    app: &App,
    seeker: &SeekerRecord,
    level: Level,
    next_due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<OutboxRecord, ApiError> {
    let email = seeker.email.as_deref().ok_or_else(|| ApiError::internal("seeker without email"))?;
    let params = SeekerLevelChanged {
        first_name: seeker.first_name.clone(),
        level_label: level.label_fr(),
        next_contact_due: french_date_time(next_due),
        app_url: app.config.app_base_url.clone(),
    };
    Ok(OutboxRecord::new(Email::SeekerLevelChanged(params), email, Some(&seeker.seeker_id), now))
}

/// Who the journal names for an advisor's or admin's action.
async fn actor(app: &App, caller: &Caller) -> Result<(ActorRole, Option<String>), ApiError> {
    if caller.is_admin() {
        return Ok((ActorRole::Admin, Some(caller.sub.clone())));
    }
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    Ok((ActorRole::Advisor, Some(advisor.advisor_id)))
}

async fn updated_view(app: &App, seeker_id: &str, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = app.store.seeker(seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let advisor = match &seeker.advisor_id {
        Some(id) => app.store.advisor(id).await?,
        None => None,
    };
    Ok(json_response(StatusCode::OK, &views::seeker(&seeker, advisor.as_ref(), now)))
}
