//! `POST /interviews`: a seeker books one of their advisor's open slots; and
//! `POST /seekers/{seekerId}/interviews`: the advisor books one of them for a seeker of theirs.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use chrono::{DateTime, Utc};
use domain::interview::{phone_caller_for, phone_for, PhoneCaller};
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::journal::{ActorRole, JournalEvent};
use store::keys;
use store::Keyed;
use store::{transact_retrying, Retrying, Step, TransactOutcome, Tx};

use super::schedule::{new_interview, push_new_interview, seeker_erased, Author};
use super::{claim_slot, slot_taken};
use crate::app::App;
use crate::emails::{self, Parties};
use crate::records::{SlotRecord, SlotState};
use crate::views;
use store::interview::InterviewRecord;
use store::{AdvisorRecord, SeekerRecord};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BookBody {
    slot_id: String,
    channel: Channel,
    /// Who dials a phone interview (default: the advisor calls the seeker).
    #[serde(default)]
    caller: Option<PhoneCaller>,
}

fn slot_not_found() -> ApiError {
    ApiError::NotFound { code: "slot_not_found", message: "no such slot of your advisor".into() }
}

/// `POST /interviews`.
pub(crate) async fn book(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let body: BookBody = parse_body(request)?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let advisor_id = seeker.advisor_id.clone().ok_or_else(slot_not_found)?;
    let author = Author { journal: JournalEvent::InterviewBooked, role: ActorRole::Seeker, id: &seeker.seeker_id };
    let interview = book_slot(app, &seeker, &advisor_id, &body, &author, now).await?;
    tracing::info!("interview booked");
    Ok(json_response(StatusCode::CREATED, &views::interview(&interview)))
}

/// `POST /seekers/{seekerId}/interviews`: the seeker's advisor books one of their own open
/// slots for them (a usual interview, not a convocation: the seeker may cancel or move it).
pub(crate) async fn book_for_seeker(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let body: BookBody = parse_body(request)?;
    let change = api::access::Access::Change(api::access::Resource::Interview);
    let (seeker, advisor) = api::access::seeker_for_advisor(&app.store, caller, &seeker_id, change).await?;
    let author = Author { journal: JournalEvent::InterviewBooked, role: ActorRole::Advisor, id: &advisor.advisor_id };
    let interview = book_slot(app, &seeker, &advisor.advisor_id, &body, &author, now).await?;
    tracing::info!("interview booked by the advisor");
    Ok(json_response(StatusCode::CREATED, &views::interview(&interview)))
}

/// Books `body.slot_id`, an open slot of `advisor_id`, for `seeker`: the slot's claim, the
/// agenda's granules, the journal entry of `author` and both emails in one transaction.
async fn book_slot(
    app: &App,
    seeker: &SeekerRecord,
    advisor_id: &str,
    body: &BookBody,
    author: &Author<'_>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    let slot: SlotRecord = app
        .store
        .get(&keys::slot_pk(&body.slot_id), keys::SLOT_SK)
        .await?
        // A pending occurrence (its series still being created) does not exist yet.
        .filter(|s: &SlotRecord| s.advisor_id == advisor_id && s.state != SlotState::Pending)
        .ok_or_else(slot_not_found)?;
    check_bookable(app, &slot, body.channel, now)?;
    let advisor = app.store.advisor(advisor_id).await?.ok_or_else(slot_not_found)?;
    let phone = phone_for(body.channel, seeker.phone.as_deref())?;
    let agency = app.config.agency_phone_number.as_ref().map(|p| p.as_str());
    let (phone_caller, agency_number) = phone_caller_for(body.channel, body.caller, agency)?;
    let location = (body.channel == Channel::InPerson).then(|| in_person_place(app, &slot, &advisor));
    let mut interview = new_interview(
        seeker,
        advisor_id,
        slot.start_at(),
        slot.duration_minutes,
        body.channel,
        false,
        location,
        phone,
        now,
    );
    interview.slot_id = Some(slot.slot_id.clone());
    interview.caller = phone_caller;
    interview.agency_number = agency_number;
    let parties = Parties { seeker, advisor: &advisor };

    let (interview_ref, parties, slot) = (&interview, &parties, &slot);
    transact_retrying("booking", Retrying::default(), |attempt| async move {
        // After a lost race (the driver has paused): another booking of the same slot may have won meanwhile.
        if attempt > 0 {
            let current: Option<SlotRecord> = app.store.get(&slot.pk(), &slot.sk()).await?;
            if current.is_none_or(|s| s.state != SlotState::Open) {
                return Err(slot_taken());
            }
        }
        let mut tx = Tx::new();
        let emails = emails::booked(app, interview_ref, parties, now);
        let guards = push_new_interview(&mut tx, app, interview_ref, author, emails, now)?;
        let claim = tx.push(claim_slot(slot, interview_ref));
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if outcome.failed(guards.seeker) => Err(seeker_erased()),
            outcome if outcome.failed(claim) => Err(slot_taken()),
            outcome if outcome.any_failed(&guards.granules) => {
                Err(ApiError::conflict("agenda_conflict", "the advisor is no longer available at that time"))
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("booking cancelled: {outcome:?}"))),
        }
    })
    .await?;
    Ok(interview)
}

/// Where an in-person interview in `slot` takes place: the slot's place; for a slot made before
/// slots had one, the advisor's agency, else the service's general wording.
pub(crate) fn in_person_place(app: &App, slot: &SlotRecord, advisor: &AdvisorRecord) -> String {
    slot.place
        .clone()
        .or_else(|| advisor.agency_address.clone())
        .unwrap_or_else(|| app.policy.link_in_person_location.clone())
}

/// A slot is booked (by the seeker or for them) when it offers the channel, within the notice and the horizon.
fn check_bookable(app: &App, slot: &SlotRecord, channel: Channel, now: DateTime<Utc>) -> Result<(), ApiError> {
    if !slot.channels.contains(&channel) {
        return Err(ApiError::unprocessable("channel_not_offered", "this slot does not offer that channel"));
    }
    if slot.start_at() < now + app.policy.min_notice {
        return Err(ApiError::unprocessable("too_late", "this slot starts too soon to be booked"));
    }
    if slot.start_at() > now + app.policy.seeker_horizon {
        return Err(ApiError::unprocessable("too_far_ahead", "this slot is beyond the booking horizon"));
    }
    Ok(())
}
