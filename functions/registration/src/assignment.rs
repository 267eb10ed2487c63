//! Putting a seeker in an advisor's portfolio, atomically and never over
//! capacity: registration, level changes and admin reassignment all go
//! through [`assign`].

use std::collections::HashSet;
use std::sync::Mutex;

use api::access::{Access, Resource};
use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::follow_up::keeps_advisor;
use domain::time::{french_date_time, to_key};
use domain::{assignment_order, free_text, Candidate, Level};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::email_params::{AdvisorNewSeeker, Email, SeekerAdvisorChanged, SeekerLevelChanged};
use store::journal::{ActorRole, AdvisorMove, JournalEvent, JournalRecord};
use store::keys;
use store::outbox::OutboxRecord;
use store::page::Page;
use store::tx::{put, update};
use store::{
    n, s, transact_retrying, AdvisorRecord, Held, Index, Retrying, SeekerRecord, Step, Store, TransactOutcome, Tx,
};

use crate::{views, App};

/// How long a contended assignment keeps trying before it gives up with 503 (each attempt is
/// one transaction). More than the driver's default on both counts: when hundreds register at
/// once in a region (the capacity race test: 300 on one advisor of 250 places), every one of
/// them claims the same advisor item, and the last ones only learn that it is full, and go on
/// the waiting list, after many lost races; with the default 6 s budget those 50 answered 503.
/// 80 attempts is the limit the loop had before the one driver; whatever the request did
/// before, the invocation's deadline (`store::deadline`) ends the 9 s sooner when it must.
const ASSIGNMENT_RETRYING: Retrying = Retrying { max_attempts: 80, budget: std::time::Duration::from_secs(9) };

/// Every advisor of a region (a few hundred at most: one Query on GSI1).
pub(crate) async fn region_advisors(store: &Store, region: &str) -> Result<Vec<AdvisorRecord>, ApiError> {
    Ok(store
        .query(Index::Gsi1, keys::region_gsi1pk(region))
        .sk_prefix(keys::REGION_ADVISOR_PREFIX)
        .all_of::<AdvisorRecord>()
        .await?)
}

/// One more seeker in an advisor's portfolio, only while there is room: the capacity invariant.
pub(crate) fn take_place(advisor_id: &str) -> TransactWriteItem {
    update(keys::advisor_pk(advisor_id), keys::PROFILE, |u| {
        u.update_expression("ADD portfolioCount :one")
            .condition_expression("attribute_exists(pk) AND portfolioCount < #capacity")
            .expression_attribute_names("#capacity", "capacity")
            .expression_attribute_values(":one", n(1))
    })
}

/// One seeker fewer in an advisor's portfolio.
pub(crate) fn release_place(advisor_id: &str) -> TransactWriteItem {
    update(keys::advisor_pk(advisor_id), keys::PROFILE, |u| {
        u.update_expression("ADD portfolioCount :minus")
            .condition_expression("portfolioCount > :zero")
            .expression_attribute_values(":minus", n(-1))
            .expression_attribute_values(":zero", n(0))
    })
}

/// The seeker's place after [`assign`].
pub(crate) enum Placement {
    Assigned(Box<AdvisorRecord>),
    Waiting,
}

/// The advisors of `advisors` still worth trying, as the assignment order sees them.
fn candidates(advisors: &[AdvisorRecord], full: &HashSet<String>, exclude: Option<&str>) -> Vec<Candidate> {
    advisors
        .iter()
        .filter(|a| !full.contains(&a.advisor_id) && Some(a.advisor_id.as_str()) != exclude)
        .map(|a| Candidate {
            advisor_id: a.advisor_id.clone(),
            modality: a.modality,
            portfolio_count: a.portfolio_count,
            capacity: a.capacity,
        })
        .collect()
}

/// Whether seekers of `region` and `level` are waiting for an advisor (one key read on GSI2).
pub(crate) async fn anyone_waiting(store: &Store, region: &str, level: Level) -> Result<bool, ApiError> {
    let first = Page::first(1);
    let (items, _) = store.query(Index::Gsi2, keys::waiting_gsi2pk(region, level.as_str())).page(&first).await?;
    Ok(!items.is_empty())
}

/// How a newcomer meets the waiting list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    /// Behind the seekers of their region and level already waiting (registration): a place
    /// that frees goes to the longest waiting, never to whoever registers at that moment.
    Behind,
    /// Straight to an advisor with room (a seeker already followed who changes level).
    Ignore,
}

/// Places a seeker of `level` in `region` with the least-loaded advisor who
/// serves the level and has room, or on the waiting list.
///
/// `build` pushes the caller's items for a choice on the transaction and returns its guard
/// (whose failed condition becomes `guard_error`); `assign` adds the chosen advisor's
/// [`take_place`]. A full advisor is skipped and the next tried at once; a conflict is
/// retried after a pause.
pub(crate) async fn assign(
    store: &Store,
    region: &str,
    level: Level,
    exclude: Option<&str>,
    queue: Queue,
    build: impl Fn(Option<&AdvisorRecord>, &mut Tx) -> Result<Held, ApiError>,
    guard_error: impl Fn() -> ApiError,
) -> Result<Placement, ApiError> {
    let advisors = match queue {
        Queue::Behind if anyone_waiting(store, region, level).await? => Vec::new(),
        _ => region_advisors(store, region).await?,
    };
    // Advisors found full by a failed claim; a Mutex only so the attempts' futures stay `Send`.
    let full: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let (advisors, full, build, guard_error) = (&advisors, &full, &build, &guard_error);
    transact_retrying("assignment", ASSIGNMENT_RETRYING, |_| async move {
        let candidates = candidates(advisors, &*full.lock().map_err(poisoned)?, exclude);
        let chosen = assignment_order(level, &candidates)
            .first()
            .and_then(|c| advisors.iter().find(|a| a.advisor_id == c.advisor_id));
        let mut tx = Tx::new();
        let guard = build(chosen, &mut tx)?;
        let claim = chosen.map(|advisor| tx.push(take_place(&advisor.advisor_id)));
        Ok(match store.commit(tx).await? {
            TransactOutcome::Committed => Step::Done(match chosen {
                Some(advisor) => Placement::Assigned(Box::new(advisor.clone())),
                None => Placement::Waiting,
            }),
            outcome if outcome.failed(guard) => return Err(guard_error()),
            outcome if claim.is_some_and(|claim| outcome.failed(claim)) => {
                if let Some(advisor) = chosen {
                    full.lock().map_err(poisoned)?.insert(advisor.advisor_id.clone());
                }
                Step::Reread
            }
            outcome if outcome.conflicted() => Step::Retry,
            outcome => return Err(ApiError::internal(format!("assignment transaction cancelled: {outcome:?}"))),
        })
    })
    .await
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> ApiError {
    ApiError::internal("an assignment attempt panicked")
}

/// When `seeker`'s next contact is due at `level` (the domain's rule, with this deployment's cadence).
pub(crate) fn next_due_at(app: &App, seeker: &SeekerRecord, level: Level) -> DateTime<Utc> {
    app.config.cadence.next_contact_due(level, seeker.last_contact_at, seeker.registered_at)
}

/// GSI1 keys that put a seeker in a portfolio.
pub(crate) fn portfolio_keys(advisor_id: &str, next_due: DateTime<Utc>, seeker_id: &str) -> (String, String) {
    (keys::portfolio_gsi1pk(advisor_id), keys::portfolio_gsi1sk(&to_key(next_due), seeker_id))
}

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

/// Files the seeker's chat conversation under their new advisor (or under nobody while they
/// wait), once the move is committed. Best effort: the conversation list also checks each
/// seeker's current advisor, and the next message files it again.
pub(crate) async fn move_conversation(store: &Store, seeker_id: &str, advisor_id: Option<&str>) {
    let filed = store
        .update(&keys::conversation_pk(seeker_id), keys::SUMMARY_SK, |u| {
            let u = u.condition_expression("attribute_exists(pk)");
            match advisor_id {
                Some(id) => u
                    .update_expression("SET gsi1pk = :pk, advisorId = :advisor")
                    .expression_attribute_values(":pk", s(keys::conversations_gsi1pk(id)))
                    .expression_attribute_values(":advisor", s(id)),
                None => u.update_expression("REMOVE gsi1pk, advisorId"),
            }
        })
        .await;
    // `Ok(None)`: the condition failed, there is no chat yet.
    if let Err(error) = filed {
        ApiError::from(error).log();
    }
}

/// The waiting list's keys for a seeker who starts waiting at `since`: the national list on
/// GSI1 (`GET /admin/waiting`) and their region and level's on GSI2 (what a drain reads).
pub(crate) fn waiting_keys(region: &str, level: Level, since: DateTime<Utc>, seeker_id: &str) -> [(String, String); 2] {
    let sort = format!("{}#{}", to_key(since), seeker_id);
    [(keys::WAITING_GSI1PK.to_owned(), sort.clone()), (keys::waiting_gsi2pk(region, level.as_str()), sort)]
}

/// Moves the seeker item to `target`'s portfolio (or the waiting list), guarded by the state it was read in.
pub(crate) fn move_seeker(
    seeker: &SeekerRecord,
    new_level: Option<Level>,
    target: Option<&AdvisorRecord>,
    next_due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> TransactWriteItem {
    let level = new_level.unwrap_or(seeker.level);
    let mut values = std::collections::HashMap::from([
        (":level".to_owned(), s(level.as_str())),
        (":due".to_owned(), s(to_key(next_due))),
        (":old".to_owned(), s(seeker.level.as_str())),
        (":false".to_owned(), aws_sdk_dynamodb::types::AttributeValue::Bool(false)),
    ]);
    let set = "SET #level = :level, nextContactDue = :due, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk";
    let expression = match target {
        Some(advisor) => {
            let (gsi1pk, gsi1sk) = portfolio_keys(&advisor.advisor_id, next_due, &seeker.seeker_id);
            values.insert(":gsi1pk".to_owned(), s(gsi1pk));
            values.insert(":gsi1sk".to_owned(), s(gsi1sk));
            values.insert(":advisor".to_owned(), s(advisor.advisor_id.clone()));
            format!("{set}, advisorId = :advisor REMOVE gsi2pk, gsi2sk")
        }
        None => {
            let [(gsi1pk, gsi1sk), (gsi2pk, gsi2sk)] = waiting_keys(&seeker.region, level, now, &seeker.seeker_id);
            values.insert(":gsi1pk".to_owned(), s(gsi1pk));
            values.insert(":gsi1sk".to_owned(), s(gsi1sk));
            values.insert(":gsi2pk".to_owned(), s(gsi2pk));
            values.insert(":gsi2sk".to_owned(), s(gsi2sk));
            format!("{set}, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk REMOVE advisorId")
        }
    };
    // The contact the move computed `nextContactDue` from must still be the last one: a contact
    // recorded meanwhile (a chat day, an interview done) fails the guard and the move is redone.
    let contact_guard = match &seeker.last_contact_at {
        Some(last) => {
            values.insert(":lastContact".to_owned(), s(to_key(*last)));
            "lastContactAt = :lastContact"
        }
        None => "attribute_not_exists(lastContactAt)",
    };
    let advisor_guard = match &seeker.advisor_id {
        Some(old) => {
            values.insert(":oldAdvisor".to_owned(), s(old.clone()));
            "advisorId = :oldAdvisor"
        }
        None => "attribute_not_exists(advisorId)",
    };
    let guard = format!("#level = :old AND {advisor_guard} AND erased = :false AND {contact_guard}");
    update(keys::seeker_pk(&seeker.seeker_id), keys::PROFILE, |u| {
        u.update_expression(expression)
            .condition_expression(guard)
            .expression_attribute_names("#level", "level")
            .set_expression_attribute_values(Some(values))
    })
}

/// Journal entry and emails that go with a move between portfolios.
pub(crate) fn moved_records(
    app: &App,
    seeker: &SeekerRecord,
    target: Option<&AdvisorRecord>,
    actor_role: ActorRole,
    actor_id: Option<&str>,
    now: DateTime<Utc>,
    cause: &str,
) -> Result<Vec<TransactWriteItem>, ApiError> {
    let moved = AdvisorMove {
        from_advisor_id: seeker.advisor_id.clone(),
        to_advisor_id: target.map(|a| a.advisor_id.clone()),
        cause: cause.to_owned(),
    };
    let event = if target.is_some() { JournalEvent::Reassigned(moved) } else { JournalEvent::WaitingForAdvisor(moved) };
    let entry = JournalRecord::new(&seeker.seeker_id, event, now, actor_role, actor_id, app.config.retention_days);
    let mut items = vec![put(entry.to_item()?, None)];
    if let Some(email) = &seeker.email {
        let params = SeekerAdvisorChanged {
            first_name: seeker.first_name.clone(),
            assigned: target.is_some(),
            advisor_name: target.map(AdvisorRecord::display_name),
            app_url: app.config.app_base_url.clone(),
        };
        let outbox = OutboxRecord::new(Email::SeekerAdvisorChanged(params), email, Some(&seeker.seeker_id), now);
        items.push(put(outbox.to_item()?, None));
    }
    if let Some(advisor) = target {
        items.push(put(new_seeker_email(app, advisor, seeker, seeker.level, now)?.to_item()?, None));
    }
    Ok(items)
}

/// The advisor's "new seeker in your portfolio" email; it names the seeker, so it lives in the seeker's partition.
pub(crate) fn new_seeker_email(
    app: &App,
    advisor: &AdvisorRecord,
    seeker: &SeekerRecord,
    level: Level,
    now: DateTime<Utc>,
) -> Result<OutboxRecord, ApiError> {
    let due = next_due_at(app, seeker, level);
    let params = AdvisorNewSeeker {
        advisor_first_name: advisor.first_name.clone(),
        seeker_name: seeker.display_name(),
        level_label: level.label_fr(),
        next_contact_due: french_date_time(due),
        app_url: format!("{}/conseiller/demandeurs/{}", app.config.app_base_url, seeker.seeker_id),
    };
    Ok(OutboxRecord::new(Email::AdvisorNewSeeker(params), &advisor.email, Some(&seeker.seeker_id), now))
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
