//! Interviews: booking a slot, convoking, reading, cancelling, rescheduling,
//! acknowledging, switching channel and recording the outcome. Every change
//! is one transaction with its journal entry, its emails and its agenda
//! granules, so a refused or lost race leaves nothing half-written.

use std::collections::BTreeSet;

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param, query_param, ListBody, Page};
use api::ApiError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use domain::time::{parse_instant, to_key};
use domain::{free_text, Channel};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;
use store::contact::contact_update;
use store::interview::{
    clear_reminders, granules, hold_granules, release_granules, reopen_slot, set_reminders, start_sort_key,
    ChannelChange, InterviewRecord, InterviewStatus,
};
use store::journal::{ActorRole, JournalRecord};
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::{backoff, put, update};
use store::{from_item, n, s, to_item, AdvisorRecord, QuerySpec, SeekerRecord, TransactOutcome};

use crate::emails::{self, Parties};
use crate::records::{SlotRecord, SlotState};
use crate::slots::range;
use crate::{views, App};

/// Attempts of a transaction that keeps meeting concurrent writers before 503.
const MAX_ATTEMPTS: u32 = 40;

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

pub(crate) async fn load(app: &App, interview_id: &str) -> Result<Option<InterviewRecord>, ApiError> {
    app.store.get(&keys::interview_pk(interview_id), keys::INTERVIEW_SK).await.map_err(ApiError::from)
}

/// The interview and the caller's part in it; 404 for anyone else.
pub(crate) async fn interview_for(
    app: &App,
    caller: &Caller,
    interview_id: &str,
) -> Result<(InterviewRecord, Participant), ApiError> {
    let not_found = || ApiError::not_found("no such interview of yours");
    let interview = load(app, interview_id).await?.ok_or_else(not_found)?;
    if caller.is_advisor() {
        let advisor = api::access::caller_advisor(&app.store, caller).await?;
        if advisor.advisor_id == interview.advisor_id {
            return Ok((interview, Participant::Advisor(advisor)));
        }
    } else if caller.is_seeker() {
        let seeker = api::access::caller_seeker(&app.store, caller).await?;
        if seeker.seeker_id == interview.seeker_id {
            return Ok((interview, Participant::Seeker(seeker)));
        }
    }
    Err(not_found())
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

fn journal(
    app: &App,
    interview: &InterviewRecord,
    kind: &str,
    actor: ActorRole,
    actor_id: Option<&str>,
    mut details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<TransactWriteItem, ApiError> {
    details["interviewId"] = json!(interview.interview_id);
    details["start"] = json!(interview.start);
    details["channel"] = json!(interview.channel);
    details["mandatory"] = json!(interview.mandatory);
    let entry =
        JournalRecord::new(&interview.seeker_id, kind, now, actor, actor_id, details, app.config.retention_days);
    Ok(put(entry.to_item()?, None))
}

fn outbox_items(emails: Vec<OutboxRecord>) -> Result<Vec<TransactWriteItem>, ApiError> {
    emails.iter().map(|e| Ok(put(e.to_item()?, None))).collect()
}

/// The phone number an advisor calls for a phone interview.
fn phone_for(channel: Channel, seeker: &SeekerRecord) -> Result<Option<String>, ApiError> {
    match channel {
        Channel::Phone => seeker.phone.clone().map(Some).ok_or_else(|| {
            ApiError::unprocessable(
                "phone_required",
                "a phone interview needs the seeker's phone number in their profile",
            )
        }),
        _ => Ok(None),
    }
}

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
        pk: keys::interview_pk(&interview_id),
        sk: keys::INTERVIEW_SK.into(),
        gsi1pk: keys::agenda_gsi1pk(advisor_id),
        gsi1sk: start_sort_key(start, &interview_id),
        gsi2pk: keys::seeker_interviews_gsi2pk(&seeker.seeker_id),
        gsi2sk: start_sort_key(start, &interview_id),
        interview_id,
        seeker_id: seeker.seeker_id.clone(),
        advisor_id: advisor_id.to_owned(),
        slot_id: None,
        request_id: None,
        start: to_key(start),
        end: to_key(end),
        duration_minutes,
        channel,
        mandatory,
        location,
        phone_number,
        status: InterviewStatus::Booked,
        sequence: 0,
        acknowledged_at: None,
        convocation_email_id: None,
        channel_history: Vec::new(),
        outcome_note: None,
        outcome_at: None,
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
        meeting_id: None,
        created_at: to_key(now),
    }
}

/// Index of the first granule item in a transaction built by [`schedule_items`].
const FIRST_GRANULE: usize = 1;

/// Writes a new interview: the interview (item 0), its granules (from item 1), reminders, journal and emails.
pub(crate) fn schedule_items(
    app: &App,
    interview: &InterviewRecord,
    journal_kind: &str,
    actor: ActorRole,
    actor_id: &str,
    emails: Vec<OutboxRecord>,
    now: DateTime<Utc>,
) -> Result<(Vec<TransactWriteItem>, std::ops::Range<usize>), ApiError> {
    let mut items = vec![put(to_item(interview)?, Some("attribute_not_exists(pk)"))];
    let held = hold_granules(interview, granules(interview.start_at(), interview.end_at()));
    let range = FIRST_GRANULE..FIRST_GRANULE + held.len();
    items.extend(held);
    items.extend(set_reminders(interview, now)?);
    items.push(journal(app, interview, journal_kind, actor, Some(actor_id), json!({}), now)?);
    items.extend(outbox_items(emails)?);
    Ok((items, range))
}

fn any_failed(outcome: &TransactOutcome, range: std::ops::Range<usize>) -> bool {
    range.into_iter().any(|i| outcome.condition_failed(i))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BookBody {
    slot_id: String,
    channel: Channel,
}

/// `POST /interviews`: a seeker books one of their advisor's open slots.
pub(crate) async fn book(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let body: BookBody = parse_body(request)?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let not_found = || ApiError::NotFound { code: "slot_not_found", message: "no such slot of your advisor".into() };
    let advisor_id = seeker.advisor_id.clone().ok_or_else(not_found)?;
    let slot: SlotRecord = app
        .store
        .get(&keys::slot_pk(&body.slot_id), keys::SLOT_SK)
        .await?
        .filter(|s: &SlotRecord| s.advisor_id == advisor_id)
        .ok_or_else(not_found)?;
    if !slot.channels.contains(&body.channel) {
        return Err(ApiError::unprocessable("channel_not_offered", "this slot does not offer that channel"));
    }
    if slot.start_at() < now + app.policy.min_notice {
        return Err(ApiError::unprocessable("too_late", "this slot starts too soon to be booked"));
    }
    if slot.start_at() > now + app.policy.seeker_horizon {
        return Err(ApiError::unprocessable("too_far_ahead", "this slot is beyond the booking horizon"));
    }
    let advisor = app.store.advisor(&advisor_id).await?.ok_or_else(not_found)?;
    let phone = phone_for(body.channel, &seeker)?;
    let mut interview = new_interview(
        &seeker,
        &advisor_id,
        slot.start_at(),
        slot.duration_minutes,
        body.channel,
        false,
        None,
        phone,
        now,
    );
    interview.slot_id = Some(slot.slot_id.clone());
    let parties = Parties { seeker: &seeker, advisor: &advisor };

    let taken = || ApiError::conflict("slot_taken", "someone booked this slot first");
    for attempt in 0..MAX_ATTEMPTS {
        let (mut items, granule_range) = schedule_items(
            app,
            &interview,
            "interview_booked",
            ActorRole::Seeker,
            &seeker.seeker_id,
            emails::booked(app, &interview, &parties, now),
            now,
        )?;
        // The slot goes from open to booked, naming the winner, or the whole booking fails.
        let claim_index = items.len();
        items.push(update(slot.pk.clone(), &slot.sk, |u| {
            u.update_expression("SET #state = :booked, interviewId = :interview, bookedBy = :seeker")
                .condition_expression("#state = :open")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":booked", s("booked"))
                .expression_attribute_values(":open", s("open"))
                .expression_attribute_values(":interview", s(interview.interview_id.clone()))
                .expression_attribute_values(":seeker", s(seeker.seeker_id.clone()))
        }));
        match app.store.transact(items).await? {
            TransactOutcome::Committed => {
                tracing::info!("interview booked");
                return Ok(json_response(StatusCode::CREATED, &views::interview(&interview)));
            }
            outcome if outcome.condition_failed(claim_index) => return Err(taken()),
            outcome if any_failed(&outcome, granule_range) => {
                return Err(ApiError::conflict("agenda_conflict", "your advisor is no longer available at that time"))
            }
            outcome if outcome.conflicted() => {
                backoff(attempt).await;
                // Another booking of the same slot may have won meanwhile.
                let current: Option<SlotRecord> = app.store.get(&slot.pk, &slot.sk).await?;
                if current.is_none_or(|s| s.state != SlotState::Open) {
                    return Err(taken());
                }
            }
            outcome => return Err(ApiError::internal(format!("booking cancelled: {outcome:?}"))),
        }
    }
    Err(ApiError::Unavailable("booking kept conflicting with concurrent writes".into()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConvokeBody {
    start: String,
    duration_minutes: u32,
    channel: Channel,
    #[serde(default)]
    location: Option<String>,
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

/// Writes a new interview at a time the advisor chose (convocation, accepted in-person request), retrying conflicts.
pub(crate) async fn schedule(
    app: &App,
    interview: &InterviewRecord,
    journal_kind: &str,
    advisor_id: &str,
    emails: Vec<OutboxRecord>,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    for attempt in 0..MAX_ATTEMPTS {
        let (mut items, granule_range) =
            schedule_items(app, interview, journal_kind, ActorRole::Advisor, advisor_id, emails.clone(), now)?;
        let extra_start = items.len();
        items.extend(extra.iter().cloned());
        match app.store.transact(items).await? {
            TransactOutcome::Committed => return Ok(()),
            outcome if any_failed(&outcome, granule_range) => {
                return Err(ApiError::conflict("agenda_taken", "you already have an interview at that time"))
            }
            outcome if any_failed(&outcome, extra_start..extra_start + extra.len()) => {
                return Err(ApiError::conflict("concurrent_update", "this changed meanwhile; reload and retry"))
            }
            outcome if outcome.conflicted() => backoff(attempt).await,
            outcome => return Err(ApiError::internal(format!("scheduling cancelled: {outcome:?}"))),
        }
    }
    Err(ApiError::Unavailable("scheduling kept conflicting with concurrent writes".into()))
}

/// `POST /seekers/{seekerId}/convocations`: a mandatory interview, by the seeker's advisor.
pub(crate) async fn convoke(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let body: ConvokeBody = parse_body(request)?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let seeker = app
        .store
        .seeker(&seeker_id)
        .await?
        .filter(|s| !s.erased && s.advisor_id.as_deref() == Some(advisor.advisor_id.as_str()))
        .ok_or_else(|| ApiError::not_found("no such seeker in your portfolio"))?;
    let start = parse_instant("start", &body.start)?;
    app.policy.check_advisor_start(start, now)?;
    if start < now + app.policy.min_notice {
        return Err(ApiError::unprocessable("too_late", "a convocation must leave the seeker the minimum notice"));
    }
    app.policy.check_duration(body.duration_minutes)?;
    let location = location_for(body.channel, body.location.as_deref())?;
    let phone = phone_for(body.channel, &seeker)?;
    let mut interview = new_interview(
        &seeker,
        &advisor.advisor_id,
        start,
        body.duration_minutes,
        body.channel,
        true,
        location,
        phone,
        now,
    );
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    let email = emails::convocation(app, &interview, &parties, now);
    interview.convocation_email_id = email.as_ref().map(|e| e.email_id.clone());
    schedule(app, &interview, "convoked", &advisor.advisor_id, email.into_iter().collect(), Vec::new(), now).await?;
    tracing::info!("seeker convoked");
    Ok(json_response(StatusCode::CREATED, &views::interview(&interview)))
}

/// `GET /interviews/{interviewId}`: its seeker or its advisor.
pub(crate) async fn get(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, _) = interview_for(app, caller, &interview_id).await?;
    let mut view = views::interview(&interview);
    if let Some(email_id) = &interview.convocation_email_id {
        // The proof of notification: when the convocation left, and when it was acknowledged.
        let sent: Option<serde_json::Value> = app
            .store
            .get::<serde_json::Value>(&keys::seeker_pk(&interview.seeker_id), &keys::outbox_sk(email_id))
            .await?;
        let sent_at = sent.as_ref().and_then(|e| e["sentAt"].as_str()).map(views::paris);
        view["convocation"] = json!({
            "sentAt": sent_at,
            "acknowledgedAt": view["acknowledgedAt"].clone(),
        });
    }
    Ok(json_response(StatusCode::OK, &view))
}

async fn interviews_page(
    app: &App,
    index: &str,
    partition: String,
    between: (String, String),
    ascending: bool,
    page: &Page,
) -> Result<(Vec<serde_json::Value>, Option<String>), ApiError> {
    let mut spec = QuerySpec::partition(Some(index), partition, ascending);
    spec.sort_between = Some(between);
    let (items, next) = app.store.query_page(&spec, page).await?;
    let views = items
        .into_iter()
        .map(|i| from_item::<InterviewRecord>(i).map(|r| views::interview(&r)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((views, next))
}

/// `GET /seekers/me/interviews?scope=upcoming|past|all`: upcoming ones soonest first, past ones latest first.
pub(crate) async fn list_for_seeker(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let scope = query_param(request, "scope").unwrap_or_else(|| "all".into());
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let partition = keys::seeker_interviews_gsi2pk(&seeker.seeker_id);
    let (low, high, ascending) = match scope.as_str() {
        "upcoming" => (to_key(now), "9999".to_owned(), true),
        "past" => ("0000".to_owned(), to_key(now), false),
        "all" => ("0000".to_owned(), "9999".to_owned(), true),
        _ => return Err(ApiError::bad_request("invalid_scope", "scope must be upcoming, past or all")),
    };
    let (items, next_cursor) = interviews_page(app, keys::GSI2, partition, (low, high), ascending, &page).await?;
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// `GET /advisors/me/agenda?from=&to=`: the advisor's interviews in a range.
pub(crate) async fn agenda(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let (from, to) = range(request, now - Duration::days(1), Duration::days(31))?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let (items, next_cursor) = interviews_page(
        app,
        keys::GSI1,
        keys::agenda_gsi1pk(&advisor.advisor_id),
        (to_key(from), to_key(to)),
        true,
        &page,
    )
    .await?;
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// Guards an interview update on the state it was read in.
fn guarded(
    interview: &InterviewRecord,
    set: &str,
    build: impl FnOnce(aws_sdk_dynamodb::types::builders::UpdateBuilder) -> aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> TransactWriteItem {
    let sequence = interview.sequence;
    let status = interview.status.as_str();
    update(interview.pk.clone(), &interview.sk, |u| {
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

fn stale() -> ApiError {
    ApiError::conflict("concurrent_update", "the interview changed meanwhile; reload and retry")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CancelBody {
    reason: String,
}

/// `POST /interviews/{interviewId}/cancel`: the seeker (not a convocation) or the advisor; frees the slot.
pub(crate) async fn cancel(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: CancelBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 500)?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    let cancelled = cancel_as(app, interview, &who, &reason, Vec::new(), now).await?;
    Ok(json_response(StatusCode::OK, &views::interview(&cancelled)))
}

/// Cancels `interview` for `who`, with `extra` items in the same transaction (a link's use).
pub(crate) async fn cancel_as(
    app: &App,
    interview: InterviewRecord,
    who: &Participant,
    reason: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    let reason = reason.to_owned();
    if interview.mandatory && matches!(who, Participant::Seeker(_)) {
        return Err(ApiError::Forbidden {
            code: "mandatory_interview",
            message: "a mandatory interview cannot be cancelled; tell your advisor if you cannot attend".into(),
        });
    }
    if interview.status != InterviewStatus::Booked {
        return Err(ApiError::conflict("not_booked", "only a booked interview can be cancelled"));
    }
    if interview.start_at() <= now {
        return Err(ApiError::conflict("already_started", "the interview has already started"));
    }
    let (seeker, advisor) = parties(app, &interview).await?;
    let mut cancelled = interview.clone();
    cancelled.status = InterviewStatus::Cancelled;
    cancelled.sequence += 1;
    cancelled.cancelled_at = Some(to_key(now));
    cancelled.cancel_reason = Some(reason.clone());
    cancelled.cancelled_by = Some(who.role());
    let by_label = match who {
        Participant::Seeker(_) => "le demandeur d'emploi",
        Participant::Advisor(_) => "votre conseiller",
    };

    let mut items =
        vec![guarded(
        &interview,
        "SET #status = :cancelled, #sequence = :next, cancelledAt = :now, cancelReason = :reason, cancelledBy = :by",
        |u| {
            u.expression_attribute_values(":cancelled", s("cancelled"))
                .expression_attribute_values(":next", n(cancelled.sequence))
                .expression_attribute_values(":now", s(to_key(now)))
                .expression_attribute_values(":reason", s(reason.clone()))
                .expression_attribute_values(":by", s(match who.role() {
                    ActorRole::Seeker => "seeker",
                    _ => "advisor",
                }))
        },
    )];
    if let Some(slot_id) = &interview.slot_id {
        items.push(reopen_slot(slot_id, &interview.interview_id));
    }
    items.extend(release_granules(&interview, granules(interview.start_at(), interview.end_at())));
    items.extend(clear_reminders(&interview));
    items.push(journal(app, &interview, "cancelled", who.role(), Some(who.id()), json!({"reason": reason}), now)?);
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    items.extend(outbox_items(emails::cancelled(app, &cancelled, &parties, by_label, &reason, now))?);
    items.extend(extra);
    commit_guarded(app, items).await?;
    tracing::info!("interview cancelled");
    Ok(cancelled)
}

/// Commits a transaction whose item 0 is guarded by [`guarded`]: a failed guard is a stale read (409).
async fn commit_guarded(app: &App, items: Vec<TransactWriteItem>) -> Result<(), ApiError> {
    match app.store.transact(items).await? {
        TransactOutcome::Committed => Ok(()),
        outcome if outcome.condition_failed(0) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("interview update cancelled: {outcome:?}"))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RescheduleBody {
    slot_id: String,
}

/// `POST /interviews/{interviewId}/reschedule`: to another open slot of the same advisor, in one transaction.
pub(crate) async fn reschedule(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: RescheduleBody = parse_body(request)?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    if interview.mandatory && matches!(who, Participant::Seeker(_)) {
        return Err(ApiError::Forbidden {
            code: "mandatory_interview",
            message: "a mandatory interview cannot be moved by the seeker; contact your advisor".into(),
        });
    }
    if interview.status != InterviewStatus::Booked {
        return Err(ApiError::conflict("not_booked", "only a booked interview can be rescheduled"));
    }
    if interview.start_at() <= now {
        return Err(ApiError::conflict("already_started", "the interview has already started"));
    }
    if interview.slot_id.as_deref() == Some(body.slot_id.as_str()) {
        return Err(ApiError::unprocessable("same_slot", "the interview is already in this slot"));
    }
    let not_found = || ApiError::NotFound { code: "slot_not_found", message: "no such slot of this advisor".into() };
    let slot: SlotRecord = app
        .store
        .get(&keys::slot_pk(&body.slot_id), keys::SLOT_SK)
        .await?
        .filter(|s: &SlotRecord| s.advisor_id == interview.advisor_id)
        .ok_or_else(not_found)?;
    if !slot.channels.contains(&interview.channel) {
        return Err(ApiError::unprocessable("channel_not_offered", "this slot does not offer the interview's channel"));
    }
    let earliest = match who {
        Participant::Seeker(_) => now + app.policy.min_notice,
        Participant::Advisor(_) => now,
    };
    if slot.start_at() < earliest {
        return Err(ApiError::unprocessable("too_late", "this slot starts too soon"));
    }
    if slot.state != SlotState::Open {
        return Err(ApiError::conflict("slot_taken", "someone booked this slot first"));
    }
    let (seeker, advisor) = parties(app, &interview).await?;

    let mut moved = interview.clone();
    moved.slot_id = Some(slot.slot_id.clone());
    moved.start = slot.start.clone();
    moved.end = slot.end.clone();
    moved.duration_minutes = slot.duration_minutes;
    moved.gsi1sk = start_sort_key(slot.start_at(), &interview.interview_id);
    moved.gsi2sk = moved.gsi1sk.clone();
    moved.sequence += 1;

    let mut items = vec![guarded(
        &interview,
        "SET #start = :start, #end = :end, durationMinutes = :duration, slotId = :slot, gsi1sk = :sort, gsi2sk = :sort, #sequence = :next",
        |u| {
            u.expression_attribute_names("#start", "start")
                .expression_attribute_names("#end", "end")
                .expression_attribute_values(":start", s(moved.start.clone()))
                .expression_attribute_values(":end", s(moved.end.clone()))
                .expression_attribute_values(":duration", n(moved.duration_minutes))
                .expression_attribute_values(":slot", s(slot.slot_id.clone()))
                .expression_attribute_values(":sort", s(moved.gsi1sk.clone()))
                .expression_attribute_values(":next", n(moved.sequence))
        },
    )];
    let claim_index = items.len();
    items.push(update(slot.pk.clone(), &slot.sk, |u| {
        u.update_expression("SET #state = :booked, interviewId = :interview, bookedBy = :seeker")
            .condition_expression("#state = :open")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":booked", s("booked"))
            .expression_attribute_values(":open", s("open"))
            .expression_attribute_values(":interview", s(interview.interview_id.clone()))
            .expression_attribute_values(":seeker", s(interview.seeker_id.clone()))
    }));
    if let Some(old_slot) = &interview.slot_id {
        items.push(reopen_slot(old_slot, &interview.interview_id));
    }
    // One operation per item in a transaction: only the granules that change are touched.
    let before: BTreeSet<String> = granules(interview.start_at(), interview.end_at()).into_iter().collect();
    let after: BTreeSet<String> = granules(moved.start_at(), moved.end_at()).into_iter().collect();
    items.extend(release_granules(&interview, before.difference(&after).cloned()));
    let hold_start = items.len();
    let held = hold_granules(&moved, after.difference(&before).cloned());
    let hold_range = hold_start..hold_start + held.len();
    items.extend(held);
    items.extend(set_reminders(&moved, now)?);
    items.push(journal(
        app,
        &moved,
        "rescheduled",
        who.role(),
        Some(who.id()),
        json!({"previousStart": interview.start}),
        now,
    )?);
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    items.extend(outbox_items(emails::rescheduled(app, &moved, &parties, interview.start_at(), now))?);
    match app.store.transact(items).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview rescheduled");
            Ok(json_response(StatusCode::OK, &views::interview(&moved)))
        }
        outcome if outcome.condition_failed(claim_index) => {
            Err(ApiError::conflict("slot_taken", "someone booked this slot first"))
        }
        outcome if any_failed(&outcome, hold_range) => {
            Err(ApiError::conflict("agenda_conflict", "the advisor is not available at that time"))
        }
        outcome if outcome.condition_failed(0) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("reschedule cancelled: {outcome:?}"))),
    }
}

/// `POST /interviews/{interviewId}/acknowledge`: the seeker confirms receiving a convocation (kept as proof).
pub(crate) async fn acknowledge(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    let Participant::Seeker(seeker) = &who else {
        return Err(ApiError::forbidden("only the convoked seeker acknowledges a convocation"));
    };
    let acknowledged = acknowledge_as(app, interview, &seeker.seeker_id, Vec::new(), now).await?;
    Ok(json_response(StatusCode::OK, &views::interview(&acknowledged)))
}

/// Records the acknowledgement of a convocation by its seeker, with `extra` items in the same transaction.
pub(crate) async fn acknowledge_as(
    app: &App,
    interview: InterviewRecord,
    seeker_id: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    let interview_id = interview.interview_id.clone();
    if !interview.mandatory {
        return Err(ApiError::unprocessable("not_a_convocation", "only a convocation is acknowledged"));
    }
    if interview.acknowledged_at.is_some() {
        return Ok(interview);
    }
    let mut items = vec![
        update(interview.pk.clone(), &interview.sk, |u| {
            u.update_expression("SET acknowledgedAt = :now")
                .condition_expression("attribute_not_exists(acknowledgedAt)")
                .expression_attribute_values(":now", s(to_key(now)))
        }),
        journal(app, &interview, "acknowledged", ActorRole::Seeker, Some(seeker_id), json!({}), now)?,
    ];
    items.extend(extra);
    match app.store.transact(items).await? {
        TransactOutcome::Committed => {
            let mut acknowledged = interview;
            acknowledged.acknowledged_at = Some(to_key(now));
            Ok(acknowledged)
        }
        // Acknowledged meanwhile (a double click, the email link): the first time stands.
        _ => load(app, &interview_id).await?.ok_or_else(|| ApiError::not_found("no such interview")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChannelBody {
    channel: Channel,
    reason: String,
}

/// How long after its end an interview's channel may still be corrected.
const CHANNEL_SWITCH_GRACE_MINUTES: i64 = 30;

/// `POST /interviews/{interviewId}/channel`: the advisor switches channel during the interview (video failed: phone).
pub(crate) async fn switch_channel(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: ChannelBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 500)?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    let Participant::Advisor(advisor) = &who else {
        return Err(ApiError::forbidden("only the advisor switches an interview's channel"));
    };
    if interview.status != InterviewStatus::Booked {
        return Err(ApiError::conflict("not_booked", "only a booked interview changes channel"));
    }
    if now > interview.end_at() + Duration::minutes(CHANNEL_SWITCH_GRACE_MINUTES) {
        return Err(ApiError::conflict("interview_over", "the interview is over"));
    }
    if body.channel == interview.channel {
        return Err(ApiError::unprocessable("same_channel", "the interview already uses this channel"));
    }
    if body.channel == Channel::InPerson {
        return Err(ApiError::unprocessable(
            "invalid_channel_switch",
            "a remote interview cannot switch to in person; convoke or accept an in-person request instead",
        ));
    }
    let seeker = app.store.seeker(&interview.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let phone = phone_for(body.channel, &seeker)?;
    let change = ChannelChange {
        from: interview.channel,
        to: body.channel,
        reason: reason.clone(),
        at: to_key(now),
        by: ActorRole::Advisor,
    };
    let mut switched = interview.clone();
    switched.channel = body.channel;
    switched.phone_number = phone.clone().or(interview.phone_number.clone());
    switched.channel_history.push(change.clone());
    let change_item =
        serde_dynamo::to_attribute_value::<_, AttributeValue>(&change).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let items = vec![
        guarded(
            &interview,
            "SET channel = :channel, channelHistory = list_append(if_not_exists(channelHistory, :empty), :change), phoneNumber = :phone",
            |u| {
                u.expression_attribute_values(":channel", s(body.channel.as_str()))
                    .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                    .expression_attribute_values(":change", AttributeValue::L(vec![change_item]))
                    .expression_attribute_values(
                        ":phone",
                        switched.phone_number.clone().map(s).unwrap_or(AttributeValue::Null(true)),
                    )
            },
        ),
        journal(
            app,
            &interview,
            "channel_switched",
            ActorRole::Advisor,
            Some(&advisor.advisor_id),
            json!({"from": interview.channel, "to": body.channel, "reason": reason}),
            now,
        )?,
    ];
    commit_guarded(app, items).await?;
    tracing::info!("interview channel switched");
    Ok(json_response(StatusCode::OK, &views::interview(&switched)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Completed,
    NoShow,
    JustifiedAbsence,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OutcomeBody {
    outcome: Outcome,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /interviews/{interviewId}/outcome`: held, no-show or justified absence; a held interview is a contact.
pub(crate) async fn record_outcome(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: OutcomeBody = parse_body(request)?;
    let note = body.note.as_deref().map(|n| free_text("note", n, 2000)).transpose()?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    let Participant::Advisor(advisor) = &who else {
        return Err(ApiError::forbidden("only the advisor records an interview's outcome"));
    };
    let status = match body.outcome {
        Outcome::Completed => InterviewStatus::Completed,
        Outcome::NoShow => InterviewStatus::NoShow,
        Outcome::JustifiedAbsence => InterviewStatus::JustifiedAbsence,
    };
    // A no-show later justified (the seeker sent a certificate) may be corrected; nothing else is rewritten.
    let allowed = interview.status == InterviewStatus::Booked
        || (interview.status == InterviewStatus::NoShow && status == InterviewStatus::JustifiedAbsence);
    if !allowed {
        return Err(ApiError::conflict("outcome_recorded", "this interview's outcome is already recorded"));
    }
    if interview.start_at() > now {
        return Err(ApiError::unprocessable("too_early", "an outcome is recorded once the interview has started"));
    }
    let mut done = interview.clone();
    done.status = status;
    done.outcome_note = note.clone();
    done.outcome_at = Some(to_key(now));

    for attempt in 0..MAX_ATTEMPTS {
        let mut items =
            vec![guarded(&interview, "SET #status = :outcome, outcomeAt = :now, outcomeNote = :note", |u| {
                u.expression_attribute_values(":outcome", s(status.as_str()))
                    .expression_attribute_values(":now", s(to_key(now)))
                    .expression_attribute_values(":note", note.clone().map(s).unwrap_or(AttributeValue::Null(true)))
            })];
        items.push(journal(
            app,
            &interview,
            status.as_str(),
            ActorRole::Advisor,
            Some(&advisor.advisor_id),
            match &note {
                Some(text) => json!({"note": text}),
                None => json!({}),
            },
            now,
        )?);
        let contact_index = items.len();
        if status == InterviewStatus::Completed {
            // A held interview is a contact, recorded in the same transaction.
            let seeker =
                app.store.seeker(&interview.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
            items.extend(contact_update(&seeker, &app.config.cadence, interview.start_at()));
        }
        match app.store.transact(items).await? {
            TransactOutcome::Committed => return Ok(json_response(StatusCode::OK, &views::interview(&done))),
            outcome if outcome.condition_failed(0) => return Err(stale()),
            // The seeker's profile changed between the read and the write: read it again.
            outcome if outcome.condition_failed(contact_index) || outcome.conflicted() => backoff(attempt).await,
            outcome => return Err(ApiError::internal(format!("outcome cancelled: {outcome:?}"))),
        }
    }
    Err(ApiError::Unavailable("outcome kept conflicting with concurrent writes".into()))
}
