//! The click-to-call routes. A call is refused with what booking refuses (not the caller's
//! seeker, not a phone interview, outside its window, no number) before anything is written
//! or dialled; otherwise its item is written, then the service places the call.

use std::collections::HashMap;

use api::audit::{Access, Resource};
use api::auth::Caller;
use api::http::{json_response, no_content, path_param};
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::interview::InterviewStatus;
use domain::meeting::{JoinWindow, Window};
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use pstn_audio::flow::{CallPlan, UPDATE_ACTION, UPDATE_HANG_UP};
use serde_json::json;
use store::interview::InterviewRecord;
use store::keys;
use store::{AdvisorRecord, Keyed, SeekerRecord};

use crate::app::App;
use crate::record::CallRecord;

/// How long a call's item is kept (its facts' markers as long as the journal entries).
const CALL_ITEM_DAYS: i64 = 7;

/// `POST /interviews/{interviewId}/call`: the interview's advisor calls its seeker.
pub(crate) async fn call_for_interview(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let (advisor, interview, seeker) = interview_to_call(app, caller, request).await?;
    check_callable(app, &interview, Channel::Phone, now)?;
    let hard_end = interview.end_at() + app.settings.overrun_limit;
    start(app, &advisor, &seeker, Some((&interview.interview_id, hard_end)), now).await
}

/// `POST /seekers/{seekerId}/calls`: the seeker's advisor calls them outside an interview.
pub(crate) async fn call_seeker(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let (seeker, advisor) =
        api::access::seeker_for_advisor(&app.store, caller, &seeker_id, Access::Change(Resource::Call)).await?;
    start(app, &advisor, &seeker, None, now).await
}

/// The interview `interviewId` and its seeker, for the caller's advisor to call: the seeker's
/// current advisor calls, whoever's agenda the interview sits in; 404 for anyone else.
async fn interview_to_call(
    app: &App,
    caller: &Caller,
    request: &Request,
) -> Result<(AdvisorRecord, InterviewRecord, SeekerRecord), ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let not_found = || ApiError::not_found("no such interview of yours");
    let interview: InterviewRecord = app
        .store
        .get(&keys::interview_pk(&interview_id), keys::INTERVIEW_SK)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(not_found)?;
    let seeker = api::access::followed_seeker(
        &app.store,
        &advisor.advisor_id,
        &interview.seeker_id,
        Some(Access::Change(Resource::Call)),
    )
    .await?
    .ok_or_else(not_found)?;
    Ok((advisor, interview, seeker))
}

/// A booked interview held by `channel` (a phone interview's call, a video interview's dial-in),
/// from `call_early` before its start to its hard end.
fn check_callable(
    app: &App,
    interview: &InterviewRecord,
    channel: Channel,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if interview.status != InterviewStatus::Booked {
        return Err(ApiError::conflict("not_booked", "this interview is not booked any more"));
    }
    if interview.channel != channel {
        return Err(match channel {
            Channel::Video => ApiError::conflict("not_video", "this interview is not held by video"),
            _ => ApiError::conflict("not_phone", "this interview is not held by phone"),
        });
    }
    let window = JoinWindow { opens_before: app.settings.call_early, closes_after: app.settings.overrun_limit };
    match window.at(interview.start_at(), interview.end_at(), now) {
        Window::Open => Ok(()),
        Window::TooEarly if channel == Channel::Video => {
            Err(ApiError::conflict("too_early", "the meeting is not open yet"))
        }
        Window::TooEarly => Err(ApiError::conflict(
            "too_early",
            format!("the call may start {} minutes before the interview", app.settings.call_early.num_minutes()),
        )),
        Window::Over => Err(ApiError::conflict("interview_over", "the interview is over")),
    }
}

/// The seeker's number to ring, if it is French (the agency's number calls French numbers only).
fn seeker_number(seeker: &SeekerRecord) -> Result<domain::Phone, ApiError> {
    seeker
        .phone
        .as_deref()
        .and_then(|p| domain::french_phone(p).ok())
        .ok_or_else(|| ApiError::conflict("no_seeker_phone", "this seeker has no French phone number"))
}

/// The longest a call outside an interview lasts: the call sweeper hangs it up then.
const CALL_OUTSIDE_INTERVIEW_LIMIT: Duration = Duration::hours(1);

/// Writes the call, then has the service ring the advisor's work phone; 202 with the call id.
/// `interview`: the interview's id and hard end, when the call is one's (the call sweeper ends
/// it then).
async fn start(
    app: &App,
    advisor: &AdvisorRecord,
    seeker: &SeekerRecord,
    interview: Option<(&str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = interview.map(|(id, _)| id);
    // Every call has an end the call sweeper keeps: its interview's hard end, or for a call
    // outside an interview, CALL_OUTSIDE_INTERVIEW_LIMIT after it was placed.
    let hard_end = Some(interview.map_or(now + CALL_OUTSIDE_INTERVIEW_LIMIT, |(_, end)| end));
    let advisor_number = advisor
        .phone
        .clone()
        .ok_or_else(|| ApiError::conflict("no_advisor_phone", "set your work phone first (POST /advisors, phone)"))?;
    let seeker_number = seeker_number(seeker)?;
    let call_id = ulid::Ulid::new().to_string();
    let call = CallRecord {
        call_id: call_id.clone(),
        advisor_id: advisor.advisor_id.clone(),
        seeker_id: seeker.seeker_id.clone(),
        interview_id: interview_id.map(str::to_owned),
        transaction_id: None,
        created_at: now,
        ends_at: hard_end,
        expires_at: (now + Duration::days(CALL_ITEM_DAYS)).timestamp(),
    };
    // Written first: the handler's first invocation may come before the service's answer.
    app.store.put(call.to_item()?, Some("attribute_not_exists(pk)")).await?;
    let plan = CallPlan::AdvisorThenSeeker {
        call: call_id.clone(),
        seeker_number: seeker_number.as_str().to_owned(),
        caller_id: app.settings.agency_number.clone(),
    };
    let placed = app
        .voice
        .create_call(
            &app.settings.sip_media_application_id,
            &app.settings.agency_number,
            &advisor_number,
            plan.to_attributes().into_iter().collect(),
        )
        .await;
    let transaction_id = match placed {
        Ok(id) => id,
        Err(error) => {
            // Nothing was dialled: forget the call, so a retry starts afresh.
            if let Err(e) = app.store.delete(&call.pk(), &call.sk(), |d| d).await {
                ApiError::from(e).log();
            }
            return Err(error.into());
        }
    };
    app.store
        .update(&call.pk(), &call.sk(), |u| {
            u.update_expression("SET transactionId = :tx").expression_attribute_values(":tx", store::s(&transaction_id))
        })
        .await?;
    tracing::info!(call_id = %call_id, "call placed");
    Ok(json_response(
        StatusCode::ACCEPTED,
        &json!({"callId": call_id, "seekerId": seeker.seeker_id, "interviewId": interview_id}),
    ))
}

/// The phone leg's `ExternalUserId` in a meeting: the seeker's, marked as the phone's (the
/// attendance proof reads it back with `domain::meeting::Part::from_external_user_id`).
fn phone_leg_user_id(seeker_id: &str) -> String {
    format!("seeker-{seeker_id}{}", domain::meeting::PHONE_LEG_SUFFIX)
}

/// `POST /interviews/{interviewId}/meeting/dial-in`: video that fails becomes a call in the same
/// interview. The interview's advisor has the seeker dialled into the interview's running
/// meeting: an attendee for the phone leg, then `CreateSipMediaApplicationCall` to the seeker
/// with the `meeting_dial_in` plan (the handler answers the seeker with `JoinChimeMeeting`).
pub(crate) async fn dial_in(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let (advisor, interview, seeker) = interview_to_call(app, caller, request).await?;
    check_callable(app, &interview, Channel::Video, now)?;
    let meeting_id = interview
        .meeting_id
        .clone()
        .ok_or_else(|| ApiError::conflict("no_meeting", "join the meeting first: nobody is in it"))?;
    let seeker_number = seeker_number(&seeker)?;
    let attendee = app.meetings.create_attendee(&meeting_id, &phone_leg_user_id(&seeker.seeker_id)).await.map_err(
        |e| match e {
            meetings::chime::ChimeError::NotFound => {
                ApiError::conflict("no_meeting", "the meeting is over: join it again first")
            }
            other => other.into(),
        },
    )?;
    let join_token = attendee
        .view
        .join_token
        .clone()
        .ok_or_else(|| ApiError::internal("chime answered an attendee without a join token"))?;
    let call_id = ulid::Ulid::new().to_string();
    let hard_end = interview.end_at() + app.settings.overrun_limit;
    let call = CallRecord {
        call_id: call_id.clone(),
        advisor_id: advisor.advisor_id.clone(),
        seeker_id: seeker.seeker_id.clone(),
        interview_id: Some(interview.interview_id.clone()),
        transaction_id: None,
        created_at: now,
        ends_at: Some(hard_end),
        expires_at: (now + Duration::days(CALL_ITEM_DAYS)).timestamp(),
    };
    app.store.put(call.to_item()?, Some("attribute_not_exists(pk)")).await?;
    let plan = CallPlan::MeetingDialIn { call: call_id.clone(), meeting_id, join_token };
    let placed = app
        .voice
        .create_call(
            &app.settings.sip_media_application_id,
            &app.settings.agency_number,
            seeker_number.as_str(),
            plan.to_attributes().into_iter().collect(),
        )
        .await;
    let transaction_id = match placed {
        Ok(id) => id,
        Err(error) => {
            if let Err(e) = app.store.delete(&call.pk(), &call.sk(), |d| d).await {
                ApiError::from(e).log();
            }
            return Err(error.into());
        }
    };
    app.store
        .update(&call.pk(), &call.sk(), |u| {
            u.update_expression("SET transactionId = :tx").expression_attribute_values(":tx", store::s(&transaction_id))
        })
        .await?;
    tracing::info!(call_id = %call_id, "meeting dial-in placed");
    Ok(json_response(
        StatusCode::ACCEPTED,
        &json!({"callId": call_id, "seekerId": seeker.seeker_id, "interviewId": interview.interview_id}),
    ))
}

/// `DELETE /calls/{callId}`: the advisor hangs up from the app; 204, also when the call is
/// already over.
pub(crate) async fn hang_up(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let call_id = path_param(request, "callId")?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let call: CallRecord = app
        .store
        .get(&keys::call_pk(&call_id), keys::CALL_SK)
        .await
        .map_err(ApiError::from)?
        .filter(|c: &CallRecord| c.advisor_id == advisor.advisor_id)
        .ok_or_else(|| ApiError::not_found("no such call of yours"))?;
    let Some(transaction_id) = call.transaction_id else {
        return Err(ApiError::conflict("call_starting", "the call is being placed; try again in a moment"));
    };
    let arguments = HashMap::from([(UPDATE_ACTION.to_owned(), UPDATE_HANG_UP.to_owned())]);
    match app.voice.update_call(&app.settings.sip_media_application_id, &transaction_id, arguments).await {
        Ok(()) | Err(crate::voice::VoiceError::NotFound) => Ok(no_content()),
        Err(error) => Err(error.into()),
    }
}
