//! A new interview's record and the items that write it, shared by a booking, a convocation
//! and an accepted in-person request.

use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Duration, Utc};
use domain::{free_text, Channel};
use store::interview::{granules, hold_granules, set_reminders, InterviewRecord, InterviewStatus};
use store::journal::{ActorRole, InterviewFacts, JournalEvent};
use store::outbox::OutboxRecord;
use store::tx::{put, seeker_not_erased};
use store::{transact_retrying, Held, HeldMany, Keyed, Retrying, SeekerRecord, Step, TransactOutcome, Tx};

use super::{journal, outbox_items};
use crate::app::App;

/// A new interview of `seeker` with `advisor`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_interview(
    seeker: &SeekerRecord,
    advisor_id: &str,
    start: DateTime<Utc>,
    duration_minutes: u32,
    channel: Channel,
    mandatory: bool,
    location: Option<String>,
    phone_number: Option<String>,
    now: DateTime<Utc>,
) -> InterviewRecord {
    let interview_id = ulid::Ulid::new().to_string();
    let end = start + Duration::minutes(i64::from(duration_minutes));
    InterviewRecord {
        interview_id,
        seeker_id: seeker.seeker_id.clone(),
        advisor_id: advisor_id.to_owned(),
        slot_id: None,
        request_id: None,
        start,
        end,
        duration_minutes,
        channel,
        mandatory,
        location,
        phone_number,
        expires_at: Some(store::interview::interview_expiry(end, mandatory)),
        caller: Default::default(),
        agency_number: None,
        status: InterviewStatus::Booked,
        sequence: 0,
        acknowledged_at: None,
        version: 1,
        convocations: Vec::new(),
        channel_history: Vec::new(),
        outcome_note: None,
        outcome_at: None,
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
        meeting_id: None,
        created_at: now,
    }
}

/// A location is required in person, and meaningless otherwise.
pub(crate) fn location_for(channel: Channel, location: Option<&str>) -> Result<Option<String>, ApiError> {
    match (channel, location) {
        (Channel::InPerson, Some(place)) => Ok(Some(free_text("location", place, 300)?)),
        (Channel::InPerson, None) => {
            Err(ApiError::unprocessable("location_required", "an in-person interview needs a location"))
        }
        (_, Some(_)) => {
            Err(ApiError::unprocessable("unexpected_location", "only in-person interviews take a location"))
        }
        (_, None) => Ok(None),
    }
}

/// Who writes a new interview, and under which journal kind.
pub(crate) struct Author<'a> {
    pub journal: fn(InterviewFacts) -> JournalEvent,
    pub role: ActorRole,
    pub id: &'a str,
}

/// What a new interview's transaction holds that may fail on its own.
pub(crate) struct NewInterviewGuards {
    /// A failed one is a taken time.
    pub granules: HeldMany,
    /// Failed: the seeker was erased meanwhile (nothing about them may be written).
    pub seeker: Held,
}

/// The answer when the seeker of a write was erased before it committed.
pub(crate) fn seeker_erased() -> ApiError {
    ApiError::not_found("no such seeker")
}

/// Pushes a new interview on `tx`: the interview, its granules, its reminders, its journal
/// entry and its emails, under the condition that the seeker is not erased.
pub(crate) fn push_new_interview(
    tx: &mut Tx,
    app: &App,
    interview: &InterviewRecord,
    author: &Author<'_>,
    emails: Vec<OutboxRecord>,
    now: DateTime<Utc>,
) -> Result<NewInterviewGuards, ApiError> {
    let seeker = tx.push(seeker_not_erased(&interview.seeker_id));
    tx.push(put(interview.to_item()?, Some("attribute_not_exists(pk)")));
    let granules = tx.push_all(hold_granules(interview, granules(interview.start_at(), interview.end_at())));
    tx.push_all(set_reminders(interview, now)?);
    tx.push(journal(app, interview, author.journal, author.role, Some(author.id), now)?);
    tx.push_all(outbox_items(emails)?);
    Ok(NewInterviewGuards { granules, seeker })
}

/// Writes a new interview at a time the advisor chose (convocation, accepted in-person
/// request), with `extra` items in the same transaction, retrying lost races.
pub(crate) async fn schedule(
    app: &App,
    interview: &InterviewRecord,
    journal: fn(InterviewFacts) -> JournalEvent,
    advisor_id: &str,
    emails: Vec<OutboxRecord>,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let author = Author { journal, role: ActorRole::Advisor, id: advisor_id };
    let (author, emails, extra) = (&author, &emails, &extra);
    transact_retrying("scheduling", Retrying::default(), |_| async move {
        let mut tx = Tx::new();
        let guards = push_new_interview(&mut tx, app, interview, author, emails.clone(), now)?;
        let extra = tx.push_all(extra.iter().cloned());
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if outcome.failed(guards.seeker) => Err(seeker_erased()),
            outcome if outcome.any_failed(&guards.granules) => {
                Err(ApiError::conflict("agenda_taken", "you already have an interview at that time"))
            }
            outcome if outcome.any_failed(&extra) => {
                Err(ApiError::conflict("concurrent_update", "this changed meanwhile; reload and retry"))
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("scheduling cancelled: {outcome:?}"))),
        }
    })
    .await
}
