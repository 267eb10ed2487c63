//! `POST /interviews/{interviewId}/acknowledge`: the seeker confirms receiving a convocation
//! (kept as proof).

use api::auth::Caller;
use api::http::{json_response, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::interview::{check_acknowledge, Acknowledgement};
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use store::interview::InterviewRecord;
use store::journal::ActorRole;
use store::tx::update;
use store::{s, TransactOutcome, Tx};

use super::{interview_for, journal, load, state};
use crate::{views, App};

/// `POST /interviews/{interviewId}/acknowledge`.
pub(crate) async fn acknowledge(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, who) = interview_for(app, caller, &interview_id).await?;
    check_acknowledge(&state(&interview), who.role())?;
    let seeker_id = who.id().to_owned();
    let acknowledged = acknowledge_as(app, interview, &seeker_id, Vec::new(), now).await?;
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
    if check_acknowledge(&state(&interview), ActorRole::Seeker)? == Acknowledgement::AlreadyRecorded {
        return Ok(interview);
    }
    let interview_id = interview.interview_id.clone();
    let mut tx = Tx::new();
    tx.push(update(interview.pk.clone(), &interview.sk, |u| {
        u.update_expression("SET acknowledgedAt = :now")
            .condition_expression("attribute_not_exists(acknowledgedAt)")
            .expression_attribute_values(":now", s(to_key(now)))
    }));
    tx.push(journal(app, &interview, "acknowledged", ActorRole::Seeker, Some(seeker_id), json!({}), now)?);
    tx.push_all(extra);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            let mut acknowledged = interview;
            acknowledged.acknowledged_at = Some(to_key(now));
            Ok(acknowledged)
        }
        // Acknowledged meanwhile (a double click, the email link): the first time stands.
        _ => load(app, &interview_id).await?.ok_or_else(|| ApiError::not_found("no such interview")),
    }
}
