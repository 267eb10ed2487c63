//! `POST` and `DELETE /interviews/{interviewId}/meeting`.
//!
//! Joining calls Chime first and writes only once every call succeeded, so a
//! throttled or failing Chime leaves the table untouched (503, retry later).
//! The meeting is created with a `ClientRequestToken` derived from the
//! interview: concurrent first joins get the same meeting from Chime, and the
//! conditional `SET meetingId` settles any remaining race (a loser's meeting,
//! if different, is deleted). A meeting gone on Chime's side is replaced with a
//! token derived from the gone meeting, so concurrent rejoins converge too.

use api::auth::Caller;
use api::http::{json_response, no_content, path_param};
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::meeting::{check_join, part_of, JoinRefused, Joinable, Part};
use domain::time::to_key;
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::interview::{InterviewRecord, InterviewStatus};
use store::keys;
use store::tx::{delete as tx_delete, put, update};
use store::Keyed;
use store::{n, s, transact_retrying, Held, Item, Retrying, Step, TransactOutcome, Tx};
use tokio::sync::Mutex;

use crate::chime::{AttendeeInfo, ChimeError, MeetingInfo};
use crate::views::JoinView;
use crate::App;

/// Rounds of read, Chime calls and conditional write before giving up with 503 (each round
/// calls Chime, so fewer than the driver's default).
const MAX_ATTEMPTS: u32 = 12;

pub(crate) async fn load(app: &App, interview_id: &str) -> Result<Option<InterviewRecord>, ApiError> {
    app.store.get(&keys::interview_pk(interview_id), keys::INTERVIEW_SK).await.map_err(ApiError::from)
}

/// What joining or ending an interview's meeting is, for the audit trail of an advisor's access.
const MEETING: api::access::Access = api::access::Access::Change(api::access::Resource::Meeting);

/// The interview and the caller's part in it; 404 for anyone else, so existence does not leak.
async fn interview_for(app: &App, caller: &Caller, interview_id: &str) -> Result<(InterviewRecord, Part), ApiError> {
    let not_found = || ApiError::not_found("no such interview of yours");
    let interview = load(app, interview_id).await?.ok_or_else(not_found)?;
    let claimed = if caller.is_advisor() {
        Part::Advisor(api::access::caller_advisor(&app.store, caller).await?.advisor_id)
    } else if caller.is_seeker() {
        Part::Seeker(api::access::caller_seeker(&app.store, caller).await?.seeker_id)
    } else {
        return Err(not_found());
    };
    // An advisor takes part as the seeker's current advisor (the profile), whoever's agenda the
    // interview sits in: after a reassignment the former advisor is refused.
    let following = match &claimed {
        Part::Advisor(id) if api::access::follows(&app.store, id, &interview.seeker_id, MEETING).await? => id.clone(),
        _ => String::new(),
    };
    let part = part_of(&claimed, &interview.seeker_id, &following).ok_or_else(not_found)?;
    Ok((interview, part))
}

/// Refuses a join the interview's state does not allow, with a reason the front end can show.
fn check_joinable(app: &App, interview: &InterviewRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    let joinable = Joinable {
        status: interview.status,
        channel: interview.channel,
        start: interview.start_at(),
        end: interview.end_at(),
    };
    check_join(&app.policy.join_window(), joinable, now).map_err(|refused| match refused {
        JoinRefused::NotBooked => ApiError::conflict("not_booked", "this interview is not booked any more"),
        JoinRefused::NotVideo => ApiError::conflict(
            "not_video",
            "this interview is not held by video (its channel was switched); no meeting can be joined",
        ),
        JoinRefused::TooEarly => ApiError::conflict(
            "too_early",
            format!("the meeting opens {} minutes before the start", app.policy.join_early.num_minutes()),
        ),
        JoinRefused::Over => ApiError::conflict("interview_over", "the interview is over"),
    })
}

/// `ClientRequestToken` of a meeting: the interview id for the first one, the interview and
/// the gone meeting for a replacement (at most 26 + 1 + 36 characters, Chime allows 64).
fn request_token(interview_id: &str, replacing: Option<&str>) -> String {
    match replacing {
        None => interview_id.to_owned(),
        Some(gone) => format!("{interview_id}_{gone}"),
    }
}

/// The participant's attendee in the meeting, with when they were last given it (the sweeper
/// does not end a meeting someone is connecting to).
fn attendee_item(
    interview: &InterviewRecord,
    part: &Part,
    meeting_id: &str,
    attendee: &AttendeeInfo,
    now: DateTime<Utc>,
) -> Item {
    [
        ("pk", s(keys::interview_pk(&interview.interview_id))),
        ("sk", s(keys::attendee_sk(part.id()))),
        ("interviewId", s(interview.interview_id.clone())),
        ("userId", s(part.id())),
        ("role", s(part.role())),
        ("meetingId", s(meeting_id)),
        ("attendeeId", s(attendee.attendee_id.clone())),
        ("externalUserId", s(attendee.external_user_id.clone())),
        ("joinedAt", s(to_key(now))),
        ("expiresAt", n((interview.end_at() + Duration::days(1)).timestamp())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Held while the interview has a meeting: the scheduled job finds it by the hour of the
/// interview's scheduled end, and looks at it again each run while the meeting runs over.
pub(crate) fn meeting_end_item(app: &App, interview: &InterviewRecord, meeting_id: &str) -> Item {
    let closes = interview.end_at();
    let hard_limit = app.policy.close(interview).hard_limit;
    [
        ("pk", s(keys::interview_pk(&interview.interview_id))),
        ("sk", s(keys::MEETING_END_SK)),
        ("gsi1pk", s(keys::meeting_end_gsi1pk(&closes.format("%Y-%m-%dT%H").to_string()))),
        ("gsi1sk", s(format!("{}#{}", to_key(closes), interview.interview_id))),
        ("interviewId", s(interview.interview_id.clone())),
        ("meetingId", s(meeting_id)),
        ("expiresAt", n((hard_limit + Duration::days(7)).timestamp())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Stores a new meeting id on the interview, if it still holds `previous` and is still a booked
/// video interview, with its end marker. The handle names the interview's update.
fn store_meeting(
    tx: &mut Tx,
    app: &App,
    interview: &InterviewRecord,
    previous: Option<&str>,
    meeting_id: &str,
) -> Held {
    let set = tx.push(update(interview.pk(), &interview.sk(), |u| {
        let u = u
            .update_expression("SET meetingId = :meeting")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":meeting", s(meeting_id))
            .expression_attribute_values(":booked", s(InterviewStatus::Booked.as_str()))
            .expression_attribute_values(":video", s(Channel::Video.as_str()));
        match previous {
            None => {
                u.condition_expression("attribute_not_exists(meetingId) AND #status = :booked AND channel = :video")
            }
            Some(old) => u
                .condition_expression("meetingId = :previous AND #status = :booked AND channel = :video")
                .expression_attribute_values(":previous", s(old)),
        }
    }));
    tx.push(put(meeting_end_item(app, interview, meeting_id), None));
    set
}

/// What a join carries from one attempt to the next.
#[derive(Debug, Default)]
struct Carried {
    /// The interview as the caller's access check read it, used by the first attempt only.
    first_read: Option<InterviewRecord>,
    /// A meeting Chime said is gone: never reused, replaced with a token derived from it.
    gone: Option<String>,
    /// A meeting this call created that lost the race to another one: deleted once the winner is known.
    orphan: Option<String>,
}

/// `POST /interviews/{interviewId}/meeting`: the meeting (created once) and the caller's attendee.
pub(crate) async fn join(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, part) = interview_for(app, caller, &interview_id).await?;
    // Attempts run one after the other: the lock is never contended, it only lends the carried
    // state to each attempt's future.
    let carried = Mutex::new(Carried { first_read: Some(interview), ..Carried::default() });
    let (meeting, attendee) = transact_retrying("joining the meeting", Retrying::attempts(MAX_ATTEMPTS), |_| {
        let (carried, part, interview_id) = (&carried, &part, &interview_id);
        async move {
            let mut carried = carried.lock().await;
            let interview = match carried.first_read.take() {
                Some(interview) => interview,
                None => load(app, interview_id).await?.ok_or_else(|| ApiError::not_found("no such interview"))?,
            };
            join_attempt(app, &interview, part, &mut carried, now).await
        }
    })
    .await?;
    Ok(answer(meeting, attendee))
}

/// One round of join: the interview's meeting (reused, or created), the caller's attendee, and
/// the conditional write. `Reread` when a concurrent join stored its meeting first (usually
/// this very one) or Chime lost the meeting; `Retry` after a transaction conflict.
async fn join_attempt(
    app: &App,
    interview: &InterviewRecord,
    part: &Part,
    carried: &mut Carried,
    now: DateTime<Utc>,
) -> Result<Step<(MeetingInfo, AttendeeInfo)>, ApiError> {
    check_joinable(app, interview, now)?;
    let stored = interview.meeting_id.clone();
    if let Some(lost) = carried.orphan.take() {
        if stored.as_deref() != Some(lost.as_str()) {
            if let Err(e) = app.chime.delete_meeting(&lost).await {
                // Chime ends an empty meeting after 5 minutes anyway.
                tracing::warn!(error = %e, "could not delete a meeting that lost the race");
            }
        }
    }
    let meeting = current_meeting(app, interview, stored.as_deref(), &mut carried.gone).await?;
    let attendee = match app.chime.create_attendee(&meeting.meeting_id, &part.external_user_id()).await {
        Ok(attendee) => attendee,
        Err(ChimeError::NotFound) => {
            carried.gone = Some(meeting.meeting_id.clone());
            return Ok(Step::Reread);
        }
        Err(e) => return Err(e.into()),
    };
    let attendee_put = attendee_item(interview, part, &meeting.meeting_id, &attendee, now);
    if stored.as_deref() == Some(meeting.meeting_id.as_str()) {
        app.store.put(attendee_put, None).await?;
        return Ok(Step::Done((meeting, attendee)));
    }
    let mut tx = Tx::new();
    let set_meeting = store_meeting(&mut tx, app, interview, stored.as_deref(), &meeting.meeting_id);
    tx.push(put(attendee_put, None));
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!(replaced = stored.is_some(), "meeting stored on the interview");
            Ok(Step::Done((meeting, attendee)))
        }
        outcome if outcome.failed(set_meeting) => {
            carried.orphan = Some(meeting.meeting_id.clone());
            Ok(Step::Reread)
        }
        outcome if outcome.conflicted() => Ok(Step::Retry),
        outcome => Err(ApiError::internal(format!("storing the meeting cancelled: {outcome:?}"))),
    }
}

/// The meeting the interview names, if Chime still has it; else a new one (a replacement of the gone one).
async fn current_meeting(
    app: &App,
    interview: &InterviewRecord,
    stored: Option<&str>,
    gone: &mut Option<String>,
) -> Result<MeetingInfo, ApiError> {
    match (stored, gone.as_deref()) {
        (Some(id), Some(g)) if id == g => create(app, interview, Some(g)).await,
        (Some(id), _) => match app.chime.get_meeting(id).await {
            Ok(meeting) => Ok(meeting),
            Err(ChimeError::NotFound) => {
                tracing::info!("meeting gone on Chime's side; replacing it");
                *gone = Some(id.to_owned());
                create(app, interview, Some(id)).await
            }
            Err(e) => Err(e.into()),
        },
        (None, g) => create(app, interview, g).await,
    }
}

async fn create(app: &App, interview: &InterviewRecord, replacing: Option<&str>) -> Result<MeetingInfo, ApiError> {
    let token = request_token(&interview.interview_id, replacing);
    Ok(app.chime.create_meeting(&token, &interview.interview_id, &app.policy.media_region).await?)
}

/// `{"meeting": {...}, "attendee": {...}}`: what `new MeetingSessionConfiguration(meeting, attendee)` takes.
fn answer(meeting: MeetingInfo, attendee: AttendeeInfo) -> Response<Body> {
    json_response(StatusCode::OK, &JoinView { attendee: attendee.view, meeting: meeting.view })
}

/// Removes a meeting id from an interview, if it still holds it, with its end marker. The handle
/// names the interview's update.
pub(crate) fn forget_meeting(tx: &mut Tx, interview: &InterviewRecord, meeting_id: &str) -> Held {
    let forget = tx.push(update(interview.pk(), &interview.sk(), |u| {
        u.update_expression("REMOVE meetingId")
            .condition_expression("meetingId = :meeting")
            .expression_attribute_values(":meeting", s(meeting_id))
    }));
    tx.push(tx_delete(interview.pk(), keys::MEETING_END_SK, None));
    forget
}

/// `DELETE /interviews/{interviewId}/meeting`: the advisor ends the meeting for everyone.
pub(crate) async fn end(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, part) = interview_for(app, caller, &interview_id).await?;
    if !part.may_end() {
        return Err(ApiError::forbidden("only the advisor ends the meeting"));
    }
    let Some(meeting_id) = interview.meeting_id.clone() else {
        // Nothing running: ending is idempotent.
        return Ok(no_content());
    };
    // Chime first: if it is unavailable, the interview still names the meeting (503, retry).
    app.chime.delete_meeting(&meeting_id).await?;
    let mut tx = Tx::new();
    forget_meeting(&mut tx, &interview, &meeting_id);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("meeting ended by the advisor");
            Ok(no_content())
        }
        _ => Err(ApiError::conflict("concurrent_update", "the meeting changed meanwhile; reload and retry")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fit_chime_limits_and_differ_per_generation() {
        let interview = "01JDZ8X9Y0ABCDEFGHJKMNPQRS";
        let gone = "5ee6265a-0a40-104e-d8fd-a3b4bdd78483";
        assert_eq!(request_token(interview, None), interview);
        let replacement = request_token(interview, Some(gone));
        assert!(replacement.len() <= 64 && replacement.len() >= 2);
        assert!(replacement.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(replacement, interview);
    }
}
