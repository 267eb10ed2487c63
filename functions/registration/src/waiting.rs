//! Draining the waiting list: when a place may have freed in a region (an advisor created, a
//! seeker erased or moved out of a portfolio) or a seeker starts waiting, the seekers of that
//! region waiting for a level some advisor there serves and has room for are placed, longest
//! waiting first, under the very capacity condition of registration, and both people are
//! emailed. It runs in the request that freed the place, after its commit, and never fails it.

use std::collections::HashMap;
use std::time::Duration;

use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::{assignment_order, Candidate, Level};
use store::journal::ActorRole;
use store::keys;
use store::tx::update;
use store::{n, transact_retrying, AdvisorRecord, Index, Page, Retrying, SeekerRecord, Step, TransactOutcome, Tx};

use crate::app::App;
use crate::assignment::{move_conversation, move_seeker, moved_records, next_due_at, region_advisors};

/// Seekers placed by one transaction: each adds four items (profile, journal entry, two
/// emails) and each advisor chosen one counter, so 20 stay within DynamoDB's 100 items.
const BATCH: usize = 20;

/// How long one drain keeps at it: batches and lost races, within the function's 10 s timeout
/// once the request's own work is done. What is left (a capacity of hundreds freed at once)
/// is placed by the next drain of the region (docs/architecture.md: "How the invariants hold").
const DRAIN_RETRYING: Retrying = Retrying { max_attempts: 60, budget: Duration::from_secs(5) };

const LEVELS: [Level; 3] = [Level::Reinforced, Level::Guided, Level::FollowUp];

/// Places the waiting seekers of `region` that its advisors have room for; how many were placed.
/// Errors are logged, not returned: the change that called it is committed already.
pub(crate) async fn drain(app: &App, region: &str, now: DateTime<Utc>) -> usize {
    let placed = std::sync::atomic::AtomicUsize::new(0);
    let result =
        transact_retrying("waiting list drain", DRAIN_RETRYING, |_| drain_batch(app, region, &placed, now)).await;
    let placed = placed.into_inner();
    if placed > 0 {
        tracing::info!(placed, "waiting seekers placed");
    }
    if let Err(error) = result {
        error.log();
    }
    placed
}

/// One batch: read the advisors and the oldest waiting seekers, place as many as fit in one
/// transaction. `Done` when nobody waiting can be placed; `Reread` after a committed batch or a
/// failed condition (someone else placed a seeker or took a place first).
async fn drain_batch(
    app: &App,
    region: &str,
    placed: &std::sync::atomic::AtomicUsize,
    now: DateTime<Utc>,
) -> Result<Step<()>, ApiError> {
    let advisors = region_advisors(&app.store, region).await?;
    let open_levels: Vec<Level> = LEVELS
        .into_iter()
        .filter(|level| advisors.iter().any(|a| a.modality.serves(*level) && a.portfolio_count < a.capacity))
        .collect();
    let mut waiting: Vec<SeekerRecord> = Vec::new();
    for level in open_levels {
        let first = Page::first(BATCH as i32);
        let (seekers, _) = app
            .store
            .query(Index::Gsi2, keys::waiting_gsi2pk(region, level.as_str()))
            .page_of::<SeekerRecord>(&first)
            .await?;
        waiting.extend(seekers.into_iter().filter(|s| !s.erased && s.advisor_id.is_none()));
    }
    // Longest waiting first across levels: the sort key starts with the instant they began to wait.
    waiting.sort_by(|a, b| a.gsi2sk.cmp(&b.gsi2sk));

    let mut taken: HashMap<&str, u32> = HashMap::new();
    let mut chosen: Vec<(&SeekerRecord, &AdvisorRecord)> = Vec::new();
    for seeker in &waiting {
        if chosen.len() == BATCH {
            break;
        }
        let candidates: Vec<Candidate> = advisors
            .iter()
            .map(|a| Candidate {
                advisor_id: a.advisor_id.clone(),
                modality: a.modality,
                portfolio_count: a.portfolio_count + taken.get(a.advisor_id.as_str()).copied().unwrap_or(0),
                capacity: a.capacity,
            })
            .collect();
        let Some(best) = assignment_order(seeker.level, &candidates).into_iter().next() else {
            continue;
        };
        let Some(advisor) = advisors.iter().find(|a| a.advisor_id == best.advisor_id) else {
            continue;
        };
        *taken.entry(advisor.advisor_id.as_str()).or_default() += 1;
        chosen.push((seeker, advisor));
    }
    if chosen.is_empty() {
        return Ok(Step::Done(()));
    }

    let mut tx = Tx::new();
    let mut conditions = Vec::new();
    for (seeker, advisor) in &chosen {
        let next_due = next_due_at(app, seeker, seeker.level);
        conditions.push(tx.push(move_seeker(seeker, None, Some(advisor), next_due, now)));
        tx.push_all(moved_records(app, seeker, Some(advisor), ActorRole::System, None, now, "waiting_list")?);
    }
    for (advisor_id, places) in &taken {
        if let Some(advisor) = advisors.iter().find(|a| a.advisor_id == *advisor_id) {
            conditions.push(tx.push(take_places(advisor, *places)));
        }
    }
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            placed.fetch_add(chosen.len(), std::sync::atomic::Ordering::Relaxed);
            for (seeker, advisor) in &chosen {
                move_conversation(&app.store, &seeker.seeker_id, Some(&advisor.advisor_id)).await;
            }
            Ok(Step::Reread)
        }
        // A seeker placed, erased or moved meanwhile, or an advisor fuller than read: read again.
        outcome if conditions.iter().any(|held| outcome.failed(*held)) => Ok(Step::Reread),
        outcome if outcome.conflicted() => Ok(Step::Retry),
        outcome => Err(ApiError::internal(format!("waiting list drain cancelled: {outcome:?}"))),
    }
}

/// `places` more seekers in an advisor's portfolio, only if they all fit: the capacity condition
/// of [`crate::assignment::take_place`] for several at once (the capacity read must still hold).
fn take_places(advisor: &AdvisorRecord, places: u32) -> TransactWriteItem {
    update(keys::advisor_pk(&advisor.advisor_id), keys::PROFILE, |u| {
        u.update_expression("ADD portfolioCount :places")
            .condition_expression("attribute_exists(pk) AND #capacity = :capacity AND portfolioCount <= :highest")
            .expression_attribute_names("#capacity", "capacity")
            .expression_attribute_values(":places", n(places))
            .expression_attribute_values(":capacity", n(advisor.capacity))
            .expression_attribute_values(":highest", n(advisor.capacity.saturating_sub(places)))
    })
}
