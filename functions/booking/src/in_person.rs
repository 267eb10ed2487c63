//! "The job seeker keeps the option of asking for a physical interview":
//! requests, the advisor's open list, and the answer (an interview booked, or
//! a message). One open request per seeker at a time.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param, ListBody};
use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::time::{parse_instant, to_key};
use domain::{free_text, Channel};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::journal::{ActorRole, JournalEvent, JournalRecord};
use store::keys;
use store::tx::{delete as tx_delete, put, update};
use store::{s, Index, Keyed, TransactOutcome, Tx};

use crate::app::App;
use crate::emails::{self, Parties};
use crate::interviews::{location_for, new_interview, schedule};
use crate::records::{InPersonRecord, RequestStatus};
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RequestBody {
    reason: String,
}

/// `POST /seekers/me/in-person-requests`.
pub(crate) async fn request(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let body: RequestBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 1000)?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let advisor_id = seeker
        .advisor_id
        .clone()
        .ok_or_else(|| ApiError::conflict("no_advisor", "you will be able to ask once an advisor follows you"))?;
    let advisor = app.store.advisor(&advisor_id).await?.ok_or_else(|| ApiError::internal("advisor missing"))?;
    let request_id = ulid::Ulid::new().to_string();
    // The follow-up's retention, as the journal entry that records the request.
    let expires = (now + chrono::Duration::days(i64::from(app.config.retention_days))).timestamp();
    let record = InPersonRecord {
        request_id: request_id.clone(),
        seeker_id: seeker.seeker_id.clone(),
        advisor_id: advisor_id.clone(),
        reason: reason.clone(),
        status: RequestStatus::Open,
        created_at: now,
        answered_at: None,
        interview_id: None,
        message: None,
        expires_at: Some(expires),
    };
    let lock = [
        ("pk".to_owned(), s(keys::seeker_pk(&seeker.seeker_id))),
        ("sk".to_owned(), s(keys::IN_PERSON_OPEN_SK)),
        ("requestId".to_owned(), s(request_id.clone())),
        ("expiresAt".to_owned(), store::n(expires)),
    ]
    .into_iter()
    .collect();
    let entry = JournalRecord::new(
        &seeker.seeker_id,
        JournalEvent::InPersonRequested { request_id: request_id.clone(), reason: reason.clone() },
        now,
        ActorRole::Seeker,
        Some(&seeker.seeker_id),
        app.config.retention_days,
    );
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    let mut tx = Tx::new();
    let one_open = tx.push(put(lock, Some("attribute_not_exists(pk)")));
    tx.push(put(record.to_item()?, Some("attribute_not_exists(pk)")));
    tx.push(put(entry.to_item()?, None));
    tx.push(put(emails::in_person_requested(app, &parties, &request_id, &reason, now).to_item()?, None));
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => Ok(json_response(StatusCode::CREATED, &views::in_person(&record))),
        outcome if outcome.failed(one_open) => {
            Err(ApiError::conflict("request_open", "you already have an open in-person request"))
        }
        _ => Err(ApiError::Unavailable("request conflicted; retry".into())),
    }
}

/// `GET /advisors/me/in-person-requests`: the open requests of the portfolio, oldest first.
pub(crate) async fn list_open(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let (requests, next_cursor) = app
        .store
        .query(Index::Gsi1, keys::in_person_open_gsi1pk(&advisor.advisor_id))
        .page_of::<InPersonRecord>(&page)
        .await?;
    // A request left under a former advisor (a hand-over not finished) is not theirs any more.
    let profiles: Vec<(String, String)> =
        requests.iter().map(|r| (keys::seeker_pk(&r.seeker_id), keys::PROFILE.to_owned())).collect();
    let followed: std::collections::HashSet<String> = app
        .store
        .get_many::<store::SeekerRecord>(&profiles)
        .await?
        .into_iter()
        .filter(|s| !s.erased && s.advisor_id.as_deref() == Some(advisor.advisor_id.as_str()))
        .map(|s| s.seeker_id)
        .collect();
    let items: Vec<_> = requests.iter().filter(|r| followed.contains(&r.seeker_id)).map(views::in_person).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// `GET /seekers/me/in-person-requests`: the caller's own requests, newest first, with their
/// status and the advisor's answer (GSI2 `SEEKER_INPERSON#<seekerId>`, one Query).
pub(crate) async fn list_own(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let (requests, next_cursor) = app
        .store
        .query(Index::Gsi2, keys::seeker_in_person_gsi2pk(&seeker.seeker_id))
        .newest_first()
        .page_of::<InPersonRecord>(&page)
        .await?;
    let items: Vec<_> = requests.iter().map(views::in_person).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// The open request of the calling advisor, or 404 / 409.
async fn open_request_of(
    app: &App,
    caller: &Caller,
    request_id: &str,
) -> Result<(InPersonRecord, store::AdvisorRecord), ApiError> {
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let record = open_request_for(app, &advisor, request_id).await?;
    Ok((record, advisor))
}

/// The open request `request_id` of `advisor`'s portfolio, or 404 / 409.
pub(crate) async fn open_request_for(
    app: &App,
    advisor: &store::AdvisorRecord,
    request_id: &str,
) -> Result<InPersonRecord, ApiError> {
    let record: InPersonRecord = app
        .store
        .get(&keys::in_person_pk(request_id), keys::IN_PERSON_SK)
        .await?
        .filter(|r: &InPersonRecord| r.advisor_id == advisor.advisor_id)
        .ok_or_else(not_in_portfolio)?;
    // The seeker's current advisor only: a reassignment takes the request away from the former one.
    let answer = api::access::Access::Change(api::access::Resource::InPersonRequest);
    if !api::access::follows(&app.store, &advisor.advisor_id, &record.seeker_id, answer).await? {
        return Err(not_in_portfolio());
    }
    if record.status != RequestStatus::Open {
        return Err(ApiError::conflict("already_answered", "this request has already been answered"));
    }
    Ok(record)
}

fn not_in_portfolio() -> ApiError {
    ApiError::not_found("no such request of your portfolio")
}

/// Closes a request (answered): out of the open list, the seeker may ask again. Two items:
/// the request's answer (it fails once the request is answered) and the release of the
/// seeker's one open request.
fn close_items(
    record: &InPersonRecord,
    status: &str,
    now: DateTime<Utc>,
    set_extra: &str,
    extra: Vec<(&str, String)>,
) -> (TransactWriteItem, TransactWriteItem) {
    let expression = format!("SET #status = :status, answeredAt = :now{set_extra} REMOVE gsi1pk, gsi1sk");
    let (pk, sk) = record.key();
    (
        update(pk, &sk, |u| {
            let mut u = u
                .update_expression(expression)
                .condition_expression("#status = :open")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status))
                .expression_attribute_values(":open", s("open"))
                .expression_attribute_values(":now", s(to_key(now)));
            for (name, value) in extra {
                u = u.expression_attribute_values(name, s(value));
            }
            u
        }),
        tx_delete(keys::seeker_pk(&record.seeker_id), keys::IN_PERSON_OPEN_SK, None),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AcceptBody {
    start: String,
    duration_minutes: u32,
    location: String,
}

/// `POST /in-person-requests/{requestId}/accept`: books an in-person interview at the time and place given.
pub(crate) async fn accept(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let request_id = path_param(request, "requestId")?;
    let body: AcceptBody = parse_body(request)?;
    let start = parse_instant("start", &body.start)?;
    app.policy.check_advisor_start(start, now)?;
    app.policy.check_duration(body.duration_minutes)?;
    let location = location_for(Channel::InPerson, Some(&body.location))?;
    let (record, advisor) = open_request_of(app, caller, &request_id).await?;
    let (record, interview) =
        accept_as(app, &advisor, record, start, body.duration_minutes, location, Vec::new(), now).await?;
    Ok(json_response(
        StatusCode::OK,
        &views::Accepted { request: views::in_person(&record), interview: views::interview(&interview) },
    ))
}

/// Books the in-person interview of an open request at `start`, with `extra` items in the same transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn accept_as(
    app: &App,
    advisor: &store::AdvisorRecord,
    record: InPersonRecord,
    start: DateTime<Utc>,
    duration_minutes: u32,
    location: Option<String>,
    extra_items: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<(InPersonRecord, store::interview::InterviewRecord), ApiError> {
    let request_id = record.request_id.clone();
    let seeker = app
        .store
        .seeker(&record.seeker_id)
        .await?
        .filter(|s| !s.erased)
        .ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let mut interview = new_interview(
        &seeker,
        &advisor.advisor_id,
        start,
        duration_minutes,
        Channel::InPerson,
        false,
        location,
        None,
        now,
    );
    interview.request_id = Some(request_id.clone());
    let parties = Parties { seeker: &seeker, advisor };
    let emails = emails::booked(app, &interview, &parties, now);
    let (answer, open_lock) = close_items(
        &record,
        "accepted",
        now,
        ", interviewId = :interview",
        vec![(":interview", interview.interview_id.clone())],
    );
    // Written with the interview: a request answered meanwhile fails it (409 concurrent_update).
    let extra = [answer, open_lock].into_iter().chain(extra_items).collect();
    schedule(app, &interview, JournalEvent::InPersonAccepted, &advisor.advisor_id, emails, extra, now).await?;
    tracing::info!("in-person request accepted");
    let record = InPersonRecord {
        status: RequestStatus::Accepted,
        answered_at: Some(now),
        interview_id: Some(interview.interview_id.clone()),
        ..record
    };
    Ok((record, interview))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeclineBody {
    message: String,
}

/// `POST /in-person-requests/{requestId}/decline`: answers with a message.
pub(crate) async fn decline(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let request_id = path_param(request, "requestId")?;
    let body: DeclineBody = parse_body(request)?;
    let message = free_text("message", &body.message, 1000)?;
    let (record, advisor) = open_request_of(app, caller, &request_id).await?;
    let record = decline_as(app, &advisor, record, &message, Vec::new(), now).await?;
    Ok(json_response(StatusCode::OK, &views::in_person(&record)))
}

/// Declines an open request with `message`, with `extra` items in the same transaction.
pub(crate) async fn decline_as(
    app: &App,
    advisor: &store::AdvisorRecord,
    record: InPersonRecord,
    message: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InPersonRecord, ApiError> {
    let request_id = record.request_id.clone();
    let message = message.to_owned();
    let seeker = app.store.seeker(&record.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let (answer, open_lock) =
        close_items(&record, "declined", now, ", message = :message", vec![(":message", message.clone())]);
    let mut tx = Tx::new();
    let answered = tx.push(answer);
    tx.push(open_lock);
    let entry = JournalRecord::new(
        &record.seeker_id,
        JournalEvent::InPersonDeclined { request_id: request_id.to_owned(), message: message.clone() },
        now,
        ActorRole::Advisor,
        Some(&advisor.advisor_id),
        app.config.retention_days,
    );
    tx.push(put(entry.to_item()?, None));
    let parties = Parties { seeker: &seeker, advisor };
    if let Some(email) = emails::in_person_declined(app, &parties, &message, now) {
        tx.push(put(email.to_item()?, None));
    }
    tx.push_all(extra);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => Ok(InPersonRecord {
            status: RequestStatus::Declined,
            answered_at: Some(now),
            message: Some(message),
            ..record
        }),
        outcome if outcome.failed(answered) => {
            Err(ApiError::conflict("already_answered", "this request has already been answered"))
        }
        _ => Err(ApiError::Unavailable("answer conflicted; retry".into())),
    }
}

/// The message a seeker reads when their open request is closed because they wait for a new advisor.
const CLOSED_FOR_NEW_ADVISOR: &str = "Votre suivi change de conseiller. Votre nouveau conseiller pourra vous recevoir en agence : renouvelez votre demande dès qu'il vous sera attribué.";

/// The seeker's open in-person requests when they change advisor: each moves to the new
/// advisor's open list (who gets the request email, with accept and decline links of their own);
/// without a new advisor it is declined with a standard message. How many moved and closed.
pub(crate) async fn hand_over_requests(
    app: &App,
    seeker: &store::SeekerRecord,
    target: Option<&store::AdvisorRecord>,
    now: DateTime<Utc>,
) -> Result<(usize, usize), ApiError> {
    let requests: Vec<InPersonRecord> =
        app.store.query(Index::Gsi2, keys::seeker_in_person_gsi2pk(&seeker.seeker_id)).all_of().await?;
    let target_id = target.map(|a| a.advisor_id.as_str());
    let (mut moved, mut closed) = (0, 0);
    for record in requests {
        if record.status != RequestStatus::Open || Some(record.advisor_id.as_str()) == target_id {
            continue;
        }
        let Some(new) = target else {
            let former =
                app.store.advisor(&record.advisor_id).await?.ok_or_else(|| ApiError::internal("advisor missing"))?;
            match decline_as(app, &former, record, CLOSED_FOR_NEW_ADVISOR, Vec::new(), now).await {
                Ok(_) => closed += 1,
                // Answered meanwhile: nothing left to hand over.
                Err(ApiError::Conflict { code: "already_answered", .. }) => {}
                Err(error) => return Err(error),
            }
            continue;
        };
        // The new advisor's open list: the request's keys once it is theirs.
        let handed = InPersonRecord { advisor_id: new.advisor_id.clone(), ..record.clone() };
        let Some(open_list) = handed.keys().gsi1 else {
            continue;
        };
        let (pk, sk) = record.key();
        let mut tx = Tx::new();
        let guard = tx.push(update(pk, &sk, |u| {
            u.update_expression("SET advisorId = :new, gsi1pk = :open")
                .condition_expression("#status = :openStatus AND advisorId = :former")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":new", s(new.advisor_id.clone()))
                .expression_attribute_values(":open", s(open_list.pk))
                .expression_attribute_values(":openStatus", s("open"))
                .expression_attribute_values(":former", s(record.advisor_id.clone()))
        }));
        let handed_over = JournalEvent::InPersonHandedOver {
            request_id: record.request_id.clone(),
            from_advisor_id: record.advisor_id.clone(),
            to_advisor_id: new.advisor_id.clone(),
        };
        let entry =
            JournalRecord::new(&seeker.seeker_id, handed_over, now, ActorRole::System, None, app.config.retention_days);
        tx.push(put(entry.to_item()?, None));
        let parties = Parties { seeker, advisor: new };
        let email = emails::in_person_requested(app, &parties, &record.request_id, &record.reason, now);
        tx.push(put(email.to_item()?, None));
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => moved += 1,
            // Answered or moved meanwhile.
            outcome if outcome.failed(guard) => {}
            _ => return Err(ApiError::Unavailable("in-person request hand-over conflicted; retry".into())),
        }
    }
    Ok((moved, closed))
}
