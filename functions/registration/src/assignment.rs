//! Putting a seeker in an advisor's portfolio, atomically and never over
//! capacity: registration, level changes and admin reassignment all go
//! through [`assign`].

use std::collections::HashSet;
use std::sync::Mutex;

use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::time::{french_date_time, to_key};
use domain::{assignment_order, Candidate, Level};
use store::email_params::{AdvisorNewSeeker, Email, SeekerAdvisorChanged};
use store::journal::{ActorRole, AdvisorMove, JournalEvent, JournalRecord};
use store::keys;
use store::outbox::OutboxRecord;
use store::page::Page;
use store::tx::{put, update};
use store::{
    n, s, transact_retrying, AdvisorRecord, Held, Index, Retrying, SeekerRecord, Step, Store, TransactOutcome, Tx,
};

use crate::app::App;

/// How long a contended assignment keeps trying before it gives up with 503 (each attempt is
/// one transaction). More than the driver's default on both counts: when hundreds register at
/// once in a region (the capacity race test: 300 on one advisor of 250 places), every one of
/// them claims the same advisor item, and the last ones only learn that it is full, and go on
/// the waiting list, after many lost races; with the default 6 s budget those 50 answered 503.
/// 80 attempts is the limit the loop had before the one driver; whatever the request did
/// before, the invocation's deadline (`store::deadline`) ends the 9 s sooner when it must.
pub(crate) const ASSIGNMENT_RETRYING: Retrying =
    Retrying { max_attempts: 80, budget: std::time::Duration::from_secs(9) };

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
