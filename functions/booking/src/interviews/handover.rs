//! A seeker's upcoming interviews when they change advisor (level change, reassignment): each
//! moves to the new advisor when the new advisor's agenda is free at that time (the same granule
//! conditions as every interview), otherwise it is cancelled, with a French email to the seeker
//! and a journal entry. Without a new advisor (the seeker waits) they are cancelled.

use api::ApiError;
use chrono::{DateTime, Utc};
use domain::time::to_key;
use store::interview::{
    clear_reminders, granules, hold_granules, release_granules, reopen_slot_if_held, InterviewRecord, InterviewStatus,
};
use store::journal::{ActorRole, JournalEvent};
use store::{keys, n, s, AdvisorRecord, Index, SeekerRecord, TransactOutcome, Tx};

use super::{guarded, journal, load, outbox_items};
use crate::app::App;
use crate::emails::{self, Parties};

/// Reads of an interview changed meanwhile (rescheduled, cancelled) before it is left alone.
const ATTEMPTS: u32 = 3;

/// What the seeker reads in the cancellation email.
const NEW_ADVISOR_BUSY: &str = "Votre suivi est confié à un nouveau conseiller, qui n'est pas disponible à cette heure-là. Il vous proposera un autre rendez-vous.";
const NO_ADVISOR_YET: &str = "Votre suivi change de conseiller. Votre nouveau conseiller vous proposera un autre rendez-vous dès qu'il vous sera attribué.";

/// How one interview was handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handed {
    Moved,
    Cancelled,
    /// Changed meanwhile (no longer booked, or already with the target).
    Left,
}

/// Hands over every upcoming booked interview of `seeker` that is not in `target`'s agenda.
pub(crate) async fn hand_over_interviews(
    app: &App,
    seeker: &SeekerRecord,
    target: Option<&AdvisorRecord>,
    now: DateTime<Utc>,
) -> Result<Vec<Handed>, ApiError> {
    let upcoming: Vec<InterviewRecord> = app
        .store
        .query(Index::Gsi2, keys::seeker_interviews_gsi2pk(&seeker.seeker_id))
        .sk_between(to_key(now), "9999")
        .all_of()
        .await?;
    let mut handed = Vec::new();
    for interview in upcoming {
        if needs_hand_over(&interview, target, now) {
            handed.push(hand_over_one(app, seeker, interview, target, now).await?);
        }
    }
    Ok(handed)
}

fn needs_hand_over(interview: &InterviewRecord, target: Option<&AdvisorRecord>, now: DateTime<Utc>) -> bool {
    interview.status == InterviewStatus::Booked
        && interview.start_at() > now
        && Some(interview.advisor_id.as_str()) != target.map(|a| a.advisor_id.as_str())
}

async fn hand_over_one(
    app: &App,
    seeker: &SeekerRecord,
    mut interview: InterviewRecord,
    target: Option<&AdvisorRecord>,
    now: DateTime<Utc>,
) -> Result<Handed, ApiError> {
    for _ in 0..ATTEMPTS {
        let former = app
            .store
            .advisor(&interview.advisor_id)
            .await?
            .ok_or_else(|| ApiError::internal("interview without advisor"))?;
        let outcome = match target {
            Some(new) => match move_to(app, seeker, &interview, &former, new, now).await? {
                Some(outcome) => outcome,
                // The new advisor's agenda is taken at that time.
                None => cancel(app, seeker, &interview, &former, NEW_ADVISOR_BUSY, now).await?,
            },
            None => cancel(app, seeker, &interview, &former, NO_ADVISOR_YET, now).await?,
        };
        if let Some(handed) = outcome {
            return Ok(handed);
        }
        // Changed since read: read it again.
        match load(app, &interview.interview_id).await? {
            Some(fresh) if needs_hand_over(&fresh, target, now) => interview = fresh,
            _ => return Ok(Handed::Left),
        }
    }
    Err(ApiError::Unavailable("an interview kept changing during its hand-over".into()))
}

/// The interview in `new`'s agenda, same time, channel and place: `Some(Some(Moved))` when
/// committed, `None` when `new`'s agenda is taken, `Some(None)` when the interview changed.
async fn move_to(
    app: &App,
    seeker: &SeekerRecord,
    interview: &InterviewRecord,
    former: &AdvisorRecord,
    new: &AdvisorRecord,
    now: DateTime<Utc>,
) -> Result<Option<Option<Handed>>, ApiError> {
    let mut moved = interview.clone();
    moved.advisor_id = new.advisor_id.clone();
    moved.sequence += 1;
    moved.slot_id = None;
    let times = granules(interview.start_at(), interview.end_at());

    let mut tx = Tx::new();
    let guard = tx.push(guarded(
        interview,
        "SET advisorId = :advisor, gsi1pk = :agenda, #sequence = :next REMOVE slotId",
        |u| {
            u.expression_attribute_values(":advisor", s(new.advisor_id.clone()))
                .expression_attribute_values(":agenda", s(moved.agenda_key().pk))
                .expression_attribute_values(":next", n(moved.sequence))
        },
    ));
    // The former advisor's slot opens again for their other seekers.
    if let Some(slot_id) = &interview.slot_id {
        tx.push_all(reopen_slot_if_held(&app.store, slot_id, &interview.interview_id).await?);
    }
    tx.push_all(release_granules(interview, times.clone()));
    let held = tx.push_all(hold_granules(&moved, times));
    let event = |interview| JournalEvent::InterviewHandedOver {
        interview,
        from_advisor_id: former.advisor_id.clone(),
        to_advisor_id: new.advisor_id.clone(),
    };
    tx.push(journal(app, &moved, event, ActorRole::System, None, now)?);
    tx.push_all(outbox_items(emails::handed_over(app, interview, &moved, seeker, former, new, now))?);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview handed over to the new advisor");
            Ok(Some(Some(Handed::Moved)))
        }
        outcome if outcome.failed(guard) || outcome.conflicted() => Ok(Some(None)),
        outcome if outcome.any_failed(&held) => Ok(None),
        outcome => Err(ApiError::internal(format!("interview hand-over cancelled: {outcome:?}"))),
    }
}

/// Cancels the interview for the service: `Some(Cancelled)`, or `None` when it changed meanwhile.
async fn cancel(
    app: &App,
    seeker: &SeekerRecord,
    interview: &InterviewRecord,
    former: &AdvisorRecord,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Option<Handed>, ApiError> {
    let mut cancelled = interview.clone();
    cancelled.status = InterviewStatus::Cancelled;
    cancelled.sequence += 1;
    cancelled.cancelled_at = Some(now);
    cancelled.cancel_reason = Some(reason.to_owned());
    cancelled.cancelled_by = Some(ActorRole::System);

    let mut tx = Tx::new();
    let guard = tx.push(guarded(
        interview,
        "SET #status = :cancelled, #sequence = :next, cancelledAt = :now, cancelReason = :reason, cancelledBy = :by",
        |u| {
            u.expression_attribute_values(":cancelled", s("cancelled"))
                .expression_attribute_values(":next", n(cancelled.sequence))
                .expression_attribute_values(":now", s(to_key(now)))
                .expression_attribute_values(":reason", s(reason))
                .expression_attribute_values(":by", s("system"))
        },
    ));
    if let Some(slot_id) = &interview.slot_id {
        tx.push_all(reopen_slot_if_held(&app.store, slot_id, &interview.interview_id).await?);
    }
    tx.push_all(release_granules(interview, granules(interview.start_at(), interview.end_at())));
    tx.push_all(clear_reminders(interview));
    let event =
        |interview| JournalEvent::Cancelled { interview, reason: reason.to_owned(), cause: Some("advisor_changed") };
    tx.push(journal(app, interview, event, ActorRole::System, None, now)?);
    let parties = Parties { seeker, advisor: former };
    tx.push_all(outbox_items(emails::cancelled(app, &cancelled, &parties, "le service de suivi", reason, now))?);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview cancelled by the change of advisor");
            Ok(Some(Handed::Cancelled))
        }
        outcome if outcome.failed(guard) || outcome.conflicted() => Ok(None),
        outcome => Err(ApiError::internal(format!("interview hand-over cancelled: {outcome:?}"))),
    }
}
