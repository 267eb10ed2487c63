//! Interviews: booking a slot, convoking, reading, cancelling, rescheduling, acknowledging,
//! switching channel, extending a running one and recording the outcome, one module per route family. Each route
//! parses, authorises, asks `domain::interview` whether the change is allowed, builds one
//! transaction (the change with its journal entry, its emails and its agenda granules, so a
//! refused or lost race leaves nothing half-written) and commits it. The email links
//! (`crate::ops`) call the same functions with their own items added.

mod acknowledge;
mod book;
mod cancel;
mod channel;
mod convoke;
mod extend;
mod handover;
mod outcome;
mod read;
mod reschedule;
mod schedule;

pub(crate) use acknowledge::{acknowledge, acknowledge_as};
pub(crate) use book::{book, book_for_seeker};
pub(crate) use cancel::{cancel, cancel_as};
pub(crate) use channel::switch_channel;
pub(crate) use convoke::convoke;
pub(crate) use extend::extend;
pub(crate) use handover::hand_over_interviews;
pub use handover::Handed;
pub(crate) use outcome::record_outcome;
pub(crate) use read::{agenda, get, list_for_seeker};
pub(crate) use reschedule::reschedule;
pub(crate) use schedule::{location_for, new_interview, schedule};

use api::auth::Caller;
use api::ApiError;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::interview::InterviewState;
use store::interview::InterviewRecord;
use store::journal::{ActorRole, InterviewFacts, JournalEvent, JournalRecord};
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::{put, update};
use store::Keyed;
use store::{n, s, AdvisorRecord, SeekerRecord};

use crate::app::App;
use crate::records::SlotRecord;

/// The caller's part in an interview.
pub(crate) enum Participant {
    Seeker(SeekerRecord),
    Advisor(AdvisorRecord),
}

impl Participant {
    pub fn role(&self) -> ActorRole {
        match self {
            Participant::Seeker(_) => ActorRole::Seeker,
            Participant::Advisor(_) => ActorRole::Advisor,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Participant::Seeker(s) => &s.seeker_id,
            Participant::Advisor(a) => &a.advisor_id,
        }
    }
}

/// What the domain's rules read of a stored interview.
pub(crate) fn state(interview: &InterviewRecord) -> InterviewState {
    InterviewState {
        status: interview.status,
        mandatory: interview.mandatory,
        start: interview.start_at(),
        end: interview.end_at(),
        channel: interview.channel,
        acknowledged: interview.acknowledged_at.is_some(),
    }
}

pub(crate) async fn load(app: &App, interview_id: &str) -> Result<Option<InterviewRecord>, ApiError> {
    app.store.get(&keys::interview_pk(interview_id), keys::INTERVIEW_SK).await.map_err(ApiError::from)
}

pub(crate) fn not_yours() -> ApiError {
    ApiError::not_found("no such interview of yours")
}

/// The interview and the caller's part in it; 404 for anyone else. The seeker's advisor's
/// `access` is recorded in the audit trail.
pub(crate) async fn interview_for(
    app: &App,
    caller: &Caller,
    interview_id: &str,
    access: api::access::Access,
) -> Result<(InterviewRecord, Participant), ApiError> {
    let interview = load(app, interview_id).await?.ok_or_else(not_yours)?;
    if caller.is_advisor() {
        let advisor = api::access::caller_advisor(&app.store, caller).await?;
        // The seeker's current advisor, whoever's agenda the interview sits in (a reassignment).
        if api::access::follows(&app.store, &advisor.advisor_id, &interview.seeker_id, access).await? {
            return Ok((interview, Participant::Advisor(advisor)));
        }
    } else if caller.is_seeker() {
        let seeker = api::access::caller_seeker(&app.store, caller).await?;
        if seeker.seeker_id == interview.seeker_id {
            return Ok((interview, Participant::Seeker(seeker)));
        }
    }
    Err(not_yours())
}

/// Both people of an interview, read fresh (the seeker may have been erased: then without personal data).
async fn parties(app: &App, interview: &InterviewRecord) -> Result<(SeekerRecord, AdvisorRecord), ApiError> {
    let seeker =
        app.store.seeker(&interview.seeker_id).await?.ok_or_else(|| ApiError::internal("interview without seeker"))?;
    let advisor = app
        .store
        .advisor(&interview.advisor_id)
        .await?
        .ok_or_else(|| ApiError::internal("interview without advisor"))?;
    Ok((seeker, advisor))
}

/// The journal entry of a change to `interview`: the `event` of the interview's facts.
fn journal(
    app: &App,
    interview: &InterviewRecord,
    event: impl FnOnce(InterviewFacts) -> JournalEvent,
    actor: ActorRole,
    actor_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TransactWriteItem, ApiError> {
    let event = event(InterviewFacts::of(interview));
    let entry = JournalRecord::new(&interview.seeker_id, event, now, actor, actor_id, app.config.retention_days);
    Ok(put(entry.to_item()?, None))
}

fn outbox_items(emails: Vec<OutboxRecord>) -> Result<Vec<TransactWriteItem>, ApiError> {
    emails.iter().map(|e| Ok(put(e.to_item()?, None))).collect()
}

/// Guards an interview update on the state it was read in.
fn guarded(
    interview: &InterviewRecord,
    set: &str,
    build: impl FnOnce(UpdateBuilder) -> UpdateBuilder,
) -> TransactWriteItem {
    let sequence = interview.sequence;
    let status = interview.status.as_str();
    update(interview.pk(), &interview.sk(), |u| {
        build(
            u.update_expression(set)
                .condition_expression("#status = :current AND #sequence = :sequence")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#sequence", "sequence")
                .expression_attribute_values(":current", s(status))
                .expression_attribute_values(":sequence", n(sequence)),
        )
    })
}

/// A [`guarded`] update failed: the interview changed since it was read.
fn stale() -> ApiError {
    ApiError::conflict("concurrent_update", "the interview changed meanwhile; reload and retry")
}

fn slot_taken() -> ApiError {
    ApiError::conflict("slot_taken", "someone booked this slot first")
}

/// The slot goes from open to booked, naming the interview and its seeker, or the whole
/// transaction fails.
fn claim_slot(slot: &SlotRecord, interview: &InterviewRecord) -> TransactWriteItem {
    update(slot.pk(), &slot.sk(), |u| {
        u.update_expression("SET #state = :booked, interviewId = :interview, bookedBy = :seeker")
            .condition_expression("#state = :open")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":booked", s("booked"))
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":interview", s(interview.interview_id.clone()))
            .expression_attribute_values(":seeker", s(interview.seeker_id.clone()))
    })
}
