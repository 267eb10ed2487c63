//! "The job seeker keeps the option of asking for a physical interview":
//! requests, the advisor's open list, and the answer (an interview booked, or
//! a message). One open request per seeker at a time.

use chrono::{DateTime, Utc};
use common::auth::Caller;
use common::domain::{free_text, Channel};
use common::http::{json_response, parse_body, path_param, ListBody, Page};
use common::journal::{ActorRole, JournalRecord};
use common::keys;
use common::store::{from_item, s, to_item, QuerySpec, TransactOutcome};
use common::time::{parse_instant, to_key};
use common::tx::{delete as tx_delete, put, update};
use common::ApiError;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::emails::{self, Parties};
use crate::interviews::{location_for, new_interview, schedule};
use crate::records::{InPersonRecord, RequestStatus};
use crate::{views, App};

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
    let seeker = app.store.caller_seeker(caller).await?;
    let advisor_id = seeker
        .advisor_id
        .clone()
        .ok_or_else(|| ApiError::conflict("no_advisor", "you will be able to ask once an advisor follows you"))?;
    let advisor = app.store.advisor(&advisor_id).await?.ok_or_else(|| ApiError::internal("advisor missing"))?;
    let request_id = ulid::Ulid::new().to_string();
    let record = InPersonRecord {
        pk: keys::in_person_pk(&request_id),
        sk: keys::IN_PERSON_SK.into(),
        gsi1pk: Some(keys::in_person_open_gsi1pk(&advisor_id)),
        gsi1sk: Some(format!("{}#{request_id}", to_key(now))),
        gsi2pk: keys::seeker_in_person_gsi2pk(&seeker.seeker_id),
        gsi2sk: format!("{}#{request_id}", to_key(now)),
        request_id: request_id.clone(),
        seeker_id: seeker.seeker_id.clone(),
        advisor_id: advisor_id.clone(),
        reason: reason.clone(),
        status: RequestStatus::Open,
        created_at: to_key(now),
        answered_at: None,
        interview_id: None,
        message: None,
    };
    let lock = [
        ("pk".to_owned(), s(keys::seeker_pk(&seeker.seeker_id))),
        ("sk".to_owned(), s(keys::IN_PERSON_OPEN_SK)),
        ("requestId".to_owned(), s(request_id.clone())),
    ]
    .into_iter()
    .collect();
    let entry = JournalRecord::new(
        &seeker.seeker_id,
        "in_person_requested",
        now,
        ActorRole::Seeker,
        Some(&seeker.seeker_id),
        json!({"requestId": request_id, "reason": reason}),
        app.config.retention_days,
    );
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    let items = vec![
        put(lock, Some("attribute_not_exists(pk)")),
        put(to_item(&record)?, Some("attribute_not_exists(pk)")),
        put(entry.to_item()?, None),
        put(emails::in_person_requested(app, &parties, &request_id, &reason, now).to_item()?, None),
    ];
    match app.store.transact(items).await? {
        TransactOutcome::Committed => Ok(json_response(StatusCode::CREATED, &views::in_person(&record))),
        outcome if outcome.condition_failed(0) => {
            Err(ApiError::conflict("request_open", "you already have an open in-person request"))
        }
        _ => Err(ApiError::Unavailable("request conflicted; retry".into())),
    }
}

/// `GET /advisors/me/in-person-requests`: the open requests of the portfolio, oldest first.
pub(crate) async fn list_open(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let page = Page::from_request(request)?;
    let advisor = app.store.caller_advisor(caller).await?;
    let spec = QuerySpec::partition(Some(keys::GSI1), keys::in_person_open_gsi1pk(&advisor.advisor_id), true);
    let (items, next_cursor) = app.store.query_page(&spec, &page).await?;
    let items = items
        .into_iter()
        .map(|i| from_item::<InPersonRecord>(i).map(|r| views::in_person(&r)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// `GET /seekers/me/in-person-requests`: the caller's own requests, newest first, with their
/// status and the advisor's answer (GSI2 `SEEKER_INPERSON#<seekerId>`, one Query).
pub(crate) async fn list_own(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let page = Page::from_request(request)?;
    let seeker = app.store.caller_seeker(caller).await?;
    let spec = QuerySpec::partition(Some(keys::GSI2), keys::seeker_in_person_gsi2pk(&seeker.seeker_id), false);
    let (items, next_cursor) = app.store.query_page(&spec, &page).await?;
    let items = items
        .into_iter()
        .map(|i| from_item::<InPersonRecord>(i).map(|r| views::in_person(&r)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// The open request of the calling advisor, or 404 / 409.
async fn open_request_of(
    app: &App,
    caller: &Caller,
    request_id: &str,
) -> Result<(InPersonRecord, common::store::AdvisorRecord), ApiError> {
    let advisor = app.store.caller_advisor(caller).await?;
    let record = open_request_for(app, &advisor, request_id).await?;
    Ok((record, advisor))
}

/// The open request `request_id` of `advisor`'s portfolio, or 404 / 409.
pub(crate) async fn open_request_for(
    app: &App,
    advisor: &common::store::AdvisorRecord,
    request_id: &str,
) -> Result<InPersonRecord, ApiError> {
    let record: InPersonRecord = app
        .store
        .get(&keys::in_person_pk(request_id), keys::IN_PERSON_SK)
        .await?
        .filter(|r: &InPersonRecord| r.advisor_id == advisor.advisor_id)
        .ok_or_else(|| ApiError::not_found("no such request of your portfolio"))?;
    if record.status != RequestStatus::Open {
        return Err(ApiError::conflict("already_answered", "this request has already been answered"));
    }
    Ok(record)
}

/// Closes a request (answered): out of the open list, the seeker may ask again.
fn close_items(
    record: &InPersonRecord,
    status: &str,
    now: DateTime<Utc>,
    set_extra: &str,
    extra: Vec<(&str, String)>,
) -> Vec<aws_sdk_dynamodb::types::TransactWriteItem> {
    let expression = format!("SET #status = :status, answeredAt = :now{set_extra} REMOVE gsi1pk, gsi1sk");
    vec![
        update(record.pk.clone(), &record.sk, |u| {
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
    ]
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
        &json!({"request": views::in_person(&record), "interview": views::interview(&interview)}),
    ))
}

/// Books the in-person interview of an open request at `start`, with `extra` items in the same transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn accept_as(
    app: &App,
    advisor: &common::store::AdvisorRecord,
    record: InPersonRecord,
    start: DateTime<Utc>,
    duration_minutes: u32,
    location: Option<String>,
    extra_items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<(InPersonRecord, common::interview::InterviewRecord), ApiError> {
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
    let mut extra = close_items(
        &record,
        "accepted",
        now,
        ", interviewId = :interview",
        vec![(":interview", interview.interview_id.clone())],
    );
    extra.extend(extra_items);
    schedule(app, &interview, "in_person_accepted", &advisor.advisor_id, emails, extra, now).await?;
    tracing::info!("in-person request accepted");
    let record = InPersonRecord {
        status: RequestStatus::Accepted,
        answered_at: Some(to_key(now)),
        interview_id: Some(interview.interview_id.clone()),
        gsi1pk: None,
        gsi1sk: None,
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
    advisor: &common::store::AdvisorRecord,
    record: InPersonRecord,
    message: &str,
    extra: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InPersonRecord, ApiError> {
    let request_id = record.request_id.clone();
    let message = message.to_owned();
    let seeker = app.store.seeker(&record.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let mut items = close_items(&record, "declined", now, ", message = :message", vec![(":message", message.clone())]);
    let entry = JournalRecord::new(
        &record.seeker_id,
        "in_person_declined",
        now,
        ActorRole::Advisor,
        Some(&advisor.advisor_id),
        json!({"requestId": request_id, "message": message}),
        app.config.retention_days,
    );
    items.push(put(entry.to_item()?, None));
    let parties = Parties { seeker: &seeker, advisor };
    if let Some(email) = emails::in_person_declined(app, &parties, &message, now) {
        items.push(put(email.to_item()?, None));
    }
    items.extend(extra);
    match app.store.transact(items).await? {
        TransactOutcome::Committed => Ok(InPersonRecord {
            status: RequestStatus::Declined,
            answered_at: Some(to_key(now)),
            message: Some(message),
            gsi1pk: None,
            gsi1sk: None,
            ..record
        }),
        outcome if outcome.condition_failed(0) => {
            Err(ApiError::conflict("already_answered", "this request has already been answered"))
        }
        _ => Err(ApiError::Unavailable("answer conflicted; retry".into())),
    }
}
