//! `POST /interviews/{interviewId}/channel`: the advisor switches channel during the interview
//! (video failed: phone).

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use domain::interview::{check_channel, phone_for};
use domain::{free_text, Channel};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::{ChannelChange, InterviewRecord};
use store::journal::{ActorRole, JournalEvent};
use store::{s, TransactOutcome, Tx};

use super::{guarded, interview_for, journal, stale, state};
use crate::app::App;
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChannelBody {
    channel: Channel,
    reason: String,
}

/// `POST /interviews/{interviewId}/channel`.
pub(crate) async fn switch_channel(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: ChannelBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 500)?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    check_channel(&state(&interview), who.role(), body.channel, now)?;
    let seeker = app.store.seeker(&interview.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let phone = phone_for(body.channel, seeker.phone.as_deref())?;
    let change = ChannelChange {
        from: interview.channel,
        to: body.channel,
        reason: reason.clone(),
        at: now,
        by: ActorRole::Advisor,
    };
    let mut switched = interview.clone();
    switched.channel = body.channel;
    switched.phone_number = phone.or(interview.phone_number.clone());
    switched.channel_history.push(change.clone());

    let mut tx = Tx::new();
    let guard = tx.push(mark_switched(&interview, &switched, &change)?);
    let event = |facts| JournalEvent::ChannelSwitched {
        interview: facts,
        from: interview.channel,
        to: body.channel,
        reason: reason.clone(),
    };
    tx.push(journal(app, &interview, event, ActorRole::Advisor, Some(who.id()), now)?);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview channel switched");
            Ok(json_response(StatusCode::OK, &views::interview(&switched)))
        }
        outcome if outcome.failed(guard) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("interview update cancelled: {outcome:?}"))),
    }
}

/// The update that records the switch, guarded on the state the interview was read in.
fn mark_switched(
    interview: &InterviewRecord,
    switched: &InterviewRecord,
    change: &ChannelChange,
) -> Result<TransactWriteItem, ApiError> {
    let change_item =
        serde_dynamo::to_attribute_value::<_, AttributeValue>(change).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let phone = switched.phone_number.clone().map(s).unwrap_or(AttributeValue::Null(true));
    Ok(guarded(
        interview,
        "SET channel = :channel, channelHistory = list_append(if_not_exists(channelHistory, :empty), :change), phoneNumber = :phone",
        |u| {
            u.expression_attribute_values(":channel", s(switched.channel.as_str()))
                .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                .expression_attribute_values(":change", AttributeValue::L(vec![change_item]))
                .expression_attribute_values(":phone", phone)
        },
    ))
}
